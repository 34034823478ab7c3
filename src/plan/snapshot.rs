//! An owned copy of a declaration. The `Catalog` holds `'static` boxes of the script engine's
//! types; the planner copies a declaration to adjust its params (the scope metadata), and
//! builds one from a planned create to compare it with the account again (`settle`).

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::catalog::{Declaration, DeclaredAt, Ownership, Reference};
use crate::kinds::ObjectKind;

/// A declaration as plain data.
#[derive(Clone, Debug)]
pub(crate) struct Snapshot {
    pub kind: ObjectKind,
    pub key: String,
    pub declared_at: DeclaredAt,
    pub ownership: Ownership,
    pub params: Map<String, Value>,
    pub references: Vec<Reference>,
    pub allows_replace: bool,
}

impl Snapshot {
    pub fn of(declaration: &dyn Declaration) -> Self {
        Self {
            kind: declaration.kind(),
            key: declaration.key().to_owned(),
            declared_at: declaration.declared_at().clone(),
            ownership: declaration.ownership().clone(),
            references: declaration.references().to_vec(),
            params: declaration.params().into_owned(),
            allows_replace: declaration.allows_replace(),
        }
    }
}

impl Declaration for Snapshot {
    fn kind(&self) -> ObjectKind {
        self.kind
    }
    fn key(&self) -> &str {
        &self.key
    }
    fn declared_at(&self) -> &DeclaredAt {
        &self.declared_at
    }
    fn ownership(&self) -> &Ownership {
        &self.ownership
    }
    fn params(&self) -> Cow<'_, Map<String, Value>> {
        Cow::Borrowed(&self.params)
    }
    fn references(&self) -> &[Reference] {
        &self.references
    }
    fn allows_replace(&self) -> bool {
        self.allows_replace
    }
}
