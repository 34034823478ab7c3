//! A promotion code: `promotion_code(code, #{ coupon, ... })`.
//!
//! A script names the coupon either as `coupon: KEY` (short) or in this API version's own
//! shape `promotion: #{ type: "coupon", coupon: KEY }`; the params always use the latter.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::{Metadata, OnImmutableChange};
use super::declared::Spec;
use super::key::{CouponId, PromoCode};
use super::validate::Check;
use crate::kinds::ObjectKind;

/// Promotion code create params (Stripe's names), as a script writes them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PromotionCodeSpec {
    pub promotion: Promotion,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    /// Unix seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_redemptions: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restrictions: Option<Restrictions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    /// `on_immutable_change: "replace"`: replace this object when an immutable field changed
    /// instead of stopping (docs/LIFECYCLE.md). Not a Stripe param: never sent.
    #[serde(default, skip_serializing)]
    pub on_immutable_change: Option<OnImmutableChange>,
}

/// `promotion`: what the code grants (in this API version, always a coupon).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Promotion {
    #[serde(rename = "type", default = "coupon_type")]
    pub kind: String,
    pub coupon: CouponId,
}

fn coupon_type() -> String {
    "coupon".into()
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Restrictions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency_options: Option<IndexMap<String, MinimumAmount>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_time_transaction: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_amount: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_amount_currency: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MinimumAmount {
    pub minimum_amount: i64,
}

impl Spec for PromotionCodeSpec {
    const KIND: ObjectKind = ObjectKind::PromotionCode;
    type Key = PromoCode;

    fn allows_replace(&self) -> bool {
        self.on_immutable_change == Some(OnImmutableChange::Replace)
    }

    fn validate(&self, check: &mut Check<'_>) {
        validate(self, check);
    }
}

/// A promotion code's own rules: its code, the coupon it grants, limits, restrictions.
fn validate(spec: &PromotionCodeSpec, check: &mut Check<'_>) {
    let code = check.key;
    let max = check.limits("code").chars.map_or(usize::MAX, |l| l.max);
    if code.chars().count() > max {
        check.error(
            "code",
            format!(
                "promotion code is {} characters; at most {max}",
                code.chars().count()
            ),
        );
    }
    check.key_characters();
    if spec.promotion.kind != "coupon" {
        check.error(
            "promotion[type]",
            format!(
                "`promotion[type]` must be \"coupon\", got \"{}\"",
                spec.promotion.kind
            ),
        );
    }
    check.positive("max_redemptions", spec.max_redemptions);
    check.positive("expires_at", spec.expires_at);
    if let Some(r) = &spec.restrictions {
        check.non_negative("restrictions[minimum_amount]", r.minimum_amount);
        match (r.minimum_amount, &r.minimum_amount_currency) {
            (Some(_), None) => check.error(
                "restrictions[minimum_amount_currency]",
                "`restrictions[minimum_amount]` needs `restrictions[minimum_amount_currency]`",
            ),
            (None, Some(_)) => check.error(
                "restrictions[minimum_amount]",
                "`restrictions[minimum_amount_currency]` needs `restrictions[minimum_amount]`",
            ),
            _ => {}
        }
        if let Some(c) = &r.minimum_amount_currency {
            check.currency("restrictions[minimum_amount_currency]", c);
        }
        for (cur, m) in r.currency_options.iter().flatten() {
            let base = format!("restrictions[currency_options][{cur}]");
            check.currency(&base, cur);
            check.non_negative(&format!("{base}[minimum_amount]"), Some(m.minimum_amount));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::assert_cases;
    use crate::kinds::ObjectKind::PromotionCode;

    #[test]
    fn each_rule_names_its_field() {
        let long = "A".repeat(501);
        assert_cases(
            PromotionCode,
            &[
                (
                    "K",
                    json!({"promotion": {"coupon": "c"}, "restrictions": {"minimum_amount": 100}}),
                    "restrictions[minimum_amount_currency]",
                    "needs `restrictions[minimum_amount_currency]`",
                ),
                (
                    "K",
                    json!({"promotion": {"type": "gift", "coupon": "c"}}),
                    "promotion[type]",
                    "must be \"coupon\"",
                ),
                (
                    "K",
                    json!({"promotion": {"coupon": "c"}, "expires_at": -5}),
                    "expires_at",
                    "positive integer",
                ),
                (
                    "SAVE 10",
                    json!({"promotion": {"coupon": "c"}}),
                    "code",
                    "may only contain a-z, A-Z, 0-9 and `-`",
                ),
                (
                    &long,
                    json!({"promotion": {"coupon": "c"}}),
                    "code",
                    "promotion code is 501 characters; at most 500",
                ),
            ],
        );
    }
}
