//! A coupon: `coupon(id, #{ percent_off | amount_off + currency, duration, ... })`.
//! Coupons have no `active` in Stripe; the script API refuses it (see `script::api`).

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::{Metadata, OnImmutableChange};
use super::declared::{reference, Declared, Spec};
use super::key::{CouponId, ProductKey};
use super::validate::Check;
use super::Reference;
use crate::kinds::ObjectKind;

/// A declared coupon; its key is the custom coupon id.
pub type Coupon = Declared<CouponSpec>;

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

    fn references(&self) -> Vec<Reference> {
        self.applies_to
            .iter()
            .flat_map(|a| a.products.iter().enumerate())
            .map(|(i, key)| {
                reference(
                    format!("applies_to[products][{i}]"),
                    ObjectKind::Product,
                    key.as_str(),
                )
            })
            .collect()
    }

    fn allows_replace(&self) -> bool {
        self.on_immutable_change == Some(OnImmutableChange::Replace)
    }

    fn validate(&self, check: &mut Check<'_>) {
        super::validate::coupon(self, check);
    }
}
