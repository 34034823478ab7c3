//! `Recorder`: a loopback proxy in front of the emulator that logs every request in the
//! order the emulator served it and, right after each POST is answered upstream (before the
//! client sees the answer), GETs probe paths from the emulator. A test can then check an
//! invariant at every step of an apply, e.g. "the lookup key always names an active price".

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use assert_cmd::Command;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::support::{billingctl_against, Harness, TEST_KEY};

/// One request the proxy forwarded.
#[derive(Clone, Debug)]
pub struct Step {
    pub method: String,
    /// Path and query, e.g. `/v1/prices/price_123`.
    pub path: String,
    /// The form body, decoded enough to search (`transfer_lookup_key=true`).
    pub body: String,
    /// The upstream status.
    pub status: u16,
    /// For a POST: each probe path's JSON, fetched right after the write.
    pub probes: Vec<Value>,
}

struct Shared {
    upstream: String,
    probes: Vec<String>,
    /// POSTs to this exact path are refused with a 400 and never reach the emulator.
    refuse: Option<String>,
    client: reqwest::Client,
    log: Mutex<Vec<Step>>,
}

pub struct Recorder {
    shared: Arc<Shared>,
    addr: SocketAddr,
    _runtime: tokio::runtime::Runtime,
}

impl Recorder {
    /// A proxy to `ctx`'s emulator probing `probes` (paths with query) after each POST.
    pub fn new(ctx: &Harness, probes: &[&str]) -> Self {
        Self::refusing(ctx, probes, None)
    }

    /// Like `new`, but a POST to `refuse` (an exact path) is answered with Stripe's 400
    /// `invalid_request_error` without reaching the emulator: a write that fails midway.
    pub fn refusing(ctx: &Harness, probes: &[&str], refuse: Option<&str>) -> Self {
        let shared = Arc::new(Shared {
            upstream: ctx.emulator.base_url(),
            probes: probes.iter().map(|p| (*p).to_owned()).collect(),
            refuse: refuse.map(str::to_owned),
            client: reqwest::Client::new(),
            log: Mutex::new(Vec::new()),
        });
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a runtime");
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .expect("bind");
        let addr = listener.local_addr().expect("an address");
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        runtime.spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            shared,
            addr,
            _runtime: runtime,
        }
    }

    /// `billingctl ARGS` against the proxy, like `Harness::command`.
    pub fn command(&self, ctx: &Harness, args: &[&str]) -> Command {
        Command::from_std(billingctl_against(
            ctx.dir.path(),
            &format!("http://{}", self.addr),
            args,
        ))
    }

    /// The POSTs served so far, in order.
    pub fn posts(&self) -> Vec<Step> {
        self.shared
            .log
            .lock()
            .expect("log")
            .iter()
            .filter(|s| s.method == "POST")
            .cloned()
            .collect()
    }
}

async fn forward(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let path = uri
        .path_and_query()
        .map_or_else(|| uri.path().to_owned(), |p| p.as_str().to_owned());
    if method == Method::POST && shared.refuse.as_deref() == Some(path.as_str()) {
        shared.log.lock().expect("log").push(Step {
            method: method.to_string(),
            path,
            body: String::new(),
            status: 400,
            probes: Vec::new(),
        });
        let body = serde_json::json!({"error": {"type": "invalid_request_error",
            "message": "Refused by the test proxy."}});
        return (
            StatusCode::BAD_REQUEST,
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response();
    }
    let mut request = shared
        .client
        .request(method.clone(), format!("{}{path}", shared.upstream))
        .body(body.clone());
    for (name, value) in &headers {
        if name != "host" && name != "content-length" {
            request = request.header(name, value);
        }
    }
    let Ok(answer) = request.send().await else {
        return StatusCode::BAD_GATEWAY.into_response();
    };
    let status = answer.status();
    let content_type = answer.headers().get("content-type").cloned();
    let bytes = answer.bytes().await.unwrap_or_default();
    let mut probes = Vec::new();
    if method == Method::POST {
        for probe in &shared.probes {
            let text = shared
                .client
                .get(format!("{}{probe}", shared.upstream))
                .bearer_auth(TEST_KEY)
                .send()
                .await
                .expect("probe answered")
                .bytes()
                .await
                .expect("probe body");
            probes.push(serde_json::from_slice::<Value>(&text).expect("probe JSON"));
        }
    }
    let decoded: String = form_urlencoded::parse(&body)
        .map(|(k, v)| format!("{k}={v}&"))
        .collect();
    shared.log.lock().expect("log").push(Step {
        method: method.to_string(),
        path,
        body: decoded,
        status: status.as_u16(),
        probes,
    });
    let mut response = (status, bytes).into_response();
    if let Some(content_type) = content_type {
        response.headers_mut().insert("content-type", content_type);
    }
    response
}
