//! Billing meters end to end: create, update `display_name`, deactivate and reactivate
//! through Stripe's endpoints (`active: false` in the script), a re-run that writes nothing,
//! export round trip, an immutable change refused, and a metered price naming its meter by
//! event name.

use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

fn catalog(display_name: &str, active: &str) -> String {
    format!(
        r#"meter("api_requests", #{{ display_name: "{display_name}", default_aggregation: #{{ formula: "sum" }}{active} }});
product("api", #{{ name: "API" }});
price("api_usage", #{{ product: "api", currency: "eur", unit_amount: 1,
    recurring: #{{ interval: "month", usage_type: "metered", meter: "api_requests" }} }});
"#
    )
}

fn meters(ctx: &Harness) -> Vec<serde_json::Value> {
    ctx.list_all("/v1/billing/meters")
}

#[test]
fn a_meter_is_created_updated_deactivated_and_reactivated() {
    let ctx = Harness::applied(&catalog("API requests", ""));
    let live = meters(&ctx);
    assert_eq!(live.len(), 1);
    let id = live[0]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("mtr_"), "{id}");
    assert_eq!(live[0]["status"], "active");
    // The price names the meter by its event name; Stripe holds its id.
    assert_eq!(ctx.price("api_usage")["recurring"]["meter"], id.as_str());
    ctx.assert_rerun_writes_nothing();

    ctx.write(SCRIPT, &catalog("Requests", ""));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    assert_eq!(meters(&ctx)[0]["display_name"], "Requests");
    ctx.assert_rerun_writes_nothing();

    // Deactivating needs the price off the meter too? No: Stripe keeps existing prices; it
    // only refuses to attach an inactive meter to a new one.
    ctx.write(SCRIPT, &catalog("Requests", ", active: false"));
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&plan);
    assert!(stdout.contains("active = true -> false"), "{stdout}");
    ctx.reset_stats();
    let stdout = ctx.apply();
    assert!(stdout.contains("1 deactivated"), "{stdout}");
    assert_eq!(ctx.posts(), 1, "one call: POST .../deactivate");
    let live = meters(&ctx);
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["id"], id.as_str());
    assert_eq!(live[0]["status"], "inactive");
    ctx.assert_rerun_writes_nothing();

    // Back on: the inactive meter still holds its event name, so it is reactivated.
    ctx.write(SCRIPT, &catalog("Requests", ""));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    let live = meters(&ctx);
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["id"], id.as_str());
    assert_eq!(live[0]["status"], "active");
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn a_display_name_change_and_a_deactivation_go_together() {
    let ctx = Harness::applied(&catalog("API requests", ""));
    ctx.write(SCRIPT, &catalog("Old requests", ", active: false"));
    ctx.reset_stats();
    let stdout = ctx.apply();
    assert!(stdout.contains("1 deactivated"), "{stdout}");
    assert_eq!(ctx.posts(), 2, "the update, then POST .../deactivate");
    let live = &meters(&ctx)[0];
    assert_eq!(live["display_name"], "Old requests");
    assert_eq!(live["status"], "inactive");
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn a_meter_declared_inactive_is_created_then_deactivated() {
    let text = r#"meter("old_events", #{ display_name: "Old", default_aggregation: #{ formula: "count" }, active: false });"#;
    let ctx = Harness::applied(text);
    let live = meters(&ctx);
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["status"], "inactive");
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn an_immutable_change_is_an_error_with_zero_writes() {
    let ctx = Harness::applied(&catalog("API requests", ""));
    ctx.write(
        SCRIPT,
        &catalog("API requests", "").replace("formula: \"sum\"", "formula: \"count\""),
    );
    ctx.reset_stats();
    let output = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(all.contains("default_aggregation[formula]"), "{all}");
    assert!(
        all.contains("declare a new meter with a new event name"),
        "{all}"
    );
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn a_metered_price_without_a_meter_or_with_an_undeclared_one_is_an_error() {
    let ctx = Harness::new();
    ctx.write(
        SCRIPT,
        r#"product("api", #{ name: "API" });
price("api_usage", #{ product: "api", currency: "eur", unit_amount: 1,
    recurring: #{ interval: "month", usage_type: "metered" } });
price("api_other", #{ product: "api", currency: "eur", unit_amount: 1,
    recurring: #{ interval: "month", usage_type: "metered", meter: "nothing" } });
"#,
    );
    let output = ctx.offline(&["check", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stdout}{stderr}");
    let all = format!("{stdout}{stderr}");
    assert!(
        all.contains("a metered price needs `recurring[meter]`"),
        "{all}"
    );
    assert!(all.contains("scripts/catalog.rhai:2:1"), "{all}");
    assert!(
        all.contains("`recurring[meter]` refers to meter `nothing`, which is not declared"),
        "{all}"
    );
    assert!(all.contains("scripts/catalog.rhai:4:1"), "{all}");
    ctx.reset_stats();
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn export_writes_the_meter_and_the_prices_meter_by_event_name_and_round_trips() {
    let ctx = Harness::applied(&catalog("API requests", ", active: false"));
    let output = ctx.command(&["export"]).output().unwrap();
    let (script, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(script.contains("meter(\"api_requests\""), "{script}");
    assert!(script.contains("active: false"), "{script}");
    assert!(script.contains("meter: \"api_requests\""), "{script}");
    assert!(!script.contains("mtr_"), "{script}");
    ctx.write(SCRIPT, &script);
    ctx.reset_stats();
    let plan = ctx
        .command(&["plan", SCRIPT, "--detailed-exitcode"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&plan);
    assert_eq!(plan.status.code(), Some(0), "{stdout}{stderr}\n{script}");
    assert!(stdout.contains("No changes."), "{stdout}");
}

/// A meter has no metadata, so it carries no scope: nothing says this catalog made it, and
/// `--prune` leaves a meter the script no longer declares alone rather than deactivate meters
/// made elsewhere.
#[test]
fn pruning_leaves_an_undeclared_meter_alone() {
    let ctx = Harness::applied(&catalog("API requests", ""));
    ctx.write(SCRIPT, r#"product("api", #{ name: "API" });"#);
    let output = ctx
        .command(&["run", SCRIPT, "--yes", "--prune"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    assert_eq!(meters(&ctx)[0]["status"], "active", "{stdout}");
}
