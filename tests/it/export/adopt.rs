//! An account built without billingctl (seeded with plain POSTs, as the Dashboard would):
//! the export adopts what has no key, its first plan shows only those adoptions, and after
//! `run` the plan is empty.

use serde_json::{json, Value};

use super::Account;
use crate::support::succeeded;

/// Products, prices without lookup keys (one archived), coupons, promotion codes (one
/// archived) and a portal configuration listing prices, none made by billingctl.
/// Returns the id of the monthly price.
fn seed(account: &Account) -> String {
    let gold = account.post(
        "/v1/products",
        json!({
            "name": "Gold plan",
            "description": "Say \"hi\"\nto C:\\gold, ${not} a template",
            "metadata": { "plan-tier": "gold", "owner": "growth" },
            "marketing_features": [{ "name": "Priority support" }],
        }),
    );
    let gold = gold["id"].as_str().expect("a product id").to_string();
    account.post("/v1/products", json!({ "id": "silver", "name": "Silver" }));

    let price = |params: Value| -> String {
        account.post("/v1/prices", params)["id"]
            .as_str()
            .expect("a price id")
            .to_string()
    };
    let monthly = price(
        json!({ "product": gold, "currency": "usd", "unit_amount": 1000,
                                 "recurring": { "interval": "month" } }),
    );
    price(
        json!({ "product": gold, "currency": "usd", "unit_amount": 10000,
                                "recurring": { "interval": "year" }, "nickname": "Gold yearly" }),
    );
    price(json!({ "product": gold, "currency": "usd", "unit_amount": 500 }));
    let old = price(
        json!({ "product": "silver", "currency": "eur", "unit_amount": 300,
                             "recurring": { "interval": "month", "interval_count": 3 } }),
    );
    account.post(&format!("/v1/prices/{old}"), json!({ "active": false }));
    // A price that already has its lookup key is matched by it, not adopted.
    let silver_monthly = price(
        json!({ "product": "silver", "currency": "eur", "unit_amount": 400,
                  "lookup_key": "silver_monthly", "recurring": { "interval": "month" } }),
    );

    let coupon = account.post(
        "/v1/coupons",
        json!({ "percent_off": 15, "duration": "forever" }),
    );
    let coupon = coupon["id"].as_str().expect("a coupon id").to_string();
    account.post(
        "/v1/coupons",
        json!({ "id": "FIVE", "amount_off": 500, "currency": "usd", "name": "Five off" }),
    );
    account.post(
        "/v1/promotion_codes",
        json!({ "code": "SAVE15", "promotion": { "type": "coupon", "coupon": coupon },
                "max_redemptions": 100 }),
    );
    let retired = account.post(
        "/v1/promotion_codes",
        json!({ "code": "FIVEOLD", "promotion": { "type": "coupon", "coupon": "FIVE" } }),
    );
    let retired = retired["id"]
        .as_str()
        .expect("a promotion code id")
        .to_string();
    account.post(
        &format!("/v1/promotion_codes/{retired}"),
        json!({ "active": false }),
    );

    // The portal lists a price that already has its lookup key and one that is adopted in
    // the same run: both must compare as keys and resolve to their ids.
    account.post(
        "/v1/billing_portal/configurations",
        json!({
            "business_profile": { "headline": "Manage your \"Silver\" plan" },
            "features": {
                "invoice_history": { "enabled": true },
                "subscription_update": {
                    "enabled": true,
                    "default_allowed_updates": ["price"],
                    "products": [{ "product": "silver", "prices": [silver_monthly] },
                                 { "product": gold, "prices": [monthly] }],
                },
            },
        }),
    );
    monthly
}

#[test]
fn an_account_built_elsewhere_is_adopted_then_matches() {
    let account = Account::new();
    let monthly = seed(&account);

    let (exported, text) = account.export("adopt.rhai", &[]);
    succeeded(&account.check(&exported), "check of the export");
    // Prices without a lookup key and the portal configuration are adopted by id.
    assert_eq!(text.matches("adopt: \"price_").count(), 4, "{text}");
    assert_eq!(text.matches("adopt: \"bpc_").count(), 1, "{text}");
    assert!(text.contains("price(\"gold_plan_month_usd\""), "{text}");
    assert!(text.contains("portal(\"default\""), "{text}");

    // The first plan: no creates, no errors, only adoptions that give objects their keys and
    // take them into the script's ownership scope (metadata `billingctl_scope`, which every
    // object billingctl adopts carries, beside the record of the script's metadata keys
    // `billingctl_metadata` where it declares some: docs/LIFECYCLE.md).
    let (code, plan) = account.plan_json(&exported);
    assert_eq!(code, Some(0), "{plan:#}");
    assert_eq!(plan["errors"], json!([]), "{plan:#}");
    assert_eq!(plan["summary"]["create"], 0, "{plan:#}");
    assert_eq!(plan["summary"]["deactivate"], 0, "{plan:#}");
    let changes = plan["changes"].as_array().expect("changes");
    let mut keyed = 0;
    for change in changes {
        assert_eq!(change["action"], "adopt", "{change:#}");
        // The export declares every key the object had: nothing is left to keep.
        assert_eq!(change["kept_metadata"], json!([]), "{change:#}");
        let paths: Vec<&str> = change["fields"]
            .as_array()
            .expect("fields")
            .iter()
            .map(|field| field["path"].as_str().expect("a path"))
            .filter(|path| *path != "metadata[billingctl_metadata]")
            .collect();
        let key = match change["object"].as_str() {
            Some("price") => "lookup_key",
            Some("portal_configuration") => "metadata[billingctl_key]",
            _ => "",
        };
        let expected: &[&str] = if paths.contains(&key) {
            keyed += 1;
            &[key, "metadata[billingctl_scope]"]
        } else {
            &["metadata[billingctl_scope]"]
        };
        assert_eq!(paths, expected, "{change:#}");
    }
    assert_eq!(
        keyed, 5,
        "4 prices and the portal get their keys:\n{plan:#}"
    );

    account.run(exported.to_str().expect("UTF-8"));
    let (code, output) = account.plan_exit_code(&exported);
    assert_eq!(
        code,
        Some(0),
        "after adopting, nothing should change:\n{output}"
    );

    // The adopted price now carries its key in Stripe.
    let found = account.get("/v1/prices?lookup_keys[]=gold_plan_month_usd");
    assert_eq!(found["data"][0]["id"], json!(monthly), "{found:#}");
}
