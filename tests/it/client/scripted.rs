//! The client against a tiny scripted HTTP server: behaviours the emulator cannot be told to
//! produce on demand (`Stripe-Should-Retry`, an exact number of failures, a server echoing the
//! key), and the exact shape of what goes over the wire.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Router;
use billingctl::stripe::{ApiKey, Client, ClientConfig, Error, RetryPolicy, API_VERSION};
use serde_json::{json, Map, Value};

use crate::support::form;

pub const KEY: &str = "sk_test_51ScriptedSecretValue000000WXYZ";

/// One canned answer.
#[derive(Clone)]
pub struct Canned {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Canned {
    pub fn ok(body: Value) -> Self {
        Self {
            status: 200,
            headers: vec![("request-id", "req_ok".into())],
            body: body.to_string(),
        }
    }

    pub fn error(status: u16, kind: &str, message: &str) -> Self {
        Self {
            status,
            headers: vec![("request-id", format!("req_{status}"))],
            body: json!({"error": {"type": kind, "message": message}}).to_string(),
        }
    }

    pub fn header(mut self, name: &'static str, value: &str) -> Self {
        self.headers.push((name, value.to_string()));
        self
    }
}

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub query: Option<String>,
    pub headers: HeaderMap,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

#[derive(Default)]
struct Script {
    answers: VecDeque<Canned>,
    /// Served once `answers` is empty.
    fallback: Option<Canned>,
    seen: Vec<Seen>,
}

/// A server that answers each request with the next canned answer and records it.
pub struct Scripted {
    script: Arc<Mutex<Script>>,
    pub base_url: String,
}

impl Scripted {
    pub async fn start(answers: Vec<Canned>, fallback: Option<Canned>) -> Self {
        let script = Arc::new(Mutex::new(Script {
            answers: answers.into(),
            fallback,
            seen: Vec::new(),
        }));
        let app = Router::new().fallback(answer).with_state(script.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self { script, base_url }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.script.lock().unwrap().seen.clone()
    }
}

async fn answer(State(script): State<Arc<Mutex<Script>>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let body = to_bytes(body, 1 << 20).await.unwrap();
    let mut script = script.lock().unwrap();
    script.seen.push(Seen {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers.clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let canned = script
        .answers
        .pop_front()
        .or_else(|| script.fallback.clone())
        .expect("the script ran out of answers");
    let mut response = Response::builder()
        .status(StatusCode::from_u16(canned.status).unwrap())
        .header("content-type", "application/json");
    for (name, value) in &canned.headers {
        response = response.header(*name, value);
    }
    response.body(Body::from(canned.body)).unwrap()
}

/// Retries as the defaults do, but with millisecond backoff so tests are quick.
pub fn fast_retry(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(4),
        max_total: Duration::from_secs(30),
    }
}

pub fn client(base_url: &str, retry: RetryPolicy) -> Client {
    let mut config = ClientConfig::new(base_url, ApiKey::new(KEY.into()).unwrap());
    config.max_rps = 1_000;
    config.retry = retry;
    Client::new(config).unwrap()
}

#[tokio::test]
async fn every_request_carries_auth_version_agent_and_a_form_body() {
    let server = Scripted::start(vec![], Some(Canned::ok(json!({"id": "prod_1"})))).await;
    let client = client(&server.base_url, fast_retry(1));
    client
        .post(
            "/v1/products",
            &form(json!({"id": "basic", "name": "Basic & more", "metadata": {"tier": "1"}})),
        )
        .await
        .unwrap();
    client
        .get(
            "/v1/products/basic",
            &form(json!({"expand": ["default_price"]})),
        )
        .await
        .unwrap();

    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for request in &seen {
        assert_eq!(
            request.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(request.header("stripe-version"), Some(API_VERSION));
        assert_eq!(
            request.header("user-agent"),
            Some(concat!("billingctl/", env!("CARGO_PKG_VERSION")))
        );
    }
    let post = &seen[0];
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", "/v1/products")
    );
    assert_eq!(
        post.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(post.body, "id=basic&name=Basic+%26+more&metadata[tier]=1");
    let key = post
        .header("idempotency-key")
        .expect("a POST has an Idempotency-Key");
    assert_eq!(uuid::Uuid::parse_str(key).unwrap().get_version_num(), 4);

    let get = &seen[1];
    assert_eq!(
        (get.method.as_str(), get.path.as_str()),
        ("GET", "/v1/products/basic")
    );
    assert_eq!(get.query.as_deref(), Some("expand[0]=default_price"));
    assert_eq!(get.header("idempotency-key"), None);
    assert_eq!(get.body, "");
}

#[tokio::test]
async fn a_retried_post_keeps_its_idempotency_key_and_a_new_post_gets_a_new_one() {
    let server = Scripted::start(
        vec![
            Canned::error(503, "api_error", "try later"),
            Canned::error(409, "invalid_request_error", "concurrent request"),
            Canned::ok(json!({"id": "coupon_a"})),
            Canned::ok(json!({"id": "coupon_b"})),
        ],
        None,
    )
    .await;
    let client = client(&server.base_url, fast_retry(5));
    let created = client
        .post("/v1/coupons", &form(json!({"id": "a"})))
        .await
        .unwrap();
    assert_eq!(created["id"], "coupon_a");
    client
        .post("/v1/coupons", &form(json!({"id": "b"})))
        .await
        .unwrap();

    let keys: Vec<String> = server
        .seen()
        .iter()
        .map(|r| r.header("idempotency-key").unwrap().to_string())
        .collect();
    assert_eq!(keys.len(), 4);
    assert_eq!(keys[0], keys[1]);
    assert_eq!(keys[1], keys[2]);
    assert_ne!(keys[2], keys[3]);
    let stats = client.stats();
    assert_eq!((stats.requests, stats.retries), (4, 2));
}

#[tokio::test]
async fn should_retry_false_stops_a_500_after_one_attempt() {
    let server = Scripted::start(
        vec![
            Canned::error(500, "api_error", "do not repeat").header("Stripe-Should-Retry", "false")
        ],
        Some(Canned::ok(json!({}))),
    )
    .await;
    let client = client(&server.base_url, fast_retry(5));
    let err = client.post("/v1/prices", &Map::new()).await.unwrap_err();
    assert_eq!(server.seen().len(), 1);
    assert_eq!(err.attempts(), 1);
    assert_eq!(err.api().unwrap().status, 500);
    assert_eq!(
        err.to_string(),
        "Stripe 500 api_error: do not repeat [req_500]"
    );
}

#[tokio::test]
async fn should_retry_true_retries_even_a_400() {
    let server = Scripted::start(
        vec![Canned::error(400, "invalid_request_error", "lock timeout")
            .header("Stripe-Should-Retry", "true")],
        Some(Canned::ok(json!({"id": "price_1"}))),
    )
    .await;
    let client = client(&server.base_url, fast_retry(5));
    let price = client.post("/v1/prices", &Map::new()).await.unwrap();
    assert_eq!(price["id"], "price_1");
    assert_eq!(server.seen().len(), 2);
}

#[tokio::test]
async fn persistent_5xx_makes_exactly_max_attempts_and_says_so() {
    let server =
        Scripted::start(vec![], Some(Canned::error(502, "api_error", "bad gateway"))).await;
    let client = client(&server.base_url, fast_retry(4));
    let err = client.get("/v1/coupons/x", &Map::new()).await.unwrap_err();
    assert_eq!(server.seen().len(), 4);
    assert!(matches!(err, Error::Api { attempts: 4, .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "Stripe 502 api_error: bad gateway [req_502] (after 4 attempts)"
    );
    assert_eq!(client.stats().retries, 3);
}

#[tokio::test]
async fn client_errors_are_not_retried_and_keep_every_field() {
    let body = json!({"error": {"type": "invalid_request_error", "code": "parameter_invalid",
        "param": "currency", "message": "Invalid currency: xyz"}});
    let server = Scripted::start(
        vec![Canned {
            status: 400,
            headers: vec![("request-id", "req_123".into())],
            body: body.to_string(),
        }],
        None,
    )
    .await;
    let client = client(&server.base_url, fast_retry(5));
    let err = client
        .post("/v1/prices", &form(json!({"currency": "xyz"})))
        .await
        .unwrap_err();
    let api = err.api().unwrap();
    assert_eq!(api.status, 400);
    assert_eq!(api.kind, "invalid_request_error");
    assert_eq!(api.code.as_deref(), Some("parameter_invalid"));
    assert_eq!(api.param.as_deref(), Some("currency"));
    assert_eq!(api.message, "Invalid currency: xyz");
    assert_eq!(api.request_id.as_deref(), Some("req_123"));
    assert_eq!(err.attempts(), 1);
    assert_eq!(server.seen().len(), 1);
}

#[tokio::test]
async fn the_total_time_budget_ends_retries_before_the_attempt_budget() {
    let server = Scripted::start(vec![], Some(Canned::error(503, "api_error", "down"))).await;
    let policy = RetryPolicy {
        max_attempts: 1_000,
        initial_backoff: Duration::from_millis(50),
        max_backoff: Duration::from_millis(50),
        max_total: Duration::from_secs(1),
    };
    let client = client(&server.base_url, policy);
    let err = client.get("/v1/prices", &Map::new()).await.unwrap_err();
    let attempts = err.attempts();
    // At least 25 ms per retry, so 1 s allows at most 41 attempts; never 1,000.
    assert!((2..=41).contains(&attempts), "{attempts} attempts");
    assert_eq!(server.seen().len() as u32, attempts);
    assert!(err
        .to_string()
        .ends_with(&format!("(after {attempts} attempts)")));
}

#[tokio::test]
async fn a_429_is_retried_counted_and_slows_the_pacer_down() {
    let server = Scripted::start(
        vec![
            Canned::error(429, "invalid_request_error", "Too many requests"),
            Canned::error(429, "invalid_request_error", "Too many requests"),
        ],
        Some(Canned::ok(json!({"id": "promo_1"}))),
    )
    .await;
    let mut config = ClientConfig::new(&server.base_url, ApiKey::new(KEY.into()).unwrap());
    config.max_rps = 200;
    config.endpoint_rps = 200;
    config.retry = fast_retry(5);
    let client = Client::new(config).unwrap();
    assert_eq!(client.rate("POST", "/v1/promotion_codes"), 200.0);
    client
        .post("/v1/promotion_codes", &Map::new())
        .await
        .unwrap();
    let stats = client.stats();
    assert_eq!(stats.rate_limited, 2);
    assert_eq!(stats.requests, 3);
    // The endpoint's rate was cut once, to 160 (the two 429s came within the cooldown),
    // recovering from there.
    let rate = client.rate("POST", "/v1/promotion_codes");
    assert!(rate < 180.0, "{rate}");
    assert!(rate >= 160.0, "{rate}");
}

#[tokio::test]
async fn list_all_follows_cursors_with_pages_of_100() {
    let page = |ids: &[&str], has_more: bool| {
        let data: Vec<Value> = ids.iter().map(|id| json!({"id": id})).collect();
        Canned::ok(
            json!({"object": "list", "data": data, "has_more": has_more, "url": "/v1/prices"}),
        )
    };
    let server = Scripted::start(
        vec![
            page(&["price_3", "price_2"], true),
            page(&["price_1"], false),
        ],
        None,
    )
    .await;
    let client = client(&server.base_url, fast_retry(1));
    let all = client
        .list_all("/v1/prices", &form(json!({"active": false})))
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["price_3", "price_2", "price_1"]);
    let queries: Vec<String> = server
        .seen()
        .iter()
        .map(|r| r.query.clone().unwrap())
        .collect();
    assert_eq!(
        queries,
        [
            "active=false&limit=100",
            "active=false&limit=100&starting_after=price_2"
        ]
    );
}

#[tokio::test]
async fn a_key_echoed_by_the_server_is_scrubbed_from_the_error() {
    let server = Scripted::start(
        vec![Canned::error(
            401,
            "invalid_request_error",
            &format!("Invalid API Key provided: {KEY}"),
        )],
        None,
    )
    .await;
    let client = client(&server.base_url, fast_retry(3));
    let err = client.get("/v1/products", &Map::new()).await.unwrap_err();
    for shown in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!shown.contains(KEY), "{shown}");
        assert!(shown.contains("sk_test_…WXYZ"), "{shown}");
    }
    assert_eq!(err.attempts(), 1);
}

#[tokio::test]
async fn an_unreachable_server_fails_at_once_saying_where_to_look() {
    // A port that was free a moment ago: connections are refused. Nothing has ever answered
    // there, so retrying (ten attempts, 20 s) would only hide a wrong address (issue 14).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let client = client(&base, fast_retry(3));
    let err = client.get("/v1/products", &Map::new()).await.unwrap_err();
    assert!(matches!(err, Error::Network { attempts: 1, .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!(
            "network error talking to Stripe: cannot connect to {base}: "
        )),
        "{shown}"
    );
    assert!(shown.contains("(--api-base)"), "{shown}");
    assert!(!format!("{err:?}").contains(KEY));
    assert_eq!(client.stats().requests, 1);
}

#[tokio::test]
async fn a_success_that_is_not_json_is_a_decode_error() {
    let server = Scripted::start(
        vec![Canned {
            status: 200,
            headers: vec![],
            body: "<html>captive portal</html>".into(),
        }],
        None,
    )
    .await;
    let client = client(&server.base_url, fast_retry(3));
    let err = client.get("/v1/products", &Map::new()).await.unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(shown.contains("GET /v1/products"), "{shown}");
    assert!(shown.contains("captive portal"), "{shown}");
    assert_eq!(server.seen().len(), 1);
}
