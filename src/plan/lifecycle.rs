//! The plan as the commands compute it: the diff (`diff.rs`) over the catalog with its
//! management metadata (`scope.rs`), then opt-in replacement (`replace.rs`) and the orphans
//! of the catalog's scope, pruned on request. Also the views of what this adds to a plan
//! (orphans, warnings), which `render.rs` calls.

use serde_json::{json, Value};

use super::diff::diff_catalog;
use super::fetch::LiveState;
use super::plan::{Action, Plan, Reason};
use super::refusals::check_writes;
use super::replace::plan_replacements;
use super::scope::{conflicts, find_orphans, managed_catalog, Orphan, SCOPE_METADATA};
use crate::catalog::Catalog;
use crate::diag::Diagnostic;
use crate::kinds::ObjectKind;

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

impl From<&crate::cli::ChangePolicy> for Policy {
    fn from(policy: &crate::cli::ChangePolicy) -> Self {
        Self {
            allow_replace: policy.allow_replace,
            prune: policy.prune,
        }
    }
}

/// The full plan of `catalog` against `live` under `policy`, at time `now` (Unix seconds,
/// from `crate::clock`). Pure: no I/O.
pub fn plan_catalog(catalog: &Catalog, live: &LiveState, policy: Policy, now: i64) -> Plan {
    let managed = managed_catalog(catalog, live);
    let mut plan = diff_catalog(&managed, live);
    conflicts(&mut plan, &managed, live);
    plan_replacements(&mut plan, &managed, live, policy.allow_replace);
    find_orphans(&mut plan, &managed, live, policy.prune);
    mark_adoptions(&mut plan);
    check_metadata_room(&mut plan, &managed);
    check_writes(&mut plan, &managed, live, now);
    plan.sort();
    plan.warnings.sort();
    plan
}

/// An update that writes the scope onto an object that had none takes that object into
/// the catalog: it is an adoption, whether the script named the id or matched it by key.
/// (An object of another scope keeps it: `scope::managed_catalog`.)
fn mark_adoptions(plan: &mut Plan) {
    let path = format!("metadata[{SCOPE_METADATA}]");
    for change in &mut plan.changes {
        let takes_scope = change
            .fields
            .iter()
            .any(|f| f.path == path && f.live.is_null());
        if change.action == Action::Update && change.reason.is_none() && takes_scope {
            change.reason = Some(Reason::Adopt);
        }
    }
}

/// Stripe allows 50 metadata keys; the scope takes one of them, so a script's own keys must
/// leave room for it (otherwise the write would fail midway).
fn check_metadata_room(plan: &mut Plan, managed: &Catalog) {
    for declaration in managed.declarations() {
        let params = declaration.to_params();
        let count = params
            .get("metadata")
            .and_then(Value::as_object)
            .map_or(0, serde_json::Map::len)
            // The diff adds a portal configuration's key (`billingctl_key`) too.
            + usize::from(declaration.kind() == ObjectKind::PortalConfiguration);
        if count > METADATA_KEYS_MAX {
            plan.errors.push(
                Diagnostic::error(format!(
                    "{} `{}`: metadata has {} keys with billingctl's own; Stripe allows \
                     {METADATA_KEYS_MAX}",
                    declaration.kind(),
                    declaration.key(),
                    count
                ))
                .at(declaration.declared_at().clone())
                .object(declaration.kind(), declaration.key())
                .field("metadata")
                .help(format!(
                    "billingctl keeps the ownership scope in metadata `{SCOPE_METADATA}`: \
                     remove a key"
                )),
            );
        }
    }
}

/// Stripe's limit on metadata keys per object.
const METADATA_KEYS_MAX: usize = 50;

/// The orphan and warning lines of the human plan (empty when there are none).
pub fn human_notes(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.orphans.is_empty() {
        out.push_str("\nNot in the script, but of its scope (orphans):\n");
        for orphan in &plan.orphans {
            out.push_str(&format!("  ? {}\n", orphan_line(orphan)));
        }
        if plan.orphans.iter().all(|o| !o.pruned && o.note.is_none()) {
            out.push_str("  Run with --prune to deactivate them.\n");
        }
    }
    for warning in &plan.warnings.0 {
        out.push_str(&format!("warning: {}\n", warning.message));
        if let Some(help) = &warning.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// `price old_monthly (price_123): deactivated by --prune`.
fn orphan_line(orphan: &Orphan) -> String {
    let name = if orphan.key == orphan.id {
        format!("{} {}", orphan.kind, orphan.key)
    } else {
        format!("{} {} ({})", orphan.kind, orphan.key, orphan.id)
    };
    match (&orphan.note, orphan.pruned) {
        (Some(note), _) => format!("{name}: {note}"),
        (None, true) => format!("{name}: deactivated by --prune"),
        (None, false) => name,
    }
}

/// The orphans in the JSON plan: `[{"object","key","id","pruned","note"}]`.
pub fn orphans_json(plan: &Plan) -> Value {
    plan.orphans
        .iter()
        .map(|o| {
            json!({
                "object": o.kind.name(),
                "key": o.key,
                "id": o.id,
                "pruned": o.pruned,
                "note": o.note,
            })
        })
        .collect()
}

/// The warnings in the JSON plan, in the errors' shape.
pub fn warnings_json(plan: &Plan) -> Value {
    super::render::errors_json(&plan.warnings)
}

/// The orphan and warning section of the markdown plan.
pub fn markdown_notes(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.orphans.is_empty() {
        out.push_str("**Orphans** (this scope, no longer in the script):\n\n");
        for orphan in &plan.orphans {
            out.push_str(&format!("- `{}`\n", orphan_line(orphan)));
        }
        out.push('\n');
    }
    for warning in &plan.warnings.0 {
        out.push_str(&format!("- warning: {}\n", warning.message));
    }
    if !plan.warnings.0.is_empty() {
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DeclaredAt, Environment};
    use crate::kinds::ObjectKind;
    use crate::plan::scope::Snapshot;

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
            adopt: None,
            params: json!({"id": "basic", "name": "Basic"})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            references: Vec::new(),
            allows_replace: false,
        }));
        catalog
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
        assert_eq!(plan.changes[0].reason, Some(Reason::Adopt));
        assert_eq!(
            plan.changes[0].params,
            *json!({"metadata": {"billingctl_scope": "catalog"}})
                .as_object()
                .unwrap()
        );
        let text = human_notes(&plan);
        assert_eq!(
            text,
            "\nNot in the script, but of its scope (orphans):\n  ? product gone\n  \
             Run with --prune to deactivate them.\n\n"
        );
        assert_eq!(
            orphans_json(&plan),
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
            adopt: None,
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

    #[test]
    fn the_scope_needs_a_free_metadata_slot() {
        let mut full = catalog();
        let metadata: serde_json::Map<String, Value> =
            (0..50).map(|i| (format!("k{i}"), json!("v"))).collect();
        full.push(Box::new(Snapshot {
            kind: ObjectKind::Coupon,
            key: "full".to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 9,
                column: 1,
            },
            adopt: None,
            params: json!({"id": "full", "percent_off": 10, "duration": "once",
                           "metadata": metadata})
            .as_object()
            .cloned()
            .unwrap_or_default(),
            references: Vec::new(),
            allows_replace: false,
        }));
        let plan = plan_catalog(&full, &LiveState::default(), Policy::default(), 0);
        assert!(!plan.is_valid());
        assert_eq!(plan.errors.0.len(), 1);
        assert!(plan.errors.0[0].message.contains("metadata has 51 keys"));
    }
}
