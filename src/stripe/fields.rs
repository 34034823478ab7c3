//! The one table of Stripe facts per managed object, for the pinned API version: which params
//! the create and update endpoints take (a param that create takes and update does not is
//! immutable), their types, and the defaults Stripe fills in when a create leaves them out.
//!
//! Used by the emulator (strict params, defaults in responses), by the diff (mutable or
//! immutable, default normalisation) and by the conformance test against
//! `shared/stripe-reference/catalog-fields.json`. Nothing else in the crate restates these facts.

mod tables;

use serde::Serialize;

/// The Stripe objects billingctl manages, in apply (dependency) order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Product,
    Price,
    Coupon,
    PromotionCode,
    PortalConfiguration,
}

impl ObjectKind {
    /// Every kind, in the order objects are applied (a price needs its product, a promotion
    /// code its coupon, a portal configuration its products and prices).
    pub const ALL: [ObjectKind; 5] = [
        ObjectKind::Product,
        ObjectKind::Price,
        ObjectKind::Coupon,
        ObjectKind::PromotionCode,
        ObjectKind::PortalConfiguration,
    ];

    /// The name used in scripts, plans and errors: `product`, `price`, `coupon`,
    /// `promotion_code`, `portal_configuration`.
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Product => "product",
            ObjectKind::Price => "price",
            ObjectKind::Coupon => "coupon",
            ObjectKind::PromotionCode => "promotion_code",
            ObjectKind::PortalConfiguration => "portal_configuration",
        }
    }

    /// The field table of this kind.
    pub fn table(self) -> &'static ObjectTable {
        tables::table(self)
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything the crate knows about one Stripe object type.
#[derive(Debug)]
pub struct ObjectTable {
    pub kind: ObjectKind,
    /// Stripe's `object` value, e.g. `billing_portal.configuration`.
    pub object: &'static str,
    /// The collection endpoint, e.g. `/v1/billing_portal/configurations`.
    pub path: &'static str,
    /// Prefix of the ids Stripe generates, e.g. `bpc_`.
    pub id_prefix: &'static str,
    /// Whether create accepts a client-chosen `id` (products, coupons).
    pub custom_id: bool,
    /// Whether `DELETE {path}/{id}` exists (coupons; products without prices).
    pub deletable: bool,
    /// The list endpoint's filters (besides limit, starting_after, ending_before, expand).
    pub list_filters: &'static [&'static str],
    /// Every create and update param, nested ones included.
    pub params: &'static [Param],
}

/// One param, by its path in Stripe's form notation as `catalog-fields.json` writes it:
/// `recurring[interval]` nested, `currency_options[<key>][unit_amount]` under a map key,
/// `tiers[][up_to]` inside an array element.
#[derive(Debug)]
pub struct Param {
    pub path: &'static str,
    pub ty: Type,
    pub on_create: Presence,
    pub on_update: Presence,
    /// Whether `""` may be sent to clear it (Stripe's "emptyable").
    pub emptyable: bool,
    /// What the response holds when a create left this param out, if Stripe fills one in.
    pub default: Option<Default>,
}

impl Param {
    /// Mutable means the update endpoint takes it; a create-only param is immutable.
    pub fn is_mutable(&self) -> bool {
        self.on_update != Presence::Absent
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Absent,
    Optional,
    Required,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Integer,
    /// A JSON number with a fraction, e.g. `percent_off`.
    Number,
    /// A decimal sent and returned as a string, e.g. `unit_amount_decimal`.
    Decimal,
    Boolean,
    /// Unix seconds.
    Timestamp,
    Enum(&'static [&'static str]),
    /// A nested object whose fields are params of their own.
    Object,
    /// An array; its elements' fields are params under `path[]`.
    Array,
    /// An array of plain strings (or enum values when a `path[]` param says so).
    StringArray,
    /// A free map of string values such as `metadata` (keys ≤ 40 chars, values ≤ 500).
    Map,
}

/// A default Stripe fills in on create.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Bool(bool),
    Int(i64),
    Str(&'static str),
}

impl Default {
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Default::Bool(b) => b.into(),
            Default::Int(i) => i.into(),
            Default::Str(s) => s.into(),
        }
    }
}

impl ObjectTable {
    /// The param a concrete path names: `tiers[0][up_to]` finds `tiers[][up_to]`,
    /// `currency_options[eur][unit_amount]` finds `currency_options[<key>][unit_amount]`, and
    /// `metadata[plan]` finds the map param `metadata`.
    pub fn param(&self, concrete: &str) -> Option<&'static Param> {
        let wanted = segments(concrete);
        let exact = self.params.iter().find(|param| {
            let pattern = segments(param.path);
            pattern.len() == wanted.len()
                && pattern
                    .iter()
                    .zip(&wanted)
                    .all(|(p, w)| segment_matches(p, w))
        });
        exact.or_else(|| {
            self.params.iter().find(|param| {
                let pattern = segments(param.path);
                param.ty == Type::Map
                    && pattern.len() < wanted.len()
                    && pattern
                        .iter()
                        .zip(&wanted)
                        .all(|(p, w)| segment_matches(p, w))
            })
        })
    }

    /// Whether a concrete path can be changed by the update endpoint. Unknown paths are
    /// treated as immutable: the diff never sends what the table does not know.
    pub fn is_mutable(&self, concrete: &str) -> bool {
        self.param(concrete).is_some_and(Param::is_mutable)
    }

    /// The params the create endpoint takes and the update endpoint does not.
    pub fn immutable_paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.params
            .iter()
            .filter(|p| p.on_create != Presence::Absent && !p.is_mutable())
            .map(|p| p.path)
    }
}

/// `a[b][]` → `["a", "b", ""]`.
pub fn segments(path: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (head, mut rest) = path.split_once('[').map_or((path, ""), |(h, r)| (h, r));
    parts.push(head);
    while let Some((inner, after)) = rest.split_once(']') {
        parts.push(inner);
        rest = after.strip_prefix('[').unwrap_or(after);
    }
    parts
}

fn segment_matches(pattern: &str, concrete: &str) -> bool {
    match pattern {
        "<key>" => true,
        "" => concrete.is_empty() || concrete.bytes().all(|b| b.is_ascii_digit()),
        _ => pattern == concrete,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_bracket_paths() {
        assert_eq!(segments("a"), ["a"]);
        assert_eq!(segments("a[b][]"), ["a", "b", ""]);
        assert_eq!(segments("tiers[0][up_to]"), ["tiers", "0", "up_to"]);
    }
}
