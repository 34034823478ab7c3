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
    // Each field's limits, from the same table.
    assert!(
        stdout.contains(
            "| `lookup_key` (the key) | string | optional | yes |  |  | ≤ 200 characters |"
        ),
        "{stdout}"
    );
    // The declaration options beside the fields.
    for option in [
        "`adopt: \"price_…\"`",
        "`metadata_exact: true`",
        "`on_immutable_change",
    ] {
        assert!(stdout.contains(option), "{option}: {stdout}");
    }
    let coupon = harness.offline(&["docs", "coupon"]).output().unwrap();
    let (coupon, _) = texts(&coupon);
    assert!(
        !coupon.contains("on_immutable_change"),
        "a coupon cannot be replaced: {coupon}"
    );
    let unknown = harness.offline(&["docs", "prices"]).output().unwrap();
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        texts(&unknown)
            .1
            .contains("a similar value exists: 'price'"),
        "{}",
        transcript(&unknown)
    );
    // Every kind of the registry is named in the help, and found by its name too.
    let help = harness.offline(&["docs", "--help"]).output().unwrap();
    let (stdout, _) = texts(&help);
    for kind in billingctl::kinds::KINDS {
        assert!(
            stdout.contains(kind.function()),
            "{}: {stdout}",
            kind.name()
        );
    }
    let portal = harness
        .offline(&["docs", "portal_configuration"])
        .output()
        .unwrap();
    assert!(portal.status.success(), "{}", transcript(&portal));
}

/// The `billingctl …` command lines of a workflow (a `run:` step, or a line of a `run: |`
/// block): each one's arguments, and the file its standard output is redirected to.
fn billingctl_lines(workflow: &str) -> Vec<(String, Vec<String>, Option<String>)> {
    workflow
        .lines()
        .filter_map(|line| {
            let line = line.trim();
            let line = line.strip_prefix("- ").unwrap_or(line);
            let line = line.strip_prefix("run: ").unwrap_or(line);
            line.strip_prefix("billingctl ")
        })
        .map(|command| {
            // Split on blanks below: a quote, pipe or variable would need a shell.
            assert!(
                !command.contains(['"', '\'', '|', '&', ';', '$', '`']),
                "a billingctl line this test cannot run as written: {command}"
            );
            let (args, stdout) = match command.split_once(" > ") {
                Some((args, file)) => (args, Some(file.trim().to_owned())),
                None => (command, None),
            };
            let args = args.split_whitespace().map(str::to_owned).collect();
            (format!("billingctl {command}"), args, stdout)
        })
        .collect()
}

/// Issue 14: the pull-request workflow `init` writes runs as written. Each `billingctl` line
/// of it runs, in order, against an account (the emulator, with the key variable the
/// workflow names): check, plan to a markdown comment and a saved plan, apply exactly that
/// plan, verify. A renamed flag or command fails here. README shows the same lines.
#[test]
fn every_billingctl_line_of_the_ci_workflow_runs_as_written() {
    let harness = Harness::new();
    let init = harness.offline(&["init"]).output().unwrap();
    assert!(init.status.success(), "{}", transcript(&init));
    let workflow = std::fs::read_to_string(harness.path("examples/ci/billingctl.yml")).unwrap();
    let lines = billingctl_lines(&workflow);
    let commands: Vec<&str> = lines.iter().map(|(_, args, _)| args[0].as_str()).collect();
    assert_eq!(commands, ["check", "plan", "run", "verify"], "{workflow}");
    let readme = include_str!("../../../README.md");
    for (line, args, stdout) in &lines {
        assert!(readme.contains(line), "README.md shows `{line}`");
        let mut command = crate::support::billingctl(harness.dir.path());
        command
            .env("STRIPE_API_KEY_TEST", crate::support::TEST_KEY)
            .env("BILLINGCTL_API_BASE", harness.emulator.base_url())
            .args(args);
        if args[0] != "check" {
            command.args(["--max-rps", "1000", "--endpoint-rps", "1000"]);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{line}: {}", transcript(&output));
        if let Some(file) = stdout {
            std::fs::write(harness.path(file), &output.stdout).unwrap();
        }
        if args[0] == "plan" {
            assert!(harness.path("plan.json").is_file(), "{line}");
            let comment = std::fs::read_to_string(harness.path("plan.md")).unwrap();
            assert!(comment.contains("6 to create"), "{comment}");
            assert_eq!(harness.posts(), 0, "{line} writes nothing");
        }
        if args[0] == "run" {
            assert!(
                texts(&output).0.contains("Applied: 6 created"),
                "{}",
                transcript(&output)
            );
        }
    }
}
