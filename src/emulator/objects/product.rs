//! Products: custom ids, `default_price_data` (creates the default price with the product),
//! `default_price` on update (a price of this product), delete only without prices.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Expandable, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::new_id;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::Product;
const MARKETING_FEATURES_MAX: usize = 15;
/// "Up to 80 characters long" (R087).
const MARKETING_FEATURE_NAME_MAX: usize = 80;
/// "A list of up to 8 URLs" (R085).
const IMAGES_MAX: usize = 8;

pub(super) struct Product;

/// Response-only fields, and `null` for nullable fields nobody set. Defaults come from the
/// field table (`fill_defaults`, applied to the params before they are merged over this).
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object, "created": now, "default_price": null,
        "description": null, "livemode": false, "name": null, "package_dimensions": null,
        "shippable": null, "statement_descriptor": null, "tax_code": null, "tax_details": null,
        "unit_label": null, "updated": now, "url": null,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for Product {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "product"
    }

    /// Stripe's product ids are shorter than its other ids.
    fn new_id(&self) -> String {
        new_id(KIND.table().id_prefix, 14)
    }

    /// Also a price's `product_data`, whose errors Stripe names without the prefix.
    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let id = cx.take_id(self, &mut params)?;
        check_statement_descriptor(&params)?;
        check_images(&params)?;
        check_marketing_features(&params)?;
        KIND.table().fill_defaults(&mut params);
        let mut product = skeleton(&id, cx.now());
        merge(KIND.table(), &mut product, &params);
        normalise(&mut product);
        Ok(Value::Object(product))
    }

    /// `default_price_data` creates the product's default price in the same request.
    fn create(
        &self,
        cx: &mut Context,
        mut params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let default_price_data = params.remove("default_price_data");
        let mut product = self.build(cx, params, None)?;
        let Some(Value::Object(mut data)) = default_price_data else {
            return Ok(cx.store.put(KIND, product));
        };
        let product_id = product["id"].as_str().unwrap_or_default().to_owned();
        data.insert("product".into(), Value::String(product_id.clone()));
        let nested = Nested {
            param: "default_price_data",
            alongside: Some(&product_id),
        };
        let prices = cx.resource(ObjectKind::Price);
        let price = prices.build(cx, data, Some(&nested))?;
        product["default_price"] = price["id"].clone();
        let product = cx.store.put(KIND, product);
        cx.store.put(prices.kind(), price);
        Ok(product)
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let id = current["id"].as_str().unwrap_or_default();
        if let Some(Value::String(price_id)) = params.get("default_price") {
            let belongs = cx
                .store
                .get(ObjectKind::Price, price_id)
                .is_some_and(|price| price["product"].as_str() == Some(id));
            if !belongs {
                return Err(ErrorResponse::no_such(
                    "price",
                    price_id,
                    "default_price",
                    400,
                ));
            }
        }
        check_statement_descriptor(&params)?;
        check_images(&params)?;
        check_marketing_features(&params)?;
        let mut product = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut product, &params);
        product.insert("updated".into(), cx.now().into());
        normalise(&mut product);
        Ok(cx.store.put(KIND, Value::Object(product)))
    }

    /// Stripe: "You can only delete products that have no prices associated with them"
    /// (archived ones included).
    fn check_delete(&self, cx: &Context, id: &str) -> Result<(), ErrorResponse> {
        if !cx
            .store
            .positions(ObjectKind::Price, "product", id)
            .is_empty()
        {
            return Err(ErrorResponse::invalid(
                None,
                None,
                "This product cannot be deleted because it has one or more user-created \
                 prices."
                    .to_owned(),
            ));
        }
        Ok(())
    }

    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::default();
        filter.created(filters)?;
        filter.boolean(filters, "active", "active")?;
        filter.boolean(filters, "shippable", "shippable")?;
        filter.string(filters, "type", "type")?;
        filter.string(filters, "url", "url")?;
        if let Some(ids) = filters.get("ids") {
            let ids: HashSet<String> = common::string_list("ids", ids)?.into_iter().collect();
            filter.push(move |object| object["id"].as_str().is_some_and(|id| ids.contains(id)));
        }
        Ok(filter)
    }

    fn expandable(&self) -> &'static [Expandable] {
        &[Expandable {
            path: "default_price",
            kind: ObjectKind::Price,
        }]
    }
}

fn normalise(product: &mut Map<String, Value>) {
    if let Some(Value::Array(features)) = product.get_mut("marketing_features") {
        for feature in features.iter_mut().filter_map(Value::as_object_mut) {
            common::default_field(feature, "name", Value::Null);
        }
    }
}

/// "A list of up to 8 URLs" (R085; the message is the emulator's, Stripe's is not in the
/// reference).
fn check_images(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let images = params
        .get("images")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if images > IMAGES_MAX {
        return Err(ErrorResponse::param(
            "images",
            format!(
                "Invalid images: a product can have at most {IMAGES_MAX} images, got {images}."
            ),
        ));
    }
    Ok(())
}

/// At most 15 marketing features (R086), each "up to 80 characters long" (R087; the
/// message is the emulator's).
fn check_marketing_features(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let features = params.get("marketing_features").and_then(Value::as_array);
    for (index, feature) in features.into_iter().flatten().enumerate() {
        let length = feature["name"].as_str().map_or(0, |n| n.chars().count());
        if length > MARKETING_FEATURE_NAME_MAX {
            let param = format!("marketing_features[{index}][name]");
            return Err(ErrorResponse::param(
                &param,
                format!(
                    "Invalid {param}: must be at most {MARKETING_FEATURE_NAME_MAX} characters, \
                     got {length}."
                ),
            ));
        }
    }
    let count = features.map_or(0, Vec::len);
    if count > MARKETING_FEATURES_MAX {
        return Err(ErrorResponse::param(
            "marketing_features",
            format!(
                "Invalid marketing_features: a product can have at most \
                 {MARKETING_FEATURES_MAX} marketing features, got {count}."
            ),
        ));
    }
    Ok(())
}

/// ≤ 22 characters, at least one letter, none of `<>\"'`.
fn check_statement_descriptor(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let Some(Value::String(text)) = params.get("statement_descriptor") else {
        return Ok(());
    };
    let problem = if text.chars().count() > 22 {
        Some("must be at most 22 characters")
    } else if !text.chars().any(char::is_alphabetic) {
        Some("must contain at least one letter")
    } else if text.chars().any(|c| "<>\\\"'".contains(c)) {
        Some("must not contain any of < > \\ \" '")
    } else {
        None
    };
    match problem {
        Some(problem) => Err(ErrorResponse::param(
            "statement_descriptor",
            format!("Invalid statement_descriptor: {problem}."),
        )),
        None => Ok(()),
    }
}
