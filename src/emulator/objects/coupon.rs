//! Coupons: custom ids, exactly one of `percent_off` or `amount_off` + `currency`,
//! `duration_in_months` with (and only with) `duration=repeating`, `valid` and
//! `times_redeemed`; `applies_to` and `currency_options` are includable (shown when expanded).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common;
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::new_code;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::Coupon;

pub(super) struct Coupon;

/// Response-only fields, and `null` for nullable fields nobody set. Defaults come from the
/// field table (`fill_defaults`, applied to the params before they are merged over this).
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object, "amount_off": null, "created": now,
        "currency": null, "duration_in_months": null, "livemode": false,
        "max_redemptions": null, "name": null, "percent_off": null,
        "redeem_by": null, "times_redeemed": 0, "valid": true,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for Coupon {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "coupon"
    }

    /// Stripe generates a coupon's id as a short code.
    fn new_id(&self) -> String {
        new_code(8)
    }

    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let id = cx.take_id(self, &mut params)?;
        check_discount(&mut params)?;
        check_applies_to(cx, &params)?;
        KIND.table().fill_defaults(&mut params);
        check_duration(&params)?;
        if let Some(max) = params.get("max_redemptions").and_then(Value::as_i64) {
            if max < 1 {
                return Err(ErrorResponse::param(
                    "max_redemptions",
                    "Invalid max_redemptions: must be at least 1.".to_owned(),
                ));
            }
        }
        let mut coupon = skeleton(&id, cx.now());
        merge(KIND.table(), &mut coupon, &params);
        Ok(Value::Object(common::stripe_order(coupon)))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        // R013: "only supported if the coupon is amount-based".
        if params.contains_key("currency_options") && current["amount_off"].is_null() {
            return Err(only_with_amount_off());
        }
        check_currency_options(&params)?;
        let mut coupon = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut coupon, &params);
        Ok(cx.store.put(KIND, Value::Object(coupon)))
    }

    /// `applies_to` and `currency_options` are includable; `valid` turns false once
    /// `redeem_by` has passed.
    fn render(&self, cx: &Context, object: &Arc<Value>, expand: &[String]) -> Arc<Value> {
        let mut shown = common::includable(object, &["applies_to", "currency_options"], expand);
        let expired = object["redeem_by"]
            .as_i64()
            .is_some_and(|at| at <= cx.now());
        if expired && shown["valid"] == Value::Bool(true) {
            let mut copy = (*shown).clone();
            copy["valid"] = Value::Bool(false);
            shown = Arc::new(copy);
        }
        shown
    }
}

/// Exactly one of `percent_off` (0 < p ≤ 100) or `amount_off` (> 0, with `currency`).
fn check_discount(params: &mut Map<String, Value>) -> Result<(), ErrorResponse> {
    match (params.get("percent_off"), params.get("amount_off")) {
        (Some(_), Some(_)) => Err(ErrorResponse::param(
            "percent_off",
            "You may only specify one of these parameters: amount_off, percent_off.".to_owned(),
        )),
        (None, None) => Err(ErrorResponse::invalid(
            Some("parameter_missing"),
            Some("percent_off"),
            "You must pass either percent_off or amount_off (with currency).".to_owned(),
        )),
        (Some(percent), None) => {
            let percent = percent.as_f64().unwrap_or_default();
            if percent <= 0.0 || percent > 100.0 {
                return Err(ErrorResponse::param(
                    "percent_off",
                    format!("Invalid percent_off: must be greater than 0 and at most 100, got {percent}."),
                ));
            }
            if let Some(currency) = params.get("currency") {
                let currency = common::currency("currency", currency)?;
                params.insert("currency".into(), currency.into());
            }
            // R012: "only supported if `amount_off` is passed".
            if params.contains_key("currency_options") {
                return Err(only_with_amount_off());
            }
            Ok(())
        }
        (None, Some(amount)) => {
            if amount.as_i64().unwrap_or_default() < 1 {
                return Err(ErrorResponse::param(
                    "amount_off",
                    "Invalid amount_off: must be a positive integer.".to_owned(),
                ));
            }
            let Some(currency) = params.get("currency") else {
                return Err(ErrorResponse::invalid(
                    Some("parameter_missing"),
                    Some("currency"),
                    "You must pass currency when passing amount_off.".to_owned(),
                ));
            };
            let currency = common::currency("currency", currency)?;
            params.insert("currency".into(), currency.into());
            check_currency_options(params)
        }
    }
}

/// `applies_to[products]` names existing products.
fn check_applies_to(cx: &Context, params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let products = params
        .get("applies_to")
        .and_then(|a| a.get("products"))
        .and_then(Value::as_array);
    for product in products.into_iter().flatten().filter_map(Value::as_str) {
        if cx.store.get(ObjectKind::Product, product).is_none() {
            return Err(ErrorResponse::no_such(
                "product",
                product,
                "applies_to[products]",
                400,
            ));
        }
    }
    Ok(())
}

/// `duration=repeating` needs `duration_in_months`; other durations refuse it.
fn check_duration(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let duration = params
        .get("duration")
        .and_then(Value::as_str)
        .unwrap_or("once");
    let months = params.get("duration_in_months");
    match (duration, months) {
        ("repeating", None) => Err(ErrorResponse::missing_param("duration_in_months")),
        ("repeating", Some(months)) if months.as_i64().unwrap_or_default() < 1 => {
            Err(ErrorResponse::param(
                "duration_in_months",
                "Invalid duration_in_months: must be at least 1.".to_owned(),
            ))
        }
        ("repeating", Some(_)) | (_, None) => Ok(()),
        (other, Some(_)) => Err(ErrorResponse::param(
            "duration_in_months",
            format!(
                "duration_in_months can only be set when duration is repeating, but duration is \
                 {other}."
            ),
        )),
    }
}

/// Supported currencies (R014), each with a positive `amount_off` (R015).
fn check_currency_options(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    if let Some(Value::Object(options)) = params.get("currency_options") {
        for (currency, option) in options {
            common::currency("currency_options", &Value::String(currency.clone()))?;
            let amount = option.get("amount_off").and_then(Value::as_i64);
            if amount.is_some_and(|a| a < 1) {
                return Err(ErrorResponse::param(
                    &format!("currency_options[{currency}][amount_off]"),
                    format!("Invalid currency_options[{currency}][amount_off]: must be a positive integer."),
                ));
            }
        }
    }
    Ok(())
}

/// The spec's wording (R012, R013); Stripe's own message is not in the reference.
fn only_with_amount_off() -> ErrorResponse {
    ErrorResponse::param(
        "currency_options",
        "currency_options is only supported for coupons with amount_off.".to_owned(),
    )
}
