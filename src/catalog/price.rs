//! A price: `price(lookup_key, #{ product, currency, unit_amount, ... })`.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use super::common::{
    CurrencyOption, CustomUnitAmount, Metadata, OnImmutableChange, Recurring, Tier,
};
use super::declared::{reference, Declared, Spec};
use super::key::{LookupKey, ProductKey};
use super::validate::Check;
use super::Reference;
use crate::kinds::ObjectKind;

/// A declared price; its key is the lookup key.
pub type Price = Declared<PriceSpec>;

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

    fn references(&self) -> Vec<Reference> {
        vec![reference(
            "product",
            ObjectKind::Product,
            self.product.as_str(),
        )]
    }

    fn allows_replace(&self) -> bool {
        self.on_immutable_change == Some(OnImmutableChange::Replace)
    }

    fn validate(&self, check: &mut Check<'_>) {
        super::validate::price(self, check);
    }
}
