//! Shipping rates: `shr_` ids, currencies checked and lowercased (R115, R116), the fixture's
//! shape (`fixed_amount{amount, currency}`, with `currency_options` only once some are set),
//! and the `currency` list filter on the rate's own currency.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::ShippingRate;

pub(super) struct ShippingRate;

/// Response-only fields, and `null` for nullable fields nobody set (fixtures3.json's
/// `shipping_rate`). Defaults (`active`, `tax_behavior`, `type`) come from the field table.
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object,
        "created": now, "delivery_estimate": null, "fixed_amount": null, "livemode": false,
        "tax_code": null,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for ShippingRate {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "shipping rate"
    }

    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        check_currencies(&mut params)?;
        let own = params
            .get("fixed_amount")
            .and_then(|f| f.get("currency"))
            .and_then(Value::as_str);
        check_own_currency(own, &params)?;
        KIND.table().fill_defaults(&mut params);
        let mut rate = skeleton(&self.new_id(), cx.now());
        merge(KIND.table(), &mut rate, &params);
        normalise(&mut rate);
        Ok(Value::Object(common::stripe_order(rate)))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        mut params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        check_currencies(&mut params)?;
        let own = current
            .pointer("/fixed_amount/currency")
            .and_then(Value::as_str);
        check_own_currency(own, &params)?;
        let options = params
            .get("fixed_amount")
            .and_then(|f| f.get("currency_options"))
            .and_then(Value::as_object);
        for (currency, option) in options.into_iter().flatten() {
            let known = current
                .pointer(&format!("/fixed_amount/currency_options/{currency}"))
                .is_some();
            // A new option needs its amount: create requires it, and an update cannot make an
            // option without one.
            if !known && option.get("amount").is_none() {
                return Err(ErrorResponse::missing_param(&format!(
                    "fixed_amount[currency_options][{currency}][amount]"
                )));
            }
        }
        keep_held_option_fields(current, &mut params);
        let mut rate = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut rate, &params);
        if let Some(Value::Object(options)) = rate
            .get_mut("fixed_amount")
            .and_then(|f| f.get_mut("currency_options"))
        {
            for option in options.values_mut().filter_map(Value::as_object_mut) {
                common::default_field(option, "tax_behavior", json!("unspecified"));
            }
        }
        normalise(&mut rate);
        Ok(cx.store.put(KIND, Value::Object(rate)))
    }

    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::only_created(filters)?;
        filter.boolean(filters, "active", "active")?;
        if let Some(value) = filters.get("currency") {
            let wanted = common::scalar("currency", value)?.to_ascii_lowercase();
            filter.push(move |rate| {
                rate.pointer("/fixed_amount/currency")
                    .and_then(Value::as_str)
                    == Some(wanted.as_str())
            });
        }
        Ok(filter)
    }
}

/// R115, R116: the rate's currency and each currency option's key are currencies Stripe
/// supports; stored lowercase, as Stripe stores them.
fn check_currencies(params: &mut Map<String, Value>) -> Result<(), ErrorResponse> {
    let Some(Value::Object(fixed)) = params.get_mut("fixed_amount") else {
        return Ok(());
    };
    if let Some(currency) = fixed.get("currency") {
        let lower = common::currency("fixed_amount[currency]", currency)?;
        fixed.insert("currency".into(), Value::String(lower));
    }
    if let Some(Value::Object(options)) = fixed.get_mut("currency_options") {
        let mut lowered = Map::new();
        for (currency, option) in std::mem::take(options) {
            let lower = common::currency(
                "fixed_amount[currency_options]",
                &Value::String(currency.clone()),
            )?;
            lowered.insert(lower, option);
        }
        *options = lowered;
    }
    Ok(())
}

/// A currency option is another currency than the rate's own (the planner's rule too,
/// `catalog::shipping_rate`; the rate's own amount is `fixed_amount[amount]`).
fn check_own_currency(own: Option<&str>, params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let options = params
        .get("fixed_amount")
        .and_then(|f| f.get("currency_options"))
        .and_then(Value::as_object);
    match (own, options) {
        (Some(own), Some(options)) if options.contains_key(own) => Err(ErrorResponse::param(
            &format!("fixed_amount[currency_options][{own}]"),
            format!(
                "fixed_amount[currency_options] cannot include the rate's own currency ({own})."
            ),
        )),
        _ => Ok(()),
    }
}

/// An update's currency option changes only the fields it sends: its `amount` is optional
/// on update (unlike on create, `catalog-fields.json`), so an option sent with only
/// `tax_behavior` keeps its amount. The generic merge replaces a map entry whole, so the
/// held fields are written into the params first.
fn keep_held_option_fields(current: &Value, params: &mut Map<String, Value>) {
    let held = current
        .pointer("/fixed_amount/currency_options")
        .and_then(Value::as_object);
    let sent = params
        .get_mut("fixed_amount")
        .and_then(|f| f.get_mut("currency_options"))
        .and_then(Value::as_object_mut);
    let (Some(held), Some(sent)) = (held, sent) else {
        return;
    };
    for (currency, option) in sent.iter_mut() {
        if let (Some(Value::Object(before)), Value::Object(option)) = (held.get(currency), option) {
            for (field, value) in before {
                option.entry(field.clone()).or_insert_with(|| value.clone());
            }
        }
    }
}

/// Stripe's key order, nested objects included.
fn normalise(rate: &mut Map<String, Value>) {
    if let Some(fixed) = common::object_mut(rate, "fixed_amount") {
        if let Some(Value::Object(options)) = fixed.get_mut("currency_options") {
            for option in options.values_mut() {
                if let Value::Object(map) = option {
                    *map = common::stripe_order(std::mem::take(map));
                }
            }
        }
        *fixed = common::stripe_order(std::mem::take(fixed));
    }
}
