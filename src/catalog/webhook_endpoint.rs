//! A webhook endpoint: `webhook_endpoint(key, #{ url, enabled_events, description, metadata,
//! disabled, api_version, connect })`.
//!
//! Stripe gives webhook endpoints no key of their own; the planner keeps ours in metadata
//! `billingctl_key`, so the params here never carry it. `api_version` defaults to the
//! version billingctl pins, so the events the endpoint receives are shaped as the code that
//! reads them expects, and a re-run compares equal with what the create sent.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::common::Metadata;
use super::declared::Spec;
use super::key::WebhookKey;
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Webhook endpoint create params (Stripe's names), plus `disabled` (update-only in Stripe:
/// `true` turns the endpoint off).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEndpointSpec {
    pub url: String,
    pub enabled_events: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<bool>,
}

impl Spec for WebhookEndpointSpec {
    const KIND: ObjectKind = ObjectKind::WebhookEndpoint;
    type Key = WebhookKey;

    fn params(&self, _key: &str) -> Map<String, Value> {
        let mut params = match serde_json::to_value(self) {
            Ok(Value::Object(fields)) => fields,
            _ => Map::new(),
        };
        params
            .entry("api_version")
            .or_insert_with(|| Value::String(crate::stripe::API_VERSION.to_owned()));
        params
    }

    fn validate(&self, check: &mut Check<'_>) {
        validate(self, check);
    }
}

/// A webhook endpoint's own rules: an http(s) `url`, at least one event, none twice.
fn validate(spec: &WebhookEndpointSpec, check: &mut Check<'_>) {
    if spec.url.is_empty() {
        check.error_help(
            "url",
            "`url` must not be empty",
            "e.g. `url: \"https://example.com/stripe/webhooks\"`",
        );
    }
    check.url("url", Some(&spec.url));
    if spec.enabled_events.is_empty() {
        check.error_help(
            "enabled_events",
            "`enabled_events` must name at least one event type",
            "e.g. `enabled_events: [\"invoice.paid\"]`, or `[\"*\"]` for every event",
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for event in &spec.enabled_events {
        if !seen.insert(event) {
            check.error(
                "enabled_events",
                format!("`enabled_events` names \"{event}\" twice"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::catalog::validate::testing::{assert_cases, assert_valid};

    #[test]
    fn each_rule_names_its_field() {
        let kind = ObjectKind::WebhookEndpoint;
        assert_cases(
            kind,
            &[
                (
                    "k",
                    json!({"url": "ftp://x", "enabled_events": ["invoice.paid"]}),
                    "url",
                    "http(s) URL",
                ),
                (
                    "k",
                    json!({"url": "https://x", "enabled_events": []}),
                    "enabled_events",
                    "at least one event",
                ),
                (
                    "k",
                    json!({"url": "https://x", "enabled_events": ["invoice.paid", "invoice.paid"]}),
                    "enabled_events",
                    "twice",
                ),
                (
                    "k",
                    json!({"url": "https://x", "enabled_events": ["invoice.payed"]}),
                    "enabled_events[0]",
                    "invalid value \"invoice.payed\"",
                ),
                (
                    "k",
                    json!({"url": "https://x", "enabled_events": ["*"], "api_version": "2099-01-01"}),
                    "api_version",
                    "invalid value \"2099-01-01\"",
                ),
            ],
        );
    }

    #[test]
    fn valid_endpoints_have_no_errors() {
        assert_valid(
            ObjectKind::WebhookEndpoint,
            &[
                json!({"url": "https://x.example/hook", "enabled_events": ["*"]}),
                json!({"url": "https://x.example/hook", "enabled_events": ["invoice.paid"],
                    "disabled": true, "connect": false, "api_version": "2026-10-28.endive"}),
            ],
        );
    }

    #[test]
    fn api_version_defaults_to_the_pinned_one() {
        let spec: WebhookEndpointSpec =
            serde_json::from_value(json!({"url": "https://x", "enabled_events": ["*"]})).unwrap();
        assert_eq!(spec.params("k")["api_version"], crate::stripe::API_VERSION);
        let spec: WebhookEndpointSpec = serde_json::from_value(
            json!({"url": "https://x", "enabled_events": ["*"], "api_version": "2025-03-31.basil"}),
        )
        .unwrap();
        assert_eq!(spec.params("k")["api_version"], "2025-03-31.basil");
    }
}
