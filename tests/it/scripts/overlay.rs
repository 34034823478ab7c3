//! Environments, overlays and modules, on the fixtures in `fixtures/`.

use std::path::Path;

use billingctl::catalog::{Catalog, Mode};
use billingctl::kinds::ObjectKind;
use serde_json::json;

fn evaluate(script: &str, env: &str) -> Catalog {
    billingctl::script::evaluate(Path::new(script), env)
        .unwrap_or_else(|d| panic!("{}", billingctl::diag::render_human(&d, false)))
}

#[test]
fn the_overlay_declares_the_environment_and_changes_the_base() {
    let c = evaluate("tests/it/scripts/fixtures/overlay.rhai", "demo");
    assert_eq!(c.environment.name, "demo");
    assert_eq!(c.environment.mode, Mode::Live);
    assert_eq!(
        json!(c.environment.values),
        json!({"region": "eu", "seats": 5})
    );
    // update: maps merge key by key, () removes a field.
    let basic = c.get(ObjectKind::Product, "basic").unwrap().params();
    assert_eq!(
        json!(basic),
        json!({"id": "basic", "name": "Basic", "metadata": {"team": "core", "tier": "1"}})
    );
    // update sees env; deactivate sets active: false.
    let price = c.get(ObjectKind::Price, "basic_monthly").unwrap().params();
    assert_eq!(price["nickname"], "Basic (eu)");
    assert_eq!(
        c.get(ObjectKind::Product, "legacy").unwrap().params()["active"],
        false
    );
    // drop removes (promotion codes match regardless of case); the overlay may add.
    assert!(c.get(ObjectKind::PromotionCode, "FREE").is_none());
    assert!(c.get(ObjectKind::Coupon, "test_only").is_none());
    let keys: Vec<&str> = c.of_kind(ObjectKind::Product).map(|d| d.key()).collect();
    assert_eq!(keys, ["basic", "legacy", "added"]);
    assert_eq!(
        c.get(ObjectKind::Product, "added")
            .unwrap()
            .declared_at()
            .file,
        "tests/it/scripts/fixtures/env/demo.rhai"
    );
}

#[test]
fn without_an_overlay_test_and_live_are_their_own_mode() {
    let test = evaluate("tests/it/scripts/fixtures/overlay.rhai", "test");
    assert_eq!((test.environment.mode, test.len()), (Mode::Test, 6));
    let live = evaluate("tests/it/scripts/fixtures/overlay.rhai", "live");
    assert_eq!(live.environment.mode, Mode::Live);
    assert!(live.environment.values.is_empty());
}

#[test]
fn a_module_runs_once_and_positions_name_its_file() {
    let c = evaluate("tests/it/scripts/fixtures/modules.rhai", "test");
    assert_eq!(c.len(), 2);
    let product = c.get(ObjectKind::Product, "basic").unwrap();
    assert_eq!(
        product.declared_at().to_string(),
        "tests/it/scripts/fixtures/lib/plans.rhai:2:1"
    );
    // Declared inside a module function: the function's own file, not the caller's.
    let price = c.get(ObjectKind::Price, "basic_monthly").unwrap();
    assert_eq!(
        price.declared_at().to_string(),
        "tests/it/scripts/fixtures/lib/plans.rhai:5:5"
    );
}

#[test]
fn the_scope_defaults_to_the_file_stem_and_a_script_may_set_it() {
    assert_eq!(
        evaluate("tests/it/scripts/fixtures/overlay.rhai", "test").scope,
        "overlay"
    );
    assert_eq!(
        evaluate("scripts/campaigns/black_friday.rhai", "test").scope,
        "black_friday_2027"
    );
}

#[test]
fn functions_read_the_environment_through_env_and_print_goes_to_stderr() {
    let out = assert_cmd::Command::cargo_bin("billingctl")
        .unwrap()
        .args([
            "render",
            "tests/it/scripts/fixtures/overlay.rhai",
            "--env",
            "demo",
        ])
        .assert()
        .success();
    let output = out.get_output();
    let json: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("stdout is only JSON");
    let yearly = json["objects"]["price"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["key"] == "basic_yearly")
        .unwrap();
    assert_eq!(yearly["params"]["nickname"], "Basic (demo)");
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "evaluated for demo\n"
    );
}
