//! The HTTP side: one axum fallback handler that runs every request through the same
//! pipeline, in Stripe's order: count it, pass it through its account's rate limiter as it
//! arrives, add latency, check the key, check the account `Stripe-Account` names (the
//! platform's own without it), answer the rate limiter's refusal and the injected faults,
//! replay or refuse by that account's `Idempotency-Key`s, check params against the field
//! table, run the endpoint on that account's objects under the accounts' lock, save the
//! answer for the key, and maybe lose the answer. Every response carries
//! `Request-Id` and `Stripe-Version`, and `Stripe-Account` when the request sent one (Stripe
//! echoes it: stripe-node reads `lastResponse.stripeAccount` from the response's
//! `stripe-account` header). With a state file, an answer leaves only once the changes it
//! reports are in the write-ahead log on disk.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::{Map, Value};

use super::accounts::{Accounts, Scope};
use super::connect;
use super::connections::ConnectionLimits;
use super::error::ErrorResponse;
use super::faults::Faults;
use super::form;
use super::idempotency::{Fingerprint, Lookup, Saved, MAX_KEY_LEN};
use super::list::{self, ListRequest};
use super::objects;
use super::params;
use super::persist::Wal;
use super::routes::{Call, Endpoint, Route};
use super::stats::Counters;
use super::store::{new_id, Store};
use crate::kinds::fields::Operation;
use crate::stripe::API_VERSION;

/// Everything the connections share.
pub(crate) struct Shared {
    /// The platform's objects and its connected accounts'.
    pub accounts: Arc<Mutex<Accounts>>,
    pub counters: Counters,
    pub faults: Faults,
    /// The state file's write-ahead log, when there is one.
    pub wal: Option<Arc<Wal>>,
    pub limits: ConnectionLimits,
}

impl Shared {
    /// The account a request acts on: the platform's without `Stripe-Account`, else the
    /// connected account it names, or `Err` with the name when the platform holds no such
    /// account.
    fn scope(&self, headers: &HeaderMap) -> Result<Scope, String> {
        let Some(named) = headers.get("stripe-account") else {
            return Ok(Scope::Platform);
        };
        let named = String::from_utf8_lossy(named.as_bytes()).into_owned();
        let accounts = self.accounts.lock().unwrap_or_else(|e| e.into_inner());
        if accounts.holds(&named) {
            Ok(Scope::Connected(named))
        } else {
            Err(named)
        }
    }
}

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// What the pipeline decided to send.
struct Answer {
    status: u16,
    body: Bytes,
    replayed: bool,
    lost: bool,
    /// With a state file: how many logged changes must be on disk before answering.
    durable: Option<u64>,
}

impl Answer {
    fn json(status: u16, value: &Value) -> Answer {
        Answer {
            status,
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            replayed: false,
            lost: false,
            durable: None,
        }
    }

    fn error(error: &ErrorResponse, request_id: &str) -> Answer {
        Answer::json(error.status, &error.body(request_id))
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let request_id = new_id("req_", 14);
    let version = headers
        .get("stripe-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(API_VERSION)
        .to_owned();
    let body = match read_body(body, shared.limits.body_timeout).await {
        Ok(body) => body,
        Err(error) => {
            // The rest of the body may never come: answer, then close the connection.
            let answer = Answer::error(&error, &request_id);
            let mut response = respond(answer, &request_id, &version, None);
            response
                .headers_mut()
                .insert("connection", HeaderValue::from_static("close"));
            return response;
        }
    };
    let route = Route::parse(method.as_str(), uri.path());
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let account = headers.get("stripe-account").cloned();
    let answer = if route.is_internal() {
        internal(&shared, &route, uri.query())
    } else {
        let scope = shared.scope(&headers);
        let counted = scope.as_ref().ok();
        shared.counters.record(
            method.as_str(),
            &route.counter_key(method.as_str()),
            counted,
        );
        // Stripe's rate limiter sees a request as it arrives, before the work and the trip
        // back that the added latency stands for: deciding after the sleep would add the
        // emulator's own timer lag (tens of ms on a loaded machine) to the limiter's clock.
        // Only a request with a key and an account counts against that account's windows.
        let admitted = match (&scope, authenticate(&headers)) {
            (Ok(scope), Ok(_)) => {
                shared
                    .faults
                    .admit(method.as_str(), &route, scope.account(), Instant::now())
            }
            _ => true,
        };
        if let Some(latency) = shared.faults.latency() {
            tokio::time::sleep(latency).await;
        }
        let request = Request {
            method: &method,
            uri: &uri,
            headers: &headers,
            body: &body,
            route: &route,
            scope: &scope,
            idempotency_key: idempotency_key.as_deref(),
            request_id: &request_id,
            admitted,
        };
        let answer = request.answer(&shared);
        shared.counters.record_status(answer.status, counted);
        answer
    };
    let answer = match (&shared.wal, answer.durable) {
        (Some(wal), Some(upto)) if !wal.is_durable(upto) => {
            make_durable(wal.clone(), upto, answer, &request_id).await
        }
        _ => answer,
    };
    let mut response = respond(answer, &request_id, &version, idempotency_key.as_deref());
    if let Some(account) = account {
        response.headers_mut().insert("stripe-account", account);
    }
    response
}

/// The whole body, within the size bound of the form parser and the body timeout.
async fn read_body(body: Body, timeout: std::time::Duration) -> Result<Bytes, ErrorResponse> {
    match tokio::time::timeout(timeout, axum::body::to_bytes(body, form::MAX_BYTES)).await {
        Ok(Ok(bytes)) => Ok(bytes),
        Ok(Err(_)) => Err(ErrorResponse::invalid(
            None,
            None,
            format!(
                "Invalid request body: larger than {} bytes, or cut off",
                form::MAX_BYTES
            ),
        )),
        Err(_) => Err(ErrorResponse::invalid(
            None,
            None,
            format!(
                "Invalid request body: not received within {} s",
                timeout.as_secs_f64()
            ),
        )),
    }
}

/// Waits (off the async workers) until the log holds the answer's changes. An answer whose
/// changes cannot be made durable is not acknowledged: it becomes a 500.
async fn make_durable(wal: Arc<Wal>, upto: u64, answer: Answer, request_id: &str) -> Answer {
    let synced = tokio::task::spawn_blocking(move || wal.sync(upto)).await;
    let message = match synced {
        Ok(Ok(())) => return answer,
        Ok(Err(err)) => format!("The emulator could not write its state file's log: {err}"),
        Err(_) => "The emulator's state file writer stopped.".to_owned(),
    };
    let error = ErrorResponse {
        message,
        ..ErrorResponse::internal()
    };
    Answer::error(&error, request_id)
}

/// `/_emulator/stats` (the totals, or with `?account=acct_…` one connected account's) and
/// `/_emulator/stats/reset` (every counter).
fn internal(shared: &Shared, route: &Route, query: Option<&str>) -> Answer {
    if *route == Route::StatsReset {
        shared.counters.reset();
    }
    let account = form::decode(query.unwrap_or_default())
        .ok()
        .and_then(|query| {
            query
                .get("account")
                .and_then(Value::as_str)
                .map(str::to_owned)
        });
    let stats = match account {
        None => shared.counters.snapshot(),
        Some(id) => {
            let held = shared
                .accounts
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .holds(&id);
            if !held {
                let error = ErrorResponse::no_such("account", &id, "account", 404);
                return Answer::json(404, &error.body("req_emulator"));
            }
            shared.counters.snapshot_of(&Scope::Connected(id))
        }
    };
    Answer::json(200, &serde_json::to_value(stats).unwrap_or_default())
}

fn respond(answer: Answer, request_id: &str, version: &str, key: Option<&str>) -> Response {
    let body = if answer.lost {
        Body::new(LostAnswer)
    } else {
        Body::from(answer.body)
    };
    let mut response = Response::new(body);
    *response.status_mut() =
        StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let headers = response.headers_mut();
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("request-id", value);
    }
    if let Ok(value) = HeaderValue::from_str(version) {
        headers.insert("stripe-version", value);
    }
    if let Some(value) = key.and_then(|k| HeaderValue::from_str(k).ok()) {
        headers.insert("idempotency-key", value);
    }
    if answer.replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

/// A body that fails before its first byte: hyper aborts the connection, so the client sees
/// a network error although the change was committed (the `lost_rate` knob).
struct LostAnswer;

impl HttpBody for LostAnswer {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        Poll::Ready(Some(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "emulated lost answer",
        ))))
    }
}

struct Request<'r> {
    method: &'r Method,
    uri: &'r Uri,
    headers: &'r HeaderMap,
    body: &'r Bytes,
    route: &'r Route,
    /// The account it acts on, or the name of one the platform does not hold.
    scope: &'r Result<Scope, String>,
    idempotency_key: Option<&'r str>,
    request_id: &'r str,
    /// Whether the rate limiter let it through when it arrived.
    admitted: bool,
}

impl Request<'_> {
    fn answer(&self, shared: &Shared) -> Answer {
        let key = match authenticate(self.headers) {
            Ok(key) => redact(&key),
            Err(error) => return Answer::error(&error, self.request_id),
        };
        let scope = match self.scope {
            Ok(scope) => scope,
            Err(named) => {
                let error = ErrorResponse::account_invalid(&key, named);
                return Answer::error(&error, self.request_id);
            }
        };
        if let Some(error) = shared.faults.before_handling(self.admitted) {
            return Answer::error(&error, self.request_id);
        }
        if *self.route == Route::Unrecognized {
            let error = ErrorResponse::unrecognized_url(self.method.as_str(), self.uri.path());
            return Answer::error(&error, self.request_id);
        }
        let raw = if *self.method == Method::POST {
            std::str::from_utf8(self.body)
        } else {
            Ok(self.uri.query().unwrap_or_default())
        };
        let Ok(raw) = raw else {
            let error =
                ErrorResponse::invalid(None, None, "Invalid request body: not UTF-8".into());
            return Answer::error(&error, self.request_id);
        };
        let params = match form::decode(raw) {
            Ok(params) => params,
            Err(err) => {
                let error =
                    ErrorResponse::invalid(None, None, format!("Invalid request body: {err}"));
                return Answer::error(&error, self.request_id);
            }
        };
        let is_post = *self.method == Method::POST;
        let key_sent = self.idempotency_key.filter(|_| is_post);
        if key_sent.is_some_and(|k| k.len() > MAX_KEY_LEN) {
            let error = ErrorResponse::param(
                "Idempotency-Key",
                format!("Idempotency-Key must be at most {MAX_KEY_LEN} characters long."),
            );
            return Answer::error(&error, self.request_id);
        }
        let fingerprint = Fingerprint {
            method: self.method.as_str().to_owned(),
            path: self.uri.path().to_owned(),
            params,
        };
        let mut accounts = shared.accounts.lock().unwrap_or_else(|e| e.into_inner());
        let Some(account) = accounts.store_mut(scope) else {
            // Resolved before the lock, and accounts are never removed: kept total anyway.
            let named = scope.account().unwrap_or_default();
            return Answer::error(
                &ErrorResponse::account_invalid(&key, named),
                self.request_id,
            );
        };
        if let Some(sent) = key_sent {
            match account.idempotency.lookup(sent, &fingerprint) {
                Lookup::Fresh => {}
                Lookup::Replay(saved) => {
                    // The first answer may still be waiting for its log line: so does this.
                    let durable = shared
                        .wal
                        .as_ref()
                        .map(|wal| wal.append(&mut accounts, scope));
                    return Answer {
                        status: saved.status,
                        body: saved.body,
                        replayed: true,
                        lost: false,
                        durable,
                    };
                }
                Lookup::Mismatch => {
                    return Answer::error(
                        &ErrorResponse::idempotency_mismatch(sent),
                        self.request_id,
                    )
                }
            }
        }
        let ran = self.run(&mut accounts, scope, fingerprint.params.clone(), &key);
        let outcome = match ran {
            // Requests refused by the field table are not saved under the key.
            Err(Refused::Invalid(error)) => return Answer::error(&error, self.request_id),
            Err(Refused::Rule(error)) => Answer::error(&error, self.request_id),
            Ok(value) => Answer::json(200, &value),
        };
        if let (Some(sent), Some(account)) = (key_sent, accounts.store_mut(scope)) {
            let saved = Saved {
                status: outcome.status,
                body: outcome.body.clone(),
            };
            account
                .idempotency
                .save(sent.to_owned(), fingerprint, saved);
        }
        let durable = shared
            .wal
            .as_ref()
            .map(|wal| wal.append(&mut accounts, scope));
        drop(accounts);
        Answer {
            lost: self.route.writes() && shared.faults.lose_answer(),
            durable,
            ..outcome
        }
    }
}

/// Why an endpoint did not answer 200.
enum Refused {
    /// The params broke the field table (not saved under an idempotency key).
    Invalid(ErrorResponse),
    /// The endpoint ran and refused (saved, like any answer).
    Rule(ErrorResponse),
}

impl Request<'_> {
    /// Runs the endpoint for the account `scope` names; `key` is the request's key, redacted.
    fn run(
        &self,
        accounts: &mut Accounts,
        scope: &Scope,
        params: Map<String, Value>,
        key: &str,
    ) -> Result<Value, Refused> {
        match self.route {
            Route::Object(call) => match accounts.store_mut(scope) {
                Some(account) => self.run_object(call, account, params),
                None => Err(Refused::Invalid(ErrorResponse::account_invalid(
                    key,
                    scope.account().unwrap_or_default(),
                ))),
            },
            Route::Accounts(call) => {
                connect::answer(accounts, scope, call, params, key).map_err(Refused::Invalid)
            }
            // Answered before the account is reached; kept total rather than panicking.
            _ => Err(Refused::Invalid(ErrorResponse::unrecognized_url(
                self.method.as_str(),
                self.uri.path(),
            ))),
        }
    }

    /// Runs one of a kind's endpoints on one account's objects.
    fn run_object(
        &self,
        call: &Call,
        account: &mut Store,
        mut params: Map<String, Value>,
    ) -> Result<Value, Refused> {
        let expand = match params.remove("expand") {
            Some(value) => list::expansions(&value).map_err(Refused::Invalid)?,
            None => Vec::new(),
        };
        let Call { kind, id, .. } = call;
        let (kind, id) = (*kind, id.as_deref().unwrap_or_default());
        let table = kind.table();
        let mut cx = objects::context(account, &call.path);
        let rule = Refused::Rule;
        let object = match call.endpoint {
            Endpoint::Create => {
                let typed = params::validate(table, Operation::Create, &params)
                    .map_err(Refused::Invalid)?;
                objects::create(&mut cx, kind, typed).map_err(rule)?
            }
            Endpoint::Update => {
                objects::retrieve(&cx, kind, id).map_err(rule)?;
                let typed = params::validate(table, Operation::Update, &params)
                    .map_err(Refused::Invalid)?;
                objects::update(&mut cx, kind, id, typed).map_err(rule)?
            }
            Endpoint::Retrieve => {
                refuse_any(&params)?;
                objects::retrieve(&cx, kind, id).map_err(rule)?.clone()
            }
            Endpoint::Action(action) => {
                objects::retrieve(&cx, kind, id).map_err(rule)?;
                refuse_any(&params)?;
                objects::act(&mut cx, kind, id, action).map_err(rule)?
            }
            Endpoint::Delete => {
                refuse_any(&params)?;
                return objects::delete(&mut cx, kind, id).map_err(rule);
            }
            Endpoint::List => {
                if !expand.is_empty() {
                    params.insert(
                        "expand".into(),
                        Value::Array(expand.into_iter().map(Value::String).collect()),
                    );
                }
                let request = ListRequest::parse(kind, params).map_err(Refused::Invalid)?;
                return list::page(&cx, kind, &request).map_err(Refused::Invalid);
            }
        };
        Ok((*objects::render(&cx, kind, &object, &expand)).clone())
    }
}

/// An endpoint that takes no param but `expand`: the first other one is unknown.
fn refuse_any(params: &Map<String, Value>) -> Result<(), Refused> {
    match params.keys().next() {
        Some(name) => Err(Refused::Invalid(ErrorResponse::unknown_param(name))),
        None => Ok(()),
    }
}

/// Any test-mode secret or restricted key, as `Bearer KEY` or basic auth with the key as the
/// user (what the SDKs send): the key. The key is never echoed: errors show its prefix and
/// last four.
fn authenticate(headers: &HeaderMap) -> Result<String, ErrorResponse> {
    let header = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim();
    let key = if let Some(token) = header.strip_prefix("Bearer ") {
        Some(token.trim().to_owned())
    } else if let Some(encoded) = header.strip_prefix("Basic ") {
        decode_base64(encoded.trim())
            .and_then(|bytes| String::from_utf8(bytes).ok())
            .map(|pair| pair.split(':').next().unwrap_or_default().to_owned())
    } else {
        None
    };
    match key {
        None => Err(ErrorResponse::unauthorized(
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or \
             we can help at https://support.stripe.com/."
                .to_owned(),
        )),
        Some(key) if key.is_empty() => Err(ErrorResponse::unauthorized(
            "You did not provide an API key.".to_owned(),
        )),
        Some(key) if key.starts_with("sk_test_") || key.starts_with("rk_test_") => Ok(key),
        Some(key) => Err(ErrorResponse::unauthorized(format!(
            "Invalid API Key provided: {}. The emulator accepts test-mode keys only \
             (sk_test_... or rk_test_...).",
            redact(&key)
        ))),
    }
}

/// `sk_live_…abcd`: the prefix up to the second `_` and the last four characters.
fn redact(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let prefix_len = key
        .match_indices('_')
        .nth(1)
        .map_or(0, |(i, _)| key[..=i].chars().count());
    if chars.len() < prefix_len + 8 {
        return "***".to_owned();
    }
    let prefix: String = chars[..prefix_len].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{prefix}…{tail}")
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::new();
    let mut buffer = 0u32;
    let mut bits = 0;
    for &c in text.as_bytes().iter().filter(|&&c| c != b'=') {
        buffer = (buffer << 6) | value(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::emulator::EmulatorKnobs;

    #[test]
    fn basic_auth_decodes_the_key_as_user() {
        assert_eq!(
            decode_base64("c2tfdGVzdF94eXo6").unwrap(),
            b"sk_test_xyz:".to_vec()
        );
    }

    /// An in-memory emulator's router and a runtime to drive it.
    fn app() -> (Router, tokio::runtime::Runtime) {
        let shared = Arc::new(Shared {
            accounts: Arc::new(Mutex::new(Accounts::new(
                Clock::default(),
                objects::new_store,
            ))),
            counters: Counters::default(),
            faults: Faults::new(EmulatorKnobs::default()),
            wal: None,
            limits: ConnectionLimits::default(),
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        (router(shared), runtime)
    }

    /// GET `path` with a test key: the status and the JSON body.
    fn get(app: &Router, runtime: &tokio::runtime::Runtime, path: &str) -> (u16, Value) {
        use axum::http::Request as HttpRequest;
        use tower::ServiceExt;
        let request = HttpRequest::builder()
            .uri(path)
            .header("authorization", "Bearer sk_test_registry")
            .body(Body::empty())
            .unwrap();
        let response = runtime
            .block_on(app.clone().oneshot(request))
            .unwrap_or_else(|never| match never {});
        let status = response.status().as_u16();
        let bytes = runtime
            .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap())
    }

    #[test]
    fn every_kind_of_the_registry_is_served_at_its_tables_path() {
        let (app, runtime) = app();
        for kind in crate::kinds::KINDS {
            let resource = objects::resource(kind.id());
            assert_eq!(resource.kind(), kind.id(), "{}", kind.name());
            // A path that names ids before the object's (a nested kind) gets made-up ones.
            let path: Vec<String> = kind
                .table()
                .path
                .split('/')
                .map(|s| {
                    if s.starts_with('{') {
                        "x".to_owned()
                    } else {
                        s.to_owned()
                    }
                })
                .collect();
            let path = path.join("/");

            let (status, list) = get(&app, &runtime, &path);
            assert_eq!(status, 200, "GET {path}: {list}");
            assert_eq!(list["object"], "list", "GET {path}");
            assert_eq!(list["url"], kind.table().path, "GET {path}");
            assert_eq!(list["data"], serde_json::json!([]), "GET {path}");

            let (status, missing) = get(&app, &runtime, &format!("{path}/nope"));
            assert_eq!(status, 404, "GET {path}/nope: {missing}");
            let error = &missing["error"];
            assert_eq!(error["code"], "resource_missing", "GET {path}/nope");
            assert_eq!(error["param"], "id", "GET {path}/nope");
            assert_eq!(
                error["message"],
                format!("No such {}: 'nope'", resource.noun()),
                "GET {path}/nope"
            );
        }
    }

    /// The router fuzz budget: this many seeded requests (fixed seed) through the whole
    /// pipeline, with random methods, paths, headers and bodies.
    const ROUTER_FUZZ_CASES: u64 = 10_000;

    #[test]
    fn fuzz_the_router_never_panics_and_always_answers_json() {
        use axum::http::Request as HttpRequest;
        use rand::{Rng, SeedableRng};
        use tower::ServiceExt;

        const PATHS: &[&str] = &[
            "/v1/products",
            "/v1/prices",
            "/v1/coupons",
            "/v1/promotion_codes",
            "/v1/billing_portal/configurations",
            "/v1/products/prod_x",
            "/v1/prices/price_1",
            "/v1/coupons/c",
            "/v1/products/",
            "/v1//x",
            "/",
            "/v1/products/a/b",
            "/_emulator/stats",
            "/v1/promotion_codes/promo_%FF",
            "/v1/prices/search",
        ];
        let (app, runtime) = app();
        let mut rng = rand::rngs::SmallRng::seed_from_u64(7);
        for _ in 0..ROUTER_FUZZ_CASES {
            let method = ["GET", "POST", "DELETE", "PUT", "PATCH"][rng.gen_range(0..5)];
            let body = crate::stripe::form::tests::fuzz_body(&mut rng);
            let mut path = PATHS[rng.gen_range(0..PATHS.len())].to_owned();
            if rng.gen_bool(0.3) {
                path.push('?');
                path.push_str(&form::encode(&form::decode(&body).unwrap_or_default()));
            }
            let mut request = HttpRequest::builder().method(method).uri(path.as_str());
            if rng.gen_bool(0.9) {
                request = request.header("authorization", "Bearer sk_test_fuzz");
            }
            if rng.gen_bool(0.3) {
                let key: String = (0..rng.gen_range(0..300)).map(|_| 'k').collect();
                request = request.header("idempotency-key", key);
            }
            let Ok(request) = request.body(Body::from(body.clone())) else {
                continue;
            };
            let response = runtime
                .block_on(app.clone().oneshot(request))
                .unwrap_or_else(|never| match never {});
            let status = response.status();
            let bytes = runtime
                .block_on(axum::body::to_bytes(response.into_body(), usize::MAX))
                .unwrap();
            let parsed: Result<Value, _> = serde_json::from_slice(&bytes);
            assert!(
                parsed.is_ok(),
                "{method} {path} {body:?}: {status} not JSON"
            );
            assert!(status.as_u16() < 500, "{method} {path} {body:?}: {status}");
        }
    }

    #[test]
    fn redaction_keeps_prefix_and_last_four_only() {
        assert_eq!(redact("sk_live_0123456789abcdef"), "sk_live_…cdef");
        assert_eq!(redact("short"), "***");
    }
}
