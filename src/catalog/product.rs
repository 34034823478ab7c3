//! A product: `product(id, #{ name, ... })`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::common::Metadata;
use super::declared::Spec;
use super::graph::Index;
use super::key::{LookupKey, ProductKey};
use super::validate::Check;
use crate::kinds::ObjectKind;

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

    /// Stripe only accepts a product's own (active) price as its `default_price`.
    fn validate_related(&self, check: &mut Check<'_>, declared: &Index<'_>) {
        let Some(key) = &self.default_price else {
            return;
        };
        let Some(price) = declared.get(ObjectKind::Price, key.as_str()) else {
            return;
        };
        let params = price.params();
        let owner = params
            .get("product")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if params.get("active") == Some(&Value::Bool(false)) {
            check.error(
                "default_price",
                format!(
                    "`default_price`: price `{key}` is deactivated; a product's default price must be active"
                ),
            );
        }
        if owner != check.key {
            check.error(
                "default_price",
                format!(
                    "`default_price`: price `{key}` belongs to product `{owner}`, not to this one"
                ),
            );
        }
    }

    fn validate(&self, check: &mut Check<'_>) {
        check.key_characters();
        if self.name.trim().is_empty() {
            check.error("name", "`name` must not be empty");
        }
        for (i, image) in self.images.iter().flatten().enumerate() {
            check.url(&format!("images[{i}]"), Some(image));
        }
        check.url("url", self.url.as_deref());
        if let Some(d) = &self.package_dimensions {
            for (name, v) in [
                ("height", d.height),
                ("length", d.length),
                ("weight", d.weight),
                ("width", d.width),
            ] {
                if v <= 0.0 {
                    check.error(
                        &format!("package_dimensions[{name}]"),
                        format!("`package_dimensions[{name}]` must be positive, got {v}"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::catalog::validate::testing::{assert_cases, assert_valid};
    use crate::kinds::ObjectKind::Product;

    #[test]
    fn each_rule_names_its_field() {
        assert_cases(
            Product,
            &[
                ("k", json!({"name": " "}), "name", "must not be empty"),
                ("bad id", json!({"name": "P"}), "id", "only letters, digits"),
                (
                    "k",
                    json!({"name": "P", "images": ["ftp://x"]}),
                    "images[0]",
                    "http(s) URL",
                ),
                (
                    "k",
                    json!({"name": "P", "package_dimensions": {"height": 0.0, "length": 1.0, "weight": 1.0, "width": 1.0}}),
                    "package_dimensions[height]",
                    "must be positive",
                ),
            ],
        );
    }

    #[test]
    fn valid_products_have_no_errors() {
        assert_valid(
            Product,
            &[
                json!({"name": "P", "statement_descriptor": "ACME PRO 2026", "metadata": {"a": "b"}}),
            ],
        );
    }
}
