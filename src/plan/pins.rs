//! References Stripe will not let go stale (`Kind::pins`: a product's `default_price`):
//! while one names an object, Stripe refuses to deactivate that object ("This price cannot be
//! archived because it is the default price of its product"). A plan that did so would fail
//! halfway through, so the diff, the orphans and replacement ask here first.

use serde_json::Value;

use super::plan::{Action, Change};
use super::problem::{Issue, Problem};
use crate::compact::Json;
use crate::kinds::{ObjectKind, Pin, KINDS};
use crate::live::{places_of, LiveState};
use crate::path;

/// A live object pinning another.
pub struct Pinning<'a> {
    pub by: ObjectKind,
    pub pin: Pin,
    pub object: &'a Json,
}

impl Pinning<'_> {
    /// The pinning object's id.
    pub fn id(&self) -> &str {
        self.object
            .get("id")
            .and_then(Json::as_str)
            .unwrap_or_default()
    }

    /// The values `changes` write to this pin of this object.
    fn written_by<'c>(&self, changes: &'c [Change]) -> Vec<&'c Value> {
        changes
            .iter()
            .filter(|c| c.kind == self.by && c.id.as_deref() == Some(self.id()))
            .filter_map(|c| path::get(&c.params, self.pin.pattern))
            .collect()
    }
}

/// Every live object that pins the object `id` of `kind`, kinds in registry order.
pub fn pinned_by<'a>(live: &'a LiveState, kind: ObjectKind, id: &str) -> Vec<Pinning<'a>> {
    let mut found = Vec::new();
    for by in KINDS {
        let pins = by.pins().iter().filter(|pin| {
            by.references()
                .iter()
                .any(|r| r.pattern == pin.pattern && r.kind == kind)
        });
        for pin in pins {
            for object in live.all(by.id()) {
                if !places_of(object, pin.pattern, id).is_empty() {
                    found.push(Pinning {
                        by: by.id(),
                        pin: *pin,
                        object,
                    });
                }
            }
        }
    }
    found
}

/// A problem for every deactivation in `changes` that a live object pins, unless the same
/// changes point that pin at another object.
pub fn check_deactivations(changes: &[Change], live: &LiveState) -> Vec<Problem> {
    let mut problems = Vec::new();
    for change in changes {
        let (Action::Deactivate, Some(id)) = (change.action, change.id.as_deref()) else {
            continue;
        };
        for pinning in pinned_by(live, change.kind, id) {
            let moved = pinning
                .written_by(changes)
                .into_iter()
                .any(|key| key.as_str() != Some(change.key.as_str()));
            if !moved {
                problems.push(Problem {
                    kind: change.kind,
                    key: change.key.clone(),
                    at: change.declared_at.clone(),
                    issue: Issue::Pinned {
                        by: pinning.by,
                        by_id: pinning.id().to_owned(),
                        pin: pinning.pin,
                    },
                });
            }
        }
    }
    problems
}

/// The first live object that pins the object `id` of `kind` and that `changes` leave as
/// it is (they do not write that pin).
pub fn kept_pin<'a>(
    changes: &[Change],
    live: &'a LiveState,
    kind: ObjectKind,
    id: &str,
) -> Option<Pinning<'a>> {
    pinned_by(live, kind, id)
        .into_iter()
        .find(|pinning| pinning.written_by(changes).is_empty())
}
