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

use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use crate::support::{succeeded, transcript, Harness};

/// The shared harness, with `billingctl` commands for exporting and planning.
struct Account(Harness);

impl Deref for Account {
    type Target = Harness;

    fn deref(&self) -> &Harness {
        &self.0
    }
}

impl Account {
    fn new() -> Self {
        Self(Harness::new())
    }

    /// `billingctl ARGS --api-base EMULATOR`, run from the repository (so
    /// `scripts/catalog.rhai` and its overlay resolve) with only the test key in the
    /// environment.
    fn billingctl(&self, args: &[&str]) -> Output {
        self.std_command_in(Path::new(env!("CARGO_MANIFEST_DIR")), args)
            .output()
            .expect("billingctl runs")
    }

    /// `billingctl check SCRIPT` (offline: no account flags).
    fn check(&self, script: &Path) -> Output {
        self.offline(&["check"])
            .arg(script)
            .output()
            .expect("billingctl runs")
    }

    /// `billingctl render SCRIPT` as JSON (offline).
    fn render(&self, script: &Path) -> Value {
        let output = self
            .offline(&["render"])
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
            panic!(
                "plan -o json printed no JSON ({err}):\n{}",
                transcript(&output)
            )
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
        (output.status.code(), transcript(&output))
    }

    /// `billingctl run SCRIPT --yes` from the repository, which must succeed.
    fn run(&self, script: &str) {
        let output = self.billingctl(&["run", script, "--yes"]);
        succeeded(&output, "run");
    }
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
