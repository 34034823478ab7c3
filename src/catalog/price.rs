//! A price: `price(lookup_key, #{ product, currency, unit_amount, ... })`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::{
    CurrencyOption, CustomUnitAmount, Metadata, OnImmutableChange, Recurring, Tier, UpTo,
};
use super::declared::Spec;
use super::key::{LookupKey, ProductKey};
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Price create params (Stripe's names), as a script writes them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceSpec {
    /// The key of the product this price belongs to.
    pub product: ProductKey,
    pub currency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_amount_decimal: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recurring: Option<Recurring>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_scheme: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Tier>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_options: Option<IndexMap<String, CurrencyOption>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_unit_amount: Option<CustomUnitAmount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transform_quantity: Option<TransformQuantity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// `on_immutable_change: "replace"`: replace this object when an immutable field changed
    /// instead of stopping (docs/LIFECYCLE.md). Not a Stripe param: never sent.
    #[serde(default, skip_serializing)]
    pub on_immutable_change: Option<OnImmutableChange>,
}

/// `transform_quantity`: bill per package of `divide_by` units.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TransformQuantity {
    pub divide_by: i64,
    pub round: String,
}

impl Spec for PriceSpec {
    const KIND: ObjectKind = ObjectKind::Price;
    type Key = LookupKey;

    fn allows_replace(&self) -> bool {
        self.on_immutable_change == Some(OnImmutableChange::Replace)
    }

    fn validate(&self, check: &mut Check<'_>) {
        validate(self, check);
    }
}

/// A price's own rules: its key, amounts, the tiered and per-unit shapes, recurring,
/// custom amounts and currency options.
fn validate(spec: &PriceSpec, check: &mut Check<'_>) {
    // A key is never empty; how long it may be is the table's (`lookup_key`).
    check.key_length();
    check.currency("currency", &spec.currency);
    check.non_negative("unit_amount", spec.unit_amount);
    check.decimal("unit_amount_decimal", spec.unit_amount_decimal.as_deref());
    if spec.unit_amount.is_some() && spec.unit_amount_decimal.is_some() {
        check.error(
            "unit_amount_decimal",
            "set only one of `unit_amount` and `unit_amount_decimal`",
        );
    }
    if let Some(r) = &spec.recurring {
        recurring(check, r);
    }
    let tiered = spec.billing_scheme.as_deref() == Some("tiered");
    let has_amount = spec.unit_amount.is_some() || spec.unit_amount_decimal.is_some();
    if tiered {
        if spec.tiers_mode.is_none() {
            check.error_help(
                "tiers_mode",
                "a tiered price needs `tiers_mode`",
                "set `tiers_mode: \"graduated\"` or `\"volume\"`",
            );
        }
        match &spec.tiers {
            Some(list) => tiers(check, "tiers", list),
            None => check.error("tiers", "a tiered price needs `tiers`"),
        }
        if has_amount {
            check.error_help(
                "unit_amount",
                "a tiered price takes its amounts from `tiers`",
                "remove `unit_amount` or use `billing_scheme: \"per_unit\"`",
            );
        }
        if spec.transform_quantity.is_some() {
            check.error(
                "transform_quantity",
                "`transform_quantity` cannot be combined with tiers",
            );
        }
    } else {
        if spec.tiers.is_some() || spec.tiers_mode.is_some() {
            let field = if spec.tiers.is_some() {
                "tiers"
            } else {
                "tiers_mode"
            };
            check.error_help(
                field,
                format!("`{field}` needs `billing_scheme: \"tiered\"`"),
                "add `billing_scheme: \"tiered\"` (with `tiers_mode` and `tiers`)",
            );
        }
        if !has_amount && spec.custom_unit_amount.is_none() && spec.tiers.is_none() {
            check.error_help(
                "unit_amount",
                "a price needs an amount",
                "set `unit_amount` (minor units, e.g. 900 for 9.00), `unit_amount_decimal`, `custom_unit_amount`, or tiers",
            );
        }
    }
    if let Some(c) = &spec.custom_unit_amount {
        custom_unit_amount(check, "custom_unit_amount", c);
        if has_amount {
            check.error(
                "custom_unit_amount",
                "set either `custom_unit_amount` or `unit_amount`, not both",
            );
        }
        if spec.recurring.is_some() {
            check.error(
                "custom_unit_amount",
                "`custom_unit_amount` is only for one-time prices (remove `recurring`)",
            );
        }
    }
    if let Some(options) = &spec.currency_options {
        for (cur, option) in options {
            currency_option(check, spec, tiered, cur, option);
        }
    }
    if let Some(t) = &spec.transform_quantity {
        check.positive("transform_quantity[divide_by]", Some(t.divide_by));
    }
}

fn currency_option(
    check: &mut Check<'_>,
    spec: &PriceSpec,
    tiered: bool,
    cur: &str,
    option: &CurrencyOption,
) {
    let base = format!("currency_options[{cur}]");
    check.currency(&base, cur);
    if cur == spec.currency {
        check.error(
            &base,
            format!("`{base}` repeats the price's own currency `{cur}`"),
        );
    }
    check.non_negative(&format!("{base}[unit_amount]"), option.unit_amount);
    check.decimal(
        &format!("{base}[unit_amount_decimal]"),
        option.unit_amount_decimal.as_deref(),
    );
    // param-rules R036: "Only one of `unit_amount` and `unit_amount_decimal` can be set".
    if option.unit_amount.is_some() && option.unit_amount_decimal.is_some() {
        check.error(
            &format!("{base}[unit_amount_decimal]"),
            format!("`{base}`: set only one of `unit_amount` and `unit_amount_decimal`"),
        );
    }
    if let Some(c) = &option.custom_unit_amount {
        custom_unit_amount(check, &format!("{base}[custom_unit_amount]"), c);
    }
    let has_amount = option.unit_amount.is_some() || option.unit_amount_decimal.is_some();
    if tiered {
        match &option.tiers {
            Some(list) => tiers(check, &format!("{base}[tiers]"), list),
            None => check.error(
                &format!("{base}[tiers]"),
                format!("`{base}` of a tiered price needs `tiers`"),
            ),
        }
    } else if option.tiers.is_some() {
        check.error(
            &format!("{base}[tiers]"),
            format!("`{base}[tiers]` needs `billing_scheme: \"tiered\"`"),
        );
    } else if !has_amount && option.custom_unit_amount.is_none() {
        check.error(
            &format!("{base}[unit_amount]"),
            format!("`{base}` needs `unit_amount`"),
        );
    }
}

fn recurring(check: &mut Check<'_>, recurring: &Recurring) {
    check.interval("recurring", &recurring.interval, recurring.interval_count);
    if recurring.usage_type.as_deref() == Some("metered") && recurring.meter.is_none() {
        check.error_help(
            "recurring[meter]",
            "a metered price needs `recurring[meter]`",
            "declare meter(event_name, #{ ... }) and name its event name in `recurring.meter`, or use usage_type `licensed`",
        );
    }
    if let Some(days) = recurring.trial_period_days.filter(|d| *d < 0) {
        check.error(
            "recurring[trial_period_days]",
            format!("`recurring[trial_period_days]` must be >= 0, got {days}"),
        );
    }
}

fn custom_unit_amount(check: &mut Check<'_>, field: &str, c: &CustomUnitAmount) {
    for (name, v) in [
        ("minimum", c.minimum),
        ("maximum", c.maximum),
        ("preset", c.preset),
    ] {
        check.non_negative(&format!("{field}[{name}]"), v);
    }
    if let (Some(min), Some(max)) = (c.minimum, c.maximum) {
        if min > max {
            check.error(
                field,
                format!("`{field}[minimum]` {min} is greater than `{field}[maximum]` {max}"),
            );
        }
    }
    if let Some(preset) = c.preset {
        if c.minimum.is_some_and(|m| preset < m) || c.maximum.is_some_and(|m| preset > m) {
            check.error(
                &format!("{field}[preset]"),
                format!("`{field}[preset]` {preset} is outside minimum..maximum"),
            );
        }
    }
}

fn tiers(check: &mut Check<'_>, field: &str, tiers: &[Tier]) {
    if tiers.is_empty() {
        check.error(field, format!("`{field}` must have at least one tier"));
        return;
    }
    let mut previous: Option<i64> = None;
    for (i, tier) in tiers.iter().enumerate() {
        let path = format!("{field}[{i}]");
        let last = i + 1 == tiers.len();
        match &tier.up_to {
            UpTo::Quantity(q) => {
                if last {
                    check.error_help(
                        &format!("{path}[up_to]"),
                        format!("the last tier's `up_to` must be \"inf\", got {q}"),
                        "end the tiers with #{ up_to: \"inf\", ... }",
                    );
                }
                if *q < 1 || previous.is_some_and(|p| *q <= p) {
                    check.error(
                        &format!("{path}[up_to]"),
                        format!("`{path}[up_to]` must be a positive quantity above the previous tier's, got {q}"),
                    );
                }
                previous = Some(*q);
            }
            UpTo::Word(w) if w == "inf" => {
                if !last {
                    check.error(
                        &format!("{path}[up_to]"),
                        "only the last tier may be \"inf\"",
                    );
                }
            }
            UpTo::Word(w) => check.error(
                &format!("{path}[up_to]"),
                format!("`{path}[up_to]` must be an integer or \"inf\", got \"{w}\""),
            ),
        }
        check.non_negative(&format!("{path}[unit_amount]"), tier.unit_amount);
        check.non_negative(&format!("{path}[flat_amount]"), tier.flat_amount);
        check.decimal(
            &format!("{path}[unit_amount_decimal]"),
            tier.unit_amount_decimal.as_deref(),
        );
        check.decimal(
            &format!("{path}[flat_amount_decimal]"),
            tier.flat_amount_decimal.as_deref(),
        );
        if tier.unit_amount.is_some() && tier.unit_amount_decimal.is_some() {
            check.error(
                &path,
                format!("`{path}`: set only one of `unit_amount` and `unit_amount_decimal`"),
            );
        }
        if tier.flat_amount.is_some() && tier.flat_amount_decimal.is_some() {
            check.error(
                &path,
                format!("`{path}`: set only one of `flat_amount` and `flat_amount_decimal`"),
            );
        }
        if [
            tier.unit_amount.is_some(),
            tier.unit_amount_decimal.is_some(),
            tier.flat_amount.is_some(),
            tier.flat_amount_decimal.is_some(),
        ]
        .iter()
        .all(|set| !set)
        {
            check.error(
                &path,
                format!("`{path}` needs a `unit_amount` or a `flat_amount`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::catalog::validate::testing::{assert_cases, assert_valid};
    use crate::kinds::ObjectKind::Price;

    fn price(extra: Value) -> Value {
        let mut base = json!({"product": "p", "currency": "eur", "unit_amount": 900});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    }

    #[test]
    fn each_rule_names_its_field() {
        let long = "x".repeat(201);
        assert_cases(
            Price,
            &[
                (
                    "k",
                    price(json!({"currency": "EUR"})),
                    "currency",
                    "unsupported currency `EUR`",
                ),
                (
                    "k",
                    price(json!({"unit_amount": -1})),
                    "unit_amount",
                    "must be >= 0",
                ),
                (
                    "k",
                    price(json!({"unit_amount": 100_000_000})),
                    "unit_amount",
                    "at most 99999999",
                ),
                (
                    "k",
                    price(json!({"unit_amount_decimal": "1.5"})),
                    "unit_amount_decimal",
                    "only one of",
                ),
                (
                    "k",
                    json!({"product": "p", "currency": "eur", "unit_amount_decimal": "1.1234567890123"}),
                    "unit_amount_decimal",
                    "at most 12 decimal places",
                ),
                (&long, price(json!({})), "lookup_key", "1 to 200 characters"),
                (
                    "k",
                    price(json!({"recurring": {"interval": "week", "interval_count": 157}})),
                    "recurring[interval_count]",
                    "longer than three years",
                ),
                (
                    "k",
                    price(json!({"recurring": {"interval": "day", "interval_count": 0}})),
                    "recurring[interval_count]",
                    "at least 1",
                ),
                (
                    "k",
                    price(json!({"recurring": {"interval": "month", "usage_type": "metered"}})),
                    "recurring[meter]",
                    "needs `recurring[meter]`",
                ),
                (
                    "k",
                    price(json!({"recurring": {"interval": "fortnight"}})),
                    "recurring[interval]",
                    "invalid value \"fortnight\"",
                ),
                (
                    "k",
                    json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": []}),
                    "tiers",
                    "at least one tier",
                ),
                (
                    "k",
                    json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]}),
                    "tiers[0][up_to]",
                    "only the last tier",
                ),
                (
                    "k",
                    json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": "all", "unit_amount": 1}]}),
                    "tiers[0][up_to]",
                    "an integer or \"inf\"",
                ),
                (
                    "k",
                    json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": "inf"}]}),
                    "tiers[0]",
                    "needs a `unit_amount` or a `flat_amount`",
                ),
                (
                    "k",
                    price(json!({"currency_options": {"usd": {}}})),
                    "currency_options[usd][unit_amount]",
                    "needs `unit_amount`",
                ),
                (
                    "k",
                    price(json!({"currency_options": {"eur": {"unit_amount": 1}}})),
                    "currency_options[eur]",
                    "repeats the price's own currency",
                ),
                (
                    "k",
                    price(json!({"transform_quantity": {"divide_by": 0, "round": "up"}})),
                    "transform_quantity[divide_by]",
                    "positive integer",
                ),
                (
                    "k",
                    price(json!({"tax_behavior": "included"})),
                    "tax_behavior",
                    "invalid value",
                ),
            ],
        );
    }

    #[test]
    fn valid_prices_have_no_errors() {
        assert_valid(
            Price,
            &[
                price(json!({"recurring": {"interval": "year", "interval_count": 3}})),
                json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "graduated",
                       "tiers": [{"up_to": 10, "unit_amount": 100}, {"up_to": "inf", "flat_amount": 5}]}),
                json!({"product": "p", "currency": "usd", "custom_unit_amount": {"enabled": true, "minimum": 100, "preset": 500}}),
            ],
        );
    }
}
