//! Dates and related objects (issue 9): what Stripe would refuse is refused by the plan, before
//! any write, at the declaration; what exists and matches is left alone however late it is.

use crate::support::{texts, Harness, TEST_NOW};

const SCRIPT: &str = "scripts/catalog.rhai";
const DAY: i64 = 86_400;

/// A campaign ending `ends_at` (relative to the test clock): a coupon and two codes.
fn campaign(redeem_by: i64, expires_at: i64, code_max: i64) -> String {
    format!(
        r#"coupon("spring", #{{ percent_off: 20.0, duration: "once", redeem_by: {redeem_by},
                   max_redemptions: 100 }});
promotion_code("SPRING", #{{ coupon: "spring", expires_at: {expires_at},
                             max_redemptions: {code_max} }});
promotion_code("SPRING-VIP", #{{ coupon: "spring" }});
"#
    )
}

fn plan_fails_with(ctx: &Harness, needle: &str, line: u32) {
    ctx.reset_stats();
    let output = ctx
        .command(&["run", SCRIPT, "--yes"])
        .output()
        .expect("runs");
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(needle), "{needle}: {stderr}");
    assert!(
        stderr.contains(&format!("{SCRIPT}:{line}:1")),
        "the declaration is named: {stderr}"
    );
    assert_eq!(ctx.posts(), 0, "nothing was written");
}

#[test]
fn an_ended_campaign_plans_nothing_when_run_again() {
    let ends = TEST_NOW + 30 * DAY;
    let ctx = Harness::applied(&campaign(ends, ends, 10));
    ctx.reset_stats();
    let later = (ends + 365 * DAY).to_string();
    let output = ctx
        .command(&["plan", SCRIPT, "--detailed-exitcode"])
        .env("BILLINGCTL_NOW", &later)
        .output()
        .expect("runs");
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stdout}{stderr}");
    assert!(stdout.contains("No changes"), "{stdout}");
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn a_campaign_created_after_its_end_is_refused_before_any_write() {
    let ctx = Harness::new();
    let ended = TEST_NOW - DAY;
    ctx.write(SCRIPT, &campaign(ended, ended, 10));
    plan_fails_with(&ctx, "redeem_by", 1);
    plan_fails_with(&ctx, "expires_at", 3);
}

#[test]
fn a_coupon_more_than_five_years_ahead_is_refused() {
    let ctx = Harness::new();
    let far = TEST_NOW + 6 * 365 * DAY;
    ctx.write(SCRIPT, &campaign(far, TEST_NOW + DAY, 10));
    plan_fails_with(&ctx, "more than 5 years", 1);
}

#[test]
fn a_code_may_not_outlive_or_outnumber_its_coupon_even_offline() {
    let ctx = Harness::new();
    let ends = TEST_NOW + 30 * DAY;
    ctx.write(SCRIPT, &campaign(ends, ends + DAY, 101));
    let output = ctx.offline(&["check", SCRIPT]).output().expect("runs");
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot be after its coupon's redeem_by"),
        "{stderr}"
    );
    assert!(
        stderr.contains("cannot be greater than its coupon's max_redemptions"),
        "{stderr}"
    );
    assert!(stderr.contains(&format!("{SCRIPT}:3:1")), "{stderr}");
    plan_fails_with(&ctx, "max_redemptions", 3);
}

#[test]
fn a_code_deactivated_in_the_dashboard_is_reactivated_not_duplicated() {
    let ends = TEST_NOW + 30 * DAY;
    let ctx = Harness::applied(&campaign(ends, ends, 10));
    let code = ctx.get("/v1/promotion_codes?code=SPRING");
    let id = code["data"][0]["id"].as_str().expect("an id").to_owned();
    ctx.post(
        &format!("/v1/promotion_codes/{id}"),
        serde_json::json!({"active": false}),
    );
    ctx.reset_stats();
    let stdout = ctx.apply();
    assert!(stdout.contains("0 created, 1 updated"), "{stdout}");
    assert_eq!(ctx.emulator.stats().route("POST /v1/promotion_codes"), 0);
    let codes = ctx.get("/v1/promotion_codes?code=SPRING");
    let codes = codes["data"].as_array().expect("a list");
    assert_eq!(codes.len(), 1, "no second code: {codes:?}");
    assert_eq!(codes[0]["active"], true);
    ctx.assert_rerun_writes_nothing();
}

#[test]
fn check_warns_about_dates_that_have_passed_but_accepts_the_script() {
    let ctx = Harness::new();
    let ends = TEST_NOW + 30 * DAY;
    ctx.write(SCRIPT, &campaign(ends, ends, 10));
    let later = (ends + DAY).to_string();
    let output = ctx
        .offline(&["check", SCRIPT])
        .env("BILLINGCTL_NOW", &later)
        .output()
        .expect("runs");
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("warning: coupon `spring`"), "{stderr}");
    assert!(
        stderr.contains("redeem_by: must be in the future"),
        "{stderr}"
    );
    assert!(stderr.contains(": valid"), "{stderr}");
}
