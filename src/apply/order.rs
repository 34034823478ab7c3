//! The order writes happen in: a plan's changes as writes grouped in stages (`stage`,
//! derived from the registry), and the dependencies between writes that the executor follows.
//!
//! For the kinds billingctl has, the stages are: products, then prices (they name their
//! product), then products' `default_price` (it names a price), then price deactivations (a
//! price stops being a default before it is archived), coupons, promotion codes (they name a
//! coupon, and a replaced code's old self goes first), portal configurations (they name
//! products and prices), then portal follow-ups (`active=false`, which create does not take),
//! and replaced prices' archives last.
//!
//! The stages order only writes that are related ([`schedule`]): a write waits for the
//! earlier-stage writes of its own change, for those of every object it references, and a
//! deactivation or archive waits for every write that may move a reference away from its
//! object (`Registry::barrier`). So a write starts as soon as what it needs exists: coupons
//! run beside products, prices as their product is created, promotion codes as their coupon
//! is.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::stage::{Registry, Split, Stage};
use super::write::{Op, Write};
use crate::kinds::ObjectKind;
use crate::path::segments;
use crate::plan::{Action, Plan};

/// The plan's writes grouped by stage; empty stages are left out.
pub fn levels(plan: &Plan) -> Vec<(Stage, Vec<Write>)> {
    levels_in(&Registry::global(), plan)
}

fn levels_in(registry: &Registry<'_>, plan: &Plan) -> Vec<(Stage, Vec<Write>)> {
    let mut staged: Vec<(Stage, Write)> = Vec::new();
    for (index, change) in plan.changes.iter().enumerate() {
        let write = |op: Op, params: Map<String, Value>| Write {
            change: index,
            kind: change.kind,
            key: change.key.clone(),
            op,
            params,
        };
        match change.action {
            Action::Create | Action::Replace => {
                if change.action == Action::Replace {
                    // A replacement's writes and their stages: apply/replace.rs.
                    staged.extend(super::replace::staged(registry, index, change));
                } else {
                    staged.push((
                        registry.main(change.kind),
                        write(Op::Create, change.params.clone()),
                    ));
                }
                // Update-only params, once the object exists (and what they reference).
                let Split { own, deferred } =
                    registry.split(change.kind, change.after_create.clone());
                if !own.is_empty() {
                    staged.push((
                        registry.follow_up(change.kind),
                        write(Op::Update { id: None }, own),
                    ));
                }
                for (stage, params) in deferred {
                    staged.push((stage, write(Op::Update { id: None }, params)));
                }
            }
            Action::Detach => {
                let id = change.id.clone().unwrap_or_default();
                staged.push((
                    registry.deactivation(change.kind),
                    write(Op::Delete { id }, change.params.clone()),
                ));
            }
            Action::Update | Action::Adopt | Action::Deactivate => {
                let op = Op::Update {
                    id: change.id.clone(),
                };
                let main = if change.action == Action::Deactivate {
                    registry.deactivation(change.kind)
                } else {
                    registry.main(change.kind)
                };
                // A reference to a later kind may name an object created in this same apply.
                let Split { own, deferred } = registry.split(change.kind, change.params.clone());
                if !own.is_empty() {
                    staged.push((main, write(op.clone(), own)));
                }
                for (stage, params) in deferred {
                    staged.push((stage, write(op.clone(), params)));
                }
            }
        }
    }
    let mut staged = switches(registry, staged);
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

/// A kind switched by endpoints (a meter) takes the plan's `active` as a call of its own
/// (`POST {path}/{id}/deactivate` or `/reactivate`): a reactivation in the stage the update
/// would have had, a deactivation once every write referencing the object is done
/// (`Registry::switch_off`); the rest of the update's params, if any, stay an update.
fn switches(registry: &Registry<'_>, staged: Vec<(Stage, Write)>) -> Vec<(Stage, Write)> {
    let mut out = Vec::with_capacity(staged.len());
    for (stage, mut write) in staged {
        let deactivation = write.kind.def().deactivation();
        let (Op::Update { id }, Some(param)) = (&write.op, deactivation.script_only()) else {
            out.push((stage, write));
            continue;
        };
        let Some(on) = write.params.remove(param).and_then(|v| v.as_bool()) else {
            out.push((stage, write));
            continue;
        };
        let action = deactivation
            .endpoint(on)
            .expect("a kind switched by endpoints names them");
        let switch = Write {
            op: Op::Action {
                id: id.clone(),
                action,
            },
            params: Map::new(),
            ..write.clone()
        };
        if !write.params.is_empty() {
            out.push((stage, write));
        }
        // Turning off waits for what references the object (a price created on the meter).
        let at = if on {
            stage
        } else {
            registry.switch_off(switch.kind)
        };
        out.push((at, switch));
    }
    out
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
/// - for a deactivation of a pinned kind, every write of a kind that pins it, and for an
///   archive every write of a kind that references it, from the object's own stage on:
///   nothing may still point at an object when it is archived (Stripe refuses to archive a
///   product's default price; the emulator holds that rule in `emulator/objects/price.rs`).
pub fn schedule(plan: &Plan) -> Vec<Scheduled> {
    schedule_in(&Registry::global(), plan)
}

fn schedule_in(registry: &Registry<'_>, plan: &Plan) -> Vec<Scheduled> {
    let staged: Vec<(Stage, Write)> = levels_in(registry, plan)
        .into_iter()
        .flat_map(|(stage, writes)| writes.into_iter().map(move |w| (stage, w)))
        .collect();
    let mut by_object: HashMap<(ObjectKind, &str), Vec<usize>> = HashMap::new();
    let mut by_kind: HashMap<ObjectKind, Vec<usize>> = HashMap::new();
    for (i, (_, write)) in staged.iter().enumerate() {
        by_object
            .entry((write.kind, write.key.as_str()))
            .or_default()
            .push(i);
        by_kind.entry(write.kind).or_default().push(i);
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
            if !write.params.contains_key(segments(&reference.path)[0]) {
                continue;
            }
            if let Some(theirs) = by_object.get(&(reference.kind, reference.key.as_str())) {
                earlier(theirs, *stage, &mut after);
            }
        }
        if let Some((holders, from)) = registry.barrier(*stage) {
            for holder in holders {
                let writes = by_kind.get(&holder).map_or(&[][..], Vec::as_slice);
                after.extend(writes.iter().copied().filter(|&j| {
                    let theirs = staged[j].0;
                    from < theirs && theirs < *stage
                }));
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

    /// The stages of the kinds billingctl has, by what they hold.
    struct Stages {
        products: Stage,
        prices: Stage,
        default_prices: Stage,
        price_deactivations: Stage,
        promotion_codes: Stage,
        portals: Stage,
        portal_follow_ups: Stage,
        price_retirements: Stage,
    }

    fn stages() -> Stages {
        use ObjectKind::*;
        let r = Registry::global();
        let default_price = json!({"default_price": "x"}).as_object().cloned().unwrap();
        Stages {
            products: r.main(Product),
            prices: r.main(Price),
            default_prices: r.split(Product, default_price).deferred[0].0,
            price_deactivations: r.deactivation(Price),
            promotion_codes: r.main(PromotionCode),
            portals: r.main(PortalConfiguration),
            portal_follow_ups: r.follow_up(PortalConfiguration),
            price_retirements: r.retirement(Price),
        }
    }

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
            kept_metadata: Vec::new(),
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
        let stage = stages();
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
                    stage.products,
                    vec![
                        "creating product `basic` id,name".to_owned(),
                        "updating product `plus` name".to_owned()
                    ]
                ),
                (
                    stage.prices,
                    vec!["creating price `basic_monthly` product".to_owned()]
                ),
                (
                    stage.default_prices,
                    vec![
                        "updating product `basic` default_price".to_owned(),
                        "updating product `plus` default_price".to_owned()
                    ]
                ),
                (
                    stage.price_deactivations,
                    vec!["updating price `old` active".to_owned()]
                ),
                (
                    stage.promotion_codes,
                    vec!["creating promotion_code `LAUNCH` code".to_owned()]
                ),
                (
                    stage.portals,
                    vec!["creating portal_configuration `default` features".to_owned()]
                ),
                (
                    stage.portal_follow_ups,
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

    /// A meter's `active` is a call of its own endpoint; turning it off waits for the price
    /// created on it (Stripe will not attach an inactive meter), turning it on does not wait.
    #[test]
    fn a_meters_active_becomes_its_endpoints_call_and_a_deactivation_waits_for_its_prices() {
        use ObjectKind::*;
        let price = with_refs(
            change(
                Action::Create,
                Price,
                "usage",
                json!({"recurring": {"meter": "api"}}),
                Value::Null,
            ),
            &[("recurring[meter]", Meter, "api")],
        );
        let plan = Plan {
            changes: vec![
                change(
                    Action::Deactivate,
                    Meter,
                    "api",
                    json!({"display_name": "Old", "active": false}),
                    Value::Null,
                ),
                change(
                    Action::Update,
                    Meter,
                    "other",
                    json!({"active": true}),
                    Value::Null,
                ),
                change(
                    Action::Create,
                    Meter,
                    "new",
                    json!({"event_name": "new"}),
                    json!({"active": false}),
                ),
                price,
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
                let mut after: Vec<String> = schedule[i].after.iter().map(|&j| name(j)).collect();
                after.sort();
                (name(i), after)
            })
            .collect();
        let s = |x: &str| x.to_owned();
        let price = s("creating price `usage` recurring");
        assert_eq!(
            shape,
            vec![
                (s("updating meter `api` display_name"), vec![]),
                (s("reactivate meter `other` "), vec![]),
                (s("creating meter `new` event_name"), vec![]),
                (price.clone(), vec![s("updating meter `api` display_name")]),
                (
                    s("deactivate meter `api` "),
                    vec![price.clone(), s("updating meter `api` display_name")]
                ),
                (
                    s("deactivate meter `new` "),
                    vec![s("creating meter `new` event_name"), price]
                ),
            ]
        );
        assert!(matches!(
            schedule[4].write.op,
            Op::Action { ref id, action: "deactivate" } if id.as_deref() == Some("id_api")
        ));
        assert!(matches!(
            schedule[5].write.op,
            Op::Action {
                id: None,
                action: "deactivate"
            }
        ));
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
        let stage = stages();
        let stages: Vec<Stage> = schedule.iter().map(|s| s.stage).collect();
        assert_eq!(
            stages,
            [
                stage.prices,
                stage.default_prices,
                stage.portals,
                stage.price_retirements
            ]
        );
        // The default_price move and the portal wait for the new price (the key moved to it).
        assert_eq!(schedule[1].after, [0]);
        assert_eq!(schedule[2].after, [0]);
        // The old price is archived last of all.
        assert_eq!(schedule[3].after, [0, 1, 2]);
    }

    #[test]
    fn a_kind_the_registry_does_not_have_yet_is_scheduled_by_its_facts() {
        use crate::apply::stage::tests::Fake;
        use crate::kinds::{Kind, Pin, Refers, Replacement};
        use ObjectKind::*;
        // `c` comes after `b`, references it and pins it (as a product's default_price pins
        // a price, but from later in the registry).
        let a = Fake {
            id: Product,
            references: &[],
            pins: &[],
            replacement: Replacement::Refused,
        };
        let b = Fake {
            id: Price,
            references: &[Refers {
                pattern: "product",
                kind: Product,
            }],
            pins: &[],
            replacement: Replacement::Refused,
        };
        let c = Fake {
            id: Coupon,
            references: &[Refers {
                pattern: "applies_to[products][]",
                kind: Price,
            }],
            pins: &[Pin {
                pattern: "applies_to[products][]",
                role: "applied price",
            }],
            replacement: Replacement::Refused,
        };
        let kinds: [&dyn Kind; 3] = [&a, &b, &c];
        let registry = Registry::new(&kinds);
        let plan = Plan {
            changes: vec![
                change(
                    Action::Create,
                    Product,
                    "a1",
                    json!({"id": "a1"}),
                    Value::Null,
                ),
                with_refs(
                    change(
                        Action::Create,
                        Price,
                        "b1",
                        json!({"product": "a1"}),
                        Value::Null,
                    ),
                    &[("product", Product, "a1")],
                ),
                change(
                    Action::Deactivate,
                    Price,
                    "b0",
                    json!({"active": false}),
                    Value::Null,
                ),
                with_refs(
                    change(
                        Action::Update,
                        Coupon,
                        "c1",
                        json!({"applies_to": {"products": ["b1"]}}),
                        Value::Null,
                    ),
                    &[("applies_to[products][0]", Price, "b1")],
                ),
            ],
            ..Plan::default()
        };
        let schedule = schedule_in(&registry, &plan);
        let name = |i: usize| schedule[i].write.describe();
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
                (s("creating product `a1`"), vec![]),
                (s("creating price `b1`"), vec![s("creating product `a1`")]),
                (s("updating coupon `c1`"), vec![s("creating price `b1`")]),
                // The deactivation waits for the later kind's pin to move away.
                (s("updating price `b0`"), vec![s("updating coupon `c1`")]),
            ]
        );
    }
}
