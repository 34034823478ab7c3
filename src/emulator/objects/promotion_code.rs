//! Promotion codes (API 2026-10-28.endive shape): `promotion[type]=coupon` with
//! `promotion[coupon]` naming an existing coupon; `code` unique case-insensitively among
//! *active* codes (a deactivated code frees it, reactivating needs it free again); a code is
//! generated when none is given. Lists filter by `code` case-insensitively.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Expandable, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::{new_code, Index};
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::PromotionCode;
const CODE_MAX: usize = 500;
/// The active promotion code that holds a code (unique among active codes, in any case);
/// every code's promotion codes, active or not (the `code` filter).
const INDEXES: &[Index] = &[
    Index::holder("code").folded().active_only(),
    Index::positions("code").folded(),
];

pub(super) struct PromotionCode;

/// Response-only fields, and `null` for nullable fields nobody set. Defaults come from the
/// field table (`fill_defaults`, applied to the params before they are merged over this).
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object, "code": null, "created": now,
        "customer": null, "customer_account": null, "expires_at": null, "livemode": false,
        "max_redemptions": null,
        "promotion": { "coupon": null, "type": "coupon" },
        "restrictions": {
            "minimum_amount": null,
            "minimum_amount_currency": null,
        },
        "times_redeemed": 0,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

fn taken(code: &str) -> ErrorResponse {
    ErrorResponse::already_exists(
        "code",
        format!("An active promotion code with `code: {code}` already exists."),
    )
}

/// The active promotion code holding `code`, in any case.
fn active_holder<'c>(cx: &'c Context, code: &str) -> Option<&'c str> {
    cx.store.holder(KIND, "code", code)
}

impl Resource for PromotionCode {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "promotion code"
    }

    fn indexes(&self) -> &'static [Index] {
        INDEXES
    }

    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let promotion = params.get("promotion").cloned().unwrap_or_default();
        let coupon = promotion["coupon"].as_str().map(str::to_owned);
        match (promotion["type"].as_str(), coupon) {
            (Some("coupon"), None) => {
                return Err(ErrorResponse::missing_param("promotion[coupon]"))
            }
            (_, Some(coupon)) if cx.store.get(ObjectKind::Coupon, &coupon).is_none() => {
                return Err(ErrorResponse::no_such(
                    "coupon",
                    &coupon,
                    "promotion[coupon]",
                    400,
                ));
            }
            _ => {}
        }
        for (param, noun) in [("customer", "customer"), ("customer_account", "account")] {
            if let Some(id) = params.get(param).and_then(Value::as_str) {
                // The emulator holds no customers or accounts: every id names nothing.
                return Err(ErrorResponse::no_such(noun, id, param, 400));
            }
        }
        check_restrictions(&mut params)?;
        // R104: "A positive integer" (the coupon's own limit is the rules table's R105).
        if let Some(max) = params.get("max_redemptions").and_then(Value::as_i64) {
            if max < 1 {
                return Err(ErrorResponse::param(
                    "max_redemptions",
                    "Invalid max_redemptions: must be at least 1.".to_owned(),
                ));
            }
        }
        KIND.table().fill_defaults(&mut params);
        let code = match params.get("code").and_then(Value::as_str) {
            Some(code) => {
                check_code(code)?;
                code.to_owned()
            }
            None => loop {
                let code = new_code(8);
                if active_holder(cx, &code).is_none() {
                    break code;
                }
            },
        };
        params.insert("code".into(), Value::String(code.clone()));
        let active = params.get("active") != Some(&Value::Bool(false));
        if active && active_holder(cx, &code).is_some() {
            return Err(taken(&code));
        }
        let mut promo = skeleton(&self.new_id(), cx.now());
        merge(KIND.table(), &mut promo, &params);
        Ok(Value::Object(promo))
    }

    /// Reactivating needs the code free among active codes again.
    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let id = current["id"].as_str().unwrap_or_default();
        let reactivating = params.get("active") == Some(&Value::Bool(true))
            && current["active"] != Value::Bool(true);
        if reactivating {
            let code = current["code"].as_str().unwrap_or_default();
            if active_holder(cx, code).is_some_and(|owner| owner != id) {
                return Err(taken(code));
            }
        }
        let mut promo = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut promo, &params);
        Ok(cx.store.put(KIND, Value::Object(promo)))
    }

    fn filter(&self, cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::default();
        filter.created(filters)?;
        filter.boolean(filters, "active", "active")?;
        filter.string(filters, "customer", "customer")?;
        filter.string(filters, "customer_account", "customer_account")?;
        if let Some(code) = filters.get("code") {
            // Case-insensitive, through the index of every code.
            let code = common::scalar("code", code)?;
            filter.narrow(cx.store.positions(KIND, "code", code));
        }
        if let Some(coupon) = filters.get("coupon") {
            let wanted = common::scalar("coupon", coupon)?.to_owned();
            filter
                .push(move |promo| promo["promotion"]["coupon"].as_str() == Some(wanted.as_str()));
        }
        Ok(filter)
    }

    fn expandable(&self) -> &'static [Expandable] {
        &[Expandable {
            path: "promotion.coupon",
            kind: ObjectKind::Coupon,
        }]
    }
}

/// A minimum amount comes with its currency (lowercased, as Stripe stores it); the keys of
/// `currency_options` are supported currencies (R107).
fn check_restrictions(params: &mut Map<String, Value>) -> Result<(), ErrorResponse> {
    let Some(Value::Object(restrictions)) = params.get_mut("restrictions") else {
        return Ok(());
    };
    if let Some(Value::Object(options)) = restrictions.get("currency_options") {
        for currency in options.keys() {
            common::currency(
                "restrictions[currency_options]",
                &Value::String(currency.clone()),
            )?;
        }
    }
    match (
        restrictions.contains_key("minimum_amount"),
        restrictions.get("minimum_amount_currency"),
    ) {
        (true, None) => Err(ErrorResponse::missing_param(
            "restrictions[minimum_amount_currency]",
        )),
        (false, Some(_)) => Err(ErrorResponse::missing_param("restrictions[minimum_amount]")),
        (true, Some(currency)) => {
            let currency = common::currency("restrictions[minimum_amount_currency]", currency)?;
            restrictions.insert("minimum_amount_currency".into(), currency.into());
            Ok(())
        }
        (false, None) => Ok(()),
    }
}

/// Letters, digits and dashes (the spec's rule), at most 500 characters.
fn check_code(code: &str) -> Result<(), ErrorResponse> {
    if code.chars().count() > CODE_MAX
        || !code.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        return Err(ErrorResponse::param(
            "code",
            format!(
                "Invalid code: {code}. Codes may contain only letters (a-z, A-Z), digits \
                 (0-9) and dashes (-), up to {CODE_MAX} characters."
            ),
        ));
    }
    Ok(())
}
