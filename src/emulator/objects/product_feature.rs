//! Product features: the attachment of an entitlement feature to a product, under
//! `/v1/products/{product}/features`. The stored object keeps its product's id in `product`
//! (how `Resource::within` finds it under the path); the response leaves it out and shows
//! the feature whole, as fixtures3.json's `product_feature` does.
//!
//! Stripe's answers, where the reference names them and where it does not:
//! - An archived feature: "Inactive features cannot be attached to new products"
//!   (param-rules R022): 400 on `entitlement_feature`.
//! - The same feature twice on one product: the reference gives no message; the emulator
//!   refuses it as `resource_already_exists` on `entitlement_feature` (a product's
//!   entitlements are a set; docs.stripe.com/api/product-feature gives no duplicate).
//! - Deleting: `DELETE .../features/{id}` answers the fixture's `deleted_product_feature`
//!   (`{id, object, deleted: true}`, the generic delete), and takes the feature away from
//!   the product ("Deletes the feature attachment to a product", catalog-fields.json).
//! - An unknown product in the path: 404 "No such product" (`resource_missing`).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::store::new_id;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::ProductFeature;
/// The field the stored object keeps its product's id in: the path's `{product}`.
const PRODUCT: &str = "product";

pub(super) struct ProductFeature;

impl Resource for ProductFeature {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "product feature"
    }

    /// fixtures3.json: `prodft_BcMBZUWCIOEgEc`.
    fn new_id(&self) -> String {
        new_id(KIND.table().id_prefix, 14)
    }

    fn build(
        &self,
        cx: &Context,
        params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let product = cx
            .path_ids()
            .iter()
            .find(|(name, _)| *name == PRODUCT)
            .map(|(_, id)| id.clone())
            .unwrap_or_default();
        if cx.store.get(ObjectKind::Product, &product).is_none() {
            return Err(ErrorResponse::no_such("product", &product, PRODUCT, 404));
        }
        let param = "entitlement_feature";
        let feature_id = params[param].as_str().unwrap_or_default().to_owned();
        let Some(feature) = cx.store.get(ObjectKind::Feature, &feature_id) else {
            return Err(ErrorResponse::no_such("feature", &feature_id, param, 400));
        };
        if feature["active"] == Value::Bool(false) {
            return Err(ErrorResponse::param(
                param,
                format!("The feature {feature_id} is archived: inactive features cannot be attached to products."),
            ));
        }
        let attached = (0..cx.store.len(KIND))
            .filter_map(|i| cx.store.at(KIND, i))
            .any(|o| o[PRODUCT] == product.as_str() && o[param] == feature_id.as_str());
        if attached {
            return Err(ErrorResponse::already_exists(
                param,
                format!("The feature {feature_id} is already attached to product {product}."),
            ));
        }
        Ok(json!({
            "id": self.new_id(), "object": KIND.table().object,
            "entitlement_feature": feature_id, "livemode": false, PRODUCT: product,
        }))
    }

    /// The feature whole (Stripe does not make it expandable: it is always the object), and
    /// no `product` (Stripe's shape does not have it).
    fn render(&self, cx: &Context, object: &Arc<Value>, _expand: &[String]) -> Arc<Value> {
        let mut shown = object.as_object().cloned().unwrap_or_default();
        shown.remove(PRODUCT);
        let feature = shown["entitlement_feature"]
            .as_str()
            .and_then(|id| cx.store.get(ObjectKind::Feature, id));
        if let Some(feature) = feature {
            let feature = super::render(cx, ObjectKind::Feature, feature, &[]);
            shown.insert("entitlement_feature".into(), (*feature).clone());
        }
        Arc::new(Value::Object(shown))
    }
}
