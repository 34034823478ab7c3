//! `billingctl run`: plan, show the plan, confirm, apply, summarise.

use std::io::{BufRead, IsTerminal, Write};

use crate::apply::order::write_count;
use crate::apply::{apply_plan, ProgressMode, Report};
use crate::cli::RunArgs;
use crate::clock::Clock;
use crate::plan::{render, Policy};
use crate::stripe::ClientStats;
use crate::ExitStatus;

use super::plan::{prepare_valid, runtime, stdout_color};

pub fn execute(args: RunArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    let concurrency = args.account.concurrency;
    runtime()?.block_on(async {
        let policy = Policy::from(&args.policy);
        let Some(planned) = prepare_valid(&args.script, &args.account, policy, clock).await? else {
            return Ok(ExitStatus::Failure);
        };
        let plan = &planned.plan;
        crate::outln!("Account: {}", planned.account.description);
        crate::out!("{}", render::human(plan, stdout_color()));
        if !plan.summary().has_changes() {
            return Ok(ExitStatus::Success);
        }
        if !args.yes {
            if !std::io::stdin().is_terminal() {
                crate::eoutln!(
                    "error: refusing to apply without confirmation: standard input is not a \
                     terminal. Review the plan above, then pass --yes to apply it."
                );
                return Ok(ExitStatus::Failure);
            }
            if !confirm(&planned.account.description)? {
                crate::eoutln!("Apply cancelled; nothing was written.");
                return Ok(ExitStatus::Failure);
            }
        }
        let writes = write_count(plan);
        let progress = ProgressMode::choose(std::io::stdout().is_terminal(), writes);
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
    if stats.retries > 0 {
        crate::eoutln!(
            "note: {} of {} requests were retries ({} answered 429 rate_limit); \
             each reused its idempotency key.",
            stats.retries,
            stats.requests,
            stats.rate_limited
        );
    }
}

/// Asks on the terminal; only `yes` applies.
fn confirm(account: &str) -> anyhow::Result<bool> {
    crate::eout!("Apply these changes to {account}? Only 'yes' will be accepted: ");
    std::io::stderr().flush()?;
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
        crate::outln!("{applied}");
        return ExitStatus::Success;
    }
    for failure in &report.failures {
        crate::eoutln!("error: {failure}");
    }
    if report.interrupted {
        crate::eoutln!("error: interrupted; writes in flight were allowed to finish.");
    }
    crate::eoutln!("{applied}");
    print_list("Done before stopping:", &report.done);
    print_list("Not done:", &report.not_done);
    crate::eoutln!(
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
    crate::eoutln!("{title}");
    for line in lines.iter().take(LIST_LIMIT) {
        crate::eoutln!("  {line}");
    }
    if lines.len() > LIST_LIMIT {
        crate::eoutln!("  … and {} more", lines.len() - LIST_LIMIT);
    }
}
