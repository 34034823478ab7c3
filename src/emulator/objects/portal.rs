//! Billing portal configurations: `features` fully populated with Stripe's defaults,
//! `login_page{enabled, url}`, `is_default` (not settable: the first configuration of the
//! account becomes the default, as the portal's first configuration does), `application`,
//! `updated`; products and prices named in `features[subscription_update][products]` must
//! exist.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::new_id;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::PortalConfiguration;

pub(super) struct PortalConfiguration;

/// What Stripe's response holds beyond the params and their defaults: response-only fields,
/// and `null` for nullable fields nobody set. The defaults themselves come from the field
/// table (`fill_defaults`), applied to the params before they are merged over this.
fn skeleton(id: &str, now: i64, is_default: bool) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object,
        "application": null,
        "business_profile": {
            "headline": null, "privacy_policy_url": null, "terms_of_service_url": null,
        },
        "created": now, "default_return_url": null,
        "features": {
            "payment_method_update": { "payment_method_configuration": null },
            "subscription_cancel": { "cancellation_reason": { "feedback_options": null } },
            "subscription_update": { "billing_cycle_anchor": null, "products": [] },
        },
        "is_default": is_default, "livemode": false,
        "login_page": { "url": null },
        "metadata": {}, "name": null, "updated": now,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for PortalConfiguration {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "configuration"
    }

    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        check_products(cx, &params)?;
        check_pause_intervals(&params)?;
        KIND.table().fill_defaults(&mut params);
        let first = cx.store.len(KIND) == 0;
        let mut configuration = skeleton(&self.new_id(), cx.now(), first);
        merge(KIND.table(), &mut configuration, &params);
        normalise(&mut configuration);
        Ok(Value::Object(configuration))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        check_products(cx, &params)?;
        check_pause_intervals(&params)?;
        let mut configuration = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut configuration, &params);
        configuration.insert("updated".into(), cx.now().into());
        normalise(&mut configuration);
        Ok(cx.store.put(KIND, Value::Object(configuration)))
    }

    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::default();
        filter.boolean(filters, "active", "active")?;
        filter.boolean(filters, "is_default", "is_default")?;
        Ok(filter)
    }
}

/// Every product and price in `features[subscription_update][products]` must exist, and each
/// price must belong to its product.
fn check_products(cx: &Context, params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let products = params
        .get("features")
        .and_then(|f| f.get("subscription_update"))
        .and_then(|u| u.get("products"))
        .and_then(Value::as_array);
    for (index, entry) in products.into_iter().flatten().enumerate() {
        let at = format!("features[subscription_update][products][{index}]");
        let product = entry["product"].as_str().unwrap_or_default();
        if cx.store.get(ObjectKind::Product, product).is_none() {
            return Err(ErrorResponse::no_such(
                "product",
                product,
                &format!("{at}[product]"),
                400,
            ));
        }
        for price in entry["prices"].as_array().into_iter().flatten() {
            let price = price.as_str().unwrap_or_default();
            let belongs = cx
                .store
                .get(ObjectKind::Price, price)
                .is_some_and(|p| p["product"].as_str() == Some(product));
            if !belongs {
                return Err(ErrorResponse::no_such(
                    "price",
                    price,
                    &format!("{at}[prices]"),
                    400,
                ));
            }
        }
    }
    Ok(())
}

/// Pause interval options: "The maximum duration is three years" (R004).
fn check_pause_intervals(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let options = params
        .get("features")
        .and_then(|f| f.pointer("/subscription_pause/duration/interval_options"))
        .and_then(Value::as_array);
    for (index, option) in options.into_iter().flatten().enumerate() {
        let max = common::three_years(option["interval"].as_str());
        if let Some(count) = option["interval_count"].as_i64().filter(|c| *c > max) {
            let param = format!(
                "features[subscription_pause][duration][interval_options][{index}][interval_count]"
            );
            return Err(ErrorResponse::param(
                &param,
                format!("Invalid {param}: the maximum duration is three years, got {count}."),
            ));
        }
    }
    Ok(())
}

/// Nested defaults inside arrays, and the login page's URL once it is enabled.
fn normalise(configuration: &mut Map<String, Value>) {
    if let Some(Value::Array(products)) = configuration
        .get_mut("features")
        .and_then(|f| f.get_mut("subscription_update"))
        .and_then(|u| u.get_mut("products"))
    {
        for entry in products.iter_mut().filter_map(Value::as_object_mut) {
            let quantity = entry
                .entry("adjustable_quantity")
                .or_insert_with(|| json!({}));
            if let Value::Object(quantity) = quantity {
                common::default_field(quantity, "enabled", Value::Bool(false));
                common::default_field(quantity, "maximum", Value::Null);
                common::default_field(quantity, "minimum", json!(0));
                *quantity = common::stripe_order(std::mem::take(quantity));
            }
            common::default_field(entry, "prices", json!([]));
            *entry = common::stripe_order(std::mem::take(entry));
        }
    }
    if let Some(login) = common::object_mut(configuration, "login_page") {
        let enabled = login.get("enabled") == Some(&Value::Bool(true));
        let url = match (enabled, login.get("url")) {
            (true, Some(Value::String(url))) => Value::String(url.clone()),
            (true, _) => Value::String(format!(
                "https://billing.stripe.com/p/login/test_{}",
                &new_id("", 14)
            )),
            (false, _) => Value::Null,
        };
        login.insert("url".into(), url);
    }
}
