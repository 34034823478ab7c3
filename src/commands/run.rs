//! `billingctl run`: plan, show the plan, confirm, apply, summarise.

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::apply::order::write_count;
use crate::apply::secrets::{self, SecretsFile};
use crate::apply::{apply_plan, ProgressMode, Report};
use crate::cli::{RunArgs, ScriptArgs};
use crate::clock::Clock;
use crate::config::Access;
use crate::plan::saved::SavedPlan;
use crate::plan::{render, Policy};
use crate::stripe::ClientStats;
use crate::ExitStatus;

use super::plan::{prepare_valid, runtime, Request};

pub fn execute(args: RunArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    let concurrency = args.account.concurrency;
    if args.plan.is_some()
        && (!args.connect.stripe_accounts.is_empty() || args.connect.accounts.is_some())
    {
        anyhow::bail!(
            "--plan applies one account's saved plan: it cannot be used with connected accounts"
        );
    }
    let saved = match &args.plan {
        Some(path) => Some(read_saved(path, &args)?),
        None => None,
    };
    // With --plan, the script, environment, policy and subset are the plan's.
    let script = ScriptArgs {
        script: match &saved {
            Some(saved) => PathBuf::from(&saved.script),
            None => args.script.clone().unwrap_or_default(),
        },
        env: match &saved {
            Some(saved) => saved.environment.clone(),
            None => args.env.clone().unwrap_or_else(|| "test".to_owned()),
        },
    };
    let (policy, only) = match &saved {
        Some(saved) => (
            Policy {
                allow_replace: saved.allow_replace,
                prune: saved.prune,
            },
            saved.only.clone(),
        ),
        None => (Policy::from(&args.policy), args.only.clone()),
    };
    runtime()?.block_on(async {
        let request = Request {
            script: &script,
            account: &args.account,
            policy,
            clock,
            access: Access::Write,
            only: &only,
        };
        // Connected accounts (never with --plan, which is one account's).
        let targets = match saved {
            None => super::fleet::targets(&args.connect, &script)?,
            Some(_) => None,
        };
        if let Some(targets) = targets {
            return super::fleet::run(&request, &args.connect, targets, args.yes, concurrency)
                .await;
        }
        let Some(planned) = prepare_valid(&request).await? else {
            return Ok(ExitStatus::Failure);
        };
        let plan = &planned.plan;
        // A secret Stripe shows once must have somewhere to go before anything is written.
        if args.secrets_out.is_none() {
            let mut refused = secrets::refusals(plan);
            if refused.has_errors() {
                planned.catalog.sources.attach(&mut refused.0);
                super::plan::print_errors(&refused);
                return Ok(ExitStatus::Failure);
            }
        }
        if let Some(path) = &args.secrets_out {
            if plan.changes.iter().any(|c| c.creates_secret()) {
                if let Err(error) = secrets::check(path) {
                    crate::eoutln!("error: --secrets-out: {error}; nothing was written.");
                    return Ok(ExitStatus::Failure);
                }
            }
        }
        if let (Some(saved), Some(path)) = (&saved, &args.plan) {
            let mut differences = Vec::new();
            if saved.account != planned.account.description {
                differences.push(format!(
                    "it was made for {}, not {}",
                    saved.account, planned.account.description
                ));
            }
            differences.extend(saved.differences(&planned.desired(), plan, &planned.live));
            if !differences.is_empty() {
                crate::eoutln!(
                    "error: the saved plan {} is out of date; nothing was written:",
                    path.display()
                );
                for difference in &differences {
                    crate::eoutln!("  - {difference}");
                }
                crate::eoutln!(
                    "Make and review a new plan: billingctl plan {} --out FILE",
                    saved.script
                );
                return Ok(ExitStatus::Failure);
            }
        }
        super::stdout::line(&format!("Account: {}", planned.account.description));
        let view = super::plan::view(&script, Some(&planned.account));
        super::stdout::emit(&render::human_view(plan, &view));
        super::plan::print_subset(planned.subset.as_ref());
        if !plan.summary().has_changes() {
            return Ok(ExitStatus::Success);
        }
        // A saved plan was reviewed when it was made: no second question (Terraform's
        // `apply PLANFILE`).
        if !args.yes && saved.is_none() {
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
        let mut secrets_file = match &args.secrets_out {
            Some(path) if plan.changes.iter().any(|c| c.creates_secret()) => {
                match SecretsFile::open(path) {
                    Ok(file) => Some(file),
                    Err(error) => {
                        crate::eoutln!("error: --secrets-out: {error}; nothing was written.");
                        return Ok(ExitStatus::Failure);
                    }
                }
            }
            _ => None,
        };
        let writes = write_count(plan);
        let progress = if super::ui::quiet() {
            ProgressMode::Quiet
        } else {
            ProgressMode::choose(std::io::stdout().is_terminal(), writes)
        };
        let started = std::time::Instant::now();
        let report = apply_plan(
            &planned.account.client,
            plan,
            &planned.live,
            concurrency,
            progress,
            secrets_file.as_mut(),
        )
        .await;
        if let Some(file) = &secrets_file {
            if report.created > 0 && !super::ui::quiet() {
                crate::eoutln!(
                    "Signing secrets of new endpoints: {}",
                    file.path().display()
                );
            }
        }
        print_retries(&planned.account.client.stats());
        Ok(print_report(&report, started.elapsed()))
    })
}

/// Reads `--plan FILE`; policy flags given with it must agree with the plan's.
fn read_saved(path: &Path, args: &RunArgs) -> anyhow::Result<SavedPlan> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let saved = SavedPlan::parse(&text).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if (args.policy.allow_replace && !saved.allow_replace) || (args.policy.prune && !saved.prune) {
        anyhow::bail!(
            "--allow-replace and --prune belong to the plan: {} was made without them; make \
             a new plan with them",
            path.display()
        );
    }
    Ok(saved)
}

/// Says when the account pushed back (429s, 5xx, lost answers), so a slow run is explained:
/// every retry reused its request's idempotency key, so none of them duplicated a write.
fn print_retries(stats: &ClientStats) {
    if stats.retries > 0 && !super::ui::quiet() {
        crate::eoutln!(
            "note: {} of {} requests were retries ({} answered 429 rate_limit); \
             each reused its idempotency key.",
            stats.retries,
            stats.requests,
            stats.rate_limited
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

fn print_report(report: &Report, took: std::time::Duration) -> ExitStatus {
    // Adoptions, replacements and detachments are counted only when there are any.
    let some = |n: usize, verb: &str| {
        if n > 0 {
            format!(", {n} {verb}")
        } else {
            String::new()
        }
    };
    let applied = format!(
        "Applied: {} created, {} updated{}, {} deactivated{}{}. Took {:.1} s.",
        report.created,
        report.updated,
        some(report.adopted, "adopted"),
        report.deactivated,
        some(report.replaced, "replaced"),
        some(report.detached, "detached"),
        took.as_secs_f64()
    );
    if report.is_complete() {
        super::stdout::line(&applied);
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
