//! Issue 14, point 5: the crashes and traps a new user meets — a closed pipe, `--sandbox`
//! eating the script, read-only commands creating files, the prompt before the plan under
//! `tee`, host names for `--listen`, the environment list, `.env` beside the project.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use super::CATALOG;
use crate::support::{billingctl, texts, transcript, Harness};

/// Enough products that the plan is larger than a pipe's buffer (64 KiB on Linux), so the
/// write after `head -1` has gone meets the closed pipe.
const MANY: &str = "for i in 0..1500 { product(`p${i}`, #{ name: `Product ${i}` }); }\n";

#[test]
fn a_closed_pipe_ends_the_output_quietly_in_every_format() {
    let harness = Harness::new();
    harness.write("many.rhai", MANY);
    for format in ["human", "json", "markdown"] {
        let mut child = harness
            .std_command(&["plan", "many.rhai", "-o", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // `| head -1`: one line read, then the reader is gone.
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.wait().unwrap();
        assert!(!first.is_empty(), "{format}");
        assert!(!stderr.contains("panicked"), "{format}: {stderr}");
        assert_eq!(status.code(), Some(0), "{format}: {stderr}");
    }
}

#[test]
fn sandbox_without_a_path_leaves_the_script_a_script() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", CATALOG);
    let output = harness
        .offline(&["plan", "--sandbox", "scripts/catalog.rhai"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(
        stdout.contains("Account: sandbox .billingctl/sandbox.json"),
        "{stdout}"
    );
    assert!(stdout.contains("+ product basic"), "{stdout}");
    // The script is untouched and is not a state file.
    let script = std::fs::read_to_string(harness.path("scripts/catalog.rhai")).unwrap();
    assert_eq!(script, CATALOG);
}

/// `--sandbox sb.json` after the script: clap says only "unexpected argument"; the way to
/// write it is shown too.
#[test]
fn a_sandbox_path_without_equals_is_explained() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", CATALOG);
    let output = harness
        .offline(&["plan", "scripts/catalog.rhai", "--sandbox", "sb.json"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(
        stderr.contains("hint: a sandbox path needs `=`: `--sandbox=sb.json`"),
        "{stderr}"
    );
    assert!(!harness.path("sb.json").exists());
}

#[test]
fn read_only_commands_create_no_sandbox_file_or_folder() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", CATALOG);
    for command in ["plan", "verify", "export"] {
        let mut args = vec![command];
        if command != "export" {
            args.push("scripts/catalog.rhai");
        }
        args.push("--sandbox=missing/dir/x.json");
        let output = harness.offline(&args).output().unwrap();
        // verify reports drift (2): an empty account lacks the whole catalog.
        assert!(
            matches!(output.status.code(), Some(0 | 2)),
            "{command}: {}",
            transcript(&output)
        );
        assert!(!harness.path("missing").exists(), "{command} created files");
    }
    let output = harness
        .offline(&["plan", "scripts/catalog.rhai", "--sandbox"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(!harness.path(".billingctl").exists());
}

#[test]
fn plan_reads_the_sandbox_a_run_wrote_and_leaves_it_as_it_was() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", CATALOG);
    let run = harness
        .offline(&[
            "run",
            "scripts/catalog.rhai",
            "--sandbox=state/s.json",
            "--yes",
        ])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", transcript(&run));
    let before = std::fs::read(harness.path("state/s.json")).unwrap();
    let plan = harness
        .offline(&["plan", "scripts/catalog.rhai", "--sandbox=state/s.json"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&plan);
    assert!(stdout.contains("No changes."), "{}", transcript(&plan));
    assert_eq!(std::fs::read(harness.path("state/s.json")).unwrap(), before);
    let names: Vec<_> = std::fs::read_dir(harness.path("state"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["s.json"], "no temporary files left beside it");
}

#[test]
fn the_emulator_listens_on_a_host_name() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = billingctl(dir.path())
        .args(["emulator", "--listen", "localhost:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(line.starts_with("listening on http://"), "{line}");
}

#[test]
fn the_unknown_environment_help_lists_each_name_once() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", CATALOG);
    harness.write(
        "scripts/env/live.rhai",
        "fn settings() { #{ mode: \"live\" } }\n",
    );
    let output = harness
        .offline(&["check", "scripts/catalog.rhai", "--env", "qqqqqq"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert!(
        stderr.contains("known environments: live, test\n"),
        "{stderr}"
    );
}

#[test]
fn dotenv_is_found_at_the_project_root_from_another_directory() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", CATALOG);
    harness.write(".git/HEAD", "ref: refs/heads/main\n");
    harness.write(
        ".env",
        &format!("STRIPE_API_KEY={}\n", crate::support::TEST_KEY),
    );
    harness.write("ci/.keep", "");
    let script = harness.path("scripts/catalog.rhai");
    let output = billingctl(&harness.path("ci"))
        .args(["plan", script.to_str().unwrap()])
        .args(["--api-base", &harness.emulator.base_url()])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stdout.contains("+ product basic"), "{stdout}");
}
