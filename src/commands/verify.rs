//! `billingctl verify`: does the account match the script? For a scheduled CI job:
//! 0 in sync, 2 drift (the diff is printed), 1 error. Drift is `plan::drift`: pending
//! writes, orphans, and immutable fields changed out of band.

use serde_json::Value;

use crate::cli::{OutputFormat, VerifyArgs};
use crate::clock::Clock;
use crate::config::Access;
use crate::plan::drift::{self, Verdict};
use crate::plan::render::View;
use crate::plan::{render, Plan, Policy};
use crate::ExitStatus;

use super::plan::{
    judged, prepare, print_errors, print_failed, read_runtime, view, Prepared, Request,
};

pub fn execute(args: VerifyArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    read_runtime()?.block_on(async {
        // Verify never replaces or prunes: it only reports drift.
        let request = Request {
            script: &args.script,
            account: &args.account,
            policy: Policy::default(),
            clock,
            access: Access::Read,
            only: &[],
        };
        if let Some(targets) = super::fleet::targets(&args.connect, &args.script)? {
            return super::fleet::verify(&request, &args.connect, targets, args.output).await;
        }
        let prepared = prepare(&request).await?;
        let planned = match prepared {
            Prepared::ScriptErrors(errors) => {
                let plan = Plan {
                    errors,
                    ..Plan::default()
                };
                return Ok(report_failed(&plan, args.output, &view(&args.script, None)));
            }
            Prepared::Ready(planned) => planned,
        };
        let plan = &planned.plan;
        let verdict = drift::verdict(plan);
        if verdict == Verdict::Failed {
            return Ok(report_failed(
                plan,
                args.output,
                &view(&args.script, Some(&planned.account)),
            ));
        }
        let drifted = verdict == Verdict::Drift;
        let view = view(&args.script, Some(&planned.account));
        if args.output == OutputFormat::Json {
            let mut value = render::json_view(plan, &view);
            value["drift"] = Value::Bool(drifted);
            super::stdout::line(&format!("{value:#}"));
        } else if args.output == OutputFormat::Markdown {
            // The plan's markdown, in sync or not: it names the account and says which.
            super::stdout::emit(&render::markdown_view(plan, &view));
        } else if drifted {
            super::stdout::line(&format!("Account: {}", planned.account.description));
            super::stdout::emit(&render::human_view(plan, &view));
            if !plan.errors.0.is_empty() {
                print_errors(&plan.errors);
            }
        } else {
            super::stdout::line(&format!(
                "In sync: the account matches the catalog ({} objects).",
                plan.unchanged
            ));
        }
        if drifted {
            crate::eoutln!(
                "drift: {} does not match the catalog",
                planned.account.description
            );
        }
        Ok(judged(verdict))
    })
}

/// A script or plan error that is not drift: printed, exit 1.
fn report_failed(plan: &Plan, output: OutputFormat, view: &View) -> ExitStatus {
    match output {
        OutputFormat::Json => {
            let mut value = render::json_view(plan, view);
            value["drift"] = Value::Null;
            super::stdout::line(&format!("{value:#}"));
        }
        // The markdown lists the errors with the pending changes.
        OutputFormat::Markdown => print_failed(plan, output, view),
        OutputFormat::Human => print_errors(&plan.errors),
    }
    ExitStatus::Failure
}
