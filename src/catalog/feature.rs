//! An entitlement feature: `feature(lookup_key, #{ name, metadata, active })`.

use serde::{Deserialize, Serialize};

use super::common::Metadata;
use super::declared::Spec;
use super::key::FeatureKey;
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Feature create params (Stripe's names), plus `active` (update-only in Stripe: `false`
/// archives the feature after its create).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FeatureSpec {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl Spec for FeatureSpec {
    const KIND: ObjectKind = ObjectKind::Feature;
    type Key = FeatureKey;

    /// The lookup key's length (R024, the table's limit) and a name that says something.
    fn validate(&self, check: &mut Check<'_>) {
        check.key_length();
        if self.name.trim().is_empty() {
            check.error("name", "a feature needs a non-empty `name`");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::{assert_cases, assert_valid, errors};
    use crate::kinds::ObjectKind::Feature;

    #[test]
    fn each_rule_names_its_field() {
        let long = "k".repeat(81);
        assert_cases(
            Feature,
            &[
                ("k", json!({"name": " "}), "name", "non-empty `name`"),
                (
                    &long,
                    json!({"name": "N"}),
                    "lookup_key",
                    "1 to 80 characters, got 81",
                ),
            ],
        );
        assert_valid(Feature, &[json!({"name": "N", "active": false})]);
        assert_eq!(errors(Feature, &long[1..], json!({"name": "N"})), vec![]);
    }
}
