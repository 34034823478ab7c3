//! A create that Stripe answered "already exists" (another run, or someone in the Dashboard,
//! made the object between the plan and the write): the account is read again and the object
//! compared with what the create would have made, with the diff itself. As declared, the
//! create is done; otherwise it is drift the next plan shows. Either way nothing is
//! duplicated and the run that raced never fails on an object that exists as declared.

use super::canon::ReferencePatterns;
use super::change::desired;
use super::diff::diff_declaration;
use super::finding::Finding;
use super::matching::matched;
use super::plan::Change;
use super::snapshot::Snapshot;
use crate::catalog::Declaration;
use crate::live::LiveState;

/// What the account holds for a create that found its key taken.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settled {
    /// The object exists as the create would have made it: the create counts as done.
    AsDeclared { id: String },
    /// It exists but differs in these fields: drift, for the next plan.
    Differs { id: String, fields: Vec<String> },
    /// Nothing holds the key after all (the conflict was something else).
    NotFound,
}

/// Compares `create` (a planned create, its references still keys) with `fresh`, the account
/// read again after the conflict.
pub fn settle(create: &Change, fresh: &LiveState) -> Settled {
    let snapshot = Snapshot {
        kind: create.kind,
        key: create.key.clone(),
        declared_at: create.declared_at.clone(),
        ownership: Default::default(),
        params: create.params.clone(),
        references: create.references.clone(),
        allows_replace: false,
    };
    let Some(id) = matched(&snapshot, fresh)
        .and_then(|object| object.get("id"))
        .and_then(|id| id.as_str())
        .map(str::to_owned)
    else {
        return Settled::NotFound;
    };
    let references = ReferencePatterns::of([&snapshot as &dyn Declaration]);
    let paths = |fields: &[crate::plan::FieldChange]| -> Vec<String> {
        fields.iter().map(|f| f.path.clone()).collect()
    };
    let mut fields = match diff_declaration(&snapshot, desired(&snapshot), fresh, &references) {
        Finding::Unchanged => return Settled::AsDeclared { id },
        Finding::Change(change) => paths(&change.fields),
        Finding::Drift(drift) => paths(&drift.fields),
        Finding::Invalid(problems) => problems.iter().filter_map(|p| p.field()).collect(),
    };
    fields.sort();
    fields.dedup();
    Settled::Differs { id, fields }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Map, Value};

    use super::*;
    use crate::catalog::DeclaredAt;
    use crate::kinds::ObjectKind;
    use crate::plan::plan::Action;

    fn create(name: &str) -> Change {
        let Value::Object(params) = json!({"id": "basic", "name": name,
                                           "metadata": {"billingctl_scope": "catalog"}})
        else {
            unreachable!()
        };
        Change {
            action: Action::Create,
            kind: ObjectKind::Product,
            key: "basic".into(),
            id: None,
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".into(),
                line: 1,
                column: 1,
            },
            fields: Vec::new(),
            reason: None,
            params,
            after_create: Map::new(),
            references: Vec::new(),
            kept_metadata: Vec::new(),
        }
    }

    fn account(name: &str) -> LiveState {
        LiveState::new([(
            ObjectKind::Product,
            vec![
                json!({"id": "basic", "object": "product", "name": name, "active": true,
                        "metadata": {"billingctl_scope": "catalog"}, "images": [],
                        "marketing_features": []}),
            ],
        )])
    }

    #[test]
    fn an_object_made_by_a_concurrent_run_as_declared_counts_as_created() {
        assert_eq!(
            settle(&create("Basic"), &account("Basic")),
            Settled::AsDeclared { id: "basic".into() }
        );
        assert_eq!(
            settle(&create("Basic"), &account("Other")),
            Settled::Differs {
                id: "basic".into(),
                fields: vec!["name".into()]
            }
        );
        assert_eq!(
            settle(&create("Basic"), &LiveState::default()),
            Settled::NotFound
        );
    }
}
