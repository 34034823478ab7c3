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

/// Test declarations: a snapshot at line 1 of `scripts/catalog.rhai`, and a catalog of them.
#[cfg(test)]
pub(crate) mod testing {
    use serde_json::Value;

    use super::Snapshot;
    use crate::catalog::{Catalog, DeclaredAt, Environment};
    use crate::kinds::ObjectKind;

    pub fn snapshot(kind: ObjectKind, key: &str, params: Value) -> Snapshot {
        Snapshot {
            kind,
            key: key.to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 1,
                column: 1,
            },
            ownership: Default::default(),
            params: params.as_object().cloned().unwrap_or_default(),
            references: Vec::new(),
            allows_replace: false,
        }
    }

    pub fn catalog(scope: &str, declarations: Vec<Snapshot>) -> Catalog {
        let mut catalog = Catalog::new(Environment::default(), scope.to_owned());
        for declaration in declarations {
            catalog.push(Box::new(declaration));
        }
        catalog
    }
}
