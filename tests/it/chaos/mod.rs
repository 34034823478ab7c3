//! Integration tests: applies that survive faults and interruptions (issue 5's "Must show").
//!
//! The `billingctl` binary applies a generated 1,000-object catalog against the in-process
//! emulator with its fault knobs turned up, or is killed at seeded random points of a large
//! apply and run again; either way the account must end equal to the script (a second plan
//! finds nothing to do and writes nothing) with no object created twice.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command as StdCommand, Stdio};
use std::time::Duration;

use assert_cmd::Command;
use billingctl::cli::EmulatorKnobs;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};
use billingctl::stripe::{ApiKey, Client, ClientConfig};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

const KEY: &str = "sk_test_billingctl_chaos_00000000000";

fn emulator(knobs: EmulatorKnobs) -> EmulatorHandle {
    start(
        EmulatorOptions {
            knobs,
            state_file: None,
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap()
}

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

fn write_script(dir: &Path, shape: &Shape) -> String {
    let path = dir.join("chaos.rhai");
    std::fs::write(&path, shape.script()).unwrap();
    path.to_str().unwrap().to_string()
}

/// `billingctl SUBCOMMAND SCRIPT --api-base URL` with a test key and fast pacing.
fn billingctl(subcommand: &str, script: &str, handle: &EmulatorHandle) -> Command {
    let mut cmd = Command::cargo_bin("billingctl").unwrap();
    cmd.args([subcommand, script, "--api-base", &handle.base_url()])
        .args(["--max-rps", "2000", "--concurrency", "32"])
        .env("STRIPE_API_KEY", KEY)
        .env("NO_COLOR", "1")
        .env_remove("BILLINGCTL_API_BASE")
        .env_remove("STRIPE_API_KEY_TEST");
    cmd
}

/// A second plan finds nothing to do and sends no write.
fn assert_converged(script: &str, handle: &EmulatorHandle) {
    let posts = handle.stats().posts();
    let output = billingctl("plan", script, handle)
        .arg("--detailed-exitcode")
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "the re-plan has changes or failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(handle.stats().posts(), posts, "a plan sent a write");
}

/// Every object of the account, listed with a plain client, is there exactly once.
fn assert_no_duplicates(handle: &EmulatorHandle, shape: &Shape) {
    let mut config = ClientConfig::new(handle.base_url(), ApiKey::new(KEY.into()).unwrap());
    config.max_rps = 2_000;
    let client = Client::new(config).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let list = |path: &str| {
        runtime
            .block_on(client.list_all(path, &Map::new()))
            .unwrap()
    };
    let distinct = |objects: &[Value], field: &str| -> BTreeSet<String> {
        objects
            .iter()
            .map(|o| o[field].as_str().unwrap_or_default().to_string())
            .collect()
    };

    let products = list("/v1/products");
    assert_eq!(products.len(), shape.products);
    assert_eq!(distinct(&products, "id").len(), shape.products);
    let prices = list("/v1/prices");
    assert_eq!(prices.len(), shape.prices(), "a price was created twice");
    assert_eq!(distinct(&prices, "lookup_key").len(), shape.prices());
    let coupons = list("/v1/coupons");
    assert_eq!(coupons.len(), shape.products);
    let codes = list("/v1/promotion_codes");
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
    let handle = emulator(EmulatorKnobs {
        error_rate: 0.10,
        rate_limit_error_rate: 0.05,
        lost_rate: 0.05,
        seed: 20_261_124,
        ..EmulatorKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(dir.path(), &shape);

    let output = billingctl("run", &script, &handle)
        .arg("--yes")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the chaotic apply failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // Faults were really injected: more writes arrived than objects were created.
    assert!(
        handle.stats().posts() > shape.objects() as u64,
        "{:?}",
        handle.stats()
    );
    assert_converged(&script, &handle);
    assert_no_duplicates(&handle, &shape);
}

#[test]
fn an_apply_killed_at_random_points_converges_on_the_next_run_without_duplicates() {
    let shape = Shape {
        products: 3,
        codes: 600,
    };
    let handle = emulator(EmulatorKnobs {
        latency_ms: 2,
        ..EmulatorKnobs::default()
    });
    let dir = tempfile::tempdir().unwrap();
    let script = write_script(dir.path(), &shape);
    let bin = assert_cmd::cargo::cargo_bin("billingctl");
    let mut rng = SmallRng::seed_from_u64(5);

    let mut interrupted = 0;
    for _ in 0..4 {
        // Kill once the emulator has seen a random number of further writes.
        let target = handle.stats().posts() + rng.gen_range(20..120);
        let mut child = StdCommand::new(&bin)
            .args(["run", &script, "--yes", "--api-base", &handle.base_url()])
            .args(["--max-rps", "300", "--concurrency", "16"])
            .env("STRIPE_API_KEY", KEY)
            .env_remove("BILLINGCTL_API_BASE")
            .env_remove("STRIPE_API_KEY_TEST")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        while handle.stats().posts() < target && child.try_wait().unwrap().is_none() {
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
        handle.stats().posts() < shape.objects() as u64,
        "the interrupted runs already did everything"
    );

    let output = billingctl("run", &script, &handle)
        .arg("--yes")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "the resumed apply failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert_converged(&script, &handle);
    assert_no_duplicates(&handle, &shape);
}
