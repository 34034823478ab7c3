//! Customer-portal configurations, matched by a key the script names, kept in metadata
//! `billingctl_key`. Declared with `portal(key, ...)`.

use super::values::{INTERVAL, METADATA};
use super::{ExportMapping, KeyRule, Kind, KindDocs, ObjectKind, Refers};
use crate::kinds::fields::Default::{Bool, EmptyArray, EmptyObject, Int, Str};
use crate::kinds::fields::Type::{Array, Boolean, Enum, Integer, Map, Object, String, StringArray};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};

pub(super) struct PortalConfiguration;

const PRORATION_BEHAVIOR: &[&str] = &["always_invoice", "create_prorations", "none"];

impl Kind for PortalConfiguration {
    fn id(&self) -> ObjectKind {
        ObjectKind::PortalConfiguration
    }

    fn name(&self) -> &'static str {
        "portal_configuration"
    }

    fn function(&self) -> &'static str {
        "portal"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Metadata
    }

    fn references(&self) -> &'static [Refers] {
        &[
            Refers {
                pattern: "features[subscription_update][products][][product]",
                kind: ObjectKind::Product,
            },
            Refers {
                pattern: "features[subscription_update][products][][prices][]",
                kind: ObjectKind::Price,
            },
        ]
    }

    fn adoptable(&self) -> bool {
        true
    }

    fn stale_reference_help(&self) -> &'static str {
        "add the new price to that configuration, or manage it in this script"
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            heading: Some("Customer portal configurations"),
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "portal(key, #{...})",
            key: "a name you choose, kept in metadata `billingctl_key`",
            references: "`features.subscription_update.products[].product` → a product key, `.prices[]` → price keys",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "billing_portal.configuration",
    path: "/v1/billing_portal/configurations",
    id_prefix: "bpc_",
    custom_id: false,
    deletable: false,
    list_filters: &["active", "is_default"],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
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
    p("metadata", Map, OPT, OPT).emptyable().limits(METADATA),
    p("name", String, OPT, OPT).emptyable(),
];
