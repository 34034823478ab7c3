use std::collections::HashSet;
use std::path::Path;

use serde_json::{json, Value};

use super::*;

#[test]
fn every_checked_rule_names_a_check_and_ids_are_unique() {
    let mut ids = HashSet::new();
    for rule in RULES {
        assert!(ids.insert(rule.id), "{} twice", rule.id);
        if let Decision::Checked(name) = rule.decision {
            assert!(is_check(name), "{}: no check named {name}", rule.id);
        }
    }
    assert_eq!(RULES.len(), 119);
}

/// The table covers `param-rules.jsonl` row for row (skipped where `../shared` is absent).
#[test]
fn the_table_covers_every_row_of_the_reference() {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/stripe-reference/param-rules.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        crate::eoutln!("skipped: {} is absent", path.display());
        return;
    };
    let rows: Vec<Value> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(rows.len(), RULES.len());
    for (row, rule) in rows.iter().zip(RULES) {
        assert_eq!(row["id"], rule.id);
        assert_eq!(row["resource"], rule.object, "{}", rule.id);
        assert_eq!(row["param"], rule.param, "{}", rule.id);
    }
}

struct Coupons(Vec<Value>);

impl Related for Coupons {
    fn coupon(&self, reference: &str) -> Option<Value> {
        self.0.iter().find(|c| c["id"] == reference).cloned()
    }
}

fn run(
    kind: ObjectKind,
    op: Operation,
    params: Value,
    current: Option<Value>,
) -> Vec<&'static str> {
    let related = Coupons(vec![
        json!({"id": "ends", "redeem_by": 2_000, "max_redemptions": 10, "times_redeemed": 0}),
        json!({"id": "open", "redeem_by": null, "max_redemptions": null, "times_redeemed": 0}),
    ]);
    let params = params.as_object().cloned().expect("an object");
    let request = Request {
        kind,
        op,
        params: &params,
        current: current.as_ref(),
        now: Some(1_000),
        related: &related,
    };
    check(&request).into_iter().map(|v| v.rule).collect()
}

#[test]
fn time_rules_hold_on_create_only() {
    use ObjectKind::{Coupon, PromotionCode};
    use Operation::{Create, Update};
    assert_eq!(
        run(Coupon, Create, json!({"redeem_by": 999}), None),
        ["R021"]
    );
    assert_eq!(
        run(Coupon, Create, json!({"redeem_by": 1_001}), None),
        Vec::<&str>::new()
    );
    let too_far = 1_000 + REDEEM_BY_HORIZON + 1;
    assert_eq!(
        run(Coupon, Create, json!({"redeem_by": too_far}), None),
        ["R021"]
    );
    assert!(run(Coupon, Update, json!({"redeem_by": 5}), None).is_empty());
    let code = |coupon: &str, expires_at: i64| json!({"promotion": {"type": "coupon", "coupon": coupon}, "expires_at": expires_at});
    assert_eq!(
        run(PromotionCode, Create, code("ends", 900), None),
        ["R103"]
    );
    assert_eq!(
        run(PromotionCode, Create, code("ends", 2_001), None),
        ["R103"]
    );
    assert!(run(PromotionCode, Create, code("ends", 2_000), None).is_empty());
    assert!(run(PromotionCode, Create, code("open", 9_999), None).is_empty());
}

#[test]
fn a_code_stays_within_its_coupon() {
    let code = |max: i64| json!({"promotion": {"coupon": "ends"}, "max_redemptions": max});
    let rules = |max| {
        run(
            ObjectKind::PromotionCode,
            Operation::Create,
            code(max),
            None,
        )
    };
    assert_eq!(rules(11), ["R105"]);
    assert!(rules(10).is_empty());
    let restrictions = json!({"restrictions": {"minimum_amount": 100, "minimum_amount_currency": "EUR",
                                               "currency_options": {"eur": {"minimum_amount": 5}}}});
    assert_eq!(
        run(
            ObjectKind::PromotionCode,
            Operation::Create,
            restrictions,
            None
        ),
        ["R106"]
    );
}

#[test]
fn reactivation_needs_a_redeemable_code_and_a_valid_coupon() {
    let reactivate = |current: Value| {
        run(
            ObjectKind::PromotionCode,
            Operation::Update,
            json!({"active": true}),
            Some(current),
        )
    };
    let code = |coupon: &str, expires_at: Value| {
        json!({"active": false, "promotion": {"coupon": coupon}, "expires_at": expires_at,
               "max_redemptions": 2, "times_redeemed": 1})
    };
    assert!(reactivate(code("ends", Value::Null)).is_empty());
    assert_eq!(reactivate(code("ends", json!(999))), ["R100"]);
    let used = json!({"active": false, "promotion": {"coupon": "open"}, "max_redemptions": 1,
                      "times_redeemed": 1});
    assert_eq!(reactivate(used), ["R100"]);
}

#[test]
fn prices_and_portals() {
    use Operation::Create;
    assert_eq!(
        run(ObjectKind::Price, Create, json!({"unit_amount": -1}), None),
        ["R056"]
    );
    let tiers = json!({"tiers": [{"up_to": 10}, {"up_to": 5}, {"up_to": "inf"}]});
    assert_eq!(run(ObjectKind::Price, Create, tiers, None), ["tiers"]);
    let products: Vec<Value> = (0..11).map(|i| json!({"product": i})).collect();
    let portal = json!({"features": {"subscription_update": {"products": products}}});
    assert_eq!(
        run(ObjectKind::PortalConfiguration, Create, portal, None),
        ["R006"]
    );
}

/// docs/SCRIPTS.md says which rules `check` and `plan` enforce: every checked rule is there.
#[test]
fn the_script_reference_lists_every_checked_rule() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SCRIPTS.md");
    let docs = std::fs::read_to_string(path).expect("docs/SCRIPTS.md");
    for rule in RULES {
        if let Decision::Checked(_) = rule.decision {
            assert!(
                docs.contains(rule.id),
                "docs/SCRIPTS.md does not list {}",
                rule.id
            );
        }
    }
}
