//! `Project`: the directory a script's imports may not leave, and how files are named in
//! positions and errors.
//!
//! The root is the current directory when the script lies under it, else the script's own
//! directory. Files are named relative to the current directory (`scripts/catalog.rhai`), so
//! an error's `file:line:col` opens from where the command ran; outside it, by absolute path.

use std::path::{Component, Path, PathBuf};

#[derive(Clone, Debug)]
pub struct Project {
    /// Absolute and normalised.
    root: PathBuf,
    /// Whether names are relative to the root (the root is the current directory).
    relative_names: bool,
}

impl Project {
    /// The project of `script` (absolute) run from `cwd` (absolute).
    pub fn for_script(cwd: &Path, script: &Path) -> Self {
        let cwd = normalize(cwd);
        if script.starts_with(&cwd) {
            Self {
                root: cwd,
                relative_names: true,
            }
        } else {
            let root = script
                .parent()
                .map_or_else(|| cwd.clone(), Path::to_path_buf);
            Self {
                root,
                relative_names: false,
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The name of `file` (absolute) in positions, or None when it lies outside the root.
    pub fn name(&self, file: &Path) -> Option<String> {
        let relative = file.strip_prefix(&self.root).ok()?;
        let name = if self.relative_names { relative } else { file };
        Some(name.to_string_lossy().replace('\\', "/"))
    }

    /// The file a name stands for.
    pub fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

/// Resolves `.` and `..` without touching the file system (the file may not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_relative_under_the_working_directory_else_absolute() {
        let p = Project::for_script(Path::new("/w"), Path::new("/w/scripts/catalog.rhai"));
        assert_eq!(p.root(), Path::new("/w"));
        assert_eq!(
            p.name(Path::new("/w/scripts/catalog.rhai")).unwrap(),
            "scripts/catalog.rhai"
        );
        assert_eq!(p.name(Path::new("/etc/passwd")), None);
        assert_eq!(p.path("scripts/x.rhai"), Path::new("/w/scripts/x.rhai"));
        let p = Project::for_script(Path::new("/w"), Path::new("/elsewhere/c.rhai"));
        assert_eq!(p.root(), Path::new("/elsewhere"));
        assert_eq!(
            p.name(Path::new("/elsewhere/lib/a.rhai")).unwrap(),
            "/elsewhere/lib/a.rhai"
        );
        assert_eq!(
            p.path("/elsewhere/lib/a.rhai"),
            Path::new("/elsewhere/lib/a.rhai")
        );
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize(Path::new("/a/b/../c/./d")), Path::new("/a/c/d"));
    }
}
