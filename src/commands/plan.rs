//! `billingctl plan`, and the pipeline `run` and `verify` share: evaluate the script (no
//! network), connect, fetch the live account, diff.

use std::mem::ManuallyDrop;
use std::path::Path;

use anyhow::Context;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::cli::{AccountArgs, ChangePolicy, OutputFormat, PlanArgs, ScriptArgs};
use crate::clock::Clock;
use crate::config::{Access, Account, Purpose};
use crate::diag::Diagnostics;
use crate::live::{fetch_live, LiveState};
use crate::plan::managed::managed_catalog;
use crate::plan::render::View;
use crate::plan::saved::{Inputs, SavedPlan};
use crate::plan::subset::{check_declared, restrict, Only, Subset};
use crate::plan::{drift, plan_managed, render, Plan, Policy};
use crate::ExitStatus;

/// The flags `--allow-replace` and `--prune` as the planner's policy.
impl From<&ChangePolicy> for Policy {
    fn from(policy: &ChangePolicy) -> Self {
        Self {
            allow_replace: policy.allow_replace,
            prune: policy.prune,
        }
    }
}

/// Everything a command needs once the plan is known.
///
/// A `Planned` ends its command, and the process with it. The account is closed as usual
/// (dropping it stops a sandbox and removes its scratch copy), but the live objects, the
/// catalogs and the plan are never dropped: the exit returns their memory whole, where
/// freeing a big account object by object costs a no-op plan a twentieth of its CPU
/// (issue 13).
pub(super) struct Planned {
    pub account: Account,
    pub live: ManuallyDrop<LiveState>,
    pub plan: ManuallyDrop<Plan>,
    /// The catalog planned: for saved plans (`desired`), and its script texts for errors
    /// found after planning (`run`'s refusals).
    pub catalog: ManuallyDrop<Catalog>,
    /// The catalog as the diff saw it (`managed::managed_catalog`), kept only to be left to
    /// the exit with the rest.
    _managed: ManuallyDrop<Catalog>,
    /// What `--only` kept beyond its patterns, when given.
    pub subset: Option<Subset>,
}

impl Planned {
    /// The desired state the script rendered (`billingctl render`'s JSON), for saved plans:
    /// built only when one is written or checked, since a plan of a big catalog spends a
    /// tenth of its CPU on it (issue 13).
    pub fn desired(&self) -> Value {
        super::render::to_json(&self.catalog)
    }
}

/// The script failed (nothing was fetched), or the plan is ready.
pub(super) enum Prepared {
    ScriptErrors(Diagnostics),
    /// Boxed: a plan (with its orphans and warnings) is much larger than a list of errors.
    Ready(Box<Planned>),
}

/// What to plan, against which account, and how.
pub(super) struct Request<'a> {
    pub script: &'a ScriptArgs,
    pub account: &'a AccountArgs,
    pub policy: Policy,
    pub clock: Clock,
    pub access: Access,
    /// `--only` patterns (empty: the whole plan).
    pub only: &'a [String],
}

pub fn execute(args: PlanArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    read_runtime()?.block_on(async {
        let request = Request {
            script: &args.script,
            account: &args.account,
            policy: Policy::from(&args.policy),
            clock,
            access: Access::Read,
            only: &args.only,
        };
        let planned = match prepare(&request).await? {
            Prepared::ScriptErrors(errors) => {
                print_failed(
                    &Plan {
                        errors,
                        ..Plan::default()
                    },
                    args.output,
                    &view(&args.script, None),
                );
                return Ok(ExitStatus::Failure);
            }
            Prepared::Ready(planned) => planned,
        };
        let plan = &planned.plan;
        if !plan.is_valid() {
            print_failed(
                plan,
                args.output,
                &view(&args.script, Some(&planned.account)),
            );
            // This plan cannot be applied (1); with --detailed-exitcode, immutable drift is
            // the account drifting, 2, as `verify` says (`drift::verdict`, the one rule).
            return Ok(if args.detailed_exitcode {
                judged(drift::verdict(plan))
            } else {
                ExitStatus::Failure
            });
        }
        let view = view(&args.script, Some(&planned.account));
        match args.output {
            OutputFormat::Human => {
                super::stdout::line(&format!("Account: {}", planned.account.description));
                super::stdout::emit(&render::human_view(plan, &view));
                print_subset(planned.subset.as_ref());
            }
            OutputFormat::Json => {
                super::stdout::line(&format!("{:#}", render::json_view(plan, &view)));
            }
            OutputFormat::Markdown => super::stdout::emit(&render::markdown_view(plan, &view)),
        }
        if let Some(out) = &args.out {
            save(out, &args, &planned)?;
        }
        Ok(if args.detailed_exitcode {
            judged(drift::verdict(plan))
        } else {
            ExitStatus::Success
        })
    })
}

/// The exit status of a judged account (`verify`, `plan --detailed-exitcode`): 0 in sync,
/// 2 drift, 1 when it could not be judged.
pub(super) fn judged(verdict: drift::Verdict) -> ExitStatus {
    match verdict {
        drift::Verdict::InSync => ExitStatus::Success,
        drift::Verdict::Drift => ExitStatus::Changes,
        drift::Verdict::Failed => ExitStatus::Failure,
    }
}

/// `--out FILE`: the plan file, written whole (a temporary file renamed over it).
fn save(out: &Path, args: &PlanArgs, planned: &Planned) -> anyhow::Result<()> {
    let inputs = Inputs {
        script: &args.script.script.to_string_lossy(),
        environment: &args.script.env,
        account: &planned.account.description,
        allow_replace: args.policy.allow_replace,
        prune: args.policy.prune,
        only: &args.only,
        desired: &planned.desired(),
    };
    let saved = SavedPlan::new(&inputs, &planned.plan, &planned.live);
    let text = serde_json::to_string_pretty(&saved)? + "\n";
    let temp = out.with_extension("billingctl-tmp");
    // The error names the file asked for; the temporary one beside it is ours.
    let context = || format!("writing the plan to {}", out.display());
    std::fs::write(&temp, text).with_context(context)?;
    if let Err(err) = std::fs::rename(&temp, out) {
        let _ = std::fs::remove_file(&temp);
        return Err(err).with_context(context);
    }
    if !super::ui::quiet() {
        crate::eoutln!(
            "Saved the plan to {0}: apply exactly it with `billingctl run --plan {0}`.",
            out.display()
        );
    }
    Ok(())
}

/// The line `--only` adds under the plan: what it kept beyond the patterns, and how much it
/// left out.
pub(super) fn print_subset(subset: Option<&Subset>) {
    let Some(subset) = subset else { return };
    let mut line = format!(
        "Only {} (--only): {} other change{} left out.",
        subset.patterns.join(", "),
        subset.left_out,
        if subset.left_out == 1 { "" } else { "s" }
    );
    for (needed, by) in &subset.pulled_in {
        line.push_str(&format!("\n  also {needed}: {by} depends on it"));
    }
    super::stdout::line(&line);
}

/// Evaluates the script, then (only if it is valid) connects, fetches and diffs.
pub(super) async fn prepare(request: &Request<'_>) -> anyhow::Result<Prepared> {
    let only = parse_only(request.only)?;
    let script = request.script;
    let catalog = match crate::script::evaluate(&script.script, &script.env) {
        Ok(catalog) => catalog,
        Err(errors) => return Ok(Prepared::ScriptErrors(errors)),
    };
    check_declared(&only, request.only, &[&catalog]).map_err(anyhow::Error::msg)?;
    let purpose = Purpose {
        access: request.access,
        script: Some(&script.script),
        verbose: super::ui::get().verbose,
    };
    let account = crate::config::connect(
        request.account,
        &catalog.environment,
        request.clock,
        purpose,
    )?;
    // The account is named before the first request, with a spinner while a big account
    // is listed (a terminal only; logs get the plan's own `Account:` line).
    let spinner = reading_spinner(&account.description);
    let fetched = fetch_live(&account.client).await;
    if let Some(spinner) = spinner {
        spinner.finish_and_clear();
    }
    let live = fetched.context("fetching the live catalog")?;
    let Diffed {
        live,
        managed,
        plan,
        subset,
    } = diff_live(&catalog, live, request, &only);
    Ok(Prepared::Ready(Box::new(Planned {
        account,
        live: ManuallyDrop::new(live),
        plan: ManuallyDrop::new(plan),
        catalog: ManuallyDrop::new(catalog),
        _managed: ManuallyDrop::new(managed),
        subset,
    })))
}

/// `--only` patterns, parsed.
pub(super) fn parse_only(patterns: &[String]) -> anyhow::Result<Vec<Only>> {
    patterns
        .iter()
        .map(|p| Only::parse(p))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| anyhow::anyhow!(e))
}

/// What `diff_live` made of the account.
pub(super) struct Diffed {
    pub live: LiveState,
    pub managed: Catalog,
    pub plan: Plan,
    pub subset: Option<Subset>,
}

/// The plan of `catalog` against the `live` state fetched for it (adopting what the script
/// names by id), restricted to `--only`, its errors showing the script lines they point at.
pub(super) fn diff_live(
    catalog: &Catalog,
    mut live: LiveState,
    request: &Request<'_>,
    only: &[Only],
) -> Diffed {
    live.adopt_declared(catalog);
    let managed = managed_catalog(catalog, &live);
    let mut plan = plan_managed(
        catalog,
        &managed,
        &live,
        request.policy,
        request.clock.now(),
    );
    let subset = (!only.is_empty()).then(|| restrict(&mut plan, only, request.only));
    // The errors show the script lines they point at, from the texts the script layer read.
    catalog.sources.attach(&mut plan.errors.0);
    Diffed {
        live,
        managed,
        plan,
        subset,
    }
}

/// `prepare` for the commands that act on a valid plan (`run`, `verify`): script errors and
/// plan errors alike are printed for a human and give `None` (the command fails, nothing was
/// written); otherwise the plan, which has no errors.
pub(super) async fn prepare_valid(request: &Request<'_>) -> anyhow::Result<Option<Box<Planned>>> {
    let planned = match prepare(request).await? {
        Prepared::ScriptErrors(errors) => {
            print_errors(&errors);
            return Ok(None);
        }
        Prepared::Ready(planned) => planned,
    };
    if !planned.plan.is_valid() {
        print_errors(&planned.plan.errors);
        return Ok(None);
    }
    Ok(Some(planned))
}

/// Prints a plan that has errors (script or diff): every error, and that nothing was
/// written. JSON goes to stdout in the plan's shape; the other views go to stderr.
pub(super) fn print_failed(plan: &Plan, output: OutputFormat, view: &View) {
    match output {
        // The whole plan, so a reader sees what else would change once the errors are fixed.
        OutputFormat::Json => super::stdout::line(&format!("{:#}", render::json_view(plan, view))),
        OutputFormat::Markdown => super::stdout::emit(&render::markdown_view(plan, view)),
        OutputFormat::Human => {
            // The pending changes too: errors must not hide what else the plan would do.
            if plan.summary().has_changes() || !plan.orphans.is_empty() {
                super::stdout::emit(&render::human_view(plan, view));
                super::stdout::line(
                    "These changes are pending; the errors below must be fixed first.",
                );
            }
            print_errors(&plan.errors);
        }
    }
}

/// `⠋ Reading http://… (sk_test_…abcd)…` on stderr, when it is a terminal and not `--quiet`.
fn reading_spinner(account: &str) -> Option<indicatif::ProgressBar> {
    if super::ui::quiet() || !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
        return None;
    }
    let spinner =
        indicatif::ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} {elapsed}") {
        spinner.set_style(style);
    }
    spinner.set_message(format!("Reading {account}…"));
    spinner.enable_steady_tick(std::time::Duration::from_millis(100));
    Some(spinner)
}

/// What the views say about the plan's origin, with the global `--full` and colour.
pub(super) fn view(script: &ScriptArgs, account: Option<&Account>) -> View {
    View {
        color: stdout_color(),
        full: super::ui::get().full,
        script: Some(script.script.to_string_lossy().into_owned()),
        environment: Some(script.env.clone()),
        account: account.map(|a| a.description.clone()),
    }
}

/// Every error with its span, then one line saying nothing was written.
pub(super) fn print_errors(errors: &Diagnostics) {
    crate::eout!("{}", crate::diag::render_human(errors, stderr_color()));
    let count = errors.0.len();
    crate::eoutln!(
        "error: {count} problem{} found; nothing was written.",
        if count == 1 { "" } else { "s" }
    );
}

/// The runtime for one command that writes: network calls and concurrent writes.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

/// The runtime for a command that only reads the account (`plan`, `verify`): one thread
/// drives every list call. Reading is bound by the network, and a thread pool's hand-offs
/// cost a no-op plan of a big account a tenth of its CPU (issue 13).
pub(super) fn read_runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub(super) use super::ui::{stderr_color, stdout_color};
