//! `--state FILE`: the accounts (the platform's and its connected accounts') are loaded at
//! start and kept durable: **whatever the emulator answered is on disk**, even after a hard
//! kill (SIGKILL, power loss).
//!
//! Two files do it. `FILE` is a snapshot, written atomically (a temp file in the same
//! directory, fsync, rename), so a crash leaves the old one or the new one, never a torn one.
//! `FILE.log` is a write-ahead log: every change (the object as it now is, or its removal, or
//! a new connected account) is appended as one JSON line under the accounts' lock, in the
//! order the changes happened, and
//! the request's answer waits until the log is fsynced past its changes ([`Wal::sync`]). That
//! is group commit: one fsync covers every request that waited for it, so concurrent clients
//! share the cost. Rewriting the whole snapshot before each answer was the alternative; it
//! makes a 10,000-object run quadratic.
//!
//! A background thread compacts at most every [`PERIOD`] while the account changes: it rotates
//! the log (`FILE.log` → `FILE.log.old`), writes a snapshot taken after the rotation, then
//! deletes the old log. Replaying a log over a snapshot that already holds some of its
//! changes gives the same account (each line is a whole object or a removal, applied in
//! order), so a crash between any two steps loses nothing: loading reads the snapshot, then
//! `FILE.log.old`, then `FILE.log`. A last line without its newline was never acknowledged
//! (its fsync had not returned) and is ignored.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::Value;

use super::accounts::{Accounts, Entry, Scope};
use super::store::Change;
use crate::kinds::ObjectKind;

/// How often, at most, the snapshot is rewritten (and the log compacted) while the account
/// changes. Durability does not depend on it: only how long the log grows between two.
const PERIOD: Duration = Duration::from_millis(500);

/// Reads a state file into `empty` and replays its logs; a missing file leaves it empty.
pub(crate) fn load(path: &Path, empty: Accounts) -> io::Result<Accounts> {
    let mut account = load_snapshot(path, empty)?;
    for log in [old_log_path(path), log_path(path)] {
        replay(&mut account, &log).map_err(|err| with_path(err, &log))?;
    }
    Ok(account)
}

fn load_snapshot(path: &Path, empty: Accounts) -> io::Result<Accounts> {
    let text = match fs::read_to_string(path) {
        Ok(text) => text,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(empty),
        Err(err) => return Err(with_path(err, path)),
    };
    let state = serde_json::from_str(&text)
        .map_err(|err| io::Error::new(io::ErrorKind::InvalidData, err))
        .and_then(|state| {
            empty
                .restore(&state)
                .map_err(|msg| io::Error::new(io::ErrorKind::InvalidData, msg))
        });
    state.map_err(|err| with_path(err, path))
}

/// `FILE.log`: the write-ahead log.
fn log_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".log");
    PathBuf::from(name)
}

/// `FILE.log.old`: the log being compacted away.
fn old_log_path(path: &Path) -> PathBuf {
    let mut name = log_path(path).into_os_string();
    name.push(".old");
    PathBuf::from(name)
}

/// Applies every complete line of a log (a missing log is an empty one).
fn replay(accounts: &mut Accounts, log: &Path) -> io::Result<()> {
    let bytes = match fs::read(log) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(err) => return Err(err),
    };
    // Only newline-terminated lines were acknowledged; a torn tail is dropped.
    let complete = bytes
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(&[][..], |end| &bytes[..=end]);
    for (number, line) in complete.split(|&b| b == b'\n').enumerate() {
        if line.is_empty() {
            continue;
        }
        let invalid = |what: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("line {}: {what}", number + 1),
            )
        };
        let entry = decode_change(line).ok_or_else(|| invalid("not a change".to_owned()))?;
        accounts.apply(entry).map_err(invalid)?;
    }
    Ok(())
}

/// One log line: `{"put":"product","object":{…}}` or `{"remove":"coupon","id":"…"}` for the
/// platform's objects (the lines of every log before Connect), the same with
/// `"account":"acct_…"` for a connected account's, and `{"put_account":{…}}` for a new
/// connected account.
fn encode_change(entry: &Entry, out: &mut Vec<u8>) {
    // Writing JSON into a Vec cannot fail; the newline marks the line complete.
    let (account, change) = match entry {
        Entry::Account(object) => {
            out.extend_from_slice(b"{\"put_account\":");
            let _ = serde_json::to_writer(&mut *out, &**object);
            out.extend_from_slice(b"}\n");
            return;
        }
        Entry::Object(account, change) => (account, change),
    };
    let account = match account {
        Some(id) => format!(",\"account\":{}", Value::String(id.clone())),
        None => String::new(),
    };
    match change {
        Change::Put(kind, object) => {
            let head = format!("{{\"put\":\"{}\"{account},\"object\":", kind.name());
            out.extend_from_slice(head.as_bytes());
            let _ = serde_json::to_writer(&mut *out, &**object);
            out.push(b'}');
        }
        Change::Remove(kind, id) => {
            let head = format!("{{\"remove\":\"{}\"{account},\"id\":", kind.name());
            out.extend_from_slice(head.as_bytes());
            let _ = serde_json::to_writer(&mut *out, id);
            out.push(b'}');
        }
    }
    out.push(b'\n');
}

fn decode_change(line: &[u8]) -> Option<Entry> {
    let value: Value = serde_json::from_slice(line).ok()?;
    if let Some(object) = value.get("put_account") {
        object["id"].as_str()?;
        return Some(Entry::Account(Arc::new(object.clone())));
    }
    let account = match value.get("account") {
        None => None,
        Some(id) => Some(id.as_str()?.to_owned()),
    };
    let kind_named = |name: &Value| {
        ObjectKind::ALL
            .into_iter()
            .find(|kind| Some(kind.name()) == name.as_str())
    };
    if let Some(kind) = value.get("put").and_then(kind_named) {
        let object = value.get("object")?;
        object["id"].as_str()?;
        let change = Change::Put(kind, Arc::new(object.clone()));
        return Some(Entry::Object(account, change));
    }
    let kind = value.get("remove").and_then(kind_named)?;
    let change = Change::Remove(kind, value.get("id")?.as_str()?.to_owned());
    Some(Entry::Object(account, change))
}

fn with_path(err: io::Error, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("state file {}: {err}", path.display()))
}

/// Writes the accounts to `path` atomically and returns the generation written.
fn write(accounts: &Mutex<Accounts>, path: &Path) -> io::Result<u64> {
    let (generation, snapshot) = {
        let accounts = accounts.lock().unwrap_or_else(|e| e.into_inner());
        (accounts.generation(), accounts.snapshot())
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

/// Fsyncs a directory, so that a rename or a new file in it survives a power loss.
fn sync_dir(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => fs::File::open(dir)?.sync_all(),
        _ => fs::File::open(".")?.sync_all(),
    }
}

/// The write-ahead log of one state file.
pub(crate) struct Wal {
    path: PathBuf,
    /// Lines appended (under the account lock) but not yet written, and how many changes have
    /// been appended in all.
    pending: Mutex<Pending>,
    /// The open log and how many changes it holds durably. Held while writing and fsyncing.
    file: Mutex<LogFile>,
    /// `file.durable`, readable without waiting for a write in progress.
    durable: AtomicU64,
}

#[derive(Default)]
struct Pending {
    lines: Vec<u8>,
    appended: u64,
}

struct LogFile {
    file: fs::File,
    durable: u64,
}

/// Poisoned locks still hold consistent data here (every write is whole or not counted).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|e| e.into_inner())
}

impl Wal {
    /// Writes a fresh snapshot of the loaded accounts and starts an empty log beside it.
    pub fn open(accounts: &Mutex<Accounts>, path: PathBuf) -> io::Result<Wal> {
        Self::start_log(accounts, &path).map_err(|err| with_path(err, &path))?;
        let file = fs::OpenOptions::new()
            .append(true)
            .open(log_path(&path))
            .map_err(|err| with_path(err, &path))?;
        Ok(Wal {
            path,
            pending: Mutex::new(Pending::default()),
            file: Mutex::new(LogFile { file, durable: 0 }),
            durable: AtomicU64::new(0),
        })
    }

    fn start_log(accounts: &Mutex<Accounts>, path: &Path) -> io::Result<()> {
        lock(accounts).record_changes();
        write(accounts, path)?;
        fs::File::create(log_path(path))?.sync_all()?;
        match fs::remove_file(old_log_path(path)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => return Err(err),
            _ => {}
        }
        sync_dir(path)
    }

    /// Whether the first `upto` changes are already on disk (no waiting).
    pub fn is_durable(&self, upto: u64) -> bool {
        self.durable.load(Ordering::Acquire) >= upto
    }

    /// Moves the latest changes (accounts created, and the objects of the account `scope`
    /// names: the one a request acted on) into the log's buffer. Call it under the accounts'
    /// lock, so that lines keep the order of the changes. Returns the count to [`Wal::sync`]
    /// to.
    pub fn append(&self, accounts: &mut Accounts, scope: &Scope) -> u64 {
        let changes = accounts.take_changes(scope);
        let mut pending = lock(&self.pending);
        for change in &changes {
            encode_change(change, &mut pending.lines);
        }
        pending.appended += changes.len() as u64;
        pending.appended
    }

    /// Returns once the first `upto` changes are on disk. One fsync covers every change
    /// appended before it, whoever waits for it (group commit).
    pub fn sync(&self, upto: u64) -> io::Result<()> {
        let mut log = lock(&self.file);
        if log.durable >= upto {
            return Ok(());
        }
        let (lines, appended) = {
            let mut pending = lock(&self.pending);
            (std::mem::take(&mut pending.lines), pending.appended)
        };
        let length = log.file.metadata().map(|m| m.len());
        if let Err(err) = log
            .file
            .write_all(&lines)
            .and_then(|()| log.file.sync_data())
        {
            // Cut what was half written and keep the lines for the next attempt, in order.
            if let Ok(length) = length {
                let _ = log.file.set_len(length);
            }
            let mut pending = lock(&self.pending);
            let newer = std::mem::replace(&mut pending.lines, lines);
            pending.lines.extend_from_slice(&newer);
            return Err(err);
        }
        log.durable = appended;
        self.durable.store(appended, Ordering::Release);
        Ok(())
    }

    /// Rotates the log, writes a snapshot taken after the rotation, deletes the old log.
    fn compact(&self, accounts: &Mutex<Accounts>) -> io::Result<u64> {
        let old = old_log_path(&self.path);
        {
            // Lines still pending go to the new log: the snapshot below holds them too.
            let mut log = lock(&self.file);
            if old.exists() {
                // A compaction that failed left its old log: keep both, in order.
                let current = fs::read(log_path(&self.path))?;
                let mut older = fs::OpenOptions::new().append(true).open(&old)?;
                older.write_all(&current)?;
                older.sync_data()?;
            } else {
                fs::rename(log_path(&self.path), &old)?;
            }
            fs::File::create(log_path(&self.path))?;
            log.file = fs::OpenOptions::new()
                .append(true)
                .open(log_path(&self.path))?;
            sync_dir(&self.path)?;
        }
        let generation = write(accounts, &self.path)?;
        fs::remove_file(&old)?;
        Ok(generation)
    }
}

/// The background compactor. Dropping it stops the thread and writes one last snapshot.
pub(crate) struct Persister {
    account: Arc<Mutex<Accounts>>,
    wal: Arc<Wal>,
    stop: Arc<(Mutex<bool>, Condvar)>,
    thread: Option<JoinHandle<u64>>,
}

impl Persister {
    /// Starts compacting `wal` while `account` changes.
    pub fn start(account: Arc<Mutex<Accounts>>, wal: Arc<Wal>) -> Persister {
        let stop = Arc::new((Mutex::new(false), Condvar::new()));
        let thread = {
            let (account, wal, stop) = (account.clone(), wal.clone(), stop.clone());
            std::thread::Builder::new()
                .name("emulator-state".into())
                .spawn(move || {
                    let mut written = lock(&account).generation();
                    let (flag, wake) = &*stop;
                    let mut stopped = lock(flag);
                    while !*stopped {
                        stopped = wake
                            .wait_timeout(stopped, PERIOD)
                            .unwrap_or_else(|e| e.into_inner())
                            .0;
                        let current = lock(&account).generation();
                        if current != written && !*stopped {
                            drop(stopped);
                            match wal.compact(&account) {
                                Ok(generation) => written = generation,
                                Err(err) => tracing::warn!(
                                    "could not compact the emulator state {}: {err}",
                                    wal.path.display()
                                ),
                            }
                            stopped = lock(flag);
                        }
                    }
                    written
                })
                .ok()
        };
        Persister {
            account,
            wal,
            stop,
            thread,
        }
    }

    /// Stops the compactor and writes the final state, then removes the (empty) log. Call it
    /// once no request is served any more.
    pub fn flush_and_stop(&mut self) -> io::Result<()> {
        let Some(thread) = self.thread.take() else {
            return Ok(());
        };
        *lock(&self.stop.0) = true;
        self.stop.1.notify_all();
        let _ = thread.join();
        self.wal.compact(&self.account)?;
        // Nothing is served any more, so the log is empty: a clean stop leaves one file.
        match fs::remove_file(log_path(&self.wal.path)) {
            Err(err) if err.kind() != io::ErrorKind::NotFound => Err(err),
            _ => Ok(()),
        }
    }
}

impl Drop for Persister {
    fn drop(&mut self) {
        if let Err(err) = self.flush_and_stop() {
            crate::eoutln!(
                "error: could not write the emulator state to {}: {err}",
                self.wal.path.display()
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::emulator::store::Store;

    /// Accounts without indexes: these tests hold products only.
    fn empty() -> Accounts {
        Accounts::new(Clock::default(), |clock| Store::new(clock, |_| &[]))
    }

    /// The platform's objects.
    fn platform(accounts: &mut Accounts) -> &mut Store {
        accounts.store_mut(&Scope::Platform).unwrap()
    }

    /// A log line of a change to the platform's objects.
    fn line(change: &Change) -> Vec<u8> {
        entry_line(&Entry::Object(None, change.clone()))
    }

    fn entry_line(entry: &Entry) -> Vec<u8> {
        let mut out = Vec::new();
        encode_change(entry, &mut out);
        out
    }

    #[test]
    fn load_replays_both_logs_in_order_and_drops_a_torn_tail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let product = |id: &str, name: &str| {
            Change::Put(
                ObjectKind::Product,
                Arc::new(serde_json::json!({ "id": id, "name": name })),
            )
        };
        // A crash after the rotation, before the new snapshot: no snapshot yet, two logs.
        fs::write(old_log_path(&path), line(&product("prod_a", "A"))).unwrap();
        let mut current = line(&product("prod_a", "A2"));
        current.extend(line(&product("prod_b", "B")));
        current.extend(line(&Change::Remove(ObjectKind::Product, "prod_b".into())));
        current.extend(br#"{"put":"product","object":{"id":"prod_c""#);
        fs::write(log_path(&path), current).unwrap();

        let mut accounts = load(&path, empty()).unwrap();
        let account = platform(&mut accounts);
        assert_eq!(account.len(ObjectKind::Product), 1);
        let a = account.get(ObjectKind::Product, "prod_a").unwrap();
        assert_eq!(a["name"], "A2");
        assert!(account.get(ObjectKind::Product, "prod_c").is_none());
    }

    #[test]
    fn the_platforms_lines_are_those_of_a_log_from_before_connect() {
        let put = Change::Put(
            ObjectKind::Product,
            Arc::new(serde_json::json!({ "id": "p" })),
        );
        assert_eq!(
            line(&put),
            b"{\"put\":\"product\",\"object\":{\"id\":\"p\"}}\n"
        );
        let remove = Change::Remove(ObjectKind::Coupon, "c".into());
        let expected = serde_json::json!({ "remove": "coupon", "id": "c" });
        let written: Value = serde_json::from_slice(&line(&remove)).unwrap();
        assert_eq!(written, expected);
    }

    #[test]
    fn a_connected_accounts_changes_replay_into_that_account() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let account = serde_json::json!({ "id": "acct_a", "object": "account" });
        let product = Change::Put(
            ObjectKind::Product,
            Arc::new(serde_json::json!({ "id": "p", "name": "theirs" })),
        );
        let mut log = entry_line(&Entry::Account(Arc::new(account)));
        log.extend(entry_line(&Entry::Object(
            Some("acct_a".into()),
            product.clone(),
        )));
        log.extend(line(&Change::Put(
            ObjectKind::Product,
            Arc::new(serde_json::json!({ "id": "p", "name": "ours" })),
        )));
        fs::write(log_path(&path), &log).unwrap();
        let mut accounts = load(&path, empty()).unwrap();
        let theirs = accounts
            .store_mut(&Scope::Connected("acct_a".into()))
            .unwrap();
        assert_eq!(
            theirs.get(ObjectKind::Product, "p").unwrap()["name"],
            "theirs"
        );
        let ours = platform(&mut accounts);
        assert_eq!(ours.get(ObjectKind::Product, "p").unwrap()["name"], "ours");

        // A change to an account the log never created: not this emulator's log.
        fs::write(
            log_path(&path),
            entry_line(&Entry::Object(Some("acct_b".into()), product)),
        )
        .unwrap();
        let err = load(&path, empty()).unwrap_err();
        assert!(
            err.to_string()
                .contains("line 1: a change to account acct_b"),
            "{err}"
        );
    }

    #[test]
    fn a_synced_change_is_in_the_log_before_the_snapshot_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let account = Mutex::new(empty());
        let wal = Wal::open(&account, path.clone()).unwrap();
        let upto = {
            let mut account = lock(&account);
            platform(&mut account).put(
                ObjectKind::Product,
                serde_json::json!({ "id": "prod_x", "name": "X" }),
            );
            wal.append(&mut account, &Scope::Platform)
        };
        assert!(!wal.is_durable(upto));
        wal.sync(upto).unwrap();
        assert!(wal.is_durable(upto));
        // As after a kill: the snapshot is still the empty one, the log has the change.
        let mut reloaded = load(&path, empty()).unwrap();
        assert!(platform(&mut reloaded)
            .get(ObjectKind::Product, "prod_x")
            .is_some());
    }
}
