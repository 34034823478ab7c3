//! Entitlement features end to end: created, renamed, archived (permanently: a feature
//! declared active again is a new one with the same lookup key), re-runs as no-ops, and the
//! export round trip (archived features are read with `archived=true`).

use crate::support::{succeeded, texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

fn feature(name: &str, active: bool) -> String {
    format!(
        r#"feature("api_access", #{{ name: "{name}", active: {active}, metadata: #{{ team: "core" }} }});
feature("reports", #{{ name: "Reports" }});"#
    )
}

fn features(ctx: &Harness, query: &str) -> Vec<serde_json::Value> {
    let list = ctx.get(&format!("/v1/entitlements/features{query}"));
    list["data"].as_array().cloned().unwrap_or_default()
}

#[test]
fn a_feature_is_created_updated_archived_and_converges() {
    let ctx = Harness::applied(&feature("API access", true));
    let active = features(&ctx, "");
    assert_eq!(active.len(), 2);
    let api = features(&ctx, "?lookup_key=api_access");
    assert_eq!(api[0]["name"], "API access");
    assert_eq!(api[0]["metadata"]["team"], "core");
    ctx.assert_rerun_writes_nothing();

    ctx.write(SCRIPT, &feature("API", true));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    assert_eq!(features(&ctx, "?lookup_key=api_access")[0]["name"], "API");
    ctx.assert_rerun_writes_nothing();

    ctx.write(SCRIPT, &feature("API", false));
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&plan);
    assert!(stdout.contains("1 to deactivate"), "{stdout}");
    ctx.apply();
    assert!(features(&ctx, "?lookup_key=api_access").is_empty());
    let archived = features(&ctx, "?archived=true");
    assert_eq!(archived.len(), 1);
    assert_eq!(archived[0]["lookup_key"], "api_access");
    // The archived feature is read (`archived=true`) and matches: nothing to do.
    ctx.assert_rerun_writes_nothing();

    // Archiving is permanent: active again means a new feature under the same key.
    ctx.write(SCRIPT, &feature("API", true));
    let stdout = ctx.apply();
    assert!(stdout.contains("1 created"), "{stdout}");
    let api = features(&ctx, "?lookup_key=api_access");
    assert_eq!(api.len(), 1);
    assert_ne!(api[0]["id"], archived[0]["id"]);
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn an_out_of_band_change_is_set_back() {
    let ctx = Harness::applied(&feature("API access", true));
    let id = features(&ctx, "?lookup_key=api_access")[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    ctx.post(
        &format!("/v1/entitlements/features/{id}"),
        serde_json::json!({"name": "Renamed in the dashboard", "metadata": {"extra": "x"}}),
    );
    let stdout = ctx.apply();
    assert!(stdout.contains("1 updated"), "{stdout}");
    let api = &features(&ctx, "?lookup_key=api_access")[0];
    assert_eq!(api["name"], "API access");
    // A metadata key set outside billingctl is not the script's: kept (docs/LIFECYCLE.md).
    assert_eq!(api["metadata"]["extra"], "x", "{api}");
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn the_export_declares_the_features_and_plans_no_changes() {
    let ctx = Harness::applied(&feature("API", false));
    let export = ctx.command(&["export"]).output().unwrap();
    let (script, stderr) = texts(&export);
    succeeded(&export, "export");
    assert!(
        script.contains(r#"feature("api_access""#),
        "{script}{stderr}"
    );
    assert!(script.contains("active: false"), "{script}");
    assert!(script.contains(r#"feature("reports""#), "{script}");
    ctx.write(SCRIPT, &script);
    ctx.reset_stats();
    ctx.apply();
    assert_eq!(ctx.posts(), 0, "the export plans no changes:\n{script}");
}
