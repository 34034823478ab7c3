//! `TestContext`: an emulator on loopback (its own thread and runtime), a temporary project
//! directory for scripts, and `billingctl` commands pointed at both with a test key.

use std::path::PathBuf;

use assert_cmd::Command;
use billingctl::cli::EmulatorKnobs;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};
use billingctl::stripe::{ApiKey, Client, ClientConfig};
use serde_json::{Map, Value};
use tempfile::TempDir;

/// The key every test command uses: a test-mode key nobody owns.
pub const TEST_KEY: &str = "sk_test_e2e0000000000000000000000000";

pub struct TestContext {
    pub emulator: EmulatorHandle,
    pub dir: TempDir,
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl TestContext {
    pub fn new() -> Self {
        Self::with_knobs(EmulatorKnobs::default())
    }

    pub fn with_knobs(knobs: EmulatorKnobs) -> Self {
        let options = EmulatorOptions {
            knobs,
            ..EmulatorOptions::default()
        };
        let emulator =
            start(options, "127.0.0.1:0".parse().expect("an address")).expect("emulator starts");
        let key = ApiKey::new(TEST_KEY.to_owned()).expect("a valid test key");
        let client = Client::new(ClientConfig::new(emulator.base_url(), key)).expect("a client");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Self {
            emulator,
            dir: tempfile::tempdir().expect("a temporary directory"),
            runtime,
            client,
        }
    }

    /// Writes `scripts/catalog.rhai` (or any project-relative path) and returns its path.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, text).expect("write script");
        path
    }

    /// `billingctl ARGS --api-base EMULATOR` in the project directory, with the test key
    /// and no colour; nothing inherited can point it elsewhere.
    pub fn command(&self, args: &[&str]) -> Command {
        Command::from_std(self.std_command(args))
    }

    /// The same command as a `std::process::Command`, for tests that drive the process.
    pub fn std_command(&self, args: &[&str]) -> std::process::Command {
        let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("billingctl"));
        command
            .current_dir(self.dir.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("STRIPE_API_KEY", TEST_KEY)
            .env("NO_COLOR", "1")
            .args(args)
            .args(["--api-base", &self.emulator.base_url()]);
        command
    }

    /// `billingctl run scripts/catalog.rhai --yes`, which must succeed; returns stdout.
    pub fn apply(&self) -> String {
        self.apply_script("scripts/catalog.rhai")
    }

    /// `billingctl run SCRIPT --yes`, which must succeed; returns stdout.
    pub fn apply_script(&self, script: &str) -> String {
        let output = self
            .command(&["run", script, "--yes"])
            .output()
            .expect("runs");
        assert!(
            output.status.success(),
            "run failed:\n{}\n{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// POSTs the emulator has served since the last reset.
    pub fn posts(&self) -> u64 {
        self.emulator.stats().posts()
    }

    /// Every request the emulator has served since the last reset.
    pub fn requests(&self) -> u64 {
        self.emulator.stats().total
    }

    pub fn reset_stats(&self) {
        self.emulator.reset_stats();
    }

    /// A GET straight to the emulator (not counted against the plan under test if followed
    /// by `reset_stats`).
    pub fn get(&self, path: &str) -> Value {
        self.runtime
            .block_on(self.client.get(path, &Map::new()))
            .expect("GET succeeds")
    }

    /// An out-of-band POST straight to the emulator, as the Dashboard would make.
    pub fn post(&self, path: &str, params: Value) -> Value {
        let params = params.as_object().cloned().expect("params are an object");
        self.runtime
            .block_on(self.client.post(path, &params))
            .expect("POST succeeds")
    }

    /// The live price holding a lookup key.
    pub fn price(&self, lookup_key: &str) -> Value {
        let list = self.get(&format!("/v1/prices?lookup_keys[]={lookup_key}"));
        list["data"][0].clone()
    }
}

/// Stdout and stderr of a finished command, as text.
pub fn texts(output: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}
