//! The promise on changes to objects that exist (issue 9): every update the plan builds is one
//! the update schema accepts, set-once fields are drift, and a run always converges.

use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

fn portal(options: &str) -> String {
    format!(
        r#"portal("default", #{{ features: #{{
    invoice_history: #{{ enabled: true }},
    subscription_cancel: #{{ enabled: true, mode: "at_period_end",
        cancellation_reason: #{{ enabled: true, options: [{options}] }} }} }} }});"#
    )
}

/// Before the fix: 400 `parameter_missing` for `...[cancellation_reason][enabled]`, on every
/// run.
#[test]
fn a_change_inside_a_hash_sends_the_hash_with_its_required_members() {
    let ctx = Harness::applied(&portal(r#""too_expensive""#));
    ctx.write(SCRIPT, &portal(r#""too_expensive", "unused""#));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    let list = ctx.get("/v1/billing_portal/configurations");
    let reason = &list["data"][0]["features"]["subscription_cancel"]["cancellation_reason"];
    assert_eq!(reason["enabled"], true);
    assert_eq!(reason["options"].as_array().map(Vec::len), Some(2));
    ctx.assert_rerun_writes_nothing();
}

fn price(usd_tax_behavior: &str) -> String {
    format!(
        r#"product("pro", #{{ name: "Pro" }});
price("pro_monthly", #{{ product: "pro", currency: "eur", unit_amount: 1900,
    recurring: #{{ interval: "month" }},
    currency_options: #{{ usd: #{{ unit_amount: 2100, tax_behavior: "{usd_tax_behavior}" }} }} }});"#
    )
}

/// Before the fix the update carried `currency_options[usd][tax_behavior]` alone; the entry was
/// replaced without its amount and every later run flip-flopped.
#[test]
fn a_currency_option_is_updated_as_a_whole_entry_and_converges() {
    let ctx = Harness::applied(&price("unspecified"));
    ctx.write(SCRIPT, &price("exclusive"));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    let usd = ctx.get("/v1/prices?lookup_keys[]=pro_monthly&expand[]=data.currency_options");
    let usd = &usd["data"][0]["currency_options"]["usd"];
    assert_eq!(usd["unit_amount"], 2100, "{usd}");
    assert_eq!(usd["tax_behavior"], "exclusive", "{usd}");
    ctx.assert_rerun_writes_nothing();
}

/// "Once specified as either `inclusive` or `exclusive`, it cannot be changed": before the fix
/// this was planned as an update, and the apply stopped at a 400.
#[test]
fn a_set_once_tax_behavior_is_immutable_drift_with_zero_writes() {
    let ctx = Harness::applied(&price("exclusive"));
    ctx.write(SCRIPT, &price("inclusive"));
    ctx.reset_stats();
    let output = ctx.command(&["plan", SCRIPT]).output().expect("runs");
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("currency_options[usd][tax_behavior]") && stderr.contains("immutable"),
        "{stderr}"
    );
    assert!(stderr.contains("scripts/catalog.rhai:2:1"), "{stderr}");
    assert_eq!(ctx.posts(), 0);
    // The usual way forward works: a new price takes the lookup key.
    let stdout = ctx
        .command(&["run", SCRIPT, "--yes", "--allow-replace"])
        .output()
        .expect("runs");
    assert!(stdout.status.success(), "{}", texts(&stdout).1);
    let replaced = ctx.get("/v1/prices?lookup_keys[]=pro_monthly&expand[]=data.currency_options");
    assert_eq!(
        replaced["data"][0]["currency_options"]["usd"]["tax_behavior"],
        "inclusive"
    );
    ctx.assert_rerun_writes_nothing();
}

/// Before the fix an empty hash went out as `restrictions=""`, which create refuses.
#[test]
fn an_empty_hash_is_left_out_of_a_create_and_the_run_converges() {
    let ctx = Harness::applied(
        r#"coupon("c", #{ percent_off: 10.0, duration: "once" });
promotion_code("SAVE", #{ coupon: "c", restrictions: #{} });
portal("default", #{ business_profile: #{}, features: #{ invoice_history: #{ enabled: true } } });"#,
    );
    ctx.assert_rerun_writes_nothing();
}

/// A plan made before another run created the same product: its create meets
/// `resource_already_exists`. Before the fix the apply failed there; now the account is read
/// again and the product, as declared, counts as created.
fn apply_after_a_concurrent_create(made_meanwhile: serde_json::Value) -> billingctl::apply::Report {
    use billingctl::apply::{apply_plan, ProgressMode};
    use billingctl::plan::{plan_catalog, LiveState, Policy};
    use billingctl::stripe::{ApiKey, Client, ClientConfig};

    let ctx = Harness::new();
    ctx.write(SCRIPT, "product(\"basic\", #{ name: \"Basic\" });\n");
    let catalog = billingctl::script::evaluate_in(
        ctx.dir.path(),
        std::path::Path::new(SCRIPT),
        "test",
        &billingctl::script::Limits::default(),
    )
    .expect("a valid script");
    let plan = plan_catalog(
        &catalog,
        &LiveState::default(),
        Policy::default(),
        crate::support::TEST_NOW,
    );
    ctx.post("/v1/products", made_meanwhile);
    let key = ApiKey::new(crate::support::TEST_KEY.to_owned()).expect("a key");
    let client = Client::new(ClientConfig::new(ctx.emulator.base_url(), key)).expect("a client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(apply_plan(
        &client,
        &plan,
        &LiveState::default(),
        4,
        ProgressMode::Quiet,
        None,
    ))
}

#[test]
fn a_create_that_meets_its_object_made_meanwhile_as_declared_counts_it_done() {
    let report = apply_after_a_concurrent_create(serde_json::json!({
        "id": "basic", "name": "Basic", "metadata": {"billingctl_scope": "catalog"}
    }));
    assert!(report.is_complete(), "{:?}", report.failures);
    assert_eq!(report.created, 1);
}

#[test]
fn a_create_that_meets_a_different_object_made_meanwhile_says_what_differs() {
    let report = apply_after_a_concurrent_create(serde_json::json!({
        "id": "basic", "name": "Other", "metadata": {"billingctl_scope": "catalog"}
    }));
    assert_eq!(report.failures.len(), 1, "{:?}", report.failures);
    assert!(
        report.failures[0].contains("differs from the script in name"),
        "{:?}",
        report.failures
    );
}

fn pay_what_you_want(usd_preset: &str) -> String {
    format!(
        r#"product("tip", #{{ name: "Tip jar" }});
price("tip_once", #{{ product: "tip", currency: "eur",
    custom_unit_amount: #{{ enabled: true, preset: 500 }},
    currency_options: #{{ usd: #{{ custom_unit_amount: #{{ enabled: true{usd_preset} }} }} }} }});"#
    )
}

/// Before the fix, a member left out of a map entry (`preset`) planned "No changes" while the
/// account kept it (found by the property test's long run).
#[test]
fn a_member_left_out_of_a_map_entry_is_removed_with_the_entry_sent_whole() {
    let ctx = Harness::applied(&pay_what_you_want(", preset: 600"));
    ctx.write(SCRIPT, &pay_what_you_want(""));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    let price = ctx.get("/v1/prices?lookup_keys[]=tip_once&expand[]=data.currency_options");
    let usd = &price["data"][0]["currency_options"]["usd"]["custom_unit_amount"];
    // Stripe returns the custom amount without its write-only `enabled`.
    assert!(usd.is_object(), "the entry keeps its custom amount: {usd}");
    assert!(usd["preset"].is_null(), "{usd}");
    ctx.assert_rerun_writes_nothing();
}
