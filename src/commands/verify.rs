//! `billingctl verify`: does the account match the script? For a scheduled CI job:
//! 0 in sync, 2 drift (the diff is printed), 1 error.

use crate::cli::VerifyArgs;
use crate::clock::Clock;
use crate::config::Access;
use crate::plan::{render, Policy};
use crate::ExitStatus;

use super::plan::{prepare_valid, runtime, stdout_color};

pub fn execute(args: VerifyArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    runtime()?.block_on(async {
        // Verify never replaces or prunes: it only reports drift.
        let Some(planned) = prepare_valid(
            &args.script,
            &args.account,
            Policy::default(),
            clock,
            Access::Read,
        )
        .await?
        else {
            return Ok(ExitStatus::Failure);
        };
        let plan = &planned.plan;
        if plan.summary().has_changes() {
            super::stdout::emit(&render::human(plan, stdout_color()));
            eprintln!(
                "drift: {} does not match the catalog",
                planned.account.description
            );
            Ok(ExitStatus::Changes)
        } else {
            super::stdout::line(&format!(
                "In sync: the account matches the catalog ({} objects).",
                plan.unchanged
            ));
            // lifecycle: orphans are not drift (only --prune acts on them), but say so.
            if !super::ui::quiet() {
                eprint!("{}", crate::plan::lifecycle::human_notes(plan));
            }
            Ok(ExitStatus::Success)
        }
    })
}
