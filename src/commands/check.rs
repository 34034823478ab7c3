//! `billingctl check`: evaluate and validate offline; exit 0, or 1 with every error.

use crate::cli::ScriptArgs;
use crate::clock::Clock;
use crate::diag::Diagnostics;
use crate::ExitStatus;

pub fn execute(args: ScriptArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    match crate::script::evaluate(&args.script, &args.env) {
        Ok(catalog) => {
            let mut warnings = crate::catalog::refusals::time_warnings(&catalog, clock.now());
            let more = warnings.len().saturating_sub(WARNINGS_SHOWN);
            warnings.truncate(WARNINGS_SHOWN);
            catalog.sources.attach(&mut warnings);
            crate::eout!(
                "{}",
                crate::diag::render_human(&Diagnostics(warnings), stderr_color())
            );
            if more > 0 {
                crate::eoutln!("warning: … and {more} more objects whose dates have passed\n");
            }
            crate::eoutln!(
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

/// Date warnings shown before the rest are counted: a campaign of 600 codes has 600.
const WARNINGS_SHOWN: usize = 5;

/// Prints every diagnostic and a one-line summary to stderr; the run failed.
pub(super) fn report(args: &ScriptArgs, diags: &Diagnostics) -> anyhow::Result<ExitStatus> {
    crate::eout!("{}", crate::diag::render_human(diags, stderr_color()));
    let n = diags.0.len();
    crate::eoutln!(
        "{}: {n} {}; nothing was sent to Stripe",
        args.script.display(),
        if n == 1 { "problem" } else { "problems" }
    );
    Ok(ExitStatus::Failure)
}

use super::ui::stderr_color;
