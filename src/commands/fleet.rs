//! Connect: one catalog, many accounts. `plan`, `run` and `verify` with `--stripe-account`,
//! `--accounts` or an overlay's `accounts`: the script is evaluated once per connected account
//! (it sees `env.account`), every account is planned before anything is written, and an error
//! in any account's plan writes nothing anywhere (unless `--per-account`). Accounts are applied
//! concurrently, each paced on its own (Stripe limits each account), under a platform-wide cap
//! (`SharedLimit`) with a bounded number of accounts in flight. The platform key is the only
//! key; every request of an account carries `Stripe-Account`.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;

use anyhow::Context;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Value};

use crate::apply::order::write_count;
use crate::apply::{apply_plan, ProgressMode, Report};
use crate::catalog::{Catalog, ConnectedAccount};
use crate::cli::{ConnectArgs, OutputFormat, PlanArgs, ScriptArgs};
use crate::clock::Clock;
use crate::config::{Access, Account, Purpose};
use crate::diag::Diagnostics;
use crate::live::{fetch_live, LiveState};
use crate::plan::drift::{self, Verdict};
use crate::plan::render::View;
use crate::plan::subset::{check_declared, Subset};
use crate::plan::{render, Plan, Policy};
use crate::stripe::pacing::SharedLimit;
use crate::stripe::Client;
use crate::ExitStatus;

use super::plan::{diff_live, parse_only, print_errors, print_subset, runtime, Diffed, Request};

/// The accounts a command targets: `--stripe-account` and `--accounts FILE` together, else the
/// overlay's `settings().accounts`. `None`: no account is targeted, the command works as it
/// always did on the key's own account.
pub(super) fn targets(
    connect: &ConnectArgs,
    script: &ScriptArgs,
) -> anyhow::Result<Option<Vec<ConnectedAccount>>> {
    let mut listed = Vec::new();
    for id in &connect.stripe_accounts {
        listed
            .push(ConnectedAccount::new(id).map_err(|e| anyhow::anyhow!("--stripe-account: {e}"))?);
    }
    if let Some(file) = &connect.accounts {
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("reading the accounts file {}", file.display()))?;
        let accounts = ConnectedAccount::parse_list(&text)
            .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        if accounts.is_empty() {
            anyhow::bail!("{}: lists no account", file.display());
        }
        listed.extend(accounts);
    }
    if listed.is_empty() {
        // An overlay that fails is reported by the ordinary path, with its span.
        return Ok(crate::script::settings_of(&script.script, &script.env)
            .ok()
            .map(|environment| environment.accounts)
            .filter(|accounts| !accounts.is_empty()));
    }
    let merged = crate::catalog::account::merge(listed).map_err(|e| anyhow::anyhow!(e))?;
    Ok(Some(merged))
}

/// One account's plan, or why it has none.
pub(super) enum Outcome {
    /// The script failed for this account: nothing was fetched.
    ScriptErrors(Diagnostics),
    /// The account could not be read (e.g. 403 `account_invalid`: not the platform's).
    Unreadable(String),
    Ready(Box<Member>),
}

/// A planned account: its client (acting as it), what it holds, and the plan.
pub(super) struct Member {
    pub client: Client,
    pub live: LiveState,
    pub plan: Plan,
    pub subset: Option<Subset>,
}

/// Every account of the fleet, planned, in the order they were listed.
pub(super) struct Fleet {
    /// The platform: its key and client; `None` when no script evaluated (nothing connected).
    pub platform: Option<Account>,
    pub accounts: Vec<(ConnectedAccount, Outcome)>,
}

impl Fleet {
    /// Whether every account has a valid plan.
    pub fn is_valid(&self) -> bool {
        self.accounts
            .iter()
            .all(|(_, outcome)| matches!(outcome, Outcome::Ready(m) if m.plan.is_valid()))
    }

    /// The platform's description (`http://… (sk_test_…abcd)`), never the key.
    pub fn platform(&self) -> &str {
        self.platform
            .as_ref()
            .map_or("the platform", |p| p.description.as_str())
    }
}

/// Evaluates the script once per account, then fetches and plans every account (at most
/// `--accounts-in-flight` at once). Writes nothing.
pub(super) async fn prepare(
    request: &Request<'_>,
    connect: &ConnectArgs,
    targets: Vec<ConnectedAccount>,
) -> anyhow::Result<Fleet> {
    if connect.accounts_in_flight == 0 {
        anyhow::bail!("--accounts-in-flight must be at least 1");
    }
    if connect.platform_max_rps == Some(0) {
        anyhow::bail!("--platform-max-rps must be at least 1");
    }
    let only = parse_only(request.only)?;
    let script = request.script;
    // Rhai runs here, synchronously, one account after another: evaluation is cheap next to
    // the network, and the catalogs are what the concurrent part works on.
    let evaluated: Vec<_> = targets
        .into_iter()
        .map(|target| {
            let catalog = crate::script::evaluate_for(&script.script, &script.env, Some(&target));
            (target, catalog)
        })
        .collect();
    let catalogs: Vec<&Catalog> = evaluated
        .iter()
        .filter_map(|(_, c)| c.as_ref().ok())
        .collect();
    if !catalogs.is_empty() {
        check_declared(&only, request.only, &catalogs).map_err(anyhow::Error::msg)?;
    }
    // Every account's client holds this cap: the platform-wide --platform-max-rps.
    let shared = SharedLimit::new(connect.platform_max_rps, None);
    let Some(environment) = evaluated
        .iter()
        .find_map(|(_, c)| c.as_ref().ok().map(|c| c.environment.clone()))
    else {
        let accounts = evaluated
            .into_iter()
            .map(|(t, c)| (t, Outcome::ScriptErrors(c.err().unwrap_or_default())))
            .collect();
        return Ok(Fleet {
            platform: None,
            accounts,
        });
    };
    let purpose = Purpose {
        access: request.access,
        script: Some(&script.script),
        verbose: super::ui::get().verbose,
    };
    let platform = crate::config::connect(request.account, &environment, request.clock, purpose)?;
    let quiet = super::ui::quiet();
    let total = evaluated.len();
    let read = AtomicUsize::new(0);
    let planned: Vec<Outcome> = stream::iter(evaluated.iter())
        .map(|(target, catalog)| {
            let platform = &platform;
            let shared = &shared;
            let only = &only;
            let read = &read;
            async move {
                let catalog = match catalog {
                    Ok(catalog) => catalog,
                    Err(errors) => return Outcome::ScriptErrors(errors.clone()),
                };
                let client = match platform.client.for_account(&target.id, Some(shared)) {
                    Ok(client) => client,
                    Err(e) => return Outcome::Unreadable(e.to_string()),
                };
                let fetched = fetch_live(&client).await;
                let done = read.fetch_add(1, Ordering::Relaxed) + 1;
                if !quiet && total > 1 && std::io::stderr().is_terminal() {
                    crate::eout!("\rRead {done}/{total} accounts");
                    if done == total {
                        crate::eoutln!("");
                    }
                }
                match fetched {
                    Ok(live) => {
                        let Diffed {
                            live,
                            mut plan,
                            subset,
                            ..
                        } = diff_live(catalog, live, request, only);
                        // A fleet run takes no `--secrets-out` (one file per account is not
                        // built yet): an object whose secret Stripe shows once is refused
                        // before anything is written, in every account.
                        let mut refused = crate::apply::secrets::refusals(&plan);
                        catalog.sources.attach(&mut refused.0);
                        plan.errors.0.extend(refused.0);
                        Outcome::Ready(Box::new(Member {
                            client,
                            live,
                            plan,
                            subset,
                        }))
                    }
                    Err(e) => Outcome::Unreadable(format!("fetching the live catalog: {e}")),
                }
            }
        })
        .buffered(connect.accounts_in_flight)
        .collect()
        .await;
    let accounts = evaluated
        .into_iter()
        .map(|(target, _)| target)
        .zip(planned)
        .collect();
    Ok(Fleet {
        platform: Some(platform),
        accounts,
    })
}

/// The view of one account's plan: the account line names it and the platform.
pub(super) fn view(script: &ScriptArgs, fleet: &Fleet, account: &str) -> View {
    let mut view = super::plan::view(script, None);
    view.account = Some(format!("{account} via {}", fleet.platform()));
    view
}

/// The counts of one account for the summary table.
struct Row<'a> {
    account: &'a str,
    creates: usize,
    updates: usize,
    deactivations: usize,
    errors: usize,
}

fn rows(fleet: &Fleet) -> Vec<Row<'_>> {
    fleet
        .accounts
        .iter()
        .map(|(target, outcome)| {
            let mut row = Row {
                account: &target.id,
                creates: 0,
                updates: 0,
                deactivations: 0,
                errors: 0,
            };
            match outcome {
                Outcome::ScriptErrors(errors) => row.errors = errors.0.len(),
                Outcome::Unreadable(_) => row.errors = 1,
                Outcome::Ready(member) => {
                    let summary = member.plan.summary();
                    // A replacement creates one object and archives another.
                    row.creates = summary.create + summary.replace;
                    row.updates = summary.update;
                    row.deactivations = summary.deactivate + summary.replace;
                    row.errors = member.plan.errors.0.len();
                }
            }
            row
        })
        .collect()
}

/// The summary table, aligned text: one line per account.
fn summary_table(fleet: &Fleet) -> String {
    let rows = rows(fleet);
    let width = rows
        .iter()
        .map(|r| r.account.len())
        .max()
        .unwrap_or(0)
        .max("account".len());
    let mut out = format!(
        "{:<width$}  {:>7}  {:>7}  {:>13}  {:>6}\n",
        "account", "creates", "updates", "deactivations", "errors"
    );
    for r in &rows {
        out.push_str(&format!(
            "{:<width$}  {:>7}  {:>7}  {:>13}  {:>6}\n",
            r.account, r.creates, r.updates, r.deactivations, r.errors
        ));
    }
    out
}

fn summary_markdown(fleet: &Fleet) -> String {
    let mut out = String::from(
        "### Accounts\n\n| account | creates | updates | deactivations | errors |\n| --- | ---: | ---: | ---: | ---: |\n",
    );
    for r in rows(fleet) {
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} |\n",
            r.account, r.creates, r.updates, r.deactivations, r.errors
        ));
    }
    out
}

/// One account's plan as JSON: the plan's own shape, `account` on it and on every change.
fn account_json(
    script: &ScriptArgs,
    fleet: &Fleet,
    target: &ConnectedAccount,
    outcome: &Outcome,
) -> Value {
    let view = view(script, fleet, &target.id);
    let mut value = match outcome {
        Outcome::ScriptErrors(errors) => render::json_view(
            &Plan {
                errors: errors.clone(),
                ..Plan::default()
            },
            &view,
        ),
        Outcome::Unreadable(message) => {
            let mut value = render::json_view(&Plan::default(), &view);
            value["errors"] = json!([{
                "severity": "error", "object": null, "key": null, "field": null, "live": null,
                "desired": null, "message": message, "help": null, "notes": [], "position": null,
            }]);
            value
        }
        Outcome::Ready(member) => render::json_view(&member.plan, &view),
    };
    if let Some(changes) = value["changes"].as_array_mut() {
        for change in changes {
            change["account"] = Value::String(target.id.clone());
        }
    }
    value["account"] = Value::String(target.id.clone());
    value["platform"] = Value::String(fleet.platform().to_owned());
    value
}

/// The fleet as JSON: `{"accounts": [plan…], "summary": [{account, creates, …}]}`.
pub(super) fn json(script: &ScriptArgs, fleet: &Fleet) -> Value {
    let accounts: Vec<Value> = fleet
        .accounts
        .iter()
        .map(|(target, outcome)| account_json(script, fleet, target, outcome))
        .collect();
    let summary: Vec<Value> = rows(fleet)
        .iter()
        .map(|r| {
            json!({"account": r.account, "create": r.creates, "update": r.updates,
                   "deactivate": r.deactivations, "errors": r.errors})
        })
        .collect();
    json!({
        "format_version": render::JSON_FORMAT_VERSION,
        "platform": fleet.platform(),
        "accounts": accounts,
        "summary": summary,
    })
}

/// Prints every account's plan (one section each) and the summary table, in `output`'s view.
/// Errors of the human view go to stderr, as for one account.
pub(super) fn print(script: &ScriptArgs, fleet: &Fleet, output: OutputFormat) {
    match output {
        OutputFormat::Json => super::stdout::line(&format!("{:#}", json(script, fleet))),
        OutputFormat::Markdown => {
            let mut out = summary_markdown(fleet);
            for (target, outcome) in &fleet.accounts {
                let view = view(script, fleet, &target.id);
                out.push_str(&format!("\n## Account `{}`\n\n", target.id));
                let plan = match outcome {
                    Outcome::Ready(member) => render::markdown_view(&member.plan, &view),
                    Outcome::ScriptErrors(errors) => render::markdown_view(
                        &Plan {
                            errors: errors.clone(),
                            ..Plan::default()
                        },
                        &view,
                    ),
                    Outcome::Unreadable(message) => format!("error: {message}\n"),
                };
                out.push_str(&plan);
            }
            super::stdout::emit(&out);
        }
        OutputFormat::Human => {
            super::stdout::line(&format!(
                "Platform: {} ({} connected accounts)",
                fleet.platform(),
                fleet.accounts.len()
            ));
            for (target, outcome) in &fleet.accounts {
                super::stdout::line(&format!("\n== Account {} ==", target.id));
                match outcome {
                    Outcome::Ready(member) => {
                        let view = view(script, fleet, &target.id);
                        super::stdout::emit(&render::human_view(&member.plan, &view));
                        print_subset(member.subset.as_ref());
                        if !member.plan.is_valid() {
                            crate::eoutln!("account {}:", target.id);
                            print_errors(&member.plan.errors);
                        }
                    }
                    Outcome::ScriptErrors(errors) => {
                        super::stdout::line("The script failed for this account (errors below).");
                        crate::eoutln!("account {}:", target.id);
                        print_errors(errors);
                    }
                    Outcome::Unreadable(message) => {
                        super::stdout::line("The account could not be read (error below).");
                        crate::eoutln!("error: account {}: {message}", target.id);
                    }
                }
            }
            super::stdout::line("");
            super::stdout::emit(&summary_table(fleet));
        }
    }
}

/// The accounts whose plan is not valid, named, for the fail-fast message.
pub(super) fn failed_accounts(fleet: &Fleet) -> Vec<&str> {
    fleet
        .accounts
        .iter()
        .filter(|(_, outcome)| !matches!(outcome, Outcome::Ready(m) if m.plan.is_valid()))
        .map(|(target, _)| target.id.as_str())
        .collect()
}

/// Whether any account would be written to.
pub(super) fn has_changes(fleet: &Fleet) -> bool {
    fleet
        .accounts
        .iter()
        .any(|(_, outcome)| matches!(outcome, Outcome::Ready(m) if m.plan.is_valid() && m.plan.summary().has_changes()))
}

/// The accounts whose plan shows drift (`plan::drift`), for `verify` and `--detailed-exitcode`.
pub(super) fn drifted(fleet: &Fleet) -> Vec<&str> {
    fleet
        .accounts
        .iter()
        .filter(|(_, outcome)| account_verdict(outcome) == Verdict::Drift)
        .map(|(target, _)| target.id.as_str())
        .collect()
}

/// One account's verdict (`drift::verdict`); an account not planned cannot be judged.
fn account_verdict(outcome: &Outcome) -> Verdict {
    match outcome {
        Outcome::Ready(m) => drift::verdict(&m.plan),
        Outcome::ScriptErrors(_) | Outcome::Unreadable(_) => Verdict::Failed,
    }
}

/// The fleet's verdict: failed if any account cannot be judged, else drift if any drifted.
fn verdict(fleet: &Fleet) -> Verdict {
    let each: Vec<Verdict> = fleet
        .accounts
        .iter()
        .map(|(_, outcome)| account_verdict(outcome))
        .collect();
    if each.contains(&Verdict::Failed) {
        Verdict::Failed
    } else if each.contains(&Verdict::Drift) {
        Verdict::Drift
    } else {
        Verdict::InSync
    }
}

/// How one account's apply ended.
pub(super) enum Applied {
    Done(Report),
    /// Not started: Ctrl-C came first, or (with `--per-account`) its plan had errors.
    Skipped(&'static str),
}

/// Applies every valid account with changes, at most `--accounts-in-flight` at once; each
/// account paces itself and shares the platform cap. Ctrl-C or SIGTERM stops scheduling
/// accounts (and writes within the running ones); the result is per account, in list order.
pub(super) async fn apply(
    fleet: &Fleet,
    connect: &ConnectArgs,
    concurrency: usize,
) -> Vec<(String, Applied)> {
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = tokio::spawn(watch_signals(stop.clone()));
    let quiet = super::ui::quiet();
    let with_writes: Vec<usize> = fleet
        .accounts
        .iter()
        .enumerate()
        .filter(|(_, (_, o))| matches!(o, Outcome::Ready(m) if m.plan.is_valid() && m.plan.summary().has_changes()))
        .map(|(i, _)| i)
        .collect();
    let total_accounts = with_writes.len();
    let total_writes: usize = with_writes
        .iter()
        .filter_map(|&i| match &fleet.accounts[i].1 {
            Outcome::Ready(m) => Some(write_count(&m.plan)),
            _ => None,
        })
        .sum();
    let accounts_done = AtomicUsize::new(0);
    let writes_done = AtomicUsize::new(0);
    let results: Vec<(usize, Applied)> =
        stream::iter(with_writes)
            .map(|i| {
                let stop = &stop;
                let accounts_done = &accounts_done;
                let writes_done = &writes_done;
                async move {
                    let (target, outcome) = &fleet.accounts[i];
                    let Outcome::Ready(member) = outcome else {
                        return (i, Applied::Skipped("not planned"));
                    };
                    if stop.load(Ordering::SeqCst) {
                        return (i, Applied::Skipped("interrupted before it started"));
                    }
                    let report = apply_plan(
                        &member.client,
                        &member.plan,
                        &member.live,
                        concurrency,
                        ProgressMode::Quiet,
                        None,
                    )
                    .await;
                    if report.interrupted || !report.is_complete() && report.failures.is_empty() {
                        stop.store(true, Ordering::SeqCst);
                    }
                    let done = accounts_done.fetch_add(1, Ordering::Relaxed) + 1;
                    let writes = writes_done.fetch_add(report.done.len(), Ordering::Relaxed)
                        + report.done.len();
                    if !quiet {
                        crate::eoutln!(
                        "[{done}/{total_accounts} accounts, {writes}/{total_writes} writes] {}: {}",
                        target.id,
                        if report.is_complete() { "done" } else { "stopped" }
                    );
                    }
                    (i, Applied::Done(report))
                }
            })
            .buffer_unordered(connect.accounts_in_flight.max(1))
            .collect()
            .await;
    watcher.abort();
    let mut by_index: Vec<Option<Applied>> = (0..fleet.accounts.len()).map(|_| None).collect();
    for (i, applied) in results {
        by_index[i] = Some(applied);
    }
    fleet
        .accounts
        .iter()
        .zip(by_index)
        .filter_map(|((target, outcome), applied)| {
            let applied = match (applied, outcome) {
                (Some(applied), _) => applied,
                (None, Outcome::Ready(m)) if m.plan.is_valid() => return None,
                (None, _) => Applied::Skipped("its plan has errors (--per-account)"),
            };
            Some((target.id.clone(), applied))
        })
        .collect()
}

/// Stops scheduling accounts on Ctrl-C or SIGTERM (each running apply stops its own writes).
async fn watch_signals(stop: Arc<AtomicBool>) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
    stop.store(true, Ordering::SeqCst);
}

/// Prints one line per account and the failures; the exit status of the whole fleet.
pub(super) fn print_report(results: &[(String, Applied)], took: std::time::Duration) -> ExitStatus {
    let mut complete = true;
    let (mut created, mut updated, mut deactivated) = (0, 0, 0);
    for (account, applied) in results {
        match applied {
            Applied::Done(report) => {
                created += report.created + report.replaced;
                updated += report.updated + report.adopted;
                deactivated += report.deactivated + report.replaced;
                let line = format!(
                    "{account}: {} created, {} updated, {} deactivated",
                    report.created + report.replaced,
                    report.updated + report.adopted,
                    report.deactivated + report.replaced
                );
                if report.is_complete() {
                    super::stdout::line(&line);
                } else {
                    complete = false;
                    crate::eoutln!("{line}; stopped:");
                    for failure in &report.failures {
                        crate::eoutln!("  error: {failure}");
                    }
                    if report.interrupted {
                        crate::eoutln!("  interrupted; writes in flight were allowed to finish.");
                    }
                    if !report.not_done.is_empty() {
                        crate::eoutln!("  {} writes not done", report.not_done.len());
                    }
                }
            }
            Applied::Skipped(why) => {
                complete = false;
                crate::eoutln!("{account}: nothing written: {why}");
            }
        }
    }
    let line = format!(
        "Applied to {} accounts: {created} created, {updated} updated, {deactivated} deactivated. Took {:.1} s.",
        results.iter().filter(|(_, a)| matches!(a, Applied::Done(_))).count(),
        took.as_secs_f64()
    );
    if complete {
        super::stdout::line(&line);
        ExitStatus::Success
    } else {
        crate::eoutln!("{line}");
        crate::eoutln!(
            "Run again to finish: each account's next plan starts from what it holds now."
        );
        ExitStatus::Failure
    }
}

/// `billingctl plan` for connected accounts.
pub(super) fn plan_command(
    args: &PlanArgs,
    clock: Clock,
    targets: Vec<ConnectedAccount>,
) -> anyhow::Result<ExitStatus> {
    if args.out.is_some() {
        anyhow::bail!("--out saves one account's plan: it cannot be used with connected accounts");
    }
    runtime()?.block_on(async {
        let request = Request {
            script: &args.script,
            account: &args.account,
            policy: Policy::from(&args.policy),
            clock,
            access: Access::Read,
            only: &args.only,
        };
        let (output, detailed) = (args.output, args.detailed_exitcode);
        plan(&request, &args.connect, targets, output, detailed).await
    })
}

/// `plan` across the fleet: every account's plan and the table. Exit 1 if any account's plan
/// has errors; with `--detailed-exitcode`, 2 if any account would change.
async fn plan(
    request: &Request<'_>,
    connect: &ConnectArgs,
    targets: Vec<ConnectedAccount>,
    output: OutputFormat,
    detailed_exitcode: bool,
) -> anyhow::Result<ExitStatus> {
    let fleet = prepare(request, connect, targets).await?;
    print(request.script, &fleet, output);
    let valid = fleet.is_valid();
    if !valid {
        say_nothing_written(&fleet);
    }
    // With --detailed-exitcode, immutable drift is drift (2), as for `verify`.
    Ok(match (detailed_exitcode, valid) {
        (true, _) => super::plan::judged(verdict(&fleet)),
        (false, true) => ExitStatus::Success,
        (false, false) => ExitStatus::Failure,
    })
}

/// The fail-fast line: which accounts failed, and that no account was written to.
fn say_nothing_written(fleet: &Fleet) {
    let failed = failed_accounts(fleet);
    crate::eoutln!(
        "error: the plans of {} of {} accounts have errors ({}); nothing was written to any account.",
        failed.len(),
        fleet.accounts.len(),
        failed.join(", ")
    );
}

/// `run` across the fleet: plan every account, stop if any plan has errors (unless
/// `--per-account`), confirm once, apply concurrently.
pub(super) async fn run(
    request: &Request<'_>,
    connect: &ConnectArgs,
    targets: Vec<ConnectedAccount>,
    yes: bool,
    concurrency: usize,
) -> anyhow::Result<ExitStatus> {
    let fleet = prepare(request, connect, targets).await?;
    print(request.script, &fleet, OutputFormat::Human);
    let valid = fleet.is_valid();
    if !valid && !connect.per_account {
        say_nothing_written(&fleet);
        return Ok(ExitStatus::Failure);
    }
    if !has_changes(&fleet) {
        if !valid {
            say_nothing_written(&fleet);
            return Ok(ExitStatus::Failure);
        }
        return Ok(ExitStatus::Success);
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            crate::eoutln!(
                "error: refusing to apply without confirmation: standard input is not a \
                 terminal. Review the plans above, then pass --yes to apply them."
            );
            return Ok(ExitStatus::Failure);
        }
        let ready = fleet.accounts.len() - failed_accounts(&fleet).len();
        super::stdout::emit(&format!(
            "Apply these changes to {ready} accounts of {}? Only 'yes' will be accepted: ",
            fleet.platform()
        ));
        let mut answer = String::new();
        std::io::BufRead::read_line(&mut std::io::stdin().lock(), &mut answer)?;
        if answer.trim() != "yes" {
            crate::eoutln!("Apply cancelled; nothing was written.");
            return Ok(ExitStatus::Failure);
        }
    }
    let started = std::time::Instant::now();
    let results = apply(&fleet, connect, concurrency).await;
    Ok(print_report(&results, started.elapsed()))
}

/// `verify` across the fleet: 0 every account in sync, 2 some drifted (named), 1 an error.
pub(super) async fn verify(
    request: &Request<'_>,
    connect: &ConnectArgs,
    targets: Vec<ConnectedAccount>,
    output: OutputFormat,
) -> anyhow::Result<ExitStatus> {
    let fleet = prepare(request, connect, targets).await?;
    // Immutable drift is an error of the plan but drift of the account: only other errors fail.
    let failed = verdict(&fleet) == Verdict::Failed;
    let drifted = drifted(&fleet);
    if output == OutputFormat::Json {
        let mut value = json(request.script, &fleet);
        value["drift"] = if failed {
            Value::Null
        } else {
            Value::Bool(!drifted.is_empty())
        };
        value["drifted"] = json!(drifted);
        super::stdout::line(&format!("{value:#}"));
    } else if failed || !drifted.is_empty() || output == OutputFormat::Markdown {
        print(request.script, &fleet, output);
    } else {
        super::stdout::line(&format!(
            "In sync: all {} accounts match the catalog.",
            fleet.accounts.len()
        ));
    }
    if failed {
        crate::eoutln!(
            "error: {} could not be verified",
            failed_accounts(&fleet)
                .into_iter()
                .filter(|id| !drifted.contains(id))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitStatus::Failure);
    }
    if drifted.is_empty() {
        return Ok(ExitStatus::Success);
    }
    for account in &drifted {
        crate::eoutln!("drift: {account} does not match the catalog");
    }
    Ok(ExitStatus::Changes)
}
