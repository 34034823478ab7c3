//! A promotion code: `promotion_code(code, #{ coupon, ... })`.
//!
//! A script names the coupon either as `coupon: KEY` (short) or in this API version's own
//! shape `promotion: #{ type: "coupon", coupon: KEY }`; the params always use the latter.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::{Metadata, OnImmutableChange};
use super::declared::{reference, Declared, Spec};
use super::key::{CouponId, PromoCode};
use super::validate::Check;
use super::Reference;
use crate::kinds::ObjectKind;

/// A declared promotion code; its key is the customer-facing code.
pub type PromotionCode = Declared<PromotionCodeSpec>;

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

    fn references(&self) -> Vec<Reference> {
        vec![reference(
            "promotion[coupon]",
            ObjectKind::Coupon,
            self.promotion.coupon.as_str(),
        )]
    }

    fn allows_replace(&self) -> bool {
        self.on_immutable_change == Some(OnImmutableChange::Replace)
    }

    fn validate(&self, check: &mut Check<'_>) {
        super::validate::promotion_code(self, check);
    }
}
