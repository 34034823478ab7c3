//! Ownership scopes over the emulator (issue 6): every object carries its catalog's scope,
//! orphans of the scope are listed, `--prune` deactivates only them; objects of another
//! scope and objects with no scope are never touched.

use serde_json::{json, Value};

use super::CATALOG;
use crate::support::{texts, Harness};

const SCRIPT: &str = "scripts/catalog.rhai";
const CAMPAIGN: &str = "scripts/campaigns/spring.rhai";

/// A campaign with its own product, price, coupon and code; scope `spring` (its file stem).
const SPRING: &str = r#"
product("spring_pack", #{ name: "Spring pack" });
price("spring_pack_once", #{ product: "spring_pack", currency: "eur", unit_amount: 500 });
coupon("spring_20", #{ percent_off: 20.0, duration: "once" });
promotion_code("SPRING", #{ coupon: "spring_20" });
"#;

/// `CATALOG` without the `plus` product, its price, the coupon and the code.
fn shrunk() -> String {
    CATALOG
        .replace("product(\"plus\", #{ name: \"Plus\" });\n", "")
        .replace(
            "price(\"plus_monthly\", #{ product: \"plus\", currency: \"eur\", unit_amount: 1900,\n                         recurring: #{ interval: \"month\" } });\n",
            "",
        )
        .replace(
            "coupon(\"launch_30\", #{ percent_off: 30.0, duration: \"repeating\", duration_in_months: 3 });\n",
            "",
        )
        .replace(
            "promotion_code(\"LAUNCH\", #{ coupon: \"launch_30\", max_redemptions: 500 });\n",
            "",
        )
        .replace(
            ",\n                   #{ product: \"plus\", prices: [\"plus_monthly\"] }",
            "",
        )
}

fn scope(object: &Value) -> Value {
    object["metadata"]["billingctl_scope"].clone()
}

#[test]
fn every_object_carries_the_scope_of_its_script() {
    let ctx = Harness::applied(CATALOG);
    let objects = [
        ctx.get("/v1/products/basic"),
        ctx.price("basic_monthly"),
        ctx.get("/v1/coupons/launch_30"),
        ctx.get("/v1/promotion_codes?code=LAUNCH")["data"][0].clone(),
        ctx.get("/v1/billing_portal/configurations")["data"][0].clone(),
    ];
    for object in &objects {
        assert_eq!(scope(object), "catalog", "{object}");
    }

    // `scope("...")` names the scope; objects already owned keep their scope (a script never
    // takes another catalog's objects), and new ones get the script's.
    ctx.write(
        SCRIPT,
        &format!("scope(\"pricing\");\n{CATALOG}\nproduct(\"team\", #{{ name: \"Team\" }});"),
    );
    ctx.reset_stats();
    let stdout = ctx.apply();
    assert!(
        stdout.contains("Applied: 1 created, 0 updated, 0 deactivated."),
        "{stdout}"
    );
    assert_eq!(scope(&ctx.get("/v1/products/basic")), "catalog");
    assert_eq!(scope(&ctx.get("/v1/products/team")), "pricing");
}

#[test]
fn orphans_are_listed_and_prune_touches_only_this_scope() {
    let ctx = Harness::applied(CATALOG);
    ctx.write(CAMPAIGN, SPRING);
    let output = ctx.command(&["run", CAMPAIGN, "--yes"]).output().unwrap();
    assert!(output.status.success(), "{}", texts(&output).1);
    assert_eq!(scope(&ctx.get("/v1/products/spring_pack")), "spring");
    // Made in the Dashboard: no scope at all.
    ctx.post(
        "/v1/products",
        json!({"id": "dashboard", "name": "Dashboard"}),
    );
    ctx.post(
        "/v1/prices",
        json!({"product": "dashboard", "currency": "eur", "unit_amount": 100,
               "lookup_key": "dashboard_once"}),
    );

    ctx.write(SCRIPT, &shrunk());
    ctx.reset_stats();
    let output = ctx
        .command(&["plan", SCRIPT, "-o", "json"])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let orphans: Vec<(String, String, bool)> = plan["orphans"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["object"].as_str().unwrap().to_owned(),
                o["key"].as_str().unwrap().to_owned(),
                o["pruned"].as_bool().unwrap(),
            )
        })
        .collect();
    let expected = [
        ("product", "plus", false),
        ("price", "plus_monthly", false),
        ("coupon", "launch_30", false),
        ("promotion_code", "LAUNCH", false),
    ]
    .map(|(o, k, p)| (o.to_owned(), k.to_owned(), p));
    assert_eq!(orphans, expected);
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["action"] != "deactivate"),
        "listing is not pruning: {plan:#}"
    );
    let output = ctx.command(&["plan", SCRIPT]).output().unwrap();
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains("Not in the script, but of its scope (orphans):"),
        "{stdout}"
    );
    assert!(stdout.contains("? price plus_monthly (price_"), "{stdout}");
    assert!(
        stdout.contains("Run with --prune to deactivate them."),
        "{stdout}"
    );
    assert_eq!(ctx.posts(), 0);

    let output = ctx
        .command(&["run", SCRIPT, "--prune", "--yes"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("! product plus (deactivate orphan)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("? coupon launch_30: a coupon has no `active`"),
        "{stdout}"
    );
    assert_eq!(ctx.get("/v1/products/plus")["active"], false);
    assert_eq!(
        ctx.get("/v1/prices?active=false&lookup_keys[]=plus_monthly")["data"][0]["active"],
        false
    );
    let launch = &ctx.get("/v1/promotion_codes?code=LAUNCH")["data"][0];
    assert_eq!(launch["active"], false);
    // The coupon is still there: listed, never deleted.
    assert_eq!(ctx.get("/v1/coupons/launch_30")["id"], "launch_30");

    // Another scope's objects and unmarked objects are untouched.
    assert_eq!(ctx.get("/v1/products/spring_pack")["active"], true);
    assert_eq!(ctx.price("spring_pack_once")["active"], true);
    assert_eq!(
        ctx.get("/v1/promotion_codes?code=SPRING")["data"][0]["active"],
        true
    );
    assert_eq!(ctx.get("/v1/products/dashboard")["active"], true);
    assert_eq!(ctx.price("dashboard_once")["active"], true);
    assert!(ctx.get("/v1/products/dashboard")["metadata"]
        .get("billingctl_scope")
        .is_none());

    // Pruned orphans are inactive: nothing more to do, and only the coupon is still listed.
    ctx.reset_stats();
    let output = ctx
        .command(&["run", SCRIPT, "--prune", "--yes"])
        .output()
        .unwrap();
    let (stdout, _) = texts(&output);
    assert!(stdout.contains("No changes."), "{stdout}");
    assert_eq!(ctx.posts(), 0);

    // The campaign, pruned from its own side, sees none of the main catalog's objects.
    let output = ctx
        .command(&["plan", CAMPAIGN, "--prune", "-o", "json"])
        .output()
        .unwrap();
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(plan["orphans"], json!([]));
    assert_eq!(plan["changes"], json!([]));
}

/// Before the fix, a script of scope `other` renamed a product of scope `catalog` silently.
#[test]
fn a_change_to_an_object_of_another_scope_is_a_conflict_naming_both_scopes() {
    let ctx = Harness::applied(CATALOG);
    ctx.write(
        "scripts/other.rhai",
        "scope(\"other\");\nproduct(\"basic\", #{ name: \"Renamed\" });\n",
    );
    ctx.reset_stats();
    let output = ctx
        .command(&["run", "scripts/other.rhai", "--yes"])
        .output()
        .expect("runs");
    let (_, stderr) = texts(&output);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("belongs to scope `catalog`, not to this catalog's scope `other`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("scope(\"catalog\")"),
        "the way out: {stderr}"
    );
    assert!(stderr.contains("scripts/other.rhai:2:1"), "{stderr}");
    assert_eq!(ctx.posts(), 0);
    // Declared as it is, the object is only referenced: no conflict.
    ctx.write(
        "scripts/other.rhai",
        "scope(\"other\");\nproduct(\"basic\", #{ name: \"Basic\" });\n",
    );
    let output = ctx
        .command(&["plan", "scripts/other.rhai"])
        .output()
        .expect("runs");
    assert!(output.status.success(), "{}", texts(&output).1);
}

#[test]
fn adopting_a_price_of_another_scope_by_id_takes_it_over_visibly() {
    let ctx = Harness::applied(CATALOG);
    let id = ctx.price("basic_monthly")["id"]
        .as_str()
        .expect("an id")
        .to_owned();
    ctx.write(
        "scripts/other.rhai",
        &format!(
            "scope(\"other\");\nproduct(\"basic\", #{{ name: \"Basic\" }});\n\
             price(\"basic_monthly\", #{{ product: \"basic\", currency: \"eur\", unit_amount: 900,\n\
             recurring: #{{ interval: \"month\" }}, nickname: \"Basic\", adopt: \"{id}\" }});\n"
        ),
    );
    let output = ctx
        .command(&["plan", "scripts/other.rhai"])
        .output()
        .expect("runs");
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains(&format!("(adopt {id})")), "{stdout}");
    assert!(stdout.contains("\"catalog\" -> \"other\""), "{stdout}");
}

/// Before the fix, a hand-made product declared by the script was taken over with nothing
/// in the plan saying so, and its `owner` metadata was removed (issue 12, item 3).
#[test]
fn an_object_made_by_hand_is_adopted_visibly_and_keeps_its_own_metadata() {
    let ctx = Harness::new();
    ctx.post(
        "/v1/products",
        json!({"id": "basic", "name": "Basic", "metadata": {"owner": "finance"}}),
    );
    ctx.post(
        "/v1/prices",
        json!({"product": "basic", "currency": "eur", "unit_amount": 900,
               "lookup_key": "basic_once", "metadata": {"team": "growth"}}),
    );
    let script = "product(\"basic\", #{ name: \"Basic plan\", metadata: #{ tier: \"1\" } });\n\
                  price(\"basic_once\", #{ product: \"basic\", currency: \"eur\", \
                  unit_amount: 900 });\n";
    ctx.write(SCRIPT, script);

    let output = ctx.command(&["plan", SCRIPT]).output().expect("runs");
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stderr}");
    assert!(stdout.contains("~ product basic (adopt)"), "{stdout}");
    assert!(
        stdout.contains("~ price basic_once (adopt price_"),
        "{stdout}"
    );
    assert!(
        stdout.contains("keeps metadata set outside billingctl: owner"),
        "{stdout}"
    );
    assert!(
        stdout.contains("keeps metadata set outside billingctl: team"),
        "{stdout}"
    );
    assert!(
        !stdout.contains("metadata[owner]"),
        "nothing removed: {stdout}"
    );
    assert!(
        stdout.contains("Plan: 0 to create, 2 to adopt, 0 to update"),
        "{stdout}"
    );
    let output = ctx
        .command(&["plan", SCRIPT, "-o", "json"])
        .output()
        .expect("runs");
    let plan: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(plan["changes"][0]["action"], "adopt", "{plan:#}");
    assert_eq!(plan["changes"][0]["kept_metadata"], json!(["owner"]));
    assert_eq!(plan["summary"]["adopt"], 2);

    let stdout = ctx.apply_script(SCRIPT);
    assert!(stdout.contains("2 adopted"), "{stdout}");
    let product = ctx.get("/v1/products/basic");
    assert_eq!(product["metadata"]["owner"], "finance");
    assert_eq!(product["metadata"]["tier"], "1");
    assert_eq!(scope(&product), "catalog");
    assert_eq!(ctx.price("basic_once")["metadata"]["team"], "growth");
    ctx.reset_stats();
    ctx.apply_script(SCRIPT);
    assert_eq!(ctx.posts(), 0, "adopted objects converge");

    // A key the script set and then drops is removed; the hand-made one stays.
    ctx.write(
        SCRIPT,
        &script.replace("metadata: #{ tier: \"1\" }", "metadata: #{}"),
    );
    ctx.apply_script(SCRIPT);
    let metadata = &ctx.get("/v1/products/basic")["metadata"];
    assert!(metadata.get("tier").is_none(), "{metadata}");
    assert_eq!(metadata["owner"], "finance");

    // `metadata_exact: true`: the script's metadata is the whole metadata.
    ctx.write(
        SCRIPT,
        &script.replace(
            "metadata: #{ tier: \"1\" }",
            "metadata: #{}, metadata_exact: true",
        ),
    );
    let output = ctx.command(&["plan", SCRIPT]).output().expect("runs");
    let (stdout, _) = texts(&output);
    assert!(
        stdout.contains("- metadata[owner] = \"finance\""),
        "{stdout}"
    );
    ctx.apply_script(SCRIPT);
    assert!(ctx.get("/v1/products/basic")["metadata"]
        .get("owner")
        .is_none());
    ctx.reset_stats();
    ctx.apply_script(SCRIPT);
    assert_eq!(ctx.posts(), 0, "exact metadata converges");
}
