//! Products, matched by their custom `id`. A product's `default_price` names a price, which
//! comes later in the registry: the apply writes it once the price exists.

use super::values::{AMOUNT_MAX, INTERVAL, METADATA, TAX_BEHAVIOR};
use super::{ExportMapping, KeyRule, Kind, KindDocs, ObjectKind, Pin, Refers, Refusal};
use crate::kinds::fields::Default::{Bool, EmptyArray, EmptyObject, Str};
use crate::kinds::fields::Text::{Id, StatementDescriptor};
use crate::kinds::fields::Type::{
    Array, Boolean, Decimal, Enum, Integer, IntegerOr, Map, Number, Object, String, StringArray,
};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};
use serde_json::{Map as JsonMap, Value};

pub(super) struct Product;

impl Kind for Product {
    fn id(&self) -> ObjectKind {
        ObjectKind::Product
    }

    fn name(&self) -> &'static str {
        "product"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Field("id")
    }

    fn references(&self) -> &'static [Refers] {
        &[Refers {
            pattern: "default_price",
            kind: ObjectKind::Price,
        }]
    }

    fn pins(&self) -> &'static [Pin] {
        // "This price cannot be archived because it is the default price of its product."
        &[Pin {
            pattern: "default_price",
            role: "default price",
        }]
    }

    fn shape(&self, fields: &mut JsonMap<std::string::String, Value>) -> Vec<Refusal> {
        let mut refused = Vec::new();
        if fields.remove("default_price_data").is_some() {
            refused.push(Refusal {
                field: "default_price_data",
                message: "`default_price_data` is not supported: prices are declared on their own",
                help: Some("declare price(lookup_key, #{ product: ID, ... }) and set `default_price: LOOKUP_KEY`"),
            });
        }
        refused
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            heading: Some("Products, each followed by its prices"),
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "product(id, #{...})",
            key: "the product id",
            references: "`default_price` → a price key",
        }
    }
}

/// "A list of up to 15 marketing features for this product" (R086; NOTES.md).
pub const MARKETING_FEATURES_MAX: usize = 15;

/// "This may be up to 22 characters" (R097; NOTES.md).
pub const STATEMENT_DESCRIPTOR_MAX: usize = 22;

static TABLE: ObjectTable = ObjectTable {
    object: "product",
    path: "/v1/products",
    id_prefix: "prod_",
    custom_id: true,
    // Only while the product has no prices (NOTES.md).
    deletable: true,
    // `type` is SDK-only (hidden by the public spec) but still a filter.
    list_filters: &["active", "created", "ids", "shippable", "type", "url"],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // spec: "Defaults to `true`"
    p("default_price", String, NO, OPT),
    p("default_price_data", Object, OPT, NO),
    p("default_price_data[currency]", String, REQ, NO),
    p("default_price_data[currency_options]", Map, OPT, NO),
    p("default_price_data[currency_options][<key>]", Object, OPT, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount]", Object, OPT, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount][enabled]", Boolean, REQ, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount][maximum]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[currency_options][<key>][custom_unit_amount][minimum]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[currency_options][<key>][custom_unit_amount][preset]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[currency_options][<key>][tax_behavior]", Enum(TAX_BEHAVIOR), OPT, NO),
    p("default_price_data[currency_options][<key>][tiers]", Array, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][]", Object, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][flat_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[currency_options][<key>][tiers][][flat_amount_decimal]", Decimal, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][unit_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[currency_options][<key>][tiers][][unit_amount_decimal]", Decimal, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][up_to]", IntegerOr(&["inf"]), REQ, NO),
    p("default_price_data[currency_options][<key>][unit_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[currency_options][<key>][unit_amount_decimal]", Decimal, OPT, NO),
    p("default_price_data[custom_unit_amount]", Object, OPT, NO),
    p("default_price_data[custom_unit_amount][enabled]", Boolean, REQ, NO),
    p("default_price_data[custom_unit_amount][maximum]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[custom_unit_amount][minimum]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[custom_unit_amount][preset]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[metadata]", Map, OPT, NO).limits(METADATA),
    p("default_price_data[recurring]", Object, OPT, NO),
    p("default_price_data[recurring][interval]", Enum(INTERVAL), REQ, NO),
    p("default_price_data[recurring][interval_count]", Integer, OPT, NO),
    p("default_price_data[tax_behavior]", Enum(TAX_BEHAVIOR), OPT, NO),
    p("default_price_data[unit_amount]", Integer, OPT, NO).max(AMOUNT_MAX),
    p("default_price_data[unit_amount_decimal]", Decimal, OPT, NO),
    p("description", String, OPT, OPT).emptyable(),
    p("id", String, OPT, NO).text(Id), // ids travel in API paths: billingctl's rule and the emulator's
    p("images", StringArray, OPT, OPT).emptyable().default(EmptyArray).items(8, "URLs"), // response: non-nullable array; "a list of up to 8 URLs" (R085)
    p("images[]", String, OPT, OPT),
    p("marketing_features", Array, OPT, OPT).emptyable().default(EmptyArray).items(MARKETING_FEATURES_MAX, "items"), // response: non-nullable array
    p("marketing_features[]", Object, OPT, OPT),
    p("marketing_features[][name]", String, REQ, REQ).chars(1, 80), // "Up to 80 characters long" (R087); required, so not empty
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // response: non-nullable map
    p("name", String, REQ, OPT),
    p("package_dimensions", Object, OPT, OPT).emptyable(),
    p("package_dimensions[height]", Number, REQ, REQ),
    p("package_dimensions[length]", Number, REQ, REQ),
    p("package_dimensions[weight]", Number, REQ, REQ),
    p("package_dimensions[width]", Number, REQ, REQ),
    p("shippable", Boolean, OPT, OPT),
    p("statement_descriptor", String, OPT, OPT).max_chars(STATEMENT_DESCRIPTOR_MAX).text(StatementDescriptor), // R092, R096, R097
    p("tax_code", String, OPT, OPT).emptyable(),
    p("tax_details", Object, OPT, OPT).emptyable(),
    p("tax_details[performance_location]", String, OPT, OPT),
    p("tax_details[tax_code]", String, OPT, OPT).emptyable(),
    p("type", Enum(&["good", "service"]), OPT, NO).default(Str("service")), // spec: "Defaults to `service`"
    p("unit_label", String, OPT, OPT).emptyable(),
    p("url", String, OPT, OPT).emptyable(),
];
