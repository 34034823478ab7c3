//! Pacing over real HTTP: a 429 slows only the endpoint it came from, and an apply starts
//! independent endpoints side by side instead of level by level.

use serde_json::{json, Map};

use super::scripted::{client, fast_retry, Canned, Scripted};
use crate::support::billingctl_against;

#[tokio::test]
async fn a_429_on_one_endpoint_slows_that_endpoint_only() {
    let server = Scripted::start(
        vec![Canned::error(
            429,
            "invalid_request_error",
            "Too many requests",
        )],
        Some(Canned::ok(json!({"id": "promo_1"}))),
    )
    .await;
    let client = client(&server.base_url, fast_retry(3));
    let (before, _) = client.windows("POST", "/v1/coupons");
    client
        .post("/v1/promotion_codes", &Map::new())
        .await
        .expect("retried after the 429");
    assert_eq!(server.seen().len(), 2);
    let (codes, _) = client.windows("POST", "/v1/promotion_codes");
    let (coupons, _) = client.windows("POST", "/v1/coupons");
    assert!(
        codes < coupons,
        "codes' window {codes} shrank, coupons' {coupons} did not"
    );
    assert_eq!(coupons, before);
    // The rates: the endpoint's halved, another's and the account's untouched.
    // Cut to 20, recovering additively from there since.
    let codes_rate = client.rate("POST", "/v1/promotion_codes");
    assert!((20.0..24.0).contains(&codes_rate), "{codes_rate}");
    assert_eq!(client.rate("POST", "/v1/coupons"), 25.0);
    assert_eq!(client.stats().current_rps, 1_000.0);
    assert_eq!(client.stats().rate_limited, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn coupons_are_written_beside_products_not_after_them() {
    // Every request gets an empty list page that also has an id: lists find nothing, creates
    // succeed.
    let page = json!({"object": "list", "data": [], "has_more": false, "id": "obj_1"});
    let server = Scripted::start(vec![], Some(Canned::ok(page))).await;
    let dir = tempfile::tempdir().unwrap();
    let script: String = (0..20)
        .map(|i| {
            format!(
                "product(\"p{i:02}\", #{{ name: \"P{i}\" }});\n\
                 coupon(\"c{i:02}\", #{{ percent_off: 10.0, duration: \"once\" }});\n"
            )
        })
        .collect();
    std::fs::write(dir.path().join("catalog.rhai"), script).unwrap();
    let base = server.base_url.clone();
    let cwd = dir.path().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        billingctl_against(&cwd, &base, &["run", "catalog.rhai", "--yes"])
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let posts: Vec<String> = server
        .seen()
        .into_iter()
        .filter(|seen| seen.method == "POST")
        .map(|seen| seen.path)
        .collect();
    assert_eq!(posts.len(), 40, "{posts:?}");
    let first_coupon = posts.iter().position(|p| p == "/v1/coupons").unwrap();
    let last_product = posts.iter().rposition(|p| p == "/v1/products").unwrap();
    // Level by level, all 20 products would come first.
    assert!(first_coupon < last_product, "{posts:?}");
}
