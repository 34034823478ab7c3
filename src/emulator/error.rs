//! Errors in Stripe's shape: `{"error": {"type", "code", "param", "message", "doc_url"}}` with
//! the HTTP status Stripe uses for them. Every handler returns these; nothing else in the
//! emulator writes an error body.

use serde_json::{json, Map, Value};

/// One API error, as Stripe reports it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ErrorResponse {
    pub status: u16,
    pub kind: &'static str,
    pub code: Option<&'static str>,
    pub param: Option<String>,
    pub message: String,
}

impl ErrorResponse {
    /// A 400 `invalid_request_error`.
    pub fn invalid(code: Option<&'static str>, param: Option<&str>, message: String) -> Self {
        ErrorResponse {
            status: 400,
            kind: "invalid_request_error",
            code,
            param: param.map(str::to_owned),
            message,
        }
    }

    /// A 400 about one param, with no error code (wrong type, bad enum, ...).
    pub fn param(param: &str, message: String) -> Self {
        Self::invalid(None, Some(param), message)
    }

    /// "Received unknown parameter: X" — also what an immutable param sent to update gets.
    pub fn unknown_param(param: &str) -> Self {
        Self::invalid(
            Some("parameter_unknown"),
            Some(param),
            format!("Received unknown parameter: {param}"),
        )
    }

    /// "Missing required param: X."
    pub fn missing_param(param: &str) -> Self {
        Self::invalid(
            Some("parameter_missing"),
            Some(param),
            format!("Missing required param: {param}."),
        )
    }

    /// An id that names nothing: 404 from a path, 400 when it came in a param.
    pub fn no_such(noun: &str, id: &str, param: &str, status: u16) -> Self {
        ErrorResponse {
            status,
            ..Self::invalid(
                Some("resource_missing"),
                Some(param),
                format!("No such {noun}: '{id}'"),
            )
        }
    }

    /// A custom id or a unique value already taken.
    pub fn already_exists(param: &str, message: String) -> Self {
        Self::invalid(Some("resource_already_exists"), Some(param), message)
    }

    /// The idempotency key was first used with other parameters.
    pub fn idempotency_mismatch(key: &str) -> Self {
        ErrorResponse {
            status: 400,
            kind: "idempotency_error",
            code: None,
            param: None,
            message: format!(
                "Keys for idempotent requests can only be used with the same parameters they \
                 were first used with. Try using a key other than '{key}' if you meant to \
                 execute a different request."
            ),
        }
    }

    /// 429, from the rate limit knobs.
    pub fn rate_limited() -> Self {
        ErrorResponse {
            status: 429,
            ..Self::invalid(
                Some("rate_limit"),
                None,
                "Request rate limit exceeded. You can learn more about rate limits here \
                 https://stripe.com/docs/rate-limits."
                    .to_owned(),
            )
        }
    }

    /// 500 `api_error`, from the `error_rate` knob.
    pub fn internal() -> Self {
        ErrorResponse {
            status: 500,
            kind: "api_error",
            code: None,
            param: None,
            message: "An unknown error occurred while processing your request (emulated fault)."
                .to_owned(),
        }
    }

    /// 401 for a missing or non-test key. The key itself is never echoed.
    pub fn unauthorized(message: String) -> Self {
        ErrorResponse {
            status: 401,
            kind: "invalid_request_error",
            code: None,
            param: None,
            message,
        }
    }

    /// 403 for a `Stripe-Account` (or a `/v1/accounts/{id}`) that names no account of the
    /// platform. The message is Stripe's, as quoted in letsrevel/revel-backend issue #694
    /// (a `stripe.Account.retrieve` of an id the key cannot reach), where stripe-python
    /// raises it as `PermissionError`: its class for HTTP 403. Stripe documents that an id
    /// in a `/v1/accounts/{id}` path stands for the `Stripe-Account` header ("Making API
    /// calls for connected accounts"), so both answer alike. The code is `account_invalid`,
    /// which Stripe's error-code list describes as "The account ID provided as a value for
    /// the Stripe-Account header is invalid"; the type is `invalid_request_error`, the only
    /// one of Stripe's documented error types that fits. `key` comes redacted: Stripe masks
    /// the key in this message too.
    pub fn account_invalid(key: &str, account: &str) -> Self {
        ErrorResponse {
            status: 403,
            kind: "invalid_request_error",
            code: Some("account_invalid"),
            param: None,
            message: format!(
                "The provided key '{key}' does not have access to account '{account}' (or \
                 that account does not exist). Application access may have been revoked."
            ),
        }
    }

    /// A connected account (a request with `Stripe-Account`) asking for `/v1/accounts`: the
    /// platform cannot reach the connected accounts of its connected accounts. Stripe's text,
    /// from stripe/stripe-apps issue #846 (a Stripe engineer there: "Stripe has historically
    /// blocked access to the connected accounts of your connects accounts"). Its status is not
    /// quoted anywhere we found: 403, as Stripe answers its other Connect permission refusals
    /// ("Only Stripe Connect platforms can work with other accounts", stripe-apps #505).
    pub fn connected_accounts_of_connected() -> Self {
        ErrorResponse {
            status: 403,
            kind: "invalid_request_error",
            code: None,
            param: None,
            message: "You cannot access the connected accounts of your platform's connected \
                      accounts."
                .to_owned(),
        }
    }

    /// 404 for a path Stripe does not serve (or a method it does not take there).
    pub fn unrecognized_url(method: &str, path: &str) -> Self {
        ErrorResponse {
            status: 404,
            kind: "invalid_request_error",
            code: None,
            param: None,
            message: format!(
                "Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs \
                 or we can help at https://support.stripe.com/."
            ),
        }
    }

    /// The response body, `{"error": {...}}`, with `request_log_url` for this request.
    pub fn body(&self, request_id: &str) -> Value {
        let mut error = Map::new();
        if let Some(code) = self.code {
            error.insert("code".into(), code.into());
            error.insert(
                "doc_url".into(),
                format!(
                    "https://stripe.com/docs/error-codes/{}",
                    code.replace('_', "-")
                )
                .into(),
            );
        }
        error.insert("message".into(), self.message.clone().into());
        if let Some(param) = &self.param {
            error.insert("param".into(), param.clone().into());
        }
        error.insert(
            "request_log_url".into(),
            format!("https://dashboard.stripe.com/test/logs/{request_id}").into(),
        );
        error.insert("type".into(), self.kind.into());
        json!({ "error": error })
    }
}
