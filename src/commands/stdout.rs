//! Standard output for every command. A reader that goes away (`billingctl plan … | head -1`)
//! closes the pipe; `println!` would then panic (exit 101). Here a closed pipe ends the
//! output quietly: later writes are dropped and the command keeps its own exit status, as
//! `git log | head -1` does.

use std::io::{ErrorKind, Write};

/// Writes `text` to standard output and flushes it (so a prompt that follows on another
/// stream comes after it). Write errors other than a closed pipe are reported once on stderr.
pub(crate) fn emit(text: &str) {
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match written {
        Ok(()) => {}
        Err(err) if err.kind() == ErrorKind::BrokenPipe => {}
        Err(err) => eprintln!("error: cannot write to standard output: {err}"),
    }
}

/// [`emit`] with a newline.
pub(crate) fn line(text: &str) {
    emit(&format!("{text}\n"));
}
