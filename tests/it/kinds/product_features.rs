//! Feature attachments end to end: a product's `features: [feature keys]` attaches each
//! feature (after the feature and the product exist), a re-run is a no-op, and the live
//! attachments are read per product.

use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

fn catalog(basic: &str, pro: &str) -> String {
    format!(
        r#"feature("api_access", #{{ name: "API access" }});
feature("reports", #{{ name: "Reports" }});
feature("sso", #{{ name: "Single sign-on" }});
product("basic", #{{ name: "Basic", features: [{basic}] }});
product("pro", #{{ name: "Pro", features: [{pro}] }});"#
    )
}

fn attached(ctx: &Harness, product: &str) -> Vec<String> {
    let list = ctx.get(&format!("/v1/products/{product}/features"));
    let mut keys: Vec<String> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            a["entitlement_feature"]["lookup_key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    keys.sort();
    keys
}

#[test]
fn features_are_attached_per_product_and_a_rerun_writes_nothing() {
    let ctx = Harness::new();
    ctx.write(
        SCRIPT,
        &catalog(r#""api_access""#, r#""api_access", "reports", "sso""#),
    );
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&plan);
    assert!(stdout.contains("product_feature"), "{stdout}{stderr}");
    let stdout = ctx.apply();
    assert!(stdout.contains("9 created"), "{stdout}");
    assert_eq!(attached(&ctx, "basic"), ["api_access"]);
    assert_eq!(attached(&ctx, "pro"), ["api_access", "reports", "sso"]);
    ctx.assert_rerun_writes_nothing();

    // A feature added to a plan is attached; nothing else is written.
    ctx.write(
        SCRIPT,
        &catalog(
            r#""api_access", "reports""#,
            r#""api_access", "reports", "sso""#,
        ),
    );
    ctx.reset_stats();
    let stdout = ctx.apply();
    assert!(stdout.contains("1 created"), "{stdout}");
    assert_eq!(ctx.posts(), 1);
    assert_eq!(attached(&ctx, "basic"), ["api_access", "reports"]);
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn an_unknown_feature_key_is_an_error_of_the_check() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &catalog(r#""nope""#, ""));
    let check = ctx.offline(&["check", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&check);
    assert!(!check.status.success());
    assert!(stderr.contains("nope"), "{stdout}{stderr}");
}

/// Stripe refuses to attach an archived feature (param-rules R022): the plan must refuse it
/// first, before any write, or the apply would stop halfway.
#[test]
fn attaching_an_archived_feature_is_refused_before_any_write() {
    let ctx = Harness::new();
    let script = catalog(r#""sso""#, "").replace(
        r#"feature("sso", #{ name: "Single sign-on" });"#,
        r#"feature("sso", #{ name: "Single sign-on", active: false });"#,
    );
    ctx.write(SCRIPT, &script);
    let run = ctx.command(&["run", SCRIPT, "--yes"]).output().unwrap();
    let (stdout, stderr) = texts(&run);
    assert_eq!(run.status.code(), Some(1), "{stdout}{stderr}");
    assert!(
        stderr.contains("feature `sso` is archived"),
        "{stdout}{stderr}"
    );
    assert!(stderr.contains("scripts/catalog.rhai:4:1"), "{stderr}");
    assert_eq!(ctx.posts(), 0, "nothing written");
}

#[test]
fn a_dropped_feature_is_an_orphan_note_and_detached_only_with_prune() {
    let ctx = Harness::new();
    let before = format!(
        "scope(\"catalog\");\n{}",
        catalog(r#""api_access", "reports""#, r#""sso""#)
    );
    ctx.write(SCRIPT, &before);
    ctx.apply();
    let after = format!(
        "scope(\"catalog\");\n{}",
        catalog(r#""api_access""#, r#""sso""#)
    );
    ctx.write(SCRIPT, &after);

    // Without --prune: nothing is written, the attachment is an orphan note.
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&plan);
    assert!(stdout.contains("basic/reports"), "{stdout}{stderr}");
    assert!(!stdout.contains("to detach"), "{stdout}");
    ctx.reset_stats();
    ctx.apply();
    assert_eq!(ctx.posts(), 0);
    assert_eq!(attached(&ctx, "basic"), ["api_access", "reports"]);

    // With --prune: its own action, counted, in every view.
    let plan = ctx.command(&["plan", SCRIPT, "--prune"]).output().unwrap();
    let (human, stderr) = texts(&plan);
    assert!(
        human.contains("- product_feature basic/reports (detach"),
        "{human}{stderr}"
    );
    assert!(human.contains(", 1 to detach,"), "{human}");
    assert!(human.contains("product_feature 1 to detach"), "{human}");
    let json = ctx
        .command(&["plan", SCRIPT, "--prune", "-o", "json"])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["summary"]["detach"], 1, "{json}");
    assert_eq!(json["summary"]["by_kind"]["product_feature"]["detach"], 1);
    let change = &json["changes"][0];
    assert_eq!(
        (&change["action"], &change["key"]),
        (
            &serde_json::json!("detach"),
            &serde_json::json!("basic/reports")
        ),
        "{json}"
    );
    let markdown = ctx
        .command(&["plan", SCRIPT, "--prune", "-o", "markdown"])
        .output()
        .unwrap();
    let (markdown, _) = texts(&markdown);
    assert!(markdown.contains("1 to detach"), "{markdown}");
    assert!(markdown.contains("| detach |"), "{markdown}");

    let run = ctx
        .command(&["run", SCRIPT, "--yes", "--prune"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&run);
    assert!(run.status.success(), "{stdout}{stderr}");
    assert!(stdout.contains("1 detached"), "{stdout}");
    assert_eq!(attached(&ctx, "basic"), ["api_access"]);
    assert_eq!(attached(&ctx, "pro"), ["sso"]);
    ctx.reset_stats();
    ctx.apply();
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn the_export_writes_each_products_features_and_plans_no_changes() {
    let ctx = Harness::new();
    ctx.write(
        SCRIPT,
        &catalog(r#""api_access""#, r#""api_access", "reports""#),
    );
    ctx.apply();
    let export = ctx.command(&["export"]).output().unwrap();
    let (script, stderr) = texts(&export);
    assert!(export.status.success(), "{stderr}");
    assert!(script.contains(r#"features: ["api_access"]"#), "{script}");
    // The export lists a product's features oldest first, and the apply attaches a
    // product's features side by side: either may have been created first.
    assert!(
        script.contains(r#"features: ["api_access", "reports"]"#)
            || script.contains(r#"features: ["reports", "api_access"]"#),
        "{script}"
    );
    assert!(!script.contains("product_feature("), "{script}");
    ctx.write(SCRIPT, &script);
    ctx.reset_stats();
    ctx.apply();
    assert_eq!(ctx.posts(), 0, "the export plans no changes:\n{script}");
}

#[test]
fn features_must_be_a_list_of_keys() {
    let ctx = Harness::new();
    ctx.write(
        SCRIPT,
        r#"feature("api", #{ name: "API" });
product("basic", #{ name: "Basic", features: "api" });"#,
    );
    let check = ctx.offline(&["check", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&check);
    assert!(!check.status.success());
    assert!(
        stderr.contains("`features` must be a list of feature keys"),
        "{stdout}{stderr}"
    );
}

/// A feature is never deleted, only archived (NOTES.md, entitlements.feature: "No delete"),
/// so an account that has no feature has no attachment: a plan does not list each product's
/// (one request per product, a thousand for a thousand products) to learn that. Once a
/// feature exists, every product's attachments are listed again.
#[test]
fn an_account_without_features_is_not_asked_for_each_products_attachments() {
    let route = "GET /v1/products/{product}/features";
    let ctx = Harness::applied(
        r#"product("basic", #{ name: "Basic" });
product("plus", #{ name: "Plus" });
product("pro", #{ name: "Pro" });"#,
    );
    ctx.reset_stats();
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&plan);
    assert!(plan.status.success(), "{stdout}{stderr}");
    assert_eq!(ctx.emulator.stats().route(route), 0, "{stdout}{stderr}");

    ctx.write(
        SCRIPT,
        r#"feature("sso", #{ name: "Single sign-on", active: false });
product("basic", #{ name: "Basic" });
product("plus", #{ name: "Plus" });
product("pro", #{ name: "Pro" });"#,
    );
    ctx.apply();
    ctx.reset_stats();
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    assert!(plan.status.success());
    assert_eq!(ctx.emulator.stats().route(route), 3, "one list per product");
}
