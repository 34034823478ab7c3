//! Issue 4's "Must show", over the emulator.

use serde_json::{json, Value};

use super::proxy::Recorder;
use super::{CATALOG, CATALOG_OBJECTS};
use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

fn applied(ctx: &Harness) {
    ctx.write(SCRIPT, CATALOG);
    ctx.apply();
    ctx.reset_stats();
}

#[test]
fn first_run_creates_everything_and_a_second_run_writes_nothing() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let stdout = ctx.apply();
    assert!(stdout.contains("+ price basic_monthly"), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "Applied: {CATALOG_OBJECTS} created, 0 updated, 0 deactivated."
        )),
        "{stdout}"
    );

    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(
        stdout.contains("No changes. The account matches the catalog."),
        "{stdout}"
    );
    assert_eq!(ctx.posts(), 0, "a second run must not write");
}

#[test]
fn the_portal_configuration_lists_price_and_product_ids() {
    let ctx = Harness::new();
    applied(&ctx);
    let basic = ctx.price("basic_monthly")["id"].clone();
    let plus = ctx.price("plus_monthly")["id"].clone();
    assert!(basic.as_str().unwrap().starts_with("price_"), "{basic}");
    let configurations = ctx.get("/v1/billing_portal/configurations");
    let portal = &configurations["data"][0];
    assert_eq!(portal["metadata"]["billingctl_key"], "default");
    let products: Vec<Value> = portal["features"]["subscription_update"]["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| json!({"product": p["product"], "prices": p["prices"]}))
        .collect();
    assert_eq!(
        products,
        [
            json!({"product": "basic", "prices": [basic]}),
            json!({"product": "plus", "prices": [plus]}),
        ]
    );
}

#[test]
fn a_changed_mutable_field_is_exactly_one_update_carrying_only_that_field() {
    let ctx = Harness::new();
    applied(&ctx);
    ctx.write(
        SCRIPT,
        &CATALOG.replace(
            "unit_amount: 900,",
            "unit_amount: 900, nickname: \"Basic (monthly)\",",
        ),
    );
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("~ price basic_monthly"), "{stdout}");
    assert!(
        stdout.contains("+ nickname = \"Basic (monthly)\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("Plan: 0 to create, 1 to update, 0 to deactivate, 6 unchanged."),
        "{stdout}"
    );
    assert_eq!(ctx.posts(), 0, "plan never writes");

    let stdout = ctx.apply();
    assert!(
        stdout.contains("Applied: 0 created, 1 updated, 0 deactivated."),
        "{stdout}"
    );
    let stats = ctx.emulator.stats();
    assert_eq!(stats.posts(), 1);
    assert_eq!(stats.route("POST /v1/prices/{id}"), 1, "{stats:?}");
    assert_eq!(ctx.price("basic_monthly")["nickname"], "Basic (monthly)");
}

#[test]
fn immutable_drift_fails_with_every_error_and_writes_nothing() {
    let ctx = Harness::new();
    applied(&ctx);
    let changed = CATALOG
        .replace("unit_amount: 900,", "unit_amount: 1000,")
        .replace("percent_off: 30.0", "percent_off: 40.0")
        .replace(
            "promotion_code(\"LAUNCH\", #{ coupon: \"launch_30\"",
            "coupon(\"spring\", #{ percent_off: 10.0, duration: \"once\" });\n\
             promotion_code(\"LAUNCH\", #{ coupon: \"spring\"",
        );
    ctx.write(SCRIPT, &changed);

    let output = ctx
        .command(&["plan", SCRIPT, "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let errors = plan["errors"].as_array().unwrap();
    let found: Vec<(String, String, Value, Value)> = errors
        .iter()
        .map(|e| {
            (
                e["object"].as_str().unwrap().to_owned(),
                e["field"].as_str().unwrap().to_owned(),
                e["live"].clone(),
                e["desired"].clone(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            (
                "price".into(),
                "unit_amount".into(),
                json!(900),
                json!(1000)
            ),
            ("coupon".into(), "percent_off".into(), json!(30), json!(40)),
            (
                "promotion_code".into(),
                "promotion[coupon]".into(),
                json!("launch_30"),
                json!("spring")
            ),
        ]
    );
    assert_eq!(
        plan["summary"]["create"], 1,
        "the new coupon is still shown"
    );

    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("unit_amount is immutable (live 900, script 1000)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("scripts/catalog.rhai:"),
        "errors point at the script: {stderr}"
    );
    assert!(
        stderr.contains("3 problems found; nothing was written."),
        "{stderr}"
    );
    assert_eq!(ctx.posts(), 0, "an invalid plan writes nothing");
}

#[test]
fn active_false_deactivates() {
    let ctx = Harness::new();
    applied(&ctx);
    ctx.write(
        SCRIPT,
        &CATALOG.replace("unit_amount: 1900,", "unit_amount: 1900, active: false,"),
    );
    let stdout = ctx.apply();
    assert!(
        stdout.contains("! price plus_monthly (deactivate)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Applied: 0 created, 0 updated, 1 deactivated."),
        "{stdout}"
    );
    let price = ctx.get(&format!(
        "/v1/prices/{}",
        ctx.get("/v1/prices?active=false")["data"][0]["id"]
            .as_str()
            .unwrap()
    ));
    assert_eq!(price["lookup_key"], "plus_monthly");
    assert_eq!(price["active"], false);
    ctx.reset_stats();
    ctx.apply();
    assert_eq!(ctx.posts(), 0, "deactivated once, then nothing");
}

#[test]
fn an_out_of_band_edit_shows_in_the_plan_and_is_reverted() {
    let ctx = Harness::new();
    applied(&ctx);
    ctx.post(
        "/v1/products/basic",
        json!({"name": "Hacked", "description": "set in the Dashboard",
               "metadata": {"stray": "x"}}),
    );
    ctx.reset_stats();
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("~ product basic"), "{stdout}");
    assert!(
        stdout.contains("~ name = \"Hacked\" -> \"Basic\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("- description = \"set in the Dashboard\""),
        "{stdout}"
    );
    // A metadata key set outside billingctl is not the script's: kept (docs/LIFECYCLE.md).
    assert!(!stdout.contains("metadata[stray]"), "{stdout}");

    ctx.apply();
    let product = ctx.get("/v1/products/basic");
    assert_eq!(product["name"], "Basic");
    assert_eq!(
        product["metadata"],
        json!({"stray": "x", "billingctl_scope": "catalog"})
    );
    assert!(product["description"].is_null(), "{product}");
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn json_output_follows_the_contract() {
    let ctx = Harness::new();
    applied(&ctx);
    ctx.write(
        SCRIPT,
        &format!(
            "{}\nproduct(\"team\", #{{ name: \"Team\" }});",
            CATALOG.replace("name: \"Plus\"", "name: \"Plus+\"")
        ),
    );
    let output = ctx
        .command(&["plan", SCRIPT, "-o", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let keys: Vec<&String> = plan.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "format_version",
            "script",
            "environment",
            "account",
            "changes",
            "errors",
            "summary",
            "orphans",
            "warnings"
        ]
    );
    assert_eq!(plan["format_version"], 2);
    assert_eq!(plan["environment"], "test");
    assert!(plan["account"]
        .as_str()
        .unwrap()
        .ends_with("(sk_test_…0000)"));
    assert_eq!(
        plan["summary"],
        json!({"create": 1, "update": 1, "deactivate": 0, "replace": 0,
               "unchanged": CATALOG_OBJECTS - 1,
               "by_kind": {"product": {"create": 1, "update": 1, "deactivate": 0, "replace": 0}}})
    );
    assert_eq!(
        plan["changes"][0],
        json!({"action": "update", "object": "product", "key": "plus", "id": "plus",
               "reason": null,
               "declared_at": {"file": "scripts/catalog.rhai", "line": 3, "column": 1},
               "fields": [{"path": "name", "live": "Plus", "desired": "Plus+"}]})
    );
    let create = &plan["changes"][1];
    assert_eq!(create["action"], "create");
    assert_eq!(create["key"], "team");
    assert_eq!(create["id"], Value::Null);
    assert!(create["fields"]
        .as_array()
        .unwrap()
        .contains(&json!({"path": "name", "live": null, "desired": "Team"})));
    assert_eq!(plan["errors"], json!([]));
}

#[test]
fn detailed_exitcode_is_0_for_none_2_for_changes_1_for_errors() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let code = |ctx: &Harness| {
        ctx.command(&["plan", SCRIPT, "--detailed-exitcode"])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(code(&ctx), Some(2));
    ctx.apply();
    assert_eq!(code(&ctx), Some(0));
    // An immutable field the account and the script disagree on is drift, as for `verify`
    // (`plan::drift::verdict`): the plan cannot be applied, but the account differs.
    ctx.write(
        SCRIPT,
        &CATALOG.replace("unit_amount: 900,", "unit_amount: 901,"),
    );
    assert_eq!(code(&ctx), Some(2));
    // A broken script is an error.
    ctx.write(
        SCRIPT,
        &CATALOG.replace("product: \"basic\",", "product: \"no_such_product\","),
    );
    assert_eq!(code(&ctx), Some(1));
}

#[test]
fn verify_reports_sync_drift_and_errors() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let verify = |ctx: &Harness| ctx.command(&["verify", SCRIPT]).output().unwrap();
    assert_eq!(verify(&ctx).status.code(), Some(2));
    ctx.apply();
    let output = verify(&ctx);
    assert_eq!(output.status.code(), Some(0));
    assert!(texts(&output).0.contains("In sync"));
    ctx.post("/v1/products/plus", json!({"name": "Renamed"}));
    let output = verify(&ctx);
    assert_eq!(output.status.code(), Some(2));
    assert!(texts(&output)
        .0
        .contains("~ name = \"Renamed\" -> \"Plus\""));
}

#[test]
fn run_without_a_terminal_and_without_yes_refuses() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let output = ctx.command(&["run", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stdout.contains("Plan: 7 to create"),
        "the plan is shown: {stdout}"
    );
    assert!(stderr.contains("pass --yes"), "{stderr}");
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn a_failed_write_stops_the_apply_and_a_rerun_completes_it() {
    let ctx = Harness::new();
    // A write the plan cannot foresee (the proxy refuses every coupon create, as an outage of
    // one endpoint would) fails after the products and prices were written.
    let proxy = Recorder::refusing(&ctx, &[], Some("/v1/coupons"));
    ctx.write(SCRIPT, CATALOG);
    let output = proxy
        .command(&ctx, &["run", SCRIPT, "--yes"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("error: creating coupon `launch_30`: Stripe 400 invalid_request_error"),
        "{stderr}"
    );
    // Writes start as soon as their dependencies exist (apply::order::schedule), so the
    // coupon runs beside the products: how much was done when it failed depends on which
    // answers came first. What holds: the count is reported, the code (which needs the
    // coupon) was never sent, and the re-run creates exactly the rest.
    let created: usize = stderr
        .split("Applied: ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("an Applied line");
    assert!(created < 7, "{stderr}");
    assert!(stderr.contains("Not done:"), "{stderr}");
    assert!(
        stderr.contains("create promotion_code `LAUNCH`"),
        "{stderr}"
    );
    assert!(
        !stderr.contains(crate::support::TEST_KEY),
        "the key never shows"
    );

    let stdout = ctx.apply();
    assert!(
        stdout.contains(&format!(
            "Applied: {} created, 0 updated, 0 deactivated.",
            7 - created
        )),
        "{stdout}"
    );
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn a_coupon_whose_redeem_by_has_passed_stops_the_plan_before_any_write() {
    let ctx = Harness::new();
    // Before the fix the product and the prices were created, then the coupon failed.
    let broken = CATALOG.replace(
        "duration_in_months: 3 }",
        "duration_in_months: 3, redeem_by: 1000000000 }",
    );
    ctx.write(SCRIPT, &broken);
    // Offline, nothing knows when the script will be applied: `check` accepts it.
    ctx.offline(&["check", SCRIPT]).assert().success();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("redeem_by"), "{stderr}");
    assert!(stderr.contains("must be in the future"), "{stderr}");
    assert!(
        stderr.contains(&format!("{SCRIPT}:")),
        "the line is named: {stderr}"
    );
    assert_eq!(ctx.posts(), 0, "nothing was written");
}

#[test]
fn a_live_key_is_refused_for_a_test_environment_before_any_request() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let live_key = "sk_live_e2e0000000000000000000000000";
    let output = ctx
        .command(&["run", SCRIPT, "--yes"])
        .env("STRIPE_API_KEY", live_key)
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr.contains("refusing to use a live-mode key"),
        "{stderr}"
    );
    assert!(!stdout.contains(live_key) && !stderr.contains(live_key));
    assert_eq!(ctx.requests(), 0, "refused before any request");
}

#[test]
fn a_script_error_is_reported_with_its_place_and_nothing_is_fetched() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, "product(\"basic\", #{ nmae: \"Basic\" });\n");
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("scripts/catalog.rhai:1:"), "{stderr}");
    assert_eq!(ctx.requests(), 0);

    let output = ctx
        .command(&["plan", SCRIPT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON even for script errors");
    assert_eq!(plan["errors"][0]["object"], "product");
    assert!(
        plan["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nmae"),
        "{plan:#}"
    );
    assert_eq!(plan["changes"], json!([]));
    assert_eq!(ctx.requests(), 0);
}

#[test]
fn markdown_output_is_a_pull_request_comment() {
    let ctx = Harness::new();
    applied(&ctx);
    ctx.write(
        SCRIPT,
        &CATALOG.replace("name: \"Plus\"", "name: \"Plus+\""),
    );
    let output = ctx
        .command(&["plan", SCRIPT, "--output", "markdown"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(output.status.success());
    assert!(stdout.starts_with("### billingctl plan\n"), "{stdout}");
    assert!(
        stdout.contains("**Plan: 0 to create, 1 to update, 0 to deactivate, 6 unchanged.**"),
        "{stdout}"
    );
    assert!(
        stdout.contains("| update | product | `plus` | `name` | `scripts/catalog.rhai:3:1` |"),
        "{stdout}"
    );
    assert!(
        stdout.contains("```diff\n! product plus\n!   name = \"Plus\" -> \"Plus+\"\n"),
        "{stdout}"
    );
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn the_first_plan_reads_like_terraform() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    insta::with_settings!({filters => vec![(r"127\.0\.0\.1:\d+", "[EMULATOR]")]}, {
        insta::assert_snapshot!(stdout);
    });
}

#[test]
fn the_sandbox_needs_no_key_and_keeps_its_state_between_runs() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, CATALOG);
    let sandbox = |args: &[&str]| ctx.offline(args).output().unwrap();
    let first = sandbox(&["run", SCRIPT, "--sandbox", "--yes"]);
    let (stdout, stderr) = texts(&first);
    assert!(first.status.success(), "{stdout}{stderr}");
    assert!(
        stdout.contains("Account: sandbox .billingctl/sandbox.json"),
        "{stdout}"
    );
    assert!(stdout.contains("Applied: 7 created"), "{stdout}");
    assert!(ctx.dir.path().join(".billingctl/sandbox.json").exists());

    let second = sandbox(&["plan", SCRIPT, "--sandbox", "--detailed-exitcode"]);
    let (stdout, _) = texts(&second);
    assert_eq!(second.status.code(), Some(0), "{stdout}");
    assert!(stdout.contains("No changes."), "{stdout}");
    assert_eq!(ctx.requests(), 0, "the sandbox is its own emulator");
}
