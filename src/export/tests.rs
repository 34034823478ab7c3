//! Unit tests of the generator over a hand-written account (`testdata/account.json`): the
//! exported text is evaluated by a stub Rhai engine that records every declaration, so the
//! tests check what a script engine would receive, not how the text happens to look.

use std::cell::RefCell;
use std::rc::Rc;

use serde_json::{json, Value};

use super::*;

/// The catalog script that reproduces `live`.
fn export_script(live: &LiveObjects, options: &ExportOptions) -> String {
    export(live, options).script
}

/// One recorded declaration: function, key, params.
type Call = (String, String, Value);

fn account() -> LiveObjects {
    serde_json::from_str(include_str!("testdata/account.json")).expect("fixture parses")
}

fn scoped(scope: &str) -> ExportOptions {
    ExportOptions {
        scope: Some(scope.to_string()),
    }
}

/// Runs `script` with stub declaring functions and returns what they were called with.
fn evaluate(script: &str) -> Vec<Call> {
    let calls: Rc<RefCell<Vec<Call>>> = Rc::default();
    let mut engine = rhai::Engine::new();
    engine.register_fn("scope", |_: &str| {});
    for name in ["product", "price", "coupon", "promotion_code", "portal"] {
        let calls = Rc::clone(&calls);
        engine.register_fn(name, move |key: &str, params: rhai::Map| {
            let params: Value =
                rhai::serde::from_dynamic(&params.into()).expect("params convert to JSON");
            calls
                .borrow_mut()
                .push((name.to_string(), key.to_string(), params));
        });
    }
    engine
        .run(script)
        .unwrap_or_else(|err| panic!("exported script does not run: {err}\n{script}"));
    let calls = calls.borrow().clone();
    calls
}

fn declared(script: &str) -> Vec<(String, String)> {
    evaluate(script)
        .into_iter()
        .map(|(function, key, _)| (function, key))
        .collect()
}

fn params_of(calls: &[Call], function: &str, key: &str) -> Value {
    calls
        .iter()
        .find(|(f, k, _)| f == function && k == key)
        .map(|(_, _, params)| params.clone())
        .unwrap_or_else(|| panic!("no {function}({key:?}) in {calls:#?}"))
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(f, k)| (f.to_string(), k.to_string()))
        .collect()
}

#[test]
fn products_come_with_their_prices_and_coupons_with_their_codes_oldest_first() {
    let script = export_script(&account(), &ExportOptions::default());
    assert_eq!(
        declared(&script),
        pairs(&[
            ("product", "prod_Legacy123"),
            ("price", "legacy_add_on_one_time_eur"),
            ("product", "basic"),
            ("price", "basic_monthly"),
            ("price", "basic_year_usd_2"),
            ("price", "basic_year_usd_3"),
            ("price", "basic_year_usd"),
            ("coupon", "FIVE_OFF"),
            ("promotion_code", "FIVE"),
            ("coupon", "launch_30"),
            ("promotion_code", "LAUNCH"),
            ("portal", "default"),
            ("portal", "enterprise"),
        ])
    );
}

#[test]
fn the_same_account_exports_the_same_text() {
    let live = account();
    let first = export_script(&live, &ExportOptions::default());
    assert_eq!(first, export_script(&live, &ExportOptions::default()));
}

#[test]
fn creation_time_orders_and_the_list_order_only_breaks_ties() {
    // Stripe lists newest first. Reversed lists change nothing but the two yearly prices
    // created in the same second: the one listed later counts as the older.
    let mut reversed = account();
    for kind in ObjectKind::ALL {
        reversed.of_kind_mut(kind).reverse();
    }
    assert_eq!(
        declared(&export_script(&reversed, &ExportOptions::default())),
        declared(&export_script(&account(), &ExportOptions::default()))
    );
    let adopted = |live: &LiveObjects| {
        params_of(
            &evaluate(&export_script(live, &ExportOptions::default())),
            "price",
            "basic_year_usd_2",
        )["adopt"]
            .clone()
    };
    assert_eq!(adopted(&account()), json!("price_1BasicYearlyB"));
    assert_eq!(adopted(&reversed), json!("price_1BasicYearlyA"));
}

#[test]
fn made_up_keys_are_unique_and_adopt_by_id() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    // `basic_year_usd` is already some price's lookup key, so the two yearly prices
    // without one get the next free keys.
    assert_eq!(
        params_of(&calls, "price", "basic_year_usd_2")["adopt"],
        json!("price_1BasicYearlyB")
    );
    assert_eq!(
        params_of(&calls, "price", "basic_year_usd_3")["adopt"],
        json!("price_1BasicYearlyA")
    );
    // Objects that already have their key are matched by it, not adopted.
    assert!(params_of(&calls, "price", "basic_monthly")
        .get("adopt")
        .is_none());
    assert!(params_of(&calls, "portal", "enterprise")
        .get("adopt")
        .is_none());
    // The default portal configuration has no key yet: `default`, by id.
    assert_eq!(
        params_of(&calls, "portal", "default")["adopt"],
        json!("bpc_1Default")
    );
    let mut keys: Vec<(String, String)> =
        declared(&export_script(&account(), &ExportOptions::default()));
    let total = keys.len();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), total, "every declaration has its own key");
}

#[test]
fn generated_portal_keys_skip_keys_in_use() {
    let mut live = account();
    // Another configuration already holds `default`; the unkeyed default one takes `default_2`,
    // and a further unkeyed one is numbered.
    let mut extra = live.of_kind(ObjectKind::PortalConfiguration)[1].clone();
    extra.insert("id".into(), "bpc_1Other".into());
    extra.insert("metadata".into(), json!({ "billingctl_key": "default" }));
    live.of_kind_mut(ObjectKind::PortalConfiguration)
        .push(extra);
    let mut unkeyed = live.of_kind(ObjectKind::PortalConfiguration)[1].clone();
    unkeyed.insert("id".into(), "bpc_1Unkeyed".into());
    unkeyed.insert("created".into(), json!(1700009000));
    unkeyed.insert("metadata".into(), json!({}));
    live.of_kind_mut(ObjectKind::PortalConfiguration)
        .push(unkeyed);
    let portals: Vec<String> = declared(&export_script(&live, &ExportOptions::default()))
        .into_iter()
        .filter(|(function, _)| function == "portal")
        .map(|(_, key)| key)
        .collect();
    // `bpc_1Other` was created in the same second as `enterprise` and listed after it: older.
    assert_eq!(portals, ["default_2", "default", "enterprise", "portal_1"]);
}

#[test]
fn a_scope_keeps_its_objects_and_what_they_refer_to() {
    let script = export_script(&account(), &scoped("campaign"));
    assert_eq!(
        declared(&script),
        pairs(&[("coupon", "launch_30"), ("promotion_code", "LAUNCH")])
    );
    // Sections with nothing in them get no heading.
    assert!(!script.contains("// Products"), "{script}");
    assert!(!script.contains("// Customer portal"), "{script}");

    // `catalog` holds the product `basic`, its monthly price and the enterprise portal; the
    // product's default price is in scope too, nothing else of it is.
    let script = export_script(&account(), &scoped("catalog"));
    assert_eq!(
        declared(&script),
        pairs(&[
            ("product", "basic"),
            ("price", "basic_monthly"),
            ("portal", "enterprise"),
        ])
    );
}

#[test]
fn objects_outside_the_scope_are_written_when_a_kept_one_refers_to_them() {
    let mut live = account();
    // The default portal joins `catalog`: it lists the unscoped yearly price, which must then
    // be declared too, and is marked as coming from outside the scope.
    live.of_kind_mut(ObjectKind::PortalConfiguration)[0]
        .insert("metadata".into(), json!({ "billingctl_scope": "catalog" }));
    let script = export_script(&live, &scoped("catalog"));
    let keys: Vec<String> = declared(&script).into_iter().map(|(_, key)| key).collect();
    assert_eq!(
        keys,
        [
            "basic",
            "basic_monthly",
            "basic_year_usd_2",
            "default",
            "enterprise"
        ]
    );
    assert_eq!(
        script.matches("// Outside the scope").count(),
        1,
        "only the yearly price is outside the scope:\n{script}"
    );
}

#[test]
fn a_scope_nothing_carries_exports_an_empty_catalog() {
    let script = export_script(&account(), &scoped("nobody"));
    assert!(declared(&script).is_empty());
}

#[test]
fn older_inactive_duplicates_of_a_code_are_left_out_and_said_so() {
    let script = export_script(&account(), &ExportOptions::default());
    let codes: Vec<String> = declared(&script)
        .into_iter()
        .filter(|(function, _)| function == "promotion_code")
        .map(|(_, key)| key)
        .collect();
    assert_eq!(codes, ["FIVE", "LAUNCH"]);
    assert!(
        script.contains("// Left out: promotion code launch (promo_1LaunchOld)"),
        "{script}"
    );
}

#[test]
fn declarations_hold_create_params_with_keys_for_ids() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "price", "basic_monthly"),
        json!({ "product": "basic", "currency": "usd", "recurring": { "interval": "month" },
                "unit_amount": 900 })
    );
    assert_eq!(
        params_of(&calls, "price", "basic_year_usd_3"),
        json!({ "adopt": "price_1BasicYearlyA", "product": "basic", "currency": "usd",
                "nickname": "Basic yearly",
                "recurring": { "interval": "year", "trial_period_days": 14 },
                "tax_behavior": "exclusive", "unit_amount": 9000 })
    );
    assert_eq!(
        params_of(&calls, "promotion_code", "LAUNCH"),
        json!({ "coupon": "launch_30", "max_redemptions": 500 })
    );
    assert_eq!(
        params_of(&calls, "promotion_code", "FIVE"),
        json!({ "coupon": "FIVE_OFF", "expires_at": 1900000000,
                "restrictions": { "first_time_transaction": true, "minimum_amount": 1000,
                                  "minimum_amount_currency": "usd" } })
    );
    // `duration: "once"` is Stripe's default and is left out.
    assert_eq!(
        params_of(&calls, "coupon", "FIVE_OFF"),
        json!({ "amount_off": 500, "currency": "usd", "max_redemptions": 100,
                "redeem_by": 1900000000 })
    );
    assert_eq!(
        params_of(&calls, "portal", "default"),
        json!({
            "adopt": "bpc_1Default",
            "business_profile": { "privacy_policy_url": "https://example.com/privacy",
                                  "terms_of_service_url": "https://example.com/terms" },
            "features": {
                "customer_update": { "allowed_updates": ["email", "tax_id"], "enabled": true },
                "invoice_history": { "enabled": true },
                "subscription_update": {
                    "default_allowed_updates": ["price"],
                    "enabled": true,
                    "products": [{ "product": "basic",
                                   "prices": ["basic_monthly", "basic_year_usd_3"] }],
                    "proration_behavior": "create_prorations"
                }
            }
        })
    );
}

#[test]
fn a_product_names_its_default_price_by_key() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "product", "basic")["default_price"],
        json!("basic_monthly")
    );
}

#[test]
fn strings_come_back_exactly_after_escaping() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "product", "basic")["description"],
        json!("The \"Basic\" plan:\nfor one\tteam, C:\\path, ${not} interpolated")
    );
    assert_eq!(
        params_of(&calls, "portal", "enterprise")["business_profile"]["headline"],
        json!("Manage \"your\" plan")
    );
}

#[test]
fn metadata_is_kept_except_billingctl_keys() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "product", "basic")["metadata"],
        json!({ "owner": "growth", "plan-tier": "1" })
    );
    // Only billingctl's keys: nothing left to write.
    assert!(params_of(&calls, "portal", "enterprise")
        .get("metadata")
        .is_none());
    assert!(params_of(&calls, "coupon", "launch_30")
        .get("metadata")
        .is_none());
}

#[test]
fn inactive_objects_are_declared_inactive() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "product", "prod_Legacy123")["active"],
        json!(false)
    );
    assert_eq!(
        params_of(&calls, "price", "legacy_add_on_one_time_eur"),
        json!({ "adopt": "price_1LegacyOnce", "product": "prod_Legacy123", "active": false,
                "currency": "eur", "unit_amount_decimal": "12.5" })
    );
    // Portal configurations take `active` on update only; the script still says it.
    assert_eq!(
        params_of(&calls, "portal", "enterprise")["active"],
        json!(false)
    );
    // Active objects leave `active` out (true is the default).
    assert!(params_of(&calls, "product", "basic")
        .get("active")
        .is_none());
}

#[test]
fn response_only_fields_are_not_written() {
    let script = export_script(&account(), &ExportOptions::default());
    for field in [
        "created",
        "livemode",
        "object",
        "is_default",
        "times_redeemed",
        "valid",
        "login_page",
    ] {
        assert!(
            !script.contains(&format!("{field}:")),
            "`{field}` in\n{script}"
        );
    }
    let calls = evaluate(&script);
    assert_eq!(
        params_of(&calls, "coupon", "launch_30"),
        json!({ "duration": "repeating", "duration_in_months": 3, "name": "Launch 30%",
                "percent_off": 30.0 })
    );
    assert!(params_of(&calls, "coupon", "launch_30")["percent_off"].is_f64());
}

#[test]
fn expanded_price_fields_are_written_as_create_params() {
    let mut live = account();
    let price = &mut live.of_kind_mut(ObjectKind::Price)[0];
    price.insert("billing_scheme".into(), json!("tiered"));
    price.insert("tiers_mode".into(), json!("volume"));
    price.insert("unit_amount".into(), Value::Null);
    price.insert("unit_amount_decimal".into(), Value::Null);
    price.insert(
        "tiers".into(),
        json!([
            { "flat_amount": null, "flat_amount_decimal": null, "unit_amount": 900,
              "unit_amount_decimal": "900", "up_to": 10 },
            { "flat_amount": null, "flat_amount_decimal": null, "unit_amount": 700,
              "unit_amount_decimal": "700", "up_to": null }
        ]),
    );
    // Stripe repeats the price's own currency among the expanded currency options.
    price.insert(
        "currency_options".into(),
        json!({
            "usd": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                     "unit_amount": null, "unit_amount_decimal": null },
            "eur": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                     "tiers": [{ "flat_amount": null, "flat_amount_decimal": null,
                                 "unit_amount": 800, "unit_amount_decimal": "800",
                                 "up_to": null }],
                     "unit_amount": null, "unit_amount_decimal": null }
        }),
    );
    let calls = evaluate(&export_script(&live, &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "price", "basic_monthly"),
        json!({
            "product": "basic",
            "billing_scheme": "tiered",
            "currency": "usd",
            "currency_options": { "eur": { "tiers": [{ "unit_amount": 800, "up_to": "inf" }] } },
            "recurring": { "interval": "month" },
            "tiers": [{ "unit_amount": 900, "up_to": 10 }, { "unit_amount": 700, "up_to": "inf" }],
            "tiers_mode": "volume"
        })
    );
}

#[test]
fn the_script_keeps_the_scope_of_its_objects() {
    // The fixture holds two scopes: no single `scope(...)` fits, and the script says so.
    let script = export_script(&account(), &ExportOptions::default());
    assert!(!script.contains("\nscope("), "{script}");
    assert!(
        script.contains("several scopes (campaign, catalog)"),
        "{script}"
    );

    let script = export_script(&account(), &scoped("campaign"));
    assert!(script.contains("\nscope(\"campaign\");\n"), "{script}");

    // One scope among the objects (others unscoped): the script declares it.
    let mut live = account();
    for coupon in live.of_kind_mut(ObjectKind::Coupon) {
        coupon.insert("metadata".into(), json!({}));
    }
    for code in live.of_kind_mut(ObjectKind::PromotionCode) {
        code.insert("metadata".into(), json!({}));
    }
    let script = export_script(&live, &ExportOptions::default());
    assert!(script.contains("\nscope(\"catalog\");\n"), "{script}");
}

#[test]
fn made_up_price_keys_use_the_product_name_when_its_id_was_generated() {
    let calls = evaluate(&export_script(&account(), &ExportOptions::default()));
    // `prod_Legacy123` was generated by Stripe: its name `Legacy add-on` reads better.
    assert_eq!(
        params_of(&calls, "price", "legacy_add_on_one_time_eur")["adopt"],
        json!("price_1LegacyOnce")
    );
}

#[test]
fn codes_of_a_deleted_coupon_are_left_out_and_said_so() {
    let mut live = account();
    live.of_kind_mut(ObjectKind::Coupon)
        .retain(|coupon| live::id(coupon) != "FIVE_OFF");
    let script = export_script(&live, &ExportOptions::default());
    assert!(
        !declared(&script).contains(&("promotion_code".to_string(), "FIVE".to_string())),
        "{script}"
    );
    assert!(
        script.contains("// Left out: promotion code FIVE: its coupon FIVE_OFF no longer exists."),
        "{script}"
    );
}

#[test]
fn the_real_script_engine_accepts_the_export() {
    for options in [
        ExportOptions::default(),
        scoped("catalog"),
        scoped("campaign"),
    ] {
        let script = export_script(&account(), &options);
        let dir = tempfile::tempdir().expect("a scratch directory");
        let path = dir.path().join("exported.rhai");
        std::fs::write(&path, &script).expect("write the export");
        let catalog = crate::script::evaluate_in(
            dir.path(),
            &path,
            "test",
            &crate::script::Limits::default(),
        )
        .unwrap_or_else(|errors| panic!("{errors:#?}\n{script}"));
        assert_eq!(catalog.len(), declared(&script).len(), "{script}");
        if let Some(scope) = &options.scope {
            assert_eq!(&catalog.scope, scope);
        }
    }
}

#[test]
fn a_coupon_lists_only_other_currencies_as_options() {
    let mut live = account();
    let coupon = live
        .of_kind_mut(ObjectKind::Coupon)
        .iter_mut()
        .find(|coupon| live::id(coupon) == "FIVE_OFF")
        .expect("FIVE_OFF");
    coupon.insert(
        "currency_options".into(),
        json!({ "usd": { "amount_off": 500 }, "eur": { "amount_off": 450 } }),
    );
    let calls = evaluate(&export_script(&live, &ExportOptions::default()));
    assert_eq!(
        params_of(&calls, "coupon", "FIVE_OFF")["currency_options"],
        json!({ "eur": { "amount_off": 450 } })
    );
}

#[test]
fn sections_follow_the_kinds_export_mappings() {
    assert_eq!(
        heading(ObjectKind::Product),
        "Products, each followed by its prices"
    );
    // A kind whose mapping names no heading gets its plural.
    assert_eq!(heading(ObjectKind::PromotionCode), "Promotion codes");
    assert_eq!(
        select::owner_kind(ObjectKind::PromotionCode),
        Some(ObjectKind::Coupon)
    );
    assert_eq!(select::owner_kind(ObjectKind::Coupon), None);
    let live = account();
    let selection = select::select(&live, None);
    let sections: Vec<(ObjectKind, Option<ObjectKind>)> = selection
        .sections
        .iter()
        .map(|s| (s.kind, s.members))
        .collect();
    assert_eq!(
        sections,
        [
            (ObjectKind::Product, Some(ObjectKind::Price)),
            (ObjectKind::Meter, None),
            (ObjectKind::Coupon, Some(ObjectKind::PromotionCode)),
            (ObjectKind::PortalConfiguration, None),
            (ObjectKind::WebhookEndpoint, None),
            (ObjectKind::TaxRate, None),
            (ObjectKind::ShippingRate, None),
            (ObjectKind::Feature, None),
        ]
    );
}
