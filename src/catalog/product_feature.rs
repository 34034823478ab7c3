//! A product feature: the attachment of an entitlement feature to a product, declared in the
//! product's `features` (`product(id, #{ features: [feature keys] })`), never on its own
//! (`script::recorder` turns each key into one of these).

use serde::{Deserialize, Serialize};

use super::declared::Spec;
use super::graph::Index;
use super::key::{FeatureKey, PairKey, ProductKey};
use super::validate::Check;
use crate::kinds::ObjectKind;

/// The product (the path's `{product}`, never sent in the body) and the feature attached.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductFeatureSpec {
    pub product: ProductKey,
    pub entitlement_feature: FeatureKey,
}

impl Spec for ProductFeatureSpec {
    const KIND: ObjectKind = ObjectKind::ProductFeature;
    type Key = PairKey;

    /// Both halves are references, checked by the graph.
    fn validate(&self, _check: &mut Check<'_>) {}

    /// Stripe refuses to attach an archived feature ("Inactive features cannot be attached to
    /// new products", param-rules R022): a feature the script archives cannot be in a
    /// product's `features`.
    fn validate_related(&self, check: &mut Check<'_>, declared: &Index<'_>) {
        let key = self.entitlement_feature.as_str();
        let Some(feature) = declared.get(ObjectKind::Feature, key) else {
            return;
        };
        if !ObjectKind::Feature
            .def()
            .deactivation()
            .wants_on(&feature.params())
        {
            check.error_help(
                "features",
                format!(
                    "`features`: feature `{key}` is archived (`active: false`); Stripe refuses \
                     to attach an archived feature"
                ),
                format!("remove `{key}` from the product's `features`, or make the feature active"),
            );
        }
    }
}
