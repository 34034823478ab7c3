//! The generator: from a seed, a case — a first catalog, then steps of changes. Values come
//! from the field table (enums, mutability) and Stripe's documented limits (the constants of
//! `catalog::validate`, which cite them); the generator keeps its own copy of the script
//! (`shadow`) to pick changes that apply to what is declared.
//!
//! Every change is tagged with its dimension. A dimension listed in `gaps::KNOWN_GAPS` is not
//! generated (unless asked): see that module. An invalid change (one Stripe refuses, which
//! the plan must report) is always alone in its step, and is not applied to the shadow,
//! since the runner takes the script back after a plan with errors.

use billingctl::catalog::currency;
use billingctl::catalog::validate::{MARKETING_FEATURES_MAX, STATEMENT_DESCRIPTOR_MAX};
use billingctl::kinds::ObjectKind;
use serde_json::{json, Map, Value};

use super::gaps::Gaps;
use super::model::{Change, Model, Obj, Tagged};
use super::rng::Rng;
use super::table::{enum_values, form_path, is_mutable};
use crate::support::TEST_NOW;

/// Currencies with two decimals (amounts are minor units either way); each is checked
/// against the catalog's list of supported currencies.
const CURRENCIES: &[&str] = &["usd", "eur", "gbp", "chf", "cad"];
const WORDS: &[&str] = &[
    "Alpha", "Basic", "Plus", "Team", "Scale", "Nova", "Orbit", "Pilot", "Summit", "Delta",
];
const METADATA_KEYS: &[&str] = &["tier", "team", "region", "note"];
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;
/// Stripe refuses a coupon `redeem_by` more than five years ahead (issue 9; NOTES.md has no
/// page for it, the issue reports it from the API).
const REDEEM_BY_MAX_AHEAD: i64 = 5 * YEAR;
/// A price's recurring interval may span at most three years (`catalog::validate`, R004).
const INTERVAL_COUNT_MAX: i64 = 3;

/// One generated case: step 0 declares the first catalog.
#[derive(Clone, Debug)]
pub struct Case {
    pub steps: Vec<Vec<Tagged>>,
}

impl Case {
    pub fn changes(&self) -> usize {
        self.steps.iter().map(Vec::len).sum()
    }
}

/// The case of `seed`: a first catalog and `steps` steps of changes.
pub fn case(seed: u64, steps: usize, gaps: &Gaps) -> Case {
    let mut generator = Generator {
        rng: Rng::new(seed),
        gaps: gaps.clone(),
        shadow: Model::default(),
        next: 0,
        added_this_step: Vec::new(),
        at_step_start: Model::default(),
    };
    let mut all = vec![generator.first_catalog()];
    for _ in 0..steps {
        all.push(generator.step());
    }
    Case { steps: all }
}

struct Generator {
    rng: Rng,
    gaps: Gaps,
    shadow: Model,
    next: u32,
    /// Keys declared in the step being generated (not in the account yet).
    added_this_step: Vec<String>,
    /// The script as the account holds it when the step starts.
    at_step_start: Model,
}

impl Generator {
    fn fresh(&mut self, prefix: &str) -> String {
        self.next += 1;
        format!("{prefix}{}", self.next)
    }

    /// Keeps the change (if its dimension is allowed), applying it to the shadow when valid.
    fn emit(&mut self, dimension: &'static str, change: Change, invalid: bool) -> Option<Tagged> {
        if !self.gaps.allows(dimension) {
            return None;
        }
        if let Change::Set { kind, path, .. } = &change {
            // Only fields the update endpoint takes are edited in place (a removed field is
            // cleared through the same param).
            let concrete = form_path(path);
            assert!(
                invalid || is_mutable(*kind, &concrete),
                "generator bug: {kind} `{concrete}` is not mutable in the field table"
            );
        }
        if !invalid {
            self.shadow.apply(&change);
        }
        if let Change::Add(obj) = &change {
            self.added_this_step.push(obj.key.clone());
        }
        Some(Tagged {
            dimension,
            change,
            invalid,
        })
    }

    fn first_catalog(&mut self) -> Vec<Tagged> {
        let mut changes = Vec::new();
        for _ in 0..self.rng.range(1, 3) {
            changes.extend(self.add_product());
        }
        for _ in 0..self.rng.range(1, 4) {
            changes.extend(self.add_price());
        }
        for _ in 0..self.rng.range(0, 2) {
            changes.extend(self.add_coupon());
        }
        for _ in 0..self.rng.range(0, 2) {
            changes.extend(self.add_promotion_code());
        }
        if self.rng.chance(50) {
            changes.extend(self.add_portal());
        }
        changes
    }

    fn step(&mut self) -> Vec<Tagged> {
        self.added_this_step.clear();
        self.at_step_start = self.shadow.clone();
        // One change in ten is one Stripe refuses, alone in its step.
        if self.rng.chance(10) {
            for _ in 0..10 {
                if let Some(change) = self.invalid_change() {
                    return vec![change];
                }
            }
        }
        let count = self.rng.range(1, 3);
        let mut changes = Vec::new();
        let mut tries = 0;
        while changes.len() < count as usize && tries < 50 {
            tries += 1;
            if self.rng.chance(5) {
                if let Some(pair) = self.adopt() {
                    changes.extend(pair);
                }
            } else if let Some(change) = self.valid_change() {
                changes.push(change);
            }
        }
        changes
    }

    fn valid_change(&mut self) -> Option<Tagged> {
        match self.rng.below(100) {
            0..=5 => self.add_product(),
            6..=13 => self.add_price(),
            14..=17 => self.add_coupon(),
            18..=22 => self.add_promotion_code(),
            23..=24 => self.add_portal(),
            25..=36 => self.edit_product(),
            37..=50 => self.edit_price(),
            51..=55 => self.edit_coupon(),
            56..=61 => self.edit_promotion_code(),
            62..=69 => self.edit_portal(),
            70..=79 => self.toggle_active(),
            _ => self.out_of_band(),
        }
    }

    // ---- values -------------------------------------------------------------------------

    fn name(&mut self) -> String {
        format!("{} {}", self.rng.pick(WORDS), self.rng.range(1, 99))
    }

    fn currency(&mut self) -> &'static str {
        let code = *self.rng.pick(CURRENCIES);
        assert!(
            currency::is_supported(code),
            "{code} is a supported currency"
        );
        code
    }

    fn other_currencies(&mut self, not: &str) -> Vec<&'static str> {
        let others: Vec<&'static str> = CURRENCIES.iter().copied().filter(|c| *c != not).collect();
        let mut chosen = self.rng.subset(&others);
        chosen.truncate(2);
        chosen
    }

    fn metadata(&mut self) -> Value {
        let mut map = Map::new();
        for _ in 0..self.rng.range(1, 3) {
            let key = *self.rng.pick(METADATA_KEYS);
            map.insert(key.into(), json!(self.rng.pick(WORDS).to_lowercase()));
        }
        Value::Object(map)
    }

    fn statement_descriptor(&mut self) -> Value {
        let text = format!("ACME {}", self.rng.pick(WORDS).to_uppercase());
        assert!(text.len() <= STATEMENT_DESCRIPTOR_MAX);
        json!(text)
    }

    fn marketing_features(&mut self) -> Value {
        let count = self.rng.range(1, 4).min(MARKETING_FEATURES_MAX as i64);
        let features: Vec<String> = (0..count)
            .map(|i| format!("{} feature {i}", self.rng.pick(WORDS)))
            .collect();
        json!(features)
    }

    fn url(&mut self) -> Value {
        json!(format!(
            "https://example.test/{}",
            self.rng.pick(WORDS).to_lowercase()
        ))
    }

    fn enum_value(&mut self, kind: ObjectKind, path: &str) -> Value {
        json!(self.rng.pick(enum_values(kind, path)))
    }

    fn enum_subset(&mut self, kind: ObjectKind, path: &str) -> Value {
        json!(self.rng.subset(enum_values(kind, path)))
    }

    fn amount(&mut self) -> i64 {
        self.rng.range(1, 500) * 100
    }

    /// Tiers with increasing bounds, the last one `inf`; each has an amount.
    fn tiers(&mut self) -> Value {
        let mut tiers = Vec::new();
        let mut up_to = 0;
        for _ in 0..self.rng.range(1, 2) {
            up_to += self.rng.range(1, 50);
            tiers.push(self.tier(json!(up_to)));
        }
        tiers.push(self.tier(json!("inf")));
        Value::Array(tiers)
    }

    fn tier(&mut self, up_to: Value) -> Value {
        let mut tier = json!({ "up_to": up_to });
        match self.rng.below(3) {
            0 => tier["unit_amount"] = json!(self.amount()),
            1 => tier["flat_amount"] = json!(self.amount()),
            _ => {
                tier["unit_amount"] = json!(self.amount());
                tier["flat_amount"] = json!(self.amount());
            }
        }
        tier
    }

    fn custom_unit_amount(&mut self) -> Value {
        let minimum = self.rng.range(1, 10) * 100;
        let maximum = minimum + self.rng.range(1, 100) * 100;
        let mut custom = json!({ "enabled": true });
        if self.rng.chance(70) {
            custom["minimum"] = json!(minimum);
        }
        if self.rng.chance(70) {
            custom["maximum"] = json!(maximum);
        }
        if self.rng.chance(50) {
            custom["preset"] = json!(self.rng.range(minimum, maximum));
        }
        custom
    }

    // ---- adds ---------------------------------------------------------------------------

    fn add_product(&mut self) -> Option<Tagged> {
        let key = self.fresh("plan_");
        let mut params = json!({ "name": self.name() });
        if self.rng.chance(50) {
            params["description"] = json!(format!("The {} plan.", self.rng.pick(WORDS)));
        }
        if self.rng.chance(40) {
            params["metadata"] = self.metadata();
        }
        // An empty map is a script an author may write: no metadata at all.
        let dimension = if self.rng.chance(5) {
            params["metadata"] = json!({});
            "product.add.empty_metadata"
        } else {
            "product.add"
        };
        if self.rng.chance(40) {
            params["marketing_features"] = self.marketing_features();
        }
        if self.rng.chance(30) {
            params["statement_descriptor"] = self.statement_descriptor();
        }
        if self.rng.chance(20) {
            params["unit_label"] = json!("seat");
        }
        if self.rng.chance(20) {
            params["url"] = self.url();
        }
        if self.rng.chance(20) {
            params["shippable"] = json!(self.rng.chance(50));
        }
        let obj = Obj::new(ObjectKind::Product, key, params);
        self.emit(dimension, Change::Add(obj), false)
    }

    fn add_price(&mut self) -> Option<Tagged> {
        let products: Vec<String> = self
            .shadow
            .of(ObjectKind::Product)
            .filter(|p| p.is_active())
            .map(|p| p.key.clone())
            .collect();
        if products.is_empty() {
            return None;
        }
        let product = self.rng.pick(&products).clone();
        let key = self.fresh("price_");
        let currency = self.currency();
        let kind = ObjectKind::Price;
        let mut params = json!({ "product": product, "currency": currency });
        let (dimension, scheme) = match self.rng.below(10) {
            0..=5 => ("price.add.per_unit", Scheme::PerUnit),
            6..=7 => ("price.add.tiered", Scheme::Tiered),
            _ => ("price.add.custom_unit_amount", Scheme::Custom),
        };
        let recurring = match scheme {
            Scheme::PerUnit => self.rng.chance(60),
            // Tiers belong to recurring prices; a customer-chosen amount to one-time ones.
            Scheme::Tiered => true,
            Scheme::Custom => false,
        };
        match scheme {
            Scheme::PerUnit => params["unit_amount"] = json!(self.amount()),
            Scheme::Tiered => {
                params["billing_scheme"] = json!("tiered");
                params["tiers_mode"] = self.enum_value(kind, "tiers_mode");
                params["tiers"] = self.tiers();
            }
            Scheme::Custom => params["custom_unit_amount"] = self.custom_unit_amount(),
        }
        if recurring {
            let mut recurring = json!({ "interval": self.enum_value(kind, "recurring[interval]") });
            if self.rng.chance(30) {
                recurring["interval_count"] = json!(self.rng.range(1, INTERVAL_COUNT_MAX));
            }
            params["recurring"] = recurring;
        }
        if self.rng.chance(50) {
            params["tax_behavior"] = self.enum_value(kind, "tax_behavior");
        }
        if self.rng.chance(50) {
            params["nickname"] = json!(self.name());
        }
        if self.rng.chance(30) {
            params["metadata"] = self.metadata();
        }
        if self.rng.chance(40) {
            let mut options = Map::new();
            for other in self.other_currencies(currency) {
                options.insert(other.into(), self.currency_option(scheme));
            }
            params["currency_options"] = Value::Object(options);
        }
        let obj = Obj::new(kind, key, params);
        self.emit(dimension, Change::Add(obj), false)
    }

    fn currency_option(&mut self, scheme: Scheme) -> Value {
        let mut option = match scheme {
            Scheme::PerUnit => json!({ "unit_amount": self.amount() }),
            Scheme::Tiered => json!({ "tiers": self.tiers() }),
            Scheme::Custom => json!({ "custom_unit_amount": self.custom_unit_amount() }),
        };
        if self.rng.chance(30) {
            option["tax_behavior"] =
                self.enum_value(ObjectKind::Price, "currency_options[<key>][tax_behavior]");
        }
        option
    }

    fn coupon_params(&mut self) -> Value {
        let kind = ObjectKind::Coupon;
        let mut params = if self.rng.chance(50) {
            json!({ "percent_off": self.rng.range(1, 1000) as f64 / 10.0 })
        } else {
            let currency = self.currency();
            let mut params = json!({ "amount_off": self.amount(), "currency": currency });
            if self.rng.chance(40) {
                let mut options = Map::new();
                for other in self.other_currencies(currency) {
                    options.insert(other.into(), json!({ "amount_off": self.amount() }));
                }
                params["currency_options"] = Value::Object(options);
            }
            params
        };
        if self.rng.chance(70) {
            params["duration"] = self.enum_value(kind, "duration");
            if params["duration"] == "repeating" {
                params["duration_in_months"] = json!(self.rng.range(1, 12));
            }
        }
        if self.rng.chance(30) {
            params["max_redemptions"] = json!(self.rng.range(1, 1000));
        }
        if self.rng.chance(30) {
            params["redeem_by"] = json!(TEST_NOW + self.rng.range(DAY, 4 * YEAR));
        }
        let products: Vec<String> = self
            .shadow
            .of(ObjectKind::Product)
            .map(|p| p.key.clone())
            .collect();
        if !products.is_empty() && self.rng.chance(20) {
            params["applies_to"] = json!({ "products": self.rng.subset(&products) });
        }
        if self.rng.chance(60) {
            params["name"] = json!(format!("{} off", self.rng.pick(WORDS)));
        }
        if self.rng.chance(30) {
            params["metadata"] = self.metadata();
        }
        params
    }

    fn add_coupon(&mut self) -> Option<Tagged> {
        let key = self.fresh("coupon_");
        let params = self.coupon_params();
        let dimension = if params.get("percent_off").is_some() {
            "coupon.add.percent_off"
        } else {
            "coupon.add.amount_off"
        };
        let obj = Obj::new(ObjectKind::Coupon, key, params);
        self.emit(dimension, Change::Add(obj), false)
    }

    /// A valid promotion code on a declared coupon, and that coupon.
    fn promotion_code_params(&mut self) -> Option<(Value, Obj)> {
        let coupons: Vec<Obj> = self.shadow.of(ObjectKind::Coupon).cloned().collect();
        if coupons.is_empty() {
            return None;
        }
        let coupon = self.rng.pick(&coupons).clone();
        let mut params = json!({ "coupon": coupon.key });
        if self.rng.chance(30) {
            let until = coupon.int("redeem_by").unwrap_or(TEST_NOW + 2 * YEAR);
            params["expires_at"] = json!(self.rng.range(TEST_NOW + 3600, until));
        }
        if self.rng.chance(30) {
            let most = coupon.int("max_redemptions").unwrap_or(1000);
            params["max_redemptions"] = json!(self.rng.range(1, most));
        }
        if self.rng.chance(40) {
            let mut restrictions = json!({});
            if self.rng.chance(50) {
                restrictions["first_time_transaction"] = json!(self.rng.chance(50));
            }
            if self.rng.chance(70) {
                let currency = self.currency();
                restrictions["minimum_amount"] = json!(self.amount());
                restrictions["minimum_amount_currency"] = json!(currency);
                if self.rng.chance(70) {
                    let mut options = Map::new();
                    for other in self.other_currencies(currency) {
                        options.insert(other.into(), json!({ "minimum_amount": self.amount() }));
                    }
                    restrictions["currency_options"] = Value::Object(options);
                }
            }
            params["restrictions"] = restrictions;
        }
        if self.rng.chance(30) {
            params["metadata"] = self.metadata();
        }
        Some((params, coupon))
    }

    fn add_promotion_code(&mut self) -> Option<Tagged> {
        let (params, _) = self.promotion_code_params()?;
        let key = self.fresh("CODE");
        // `restrictions: #{}` is a script an author may write (no restriction at all).
        let dimension = if params.get("restrictions") == Some(&json!({})) {
            "promotion_code.add.empty_restrictions"
        } else {
            "promotion_code.add"
        };
        let obj = Obj::new(ObjectKind::PromotionCode, key, params);
        self.emit(dimension, Change::Add(obj), false)
    }

    fn add_portal(&mut self) -> Option<Tagged> {
        let kind = ObjectKind::PortalConfiguration;
        let key = self.fresh("portal_");
        let cancel_mode = self.enum_value(kind, "features[subscription_cancel][mode]");
        let mut cancel = json!({
            "enabled": self.rng.chance(70),
            "mode": cancel_mode,
            "cancellation_reason": {
                "enabled": self.rng.chance(60),
                "options": self.enum_subset(kind, "features[subscription_cancel][cancellation_reason][options][]"),
            },
        });
        // R002: `create_prorations` "is only compatible with `mode=immediately`".
        cancel["proration_behavior"] = if cancel_mode == "immediately" {
            json!("create_prorations")
        } else {
            json!("none")
        };
        let mut features = json!({
            "customer_update": {
                "enabled": self.rng.chance(60),
                "allowed_updates": self.enum_subset(kind, "features[customer_update][allowed_updates][]"),
            },
            "invoice_history": { "enabled": self.rng.chance(60) },
            "payment_method_update": { "enabled": self.rng.chance(60) },
            "subscription_cancel": cancel,
        });
        if let Some(products) = self.portal_products() {
            features["subscription_update"] = json!({
                "enabled": true,
                "default_allowed_updates": self.enum_subset(kind, "features[subscription_update][default_allowed_updates][]"),
                "proration_behavior": self.enum_value(kind, "features[subscription_update][proration_behavior]"),
                "products": products,
            });
        }
        let mut params = json!({ "features": features });
        if self.rng.chance(60) {
            params["name"] = json!(format!("{} portal", self.rng.pick(WORDS)));
        }
        let mut dimension = "portal.add";
        if self.rng.chance(50) {
            params["business_profile"] = json!({
                "headline": format!("{}: manage your plan", self.rng.pick(WORDS)),
                "privacy_policy_url": self.url(),
            });
        } else if self.rng.chance(10) {
            params["business_profile"] = json!({});
            dimension = "portal.add.empty_business_profile";
        }
        if self.rng.chance(40) {
            params["default_return_url"] = self.url();
        }
        let obj = Obj::new(kind, key, params);
        self.emit(dimension, Change::Add(obj), false)
    }

    /// Up to two active products, each with some of its active recurring prices, by key.
    fn portal_products(&mut self) -> Option<Value> {
        let mut products = Vec::new();
        let candidates: Vec<Obj> = self
            .shadow
            .of(ObjectKind::Product)
            .filter(|p| p.is_active())
            .cloned()
            .collect();
        let candidates = if candidates.is_empty() {
            candidates
        } else {
            self.rng.subset(&candidates)
        };
        for product in &candidates {
            let prices: Vec<String> = self
                .shadow
                .of(ObjectKind::Price)
                .filter(|p| {
                    p.is_active()
                        && p.str("product") == Some(&product.key)
                        && p.params.contains_key("recurring")
                })
                .map(|p| p.key.clone())
                .collect();
            if !prices.is_empty() && products.len() < 2 {
                let prices = self.rng.subset(&prices);
                products.push(json!({ "product": product.key, "prices": prices }));
            }
        }
        (!products.is_empty()).then(|| json!(products))
    }

    // ---- edits --------------------------------------------------------------------------

    fn pick_obj(&mut self, kind: ObjectKind, filter: impl Fn(&Obj) -> bool) -> Option<Obj> {
        let objects: Vec<Obj> = self
            .shadow
            .of(kind)
            .filter(|o| filter(o))
            .cloned()
            .collect();
        (!objects.is_empty()).then(|| self.rng.pick(&objects).clone())
    }

    fn set(
        &mut self,
        dimension: &'static str,
        obj: &Obj,
        path: &[&str],
        value: Option<Value>,
    ) -> Option<Tagged> {
        let change = Change::Set {
            kind: obj.kind,
            key: obj.key.clone(),
            path: path.iter().map(|s| s.to_string()).collect(),
            value,
        };
        self.emit(dimension, change, false)
    }

    /// Sets or removes a metadata key.
    fn edit_metadata(&mut self, dimension: &'static str, obj: &Obj) -> Option<Tagged> {
        let key = *self.rng.pick(METADATA_KEYS);
        let present = obj.get(&["metadata", key]).is_some();
        let value = if present && self.rng.chance(50) {
            None
        } else {
            Some(json!(self.rng.pick(WORDS).to_lowercase()))
        };
        self.set(dimension, obj, &["metadata", key], value)
    }

    fn edit_product(&mut self) -> Option<Tagged> {
        let obj = self.pick_obj(ObjectKind::Product, |_| true)?;
        match self.rng.below(9) {
            0 => {
                let name = self.name();
                self.set("product.edit.name", &obj, &["name"], Some(json!(name)))
            }
            1 => {
                let value = if obj.params.contains_key("description") && self.rng.chance(50) {
                    None
                } else {
                    Some(json!(format!("Now {}.", self.rng.pick(WORDS))))
                };
                self.set("product.edit.description", &obj, &["description"], value)
            }
            2 => self.edit_metadata("product.edit.metadata", &obj),
            3 => {
                let value = self.optional(&obj, "marketing_features", Self::marketing_features);
                self.set(
                    "product.edit.marketing_features",
                    &obj,
                    &["marketing_features"],
                    value,
                )
            }
            4 => {
                let value = self.optional(&obj, "statement_descriptor", Self::statement_descriptor);
                self.set(
                    "product.edit.statement_descriptor",
                    &obj,
                    &["statement_descriptor"],
                    value,
                )
            }
            5 => {
                let value = self.optional(&obj, "url", Self::url);
                self.set("product.edit.url", &obj, &["url"], value)
            }
            6 => {
                let value = self.optional(&obj, "unit_label", |_| json!("user"));
                self.set("product.edit.unit_label", &obj, &["unit_label"], value)
            }
            7 => {
                let value = Some(json!(self.rng.chance(50)));
                self.set("product.edit.shippable", &obj, &["shippable"], value)
            }
            _ => {
                let prices: Vec<String> = self
                    .shadow
                    .of(ObjectKind::Price)
                    .filter(|p| p.is_active() && p.str("product") == Some(&obj.key))
                    .map(|p| p.key.clone())
                    .collect();
                if prices.is_empty() {
                    return None;
                }
                let price = self.rng.pick(&prices).clone();
                self.set(
                    "product.edit.default_price",
                    &obj,
                    &["default_price"],
                    Some(json!(price)),
                )
            }
        }
    }

    /// A field's new value, or (when set, half the time) its removal.
    fn optional(
        &mut self,
        obj: &Obj,
        field: &str,
        make: impl FnOnce(&mut Self) -> Value,
    ) -> Option<Value> {
        if obj.params.contains_key(field) && self.rng.chance(50) {
            None
        } else {
            Some(make(self))
        }
    }

    fn edit_price(&mut self) -> Option<Tagged> {
        let obj = self.pick_obj(ObjectKind::Price, |_| true)?;
        let scheme = Scheme::of(&obj);
        let currency = obj.str("currency").unwrap_or("usd").to_owned();
        match self.rng.below(7) {
            0 => {
                let value = self.optional(&obj, "nickname", |g| json!(g.name()));
                self.set("price.edit.nickname", &obj, &["nickname"], value)
            }
            1 => self.edit_metadata("price.edit.metadata", &obj),
            2 => {
                // Set once: only from unset or `unspecified` (the other way is invalid_change).
                let current = obj.str("tax_behavior").unwrap_or("unspecified");
                if current != "unspecified" {
                    return None;
                }
                let value = self.enum_value(ObjectKind::Price, "tax_behavior");
                self.set(
                    "price.edit.tax_behavior",
                    &obj,
                    &["tax_behavior"],
                    Some(value),
                )
            }
            3 => {
                // A new currency.
                let taken: Vec<String> = obj
                    .get(&["currency_options"])
                    .and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default();
                let free: Vec<&str> = CURRENCIES
                    .iter()
                    .copied()
                    .filter(|c| *c != currency && !taken.iter().any(|t| t == c))
                    .collect();
                if free.is_empty() {
                    return None;
                }
                let other = *self.rng.pick(&free);
                let option = self.currency_option(scheme);
                // An entry removed earlier in this step is still in the account: adding it
                // back changes that entry (a partial update today).
                let live = self.at_step_start.find(ObjectKind::Price, &obj.key);
                let dimension = if live
                    .and_then(|p| p.get(&["currency_options", other]))
                    .is_some()
                {
                    "price.edit.currency_options.replace_entry"
                } else {
                    "price.edit.currency_options.add"
                };
                self.set(dimension, &obj, &["currency_options", other], Some(option))
            }
            4 | 5 => {
                let (other, option) = self.existing_option(&obj)?;
                let path = ["currency_options", other.as_str()];
                if self.rng.chance(30) {
                    return self.set("price.edit.currency_options.remove", &obj, &path, None);
                }
                let mut option = option;
                let dimension = match (scheme, self.rng.below(2)) {
                    (Scheme::PerUnit, 0) => {
                        option["unit_amount"] = json!(self.amount());
                        "price.edit.currency_options.unit_amount"
                    }
                    (Scheme::Tiered, 0) => {
                        option["tiers"] = self.tiers();
                        "price.edit.currency_options.tiers"
                    }
                    (Scheme::Custom, 0) => {
                        option["custom_unit_amount"] = self.custom_unit_amount();
                        "price.edit.currency_options.custom_unit_amount"
                    }
                    _ => {
                        option["tax_behavior"] = self
                            .enum_value(ObjectKind::Price, "currency_options[<key>][tax_behavior]");
                        "price.edit.currency_options.tax_behavior"
                    }
                };
                self.set(dimension, &obj, &path, Some(option))
            }
            _ => {
                if !obj.params.contains_key("currency_options") {
                    return None;
                }
                self.set(
                    "price.edit.currency_options.clear",
                    &obj,
                    &["currency_options"],
                    None,
                )
            }
        }
    }

    fn existing_option(&mut self, obj: &Obj) -> Option<(String, Value)> {
        let options: Vec<(String, Value)> = obj
            .get(&["currency_options"])?
            .as_object()?
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        (!options.is_empty()).then(|| self.rng.pick(&options).clone())
    }

    fn edit_coupon(&mut self) -> Option<Tagged> {
        let obj = self.pick_obj(ObjectKind::Coupon, |_| true)?;
        match self.rng.below(4) {
            0 => {
                let value = Some(json!(format!("{} deal", self.rng.pick(WORDS))));
                self.set("coupon.edit.name", &obj, &["name"], value)
            }
            1 => {
                obj.params.get("name")?;
                self.set("coupon.edit.name.remove", &obj, &["name"], None)
            }
            2 => self.edit_metadata("coupon.edit.metadata", &obj),
            _ => {
                let options = obj.get(&["currency_options"])?.as_object()?;
                let currencies: Vec<String> = options.keys().cloned().collect();
                let other = self.rng.pick(&currencies).clone();
                let value = Some(json!(self.amount()));
                self.set(
                    "coupon.edit.currency_options.amount_off",
                    &obj,
                    &["currency_options", &other, "amount_off"],
                    value,
                )
            }
        }
    }

    fn edit_promotion_code(&mut self) -> Option<Tagged> {
        let obj = self.pick_obj(ObjectKind::PromotionCode, |_| true)?;
        if self.rng.chance(50) {
            return self.edit_metadata("promotion_code.edit.metadata", &obj);
        }
        let options = obj
            .get(&["restrictions", "currency_options"])?
            .as_object()?;
        let currencies: Vec<String> = options.keys().cloned().collect();
        let other = self.rng.pick(&currencies).clone();
        let value = Some(json!(self.amount()));
        self.set(
            "promotion_code.edit.restrictions.currency_options",
            &obj,
            &["restrictions", "currency_options", &other, "minimum_amount"],
            value,
        )
    }

    fn edit_portal(&mut self) -> Option<Tagged> {
        let kind = ObjectKind::PortalConfiguration;
        let obj = self.pick_obj(kind, |_| true)?;
        let flip =
            |obj: &Obj, path: &[&str]| !obj.get(path).and_then(Value::as_bool).unwrap_or(false);
        match self.rng.below(10) {
            9 => {
                // A list is sent whole: another choice of products and prices.
                let path = ["features", "subscription_update", "products"];
                obj.get(&path)?;
                let products = self.portal_products()?;
                self.set(
                    "portal.edit.subscription_update.products",
                    &obj,
                    &path,
                    Some(products),
                )
            }
            0 => {
                let value = self.optional(&obj, "name", |g| {
                    json!(format!("{} portal", g.rng.pick(WORDS)))
                });
                self.set("portal.edit.name", &obj, &["name"], value)
            }
            1 => {
                let value = Some(json!(format!("{} headline", self.rng.pick(WORDS))));
                self.set(
                    "portal.edit.business_profile.headline",
                    &obj,
                    &["business_profile", "headline"],
                    value,
                )
            }
            2 => {
                let value = self.optional(&obj, "default_return_url", Self::url);
                self.set(
                    "portal.edit.default_return_url",
                    &obj,
                    &["default_return_url"],
                    value,
                )
            }
            3 => {
                let path = ["features", "invoice_history", "enabled"];
                self.set(
                    "portal.edit.invoice_history",
                    &obj,
                    &path,
                    Some(json!(flip(&obj, &path))),
                )
            }
            4 => {
                let path = ["features", "payment_method_update", "enabled"];
                self.set(
                    "portal.edit.payment_method_update",
                    &obj,
                    &path,
                    Some(json!(flip(&obj, &path))),
                )
            }
            5 => {
                let value =
                    Some(self.enum_subset(kind, "features[customer_update][allowed_updates][]"));
                self.set(
                    "portal.edit.customer_update.allowed_updates",
                    &obj,
                    &["features", "customer_update", "allowed_updates"],
                    value,
                )
            }
            6 => {
                let path = ["features", "subscription_cancel", "enabled"];
                self.set(
                    "portal.edit.subscription_cancel.enabled",
                    &obj,
                    &path,
                    Some(json!(flip(&obj, &path))),
                )
            }
            7 => {
                let path = [
                    "features",
                    "subscription_cancel",
                    "cancellation_reason",
                    "enabled",
                ];
                self.set(
                    "portal.edit.cancellation_reason.enabled",
                    &obj,
                    &path,
                    Some(json!(flip(&obj, &path))),
                )
            }
            _ => {
                let value = Some(self.enum_subset(
                    kind,
                    "features[subscription_cancel][cancellation_reason][options][]",
                ));
                self.set(
                    "portal.edit.cancellation_reason.options",
                    &obj,
                    &[
                        "features",
                        "subscription_cancel",
                        "cancellation_reason",
                        "options",
                    ],
                    value,
                )
            }
        }
    }

    /// Whether a portal of the shadow lists this product or price: those stay active (a
    /// portal may only offer active recurring prices).
    fn in_portal(&self, kind: ObjectKind, key: &str) -> bool {
        self.shadow
            .of(ObjectKind::PortalConfiguration)
            .any(|portal| {
                let products = portal
                    .get(&["features", "subscription_update", "products"])
                    .and_then(Value::as_array);
                products.into_iter().flatten().any(|p| match kind {
                    ObjectKind::Product => p["product"] == key,
                    _ => p["prices"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|k| k == key)),
                })
            })
    }

    /// Whether a product of the shadow names this price as its default.
    fn is_default_price(&self, key: &str) -> bool {
        self.shadow
            .of(ObjectKind::Product)
            .any(|p| p.str("default_price") == Some(key))
    }

    /// `active: false` on an active object, or back to active.
    fn toggle_active(&mut self) -> Option<Tagged> {
        let kinds = [
            ObjectKind::Product,
            ObjectKind::Price,
            ObjectKind::PromotionCode,
            ObjectKind::PortalConfiguration,
        ];
        let kind = *self.rng.pick(&kinds);
        // Half the time an inactive one, if any: reactivations are rarer otherwise.
        let obj = if self.rng.chance(50) {
            self.pick_obj(kind, |o| !o.is_active())
                .or_else(|| self.pick_obj(kind, |_| true))?
        } else {
            self.pick_obj(kind, |_| true)?
        };
        if obj.is_active() {
            if self.in_portal(kind, &obj.key) || self.is_default_price(&obj.key) {
                return None;
            }
            let dimension = match kind {
                ObjectKind::Product => "product.deactivate",
                ObjectKind::Price => "price.deactivate",
                ObjectKind::PromotionCode => "promotion_code.deactivate",
                _ => "portal.deactivate",
            };
            self.set(dimension, &obj, &["active"], Some(json!(false)))
        } else {
            let dimension = match kind {
                ObjectKind::Product => "product.reactivate",
                ObjectKind::Price => "price.reactivate",
                ObjectKind::PromotionCode => "promotion_code.reactivate",
                _ => "portal.reactivate",
            };
            self.set(dimension, &obj, &["active"], None)
        }
    }

    // ---- out of band --------------------------------------------------------------------

    fn out_of_band(&mut self) -> Option<Tagged> {
        let (dimension, kind, params, filter): (_, _, _, fn(&Generator, &Obj) -> bool) = match self
            .rng
            .below(13)
        {
            0 => (
                "oob.product.name",
                ObjectKind::Product,
                json!({ "name": "Renamed in the Dashboard" }),
                |_, _| true,
            ),
            1 => (
                "oob.product.metadata",
                ObjectKind::Product,
                json!({ "metadata": { "dashboard": "yes" } }),
                |_, _| true,
            ),
            2 => (
                "oob.product.description",
                ObjectKind::Product,
                json!({ "description": "Edited in the Dashboard" }),
                |_, _| true,
            ),
            3 => (
                "oob.product.deactivate",
                ObjectKind::Product,
                json!({ "active": false }),
                |g, o| o.is_active() && !g.in_portal(o.kind, &o.key),
            ),
            4 => (
                "oob.price.archive",
                ObjectKind::Price,
                json!({ "active": false }),
                |g, o| o.is_active() && !g.in_portal(o.kind, &o.key) && !g.is_default_price(&o.key),
            ),
            5 => (
                "oob.price.nickname",
                ObjectKind::Price,
                json!({ "nickname": "Dashboard nickname" }),
                |_, _| true,
            ),
            6 => (
                "oob.price.metadata",
                ObjectKind::Price,
                json!({ "metadata": { "tier": "dashboard" } }),
                |_, _| true,
            ),
            7 => (
                "oob.coupon.name",
                ObjectKind::Coupon,
                json!({ "name": "Dashboard coupon" }),
                |_, _| true,
            ),
            8 => (
                "oob.coupon.metadata",
                ObjectKind::Coupon,
                json!({ "metadata": { "dashboard": "yes" } }),
                |_, _| true,
            ),
            9 => (
                "oob.promotion_code.deactivate",
                ObjectKind::PromotionCode,
                json!({ "active": false }),
                |_, o| o.is_active(),
            ),
            10 => (
                "oob.promotion_code.metadata",
                ObjectKind::PromotionCode,
                json!({ "metadata": { "dashboard": "yes" } }),
                |_, _| true,
            ),
            11 => (
                "oob.portal.name",
                ObjectKind::PortalConfiguration,
                json!({ "name": "Dashboard portal" }),
                |_, _| true,
            ),
            _ => (
                "oob.portal.metadata",
                ObjectKind::PortalConfiguration,
                json!({ "metadata": { "dashboard": "yes" } }),
                |_, _| true,
            ),
        };
        let candidates: Vec<Obj> = self
            .shadow
            .of(kind)
            .filter(|o| filter(self, o))
            .cloned()
            .collect();
        if candidates.is_empty() {
            return None;
        }
        let obj = self.rng.pick(&candidates).clone();
        let change = Change::OutOfBand {
            kind,
            key: obj.key,
            params,
        };
        self.emit(dimension, change, false)
    }

    /// An object made in the Dashboard, then declared by the script with other mutable
    /// values: the plan adopts it (an update), it does not create it again. Both changes
    /// are in one step; the Dashboard's goes first (out-of-band changes run before the plan).
    fn adopt(&mut self) -> Option<Vec<Tagged>> {
        const DIMENSIONS: [&str; 4] = [
            "adopt.product",
            "adopt.coupon",
            "adopt.price",
            "adopt.promotion_code",
        ];
        let which = self.rng.below(4) as usize;
        let dimension = DIMENSIONS[which];
        if !self.gaps.allows(dimension) {
            return None;
        }
        let saved = self.shadow.clone();
        let add = match which {
            0 => self.add_product(),
            1 => self.add_coupon(),
            2 => self.add_price(),
            _ => self.add_promotion_code(),
        }?;
        let Change::Add(obj) = &add.change else {
            unreachable!("an add")
        };
        // The Dashboard can only refer to objects the account already holds.
        let refers_to_new = Value::Object(obj.params.clone())
            .to_string()
            .split('"')
            .any(|word| self.added_this_step.iter().any(|k| k == word));
        if refers_to_new {
            self.shadow = saved;
            return None;
        }
        let mut params = obj.params.clone();
        params.shift_remove("metadata");
        // The Dashboard sends no empty hash (the form would make it `""`, which create refuses).
        params.retain(|_, value| value.as_object().map_or(true, |o| !o.is_empty()));
        match obj.kind {
            ObjectKind::Product => {
                params = Map::new();
                params.insert("id".into(), json!(obj.key));
                params.insert("name".into(), json!("Made in the Dashboard"));
            }
            ObjectKind::Coupon => {
                params.insert("id".into(), json!(obj.key));
                params.insert("name".into(), json!("Dashboard coupon"));
            }
            ObjectKind::Price => {
                params.insert("lookup_key".into(), json!(obj.key));
                params.insert("nickname".into(), json!("Dashboard price"));
            }
            _ => {
                let coupon = params.shift_remove("coupon").unwrap_or_default();
                params.insert("code".into(), json!(obj.key));
                params.insert(
                    "promotion".into(),
                    json!({ "type": "coupon", "coupon": coupon }),
                );
            }
        }
        let dashboard = Tagged {
            dimension,
            change: Change::Dashboard {
                kind: obj.kind,
                params: Value::Object(params),
            },
            invalid: false,
        };
        Some(vec![dashboard, add])
    }

    // ---- invalid ------------------------------------------------------------------------

    /// A change Stripe refuses: the plan must report it (and make no write).
    fn invalid_change(&mut self) -> Option<Tagged> {
        match self.rng.below(7) {
            0 => {
                let key = self.fresh("coupon_");
                let mut params = self.coupon_params();
                params["redeem_by"] = json!(TEST_NOW - self.rng.range(60, YEAR));
                let change = Change::Add(Obj::new(ObjectKind::Coupon, key, params));
                self.emit("invalid.coupon.redeem_by_past", change, true)
            }
            1 => {
                let key = self.fresh("coupon_");
                let mut params = self.coupon_params();
                params["redeem_by"] =
                    json!(TEST_NOW + REDEEM_BY_MAX_AHEAD + self.rng.range(DAY, YEAR));
                let change = Change::Add(Obj::new(ObjectKind::Coupon, key, params));
                self.emit("invalid.coupon.redeem_by_beyond_5_years", change, true)
            }
            2 => {
                let (mut params, _) = self.promotion_code_params()?;
                params["expires_at"] = json!(TEST_NOW - self.rng.range(60, YEAR));
                let change = Change::Add(Obj::new(
                    ObjectKind::PromotionCode,
                    self.fresh("CODE"),
                    params,
                ));
                self.emit("invalid.promotion_code.expires_at_past", change, true)
            }
            3 => {
                let (mut params, coupon) = self.promotion_code_params()?;
                let redeem_by = coupon.int("redeem_by")?;
                params["expires_at"] = json!(redeem_by + self.rng.range(60, YEAR));
                let change = Change::Add(Obj::new(
                    ObjectKind::PromotionCode,
                    self.fresh("CODE"),
                    params,
                ));
                self.emit(
                    "invalid.promotion_code.expires_at_after_coupon_redeem_by",
                    change,
                    true,
                )
            }
            4 => {
                let (mut params, coupon) = self.promotion_code_params()?;
                let most = coupon.int("max_redemptions")?;
                params["max_redemptions"] = json!(most + self.rng.range(1, 100));
                let change = Change::Add(Obj::new(
                    ObjectKind::PromotionCode,
                    self.fresh("CODE"),
                    params,
                ));
                self.emit(
                    "invalid.promotion_code.max_redemptions_above_coupon",
                    change,
                    true,
                )
            }
            5 => {
                let (mut params, _) = self.promotion_code_params()?;
                let currency = self.currency();
                params["restrictions"] = json!({
                    "minimum_amount": self.amount(),
                    "minimum_amount_currency": currency,
                    "currency_options": { currency: { "minimum_amount": self.amount() } },
                });
                let change = Change::Add(Obj::new(
                    ObjectKind::PromotionCode,
                    self.fresh("CODE"),
                    params,
                ));
                self.emit(
                    "invalid.promotion_code.currency_options_repeat_minimum_currency",
                    change,
                    true,
                )
            }
            _ => {
                // NOTES.md: "Once specified as either inclusive or exclusive, it cannot be changed."
                let obj = self.pick_obj(ObjectKind::Price, |p| {
                    matches!(p.str("tax_behavior"), Some("inclusive") | Some("exclusive"))
                })?;
                let other = if obj.str("tax_behavior") == Some("inclusive") {
                    "exclusive"
                } else {
                    "inclusive"
                };
                let change = Change::Set {
                    kind: ObjectKind::Price,
                    key: obj.key.clone(),
                    path: vec!["tax_behavior".into()],
                    value: Some(json!(other)),
                };
                self.emit("invalid.price.tax_behavior_set_once", change, true)
            }
        }
    }
}

/// How a price is billed; its currency options follow the same scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scheme {
    PerUnit,
    Tiered,
    Custom,
}

impl Scheme {
    fn of(price: &Obj) -> Scheme {
        if price.params.contains_key("tiers") {
            Scheme::Tiered
        } else if price.params.contains_key("custom_unit_amount") {
            Scheme::Custom
        } else {
            Scheme::PerUnit
        }
    }
}

/// Whether `tagged`, an invalid change when generated, is still one Stripe refuses against
/// the script `before` it: a shrunk case may have dropped what made it invalid (the coupon's
/// `redeem_by`, the price it edits), and then it proves nothing.
pub fn still_invalid(tagged: &Tagged, before: &Model) -> bool {
    if !tagged.invalid {
        return false;
    }
    let coupon_of = |obj: &Obj| {
        obj.str("coupon")
            .and_then(|key| before.find(ObjectKind::Coupon, key))
            .cloned()
    };
    match &tagged.change {
        Change::Add(obj) => match tagged.dimension {
            "invalid.coupon.redeem_by_past" => obj.int("redeem_by").is_some_and(|t| t <= TEST_NOW),
            "invalid.coupon.redeem_by_beyond_5_years" => obj
                .int("redeem_by")
                .is_some_and(|t| t > TEST_NOW + REDEEM_BY_MAX_AHEAD),
            "invalid.promotion_code.expires_at_past" => {
                obj.int("expires_at").is_some_and(|t| t <= TEST_NOW)
            }
            "invalid.promotion_code.expires_at_after_coupon_redeem_by" => {
                let redeem_by = coupon_of(obj).and_then(|c| c.int("redeem_by"));
                matches!((obj.int("expires_at"), redeem_by), (Some(e), Some(r)) if e > r)
            }
            "invalid.promotion_code.max_redemptions_above_coupon" => {
                let most = coupon_of(obj).and_then(|c| c.int("max_redemptions"));
                matches!((obj.int("max_redemptions"), most), (Some(m), Some(c)) if m > c)
            }
            "invalid.promotion_code.currency_options_repeat_minimum_currency" => {
                let currency = obj.get(&["restrictions", "minimum_amount_currency"]);
                let options = obj.get(&["restrictions", "currency_options"]);
                match (
                    currency.and_then(Value::as_str),
                    options.and_then(Value::as_object),
                ) {
                    (Some(c), Some(o)) => o.contains_key(c),
                    _ => false,
                }
            }
            _ => false,
        },
        Change::Set {
            kind: ObjectKind::Price,
            key,
            value: Some(value),
            ..
        } if tagged.dimension == "invalid.price.tax_behavior_set_once" => before
            .find(ObjectKind::Price, key)
            .and_then(|p| p.str("tax_behavior"))
            .is_some_and(|t| t != "unspecified" && Some(t) != value.as_str()),
        _ => false,
    }
}
