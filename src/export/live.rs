//! The live account as the exporter reads it: Stripe's own JSON objects, per kind, and the few
//! accessors every part of the exporter needs (id, created, metadata, references).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::catalog::declared::for_each_reference;
use crate::compact::Fields;
use crate::kinds::ObjectKind;
pub use crate::kinds::{KEY_METADATA, SCOPE_METADATA};
use crate::live::LiveState;

/// Every catalog object of an account, active and inactive, as Stripe returns them: one list
/// per kind, in the registry's order. Read from JSON (the export tests' accounts) as a map of
/// each kind's plural name (`promotion_codes`) to its list; an unknown name is an error.
#[derive(Clone, Debug)]
pub struct LiveObjects {
    // Each object as Stripe's JSON; the order does not matter (the exporter sorts), but
    // Stripe's newest-first order settles ties of creation time.
    lists: Vec<Vec<Map<String, Value>>>,
}

impl Default for LiveObjects {
    fn default() -> Self {
        Self {
            lists: vec![Vec::new(); ObjectKind::ALL.len()],
        }
    }
}

/// The name of a kind's list in an account file: `products`, `promotion_codes`.
fn list_name(kind: ObjectKind) -> String {
    format!("{}s", kind.name())
}

impl<'de> Deserialize<'de> for LiveObjects {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let named = std::collections::BTreeMap::<String, Vec<Map<String, Value>>>::deserialize(
            deserializer,
        )?;
        let mut live = LiveObjects::default();
        for (name, objects) in named {
            let kind = ObjectKind::ALL
                .into_iter()
                .find(|&kind| list_name(kind) == name)
                .ok_or_else(|| serde::de::Error::custom(format!("unknown list `{name}`")))?;
            *live.of_kind_mut(kind) = objects;
        }
        Ok(live)
    }
}

impl LiveObjects {
    /// The objects of one kind.
    pub fn of_kind(&self, kind: ObjectKind) -> &[Map<String, Value>] {
        &self.lists[kind as usize]
    }

    /// The objects of one kind, for filling in.
    pub fn of_kind_mut(&mut self, kind: ObjectKind) -> &mut Vec<Map<String, Value>> {
        &mut self.lists[kind as usize]
    }
}

impl From<&LiveState> for LiveObjects {
    /// The one listing of the account (`crate::live::fetch_live`), which the planner reads too;
    /// the exporter reads what it fetched.
    fn from(state: &LiveState) -> Self {
        let mut live = LiveObjects::default();
        for kind in ObjectKind::ALL {
            *live.of_kind_mut(kind) = state
                .objects(kind)
                .iter()
                .filter_map(|object| object.as_object().map(Fields::to_map))
                .collect();
        }
        live
    }
}

/// A string field, if set.
pub fn text<'a>(object: &'a Map<String, Value>, field: &str) -> Option<&'a str> {
    object.get(field).and_then(Value::as_str)
}

/// The object's Stripe id (`""` when missing, which Stripe never does).
pub fn id(object: &Map<String, Value>) -> &str {
    text(object, "id").unwrap_or_default()
}

/// Creation time, for a stable, readable order (oldest first: the order it was built in).
pub fn created(object: &Map<String, Value>) -> i64 {
    object.get("created").and_then(Value::as_i64).unwrap_or(0)
}

/// Whether the object is on, as its kind says (`Deactivation::is_on`): objects without the
/// field (coupons) count as active; a meter is active by its `status`.
pub fn is_active(kind: ObjectKind, object: &Map<String, Value>) -> bool {
    kind.def()
        .deactivation()
        .is_on(&Value::Object(object.clone()))
}

/// One metadata value, if set.
pub fn metadata<'a>(object: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    object
        .get("metadata")
        .and_then(Value::as_object)
        .and_then(|m| m.get(key))
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
}

/// The id behind a reference field: Stripe sends an id, or the whole object when expanded.
pub fn reference_id(value: &Value) -> Option<&str> {
    match value {
        Value::String(id) => Some(id),
        Value::Object(expanded) => text(expanded, "id"),
        _ => None,
    }
}

/// The id of the object this one is written under (a price's product, a code's coupon):
/// the reference the kind's export mapping names (`ExportMapping::under`).
pub fn owner(kind: ObjectKind, object: &Map<String, Value>) -> Option<&str> {
    let under = kind.def().export().under?;
    crate::path::get(object, under.reference).and_then(reference_id)
}

/// Every other object this one names, by kind and Stripe id: where the kind's references
/// stand (`Kind::references`), an id or the whole object when expanded.
pub fn references(kind: ObjectKind, object: &Map<String, Value>) -> Vec<(ObjectKind, String)> {
    let mut out = Vec::new();
    for_each_reference(kind, object, &mut |_, refers, value| {
        if let Some(id) = reference_id(value) {
            out.push((refers.kind, id.to_string()));
        }
    });
    out
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::kinds::KINDS;

    #[test]
    fn lists_follow_the_registry() {
        let mut account = Map::new();
        for kind in KINDS {
            let list = format!("{}s", kind.name());
            account.insert(list, json!([{ "id": kind.name() }]));
        }
        let live: LiveObjects = serde_json::from_value(Value::Object(account)).unwrap();
        let mut filled = LiveObjects::default();
        for kind in ObjectKind::ALL {
            assert_eq!(id(&live.of_kind(kind)[0]), kind.name());
            filled.of_kind_mut(kind).push(live.of_kind(kind)[0].clone());
        }
        let total: usize = ObjectKind::ALL
            .iter()
            .map(|&k| filled.of_kind(k).len())
            .sum();
        assert_eq!(total, ObjectKind::ALL.len());
        assert_eq!(id(&filled.of_kind(ObjectKind::Coupon)[0]), "coupon");
    }

    #[test]
    fn references_are_read_where_the_kind_says_expanded_or_not() {
        let portal = json!({"features": {"subscription_update": {"products": [
            {"product": "prod_1", "prices": ["price_1", {"id": "price_2", "object": "price"}]},
        ]}}});
        assert_eq!(
            references(ObjectKind::PortalConfiguration, portal.as_object().unwrap()),
            vec![
                (ObjectKind::Product, "prod_1".to_string()),
                (ObjectKind::Price, "price_1".to_string()),
                (ObjectKind::Price, "price_2".to_string()),
            ]
        );
        let product = json!({"id": "prod_1", "default_price": {"id": "price_1"}});
        assert_eq!(
            references(ObjectKind::Product, product.as_object().unwrap()),
            vec![(ObjectKind::Price, "price_1".to_string())]
        );
    }
}
