//! A tax rate: `tax_rate(key, #{ display_name, percentage, inclusive, ... })`.
//!
//! Stripe gives tax rates no key of their own; the planner keeps ours in metadata
//! `billingctl_key`, so the params here never carry it. `percentage` is a number: `19` and
//! `19.0` are one rate (Stripe answers `"percentage": 19`, fixtures3.json), which the diff's
//! number canonicalisation (`plan::canon::normalise_number`) makes a re-run a no-op.

use serde::{Deserialize, Serialize};

use super::common::Metadata;
use super::declared::Spec;
use super::key::TaxRateKey;
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Tax rate create params (Stripe's names), as a script writes them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxRateSpec {
    pub display_name: String,
    pub percentage: f64,
    pub inclusive: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jurisdiction: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

impl Spec for TaxRateSpec {
    const KIND: ObjectKind = ObjectKind::TaxRate;
    type Key = TaxRateKey;

    /// Nothing beyond the field table (types, the `tax_type` enum, metadata limits): Stripe's
    /// spec states no range for `percentage` on a tax rate (param-rules.md has no row).
    fn validate(&self, _check: &mut Check<'_>) {}
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::{assert_cases, assert_valid};
    use crate::kinds::ObjectKind::TaxRate;

    #[test]
    fn a_tax_rate_takes_only_known_tax_types() {
        assert_cases(
            TaxRate,
            &[(
                "vat_de",
                json!({"display_name": "VAT", "percentage": 19, "inclusive": false, "tax_type": "tithe"}),
                "tax_type",
                "invalid value \"tithe\"",
            )],
        );
    }

    #[test]
    fn integer_and_decimal_percentages_are_valid() {
        assert_valid(
            TaxRate,
            &[
                json!({"display_name": "VAT", "percentage": 19, "inclusive": false}),
                json!({"display_name": "MwSt.", "percentage": 7.7, "inclusive": true, "country": "CH", "tax_type": "vat"}),
            ],
        );
    }
}
