//! Webhook endpoints end to end: the signing secret goes to `--secrets-out` and nowhere
//! else, a run without the flag writes nothing, updates, a reordered event set, disabling,
//! re-runs and the export.

use serde_json::Value;

use crate::support::{texts, transcript, Harness};

const SCRIPT: &str = "scripts/hooks.rhai";

fn endpoint(fields: &str) -> String {
    format!("webhook_endpoint(\"billing\", #{{ {fields} }});\n")
}

const FIRST: &str = "url: \"https://acme.example/stripe/webhooks\", \
                     enabled_events: [\"invoice.paid\", \"customer.subscription.updated\"]";

fn run(ctx: &Harness, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", SCRIPT, "--yes"];
    args.extend_from_slice(extra);
    ctx.command(&args).output().unwrap()
}

fn endpoints(ctx: &Harness) -> Vec<Value> {
    ctx.list_all("/v1/webhook_endpoints")
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_run_without_secrets_out_is_refused_before_any_write() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &endpoint(FIRST));
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&plan);
    assert!(stdout.contains("+ webhook_endpoint billing"), "{stdout}");
    assert!(
        stdout.contains("--secrets-out"),
        "the plan says where the secret goes: {stdout}"
    );
    ctx.reset_stats();
    let refused = run(&ctx, &[]);
    let (_, stderr) = texts(&refused);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("webhook_endpoint `billing`")
            && stderr.contains("needs --secrets-out")
            && stderr.contains("help: pass `--secrets-out FILE`")
            && stderr.contains("hooks.rhai:1:1"),
        "{stderr}"
    );
    assert_eq!(ctx.posts(), 0, "nothing was written");
    assert!(endpoints(&ctx).is_empty());
}

#[test]
fn the_secret_goes_to_the_file_only_and_updates_follow_the_script() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &endpoint(FIRST));
    let secrets = ctx.path("secrets.jsonl");
    let applied = run(&ctx, &["--secrets-out", "secrets.jsonl"]);
    assert!(applied.status.success(), "{}", transcript(&applied));
    let output = transcript(&applied);
    assert!(output.contains("Applied: 1 created"), "{output}");
    assert!(
        !output.contains("whsec_"),
        "no secret, not even masked: {output}"
    );

    #[cfg(unix)]
    assert_eq!(mode(&secrets), 0o600);
    let text = std::fs::read_to_string(&secrets).unwrap();
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 1, "{text}");
    let live = &endpoints(&ctx)[0];
    assert_eq!(lines[0]["kind"], "webhook_endpoint");
    assert_eq!(lines[0]["key"], "billing");
    assert_eq!(lines[0]["id"], live["id"]);
    assert_eq!(lines[0]["url"], "https://acme.example/stripe/webhooks");
    let secret = lines[0]["secret"].as_str().unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    assert_eq!(live["api_version"], billingctl::stripe::API_VERSION);
    assert_eq!(live["metadata"]["billingctl_key"], "billing");

    // A re-run needs no --secrets-out: nothing is created.
    ctx.reset_stats();
    let again = run(&ctx, &[]);
    assert!(again.status.success(), "{}", transcript(&again));
    assert!(
        texts(&again).0.contains("No changes"),
        "{}",
        transcript(&again)
    );
    assert_eq!(ctx.posts(), 0);

    // The events are a set: reordering them is no change.
    ctx.write(
        SCRIPT,
        &endpoint(
            "url: \"https://acme.example/stripe/webhooks\", \
             enabled_events: [\"customer.subscription.updated\", \"invoice.paid\"]",
        ),
    );
    ctx.reset_stats();
    let reordered = run(&ctx, &[]);
    assert!(
        texts(&reordered).0.contains("No changes"),
        "{}",
        transcript(&reordered)
    );
    assert_eq!(ctx.posts(), 0);

    // url and events update in place: the same endpoint, the same secret.
    ctx.write(
        SCRIPT,
        &endpoint(
            "url: \"https://acme.example/v2/webhooks\", description: \"billing\", \
             enabled_events: [\"invoice.paid\", \"invoice.payment_failed\"]",
        ),
    );
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&plan);
    assert!(stdout.contains("~ webhook_endpoint billing"), "{stdout}");
    assert!(
        !stdout.contains("--secrets-out"),
        "no create, no note: {stdout}"
    );
    let updated = run(&ctx, &[]);
    assert!(
        texts(&updated).0.contains("1 updated"),
        "{}",
        transcript(&updated)
    );
    let live = &endpoints(&ctx)[0];
    assert_eq!(live["id"], lines[0]["id"]);
    assert_eq!(live["url"], "https://acme.example/v2/webhooks");
    assert_eq!(live["description"], "billing");
    let mut events: Vec<&str> = live["enabled_events"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    events.sort_unstable();
    assert_eq!(events, ["invoice.paid", "invoice.payment_failed"]);

    // disabled: true turns it off, once.
    ctx.write(
        SCRIPT,
        &endpoint(
            "url: \"https://acme.example/v2/webhooks\", description: \"billing\", disabled: true, \
             enabled_events: [\"invoice.paid\", \"invoice.payment_failed\"]",
        ),
    );
    let disabled = run(&ctx, &[]);
    assert!(
        texts(&disabled).0.contains("1 deactivated"),
        "{}",
        transcript(&disabled)
    );
    assert_eq!(endpoints(&ctx)[0]["status"], "disabled");
    ctx.reset_stats();
    let again = run(&ctx, &[]);
    assert!(
        texts(&again).0.contains("No changes"),
        "{}",
        transcript(&again)
    );
    assert_eq!(ctx.posts(), 0);
    assert_eq!(endpoints(&ctx).len(), 1, "never deleted, never re-created");

    // The export declares it, without any secret, and plans no changes.
    let export = ctx.command(&["export"]).output().unwrap();
    let (exported, stderr) = texts(&export);
    assert!(export.status.success(), "{stderr}");
    assert!(
        exported.contains("webhook_endpoint(\"billing\""),
        "{exported}"
    );
    assert!(
        !exported.contains("whsec_") && !exported.contains(secret),
        "{exported}"
    );
    ctx.write("scripts/exported.rhai", &exported);
    ctx.reset_stats();
    let replan = ctx
        .command(&["plan", "scripts/exported.rhai"])
        .output()
        .unwrap();
    assert!(
        texts(&replan).0.contains("No changes"),
        "{}",
        transcript(&replan)
    );
}

#[test]
fn an_existing_secrets_file_is_appended_to_only_if_billingctl_wrote_it() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &endpoint(FIRST));
    // A file billingctl did not write is never touched, and nothing is created.
    let foreign = ctx.write(".env", "DATABASE_URL=postgres://db\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&foreign, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    ctx.reset_stats();
    let refused = run(&ctx, &["--secrets-out", ".env"]);
    let (_, stderr) = texts(&refused);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("not a secrets file billingctl wrote"),
        "{stderr}"
    );
    assert_eq!(ctx.posts(), 0);
    assert_eq!(
        std::fs::read_to_string(&foreign).unwrap(),
        "DATABASE_URL=postgres://db\n"
    );

    // Its own file from an earlier run is appended to.
    let applied = run(&ctx, &["--secrets-out", "secrets.jsonl"]);
    assert!(applied.status.success(), "{}", transcript(&applied));
    ctx.write(
        SCRIPT,
        &format!(
            "{}webhook_endpoint(\"ops\", #{{ url: \"https://ops.example/hook\", enabled_events: [\"*\"] }});\n",
            endpoint(FIRST)
        ),
    );
    let applied = run(&ctx, &["--secrets-out", "secrets.jsonl"]);
    assert!(applied.status.success(), "{}", transcript(&applied));
    let text = std::fs::read_to_string(ctx.path("secrets.jsonl")).unwrap();
    let keys: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["key"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(keys, ["billing", "ops"]);
}

#[test]
fn a_changed_api_version_is_an_error_with_help() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &endpoint(FIRST));
    let applied = run(&ctx, &["--secrets-out", "s.jsonl"]);
    assert!(applied.status.success(), "{}", transcript(&applied));
    ctx.write(
        SCRIPT,
        &endpoint(&format!("{FIRST}, api_version: \"2025-03-31.basil\"")),
    );
    ctx.reset_stats();
    let refused = run(&ctx, &[]);
    let (_, stderr) = texts(&refused);
    assert!(!refused.status.success());
    assert!(
        stderr.contains("api_version") && stderr.contains("declare a new endpoint under a new key"),
        "{stderr}"
    );
    assert_eq!(ctx.posts(), 0);
}

/// An apply that fails midway has already kept the secret of every endpoint it created: each
/// is written (and flushed) as its create answers. Here the plan was made before another run
/// created product `basic` differently, so that create fails while the endpoint's succeeds.
#[test]
fn a_failed_apply_has_kept_the_secrets_of_what_it_created() {
    use billingctl::apply::secrets::SecretsFile;
    use billingctl::apply::{apply_plan, ProgressMode};
    use billingctl::plan::{plan_catalog, LiveState, Policy};
    use billingctl::stripe::{ApiKey, Client, ClientConfig};

    let ctx = Harness::new();
    ctx.write(
        SCRIPT,
        &format!(
            "product(\"basic\", #{{ name: \"Basic\" }});\n{}",
            endpoint(FIRST)
        ),
    );
    let catalog = billingctl::script::evaluate_in(
        ctx.dir.path(),
        std::path::Path::new(SCRIPT),
        "test",
        &billingctl::script::Limits::default(),
    )
    .expect("a valid script");
    let plan = plan_catalog(
        &catalog,
        &LiveState::default(),
        Policy::default(),
        crate::support::TEST_NOW,
    );
    ctx.post(
        "/v1/products",
        serde_json::json!({"id": "basic", "name": "Made elsewhere"}),
    );
    let key = ApiKey::new(crate::support::TEST_KEY.to_owned()).expect("a key");
    let client = Client::new(ClientConfig::new(ctx.emulator.base_url(), key)).expect("a client");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let path = ctx.path("secrets.jsonl");
    let mut secrets = SecretsFile::open(&path).expect("a new file");

    // Without a secrets file, nothing is written at all.
    ctx.reset_stats();
    let report = runtime.block_on(apply_plan(
        &client,
        &plan,
        &LiveState::default(),
        4,
        ProgressMode::Quiet,
        None,
    ));
    assert!(
        !report.is_complete() && report.done.is_empty(),
        "{report:?}"
    );
    assert_eq!(ctx.posts(), 0);

    let report = runtime.block_on(apply_plan(
        &client,
        &plan,
        &LiveState::default(),
        4,
        ProgressMode::Quiet,
        Some(&mut secrets),
    ));
    assert!(!report.is_complete(), "{report:?}");
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.contains("product `basic`")),
        "{report:?}"
    );
    let created = endpoints(&ctx);
    assert_eq!(created.len(), 1, "the endpoint's create went through");
    let text = std::fs::read_to_string(&path).unwrap();
    let entry: Value = serde_json::from_str(text.lines().next().expect("one entry")).unwrap();
    assert_eq!(entry["id"], created[0]["id"]);
    assert!(entry["secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(
        !format!("{report:?}").contains("whsec_"),
        "the report never holds the secret: {report:?}"
    );
}

#[test]
fn an_endpoint_left_out_of_the_script_is_disabled_by_prune_never_deleted() {
    let ctx = Harness::new();
    ctx.write(SCRIPT, &endpoint(FIRST));
    let applied = run(&ctx, &["--secrets-out", "s.jsonl"]);
    assert!(applied.status.success(), "{}", transcript(&applied));
    ctx.write(SCRIPT, "product(\"basic\", #{ name: \"Basic\" });\n");
    let plan = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&plan);
    assert!(stdout.contains("? webhook_endpoint billing"), "{stdout}");
    let pruned = run(&ctx, &["--prune"]);
    assert!(
        texts(&pruned).0.contains("1 deactivated"),
        "{}",
        transcript(&pruned)
    );
    let live = endpoints(&ctx);
    assert_eq!(live.len(), 1);
    assert_eq!(live[0]["status"], "disabled");
    assert_eq!(
        ctx.emulator
            .stats()
            .route("DELETE /v1/webhook_endpoints/{id}"),
        0
    );
}

#[test]
fn an_endpoint_made_in_the_dashboard_is_exported_adopted_and_converges() {
    let ctx = Harness::new();
    // As the Dashboard makes it: no billingctl key, no api_version (the account's default).
    let made = ctx.post(
        "/v1/webhook_endpoints",
        serde_json::json!({"url": "https://acme.example/hook", "enabled_events": ["invoice.paid"]}),
    );
    assert!(made["api_version"].is_null());
    let export = ctx.command(&["export"]).output().unwrap();
    let (exported, stderr) = texts(&export);
    assert!(export.status.success(), "{stderr}");
    assert!(
        exported.contains("webhook_endpoint(") && exported.contains(made["id"].as_str().unwrap()),
        "{exported}"
    );
    assert!(!exported.contains("whsec_"), "{exported}");
    ctx.write(SCRIPT, &exported);
    // Adoption writes the key onto the endpoint: no create, so no secret and no flag needed.
    let adopted = run(&ctx, &[]);
    assert!(adopted.status.success(), "{}", transcript(&adopted));
    assert_eq!(endpoints(&ctx).len(), 1);
    ctx.reset_stats();
    let again = run(&ctx, &[]);
    assert!(
        texts(&again).0.contains("No changes"),
        "{}",
        transcript(&again)
    );
    assert_eq!(ctx.posts(), 0);
}
