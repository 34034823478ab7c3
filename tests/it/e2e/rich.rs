//! A catalog using most params billingctl manages (tiers, decimal amounts, currency options,
//! package dimensions, coupon products, promotion restrictions, a full portal): applying it
//! once must leave nothing to change, so every Stripe normalisation is accounted for.

use serde_json::Value;

use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/rich.rhai";

const RICH: &str = r#"
product("pro", #{ name: "Pro", description: "For teams", marketing_features: ["SSO", "Audit log"],
                  metadata: #{ tier: "3" }, statement_descriptor: "PRO PLAN", unit_label: "seat",
                  images: ["https://example.com/pro.png"], url: "https://example.com/pro",
                  tax_code: "txcd_10103001", default_price: "pro_monthly" });
product("box", #{ name: "Box", shippable: true,
                  package_dimensions: #{ height: 1.5, length: 10.0, weight: 2.25, width: 3.0 } });
price("pro_monthly", #{ product: "pro", currency: "eur", unit_amount: 4900, nickname: "Pro monthly",
                        tax_behavior: "exclusive", recurring: #{ interval: "month", interval_count: 1 },
                        currency_options: #{ usd: #{ unit_amount: 5900 } }, metadata: #{ plan: "pro" } });
price("pro_tiered", #{ product: "pro", currency: "eur", billing_scheme: "tiered", tiers_mode: "graduated",
                       recurring: #{ interval: "month" },
                       tiers: [#{ up_to: 10, unit_amount: 1000 }, #{ up_to: "inf", unit_amount_decimal: "850.5" }] });
price("pro_decimal", #{ product: "pro", currency: "eur", unit_amount_decimal: "12.50" });
price("box_once", #{ product: "box", currency: "usd", unit_amount: 1500,
                     transform_quantity: #{ divide_by: 10, round: "up" } });
coupon("ten_off", #{ amount_off: 1000, currency: "eur", duration: "once", name: "10 off",
                     applies_to: #{ products: ["pro"] }, max_redemptions: 100, metadata: #{ c: "1" } });
coupon("half", #{ percent_off: 50, duration: "forever" });
promotion_code("TEN", #{ coupon: "ten_off", restrictions: #{ first_time_transaction: true,
                          minimum_amount: 5000, minimum_amount_currency: "eur" }, metadata: #{ k: "v" } });
promotion_code("half-off", #{ coupon: "half", active: false });
portal("main", #{ name: "Main portal", default_return_url: "https://example.com/account",
    business_profile: #{ headline: "Manage your plan", privacy_policy_url: "https://example.com/privacy" },
    login_page: #{ enabled: true },
    features: #{
        customer_update: #{ enabled: true, allowed_updates: ["tax_id", "email", "address"] },
        invoice_history: #{ enabled: true },
        payment_method_update: #{ enabled: true },
        subscription_cancel: #{ enabled: true, mode: "immediately", proration_behavior: "create_prorations",
            cancellation_reason: #{ enabled: true, options: ["too_expensive", "other", "unused"] } },
        subscription_update: #{ enabled: true, default_allowed_updates: ["quantity", "price"],
            proration_behavior: "always_invoice",
            products: [#{ product: "pro", prices: ["pro_tiered", "pro_monthly"],
                          adjustable_quantity: #{ enabled: true, minimum: 1, maximum: 50 } }] } } });
"#;

#[test]
fn a_rich_catalog_applies_once_and_then_compares_equal() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, RICH);
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("Applied: 11 created, 0 updated, 0 deactivated."),
        "{stdout}"
    );
    ctx.reset_stats();
    let output = ctx
        .command(&["plan", SCRIPT, "-o", "json"])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(plan["changes"], Value::Array(Vec::new()), "{plan:#}");
    assert_eq!(plan["summary"]["unchanged"], 11);
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn mutable_nested_changes_update_and_included_fields_are_compared() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, RICH);
    ctx.apply_script(SCRIPT);
    ctx.write(
        SCRIPT,
        &RICH
            .replace("unit_amount: 5900", "unit_amount: 6900")
            .replace(
                "\"tax_id\", \"email\", \"address\"",
                "\"email\", \"address\"",
            ),
    );
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains("~ currency_options[usd][unit_amount] = 5900 -> 6900"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "~ features[customer_update][allowed_updates] = [\"address\",\"email\",\"tax_id\"] -> [\"address\",\"email\"]"
        ),
        "{stdout}"
    );
    ctx.apply_script(SCRIPT);
    ctx.reset_stats();
    ctx.apply_script(SCRIPT);
    assert_eq!(ctx.posts(), 0);

    // Tiers are only returned when expanded: a changed tier must still be seen.
    ctx.write(
        SCRIPT,
        &RICH.replace("unit_amount: 1000 }", "unit_amount: 1100 }"),
    );
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("price `pro_tiered`: tiers is immutable"),
        "{stderr}"
    );
}
