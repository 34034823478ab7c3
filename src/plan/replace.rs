//! Opt-in replacement: what the plan does, instead of stopping, when an immutable field
//! changed and the script (`on_immutable_change: "replace"`) or the run (`--allow-replace`)
//! allows it.
//!
//! The diff reports immutable drift as errors; this pass turns the errors of each object
//! that may be replaced into one `Replace` change:
//! - a price: create the new price with the same lookup key and `transfer_lookup_key=true`,
//!   re-point every reference the script owns (the product's `default_price`, each portal
//!   configuration listing it), then archive the old price. Create comes before archive, so
//!   the lookup key always names an active price.
//! - a promotion code: deactivate the old code, then create the new one with the same code
//!   (codes are unique among active codes, so this order is forced).
//! - a coupon cannot be replaced: its id stays taken while it exists and billingctl never
//!   deletes. The errors stay, with help saying to name a new id.
//!
//! A reference the script does not own (a product or portal configuration outside the
//! catalog) that points at a price being replaced is reported: an error for a product's
//! `default_price` (Stripe refuses to archive a default price, so the apply would fail
//! midway), a warning for a portal configuration (it keeps listing the archived price).

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::diff::diff_catalog;
use super::fetch::{is_active, LiveState};
use super::plan::{Action, Change, FieldChange, Plan, Reason};
use super::scope::{matched, Snapshot};
use crate::catalog::{Catalog, Declaration, Reference};
use crate::diag::{Diagnostic, Severity};
use crate::kinds::ObjectKind;
use crate::path::{self, within};

/// Where a portal configuration lists prices.
const PORTAL_PRODUCTS: &str = "features[subscription_update][products]";

/// Turns the immutable-drift errors of replaceable objects into `Replace` changes (and the
/// re-pointing updates they need). `allow_all` is `--allow-replace`.
pub fn plan_replacements(plan: &mut Plan, catalog: &Catalog, live: &LiveState, allow_all: bool) {
    let mut groups: HashMap<(ObjectKind, String), Vec<usize>> = HashMap::new();
    for (index, error) in plan.errors.0.iter().enumerate() {
        if let (Some(kind), Some(key)) = (error.subject.object, &error.subject.key) {
            groups.entry((kind, key.clone())).or_default().push(index);
        }
    }
    let mut groups: Vec<_> = groups.into_iter().collect();
    groups.sort();

    let mut drop = Vec::new();
    let mut replaced_prices = Vec::new();
    for ((kind, key), indices) in groups {
        let Some(declaration) = catalog.get(kind, &key) else {
            continue;
        };
        if !(allow_all || declaration.allows_replace())
            || !indices
                .iter()
                .all(|&i| is_immutable_drift(&plan.errors.0[i]))
        {
            continue;
        }
        let Some(old) = matched(declaration, live) else {
            continue;
        };
        match kind {
            ObjectKind::Coupon => {
                for &i in &indices {
                    let error = &mut plan.errors.0[i];
                    error.help = Some(coupon_help(&key));
                }
            }
            ObjectKind::Price | ObjectKind::PromotionCode => {
                let fields = indices
                    .iter()
                    .map(|&i| {
                        let subject = &plan.errors.0[i].subject;
                        FieldChange {
                            path: subject.field.clone().unwrap_or_default(),
                            live: subject.live.clone().unwrap_or(Value::Null),
                            desired: subject.desired.clone().unwrap_or(Value::Null),
                        }
                    })
                    .collect();
                let Some(change) = replacement(declaration, old, fields) else {
                    continue;
                };
                if change.action == Action::Replace && kind == ObjectKind::Price {
                    replaced_prices.push((key.clone(), change.id.clone().unwrap_or_default()));
                }
                plan.changes.push(change);
                drop.extend(indices);
            }
            ObjectKind::Product | ObjectKind::PortalConfiguration => {}
        }
    }
    drop.sort_unstable();
    for index in drop.into_iter().rev() {
        plan.errors.0.remove(index);
    }
    for (key, old_id) in replaced_prices {
        repoint(plan, catalog, live, &key, &old_id);
    }
}

/// An error the diff raised for a changed immutable field: it names a field the table
/// knows as immutable and carries both values.
pub(crate) fn is_immutable_drift(error: &Diagnostic) -> bool {
    let (Some(kind), Some(field)) = (error.subject.object, &error.subject.field) else {
        return false;
    };
    let Some(live) = &error.subject.live else {
        return false;
    };
    error.severity == Severity::Error
        && kind
            .table()
            .param(field)
            .is_some_and(|p| !p.is_mutable() || p.is_locked(live))
}

fn coupon_help(key: &str) -> String {
    format!(
        "a coupon cannot be replaced: its id `{key}` stays taken while the coupon exists, and \
         billingctl never deletes. Declare the new terms as a coupon with a new id (e.g. \
         `{key}_v2`) and point the promotion codes at it"
    )
}

/// The `Replace` change for one object (a `Deactivate` for a promotion code the script
/// wants inactive anyway: nothing new needs to exist). `None` if the create cannot be built.
fn replacement(
    declaration: &dyn Declaration,
    old: &Value,
    fields: Vec<FieldChange>,
) -> Option<Change> {
    let kind = declaration.kind();
    let old_id = old.get("id").and_then(Value::as_str)?.to_owned();
    let mut snapshot = Snapshot::of(declaration);
    snapshot.adopt = None;
    let wants_active = snapshot
        .params
        .get("active")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    if kind == ObjectKind::PromotionCode && !wants_active {
        let mut params = Map::new();
        params.insert("active".to_owned(), Value::Bool(false));
        return Some(Change {
            action: Action::Deactivate,
            kind,
            key: declaration.key().to_owned(),
            id: Some(old_id),
            declared_at: declaration.declared_at().clone(),
            fields: vec![FieldChange {
                path: "active".to_owned(),
                live: Value::Bool(true),
                desired: Value::Bool(false),
            }],
            reason: None,
            params,
            after_create: Map::new(),
            references: Vec::new(),
        });
    }
    // The create a fresh account would get: the diff's own create, so params, defaults and
    // update-only follow-ups are exactly those of any other create.
    let mut single = Catalog::default();
    single.push(Box::new(snapshot));
    let mut change = diff_catalog(&single, &LiveState::default())
        .changes
        .into_iter()
        .find(|c| c.action == Action::Create)?;
    if kind == ObjectKind::Price {
        change
            .params
            .insert("transfer_lookup_key".to_owned(), Value::Bool(true));
    }
    change.action = Action::Replace;
    change.id = Some(old_id);
    change.fields = fields;
    Some(change)
}

/// Makes every reference the catalog owns to the replaced price (key `key`, live id
/// `old_id`) point at the new price before the old one is archived.
fn repoint(plan: &mut Plan, catalog: &Catalog, live: &LiveState, key: &str, old_id: &str) {
    let span = catalog
        .get(ObjectKind::Price, key)
        .map(|d| d.declared_at().clone());
    let placed = |diagnostic: Diagnostic| match &span {
        Some(span) => diagnostic.at(span.clone()),
        None => diagnostic,
    };
    for product in live.all(ObjectKind::Product) {
        if id_of(product.get("default_price")) != Some(old_id) {
            continue;
        }
        let product_id = id_of(product.get("id")).unwrap_or_default().to_owned();
        let Some(declaration) = catalog.get(ObjectKind::Product, &product_id) else {
            plan.errors.push(placed(
                Diagnostic::error(format!(
                    "price `{key}` cannot be replaced: it is the default price of product \
                     `{product_id}`, which this script does not declare, and Stripe refuses \
                     to archive a default price"
                ))
                .object(ObjectKind::Price, key)
                .field("default_price")
                .help(format!(
                    "declare product `{product_id}` in this script, or give it another \
                     default price first"
                )),
            ));
            continue;
        };
        let desired = declaration.to_params().get("default_price").cloned();
        // Another default is wanted: the diff already plans that update.
        if desired.as_ref().is_some_and(|d| d.as_str() != Some(key)) {
            continue;
        }
        ensure_update(
            plan,
            declaration,
            &product_id,
            "default_price",
            Value::String(key.to_owned()),
            vec![Reference {
                path: "default_price".to_owned(),
                kind: ObjectKind::Price,
                key: key.to_owned(),
            }],
            FieldChange {
                path: "default_price".to_owned(),
                live: Value::String(old_id.to_owned()),
                desired: new_price(key),
            },
        );
    }

    for portal in live.all(ObjectKind::PortalConfiguration) {
        let Some(place) = listed_at(portal, old_id) else {
            continue;
        };
        if !is_active(portal) {
            continue;
        }
        let portal_id = id_of(portal.get("id")).unwrap_or_default().to_owned();
        let portal_key = ObjectKind::PortalConfiguration.def().key().of(portal);
        let portal_key = portal_key.as_deref();
        let declaration = catalog
            .of_kind(ObjectKind::PortalConfiguration)
            .find(|d| d.adopt_id() == Some(portal_id.as_str()) || Some(d.key()) == portal_key);
        let Some(declaration) = declaration else {
            let mut warning = placed(
                Diagnostic::error(format!(
                    "portal configuration `{portal_id}` is not in this script and lists price \
                 `{key}` ({old_id}), which this plan archives; it is left as it is"
                ))
                .object(ObjectKind::PortalConfiguration, portal_id.clone())
                .help("add the new price to that configuration, or manage it in this script"),
            );
            warning.severity = Severity::Warning;
            plan.warnings.push(warning);
            continue;
        };
        let params = declaration.to_params();
        let Some(products) = path::get(&params, PORTAL_PRODUCTS) else {
            // The script no longer lists products: the diff already plans that update.
            continue;
        };
        let references = declaration
            .references()
            .into_iter()
            .filter(|r| within(&r.path, PORTAL_PRODUCTS))
            .collect();
        ensure_update(
            plan,
            declaration,
            &portal_id,
            PORTAL_PRODUCTS,
            products.clone(),
            references,
            FieldChange {
                path: place,
                live: Value::String(old_id.to_owned()),
                desired: new_price(key),
            },
        );
    }
}

/// A re-pointed reference's new value: the key, as data (the change's `Reason::Repoint` says,
/// in every rendering, that the key now names the replacement).
fn new_price(key: &str) -> Value {
    Value::String(key.to_owned())
}

/// Adds `path = value` to the plan's update of this object, or a new update carrying only
/// it. Nothing is added when the plan already writes that path, or creates the object (a
/// create resolves keys to the new ids by itself).
fn ensure_update(
    plan: &mut Plan,
    declaration: &dyn Declaration,
    id: &str,
    path: &str,
    value: Value,
    references: Vec<Reference>,
    shown: FieldChange,
) {
    let kind = declaration.kind();
    let existing = plan
        .changes
        .iter_mut()
        .find(|c| c.kind == kind && c.key == declaration.key());
    match existing {
        Some(change) if matches!(change.action, Action::Update | Action::Deactivate) => {
            if change.fields.iter().any(|f| within(&f.path, path)) {
                return;
            }
            path::insert(&mut change.params, path, value);
            change.references.extend(references);
            change.fields.push(shown);
            change.fields.sort_by(|a, b| a.path.cmp(&b.path));
        }
        Some(_) => {}
        None => {
            let mut params = Map::new();
            path::insert(&mut params, path, value);
            plan.changes.push(Change {
                action: Action::Update,
                kind,
                key: declaration.key().to_owned(),
                id: Some(id.to_owned()),
                declared_at: declaration.declared_at().clone(),
                fields: vec![shown],
                reason: Some(Reason::Repoint),
                params,
                after_create: Map::new(),
                references,
            });
        }
    }
}

/// The concrete path at which a portal configuration lists the price `id`, if it does.
fn listed_at(portal: &Value, id: &str) -> Option<String> {
    let products = portal
        .get("features")?
        .get("subscription_update")?
        .get("products")?
        .as_array()?;
    products.iter().enumerate().find_map(|(p, product)| {
        product
            .get("prices")?
            .as_array()?
            .iter()
            .position(|price| id_of(Some(price)) == Some(id))
            .map(|i| format!("{PORTAL_PRODUCTS}[{p}][prices][{i}]"))
    })
}

/// An id, whether Stripe returned it as a string or as an expanded object.
fn id_of(value: Option<&Value>) -> Option<&str> {
    match value? {
        Value::String(id) => Some(id),
        Value::Object(object) => object.get("id").and_then(Value::as_str),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DeclaredAt, Environment};
    use crate::plan::{plan_catalog, Policy};
    use serde_json::json;

    fn declare(
        kind: ObjectKind,
        key: &str,
        params: Value,
        refs: &[(&str, ObjectKind, &str)],
    ) -> Snapshot {
        Snapshot {
            kind,
            key: key.to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 2,
                column: 1,
            },
            adopt: None,
            params: params.as_object().cloned().unwrap_or_default(),
            references: refs
                .iter()
                .map(|&(path, kind, key)| Reference {
                    path: path.to_owned(),
                    kind,
                    key: key.to_owned(),
                })
                .collect(),
            allows_replace: false,
        }
    }

    fn price(amount: i64) -> Snapshot {
        declare(
            ObjectKind::Price,
            "basic_monthly",
            json!({"lookup_key": "basic_monthly", "product": "basic", "currency": "eur",
                   "unit_amount": amount}),
            &[("product", ObjectKind::Product, "basic")],
        )
    }

    fn product(default_price: Option<&str>) -> Snapshot {
        let mut params = json!({"id": "basic", "name": "Basic"});
        let mut refs = Vec::new();
        if let Some(key) = default_price {
            params["default_price"] = json!(key);
            refs.push(("default_price", ObjectKind::Price, key));
        }
        declare(ObjectKind::Product, "basic", params, &refs)
    }

    fn portal() -> Snapshot {
        let path = "features[subscription_update][products][0]";
        declare(
            ObjectKind::PortalConfiguration,
            "default",
            json!({"features": {"subscription_update": {"enabled": true,
                "products": [{"product": "basic", "prices": ["basic_monthly"]}]}}}),
            &[
                (&format!("{path}[product]"), ObjectKind::Product, "basic"),
                (
                    &format!("{path}[prices][0]"),
                    ObjectKind::Price,
                    "basic_monthly",
                ),
            ],
        )
    }

    fn catalog(decls: Vec<Snapshot>) -> Catalog {
        let mut catalog = Catalog::new(Environment::default(), "catalog".to_owned());
        for d in decls {
            catalog.push(Box::new(d));
        }
        catalog
    }

    const SCOPE: &str = "catalog";

    fn live_state(default_price: bool, portal_key: &str) -> LiveState {
        LiveState::new([
            (
                ObjectKind::Product,
                vec![
                    json!({"id": "basic", "object": "product", "active": true, "name": "Basic",
                    "metadata": {"billingctl_scope": SCOPE},
                    "default_price": if default_price { json!("price_old") } else { Value::Null }}),
                ],
            ),
            (
                ObjectKind::Price,
                vec![json!({"id": "price_old", "object": "price", "active": true,
                    "lookup_key": "basic_monthly", "product": "basic", "currency": "eur",
                    "unit_amount": 900, "metadata": {"billingctl_scope": SCOPE},
                    "billing_scheme": "per_unit", "tax_behavior": "unspecified"})],
            ),
            (
                ObjectKind::PortalConfiguration,
                vec![
                    json!({"id": "bpc_1", "object": "billing_portal.configuration",
                    "active": true, "metadata": {"billingctl_key": portal_key,
                                                 "billingctl_scope": SCOPE},
                    "features": {"subscription_update": {"enabled": true,
                        "products": [{"product": "basic", "prices": ["price_old"]}]}}}),
                ],
            ),
        ])
    }

    fn shape(plan: &Plan) -> Vec<(Action, ObjectKind, String, Option<Reason>)> {
        plan.changes
            .iter()
            .map(|c| (c.action, c.kind, c.key.clone(), c.reason))
            .collect()
    }

    #[test]
    fn without_opting_in_immutable_drift_stays_an_error() {
        let plan = plan_catalog(
            &catalog(vec![product(Some("basic_monthly")), price(1000), portal()]),
            &live_state(true, "default"),
            Policy::default(),
            0,
        );
        assert!(!plan.is_valid());
        assert!(plan.changes.is_empty(), "{:?}", shape(&plan));
    }

    #[test]
    fn a_price_is_replaced_and_every_reference_re_pointed() {
        let plan = plan_catalog(
            &catalog(vec![product(Some("basic_monthly")), price(1000), portal()]),
            &live_state(true, "default"),
            Policy {
                allow_replace: true,
                prune: false,
            },
            0,
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert_eq!(
            shape(&plan),
            [
                (
                    Action::Update,
                    ObjectKind::Product,
                    "basic".to_owned(),
                    Some(Reason::Repoint)
                ),
                (
                    Action::Replace,
                    ObjectKind::Price,
                    "basic_monthly".to_owned(),
                    None
                ),
                (
                    Action::Update,
                    ObjectKind::PortalConfiguration,
                    "default".to_owned(),
                    Some(Reason::Repoint)
                ),
            ]
        );
        let replace = &plan.changes[1];
        assert_eq!(replace.id.as_deref(), Some("price_old"));
        assert_eq!(replace.params["transfer_lookup_key"], json!(true));
        assert_eq!(replace.params["lookup_key"], json!("basic_monthly"));
        assert_eq!(replace.params["unit_amount"], json!(1000));
        assert_eq!(
            replace.params["metadata"],
            json!({"billingctl_scope": SCOPE})
        );
        assert_eq!(
            replace.fields,
            [FieldChange {
                path: "unit_amount".to_owned(),
                live: json!(900),
                desired: json!(1000)
            }]
        );
        let product = &plan.changes[0];
        assert_eq!(
            Value::Object(product.params.clone()),
            json!({"default_price": "basic_monthly"})
        );
        assert_eq!(product.references[0].key, "basic_monthly");
        let portal = &plan.changes[2];
        assert_eq!(
            portal.params["features"]["subscription_update"]["products"],
            json!([{"product": "basic", "prices": ["basic_monthly"]}])
        );
        assert_eq!(portal.references.len(), 2);
        assert_eq!(plan.summary().replace, 1);
        assert!(plan.orphans.is_empty(), "the replaced price is no orphan");
    }

    #[test]
    fn the_script_can_opt_in_per_object() {
        let mut marked = price(1000);
        marked.allows_replace = true;
        let plan = plan_catalog(
            &catalog(vec![product(None), marked]),
            &live_state(false, "default"),
            Policy::default(),
            0,
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert_eq!(plan.summary().replace, 1);
    }

    #[test]
    fn references_outside_the_script_are_reported() {
        // The product is not declared but its default price is the replaced one: Stripe
        // would refuse the archive, so the plan stops. The portal is another key's: warned.
        let plan = plan_catalog(
            &catalog(vec![price(1000)]),
            &live_state(true, "elsewhere"),
            Policy {
                allow_replace: true,
                prune: false,
            },
            0,
        );
        assert!(!plan.is_valid());
        assert!(plan.errors.0[0]
            .message
            .contains("default price of product `basic`"));
        assert!(plan.warnings.0[0].message.contains("bpc_1"));
        let plan = plan_catalog(
            &catalog(vec![price(1000)]),
            &live_state(false, "elsewhere"),
            Policy {
                allow_replace: true,
                prune: false,
            },
            0,
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
    }

    #[test]
    fn a_promotion_code_is_replaced_and_a_coupon_is_not() {
        let code = declare(
            ObjectKind::PromotionCode,
            "LAUNCH",
            json!({"code": "LAUNCH", "promotion": {"type": "coupon", "coupon": "launch_40"},
                   "max_redemptions": 100}),
            &[("promotion[coupon]", ObjectKind::Coupon, "launch_40")],
        );
        let coupon = declare(
            ObjectKind::Coupon,
            "launch_30",
            json!({"id": "launch_30", "percent_off": 40, "duration": "once"}),
            &[],
        );
        let live = LiveState::new([
            (
                ObjectKind::PromotionCode,
                vec![
                    json!({"id": "promo_1", "object": "promotion_code", "code": "LAUNCH",
                    "active": true, "metadata": {"billingctl_scope": SCOPE},
                    "max_redemptions": 100,
                    "promotion": {"type": "coupon", "coupon": "launch_30"}}),
                ],
            ),
            (
                ObjectKind::Coupon,
                vec![
                    json!({"id": "launch_30", "object": "coupon", "percent_off": 30.0,
                    "duration": "once", "metadata": {"billingctl_scope": SCOPE}}),
                ],
            ),
        ]);
        let plan = plan_catalog(
            &catalog(vec![code, coupon]),
            &live,
            Policy {
                allow_replace: true,
                prune: false,
            },
            0,
        );
        let replace = plan
            .changes
            .iter()
            .find(|c| c.kind == ObjectKind::PromotionCode)
            .expect("a change for the code");
        assert_eq!(replace.action, Action::Replace);
        assert_eq!(replace.id.as_deref(), Some("promo_1"));
        assert_eq!(replace.params["code"], json!("LAUNCH"));
        assert!(!replace.params.contains_key("transfer_lookup_key"));
        assert_eq!(replace.fields[0].path, "promotion[coupon]");
        // The coupon keeps its error, with help naming the way out.
        assert_eq!(plan.errors.0.len(), 1);
        let error = &plan.errors.0[0];
        assert_eq!(error.subject.key.as_deref(), Some("launch_30"));
        assert!(error.help.as_deref().unwrap_or_default().contains("new id"));
    }
}
