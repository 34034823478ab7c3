//! Param shapes shared by several objects: metadata, tiers, custom amounts, recurring.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// What the plan does when an immutable field of an object changed (docs/LIFECYCLE.md).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnImmutableChange {
    /// Stop with an error (the default; `--allow-replace` replaces anyway).
    #[default]
    Fail,
    /// Replace the object: a new one takes the key, the old one is deactivated.
    Replace,
}

/// Stripe metadata: string keys to string values.
pub type Metadata = IndexMap<String, String>;

/// `recurring` of a price (and of `default_price_data`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Recurring {
    pub interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_period_days: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_type: Option<String>,
}

/// One tier of a tiered price.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub up_to: UpTo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flat_amount_decimal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount_decimal: Option<String>,
}

/// A tier's upper bound: a quantity, or `"inf"` for the last tier.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(untagged, expecting = "an integer or \"inf\"")]
pub enum UpTo {
    Quantity(i64),
    /// Only `"inf"` is valid; anything else is reported by validation.
    Word(String),
}

/// `custom_unit_amount`: the customer chooses the amount (pay what you want).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomUnitAmount {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preset: Option<i64>,
}

/// A price's amount in one more currency (`currency_options[<cur>]`).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CurrencyOption {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_unit_amount: Option<CustomUnitAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Tier>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount_decimal: Option<String>,
}
