//! `run --secrets-out FILE`: where the secrets Stripe returns only in a create response (a
//! webhook endpoint's signing secret, `Kind::create_secret`) go. They go nowhere else: not
//! to the screen, a log, a plan, an error or an export; the redaction layer masks any
//! `whsec_…` that could still reach output.
//!
//! The file is JSON lines, one object per created endpoint, written as its create answers
//! and flushed to disk (fsync) before the apply goes on, so an apply that fails midway has
//! already kept every secret Stripe gave it:
//!
//! ```text
//! {"kind":"webhook_endpoint","key":"billing","id":"we_…","url":"https://…","secret":"whsec_…"}
//! ```
//!
//! What happens to an existing FILE: Stripe never shows a secret again, so overwriting a
//! file that holds one would lose the only copy, and writing into a file billingctl did not
//! write (an app's `.env`) would corrupt it. So a missing FILE is created with mode 0600;
//! an existing one is appended to only if it is a regular file, readable by its owner only,
//! and every line in it is an entry of this format (an empty file counts); anything else is
//! refused before any write to Stripe.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{Diagnostic, Diagnostics};
use crate::plan::Plan;

/// One line of the secrets file.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The kind's name (`webhook_endpoint`).
    pub kind: String,
    /// The script key.
    pub key: String,
    /// The Stripe id.
    pub id: String,
    /// The endpoint's URL, so a reader can tell entries of one key apart.
    pub url: String,
    pub secret: String,
}

/// The open secrets file, appended to one entry at a time.
#[derive(Debug)]
pub struct SecretsFile {
    path: PathBuf,
    file: File,
}

impl SecretsFile {
    /// Opens `path` for appending, under the rules of the module doc: created 0600 when
    /// missing; appended to only when it is already a secrets file billingctl wrote.
    pub fn open(path: &Path) -> Result<SecretsFile, String> {
        check(path)?;
        let mut options = OpenOptions::new();
        options.append(true).create(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(path)
            .map_err(|e| format!("opening {}: {e}", path.display()))?;
        Ok(SecretsFile {
            path: path.to_owned(),
            file,
        })
    }

    /// The file's path, for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one entry and flushes it to disk before returning.
    pub fn record(&mut self, entry: &Entry) -> Result<(), String> {
        let mut line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        line.push('\n');
        self.file
            .write_all(line.as_bytes())
            .and_then(|()| self.file.sync_all())
            .map_err(|e| format!("writing {}: {e}", self.path.display()))
    }
}

/// Whether `path` may be opened: missing, or a secrets file billingctl wrote, private to its
/// owner. Says why not.
pub fn check(path: &Path) -> Result<(), String> {
    let shown = path.display();
    let metadata = match std::fs::symlink_metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(format!("reading {shown}: {e}")),
    };
    if !metadata.file_type().is_file() {
        return Err(format!("{shown} exists and is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = metadata.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{shown} is readable or writable by others (mode {mode:o}); a secrets file \
                 must be private to its owner (chmod 600 {shown})"
            ));
        }
    }
    let text = std::fs::read_to_string(path).map_err(|e| format!("reading {shown}: {e}"))?;
    let foreign = text
        .lines()
        .any(|line| serde_json::from_str::<Entry>(line).is_err());
    if foreign || !(text.is_empty() || text.ends_with('\n')) {
        return Err(format!(
            "{shown} exists and is not a secrets file billingctl wrote: it is neither \
             overwritten nor appended to"
        ));
    }
    Ok(())
}

/// Without `--secrets-out`, every change that would create an object with a one-time
/// secret is an error on that object: the secret would be lost.
pub fn refusals(plan: &Plan) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for change in plan.changes.iter().filter(|c| c.creates_secret()) {
        diags.push(
            Diagnostic::error(format!(
                "creating this {} needs --secrets-out: Stripe returns its signing secret only \
                 in the create response",
                change.kind.def().noun()
            ))
            .object(change.kind, &change.key)
            .at(change.declared_at.clone())
            .help(
                "pass `--secrets-out FILE` to `billingctl run`: the secret is written there \
                 (mode 0600), never to the screen",
            ),
        );
    }
    diags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(key: &str) -> Entry {
        Entry {
            kind: "webhook_endpoint".into(),
            key: key.into(),
            id: "we_1".into(),
            url: "https://x.example/hook".into(),
            secret: "whsec_0123456789abcdefghij".into(),
        }
    }

    #[test]
    fn a_new_file_is_private_and_appended_to_one_line_per_entry() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secrets.jsonl");
        let mut file = SecretsFile::open(&path).unwrap();
        file.record(&entry("a")).unwrap();
        drop(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        // A second run appends to its own file.
        SecretsFile::open(&path)
            .unwrap()
            .record(&entry("b"))
            .unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let keys: Vec<String> = text
            .lines()
            .map(|l| serde_json::from_str::<Entry>(l).unwrap().key)
            .collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn a_foreign_or_shared_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join(".env");
        std::fs::write(&env, "DATABASE_URL=postgres://x\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&env, std::fs::Permissions::from_mode(0o600)).unwrap();
            let error = SecretsFile::open(&env).unwrap_err();
            assert!(
                error.contains("not a secrets file billingctl wrote"),
                "{error}"
            );
            let shared = dir.path().join("shared.jsonl");
            std::fs::write(&shared, "").unwrap();
            std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
            let error = SecretsFile::open(&shared).unwrap_err();
            assert!(error.contains("chmod 600"), "{error}");
        }
        assert_eq!(
            std::fs::read_to_string(&env).unwrap(),
            "DATABASE_URL=postgres://x\n"
        );
        let error = SecretsFile::open(dir.path()).unwrap_err();
        assert!(error.contains("not a regular file"), "{error}");
    }
}
