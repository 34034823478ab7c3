//! Prices, matched by `lookup_key`. Nearly every field is immutable; a changed price is
//! replaced by a new one that takes the lookup key over (`transfer_lookup_key`).

use super::values::{AMOUNT_MAX, INTERVAL, METADATA, TAX_BEHAVIOR};
use super::{
    ExportMapping, InactiveFilter, KeyRule, Kind, KindDocs, ObjectKind, Refers, Refusal,
    Replacement, Under,
};
use crate::kinds::fields::Default::{Bool, EmptyObject, Int, Str};
use crate::kinds::fields::Type::{
    Array, Boolean, Decimal, Enum, Integer, IntegerOr, Map, Object, String,
};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};
use serde_json::{Map as JsonMap, Value};

pub(super) struct Price;

impl Kind for Price {
    fn id(&self) -> ObjectKind {
        ObjectKind::Price
    }

    fn name(&self) -> &'static str {
        "price"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Field("lookup_key")
    }

    fn references(&self) -> &'static [Refers] {
        &[
            Refers {
                pattern: "product",
                kind: ObjectKind::Product,
            },
            // A metered price's meter, by its event name (a meter comes before prices in
            // `KINDS`).
            Refers {
                pattern: "recurring[meter]",
                kind: ObjectKind::Meter,
            },
        ]
    }

    fn expand(&self) -> &'static [&'static str] {
        &["tiers", "currency_options"]
    }

    fn inactive_filter(&self) -> Option<InactiveFilter> {
        // "Only return prices that are active or inactive": unfiltered, the list endpoint
        // returns active prices only.
        Some(InactiveFilter {
            name: "active",
            value: false,
        })
    }

    fn adoptable(&self) -> bool {
        true
    }

    fn replacement(&self) -> Replacement {
        Replacement::TransferKey {
            param: "transfer_lookup_key",
        }
    }

    fn immutable_help(&self) -> &'static str {
        "declare a new price with a new lookup_key"
    }

    fn shape(&self, fields: &mut JsonMap<std::string::String, Value>) -> Vec<Refusal> {
        let mut refused = Vec::new();
        if fields.remove("product_data").is_some() {
            refused.push(Refusal {
                field: "product_data",
                message: "`product_data` is not supported: products are declared on their own",
                help: Some("declare product(id, #{ ... }) and name its id in `product`"),
            });
        }
        refused
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            under: Some(Under {
                reference: "product",
                named_by: "id",
                missing: "was not found",
            }),
            // A custom unit amount is on when present: Stripe does not echo its `enabled`.
            on_when_present: &[
                "custom_unit_amount",
                "currency_options[<key>][custom_unit_amount]",
            ],
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "price(lookup_key, #{...})",
            key: "the lookup key (≤ 200 characters)",
            references: "`product` → a product key; `recurring.meter` → a meter's event name",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "price",
    path: "/v1/prices",
    id_prefix: "price_",
    custom_id: false,
    deletable: false,
    list_filters: &[
        "active",
        "created",
        "currency",
        "lookup_keys",
        "product",
        "recurring",
        "type",
    ],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // spec: "Defaults to `true`"
    p("billing_scheme", Enum(&["per_unit", "tiered"]), OPT, NO).default(Str("per_unit")), // response: non-nullable; fixture
    p("currency", String, REQ, NO),
    p("currency_options", Map, OPT, OPT).emptyable(),
    p("currency_options[<key>]", Object, OPT, OPT),
    p("currency_options[<key>][custom_unit_amount]", Object, OPT, OPT),
    p("currency_options[<key>][custom_unit_amount][enabled]", Boolean, REQ, REQ),
    p("currency_options[<key>][custom_unit_amount][maximum]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("currency_options[<key>][custom_unit_amount][minimum]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("currency_options[<key>][custom_unit_amount][preset]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("currency_options[<key>][tax_behavior]", Enum(TAX_BEHAVIOR), OPT, OPT).default(Str("unspecified")).set_once_from(&["unspecified"]), // as the price's own tax_behavior; set-once: R030
    p("currency_options[<key>][tiers]", Array, OPT, OPT),
    p("currency_options[<key>][tiers][]", Object, OPT, OPT),
    p("currency_options[<key>][tiers][][flat_amount]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("currency_options[<key>][tiers][][flat_amount_decimal]", Decimal, OPT, OPT),
    p("currency_options[<key>][tiers][][unit_amount]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("currency_options[<key>][tiers][][unit_amount_decimal]", Decimal, OPT, OPT),
    p("currency_options[<key>][tiers][][up_to]", IntegerOr(&["inf"]), REQ, REQ),
    p("currency_options[<key>][unit_amount]", Integer, OPT, OPT).max(AMOUNT_MAX),
    p("currency_options[<key>][unit_amount_decimal]", Decimal, OPT, OPT),
    p("custom_unit_amount", Object, OPT, NO),
    p("custom_unit_amount[enabled]", Boolean, REQ, NO),
    p("custom_unit_amount[maximum]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("custom_unit_amount[minimum]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("custom_unit_amount[preset]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("lookup_key", String, OPT, OPT).max_chars(200), // "This may be up to 200 characters" (R041; NOTES.md)
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // response: non-nullable map
    p("nickname", String, OPT, OPT),
    p("product", String, OPT, NO),
    p("product_data", Object, OPT, NO),
    p("product_data[active]", Boolean, OPT, NO),
    p("product_data[id]", String, OPT, NO),
    p("product_data[metadata]", Map, OPT, NO).limits(METADATA),
    p("product_data[name]", String, REQ, NO),
    p("product_data[statement_descriptor]", String, OPT, NO),
    p("product_data[tax_code]", String, OPT, NO),
    p("product_data[tax_details]", Object, OPT, NO),
    p("product_data[tax_details][performance_location]", String, OPT, NO),
    p("product_data[tax_details][tax_code]", String, OPT, NO).emptyable(),
    p("product_data[unit_label]", String, OPT, NO),
    p("recurring", Object, OPT, NO),
    p("recurring[interval]", Enum(INTERVAL), REQ, NO),
    p("recurring[interval_count]", Integer, OPT, NO).default(Int(1)), // response: non-nullable; fixture
    p("recurring[meter]", String, OPT, NO),
    p("recurring[trial_period_days]", Integer, OPT, NO),
    p("recurring[usage_type]", Enum(&["licensed", "metered"]), OPT, NO).default(Str("licensed")), // spec: "Defaults to `licensed`"
    p("tax_behavior", Enum(TAX_BEHAVIOR), OPT, OPT).default(Str("unspecified")).set_once_from(&["unspecified"]), // fixture; set-once: R049
    p("tiers", Array, OPT, NO),
    p("tiers[]", Object, OPT, NO),
    p("tiers[][flat_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("tiers[][flat_amount_decimal]", Decimal, OPT, NO),
    p("tiers[][unit_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("tiers[][unit_amount_decimal]", Decimal, OPT, NO),
    p("tiers[][up_to]", IntegerOr(&["inf"]), REQ, NO),
    p("tiers_mode", Enum(&["graduated", "volume"]), OPT, NO),
    p("transfer_lookup_key", Boolean, OPT, OPT),
    p("transform_quantity", Object, OPT, NO),
    p("transform_quantity[divide_by]", Integer, REQ, NO),
    p("transform_quantity[round]", Enum(&["down", "up"]), REQ, NO),
    p("unit_amount", Integer, OPT, NO).max(AMOUNT_MAX),
    p("unit_amount_decimal", Decimal, OPT, NO),
];
