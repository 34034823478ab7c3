//! `billingctl export` against the in-process emulator: the built binary exports an account,
//! and the exported script is checked, planned and applied like any catalog.
//!
//! - `round_trip`: an account billingctl built exports to a script that plans 0 changes.
//! - `adopt`: an account built without billingctl exports to a script whose first plan only
//!   adopts (lookup keys, portal keys), and whose second plan, after `run`, is empty.
//! - `scope`: `--scope` keeps one scope's objects and what they refer to.

mod adopt;
mod round_trip;
mod scope;

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};
use billingctl::stripe::{ApiKey, Client, ClientConfig};
use serde_json::Value;
use tempfile::TempDir;

/// A test-mode key nobody owns; the emulator takes any test key.
const KEY: &str = "sk_test_x";

/// An emulator on loopback, a scratch directory, and `billingctl` pointed at both.
struct Account {
    emulator: EmulatorHandle,
    dir: TempDir,
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Account {
    fn new() -> Self {
        let emulator = start(
            EmulatorOptions::default(),
            "127.0.0.1:0".parse().expect("an address"),
        )
        .expect("the emulator starts");
        let key = ApiKey::new(KEY.to_owned()).expect("a test key");
        let client = Client::new(ClientConfig::new(emulator.base_url(), key)).expect("a client");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Self {
            emulator,
            dir: tempfile::tempdir().expect("a scratch directory"),
            runtime,
            client,
        }
    }

    /// A path in the scratch directory.
    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `billingctl ARGS --api-base EMULATOR`, run from the repository (so
    /// `scripts/catalog.rhai` and its overlay resolve) with only the test key in the
    /// environment.
    fn billingctl(&self, args: &[&str]) -> Output {
        Command::cargo_bin("billingctl")
            .expect("the binary is built")
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("STRIPE_API_KEY", KEY)
            .env("NO_COLOR", "1")
            .args(args)
            .args(["--api-base", &self.emulator.base_url()])
            .output()
            .expect("billingctl runs")
    }

    /// `billingctl check SCRIPT` (offline: no account flags).
    fn check(&self, script: &Path) -> Output {
        Command::cargo_bin("billingctl")
            .expect("the binary is built")
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("NO_COLOR", "1")
            .arg("check")
            .arg(script)
            .output()
            .expect("billingctl runs")
    }

    /// `billingctl render SCRIPT` as JSON (offline).
    fn render(&self, script: &Path) -> Value {
        let output = Command::cargo_bin("billingctl")
            .expect("the binary is built")
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .arg("render")
            .arg(script)
            .output()
            .expect("billingctl runs");
        succeeded(&output, "render");
        serde_json::from_slice(&output.stdout).expect("render prints JSON")
    }

    /// `billingctl export [ARGS] -o FILE`, which must succeed; returns the script's path and
    /// text.
    fn export(&self, name: &str, args: &[&str]) -> (PathBuf, String) {
        let path = self.path(name);
        let mut all = vec!["export", "-o", path.to_str().expect("a UTF-8 path")];
        all.extend_from_slice(args);
        let output = self.billingctl(&all);
        succeeded(&output, "export");
        let text = std::fs::read_to_string(&path).expect("export wrote the file");
        (path, text)
    }

    /// `billingctl plan SCRIPT -o json`: the exit code and the plan.
    fn plan_json(&self, script: &Path) -> (Option<i32>, Value) {
        let output = self.billingctl(&["plan", script.to_str().expect("UTF-8"), "-o", "json"]);
        let plan = serde_json::from_slice(&output.stdout).unwrap_or_else(|err| {
            panic!("plan -o json printed no JSON ({err}):\n{}", texts(&output))
        });
        (output.status.code(), plan)
    }

    /// `billingctl plan SCRIPT --detailed-exitcode`: 0 no changes, 2 changes, 1 error.
    fn plan_exit_code(&self, script: &Path) -> (Option<i32>, String) {
        let output = self.billingctl(&[
            "plan",
            script.to_str().expect("UTF-8"),
            "--detailed-exitcode",
        ]);
        (output.status.code(), texts(&output))
    }

    /// `billingctl run SCRIPT --yes`, which must succeed.
    fn run(&self, script: &str) {
        let output = self.billingctl(&["run", script, "--yes"]);
        succeeded(&output, "run");
    }

    /// A GET straight to the emulator.
    fn get(&self, path: &str) -> Value {
        self.runtime
            .block_on(self.client.get(path, &serde_json::Map::new()))
            .unwrap_or_else(|err| panic!("GET {path}: {err}"))
    }

    /// A POST straight to the emulator, as the Dashboard or another tool would make it.
    fn post(&self, path: &str, params: Value) -> Value {
        let params = params.as_object().cloned().expect("params are a map");
        self.runtime
            .block_on(self.client.post(path, &params))
            .unwrap_or_else(|err| panic!("POST {path}: {err}"))
    }
}

/// Stdout and stderr, for failure messages.
fn texts(output: &Output) -> String {
    format!(
        "--- stdout\n{}\n--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({:?}):\n{}",
        output.status.code(),
        texts(output)
    );
}

/// `(kind, key)` of every object `render` lists, in its order.
fn rendered_keys(rendered: &Value) -> Vec<(String, String)> {
    let objects = &rendered["objects"];
    let mut keys = Vec::new();
    for kind in [
        "product",
        "price",
        "coupon",
        "promotion_code",
        "portal_configuration",
    ] {
        for object in objects[kind].as_array().into_iter().flatten() {
            let key = object["key"].as_str().expect("a key").to_string();
            keys.push((kind.to_string(), key));
        }
    }
    keys
}
