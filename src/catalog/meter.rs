//! A billing meter: `meter(event_name, #{ display_name, default_aggregation: #{ formula },
//! customer_mapping, value_settings, event_time_window })`. `active: false` deactivates it
//! (through Stripe's deactivate endpoint: `Deactivation::Endpoints`).

use serde::{Deserialize, Serialize};

use super::declared::Spec;
use super::key::EventName;
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Meter create params (Stripe's names), as a script writes them, and `active`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MeterSpec {
    pub display_name: String,
    pub default_aggregation: Aggregation,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_mapping: Option<CustomerMapping>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_settings: Option<ValueSettings>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_time_window: Option<String>,
    /// Not a Stripe param: `false` deactivates the meter (the planner takes it out of the
    /// params and calls the deactivate endpoint).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
}

/// `default_aggregation`: how events add up (`count`, `last`, `sum`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregation {
    pub formula: String,
}

/// `customer_mapping`: where an event names its customer.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerMapping {
    pub event_payload_key: String,
    #[serde(rename = "type", default = "by_id")]
    pub kind: String,
}

fn by_id() -> String {
    "by_id".into()
}

/// `value_settings`: where an event holds its value.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ValueSettings {
    pub event_payload_key: String,
}

impl Spec for MeterSpec {
    const KIND: ObjectKind = ObjectKind::Meter;
    type Key = EventName;

    fn validate(&self, check: &mut Check<'_>) {
        // A key is never empty; how long it may be is the table's (`event_name`).
        let key = check.key;
        let max = check
            .limits("event_name")
            .chars
            .map_or(usize::MAX, |l| l.max);
        if key.is_empty() || key.chars().count() > max {
            check.error(
                "event_name",
                format!(
                    "`event_name` must be 1 to {max} characters, got {}",
                    key.chars().count()
                ),
            );
        }
        for (field, key) in [
            (
                "customer_mapping[event_payload_key]",
                self.customer_mapping.as_ref().map(|m| &m.event_payload_key),
            ),
            (
                "value_settings[event_payload_key]",
                self.value_settings.as_ref().map(|v| &v.event_payload_key),
            ),
        ] {
            if key.is_some_and(|k| k.is_empty()) {
                check.error(field, format!("`{field}` cannot be empty"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::{assert_cases, assert_valid};
    use crate::kinds::ObjectKind::Meter;

    #[test]
    fn each_rule_names_its_field() {
        let agg = json!({"formula": "sum"});
        assert_cases(
            Meter,
            &[
                (
                    "api_calls",
                    json!({"display_name": "API", "default_aggregation": {"formula": "max"}}),
                    "default_aggregation[formula]",
                    "max",
                ),
                (
                    "api_calls",
                    json!({"display_name": "", "default_aggregation": agg}),
                    "display_name",
                    "",
                ),
                (
                    &"e".repeat(101),
                    json!({"display_name": "API", "default_aggregation": agg}),
                    "event_name",
                    "100",
                ),
                (
                    "api_calls",
                    json!({"display_name": "API", "default_aggregation": agg,
                           "customer_mapping": {"event_payload_key": "", "type": "by_id"}}),
                    "customer_mapping[event_payload_key]",
                    "empty",
                ),
            ],
        );
        assert_valid(
            Meter,
            &[json!({"display_name": "API", "default_aggregation": agg,
                     "customer_mapping": {"event_payload_key": "stripe_customer_id"},
                     "value_settings": {"event_payload_key": "value"},
                     "event_time_window": "hour", "active": false})],
        );
    }
}
