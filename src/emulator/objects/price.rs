//! Prices: a product (or `product_data`), an amount per the billing scheme, derived `type` and
//! `unit_amount_decimal`, lookup keys unique across prices (`transfer_lookup_key` moves one
//! atomically), `tax_behavior` that only changes away from `unspecified`, a product's default
//! price that cannot be archived, and the list's filters (`lookup_keys[]` through the index;
//! active prices only unless `active` is given, as the spec's list description says).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Expandable, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::{Index, Store};
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::Price;
const LOOKUP_KEY_MAX: usize = 200;
const LOOKUP_KEYS_FILTER_MAX: usize = 10;
/// The price that holds a lookup key (unique across prices); a product's prices (the
/// `product` filter, and whether the product may be deleted: prices are never deleted).
const INDEXES: &[Index] = &[Index::holder("lookup_key"), Index::positions("product")];

pub(super) struct Price;

/// Response-only fields, and `null` for nullable fields nobody set. Defaults come from the
/// field table (`fill_defaults`, applied to the params before they are merged over this).
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object,
        "created": now, "currency": null, "custom_unit_amount": null, "livemode": false,
        "lookup_key": null, "nickname": null, "product": null,
        "recurring": null, "tiers_mode": null,
        "transform_quantity": null, "type": "one_time", "unit_amount": null,
        "unit_amount_decimal": null,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for Price {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "price"
    }

    fn indexes(&self) -> &'static [Index] {
        INDEXES
    }

    /// Also a product's `default_price_data`, with that product not yet stored.
    fn build(
        &self,
        cx: &Context,
        params: Map<String, Value>,
        nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        build(
            cx,
            params,
            nested.and_then(|n| n.alongside),
            nested.map_or("", |n| n.param),
        )
    }

    /// `product_data` creates the price's product in the same request; `transfer_lookup_key`
    /// moves the lookup key from the price that holds it.
    fn create(
        &self,
        cx: &mut Context,
        mut params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let transfer = params.get("transfer_lookup_key") == Some(&Value::Bool(true));
        let products = cx.resource(ObjectKind::Product);
        let inline_product = match (
            params.contains_key("product"),
            params.remove("product_data"),
        ) {
            (true, Some(_)) => {
                return Err(ErrorResponse::param(
                    "product",
                    "You may only specify one of these parameters: product, product_data."
                        .to_owned(),
                ))
            }
            (false, None) => return Err(ErrorResponse::missing_param("product")),
            (false, Some(Value::Object(data))) => {
                let nested = Nested {
                    param: "product_data",
                    alongside: None,
                };
                let product = products.build(cx, data, Some(&nested))?;
                params.insert("product".into(), product["id"].clone());
                Some(product)
            }
            _ => None,
        };
        let previous_owner = claim_lookup_key(cx.store, &params, None, transfer)?;
        let price = build(
            cx,
            params,
            inline_product.as_ref().and_then(|p| p["id"].as_str()),
            "",
        )?;
        if let Some(product) = inline_product {
            cx.store.put(products.kind(), product);
        }
        release_lookup_key(cx.store, previous_owner);
        Ok(cx.store.put(KIND, price))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        mut params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let id = current["id"].as_str().unwrap_or_default();
        let transfer = params.remove("transfer_lookup_key") == Some(Value::Bool(true));
        if let Some(Value::String(key)) = params.get("lookup_key") {
            if key.chars().count() > LOOKUP_KEY_MAX {
                return Err(ErrorResponse::param(
                    "lookup_key",
                    format!("Invalid lookup_key: must be at most {LOOKUP_KEY_MAX} characters."),
                ));
            }
        }
        let previous_owner = claim_lookup_key(cx.store, &params, Some(id), transfer)?;
        // A set-once `tax_behavior` is the rules table's `set_once_fields`, checked before here.
        check_currency_options(&params)?;
        if let Some(Value::Object(options)) = params.get("currency_options") {
            if let Some(own) = current["currency"]
                .as_str()
                .filter(|c| options.contains_key(*c))
            {
                return Err(ErrorResponse::param(
                    &format!("currency_options[{own}]"),
                    "You are specifying an update to a currency option that matches the \
                     top-level currency for this price. Please remove this currency option \
                     and update the top-level params instead."
                        .to_owned(),
                ));
            }
        }
        let archiving = params.get("active") == Some(&Value::Bool(false));
        let product_default = current["product"]
            .as_str()
            .and_then(|product| cx.store.get(ObjectKind::Product, product))
            .and_then(|product| product["default_price"].as_str().map(str::to_owned));
        if archiving && product_default.as_deref() == Some(id) {
            return Err(ErrorResponse::invalid(
                None,
                None,
                "This price cannot be archived because it is the default price of its product."
                    .to_owned(),
            ));
        }
        let mut price = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut price, &params);
        normalise(&mut price);
        release_lookup_key(cx.store, previous_owner);
        Ok(cx.store.put(KIND, Value::Object(price)))
    }

    fn filter(&self, cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        filter(cx.store, filters)
    }

    fn expandable(&self) -> &'static [Expandable] {
        &[Expandable {
            path: "product",
            kind: ObjectKind::Product,
        }]
    }

    fn render(&self, _cx: &Context, object: &Arc<Value>, expand: &[String]) -> Arc<Value> {
        render(object, expand)
    }
}

/// A new price from checked params, not yet stored. `known_product` is a product being
/// created in the same request (`default_price_data`, `product_data`); `prefix` names where
/// the params came from in error messages (`default_price_data`, or "" for a price create).
fn build(
    cx: &Context,
    mut params: Map<String, Value>,
    known_product: Option<&str>,
    prefix: &str,
) -> Result<Value, ErrorResponse> {
    let name = |param: &str| {
        if prefix.is_empty() {
            param.to_owned()
        } else {
            format!("{prefix}[{param}]")
        }
    };
    let currency = common::currency(
        &name("currency"),
        params.get("currency").unwrap_or(&Value::Null),
    )?;
    params.insert("currency".into(), Value::String(currency));
    if let Some(product) = params.get("product").and_then(Value::as_str) {
        if known_product != Some(product) && cx.store.get(ObjectKind::Product, product).is_none() {
            return Err(ErrorResponse::no_such("product", product, "product", 400));
        }
    }
    if params.contains_key("unit_amount") && params.contains_key("unit_amount_decimal") {
        return Err(ErrorResponse::param(
            &name("unit_amount"),
            "You may only specify one of these parameters: unit_amount, unit_amount_decimal."
                .to_owned(),
        ));
    }
    if let Some(lookup_key) = params.get("lookup_key").and_then(Value::as_str) {
        if lookup_key.chars().count() > LOOKUP_KEY_MAX {
            return Err(ErrorResponse::param(
                "lookup_key",
                format!("Invalid lookup_key: must be at most {LOOKUP_KEY_MAX} characters."),
            ));
        }
    }
    check_currency_options(&params)?;
    check_custom_minimum(&params, &name)?;
    KIND.table().fill_defaults(&mut params);
    check_amount(&params, &name)?;
    check_recurring(cx, &params, &name)?;
    params.remove("transfer_lookup_key");
    let mut price = skeleton(&Price.new_id(), cx.now());
    merge(KIND.table(), &mut price, &params);
    normalise(&mut price);
    Ok(Value::Object(price))
}

/// The amount the billing scheme needs: `per_unit` an amount (or a custom amount), `tiered`
/// tiers ending with `inf` and a tiers mode, and nothing of the other scheme.
fn check_amount(
    params: &Map<String, Value>,
    name: &dyn Fn(&str) -> String,
) -> Result<(), ErrorResponse> {
    let has = |key: &str| params.contains_key(key);
    if params.get("billing_scheme").and_then(Value::as_str) == Some("tiered") {
        for required in ["tiers", "tiers_mode"] {
            if !has(required) {
                return Err(ErrorResponse::missing_param(&name(required)));
            }
        }
        // R055: "Cannot be combined with `tiers`".
        if has("transform_quantity") {
            return Err(ErrorResponse::param(
                &name("transform_quantity"),
                "transform_quantity cannot be combined with tiers.".to_owned(),
            ));
        }
        for amount in ["unit_amount", "unit_amount_decimal", "custom_unit_amount"] {
            if has(amount) {
                return Err(ErrorResponse::param(
                    &name(amount),
                    format!("{amount} cannot be used when billing_scheme is tiered; price the tiers instead."),
                ));
            }
        }
        let tiers = params["tiers"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default();
        let ends_open = tiers.last().is_some_and(|tier| tier["up_to"] == "inf");
        let open_elsewhere = tiers
            .iter()
            .rev()
            .skip(1)
            .any(|tier| tier["up_to"] == "inf");
        if !ends_open || open_elsewhere {
            return Err(ErrorResponse::param(
                &name("tiers"),
                "Invalid tiers: the last tier, and only the last, must have up_to=inf.".to_owned(),
            ));
        }
        return Ok(());
    }
    for tiered_only in ["tiers", "tiers_mode"] {
        if has(tiered_only) {
            return Err(ErrorResponse::param(
                &name(tiered_only),
                format!("{tiered_only} can only be used when billing_scheme is tiered."),
            ));
        }
    }
    let custom = params
        .get("custom_unit_amount")
        .is_some_and(|c| c["enabled"] == Value::Bool(true));
    if !custom && !has("unit_amount") && !has("unit_amount_decimal") {
        return Err(ErrorResponse::missing_param(&name("unit_amount")));
    }
    Ok(())
}

/// Metered prices bill through a meter (required since API 2025-03-31.basil: "You can no
/// longer create a price with a usage_type of metered without a specified meter",
/// docs.stripe.com/changelog/basil/2025-03-31/deprecate-legacy-usage-based-billing), an
/// existing one of this account that is active ("You can't attach a deactivated meter to a
/// price": docs.stripe.com/api/billing/meter/deactivate).
fn check_recurring(
    cx: &Context,
    params: &Map<String, Value>,
    name: &dyn Fn(&str) -> String,
) -> Result<(), ErrorResponse> {
    let Some(recurring) = params.get("recurring") else {
        return Ok(());
    };
    if recurring["usage_type"] == "metered" && !recurring["meter"].is_string() {
        return Err(ErrorResponse::missing_param(&name("recurring[meter]")));
    }
    if let Some(meter) = recurring["meter"].as_str() {
        let param = name("recurring[meter]");
        match cx.store.get(ObjectKind::Meter, meter) {
            None => return Err(ErrorResponse::no_such("billing meter", meter, &param, 400)),
            Some(found) if found["status"] != "active" => {
                return Err(ErrorResponse::param(
                    &param,
                    format!(
                        "The billing meter {meter} is inactive and cannot be attached to a price."
                    ),
                ))
            }
            Some(_) => {}
        }
    }
    // R047: "Maximum of three years interval allowed (3 years, 36 months, or 156 weeks)".
    let max = common::three_years(recurring["interval"].as_str());
    if let Some(count) = recurring["interval_count"].as_i64().filter(|c| *c > max) {
        return Err(ErrorResponse::param(
            &name("recurring[interval_count]"),
            format!(
                "Invalid recurring[interval_count]: the maximum interval is three years (3 \
                 years, 36 months, or 156 weeks), got {count}."
            ),
        ));
    }
    Ok(())
}

/// Checks that the lookup key in `params` is free for price `id` (or, with `transfer`, may be
/// taken), and returns the price it must be taken from.
fn claim_lookup_key(
    store: &Store,
    params: &Map<String, Value>,
    id: Option<&str>,
    transfer: bool,
) -> Result<Option<String>, ErrorResponse> {
    let Some(Value::String(key)) = params.get("lookup_key") else {
        return Ok(None);
    };
    match store.holder(KIND, "lookup_key", key) {
        Some(owner) if Some(owner) != id => {
            if transfer {
                Ok(Some(owner.to_owned()))
            } else {
                Err(ErrorResponse::param(
                    "lookup_key",
                    format!("A price (`{owner}`) already uses that lookup key."),
                ))
            }
        }
        _ => Ok(None),
    }
}

/// The other half of a transfer: the old holder loses the key (same lock, so atomic).
fn release_lookup_key(store: &mut Store, previous_owner: Option<String>) {
    let Some(owner) = previous_owner else {
        return;
    };
    if let Some(old) = store.get(KIND, &owner) {
        let mut old = (**old).clone();
        old["lookup_key"] = Value::Null;
        store.put(KIND, old);
    }
}

/// A custom amount's `minimum` "must be at least the minimum charge amount" (R028, R039).
/// Stripe's minimum charge per currency is not in the reference, so only what no currency
/// allows is refused: a minimum below zero.
fn check_custom_minimum(
    params: &Map<String, Value>,
    name: &dyn Fn(&str) -> String,
) -> Result<(), ErrorResponse> {
    let mut customs = vec![(
        name("custom_unit_amount[minimum]"),
        params.get("custom_unit_amount"),
    )];
    if let Some(Value::Object(options)) = params.get("currency_options") {
        for (currency, option) in options {
            customs.push((
                name(&format!(
                    "currency_options[{currency}][custom_unit_amount][minimum]"
                )),
                option.get("custom_unit_amount"),
            ));
        }
    }
    for (param, custom) in customs {
        let minimum = custom
            .and_then(|c| c.get("minimum"))
            .and_then(Value::as_i64);
        if minimum.is_some_and(|m| m < 0) {
            return Err(ErrorResponse::param(
                &param,
                format!("Invalid {param}: must be at least the minimum charge amount."),
            ));
        }
    }
    Ok(())
}

fn check_currency_options(params: &Map<String, Value>) -> Result<(), ErrorResponse> {
    if let Some(Value::Object(options)) = params.get("currency_options") {
        for currency in options.keys() {
            let lower = common::currency("currency_options", &Value::String(currency.clone()))?;
            if &lower != currency {
                return Err(ErrorResponse::param(
                    "currency_options",
                    format!("Invalid currency: {currency} (currency codes are lowercase)."),
                ));
            }
        }
    }
    Ok(())
}

/// Derived and nested fields, as Stripe fills them.
fn normalise(price: &mut Map<String, Value>) {
    let recurring = price.get("recurring").is_some_and(Value::is_object);
    price.insert(
        "type".into(),
        if recurring { "recurring" } else { "one_time" }.into(),
    );
    amounts(price, "unit_amount", "unit_amount_decimal");
    if let Some(recurring) = common::object_mut(price, "recurring") {
        for (key, value) in [("meter", Value::Null), ("trial_period_days", Value::Null)] {
            common::default_field(recurring, key, value);
        }
        *recurring = common::stripe_order(std::mem::take(recurring));
    }
    if let Some(custom) = common::object_mut(price, "custom_unit_amount") {
        custom.remove("enabled");
        for key in ["maximum", "minimum", "preset"] {
            common::default_field(custom, key, Value::Null);
        }
        *custom = common::stripe_order(std::mem::take(custom));
    }
    if let Some(Value::Array(tiers)) = price.get_mut("tiers") {
        tiers
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(tier);
    }
    if let Some(options) = common::object_mut(price, "currency_options") {
        for (currency, option) in options.iter_mut() {
            let Some(option) = option.as_object_mut() else {
                continue;
            };
            common::default_field(option, "custom_unit_amount", Value::Null);
            // Entries also arrive whole on update, where `fill_defaults` does not run.
            let path = format!("currency_options[{currency}][tax_behavior]");
            if let Some(default) = KIND.table().default_for(&path) {
                common::default_field(option, "tax_behavior", default.to_json());
            }
            amounts(option, "unit_amount", "unit_amount_decimal");
            if let Some(Value::Array(tiers)) = option.get_mut("tiers") {
                tiers
                    .iter_mut()
                    .filter_map(Value::as_object_mut)
                    .for_each(tier);
            }
            if let Some(custom) = common::object_mut(option, "custom_unit_amount") {
                custom.remove("enabled");
            }
            *option = common::stripe_order(std::mem::take(option));
        }
    }
}

fn tier(tier: &mut Map<String, Value>) {
    amounts(tier, "flat_amount", "flat_amount_decimal");
    amounts(tier, "unit_amount", "unit_amount_decimal");
    match tier.get("up_to") {
        Some(Value::String(text)) if text == "inf" => {
            tier.insert("up_to".into(), Value::Null);
        }
        Some(Value::String(text)) => {
            let parsed = text.parse::<i64>().map_or(Value::Null, Value::from);
            tier.insert("up_to".into(), parsed);
        }
        Some(_) => {}
        None => {
            tier.insert("up_to".into(), Value::Null);
        }
    }
    *tier = common::stripe_order(std::mem::take(tier));
}

/// Keeps an integer amount and its decimal-string twin in step, as Stripe returns both.
fn amounts(map: &mut Map<String, Value>, int: &str, decimal: &str) {
    match (map.get(int).cloned(), map.get(decimal).cloned()) {
        (Some(Value::Number(n)), _) => {
            map.insert(decimal.into(), Value::String(n.to_string()));
        }
        (_, Some(Value::String(text))) => {
            let integral = match text.split_once('.') {
                Some((int, frac)) if frac.bytes().all(|b| b == b'0') => Some(int),
                Some(_) => None,
                None => Some(text.as_str()),
            }
            .and_then(|int| int.parse::<i64>().ok());
            map.insert(int.into(), integral.map_or(Value::Null, Value::from));
        }
        _ => {
            map.entry(int.to_owned()).or_insert(Value::Null);
            map.entry(decimal.to_owned()).or_insert(Value::Null);
        }
    }
}

fn filter(store: &Store, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
    let mut filter = Filter::default();
    filter.created(filters)?;
    if filters.contains_key("active") {
        filter.boolean(filters, "active", "active")?;
    } else {
        // "Returns a list of your active prices ... For the list of inactive prices, set
        // active to false." (the list endpoint's description in the spec)
        filter.push(|price| price["active"] == Value::Bool(true));
    }
    if let Some(currency) = filters.get("currency") {
        let currency = common::currency("currency", currency)?;
        filter.push(move |price| price["currency"].as_str() == Some(currency.as_str()));
    }
    if let Some(product) = filters.get("product") {
        filter.narrow(store.positions(KIND, "product", common::scalar("product", product)?));
    }
    filter.string(filters, "type", "type")?;
    if let Some(Value::Object(recurring)) = filters.get("recurring") {
        for (key, value) in recurring {
            if !["interval", "meter", "usage_type"].contains(&key.as_str()) {
                return Err(ErrorResponse::unknown_param(&format!("recurring[{key}]")));
            }
            let wanted = common::scalar(&format!("recurring[{key}]"), value)?.to_owned();
            let key = key.clone();
            filter.push(move |price| price["recurring"][&key].as_str() == Some(wanted.as_str()));
        }
    }
    if let Some(keys) = filters.get("lookup_keys") {
        let keys = common::string_list("lookup_keys", keys)?;
        if keys.len() > LOOKUP_KEYS_FILTER_MAX {
            return Err(ErrorResponse::param(
                "lookup_keys",
                format!(
                    "Invalid lookup_keys: you can pass at most {LOOKUP_KEYS_FILTER_MAX} lookup keys."
                ),
            ));
        }
        let mut positions: Vec<usize> = keys
            .iter()
            .filter_map(|key| store.holder(KIND, "lookup_key", key))
            .filter_map(|id| store.position(KIND, id))
            .collect();
        positions.sort_unstable();
        positions.dedup();
        filter.narrow(&positions);
    }
    Ok(filter)
}

/// Includable fields, and the price's own currency among its currency options.
fn render(object: &Arc<Value>, expand: &[String]) -> Arc<Value> {
    let mut shown = common::includable(object, &["currency_options", "tiers"], expand);
    if expand.iter().any(|e| e == "currency_options") {
        // Stripe lists the price's own currency among its currency options.
        let mut copy = (*shown).clone();
        let own = json!({
            "custom_unit_amount": object["custom_unit_amount"],
            "tax_behavior": object["tax_behavior"],
            "unit_amount": object["unit_amount"],
            "unit_amount_decimal": object["unit_amount_decimal"],
        });
        let mut options = Map::new();
        if let Some(currency) = object["currency"].as_str() {
            options.insert(currency.to_owned(), own);
        }
        if let Some(Value::Object(rest)) = object.get("currency_options") {
            options.extend(rest.clone());
        }
        copy["currency_options"] = Value::Object(options);
        shown = Arc::new(copy);
    }
    shown
}
