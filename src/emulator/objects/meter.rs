//! Billing meters (`billing.meter`, `/v1/billing/meters`): `mtr_` ids, `status` instead of
//! `active`, switched by `POST /{id}/deactivate` and `/reactivate`; only `display_name`
//! updates (the table says so: the update endpoint takes nothing else); an event name is
//! used by one meter only, active or not ("You can only use an event name with a single
//! meter": docs.stripe.com/billing/subscriptions/usage-based/meters/configure). Lists filter
//! by `status`.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::Index;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::Meter;
/// The meter that holds each event name, active or not.
const INDEXES: &[Index] = &[Index::holder("event_name")];
const DEACTIVATE: &str = "deactivate";
const REACTIVATE: &str = "reactivate";

pub(super) struct Meter;

/// The fixture's shape (`billing.meter` in fixtures3.json): response-only fields, and `null`
/// for `event_time_window` when nobody set it.
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object, "created": now,
        "customer_mapping": { "event_payload_key": "stripe_customer_id", "type": "by_id" },
        "event_time_window": null, "livemode": false, "status": "active",
        "status_transitions": { "deactivated_at": null }, "updated": now,
        "value_settings": { "event_payload_key": "value" },
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for Meter {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "billing meter"
    }

    fn indexes(&self) -> &'static [Index] {
        INDEXES
    }

    fn build(
        &self,
        cx: &Context,
        params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let event_name = params
            .get("event_name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        for (param, max) in [("event_name", 100), ("display_name", 250)] {
            let text = params
                .get(param)
                .and_then(Value::as_str)
                .unwrap_or_default();
            if text.is_empty() || text.chars().count() > max {
                return Err(ErrorResponse::param(
                    param,
                    format!("Invalid {param}: must be 1 to {max} characters."),
                ));
            }
        }
        if cx.store.holder(KIND, "event_name", event_name).is_some() {
            // Stripe's wording is not in the reference; the code and param are its own for a
            // taken key.
            return Err(ErrorResponse::already_exists(
                "event_name",
                format!("A meter with the event_name `{event_name}` already exists."),
            ));
        }
        let mut meter = skeleton(&self.new_id(), cx.now());
        merge(KIND.table(), &mut meter, &params);
        Ok(Value::Object(common::stripe_order(meter)))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        if let Some(name) = params.get("display_name").and_then(Value::as_str) {
            if name.is_empty() || name.chars().count() > 250 {
                return Err(ErrorResponse::param(
                    "display_name",
                    "Invalid display_name: must be 1 to 250 characters.".to_owned(),
                ));
            }
        }
        let mut meter = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut meter, &params);
        meter.insert("updated".into(), cx.now().into());
        Ok(cx.store.put(KIND, Value::Object(meter)))
    }

    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::default();
        if let Some(status) = filters.get("status") {
            let status = common::scalar("status", status)?;
            if !["active", "inactive"].contains(&status) {
                return Err(ErrorResponse::param(
                    "status",
                    format!("Invalid status: must be one of active or inactive, got {status}."),
                ));
            }
        }
        filter.string(filters, "status", "status")?;
        Ok(filter)
    }

    fn actions(&self) -> &'static [&'static str] {
        &[DEACTIVATE, REACTIVATE]
    }

    /// Deactivating an inactive meter, or reactivating an active one, is refused: Stripe's
    /// documentation does not say what it answers (the API reference shows only the
    /// successful call), so the emulator takes the strict reading, which a client that never
    /// asks for a switch it does not need (billingctl) never meets.
    fn act(
        &self,
        cx: &mut Context,
        action: &str,
        current: &Value,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let id = current["id"].as_str().unwrap_or_default();
        let (from, to, deactivated_at) = match action {
            DEACTIVATE => ("active", "inactive", Value::from(cx.now())),
            REACTIVATE => ("inactive", "active", Value::Null),
            _ => {
                return Err(ErrorResponse::unrecognized_url(
                    "POST",
                    &format!("{}/{id}/{action}", KIND.table().path),
                ))
            }
        };
        if current["status"] != from {
            return Err(ErrorResponse::invalid(
                None,
                None,
                format!("The billing meter {id} is already {to}."),
            ));
        }
        let mut meter = current.as_object().cloned().unwrap_or_default();
        meter.insert("status".into(), to.into());
        meter.insert(
            "status_transitions".into(),
            json!({ "deactivated_at": deactivated_at }),
        );
        meter.insert("updated".into(), cx.now().into());
        Ok(cx.store.put(KIND, Value::Object(meter)))
    }
}
