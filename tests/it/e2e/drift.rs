//! Issue 14, point 4: drift is reported whole. Orphans and immutable fields changed out of
//! band are drift (`verify` and `plan --detailed-exitcode` exit 2, with the diff); errors
//! never hide the pending changes; the immutable help names both ways forward.

use serde_json::{json, Value};

use super::CATALOG;
use crate::support::{texts, transcript, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

/// `CATALOG` without the coupon and its promotion code.
fn without_coupon() -> String {
    CATALOG
        .replace(
            "coupon(\"launch_30\", #{ percent_off: 30.0, duration: \"repeating\", duration_in_months: 3 });\n",
            "",
        )
        .replace(
            "promotion_code(\"LAUNCH\", #{ coupon: \"launch_30\", max_redemptions: 500 });\n",
            "",
        )
}

#[test]
fn orphans_are_drift_for_verify_and_the_detailed_exit_code() {
    let harness = Harness::applied(CATALOG);
    harness.write(SCRIPT, &without_coupon());
    harness.reset_stats();
    let plan = harness
        .command(&["plan", SCRIPT, "--detailed-exitcode"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&plan);
    assert_eq!(plan.status.code(), Some(2), "{}", transcript(&plan));
    assert!(stdout.contains("coupon launch_30"), "{stdout}");
    assert!(!stdout.contains("The account matches"), "{stdout}");
    let verify = harness.command(&["verify", SCRIPT]).output().unwrap();
    assert_eq!(verify.status.code(), Some(2), "{}", transcript(&verify));
    assert!(texts(&verify).0.contains("promotion_code LAUNCH"));
    let json = harness
        .command(&["verify", SCRIPT, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(json.status.code(), Some(2));
    let value: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(value["drift"], json!(true));
    assert_eq!(value["orphans"].as_array().unwrap().len(), 2);
    // `-o markdown` is the plan's markdown (for an issue a scheduled job opens), not the
    // human view under another name.
    let markdown = harness
        .command(&["verify", SCRIPT, "-o", "markdown"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&markdown);
    assert_eq!(markdown.status.code(), Some(2), "{}", transcript(&markdown));
    assert!(stdout.contains("**Account**"), "{stdout}");
    assert!(stdout.contains("LAUNCH"), "{stdout}");
    assert!(!stdout.contains("Account: "), "{stdout}");
    assert_eq!(harness.posts(), 0);
}

#[test]
fn verify_in_markdown_says_in_sync_as_markdown() {
    let harness = Harness::applied(CATALOG);
    let markdown = harness
        .command(&["verify", SCRIPT, "-o", "markdown"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&markdown);
    assert_eq!(markdown.status.code(), Some(0), "{}", transcript(&markdown));
    assert!(stdout.contains("**Account**"), "{stdout}");
    assert!(!stdout.contains("In sync:"), "{stdout}");
}

#[test]
fn an_out_of_band_immutable_change_is_drift_with_both_ways_forward() {
    let harness = Harness::applied(CATALOG);
    // In the Dashboard, someone moved the lookup key to a new price at another amount.
    let product = harness.price("basic_monthly")["product"].clone();
    harness.post(
        "/v1/prices",
        json!({"product": product, "currency": "eur", "unit_amount": 1000,
               "recurring": {"interval": "month"}, "lookup_key": "basic_monthly",
               "transfer_lookup_key": true}),
    );
    harness.reset_stats();
    let verify = harness.command(&["verify", SCRIPT]).output().unwrap();
    let (_, stderr) = texts(&verify);
    assert_eq!(verify.status.code(), Some(2), "{}", transcript(&verify));
    assert!(stderr.contains("unit_amount is immutable"), "{stderr}");
    assert!(stderr.contains("--allow-replace"), "{stderr}");
    assert!(
        stderr.contains("on_immutable_change: \"replace\""),
        "{stderr}"
    );
    // `plan --detailed-exitcode` judges the account by the same rule: drift (2), with the
    // diff and both ways forward.
    let plan = harness
        .command(&["plan", SCRIPT, "--detailed-exitcode"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&plan);
    assert_eq!(plan.status.code(), Some(2), "{}", transcript(&plan));
    assert!(stderr.contains("unit_amount is immutable"), "{stderr}");
    assert!(stderr.contains("--allow-replace"), "{stderr}");
    // Without it, a plan that cannot be applied is an error (1).
    let plan = harness.command(&["plan", SCRIPT]).output().unwrap();
    assert_eq!(plan.status.code(), Some(1), "{}", transcript(&plan));
    assert_eq!(harness.posts(), 0);
}

#[test]
fn errors_do_not_hide_the_pending_changes() {
    let harness = Harness::applied(CATALOG);
    let changed = CATALOG
        .replace("unit_amount: 900,", "unit_amount: 1000,")
        .replace("name: \"Plus\"", "name: \"Plus+\"");
    harness.write(SCRIPT, &changed);
    let output = harness.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout.contains("~ product plus"), "{stdout}");
    assert!(
        stdout.contains("~ name = \"Plus\" -> \"Plus+\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("errors below must be fixed first"),
        "{stdout}"
    );
    assert!(stderr.contains("unit_amount is immutable"), "{stderr}");
}
