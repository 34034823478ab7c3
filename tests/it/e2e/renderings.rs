//! Issue 14, points 2 and 3: big plans stay readable, and the three views agree. Runs that
//! differ only by key collapse; the markdown comment fits GitHub's 65,536 characters and
//! names script, environment and account; JSON is versioned and carries positions and help.

use serde_json::Value;

use crate::support::{texts, transcript, Harness};

const CAMPAIGN: &str = "scripts/catalog.rhai";

/// A 2,000-code campaign: one coupon, 2,000 codes alike but for their code.
const BIG: &str = r#"
coupon("bf", #{ percent_off: 20.0, duration: "once" });
for i in 0..2000 { promotion_code(`PX-${i}`, #{ coupon: "bf", max_redemptions: 1 }); }
"#;

fn harness() -> Harness {
    let harness = Harness::new();
    harness.write(CAMPAIGN, BIG);
    harness
}

#[test]
fn a_run_of_codes_alike_but_for_their_key_is_one_entry_unless_full() {
    let harness = harness();
    let output = harness.command(&["plan", CAMPAIGN]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(
        stdout.contains("+ 2,000 promotion codes PX-… with the same fields"),
        "{stdout}"
    );
    assert!(stdout.lines().count() < 20, "{stdout}");
    assert!(
        stdout.contains("By kind: coupon 1 to create; promotion_code 2,000 to create."),
        "{stdout}"
    );
    // Noise is gone: the code is the key, the scope is the catalog's.
    assert!(!stdout.contains("+ code ="), "{stdout}");
    assert!(!stdout.contains("billingctl_scope"), "{stdout}");
    let full = harness
        .command(&["plan", CAMPAIGN, "--full"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&full);
    assert!(
        stdout.contains("+ promotion_code PX-1999"),
        "{}",
        &stdout[..500]
    );
    assert!(stdout.lines().count() > 2_000);
}

#[test]
fn the_markdown_plan_of_2000_codes_fits_a_comment_and_names_the_account() {
    let harness = harness();
    for args in [
        &["plan", CAMPAIGN, "-o", "markdown"][..],
        &["plan", CAMPAIGN, "-o", "markdown", "--full"],
    ] {
        let output = harness.command(args).output().unwrap();
        let (stdout, _) = texts(&output);
        assert!(output.status.success(), "{}", transcript(&output));
        assert!(stdout.chars().count() < 65_536, "{} chars", stdout.len());
        assert!(
            stdout.contains("**Account** `http://127.0.0.1:"),
            "{}",
            &stdout[..400]
        );
        assert!(stdout.contains("**Environment** `test`"));
        assert!(stdout.contains("**Script** `scripts/catalog.rhai`"));
        // The summary table comes before the details.
        let table = stdout
            .find("| promotion_code | 2,000 | 0 | 0 | 0 |")
            .expect("summary");
        assert!(table < stdout.find("<details>").expect("details"));
    }
    // Listed in full, the comment says what it cut.
    let output = harness
        .command(&["plan", CAMPAIGN, "-o", "markdown", "--full"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains("more entries not shown"),
        "{}",
        &stdout[stdout.len() - 300..]
    );
}

#[test]
fn json_errors_carry_their_position_and_help() {
    let harness = Harness::applied(super::CATALOG);
    harness.write(
        CAMPAIGN,
        &super::CATALOG.replace("unit_amount: 900,", "unit_amount: 1000,"),
    );
    let output = harness
        .command(&["plan", CAMPAIGN, "-o", "json"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let error = &plan["errors"][0];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["position"]["file"], "scripts/catalog.rhai");
    assert_eq!(error["position"]["line"], 4);
    assert!(error["help"].as_str().unwrap().contains("--allow-replace"));
    assert_eq!(plan["format_version"], 2);
    assert_eq!(plan["environment"], "test");
}
