//! The rules table (`crate::kinds::rules`) on the declared objects, offline: each object as
//! the create it will be, its related objects from the catalog. Rules relative to now wait for
//! the plan (`crate::plan::refusals`), which knows which objects exist already.

use serde_json::Value;

use super::{Declaration, DeclaredAt};
use crate::diag::Diagnostic;
use crate::kinds::fields::Operation;
use crate::kinds::rules::{self, Related, Request, Violation};
use crate::kinds::ObjectKind;

/// A write the rules table refuses, as an error at the object's declaration.
pub fn diagnostic(
    violation: &Violation,
    kind: ObjectKind,
    key: &str,
    at: &DeclaredAt,
) -> Diagnostic {
    Diagnostic::error(format!(
        "{kind} `{key}`: Stripe would refuse this write: {}",
        violation.message
    ))
    .at(at.clone())
    .object(kind, key)
    .field(&violation.param)
}

/// Checks each of `checked` as the create it will be, with related objects from `all`.
pub fn check_creates(
    checked: &[&dyn Declaration],
    all: &[&dyn Declaration],
    diags: &mut Vec<Diagnostic>,
) {
    let related = Declared(all);
    for declaration in checked {
        let params = declaration.params();
        let request = Request {
            kind: declaration.kind(),
            op: Operation::Create,
            params: &params,
            current: None,
            now: None,
            related: &related,
        };
        for violation in rules::check(&request) {
            diags.push(diagnostic(
                &violation,
                declaration.kind(),
                declaration.key(),
                declaration.declared_at(),
            ));
        }
    }
}

/// The rules relative to now, offline: what `check_creates` could not know. Each is a warning,
/// since the plan refuses it only for an object that does not exist yet (an ended campaign
/// applied before its end re-runs as a no-op).
pub fn time_warnings(catalog: &super::Catalog, now: i64) -> Vec<Diagnostic> {
    let all: Vec<&dyn Declaration> = catalog.declarations().collect();
    let related = Declared(&all);
    let mut warnings = Vec::new();
    for declaration in &all {
        let params = declaration.params();
        let request = |now| Request {
            kind: declaration.kind(),
            op: Operation::Create,
            params: &params,
            current: None,
            now,
            related: &related,
        };
        let offline = rules::check(&request(None));
        for violation in rules::check(&request(Some(now))) {
            if offline.contains(&violation) {
                continue;
            }
            let mut warning = diagnostic(
                &violation,
                declaration.kind(),
                declaration.key(),
                declaration.declared_at(),
            )
            .help("the plan refuses to create it now; if it exists already and matches, a run leaves it alone");
            warning.severity = crate::diag::Severity::Warning;
            warnings.push(warning);
        }
    }
    warnings
}

/// Related objects as the catalog declares them.
struct Declared<'a>(&'a [&'a dyn Declaration]);

impl Related for Declared<'_> {
    fn coupon(&self, reference: &str) -> Option<Value> {
        declared_params(self.0.iter().copied(), ObjectKind::Coupon, reference)
    }
}

/// The params of the object of `kind` declared under `key` (the rules table's related
/// objects: a promotion code's coupon).
pub fn declared_params<'a>(
    mut declarations: impl Iterator<Item = &'a dyn Declaration>,
    kind: ObjectKind,
    key: &str,
) -> Option<Value> {
    declarations
        .find(|d| d.kind() == kind && d.key() == key)
        .map(|d| Value::Object(d.params().into_owned()))
}
