//! Opt-in replacement over the emulator (issue 6): a price keeps an active price under its
//! lookup key at every step and the product and portal follow it; a promotion code is
//! deactivated before its successor takes the code; a coupon cannot be replaced.

use serde_json::{json, Value};

use super::proxy::Recorder;
use super::{with_default_price, CATALOG};
use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

#[test]
fn a_price_replacement_never_leaves_its_lookup_key_without_an_active_price() {
    let ctx = Harness::applied(&with_default_price());
    let old = ctx.price("basic_monthly")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    let script = with_default_price().replace("unit_amount: 900,", "unit_amount: 1000,");
    ctx.write(SCRIPT, &script);

    // Fail-fast stays the default.
    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(ctx.posts(), 0);

    let output = ctx
        .command(&["plan", SCRIPT, "--allow-replace"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains(&format!("-/+ price basic_monthly (replace {old})")),
        "{stdout}"
    );
    assert!(stdout.contains("~ unit_amount = 900 -> 1000"), "{stdout}");
    assert!(
        stdout.contains("~ product basic (re-point to the replacement)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Plan: 0 to create, 2 to update, 0 to deactivate, 1 to replace"),
        "{stdout}"
    );
    let output = ctx
        .command(&["plan", SCRIPT, "--allow-replace", "-o", "json"])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let replace = plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["action"] == "replace")
        .expect("a replace change");
    assert_eq!(
        replace,
        &json!({"action": "replace", "object": "price", "key": "basic_monthly", "id": old,
                "reason": null,
                "declared_at": {"file": "scripts/catalog.rhai", "line": 4, "column": 1},
                "fields": [{"path": "unit_amount", "live": 900, "desired": 1000}]})
    );

    let proxy = Recorder::new(&ctx, &["/v1/prices?lookup_keys[]=basic_monthly"]);
    let output = proxy
        .command(&ctx, &["run", SCRIPT, "--allow-replace", "--yes"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 replaced"), "{stdout}");

    let posts = proxy.posts();
    let writes: Vec<String> = posts
        .iter()
        .map(|s| {
            let target = if s.path == "/v1/prices" {
                "create price".to_owned()
            } else if s.path == format!("/v1/prices/{old}") {
                "archive old price".to_owned()
            } else if s.path == "/v1/products/basic" {
                "product".to_owned()
            } else {
                "portal".to_owned()
            };
            format!("{target} {}", s.status)
        })
        .collect();
    assert_eq!(
        writes,
        [
            "create price 200",
            "product 200",
            "portal 200",
            "archive old price 200"
        ]
    );
    assert!(
        posts[0].body.contains("transfer_lookup_key=true&"),
        "{}",
        posts[0].body
    );
    assert!(posts[0].body.contains("lookup_key=basic_monthly&"));
    assert_eq!(posts[3].body, "active=false&");
    for step in &posts {
        let holders = step.probes[0]["data"].as_array().expect("a list");
        assert_eq!(
            holders.len(),
            1,
            "after {} {} the lookup key has {} active prices",
            step.method,
            step.path,
            holders.len()
        );
        assert_eq!(holders[0]["active"], true);
    }

    let new = ctx.price("basic_monthly");
    assert_ne!(new["id"], old.as_str());
    assert_eq!(new["unit_amount"], 1000);
    assert_eq!(new["metadata"]["billingctl_scope"], "catalog");
    let archived = ctx.get(&format!("/v1/prices/{old}"));
    assert_eq!(archived["active"], false);
    assert!(archived["lookup_key"].is_null(), "{archived}");
    assert_eq!(ctx.get("/v1/products/basic")["default_price"], new["id"]);
    let portal = &ctx.get("/v1/billing_portal/configurations")["data"][0];
    assert_eq!(
        portal["features"]["subscription_update"]["products"][0]["prices"],
        json!([new["id"]])
    );

    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("No changes."), "{stdout}");
    assert_eq!(ctx.posts(), 0, "a replacement converges");
}

#[test]
fn the_script_can_opt_one_price_in() {
    let ctx = Harness::applied(CATALOG);
    ctx.write(
        SCRIPT,
        &CATALOG.replace(
            "unit_amount: 900,",
            "unit_amount: 950, on_immutable_change: \"replace\",",
        ),
    );
    let stdout = ctx.apply();
    assert!(stdout.contains("1 replaced"), "{stdout}");
    assert_eq!(ctx.price("basic_monthly")["unit_amount"], 950);

    // Another price without the option still stops the run.
    ctx.write(
        SCRIPT,
        &CATALOG
            .replace("unit_amount: 900,", "unit_amount: 950,")
            .replace("unit_amount: 1900,", "unit_amount: 2900,"),
    );
    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("plus_monthly"), "{stderr}");
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn a_promotion_code_is_deactivated_before_its_successor_takes_the_code() {
    let ctx = Harness::applied(CATALOG);
    let old = ctx.get("/v1/promotion_codes?code=LAUNCH")["data"][0]["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    ctx.write(
        SCRIPT,
        &CATALOG.replace("max_redemptions: 500", "max_redemptions: 100"),
    );
    let proxy = Recorder::new(&ctx, &[]);
    let output = proxy
        .command(&ctx, &["run", SCRIPT, "--allow-replace", "--yes"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("-/+ promotion_code LAUNCH"), "{stdout}");
    let writes: Vec<(String, String)> = proxy
        .posts()
        .into_iter()
        .map(|s| (s.path, s.body))
        .collect();
    assert_eq!(writes.len(), 2, "{writes:?}");
    assert_eq!(
        writes[0],
        (
            format!("/v1/promotion_codes/{old}"),
            "active=false&".to_owned()
        )
    );
    assert_eq!(writes[1].0, "/v1/promotion_codes");
    assert!(writes[1].1.contains("code=LAUNCH&"), "{}", writes[1].1);

    let codes = ctx.get("/v1/promotion_codes?code=LAUNCH")["data"].clone();
    let active: Vec<&Value> = codes
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["active"] == true)
        .collect();
    assert_eq!(active.len(), 1);
    assert_eq!(active[0]["max_redemptions"], 100);
    assert_eq!(
        ctx.get(&format!("/v1/promotion_codes/{old}"))["active"],
        false
    );

    ctx.assert_rerun_writes_nothing();
}

#[test]
fn a_coupon_cannot_be_replaced_and_the_error_says_to_name_a_new_id() {
    let ctx = Harness::applied(CATALOG);
    ctx.write(
        SCRIPT,
        &CATALOG.replace("percent_off: 30.0", "percent_off: 40.0"),
    );
    ctx.reset_stats();
    let output = ctx
        .command(&["run", SCRIPT, "--allow-replace", "--yes"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("percent_off"), "{stderr}");
    assert!(
        stderr.contains("a coupon cannot be replaced: its id `launch_30` stays taken"),
        "{stderr}"
    );
    assert!(stderr.contains("launch_30_v2"), "{stderr}");
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn a_replacement_stopped_before_the_archive_is_finished_by_a_pruning_rerun() {
    let ctx = Harness::applied(&with_default_price());
    let old = ctx.price("basic_monthly")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    ctx.write(
        SCRIPT,
        &with_default_price().replace("unit_amount: 900,", "unit_amount: 1000,"),
    );
    let archive = format!("/v1/prices/{old}");
    let proxy = Recorder::refusing(&ctx, &[], Some(&archive));
    let output = proxy
        .command(&ctx, &["run", SCRIPT, "--allow-replace", "--yes"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("Refused by the test proxy."), "{stderr}");
    // The key moved and the references followed; only the archive is missing.
    let new = ctx.price("basic_monthly");
    assert_eq!(new["unit_amount"], 1000);
    assert_eq!(ctx.get("/v1/products/basic")["default_price"], new["id"]);
    let stranded = ctx.get(&archive);
    assert_eq!(stranded["active"], true);
    assert!(stranded["lookup_key"].is_null());

    // The re-run lists the old price as an orphan of the scope; --prune archives it.
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains(&format!("? price {old}")), "{stdout}");
    assert!(stdout.contains("No changes."), "{stdout}");
    let output = ctx
        .command(&["run", SCRIPT, "--prune", "--yes"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert_eq!(ctx.get(&archive)["active"], false);
    ctx.reset_stats();
    let output = ctx
        .command(&["run", SCRIPT, "--prune", "--yes"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("No changes."), "{stdout}");
    assert!(!stdout.contains("orphans"), "{stdout}");
    assert_eq!(ctx.posts(), 0);
}
