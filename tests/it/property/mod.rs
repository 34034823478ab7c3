//! The property test of billingctl's promise (issue 9, item 8): on any account state, a plan
//! without errors applies with zero 4xx answers, and the plan after it is empty; a plan with
//! errors writes nothing; a change Stripe refuses is an error of the plan.
//!
//! Each case is generated from its seed (`generate`): a first catalog (products, prices with
//! recurring / tiers / currency options / tax behaviour / custom amounts, coupons, promotion
//! codes with restrictions, expiry and limits, portal configurations with features), written
//! out as a Rhai script, then steps of changes: edits of mutable fields, objects added,
//! deactivated and reactivated, out-of-band edits through the emulator's API, and now and
//! then a change Stripe refuses. Every step runs plan -> apply -> plan in process (`run`).
//! A failure is shrunk to a minimal case and printed with its seed, the step that broke, its
//! scripts and Stripe's answer.
//!
//! Knobs (environment):
//! - `BILLINGCTL_PROPERTY_CASES=N` (default 200) and `BILLINGCTL_PROPERTY_STEPS=N` (default 3);
//! - `BILLINGCTL_PROPERTY_SEED=S`: the one case of seed S (what a failure tells you to run);
//! - `BILLINGCTL_PROPERTY_FIRST_SEED=S`: the first seed of the run (default 0);
//! - `BILLINGCTL_PROPERTY_GAPS=include`: generate the known gaps too (`gaps`);
//! - `BILLINGCTL_PROPERTY_KEEP_GOING=1`: run every case and report every failure;
//! - `BILLINGCTL_PROPERTY_VERBOSE=1`: print how many changes each dimension got.
//!
//! The long run: `BILLINGCTL_PROPERTY_CASES=5000 cargo test --test it property -- --nocapture`.

mod gaps;
mod generate;
mod model;
mod rng;
mod run;
mod table;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use gaps::Gaps;
use run::{run_case, shrink};

/// Runs allowed per shrink.
const SHRINK_BUDGET: usize = 300;

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, got {v:?}"))
    })
}

/// The figures of a run, over every case.
#[derive(Default)]
struct Totals {
    steps: usize,
    changes: usize,
    writes: u64,
    refused_invalid: usize,
    refused_valid: Vec<String>,
    failures: Vec<(u64, String)>,
    /// Changes generated per dimension (`BILLINGCTL_PROPERTY_VERBOSE=1` prints them).
    dimensions: BTreeMap<&'static str, usize>,
}

#[test]
fn a_plan_without_errors_applies_without_a_refusal_and_converges() {
    let gaps = Gaps::from_env();
    let steps = env_number("BILLINGCTL_PROPERTY_STEPS").unwrap_or(3) as usize;
    let seeds: Vec<u64> = match env_number("BILLINGCTL_PROPERTY_SEED") {
        Some(seed) => vec![seed],
        None => {
            let first = env_number("BILLINGCTL_PROPERTY_FIRST_SEED").unwrap_or(0);
            let cases = env_number("BILLINGCTL_PROPERTY_CASES").unwrap_or(200);
            (first..first + cases).collect()
        }
    };
    let keep_going = std::env::var_os("BILLINGCTL_PROPERTY_KEEP_GOING").is_some();
    let started = Instant::now();
    // Cases are independent (one emulator each): they run on every core, seed by seed.
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let totals = Mutex::new(Totals::default());
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let index = next.fetch_add(1, Ordering::SeqCst);
                let Some(&seed) = seeds.get(index) else { break };
                if stop.load(Ordering::SeqCst) {
                    break;
                }
                let case = generate::case(seed, steps, &gaps);
                let result = run_case(&case);
                let mut sums = totals.lock().unwrap_or_else(|e| e.into_inner());
                sums.changes += case.changes();
                for change in case.steps.iter().flatten() {
                    *sums.dimensions.entry(change.dimension).or_default() += 1;
                }
                match result {
                    Ok(outcome) => {
                        sums.steps += outcome.steps;
                        sums.writes += outcome.writes;
                        sums.refused_invalid += outcome.refused_invalid;
                        sums.refused_valid.extend(outcome.refused_valid);
                    }
                    Err(failure) => {
                        drop(sums);
                        if !keep_going {
                            stop.store(true, Ordering::SeqCst);
                        }
                        let (small, failure) = shrink(&case, failure, SHRINK_BUDGET);
                        let text = report(seed, steps, &small, &failure);
                        let mut sums = totals.lock().unwrap_or_else(|e| e.into_inner());
                        sums.failures.push((seed, text));
                    }
                }
            });
        }
    });
    let Totals {
        steps: steps_run,
        changes,
        writes,
        refused_invalid,
        mut refused_valid,
        mut failures,
        dimensions,
    } = totals.into_inner().unwrap_or_else(|e| e.into_inner());
    failures.sort();
    let failures: Vec<String> = failures.into_iter().map(|(_, text)| text).collect();
    refused_valid.sort();
    refused_valid.dedup();
    eprintln!(
        "property: {} cases, {steps_run} steps, {changes} changes, {writes} writes, \
         {refused_invalid} invalid changes refused by the plan, {} valid steps refused, \
         {} failures, {:.1} s ({})",
        seeds.len(),
        refused_valid.len(),
        failures.len(),
        started.elapsed().as_secs_f64(),
        gaps.describe(),
    );
    for message in &refused_valid {
        eprintln!("  a valid step was refused: {message}");
    }
    if std::env::var_os("BILLINGCTL_PROPERTY_VERBOSE").is_some() {
        for (dimension, count) in &dimensions {
            eprintln!("  {count:6} {dimension}");
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The failure as the person fixing it needs it: how to reproduce it, the step that broke,
/// the minimal case, its scripts and what Stripe said.
fn report(seed: u64, steps: usize, small: &generate::Case, failure: &run::Failure) -> String {
    let mut out = format!(
        "seed {seed}: {} at step {}\n\
         reproduce: BILLINGCTL_PROPERTY_SEED={seed} BILLINGCTL_PROPERTY_STEPS={steps} \
         cargo test --test it property\n\
         minimal case ({} of the generated changes):\n",
        failure.class,
        failure.step,
        small.changes(),
    );
    for (index, step) in small.steps.iter().enumerate() {
        out.push_str(&format!("  step {index}:\n"));
        for change in step {
            out.push_str(&format!("    {}\n", change.describe()));
        }
    }
    if failure.step > 0 {
        if let Some(previous) = failure.scripts.get(failure.step - 1) {
            out.push_str(&format!(
                "--- script before step {}\n{previous}",
                failure.step
            ));
        }
    }
    if let Some(script) = failure.scripts.last() {
        out.push_str(&format!("--- script at step {}\n{script}", failure.step));
    }
    out.push_str(&format!("--- what happened\n{}\n", failure.detail));
    out
}
