//! `billingctl run`: plan, show the plan, confirm, apply, summarise.

use std::io::{BufRead, IsTerminal};

use crate::apply::order::write_count;
use crate::apply::{apply_plan, ProgressMode, Report};
use crate::cli::RunArgs;
use crate::clock::Clock;
use crate::config::Access;
use crate::plan::{render, Policy};
use crate::stripe::ClientStats;
use crate::ExitStatus;

use super::plan::{prepare_valid, runtime, stdout_color};

pub fn execute(args: RunArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    let concurrency = args.account.concurrency;
    runtime()?.block_on(async {
        let policy = Policy::from(&args.policy);
        let Some(planned) =
            prepare_valid(&args.script, &args.account, policy, clock, Access::Write).await?
        else {
            return Ok(ExitStatus::Failure);
        };
        let plan = &planned.plan;
        super::stdout::line(&format!("Account: {}", planned.account.description));
        super::stdout::emit(&render::human(plan, stdout_color()));
        if !plan.summary().has_changes() {
            return Ok(ExitStatus::Success);
        }
        if !args.yes {
            if !std::io::stdin().is_terminal() {
                eprintln!(
                    "error: refusing to apply without confirmation: standard input is not a \
                     terminal. Review the plan above, then pass --yes to apply it."
                );
                return Ok(ExitStatus::Failure);
            }
            if !confirm(&planned.account.description)? {
                eprintln!("Apply cancelled; nothing was written.");
                return Ok(ExitStatus::Failure);
            }
        }
        let writes = write_count(plan);
        let progress = if super::ui::quiet() {
            ProgressMode::Quiet
        } else {
            ProgressMode::choose(std::io::stdout().is_terminal(), writes)
        };
        let report = apply_plan(
            &planned.account.client,
            plan,
            &planned.live,
            concurrency,
            progress,
        )
        .await;
        print_retries(&planned.account.client.stats());
        Ok(print_report(&report))
    })
}

/// Says when the account pushed back (429s, 5xx, lost answers), so a slow run is explained:
/// every retry reused its request's idempotency key, so none of them duplicated a write.
fn print_retries(stats: &ClientStats) {
    if stats.retries > 0 && !super::ui::quiet() {
        eprintln!(
            "note: {} of {} requests were retries ({} answered 429 rate_limit); \
             each reused its idempotency key.",
            stats.retries, stats.requests, stats.rate_limited
        );
    }
}

/// Asks on the terminal; only `yes` applies. The question goes to standard output, after the
/// plan and through the same pipe (as Terraform's does): under `run | tee log`, a prompt on
/// stderr would reach the terminal before `tee` had shown the plan.
fn confirm(account: &str) -> anyhow::Result<bool> {
    super::stdout::emit(&format!(
        "Apply these changes to {account}? Only 'yes' will be accepted: "
    ));
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

fn print_report(report: &Report) -> ExitStatus {
    // lifecycle: replacements are counted only when there are any.
    let replaced = if report.replaced > 0 {
        format!(", {} replaced", report.replaced)
    } else {
        String::new()
    };
    let applied = format!(
        "Applied: {} created, {} updated, {} deactivated{replaced}.",
        report.created, report.updated, report.deactivated
    );
    if report.is_complete() {
        super::stdout::line(&applied);
        return ExitStatus::Success;
    }
    for failure in &report.failures {
        eprintln!("error: {failure}");
    }
    if report.interrupted {
        eprintln!("error: interrupted; writes in flight were allowed to finish.");
    }
    eprintln!("{applied}");
    print_list("Done before stopping:", &report.done);
    print_list("Not done:", &report.not_done);
    eprintln!(
        "Nothing else was written. Run again to finish: the next plan starts from what the \
         account holds now."
    );
    ExitStatus::Failure
}

/// Lists stay readable for large applies: the first lines, then how many more.
const LIST_LIMIT: usize = 25;

fn print_list(title: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    eprintln!("{title}");
    for line in lines.iter().take(LIST_LIMIT) {
        eprintln!("  {line}");
    }
    if lines.len() > LIST_LIMIT {
        eprintln!("  … and {} more", lines.len() - LIST_LIMIT);
    }
}
