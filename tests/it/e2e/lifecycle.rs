//! Catalogs over time: default prices, inactive declarations, promotion codes deactivated
//! elsewhere, adoption of objects made in the Dashboard, references to objects created in
//! the same run.

use serde_json::json;

use super::{with_default_price, CATALOG};
use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

#[test]
fn a_default_price_is_set_once_its_price_exists() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &with_default_price());
    let stdout = ctx.apply();
    assert!(stdout.contains("Applied: 7 created"), "{stdout}");
    let price = ctx.price("basic_monthly");
    assert_eq!(ctx.get("/v1/products/basic")["default_price"], price["id"]);
    assert_eq!(
        ctx.emulator.stats().route("POST /v1/products/{id}"),
        1,
        "one follow-up update sets default_price"
    );
    ctx.reset_stats();
    ctx.apply();
    assert_eq!(
        ctx.posts(),
        0,
        "a default price compares by key: no perpetual diff"
    );
}

#[test]
fn objects_declared_inactive_are_created_inactive() {
    let ctx = Harness::new();
    ctx.write(
        SCRIPT,
        &CATALOG
            .replace("unit_amount: 1900,", "unit_amount: 1900, active: false,")
            .replace(
                "portal(\"default\", #{ features",
                "portal(\"default\", #{ active: false, features",
            ),
    );
    ctx.apply();
    let stats = ctx.emulator.stats();
    // A price takes `active` on create; a portal configuration only on update.
    assert_eq!(stats.route("POST /v1/prices/{id}"), 0, "{stats:?}");
    assert_eq!(
        stats.route("POST /v1/billing_portal/configurations/{id}"),
        1,
        "{stats:?}"
    );
    let inactive = ctx.get("/v1/prices?active=false");
    assert_eq!(inactive["data"][0]["lookup_key"], "plus_monthly");
    assert_eq!(
        ctx.get("/v1/billing_portal/configurations")["data"][0]["active"],
        false
    );
    ctx.assert_rerun_writes_nothing();
}

/// An inactive code that no longer matches the script (its immutable `max_redemptions`
/// changed) cannot come back as declared: its code is free, so the declared code is new. (An
/// inactive code that matches is reactivated: `e2e::dates`.)
#[test]
fn a_promotion_code_deactivated_elsewhere_and_changed_is_created_again_because_its_code_is_free() {
    let ctx = Harness::applied(CATALOG);
    let codes = ctx.get("/v1/promotion_codes");
    let old = codes["data"][0]["id"].as_str().unwrap().to_owned();
    ctx.post(
        &format!("/v1/promotion_codes/{old}"),
        json!({"active": false}),
    );
    ctx.write(
        SCRIPT,
        &CATALOG.replace("max_redemptions: 500", "max_redemptions: 400"),
    );
    ctx.reset_stats();

    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("+ promotion_code LAUNCH"), "{stdout}");
    ctx.apply();
    let codes = ctx.get("/v1/promotion_codes");
    let active: Vec<_> = codes["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["active"] == true)
        .collect();
    assert_eq!(active.len(), 1);
    assert_ne!(active[0]["id"], old.as_str());
    assert_eq!(active[0]["promotion"]["coupon"], "launch_30");
}

#[test]
fn an_object_made_in_the_dashboard_is_adopted_by_id() {
    let ctx = Harness::applied(CATALOG);
    let made_elsewhere = ctx.post(
        "/v1/prices",
        json!({"product": "basic", "currency": "eur", "unit_amount": 9000,
               "recurring": {"interval": "year"}}),
    );
    let id = made_elsewhere["id"].as_str().unwrap();
    ctx.write(
        SCRIPT,
        &format!(
            "{CATALOG}\nprice(\"basic_yearly\", #{{ adopt: \"{id}\", product: \"basic\", \
             currency: \"eur\", unit_amount: 9000, recurring: #{{ interval: \"year\" }} }});\n"
        ),
    );
    ctx.reset_stats();
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains(&format!("~ price basic_yearly (adopt {id})")),
        "{stdout}"
    );
    assert!(
        stdout.contains("+ lookup_key = \"basic_yearly\""),
        "{stdout}"
    );
    ctx.apply();
    assert_eq!(ctx.posts(), 1);
    assert_eq!(ctx.price("basic_yearly")["id"], id);
}

#[test]
fn a_new_price_is_created_before_the_portal_that_lists_it() {
    let ctx = Harness::applied(CATALOG);
    ctx.write(
        SCRIPT,
        &CATALOG
            .replace(
                "coupon(\"launch_30\"",
                "price(\"plus_yearly\", #{ product: \"plus\", currency: \"eur\", \
                 unit_amount: 19000, recurring: #{ interval: \"year\" } });\ncoupon(\"launch_30\"",
            )
            .replace(
                "prices: [\"plus_monthly\"]",
                "prices: [\"plus_monthly\", \"plus_yearly\"]",
            ),
    );
    ctx.reset_stats();
    let stdout = ctx.apply();
    assert!(
        stdout.contains("Applied: 1 created, 1 updated, 0 deactivated."),
        "{stdout}"
    );
    let yearly = ctx.price("plus_yearly")["id"].clone();
    let monthly = ctx.price("plus_monthly")["id"].clone();
    let portal = &ctx.get("/v1/billing_portal/configurations")["data"][0];
    assert_eq!(
        portal["features"]["subscription_update"]["products"][1]["prices"],
        json!([monthly, yearly])
    );
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn a_portal_feature_changed_elsewhere_is_one_update() {
    let ctx = Harness::applied(CATALOG);
    let id = ctx.get("/v1/billing_portal/configurations")["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ctx.post(
        &format!("/v1/billing_portal/configurations/{id}"),
        json!({"features": {"invoice_history": {"enabled": false}},
               "default_return_url": "https://example.com/account"}),
    );
    ctx.reset_stats();
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains("~ features[invoice_history][enabled] = false -> true"),
        "{stdout}"
    );
    assert!(
        stdout.contains("- default_return_url = \"https://example.com/account\""),
        "{stdout}"
    );
    ctx.apply();
    assert_eq!(ctx.posts(), 1);
    let portal = ctx.get(&format!("/v1/billing_portal/configurations/{id}"));
    assert_eq!(portal["features"]["invoice_history"]["enabled"], true);
    assert!(portal["default_return_url"].is_null(), "{portal}");
}

#[test]
fn a_default_price_moves_before_the_old_price_is_archived() {
    let ctx = Harness::new();
    let with_default = |default: &str| {
        CATALOG.replace(
            "product(\"basic\", #{ name: \"Basic\" });",
            &format!("product(\"basic\", #{{ name: \"Basic\", default_price: \"{default}\" }});"),
        )
    };
    ctx.write(SCRIPT, &with_default("basic_monthly"));
    ctx.apply();

    // Archiving the default price without moving the default is refused before any write.
    ctx.write(
        SCRIPT,
        &with_default("basic_monthly")
            .replace("unit_amount: 900,", "unit_amount: 900, active: false,"),
    );
    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    // Caught offline by the catalog's validation, before the account is even read.
    assert!(
        stderr.contains(
            "price `basic_monthly` is deactivated; a product's default price must be active"
        ),
        "{stderr}"
    );
    assert_eq!(ctx.posts(), 0);

    // Moving the default to a new price in the same run: create, re-point, then archive.
    ctx.write(
        SCRIPT,
        &with_default("basic_yearly")
            .replace("unit_amount: 900,", "unit_amount: 900, active: false,")
            .replace(
                "coupon(\"launch_30\"",
                "price(\"basic_yearly\", #{ product: \"basic\", currency: \"eur\", \
                 unit_amount: 9000, recurring: #{ interval: \"year\" } });\ncoupon(\"launch_30\"",
            ),
    );
    let stdout = ctx.apply();
    assert!(
        stdout.contains("Applied: 1 created, 1 updated, 1 deactivated."),
        "{stdout}"
    );
    let yearly = ctx.price("basic_yearly");
    assert_eq!(ctx.get("/v1/products/basic")["default_price"], yearly["id"]);
    let monthly = ctx.get("/v1/prices?active=false");
    assert_eq!(monthly["data"][0]["lookup_key"], "basic_monthly");
}

#[test]
fn a_default_price_set_elsewhere_cannot_be_archived_by_the_plan() {
    let ctx = Harness::applied(CATALOG);
    // The script never names a default price; the Dashboard set one.
    let monthly = ctx.price("basic_monthly");
    ctx.post(
        "/v1/products/basic",
        json!({"default_price": monthly["id"]}),
    );
    ctx.write(
        SCRIPT,
        &CATALOG.replace("unit_amount: 900,", "unit_amount: 900, active: false,"),
    );
    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("price `basic_monthly` cannot be deactivated: it is the default price of product `basic`"),
        "{stderr}"
    );
    assert_eq!(ctx.posts(), 0);
}
