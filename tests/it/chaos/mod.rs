//! Integration tests: applies that survive faults and interruptions (issue 5's "Must show").
//!
//! The `billingctl` binary applies a generated 1,000-object catalog against the in-process
//! emulator with its fault knobs turned up, or is killed at seeded random points of a large
//! apply and run again; either way the account must end equal to the script (a second plan
//! finds nothing to do and writes nothing) with no object created twice.

use std::collections::BTreeSet;
use std::process::Stdio;
use std::time::Duration;

use assert_cmd::Command;
use billingctl::emulator::EmulatorKnobs;
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

use crate::support::{succeeded, transcript, Harness};

/// Products, three prices each, one coupon each, and `codes` promotion codes.
struct Shape {
    products: usize,
    codes: usize,
}

impl Shape {
    fn prices(&self) -> usize {
        self.products * 3
    }

    fn objects(&self) -> usize {
        self.products + self.prices() + self.products + self.codes
    }

    fn script(&self) -> String {
        let (products, codes) = (self.products, self.codes);
        format!(
            r#"for p in 0..{products} {{
    product(`chaos_${{p}}`, #{{ name: `Chaos ${{p}}`, metadata: #{{ tier: `${{p}}` }} }});
    for (interval, i) in ["month", "year", "week"] {{
        price(`chaos_${{p}}_${{interval}}`, #{{ product: `chaos_${{p}}`, currency: "eur",
            unit_amount: 500 + p * 10 + i, recurring: #{{ interval: interval }} }});
    }}
    coupon(`chaos_off_${{p}}`, #{{ percent_off: (5 + p).to_float(), duration: "once" }});
}}
for i in 0..{codes} {{
    promotion_code(`CHAOS${{i}}`, #{{ coupon: `chaos_off_${{i % {products}}}` }});
}}
"#
        )
    }
}

/// Writes the shape's script into the project directory and returns its path.
fn write_script(harness: &Harness, shape: &Shape) -> String {
    let path = harness.write("chaos.rhai", &shape.script());
    path.to_str().unwrap().to_string()
}

/// Fast pacing for the writes of a large apply.
const FAST: [&str; 6] = [
    "--max-rps",
    "2000",
    "--endpoint-rps",
    "2000",
    "--concurrency",
    "32",
];

/// `billingctl SUBCOMMAND SCRIPT --api-base URL` with a test key and fast pacing.
fn billingctl(harness: &Harness, subcommand: &str, script: &str) -> Command {
    let mut cmd = harness.command(&[subcommand, script]);
    cmd.args(FAST);
    cmd
}

/// `billingctl run SCRIPT --yes` with fast pacing, which must succeed; its output.
fn apply(harness: &Harness, script: &str, what: &str) -> std::process::Output {
    let output = billingctl(harness, "run", script)
        .arg("--yes")
        .output()
        .unwrap();
    succeeded(&output, what);
    output
}

/// A second plan finds nothing to do and sends no write.
fn assert_converged(harness: &Harness, script: &str) {
    let posts = harness.posts();
    let output = billingctl(harness, "plan", script)
        .arg("--detailed-exitcode")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "the re-plan has changes or failed:\n{}",
        transcript(&output)
    );
    assert_eq!(harness.posts(), posts, "a plan sent a write");
}

/// Every object of the account, listed with a plain client, is there exactly once.
fn assert_no_duplicates(harness: &Harness, shape: &Shape) {
    let distinct = |objects: &[Value], field: &str| -> BTreeSet<String> {
        objects
            .iter()
            .map(|o| o[field].as_str().unwrap_or_default().to_string())
            .collect()
    };

    let products = harness.list_all("/v1/products");
    assert_eq!(products.len(), shape.products);
    assert_eq!(distinct(&products, "id").len(), shape.products);
    let prices = harness.list_all("/v1/prices");
    assert_eq!(prices.len(), shape.prices(), "a price was created twice");
    assert_eq!(distinct(&prices, "lookup_key").len(), shape.prices());
    let coupons = harness.list_all("/v1/coupons");
    assert_eq!(coupons.len(), shape.products);
    let codes = harness.list_all("/v1/promotion_codes");
    assert_eq!(
        codes.len(),
        shape.codes,
        "a promotion code was created twice"
    );
    assert_eq!(distinct(&codes, "code").len(), shape.codes);
}

#[test]
fn a_1000_object_apply_through_5xx_429_and_lost_answers_converges_without_duplicates() {
    let shape = Shape {
        products: 2,
        codes: 990,
    };
    assert_eq!(shape.objects(), 1_000);
    let harness = Harness::with_knobs(EmulatorKnobs {
        error_rate: 0.10,
        rate_limit_error_rate: 0.05,
        lost_rate: 0.05,
        seed: 20_261_124,
        ..EmulatorKnobs::default()
    });
    let script = write_script(&harness, &shape);

    let output = apply(&harness, &script, "the chaotic apply");
    // Faults were really injected: more writes arrived than objects were created.
    assert!(
        harness.posts() > shape.objects() as u64,
        "{:?}",
        harness.emulator.stats()
    );
    // ... and the run says so.
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("requests were retries ("), "{stderr}");
    assert_converged(&harness, &script);
    assert_no_duplicates(&harness, &shape);
}

#[test]
fn an_apply_killed_at_random_points_converges_on_the_next_run_without_duplicates() {
    let shape = Shape {
        products: 3,
        codes: 600,
    };
    let harness = Harness::with_knobs(EmulatorKnobs {
        latency_ms: 2,
        ..EmulatorKnobs::default()
    });
    let script = write_script(&harness, &shape);
    let mut rng = SmallRng::seed_from_u64(5);

    let mut interrupted = 0;
    for _ in 0..4 {
        // Kill once the emulator has seen a random number of further writes.
        let target = harness.posts() + rng.gen_range(20..120);
        let mut child = harness
            .std_command(&["run", &script, "--yes"])
            .args([
                "--max-rps",
                "300",
                "--endpoint-rps",
                "300",
                "--concurrency",
                "16",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while harness.posts() < target && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            interrupted += 1;
        }
        child.wait().unwrap();
    }
    assert!(interrupted >= 3, "only {interrupted} runs were cut short");
    assert!(
        harness.posts() < shape.objects() as u64,
        "the interrupted runs already did everything"
    );

    let _ = apply(&harness, &script, "the resumed apply");
    assert_converged(&harness, &script);
    assert_no_duplicates(&harness, &shape);
}
