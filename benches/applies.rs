//! Apply benchmarks (BENCHMARKS.md, "Applies"): how close a campaign gets to Stripe's rate
//! limit, how many requests a no-op plan costs, and how a sequential SDK script compares.
//!
//! Run with `bench/applies.sh` (which also installs the `stripe` Python SDK in a throwaway
//! virtualenv for the baseline), or directly:
//! `cargo bench --bench applies -- [--runs 3] [--codes 2000] [--python PATH]`.
//! Each measurement starts its own in-process emulator and runs the release `billingctl`
//! binary against it, the way a user would.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use billingctl::emulator::EmulatorKnobs;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};

const BIN: &str = env!("CARGO_BIN_EXE_billingctl");
const KEY: &str = "sk_test_billingctl_bench_0000000000";
/// Stripe's test-mode limit, enforced by the emulator and used by billingctl by default.
const LIMIT: u32 = 25;
const LATENCY_MS: u64 = 150;

struct Options {
    runs: usize,
    codes: usize,
    catalog: usize,
    python: Option<PathBuf>,
}

fn parse_options() -> Options {
    let mut options = Options {
        runs: 3,
        codes: 2_000,
        catalog: 1_000,
        python: None,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => options.runs = value().parse().expect("--runs N"),
            "--codes" => options.codes = value().parse().expect("--codes N"),
            "--catalog" => options.catalog = value().parse().expect("--catalog N"),
            "--python" => options.python = Some(PathBuf::from(value())),
            // `cargo bench` passes `--bench`; anything else is not ours either.
            _ => {}
        }
    }
    options
}

fn emulator(latency_ms: u64, rate_limit: u32) -> EmulatorHandle {
    let knobs = EmulatorKnobs {
        latency_ms,
        rate_limit,
        ..EmulatorKnobs::default()
    };
    start(
        EmulatorOptions {
            knobs,
            ..EmulatorOptions::default()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .expect("the emulator starts")
}

/// A campaign: one product, one price, one coupon and `codes` promotion codes.
fn campaign_script(codes: usize) -> String {
    format!(
        r#"product("bench_pro", #{{ name: "Pro" }});
price("bench_pro_monthly", #{{ product: "bench_pro", currency: "eur", unit_amount: 1900, recurring: #{{ interval: "month" }} }});
coupon("bench_20", #{{ percent_off: 20.0, duration: "once" }});
for i in 0..{codes} {{
    promotion_code(`BENCH${{i}}`, #{{ coupon: "bench_20" }});
}}
"#
    )
}

/// A catalog of `n` objects: 2 % products, 6 % prices, 2 % coupons, the rest promotion codes.
fn catalog_script(n: usize) -> (String, Vec<(&'static str, usize)>) {
    let products = (n / 50).max(1);
    let prices = products * 3;
    let coupons = products;
    let codes = n - products - prices - coupons;
    let script = format!(
        r#"for p in 0..{products} {{
    product(`prod_${{p}}`, #{{ name: `Product ${{p}}` }});
    for (interval, i) in ["month", "year", "week"] {{
        price(`prod_${{p}}_${{interval}}`, #{{ product: `prod_${{p}}`, currency: "eur", unit_amount: 100 + p * 10 + i, recurring: #{{ interval: interval }} }});
    }}
    coupon(`off_${{p}}`, #{{ percent_off: (10 + p).to_float(), duration: "once" }});
}}
for i in 0..{codes} {{
    promotion_code(`CODE${{i}}`, #{{ coupon: `off_${{i % {coupons}}}` }});
}}
"#
    );
    let counts = vec![
        ("product", products),
        ("price", prices),
        ("coupon", coupons),
        ("promotion_code", codes),
    ];
    (script, counts)
}

fn billingctl(args: &[&str], api_base: &str, extra: &[&str]) -> (bool, f64) {
    let started = Instant::now();
    let output = Command::new(BIN)
        .args(args)
        .args(["--api-base", api_base])
        .args(extra)
        .env("STRIPE_API_KEY", KEY)
        .env_remove("BILLINGCTL_API_BASE")
        .env("NO_COLOR", "1")
        .output()
        .expect("billingctl runs");
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        eprintln!(
            "billingctl {args:?} failed: {}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    (output.status.success(), seconds)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let mid = values.len() / 2;
    if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2.0
    }
}

struct Campaign {
    requests: u64,
    seconds: f64,
    ok: bool,
}

fn bench_campaign(dir: &Path, codes: usize) -> Campaign {
    let script = dir.join("campaign.rhai");
    std::fs::write(&script, campaign_script(codes)).unwrap();
    let handle = emulator(LATENCY_MS, LIMIT);
    let base = handle.base_url();
    let (ran, seconds) = billingctl(&["run", script.to_str().unwrap(), "--yes"], &base, &[]);
    let requests = handle.stats().total;
    // Not timed: the account must now equal the script.
    let (clean, _) = billingctl(
        &["plan", script.to_str().unwrap(), "--detailed-exitcode"],
        &base,
        &["--max-rps", "1000"],
    );
    handle.shutdown();
    Campaign {
        requests,
        seconds,
        ok: ran && clean,
    }
}

fn bench_noop_plan(dir: &Path, n: usize) -> (u64, u64) {
    let (script_text, counts) = catalog_script(n);
    let script = dir.join("catalog.rhai");
    std::fs::write(&script, script_text).unwrap();
    let handle = emulator(0, 0);
    let base = handle.base_url();
    let fast = ["--max-rps", "2000", "--concurrency", "32"];
    let (applied, _) = billingctl(&["run", script.to_str().unwrap(), "--yes"], &base, &fast);
    assert!(applied, "the catalog applies");
    let before = handle.stats();
    let (clean, _) = billingctl(
        &["plan", script.to_str().unwrap(), "--detailed-exitcode"],
        &base,
        &fast,
    );
    assert!(clean, "the no-op plan has no changes");
    let after = handle.stats();
    assert_eq!(after.posts(), before.posts(), "a plan never writes");
    handle.shutdown();
    let pages: u64 = counts.iter().map(|(_, n)| n.div_ceil(100) as u64).sum();
    (after.total - before.total, pages)
}

fn bench_sdk(python: &Path, codes: usize) -> (f64, u64, u64) {
    let handle = emulator(LATENCY_MS, LIMIT);
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/stripe_sdk_campaign.py");
    let output = Command::new(python)
        .arg(driver)
        .args([
            "--api-base",
            &handle.base_url(),
            "--count",
            &codes.to_string(),
        ])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(line.trim()).expect("a JSON line");
    let requests = handle.stats().total;
    handle.shutdown();
    (
        report["seconds"].as_f64().unwrap(),
        report["failures"].as_u64().unwrap(),
        requests,
    )
}

fn main() {
    let options = parse_options();
    let dir = tempfile::tempdir().unwrap();
    println!(
        "billingctl apply benchmarks: {} run(s), {} codes, emulator latency {LATENCY_MS} ms, limit {LIMIT} req/s",
        options.runs, options.codes
    );

    // The SDK baseline is latency-bound (one request at a time) and takes minutes per run,
    // so its runs go in parallel threads, each against its own emulator.
    let sdk_runs = options.python.clone().map(|python| {
        let codes = options.codes;
        (0..options.runs)
            .map(|_| {
                let python = python.clone();
                std::thread::spawn(move || bench_sdk(&python, codes))
            })
            .collect::<Vec<_>>()
    });

    let mut ratios = Vec::new();
    let mut seconds = Vec::new();
    let mut failures = 0;
    for run in 1..=options.runs {
        let result = bench_campaign(dir.path(), options.codes);
        let rps = result.requests as f64 / result.seconds;
        println!(
            "campaign run {run}: {} requests in {:.1} s = {:.2} req/s = {:.3} of the limit{}",
            result.requests,
            result.seconds,
            rps,
            rps / f64::from(LIMIT),
            if result.ok { "" } else { " FAILED" }
        );
        failures += usize::from(!result.ok);
        ratios.push(rps / f64::from(LIMIT));
        seconds.push(result.seconds);
    }

    let mut noop = Vec::new();
    let mut pages = 0;
    for run in 1..=options.runs {
        let (requests, minimum) = bench_noop_plan(dir.path(), options.catalog);
        println!(
            "no-op plan run {run}: {requests} requests for {} objects (sum of ceil(n/100) per kind: {minimum})",
            options.catalog
        );
        noop.push(requests as f64);
        pages = minimum;
    }

    println!();
    println!("| benchmark | median of {} runs |", options.runs);
    println!("| --- | --- |");
    println!(
        "| {}-code campaign, {LATENCY_MS} ms latency, {LIMIT} req/s limit: wall time | {:.1} s |",
        options.codes,
        median(seconds.clone())
    );
    println!(
        "| … achieved req/s ÷ limit | {:.3} (failed runs: {failures}) |",
        median(ratios)
    );
    println!(
        "| no-op plan of a {}-object catalog: requests | {} (Σ ceil(n/100) = {pages}) |",
        options.catalog,
        median(noop)
    );
    if let Some(threads) = sdk_runs {
        let results: Vec<(f64, u64, u64)> =
            threads.into_iter().map(|t| t.join().unwrap()).collect();
        for (i, (secs, failed, requests)) in results.iter().enumerate() {
            println!(
                "| SDK run {}: {} codes one after another | {secs:.1} s, {requests} requests, {failed} failures |",
                i + 1,
                options.codes
            );
        }
        let sdk = median(results.iter().map(|r| r.0).collect());
        let ours = median(seconds);
        println!(
            "| official `stripe` Python SDK, sequential: wall time | {sdk:.1} s ({:.1}× billingctl's {ours:.1} s) |",
            sdk / ours
        );
    }
}
