//! Promotion codes, matched by `code` regardless of case, among active codes: an inactive
//! code frees its code. A code cannot be edited beyond `active`, `metadata` and its
//! restrictions' currency options; a changed one is replaced (the old one deactivated first).

use super::values::{AMOUNT_MAX, METADATA};
use super::{
    ExportMapping, KeyRule, Kind, KindDocs, ObjectKind, Refers, Refusal, Replacement, Under,
};
use crate::kinds::fields::Default::{Bool, EmptyObject};
use crate::kinds::fields::Text::Code;
use crate::kinds::fields::Type::{Boolean, Enum, Integer, Map, Object, String, Timestamp};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};
use serde_json::{Map as JsonMap, Value};

pub(super) struct PromotionCode;

impl Kind for PromotionCode {
    fn id(&self) -> ObjectKind {
        ObjectKind::PromotionCode
    }

    fn name(&self) -> &'static str {
        "promotion_code"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::FoldedField("code")
    }

    fn references(&self) -> &'static [Refers] {
        &[Refers {
            pattern: "promotion[coupon]",
            kind: ObjectKind::Coupon,
        }]
    }

    fn frees_key_when_inactive(&self) -> bool {
        // At most one active code per code (param-rules R101); inactive ones do not count.
        true
    }

    fn replacement(&self) -> Replacement {
        Replacement::RetireFirst
    }

    fn immutable_help(&self) -> &'static str {
        "a promotion code cannot be edited: declare a new promotion code with a new code"
    }

    fn duplicate_help(&self) -> &'static str {
        "promotion codes are unique regardless of case; rename one of them"
    }

    /// `coupon: KEY` is the script's short form of `promotion: #{ type: "coupon", coupon: KEY }`.
    fn shape(&self, fields: &mut JsonMap<std::string::String, Value>) -> Vec<Refusal> {
        let mut refused = Vec::new();
        if let Some(coupon) = fields.remove("coupon") {
            if fields.contains_key("promotion") {
                refused.push(Refusal {
                    field: "coupon",
                    message: "give the coupon once: `coupon` or `promotion`, not both",
                    help: None,
                });
            } else {
                let mut promotion = JsonMap::new();
                promotion.insert("type".into(), "coupon".into());
                promotion.insert("coupon".into(), coupon);
                fields.insert("promotion".into(), Value::Object(promotion));
            }
        }
        refused
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            under: Some(Under {
                reference: "promotion[coupon]",
                named_by: "code",
                missing: "no longer exists",
            }),
            one_per_key: true,
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "promotion_code(code, #{...})",
            key: "the customer-facing code (a-z A-Z 0-9 -), matched regardless of case",
            references: "`coupon` / `promotion.coupon` → a coupon key",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "promotion_code",
    path: "/v1/promotion_codes",
    id_prefix: "promo_",
    custom_id: false,
    deletable: false,
    // `coupon` filters on `promotion[coupon]`; the filter kept its old name.
    list_filters: &[
        "active",
        "code",
        "coupon",
        "created",
        "customer",
        "customer_account",
    ],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // a code is created active
    p("code", String, OPT, NO).max_chars(500).text(Code), // characters: R102; length: the longest code the API takes (the emulator's and planner's figure; not in the reference)
    p("customer", String, OPT, NO),
    p("customer_account", String, OPT, NO),
    p("expires_at", Timestamp, OPT, NO),
    p("max_redemptions", Integer, OPT, NO),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // fixture
    p("promotion", Object, REQ, NO),
    p("promotion[coupon]", String, OPT, NO),
    p("promotion[type]", Enum(&["coupon"]), REQ, NO),
    p("restrictions", Object, OPT, OPT).default(EmptyObject), // response: non-nullable object
    p("restrictions[currency_options]", Map, OPT, OPT),
    p("restrictions[currency_options][<key>]", Object, OPT, OPT),
    p("restrictions[currency_options][<key>][minimum_amount]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("restrictions[first_time_transaction]", Boolean, OPT, NO).default(Bool(false)), // response: non-nullable; fixture
    p("restrictions[minimum_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("restrictions[minimum_amount_currency]", String, OPT, NO),
];
