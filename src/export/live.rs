//! The live account as the exporter reads it: Stripe's own JSON objects, per kind, and the few
//! accessors every part of the exporter needs (id, created, metadata, references).

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::kinds::ObjectKind;
use crate::live::LiveState;

/// Metadata key holding a portal configuration's billingctl key.
pub const KEY_METADATA: &str = "billingctl_key";
/// Metadata key holding the ownership scope of an object billingctl manages.
pub const SCOPE_METADATA: &str = "billingctl_scope";

/// Every catalog object of an account, active and inactive, as Stripe returns them.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LiveObjects {
    // One list per kind, each object as Stripe's JSON; the order does not matter (the
    // exporter sorts), but Stripe's newest-first order settles ties of creation time.
    pub products: Vec<Map<String, Value>>,
    pub prices: Vec<Map<String, Value>>,
    pub coupons: Vec<Map<String, Value>>,
    pub promotion_codes: Vec<Map<String, Value>>,
    pub portal_configurations: Vec<Map<String, Value>>,
}

impl LiveObjects {
    /// The objects of one kind.
    pub fn of_kind(&self, kind: ObjectKind) -> &[Map<String, Value>] {
        match kind {
            ObjectKind::Product => &self.products,
            ObjectKind::Price => &self.prices,
            ObjectKind::Coupon => &self.coupons,
            ObjectKind::PromotionCode => &self.promotion_codes,
            ObjectKind::PortalConfiguration => &self.portal_configurations,
        }
    }

    /// The objects of one kind, for filling in.
    pub fn of_kind_mut(&mut self, kind: ObjectKind) -> &mut Vec<Map<String, Value>> {
        match kind {
            ObjectKind::Product => &mut self.products,
            ObjectKind::Price => &mut self.prices,
            ObjectKind::Coupon => &mut self.coupons,
            ObjectKind::PromotionCode => &mut self.promotion_codes,
            ObjectKind::PortalConfiguration => &mut self.portal_configurations,
        }
    }

    /// How many objects there are, of every kind.
    pub fn len(&self) -> usize {
        ObjectKind::ALL
            .iter()
            .map(|&kind| self.of_kind(kind).len())
            .sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
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
                .filter_map(|object| object.as_object().cloned())
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

/// Whether the object is active; objects without the field (coupons) count as active.
pub fn is_active(object: &Map<String, Value>) -> bool {
    object
        .get("active")
        .and_then(Value::as_bool)
        .unwrap_or(true)
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

/// The coupon a promotion code grants: `promotion[coupon]` in this API version (the
/// pre-2025-09 top-level `coupon` is read too, so older answers still export).
pub fn promotion_coupon(object: &Map<String, Value>) -> Option<&str> {
    object
        .get("promotion")
        .and_then(Value::as_object)
        .and_then(|p| p.get("coupon"))
        .and_then(reference_id)
        .or_else(|| object.get("coupon").and_then(reference_id))
}

/// Every other object this one names, by kind and Stripe id.
pub fn references(kind: ObjectKind, object: &Map<String, Value>) -> Vec<(ObjectKind, String)> {
    let mut out = Vec::new();
    let mut push = |kind: ObjectKind, value: Option<&Value>| {
        if let Some(id) = value.and_then(reference_id) {
            out.push((kind, id.to_string()));
        }
    };
    match kind {
        ObjectKind::Product => push(ObjectKind::Price, object.get("default_price")),
        ObjectKind::Price => push(ObjectKind::Product, object.get("product")),
        ObjectKind::Coupon => {
            for product in pointer_array(object, "/applies_to/products") {
                push(ObjectKind::Product, Some(product));
            }
        }
        ObjectKind::PromotionCode => {
            if let Some(coupon) = promotion_coupon(object) {
                out.push((ObjectKind::Coupon, coupon.to_string()));
            }
        }
        ObjectKind::PortalConfiguration => {
            for entry in pointer_array(object, "/features/subscription_update/products") {
                push(ObjectKind::Product, entry.get("product"));
                if let Some(prices) = entry.get("prices").and_then(Value::as_array) {
                    for price in prices {
                        push(ObjectKind::Price, Some(price));
                    }
                }
            }
        }
    }
    out
}

fn pointer_array<'a>(object: &'a Map<String, Value>, pointer: &str) -> &'a [Value] {
    let (first, rest) = pointer
        .trim_start_matches('/')
        .split_once('/')
        .unwrap_or((pointer.trim_start_matches('/'), ""));
    let value = object.get(first);
    let value = if rest.is_empty() {
        value
    } else {
        value.and_then(|v| v.pointer(&format!("/{rest}")))
    };
    value.and_then(Value::as_array).map_or(&[], Vec::as_slice)
}
