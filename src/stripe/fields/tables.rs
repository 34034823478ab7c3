//! The tables themselves: one list of params per object, for API `2026-10-28.endive`, taken
//! from Stripe's create and update params (nested ones included) as
//! `shared/stripe-reference/catalog-fields.json` records them. The conformance test
//! (`tests/it/conformance.rs`) holds this file against that reference.
//!
//! One line per param: `p(path, type, on create, on update)`, then `.emptyable()` where `""`
//! clears it and `.default(..)` where Stripe fills in a value the create left out. A default's
//! comment says where it comes from: the spec's "Defaults to" text, the response schema (a
//! field that is never null must get a value), or Stripe's example object (`fixtures3.json`).
//! Fields that are null when left out (e.g. product `shippable`) have no default.
//!
//! `expand` is taken by every endpoint and is not a field of the object; it is not listed.
//! `<key>` nodes are listed only for maps of objects (`currency_options[<key>]`), `[]` nodes for
//! every array element; plain string maps such as `metadata` are one `Map` param.

use super::Default::{Bool, EmptyArray, EmptyObject, Int, Str};
use super::Type::{
    Array, Boolean, Decimal, Enum, Integer, IntegerOr, Map, Number, Object, String, StringArray,
    Timestamp,
};
use super::{Default, ObjectKind, ObjectTable, Param, Presence, Type};

pub(super) fn table(kind: ObjectKind) -> &'static ObjectTable {
    match kind {
        ObjectKind::Product => &PRODUCT,
        ObjectKind::Price => &PRICE,
        ObjectKind::Coupon => &COUPON,
        ObjectKind::PromotionCode => &PROMOTION_CODE,
        ObjectKind::PortalConfiguration => &PORTAL_CONFIGURATION,
    }
}

static PRODUCT: ObjectTable = ObjectTable {
    kind: ObjectKind::Product,
    object: "product",
    path: "/v1/products",
    id_prefix: "prod_",
    custom_id: true,
    // Only while the product has no prices (NOTES.md).
    deletable: true,
    // `type` is SDK-only (hidden by the public spec) but still a filter.
    list_filters: &["active", "created", "ids", "shippable", "type", "url"],
    params: PRODUCT_PARAMS,
};

static PRICE: ObjectTable = ObjectTable {
    kind: ObjectKind::Price,
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
    params: PRICE_PARAMS,
};

static COUPON: ObjectTable = ObjectTable {
    kind: ObjectKind::Coupon,
    object: "coupon",
    path: "/v1/coupons",
    // Generated coupon ids are bare random codes (e.g. `Z4OV52SU`), with no prefix.
    id_prefix: "",
    custom_id: true,
    deletable: true,
    list_filters: &["created"],
    params: COUPON_PARAMS,
};

static PROMOTION_CODE: ObjectTable = ObjectTable {
    kind: ObjectKind::PromotionCode,
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
    params: PROMOTION_CODE_PARAMS,
};

static PORTAL_CONFIGURATION: ObjectTable = ObjectTable {
    kind: ObjectKind::PortalConfiguration,
    object: "billing_portal.configuration",
    path: "/v1/billing_portal/configurations",
    id_prefix: "bpc_",
    custom_id: false,
    deletable: false,
    list_filters: &["active", "is_default"],
    params: PORTAL_CONFIGURATION_PARAMS,
};

const NO: Presence = Presence::Absent;
const OPT: Presence = Presence::Optional;
const REQ: Presence = Presence::Required;

const TAX_BEHAVIOR: &[&str] = &["exclusive", "inclusive", "unspecified"];
const INTERVAL: &[&str] = &["day", "month", "week", "year"];
const PRORATION_BEHAVIOR: &[&str] = &["always_invoice", "create_prorations", "none"];

/// A param that is not emptyable and has no default.
const fn p(path: &'static str, ty: Type, on_create: Presence, on_update: Presence) -> Param {
    Param {
        path,
        ty,
        on_create,
        on_update,
        emptyable: false,
        default: None,
        unordered: false,
        set_once_from: None,
    }
}

impl Param {
    const fn emptyable(mut self) -> Self {
        self.emptyable = true;
        self
    }

    const fn default(mut self, default: Default) -> Self {
        self.default = Some(default);
        self
    }

    const fn unordered(mut self) -> Self {
        self.unordered = true;
        self
    }

    /// Changeable only while the object holds one of `open` (see `Param::set_once_from`).
    const fn set_once_from(mut self, open: &'static [&'static str]) -> Self {
        self.set_once_from = Some(open);
        self
    }
}

// product
#[rustfmt::skip]
const PRODUCT_PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // spec: "Defaults to `true`"
    p("default_price", String, NO, OPT),
    p("default_price_data", Object, OPT, NO),
    p("default_price_data[currency]", String, REQ, NO),
    p("default_price_data[currency_options]", Map, OPT, NO),
    p("default_price_data[currency_options][<key>]", Object, OPT, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount]", Object, OPT, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount][enabled]", Boolean, REQ, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount][maximum]", Integer, OPT, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount][minimum]", Integer, OPT, NO),
    p("default_price_data[currency_options][<key>][custom_unit_amount][preset]", Integer, OPT, NO),
    p("default_price_data[currency_options][<key>][tax_behavior]", Enum(TAX_BEHAVIOR), OPT, NO),
    p("default_price_data[currency_options][<key>][tiers]", Array, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][]", Object, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][flat_amount]", Integer, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][flat_amount_decimal]", Decimal, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][unit_amount]", Integer, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][unit_amount_decimal]", Decimal, OPT, NO),
    p("default_price_data[currency_options][<key>][tiers][][up_to]", IntegerOr(&["inf"]), REQ, NO),
    p("default_price_data[currency_options][<key>][unit_amount]", Integer, OPT, NO),
    p("default_price_data[currency_options][<key>][unit_amount_decimal]", Decimal, OPT, NO),
    p("default_price_data[custom_unit_amount]", Object, OPT, NO),
    p("default_price_data[custom_unit_amount][enabled]", Boolean, REQ, NO),
    p("default_price_data[custom_unit_amount][maximum]", Integer, OPT, NO),
    p("default_price_data[custom_unit_amount][minimum]", Integer, OPT, NO),
    p("default_price_data[custom_unit_amount][preset]", Integer, OPT, NO),
    p("default_price_data[metadata]", Map, OPT, NO),
    p("default_price_data[recurring]", Object, OPT, NO),
    p("default_price_data[recurring][interval]", Enum(INTERVAL), REQ, NO),
    p("default_price_data[recurring][interval_count]", Integer, OPT, NO),
    p("default_price_data[tax_behavior]", Enum(TAX_BEHAVIOR), OPT, NO),
    p("default_price_data[unit_amount]", Integer, OPT, NO),
    p("default_price_data[unit_amount_decimal]", Decimal, OPT, NO),
    p("description", String, OPT, OPT).emptyable(),
    p("id", String, OPT, NO),
    p("images", StringArray, OPT, OPT).emptyable().default(EmptyArray), // response: non-nullable array
    p("images[]", String, OPT, OPT),
    p("marketing_features", Array, OPT, OPT).emptyable().default(EmptyArray), // response: non-nullable array
    p("marketing_features[]", Object, OPT, OPT),
    p("marketing_features[][name]", String, REQ, REQ),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject), // response: non-nullable map
    p("name", String, REQ, OPT),
    p("package_dimensions", Object, OPT, OPT).emptyable(),
    p("package_dimensions[height]", Number, REQ, REQ),
    p("package_dimensions[length]", Number, REQ, REQ),
    p("package_dimensions[weight]", Number, REQ, REQ),
    p("package_dimensions[width]", Number, REQ, REQ),
    p("shippable", Boolean, OPT, OPT),
    p("statement_descriptor", String, OPT, OPT),
    p("tax_code", String, OPT, OPT).emptyable(),
    p("tax_details", Object, OPT, OPT).emptyable(),
    p("tax_details[performance_location]", String, OPT, OPT),
    p("tax_details[tax_code]", String, OPT, OPT).emptyable(),
    p("type", Enum(&["good", "service"]), OPT, NO).default(Str("service")), // spec: "Defaults to `service`"
    p("unit_label", String, OPT, OPT).emptyable(),
    p("url", String, OPT, OPT).emptyable(),
];

// price
#[rustfmt::skip]
const PRICE_PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // spec: "Defaults to `true`"
    p("billing_scheme", Enum(&["per_unit", "tiered"]), OPT, NO).default(Str("per_unit")), // response: non-nullable; fixture
    p("currency", String, REQ, NO),
    p("currency_options", Map, OPT, OPT).emptyable(),
    p("currency_options[<key>]", Object, OPT, OPT),
    p("currency_options[<key>][custom_unit_amount]", Object, OPT, OPT),
    p("currency_options[<key>][custom_unit_amount][enabled]", Boolean, REQ, REQ),
    p("currency_options[<key>][custom_unit_amount][maximum]", Integer, OPT, OPT),
    p("currency_options[<key>][custom_unit_amount][minimum]", Integer, OPT, OPT),
    p("currency_options[<key>][custom_unit_amount][preset]", Integer, OPT, OPT),
    p("currency_options[<key>][tax_behavior]", Enum(TAX_BEHAVIOR), OPT, OPT).default(Str("unspecified")).set_once_from(&["unspecified"]), // as the price's own tax_behavior; set-once: R030
    p("currency_options[<key>][tiers]", Array, OPT, OPT),
    p("currency_options[<key>][tiers][]", Object, OPT, OPT),
    p("currency_options[<key>][tiers][][flat_amount]", Integer, OPT, OPT),
    p("currency_options[<key>][tiers][][flat_amount_decimal]", Decimal, OPT, OPT),
    p("currency_options[<key>][tiers][][unit_amount]", Integer, OPT, OPT),
    p("currency_options[<key>][tiers][][unit_amount_decimal]", Decimal, OPT, OPT),
    p("currency_options[<key>][tiers][][up_to]", IntegerOr(&["inf"]), REQ, REQ),
    p("currency_options[<key>][unit_amount]", Integer, OPT, OPT),
    p("currency_options[<key>][unit_amount_decimal]", Decimal, OPT, OPT),
    p("custom_unit_amount", Object, OPT, NO),
    p("custom_unit_amount[enabled]", Boolean, REQ, NO),
    p("custom_unit_amount[maximum]", Integer, OPT, NO),
    p("custom_unit_amount[minimum]", Integer, OPT, NO),
    p("custom_unit_amount[preset]", Integer, OPT, NO),
    p("lookup_key", String, OPT, OPT),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject), // response: non-nullable map
    p("nickname", String, OPT, OPT),
    p("product", String, OPT, NO),
    p("product_data", Object, OPT, NO),
    p("product_data[active]", Boolean, OPT, NO),
    p("product_data[id]", String, OPT, NO),
    p("product_data[metadata]", Map, OPT, NO),
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
    p("tiers[][flat_amount]", Integer, OPT, NO),
    p("tiers[][flat_amount_decimal]", Decimal, OPT, NO),
    p("tiers[][unit_amount]", Integer, OPT, NO),
    p("tiers[][unit_amount_decimal]", Decimal, OPT, NO),
    p("tiers[][up_to]", IntegerOr(&["inf"]), REQ, NO),
    p("tiers_mode", Enum(&["graduated", "volume"]), OPT, NO),
    p("transfer_lookup_key", Boolean, OPT, OPT),
    p("transform_quantity", Object, OPT, NO),
    p("transform_quantity[divide_by]", Integer, REQ, NO),
    p("transform_quantity[round]", Enum(&["down", "up"]), REQ, NO),
    p("unit_amount", Integer, OPT, NO),
    p("unit_amount_decimal", Decimal, OPT, NO),
];

// coupon
#[rustfmt::skip]
const COUPON_PARAMS: &[Param] = &[
    p("amount_off", Integer, OPT, NO),
    p("applies_to", Object, OPT, NO),
    p("applies_to[products]", StringArray, OPT, NO),
    p("applies_to[products][]", String, OPT, NO),
    p("currency", String, OPT, NO),
    p("currency_options", Map, OPT, OPT),
    p("currency_options[<key>]", Object, OPT, OPT),
    p("currency_options[<key>][amount_off]", Integer, REQ, REQ),
    p("duration", Enum(&["forever", "once", "repeating"]), OPT, NO).default(Str("once")), // spec: "Defaults to `once`"
    p("duration_in_months", Integer, OPT, NO),
    p("id", String, OPT, NO),
    p("max_redemptions", Integer, OPT, NO),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject), // fixture
    p("name", String, OPT, OPT),
    p("percent_off", Number, OPT, NO),
    p("redeem_by", Timestamp, OPT, NO),
];

// promotion_code
#[rustfmt::skip]
const PROMOTION_CODE_PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // a code is created active
    p("code", String, OPT, NO),
    p("customer", String, OPT, NO),
    p("customer_account", String, OPT, NO),
    p("expires_at", Timestamp, OPT, NO),
    p("max_redemptions", Integer, OPT, NO),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject), // fixture
    p("promotion", Object, REQ, NO),
    p("promotion[coupon]", String, OPT, NO),
    p("promotion[type]", Enum(&["coupon"]), REQ, NO),
    p("restrictions", Object, OPT, OPT).default(EmptyObject), // response: non-nullable object
    p("restrictions[currency_options]", Map, OPT, OPT),
    p("restrictions[currency_options][<key>]", Object, OPT, OPT),
    p("restrictions[currency_options][<key>][minimum_amount]", Integer, OPT, OPT),
    p("restrictions[first_time_transaction]", Boolean, OPT, NO).default(Bool(false)), // response: non-nullable; fixture
    p("restrictions[minimum_amount]", Integer, OPT, NO),
    p("restrictions[minimum_amount_currency]", String, OPT, NO),
];

// billing_portal.configuration
#[rustfmt::skip]
const PORTAL_CONFIGURATION_PARAMS: &[Param] = &[
    p("active", Boolean, NO, OPT).default(Bool(true)), // a configuration is created active
    p("business_profile", Object, OPT, OPT).default(EmptyObject), // response: non-nullable object
    p("business_profile[headline]", String, OPT, OPT).emptyable(),
    p("business_profile[privacy_policy_url]", String, OPT, OPT).emptyable(),
    p("business_profile[terms_of_service_url]", String, OPT, OPT).emptyable(),
    p("default_return_url", String, OPT, OPT).emptyable(),
    p("features", Object, REQ, OPT),
    p("features[customer_update]", Object, OPT, OPT).default(EmptyObject), // response: non-nullable object
    p("features[customer_update][allowed_updates]", StringArray, OPT, OPT).emptyable().default(EmptyArray).unordered(), // response: non-nullable array
    p("features[customer_update][allowed_updates][]", Enum(&["address", "email", "name", "phone", "shipping", "tax_id"]), OPT, OPT),
    p("features[customer_update][enabled]", Boolean, REQ, OPT).default(Bool(false)),
    p("features[invoice_history]", Object, OPT, OPT).default(EmptyObject),
    p("features[invoice_history][enabled]", Boolean, REQ, REQ).default(Bool(false)),
    p("features[payment_method_update]", Object, OPT, OPT).default(EmptyObject),
    p("features[payment_method_update][enabled]", Boolean, REQ, REQ).default(Bool(false)),
    p("features[payment_method_update][payment_method_configuration]", String, OPT, OPT).emptyable(),
    p("features[subscription_cancel]", Object, OPT, OPT).default(EmptyObject),
    p("features[subscription_cancel][cancellation_reason]", Object, OPT, OPT).default(EmptyObject),
    p("features[subscription_cancel][cancellation_reason][enabled]", Boolean, REQ, REQ).default(Bool(false)),
    p("features[subscription_cancel][cancellation_reason][feedback_options]", StringArray, OPT, OPT).emptyable(),
    p("features[subscription_cancel][cancellation_reason][feedback_options][]", String, OPT, OPT),
    p("features[subscription_cancel][cancellation_reason][options]", StringArray, REQ, OPT).emptyable().default(EmptyArray).unordered(), // fixture
    p("features[subscription_cancel][cancellation_reason][options][]", Enum(&["customer_service", "low_quality", "missing_features", "other", "switched_service", "too_complex", "too_expensive", "unused"]), OPT, OPT),
    p("features[subscription_cancel][enabled]", Boolean, REQ, OPT).default(Bool(false)),
    p("features[subscription_cancel][mode]", Enum(&["at_period_end", "immediately"]), OPT, OPT).default(Str("at_period_end")), // fixture
    p("features[subscription_cancel][proration_behavior]", Enum(PRORATION_BEHAVIOR), OPT, OPT).default(Str("none")), // fixture
    p("features[subscription_pause]", Object, OPT, OPT).default(EmptyObject),
    p("features[subscription_pause][duration]", Object, OPT, OPT).default(EmptyObject), // never null in the response
    p("features[subscription_pause][duration][interval_options]", Array, OPT, OPT).emptyable().default(EmptyArray), // never null in the response
    p("features[subscription_pause][duration][interval_options][]", Object, OPT, OPT),
    p("features[subscription_pause][duration][interval_options][][interval]", Enum(INTERVAL), REQ, REQ),
    p("features[subscription_pause][duration][interval_options][][interval_count]", Integer, OPT, OPT).default(Int(1)), // spec: "Defaults to 1"
    p("features[subscription_pause][duration][type]", Enum(&["indefinite", "interval_options"]), REQ, REQ).default(Str("indefinite")), // never null; pausing was indefinite before durations existed
    p("features[subscription_pause][enabled]", Boolean, OPT, OPT).default(Bool(false)),
    p("features[subscription_update]", Object, OPT, OPT).default(EmptyObject),
    p("features[subscription_update][billing_cycle_anchor]", Enum(&["now", "unchanged"]), OPT, OPT),
    p("features[subscription_update][default_allowed_updates]", StringArray, OPT, OPT).emptyable().default(EmptyArray).unordered(), // fixture
    p("features[subscription_update][default_allowed_updates][]", Enum(&["price", "promotion_code", "quantity"]), OPT, OPT),
    p("features[subscription_update][enabled]", Boolean, REQ, OPT).default(Bool(false)),
    p("features[subscription_update][products]", Array, OPT, OPT).emptyable(),
    p("features[subscription_update][products][]", Object, OPT, OPT),
    p("features[subscription_update][products][][adjustable_quantity]", Object, OPT, OPT).default(EmptyObject),
    p("features[subscription_update][products][][adjustable_quantity][enabled]", Boolean, REQ, REQ).default(Bool(false)),
    p("features[subscription_update][products][][adjustable_quantity][maximum]", Integer, OPT, OPT),
    p("features[subscription_update][products][][adjustable_quantity][minimum]", Integer, OPT, OPT).default(Int(0)), // the emulator fills 0
    p("features[subscription_update][products][][prices]", StringArray, REQ, REQ).unordered(),
    p("features[subscription_update][products][][prices][]", String, OPT, OPT),
    p("features[subscription_update][products][][product]", String, REQ, REQ),
    p("features[subscription_update][proration_behavior]", Enum(PRORATION_BEHAVIOR), OPT, OPT).default(Str("none")), // fixture
    p("features[subscription_update][schedule_at_period_end]", Object, OPT, OPT).default(EmptyObject),
    p("features[subscription_update][schedule_at_period_end][conditions]", Array, OPT, OPT).emptyable().default(EmptyArray),
    p("features[subscription_update][schedule_at_period_end][conditions][]", Object, OPT, OPT),
    p("features[subscription_update][schedule_at_period_end][conditions][][type]", Enum(&["decreasing_item_amount", "shortening_interval"]), REQ, REQ),
    p("features[subscription_update][trial_update_behavior]", Enum(&["continue_trial", "end_trial"]), OPT, OPT).default(Str("end_trial")), // fixture
    p("login_page", Object, OPT, OPT).default(EmptyObject),
    p("login_page[enabled]", Boolean, REQ, REQ).default(Bool(false)), // fixture
    p("metadata", Map, OPT, OPT).emptyable(),
    p("name", String, OPT, OPT).emptyable(),
];
