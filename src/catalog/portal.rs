//! A customer-portal configuration: `portal(key, #{ features, business_profile, ... })`.
//!
//! Stripe gives portal configurations no key of their own; the planner keeps ours in metadata
//! `billingctl_key`, so the params here never carry it.

use serde::{Deserialize, Serialize};

use super::common::Metadata;
use super::declared::{reference, Declared, Spec};
use super::key::{LookupKey, PortalKey, ProductKey};
use super::validate::Check;
use super::Reference;
use crate::kinds::ObjectKind;

/// A declared portal configuration.
pub type Portal = Declared<PortalSpec>;

/// Portal configuration create params (Stripe's names), plus `active` (update-only in Stripe:
/// `false` deactivates the configuration).
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PortalSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_profile: Option<BusinessProfile>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_return_url: Option<String>,
    pub features: Features,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub login_page: Option<Enabled>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessProfile {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_policy_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms_of_service_url: Option<String>,
}

/// A feature that is only switched on or off.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Enabled {
    pub enabled: bool,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Features {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_update: Option<CustomerUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_history: Option<Enabled>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_update: Option<PaymentMethodUpdate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_cancel: Option<SubscriptionCancel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_pause: Option<SubscriptionPause>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_update: Option<SubscriptionUpdate>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CustomerUpdate {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_updates: Option<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentMethodUpdate {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_configuration: Option<String>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionCancel {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proration_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancellation_reason: Option<CancellationReason>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CancellationReason {
    pub enabled: bool,
    pub options: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub feedback_options: Option<Vec<String>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionPause {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub duration: Option<PauseDuration>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PauseDuration {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_options: Option<Vec<IntervalOption>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct IntervalOption {
    pub interval: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_count: Option<i64>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SubscriptionUpdate {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_allowed_updates: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub products: Option<Vec<PortalProduct>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proration_behavior: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing_cycle_anchor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule_at_period_end: Option<ScheduleAtPeriodEnd>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_update_behavior: Option<String>,
}

/// A product customers may switch to, with the keys of its prices they may choose.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PortalProduct {
    pub product: ProductKey,
    pub prices: Vec<LookupKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjustable_quantity: Option<AdjustableQuantity>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AdjustableQuantity {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
}

/// When downgrades wait for the period end; no conditions means changes apply immediately.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduleAtPeriodEnd {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(rename = "type")]
    pub kind: String,
}

impl Spec for PortalSpec {
    const KIND: ObjectKind = ObjectKind::PortalConfiguration;
    type Key = PortalKey;

    fn references(&self) -> Vec<Reference> {
        let products = self
            .features
            .subscription_update
            .iter()
            .flat_map(|u| u.products.iter().flatten().enumerate());
        let mut refs = Vec::new();
        for (i, p) in products {
            let base = format!("features[subscription_update][products][{i}]");
            refs.push(reference(
                format!("{base}[product]"),
                ObjectKind::Product,
                p.product.as_str(),
            ));
            for (j, price) in p.prices.iter().enumerate() {
                refs.push(reference(
                    format!("{base}[prices][{j}]"),
                    ObjectKind::Price,
                    price.as_str(),
                ));
            }
        }
        refs
    }

    fn validate(&self, check: &mut Check<'_>) {
        super::validate::portal(self, check);
    }
}
