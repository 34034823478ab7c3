//! The order writes happen in: a plan's changes as stages, and the dependencies between
//! writes that the executor follows.
//!
//! The stages: products, then prices (they name their product), then products'
//! `default_price` (it names a price), then price deactivations (a price stops being a
//! default before it is archived), coupons, promotion codes (they name a coupon), portal
//! configurations (they name products and prices), then portal follow-ups (`active=false`,
//! which create does not take), and replaced prices' retirements last.
//!
//! The stages order only writes that are related ([`schedule`]): a write waits for the
//! earlier-stage writes of its own change, for those of every object it references, and the
//! two archive stages wait for every write that moves a reference away from a price. So a
//! write starts as soon as what it needs exists: coupons run beside products, prices as their
//! product is created, promotion codes as their coupon is.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::kinds::ObjectKind;
use crate::plan::{Action, Plan};

/// The dependency levels, in execution order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
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

/// One write of the plan and the writes it waits for.
#[derive(Clone, Debug)]
pub struct Scheduled {
    pub stage: Stage,
    pub write: Write,
    /// Indices (into the schedule) of the writes that must have succeeded first.
    pub after: Vec<usize>,
}

/// The plan's writes in stage order, each with the writes it depends on:
/// - the earlier-stage writes of its own change (a create before its follow-up update, a
///   promotion code's retirement before its re-creation, a price's replacement before the
///   old price is archived);
/// - the earlier-stage writes of every object a reference it sends names (a price waits for
///   its product, a promotion code for its coupon, a product's `default_price` and a portal
///   configuration for their prices, a replacement's new price included);
/// - a price deactivation waits for every `default_price` move, and a replaced price's
///   retirement also for every portal configuration write: nothing may still point at a
///   price when it is archived (Stripe refuses to archive a product's default price; the
///   emulator holds that rule in `emulator/objects/price.rs`).
pub fn schedule(plan: &Plan) -> Vec<Scheduled> {
    let staged: Vec<(Stage, Write)> = levels(plan)
        .into_iter()
        .flat_map(|(stage, writes)| writes.into_iter().map(move |w| (stage, w)))
        .collect();
    let mut by_object: HashMap<(ObjectKind, &str), Vec<usize>> = HashMap::new();
    let mut by_stage: HashMap<Stage, Vec<usize>> = HashMap::new();
    for (i, (stage, write)) in staged.iter().enumerate() {
        by_object
            .entry((write.kind, write.key.as_str()))
            .or_default()
            .push(i);
        by_stage.entry(*stage).or_default().push(i);
    }
    let earlier = |of: &[usize], stage: Stage, after: &mut Vec<usize>| {
        after.extend(of.iter().copied().filter(|&j| staged[j].0 < stage));
    };
    let mut schedule = Vec::with_capacity(staged.len());
    for (stage, write) in &staged {
        let mut after = Vec::new();
        if let Some(own) = by_object.get(&(write.kind, write.key.as_str())) {
            earlier(own, *stage, &mut after);
        }
        for reference in &plan.changes[write.change].references {
            let top = reference.path.split('[').next().unwrap_or_default();
            if !write.params.contains_key(top) {
                continue;
            }
            if let Some(theirs) = by_object.get(&(reference.kind, reference.key.as_str())) {
                earlier(theirs, *stage, &mut after);
            }
        }
        let barriers: &[Stage] = match stage {
            Stage::PriceDeactivations => &[Stage::ProductDefaultPrices],
            Stage::PriceRetirements => &[
                Stage::ProductDefaultPrices,
                Stage::PortalConfigurations,
                Stage::PortalFollowUps,
            ],
            _ => &[],
        };
        for barrier in barriers {
            if let Some(writes) = by_stage.get(barrier) {
                earlier(writes, *stage, &mut after);
            }
        }
        after.sort_unstable();
        after.dedup();
        schedule.push(Scheduled {
            stage: *stage,
            write: write.clone(),
            after,
        });
    }
    schedule
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

    fn with_refs(mut change: Change, refs: &[(&str, ObjectKind, &str)]) -> Change {
        change.references = refs
            .iter()
            .map(|(path, kind, key)| crate::catalog::Reference {
                path: (*path).to_owned(),
                kind: *kind,
                key: (*key).to_owned(),
            })
            .collect();
        change
    }

    #[test]
    fn writes_wait_only_for_what_they_depend_on() {
        use ObjectKind::*;
        let plan = Plan {
            changes: vec![
                change(
                    Action::Create,
                    Product,
                    "basic",
                    json!({"id": "basic"}),
                    json!({"default_price": "basic_monthly"}),
                ),
                with_refs(
                    change(
                        Action::Create,
                        Product,
                        "plus",
                        json!({"id": "plus"}),
                        json!({"default_price": "basic_monthly"}),
                    ),
                    &[("default_price", Price, "basic_monthly")],
                ),
                with_refs(
                    change(
                        Action::Create,
                        Price,
                        "basic_monthly",
                        json!({"product": "basic"}),
                        Value::Null,
                    ),
                    &[("product", Product, "basic")],
                ),
                change(
                    Action::Create,
                    Coupon,
                    "c1",
                    json!({"id": "c1"}),
                    Value::Null,
                ),
                with_refs(
                    change(
                        Action::Create,
                        PromotionCode,
                        "CODE",
                        json!({"promotion": {"coupon": "c1"}}),
                        Value::Null,
                    ),
                    &[("promotion[coupon]", Coupon, "c1")],
                ),
                change(
                    Action::Deactivate,
                    Price,
                    "old",
                    json!({"active": false}),
                    Value::Null,
                ),
            ],
            ..Plan::default()
        };
        let schedule = schedule(&plan);
        let name = |i: usize| {
            let w = &schedule[i].write;
            let keys: Vec<&str> = w.params.keys().map(String::as_str).collect();
            format!("{} {}", w.describe(), keys.join(","))
        };
        let shape: Vec<(String, Vec<String>)> = (0..schedule.len())
            .map(|i| {
                (
                    name(i),
                    schedule[i].after.iter().map(|&j| name(j)).collect(),
                )
            })
            .collect();
        let s = |x: &str| x.to_owned();
        assert_eq!(
            shape,
            vec![
                (s("creating product `basic` id"), vec![]),
                (s("creating product `plus` id"), vec![]),
                // A price waits for its product only.
                (
                    s("creating price `basic_monthly` product"),
                    vec![s("creating product `basic` id")]
                ),
                // default_price: its own create and the price it names (plus's names basic's).
                (
                    s("updating product `basic` default_price"),
                    vec![s("creating product `basic` id")]
                ),
                (
                    s("updating product `plus` default_price"),
                    vec![
                        s("creating product `plus` id"),
                        s("creating price `basic_monthly` product")
                    ]
                ),
                // An archive waits for every default_price move.
                (
                    s("updating price `old` active"),
                    vec![
                        s("updating product `basic` default_price"),
                        s("updating product `plus` default_price")
                    ]
                ),
                // A coupon waits for nothing, a code for its coupon.
                (s("creating coupon `c1` id"), vec![]),
                (
                    s("creating promotion_code `CODE` promotion"),
                    vec![s("creating coupon `c1` id")]
                ),
            ]
        );
    }

    #[test]
    fn a_replaced_price_is_archived_after_every_pointer_moved() {
        use ObjectKind::*;
        let mut replaced = change(
            Action::Replace,
            Price,
            "basic_monthly",
            json!({"lookup_key": "basic_monthly", "transfer_lookup_key": true}),
            Value::Null,
        );
        replaced.id = Some("price_old".into());
        let plan = Plan {
            changes: vec![
                replaced,
                with_refs(
                    change(
                        Action::Update,
                        Product,
                        "basic",
                        json!({"default_price": "basic_monthly"}),
                        Value::Null,
                    ),
                    &[("default_price", Price, "basic_monthly")],
                ),
                with_refs(
                    change(
                        Action::Update,
                        PortalConfiguration,
                        "default",
                        json!({"features": {}}),
                        Value::Null,
                    ),
                    &[(
                        "features[subscription_update][products][0][prices][0]",
                        Price,
                        "basic_monthly",
                    )],
                ),
            ],
            ..Plan::default()
        };
        let schedule = schedule(&plan);
        let stages: Vec<Stage> = schedule.iter().map(|s| s.stage).collect();
        assert_eq!(
            stages,
            [
                Stage::Prices,
                Stage::ProductDefaultPrices,
                Stage::PortalConfigurations,
                Stage::PriceRetirements
            ]
        );
        // The default_price move and the portal wait for the new price (the key moved to it).
        assert_eq!(schedule[1].after, [0]);
        assert_eq!(schedule[2].after, [0]);
        // The old price is archived last of all.
        assert_eq!(schedule[3].after, [0, 1, 2]);
    }
}
