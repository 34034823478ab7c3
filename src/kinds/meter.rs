//! Billing meters (`billing.meter`), matched by `event_name`. Only `display_name` can change
//! once a meter exists ("After you configure the meter, you can't make any changes aside from
//! the display name": docs.stripe.com/billing/subscriptions/usage-based/meters/configure).
//!
//! An event name is used by one meter only ("You can only use an event name with a single
//! meter", same page), active or not: an inactive meter still holds its event name, so a
//! script that wants it active again brings it back (`reactivate`) rather than creating
//! another. Meters have no `active` param: they are switched with
//! `POST /v1/billing/meters/{id}/deactivate` and `/reactivate`, and show `status`.

use super::{Deactivation, ExportMapping, KeyRule, Kind, KindDocs, ObjectKind};
use crate::kinds::fields::Default::Str;
use crate::kinds::fields::Type::{Enum, Object, String};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};

pub(super) struct Meter;

impl Kind for Meter {
    fn id(&self) -> ObjectKind {
        ObjectKind::Meter
    }

    fn name(&self) -> &'static str {
        "meter"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Field("event_name")
    }

    fn deactivation(&self) -> Deactivation {
        Deactivation::Endpoints {
            status_field: "status",
            on_value: "active",
            deactivate: "deactivate",
            reactivate: "reactivate",
        }
    }

    fn immutable_help(&self) -> &'static str {
        "only a meter's display_name can change: declare a new meter with a new event name \
         (and point the prices at it)"
    }

    fn duplicate_help(&self) -> &'static str {
        "an event name belongs to one meter only; rename one of them"
    }

    fn export(&self) -> ExportMapping {
        ExportMapping::default()
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "meter(event_name, #{...})",
            key: "the event name meter events are sent with (≤ 100 characters, one meter each)",
            references: "—",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "billing.meter",
    path: "/v1/billing/meters",
    // Stripe's meter ids are `mtr_…` (docs.stripe.com/api/billing/meter/object:
    // "mtr_123", and the create example's "mtr_test_61Q8…"); the fixture's `meter_123` is a
    // placeholder.
    id_prefix: "mtr_",
    custom_id: false,
    deletable: false,
    list_filters: &["status"],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("customer_mapping", Object, OPT, NO),
    p("customer_mapping[event_payload_key]", String, REQ, NO).default(Str("stripe_customer_id")), // "default is `stripe_customer_id`" (docs.stripe.com/api/billing/meter-event/object)
    p("customer_mapping[type]", Enum(&["by_id"]), REQ, NO).default(Str("by_id")), // R001: "Must be `by_id`"
    p("default_aggregation", Object, REQ, NO),
    p("default_aggregation[formula]", Enum(&["count", "last", "sum"]), REQ, NO),
    p("display_name", String, REQ, OPT).chars(1, 250), // spec maxLength 250
    p("event_name", String, REQ, NO).chars(1, 100), // "The maximum length is 100 characters" (docs.stripe.com/api/billing/meter-event/object)
    p("event_time_window", Enum(&["day", "hour"]), OPT, NO),
    p("value_settings", Object, OPT, NO),
    p("value_settings[event_payload_key]", String, REQ, NO).default(Str("value")), // "default is `value`" (same page)
];
