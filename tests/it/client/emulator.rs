//! The client against the emulator over real HTTP: pagination over hundreds of objects,
//! Stripe's error objects, and faults (5xx, 429, lost answers) that must neither fail a run
//! nor duplicate an object.

use std::time::Duration;

use billingctl::compact::Json;
use billingctl::emulator::EmulatorHandle;
use billingctl::emulator::EmulatorKnobs;
use billingctl::stripe::{ApiKey, Client, ClientConfig, Error, RetryPolicy};
use serde_json::{json, Map, Value};

use crate::support::{form, start_emulator as emulator, TEST_KEY as KEY};

fn client(handle: &EmulatorHandle, max_attempts: u32) -> Client {
    let mut config = ClientConfig::new(handle.base_url(), ApiKey::new(KEY.into()).unwrap());
    config.max_rps = 2_000;
    config.concurrency = 16;
    config.retry = RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(2),
        max_backoff: Duration::from_millis(20),
        max_total: Duration::from_secs(60),
    };
    Client::new(config).unwrap()
}

/// Creates `n` products without custom ids, so a write done twice would show as two objects.
async fn create_products(client: &Client, n: usize) -> Vec<Result<Value, Error>> {
    let tasks: Vec<_> = (0..n)
        .map(|i| {
            let client = client.clone();
            tokio::spawn(async move {
                client
                    .post(
                        "/v1/products",
                        &form(json!({"name": format!("product {i}")})),
                    )
                    .await
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

fn names(objects: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = objects
        .iter()
        .map(|o| o["name"].as_str().unwrap().to_string())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_all_returns_every_one_of_250_objects_in_three_pages() {
    let handle = emulator(EmulatorKnobs::default());
    let client = client(&handle, 1);
    for i in 0..250 {
        client
            .post(
                "/v1/coupons",
                &form(json!({"id": format!("c{i:03}"), "percent_off": 10, "duration": "once"})),
            )
            .await
            .unwrap();
    }
    let before = client.stats().requests;
    let coupons = client.list_all("/v1/coupons", &Map::new()).await.unwrap();
    assert_eq!(client.stats().requests - before, 3);
    let mut ids: Vec<&str> = coupons.iter().map(|c| c["id"].as_str().unwrap()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 250);
    assert_eq!((ids[0], ids[249]), ("c000", "c249"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stripes_error_objects_arrive_field_by_field() {
    let handle = emulator(EmulatorKnobs::default());
    let client = client(&handle, 3);

    let err = client
        .post("/v1/products", &form(json!({"name": "x", "colour": "red"})))
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 400);
    assert_eq!(api.kind, "invalid_request_error");
    assert_eq!(api.param.as_deref(), Some("colour"));
    assert_eq!(api.message, "Received unknown parameter: colour");
    assert!(api.request_id.as_deref().unwrap().starts_with("req_"));
    assert_eq!(err.attempts(), 1, "a 400 is not retried");

    let err = client
        .get("/v1/coupons/no_such_coupon", &Map::new())
        .await
        .unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!(api.status, 404);
    assert_eq!(api.kind, "invalid_request_error");
    assert_eq!(api.code.as_deref(), Some("resource_missing"));
    assert!(api.message.contains("no_such_coupon"), "{}", api.message);
    assert_eq!(err.attempts(), 1, "a 404 is not retried");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_whose_answer_is_lost_is_replayed_not_repeated() {
    // Every committed write loses its answer; a replay under the same key commits nothing,
    // so it is answered.
    let handle = emulator(EmulatorKnobs {
        lost_rate: 1.0,
        seed: 1,
        ..EmulatorKnobs::default()
    });
    let client = client(&handle, 4);
    let product = client
        .post("/v1/products", &form(json!({"name": "only once"})))
        .await
        .unwrap();
    assert_eq!(handle.stats().posts(), 2);
    assert_eq!((client.stats().requests, client.stats().retries), (2, 1));
    let products = client.list_all("/v1/products", &Map::new()).await.unwrap();
    let products: Vec<Value> = products.iter().map(Json::to_value).collect();
    assert_eq!(names(&products), ["only once"]);
    assert_eq!(products[0]["id"], product["id"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_are_retried_until_every_write_is_done_exactly_once() {
    let handle = emulator(EmulatorKnobs {
        error_rate: 0.2,
        rate_limit_error_rate: 0.1,
        lost_rate: 0.2,
        seed: 42,
        ..EmulatorKnobs::default()
    });
    let client = client(&handle, 30);
    let results = create_products(&client, 60).await;
    for result in &results {
        assert!(result.is_ok(), "{result:?}");
    }
    let stats = client.stats();
    assert!(stats.retries > 0, "{stats:?}");
    assert!(stats.rate_limited > 0, "{stats:?}");
    let products = client.list_all("/v1/products", &Map::new()).await.unwrap();
    let products: Vec<Value> = products.iter().map(Json::to_value).collect();
    let expected: Vec<String> = {
        let mut v: Vec<String> = (0..60).map(|i| format!("product {i}")).collect();
        v.sort();
        v
    };
    assert_eq!(names(&products), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enforced_rate_limit_slows_the_client_down_and_nothing_fails() {
    let handle = emulator(EmulatorKnobs {
        rate_limit: 20,
        ..EmulatorKnobs::default()
    });
    let mut config = ClientConfig::new(handle.base_url(), ApiKey::new(KEY.into()).unwrap());
    config.max_rps = 400;
    config.concurrency = 16;
    let client = Client::new(config).unwrap();
    let results = create_products(&client, 60).await;
    assert!(results.iter().all(Result::is_ok));
    let stats = client.stats();
    assert!(stats.rate_limited > 0, "{stats:?}");
    // The 429s slowed the endpoint they came from (25/s by default) below its rate.
    let rate = client.rate("POST", "/v1/products");
    assert!(rate < 25.0, "{rate} {stats:?}");
    let products = client.list_all("/v1/products", &Map::new()).await.unwrap();
    assert_eq!(products.len(), 60);
}
