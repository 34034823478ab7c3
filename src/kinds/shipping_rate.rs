//! Shipping rates, matched by a key the script names, kept in metadata `billingctl_key`.
//! Declared with `shipping_rate(key, ...)`. What a customer is charged and told
//! (`fixed_amount[amount]`, `fixed_amount[currency]`, `display_name`, `delivery_estimate`,
//! `tax_code`, `type`) never changes once the rate exists; the amounts in other currencies,
//! `tax_behavior`, `active` and `metadata` update (`catalog-fields.json`, NOTES.md). Stripe
//! has no delete: `active: false` archives it (and `active` is update-only: a create is
//! always active).

use super::values::{AMOUNT_MAX, METADATA, TAX_BEHAVIOR};
use super::{KeyRule, Kind, KindDocs, ObjectKind};
use crate::kinds::fields::Default::{Bool, EmptyObject, Str};
use crate::kinds::fields::Type::{Boolean, Enum, Integer, Map, Object, String};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};

pub(super) struct ShippingRate;

/// `delivery_estimate[…][unit]`'s values.
const UNIT: &[&str] = &["business_day", "day", "hour", "month", "week"];

impl Kind for ShippingRate {
    fn id(&self) -> ObjectKind {
        ObjectKind::ShippingRate
    }

    fn name(&self) -> &'static str {
        "shipping_rate"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Metadata
    }

    fn adoptable(&self) -> bool {
        true
    }

    // Checkout Sessions name a shipping rate by id; billingctl does not move the key to a new
    // rate, so a changed amount is a new rate the script declares.
    fn replace_refused_help(&self, key: &str) -> Option<std::string::String> {
        Some(format!(
            "a shipping rate's amount, currency, display name, delivery estimate, tax code and \
             type cannot change once it exists, and billingctl does not move its key to a new \
             rate. Declare the new rate as a shipping rate with a new key (e.g. `{key}_v2`), \
             and archive this one with `active: false`"
        ))
    }

    fn immutable_help(&self) -> &'static str {
        "this field of a shipping rate cannot change once it exists: declare a new shipping \
         rate with a new key, and archive this one with `active: false`"
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "shipping_rate(key, #{...})",
            key: "a name you choose, kept in metadata `billingctl_key`",
            references: "none",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "shipping_rate",
    path: "/v1/shipping_rates",
    id_prefix: "shr_", // fixture: `shr_1Pgc7AB7WZ01zgkWVPt4WhMx`
    custom_id: false,
    deletable: false,
    list_filters: &["active", "created", "currency"],
    params: PARAMS,
    index: Compiled::new(),
};

// `tax_behavior` is not set-once here, unlike a price's: the shipping rate's spec says only
// "One of `inclusive`, `exclusive`, or `unspecified`", with no "Once specified ... it cannot
// be changed" (a price's R049), and param-rules.md has no such row for shipping rates.
#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("active", Boolean, NO, OPT).default(Bool(true)), // response: "Defaults to `true`"
    p("delivery_estimate", Object, OPT, NO),
    p("delivery_estimate[maximum]", Object, OPT, NO),
    p("delivery_estimate[maximum][unit]", Enum(UNIT), REQ, NO),
    p("delivery_estimate[maximum][value]", Integer, REQ, NO), // R111: > 0 (rules::checks)
    p("delivery_estimate[minimum]", Object, OPT, NO),
    p("delivery_estimate[minimum][unit]", Enum(UNIT), REQ, NO),
    p("delivery_estimate[minimum][value]", Integer, REQ, NO), // R112: > 0 (rules::checks)
    p("display_name", String, REQ, NO),
    p("fixed_amount", Object, OPT, OPT),
    p("fixed_amount[amount]", Integer, REQ, NO).max(AMOUNT_MAX),
    p("fixed_amount[currency]", String, REQ, NO),
    p("fixed_amount[currency_options]", Map, OPT, OPT),
    p("fixed_amount[currency_options][<key>]", Object, OPT, OPT),
    p("fixed_amount[currency_options][<key>][amount]", Integer, REQ, OPT).max(AMOUNT_MAX),
    p("fixed_amount[currency_options][<key>][tax_behavior]", Enum(TAX_BEHAVIOR), OPT, OPT).default(Str("unspecified")), // as the top-level one
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // fixture
    p("tax_behavior", Enum(TAX_BEHAVIOR), OPT, OPT).default(Str("unspecified")), // fixture
    p("tax_code", String, OPT, NO),
    p("type", Enum(&["fixed_amount"]), OPT, NO).default(Str("fixed_amount")), // fixture; the only type
];
