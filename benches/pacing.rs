//! Pacing benchmarks (BENCHMARKS.md, "Pacing"): how close billingctl's default flags get to
//! the binding rate limit at 150 ms and 400 ms round trips, in test mode (25 req/s) and live
//! mode (100 req/s global, 25 per endpoint), beside a stripe-python thread-pool script; the
//! 1,001-object mixed catalog at live limits against its critical-path lower bound; and the
//! CPU of a no-op plan per object against `check`.
//!
//! `cargo bench --bench pacing -- [--runs 3] [--codes 1000] [--python PATH] [--sizes 1000,10000,50000]
//! [--only campaign,sdk,mixed,noop] [--scenarios test/150,test/400,live/150,live/400]
//! [--before PATH]`; `--scenarios` runs only those campaign and SDK scenarios; `--before`
//! measures another build of `billingctl` beside this one in the no-op part, run for run
//! against the same account. Every measurement starts its own in-process emulator
//! (latency and limits as knobs) and runs the release `billingctl` binary against it.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use billingctl::emulator::EmulatorKnobs;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};

const BIN: &str = env!("CARGO_BIN_EXE_billingctl");
const TEST_KEY: &str = "sk_test_billingctl_bench_0000000000";
/// Stripe's per-endpoint default (NOTES.md, "Rate limits").
const ENDPOINT_LIMIT: u32 = 25;

struct Options {
    runs: usize,
    codes: usize,
    python: Option<PathBuf>,
    sizes: Vec<usize>,
    only: Vec<String>,
    before: Option<PathBuf>,
    /// The campaign and SDK scenarios to run (`test/150`, `live/400`, …); all four if empty.
    scenarios: Vec<String>,
}

fn parse_options() -> Options {
    let mut options = Options {
        runs: 3,
        codes: 1_000,
        python: None,
        sizes: vec![1_000, 10_000, 50_000],
        only: vec![],
        before: None,
        scenarios: vec![],
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| panic!("{arg} needs a value"));
        match arg.as_str() {
            "--runs" => options.runs = value().parse().expect("--runs N"),
            "--codes" => options.codes = value().parse().expect("--codes N"),
            "--python" => options.python = Some(PathBuf::from(value())),
            "--sizes" => {
                options.sizes = value()
                    .split(',')
                    .map(|n| n.parse().expect("--sizes N,N"))
                    .collect()
            }
            "--only" => options.only = value().split(',').map(str::to_owned).collect(),
            "--before" => options.before = Some(PathBuf::from(value())),
            "--scenarios" => {
                options.scenarios = value().split(',').map(str::to_lowercase).collect()
            }
            _ => {}
        }
    }
    options
}

impl Options {
    fn wants(&self, part: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|p| p == part)
    }

    fn wants_scenario(&self, mode: Mode, latency_ms: u64) -> bool {
        let name = format!("{mode:?}/{latency_ms}").to_lowercase();
        self.scenarios.is_empty() || self.scenarios.contains(&name)
    }
}

/// Test mode (25 req/s over all) or live mode (100 over all, 25 per endpoint).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Mode {
    Test,
    Live,
}

impl Mode {
    fn global(self) -> u32 {
        match self {
            Mode::Test => 25,
            Mode::Live => 100,
        }
    }
    /// The emulator accepts test keys only, so live mode is a test key with the rate a live
    /// key gets by default (`--max-rps 100`); every other flag is the default.
    fn flags(self) -> &'static [&'static str] {
        match self {
            Mode::Test => &[],
            Mode::Live => &["--max-rps", "100"],
        }
    }
}

fn emulator(latency_ms: u64, mode: Option<Mode>) -> EmulatorHandle {
    let knobs = EmulatorKnobs {
        latency_ms,
        rate_limit: mode.map_or(0, Mode::global),
        endpoint_rate_limit: mode.map_or(0, |_| ENDPOINT_LIMIT),
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

/// One product, one price, one coupon and `codes` promotion codes.
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

/// A catalog of `n` objects: 2 % products, 6 % prices, 2 % coupons, the rest promotion codes
/// (the same shape as `benches/applies.rs`).
fn catalog_script(n: usize) -> (String, [(&'static str, usize); 4]) {
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
    coupon(`off_${{p}}`, #{{ percent_off: (1 + p % 90).to_float(), duration: "once" }});
}}
for i in 0..{codes} {{
    promotion_code(`CODE${{i}}`, #{{ coupon: `off_${{i % {coupons}}}` }});
}}
"#
    );
    (
        script,
        [
            ("product", products),
            ("price", prices),
            ("coupon", coupons),
            ("promotion_code", codes),
        ],
    )
}

struct Ran {
    ok: bool,
    seconds: f64,
    stderr: String,
    /// User + system CPU seconds (`children_cpu`) and peak RSS in KiB (from /usr/bin/time).
    cpu: f64,
    rss_kib: u64,
}

fn billingctl(args: &[&str], key: &str, api_base: Option<&str>, extra: &[&str]) -> Ran {
    billingctl_at(Path::new(BIN), args, key, api_base, extra)
}

/// `billingctl` with another build of the binary (`--before` in the no-op part).
fn billingctl_at(
    bin: &Path,
    args: &[&str],
    key: &str,
    api_base: Option<&str>,
    extra: &[&str],
) -> Ran {
    let times = tempfile::NamedTempFile::new().unwrap();
    let started = Instant::now();
    let cpu_before = children_cpu();
    let output = Command::new("/usr/bin/time")
        .args(["-f", "%U %S %M", "-o"])
        .arg(times.path())
        .arg(bin)
        .args(args)
        .args(
            api_base
                .map(|base| ["--api-base", base])
                .into_iter()
                .flatten(),
        )
        .args(extra)
        .env("STRIPE_API_KEY", key)
        .env_remove("BILLINGCTL_API_BASE")
        .env("NO_COLOR", "1")
        .output()
        .expect("billingctl runs");
    let cpu = children_cpu() - cpu_before;
    let seconds = started.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    if !output.status.success() && !args.contains(&"--detailed-exitcode") {
        eprintln!("billingctl {args:?} failed: {}\n{stderr}", output.status);
    }
    let measured = std::fs::read_to_string(times.path()).unwrap_or_default();
    let fields: Vec<&str> = measured
        .lines()
        .last()
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    let number = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    Ran {
        ok: output.status.success(),
        seconds,
        stderr,
        cpu,
        rss_kib: number(2) as u64,
    }
}

/// User + system CPU seconds of every child this process has waited for, to the
/// microsecond: `/usr/bin/time` prints them to the hundredth, too coarse for a 1,000-object
/// `check` (a run's delta is its `/usr/bin/time` and the billingctl that one waited for,
/// since runs follow one another).
fn children_cpu() -> f64 {
    use nix::sys::resource::{getrusage, UsageWho};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let seconds = |t: nix::sys::time::TimeVal| t.tv_sec() as f64 + t.tv_usec() as f64 / 1e6;
    seconds(usage.user_time()) + seconds(usage.system_time())
}

/// The 429 count from run's closing note ("… (N answered 429 rate_limit)"), 0 without one.
fn rate_limited(stderr: &str) -> u64 {
    stderr
        .split("answered 429")
        .next()
        .filter(|_| stderr.contains("answered 429"))
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
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

fn runs_text(values: &[f64], digits: usize) -> String {
    values
        .iter()
        .map(|v| format!("{v:.digits$}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One campaign run: the binding limit's share reached, the 429 share, failure.
struct CampaignRun {
    ratio: f64,
    seconds: f64,
    requests: u64,
    throttled: u64,
    ok: bool,
}

fn bench_campaign(dir: &Path, codes: usize, mode: Mode, latency_ms: u64) -> CampaignRun {
    let script = dir.join("campaign.rhai");
    std::fs::write(&script, campaign_script(codes)).unwrap();
    let handle = emulator(latency_ms, Some(mode));
    let base = handle.base_url();
    let script = script.to_str().unwrap();
    let ran = billingctl(
        &["run", script, "--yes"],
        TEST_KEY,
        Some(&base),
        mode.flags(),
    );
    let stats = handle.stats();
    // Through the binding limiter: every request in test mode (25 over all is the lowest
    // limit), the promotion-code creates in live mode (25 per endpoint under 100 over all).
    let (binding, limit) = match mode {
        Mode::Test => (stats.total, 25.0),
        Mode::Live => (
            stats
                .by_route
                .get("POST /v1/promotion_codes")
                .copied()
                .unwrap_or(0),
            f64::from(ENDPOINT_LIMIT),
        ),
    };
    let clean = billingctl(
        &["plan", script, "--detailed-exitcode"],
        TEST_KEY,
        Some(&base),
        mode.flags(),
    );
    handle.shutdown();
    CampaignRun {
        ratio: binding as f64 / ran.seconds / limit,
        seconds: ran.seconds,
        requests: stats.total,
        throttled: rate_limited(&ran.stderr),
        ok: ran.ok && clean.ok,
    }
}

fn bench_sdk(python: &Path, codes: usize, mode: Mode, latency_ms: u64) -> (f64, f64, u64) {
    let handle = emulator(latency_ms, Some(mode));
    let driver = Path::new(env!("CARGO_MANIFEST_DIR")).join("bench/stripe_sdk_campaign.py");
    let output = Command::new(python)
        .arg(driver)
        .args(["--api-base", &handle.base_url(), "--threads", "16"])
        .args(["--count", &codes.to_string()])
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let line = String::from_utf8_lossy(&output.stdout);
    let report: serde_json::Value = serde_json::from_str(line.trim()).expect("a JSON line");
    handle.shutdown();
    let seconds = report["seconds"].as_f64().unwrap();
    let created = report["created"].as_u64().unwrap();
    let ratio = created as f64 / seconds / f64::from(ENDPOINT_LIMIT);
    (ratio, seconds, report["failures"].as_u64().unwrap())
}

/// The mixed catalog's lower bound at live limits with round trip `rtt`: every endpoint's
/// writes at 25/s, starting once its first dependency exists (a price after a product, a
/// code after a coupon: one round trip), ending with a round trip; and all writes at 100/s.
fn critical_path(counts: &[(&str, usize); 4], rtt: f64) -> f64 {
    let per = f64::from(ENDPOINT_LIMIT);
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    let chain = counts
        .iter()
        .map(|(kind, n)| {
            let depth = match *kind {
                "price" | "promotion_code" => 1.0,
                _ => 0.0,
            };
            depth * rtt + (*n as f64 - 1.0) / per + rtt
        })
        .fold(0.0, f64::max);
    chain.max(total as f64 / 100.0)
}

fn bench_mixed(dir: &Path, latency_ms: u64) -> (f64, f64, u64, bool) {
    let (text, counts) = catalog_script(1_001);
    let script = dir.join("mixed.rhai");
    std::fs::write(&script, text).unwrap();
    let handle = emulator(latency_ms, Some(Mode::Live));
    let base = handle.base_url();
    let script = script.to_str().unwrap();
    let ran = billingctl(
        &["run", script, "--yes"],
        TEST_KEY,
        Some(&base),
        Mode::Live.flags(),
    );
    let clean = billingctl(
        &["plan", script, "--detailed-exitcode"],
        TEST_KEY,
        Some(&base),
        Mode::Live.flags(),
    );
    handle.shutdown();
    let bound = critical_path(&counts, latency_ms as f64 / 1000.0);
    (
        ran.seconds,
        bound,
        rate_limited(&ran.stderr),
        ran.ok && clean.ok,
    )
}

/// One binary's no-op `plan` and `check`: CPU seconds and peak RSS (KiB) of each.
#[derive(Clone, Copy)]
struct NoopRun {
    plan_cpu: f64,
    plan_rss: u64,
    check_cpu: f64,
    check_rss: u64,
}

/// A no-op `plan` and a `check` over an `n`-object catalog, `runs` times for each binary in
/// `bins`, interleaved run by run so that the machine's load falls on each alike. The
/// account is applied once and every binary plans against it.
fn bench_noop(dir: &Path, n: usize, runs: usize, bins: &[&Path]) -> Vec<Vec<NoopRun>> {
    let (text, _) = catalog_script(n);
    let script = dir.join(format!("noop_{n}.rhai"));
    std::fs::write(&script, text).unwrap();
    let script = script.to_str().unwrap();
    let handle = emulator(0, None);
    let base = handle.base_url();
    let fast = ["--max-rps", "5000", "--endpoint-rps", "5000"];
    let applied = billingctl(&["run", script, "--yes"], TEST_KEY, Some(&base), &fast);
    assert!(applied.ok, "the catalog applies");
    let mut results = vec![Vec::new(); bins.len()];
    for _ in 0..runs {
        for (bin, results) in bins.iter().zip(&mut results) {
            let plan_args = ["plan", script, "--detailed-exitcode"];
            let plan = billingctl_at(bin, &plan_args, TEST_KEY, Some(&base), &fast);
            assert!(plan.ok, "the no-op plan has no changes: {}", plan.stderr);
            let check = billingctl_at(bin, &["check", script], TEST_KEY, None, &[]);
            assert!(check.ok, "check passes");
            results.push(NoopRun {
                plan_cpu: plan.cpu,
                plan_rss: plan.rss_kib,
                check_cpu: check.cpu,
                check_rss: check.rss_kib,
            });
        }
    }
    handle.shutdown();
    results
}

/// One table row of a binary's no-op runs over `n` objects.
fn noop_row(label: &str, n: usize, runs: &[NoopRun]) -> String {
    let per = |v: f64| v * 1e6 / n as f64;
    let plan: Vec<f64> = runs.iter().map(|r| per(r.plan_cpu)).collect();
    let check: Vec<f64> = runs.iter().map(|r| per(r.check_cpu)).collect();
    let plan_rss = median(runs.iter().map(|r| r.plan_rss as f64).collect());
    let check_rss = median(runs.iter().map(|r| r.check_rss as f64).collect());
    format!(
        "| {n} | {label} | **{:.1}** ({}) | {:.1} ({}) | {:.2} | {:.0} MiB ({:.1} KiB/object) | {:.0} MiB |",
        median(plan.clone()),
        runs_text(&plan, 1),
        median(check.clone()),
        runs_text(&check, 1),
        median(plan) / median(check),
        plan_rss / 1024.0,
        plan_rss / n as f64,
        check_rss / 1024.0
    )
}

fn main() {
    let options = parse_options();
    let dir = tempfile::tempdir().unwrap();
    let runs = options.runs;
    println!(
        "billingctl pacing benchmarks: {runs} run(s), {} codes per campaign",
        options.codes
    );
    let scenarios: Vec<(Mode, u64)> = [
        (Mode::Test, 150),
        (Mode::Test, 400),
        (Mode::Live, 150),
        (Mode::Live, 400),
    ]
    .into_iter()
    .filter(|&(mode, latency)| options.wants_scenario(mode, latency))
    .collect();
    if options.wants("campaign") {
        println!("\n| campaign | binding limit reached (median) | runs | 429s / requests | wall s | failed runs |");
        println!("| --- | --- | --- | --- | --- | --- |");
        for &(mode, latency) in &scenarios {
            let results: Vec<CampaignRun> = (0..runs)
                .map(|_| bench_campaign(dir.path(), options.codes, mode, latency))
                .collect();
            let ratios: Vec<f64> = results.iter().map(|r| r.ratio).collect();
            let throttled: Vec<String> = results
                .iter()
                .map(|r| format!("{}/{}", r.throttled, r.requests))
                .collect();
            let seconds: Vec<f64> = results.iter().map(|r| r.seconds).collect();
            let failed = results.iter().filter(|r| !r.ok).count();
            println!(
                "| billingctl, {mode:?} mode, {latency} ms | **{:.3}** | {} | {} | {} | {failed} |",
                median(ratios.clone()),
                runs_text(&ratios, 3),
                throttled.join(", "),
                runs_text(&seconds, 1),
            );
        }
    }
    if options.wants("sdk") {
        if let Some(python) = &options.python {
            println!("\n| stripe-python, 16 threads | codes/s ÷ 25 (median) | runs | failures | create-loop s |");
            println!("| --- | --- | --- | --- | --- |");
            for &(mode, latency) in &scenarios {
                let results: Vec<(f64, f64, u64)> = (0..runs)
                    .map(|_| bench_sdk(python, options.codes, mode, latency))
                    .collect();
                let ratios: Vec<f64> = results.iter().map(|r| r.0).collect();
                let seconds: Vec<f64> = results.iter().map(|r| r.1).collect();
                let failures: Vec<String> = results.iter().map(|r| r.2.to_string()).collect();
                println!(
                    "| SDK, {mode:?} mode, {latency} ms | {:.3} | {} | {} | {} |",
                    median(ratios.clone()),
                    runs_text(&ratios, 3),
                    failures.join(", "),
                    runs_text(&seconds, 1)
                );
            }
        }
    }
    if options.wants("mixed") {
        let latency = 150;
        let results: Vec<(f64, f64, u64, bool)> = (0..runs)
            .map(|_| bench_mixed(dir.path(), latency))
            .collect();
        let seconds: Vec<f64> = results.iter().map(|r| r.0).collect();
        let bound = results[0].1;
        println!("\n| mixed catalog, 1,001 objects, live limits, {latency} ms | median | runs |");
        println!("| --- | --- | --- |");
        println!(
            "| `run` wall time (whole process) | {:.1} s | {} |",
            median(seconds.clone()),
            runs_text(&seconds, 1)
        );
        println!("| critical-path lower bound | {bound:.1} s | |");
        println!(
            "| ratio | **{:.3}** | 429s: {:?}; all clean: {} |",
            median(seconds) / bound,
            results.iter().map(|r| r.2).collect::<Vec<_>>(),
            results.iter().all(|r| r.3)
        );
    }
    if options.wants("noop") {
        println!("\n| objects | binary | no-op plan CPU µs/object (median) | check CPU µs/object | plan ÷ check | plan peak RSS | check peak RSS |");
        println!("| --- | --- | --- | --- | --- | --- | --- |");
        let mut bins = vec![("this build", Path::new(BIN))];
        if let Some(before) = &options.before {
            bins.insert(0, ("before", before.as_path()));
        }
        let paths: Vec<&Path> = bins.iter().map(|(_, bin)| *bin).collect();
        for &n in &options.sizes {
            let results = bench_noop(dir.path(), n, runs, &paths);
            for ((label, _), runs) in bins.iter().zip(&results) {
                println!("{}", noop_row(label, n, runs));
            }
        }
    }
}
