//! The rules table (`crate::kinds::rules`) on every write the plan will make, as the endpoint
//! will receive it: creates with their params, updates against the live object they change,
//! related objects as they will be when the write is sent (declared, else live). A write the
//! rules refuse is an error of the plan, before anything is written, at the line that declared
//! the object; the emulator runs the same checks on the writes it receives.

use serde_json::{Map, Value};

use super::finding::Findings;
use super::plan::{Action, Change};
use super::problem::{Issue, Problem};
use crate::catalog::refusals::declared_params;
use crate::catalog::Catalog;
use crate::compact::{Fields, Json};
use crate::kinds::fields::Operation;
use crate::kinds::rules::{self, Related, Request};
use crate::kinds::ObjectKind;
use crate::live::LiveState;

/// Adds a problem for every planned write that Stripe would refuse at `now`.
pub fn check_writes(found: &mut Findings, catalog: &Catalog, live: &LiveState, now: i64) {
    let related = Planned { catalog, live };
    let mut problems = Vec::new();
    for change in &found.changes {
        for (op, params, current) in writes(change, live) {
            let request = Request {
                kind: change.kind,
                op,
                params,
                current: current.as_ref(),
                now: Some(now),
                related: &related,
            };
            for violation in rules::check(&request) {
                problems.push(Problem {
                    kind: change.kind,
                    key: change.key.clone(),
                    at: change.declared_at.clone(),
                    issue: Issue::Refused(violation),
                });
            }
        }
    }
    found.problems.extend(problems);
}

/// The requests a change sends: a create (a replacement's new object is one), then its
/// update-only follow-up; or one update of the live object.
fn writes<'a>(
    change: &'a Change,
    live: &LiveState,
) -> Vec<(Operation, &'a Map<String, Value>, Option<Value>)> {
    match change.action {
        Action::Create | Action::Replace => {
            let mut writes = vec![(Operation::Create, &change.params, None)];
            if !change.after_create.is_empty() {
                writes.push((Operation::Update, &change.after_create, None));
            }
            writes
        }
        Action::Update | Action::Adopt | Action::Deactivate => {
            let current = change
                .id
                .as_deref()
                .and_then(|id| live.by_id(change.kind, id))
                .map(Json::to_value);
            vec![(Operation::Update, &change.params, current)]
        }
        // A DELETE sends no params: no rule applies.
        Action::Detach => Vec::new(),
    }
}

/// Related objects as the apply will find them: what the catalog declares (the plan makes the
/// account match it), over what the account holds (counters such as `times_redeemed`, and
/// `valid`, come from there). The rules table asks for coupons by name (`Related::coupon`),
/// so the kind is named here.
struct Planned<'a> {
    catalog: &'a Catalog,
    live: &'a LiveState,
}

impl Related for Planned<'_> {
    fn coupon(&self, reference: &str) -> Option<Value> {
        let held = self
            .live
            .by_id(ObjectKind::Coupon, reference)
            .and_then(Json::as_object)
            .map(Fields::to_map);
        let coupons = self.catalog.of_kind(ObjectKind::Coupon);
        let declared = declared_params(coupons, ObjectKind::Coupon, reference);
        match (held, declared) {
            (Some(mut held), Some(Value::Object(declared))) => {
                held.extend(declared);
                Some(Value::Object(held))
            }
            (Some(held), _) => Some(Value::Object(held)),
            (None, declared) => declared,
        }
    }
}
