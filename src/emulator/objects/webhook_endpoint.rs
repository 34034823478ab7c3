//! Webhook endpoints: `status` (`enabled` / `disabled`) stands for the update-only param
//! `disabled`, which Stripe never returns; `connect` is taken on create and never returned
//! either; the signing `secret` (`whsec_…`) is in the create response only ("Only returned
//! at creation"): the stored object never holds it, so no list or retrieve can show it.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common;
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::new_id;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::WebhookEndpoint;

pub(super) struct WebhookEndpoint;

/// Response-only fields, and `null` for nullable fields nobody set (fixture: `api_version`,
/// `application` and `description` are `null` when not given).
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object, "api_version": null, "application": null,
        "created": now, "description": null, "enabled_events": [], "livemode": false,
        "metadata": {}, "status": "enabled", "url": "",
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

/// `disabled` (sent) becomes `status` (shown); `connect` is not shown.
fn settle(object: &mut Map<String, Value>) {
    if let Some(disabled) = object.remove("disabled") {
        let status = if disabled == Value::Bool(true) {
            "disabled"
        } else {
            "enabled"
        };
        object.insert("status".into(), status.into());
    }
    object.remove("connect");
}

impl Resource for WebhookEndpoint {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "webhook endpoint"
    }

    fn build(
        &self,
        cx: &Context,
        params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let mut endpoint = skeleton(&self.new_id(), cx.now());
        merge(KIND.table(), &mut endpoint, &params);
        settle(&mut endpoint);
        Ok(Value::Object(common::stripe_order(endpoint)))
    }

    /// Stores the endpoint without its secret and answers with it: the one response that
    /// carries it.
    fn create(
        &self,
        cx: &mut Context,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let object = self.build(cx, params, None)?;
        let stored = cx.store.put(KIND, object);
        let mut answer = stored.as_object().cloned().unwrap_or_default();
        answer.insert("secret".into(), new_id("whsec_", 32).into());
        Ok(Arc::new(Value::Object(common::stripe_order(answer))))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let mut endpoint = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut endpoint, &params);
        settle(&mut endpoint);
        Ok(cx.store.put(KIND, Value::Object(endpoint)))
    }

    /// Stripe's list takes no filter, not even `created` (catalog-fields.json).
    fn filter(
        &self,
        _cx: &Context,
        _filters: &Map<String, Value>,
    ) -> Result<common::Filter, ErrorResponse> {
        Ok(common::Filter::default())
    }
}
