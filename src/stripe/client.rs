//! The HTTP client for Stripe's API (or any Stripe-compatible server, such as the emulator).
//!
//! One [`Client`] is shared (cheaply cloned) by every task of a run, so they all share one
//! connection pool, one rate limiter and one concurrency bound. Each call is one logical
//! request: the client paces it, sends it, and retries it under the [`RetryPolicy`]; a POST
//! carries one `Idempotency-Key` for all its attempts, so a write whose answer was lost is
//! replayed by Stripe, never done twice. Every request sends the API key as a bearer token,
//! `Stripe-Version` ([`API_VERSION`](crate::stripe::API_VERSION)) and form-encoded parameters.
//!
//! Connect: [`Client::for_account`] gives a client that acts as one connected account of the
//! platform whose key this is: every request it sends (retries included) carries
//! `Stripe-Account: acct_…`. It shares the platform client's connection pool and key, and
//! paces on its own, as Stripe limits each account on its own; a [`SharedLimit`] handed to
//! several of them bounds what they send together.
//!
//! ```no_run
//! # async fn demo() -> Result<(), billingctl::stripe::Error> {
//! use billingctl::stripe::{ApiKey, Client, ClientConfig};
//! let key = ApiKey::new("sk_test_…".into()).expect("a valid key");
//! let client = Client::new(ClientConfig::new("https://api.stripe.com", key))?;
//! let prices = client.list_all("/v1/prices", &serde_json::Map::new()).await?;
//! let mut params = serde_json::Map::new();
//! params.insert("name".into(), "Basic".into());
//! let product = client.post("/v1/products", &params).await?;
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use reqwest::Method;
use serde_json::{Map, Value};

use super::api_key::{ApiKey, KeyMode};
use super::error::{snippet, ApiError, Error};
use super::form;
use super::pacing::{self, Pacer, PacingConfig, SharedLimit};
use super::retry::{self, Outcome, RetryPolicy};
use super::API_VERSION;
use crate::compact::Json;

/// Stripe's SDKs give up on a connection after about this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Stripe's SDKs wait this long for an answer (stripe-python: 80 s).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(80);
/// The largest page Stripe serves.
const PAGE_LIMIT: u64 = 100;

/// Everything a client needs; see [`ClientConfig::new`] for the defaults.
#[derive(Clone, Debug)]
pub struct ClientConfig {
    /// `https://api.stripe.com`, or an emulator's `http://127.0.0.1:PORT`. Paths such as
    /// `/v1/prices` are appended to it.
    pub base_url: String,
    pub api_key: ApiKey,
    /// Request starts per second over all endpoints (Stripe allows 25 in test mode, 100 in
    /// live mode).
    pub max_rps: u32,
    /// Request starts per second of one named operation, e.g. `POST /v1/promotion_codes`
    /// (Stripe: 25 unless stated otherwise).
    pub endpoint_rps: u32,
    /// The most requests in flight at once: a cap; the window itself follows the measured
    /// round trip and the rate (`pacing::Window`).
    pub concurrency: usize,
    pub retry: RetryPolicy,
}

impl ClientConfig {
    /// Stripe's limits for the key's mode (25 req/s test, 100 live; 25 per endpoint), at most
    /// 64 in flight, and the default retry policy.
    pub fn new(base_url: impl Into<String>, api_key: ApiKey) -> Self {
        let max_rps = default_max_rps(api_key.mode());
        Self {
            base_url: base_url.into(),
            api_key,
            max_rps,
            endpoint_rps: pacing::DEFAULT_ENDPOINT_RPS,
            concurrency: pacing::DEFAULT_CONCURRENCY_CAP,
            retry: RetryPolicy::default(),
        }
    }
}

/// Stripe's documented rate limit for a key mode.
pub fn default_max_rps(mode: KeyMode) -> u32 {
    match mode {
        KeyMode::Test => 25,
        KeyMode::Live => 100,
    }
}

/// Counters since the client was built, over all its clones.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ClientStats {
    /// HTTP requests sent, retries included.
    pub requests: u64,
    /// Of those, the retries.
    pub retries: u64,
    /// 429 answers received.
    pub rate_limited: u64,
    /// The account-wide target rate. A 429 lowers only its endpoint's rate
    /// ([`Client::rate`]), so this stays at the configured one.
    pub current_rps: f64,
}

/// A Stripe API client. Clones share the connection pool, the pacing and the counters.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base_url: String,
    api_key: ApiKey,
    retry: RetryPolicy,
    pacer: Pacer,
    requests: AtomicU64,
    retries: AtomicU64,
    rate_limited: AtomicU64,
    /// `--verbose`: print each exchange on stderr (method, path, status, time, request id).
    verbose: AtomicBool,
    /// The connected account every request acts as (`Stripe-Account`), if any.
    account: Option<Account>,
    /// A cap this client shares with others (a platform's, over its accounts).
    shared: Option<SharedLimit>,
    /// Whether the server has answered at least once. Until it has, a refused connection is
    /// a wrong address or a server that is not up, and retrying it for 20 s only hides that.
    answered: AtomicBool,
}

/// A connected account's id, and the `Stripe-Account` header that names it.
struct Account {
    id: String,
    header: HeaderValue,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &self.inner.api_key)
            .field("account", &self.account())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the client: TLS (rustls), keep-alive pool, timeouts and default headers.
    pub fn new(config: ClientConfig) -> Result<Self, Error> {
        let base_url = config.base_url.trim_end_matches('/').to_string();
        let parsed = reqwest::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("base URL `{base_url}`: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::Config(format!(
                "base URL `{base_url}` must start with https:// (or http:// for a local emulator)"
            )));
        }
        if config.max_rps == 0 {
            return Err(Error::Config("max_rps must be at least 1".into()));
        }
        if config.endpoint_rps == 0 {
            return Err(Error::Config("endpoint_rps must be at least 1".into()));
        }
        if config.concurrency == 0 {
            return Err(Error::Config("concurrency must be at least 1".into()));
        }
        if config.retry.max_attempts == 0 {
            return Err(Error::Config(
                "retry.max_attempts must be at least 1".into(),
            ));
        }
        let mut auth = HeaderValue::from_str(&format!("Bearer {}", config.api_key.expose()))
            .map_err(|_| Error::Config("the API key is not a valid header value".into()))?;
        // Keeps the header out of hyper's and reqwest's debug output.
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth);
        headers.insert("Stripe-Version", HeaderValue::from_static(API_VERSION));
        let http = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("billingctl/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(REQUEST_TIMEOUT)
            .pool_idle_timeout(Duration::from_secs(90))
            .tcp_keepalive(Duration::from_secs(60))
            .tcp_nodelay(true)
            .build()
            .map_err(|e| Error::Config(format!("building the HTTP client: {e}")))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                base_url,
                api_key: config.api_key,
                retry: config.retry,
                pacer: Pacer::new(PacingConfig {
                    max_rps: config.max_rps,
                    endpoint_rps: config.endpoint_rps,
                    max_concurrency: config.concurrency,
                }),
                requests: AtomicU64::new(0),
                retries: AtomicU64::new(0),
                rate_limited: AtomicU64::new(0),
                verbose: AtomicBool::new(false),
                answered: AtomicBool::new(false),
                account: None,
                shared: None,
            }),
        })
    }

    /// A client acting as the connected account `account` (`acct_…`) of this client's
    /// platform: every request it sends, retries included, carries `Stripe-Account: account`.
    /// It shares this client's connection pool, key, base URL and retry policy; it has pacing
    /// of its own (this client's limits, its own rate buckets and windows: Stripe limits each
    /// account on its own) and counters of its own ([`Client::stats`]). `shared`, if given,
    /// also bounds its requests together with every other client holding the same cap.
    pub fn for_account(&self, account: &str, shared: Option<&SharedLimit>) -> Result<Self, Error> {
        let header = HeaderValue::from_str(account)
            .ok()
            .filter(|_| !account.trim().is_empty())
            .ok_or_else(|| {
                Error::Config(format!(
                    "`{account}` is not a connected account id (acct_…)"
                ))
            })?;
        let inner = &*self.inner;
        Ok(Self {
            inner: Arc::new(Inner {
                http: inner.http.clone(),
                base_url: inner.base_url.clone(),
                api_key: inner.api_key.clone(),
                retry: inner.retry.clone(),
                pacer: Pacer::new(inner.pacer.config().clone()),
                requests: AtomicU64::new(0),
                retries: AtomicU64::new(0),
                rate_limited: AtomicU64::new(0),
                verbose: AtomicBool::new(inner.verbose.load(Ordering::Relaxed)),
                // The same server: if it answered the platform, it is up.
                answered: AtomicBool::new(inner.answered.load(Ordering::Relaxed)),
                account: Some(Account {
                    id: account.to_owned(),
                    header,
                }),
                shared: shared.cloned(),
            }),
        })
    }

    /// The connected account this client acts as (`None`: the platform itself).
    pub fn account(&self) -> Option<&str> {
        self.inner
            .account
            .as_ref()
            .map(|account| account.id.as_str())
    }

    /// `--verbose`: print each exchange on stderr. The key is never printed: the lines carry
    /// the method, path, status, duration and Stripe's request id only.
    pub fn set_verbose(&self, verbose: bool) {
        self.inner.verbose.store(verbose, Ordering::Relaxed);
    }

    /// The base URL requests go to (no trailing slash).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The key's mode (test or live).
    pub fn key_mode(&self) -> KeyMode {
        self.inner.api_key.mode()
    }

    /// `GET path?query`: a retrieve or one list page. Retried freely (reads are idempotent).
    pub async fn get(&self, path: &str, query: &Map<String, Value>) -> Result<Value, Error> {
        self.execute(Method::GET, &with_query(path, query), None)
            .await
    }

    /// One logical write: one `Idempotency-Key` (a UUID v4), reused on every retry of it, so a
    /// write Stripe committed but whose answer was lost is replayed, not repeated.
    pub async fn post(&self, path: &str, params: &Map<String, Value>) -> Result<Value, Error> {
        let body = Post {
            form: form::encode(params),
            idempotency_key: uuid::Uuid::new_v4().to_string(),
        };
        self.execute(Method::POST, path, Some(&body)).await
    }

    /// `DELETE path`: only a product's feature attachment (`plan::Action::Detach`). No body
    /// and no idempotency key (Stripe takes none on a DELETE).
    pub async fn delete(&self, path: &str) -> Result<Value, Error> {
        self.execute(Method::DELETE, path, None).await
    }

    /// Every object of a list endpoint: pages of `limit=100` following `starting_after`
    /// until `has_more` is false. `filters` are the endpoint's list filters (`active`, …).
    /// The objects are held compact (`compact::Json`): a big account's lists are most of
    /// what a plan reads and holds.
    pub async fn list_all(
        &self,
        path: &str,
        filters: &Map<String, Value>,
    ) -> Result<Vec<Json>, Error> {
        let mut query = filters.clone();
        query.insert("limit".into(), PAGE_LIMIT.into());
        query.remove("starting_after");
        let mut objects = Vec::new();
        loop {
            let page: Json = self
                .execute(Method::GET, &with_query(path, &query), None)
                .await?;
            let decode = |message: &str| Error::Decode {
                what: format!("GET {path}"),
                message: message.to_string(),
            };
            let has_more = page.get("has_more").and_then(Json::as_bool);
            // Taken, not copied.
            let data = match page {
                Json::Object(mut fields) => fields.remove("data"),
                _ => None,
            };
            let Some(Json::Array(data)) = data else {
                return Err(decode("a list has no `data` array"));
            };
            let last_id = data
                .last()
                .and_then(|o| o.get("id"))
                .and_then(Json::as_str)
                .map(str::to_string);
            objects.extend(data.into_vec());
            let has_more = has_more.unwrap_or(false);
            if !has_more {
                return Ok(objects);
            }
            let cursor = last_id
                .ok_or_else(|| decode("`has_more` is true but the page has no last object id"))?;
            query.insert("starting_after".into(), Value::String(cursor));
        }
    }

    /// The most requests this client ever has in flight (`ClientConfig::concurrency`): more
    /// started at once only wait inside the pacer.
    pub fn max_in_flight(&self) -> usize {
        self.inner.pacer.max_in_flight()
    }

    /// How many requests of the named operation `method path` may be in flight now, and how
    /// many over all endpoints (the adaptive windows): what a scheduler keeps started.
    pub fn windows(&self, method: &str, path: &str) -> (usize, usize) {
        self.inner.pacer.windows(&pacing::endpoint(method, path))
    }

    /// The current target rate of the named operation `method path`, in requests per
    /// second: its configured rate, lowered after 429s on it and recovering from there.
    pub fn rate(&self, method: &str, path: &str) -> f64 {
        self.inner
            .pacer
            .endpoint_rps(&pacing::endpoint(method, path))
    }

    /// Counters over every clone of this client.
    pub fn stats(&self) -> ClientStats {
        ClientStats {
            requests: self.inner.requests.load(Ordering::Relaxed),
            retries: self.inner.retries.load(Ordering::Relaxed),
            rate_limited: self.inner.rate_limited.load(Ordering::Relaxed),
            current_rps: self.inner.pacer.rps(),
        }
    }

    /// Sends one logical request, retrying under the policy.
    async fn execute<T: Body>(
        &self,
        method: Method,
        target: &str,
        post: Option<&Post>,
    ) -> Result<T, Error> {
        let inner = &*self.inner;
        let url = format!("{}{}", inner.base_url, target);
        let started = Instant::now();
        let endpoint = pacing::endpoint(method.as_str(), target);
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let answer = {
                let mut permit = inner.pacer.acquire(&endpoint).await;
                // The shared cap last: waiting for it holds this account's place only.
                let _shared = match &inner.shared {
                    Some(shared) => Some(shared.acquire().await),
                    None => None,
                };
                inner.requests.fetch_add(1, Ordering::Relaxed);
                if attempts > 1 {
                    inner.retries.fetch_add(1, Ordering::Relaxed);
                }
                permit.start().await;
                let sent = Instant::now();
                let answer = self.send_once(&method, &url, post).await;
                // The round trip and the 429s steer this endpoint's rate and window.
                match &answer {
                    Ok(answer) if answer.status == 429 => permit.throttled(),
                    Ok(_) => permit.answered(),
                    Err(_) => {}
                }
                if inner.verbose.load(Ordering::Relaxed) {
                    let took = sent.elapsed().as_millis();
                    let acting = self
                        .account()
                        .map(|id| format!("{id}: "))
                        .unwrap_or_default();
                    match &answer {
                        Ok(a) => crate::eoutln!(
                            "{acting}{method} {target} -> {} in {took} ms [{}]",
                            a.status,
                            a.request_id.as_deref().unwrap_or("no request id")
                        ),
                        Err(failure) => {
                            crate::eoutln!(
                                "{acting}{method} {target} -> {} in {took} ms",
                                failure.message
                            );
                        }
                    }
                }
                answer
            };
            let (outcome, retry_after, failure) = match answer {
                Ok(Answer {
                    status,
                    body,
                    request_id,
                    should_retry,
                    retry_after,
                }) => {
                    inner.answered.store(true, Ordering::Relaxed);
                    if (200..300).contains(&status) {
                        return T::decode(&body).map_err(|e| Error::Decode {
                            what: self.scrub(&format!("{method} {target}")),
                            message: self.scrub(&format!("{e}: {}", snippet(&body))),
                        });
                    }
                    if status == 429 {
                        inner.rate_limited.fetch_add(1, Ordering::Relaxed);
                    }
                    let mut error = ApiError::from_response(status, &body, request_id);
                    // Every field is server text: any of them may echo the key.
                    error.message = self.scrub(&error.message);
                    error.kind = self.scrub(&error.kind);
                    error.code = error.code.map(|text| self.scrub(&text));
                    error.param = error.param.map(|text| self.scrub(&text));
                    error.request_id = error.request_id.map(|text| self.scrub(&text));
                    let outcome = Outcome::Status {
                        status,
                        should_retry,
                    };
                    (outcome, retry_after, Failure::Api(error))
                }
                Err(NetworkFailure { message, refused }) => {
                    if refused && !inner.answered.load(Ordering::Relaxed) {
                        // Fail fast: nothing has ever answered at this address.
                        return Err(Error::Network {
                            message: format!(
                                "cannot connect to {}: {message}. Is the address right \
                                 (--api-base) and the server running? (not retried: nothing \
                                 has answered there yet)",
                                inner.base_url
                            ),
                            attempts,
                        });
                    }
                    (Outcome::Network, None, Failure::Network(message))
                }
            };
            let delay = inner
                .retry
                .delay(attempts, retry_after, &mut rand::thread_rng());
            let again = retry::is_retryable(outcome)
                && inner
                    .retry
                    .allows_another(attempts, started.elapsed(), delay);
            tracing::debug!(
                %method, path = target, attempts, ?outcome, again,
                "stripe request failed"
            );
            if !again {
                return Err(match failure {
                    Failure::Api(error) => Error::Api {
                        error: Box::new(error),
                        attempts,
                    },
                    Failure::Network(message) => Error::Network { message, attempts },
                });
            }
            tokio::time::sleep(delay).await;
        }
    }

    /// One HTTP exchange. `Err` is a network failure, already described and scrubbed.
    async fn send_once(
        &self,
        method: &Method,
        url: &str,
        post: Option<&Post>,
    ) -> Result<Answer, NetworkFailure> {
        let mut request = self.inner.http.request(method.clone(), url);
        if let Some(account) = &self.inner.account {
            request = request.header("Stripe-Account", account.header.clone());
        }
        if let Some(post) = post {
            request = request
                .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header("Idempotency-Key", &post.idempotency_key)
                .body(post.form.clone());
        }
        let response = request.send().await.map_err(|e| NetworkFailure {
            message: self.describe(&e),
            refused: e.is_connect(),
        })?;
        let status = response.status().as_u16();
        let headers = response.headers();
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let request_id = header("request-id");
        let should_retry = retry::parse_should_retry(header("stripe-should-retry").as_deref());
        let retry_after = header(RETRY_AFTER.as_str())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        // A body cut off mid-way is a network failure like any other: retried.
        let body = response.bytes().await.map_err(|e| NetworkFailure {
            message: self.describe(&e),
            refused: false,
        })?;
        Ok(Answer {
            status,
            body: body.to_vec(),
            request_id,
            should_retry,
            retry_after,
        })
    }

    /// A network error with its causes, on one line, the key scrubbed out.
    fn describe(&self, error: &reqwest::Error) -> String {
        let mut text = if error.is_timeout() {
            "timed out".to_string()
        } else {
            error.to_string()
        };
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            let cause_text = cause.to_string();
            if !text.contains(&cause_text) {
                text.push_str(": ");
                text.push_str(&cause_text);
            }
            source = cause.source();
        }
        self.scrub(&text)
    }

    /// A server may echo the key back in any text; it goes no further than here. (Output
    /// is redacted again on the way out, by `crate::redact`, for text that never came here.)
    fn scrub(&self, text: &str) -> String {
        let key = self.inner.api_key.expose();
        crate::redact::redact(&text.replace(key, &self.inner.api_key.redacted())).into_owned()
    }
}

/// A POST's body and its idempotency key, fixed for all attempts.
struct Post {
    form: String,
    idempotency_key: String,
}

/// An exchange that got no answer. `refused`: the connection itself failed (refused, no
/// route, DNS), as opposed to one dropped or timed out after it was made.
struct NetworkFailure {
    message: String,
    refused: bool,
}

/// What came back from one exchange.
struct Answer {
    status: u16,
    body: Vec<u8>,
    request_id: Option<String>,
    should_retry: Option<bool>,
    retry_after: Option<Duration>,
}

/// The last attempt's failure, before the attempt count is attached.
enum Failure {
    Api(ApiError),
    Network(String),
}

/// `path?query`, form-encoded; `path` alone when there is no query.
fn with_query(path: &str, query: &Map<String, Value>) -> String {
    let encoded = form::encode(query);
    if encoded.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{encoded}")
    }
}

/// What a response body decodes into: a `Value` for a write's answer, compact objects for
/// the pages of a list. Both go through the one decoder (`compact::from_str`); a `Value` is
/// made from its tree, every map sized to its entries.
trait Body: Sized {
    fn decode(body: &[u8]) -> Result<Self, String>;
}

impl Body for Json {
    /// The body is checked as UTF-8 once, whole, so that the parser reads its strings
    /// without checking each again (per-string checks were 7 % of decoding a list page,
    /// issue 13).
    fn decode(body: &[u8]) -> Result<Json, String> {
        let text = std::str::from_utf8(body).map_err(|e| e.to_string())?;
        crate::compact::from_str(text).map_err(|e| e.to_string())
    }
}

impl Body for Value {
    fn decode(body: &[u8]) -> Result<Value, String> {
        Json::decode(body).map(|json| json.to_value())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ApiKey {
        ApiKey::new("sk_test_0123456789abcdefghijWXYZ".into()).unwrap()
    }

    #[test]
    fn defaults_follow_the_key_mode() {
        let config = ClientConfig::new("https://api.stripe.com", key());
        assert_eq!(config.max_rps, 25);
        let live = ApiKey::new("sk_live_0123456789abcdefghijWXYZ".into()).unwrap();
        assert_eq!(ClientConfig::new("https://x", live).max_rps, 100);
    }

    #[test]
    fn an_https_client_builds_with_rustls() {
        let client = Client::new(ClientConfig::new("https://api.stripe.com/", key())).unwrap();
        assert_eq!(client.base_url(), "https://api.stripe.com");
        assert_eq!(client.key_mode(), KeyMode::Test);
    }

    #[test]
    fn bad_configurations_are_refused_without_the_key() {
        let mut config = ClientConfig::new("ftp://example", key());
        let err = Client::new(config.clone()).unwrap_err().to_string();
        assert!(err.contains("must start with https://"), "{err}");
        config.base_url = "http://127.0.0.1:1".into();
        config.max_rps = 0;
        let err = Client::new(config).unwrap_err().to_string();
        assert!(err.contains("max_rps"), "{err}");
        assert!(!err.contains("0123456789"), "{err}");
    }

    #[test]
    fn debug_of_a_client_and_its_config_redacts_the_key() {
        let config = ClientConfig::new("http://127.0.0.1:9/", key());
        let shown = format!("{config:?} {config:#?}");
        assert!(shown.contains("sk_test_…WXYZ"), "{shown}");
        assert!(!shown.contains("0123456789"), "{shown}");
        let client = Client::new(config).unwrap();
        let shown = format!("{client:?} {client:#?}");
        assert!(shown.contains("sk_test_…WXYZ"), "{shown}");
        assert!(!shown.contains("0123456789"), "{shown}");
        assert_eq!(client.base_url(), "http://127.0.0.1:9");
    }

    #[test]
    fn a_connected_accounts_client_names_its_account_and_refuses_a_bad_one() {
        let platform = Client::new(ClientConfig::new("http://127.0.0.1:9", key())).unwrap();
        assert_eq!(platform.account(), None);
        let connected = platform.for_account("acct_1", None).unwrap();
        assert_eq!(connected.account(), Some("acct_1"));
        assert_eq!(connected.base_url(), platform.base_url());
        let shown = format!("{connected:?}");
        assert!(
            shown.contains("acct_1") && !shown.contains("0123456789"),
            "{shown}"
        );
        for bad in ["", "acct\n1"] {
            let err = platform.for_account(bad, None).unwrap_err().to_string();
            assert!(err.contains("is not a connected account id"), "{err}");
        }
    }

    #[test]
    fn scrub_removes_an_echoed_key() {
        let client = Client::new(ClientConfig::new("http://127.0.0.1:9", key())).unwrap();
        let echoed = format!("Invalid API Key provided: {}", key().expose());
        assert_eq!(
            client.scrub(&echoed),
            "Invalid API Key provided: sk_test_…WXYZ"
        );
    }
}
