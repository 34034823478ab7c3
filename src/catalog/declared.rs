//! `Declared<S>`: one declared object (its key, where it was declared, an optional adopted
//! Stripe id, and its typed spec) and the `Declaration` impl the planner reads it through.

use serde::Serialize;
use serde_json::{Map, Value};

use super::{validate::Check, Declaration, DeclaredAt, Reference};
use crate::kinds::ObjectKind;

/// What each object's typed spec provides: Stripe's create params and the keys it names.
pub trait Spec: Serialize + std::fmt::Debug + Send + Sync + 'static {
    /// The kind of object this spec declares.
    const KIND: ObjectKind;
    /// The type of its key.
    type Key: AsRef<str> + From<String> + std::fmt::Debug + Send + Sync;
    /// The create params: the spec's own fields (only those the script set) plus the key
    /// placed where Stripe expects it.
    fn params(&self, key: &str) -> Map<String, Value> {
        let mut params = Map::new();
        if let Some(field) = Self::KIND.def().key().field() {
            params.insert(field.into(), Value::String(key.into()));
        }
        if let Ok(Value::Object(fields)) = serde_json::to_value(self) {
            params.extend(fields);
        }
        params
    }
    /// Every reference to another object's key held in `params`.
    fn references(&self) -> Vec<Reference>;
    /// Static validation of values Stripe would reject.
    fn validate(&self, check: &mut Check<'_>);
    /// Whether the script opted this object in to replacement on immutable change.
    fn allows_replace(&self) -> bool {
        false
    }
}

/// A declared object of one kind.
#[derive(Debug)]
pub struct Declared<S: Spec> {
    pub key: S::Key,
    pub declared_at: DeclaredAt,
    /// An existing Stripe id to adopt (`price_…`, `bpc_…`).
    pub adopt: Option<String>,
    pub spec: S,
}

impl<S: Spec> Declaration for Declared<S> {
    fn kind(&self) -> ObjectKind {
        S::KIND
    }

    fn key(&self) -> &str {
        self.key.as_ref()
    }

    fn declared_at(&self) -> &DeclaredAt {
        &self.declared_at
    }

    fn adopt_id(&self) -> Option<&str> {
        self.adopt.as_deref()
    }

    fn to_params(&self) -> Map<String, Value> {
        self.spec.params(self.key.as_ref())
    }

    fn references(&self) -> Vec<Reference> {
        self.spec.references()
    }

    fn allows_replace(&self) -> bool {
        self.spec.allows_replace()
    }
}

/// A reference at `path` to the object of `kind` named `key`.
pub(crate) fn reference(path: impl Into<String>, kind: ObjectKind, key: &str) -> Reference {
    Reference {
        path: path.into(),
        kind,
        key: key.to_owned(),
    }
}
