//! `DeclaredAt`: a place in a script, `file:line:column`.

use serde::Serialize;

/// Where a script declared an object (or where an error is), so errors found later (even
/// after fetching the live account) still point at the line to edit.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct DeclaredAt {
    /// Project-relative path, e.g. `scripts/catalog.rhai` or `stdlib/campaign.rhai`.
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for DeclaredAt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}
