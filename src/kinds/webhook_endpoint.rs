//! Webhook endpoints, matched by a key the script names, kept in metadata `billingctl_key`.
//! Declared with `webhook_endpoint(key, ...)`.
//!
//! Three facts set them apart (catalog-fields.json, `webhook_endpoint`):
//! - they are never deleted by billingctl: `disabled: true` (update-only) turns one off, and
//!   Stripe shows it as `status: "disabled"`, never as `disabled` (so [`Kind::read`] writes
//!   the param back from the status for the diff);
//! - the signing `secret` is in the create response only ("Only returned at creation"): the
//!   apply hands it to the run's secrets file and nothing else ([`Kind::create_secret`]);
//! - `api_version` and `connect` are create-only. Stripe never returns `connect`, so a change
//!   to it cannot be seen (the diff skips params the live object does not carry).

use crate::compact::{Fields, Json};

use super::values::METADATA;
use super::webhook_events::{API_VERSIONS, EVENT_TYPES};
use super::{Deactivation, ExportMapping, KeyRule, Kind, KindDocs, ObjectKind};
use crate::kinds::fields::Default::{Bool, EmptyObject};
use crate::kinds::fields::Type::{Boolean, Enum, Map, String, StringArray};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};

pub(super) struct WebhookEndpoint;

impl Kind for WebhookEndpoint {
    fn id(&self) -> ObjectKind {
        ObjectKind::WebhookEndpoint
    }

    fn name(&self) -> &'static str {
        "webhook_endpoint"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Metadata
    }

    fn deactivation(&self) -> Deactivation {
        // Update param `disabled`: "Disable the webhook endpoint if set to true."
        Deactivation::Field {
            name: "disabled",
            off: true,
        }
    }

    fn adoptable(&self) -> bool {
        true
    }

    fn immutable_help(&self) -> &'static str {
        "a webhook endpoint's `api_version` and `connect` cannot change once it exists: declare \
         a new endpoint under a new key (it gets a new signing secret) and set `disabled: true` \
         on this one"
    }

    fn read(&self, object: &mut Fields) {
        // The response says `status: enabled | disabled`; the param is `disabled`.
        if let Some(status) = object.get("status").and_then(Json::as_str) {
            let disabled = status == "disabled";
            object.insert("disabled", Json::Bool(disabled));
        }
        // Only a create answers with it; never let one travel further.
        object.remove("secret");
        // `null`: events use the account's default version, which the API does not say, so
        // there is nothing to compare (an endpoint made in the Dashboard can be adopted).
        if object.get("api_version").is_some_and(Json::is_null) {
            object.remove("api_version");
        }
    }

    fn create_secret(&self) -> Option<&'static str> {
        Some("secret")
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            heading: Some("Webhook endpoints (their signing secrets are never exported)"),
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "webhook_endpoint(key, #{...})",
            key: "a name you choose, kept in metadata `billingctl_key`",
            references: "none",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "webhook_endpoint",
    path: "/v1/webhook_endpoints",
    id_prefix: "we_", // fixture: `we_1Pgc6yB7WZ01zgkWzAudq4eU`
    custom_id: false,
    deletable: true, // Stripe has DELETE; billingctl never sends it
    list_filters: &[],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("api_version", Enum(API_VERSIONS), OPT, NO), // the planner sends the pinned version (catalog::webhook_endpoint)
    p("connect", Boolean, OPT, NO), // never returned: no default to fill in
    p("description", String, OPT, OPT).emptyable(),
    p("disabled", Boolean, NO, OPT).default(Bool(false)), // a new endpoint is enabled
    p("enabled_events", StringArray, REQ, OPT).unordered(), // a set of event types
    p("enabled_events[]", Enum(EVENT_TYPES), OPT, OPT),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // fixture: `{}`
    p("url", String, REQ, OPT),
];
