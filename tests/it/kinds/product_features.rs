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
