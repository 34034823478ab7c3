//! A shipping rate: `shipping_rate(key, #{ display_name, fixed_amount: #{ amount, currency,
//! currency_options }, delivery_estimate, tax_behavior, ... })`.
//!
//! Stripe gives shipping rates no key of their own; the planner keeps ours in metadata
//! `billingctl_key`. `active` is update-only in Stripe (`false` archives the rate; a create
//! is active, so a declared `active: false` follows the create). The amounts and delivery
//! estimates are the rules table's (`kinds::rules`, R111–R114, R117), checked on both sides;
//! the currencies (R115, R116) are checked here and by the emulator.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::Metadata;
use super::declared::Spec;
use super::key::ShippingRateKey;
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Shipping rate create params (Stripe's names), plus `active` (update-only in Stripe).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingRateSpec {
    pub display_name: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_amount: Option<FixedAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delivery_estimate: Option<DeliveryEstimate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

/// `fixed_amount`: what shipping costs, in one currency and optionally more.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FixedAmount {
    pub amount: i64,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_options: Option<IndexMap<String, ShippingCurrencyOption>>,
}

/// The amount in one more currency (`fixed_amount[currency_options][<cur>]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingCurrencyOption {
    pub amount: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_behavior: Option<String>,
}

/// `delivery_estimate`: the range shown to the customer; either bound may be left open.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryEstimate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<DeliveryBound>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<DeliveryBound>,
}

/// One bound of a delivery estimate: `#{ unit: "business_day", value: 5 }`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeliveryBound {
    pub unit: String,
    pub value: i64,
}

impl Spec for ShippingRateSpec {
    const KIND: ObjectKind = ObjectKind::ShippingRate;
    type Key = ShippingRateKey;

    fn validate(&self, check: &mut Check<'_>) {
        validate(self, check);
    }
}

/// A shipping rate's own rules: its currencies are ones Stripe supports (R115, R116), and an
/// option does not repeat the rate's own currency. Amounts above eight digits are the field
/// table's `max` (checked here, where the amount is known to be an amount).
fn validate(spec: &ShippingRateSpec, check: &mut Check<'_>) {
    let Some(fixed) = &spec.fixed_amount else {
        return;
    };
    check.currency("fixed_amount[currency]", &fixed.currency);
    // Below 0 is the rules table's (R114, R117); only the largest amount is left here.
    check.non_negative(
        "fixed_amount[amount]",
        Some(fixed.amount).filter(|a| *a > 0),
    );
    for (currency, option) in fixed.currency_options.iter().flatten() {
        let base = format!("fixed_amount[currency_options][{currency}]");
        check.currency(&base, currency);
        if *currency == fixed.currency {
            check.error(
                &base,
                format!("`{base}` repeats the rate's own currency `{currency}`"),
            );
        }
        check.non_negative(
            &format!("{base}[amount]"),
            Some(option.amount).filter(|a| *a > 0),
        );
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::{assert_cases, assert_valid};
    use crate::kinds::ObjectKind::ShippingRate;

    #[test]
    fn each_rule_names_its_field() {
        assert_cases(
            ShippingRate,
            &[
                (
                    "standard",
                    json!({"display_name": "Standard", "fixed_amount": {"amount": 500, "currency": "xyz"}}),
                    "fixed_amount[currency]",
                    "unsupported currency",
                ),
                (
                    "standard",
                    json!({"display_name": "Standard", "fixed_amount": {"amount": 500, "currency": "eur", "currency_options": {"eur": {"amount": 500}}}}),
                    "fixed_amount[currency_options][eur]",
                    "repeats the rate's own currency",
                ),
                (
                    "standard",
                    json!({"display_name": "Standard", "fixed_amount": {"amount": 100_000_000, "currency": "eur"}}),
                    "fixed_amount[amount]",
                    "at most 99999999",
                ),
                (
                    "standard",
                    json!({"display_name": "Standard", "delivery_estimate": {"minimum": {"unit": "fortnight", "value": 1}}}),
                    "delivery_estimate[minimum][unit]",
                    "invalid value \"fortnight\"",
                ),
            ],
        );
    }

    #[test]
    fn valid_shipping_rates_have_no_errors() {
        assert_valid(
            ShippingRate,
            &[json!({
                "display_name": "Express",
                "fixed_amount": {"amount": 1500, "currency": "eur", "currency_options": {"usd": {"amount": 1700, "tax_behavior": "exclusive"}}},
                "delivery_estimate": {"minimum": {"unit": "business_day", "value": 1}, "maximum": {"unit": "business_day", "value": 2}},
                "tax_behavior": "exclusive",
                "tax_code": "txcd_92010001",
            })],
        );
    }
}
