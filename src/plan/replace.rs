//! Opt-in replacement: what the plan does, instead of stopping, when an immutable field
//! changed and the script (`on_immutable_change: "replace"`) or the run (`--allow-replace`)
//! allows it.
//!
//! The diff reports immutable drift as data; this pass turns the drift of each object that
//! may be replaced into one `Replace` change, as its kind's `Replacement` says:
//! - `TransferKey` (a price): create the new price with the same lookup key and
//!   `transfer_lookup_key=true`, re-point every reference the script owns (the product's
//!   `default_price`, each portal configuration listing it), then archive the old price.
//!   Create comes before archive, so the lookup key always names an active price.
//! - `RetireFirst` (a promotion code): deactivate the old code, then create the new one with
//!   the same code (codes are unique among active codes, so this order is forced).
//! - `Refused` (a coupon: its id stays taken while it exists and billingctl never deletes):
//!   the drift stays, reported with the kind's help (`Kind::replace_refused_help`).
//!
//! A reference the script does not own (an object of a referencing kind outside the catalog)
//! that points at an object being replaced is reported: a problem where it pins the old
//! object (a product's `default_price`: Stripe refuses to archive a default price, so the
//! apply would fail midway), else a warning (a portal configuration keeps listing the
//! archived price). The apply order is `crate::apply`'s.

use serde_json::{Map, Value};

use super::change::{clear_value, create, desired};
use super::finding::Findings;
use super::plan::{Action, Change, Drift, FieldChange, Reason};
use super::problem::{Issue, Problem};
use crate::catalog::{Catalog, Declaration, Reference};
use crate::compact::Json;
use crate::kinds::{ObjectKind, Replacement, KINDS};
use crate::live::{is_active, places_of, LiveState};
use crate::path::{self, join_all, segments, within};

/// Turns the drift of each object that may be replaced into a `Replace` change (and the
/// re-pointing updates it needs); the rest of the drift stays, to be reported. `allow_all` is
/// `--allow-replace`.
pub fn plan_replacements(
    found: &mut Findings,
    catalog: &Catalog,
    live: &LiveState,
    allow_all: bool,
) {
    let mut drift = std::mem::take(&mut found.drift);
    // By (kind, key): a reference two replacements move shows the first one's field.
    drift.sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    let mut replaced = Vec::new();
    for drifted in drift {
        let declaration = catalog
            .get(drifted.kind, &drifted.key)
            .filter(|d| allow_all || d.allows_replace())
            .filter(|d| d.kind().def().replacement() != Replacement::Refused);
        let Some(declaration) = declaration else {
            found.drift.push(drifted);
            continue;
        };
        let change = replacement(declaration, &drifted);
        if change.action == Action::Replace {
            replaced.push(drifted);
        }
        found.changes.push(change);
    }
    for drifted in replaced {
        repoint(found, catalog, live, &drifted);
    }
}

/// The `Replace` change for one object (a `Deactivate` where an inactive object frees its key
/// and the script wants it inactive anyway: nothing new needs to exist).
fn replacement(declaration: &dyn Declaration, drifted: &Drift) -> Change {
    let kind = declaration.kind();
    let deactivation = kind.def().deactivation();
    let wants_active = deactivation.wants_on(&declaration.params());
    if let (true, false, Some((field, off))) = (
        kind.def().frees_key_when_inactive(),
        wants_active,
        deactivation.off(),
    ) {
        let mut params = Map::new();
        params.insert(field.to_owned(), off.clone());
        return Change {
            action: Action::Deactivate,
            kind,
            key: declaration.key().to_owned(),
            id: Some(drifted.id.clone()),
            declared_at: declaration.declared_at().clone(),
            fields: vec![FieldChange {
                path: field.to_owned(),
                live: Value::Bool(!off.as_bool().unwrap_or_default()),
                desired: off,
            }],
            reason: None,
            params,
            after_create: Map::new(),
            references: Vec::new(),
            kept_metadata: Vec::new(),
        };
    }
    // The create a fresh account would get: the diff's own create, so params, defaults and
    // update-only follow-ups are exactly those of any other create.
    let mut change = create(declaration, desired(declaration).into_owned());
    if let Replacement::TransferKey { param } = kind.def().replacement() {
        change.params.insert(param.to_owned(), Value::Bool(true));
    }
    change.action = Action::Replace;
    change.id = Some(drifted.id.clone());
    change.fields = drifted.fields.clone();
    change
}

/// Makes every reference the catalog owns to the replaced object (`drifted`) point at its
/// successor before the old one is archived; a reference outside the catalog is a problem
/// where it pins the old object, else a warning.
fn repoint(found: &mut Findings, catalog: &Catalog, live: &LiveState, drifted: &Drift) {
    let (kind, key, old_id) = (drifted.kind, drifted.key.as_str(), drifted.id.as_str());
    let at = catalog
        .get(kind, key)
        .map_or_else(|| drifted.declared_at.clone(), |d| d.declared_at().clone());
    for by in KINDS {
        for refers in by.references().iter().filter(|r| r.kind == kind) {
            let pin = by.pins().iter().find(|p| p.pattern == refers.pattern);
            for object in live.all(by.id()) {
                let Some(place) = places_of(object, refers.pattern, old_id).into_iter().next()
                else {
                    continue;
                };
                // An inactive object's stale reference harms nothing; a pin holds regardless.
                if pin.is_none() && !is_active(by.id(), object) {
                    continue;
                }
                let by_id = object
                    .get("id")
                    .and_then(Json::as_str)
                    .unwrap_or_default()
                    .to_owned();
                let object_key = by.key().of(object);
                let declaration = catalog.of_kind(by.id()).find(|d| {
                    d.adopt_id() == Some(by_id.as_str()) || Some(d.key()) == object_key.as_deref()
                });
                let Some(declaration) = declaration else {
                    let problem = |issue| Problem {
                        kind,
                        key: key.to_owned(),
                        at: at.clone(),
                        issue,
                    };
                    match pin {
                        Some(pin) => found.problems.push(problem(Issue::PinnedOutside {
                            by: by.id(),
                            by_id,
                            pin: *pin,
                        })),
                        None => found.problems.push(problem(Issue::StaleReference {
                            by: by.id(),
                            by_id,
                            old_id: old_id.to_owned(),
                        })),
                    }
                    continue;
                };
                let Some((unit, value, references)) =
                    repointed(declaration, refers.pattern, kind, key)
                else {
                    continue;
                };
                ensure_update(
                    found,
                    declaration,
                    &by_id,
                    &unit,
                    value,
                    references,
                    FieldChange {
                        path: place,
                        live: Value::String(old_id.to_owned()),
                        desired: new_object(key),
                    },
                );
            }
        }
    }
}

/// What `declaration` writes so that its reference at `pattern` names the successor of the
/// replaced `kind` `key`: the unit holding it (a whole list: lists are sent whole), its value
/// and the references in it. `None` when the diff already plans that write: the script
/// points the reference elsewhere, or leaves it out and the diff clears it.
fn repointed(
    declaration: &dyn Declaration,
    pattern: &str,
    kind: ObjectKind,
    key: &str,
) -> Option<(String, Value, Vec<Reference>)> {
    let parts = segments(pattern);
    let unit = join_all(
        &parts[..parts
            .iter()
            .position(|s| s.is_empty())
            .unwrap_or(parts.len())],
    );
    let params = declaration.params();
    let references = declaration.references();
    match path::get(&params, &unit) {
        Some(value) => {
            let names_it = references
                .iter()
                .any(|r| r.kind == kind && r.key == key && within(&r.path, &unit));
            let references = references
                .iter()
                .filter(|r| within(&r.path, &unit))
                .cloned()
                .collect();
            names_it.then(|| (unit, value.clone(), references))
        }
        // Left out and Stripe cannot clear it: the live reference stays, moved to the new key.
        None if unit == pattern => {
            let param = declaration.kind().table().param(&unit)?;
            clear_value(param).is_none().then(|| {
                let reference = Reference {
                    path: unit.clone(),
                    kind,
                    key: key.to_owned(),
                };
                (unit, Value::String(key.to_owned()), vec![reference])
            })
        }
        None => None,
    }
}

/// A re-pointed reference's new value: the key, as data (the change's `Reason::Repoint` says,
/// in every rendering, that the key now names the replacement).
fn new_object(key: &str) -> Value {
    Value::String(key.to_owned())
}

/// Adds `path = value` to the plan's update of this object, or a new update carrying only
/// it. Nothing is added when the plan already writes that path, or creates the object (a
/// create resolves keys to the new ids by itself).
fn ensure_update(
    found: &mut Findings,
    declaration: &dyn Declaration,
    id: &str,
    path: &str,
    value: Value,
    references: Vec<Reference>,
    shown: FieldChange,
) {
    let kind = declaration.kind();
    let existing = found
        .changes
        .iter_mut()
        .find(|c| c.kind == kind && c.key == declaration.key());
    match existing {
        Some(change)
            if matches!(
                change.action,
                Action::Update | Action::Adopt | Action::Deactivate
            ) =>
        {
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
            found.changes.push(Change {
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
                kept_metadata: Vec::new(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DeclaredAt, Environment};
    use crate::plan::plan::Plan;
    use crate::plan::snapshot::Snapshot;
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
            ownership: Default::default(),
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
        // The drift stays, as data and as the error, which names both ways forward.
        assert_eq!(plan.drift.len(), 1);
        assert_eq!(plan.errors.0.len(), 1);
        let help = plan.errors.0[0].help.as_deref().unwrap_or_default();
        assert!(help.contains("--allow-replace"), "{help}");
        assert!(help.contains("on_immutable_change"), "{help}");
    }

    #[test]
    fn an_adopted_portal_is_re_pointed_in_its_adoption() {
        // The portal made in the Dashboard (no key, no scope) is adopted by id while the price
        // it lists is replaced: the adoption carries the re-pointing too, or the old price
        // would be archived under a portal that still offers it.
        let mut adopted = portal();
        adopted.ownership.adopt = Some("bpc_1".to_owned());
        let mut live = live_state(true, "default");
        let dashboard = json!({"id": "bpc_1", "object": "billing_portal.configuration",
            "active": true, "metadata": {},
            "features": {"subscription_update": {"enabled": true,
                "products": [{"product": "basic", "prices": ["price_old"]}]}}});
        live = LiveState::new([
            (ObjectKind::Product, live.all(ObjectKind::Product).to_vec()),
            (ObjectKind::Price, live.all(ObjectKind::Price).to_vec()),
            (ObjectKind::PortalConfiguration, vec![Json::from(dashboard)]),
        ]);
        let plan = plan_catalog(
            &catalog(vec![product(Some("basic_monthly")), price(1000), adopted]),
            &live,
            Policy {
                allow_replace: true,
                prune: false,
            },
            0,
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        let portal = plan
            .changes
            .iter()
            .find(|c| c.kind == ObjectKind::PortalConfiguration)
            .expect("the portal's change");
        assert_eq!(portal.action, Action::Adopt);
        let path = "features[subscription_update][products][0][prices][0]";
        assert!(
            portal
                .references
                .iter()
                .any(|r| r.path == path && r.key == "basic_monthly"),
            "{portal:?}"
        );
        assert_eq!(
            portal.params["features"]["subscription_update"]["products"][0]["prices"][0],
            json!("basic_monthly")
        );
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
