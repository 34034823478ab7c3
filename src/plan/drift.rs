//! What counts as drift, for `verify` and `plan --detailed-exitcode`: anything where the
//! account and the script disagree, whether or not the plan could write it. Pending writes,
//! orphans of the catalog's scope that nothing deactivates, and immutable fields changed out
//! of band (which stop the plan with an error, but are the account drifting, not a broken
//! script). Also the help an immutable drift gets: both ways forward.

use super::plan::Plan;
use super::replace::is_immutable_drift;
use crate::diag::Severity;
use crate::kinds::ObjectKind;

/// Whether the plan has errors and every one of them is an immutable field changed out of
/// band (so `verify` reports drift, exit 2, rather than failing, exit 1).
pub fn only_drift_errors(plan: &Plan) -> bool {
    let errors = || {
        plan.errors
            .0
            .iter()
            .filter(|d| d.severity == Severity::Error)
    };
    errors().next().is_some() && errors().all(is_immutable_drift)
}

/// Orphans this plan leaves in place (not pruned).
pub fn kept_orphans(plan: &Plan) -> usize {
    plan.orphans.iter().filter(|o| !o.pruned).count()
}

/// Whether the account differs from the script: pending writes, kept orphans, or immutable
/// drift. A plan with other errors is not judged (the command fails).
pub fn has_drift(plan: &Plan) -> bool {
    plan.summary().has_changes() || kept_orphans(plan) > 0 || only_drift_errors(plan)
}

/// Adds the two ways forward to the help of each immutable drift on a kind that can be
/// replaced (prices and promotion codes; `plan/replace.rs`): `--allow-replace` for this run,
/// or `on_immutable_change: "replace"` on the declaration for good.
pub fn add_ways_forward(plan: &mut Plan) {
    for error in &mut plan.errors.0 {
        let replaceable = matches!(
            error.subject.object,
            Some(ObjectKind::Price | ObjectKind::PromotionCode)
        );
        if !replaceable || !is_immutable_drift(error) {
            continue;
        }
        let ways = "or replace it: run with --allow-replace, or add \
                    `on_immutable_change: \"replace\"` to its declaration";
        error.help = Some(match error.help.take() {
            Some(help) if help.contains("--allow-replace") => help,
            Some(help) => format!("{help}; {ways}"),
            None => ways.to_owned(),
        });
    }
}
