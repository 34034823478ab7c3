//! Emulator throughput: simple creates per second with concurrent keep-alive clients, the
//! same with a state file (write-ahead log, fsynced before each answer), paging through a
//! 10,000-object list, and filtered lookups (`code=`) among 10,000 promotion codes.
//! Prints the median of several runs. Run: `cargo bench --bench emulator` (release).
//!
//! Not a test: nothing here asserts a speed. It checks that what it measured is right (every
//! create answered 200, the list pages cover every object exactly once, newest first).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};

const RUNS: usize = 3;
const CONCURRENCY: usize = 16;
const KEY: &str = "sk_test_benchmark";

fn main() {
    // `EMULATOR_BENCH_QUICK=1`: a tenth of the work, to check the harness itself.
    let scale = if std::env::var_os("EMULATOR_BENCH_QUICK").is_some() {
        10
    } else {
        1
    };
    let (creates_n, listed_n) = (20_000 / scale, 10_000 / scale);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let mut creates = Vec::new();
    let mut creates_with_state = Vec::new();
    let mut listing = Vec::new();
    let mut lookups = Vec::new();
    for run in 1..=RUNS {
        let emulator = launch(EmulatorOptions::default());
        let rate = runtime.block_on(create_products(&emulator, creates_n, "bench"));
        eprintln!("run {run}: {rate:.0} creates/s (in memory)");
        creates.push(rate);
        drop(emulator);

        let dir = tempfile::tempdir().expect("a temp dir");
        let emulator = launch(EmulatorOptions {
            state_file: Some(dir.path().join("state.json")),
            ..EmulatorOptions::default()
        });
        let rate = runtime.block_on(create_products(&emulator, listed_n, "state"));
        let flush = Instant::now();
        emulator.shutdown();
        eprintln!(
            "run {run}: {rate:.0} creates/s (with --state), final flush {:?}",
            flush.elapsed()
        );
        creates_with_state.push(rate);

        let emulator = launch(EmulatorOptions::default());
        runtime.block_on(create_products(&emulator, listed_n, "list"));
        let elapsed = runtime.block_on(page_through(&emulator, listed_n));
        eprintln!("run {run}: listed {listed_n} objects in {elapsed:?}");
        listing.push(elapsed.as_secs_f64());
        drop(emulator);

        let emulator = launch(EmulatorOptions::default());
        let rate = runtime.block_on(look_up_codes(&emulator, listed_n, listed_n / 5));
        eprintln!("run {run}: {rate:.0} code lookups/s among {listed_n} promotion codes");
        lookups.push(rate);
    }
    println!(
        "emulator benchmark (median of {RUNS} runs, {CONCURRENCY} concurrent keep-alive clients)"
    );
    println!(
        "  simple creates (POST /v1/products), in memory: {:>8.0} creates/s over {creates_n}",
        median(&mut creates)
    );
    println!(
        "  simple creates with --state (write-ahead log): {:>8.0} creates/s over {listed_n}",
        median(&mut creates_with_state)
    );
    println!(
        "  page through {listed_n} products, limit=100:     {:>8.1} ms ({} pages)",
        median(&mut listing) * 1000.0,
        listed_n / 100
    );
    println!(
        "  GET /v1/promotion_codes?code=X among {listed_n}: {:>6.0} lookups/s",
        median(&mut lookups)
    );
}

/// Creates `count` promotion codes, then looks `lookups` of them up by code (in another case)
/// from `CONCURRENCY` tasks; lookups/s.
async fn look_up_codes(emulator: &EmulatorHandle, count: usize, lookups: usize) -> f64 {
    let client = reqwest::Client::new();
    let base = emulator.base_url();
    let coupon = client
        .post(format!("{base}/v1/coupons"))
        .bearer_auth(KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body("id=bench&percent_off=10")
        .send()
        .await
        .expect("an answer");
    assert_eq!(coupon.status(), 200);
    run_concurrently(count, |i| {
        let request = client
            .post(format!("{base}/v1/promotion_codes"))
            .bearer_auth(KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(format!(
                "promotion[type]=coupon&promotion[coupon]=bench&code=CODE{i}"
            ));
        async move {
            let response = request.send().await.expect("an answer");
            assert_eq!(response.status(), 200);
            response.bytes().await.expect("a body");
        }
    })
    .await;
    let started = Instant::now();
    run_concurrently(lookups, |i| {
        let request = client
            .get(format!(
                "{base}/v1/promotion_codes?code=code{}",
                i * (count / lookups)
            ))
            .bearer_auth(KEY);
        async move {
            let text = request
                .send()
                .await
                .expect("an answer")
                .text()
                .await
                .expect("a body");
            let page: serde_json::Value = serde_json::from_str(&text).expect("JSON");
            assert_eq!(page["data"].as_array().map(Vec::len), Some(1), "{text}");
        }
    })
    .await;
    lookups as f64 / started.elapsed().as_secs_f64()
}

/// Runs `count` jobs from `CONCURRENCY` tasks at a time.
async fn run_concurrently<F, Fut>(count: usize, job: F)
where
    F: Fn(usize) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    let mut next = 0;
    let mut running = tokio::task::JoinSet::new();
    while next < count || !running.is_empty() {
        while next < count && running.len() < CONCURRENCY {
            running.spawn(job(next));
            next += 1;
        }
        if let Some(done) = running.join_next().await {
            done.expect("a job");
        }
    }
}

fn launch(options: EmulatorOptions) -> EmulatorHandle {
    let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
    start(options, addr).expect("the emulator starts")
}

/// `count` creates from `CONCURRENCY` tasks sharing one keep-alive client; creates/s.
async fn create_products(emulator: &EmulatorHandle, count: usize, prefix: &str) -> f64 {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .expect("a client");
    let url = Arc::new(format!("{}/v1/products", emulator.base_url()));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..CONCURRENCY {
        let (client, url, prefix) = (client.clone(), url.clone(), prefix.to_owned());
        tasks.push(tokio::spawn(async move {
            let mut i = worker;
            while i < count {
                let response = client
                    .post(url.as_str())
                    .bearer_auth(KEY)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(format!("name={prefix}+{i}&metadata[n]={i}"))
                    .send()
                    .await
                    .expect("an answer");
                assert_eq!(response.status(), 200);
                response.bytes().await.expect("a body");
                i += CONCURRENCY;
            }
        }));
    }
    for task in tasks {
        task.await.expect("a worker");
    }
    count as f64 / started.elapsed().as_secs_f64()
}

/// Pages through the whole list with `limit=100` and checks it saw every object once.
async fn page_through(emulator: &EmulatorHandle, expected: usize) -> Duration {
    let client = reqwest::Client::new();
    let started = Instant::now();
    let mut seen = Vec::with_capacity(expected);
    let mut after: Option<String> = None;
    loop {
        let mut url = format!("{}/v1/products?limit=100", emulator.base_url());
        if let Some(after) = &after {
            url.push_str(&format!("&starting_after={after}"));
        }
        let text = client
            .get(url)
            .bearer_auth(KEY)
            .send()
            .await
            .expect("an answer")
            .text()
            .await
            .expect("a body");
        let page: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        let data = page["data"].as_array().expect("a page");
        seen.extend(
            data.iter()
                .map(|p| p["metadata"]["n"].as_str().unwrap_or("").to_owned()),
        );
        after = data
            .last()
            .and_then(|p| p["id"].as_str())
            .map(str::to_owned);
        if page["has_more"] != true {
            break;
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(seen.len(), expected, "every object listed once");
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), expected, "no object listed twice");
    elapsed
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}
