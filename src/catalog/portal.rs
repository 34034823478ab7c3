//! A customer-portal configuration: `portal(key, #{ features, business_profile, ... })`.
//!
//! Stripe gives portal configurations no key of their own; the planner keeps ours in metadata
//! `billingctl_key`, so the params here never carry it.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::Metadata;
use super::declared::Spec;
use super::graph::Index;
use super::key::{LookupKey, PortalKey, ProductKey};
use super::validate::Check;
use crate::kinds::ObjectKind;

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

    /// A portal lists, per product, recurring prices of that product; Stripe rejects a price
    /// of another one.
    fn validate_related(&self, check: &mut Check<'_>, declared: &Index<'_>) {
        let products = self
            .features
            .subscription_update
            .iter()
            .flat_map(|u| u.products.iter().flatten().enumerate());
        for (i, listed) in products {
            for (j, key) in listed.prices.iter().enumerate() {
                let Some(price) = declared.get(ObjectKind::Price, key.as_str()) else {
                    continue;
                };
                let path = format!("features[subscription_update][products][{i}][prices][{j}]");
                let params = price.params();
                let owner = params
                    .get("product")
                    .and_then(Value::as_str)
                    .unwrap_or_default();
                if listed.product.as_str() != owner {
                    check.error(
                        &path,
                        format!(
                            "`{path}`: price `{key}` belongs to product `{owner}`, not `{}`",
                            listed.product
                        ),
                    );
                }
                if params.get("recurring").is_none() {
                    check.error(
                        &path,
                        format!(
                            "`{path}`: price `{key}` is not recurring; the portal only switches subscriptions"
                        ),
                    );
                }
            }
        }
    }

    fn validate(&self, check: &mut Check<'_>) {
        validate(self, check);
    }
}

/// A portal configuration's own rules: its key, URLs, the features' required parts.
fn validate(spec: &PortalSpec, check: &mut Check<'_>) {
    // The key is kept as a metadata value (`billingctl_key`): the table's longest one.
    let max = check.limits("metadata").chars.map_or(usize::MAX, |l| l.max);
    if check.key.is_empty() || check.key.chars().count() > max {
        check.error(
            "key",
            format!("the portal key must be 1 to {max} characters"),
        );
    }
    if let Some(b) = &spec.business_profile {
        check.url(
            "business_profile[privacy_policy_url]",
            b.privacy_policy_url.as_deref(),
        );
        check.url(
            "business_profile[terms_of_service_url]",
            b.terms_of_service_url.as_deref(),
        );
    }
    check.url("default_return_url", spec.default_return_url.as_deref());
    let f = &spec.features;
    if let Some(c) = f
        .subscription_cancel
        .as_ref()
        .and_then(|c| c.cancellation_reason.as_ref())
    {
        if c.enabled && c.options.is_empty() {
            check.error(
                "features[subscription_cancel][cancellation_reason][options]",
                "enabled cancellation reasons need at least one option",
            );
        }
    }
    if let Some(u) = f.subscription_update.as_ref().filter(|u| u.enabled) {
        let products = u.products.as_deref().unwrap_or_default();
        if products.is_empty() {
            check.error_help(
                "features[subscription_update][products]",
                "an enabled subscription update needs `products`",
                "list the products (and their price keys) customers may switch between",
            );
        }
        if u.default_allowed_updates
            .as_ref()
            .map_or(true, Vec::is_empty)
        {
            check.error_help(
                "features[subscription_update][default_allowed_updates]",
                "an enabled subscription update needs `default_allowed_updates`",
                "e.g. `default_allowed_updates: [\"price\"]`",
            );
        }
        for (i, p) in products.iter().enumerate() {
            let base = format!("features[subscription_update][products][{i}]");
            if p.prices.is_empty() {
                check.error(
                    &format!("{base}[prices]"),
                    format!("`{base}[prices]` must name at least one price"),
                );
            }
            if let Some(q) = &p.adjustable_quantity {
                check.non_negative(&format!("{base}[adjustable_quantity][minimum]"), q.minimum);
                if let (Some(min), Some(max)) = (q.minimum, q.maximum) {
                    if min > max {
                        check.error(&format!("{base}[adjustable_quantity]"), format!("`{base}[adjustable_quantity][minimum]` {min} is greater than maximum {max}"));
                    }
                }
            }
        }
    }
    if let Some(d) = f
        .subscription_pause
        .as_ref()
        .and_then(|p| p.duration.as_ref())
    {
        let field = "features[subscription_pause][duration]";
        // `interval_options` required with `type: "interval_options"` is R003 of the rules
        // table (`crate::kinds::rules`), checked there for the planner and the emulator.
        let options = d.interval_options.as_deref().unwrap_or_default();
        for (i, o) in options.iter().enumerate() {
            check.interval(
                &format!("{field}[interval_options][{i}]"),
                &o.interval,
                o.interval_count,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::assert_cases;
    use crate::kinds::ObjectKind::PortalConfiguration;

    #[test]
    fn each_rule_names_its_field() {
        let long = "k".repeat(501);
        assert_cases(
            PortalConfiguration,
            &[
                (
                    "k",
                    json!({"features": {"subscription_update": {"enabled": true, "default_allowed_updates": ["price"], "products": [{"product": "p", "prices": []}]}}}),
                    "features[subscription_update][products][0][prices]",
                    "at least one price",
                ),
                (
                    "k",
                    json!({"features": {"subscription_update": {"enabled": true, "default_allowed_updates": ["price"], "products": [{"product": "p", "prices": ["a"], "adjustable_quantity": {"enabled": true, "minimum": 5, "maximum": 2}}]}}}),
                    "features[subscription_update][products][0][adjustable_quantity]",
                    "greater than maximum",
                ),
                (
                    "k",
                    json!({"features": {}, "default_return_url": "app.example.com"}),
                    "default_return_url",
                    "http(s) URL",
                ),
                (
                    &long,
                    json!({"features": {}}),
                    "key",
                    "the portal key must be 1 to 500 characters",
                ),
            ],
        );
    }
}
