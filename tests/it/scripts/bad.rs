//! The bad-script corpus: every `bad/*.rhai` fails, with exactly the diagnostics its
//! `// expect: [FILE:]LINE:COL MESSAGE` lines list (`-` for no position), each at its
//! position. `// env: NAME` picks the environment. The rendered output is snapshotted too.

use std::path::Path;

use billingctl::diag::{render_human, render_json, Diagnostics};

const DIR: &str = "tests/it/scripts/bad/";

/// One `// expect:` line: where (project-relative `file:line:col`, or None) and what.
struct Expected {
    location: Option<String>,
    message: String,
}

fn expectations(script: &str, source: &str) -> Vec<Expected> {
    source
        .lines()
        .filter_map(|l| l.strip_prefix("// expect: "))
        .map(|rest| {
            let (location, message) = rest.split_once(' ').expect("`// expect: LOCATION MESSAGE`");
            let location = match location.split(':').count() {
                _ if location == "-" => None,
                2 => Some(format!("{script}:{location}")),
                _ if location.starts_with("stdlib/") => Some(location.to_owned()),
                _ => Some(format!("{DIR}{location}")),
            };
            Expected {
                location,
                message: message.to_owned(),
            }
        })
        .collect()
}

/// The first line of a rendered diagnostic: `kind `key`: message`.
fn headline(rendered: &str) -> &str {
    rendered
        .lines()
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
}

fn check(path: &Path) -> Diagnostics {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = path
        .strip_prefix(root)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    // Lossy: one bad script is not UTF-8 on purpose.
    let source = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let env = source
        .lines()
        .find_map(|l| l.strip_prefix("// env: "))
        .unwrap_or("test");
    let diags = match billingctl::script::evaluate(Path::new(&script), env) {
        Ok(_) => panic!("{script} evaluated without errors"),
        Err(diags) => diags,
    };
    let expected = expectations(&script, &source);
    assert!(!expected.is_empty(), "{script} has no `// expect:` line");
    let found: Vec<(Option<String>, String)> = diags
        .0
        .iter()
        .map(|d| {
            let one = Diagnostics(vec![d.clone()]);
            (
                d.span.as_ref().map(ToString::to_string),
                headline(&render_human(&one, false)).to_owned(),
            )
        })
        .collect();
    for e in &expected {
        assert!(
            found
                .iter()
                .any(|(loc, msg)| *loc == e.location && msg.contains(&e.message)),
            "{script}: expected {:?} `{}`, found {found:#?}",
            e.location,
            e.message
        );
    }
    assert_eq!(
        found.len(),
        expected.len(),
        "{script}: unexpected diagnostics {found:#?}"
    );
    diags
}

#[test]
fn every_bad_script_fails_with_its_expected_diagnostics() {
    insta::glob!("bad/*.rhai", |path| {
        let diags = check(path);
        insta::assert_snapshot!(render_human(&diags, false));
    });
}

#[test]
fn the_corpus_covers_at_least_thirty_scripts() {
    let count = std::fs::read_dir(DIR)
        .unwrap()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "rhai"))
        .count();
    assert!(count >= 30, "only {count} bad scripts");
}

#[test]
fn json_diagnostics_carry_location_subject_and_help() {
    let diags = check(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(DIR)
            .join("02-unknown-field.rhai"),
    );
    let json = render_json(&diags);
    assert_eq!(
        json[0]["location"],
        "tests/it/scripts/bad/02-unknown-field.rhai:2:1"
    );
    assert_eq!(json[0]["span"]["line"], 2);
    assert_eq!(json[0]["subject"]["object"], "price");
    assert_eq!(json[0]["subject"]["key"], "basic_monthly");
    assert_eq!(json[0]["subject"]["field"], "unit_ammount");
    assert_eq!(json[0]["help"], "did you mean `unit_amount`?");
}

#[test]
fn check_exits_1_and_prints_every_error_without_colour() {
    let out = assert_cmd::Command::cargo_bin("billingctl")
        .unwrap()
        .args(["check", "tests/it/scripts/bad/12-currency.rhai"])
        .env("NO_COLOR", "1")
        .assert()
        .code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(stderr.matches("error:").count(), 2, "{stderr}");
    assert!(!stderr.contains('\x1b'), "{stderr}");
    assert!(stderr.contains("2 │ price(\"basic_upper\""), "{stderr}");
}
