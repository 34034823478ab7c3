//! Tax rates and shipping rates end to end: created with their key in metadata, updated in
//! place, archived with `active: false`, a re-run that writes nothing, an immutable change
//! refused with the advice to declare a new rate, and an export that plans nothing when
//! applied back.

use serde_json::Value;

use crate::support::{texts, Harness};

const RATES: &str = r#"
tax_rate("vat_de", #{ display_name: "VAT", percentage: 19, inclusive: true, country: "DE",
                      tax_type: "vat" });
tax_rate("mwst_ch", #{ display_name: "MWST", percentage: 8.1, inclusive: false, country: "CH" });
shipping_rate("express", #{
    display_name: "Express",
    fixed_amount: #{ amount: 1500, currency: "eur", currency_options: #{ usd: #{ amount: 1650 } } },
    delivery_estimate: #{ minimum: #{ unit: "business_day", value: 1 },
                          maximum: #{ unit: "business_day", value: 2 } },
    tax_behavior: "inclusive",
});
"#;

/// The one live object of `path` whose metadata `billingctl_key` is `key`.
fn keyed(harness: &Harness, path: &str, key: &str) -> Value {
    let found: Vec<Value> = harness
        .list_all(path)
        .into_iter()
        .filter(|o| o["metadata"]["billingctl_key"] == key)
        .collect();
    assert_eq!(found.len(), 1, "{path} {key}: {found:?}");
    found.into_iter().next().unwrap()
}

#[test]
fn rates_are_created_with_their_key_and_a_rerun_writes_nothing() {
    let harness = Harness::applied(RATES);
    let vat = keyed(&harness, "/v1/tax_rates", "vat_de");
    assert!(vat["id"].as_str().unwrap().starts_with("txr_"));
    assert_eq!(vat["percentage"], 19);
    assert_eq!(vat["inclusive"], true);
    assert_eq!(
        keyed(&harness, "/v1/tax_rates", "mwst_ch")["percentage"],
        8.1
    );
    let express = keyed(&harness, "/v1/shipping_rates", "express");
    assert!(express["id"].as_str().unwrap().starts_with("shr_"));
    assert_eq!(
        express["fixed_amount"]["currency_options"]["usd"]["amount"],
        1650
    );
    harness.assert_rerun_writes_nothing();
    // `19.0` is the rate Stripe holds as `19`: still nothing to do.
    harness.write(
        "scripts/catalog.rhai",
        &RATES.replace("percentage: 19,", "percentage: 19.0,"),
    );
    harness.assert_rerun_writes_nothing();
}

#[test]
fn mutable_fields_update_in_place_and_active_false_archives() {
    let harness = Harness::applied(RATES);
    let vat_id = keyed(&harness, "/v1/tax_rates", "vat_de")["id"].clone();
    let express_id = keyed(&harness, "/v1/shipping_rates", "express")["id"].clone();
    let edited = RATES
        .replace(
            "display_name: \"VAT\",",
            "display_name: \"USt.\", active: false,",
        )
        .replace("usd: #{ amount: 1650 }", "usd: #{ amount: 1700 }")
        .replace(
            "tax_behavior: \"inclusive\",",
            "tax_behavior: \"exclusive\", active: false,",
        );
    harness.write("scripts/catalog.rhai", &edited);
    let plan = harness
        .command(&["plan", "scripts/catalog.rhai"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&plan);
    assert!(plan.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("0 to create"), "{stdout}");
    harness.apply();
    let vat = keyed(&harness, "/v1/tax_rates", "vat_de");
    assert_eq!(
        (&vat["id"], &vat["display_name"], &vat["active"]),
        (&vat_id, &"USt.".into(), &false.into())
    );
    let express = keyed(&harness, "/v1/shipping_rates", "express");
    assert_eq!(express["id"], express_id);
    assert_eq!(
        express["fixed_amount"]["currency_options"]["usd"]["amount"],
        1700
    );
    assert_eq!(express["tax_behavior"], "exclusive");
    assert_eq!(express["active"], false);
    harness.assert_rerun_writes_nothing();
}

#[test]
fn a_new_shipping_rate_declared_inactive_is_created_then_archived() {
    let harness = Harness::applied(
        "shipping_rate(\"old\", #{ display_name: \"Old\", \
         fixed_amount: #{ amount: 0, currency: \"eur\" }, active: false });",
    );
    assert_eq!(
        keyed(&harness, "/v1/shipping_rates", "old")["active"],
        false
    );
    harness.assert_rerun_writes_nothing();
}

#[test]
fn an_immutable_change_is_refused_with_the_advice_to_declare_a_new_rate() {
    let harness = Harness::applied(RATES);
    for (edited, field, kind) in [
        (
            RATES.replace("percentage: 19,", "percentage: 20,"),
            "percentage",
            "tax rate",
        ),
        (
            RATES.replace("inclusive: true,", "inclusive: false,"),
            "inclusive",
            "tax rate",
        ),
        (
            RATES.replace("amount: 1500,", "amount: 1600,"),
            "fixed_amount",
            "shipping rate",
        ),
        (
            RATES.replace("value: 2 }", "value: 3 }"),
            "delivery_estimate",
            "shipping rate",
        ),
    ] {
        harness.write("scripts/catalog.rhai", &edited);
        harness.reset_stats();
        let output = harness
            .command(&["run", "scripts/catalog.rhai", "--yes"])
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&output);
        assert_eq!(output.status.code(), Some(1), "{field}: {stdout}{stderr}");
        assert!(stderr.contains(field), "{field}: {stderr}");
        assert!(stderr.contains("is immutable"), "{field}: {stderr}");
        assert!(
            stderr.contains(&format!("declare a new {kind} with a new key")),
            "{field}: {stderr}"
        );
        assert!(stderr.contains("active: false"), "{field}: {stderr}");
        assert_eq!(harness.posts(), 0, "{field}: nothing written");
    }
}

#[test]
fn an_export_of_the_rates_plans_nothing_when_applied_back() {
    let harness = Harness::applied(RATES);
    let export = harness
        .command(&["export", "-o", "exported.rhai"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&export);
    assert!(export.status.success(), "{stdout}{stderr}");
    let script = std::fs::read_to_string(harness.path("exported.rhai")).unwrap();
    assert!(script.contains("tax_rate(\"vat_de\""), "{script}");
    assert!(script.contains("tax_rate(\"mwst_ch\""), "{script}");
    assert!(script.contains("shipping_rate(\"express\""), "{script}");
    harness.reset_stats();
    let plan = harness
        .command(&["plan", "exported.rhai", "--detailed-exitcode"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&plan);
    assert_eq!(plan.status.code(), Some(0), "{script}\n{stdout}{stderr}");
    assert!(stdout.contains("No changes."), "{stdout}");
    assert_eq!(harness.posts(), 0);
}

#[test]
fn rates_made_elsewhere_are_exported_with_adopt_and_take_their_key_without_a_create() {
    let harness = Harness::new();
    let vat = harness.post(
        "/v1/tax_rates",
        serde_json::json!({"display_name": "VAT", "percentage": 21, "inclusive": true}),
    );
    let ground = harness.post(
        "/v1/shipping_rates",
        serde_json::json!({"display_name": "Ground",
                           "fixed_amount": {"amount": 500, "currency": "eur"}}),
    );
    let export = harness
        .command(&["export", "-o", "adopted.rhai"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&export);
    assert!(export.status.success(), "{stdout}{stderr}");
    let script = std::fs::read_to_string(harness.path("adopted.rhai")).unwrap();
    assert!(
        script.contains(&format!("adopt: \"{}\"", vat["id"].as_str().unwrap())),
        "{script}"
    );
    assert!(
        script.contains(&format!("adopt: \"{}\"", ground["id"].as_str().unwrap())),
        "{script}"
    );
    harness.apply_script("adopted.rhai");
    let taxes = harness.list_all("/v1/tax_rates");
    let rates = harness.list_all("/v1/shipping_rates");
    assert_eq!((taxes.len(), rates.len()), (1, 1), "adopted, not created");
    assert!(
        taxes[0]["metadata"]["billingctl_key"].is_string(),
        "{taxes:?}"
    );
    assert!(
        rates[0]["metadata"]["billingctl_key"].is_string(),
        "{rates:?}"
    );
    harness.reset_stats();
    harness.apply_script("adopted.rhai");
    assert_eq!(harness.posts(), 0, "a rerun writes nothing");
}
