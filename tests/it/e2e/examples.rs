//! The project's own scripts and examples, applied to an empty account: each converges, so a
//! second plan is empty and writes nothing. This holds every normalisation the examples use
//! (multi-currency options, custom amounts, tiers, generated promotion codes, env overlays).

use crate::support::{texts, Harness};

fn converges(relative: &str, with: &[&str]) {
    let ctx = Harness::new();
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for file in std::iter::once(relative).chain(with.iter().copied()) {
        let text = std::fs::read_to_string(root.join(file)).expect("the script exists");
        ctx.write(file, &text);
    }
    let run = ctx
        .command(&[
            "run",
            relative,
            "--yes",
            "--max-rps",
            "500",
            "--endpoint-rps",
            "500",
        ])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&run);
    assert!(run.status.success(), "{relative}: {stdout}{stderr}");
    assert!(stdout.contains("Applied: "), "{stdout}");
    ctx.reset_stats();
    let plan = ctx
        .command(&["plan", relative, "--detailed-exitcode"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&plan);
    assert_eq!(plan.status.code(), Some(0), "{relative}: {stdout}{stderr}");
    assert!(stdout.contains("No changes."), "{stdout}");
    assert_eq!(ctx.posts(), 0);
}

#[test]
fn the_main_catalog_converges() {
    converges(
        "scripts/catalog.rhai",
        &["scripts/env/test.rhai", "scripts/env/live.rhai"],
    );
}

#[test]
fn the_multi_currency_example_converges() {
    converges("examples/multi_currency.rhai", &[]);
}

#[test]
fn the_tiered_example_converges() {
    converges("examples/tiered.rhai", &[]);
}

#[test]
fn the_usage_based_example_converges() {
    converges("examples/usage_based.rhai", &[]);
}

#[test]
fn the_entitlements_example_converges() {
    converges("examples/entitlements.rhai", &[]);
}

#[test]
fn the_launch_campaign_example_converges() {
    converges("examples/launch_campaign.rhai", &[]);
}

#[test]
fn the_black_friday_campaign_converges() {
    converges("scripts/campaigns/black_friday.rhai", &[]);
}

#[test]
fn the_checkout_rates_example_converges() {
    converges("examples/checkout_rates.rhai", &[]);
}
