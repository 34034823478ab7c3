//! The diff: one catalog against the live account, into [`Findings`]. Pure: no I/O, no
//! printing.
//!
//! For each declaration: its params are checked against the field table (`canon`), it is
//! matched to its live object (`matching`), and the change it needs is built (`change`) over
//! both sides normalised the way Stripe stores values (`canon`). Each differing field is
//! classified with the field table: mutable fields become one update, immutable ones drift.
//! Then the business rules that span objects run over the changes (`pins`). Nothing here
//! decides what to do about drift (`replace`) or words a problem (`problem`).

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::canon::{unknown_paths, ReferencePatterns};
use super::change::{create, desired, update, Comparison};
use super::finding::{Finding, Findings};
use super::matching::{find_live, Found};
use super::owned_metadata::room_problems;
use super::pins::check_deactivations;
use super::plan::{Action, Change, Drift, FieldChange};
use super::problem::{Issue, Problem};
use crate::catalog::{Catalog, Declaration};
use crate::compact::Json;
use crate::kinds::Deactivation;
use crate::live::LiveState;

/// Diffs every declaration of `catalog` against `live`.
pub fn diff_catalog(catalog: &Catalog, live: &LiveState) -> Findings {
    let references = ReferencePatterns::of(catalog.declarations());
    let mut found = Findings::default();
    for declaration in catalog.declarations() {
        // Built here, once per declaration, and dropped after the comparison (`managed`):
        // the metadata room, the other check that reads every declaration's params, is
        // checked on them here.
        let desired = desired(declaration);
        found.problems.extend(room_problems(declaration, &desired));
        match diff_declaration(declaration, desired, live, &references) {
            Finding::Unchanged => found.unchanged += 1,
            Finding::Change(change) => found.changes.push(change),
            Finding::Drift(drift) => found.drift.push(drift),
            Finding::Invalid(problems) => found.problems.extend(problems),
        }
    }
    let pinned = check_deactivations(&found.changes, live);
    found.problems.extend(pinned);
    found
        .changes
        .sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
    found
}

/// Diffs one declaration, whose params are `desired` (`change::desired`), against `live`;
/// `references` says where the catalog's references stand, so live ids there compare as keys.
pub fn diff_declaration(
    declaration: &dyn Declaration,
    mut desired: Cow<'_, Map<String, Value>>,
    live: &LiveState,
    references: &ReferencePatterns,
) -> Finding {
    let kind = declaration.kind();
    let deactivation = kind.def().deactivation();
    let wants_active = deactivation.wants_on(&desired);
    // A kind switched by endpoints (a meter) has no `active` param: the script's `active` is
    // compared with the live status below (`switch`), not as a field.
    if let Some(param) = deactivation
        .script_only()
        .filter(|param| desired.contains_key(*param))
    {
        desired.to_mut().remove(param);
    }

    let mut unknown = Vec::new();
    unknown_paths(kind.table(), &desired, "", &mut unknown);
    // The parent of a kind under another's object travels in the path (`Kind::within`).
    let segment = kind.def().within().map(|within| within.segment);
    unknown.retain(|path| Some(path.as_str()) != segment);
    if !unknown.is_empty() {
        let problem = |path| Problem {
            kind,
            key: declaration.key().to_owned(),
            at: declaration.declared_at().clone(),
            issue: Issue::UnknownField { path },
        };
        return Finding::Invalid(unknown.into_iter().map(problem).collect());
    }

    match find_live(declaration, wants_active, live) {
        Err(problem) => Finding::Invalid(vec![*problem]),
        Ok(Found::Settled) => Finding::Unchanged,
        Ok(Found::Missing) => {
            let mut change = create(declaration, desired.into_owned());
            if deactivation.script_only().is_some() && !wants_active {
                // Created, then deactivated through the endpoint once it exists.
                switch(&mut change, true, false);
            }
            Finding::Change(change)
        }
        Ok(Found::Inactive(candidates)) => {
            let reactivation = candidates.into_iter().find_map(|object| {
                match update(declaration, &desired, object, live, references) {
                    Comparison::Change(change) => Some(*change),
                    Comparison::Same | Comparison::Drift(_) => None,
                }
            });
            Finding::Change(match reactivation {
                Some(change) => change,
                None => create(declaration, desired.into_owned()),
            })
        }
        Ok(Found::Live { object, adopted }) => {
            let mut comparison = update(declaration, &desired, object, live, references);
            let is_on = deactivation.is_on(object);
            if deactivation.script_only().is_some() && is_on != wants_active {
                comparison = switched(declaration, comparison, object, is_on, wants_active);
            }
            match comparison {
                Comparison::Same => Finding::Unchanged,
                Comparison::Drift(fields) => Finding::Drift(Drift {
                    kind,
                    key: declaration.key().to_owned(),
                    id: object
                        .get("id")
                        .and_then(Json::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                    declared_at: declaration.declared_at().clone(),
                    fields,
                }),
                Comparison::Change(mut change) => {
                    if adopted && change.action == Action::Update {
                        change.action = Action::Adopt;
                    }
                    Finding::Change(*change)
                }
            }
        }
    }
}

/// The comparison with a switch through the kind's endpoints added (a meter's
/// `deactivate`/`reactivate`): drift stays drift, since no switch fixes it.
fn switched(
    declaration: &dyn Declaration,
    comparison: Comparison,
    object: &Json,
    is_on: bool,
    wants_on: bool,
) -> Comparison {
    let mut change = match comparison {
        Comparison::Drift(_) => return comparison,
        Comparison::Change(change) => *change,
        Comparison::Same => Change {
            action: Action::Update,
            kind: declaration.kind(),
            key: declaration.key().to_owned(),
            id: object.get("id").and_then(Json::as_str).map(str::to_owned),
            declared_at: declaration.declared_at().clone(),
            fields: Vec::new(),
            reason: None,
            params: Map::new(),
            after_create: Map::new(),
            references: Vec::new(),
            kept_metadata: Vec::new(),
        },
    };
    switch(&mut change, is_on, wants_on);
    Comparison::Change(Box::new(change))
}

/// Adds the script's `active` to a change of a kind switched by endpoints: shown as a field,
/// sent (by the executor) as the endpoint's call; in `after_create` for a create.
fn switch(change: &mut Change, is_on: bool, wants_on: bool) {
    let param = Deactivation::SCRIPT_PARAM;
    let value = Value::Bool(wants_on);
    change.fields.push(FieldChange {
        path: param.to_owned(),
        live: if change.action == Action::Create {
            Value::Null
        } else {
            Value::Bool(is_on)
        },
        desired: value.clone(),
    });
    change.fields.sort_by(|a, b| a.path.cmp(&b.path));
    if change.action == Action::Create {
        change.after_create.insert(param.to_owned(), value);
    } else {
        change.params.insert(param.to_owned(), value);
        if !wants_on {
            change.action = Action::Deactivate;
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::catalog::{DeclaredAt, Environment, Reference};
    use crate::kinds::ObjectKind;
    use crate::path::{join, pattern_of};
    use crate::plan::plan::{Action, FieldChange, Plan};
    use serde_json::json;

    /// A declaration as the planner sees it, without a script behind it.
    type Decl = crate::plan::snapshot::Snapshot;

    /// The diff's findings as the plan reports them, nothing replaced.
    fn diff(catalog: &Catalog, live: &LiveState) -> Plan {
        crate::plan::lifecycle::finish(diff_catalog(catalog, live), Vec::new(), |_| false)
    }

    fn decl(kind: ObjectKind, key: &str, params: Value) -> Decl {
        let params = params.as_object().cloned().expect("params are an object");
        let mut references = Vec::new();
        collect_refs(kind, &Value::Object(params.clone()), "", &mut references);
        Decl {
            kind,
            key: key.to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 3,
                column: 1,
            },
            ownership: Default::default(),
            params,
            references,
            allows_replace: false,
        }
    }

    /// The references the script engine reports, for the places this test catalog uses.
    fn collect_refs(kind: ObjectKind, value: &Value, path: &str, out: &mut Vec<Reference>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    collect_refs(kind, v, &join(path, k), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    collect_refs(kind, v, &format!("{path}[{i}]"), out);
                }
            }
            Value::String(key) => {
                let pattern = pattern_of(path);
                let target = kind
                    .def()
                    .references()
                    .iter()
                    .find(|r| r.pattern == pattern);
                if let Some(&crate::kinds::Refers { kind, .. }) = target {
                    out.push(Reference {
                        path: path.to_owned(),
                        kind,
                        key: key.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    fn catalog(decls: Vec<Decl>) -> Catalog {
        let mut catalog = Catalog::new(Environment::default(), "catalog".to_owned());
        for d in decls {
            catalog.push(Box::new(d));
        }
        catalog
    }

    fn live(objects: Vec<(ObjectKind, Value)>) -> LiveState {
        let mut by_kind: HashMap<ObjectKind, Vec<Value>> = HashMap::new();
        for (kind, object) in objects {
            by_kind.entry(kind).or_default().push(object);
        }
        LiveState::new(by_kind)
    }

    /// A live price as Stripe returns it after a create with `recurring[interval]` only.
    fn live_price(id: &str, lookup_key: &str, amount: i64) -> Value {
        json!({
            "id": id, "object": "price", "active": true, "billing_scheme": "per_unit",
            "created": 1_700_000_000, "currency": "eur", "custom_unit_amount": null,
            "livemode": false, "lookup_key": lookup_key, "metadata": {}, "nickname": null,
            "product": "basic",
            "recurring": {"interval": "month", "interval_count": 1, "meter": null,
                          "trial_period_days": null, "usage_type": "licensed"},
            "tax_behavior": "unspecified", "tiers_mode": null, "transform_quantity": null,
            "type": "recurring", "unit_amount": amount, "unit_amount_decimal": amount.to_string()
        })
    }

    fn basic_monthly(amount: i64) -> Decl {
        decl(
            ObjectKind::Price,
            "basic_monthly",
            json!({"product": "basic", "currency": "eur", "unit_amount": amount,
                   "lookup_key": "basic_monthly", "recurring": {"interval": "month"}}),
        )
    }

    #[test]
    fn an_applied_price_compares_equal_despite_stripe_defaults() {
        // interval_count = 1, usage_type, tax_behavior, unit_amount_decimal, nulls.
        let plan = diff(
            &catalog(vec![basic_monthly(900)]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn normalisation_table() {
        // (what, desired params, live object, expect unchanged)
        let coupon_live = json!({"id": "launch_30", "object": "coupon", "percent_off": 30.0,
            "duration": "repeating", "duration_in_months": 3, "metadata": {}, "name": null,
            "amount_off": null, "currency": null, "max_redemptions": null, "redeem_by": null,
            "valid": true, "times_redeemed": 0});
        let portal_live = json!({"id": "bpc_1", "object": "billing_portal.configuration",
            "active": true, "is_default": false, "metadata": {"billingctl_key": "default"},
            "features": {"customer_update": {"enabled": true,
                                             "allowed_updates": ["email", "address", "name"]}}});
        let cases: Vec<(&str, Decl, Value, bool)> = vec![
            (
                "integer percent_off equals float",
                decl(
                    ObjectKind::Coupon,
                    "launch_30",
                    json!({"id": "launch_30",
                     "percent_off": 30, "duration": "repeating", "duration_in_months": 3}),
                ),
                coupon_live.clone(),
                true,
            ),
            (
                "different percent_off",
                decl(
                    ObjectKind::Coupon,
                    "launch_30",
                    json!({"id": "launch_30",
                     "percent_off": 25.5, "duration": "repeating", "duration_in_months": 3}),
                ),
                coupon_live,
                false,
            ),
            (
                "decimal strings compare by value",
                decl(
                    ObjectKind::Price,
                    "metered",
                    json!({"product": "basic",
                     "currency": "eur", "unit_amount_decimal": "12.50",
                     "lookup_key": "metered"}),
                ),
                json!({"id": "price_9", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "metered", "metadata": {}, "product": "basic",
                       "recurring": null, "unit_amount": null,
                       "unit_amount_decimal": "12.5"}),
                true,
            ),
            (
                "set-like lists ignore order",
                decl(
                    ObjectKind::PortalConfiguration,
                    "default",
                    json!({"features":
                     {"customer_update": {"enabled": true,
                                          "allowed_updates": ["name", "address", "email"]}}}),
                ),
                portal_live.clone(),
                true,
            ),
            (
                "set-like lists still compare members",
                decl(
                    ObjectKind::PortalConfiguration,
                    "default",
                    json!({"features":
                     {"customer_update": {"enabled": true,
                                          "allowed_updates": ["name", "email"]}}}),
                ),
                portal_live,
                false,
            ),
            (
                "an unbounded tier is returned as up_to null",
                decl(
                    ObjectKind::Price,
                    "tiered",
                    json!({"product": "basic",
                     "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume",
                     "tiers": [{"up_to": 10, "unit_amount": 100},
                               {"up_to": "inf", "unit_amount": 80}]}),
                ),
                json!({"id": "price_8", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "tiered", "metadata": {}, "product": "basic",
                       "billing_scheme": "tiered", "tiers_mode": "volume",
                       "tiers": [{"flat_amount": null, "flat_amount_decimal": null,
                                  "unit_amount": 100, "unit_amount_decimal": "100", "up_to": 10},
                                 {"flat_amount": null, "flat_amount_decimal": null,
                                  "unit_amount": 80, "unit_amount_decimal": "80", "up_to": null}]}),
                true,
            ),
            (
                "the own currency mirrored in currency_options is not a difference",
                decl(
                    ObjectKind::Price,
                    "multi",
                    json!({"product": "basic", "currency": "eur",
                     "unit_amount": 900, "tax_behavior": "exclusive",
                     "currency_options": {"usd": {"unit_amount": 1000,
                                                  "tax_behavior": "exclusive"}}}),
                ),
                json!({"id": "price_7", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "multi", "metadata": {}, "product": "basic",
                       "unit_amount": 900, "unit_amount_decimal": "900",
                       "tax_behavior": "exclusive",
                       "currency_options": {
                           "eur": {"custom_unit_amount": null, "tax_behavior": "exclusive",
                                   "unit_amount": 900, "unit_amount_decimal": "900"},
                           "usd": {"custom_unit_amount": null, "tax_behavior": "exclusive",
                                   "unit_amount": 1000, "unit_amount_decimal": "1000"}}}),
                true,
            ),
            (
                "write-only switches are not compared",
                decl(
                    ObjectKind::Price,
                    "flexible",
                    json!({"product": "basic",
                     "currency": "eur", "custom_unit_amount": {"enabled": true, "minimum": 500}}),
                ),
                json!({"id": "price_6", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "flexible", "metadata": {}, "product": "basic",
                       "unit_amount": null, "unit_amount_decimal": null,
                       "custom_unit_amount": {"maximum": null, "minimum": 500, "preset": null}}),
                true,
            ),
        ];
        for (what, declaration, object, unchanged) in cases {
            let kind = declaration.kind;
            let plan = diff(&catalog(vec![declaration]), &live(vec![(kind, object)]));
            let same = plan.is_valid() && plan.changes.is_empty();
            assert_eq!(
                same, unchanged,
                "{what}: {:?} {:?}",
                plan.changes, plan.errors
            );
        }
    }

    #[test]
    fn a_changed_mutable_field_is_one_update_with_only_that_field() {
        let mut declaration = basic_monthly(900);
        declaration
            .params
            .insert("nickname".to_owned(), json!("Basic (monthly)"));
        let mut object = live_price("price_1", "basic_monthly", 900);
        object["nickname"] = json!("Basic");
        let plan = diff(
            &catalog(vec![declaration]),
            &live(vec![(ObjectKind::Price, object)]),
        );
        assert_eq!(plan.changes.len(), 1);
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.id.as_deref(), Some("price_1"));
        assert_eq!(
            change.fields,
            vec![FieldChange {
                path: "nickname".to_owned(),
                live: json!("Basic"),
                desired: json!("Basic (monthly)"),
            }]
        );
        assert_eq!(
            Value::Object(change.params.clone()),
            json!({"nickname": "Basic (monthly)"})
        );
    }

    #[test]
    fn immutable_drift_is_found_as_data() {
        let found = diff_catalog(
            &catalog(vec![basic_monthly(1000)]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert!(found.changes.is_empty() && found.problems.is_empty());
        assert_eq!(
            found.drift,
            [Drift {
                kind: ObjectKind::Price,
                key: "basic_monthly".to_owned(),
                id: "price_1".to_owned(),
                declared_at: DeclaredAt {
                    file: "scripts/catalog.rhai".to_owned(),
                    line: 3,
                    column: 1,
                },
                fields: vec![FieldChange {
                    path: "unit_amount".to_owned(),
                    live: json!(900),
                    desired: json!(1000),
                }],
            }]
        );
    }

    #[test]
    fn immutable_drift_is_an_error_with_both_values_and_the_span() {
        let plan = diff(
            &catalog(vec![basic_monthly(1000)]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert!(plan.changes.is_empty());
        let error = &plan.errors.0[0];
        assert_eq!(error.subject.object, Some(ObjectKind::Price));
        assert_eq!(error.subject.key.as_deref(), Some("basic_monthly"));
        assert_eq!(error.subject.field.as_deref(), Some("unit_amount"));
        assert_eq!(error.subject.live, Some(json!(900)));
        assert_eq!(error.subject.desired, Some(json!(1000)));
        assert_eq!(
            error.span.as_ref().map(ToString::to_string).as_deref(),
            Some("scripts/catalog.rhai:3:1")
        );
        assert!(error
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("new lookup_key"));
    }

    #[test]
    fn metadata_set_out_of_band_is_removed() {
        let declaration = decl(
            ObjectKind::Product,
            "basic",
            json!({"id": "basic", "name": "Basic", "metadata": {"tier": "1"}}),
        );
        let object = json!({"id": "basic", "object": "product", "active": true, "name": "Basic",
            "metadata": {"tier": "1", "stray": "x"}, "description": "set in the Dashboard",
            "images": [], "marketing_features": [], "default_price": null});
        let plan = diff(
            &catalog(vec![declaration]),
            &live(vec![(ObjectKind::Product, object)]),
        );
        let change = &plan.changes[0];
        let paths: Vec<&str> = change.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["description", "metadata[stray]"]);
        assert_eq!(
            Value::Object(change.params.clone()),
            json!({"description": "", "metadata": {"stray": ""}})
        );
    }

    #[test]
    fn references_compare_as_keys() {
        let product = decl(
            ObjectKind::Product,
            "basic",
            json!({"id": "basic", "name": "Basic", "default_price": "basic_monthly"}),
        );
        let portal = decl(
            ObjectKind::PortalConfiguration,
            "default",
            json!({"features": {"subscription_update": {"enabled": true, "products": [
                {"product": "basic", "prices": ["basic_yearly", "basic_monthly"]}]}}}),
        );
        let mut yearly = live_price("price_2", "basic_yearly", 9000);
        yearly["recurring"]["interval"] = json!("year");
        let state = live(vec![
            (
                ObjectKind::Product,
                json!({"id": "basic", "active": true, "name": "Basic",
                "metadata": {}, "default_price": "price_1"}),
            ),
            (
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            ),
            (ObjectKind::Price, yearly),
            (
                ObjectKind::PortalConfiguration,
                json!({"id": "bpc_1", "active": true,
                "metadata": {"billingctl_key": "default"},
                "features": {"subscription_update": {"enabled": true, "products": [
                    {"product": "basic", "prices": ["price_1", "price_2"]}]}}}),
            ),
        ]);
        let plan = diff(&catalog(vec![product, portal]), &state);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(plan.unchanged, 2);
    }

    #[test]
    fn active_false_deactivates_and_missing_inactive_objects_are_created_inactive() {
        let mut declaration = basic_monthly(900);
        declaration.params.insert("active".to_owned(), json!(false));
        let plan = diff(
            &catalog(vec![declaration]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert_eq!(plan.changes[0].action, Action::Deactivate);
        assert_eq!(
            Value::Object(plan.changes[0].params.clone()),
            json!({"active": false})
        );

        let portal = decl(
            ObjectKind::PortalConfiguration,
            "default",
            json!({"active": false, "features": {"invoice_history": {"enabled": true}}}),
        );
        let plan = diff(&catalog(vec![portal]), &LiveState::default());
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Create);
        // Create does not take `active` for portal configurations: it follows as an update.
        assert!(!change.params.contains_key("active"));
        assert_eq!(
            Value::Object(change.after_create.clone()),
            json!({"active": false})
        );
        assert_eq!(
            change.params["metadata"],
            json!({"billingctl_key": "default"})
        );
    }

    #[test]
    fn a_default_price_cannot_be_deactivated_unless_the_default_moves() {
        let product = |default: &str| {
            decl(
                ObjectKind::Product,
                "basic",
                json!({"id": "basic", "name": "Basic", "default_price": default}),
            )
        };
        let monthly_inactive = || {
            let mut monthly = basic_monthly(900);
            monthly.params.insert("active".to_owned(), json!(false));
            monthly
        };
        let yearly = || {
            decl(
                ObjectKind::Price,
                "basic_yearly",
                json!({"product": "basic", "currency": "eur", "unit_amount": 9000,
                       "recurring": {"interval": "year"}}),
            )
        };
        let mut live_yearly = live_price("price_2", "basic_yearly", 9000);
        live_yearly["recurring"]["interval"] = json!("year");
        let state = live(vec![
            (
                ObjectKind::Product,
                json!({"id": "basic", "active": true, "name": "Basic",
                "metadata": {}, "default_price": "price_1"}),
            ),
            (
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            ),
            (ObjectKind::Price, live_yearly),
        ]);

        let stuck = diff(
            &catalog(vec![product("basic_monthly"), monthly_inactive(), yearly()]),
            &state,
        );
        assert_eq!(stuck.errors.0.len(), 1, "{:?}", stuck.errors);
        assert!(stuck.errors.0[0]
            .message
            .contains("default price of product `basic`"));

        let moved = diff(
            &catalog(vec![product("basic_yearly"), monthly_inactive(), yearly()]),
            &state,
        );
        assert!(moved.is_valid(), "{:?}", moved.errors);
        assert_eq!(moved.summary().deactivate, 1);
        assert_eq!(moved.summary().update, 1);
    }

    #[test]
    fn promotion_codes_match_active_codes_case_insensitively() {
        let code = |active: bool| {
            decl(
                ObjectKind::PromotionCode,
                "LAUNCH",
                json!({"code": "LAUNCH", "active": active,
                       "promotion": {"type": "coupon", "coupon": "launch_30"}}),
            )
        };
        let live_code = |id: &str, active: bool| {
            json!({"id": id, "object": "promotion_code", "code": "launch", "active": active,
                   "metadata": {}, "promotion": {"type": "coupon", "coupon": "launch_30"}})
        };
        // An active live code with another case is the same code.
        let plan = diff(
            &catalog(vec![code(true)]),
            &live(vec![(
                ObjectKind::PromotionCode,
                live_code("promo_1", true),
            )]),
        );
        assert!(
            plan.changes.is_empty() && plan.is_valid(),
            "{:?}",
            plan.changes
        );
        // Only an inactive one: the code is free, a new one is created.
        let plan = diff(
            &catalog(vec![code(true)]),
            &live(vec![(
                ObjectKind::PromotionCode,
                live_code("promo_1", false),
            )]),
        );
        assert_eq!(plan.changes[0].action, Action::Create);
        // Wanted inactive, and an inactive one exists: nothing to do.
        let plan = diff(
            &catalog(vec![code(false)]),
            &live(vec![(
                ObjectKind::PromotionCode,
                live_code("promo_1", false),
            )]),
        );
        assert!(plan.changes.is_empty());
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn adoption_by_id_sets_the_key() {
        let mut declaration = basic_monthly(900);
        declaration.ownership.adopt = Some("price_7".to_owned());
        let mut object = live_price("price_7", "", 900);
        object["lookup_key"] = Value::Null;
        let plan = diff(
            &catalog(vec![declaration]),
            &live(vec![(ObjectKind::Price, object)]),
        );
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Adopt);
        assert_eq!(
            Value::Object(change.params.clone()),
            json!({"lookup_key": "basic_monthly"})
        );
    }

    #[test]
    fn several_immutable_errors_are_all_reported() {
        let coupon = decl(
            ObjectKind::Coupon,
            "launch_30",
            json!({"id": "launch_30", "percent_off": 40, "duration": "once"}),
        );
        let plan = diff(
            &catalog(vec![basic_monthly(1000), coupon]),
            &live(vec![
                (
                    ObjectKind::Price,
                    live_price("price_1", "basic_monthly", 900),
                ),
                (
                    ObjectKind::Coupon,
                    json!({"id": "launch_30", "percent_off": 30.0,
                    "duration": "once", "metadata": {}}),
                ),
            ]),
        );
        let fields: Vec<_> = plan
            .errors
            .0
            .iter()
            .map(|e| e.subject.field.clone().unwrap_or_default())
            .collect();
        assert_eq!(fields, ["unit_amount", "percent_off"]);
    }
}
