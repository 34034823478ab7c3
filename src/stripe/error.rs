//! What can go wrong talking to Stripe, as data.
//!
//! [`ApiError`] is Stripe's error object (`{"error": {type, code, param, message}}`) plus the
//! HTTP status and the `Request-Id`; [`Error`] adds how many attempts the client made. The
//! caller names the object: "creating price `plus_yearly`: Stripe 400 …". None of these types
//! can hold the API key: the client scrubs it from any text a server sends back.

use std::fmt;

use serde_json::Value;

/// Stripe's error object for one failed request.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ApiError {
    /// The HTTP status, e.g. 400, 404, 429, 500.
    pub status: u16,
    /// `error.type`: `invalid_request_error`, `api_error`, `idempotency_error`, …
    pub kind: String,
    /// `error.code`, e.g. `resource_missing`, `rate_limit`, `resource_already_exists`.
    pub code: Option<String>,
    /// `error.param`: the parameter at fault, in form notation (`recurring[interval]`).
    pub param: Option<String>,
    /// `error.message`, as Stripe wrote it.
    pub message: String,
    /// The `Request-Id` header (`req_…`), to quote to Stripe support.
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Stripe {} {}", self.status, self.kind)?;
        match (&self.code, &self.param) {
            (Some(code), Some(param)) => write!(f, " (code `{code}`, param `{param}`)")?,
            (Some(code), None) => write!(f, " (code `{code}`)")?,
            (None, Some(param)) => write!(f, " (param `{param}`)")?,
            (None, None) => {}
        }
        write!(f, ": {}", self.message)?;
        if let Some(request_id) = &self.request_id {
            write!(f, " [{request_id}]")?;
        }
        Ok(())
    }
}

impl ApiError {
    /// Reads Stripe's error body. A body that is not Stripe's shape (a proxy's HTML page, an
    /// empty 502) still yields an error carrying the status and the start of the body.
    pub fn from_response(status: u16, body: &[u8], request_id: Option<String>) -> Self {
        let parsed: Option<Value> = serde_json::from_slice(body).ok();
        let error = parsed.as_ref().and_then(|v| v.get("error"));
        let text = |field: &str| {
            error
                .and_then(|e| e.get(field))
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        match error {
            Some(_) => ApiError {
                status,
                kind: text("type").unwrap_or_else(|| "api_error".to_string()),
                code: text("code"),
                param: text("param"),
                message: text("message").unwrap_or_else(|| "(no message)".to_string()),
                request_id,
            },
            None => ApiError {
                status,
                kind: "api_error".to_string(),
                code: None,
                param: None,
                message: format!("unexpected answer: {}", snippet(body)),
                request_id,
            },
        }
    }
}

/// The first 200 characters of a body, on one line, for error messages.
pub(crate) fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    if one_line.trim().is_empty() {
        "(empty body)".to_string()
    } else {
        one_line
    }
}

/// A request that did not succeed, after the retries the policy allowed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Stripe answered with an error status. (Boxed: it keeps `Result<_, Error>` small.)
    #[error("{error}{}", after(*attempts))]
    Api { error: Box<ApiError>, attempts: u32 },
    /// No answer: connection refused or dropped, timeout, TLS failure.
    #[error("network error talking to Stripe: {message}{}", after(*attempts))]
    Network { message: String, attempts: u32 },
    /// A success status whose body is not the JSON object expected.
    #[error("could not read Stripe's answer to {what}: {message}")]
    Decode { what: String, message: String },
    /// The client cannot be built from its configuration (bad base URL, TLS setup).
    #[error("invalid Stripe client configuration: {0}")]
    Config(String),
}

impl Error {
    /// Stripe's error object, when Stripe answered.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api { error, .. } => Some(error),
            _ => None,
        }
    }

    /// How many attempts were made (0 when the request was never sent).
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api { attempts, .. } | Error::Network { attempts, .. } => *attempts,
            Error::Decode { .. } => 1,
            Error::Config(_) => 0,
        }
    }
}

fn after(attempts: u32) -> String {
    if attempts > 1 {
        format!(" (after {attempts} attempts)")
    } else {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invalid_currency() -> ApiError {
        ApiError {
            status: 400,
            kind: "invalid_request_error".into(),
            code: None,
            param: Some("currency".into()),
            message: "Invalid currency: xyz".into(),
            request_id: Some("req_123".into()),
        }
    }

    #[test]
    fn display_names_status_type_param_message_request_and_attempts() {
        let err = Error::Api {
            error: Box::new(invalid_currency()),
            attempts: 3,
        };
        assert_eq!(
            err.to_string(),
            "Stripe 400 invalid_request_error (param `currency`): Invalid currency: xyz [req_123] (after 3 attempts)"
        );
        let once = Error::Api {
            error: Box::new(invalid_currency()),
            attempts: 1,
        };
        assert_eq!(
            once.to_string(),
            "Stripe 400 invalid_request_error (param `currency`): Invalid currency: xyz [req_123]"
        );
    }

    #[test]
    fn display_shows_the_code_when_there_is_one() {
        let err = ApiError {
            status: 404,
            kind: "invalid_request_error".into(),
            code: Some("resource_missing".into()),
            param: Some("id".into()),
            message: "No such price: 'price_x'".into(),
            request_id: None,
        };
        assert_eq!(
            err.to_string(),
            "Stripe 404 invalid_request_error (code `resource_missing`, param `id`): No such price: 'price_x'"
        );
    }

    #[test]
    fn parses_stripes_error_body() {
        let body = br#"{"error":{"type":"invalid_request_error","code":"parameter_unknown","param":"colour","message":"Received unknown parameter: colour","doc_url":"https://x"}}"#;
        let err = ApiError::from_response(400, body, Some("req_9".into()));
        assert_eq!(
            err,
            ApiError {
                status: 400,
                kind: "invalid_request_error".into(),
                code: Some("parameter_unknown".into()),
                param: Some("colour".into()),
                message: "Received unknown parameter: colour".into(),
                request_id: Some("req_9".into()),
            }
        );
    }

    #[test]
    fn a_body_that_is_not_stripes_still_gives_status_and_text() {
        let err = ApiError::from_response(502, b"<html>Bad gateway</html>\n", None);
        assert_eq!(err.status, 502);
        assert_eq!(err.kind, "api_error");
        assert_eq!(err.message, "unexpected answer: <html>Bad gateway</html> ");
        let empty = ApiError::from_response(503, b"", None);
        assert_eq!(empty.message, "unexpected answer: (empty body)");
    }

    #[test]
    fn network_error_reports_attempts() {
        let err = Error::Network {
            message: "connection refused".into(),
            attempts: 5,
        };
        assert_eq!(
            err.to_string(),
            "network error talking to Stripe: connection refused (after 5 attempts)"
        );
        assert_eq!(err.attempts(), 5);
        assert!(err.api().is_none());
    }
}
