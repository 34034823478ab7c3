//! Products: custom ids, `default_price_data` (creates the default price with the product),
//! `default_price` on update (a price of this product), delete only without prices.

use std::collections::HashSet;
use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::price;
use crate::emulator::error::ApiError;
use crate::emulator::merge::merge;
use crate::emulator::store::{new_id, Account};
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::Product;
const MARKETING_FEATURES_MAX: usize = 15;
/// "Up to 80 characters long" (R087).
const MARKETING_FEATURE_NAME_MAX: usize = 80;
/// "A list of up to 8 URLs" (R085).
const IMAGES_MAX: usize = 8;

/// Response-only fields, and `null` for nullable fields nobody set. Defaults come from the
/// field table (`fill_defaults`, applied to the params before they are merged over this).
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": "product", "created": now, "default_price": null,
        "description": null, "livemode": false, "name": null, "package_dimensions": null,
        "shippable": null, "statement_descriptor": null, "tax_code": null, "tax_details": null,
        "unit_label": null, "updated": now, "url": null,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

/// A new product from checked params (also `product_data` of a price create), not yet stored.
pub(super) fn build(account: &Account, mut params: Map<String, Value>) -> Result<Value, ApiError> {
    let id = match params.remove("id") {
        Some(id) => {
            let id = common::custom_id(&id)?;
            if account.get(KIND, &id).is_some() {
                return Err(ApiError::already_exists(
                    "id",
                    format!("Product already exists: a product with id '{id}' exists."),
                ));
            }
            id
        }
        None => new_id("prod_", 14),
    };
    check_statement_descriptor(&params)?;
    check_images(&params)?;
    check_marketing_features(&params)?;
    KIND.table().fill_defaults(&mut params);
    let mut product = skeleton(&id, account.now());
    merge(KIND.table(), &mut product, &params);
    normalise(&mut product);
    Ok(Value::Object(product))
}

pub(super) fn create(
    account: &mut Account,
    mut params: Map<String, Value>,
) -> Result<Arc<Value>, ApiError> {
    let default_price_data = params.remove("default_price_data");
    let mut product = build(account, params)?;
    let Some(Value::Object(mut data)) = default_price_data else {
        return Ok(account.put(KIND, product));
    };
    let product_id = product["id"].as_str().unwrap_or_default().to_owned();
    data.insert("product".into(), Value::String(product_id.clone()));
    let price = price::build(account, data, Some(&product_id), "default_price_data")?;
    product["default_price"] = price["id"].clone();
    let product = account.put(KIND, product);
    account.put(ObjectKind::Price, price);
    Ok(product)
}

pub(super) fn update(
    account: &mut Account,
    current: &Value,
    params: Map<String, Value>,
) -> Result<Arc<Value>, ApiError> {
    let id = current["id"].as_str().unwrap_or_default();
    if let Some(Value::String(price_id)) = params.get("default_price") {
        let belongs = account
            .get(ObjectKind::Price, price_id)
            .is_some_and(|price| price["product"].as_str() == Some(id));
        if !belongs {
            return Err(ApiError::no_such("price", price_id, "default_price", 400));
        }
    }
    check_statement_descriptor(&params)?;
    check_images(&params)?;
    check_marketing_features(&params)?;
    let mut product = current.as_object().cloned().unwrap_or_default();
    merge(KIND.table(), &mut product, &params);
    product.insert("updated".into(), account.now().into());
    normalise(&mut product);
    Ok(account.put(KIND, Value::Object(product)))
}

/// Stripe: "You can only delete products that have no prices associated with them" (archived
/// ones included).
pub(super) fn check_deletable(account: &Account, id: &str) -> Result<(), ApiError> {
    if account.price_count(id) > 0 {
        return Err(ApiError::invalid(
            None,
            None,
            "This product cannot be deleted because it has one or more user-created prices."
                .to_owned(),
        ));
    }
    Ok(())
}

pub(super) fn filter(filters: &Map<String, Value>) -> Result<Filter, ApiError> {
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

pub(super) fn render(account: &Account, object: &Arc<Value>, expand: &[String]) -> Arc<Value> {
    let Some(price) = expand
        .iter()
        .any(|e| e == "default_price")
        .then(|| object["default_price"].as_str())
        .flatten()
        .and_then(|id| account.get(ObjectKind::Price, id))
    else {
        return object.clone();
    };
    let mut copy = (**object).clone();
    copy["default_price"] = (*price::render(account, price, &[])).clone();
    Arc::new(copy)
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
fn check_images(params: &Map<String, Value>) -> Result<(), ApiError> {
    let images = params
        .get("images")
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    if images > IMAGES_MAX {
        return Err(ApiError::param(
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
fn check_marketing_features(params: &Map<String, Value>) -> Result<(), ApiError> {
    let features = params.get("marketing_features").and_then(Value::as_array);
    for (index, feature) in features.into_iter().flatten().enumerate() {
        let length = feature["name"].as_str().map_or(0, |n| n.chars().count());
        if length > MARKETING_FEATURE_NAME_MAX {
            let param = format!("marketing_features[{index}][name]");
            return Err(ApiError::param(
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
        return Err(ApiError::param(
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
fn check_statement_descriptor(params: &Map<String, Value>) -> Result<(), ApiError> {
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
        Some(problem) => Err(ApiError::param(
            "statement_descriptor",
            format!("Invalid statement_descriptor: {problem}."),
        )),
        None => Ok(()),
    }
}
