//! `billingctl render` of every example script and environment, as insta snapshots of the
//! exact stdout (the JSON the planner and users see).

use serde_json::Value;

fn render(script: &str, env: &str) -> String {
    let out = assert_cmd::Command::cargo_bin("billingctl")
        .unwrap()
        .args(["render", script, "--env", env])
        .assert()
        .success();
    String::from_utf8(out.get_output().stdout.clone()).unwrap()
}

#[test]
fn catalog_test() {
    insta::assert_snapshot!(render("scripts/catalog.rhai", "test"));
}

#[test]
fn catalog_live() {
    insta::assert_snapshot!(render("scripts/catalog.rhai", "live"));
}

#[test]
fn multi_currency() {
    insta::assert_snapshot!(render("examples/multi_currency.rhai", "test"));
}

#[test]
fn tiered() {
    insta::assert_snapshot!(render("examples/tiered.rhai", "test"));
}

#[test]
fn launch_campaign() {
    insta::assert_snapshot!(render("examples/launch_campaign.rhai", "test"));
}

/// 601 codes would drown the snapshot: it keeps the first three; the count, uniqueness and
/// stability of all of them are asserted here.
#[test]
fn black_friday() {
    let rendered = render("scripts/campaigns/black_friday.rhai", "live");
    assert_eq!(
        rendered,
        render("scripts/campaigns/black_friday.rhai", "live"),
        "not deterministic"
    );
    let mut json: Value = serde_json::from_str(&rendered).unwrap();
    let codes = json["objects"]["promotion_code"].as_array_mut().unwrap();
    assert_eq!(codes.len(), 601);
    let mut keys: Vec<String> = codes
        .iter()
        .map(|c| c["key"].as_str().unwrap().to_ascii_lowercase())
        .collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 601, "codes are not unique regardless of case");
    codes.truncate(4);
    insta::assert_json_snapshot!(json);
}
