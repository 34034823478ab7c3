//! `billingctl export`: the live account written back as a readable catalog script.
//!
//! A pure function of the fetched objects ([`export_script`]): [`select`] picks and orders
//! what to write (scope, grouping), [`keys`] names every object (making up keys where Stripe
//! has none, so the script adopts those objects by id), [`params`] turns each Stripe response
//! into the create params the script declares, and [`rhai_text`] writes them as Rhai.

pub mod keys;
pub mod live;
pub mod params;
pub mod rhai_text;
pub mod select;

use serde_json::{Map, Value};

use crate::kinds::ObjectKind;
use crate::kinds::RESERVED_METADATA_PREFIX;
use keys::Keys;
pub use live::LiveObjects;
use rhai_text::RhaiWriter;
use select::{ScopeChoice, Selection};

type Object = Map<String, Value>;

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Only objects whose metadata `billingctl_scope` is this (plus what they refer to).
    pub scope: Option<String>,
}

/// An exported script and what it holds.
#[derive(Clone, Debug)]
pub struct Export {
    /// The Rhai source, ending in a newline.
    pub script: String,
    /// Objects declared.
    pub objects: usize,
    /// Objects declared with `adopt: "<id>"` because they have no billingctl key yet.
    pub adopted: usize,
}

/// The catalog script that reproduces `live`: see [`export`].
pub fn export_script(live: &LiveObjects, options: &ExportOptions) -> String {
    export(live, options).script
}

/// Writes `live` as a catalog script: each product followed by its prices, then each coupon
/// followed by its promotion codes, then the portal configurations, oldest first. The same
/// account always gives the same text.
pub fn export(live: &LiveObjects, options: &ExportOptions) -> Export {
    let selection = select::select(live, options.scope.as_deref());
    let keys = keys::assign(live, &selection);
    let mut out = Script {
        writer: RhaiWriter::new(),
        text: String::new(),
        keys: &keys,
        selection: &selection,
    };
    out.header();
    // A section without objects gets no heading.
    if !selection.products.is_empty() {
        out.section("Products, each followed by its prices");
    }
    for (product, prices) in &selection.products {
        out.declare(ObjectKind::Product, product);
        for price in prices {
            out.declare(ObjectKind::Price, price);
        }
        out.text.push('\n');
    }
    if !selection.coupons.is_empty() {
        out.section("Coupons, each followed by its promotion codes");
    }
    for (coupon, codes) in &selection.coupons {
        out.declare(ObjectKind::Coupon, coupon);
        for code in codes {
            out.declare(ObjectKind::PromotionCode, code);
        }
        out.text.push('\n');
    }
    if !selection.portals.is_empty() {
        out.section("Customer portal configurations");
    }
    for portal in &selection.portals {
        out.declare(ObjectKind::PortalConfiguration, portal);
    }
    let script = format!("{}\n", out.text.trim_end());
    Export {
        script,
        objects: selection.len(),
        adopted: keys.adopted_count(),
    }
}

struct Script<'a> {
    writer: RhaiWriter,
    text: String,
    keys: &'a Keys,
    selection: &'a Selection<'a>,
}

impl Script<'_> {
    fn header(&mut self) {
        self.text.push_str(
            "// The live billing catalog, written by `billingctl export`.\n\
             // Objects that had no billingctl key yet say which Stripe object they `adopt`:\n\
             // applying this script gives them their key (a price its lookup key, a portal\n\
             // configuration its metadata key). See docs/EXPORT.md.\n",
        );
        for line in &self.selection.left_out {
            self.text.push_str(&format!("// Left out: {line}.\n"));
        }
        match &self.selection.scope {
            ScopeChoice::One(scope) => {
                self.text
                    .push_str(&format!("\nscope({});\n", rhai_text::string_literal(scope)));
            }
            ScopeChoice::Several(scopes) => {
                self.text.push_str(&format!(
                    "// These objects belong to several scopes ({}); applying this script as one\n\
                     // catalog gives them all its scope. Export each with --scope to keep them apart.\n",
                    scopes.join(", ")
                ));
            }
            ScopeChoice::None => {}
        }
    }

    fn section(&mut self, title: &str) {
        if !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
        self.text.push_str(&format!("// {title}.\n\n"));
    }

    fn declare(&mut self, kind: ObjectKind, object: &Object) {
        let id = live::id(object);
        if self
            .selection
            .dependencies
            .contains(&(kind, id.to_string()))
        {
            self.text.push_str(&format!(
                "// Outside the scope: written because an object in it refers to this {kind}.\n"
            ));
        }
        let key = self.key(kind, object);
        let params = declaration_params(kind, object, self.keys);
        let call = format!("{}({}, ", function(kind), rhai_text::string_literal(&key));
        let map = self.writer.value(&Value::Object(params), 0, call.len());
        self.text.push_str(&call);
        self.text.push_str(&map);
        self.text.push_str(");\n");
    }

    fn key(&self, kind: ObjectKind, object: &Object) -> String {
        let id = live::id(object);
        match kind {
            ObjectKind::Product | ObjectKind::Coupon => id.to_string(),
            ObjectKind::Price => self.keys.price(id).unwrap_or(id).to_string(),
            ObjectKind::PromotionCode => live::text(object, "code").unwrap_or(id).to_string(),
            ObjectKind::PortalConfiguration => self.keys.portal(id).unwrap_or(id).to_string(),
        }
    }
}

/// The script function declaring each kind.
fn function(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Product => "product",
        ObjectKind::Price => "price",
        ObjectKind::Coupon => "coupon",
        ObjectKind::PromotionCode => "promotion_code",
        ObjectKind::PortalConfiguration => "portal",
    }
}

/// The map a declaration takes: the object's create params, with ids of other objects
/// turned into their keys, and `adopt` first where the object has no key yet.
fn declaration_params(kind: ObjectKind, object: &Object, keys: &Keys) -> Object {
    let id = live::id(object);
    let mut raw = object.clone();
    // The key is the declaration's first argument, not a param.
    for key_field in ["id", "lookup_key", "code"] {
        raw.remove(key_field);
    }
    if let Some(Value::Object(metadata)) = raw.get_mut("metadata") {
        // billingctl writes `billingctl_key` and `billingctl_scope` itself, and scripts may
        // not set any key of that prefix (`catalog::validate`), so none is exported.
        metadata.retain(|key, _| !key.starts_with(RESERVED_METADATA_PREFIX));
    }
    let mut reference = None;
    match kind {
        ObjectKind::Price => {
            reference = select::price_product(object).map(|p| ("product", p.to_string()));
            raw.remove("product");
            prepare_price(&mut raw);
        }
        ObjectKind::PromotionCode => {
            reference = live::promotion_coupon(object).map(|c| ("coupon", c.to_string()));
            raw.remove("promotion");
            raw.remove("coupon");
        }
        ObjectKind::PortalConfiguration => prices_to_keys(&mut raw, keys),
        ObjectKind::Coupon => drop_own_currency_option(&mut raw),
        ObjectKind::Product => {}
    }

    let mut params = params::create_params(kind, &raw);
    if kind == ObjectKind::Product {
        // `default_price` is update-only in Stripe, but the script names it (by key) on the
        // product, and the plan sets it after the price exists.
        let default = object.get("default_price").and_then(live::reference_id);
        if let Some(key) = default.and_then(|price| keys.price(price)) {
            params.insert("default_price".into(), key.into());
        }
    }
    if !live::is_active(object) && !params.contains_key("active") {
        // Portal configurations take `active` on update only; the script still says it.
        params.insert("active".into(), false.into());
    }

    let mut out = Object::new();
    if keys.is_adopted(id) {
        out.insert("adopt".into(), id.into());
    }
    if let Some((field, key)) = reference {
        out.insert(field.into(), key.into());
    }
    out.extend(params);
    out
}

/// Stripe's answer for a price differs from its create params in three places: a custom unit
/// amount is on when present (`enabled` is not echoed), the last tier's open end is `null`
/// where a create says `"inf"`, and an expanded `currency_options` repeats the own currency.
fn prepare_price(raw: &mut Object) {
    if let Some(Value::Object(custom)) = raw.get_mut("custom_unit_amount") {
        custom.insert("enabled".into(), true.into());
    }
    open_last_tier(raw.get_mut("tiers"));
    drop_own_currency_option(raw);
    if let Some(Value::Object(options)) = raw.get_mut("currency_options") {
        for option in options.values_mut() {
            if let Value::Object(option) = option {
                if let Some(Value::Object(custom)) = option.get_mut("custom_unit_amount") {
                    custom.insert("enabled".into(), true.into());
                }
                open_last_tier(option.get_mut("tiers"));
            }
        }
    }
}

/// An expanded `currency_options` (price or coupon) repeats the object's own currency, which
/// is the object itself, not an option of it.
fn drop_own_currency_option(raw: &mut Object) {
    let currency = live::text(raw, "currency").map(str::to_string);
    if let (Some(Value::Object(options)), Some(currency)) =
        (raw.get_mut("currency_options"), currency)
    {
        options.remove(&currency);
    }
}

fn open_last_tier(tiers: Option<&mut Value>) {
    if let Some(Value::Array(tiers)) = tiers {
        for tier in tiers {
            if let Some(up_to @ Value::Null) = tier.get_mut("up_to") {
                *up_to = "inf".into();
            }
        }
    }
}

/// The portal lists prices by id; the script lists them by lookup key.
fn prices_to_keys(raw: &mut Object, keys: &Keys) {
    let products = raw
        .get_mut("features")
        .and_then(|features| features.pointer_mut("/subscription_update/products"));
    let Some(Value::Array(products)) = products else {
        return;
    };
    for entry in products {
        if let Some(Value::Array(prices)) = entry.get_mut("prices") {
            for price in prices {
                if let Some(key) = live::reference_id(price).and_then(|id| keys.price(id)) {
                    *price = key.into();
                }
            }
        }
        if let Some(product) = entry.get_mut("product") {
            if let Some(id) = live::reference_id(product) {
                *product = id.to_string().into();
            }
        }
    }
}

#[cfg(test)]
mod tests;
