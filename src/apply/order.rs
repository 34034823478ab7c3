//! The order writes happen in: a plan's changes split into dependency levels.
//!
//! Products, then prices (they name their product), then products' `default_price` (it names
//! a price), then price deactivations (a price stops being a default before it is archived),
//! coupons, promotion codes (they name a coupon), portal configurations (they name products
//! and prices), then portal follow-ups (`active=false`, which create does not take). Writes
//! within one level do not depend on each other and run concurrently.

use serde_json::{Map, Value};

use crate::plan::{Action, Plan};
use crate::stripe::fields::ObjectKind;

/// The dependency levels, in execution order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Stage {
    /// Product creates and updates (without `default_price`).
    Products,
    /// Price creates and updates; they name their product.
    Prices,
    /// Products' `default_price`, which names a price that may be new.
    ProductDefaultPrices,
    /// Price deactivations, once no product keeps them as its default.
    PriceDeactivations,
    Coupons,
    /// A replaced promotion code's old code is deactivated just before the new one is
    /// created: codes are unique among active codes (`apply::replace`).
    PromotionCodeRetirements,
    /// Promotion codes; they name their coupon.
    PromotionCodes,
    /// Portal configurations; they name products and prices.
    PortalConfigurations,
    /// Updates a portal create cannot carry (`active=false`).
    PortalFollowUps,
    /// A replaced price's old price is archived last, once its lookup key, the product's
    /// `default_price` and the portal configurations have moved to the new price.
    PriceRetirements,
}

/// The param that must wait until prices exist.
const DEFAULT_PRICE: &str = "default_price";

/// One HTTP write.
#[derive(Clone, Debug)]
pub struct Write {
    /// Index of the change in `plan.changes`.
    pub change: usize,
    pub kind: ObjectKind,
    pub key: String,
    pub op: Op,
    /// Params in key space; the executor resolves references just before sending.
    pub params: Map<String, Value>,
}

/// Create the object, or update it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    /// `id` is `None` when the object is created earlier in the same apply: its id is known
    /// only once that create has answered.
    Update {
        id: Option<String>,
    },
}

impl Write {
    /// What the write does, for messages: `creating price `basic``, `updating product `x``.
    pub fn describe(&self) -> String {
        let verb = match self.op {
            Op::Create => "creating",
            Op::Update { .. } => "updating",
        };
        format!("{verb} {} `{}`", self.kind, self.key)
    }
}

/// The plan's writes grouped by stage; empty stages are left out.
pub fn levels(plan: &Plan) -> Vec<(Stage, Vec<Write>)> {
    let mut staged: Vec<(Stage, Write)> = Vec::new();
    for (index, change) in plan.changes.iter().enumerate() {
        let write = |op: Op, params: Map<String, Value>| Write {
            change: index,
            kind: change.kind,
            key: change.key.clone(),
            op,
            params,
        };
        let (main, follow_up) = stages(change.kind, change.action);
        match change.action {
            // lifecycle: a replacement's writes and their stages (apply/replace.rs)
            Action::Replace => staged.extend(super::replace::staged(index, change)),
            Action::Create => {
                staged.push((main, write(Op::Create, change.params.clone())));
                if !change.after_create.is_empty() {
                    staged.push((
                        follow_up,
                        write(Op::Update { id: None }, change.after_create.clone()),
                    ));
                }
            }
            Action::Update | Action::Deactivate => {
                let op = Op::Update {
                    id: change.id.clone(),
                };
                let mut params = change.params.clone();
                // A product's new default price may be created in this same apply.
                let later = if change.kind == ObjectKind::Product {
                    params.remove(DEFAULT_PRICE)
                } else {
                    None
                };
                if !params.is_empty() {
                    staged.push((main, write(op.clone(), params)));
                }
                if let Some(value) = later {
                    let mut params = Map::new();
                    params.insert(DEFAULT_PRICE.to_owned(), value);
                    staged.push((follow_up, write(op, params)));
                }
            }
        }
    }
    staged.sort_by_key(|(stage, write)| (*stage, write.change));
    let mut levels: Vec<(Stage, Vec<Write>)> = Vec::new();
    for (stage, write) in staged {
        match levels.last_mut() {
            Some((last, writes)) if *last == stage => writes.push(write),
            _ => levels.push((stage, vec![write])),
        }
    }
    levels
}

/// The stage of a change's main write and of its follow-up write.
fn stages(kind: ObjectKind, action: Action) -> (Stage, Stage) {
    match kind {
        ObjectKind::Product => (Stage::Products, Stage::ProductDefaultPrices),
        ObjectKind::Price if action == Action::Deactivate => {
            (Stage::PriceDeactivations, Stage::PriceDeactivations)
        }
        ObjectKind::Price => (Stage::Prices, Stage::PriceDeactivations),
        ObjectKind::Coupon => (Stage::Coupons, Stage::PromotionCodes),
        ObjectKind::PromotionCode => (Stage::PromotionCodes, Stage::PortalConfigurations),
        ObjectKind::PortalConfiguration => (Stage::PortalConfigurations, Stage::PortalFollowUps),
    }
}

/// How many writes a plan makes.
pub fn write_count(plan: &Plan) -> usize {
    levels(plan).iter().map(|(_, writes)| writes.len()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeclaredAt;
    use crate::plan::Change;
    use serde_json::json;

    fn change(action: Action, kind: ObjectKind, key: &str, params: Value, after: Value) -> Change {
        Change {
            action,
            kind,
            key: key.to_owned(),
            id: (action != Action::Create).then(|| format!("id_{key}")),
            declared_at: DeclaredAt {
                file: "s.rhai".to_owned(),
                line: 1,
                column: 1,
            },
            fields: Vec::new(),
            reason: None,
            params: params.as_object().cloned().unwrap_or_default(),
            after_create: after.as_object().cloned().unwrap_or_default(),
            references: Vec::new(),
        }
    }

    #[test]
    fn writes_follow_the_dependency_levels() {
        let plan = Plan {
            changes: vec![
                change(
                    Action::Create,
                    ObjectKind::PortalConfiguration,
                    "default",
                    json!({"features": {}}),
                    json!({"active": false}),
                ),
                change(
                    Action::Create,
                    ObjectKind::Product,
                    "basic",
                    json!({"id": "basic", "name": "Basic"}),
                    json!({"default_price": "basic_monthly"}),
                ),
                change(
                    Action::Update,
                    ObjectKind::Product,
                    "plus",
                    json!({"name": "Plus", "default_price": "plus_monthly"}),
                    Value::Null,
                ),
                change(
                    Action::Deactivate,
                    ObjectKind::Price,
                    "old",
                    json!({"active": false}),
                    Value::Null,
                ),
                change(
                    Action::Create,
                    ObjectKind::Price,
                    "basic_monthly",
                    json!({"product": "basic"}),
                    Value::Null,
                ),
                change(
                    Action::Create,
                    ObjectKind::PromotionCode,
                    "LAUNCH",
                    json!({"code": "LAUNCH"}),
                    Value::Null,
                ),
            ],
            ..Plan::default()
        };
        let shape: Vec<(Stage, Vec<String>)> = levels(&plan)
            .into_iter()
            .map(|(stage, writes)| {
                let writes = writes
                    .iter()
                    .map(|w| {
                        let keys: Vec<&str> = w.params.keys().map(String::as_str).collect();
                        format!("{} {}", w.describe(), keys.join(","))
                    })
                    .collect();
                (stage, writes)
            })
            .collect();
        assert_eq!(
            shape,
            vec![
                (
                    Stage::Products,
                    vec![
                        "creating product `basic` id,name".to_owned(),
                        "updating product `plus` name".to_owned()
                    ]
                ),
                (
                    Stage::Prices,
                    vec!["creating price `basic_monthly` product".to_owned()]
                ),
                (
                    Stage::ProductDefaultPrices,
                    vec![
                        "updating product `basic` default_price".to_owned(),
                        "updating product `plus` default_price".to_owned()
                    ]
                ),
                (
                    Stage::PriceDeactivations,
                    vec!["updating price `old` active".to_owned()]
                ),
                (
                    Stage::PromotionCodes,
                    vec!["creating promotion_code `LAUNCH` code".to_owned()]
                ),
                (
                    Stage::PortalConfigurations,
                    vec!["creating portal_configuration `default` features".to_owned()]
                ),
                (
                    Stage::PortalFollowUps,
                    vec!["updating portal_configuration `default` active".to_owned()]
                ),
            ]
        );
        assert_eq!(write_count(&plan), 9);
    }
}
