//! The paths only a terminal takes: the confirmation prompt and the progress bar. The binary
//! runs under `script(1)` (util-linux), which gives it a pseudo-terminal for stdin, stdout
//! and stderr and passes our piped answer through to it.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::support::{Harness, TEST_KEY};

/// 25 products: more writes than the 20 past which a terminal gets a bar.
const MANY: &str = "for i in 0..25 { product(`p${i}`, #{ name: `Product ${i}` }); }\n";

/// `billingctl ARGS --api-base EMULATOR` on a pseudo-terminal, typing `answer`: the exit code
/// and everything the terminal showed (stdout and stderr together, as a person sees them).
fn on_terminal(harness: &Harness, args: &[&str], answer: &str) -> (Option<i32>, String) {
    let binary = assert_cmd::cargo::cargo_bin("billingctl");
    let base_url = harness.emulator.base_url();
    let line = std::iter::once(binary.to_str().expect("a UTF-8 path"))
        .chain(args.iter().copied())
        .chain(["--api-base", base_url.as_str()])
        .map(|word| format!("'{word}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(harness.dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("STRIPE_API_KEY", TEST_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("script(1) from util-linux runs the command on a pseudo-terminal");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(answer.as_bytes())
        .expect("type the answer");
    let output = child.wait_with_output().expect("the command ends");
    let shown = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.code(), shown)
}

#[test]
fn on_a_terminal_anything_but_yes_cancels_without_writing() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", super::CATALOG);
    let (code, shown) = on_terminal(&harness, &["run", "scripts/catalog.rhai"], "y\n");
    assert!(shown.contains("Only 'yes' will be accepted"), "{shown}");
    assert!(
        shown.contains("Apply cancelled; nothing was written."),
        "{shown}"
    );
    // Like `terraform apply` answered "no": the run did not do its job, so it fails.
    assert_eq!(code, Some(1), "{shown}");
    assert_eq!(harness.posts(), 0);
}

#[test]
fn on_a_terminal_yes_applies_with_a_progress_bar() {
    let harness = Harness::new();
    harness.write("many.rhai", MANY);
    let (code, shown) = on_terminal(&harness, &["run", "many.rhai"], "yes\n");
    assert_eq!(code, Some(0), "{shown}");
    assert!(shown.contains("Applied: 25 created"), "{shown}");
    // The bar redraws its line in place (erase line, ESC [2K) and counts the writes.
    assert!(shown.contains("\u{1b}[2K"), "{shown}");
    assert!(shown.contains("25/25 writes"), "{shown}");
    assert_eq!(harness.posts(), 25);
}

#[test]
fn on_a_terminal_the_account_is_named_before_listing_and_progress_has_time_and_eta() {
    let harness = Harness::new();
    harness.write("many.rhai", MANY);
    let (code, shown) = on_terminal(&harness, &["run", "many.rhai", "--yes"], "");
    assert_eq!(code, Some(0), "{shown}");
    // The spinner names the account before the first list answers.
    let reading = shown
        .find("Reading http://127.0.0.1:")
        .expect("the account first");
    assert!(
        reading < shown.find("+ product p0").expect("the plan"),
        "{shown}"
    );
    assert!(shown.contains(" elapsed, ETA "), "{shown}");
    // The summary says how long the apply took.
    assert!(
        shown.contains("Applied: 25 created, 0 updated, 0 deactivated. Took "),
        "{shown}"
    );
}

#[test]
fn off_a_terminal_a_large_apply_prints_plain_progress_lines() {
    let harness = Harness::new();
    harness.write("many.rhai", MANY);
    let output = harness
        .command(&["run", "many.rhai", "--yes"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    // One line per tenth of the writes (every 3 of 25), and no terminal control codes.
    assert!(stderr.contains("  3/25 writes\n"), "{stderr}");
    assert!(stderr.contains("  25/25 writes\n"), "{stderr}");
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
}

#[test]
fn under_tee_the_confirmation_prompt_follows_the_plan() {
    let harness = Harness::new();
    harness.write("scripts/catalog.rhai", super::CATALOG);
    let binary = assert_cmd::cargo::cargo_bin("billingctl");
    // `run | tee log` on a terminal: stdout is a pipe to tee, stdin and stderr the terminal.
    let line = format!(
        "'{}' run scripts/catalog.rhai --api-base '{}' | tee log.txt",
        binary.display(),
        harness.emulator.base_url()
    );
    let mut child = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(harness.dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .env("STRIPE_API_KEY", TEST_KEY)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script(1) runs the pipeline on a pseudo-terminal");
    child.stdin.take().unwrap().write_all(b"no\n").unwrap();
    let output = child.wait_with_output().unwrap();
    let shown = String::from_utf8_lossy(&output.stdout);
    let plan = shown.find("Plan: 7 to create").expect("the plan is shown");
    let prompt = shown
        .find("Only 'yes' will be accepted")
        .expect("the prompt");
    assert!(plan < prompt, "{shown}");
    assert_eq!(harness.posts(), 0);
}
