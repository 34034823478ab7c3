//! A product feature: the attachment of an entitlement feature to a product, declared in the
//! product's `features` (`product(id, #{ features: [feature keys] })`), never on its own
//! (`script::recorder` turns each key into one of these).

use serde::{Deserialize, Serialize};

use super::declared::{Declared, Spec};
use super::key::{FeatureKey, PairKey, ProductKey};
use super::validate::Check;
use crate::kinds::ObjectKind;

/// A declared attachment; its key is the (product, feature) pair.
pub type ProductFeature = Declared<ProductFeatureSpec>;

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
}
