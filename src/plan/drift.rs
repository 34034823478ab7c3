//! What counts as drift, for `verify` and `plan --detailed-exitcode`: anything where the
//! account and the script disagree, whether or not the plan could write it. Pending writes,
//! orphans of the catalog's scope that nothing deactivates, and immutable fields changed out
//! of band (which stop the plan with an error, but are the account drifting, not a broken
//! script: `Plan::drift`). [`verdict`] is the one rule both commands judge a plan by.

use super::plan::Plan;
use crate::diag::Severity;

/// Whether the plan has errors and every one of them is an immutable field changed out of
/// band (so `verify` reports drift, exit 2, rather than failing, exit 1). Each drifted field
/// is exactly one error of the plan (`problem::drift_errors`), so the counts tell.
pub fn only_drift_errors(plan: &Plan) -> bool {
    let drifted: usize = plan.drift.iter().map(|d| d.fields.len()).sum();
    let errors = plan
        .errors
        .0
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    drifted > 0 && errors == drifted
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

/// How a plan judges the account, for the exit codes of `verify` and `plan
/// --detailed-exitcode` (0, 2, 1): Terraform's and `kubectl diff`'s "differs" is any drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The account matches the script.
    InSync,
    /// They differ ([`has_drift`]); the plan's errors, if any, are all immutable drift.
    Drift,
    /// The plan has an error that is not drift (a broken script, a refused write): the
    /// account cannot be judged.
    Failed,
}

/// The verdict of `plan`: failed on any error but immutable drift, else drift or in sync.
/// From a plan alone a script edit of an immutable field and an out-of-band change look
/// the same; either way the account and the script disagree, so both are drift.
pub fn verdict(plan: &Plan) -> Verdict {
    if !plan.is_valid() && !only_drift_errors(plan) {
        Verdict::Failed
    } else if has_drift(plan) {
        Verdict::Drift
    } else {
        Verdict::InSync
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeclaredAt;
    use crate::diag::Diagnostic;
    use crate::kinds::ObjectKind;
    use crate::plan::plan::{Drift, FieldChange};
    use serde_json::json;

    #[test]
    fn errors_are_drift_only_when_every_one_is_a_drifted_field() {
        let field = FieldChange {
            path: "unit_amount".into(),
            live: json!(900),
            desired: json!(1000),
        };
        let mut plan = Plan {
            drift: vec![Drift {
                kind: ObjectKind::Price,
                key: "basic_monthly".into(),
                id: "price_1".into(),
                declared_at: DeclaredAt {
                    file: "s.rhai".into(),
                    line: 1,
                    column: 1,
                },
                fields: vec![field],
            }],
            ..Plan::default()
        };
        plan.errors.push(Diagnostic::error(
            "price `basic_monthly`: unit_amount is immutable",
        ));
        assert!(only_drift_errors(&plan));
        assert!(has_drift(&plan));
        assert_eq!(verdict(&plan), Verdict::Drift);
        plan.errors.push(Diagnostic::error("something else"));
        assert!(!only_drift_errors(&plan));
        assert_eq!(verdict(&plan), Verdict::Failed);
        assert!(!only_drift_errors(&Plan::default()));
        assert_eq!(verdict(&Plan::default()), Verdict::InSync);
    }
}
