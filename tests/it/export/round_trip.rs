//! An account billingctl built: `run scripts/catalog.rhai`, `export`, then the export plans
//! no changes.

use super::Account;
use crate::support::succeeded;

#[test]
fn an_account_billingctl_built_exports_to_a_script_that_plans_no_changes() {
    let account = Account::new();
    account.run("scripts/catalog.rhai");

    let (exported, text) = account.export("exported.rhai", &[]);
    succeeded(&account.check(&exported), "check of the export");
    // Every object already has its key: nothing to adopt.
    assert!(!text.contains("adopt:"), "{text}");

    let (code, output) = account.plan_exit_code(&exported);
    assert_eq!(
        code,
        Some(0),
        "the export should plan no changes:\n{output}"
    );
    assert!(output.contains("No changes"), "{output}");

    // The same account exports the same text.
    let (_, again) = account.export("again.rhai", &[]);
    assert_eq!(text, again);
}

#[test]
fn the_export_declares_what_the_catalog_declares() {
    let account = Account::new();
    account.run("scripts/catalog.rhai");
    let (exported, _) = account.export("exported.rhai", &[]);

    // The catalog evaluated for `test` (with its overlay) and the export hold the same
    // objects under the same keys; the export groups them by product and coupon.
    let catalog = account
        .render(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/catalog.rhai"));
    let export = account.render(&exported);
    let sorted = |rendered: &serde_json::Value| {
        let mut keys = super::rendered_keys(rendered);
        keys.sort();
        keys
    };
    assert_eq!(sorted(&export), sorted(&catalog));
}

#[test]
fn tiers_currency_options_and_generated_codes_round_trip() {
    // The examples use what the main catalog does not: tiered prices, per-currency amounts,
    // pay-what-you-want prices, coupons limited to products, seeded promotion codes.
    for example in ["examples/tiered.rhai", "examples/launch_campaign.rhai"] {
        let account = Account::new();
        account.run(example);
        let (exported, text) = account.export("exported.rhai", &[]);
        succeeded(&account.check(&exported), "check of the export");
        let (code, output) = account.plan_exit_code(&exported);
        assert_eq!(
            code,
            Some(0),
            "{example}: the export should plan no changes:\n{output}\n{text}"
        );
    }
}

#[test]
fn the_sandbox_exports_and_plans_no_changes() {
    // The newcomer's path: no key, no account, the built-in sandbox in a scratch project.
    let dir = tempfile::tempdir().expect("a scratch directory");
    let scripts = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts");
    let catalog = scripts.join("catalog.rhai");
    let run = |args: &[&str]| {
        crate::support::billingctl(dir.path())
            .args(args)
            .output()
            .expect("billingctl runs")
    };
    let catalog = catalog.to_str().expect("UTF-8");
    succeeded(
        &run(&["run", catalog, "--sandbox", "--yes"]),
        "run --sandbox",
    );
    let export = run(&["export", "--sandbox", "-o", "exported.rhai"]);
    succeeded(&export, "export --sandbox");
    assert!(
        String::from_utf8_lossy(&export.stderr).contains("(0 adopted by id)"),
        "{}",
        crate::support::transcript(&export)
    );
    let plan = run(&["plan", "exported.rhai", "--sandbox", "--detailed-exitcode"]);
    assert_eq!(
        plan.status.code(),
        Some(0),
        "{}",
        crate::support::transcript(&plan)
    );
}

/// Two catalogs (the main one and a 600-code campaign) share the account; each scope
/// exports on its own and plans no changes. (One export of both would adopt every object into
/// the export's own scope, which the plan rightly shows as changes.)
#[test]
fn a_catalog_and_a_campaign_of_600_codes_round_trip_scope_by_scope() {
    let account = Account::new();
    account.run("scripts/catalog.rhai");
    let output = account.billingctl(&[
        "run",
        "scripts/campaigns/black_friday.rhai",
        "--yes",
        "--max-rps",
        "2000",
        "--endpoint-rps",
        "2000",
    ]);
    succeeded(&output, "run of the campaign");

    let (catalog, _) = account.export("catalog_export.rhai", &["--scope", "catalog"]);
    let (campaign, text) =
        account.export("campaign_export.rhai", &["--scope", "black_friday_2027"]);
    assert!(
        text.matches("promotion_code(").count() >= 600,
        "the campaign's codes are exported"
    );
    for exported in [catalog, campaign] {
        succeeded(&account.check(&exported), "check of the export");
        let (code, output) = account.plan_exit_code(&exported);
        assert_eq!(
            code,
            Some(0),
            "the export should plan no changes:\n{output}"
        );
    }
}
