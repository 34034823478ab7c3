//! Coupons, matched by their custom `id`. A coupon's terms never change once it exists, and
//! Stripe gives coupons no `active`: they cannot be deactivated, only deleted, which
//! billingctl never does.

use super::values::{AMOUNT_MAX, METADATA};
use super::{Deactivation, ExportMapping, KeyRule, Kind, KindDocs, ObjectKind, Refers, Refusal};
use crate::kinds::fields::Default::{EmptyObject, Str};
use crate::kinds::fields::Text::Id;
use crate::kinds::fields::Type::{
    Enum, Integer, Map, Number, Object, String, StringArray, Timestamp,
};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};
use serde_json::{Map as JsonMap, Value};

pub(super) struct Coupon;

/// Why a coupon cannot be deactivated, and what to do instead.
const NO_ACTIVE: &str = "coupons have no `active` in Stripe: a coupon cannot be deactivated";
const NO_ACTIVE_HELP: &str = "to stop new redemptions, deactivate its promotion codes (`active: false`), or set `redeem_by` / `max_redemptions` on a new coupon";

impl Kind for Coupon {
    fn id(&self) -> ObjectKind {
        ObjectKind::Coupon
    }

    fn name(&self) -> &'static str {
        "coupon"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Field("id")
    }

    fn deactivation(&self) -> Deactivation {
        Deactivation::Impossible {
            reason: NO_ACTIVE,
            help: NO_ACTIVE_HELP,
        }
    }

    fn references(&self) -> &'static [Refers] {
        &[Refers {
            pattern: "applies_to[products][]",
            kind: ObjectKind::Product,
        }]
    }

    fn expand(&self) -> &'static [&'static str] {
        &["applies_to", "currency_options"]
    }

    fn replace_refused_help(&self, key: &str) -> Option<std::string::String> {
        Some(format!(
            "a coupon cannot be replaced: its id `{key}` stays taken while the coupon exists, and \
             billingctl never deletes. Declare the new terms as a coupon with a new id (e.g. \
             `{key}_v2`) and point the promotion codes at it"
        ))
    }

    fn immutable_help(&self) -> &'static str {
        "a coupon's terms cannot change once it exists: declare a new coupon with a new id"
    }

    fn shape(&self, fields: &mut JsonMap<std::string::String, Value>) -> Vec<Refusal> {
        let mut refused = Vec::new();
        if fields.remove("active").is_some() {
            refused.push(Refusal {
                field: "active",
                message: NO_ACTIVE,
                help: Some(NO_ACTIVE_HELP),
            });
        }
        refused
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            heading: Some("Coupons, each followed by its promotion codes"),
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "coupon(id, #{...})",
            key: "the coupon id",
            references: "`applies_to.products[]` → product keys",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "coupon",
    path: "/v1/coupons",
    // Generated coupon ids are bare random codes (e.g. `Z4OV52SU`), with no prefix.
    id_prefix: "",
    custom_id: true,
    deletable: true,
    list_filters: &["created"],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("amount_off", Integer, OPT, NO).max(AMOUNT_MAX),
    p("applies_to", Object, OPT, NO),
    p("applies_to[products]", StringArray, OPT, NO),
    p("applies_to[products][]", String, OPT, NO),
    p("currency", String, OPT, NO),
    p("currency_options", Map, OPT, OPT),
    p("currency_options[<key>]", Object, OPT, OPT),
    p("currency_options[<key>][amount_off]", Integer, REQ, REQ),
    p("duration", Enum(&["forever", "once", "repeating"]), OPT, NO).default(Str("once")), // spec: "Defaults to `once`"
    p("duration_in_months", Integer, OPT, NO),
    p("id", String, OPT, NO).text(Id), // ids travel in API paths: billingctl's rule and the emulator's
    p("max_redemptions", Integer, OPT, NO),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // fixture
    p("name", String, OPT, OPT),
    p("percent_off", Number, OPT, NO),
    p("redeem_by", Timestamp, OPT, NO),
];
