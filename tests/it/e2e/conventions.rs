//! Issue 14, point 7: the conventions other tools taught our users — `--api-key`, `--color`,
//! `-v`/`-q`, completions, `--version`, `apply`, clap's suggestions — and point 6's fail-fast
//! on a refused connection.

use std::io::Write;
use std::process::{Command, Stdio};

use super::CATALOG;
use crate::support::{billingctl, texts, transcript, Harness, TEST_KEY};

const SCRIPT: &str = "scripts/catalog.rhai";

fn harness() -> Harness {
    let harness = Harness::new();
    harness.write(SCRIPT, CATALOG);
    harness
}

#[test]
fn api_key_flag_is_used_with_a_warning_and_never_shown() {
    let harness = harness();
    let output = billingctl(harness.dir.path())
        .args(["plan", SCRIPT, "--api-key", TEST_KEY])
        .args(["--api-base", &harness.emulator.base_url()])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(stderr.contains("shows in process lists"), "{stderr}");
    assert!(stdout.contains("+ product basic"), "{stdout}");
    assert!(!stdout.contains(TEST_KEY) && !stderr.contains(TEST_KEY));
}

#[test]
fn api_key_dash_reads_the_key_from_standard_input_without_a_warning() {
    let harness = harness();
    let mut child = billingctl(harness.dir.path())
        .args(["plan", SCRIPT, "--api-key", "-"])
        .args(["--api-base", &harness.emulator.base_url()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{TEST_KEY}").unwrap();
    let output = child.wait_with_output().unwrap();
    let (_, stderr) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(!stderr.contains("process lists"), "{stderr}");
}

#[test]
fn color_always_and_clicolor_force_colour_a_pipe_and_never_wins() {
    let harness = harness();
    let coloured = |output: &std::process::Output| texts(output).0.contains("\u{1b}[");
    let always = harness
        .command(&["plan", SCRIPT, "--color", "always"])
        .output()
        .unwrap();
    assert!(coloured(&always), "{}", transcript(&always));
    let forced = harness
        .command(&["plan", SCRIPT])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(coloured(&forced), "{}", transcript(&forced));
    let never = harness
        .command(&["plan", SCRIPT, "--color", "never"])
        .env_remove("NO_COLOR")
        .env("CLICOLOR_FORCE", "1")
        .output()
        .unwrap();
    assert!(!coloured(&never), "{}", transcript(&never));
}

/// `plan` on a pseudo-terminal with `TERM` set as given and no NO_COLOR.
fn plan_on_terminal(harness: &Harness, term: &str) -> String {
    let binary = assert_cmd::cargo::cargo_bin("billingctl");
    let line = format!(
        "'{}' plan {SCRIPT} --api-base '{}'",
        binary.display(),
        harness.emulator.base_url()
    );
    let output = Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .current_dir(harness.dir.path())
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TERM", term)
        .env("STRIPE_API_KEY", TEST_KEY)
        .stdin(Stdio::null())
        .output()
        .expect("script(1) runs the command on a pseudo-terminal");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_dumb_terminal_gets_no_colour() {
    let harness = harness();
    let smart = plan_on_terminal(&harness, "xterm");
    assert!(smart.contains("\u{1b}[32m"), "{smart}");
    let dumb = plan_on_terminal(&harness, "dumb");
    assert!(dumb.contains("+ product basic"), "{dumb}");
    assert!(!dumb.contains("\u{1b}[32m"), "{dumb}");
}

#[test]
fn verbose_prints_each_request_without_the_key() {
    let harness = harness();
    let output = harness.command(&["plan", SCRIPT, "-v"]).output().unwrap();
    let (_, stderr) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    let line = stderr
        .lines()
        .find(|l| l.starts_with("GET /v1/products"))
        .unwrap_or_else(|| panic!("{stderr}"));
    assert!(line.contains("-> 200 in "), "{line}");
    assert!(line.contains(" ms [req_"), "{line}");
    assert!(!stderr.contains(TEST_KEY), "{stderr}");
}

#[test]
fn quiet_hides_progress_and_keeps_the_result() {
    let harness = Harness::new();
    harness.write(
        "many.rhai",
        "for i in 0..25 { product(`p${i}`, #{ name: `P ${i}` }); }\n",
    );
    let output = harness
        .command(&["run", "many.rhai", "--yes", "-q"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{}", transcript(&output));
    assert!(!stderr.contains("writes"), "{stderr}");
    assert!(stdout.contains("Applied: 25 created"), "{stdout}");
}

#[test]
fn completions_version_and_the_apply_alias() {
    let harness = harness();
    let bash = harness.offline(&["completions", "bash"]).output().unwrap();
    assert!(
        texts(&bash).0.contains("_billingctl()"),
        "{}",
        transcript(&bash)
    );
    let version = harness.offline(&["--version"]).output().unwrap();
    assert!(
        texts(&version).0.contains("(Stripe API 2026-10-28.endive)"),
        "{}",
        transcript(&version)
    );
    // The top-level help names the alias once (clap's `[alias: apply]`), not twice.
    let help = harness.offline(&["--help"]).output().unwrap();
    let (stdout, _) = texts(&help);
    assert_eq!(stdout.matches("alias: apply").count(), 1, "{stdout}");
    let applied = harness
        .command(&["apply", SCRIPT, "--yes"])
        .output()
        .unwrap();
    assert!(applied.status.success(), "{}", transcript(&applied));
    assert!(harness.posts() > 0);
}

#[test]
fn suggestions_point_at_the_flag_meant() {
    let harness = harness();
    for (typed, meant) in [("--verbos", "--verbose"), ("--api-ke", "--api-key")] {
        let output = harness.offline(&["plan", SCRIPT, typed]).output().unwrap();
        let (_, stderr) = texts(&output);
        assert!(
            stderr.contains(&format!("tip: a similar argument exists: '{meant}'")),
            "{stderr}"
        );
    }
}

#[test]
fn a_refused_connection_fails_fast_and_says_where() {
    let harness = harness();
    // Port 1 on loopback: nothing listens there.
    let output = billingctl(harness.dir.path())
        .env("STRIPE_API_KEY", TEST_KEY)
        .args(["plan", SCRIPT, "--api-base", "http://127.0.0.1:1"])
        .output()
        .unwrap();
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot connect to http://127.0.0.1:1"),
        "{stderr}"
    );
    assert!(stderr.contains("not retried"), "{stderr}");
    assert!(!stderr.contains("10 attempts"), "{stderr}");
}
