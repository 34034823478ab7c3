//! A coupon: `coupon(id, #{ percent_off | amount_off + currency, duration, ... })`.
//! Coupons have no `active` in Stripe; the script API refuses it (see `script::api`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::{Metadata, OnImmutableChange};
use super::declared::Spec;
use super::key::{CouponId, ProductKey};
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Coupon create params (Stripe's names), as a script writes them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CouponSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percent_off: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount_off: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_options: Option<IndexMap<String, CouponCurrencyOption>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration_in_months: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<i64>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redeem_by: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub applies_to: Option<AppliesTo>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// `on_immutable_change: "replace"`: replace this object when an immutable field changed
    /// instead of stopping (docs/LIFECYCLE.md). Not a Stripe param: never sent.
    #[serde(default, skip_serializing)]
    pub on_immutable_change: Option<OnImmutableChange>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CouponCurrencyOption {
    pub amount_off: i64,
}

/// `applies_to`: the product keys the coupon is limited to.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AppliesTo {
    pub products: Vec<ProductKey>,
}

impl Spec for CouponSpec {
    const KIND: ObjectKind = ObjectKind::Coupon;
    type Key = CouponId;

    fn allows_replace(&self) -> bool {
        self.on_immutable_change == Some(OnImmutableChange::Replace)
    }

    fn validate(&self, check: &mut Check<'_>) {
        validate(self, check);
    }
}

/// A coupon's own rules: its id, one discount (percent or amount with its currency), the
/// duration, limits on redemption, `applies_to`.
fn validate(spec: &CouponSpec, check: &mut Check<'_>) {
    check.key_characters();
    match (spec.percent_off, spec.amount_off) {
        (Some(_), Some(_)) => check.error(
            "amount_off",
            "set only one of `percent_off` and `amount_off`",
        ),
        (None, None) => check.error_help(
            "percent_off",
            "a coupon needs `percent_off` or `amount_off`",
            "e.g. `percent_off: 20.0`, or `amount_off: 500, currency: \"eur\"`",
        ),
        (Some(p), None) => {
            if !(p > 0.0 && p <= 100.0) {
                check.error(
                    "percent_off",
                    format!("`percent_off` must be in (0, 100], got {p}"),
                );
            }
            if spec.currency.is_some() {
                check.error(
                    "currency",
                    "`currency` belongs with `amount_off`, not `percent_off`",
                );
            }
            if spec.currency_options.is_some() {
                check.error("currency_options", "`currency_options` needs `amount_off`");
            }
        }
        (None, Some(a)) => {
            let max = check.limits("amount_off").max.unwrap_or(i64::MAX);
            if !(1..=max).contains(&a) {
                check.error(
                    "amount_off",
                    format!("`amount_off` must be a positive amount (minor units), got {a}"),
                );
            }
            if spec.currency.is_none() {
                check.error_help(
                    "currency",
                    "`amount_off` needs `currency`",
                    "e.g. `currency: \"eur\"`",
                );
            }
        }
    }
    if let Some(c) = &spec.currency {
        check.currency("currency", c);
    }
    for (cur, option) in spec.currency_options.iter().flatten() {
        let base = format!("currency_options[{cur}]");
        check.currency(&base, cur);
        if Some(cur) == spec.currency.as_ref() {
            check.error(
                &base,
                format!("`{base}` repeats the coupon's own currency `{cur}`"),
            );
        }
        if option.amount_off < 1 {
            check.error(
                &format!("{base}[amount_off]"),
                format!(
                    "`{base}[amount_off]` must be positive, got {}",
                    option.amount_off
                ),
            );
        }
    }
    match (spec.duration.as_deref(), spec.duration_in_months) {
        (Some("repeating"), None) => check.error_help(
            "duration_in_months",
            "a `repeating` coupon needs `duration_in_months`",
            "e.g. `duration_in_months: 3`",
        ),
        (Some("repeating"), Some(m)) if m < 1 => {
            check.error(
                "duration_in_months",
                format!("`duration_in_months` must be a positive integer, got {m}"),
            );
        }
        (Some("repeating"), Some(_)) => {}
        (_, Some(_)) => check.error_help(
            "duration_in_months",
            "`duration_in_months` is only for `duration: \"repeating\"`",
            "set `duration: \"repeating\"` or remove `duration_in_months`",
        ),
        _ => {}
    }
    check.positive("max_redemptions", spec.max_redemptions);
    check.positive("redeem_by", spec.redeem_by);
    if let Some(a) = &spec.applies_to {
        if a.products.is_empty() {
            check.error(
                "applies_to[products]",
                "`applies_to[products]` must name at least one product",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::{assert_cases, assert_valid};
    use crate::kinds::ObjectKind::Coupon;

    #[test]
    fn each_rule_names_its_field() {
        assert_cases(
            Coupon,
            &[
                (
                    "k",
                    json!({"percent_off": 10.0, "currency": "eur"}),
                    "currency",
                    "belongs with `amount_off`",
                ),
                (
                    "k",
                    json!({"amount_off": 0, "currency": "eur"}),
                    "amount_off",
                    "positive amount",
                ),
                (
                    "k",
                    json!({"amount_off": 100_000_000, "currency": "eur"}),
                    "amount_off",
                    "positive amount",
                ),
                (
                    "k",
                    json!({"amount_off": 100, "currency": "eur", "currency_options": {"usd": {"amount_off": 0}}}),
                    "currency_options[usd][amount_off]",
                    "must be positive",
                ),
                (
                    "k",
                    json!({"percent_off": 10.0, "duration": "repeating", "duration_in_months": 0}),
                    "duration_in_months",
                    "positive integer",
                ),
                (
                    "k",
                    json!({"percent_off": 10.0, "duration": "weekly"}),
                    "duration",
                    "invalid value \"weekly\"",
                ),
                (
                    "k",
                    json!({"percent_off": 10.0, "max_redemptions": 0}),
                    "max_redemptions",
                    "positive integer",
                ),
                (
                    "k",
                    json!({"percent_off": 10.0, "applies_to": {"products": []}}),
                    "applies_to[products]",
                    "at least one product",
                ),
                (
                    "a b",
                    json!({"percent_off": 10.0}),
                    "id",
                    "only letters, digits",
                ),
            ],
        );
    }

    #[test]
    fn valid_coupons_have_no_errors() {
        assert_valid(
            Coupon,
            &[
                json!({"percent_off": 100.0, "duration": "repeating", "duration_in_months": 12}),
                json!({"amount_off": 500, "currency": "eur", "currency_options": {"usd": {"amount_off": 550}}}),
            ],
        );
    }
}
