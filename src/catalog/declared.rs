//! `Declared<S>`: one declared object (its key, where it was declared, how it claims its live
//! object, and its typed spec) and the `Declaration` impl the planner reads it through.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::sync::OnceLock;

use serde::Serialize;
use serde_json::{Map, Value};

use super::graph::Index;
use super::{validate::Check, Declaration, DeclaredAt, Ownership, Reference};
use crate::kinds::{ObjectKind, Refers};
use crate::path::pattern_reach;

/// What each object's typed spec provides: Stripe's create params and its own rules.
pub trait Spec: Serialize + std::fmt::Debug + Send + Sync + 'static {
    /// The kind of object this spec declares.
    const KIND: ObjectKind;
    /// The type of its key.
    type Key: AsRef<str> + From<String> + std::fmt::Debug + Send + Sync;
    /// The create params: the spec's own fields (only those the script set) plus the key
    /// placed where Stripe expects it.
    fn params(&self, key: &str) -> Map<String, Value> {
        let mut params = match serde_json::to_value(self) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        // The key first (a spec's own value for its field wins), without hashing every
        // field again into a second map: each declaration's params are built several times.
        if let Some(field) = Self::KIND.def().key().field() {
            let value = params
                .shift_remove(field)
                .unwrap_or_else(|| Value::String(key.into()));
            params.shift_insert(0, field.into(), value);
        }
        params
    }
    /// The kind's own static validation (ranges, combinations of fields); what the field
    /// table says of every param is checked generically (`validate::params`).
    fn validate(&self, check: &mut Check<'_>);
    /// The kind's rules about the objects it names, once every key is known (a product's
    /// `default_price` must be one of its own prices).
    fn validate_related(&self, _check: &mut Check<'_>, _declared: &Index<'_>) {}
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
    pub ownership: Ownership,
    pub spec: S,
    /// The references in the spec's params, found once when first asked for (the graph
    /// check, then the planner's copy). The params themselves are serialised on each ask
    /// rather than kept: holding them would cost a big catalog half as much memory again.
    references: OnceLock<Vec<Reference>>,
}

impl<S: Spec> Declared<S> {
    pub fn new(key: S::Key, declared_at: DeclaredAt, ownership: Ownership, spec: S) -> Self {
        Self {
            key,
            declared_at,
            ownership,
            spec,
            references: OnceLock::new(),
        }
    }
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

    fn ownership(&self) -> &Ownership {
        &self.ownership
    }

    fn params(&self) -> Cow<'_, Map<String, Value>> {
        Cow::Owned(self.spec.params(self.key.as_ref()))
    }

    fn references(&self) -> &[Reference] {
        self.references
            .get_or_init(|| references(S::KIND, &self.params()))
    }

    fn allows_replace(&self) -> bool {
        self.spec.allows_replace()
    }
}

/// Every reference in `params`, where the kind's registry entry says keys of other objects
/// stand (`Kind::references`), in the order the params hold them.
pub fn references(kind: ObjectKind, params: &Map<String, Value>) -> Vec<Reference> {
    let mut found = Vec::new();
    for_each_reference(kind, params, &mut |path, refers, value| {
        if let Value::String(key) = value {
            found.push(Reference {
                path: path.to_owned(),
                kind: refers.kind,
                key: key.clone(),
            });
        }
    });
    found
}

/// Calls `visit` with every value of `object` (create params, or a Stripe object) that
/// stands where one of the kind's references does, with its concrete path and the reference,
/// in the order the object holds them. The value is not descended into: an expanded
/// reference (a whole object) is visited once.
pub fn for_each_reference<'v>(
    kind: ObjectKind,
    object: &'v Map<String, Value>,
    visit: &mut dyn FnMut(&str, &Refers, &'v Value),
) {
    let refers = kind.def().references();
    if refers.is_empty() {
        return;
    }
    // One buffer for every path: a segment is pushed on the way down, cut on the way up.
    let mut path = String::new();
    for (name, value) in object {
        path.clear();
        path.push_str(name);
        walk(refers, &mut path, value, visit);
    }
}

fn walk<'v>(
    refers: &[Refers],
    path: &mut String,
    value: &'v Value,
    visit: &mut dyn FnMut(&str, &Refers, &'v Value),
) {
    let mut below = false;
    for refers in refers {
        match pattern_reach(refers.pattern, path) {
            Some(true) => {
                visit(path, refers, value);
                return;
            }
            Some(false) => below = true,
            None => {}
        }
    }
    if !below {
        // No reference lies at or below this path.
        return;
    }
    let mut child = |segment: &dyn std::fmt::Display, item: &'v Value| {
        let len = path.len();
        // Writing to a String cannot fail.
        let _ = write!(path, "[{segment}]");
        walk(refers, path, item, visit);
        path.truncate(len);
    };
    match value {
        Value::Object(map) => {
            for (name, item) in map {
                child(name, item);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                child(&i, item);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn refs(kind: ObjectKind, params: Value) -> Vec<(String, ObjectKind, String)> {
        references(kind, params.as_object().unwrap())
            .into_iter()
            .map(|r| (r.path, r.kind, r.key))
            .collect()
    }

    #[test]
    fn references_follow_the_registrys_patterns_in_document_order() {
        let portal = json!({"features": {"subscription_update": {"enabled": true, "products": [
            {"product": "basic", "prices": ["basic_m", "basic_y"]},
            {"product": "plus", "prices": ["plus_m"]},
        ]}}});
        let base = "features[subscription_update][products]";
        assert_eq!(
            refs(ObjectKind::PortalConfiguration, portal),
            vec![
                (
                    format!("{base}[0][product]"),
                    ObjectKind::Product,
                    "basic".into()
                ),
                (
                    format!("{base}[0][prices][0]"),
                    ObjectKind::Price,
                    "basic_m".into()
                ),
                (
                    format!("{base}[0][prices][1]"),
                    ObjectKind::Price,
                    "basic_y".into()
                ),
                (
                    format!("{base}[1][product]"),
                    ObjectKind::Product,
                    "plus".into()
                ),
                (
                    format!("{base}[1][prices][0]"),
                    ObjectKind::Price,
                    "plus_m".into()
                ),
            ]
        );
        assert_eq!(
            refs(
                ObjectKind::Coupon,
                json!({"percent_off": 5.0, "applies_to": {"products": ["a", "b"]}})
            ),
            vec![
                (
                    "applies_to[products][0]".into(),
                    ObjectKind::Product,
                    "a".into()
                ),
                (
                    "applies_to[products][1]".into(),
                    ObjectKind::Product,
                    "b".into()
                ),
            ]
        );
        assert_eq!(
            refs(
                ObjectKind::PromotionCode,
                json!({"code": "X", "promotion": {"type": "coupon", "coupon": "c"}})
            ),
            vec![("promotion[coupon]".into(), ObjectKind::Coupon, "c".into())]
        );
        assert_eq!(refs(ObjectKind::Product, json!({"name": "P"})), vec![]);
    }
}
