//! The writes of a `Replace` change and their stages (see `plan::replace`):
//! - a price: create the new price (its create params carry `transfer_lookup_key=true`) in
//!   the prices stage, so the lookup key moves atomically to an active price; the old price
//!   is archived in the last stage, after `default_price` and portal configurations moved.
//! - a promotion code: deactivate the old code, then create the new one with the same code
//!   (codes are unique among active codes).
//!
//! If a write fails the executor stops scheduling; a re-run finishes the job: the new price
//! already holds the key, and the old one shows up as an orphan (`--prune` archives it).

use serde_json::{Map, Value};

use super::order::{Op, Stage, Write};
use crate::kinds::ObjectKind;
use crate::plan::Change;

/// The staged writes of `change` (a `Replace`), which is `plan.changes[index]`.
pub(super) fn staged(index: usize, change: &Change) -> Vec<(Stage, Write)> {
    let write = |op: Op, params: Map<String, Value>| Write {
        change: index,
        kind: change.kind,
        key: change.key.clone(),
        op,
        params,
    };
    let mut retire = Map::new();
    retire.insert("active".to_owned(), Value::Bool(false));
    let retire = write(
        Op::Update {
            id: change.id.clone(),
        },
        retire,
    );
    let create = write(Op::Create, change.params.clone());
    let follow_up = (!change.after_create.is_empty())
        .then(|| write(Op::Update { id: None }, change.after_create.clone()));
    let mut writes = match change.kind {
        ObjectKind::PromotionCode => vec![
            (Stage::PromotionCodeRetirements, retire),
            (Stage::PromotionCodes, create),
        ],
        _ => vec![(Stage::Prices, create), (Stage::PriceRetirements, retire)],
    };
    if let Some(follow_up) = follow_up {
        // Only a price's or a code's own update-only params: right after the create's stage.
        let stage = match change.kind {
            ObjectKind::PromotionCode => Stage::PortalConfigurations,
            _ => Stage::ProductDefaultPrices,
        };
        writes.push((stage, follow_up));
    }
    writes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeclaredAt;
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
        let old = |key: &str| Op::Update {
            id: Some(format!("old_{key}")),
        };
        assert_eq!(
            order,
            [
                (Stage::Prices, "basic_monthly".to_owned(), Op::Create),
                (
                    Stage::PromotionCodeRetirements,
                    "LAUNCH".to_owned(),
                    old("LAUNCH")
                ),
                (Stage::PromotionCodes, "LAUNCH".to_owned(), Op::Create),
                (
                    Stage::PriceRetirements,
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
