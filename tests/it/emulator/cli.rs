//! `billingctl emulator`: its help, and the binary serving and flushing on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

#[test]
fn help_explains_every_knob() {
    let output = Command::cargo_bin("billingctl")
        .unwrap()
        .args(["emulator", "--help"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let help = String::from_utf8(output.stdout).unwrap();
    for flag in [
        "--listen",
        "--state",
        "--latency-ms",
        "--rate-limit ",
        "--error-rate",
        "--lost-rate",
        "--rate-limit-error-rate",
        "--seed",
        "/_emulator/stats",
    ] {
        assert!(help.contains(flag), "--help mentions {flag}:\n{help}");
    }
}

#[test]
fn a_bad_knob_is_refused_before_listening() {
    let output = Command::cargo_bin("billingctl")
        .unwrap()
        .args(["emulator", "--listen", "127.0.0.1:0", "--error-rate", "2"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(output.stderr).unwrap(),
        "error: cannot start the emulator: --error-rate must be between 0 and 1, got 2\n"
    );
}

#[cfg(unix)]
#[test]
fn the_binary_serves_and_flushes_its_state_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut child = Command::cargo_bin("billingctl")
        .unwrap()
        .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
        .arg(&state)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let base = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line}"))
        .to_owned();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let status = runtime.block_on(async {
        reqwest::Client::new()
            .post(format!("{base}/v1/products"))
            .bearer_auth(super::support::KEY)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("id=p&name=Persisted")
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status, 200);
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    assert!(child.wait().unwrap().success());
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    assert_eq!(saved["objects"]["product"][0]["name"], "Persisted");
}
