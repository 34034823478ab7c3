//! Ownership scopes: every object billingctl creates or adopts carries metadata
//! `billingctl_scope` (the catalog's scope, by default the script's file stem), so a catalog
//! can tell the objects it owns from everyone else's.
//!
//! The rule has two halves:
//! - `managed::managed_catalog`: the catalog as the diff sees it, with the management
//!   metadata (`billingctl_scope`) added to every object's desired params. Being desired,
//!   the scope is written on create and adoption and never "removed as out-of-band".
//! - here, `find_orphans`: live, active objects whose `billingctl_scope` is this catalog's scope but
//!   that the script no longer declares. They are listed; with `--prune` each becomes a
//!   `Deactivate` change. Objects of another scope, or with no scope, are never considered.
//!   Coupons have no `active`: an orphaned coupon is listed and left alone (billingctl never
//!   deletes).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rustc_hash::FxHashSet;
use serde_json::{Map, Value};

use super::finding::Findings;
use super::owned_metadata::{claim, Claimed};
use super::pins::kept_pin;
use super::plan::{Action, Change, FieldChange, Orphan, Reason};
use super::problem::{Issue, Problem};
use crate::catalog::{Catalog, Declaration, DeclaredAt};
use crate::compact::{Fields, Json};
pub use crate::kinds::SCOPE_METADATA;
use crate::kinds::{Deactivation, ObjectKind, KINDS};
use crate::live::{is_active, LiveState};

/// What `declaration`'s metadata claims of its live `object` (`None`: to be created).
pub fn claimed_metadata(declaration: &dyn Declaration, object: Option<&Json>) -> Claimed {
    let script = match declaration.params().get("metadata") {
        Some(Value::Object(script)) => script.clone(),
        _ => Map::new(),
    };
    let live = object
        .and_then(|o| o.get("metadata"))
        .and_then(Json::as_object)
        .map(Fields::to_map);
    claim(
        script,
        live.as_ref(),
        declaration.ownership().exact_metadata,
    )
}

/// Objects of another scope are that catalog's: a change this catalog would make to one is a
/// problem naming both scopes, and the change is dropped (the plan cannot be applied anyway).
/// An object this catalog only declares as it is (an export holding several scopes) is fine.
pub fn conflicts(found: &mut Findings, catalog: &Catalog, live: &LiveState) {
    if catalog.scope.is_empty() {
        return;
    }
    let mut kept = Vec::new();
    for change in std::mem::take(&mut found.changes) {
        let declaration = catalog.get(change.kind, &change.key);
        let owner = change
            .id
            .as_deref()
            .and_then(|id| live.by_id(change.kind, id))
            .and_then(scope_of)
            .filter(|s| !s.is_empty() && *s != catalog.scope);
        let adopted = declaration.is_some_and(|d| d.adopt_id().is_some());
        match (owner, adopted, change.reason) {
            (Some(owner), false, None) => found.problems.push(Problem {
                kind: change.kind,
                key: change.key.clone(),
                at: change.declared_at.clone(),
                issue: Issue::ForeignScope {
                    owner: owner.to_owned(),
                    scope: catalog.scope.clone(),
                    id: change.id.clone(),
                },
            }),
            _ => kept.push(change),
        }
    }
    found.changes = kept;
}

/// The scope a live object carries, if any.
pub fn scope_of(object: &Json) -> Option<&str> {
    object
        .get("metadata")
        .and_then(|m| m.get(SCOPE_METADATA))
        .and_then(Json::as_str)
}

/// The orphans of `catalog` in `live`, sorted; with `prune`, adds a `Deactivate` change to
/// `changes` for each one that can be deactivated.
pub fn find_orphans(
    changes: &mut Vec<Change>,
    catalog: &Catalog,
    live: &LiveState,
    prune: bool,
) -> Vec<Orphan> {
    let mut orphans = Vec::new();
    if catalog.scope.is_empty() {
        return orphans;
    }
    let declared = declared_ids(catalog, live);
    // Objects already touched by the plan (a replaced price's old id) are not orphans.
    // Owned (the loop adds changes), and by kind, to be asked with a borrowed id.
    let mut planned: HashMap<ObjectKind, HashSet<String>> = HashMap::new();
    for change in changes.iter() {
        if let Some(id) = &change.id {
            planned.entry(change.kind).or_default().insert(id.clone());
        }
    }
    for kind in KINDS.iter().map(|k| k.id()) {
        for object in live.all(kind) {
            let Some(id) = object.get("id").and_then(Json::as_str) else {
                continue;
            };
            if owner_scope(kind, object, live) != Some(catalog.scope.as_str())
                || !is_active(kind, object)
                || declared.contains(&(kind, id))
                || planned.get(&kind).is_some_and(|ids| ids.contains(id))
                || is_declared_key(catalog, kind, object)
            {
                continue;
            }
            let key = display_key(kind, object).unwrap_or_else(|| id.to_owned());
            let note = match kind.def().deactivation() {
                Deactivation::Delete => None,
                Deactivation::Impossible { .. } => Some(format!(
                    "a {} has no `active` and billingctl never deletes: left as it is (delete \
                     it in the Dashboard if it must go)",
                    kind.def().noun()
                )),
                Deactivation::Field { .. } | Deactivation::Endpoints { .. } => {
                    kept_pin(changes, live, kind, id).map(|pinning| {
                        let (role, by) = (pinning.pin.role, pinning.by.def().noun());
                        format!(
                            "the {role} of {by} `{}`, which Stripe refuses to archive: give the \
                         {by} another {role} first",
                            pinning.id()
                        )
                    })
                }
            };
            let note = note.filter(|_| prune);
            let pruned = prune && note.is_none();
            if pruned {
                changes.push(match kind.def().deactivation() {
                    Deactivation::Delete => detach(kind, object, id, &key, &catalog.scope),
                    _ => deactivation(kind, id, &key, &catalog.scope),
                });
            }
            orphans.push(Orphan {
                kind,
                id: id.to_owned(),
                key,
                pruned,
                note,
            });
        }
    }
    orphans.sort_by(|a, b| (a.kind, &a.key, &a.id).cmp(&(b.kind, &b.key, &b.id)));
    orphans
}

/// The scope an object is owned by: its own metadata's, or for a kind under another's object
/// (a feature attachment, which has no metadata) its parent's.
fn owner_scope<'a>(kind: ObjectKind, object: &'a Json, live: &'a LiveState) -> Option<&'a str> {
    match kind.def().within() {
        Some(within) => object[within.segment]
            .as_str()
            .and_then(|parent| live.by_id(within.parent, parent))
            .and_then(scope_of),
        None => scope_of(object),
    }
}

/// The DELETE that detaches an orphan attachment (`Deactivation::Delete`), with `--prune`
/// only. Its params hold only the parent's id, which travels in the path.
fn detach(kind: ObjectKind, object: &Json, id: &str, key: &str, scope: &str) -> Change {
    let mut params = Map::new();
    if let Some(within) = kind.def().within() {
        params.insert(within.segment.to_owned(), object[within.segment].to_value());
    }
    Change {
        action: Action::Detach,
        kind,
        key: key.to_owned(),
        id: Some(id.to_owned()),
        declared_at: DeclaredAt {
            file: format!("scope {scope}"),
            line: 0,
            column: 0,
        },
        fields: Vec::new(),
        reason: Some(Reason::Orphan),
        params,
        after_create: Map::new(),
        references: Vec::new(),
        kept_metadata: Vec::new(),
    }
}

/// The ids of live objects the catalog's declarations match (by key or by adoption).
fn declared_ids<'a>(catalog: &'a Catalog, live: &'a LiveState) -> FxHashSet<(ObjectKind, &'a str)> {
    let mut ids = FxHashSet::default();
    ids.reserve(catalog.len());
    for declaration in catalog.declarations() {
        let kind = declaration.kind();
        if let Some(id) = declaration.adopt_id() {
            ids.insert((kind, id));
        }
        for object in live.by_key(kind, declaration.key()) {
            if let Some(id) = object.get("id").and_then(Json::as_str) {
                ids.insert((kind, id));
            }
        }
    }
    ids
}

/// Whether a declaration of this catalog names the object's key (as the kind compares keys).
fn is_declared_key(catalog: &Catalog, kind: ObjectKind, object: &Json) -> bool {
    let rule = kind.def().key();
    display_key(kind, object)
        .is_some_and(|key| catalog.of_kind(kind).any(|d| rule.same(d.key(), &key)))
}

/// The key a live object is known by, as it holds it.
fn display_key(kind: ObjectKind, object: &Json) -> Option<String> {
    kind.def().key().of(object).map(Cow::into_owned)
}

/// The update that turns an orphan off (`active=false`); the caller checked that its kind
/// can be deactivated.
fn deactivation(kind: ObjectKind, id: &str, key: &str, scope: &str) -> Change {
    let (field, off) = kind
        .def()
        .deactivation()
        .off()
        .expect("a kind that deactivates");
    let mut params = Map::new();
    params.insert(field.to_owned(), off.clone());
    Change {
        action: Action::Deactivate,
        kind,
        key: key.to_owned(),
        id: Some(id.to_owned()),
        // An orphan has no declaration; the place says which scope it came from.
        declared_at: DeclaredAt {
            file: format!("scope {scope}"),
            line: 0,
            column: 0,
        },
        fields: vec![FieldChange {
            path: field.to_owned(),
            live: Value::Bool(!off.as_bool().unwrap_or_default()),
            desired: off,
        }],
        reason: Some(Reason::Orphan),
        params,
        after_create: Map::new(),
        references: Vec::new(),
        kept_metadata: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::snapshot::testing::catalog;
    use crate::plan::snapshot::testing::snapshot;
    use serde_json::json;

    #[test]
    fn orphans_are_only_this_scopes_active_undeclared_objects() {
        let live = LiveState::new([
            (
                ObjectKind::Product,
                vec![
                    json!({"id": "basic", "active": true,
                           "metadata": {"billingctl_scope": "catalog"}}),
                    json!({"id": "old", "active": true,
                           "metadata": {"billingctl_scope": "catalog"}}),
                    json!({"id": "archived", "active": false,
                           "metadata": {"billingctl_scope": "catalog"}}),
                    json!({"id": "theirs", "active": true,
                           "metadata": {"billingctl_scope": "campaign"}}),
                    json!({"id": "dashboard", "active": true, "metadata": {}}),
                ],
            ),
            (
                ObjectKind::Coupon,
                vec![json!({"id": "gone_10", "metadata": {"billingctl_scope": "catalog"}})],
            ),
        ]);
        let catalog = catalog(
            "catalog",
            vec![snapshot(ObjectKind::Product, "basic", json!({}))],
        );

        let mut changes = Vec::new();
        let orphans = find_orphans(&mut changes, &catalog, &live, false);
        let listed: Vec<(&str, bool)> = orphans.iter().map(|o| (o.id.as_str(), o.pruned)).collect();
        assert_eq!(listed, [("old", false), ("gone_10", false)]);
        assert!(changes.is_empty(), "listing alone writes nothing");

        let mut changes = Vec::new();
        let orphans = find_orphans(&mut changes, &catalog, &live, true);
        let changes: Vec<(Action, &str, Value)> = changes
            .iter()
            .map(|c| {
                (
                    c.action,
                    c.id.as_deref().unwrap_or_default(),
                    Value::Object(c.params.clone()),
                )
            })
            .collect();
        assert_eq!(
            changes,
            [(Action::Deactivate, "old", json!({"active": false}))]
        );
        let coupon = &orphans[1];
        assert!(!coupon.pruned);
        assert!(coupon
            .note
            .as_deref()
            .unwrap_or_default()
            .contains("never deletes"));
    }
}
