//! A declaration as plain data: what the planner builds from a planned create to compare it
//! with the account again (`settle`), and what tests declare.

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
