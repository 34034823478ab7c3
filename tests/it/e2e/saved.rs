//! Issue 14, point 1: saved plans and subsets. `plan --out FILE` then `run --plan FILE`
//! applies exactly what was reviewed, or nothing; `--only KIND:KEY` plans a subset with
//! what it depends on.

use serde_json::{json, Value};

use super::CATALOG;
use crate::support::{texts, transcript, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";

/// `CATALOG` with one update (a nickname) and one create (a product).
fn edited() -> String {
    CATALOG.replace(
        "unit_amount: 900,",
        "unit_amount: 900, nickname: \"Basic (monthly)\",",
    ) + "product(\"team\", #{ name: \"Team\" });\n"
}

fn save_plan(harness: &Harness) -> Value {
    let output = harness
        .command(&["plan", SCRIPT, "--out", "plan.json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(texts(&output).1.contains("billingctl run --plan plan.json"));
    serde_json::from_str(&std::fs::read_to_string(harness.path("plan.json")).unwrap()).unwrap()
}

#[test]
fn a_saved_plan_applied_unchanged_performs_exactly_its_actions() {
    let harness = Harness::applied(CATALOG);
    harness.write(SCRIPT, &edited());
    let saved = save_plan(&harness);
    assert_eq!(saved["format"], "billingctl-plan");
    assert_eq!(saved["format_version"], 2);
    assert_eq!(saved["environment"], "test");
    assert_eq!(
        saved["live"].as_array().unwrap().len(),
        7,
        "every live object read"
    );
    let actions: Vec<(String, String)> = saved["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().into(),
                a["key"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        actions,
        [
            ("create".into(), "team".into()),
            ("update".into(), "basic_monthly".into())
        ]
    );
    harness.reset_stats();
    // No script argument, no prompt: the plan names the script and was reviewed.
    let output = harness
        .command(&["run", "--plan", "plan.json"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(texts(&output).0.contains("Applied: 1 created, 1 updated"));
    assert_eq!(harness.posts(), 2, "exactly the two saved actions");
    assert_eq!(
        harness.price("basic_monthly")["nickname"],
        "Basic (monthly)"
    );
}

#[test]
fn a_saved_plan_is_refused_with_zero_writes_after_an_out_of_band_edit() {
    let harness = Harness::applied(CATALOG);
    harness.write(SCRIPT, &edited());
    save_plan(&harness);
    // Someone edits, in the Dashboard, the price the plan updates.
    let id = harness.price("basic_monthly")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    harness.post(
        &format!("/v1/prices/{id}"),
        json!({"nickname": "Dashboard"}),
    );
    harness.reset_stats();
    let output = harness
        .command(&["run", "--plan", "plan.json"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("out of date; nothing was written"),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "price basic_monthly ({id}) changed in the account since the plan was made"
        )),
        "{stderr}"
    );
    assert_eq!(harness.posts(), 0);
}

#[test]
fn a_saved_plan_is_refused_when_the_script_renders_differently() {
    let harness = Harness::applied(CATALOG);
    harness.write(SCRIPT, &edited());
    save_plan(&harness);
    harness.write(SCRIPT, &edited().replace("\"Team\"", "\"Teams\""));
    harness.reset_stats();
    let output = harness
        .command(&["run", "--plan", "plan.json"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr
            .contains("the script no longer renders the same desired state: product team differs"),
        "{stderr}"
    );
    assert_eq!(harness.posts(), 0);
}

#[test]
fn only_plans_a_subset_with_what_it_depends_on() {
    let harness = Harness::new();
    harness.write(SCRIPT, CATALOG);
    let output = harness
        .command(&["plan", SCRIPT, "--only", "price:plus_*"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stdout.contains("+ price plus_monthly"), "{stdout}");
    assert!(stdout.contains("+ product plus"), "{stdout}");
    assert!(!stdout.contains("basic"), "{stdout}");
    assert!(
        stdout.contains("also product plus: price plus_monthly depends on it"),
        "{stdout}"
    );
    assert!(stdout.contains("5 other changes left out"), "{stdout}");
    let run = harness
        .command(&["run", SCRIPT, "--only", "price:plus_*", "--yes"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", transcript(&run));
    assert_eq!(harness.posts(), 2);
}

/// Before the fix, `--only price:nope` planned nothing and said nothing.
#[test]
fn an_only_pattern_that_matches_nothing_is_an_error_with_a_suggestion() {
    let harness = Harness::new();
    harness.write(SCRIPT, CATALOG);
    let output = harness
        .command(&[
            "plan",
            SCRIPT,
            "--only",
            "price:plus_montly",
            "--only",
            "price:basic_*",
        ])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        stderr.contains(
            "--only `price:plus_montly` (did you mean `plus_monthly`?) matches nothing the \
             script declares"
        ),
        "{stderr}"
    );
    assert_eq!(harness.requests(), 0, "refused before any request");
}

#[test]
fn terraforms_dash_out_is_explained() {
    let harness = Harness::new();
    harness.write(SCRIPT, CATALOG);
    let output = harness
        .offline(&["plan", SCRIPT, "-out", "plan.bin"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr.contains("use `--out FILE`"), "{stderr}");
}

/// A plan file that cannot be written is an error naming the file asked for (not the
/// temporary file beside it), and nothing else is left behind.
#[test]
fn a_plan_file_that_cannot_be_written_is_named_in_the_error() {
    let harness = Harness::new();
    harness.write(SCRIPT, CATALOG);
    let output = harness
        .command(&["plan", SCRIPT, "--out", "missing/plan.json"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        stderr.contains("error: writing the plan to missing/plan.json:"),
        "{stderr}"
    );
    assert!(!stderr.contains("billingctl-tmp"), "{stderr}");
    assert!(!harness.path("missing").exists());
}
