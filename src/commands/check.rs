//! `billingctl check`: evaluate and validate offline; exit 0, or 1 with every error.

use crate::cli::ScriptArgs;
use crate::clock::Clock;
use crate::diag::Diagnostics;
use crate::ExitStatus;

pub fn execute(args: ScriptArgs, _clock: Clock) -> anyhow::Result<ExitStatus> {
    match crate::script::evaluate(&args.script, &args.env) {
        Ok(catalog) => {
            eprintln!(
                "{}: {} objects, environment `{}` ({}), scope `{}`: valid",
                args.script.display(),
                catalog.len(),
                catalog.environment.name,
                if catalog.environment.mode == crate::catalog::Mode::Live {
                    "live"
                } else {
                    "test"
                },
                catalog.scope
            );
            Ok(ExitStatus::Success)
        }
        Err(diags) => report(&args, &diags),
    }
}

/// Prints every diagnostic and a one-line summary to stderr; the run failed.
pub(super) fn report(args: &ScriptArgs, diags: &Diagnostics) -> anyhow::Result<ExitStatus> {
    eprint!("{}", crate::diag::render_human(diags, stderr_color()));
    let n = diags.0.len();
    eprintln!(
        "{}: {n} {}; nothing was sent to Stripe",
        args.script.display(),
        if n == 1 { "problem" } else { "problems" }
    );
    Ok(ExitStatus::Failure)
}

use super::ui::stderr_color;
