//! Issue 14, point 9: `billingctl init` starts a project whose script passes `check` and
//! applies on the sandbox, with a CI workflow for pull requests.

use crate::support::{texts, transcript, Harness};

#[test]
fn init_writes_a_project_that_checks_and_applies_on_the_sandbox() {
    let harness = Harness::new();
    harness.write(".gitignore", "target/");
    let init = harness.offline(&["init"]).output().unwrap();
    assert!(init.status.success(), "{}", transcript(&init));
    for file in [
        "scripts/catalog.rhai",
        "scripts/env/test.rhai",
        "scripts/env/live.rhai",
        "examples/ci/billingctl.yml",
    ] {
        assert!(harness.path(file).is_file(), "{file}");
    }
    let ignore = std::fs::read_to_string(harness.path(".gitignore")).unwrap();
    assert!(
        ignore.starts_with("target/\n") && ignore.contains("\n.billingctl/\n"),
        "{ignore}"
    );
    let workflow = std::fs::read_to_string(harness.path("examples/ci/billingctl.yml")).unwrap();
    for step in [
        "-o markdown --out plan.json",
        "run --plan plan.json",
        "billingctl verify",
        "schedule:",
    ] {
        assert!(workflow.contains(step), "{step}");
    }

    let check = harness
        .offline(&["check", "scripts/catalog.rhai"])
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", transcript(&check));
    let live = harness
        .offline(&["check", "scripts/catalog.rhai", "--env", "live"])
        .output()
        .unwrap();
    assert!(live.status.success(), "{}", transcript(&live));
    let run = harness
        .offline(&["run", "scripts/catalog.rhai", "--sandbox", "--yes"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", transcript(&run));
    assert!(
        texts(&run).0.contains("Applied: 6 created"),
        "{}",
        transcript(&run)
    );

    // A second init keeps every file, and the .gitignore line is not repeated.
    std::fs::write(harness.path("scripts/catalog.rhai"), "// mine\n").unwrap();
    let again = harness.offline(&["init"]).output().unwrap();
    assert!(texts(&again).1.contains("kept     scripts/catalog.rhai"));
    assert_eq!(
        std::fs::read_to_string(harness.path("scripts/catalog.rhai")).unwrap(),
        "// mine\n"
    );
    let ignore = std::fs::read_to_string(harness.path(".gitignore")).unwrap();
    assert_eq!(ignore.matches(".billingctl/").count(), 1, "{ignore}");
}

#[test]
fn docs_prints_the_reference_generated_from_the_field_tables() {
    let harness = Harness::new();
    let output = harness.offline(&["docs", "price"]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stdout.contains("`price(lookup_key, #{...})`"), "{stdout}");
    assert!(
        stdout.contains("| `unit_amount` | integer | optional | no (immutable) |"),
        "{stdout}"
    );
    assert!(stdout.contains("| `recurring.interval` |"), "{stdout}");
    assert!(!stdout.contains("### coupon"), "{stdout}");
    let unknown = harness.offline(&["docs", "prices"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(1));
}
