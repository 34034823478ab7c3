//! `billingctl plan`, and the pipeline `run` and `verify` share: evaluate the script (no
//! network), connect, fetch the live account, diff.

use anyhow::Context;

use crate::cli::{AccountArgs, OutputFormat, PlanArgs, ScriptArgs};
use crate::clock::Clock;
use crate::config::{Access, Account, Purpose};
use crate::diag::Diagnostics;
use crate::plan::fetch::fetch_live;
use crate::plan::{drift, plan_catalog, render, LiveState, Plan, Policy};
use crate::ExitStatus;

/// Everything a command needs once the plan is known.
pub(super) struct Planned {
    pub account: Account,
    pub live: LiveState,
    pub plan: Plan,
}

/// The script failed (nothing was fetched), or the plan is ready.
pub(super) enum Prepared {
    ScriptErrors(Diagnostics),
    /// Boxed: a plan (with its orphans and warnings) is much larger than a list of errors.
    Ready(Box<Planned>),
}

pub fn execute(args: PlanArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    runtime()?.block_on(async {
        let policy = Policy::from(&args.policy);
        let planned =
            match prepare(&args.script, &args.account, policy, clock, Access::Read).await? {
                Prepared::ScriptErrors(errors) => {
                    print_failed(
                        &Plan {
                            errors,
                            ..Plan::default()
                        },
                        args.output,
                    );
                    return Ok(ExitStatus::Failure);
                }
                Prepared::Ready(planned) => planned,
            };
        let plan = &planned.plan;
        if !plan.is_valid() {
            print_failed(plan, args.output);
            // Even immutable drift is 1 here: this plan cannot be applied, and from the plan
            // alone a script edit and an out-of-band change look the same. `verify`, which
            // judges the account, reports it as drift (2).
            return Ok(ExitStatus::Failure);
        }
        match args.output {
            OutputFormat::Human => {
                super::stdout::line(&format!("Account: {}", planned.account.description));
                super::stdout::emit(&render::human(plan, stdout_color()));
            }
            OutputFormat::Json => super::stdout::line(&format!("{:#}", render::json(plan))),
            OutputFormat::Markdown => super::stdout::emit(&render::markdown(plan)),
        }
        Ok(if args.detailed_exitcode && drift::has_drift(plan) {
            ExitStatus::Changes
        } else {
            ExitStatus::Success
        })
    })
}

/// Evaluates the script, then (only if it is valid) connects, fetches and diffs.
pub(super) async fn prepare(
    script: &ScriptArgs,
    account: &AccountArgs,
    policy: Policy,
    clock: Clock,
    access: Access,
) -> anyhow::Result<Prepared> {
    let catalog = match crate::script::evaluate(&script.script, &script.env) {
        Ok(catalog) => catalog,
        Err(errors) => return Ok(Prepared::ScriptErrors(errors)),
    };
    let purpose = Purpose {
        access,
        script: Some(&script.script),
        verbose: super::ui::get().verbose,
    };
    let account = crate::config::connect(account, &catalog.environment, clock, purpose)?;
    let mut live = fetch_live(&account.client)
        .await
        .context("fetching the live catalog")?;
    live.adopt_declared(&catalog);
    let mut plan = plan_catalog(&catalog, &live, policy, clock.now());
    drift::add_ways_forward(&mut plan);
    Ok(Prepared::Ready(Box::new(Planned {
        account,
        live,
        plan,
    })))
}

/// `prepare` for the commands that act on a valid plan (`run`, `verify`): script errors and
/// plan errors alike are printed for a human and give `None` (the command fails, nothing was
/// written); otherwise the plan, which has no errors.
pub(super) async fn prepare_valid(
    script: &ScriptArgs,
    account: &AccountArgs,
    policy: Policy,
    clock: Clock,
    access: Access,
) -> anyhow::Result<Option<Box<Planned>>> {
    let planned = match prepare(script, account, policy, clock, access).await? {
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
pub(super) fn print_failed(plan: &Plan, output: OutputFormat) {
    match output {
        // The whole plan, so a reader sees what else would change once the errors are fixed.
        OutputFormat::Json => super::stdout::line(&format!("{:#}", render::json(plan))),
        OutputFormat::Markdown => super::stdout::emit(&render::markdown(plan)),
        OutputFormat::Human => {
            // The pending changes too: errors must not hide what else the plan would do.
            if plan.summary().has_changes() || !plan.orphans.is_empty() {
                super::stdout::emit(&render::human(plan, stdout_color()));
                super::stdout::line(
                    "These changes are pending; the errors below must be fixed first.",
                );
            }
            print_errors(&plan.errors);
        }
    }
}

/// Every error with its span, then one line saying nothing was written.
pub(super) fn print_errors(errors: &Diagnostics) {
    eprint!("{}", crate::diag::render_human(errors, stderr_color()));
    let count = errors.0.len();
    eprintln!(
        "error: {count} problem{} found; nothing was written.",
        if count == 1 { "" } else { "s" }
    );
}

/// The runtime for one command: network calls and concurrent writes.
pub(super) fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

pub(super) use super::ui::{stderr_color, stdout_color};
