//! The shared integration harness: an emulator on loopback (its own thread and runtime), a
//! temporary project directory for scripts, `billingctl` commands pointed at both with a test
//! key, and direct GETs and POSTs on the emulator. `e2e`, `export`, `chaos` and `client`
//! build on it.

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use billingctl::clock::Clock;
use billingctl::compact::Json;
use billingctl::emulator::EmulatorKnobs;
use billingctl::emulator::{start, EmulatorHandle, EmulatorOptions};
use billingctl::stripe::{ApiKey, Client, ClientConfig};
use serde_json::{Map, Value};
use tempfile::TempDir;

/// The key every test command uses: a test-mode key nobody owns.
pub const TEST_KEY: &str = "sk_test_e2e0000000000000000000000000";

/// "Now" for every test, the planner's and the emulator's alike: 2026-11-18T00:00:00Z, a
/// week before the example campaign starts. No test reads the wall clock, so the suite
/// passes on any date.
pub const TEST_NOW: i64 = 1_794_960_000;

/// The clock every test emulator reads.
pub const TEST_CLOCK: Clock = Clock::Fixed(TEST_NOW);

/// `billingctl` in `cwd` with nothing inherited but `PATH`, and no colour: no key, no account.
pub fn billingctl(cwd: &Path) -> std::process::Command {
    let mut command = std::process::Command::new(assert_cmd::cargo::cargo_bin("billingctl"));
    command
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("BILLINGCTL_NOW", TEST_NOW.to_string());
    command
}

/// `billingctl ARGS --api-base API_BASE` in `cwd` with the test key; nothing inherited can
/// point it elsewhere.
pub fn billingctl_against(cwd: &Path, api_base: &str, args: &[&str]) -> std::process::Command {
    let mut command = billingctl(cwd);
    command
        .env("STRIPE_API_KEY", TEST_KEY)
        .args(args)
        .args(["--api-base", api_base]);
    command
}

/// The options every test emulator starts from: no knobs, in memory, the test clock.
pub fn emulator_options() -> EmulatorOptions {
    EmulatorOptions {
        clock: TEST_CLOCK,
        ..EmulatorOptions::default()
    }
}

/// An emulator on loopback (its own thread and runtime) with `knobs`, for tests that need
/// only the server: async tests cannot own a `Harness`, whose runtime must not drop inside
/// theirs.
pub fn start_emulator(knobs: EmulatorKnobs) -> EmulatorHandle {
    let options = EmulatorOptions {
        knobs,
        ..emulator_options()
    };
    start(options, "127.0.0.1:0".parse().expect("an address")).expect("emulator starts")
}

/// An emulator on loopback, a project directory, and `billingctl` pointed at both.
pub struct Harness {
    pub emulator: EmulatorHandle,
    pub dir: TempDir,
    runtime: tokio::runtime::Runtime,
    client: Client,
}

impl Harness {
    pub fn new() -> Self {
        Self::with_knobs(EmulatorKnobs::default())
    }

    /// A harness whose emulator runs with `knobs` (faults, latency, rate limits).
    pub fn with_knobs(knobs: EmulatorKnobs) -> Self {
        let emulator = start_emulator(knobs);
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

    /// A harness whose account already holds `text`: written as `scripts/catalog.rhai`
    /// and applied (which must succeed).
    pub fn applied(text: &str) -> Self {
        let harness = Self::new();
        harness.write("scripts/catalog.rhai", text);
        harness.apply();
        harness
    }

    /// A path in the project directory.
    pub fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    /// Writes `scripts/catalog.rhai` (or any project-relative path) and returns its path.
    pub fn write(&self, relative: &str, text: &str) -> PathBuf {
        let path = self.path(relative);
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
        self.std_command_in(self.dir.path(), args)
    }

    /// `billingctl ARGS --api-base EMULATOR` with the test key, run from `cwd`.
    pub fn std_command_in(&self, cwd: &Path, args: &[&str]) -> std::process::Command {
        billingctl_against(cwd, &self.emulator.base_url(), args)
    }

    /// `billingctl ARGS` in the project directory with no key and no account flags.
    pub fn offline(&self, args: &[&str]) -> Command {
        let mut command = Command::from_std(billingctl(self.dir.path()));
        command.args(args);
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
        succeeded(&output, "run");
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    /// Runs `scripts/catalog.rhai` again and asserts it writes nothing: the account has
    /// converged on the script.
    #[track_caller]
    pub fn assert_rerun_writes_nothing(&self) {
        self.reset_stats();
        self.apply();
        assert_eq!(
            self.posts(),
            0,
            "a rerun of the applied script writes nothing"
        );
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
            .unwrap_or_else(|err| panic!("GET {path}: {err}"))
    }

    /// A GET straight to the emulator, its error as the client reports it.
    pub fn try_get(&self, path: &str) -> Result<Value, billingctl::stripe::Error> {
        self.runtime.block_on(self.client.get(path, &Map::new()))
    }

    /// Every object of a list endpoint, all pages, straight from the emulator.
    pub fn list_all(&self, path: &str) -> Vec<Value> {
        self.runtime
            .block_on(self.client.list_all(path, &Map::new()))
            .unwrap_or_else(|err| panic!("GET {path} (all pages): {err}"))
            .iter()
            .map(Json::to_value)
            .collect()
    }

    /// An out-of-band POST straight to the emulator, as the Dashboard would make.
    pub fn post(&self, path: &str, params: Value) -> Value {
        self.runtime
            .block_on(self.client.post(path, &form(params)))
            .unwrap_or_else(|err| panic!("POST {path}: {err}"))
    }

    /// The live price holding a lookup key.
    pub fn price(&self, lookup_key: &str) -> Value {
        let list = self.get(&format!("/v1/prices?lookup_keys[]={lookup_key}"));
        list["data"][0].clone()
    }
}

/// A JSON object as the parameter map the client posts.
pub fn form(params: Value) -> Map<String, Value> {
    params.as_object().cloned().expect("params are an object")
}

/// Stdout and stderr of a finished command, as text.
pub fn texts(output: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Stdout and stderr in one labelled block, for failure messages.
pub fn transcript(output: &Output) -> String {
    let (stdout, stderr) = texts(output);
    format!("--- stdout\n{stdout}\n--- stderr\n{stderr}")
}

/// Asserts that `what` exited 0, showing its exit code and output when it did not.
pub fn succeeded(output: &Output, what: &str) {
    assert!(
        output.status.success(),
        "{what} failed ({:?}):\n{}",
        output.status.code(),
        transcript(output)
    );
}
