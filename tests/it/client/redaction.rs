//! No output of any command contains the API key, whatever a server sends back. A tiny
//! loopback server echoes what it receives (the `Authorization` header, the whole request
//! head) through every error path the client has: a non-JSON success body, a non-JSON error
//! body, a 401 whose JSON names the key in every field, a proxy that echoes the request's
//! headers, and a `Request-Id` header holding the key. `plan` (human and `-o json`) and
//! `export` run against each; neither stdout nor stderr may hold the key. (Panics go through
//! the same layer: `redact::tests::the_panic_hook_prints_through_the_layer`.)

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use crate::support::{billingctl, transcript};

const KEY: &str = "sk_test_51EchoSecretValue0000000000000abcd";
/// The part of the key that must never show (the prefix and the last four may).
const SECRET: &str = "51EchoSecretValue0000000000000";

#[derive(Clone, Copy, Debug)]
enum Echo {
    /// 200 `<html>Authorization: …</html>`.
    HtmlOk,
    /// 500 `<html>` + the whole request head.
    HtmlError,
    /// 401 with the key in `message`, `type`, `code` and `param`.
    Json401,
    /// 502 `text/plain` with the request head, as a misconfigured proxy answers.
    ProxyHeaders,
    /// 400 JSON whose `Request-Id` header is the key.
    RequestIdHeader,
}

/// Serves `echo` on a loopback port until the process ends; returns its base URL.
fn serve(echo: Echo) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            std::thread::spawn(move || answer(stream, echo));
        }
    });
    base
}

fn answer(mut stream: std::net::TcpStream, echo: Echo) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let mut body = vec![0; length];
    let _ = reader.read_exact(&mut body);
    let authorization = head
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        .unwrap_or_default()
        .to_owned();
    let key = authorization
        .rsplit(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    let json_error = |field: &str| {
        serde_json::json!({"error": {"type": field, "code": field, "param": field,
            "message": format!("Invalid API Key provided: {field}")}})
        .to_string()
    };
    let (status, content_type, extra, body) = match echo {
        Echo::HtmlOk => (
            200,
            "text/html",
            String::new(),
            format!("<html>{authorization}</html>"),
        ),
        Echo::HtmlError => (
            500,
            "text/html",
            String::new(),
            format!("<html>{head}</html>"),
        ),
        Echo::Json401 => (401, "application/json", String::new(), json_error(&key)),
        Echo::ProxyHeaders => (502, "text/plain", String::new(), head.clone()),
        Echo::RequestIdHeader => (
            400,
            "application/json",
            format!("Request-Id: {key}\r\n"),
            json_error("invalid_request_error"),
        ),
    };
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Stripe-Should-Retry: false\r\nConnection: close\r\n{extra}\r\n{body}",
        body.len()
    );
    let _ = stream.write_all(response.as_bytes());
}

#[test]
fn no_command_prints_the_key_through_any_error_path() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("catalog.rhai"),
        r#"product("echo_basic", #{ name: "Basic" });"#,
    )
    .unwrap();
    for echo in [
        Echo::HtmlOk,
        Echo::HtmlError,
        Echo::Json401,
        Echo::ProxyHeaders,
        Echo::RequestIdHeader,
    ] {
        let base = serve(echo);
        for args in [
            &["plan", "catalog.rhai"][..],
            &["plan", "catalog.rhai", "-o", "json"][..],
            &["export"][..],
        ] {
            let output = billingctl(dir.path())
                .env("STRIPE_API_KEY", KEY)
                .args(args)
                .args(["--api-base", &base])
                .output()
                .unwrap();
            let text = transcript(&output);
            assert_eq!(output.status.code(), Some(1), "{echo:?} {args:?}:\n{text}");
            assert!(
                !text.contains(SECRET),
                "{echo:?} {args:?} printed the key:\n{text}"
            );
            // The error is still said (with the redacted key where the server echoed it).
            assert!(text.contains("error"), "{echo:?} {args:?}:\n{text}");
        }
    }
}
