//! Connect from the client's side: a client for a connected account sends `Stripe-Account`
//! on every request (retries included) and paces on its own, and a `SharedLimit` bounds the
//! requests of several such clients together.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::response::Response;
use axum::Router;
use billingctl::emulator::EmulatorKnobs;
use billingctl::stripe::pacing::SharedLimit;
use billingctl::stripe::{ApiKey, Client, ClientConfig, Error};
use serde_json::{json, Map};

use super::scripted::{client, fast_retry, Canned, Scripted, KEY};
use crate::support::{form, start_emulator, TEST_KEY};

#[tokio::test]
async fn every_request_of_an_accounts_client_carries_stripe_account_retries_included() {
    let server = Scripted::start(
        vec![
            Canned::error(503, "api_error", "try later"),
            Canned::error(409, "invalid_request_error", "concurrent request"),
            Canned::ok(json!({"id": "prod_1"})),
            Canned::error(500, "api_error", "again"),
            Canned::ok(json!({"object": "list", "data": [], "has_more": false})),
            Canned::ok(json!({"id": "prod_platform"})),
        ],
        None,
    )
    .await;
    let platform = client(&server.base_url, fast_retry(5));
    let connected = platform.for_account("acct_1Connected000000", None).unwrap();
    connected
        .post("/v1/products", &form(json!({"name": "Basic"})))
        .await
        .unwrap();
    connected
        .list_all("/v1/products", &Map::new())
        .await
        .unwrap();
    platform
        .post("/v1/products", &form(json!({"name": "Ours"})))
        .await
        .unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 6);
    for request in &seen[..5] {
        assert_eq!(
            request.header("stripe-account"),
            Some("acct_1Connected000000"),
            "{} {}",
            request.method,
            request.path
        );
        // The platform's key: a connected account is reached with it.
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
    }
    // The retries of one write kept its key.
    let keys: Vec<_> = seen[..3]
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_owned())
        .collect();
    assert!(keys.iter().all(|k| *k == keys[0]), "{keys:?}");
    assert_eq!(
        seen[5].header("stripe-account"),
        None,
        "the platform's own request"
    );
    assert_eq!(connected.stats().requests, 5);
    assert_eq!(connected.stats().retries, 3);
    assert_eq!(platform.stats().requests, 1, "counters are per client");
}

#[tokio::test]
async fn each_accounts_client_paces_on_its_own() {
    let server = Scripted::start(
        vec![Canned::error(
            429,
            "invalid_request_error",
            "Too many requests",
        )],
        Some(Canned::ok(json!({"id": "promo_1"}))),
    )
    .await;
    let platform = client(&server.base_url, fast_retry(3));
    let a = platform.for_account("acct_a", None).unwrap();
    let b = platform.for_account("acct_b", None).unwrap();
    a.post("/v1/promotion_codes", &Map::new())
        .await
        .expect("retried after the 429");
    // A's 429 slowed A's endpoint only: B and the platform keep their rates.
    let slowed = a.rate("POST", "/v1/promotion_codes");
    assert!(slowed < 25.0, "{slowed}");
    assert_eq!(b.rate("POST", "/v1/promotion_codes"), 25.0);
    assert_eq!(platform.rate("POST", "/v1/promotion_codes"), 25.0);
    assert_eq!(a.stats().rate_limited, 1);
    assert_eq!(b.stats().rate_limited, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_accounts_client_writes_into_its_account_on_the_emulator() {
    let emulator = start_emulator(EmulatorKnobs::default());
    let mut config = ClientConfig::new(emulator.base_url(), ApiKey::new(TEST_KEY.into()).unwrap());
    config.max_rps = 2_000;
    config.endpoint_rps = 2_000;
    let platform = Client::new(config).unwrap();
    let account = platform
        .post("/v1/accounts", &form(json!({"type": "standard"})))
        .await
        .unwrap();
    let id = account["id"].as_str().unwrap();
    let connected = platform.for_account(id, None).unwrap();
    for i in 0..120 {
        connected
            .post("/v1/products", &form(json!({"name": format!("p{i}")})))
            .await
            .unwrap();
    }
    let theirs = connected
        .list_all("/v1/products", &Map::new())
        .await
        .unwrap();
    assert_eq!(theirs.len(), 120, "two pages, within the account");
    assert!(platform
        .list_all("/v1/products", &Map::new())
        .await
        .unwrap()
        .is_empty());
    assert_eq!(emulator.account_stats(id).writes(), 120);
    assert_eq!(
        emulator.platform_stats().writes(),
        1,
        "the account's creation"
    );

    // An account the platform does not hold: Stripe's 403, not retried.
    let stranger = platform.for_account("acct_0000000000000000", None).unwrap();
    let err = stranger.get("/v1/products", &Map::new()).await.unwrap_err();
    let Error::Api { error, attempts } = err else {
        panic!("an API error: {err}");
    };
    assert_eq!((error.status, attempts), (403, 1));
    assert_eq!(error.code.as_deref(), Some("account_invalid"));
    assert!(
        !error.message.contains("e2e0000"),
        "the key is masked: {}",
        error.message
    );
}

/// A server that answers every request after `delay`, counting how many it holds at once.
struct Counting {
    base_url: String,
    peak: Arc<AtomicUsize>,
    starts: Arc<Mutex<Vec<Instant>>>,
}

#[derive(Clone)]
struct Load {
    delay: Duration,
    in_flight: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    starts: Arc<Mutex<Vec<Instant>>>,
}

impl Counting {
    async fn start(delay: Duration) -> Counting {
        let load = Load {
            delay,
            in_flight: Arc::default(),
            peak: Arc::default(),
            starts: Arc::default(),
        };
        let (peak, starts) = (load.peak.clone(), load.starts.clone());
        let app = Router::new().fallback(held).with_state(load);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Counting {
            base_url,
            peak,
            starts,
        }
    }
}

async fn held(State(load): State<Load>, _request: Request) -> Response {
    load.starts.lock().unwrap().push(Instant::now());
    let now = load.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    load.peak.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(load.delay).await;
    load.in_flight.fetch_sub(1, Ordering::SeqCst);
    Response::builder()
        .header("content-type", "application/json")
        .body(axum::body::Body::from(r#"{"id": "obj_1"}"#))
        .unwrap()
}

/// `per_client` GETs at once from each of `clients`, all awaited.
async fn burst(clients: &[Client], per_client: usize) {
    let tasks: Vec<_> = clients
        .iter()
        .flat_map(|client| {
            (0..per_client).map(move |i| {
                let client = client.clone();
                tokio::spawn(async move {
                    client
                        .get(&format!("/v1/products/p{i}"), &Map::new())
                        .await
                        .unwrap()
                })
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
}

/// A platform client with fast limits of its own, so that only a shared cap can bind.
fn fast_platform(base_url: &str) -> Client {
    let mut config = ClientConfig::new(base_url, ApiKey::new(KEY.into()).unwrap());
    config.max_rps = 5_000;
    config.endpoint_rps = 5_000;
    config.concurrency = 64;
    config.retry = fast_retry(1);
    Client::new(config).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_limit_bounds_requests_in_flight_across_accounts() {
    let server = Counting::start(Duration::from_millis(40)).await;
    let platform = fast_platform(&server.base_url);
    let accounts = |shared: Option<&SharedLimit>| -> Vec<Client> {
        ["acct_a", "acct_b", "acct_c"]
            .iter()
            .map(|id| platform.for_account(id, shared).unwrap())
            .collect()
    };
    // Unshared, three accounts' clients together put more than three in flight...
    burst(&accounts(None), 6).await;
    assert!(
        server.peak.load(Ordering::SeqCst) > 3,
        "{} in flight without a shared cap",
        server.peak.load(Ordering::SeqCst)
    );
    // ...and sharing a cap of three, never more than three.
    server.peak.store(0, Ordering::SeqCst);
    let shared = SharedLimit::new(None, Some(3));
    let clients = accounts(Some(&shared));
    burst(&clients, 6).await;
    assert_eq!(
        server.peak.load(Ordering::SeqCst),
        3,
        "the cap, and reached"
    );
    assert_eq!(shared.peak_in_flight(), 3);
    assert_eq!(shared.in_flight(), 0);
    for client in &clients {
        assert_eq!(client.stats().requests, 6, "each account's own counters");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_shared_limit_bounds_the_rate_across_accounts() {
    let server = Counting::start(Duration::ZERO).await;
    let platform = fast_platform(&server.base_url);
    let shared = SharedLimit::new(Some(40), None);
    let clients: Vec<Client> = ["acct_a", "acct_b"]
        .iter()
        .map(|id| platform.for_account(id, Some(&shared)).unwrap())
        .collect();
    let started = Instant::now();
    burst(&clients, 11).await;
    // 22 starts at 40/s over both accounts take more than half a second; each account's own
    // pacing (5,000/s) would send them all at once.
    assert!(
        started.elapsed() > Duration::from_millis(500),
        "{:?}",
        started.elapsed()
    );
    let mut starts = server.starts.lock().unwrap().clone();
    starts.sort();
    assert_eq!(starts.len(), 22);
    // As the server saw them: 21 gaps of at least 1/40 s (less the pacer's headroom).
    let spread = starts[21].duration_since(starts[0]);
    assert!(spread > Duration::from_millis(500), "{spread:?}");
}
