//! How an object is matched in Stripe by the key its script gives it: a field of the object,
//! a field Stripe compares regardless of case, or a metadata entry billingctl writes.

use std::borrow::Cow;

use serde_json::{Map, Value};

use crate::compact::Read;

/// Metadata key under which billingctl keeps the script key of an object Stripe gives no
/// key field of its own (a portal configuration).
pub const KEY_METADATA: &str = "billingctl_key";

/// Metadata key naming the ownership scope of every object billingctl creates.
pub const SCOPE_METADATA: &str = "billingctl_scope";

/// Metadata key recording which of an object's metadata keys its script set (a JSON array of
/// them), so a key the script drops is removed while keys set outside billingctl are kept
/// (`crate::plan::owned_metadata`).
pub const OWNED_METADATA: &str = "billingctl_metadata";

/// The declaration option saying an object's metadata is exactly the script's.
pub const EXACT_METADATA: &str = "metadata_exact";

/// What the metadata keys billingctl writes itself begin with: a script may not set them.
pub const RESERVED_METADATA_PREFIX: &str = "billingctl_";

/// The rule for one kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyRule {
    /// The key is this field, sent on create (a product's or coupon's `id`, a price's
    /// `lookup_key`).
    Field(&'static str),
    /// The key is this field, compared case-insensitively (a promotion code's `code`).
    FoldedField(&'static str),
    /// The key lives in metadata `billingctl_key`.
    Metadata,
    /// The key is a pair, `PARENT/CHILD`: the values at two form paths of the object (a
    /// product feature: its product's id and its feature's lookup key). Neither is sent as
    /// the key: a declaration's params already hold both.
    Pair {
        parent: &'static str,
        child: &'static str,
    },
}

impl KeyRule {
    /// The create param that carries the key, where it is a field of the object: the param
    /// Stripe names when the key is taken.
    pub fn field(self) -> Option<&'static str> {
        match self {
            KeyRule::Field(field) | KeyRule::FoldedField(field) => Some(field),
            KeyRule::Metadata | KeyRule::Pair { .. } => None,
        }
    }

    /// The name the script's first argument stands for in errors: the field, or `key`.
    pub fn argument(self) -> &'static str {
        self.field().unwrap_or("key")
    }

    /// The key as the live object holds it (the code as written, not folded); `None` when it
    /// has none or an empty one.
    pub fn of(self, object: &impl Read) -> Option<Cow<'_, str>> {
        let found = match self {
            KeyRule::Field(field) | KeyRule::FoldedField(field) => object.field(field),
            KeyRule::Metadata => object.field("metadata").and_then(|m| m.field(KEY_METADATA)),
            KeyRule::Pair { parent, child } => {
                let text = |path| {
                    object
                        .at(path)
                        .and_then(Read::text)
                        .filter(|text| !text.is_empty())
                };
                return Some(Cow::Owned(pair(text(parent)?, text(child)?)));
            }
        };
        found
            .and_then(Read::text)
            .filter(|key| !key.is_empty())
            .map(Cow::Borrowed)
    }

    /// The key a live object is matched by: folded where Stripe compares regardless of case.
    pub fn matching(self, object: &impl Read) -> Option<Cow<'_, str>> {
        self.of(object).map(|key| match self.fold(&key) {
            Cow::Borrowed(_) => key,
            Cow::Owned(folded) => Cow::Owned(folded),
        })
    }

    /// The form of `key` that matching compares (borrowed where folding changes nothing).
    pub fn fold(self, key: &str) -> Cow<'_, str> {
        match self {
            KeyRule::FoldedField(_)
                if key.bytes().any(|b| b.is_ascii_uppercase()) || !key.is_ascii() =>
            {
                Cow::Owned(key.to_lowercase())
            }
            KeyRule::FoldedField(_)
            | KeyRule::Field(_)
            | KeyRule::Metadata
            | KeyRule::Pair { .. } => Cow::Borrowed(key),
        }
    }

    /// Whether `place` would leave `params` as they are.
    pub fn is_placed(self, key: &str, params: &Map<String, Value>) -> bool {
        match self {
            KeyRule::Pair { .. } => true,
            KeyRule::Field(field) | KeyRule::FoldedField(field) => params.contains_key(field),
            KeyRule::Metadata => params
                .get("metadata")
                .and_then(|metadata| metadata.get(KEY_METADATA))
                .is_some_and(|placed| placed.as_str() == Some(key)),
        }
    }

    /// Writes `key` into create params where Stripe keeps it: the key field (unless the
    /// params already hold it), or metadata `billingctl_key`.
    pub fn place(self, key: &str, params: &mut Map<String, Value>) {
        if let KeyRule::Pair { .. } = self {
            return;
        }
        match self.field() {
            Some(field) => {
                params
                    .entry(field)
                    .or_insert_with(|| Value::String(key.to_owned()));
            }
            None => {
                let metadata = params
                    .entry("metadata")
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(metadata) = metadata {
                    metadata.insert(KEY_METADATA.to_owned(), Value::String(key.to_owned()));
                }
            }
        }
    }

    /// Whether two keys name the same object.
    pub fn same(self, a: &str, b: &str) -> bool {
        self.fold(a) == self.fold(b)
    }
}

/// The key of a pair (`KeyRule::Pair`): `PARENT/CHILD`. A parent key is an id, which has no
/// `/` (`Text::Id`), so the first `/` splits it.
pub fn pair(parent: &str, child: &str) -> String {
    format!("{parent}/{child}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_are_read_where_the_rule_says() {
        let code = KeyRule::FoldedField("code");
        assert_eq!(
            code.of(&json!({"code": "LAUNCH"})).as_deref(),
            Some("LAUNCH")
        );
        assert_eq!(
            code.matching(&json!({"code": "LAUNCH"})).as_deref(),
            Some("launch")
        );
        assert!(code.same("Launch", "LAUNCH"));
        let portal = KeyRule::Metadata;
        assert_eq!(
            portal
                .of(&json!({"metadata": {"billingctl_key": "default"}}))
                .as_deref(),
            Some("default")
        );
        assert_eq!(
            portal.of(&json!({"metadata": {"billingctl_key": ""}})),
            None
        );
        assert_eq!(portal.field(), None);
        assert_eq!(portal.argument(), "key");
        assert!(!KeyRule::Field("id").same("a", "A"));
    }

    #[test]
    fn folding_copies_only_what_it_changes() {
        let code = KeyRule::FoldedField("code");
        assert!(matches!(code.fold("launch_30"), Cow::Borrowed("launch_30")));
        assert_eq!(code.fold("LAUNCH"), "launch");
        // Unicode case folds as Stripe's case-insensitive compare does, not only ASCII.
        assert_eq!(code.fold("ÉTÉ"), "été");
        assert!(code.same("été", "ÉTÉ"));
        assert!(matches!(KeyRule::Field("id").fold("A"), Cow::Borrowed("A")));
    }

    #[test]
    fn a_pair_is_read_from_both_halves_and_never_placed() {
        let rule = KeyRule::Pair {
            parent: "product",
            child: "entitlement_feature[lookup_key]",
        };
        let attachment = json!({"id": "prodft_1", "product": "basic",
            "entitlement_feature": {"id": "feat_1", "lookup_key": "api"}});
        assert_eq!(rule.of(&attachment).as_deref(), Some("basic/api"));
        assert_eq!(rule.of(&json!({"product": "basic"})), None);
        assert_eq!(rule.field(), None);
        let mut params = Map::new();
        rule.place("basic/api", &mut params);
        assert!(params.is_empty());
        assert!(rule.is_placed("basic/api", &params));
    }

    /// `is_placed` answers whether `place` would change the params: the diff borrows them then.
    #[test]
    fn a_key_is_placed_once() {
        for rule in [
            KeyRule::Field("lookup_key"),
            KeyRule::FoldedField("code"),
            KeyRule::Metadata,
        ] {
            let mut params = Map::new();
            assert!(!rule.is_placed("LAUNCH", &params), "{rule:?}");
            rule.place("LAUNCH", &mut params);
            assert!(rule.is_placed("LAUNCH", &params), "{rule:?}");
            let placed = params.clone();
            rule.place("LAUNCH", &mut params);
            assert_eq!(params, placed, "{rule:?}");
        }
        // Another key in metadata is not this one; a key field the script set is kept.
        let other = json!({"metadata": {"billingctl_key": "other"}});
        assert!(!KeyRule::Metadata.is_placed("LAUNCH", other.as_object().unwrap()));
        let set = json!({"code": "launch"});
        assert!(KeyRule::FoldedField("code").is_placed("LAUNCH", set.as_object().unwrap()));
    }
}
