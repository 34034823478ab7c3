//! Connect: one catalog applied to many connected accounts of a platform, with
//! `--stripe-account`, `--accounts FILE` and an overlay's `accounts`; fail-fast across the
//! fleet, per-account values in the script, verify naming the drifted account, export of one.

use serde_json::Value;

use super::CATALOG;
use crate::support::{succeeded, texts, transcript, Harness};

/// Three connected accounts of the harness's platform.
fn three(h: &Harness) -> Vec<String> {
    (0..3)
        .map(|_| h.emulator.create_account(&[]).expect("an account"))
        .collect()
}

/// `--stripe-account A --stripe-account B …`.
fn flags(accounts: &[String]) -> Vec<String> {
    accounts
        .iter()
        .flat_map(|a| ["--stripe-account".to_owned(), a.clone()])
        .collect()
}

fn run(h: &Harness, args: &[&str]) -> std::process::Output {
    h.command(args).output().expect("runs")
}

fn with(base: &[&str], accounts: &[String]) -> Vec<String> {
    let mut all: Vec<String> = base.iter().map(|s| (*s).to_owned()).collect();
    all.extend(flags(accounts));
    all
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

#[test]
fn three_accounts_are_created_then_a_rerun_is_a_no_op() {
    let h = Harness::new();
    h.write("scripts/catalog.rhai", CATALOG);
    let accounts = three(&h);
    let args = with(&["run", "scripts/catalog.rhai", "--yes"], &accounts);
    let output = run(&h, &refs(&args));
    succeeded(&output, "run on three accounts");
    let (stdout, _) = texts(&output);
    for account in &accounts {
        assert!(
            stdout.contains(&format!("== Account {account} ==")),
            "{stdout}"
        );
        assert!(
            stdout.contains(&format!("{account}: 7 created")),
            "{stdout}"
        );
        let stats = h.emulator.account_stats(account);
        assert_eq!(stats.posts(), 7, "{account}");
    }
    assert!(
        stdout.contains("Applied to 3 accounts: 21 created"),
        "{stdout}"
    );
    // The platform itself holds nothing: every write carried Stripe-Account.
    assert_eq!(h.emulator.platform_stats().posts(), 0);
    assert!(h.list_all("/v1/products").is_empty());

    h.reset_stats();
    let output = run(&h, &refs(&args));
    succeeded(&output, "re-run");
    assert_eq!(h.emulator.stats().posts(), 0, "{}", transcript(&output));
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("No changes"), "{stdout}");
}

#[test]
fn an_error_in_one_accounts_plan_writes_nothing_anywhere() {
    let h = Harness::new();
    // The second account gets an invalid amount through its values.
    let script = CATALOG.replace(
        "unit_amount: 900,",
        "unit_amount: if \"basic\" in env.account.values { env.account.values.basic } else { 900 },",
    );
    h.write("scripts/catalog.rhai", &script);
    let accounts = three(&h);
    let file = format!(
        r#"["{}", {{"id": "{}", "values": {{"basic": -5}}}}, "{}"]"#,
        accounts[0], accounts[1], accounts[2]
    );
    h.write("accounts.json", &file);
    let output = run(
        &h,
        &[
            "run",
            "scripts/catalog.rhai",
            "--yes",
            "--accounts",
            "accounts.json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert_eq!(h.emulator.stats().posts(), 0, "{}", transcript(&output));
    let (stdout, stderr) = texts(&output);
    assert!(
        stderr.contains(&format!(
            "the plans of 1 of 3 accounts have errors ({}); nothing was written to any account",
            accounts[1]
        )),
        "{stderr}"
    );
    assert!(stderr.contains("unit_amount"), "{stderr}");
    // The table names the failing account's errors.
    let row = stdout
        .lines()
        .find(|l| l.starts_with(&accounts[1]))
        .expect("a row per account");
    assert!(row.trim_end().ends_with('1'), "{row}");

    // --per-account: the others are applied; the failing one is reported.
    let output = run(
        &h,
        &[
            "run",
            "scripts/catalog.rhai",
            "--yes",
            "--accounts",
            "accounts.json",
            "--per-account",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert_eq!(h.emulator.account_stats(&accounts[0]).posts(), 7);
    assert_eq!(h.emulator.account_stats(&accounts[1]).posts(), 0);
    assert_eq!(h.emulator.account_stats(&accounts[2]).posts(), 7);
}

#[test]
fn per_account_values_reach_the_script() {
    let h = Harness::new();
    h.write(
        "scripts/catalog.rhai",
        r#"
product("basic", #{ name: `Basic ${env.account.id}` });
price("basic_monthly", #{ product: "basic", currency: if "currency" in env.account.values { env.account.values.currency } else { "eur" },
                          unit_amount: 900, recurring: #{ interval: "month" } });
"#,
    );
    let accounts = three(&h);
    let file = serde_json::json!([
        {"id": accounts[0], "values": {"currency": "gbp"}},
        accounts[1],
    ]);
    h.write("accounts.json", &file.to_string());
    let output = run(
        &h,
        &[
            "run",
            "scripts/catalog.rhai",
            "--yes",
            "--accounts",
            "accounts.json",
            "--stripe-account",
            &accounts[2],
        ],
    );
    succeeded(&output, "run with values");
    // What each account holds, as `export --stripe-account` writes it.
    let exported = |account: &str| -> String {
        let out = h
            .command(&["export", "--stripe-account", account])
            .output()
            .expect("export runs");
        succeeded(&out, "export");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let first = exported(&accounts[0]);
    assert!(first.contains("\"gbp\""), "{first}");
    assert!(first.contains(&format!("Basic {}", accounts[0])), "{first}");
    let second = exported(&accounts[1]);
    assert!(second.contains("\"eur\""), "{second}");
    let third = exported(&accounts[2]);
    assert!(third.contains(&format!("Basic {}", accounts[2])), "{third}");
}
#[test]
fn verify_names_the_account_that_drifted() {
    let h = Harness::new();
    h.write("scripts/catalog.rhai", CATALOG);
    let accounts = three(&h);
    succeeded(
        &run(
            &h,
            &refs(&with(&["run", "scripts/catalog.rhai", "--yes"], &accounts)),
        ),
        "run",
    );
    let verify = with(&["verify", "scripts/catalog.rhai"], &accounts);
    let output = run(&h, &refs(&verify));
    succeeded(&output, "verify in sync");
    assert!(texts(&output).0.contains("In sync: all 3 accounts"));

    // Out of band, in the second account only: the Dashboard renames a product.
    let key = billingctl::stripe::ApiKey::new(crate::support::TEST_KEY.into()).unwrap();
    let platform = billingctl::stripe::Client::new(billingctl::stripe::ClientConfig::new(
        h.emulator.base_url(),
        key,
    ))
    .unwrap();
    let connected = platform.for_account(&accounts[1], None).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut params = serde_json::Map::new();
    params.insert("name".into(), "Renamed".into());
    runtime
        .block_on(connected.post("/v1/products/basic", &params))
        .unwrap();

    let output = run(&h, &refs(&verify));
    assert_eq!(output.status.code(), Some(2), "{}", transcript(&output));
    let (stdout, stderr) = texts(&output);
    assert!(
        stderr.contains(&format!(
            "drift: {} does not match the catalog",
            accounts[1]
        )),
        "{stderr}"
    );
    assert!(
        !stderr.contains(&accounts[0]) && !stderr.contains(&accounts[2]),
        "{stderr}"
    );
    assert!(stdout.contains("Renamed"), "{stdout}");

    // JSON: every action carries its account; the drifted ones are listed.
    let mut json_args = verify.clone();
    json_args.extend(["-o".to_owned(), "json".to_owned()]);
    let output = run(&h, &refs(&json_args));
    assert_eq!(output.status.code(), Some(2));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["drifted"], serde_json::json!([accounts[1]]));
    assert_eq!(value["accounts"].as_array().unwrap().len(), 3);
    let changes = value["accounts"][1]["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["account"], accounts[1].as_str());
    assert_eq!(value["summary"][1]["update"], 1);
}

#[test]
fn an_unknown_account_is_an_error_of_its_plan_and_nothing_is_written() {
    let h = Harness::new();
    h.write("scripts/catalog.rhai", CATALOG);
    let real = h.emulator.create_account(&[]).unwrap();
    let output = run(
        &h,
        &[
            "run",
            "scripts/catalog.rhai",
            "--yes",
            "--stripe-account",
            &real,
            "--stripe-account",
            "acct_doesnotexist",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert_eq!(h.emulator.stats().posts(), 0);
    let (_, stderr) = texts(&output);
    assert!(stderr.contains("acct_doesnotexist"), "{stderr}");
    assert!(!stderr.contains(crate::support::TEST_KEY), "{stderr}");
}

#[test]
fn an_overlays_settings_may_list_the_accounts() {
    let h = Harness::new();
    h.write("scripts/catalog.rhai", CATALOG);
    let accounts = three(&h);
    h.write(
        "scripts/env/fleet.rhai",
        &format!(
            "fn settings() {{ #{{ accounts: [\"{}\", #{{ id: \"{}\", values: #{{}} }}] }} }}\n",
            accounts[0], accounts[2]
        ),
    );
    let output = run(
        &h,
        &[
            "plan",
            "scripts/catalog.rhai",
            "--env",
            "fleet",
            "-o",
            "markdown",
        ],
    );
    succeeded(&output, "plan for the overlay's accounts");
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains(&format!("## Account `{}`", accounts[0])),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!("## Account `{}`", accounts[2])),
        "{stdout}"
    );
    assert!(!stdout.contains(&accounts[1]), "{stdout}");
    assert!(
        stdout.contains(&format!("| `{}` | 7 | 0 | 0 | 0 |", accounts[0])),
        "{stdout}"
    );
    assert_eq!(h.emulator.stats().posts(), 0);
}

#[test]
fn the_platform_cap_bounds_every_account_together() {
    let h = Harness::new();
    h.write("scripts/catalog.rhai", CATALOG);
    let accounts: Vec<String> = three(&h).into_iter().take(2).collect();
    let mut args = with(&["run", "scripts/catalog.rhai", "--yes"], &accounts);
    args.extend(["--platform-max-rps".to_owned(), "10".to_owned()]);
    let started = std::time::Instant::now();
    succeeded(&run(&h, &refs(&args)), "run under a platform cap");
    let took = started.elapsed();
    let requests = h.emulator.stats().total;
    // Each account alone may send 25 a second; together they may send 10: the requests of
    // both (reads and 14 writes) cannot fit in less than (requests - burst) / 10 seconds.
    assert!(requests >= 20, "{requests}");
    let floor = std::time::Duration::from_millis((requests - 10) * 100);
    assert!(
        took >= floor,
        "{requests} requests in {took:?}, floor {floor:?}"
    );
}

#[test]
fn sigterm_stops_scheduling_accounts_and_reports_each() {
    use std::io::{BufRead, BufReader, Read};
    let h = Harness::with_knobs(billingctl::emulator::EmulatorKnobs {
        latency_ms: 100,
        ..Default::default()
    });
    let script: String = (0..4)
        .map(|i| format!("product(\"p{i}\", #{{ name: \"P{i}\" }});\n"))
        .collect();
    h.write("scripts/catalog.rhai", &script);
    let accounts: Vec<String> = (0..4)
        .map(|_| h.emulator.create_account(&[]).unwrap())
        .collect();
    let mut args = with(&["run", "scripts/catalog.rhai", "--yes"], &accounts);
    args.extend(["--accounts-in-flight", "1", "--concurrency", "1"].map(str::to_owned));
    let mut child = h
        .std_command(&refs(&args))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("reads") > 0,
            "ended early: {seen}"
        );
        seen.push_str(&line);
        // The first account is done: the second is under way.
        if line.starts_with("[1/4 accounts") {
            break;
        }
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    stderr.read_to_string(&mut seen).expect("reads the rest");
    assert_eq!(child.wait().expect("ends").code(), Some(1), "{seen}");
    assert_eq!(h.emulator.account_stats(&accounts[0]).posts(), 4, "{seen}");
    // The last two were never started, and the report says so for each.
    for account in &accounts[2..] {
        assert_eq!(h.emulator.account_stats(account).posts(), 0, "{seen}");
        assert!(
            seen.contains(&format!(
                "{account}: nothing written: interrupted before it started"
            )),
            "{seen}"
        );
    }
    assert!(seen.contains(&format!("{}: ", accounts[1])), "{seen}");
}

#[test]
fn immutable_drift_in_one_account_writes_nothing_to_the_others() {
    let h = Harness::new();
    let script = CATALOG.replace(
        "unit_amount: 900,",
        "unit_amount: if \"basic\" in env.account.values { env.account.values.basic } else { 900 },",
    );
    h.write("scripts/catalog.rhai", &script);
    let accounts = three(&h);
    succeeded(
        &run(
            &h,
            &refs(&with(&["run", "scripts/catalog.rhai", "--yes"], &accounts)),
        ),
        "first run",
    );
    // Now every account gets a new product, and the second a new amount for an existing
    // price: an immutable change, an error found only against what that account holds.
    h.write(
        "scripts/catalog.rhai",
        &format!("{script}\nproduct(\"extra\", #{{ name: \"Extra\" }});\n"),
    );
    let file = serde_json::json!([accounts[0], {"id": accounts[1], "values": {"basic": 1000}}, accounts[2]]);
    h.write("accounts.json", &file.to_string());
    h.reset_stats();
    let output = run(
        &h,
        &[
            "run",
            "scripts/catalog.rhai",
            "--yes",
            "--accounts",
            "accounts.json",
        ],
    );
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert_eq!(h.emulator.stats().posts(), 0, "{}", transcript(&output));
    let (stdout, stderr) = texts(&output);
    assert!(stderr.contains("immutable"), "{stderr}");
    assert!(stderr.contains(&format!("({})", accounts[1])), "{stderr}");
    // The others' pending creates are shown, not written.
    assert!(stdout.contains("+ product extra"), "{stdout}");
}

#[test]
fn without_accounts_the_settings_look_ahead_prints_nothing_more() {
    let h = Harness::new();
    h.write("scripts/catalog.rhai", CATALOG);
    h.write(
        "scripts/env/staging.rhai",
        "fn settings() { print(\"settings ran\"); #{ mode: \"test\" } }\n",
    );
    let output = run(&h, &["plan", "scripts/catalog.rhai", "--env", "staging"]);
    succeeded(&output, "plan");
    let (_, stderr) = texts(&output);
    assert_eq!(stderr.matches("settings ran").count(), 1, "{stderr}");
}

/// A fleet run takes no `--secrets-out` yet: an endpoint whose signing secret Stripe shows
/// once is refused in every account's plan, before anything is written anywhere.
#[test]
fn a_webhook_endpoint_across_the_fleet_is_refused_before_any_write() {
    let h = Harness::new();
    let script = format!(
        "{CATALOG}\nwebhook_endpoint(\"billing\", #{{ url: \"https://acme.example/hooks\", \
         enabled_events: [\"invoice.paid\"] }});\n"
    );
    h.write("scripts/catalog.rhai", &script);
    let accounts = three(&h);
    let args = with(&["run", "scripts/catalog.rhai", "--yes"], &accounts);
    let output = run(&h, &refs(&args));
    let (stdout, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{}", transcript(&output));
    assert!(stderr.contains("needs --secrets-out"), "{stdout}{stderr}");
    assert!(!format!("{stdout}{stderr}").contains("whsec_"));
    assert_eq!(h.emulator.stats().posts(), 0, "nothing written anywhere");
}
