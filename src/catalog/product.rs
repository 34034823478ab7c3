//! A product: `product(id, #{ name, ... })`.

use serde::{Deserialize, Serialize};

use super::common::Metadata;
use super::declared::{reference, Declared, Spec};
use super::key::{LookupKey, ProductKey};
use super::validate::Check;
use super::Reference;
use crate::kinds::ObjectKind;

/// A declared product; its key is the custom product id.
pub type Product = Declared<ProductSpec>;

/// Product create params (Stripe's names), as a script writes them.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSpec {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The key of a price of this catalog (set by the planner once the price exists).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_price: Option<LookupKey>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub images: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marketing_features: Option<Vec<MarketingFeature>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Metadata>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub package_dimensions: Option<PackageDimensions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shippable: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub statement_descriptor: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_details: Option<TaxDetails>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit_label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// One line of a product's marketing feature list. A script may write the plain string
/// (`"Email support"`) for `#{ name: "Email support" }`.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(from = "MarketingFeatureInput")]
pub struct MarketingFeature {
    pub name: String,
}

#[derive(Deserialize)]
#[serde(untagged, expecting = "a string or #{ name: \"...\" }")]
enum MarketingFeatureInput {
    Name(String),
    Object { name: String },
}

impl From<MarketingFeatureInput> for MarketingFeature {
    fn from(input: MarketingFeatureInput) -> Self {
        match input {
            MarketingFeatureInput::Name(name) | MarketingFeatureInput::Object { name } => {
                MarketingFeature { name }
            }
        }
    }
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PackageDimensions {
    pub height: f64,
    pub length: f64,
    pub weight: f64,
    pub width: f64,
}

#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TaxDetails {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub performance_location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tax_code: Option<String>,
}

impl Spec for ProductSpec {
    const KIND: ObjectKind = ObjectKind::Product;
    type Key = ProductKey;

    fn references(&self) -> Vec<Reference> {
        self.default_price
            .iter()
            .map(|key| reference("default_price", ObjectKind::Price, key.as_str()))
            .collect()
    }

    fn validate(&self, check: &mut Check<'_>) {
        super::validate::product(self, check);
    }
}
