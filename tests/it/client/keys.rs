//! The key lookup and the key guard through the `billingctl` binary: which variable wins,
//! `.env` in the current directory, live/test mismatches refused before any request, and the
//! sandbox needing no key. No output ever contains a key.

use assert_cmd::Command;

use crate::support::{transcript, Harness};

const TEST_KEY: &str = "sk_test_51KeysTestSecret00000000000tk01";
const LIVE_KEY: &str = "sk_live_51KeysLiveSecret00000000000lk01";
const SCRIPT: &str = r#"product("keys_basic", #{ name: "Basic" });"#;

/// `billingctl ARGS` in the harness's project (holding catalog.rhai), with no key variable.
fn billingctl(harness: &Harness, args: &[&str]) -> Command {
    harness.write("catalog.rhai", SCRIPT);
    harness.offline(args)
}

/// `billingctl plan catalog.rhai EXTRA --api-base EMULATOR`, with no key variable.
fn plan(harness: &Harness, extra: &[&str]) -> Command {
    let mut cmd = billingctl(harness, &["plan", "catalog.rhai"]);
    cmd.args(extra)
        .args(["--api-base", &harness.emulator.base_url()]);
    cmd
}

fn assert_no_key(text: &str) {
    for secret in ["KeysTestSecret", "KeysLiveSecret"] {
        assert!(!text.contains(secret), "a key leaked:\n{text}");
    }
}

#[test]
fn a_live_key_for_a_test_environment_is_refused_before_any_request() {
    let harness = Harness::new();
    let output = plan(&harness, &[])
        .env("STRIPE_API_KEY", LIVE_KEY)
        .output()
        .unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("refusing to use a live-mode key (sk_live_…lk01, from STRIPE_API_KEY in the environment) for environment `test`"),
        "{text}"
    );
    assert_no_key(&text);
    assert_eq!(harness.emulator.stats().total, 0);
}

#[test]
fn a_test_key_for_a_live_environment_is_refused_before_any_request() {
    let harness = Harness::new();
    let output = plan(&harness, &["--env", "live"])
        .env("STRIPE_API_KEY_LIVE", TEST_KEY)
        .output()
        .unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("refusing to use a test-mode key (sk_test_…tk01, from STRIPE_API_KEY_LIVE in the environment) for environment `live`"),
        "{text}"
    );
    assert_no_key(&text);
    assert_eq!(harness.emulator.stats().total, 0);
}

#[test]
fn the_per_environment_variable_wins_over_stripe_api_key() {
    let harness = Harness::new();
    let output = plan(&harness, &[])
        .env("STRIPE_API_KEY", TEST_KEY)
        .env("STRIPE_API_KEY_TEST", LIVE_KEY)
        .output()
        .unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("from STRIPE_API_KEY_TEST in the environment"),
        "{text}"
    );
    assert_no_key(&text);
}

#[test]
fn a_dotenv_file_in_the_current_directory_supplies_the_key() {
    let harness = Harness::new();
    std::fs::write(harness.path(".env"), format!("STRIPE_API_KEY={TEST_KEY}\n")).unwrap();
    let output = plan(&harness, &[]).output().unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("(sk_test_…tk01)"), "{text}");
    assert_no_key(&text);
    assert!(
        harness.emulator.stats().total > 0,
        "the plan read the account"
    );
    assert_eq!(harness.emulator.stats().posts(), 0);
}

#[test]
fn a_variable_in_the_environment_beats_the_same_one_in_dotenv() {
    let harness = Harness::new();
    std::fs::write(harness.path(".env"), format!("STRIPE_API_KEY={LIVE_KEY}\n")).unwrap();
    let output = plan(&harness, &[])
        .env("STRIPE_API_KEY", TEST_KEY)
        .output()
        .unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("(sk_test_…tk01)"), "{text}");
    assert_no_key(&text);
}

#[test]
fn no_key_at_all_says_what_to_set() {
    let harness = Harness::new();
    let output = billingctl(
        &harness,
        &["plan", "catalog.rhai", "--api-base", "http://127.0.0.1:9"],
    )
    .output()
    .unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(
            "no Stripe API key for environment `test`: set STRIPE_API_KEY_TEST or STRIPE_API_KEY"
        ),
        "{text}"
    );
}

#[test]
fn the_sandbox_needs_no_key_and_ignores_a_live_one() {
    let harness = Harness::new();
    let output = billingctl(
        &harness,
        &["run", "catalog.rhai", "--sandbox=state.json", "--yes"],
    )
    .env("STRIPE_API_KEY", LIVE_KEY)
    .output()
    .unwrap();
    let text = transcript(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    assert!(text.contains("sandbox state.json"), "{text}");
    assert_no_key(&text);
    let state = std::fs::read_to_string(harness.path("state.json")).unwrap();
    assert!(state.contains("keys_basic"), "{state}");

    // The default path, created with its folder; the second run finds the product there.
    let mut outputs = Vec::new();
    for _ in 0..2 {
        let output = billingctl(&harness, &["run", "catalog.rhai", "--sandbox", "--yes"])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", transcript(&output));
        outputs.push(transcript(&output));
    }
    assert!(harness.path(".billingctl/sandbox.json").is_file());
    assert!(!outputs[0].contains("No changes"), "{}", outputs[0]);
    assert!(outputs[1].contains("No changes"), "{}", outputs[1]);
}
