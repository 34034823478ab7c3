//! The plan as the commands compute it: the diff (`diff.rs`) over the catalog with its
//! management metadata (`scope.rs`), then opt-in replacement (`replace.rs`), the orphans of
//! the catalog's scope (pruned on request), and the checks on the writes that remain. The
//! passes hand typed findings forward; the end (`finish`) turns what is left into the plan's
//! diagnostics.

use super::diff::diff_catalog;
use super::finding::Findings;
use super::managed::managed_catalog;
use super::plan::{Action, Drift, Orphan, Plan};
use super::problem::drift_errors;
use super::refusals::check_writes;
use super::replace::plan_replacements;
use super::scope::{claimed_metadata, conflicts, find_orphans, SCOPE_METADATA};
use crate::catalog::Catalog;
use crate::diag::{Diagnostics, Severity};
use crate::live::LiveState;

/// How the plan may move forward where the script and the account disagree
/// (`--allow-replace`, `--prune`). The default is fail-fast and list-only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Policy {
    /// Replace every object whose immutable fields changed (else only those the script
    /// marks `on_immutable_change: "replace"`).
    pub allow_replace: bool,
    /// Deactivate the orphans of this catalog's scope.
    pub prune: bool,
}

/// The full plan of `catalog` against `live` under `policy`, at time `now` (Unix seconds,
/// from `crate::clock`). Pure: no I/O.
pub fn plan_catalog(catalog: &Catalog, live: &LiveState, policy: Policy, now: i64) -> Plan {
    plan_managed(catalog, &managed_catalog(catalog, live), live, policy, now)
}

/// `plan_catalog` over `managed`, the catalog as the diff sees it
/// (`managed::managed_catalog(catalog, live)`), which the caller keeps: a command leaves it,
/// with the account's objects, to the process's exit (`commands::plan::Planned`).
pub fn plan_managed(
    catalog: &Catalog,
    managed: &Catalog,
    live: &LiveState,
    policy: Policy,
    now: i64,
) -> Plan {
    let mut found = diff_catalog(managed, live);
    conflicts(&mut found, managed, live);
    plan_replacements(&mut found, managed, live, policy.allow_replace);
    let orphans = find_orphans(&mut found.changes, managed, live, policy.prune);
    mark_adoptions(&mut found, catalog, live);
    check_writes(&mut found, managed, live, now);
    finish(found, orphans, |drift| {
        policy.allow_replace
            || managed
                .get(drift.kind, &drift.key)
                .is_some_and(|d| d.allows_replace())
    })
}

/// The plan from what the passes found: the drift left and the problems become the plan's
/// errors and warnings, worded once (`problem`). `asked` says whether the script or the run
/// asked to replace a drifted object (its kind refused), which the help answers.
pub(crate) fn finish(
    found: Findings,
    orphans: Vec<Orphan>,
    asked: impl Fn(&Drift) -> bool,
) -> Plan {
    let mut errors = Diagnostics::default();
    // Drift first: each drifted object's own problems found later (its metadata) follow it.
    for drift in &found.drift {
        errors.0.extend(drift_errors(drift, asked(drift)));
    }
    let mut warnings = Diagnostics::default();
    for problem in &found.problems {
        match problem.severity() {
            Severity::Error => errors.push(problem.diagnostic()),
            Severity::Warning => warnings.push(problem.diagnostic()),
        }
    }
    let mut plan = Plan {
        changes: found.changes,
        errors,
        unchanged: found.unchanged,
        orphans,
        warnings,
        drift: found.drift,
    };
    plan.sort();
    plan.warnings.sort();
    plan
}

/// An update that writes the scope onto an object that had none takes that object into
/// the catalog: it is an adoption, whether the script named the id or matched it by key
/// (`diff` marks the first). Each adoption says which metadata keys set outside billingctl
/// it keeps. (An object of another scope keeps it: `managed::managed_catalog`.)
fn mark_adoptions(found: &mut Findings, catalog: &Catalog, live: &LiveState) {
    let path = format!("metadata[{SCOPE_METADATA}]");
    for change in &mut found.changes {
        let takes_scope = change
            .fields
            .iter()
            .any(|f| f.path == path && f.live.is_null());
        if change.action == Action::Update && change.reason.is_none() && takes_scope {
            change.action = Action::Adopt;
        }
        if change.action != Action::Adopt {
            continue;
        }
        let object = change
            .id
            .as_deref()
            .and_then(|id| live.by_id(change.kind, id));
        if let Some(declaration) = catalog.get(change.kind, &change.key) {
            change.kept_metadata = claimed_metadata(declaration, object).kept;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DeclaredAt, Environment};
    use crate::kinds::ObjectKind;
    use crate::plan::problem::Issue;
    use crate::plan::snapshot::Snapshot;
    use serde_json::{json, Value};

    fn catalog() -> Catalog {
        let mut catalog = Catalog::new(Environment::default(), "catalog".to_owned());
        catalog.push(Box::new(Snapshot {
            kind: ObjectKind::Product,
            key: "basic".to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 1,
                column: 1,
            },
            ownership: Default::default(),
            params: json!({"id": "basic", "name": "Basic"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            references: Vec::new(),
            allows_replace: false,
        }));
        catalog
    }

    /// A kind that keeps its key in metadata (a tax rate) has room for the script's keys
    /// beside the key, the scope and the record, each counted once: 50 in all fit, 51 do not.
    #[test]
    fn the_metadata_key_counts_once_toward_stripes_limit() {
        let full = |script_keys: usize| {
            let metadata: serde_json::Map<String, Value> = (0..script_keys)
                .map(|i| (format!("k{i}"), json!("v")))
                .collect();
            let mut catalog = Catalog::new(Environment::default(), "catalog".to_owned());
            catalog.push(Box::new(Snapshot {
                kind: ObjectKind::TaxRate,
                key: "vat".to_owned(),
                declared_at: DeclaredAt {
                    file: "scripts/catalog.rhai".to_owned(),
                    line: 1,
                    column: 1,
                },
                ownership: Default::default(),
                params: json!({"metadata": metadata}).as_object().cloned().unwrap(),
                references: Vec::new(),
                allows_replace: false,
            }));
            let managed = managed_catalog(&catalog, &LiveState::default());
            // The diff checks the room of every declaration as it builds its params.
            let found = diff_catalog(&managed, &LiveState::default());
            found.problems.into_iter().find_map(|p| match p.issue {
                Issue::MetadataFull { count, .. } => Some(count),
                _ => None,
            })
        };
        // The script's keys, their record (`billingctl_metadata`), `billingctl_scope` and
        // `billingctl_key`.
        assert_eq!(full(47), None);
        assert_eq!(full(48), Some(51));
    }

    #[test]
    fn an_unscoped_object_matched_by_key_is_adopted_and_its_twin_listed_as_orphan() {
        let live = LiveState::new([(
            ObjectKind::Product,
            vec![
                json!({"id": "basic", "object": "product", "active": true, "name": "Basic",
                       "metadata": {}}),
                json!({"id": "gone", "object": "product", "active": true, "name": "Gone",
                       "metadata": {"billingctl_scope": "catalog"}}),
            ],
        )]);
        let plan = plan_catalog(&catalog(), &live, Policy::default(), 0);
        assert_eq!(plan.changes.len(), 1);
        assert_eq!(plan.changes[0].action, Action::Adopt);
        assert_eq!(
            plan.changes[0].params,
            *json!({"metadata": {"billingctl_scope": "catalog"}})
                .as_object()
                .unwrap()
        );
        let text = crate::plan::render::notes::human(&plan);
        assert_eq!(
            text,
            "\nNot in the script, but of its scope (orphans):\n  ? product gone\n  \
             Run with --prune to deactivate them.\n\n"
        );
        assert_eq!(
            crate::plan::render::notes::orphans_json(&plan),
            json!([{"object": "product", "key": "gone", "id": "gone", "pruned": false,
                    "note": null}])
        );
    }

    #[test]
    fn a_replacement_renders_with_its_symbol_old_id_fields_and_count() {
        let live = LiveState::new([(
            ObjectKind::Price,
            vec![json!({"id": "price_old", "object": "price", "active": true,
                "lookup_key": "basic_monthly", "product": "basic", "currency": "eur",
                "unit_amount": 900, "metadata": {"billingctl_scope": "catalog"}})],
        )]);
        let mut catalog = Catalog::new(Environment::default(), "catalog".to_owned());
        catalog.push(Box::new(Snapshot {
            kind: ObjectKind::Price,
            key: "basic_monthly".to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 4,
                column: 1,
            },
            ownership: Default::default(),
            params: json!({"lookup_key": "basic_monthly", "product": "basic",
                           "currency": "eur", "unit_amount": 1000})
            .as_object()
            .cloned()
            .unwrap_or_default(),
            references: Vec::new(),
            allows_replace: true,
        }));
        let plan = plan_catalog(&catalog, &live, Policy::default(), 0);
        let text = crate::plan::render::human(&plan, false);
        assert_eq!(
            text,
            "  -/+ price basic_monthly (replace price_old) (scripts/catalog.rhai:4:1)\n      \
             ~ unit_amount = 900 -> 1000\nPlan: 0 to create, 0 to update, 0 to deactivate, \
             1 to replace, 0 unchanged.\nBy kind: price 1 to replace.\n"
        );
        let value = crate::plan::render::json(&plan);
        assert_eq!(value["changes"][0]["action"], "replace");
        assert_eq!(value["summary"]["replace"], 1);
        assert!(crate::plan::render::markdown(&plan).contains("| replace | price |"));
    }

    /// A coupon declared at line 9 with `metadata`.
    fn coupon(
        key: &str,
        metadata: serde_json::Map<String, Value>,
        ownership: crate::catalog::Ownership,
    ) -> Snapshot {
        Snapshot {
            kind: ObjectKind::Coupon,
            key: key.to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 9,
                column: 1,
            },
            ownership,
            params: json!({"id": key, "percent_off": 10, "duration": "once",
                           "metadata": metadata})
            .as_object()
            .cloned()
            .unwrap_or_default(),
            references: Vec::new(),
            allows_replace: false,
        }
    }

    #[test]
    fn the_scope_needs_a_free_metadata_slot() {
        let mut full = catalog();
        let metadata = (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
        full.push(Box::new(coupon("full", metadata, Default::default())));
        let plan = plan_catalog(&full, &LiveState::default(), Policy::default(), 0);
        assert!(!plan.is_valid());
        assert_eq!(plan.errors.0.len(), 1);
        assert!(plan.errors.0[0].message.contains("metadata has 52 keys"));
    }

    #[test]
    fn the_record_of_the_scripts_keys_must_fit_a_metadata_value() {
        // 12 keys of 40 characters: a record of 12 × 43 + 1 characters, past Stripe's 500.
        let metadata: serde_json::Map<String, Value> =
            (0..12).map(|i| (format!("{i:0>40}"), json!("v"))).collect();
        let ownership = |exact_metadata| crate::catalog::Ownership {
            adopt: None,
            exact_metadata,
        };
        let mut long = catalog();
        long.push(Box::new(coupon("long", metadata.clone(), ownership(false))));
        let plan = plan_catalog(&long, &LiveState::default(), Policy::default(), 0);
        assert_eq!(plan.errors.0.len(), 1, "{:?}", plan.errors);
        let error = &plan.errors.0[0];
        assert!(
            error.message.contains("would be 517 characters"),
            "{}",
            error.message
        );
        assert!(error
            .help
            .as_deref()
            .is_some_and(|h| h.contains("metadata_exact: true")));

        // Exact metadata needs no record: the same keys fit.
        let mut exact = catalog();
        exact.push(Box::new(coupon("long", metadata, ownership(true))));
        let plan = plan_catalog(&exact, &LiveState::default(), Policy::default(), 0);
        assert!(plan.is_valid(), "{:?}", plan.errors);
    }
}
