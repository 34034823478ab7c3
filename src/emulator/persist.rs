//! `--state FILE`: the account is loaded at start and written back atomically (a temp file in
//! the same directory, fsync, rename), so a crash leaves the old file or the new one, never a
//! torn one.
//!
//! Writes are coalesced: a background thread persists at most every 100 ms, and only when the
//! account changed. Rewriting the whole file on every request would make a 10,000-object run
//! quadratic. The trade-off: a hard kill (SIGKILL, power loss) can lose the last 100 ms of
//! changes; a clean stop (`EmulatorHandle::shutdown`, drop, Ctrl-C, SIGTERM) always flushes.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use super::store::Account;
use crate::clock::Clock;

/// How often, at most, the state file is rewritten while the account changes.
const PERIOD: Duration = Duration::from_millis(100);

/// Reads a state file; a missing file is an empty account.
pub(crate) fn load(path: &Path, clock: Clock) -> io::Result<Account> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(Account::with_clock(clock)),
        Err(err) => return Err(with_path(err, path)),
    };
    let state = serde_json::from_str(&text)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
        .and_then(|state| {
            Account::restore(&state, clock)
                .map_err(|msg| io::Error::new(io::ErrorKind::InvalidData, msg))
        });
    state.map_err(|err| with_path(err, path))
}

fn with_path(err: io::Error, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("state file {}: {err}", path.display()))
}

/// Writes the account to `path` atomically and returns the generation written.
fn write(account: &Mutex<Account>, path: &Path) -> io::Result<u64> {
    let (generation, snapshot) = {
        let account = account.lock().unwrap_or_else(|e| e.into_inner());
        (account.generation(), account.snapshot())
    };
    let bytes = serde_json::to_vec_pretty(&snapshot).map_err(io::Error::other)?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&dir)?;
    let name = path.file_name().map_or_else(
        || "state".into(),
        |name| name.to_string_lossy().into_owned(),
    );
    let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut file = fs::File::create(&temp)?;
    file.write_all(&bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, path)?;
    Ok(generation)
}

/// The background writer. Dropping it stops the thread and writes one last time.
pub(crate) struct Persister {
    account: Arc<Mutex<Account>>,
    path: PathBuf,
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<u64>>,
}

impl Persister {
    /// Starts persisting `account` to `path`; `written` is the generation already on disk.
    pub fn start(account: Arc<Mutex<Account>>, path: PathBuf) -> Persister {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let thread = {
            let (account, path, stop) = (account.clone(), path.clone(), stop.clone());
            std::thread::Builder::new()
                .name("emulator-state".into())
                .spawn(move || {
                    let mut written = 0;
                    let (flag, wake) = &*stop;
                    let mut stopped = flag.lock().unwrap_or_else(|e| e.into_inner());
                    while !*stopped {
                        stopped = wake
                            .wait_timeout(stopped, PERIOD)
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                        let current = account
                            .lock()
                            .unwrap_or_else(|e| e.into_inner())
                            .generation();
                        if current != written && !*stopped {
                            match write(&account, &path) {
                                Ok(generation) => written = generation,
                                Err(err) => tracing::warn!(
                                    "could not write the emulator state to {}: {err}",
                                    path.display()
                                ),
                            }
                        }
                    }
                    written
                })
                .ok()
        };
        Persister {
            account,
            path,
            stop,
            thread,
        }
    }

    /// Stops the writer and writes the final state.
    pub fn flush_and_stop(&mut self) -> io::Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        *self.stop.0.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.stop.1.notify_all();
        let written = thread.join().unwrap_or(u64::MAX);
        let current = self
            .account
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .generation();
        if current != written || !self.path.exists() {
            write(&self.account, &self.path)?;
        }
        Ok(())
    }
}

impl Drop for Persister {
    fn drop(&mut self) {
        if let Err(err) = self.flush_and_stop() {
            eprintln!(
                "error: could not write the emulator state to {}: {err}",
                self.path.display()
            );
        }
    }
}
