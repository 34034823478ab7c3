//! Standard output for every command, through the redaction layer (`crate::redact`). A reader
//! that goes away (`billingctl plan … | head -1`) closes the pipe; `println!` would then panic
//! (exit 101). The layer's writer drops a closed pipe's error instead: later writes vanish and
//! the command keeps its own exit status, as `git log | head -1` does. Each write is flushed,
//! so a prompt that follows on another stream comes after it.

/// Writes `text` to standard output, redacted and flushed.
pub(crate) fn emit(text: &str) {
    crate::redact::write(crate::redact::Stream::Out, text);
}

/// [`emit`] with a newline.
pub(crate) fn line(text: &str) {
    emit(&format!("{text}\n"));
}
