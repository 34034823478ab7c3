//! The HTTP side: one axum fallback handler that runs every request through the same
//! pipeline, in Stripe's order: count it, add latency, check the key, apply the rate limit and
//! injected faults, replay or refuse by `Idempotency-Key`, check params against the field
//! table, run the endpoint under the account lock, save the answer for the key, and maybe lose
//! the answer. Every response carries `Request-Id` and `Stripe-Version`.

use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::{Map, Value};

use super::error::ApiError;
use super::faults::Faults;
use super::form;
use super::idempotency::{Fingerprint, Lookup, Saved, MAX_KEY_LEN};
use super::list::{self, ListRequest};
use super::objects;
use super::params;
use super::routes::Route;
use super::stats::Counters;
use super::store::{new_id, Account};
use crate::stripe::fields::Operation;
use crate::stripe::API_VERSION;

/// Everything the connections share.
pub(crate) struct Shared {
    pub account: Arc<Mutex<Account>>,
    pub counters: Counters,
    pub faults: Faults,
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
}

impl Answer {
    fn json(status: u16, value: &Value) -> Answer {
        Answer {
            status,
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            replayed: false,
            lost: false,
        }
    }

    fn error(error: &ApiError, request_id: &str) -> Answer {
        Answer::json(error.status, &error.body(request_id))
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = new_id("req_", 14);
    let version = headers
        .get("stripe-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(API_VERSION)
        .to_owned();
    let route = Route::parse(method.as_str(), uri.path());
    let idempotency_key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let answer = if route.is_internal() {
        internal(&shared, &route)
    } else {
        shared
            .counters
            .record(method.as_str(), route.counter_key(method.as_str()));
        if let Some(latency) = shared.faults.latency() {
            tokio::time::sleep(latency).await;
        }
        let request = Request {
            method: &method,
            uri: &uri,
            headers: &headers,
            body: &body,
            route: &route,
            idempotency_key: idempotency_key.as_deref(),
            request_id: &request_id,
        };
        let answer = request.answer(&shared);
        shared.counters.record_status(answer.status);
        answer
    };
    respond(answer, &request_id, &version, idempotency_key.as_deref())
}

fn internal(shared: &Shared, route: &Route) -> Answer {
    if *route == Route::StatsReset {
        shared.counters.reset();
    }
    Answer::json(
        200,
        &serde_json::to_value(shared.counters.snapshot()).unwrap_or_default(),
    )
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
    idempotency_key: Option<&'r str>,
    request_id: &'r str,
}

impl Request<'_> {
    fn answer(&self, shared: &Shared) -> Answer {
        if let Err(error) = authenticate(self.headers) {
            return Answer::error(&error, self.request_id);
        }
        if let Some(error) = shared.faults.before_handling() {
            return Answer::error(&error, self.request_id);
        }
        if *self.route == Route::Unrecognized {
            let error = ApiError::unrecognized_url(self.method.as_str(), self.uri.path());
            return Answer::error(&error, self.request_id);
        }
        let raw = if *self.method == Method::POST {
            std::str::from_utf8(self.body)
        } else {
            Ok(self.uri.query().unwrap_or_default())
        };
        let Ok(raw) = raw else {
            let error = ApiError::invalid(None, None, "Invalid request body: not UTF-8".into());
            return Answer::error(&error, self.request_id);
        };
        let params = match form::decode(raw) {
            Ok(params) => params,
            Err(err) => {
                let error = ApiError::invalid(None, None, format!("Invalid request body: {err}"));
                return Answer::error(&error, self.request_id);
            }
        };
        let is_post = *self.method == Method::POST;
        let key = self.idempotency_key.filter(|_| is_post);
        if key.is_some_and(|k| k.len() > MAX_KEY_LEN) {
            let error = ApiError::param(
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
        let mut account = shared.account.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(key) = key {
            match account.idempotency.lookup(key, &fingerprint) {
                Lookup::Fresh => {}
                Lookup::Replay(saved) => {
                    return Answer {
                        status: saved.status,
                        body: saved.body,
                        replayed: true,
                        lost: false,
                    }
                }
                Lookup::Mismatch => {
                    return Answer::error(&ApiError::idempotency_mismatch(key), self.request_id)
                }
            }
        }
        let outcome = match self.run(&mut account, fingerprint.params.clone()) {
            // Requests refused by the field table are not saved under the key.
            Err(Refused::Invalid(error)) => return Answer::error(&error, self.request_id),
            Err(Refused::Rule(error)) => Answer::error(&error, self.request_id),
            Ok(value) => Answer::json(200, &value),
        };
        if let Some(key) = key {
            let saved = Saved {
                status: outcome.status,
                body: outcome.body.clone(),
            };
            account.idempotency.save(key.to_owned(), fingerprint, saved);
        }
        drop(account);
        let writes = matches!(
            self.route,
            Route::Create(_) | Route::Update(..) | Route::Delete(..)
        );
        Answer {
            lost: writes && shared.faults.lose_answer(),
            ..outcome
        }
    }
}

/// Why an endpoint did not answer 200.
enum Refused {
    /// The params broke the field table (not saved under an idempotency key).
    Invalid(ApiError),
    /// The endpoint ran and refused (saved, like any answer).
    Rule(ApiError),
}

impl Request<'_> {
    /// Runs the endpoint.
    fn run(&self, account: &mut Account, mut params: Map<String, Value>) -> Result<Value, Refused> {
        let expand = match params.remove("expand") {
            Some(value) => list::expansions(&value).map_err(Refused::Invalid)?,
            None => Vec::new(),
        };
        let rule = Refused::Rule;
        match self.route {
            Route::Create(kind) => {
                let typed = params::validate(kind.table(), Operation::Create, &params)
                    .map_err(Refused::Invalid)?;
                let object = objects::create(account, *kind, typed).map_err(rule)?;
                Ok((*objects::render(account, *kind, &object, &expand)).clone())
            }
            Route::Update(kind, id) => {
                objects::retrieve(account, *kind, id).map_err(rule)?;
                let typed = params::validate(kind.table(), Operation::Update, &params)
                    .map_err(Refused::Invalid)?;
                let object = objects::update(account, *kind, id, typed).map_err(rule)?;
                Ok((*objects::render(account, *kind, &object, &expand)).clone())
            }
            Route::Retrieve(kind, id) => {
                if let Some(name) = params.keys().next() {
                    return Err(Refused::Invalid(ApiError::unknown_param(name)));
                }
                let object = objects::retrieve(account, *kind, id).map_err(rule)?;
                Ok((*objects::render(account, *kind, object, &expand)).clone())
            }
            Route::Delete(kind, id) => {
                if let Some(name) = params.keys().next() {
                    return Err(Refused::Invalid(ApiError::unknown_param(name)));
                }
                objects::delete(account, *kind, id).map_err(rule)
            }
            Route::List(kind) => {
                if !expand.is_empty() {
                    params.insert(
                        "expand".into(),
                        Value::Array(expand.into_iter().map(Value::String).collect()),
                    );
                }
                let request = ListRequest::parse(*kind, params).map_err(Refused::Invalid)?;
                list::page(account, *kind, &request).map_err(Refused::Invalid)
            }
            // Answered before the account is reached; kept total rather than panicking.
            Route::Stats | Route::StatsReset | Route::Unrecognized => Err(Refused::Invalid(
                ApiError::unrecognized_url(self.method.as_str(), self.uri.path()),
            )),
        }
    }
}

/// Any test-mode secret or restricted key, as `Bearer KEY` or basic auth with the key as the
/// user (what the SDKs send). The key is never echoed: errors show its prefix and last four.
fn authenticate(headers: &HeaderMap) -> Result<(), ApiError> {
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
        None => Err(ApiError::unauthorized(
            "You did not provide an API key. You need to provide your API key in the \
             Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
             YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or \
             we can help at https://support.stripe.com/."
                .to_owned(),
        )),
        Some(key) if key.is_empty() => Err(ApiError::unauthorized(
            "You did not provide an API key.".to_owned(),
        )),
        Some(key) if key.starts_with("sk_test_") || key.starts_with("rk_test_") => Ok(()),
        Some(key) => Err(ApiError::unauthorized(format!(
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

    #[test]
    fn basic_auth_decodes_the_key_as_user() {
        assert_eq!(
            decode_base64("c2tfdGVzdF94eXo6").unwrap(),
            b"sk_test_xyz:".to_vec()
        );
    }

    #[test]
    fn redaction_keeps_prefix_and_last_four_only() {
        assert_eq!(redact("sk_live_0123456789abcdef"), "sk_live_…cdef");
        assert_eq!(redact("short"), "***");
    }
}
