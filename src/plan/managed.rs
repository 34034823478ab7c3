//! The catalog as the diff sees it: each declaration with its whole desired metadata (the
//! script's keys, the keys kept from the live object, `owned_metadata`, and the scope) and
//! its key placed where Stripe keeps it (`KeyRule::place`).
//!
//! A managed declaration wraps the script's own (shared, not copied) and builds its params
//! when asked: the diff asks once per declaration and drops them after comparing. Holding
//! them instead cost a no-op plan of 50,000 objects a fifth of its CPU, most of it the page
//! faults of 85 MB of new memory (issue 13, BENCHMARKS.md).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use super::matching::matched;
use super::owned_metadata::{claim, may_keep_keys};
use super::scope::{scope_of, SCOPE_METADATA};
use crate::catalog::{Catalog, Declaration, DeclaredAt, Ownership, Reference};
use crate::compact::{Fields, Json};
use crate::kinds::ObjectKind;
use crate::live::LiveState;

/// The catalog the diff works on: every declaration of `catalog` with its metadata claimed
/// of its live object, and the scope that object already has, else the catalog's. An object
/// that belongs to another scope keeps it: a script never takes another catalog's object
/// (which also lets one exported script hold objects of several scopes); adopting by id
/// takes the object over. When `catalog.scope` is empty no scope is added (no ownership).
pub fn managed_catalog(catalog: &Catalog, live: &LiveState) -> Catalog {
    let own_scope: Arc<str> = Arc::from(catalog.scope.as_str());
    catalog.wrapped(|declaration| {
        let metadata = carries_scope(declaration.kind()).then(|| {
            let object = matched(declaration.as_ref(), live);
            let live_metadata = object
                .and_then(|o| o.get("metadata"))
                .and_then(Json::as_object)
                .filter(|metadata| may_keep_keys(metadata))
                .map(Fields::to_map);
            let scope = (!catalog.scope.is_empty()).then(|| {
                let held = object
                    .filter(|_| declaration.adopt_id().is_none())
                    .and_then(scope_of)
                    .filter(|s| !s.is_empty() && *s != &*own_scope);
                held.map_or_else(|| Arc::clone(&own_scope), Arc::from)
            });
            ManagedMetadata {
                live: live_metadata,
                scope,
            }
        });
        Arc::new(Managed {
            script: Arc::clone(declaration),
            metadata,
        })
    })
}

/// Whether objects of `kind` can carry the scope: only in metadata, which some kinds do not
/// have (a billing meter). Such objects belong to no scope: never a conflict, and never an
/// orphan, since nothing says this catalog made them (pruning would otherwise deactivate
/// meters made elsewhere).
fn carries_scope(kind: ObjectKind) -> bool {
    kind.table().param("metadata").is_some()
}

/// A script's declaration as the diff sees it (`managed_catalog`).
#[derive(Debug)]
struct Managed {
    script: Arc<dyn Declaration>,
    /// For a kind with metadata: what its desired metadata is made of besides the script's.
    metadata: Option<ManagedMetadata>,
}

#[derive(Debug)]
struct ManagedMetadata {
    /// The live object's metadata, held only when it has keys set outside billingctl that
    /// the claim may keep (`may_keep_keys`): otherwise the claim is that of no object.
    live: Option<Map<String, Value>>,
    /// The scope written, shared with every declaration that takes the catalog's own.
    scope: Option<Arc<str>>,
}

impl Declaration for Managed {
    fn kind(&self) -> ObjectKind {
        self.script.kind()
    }
    fn key(&self) -> &str {
        self.script.key()
    }
    fn declared_at(&self) -> &DeclaredAt {
        self.script.declared_at()
    }
    fn ownership(&self) -> &Ownership {
        self.script.ownership()
    }
    fn params(&self) -> Cow<'_, Map<String, Value>> {
        let mut params = self.script.params().into_owned();
        if let Some(managed) = &self.metadata {
            // Taken in place: the params keep the script's order, which a create shows.
            let script = match params.get_mut("metadata") {
                Some(Value::Object(script)) => std::mem::take(script),
                _ => Map::new(),
            };
            let exact = self.script.ownership().exact_metadata;
            let mut metadata = claim(script, managed.live.as_ref(), exact).metadata;
            if let Some(scope) = &managed.scope {
                metadata.insert(SCOPE_METADATA.to_owned(), Value::String(scope.to_string()));
            }
            match params.get_mut("metadata") {
                Some(slot) => *slot = Value::Object(metadata),
                None if !metadata.is_empty() => {
                    params.insert("metadata".to_owned(), Value::Object(metadata));
                }
                None => {}
            }
        }
        let rule = self.kind().def().key();
        rule.place(self.key(), &mut params);
        Cow::Owned(params)
    }
    fn references(&self) -> &[Reference] {
        self.script.references()
    }
    fn allows_replace(&self) -> bool {
        self.script.allows_replace()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Environment;
    use crate::plan::snapshot::testing::{catalog, snapshot};
    use serde_json::json;

    #[test]
    fn the_scope_is_added_to_every_declaration_and_kept_beside_script_metadata() {
        let catalog = catalog(
            "catalog",
            vec![
                snapshot(ObjectKind::Product, "basic", json!({"name": "Basic"})),
                snapshot(
                    ObjectKind::Coupon,
                    "c",
                    json!({"metadata": {"team": "growth"}}),
                ),
                snapshot(ObjectKind::Coupon, "d", json!({})),
            ],
        );
        let live = LiveState::new([(
            ObjectKind::Coupon,
            vec![
                json!({"id": "c", "metadata": {"billingctl_scope": "campaign"}}),
                json!({"id": "d", "metadata": {"billingctl_scope": "catalog",
                                               "owner": "finance", "gone": ""}}),
            ],
        )]);
        let managed = managed_catalog(&catalog, &live);
        let metadata: Vec<Value> = managed
            .declarations()
            .map(|d| d.params()["metadata"].clone())
            .collect();
        assert_eq!(
            metadata,
            [
                json!({"billingctl_scope": "catalog"}),
                // Another catalog's object stays in its scope; the script's keys are
                // recorded (`owned_metadata`).
                json!({"team": "growth", "billingctl_metadata": "[\"team\"]",
                       "billingctl_scope": "campaign"}),
                // A key set outside billingctl is kept; one already removed is not.
                json!({"owner": "finance", "billingctl_scope": "catalog"}),
            ]
        );
        let unscoped = managed_catalog(
            &Catalog::new(Environment::default(), String::new()),
            &LiveState::default(),
        );
        assert!(unscoped.is_empty());
    }

    /// The managed params hold each key where Stripe keeps it, so the diff takes them as
    /// they are (`change::desired`).
    #[test]
    fn the_managed_catalog_places_each_key() {
        let catalog = catalog(
            "catalog",
            vec![
                snapshot(ObjectKind::PromotionCode, "LAUNCH", json!({})),
                snapshot(ObjectKind::Price, "basic_monthly", json!({})),
            ],
        );
        let managed = managed_catalog(&catalog, &LiveState::default());
        let params = |kind| managed.of_kind(kind).next().unwrap().params();
        assert_eq!(params(ObjectKind::PromotionCode)["code"], "LAUNCH");
        assert_eq!(params(ObjectKind::Price)["lookup_key"], "basic_monthly");
        for declaration in managed.declarations() {
            let placed = declaration.params();
            let rule = declaration.kind().def().key();
            assert!(rule.is_placed(declaration.key(), &placed));
        }
    }

    /// The managed catalog shares the script's declarations and key index: nothing of the
    /// script's is copied.
    #[test]
    fn the_managed_catalog_finds_the_scripts_declarations_by_key() {
        let catalog = catalog(
            "catalog",
            vec![
                snapshot(ObjectKind::Product, "basic", json!({"name": "Basic"})),
                snapshot(ObjectKind::Product, "plus", json!({"name": "Plus"})),
            ],
        );
        let managed = managed_catalog(&catalog, &LiveState::default());
        let plus = managed.get(ObjectKind::Product, "plus").unwrap();
        assert_eq!(plus.params()["name"], "Plus");
        assert_eq!(plus.declared_at().line, 1);
        assert_eq!(managed.len(), 2);
    }
}
