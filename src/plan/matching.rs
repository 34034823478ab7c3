//! Matching a declaration to its live object: by the id a script adopts, else by key
//! (DESIGN.md's table), the active holder first. Where the kind's key is unique only among
//! active objects (`Kind::frees_key_when_inactive`, a promotion code), an inactive holder
//! frees the key: the script's object is then new, or an inactive one brought back if Stripe
//! would let it come back, and an inactive declaration needs nothing to exist.

use super::problem::{Issue, Problem};
use crate::catalog::Declaration;
use crate::compact::Json;
use crate::live::{ids_at, is_active, LiveState};

/// What the live account holds for one declaration.
pub enum Found<'a> {
    Missing,
    Live {
        object: &'a Json,
        adopted: bool,
    },
    /// Nothing to do although no object was matched: only inactive objects hold a key the
    /// script wants inactive too (the key is free; nothing needs to exist).
    Settled,
    /// Only inactive objects hold a key that frees when inactive, and the script wants it
    /// active: these may be reactivated (`active=true`) rather than duplicated.
    Inactive(Vec<&'a Json>),
}

/// The live object for `declaration`, which wants to be active or not.
pub fn find_live<'a>(
    declaration: &dyn Declaration,
    wants_active: bool,
    live: &'a LiveState,
) -> Result<Found<'a>, Box<Problem>> {
    let kind = declaration.kind();
    if let Some(id) = declaration.adopt_id() {
        return match live.by_id(kind, id) {
            Some(object) => Ok(Found::Live {
                object,
                adopted: true,
            }),
            None => Err(Box::new(Problem {
                kind,
                key: declaration.key().to_owned(),
                at: declaration.declared_at().clone(),
                issue: Issue::AdoptedIdMissing { id: id.to_owned() },
            })),
        };
    }
    let matches = live.by_key(kind, declaration.key());
    // Prefer the active object: at most one promotion code per code is active, and an
    // inactive portal configuration left behind must not shadow the one in use.
    let active = matches.clone().find(|o| is_active(kind, o));
    let frees = kind.def().frees_key_when_inactive();
    Ok(match (active, matches.clone().next()) {
        (Some(object), _) => Found::Live {
            object,
            adopted: false,
        },
        // One that matches the script and Stripe would let come back (param-rules R100) is
        // reactivated; otherwise the active object is new.
        (None, _) if frees && wants_active => {
            let candidates: Vec<&Json> = matches
                .filter(|_| kind.def().reactivates())
                .filter(|object| reactivatable(declaration, object, live))
                .collect();
            if candidates.is_empty() {
                Found::Missing
            } else {
                Found::Inactive(candidates)
            }
        }
        (None, Some(_)) if frees => Found::Settled,
        (None, Some(object)) => Found::Live {
            object,
            adopted: false,
        },
        (None, None) => Found::Missing,
    })
}

/// Whether an inactive object may be reactivated, as far as the account says without a
/// clock: not used up, and every object it references still there, `valid` and not used up
/// (a promotion code's coupon; Stripe computes `valid` itself, dates included). The rules
/// table checks the dates again on the planned update.
fn reactivatable(declaration: &dyn Declaration, object: &Json, live: &LiveState) -> bool {
    let used_up = |object: &Json| {
        let times = object["times_redeemed"].as_i64().unwrap_or(0);
        object["max_redemptions"]
            .as_i64()
            .is_some_and(|max| times >= max)
    };
    let usable = |refers: &crate::kinds::Refers| {
        let ids = ids_at(object, refers.pattern);
        !ids.is_empty()
            && ids.into_iter().all(|id| {
                live.by_id(refers.kind, id).is_some_and(|target| {
                    target["valid"].as_bool() != Some(false) && !used_up(target)
                })
            })
    };
    !used_up(object) && declaration.kind().def().references().iter().all(usable)
}

/// The live object a declaration matches: the adopted id, else the active holder of its
/// key, else the newest (the diff's own matching, without its reading of inactive holders).
pub(crate) fn matched<'a>(declaration: &dyn Declaration, live: &'a LiveState) -> Option<&'a Json> {
    let kind = declaration.kind();
    if let Some(id) = declaration.adopt_id() {
        return live.by_id(kind, id);
    }
    let mut matches = live.by_key(kind, declaration.key());
    let newest = matches.clone().next();
    matches.find(|o| is_active(kind, o)).or(newest)
}
