//! House rules every example holds: each declaration points at the line of its declaring
//! call; every param is one Stripe's field table knows; keys and references resolve.

use std::path::Path;

use billingctl::catalog::Catalog;
use billingctl::kinds::ObjectKind;
use serde_json::Value;

const EXAMPLES: &[(&str, &str)] = &[
    ("scripts/catalog.rhai", "test"),
    ("scripts/catalog.rhai", "live"),
    ("scripts/campaigns/black_friday.rhai", "test"),
    ("examples/multi_currency.rhai", "test"),
    ("examples/tiered.rhai", "test"),
    ("examples/launch_campaign.rhai", "test"),
];

fn each_example(mut f: impl FnMut(&str, &Catalog)) {
    for (script, env) in EXAMPLES {
        match billingctl::script::evaluate(Path::new(script), env) {
            Ok(catalog) => f(script, &catalog),
            Err(diags) => panic!(
                "{script} --env {env}:\n{}",
                billingctl::diag::render_human(&diags, false)
            ),
        }
    }
}

fn function_name(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::PortalConfiguration => "portal",
        other => other.name(),
    }
}

#[test]
fn every_declaration_points_at_its_declaring_call() {
    each_example(|script, catalog| {
        for d in catalog.declarations() {
            let at = d.declared_at();
            let source = match billingctl::script::stdlib_source(&at.file) {
                Some(src) => src.to_owned(),
                None => std::fs::read_to_string(&at.file).unwrap(),
            };
            let line = source.lines().nth(at.line as usize - 1).unwrap();
            let call = &line[at.column as usize - 1..];
            let name = function_name(d.kind());
            assert!(
                call.starts_with(&format!("{name}(")),
                "{script}: {} `{}` at {at}: `{call}`",
                d.kind(),
                d.key()
            );
        }
    });
}

fn leaves(prefix: &str, value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            for (k, v) in map {
                let path = if prefix.is_empty() {
                    k.clone()
                } else {
                    format!("{prefix}[{k}]")
                };
                leaves(&path, v, out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(&format!("{prefix}[{i}]"), v, out);
            }
        }
        _ => out.push(prefix.to_owned()),
    }
}

#[test]
fn every_param_is_a_stripe_param() {
    each_example(|script, catalog| {
        for d in catalog.declarations() {
            let mut paths = Vec::new();
            leaves("", &Value::Object(d.params().into_owned()), &mut paths);
            for path in paths {
                assert!(
                    d.kind().table().param(&path).is_some(),
                    "{script}: {} `{}`: `{path}` is not in the field table",
                    d.kind(),
                    d.key()
                );
            }
        }
    });
}

#[test]
fn every_reference_resolves_to_a_declared_object() {
    each_example(|script, catalog| {
        for d in catalog.declarations() {
            for r in d.references() {
                assert!(
                    catalog.get(r.kind, &r.key).is_some(),
                    "{script}: {} `{}`: {} -> {} `{}`",
                    d.kind(),
                    d.key(),
                    r.path,
                    r.kind,
                    r.key
                );
            }
        }
    });
}

#[test]
fn the_environment_decides_mode_values_and_overlay_changes() {
    let test = billingctl::script::evaluate(Path::new("scripts/catalog.rhai"), "test").unwrap();
    let live = billingctl::script::evaluate(Path::new("scripts/catalog.rhai"), "live").unwrap();
    assert_eq!(test.environment.mode, billingctl::catalog::Mode::Test);
    assert_eq!(live.environment.mode, billingctl::catalog::Mode::Live);
    assert_eq!(test.scope, "catalog");
    // The test overlay adds the QA coupon; live has none.
    assert!(test.get(ObjectKind::Coupon, "qa_free").is_some());
    assert!(live.get(ObjectKind::Coupon, "qa_free").is_none());
    // The live overlay changes a base object in place, keeping its declaration place.
    let code = live.get(ObjectKind::PromotionCode, "LAUNCH30").unwrap();
    assert_eq!(code.params()["max_redemptions"], 2000);
    assert_eq!(
        code.declared_at(),
        test.get(ObjectKind::PromotionCode, "LAUNCH30")
            .unwrap()
            .declared_at()
    );
    let portal = live
        .get(ObjectKind::PortalConfiguration, "default")
        .unwrap()
        .params();
    assert_eq!(
        portal["default_return_url"],
        "https://app.acme.example/account"
    );
    assert!(portal.get("billingctl_key").is_none() && portal.get("key").is_none());
}
