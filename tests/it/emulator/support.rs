//! A small client for the emulator tests: starts an emulator on 127.0.0.1:0, sends form posts
//! in Stripe's bracket notation with a test key, and checks error bodies exactly.

use std::net::SocketAddr;

use billingctl::emulator::EmulatorKnobs;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub const KEY: &str = "sk_test_emulator_tests_0000";

/// An emulator and a client for it.
pub struct Emu {
    pub handle: EmulatorHandle,
    pub client: reqwest::Client,
}

/// An answer: status, headers and the JSON body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `body["id"]` as a string.
    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .unwrap_or_else(|| panic!("no id in {}", self.body))
            .to_owned()
    }

    /// Asserts a 200.
    #[track_caller]
    pub fn ok(self) -> Answer {
        assert_eq!(self.status, 200, "expected 200, got {}", self.body);
        self
    }

    /// Asserts the status and the exact error object (`request_log_url` aside, which names
    /// the request).
    #[track_caller]
    pub fn error(&self, status: u16, expected: Value) {
        assert_eq!(self.status, status, "body: {}", self.body);
        let mut error = self.body["error"].clone();
        let log_url = error
            .as_object_mut()
            .and_then(|e| e.remove("request_log_url"))
            .unwrap_or_default();
        assert!(
            log_url.as_str().unwrap_or_default().contains("req_"),
            "request_log_url names the request: {log_url}"
        );
        assert_eq!(error, expected);
    }

    /// Asserts a 400 `invalid_request_error` with this code, param and message.
    #[track_caller]
    pub fn invalid(&self, code: Option<&str>, param: Option<&str>, message: &str) {
        let mut expected =
            serde_json::json!({ "message": message, "type": "invalid_request_error" });
        if let Some(code) = code {
            expected["code"] = code.into();
            expected["doc_url"] = format!(
                "https://stripe.com/docs/error-codes/{}",
                code.replace('_', "-")
            )
            .into();
        }
        if let Some(param) = param {
            expected["param"] = param.into();
        }
        self.error(400, expected);
    }

    /// Asserts "Received unknown parameter: X".
    #[track_caller]
    pub fn unknown(&self, param: &str) {
        self.invalid(
            Some("parameter_unknown"),
            Some(param),
            &format!("Received unknown parameter: {param}"),
        );
    }
}

impl Emu {
    pub fn start() -> Emu {
        Emu::with(crate::support::emulator_options())
    }

    pub fn with_knobs(knobs: EmulatorKnobs) -> Emu {
        Emu::with(EmulatorOptions {
            knobs,
            ..crate::support::emulator_options()
        })
    }

    pub fn with(options: EmulatorOptions) -> Emu {
        let addr: SocketAddr = "127.0.0.1:0".parse().expect("an address");
        Emu {
            handle: start(options, addr).expect("the emulator starts"),
            client: reqwest::Client::new(),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.handle.base_url())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(reqwest::Method::POST, path, form, None).await
    }

    pub async fn post_idempotent(&self, path: &str, form: &[(&str, &str)], key: &str) -> Answer {
        self.send(reqwest::Method::POST, path, form, Some(key))
            .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, &[], None).await
    }

    pub async fn delete(&self, path: &str) -> Answer {
        self.send(reqwest::Method::DELETE, path, &[], None).await
    }

    /// Any request, with the test key.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Answer {
        self.send_as(None, method, path, form, idempotency_key)
            .await
    }

    /// Any request, with the test key, as the connected account `account` (`Stripe-Account`)
    /// or as the platform (`None`).
    pub async fn send_as(
        &self,
        account: Option<&str>,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, self.url(path))
            .bearer_auth(KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(encode(form));
        if let Some(key) = idempotency_key {
            request = request.header("idempotency-key", key);
        }
        if let Some(account) = account {
            request = request.header("stripe-account", account);
        }
        answer(request.send().await.expect("the emulator answers")).await
    }

    /// Creates a connected account (`type=standard`) and returns its id.
    pub async fn account(&self) -> String {
        self.post("/v1/accounts", &[("type", "standard")])
            .await
            .ok()
            .id()
    }

    /// Requests made as the connected account `account`.
    pub fn on<'e>(&'e self, account: &'e str) -> On<'e> {
        On { emu: self, account }
    }

    /// Creates a product and returns its id.
    pub async fn product(&self, id: &str) -> String {
        self.post("/v1/products", &[("id", id), ("name", id)])
            .await
            .ok()
            .id()
    }

    /// Creates a monthly EUR price with a lookup key and returns its id.
    pub async fn price(&self, product: &str, lookup_key: &str) -> String {
        self.post(
            "/v1/prices",
            &[
                ("product", product),
                ("currency", "eur"),
                ("unit_amount", "900"),
                ("recurring[interval]", "month"),
                ("lookup_key", lookup_key),
            ],
        )
        .await
        .ok()
        .id()
    }

    /// Creates a 25 % off coupon with this id.
    pub async fn coupon(&self, id: &str) -> String {
        self.post(
            "/v1/coupons",
            &[("id", id), ("percent_off", "25"), ("duration", "once")],
        )
        .await
        .ok()
        .id()
    }
}

/// An emulator seen by one connected account: every request carries its `Stripe-Account`.
pub struct On<'e> {
    emu: &'e Emu,
    account: &'e str,
}

impl On<'_> {
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send(reqwest::Method::POST, path, form, None).await
    }

    pub async fn post_idempotent(&self, path: &str, form: &[(&str, &str)], key: &str) -> Answer {
        self.send(reqwest::Method::POST, path, form, Some(key))
            .await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, &[], None).await
    }

    async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        form: &[(&str, &str)],
        idempotency_key: Option<&str>,
    ) -> Answer {
        self.emu
            .send_as(Some(self.account), method, path, form, idempotency_key)
            .await
    }

    /// Creates a product and returns its id.
    pub async fn product(&self, id: &str) -> String {
        self.post("/v1/products", &[("id", id), ("name", id)])
            .await
            .ok()
            .id()
    }

    /// Creates a monthly EUR price with a lookup key and returns its id.
    pub async fn price(&self, product: &str, lookup_key: &str) -> String {
        self.post(
            "/v1/prices",
            &[
                ("product", product),
                ("currency", "eur"),
                ("unit_amount", "900"),
                ("recurring[interval]", "month"),
                ("lookup_key", lookup_key),
            ],
        )
        .await
        .ok()
        .id()
    }
}

pub async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let text = response.text().await.expect("a complete body");
    let body = serde_json::from_str(&text).unwrap_or_else(|_| panic!("JSON body: {text}"));
    Answer {
        status,
        headers,
        body,
    }
}

/// `application/x-www-form-urlencoded`, keys kept as written (brackets escaped).
pub fn encode(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", escape(k), escape(v)))
        .collect::<Vec<_>>()
        .join("&")
}

pub fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
