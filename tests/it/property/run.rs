//! Running a case against a fresh emulator, in process: each step makes its out-of-band
//! edits, writes the script, and then plan -> apply -> plan, checking the promise:
//! - a plan without errors applies with zero 4xx answers and a complete report, duplicates
//!   no object, and the plan after it has no changes and no errors (it converged);
//! - a plan with errors writes nothing (checked through `billingctl run`, the real command);
//! - a change Stripe refuses is an error of the plan.
//!
//! After a plan with errors the script goes back to the previous step's, as its author
//! would fix it. `shrink` minimises a failing case by dropping steps, changes and fields.

use std::path::Path;

use billingctl::apply::{apply_plan, ProgressMode};
use billingctl::compact::Json;
use billingctl::diag::{render_human, Diagnostics};
use billingctl::emulator::EmulatorHandle;
use billingctl::emulator::EmulatorKnobs;
use billingctl::kinds::ObjectKind;
use billingctl::live::fetch_live;
use billingctl::plan::{plan_catalog, render, LiveState, Plan, Policy};
use billingctl::script::{evaluate_in, Limits};
use billingctl::stripe::{ApiKey, Client, ClientConfig};
use serde_json::{Map, Value};

use super::generate::{still_invalid, Case};
use super::model::{Change, Model, Tagged};
use crate::support::{self, TEST_KEY, TEST_NOW};

const SCRIPT: &str = "scripts/catalog.rhai";

/// What a passing case did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub steps: usize,
    /// Steps whose plan had errors although every change was valid: either a planner false
    /// positive or a generator that drew a value Stripe refuses. Counted, not failed, so that
    /// the long run can show them.
    pub refused_valid: Vec<String>,
    /// Steps with a change Stripe refuses, which the plan refused.
    pub refused_invalid: usize,
    pub writes: u64,
}

/// The first broken promise of a case.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The step that broke (0 is the first catalog).
    pub step: usize,
    /// Which promise: compared when shrinking, so a smaller case fails the same way.
    pub class: &'static str,
    /// What happened: the plan, the apply report, Stripe's errors, the second plan.
    pub detail: String,
    /// The script of every step up to the failing one.
    pub scripts: Vec<String>,
}

/// Runs every step of `case` against a fresh emulator.
pub fn run_case(case: &Case) -> Result<Outcome, Failure> {
    let account = Account::new();
    let mut model = Model::default();
    let mut outcome = Outcome::default();
    let mut scripts = Vec::new();
    for (index, step) in case.steps.iter().enumerate() {
        let before = model.clone();
        let fail = |class, detail: String, scripts: &Vec<String>| Failure {
            step: index,
            class,
            detail,
            scripts: scripts.clone(),
        };
        for tagged in step {
            model.apply(&tagged.change);
            let refused = match &tagged.change {
                Change::OutOfBand { kind, key, params } => account.out_of_band(*kind, key, params),
                Change::Dashboard { kind, params } => account.create(*kind, params),
                _ => Ok(()),
            };
            if let Err(err) = refused {
                let detail = format!("{}\n{err}", tagged.describe());
                return Err(fail("an out-of-band edit was refused", detail, &scripts));
            }
        }
        let script = model.render();
        scripts.push(script.clone());
        outcome.steps += 1;
        let invalid = step.iter().any(|t| still_invalid(t, &before));
        match account.plan(&script) {
            Err(errors) => {
                if let Err(detail) = account.run_writes_nothing() {
                    return Err(fail("a plan with errors wrote", detail, &scripts));
                }
                if invalid {
                    outcome.refused_invalid += 1;
                } else {
                    let first = errors
                        .0
                        .first()
                        .map_or(String::new(), |d| d.message.clone());
                    outcome.refused_valid.push(first);
                }
                model = before;
            }
            Ok(_) if invalid => {
                let detail = format!(
                    "the plan has no error, but Stripe refuses this change:\n  {}",
                    describe(step)
                );
                return Err(fail(
                    "a plan accepted a change Stripe refuses",
                    detail,
                    &scripts,
                ));
            }
            Ok((plan, live)) => {
                account.emulator.reset_stats();
                let report = account.runtime.block_on(apply_plan(
                    &account.client,
                    &plan,
                    &live,
                    4,
                    ProgressMode::Quiet,
                    None,
                ));
                let stats = account.emulator.stats();
                outcome.writes += stats.writes();
                if stats.client_errors() > 0 || !report.is_complete() {
                    let detail = format!(
                        "{}\n--- plan\n{}--- apply: {} answers by status {:?}\n{}",
                        describe(step),
                        render::human(&plan, false),
                        stats.total,
                        stats.by_status,
                        report.failures.join("\n"),
                    );
                    return Err(fail("a valid plan was refused by Stripe", detail, &scripts));
                }
                if let Some(duplicates) = account.duplicates(&model) {
                    let detail = format!(
                        "{}\n--- plan\n{}--- the account now holds\n{duplicates}",
                        describe(step),
                        render::human(&plan, false),
                    );
                    return Err(fail("an object was duplicated", detail, &scripts));
                }
                match account.plan(&script) {
                    Ok((second, _)) if !second.summary().has_changes() => {}
                    Ok((second, _)) => {
                        let detail = format!(
                            "{}\n--- plan\n{}--- plan after the apply\n{}",
                            describe(step),
                            render::human(&plan, false),
                            render::human(&second, false)
                        );
                        return Err(fail(
                            "the plan after the apply is not empty",
                            detail,
                            &scripts,
                        ));
                    }
                    Err(errors) => {
                        let detail = format!(
                            "{}\n--- plan\n{}--- plan after the apply has errors\n{}",
                            describe(step),
                            render::human(&plan, false),
                            render_human(&errors, false)
                        );
                        return Err(fail(
                            "the plan after the apply has errors",
                            detail,
                            &scripts,
                        ));
                    }
                }
            }
        }
    }
    Ok(outcome)
}

fn describe(step: &[Tagged]) -> String {
    let lines: Vec<String> = step.iter().map(Tagged::describe).collect();
    lines.join("\n  ")
}

/// A fresh emulator, a client and a project directory.
struct Account {
    client: Client,
    runtime: tokio::runtime::Runtime,
    dir: tempfile::TempDir,
    /// Dropped last: its server waits (up to a second) for open connections, so the
    /// client's keep-alive connections must close first.
    emulator: EmulatorHandle,
}

impl Account {
    fn new() -> Self {
        let emulator = support::start_emulator(EmulatorKnobs::default());
        let key = ApiKey::new(TEST_KEY.to_owned()).expect("a valid test key");
        let mut config = ClientConfig::new(emulator.base_url(), key);
        // Pacing is not what this test holds; the emulator imposes no rate limit here.
        config.max_rps = 10_000;
        config.endpoint_rps = 10_000;
        let client = Client::new(config).expect("a client");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Account {
            client,
            runtime,
            dir: tempfile::tempdir().expect("a temporary directory"),
            emulator,
        }
    }

    /// Writes the script and plans it as `billingctl plan` does: `Err` with the errors of
    /// the script or of the plan, else the plan and the live state it was made from.
    fn plan(&self, script: &str) -> Result<(Plan, LiveState), Diagnostics> {
        let path = self.dir.path().join(SCRIPT);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(&path, script).expect("write the script");
        let catalog = evaluate_in(
            self.dir.path(),
            Path::new(SCRIPT),
            "test",
            &Limits::default(),
        )?;
        let mut live = self
            .runtime
            .block_on(fetch_live(&self.client))
            .expect("the emulator serves the live state");
        live.adopt_declared(&catalog);
        let plan = plan_catalog(&catalog, &live, Policy::default(), TEST_NOW);
        if plan.is_valid() {
            Ok((plan, live))
        } else {
            Err(plan.errors)
        }
    }

    /// `billingctl run --yes` on the current script, whose plan has errors: it must fail
    /// and write nothing.
    fn run_writes_nothing(&self) -> Result<(), String> {
        self.emulator.reset_stats();
        let output = support::billingctl_against(
            self.dir.path(),
            &self.emulator.base_url(),
            &["run", SCRIPT, "--yes"],
        )
        .output()
        .expect("billingctl runs");
        let writes = self.emulator.stats().writes();
        if output.status.success() || writes > 0 {
            return Err(format!(
                "`billingctl run` exited {:?} after {writes} writes\n{}",
                output.status.code(),
                support::transcript(&output)
            ));
        }
        Ok(())
    }

    /// POSTs `params` to the live object of `kind` and `key`, as the Dashboard would. An
    /// object not in the account (yet) is left alone.
    fn out_of_band(&self, kind: ObjectKind, key: &str, params: &Value) -> Result<(), String> {
        let Some(id) = self.live_id(kind, key) else {
            return Ok(());
        };
        let path = format!("{}/{id}", kind.table().path);
        self.runtime
            .block_on(self.client.post(&path, &support::form(params.clone())))
            .map(drop)
            .map_err(|err| format!("POST {path}: {err}"))
    }

    /// Creates an object as the Dashboard would.
    fn create(&self, kind: ObjectKind, params: &Value) -> Result<(), String> {
        let path = kind.table().path;
        self.runtime
            .block_on(self.client.post(path, &support::form(params.clone())))
            .map(drop)
            .map_err(|err| format!("POST {path}: {err}"))
    }

    fn live_id(&self, kind: ObjectKind, key: &str) -> Option<String> {
        let found: Vec<Value> = self
            .list(kind.table().path)
            .into_iter()
            .filter(|o| match kind {
                ObjectKind::Product | ObjectKind::Coupon => o["id"] == key,
                ObjectKind::Price => o["lookup_key"] == key,
                ObjectKind::Meter => o["event_name"] == key,
                ObjectKind::PromotionCode => o["code"] == key && o["active"] == true,
                ObjectKind::PortalConfiguration
                | ObjectKind::WebhookEndpoint
                | ObjectKind::TaxRate
                | ObjectKind::ShippingRate => o["metadata"]["billingctl_key"] == key,
                ObjectKind::Feature => o["lookup_key"] == key,
                // Attachments are generated by no property test (declared through products).
                ObjectKind::ProductFeature => false,
            })
            .collect();
        found
            .first()
            .and_then(|o| o["id"].as_str())
            .map(str::to_owned)
    }

    /// The declared keys that more than one live object holds: promotion codes by code and
    /// portal configurations by `billingctl_key` (Stripe itself keeps lookup keys and
    /// custom ids unique). An inactive object with the declared key is to be reactivated,
    /// not duplicated (issue 9, item 5).
    fn duplicates(&self, model: &Model) -> Option<String> {
        let mut lines = Vec::new();
        for (kind, key_of) in [
            (
                ObjectKind::PromotionCode,
                (|o: &Value| o["code"].clone()) as fn(&Value) -> Value,
            ),
            (ObjectKind::PortalConfiguration, |o: &Value| {
                o["metadata"]["billingctl_key"].clone()
            }),
        ] {
            let live = self.list(kind.table().path);
            for obj in model.of(kind) {
                let holders: Vec<String> = live
                    .iter()
                    .filter(|o| key_of(o) == obj.key.as_str())
                    .map(|o| format!("{} (active: {})", o["id"], o["active"]))
                    .collect();
                if holders.len() > 1 {
                    lines.push(format!("{kind} `{}`: {}", obj.key, holders.join(", ")));
                }
            }
        }
        (!lines.is_empty()).then(|| lines.join("\n"))
    }

    fn list(&self, path: &str) -> Vec<Value> {
        self.runtime
            .block_on(self.client.list_all(path, &Map::new()))
            .unwrap_or_else(|err| panic!("GET {path}: {err}"))
            .iter()
            .map(Json::to_value)
            .collect()
    }
}

/// A smaller case that fails the same way: later steps dropped, then each step, each
/// change, and each optional field of an added object, while the failure stays. At most
/// `budget` runs.
pub fn shrink(case: &Case, failure: Failure, budget: usize) -> (Case, Failure) {
    let mut best = case.clone();
    best.steps.truncate(failure.step + 1);
    let mut best_failure = failure;
    let runs = std::cell::Cell::new(0);
    let attempt = |candidate: Case, best: &mut Case, best_failure: &mut Failure| -> bool {
        if runs.get() >= budget {
            return false;
        }
        runs.set(runs.get() + 1);
        match run_case(&candidate) {
            Err(f) if f.class == best_failure.class => {
                let mut candidate = candidate;
                candidate.steps.truncate(f.step + 1);
                *best = candidate;
                *best_failure = f;
                true
            }
            _ => false,
        }
    };
    // Until nothing more can go (dropping a field may free an object, and so on).
    loop {
        let mut progress = false;
        // Whole steps, then single changes, from the end.
        let mut step = best.steps.len();
        while step > 0 {
            step -= 1;
            if step < best.steps.len() && best.steps.len() > 1 {
                let mut candidate = best.clone();
                candidate.steps.remove(step);
                progress |= attempt(candidate, &mut best, &mut best_failure);
            }
        }
        for step in (0..best.steps.len()).rev() {
            let mut index = best.steps.get(step).map_or(0, Vec::len);
            while index > 0 {
                index -= 1;
                if step < best.steps.len() && index < best.steps[step].len() {
                    let mut candidate = best.clone();
                    candidate.steps[step].remove(index);
                    progress |= attempt(candidate, &mut best, &mut best_failure);
                }
            }
        }
        // Optional fields of the objects added.
        for step in 0..best.steps.len() {
            for index in 0..best.steps.get(step).map_or(0, Vec::len) {
                let Some(Change::Add(obj)) = best
                    .steps
                    .get(step)
                    .and_then(|s| s.get(index))
                    .map(|t| t.change.clone())
                else {
                    continue;
                };
                for field in obj.params.keys() {
                    let mut candidate = best.clone();
                    if let Some(Change::Add(o)) = candidate
                        .steps
                        .get_mut(step)
                        .and_then(|s| s.get_mut(index))
                        .map(|t| &mut t.change)
                    {
                        o.params.shift_remove(field);
                    }
                    progress |= attempt(candidate, &mut best, &mut best_failure);
                }
            }
        }
        if !progress || runs.get() >= budget {
            break;
        }
    }
    (best, best_failure)
}
