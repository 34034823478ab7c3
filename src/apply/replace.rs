//! The writes of a `Replace` change and their stages (see `plan::replace`), as the kind's
//! `Replacement` says:
//! - `TransferKey` (a price): create the successor (its create params carry
//!   `transfer_lookup_key=true`) in the kind's own stage, so the key moves atomically to an
//!   active object; the old one is archived in the last stage, after every reference moved.
//! - `RetireFirst` (a promotion code): deactivate the old object, then create the new one
//!   with the same key (it is unique among active objects).
//!
//! Update-only params of the successor follow as for any create (`order::levels`). If a
//! write fails the executor stops scheduling; a re-run finishes the job: the new price
//! already holds the key, and the old one shows up as an orphan (`--prune` archives it).

use serde_json::{Map, Value};

use super::stage::{Registry, Stage};
use super::write::{Op, Write};
use crate::plan::Change;

/// The retirement and the create of `change` (a `Replace`), which is `plan.changes[index]`.
pub(super) fn staged(
    registry: &Registry<'_>,
    index: usize,
    change: &Change,
) -> Vec<(Stage, Write)> {
    let write = |op: Op, params: Map<String, Value>| Write {
        change: index,
        kind: change.kind,
        key: change.key.clone(),
        op,
        params,
    };
    let mut retire = Map::new();
    retire.insert("active".to_owned(), Value::Bool(false));
    let old = Op::Update {
        id: change.id.clone(),
    };
    // Which comes first is the stages' business (`Registry::retirement`).
    vec![
        (registry.retirement(change.kind), write(old, retire)),
        (
            registry.main(change.kind),
            write(Op::Create, change.params.clone()),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeclaredAt;
    use crate::kinds::ObjectKind;
    use crate::plan::{Action, Plan};
    use serde_json::json;

    fn replace(kind: ObjectKind, key: &str, params: Value) -> Change {
        Change {
            action: Action::Replace,
            kind,
            key: key.to_owned(),
            id: Some(format!("old_{key}")),
            declared_at: DeclaredAt {
                file: "s.rhai".to_owned(),
                line: 1,
                column: 1,
            },
            fields: Vec::new(),
            reason: None,
            params: params.as_object().cloned().unwrap_or_default(),
            after_create: Map::new(),
            references: Vec::new(),
            kept_metadata: Vec::new(),
        }
    }

    #[test]
    fn a_price_is_created_before_everything_and_archived_after_everything() {
        let plan = Plan {
            changes: vec![
                replace(
                    ObjectKind::Price,
                    "basic_monthly",
                    json!({"lookup_key": "basic_monthly", "transfer_lookup_key": true}),
                ),
                replace(
                    ObjectKind::PromotionCode,
                    "LAUNCH",
                    json!({"code": "LAUNCH"}),
                ),
            ],
            ..Plan::default()
        };
        let order: Vec<(Stage, String, Op)> = crate::apply::order::levels(&plan)
            .into_iter()
            .flat_map(|(stage, writes)| {
                writes
                    .into_iter()
                    .map(move |w| (stage, w.key.clone(), w.op.clone()))
            })
            .collect();
        use ObjectKind::*;
        let registry = Registry::global();
        let main = |kind| registry.main(kind);
        let retirement = |kind| registry.retirement(kind);
        let old = |key: &str| Op::Update {
            id: Some(format!("old_{key}")),
        };
        assert_eq!(
            order,
            [
                (main(Price), "basic_monthly".to_owned(), Op::Create),
                (
                    retirement(PromotionCode),
                    "LAUNCH".to_owned(),
                    old("LAUNCH")
                ),
                (main(PromotionCode), "LAUNCH".to_owned(), Op::Create),
                (
                    retirement(Price),
                    "basic_monthly".to_owned(),
                    old("basic_monthly")
                ),
            ]
        );
        let levels = crate::apply::order::levels(&plan);
        let (_, last) = levels.last().expect("a last level");
        assert_eq!(
            Value::Object(last[0].params.clone()),
            json!({"active": false})
        );
    }
}
