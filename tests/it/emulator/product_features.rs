//! Product features: attachments under `/v1/products/{product}/features`, the fixture's
//! shape, what Stripe refuses (an unknown product, an unknown or archived feature, the same
//! feature twice), per-product lists, and delete.

use serde_json::json;

use super::support::Emu;

async fn feature(emu: &Emu, key: &str) -> String {
    emu.post(
        "/v1/entitlements/features",
        &[("lookup_key", key), ("name", key)],
    )
    .await
    .ok()
    .id()
}

#[tokio::test]
async fn an_attachment_shows_the_feature_whole_and_no_product() {
    let emu = Emu::start();
    emu.product("basic").await;
    let api = feature(&emu, "api").await;
    let attached = emu
        .post(
            "/v1/products/basic/features",
            &[("entitlement_feature", &api)],
        )
        .await
        .ok()
        .body;
    let id = attached["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("prodft_") && id.len() == 21, "{id}");
    assert_eq!(
        attached,
        json!({"id": id, "object": "product_feature", "livemode": false,
               "entitlement_feature": {"id": api, "object": "entitlements.feature",
                   "active": true, "livemode": false, "lookup_key": "api", "metadata": {},
                   "name": "api"}})
    );
    let retrieved = emu
        .get(&format!("/v1/products/basic/features/{id}"))
        .await
        .ok()
        .body;
    assert_eq!(retrieved, attached);
}

#[tokio::test]
async fn stripe_refuses_what_cannot_be_attached() {
    let emu = Emu::start();
    emu.product("basic").await;
    let api = feature(&emu, "api").await;
    let missing = emu
        .post(
            "/v1/products/nope/features",
            &[("entitlement_feature", &api)],
        )
        .await;
    assert_eq!(missing.status, 404, "{}", missing.body);
    assert_eq!(missing.body["error"]["code"], "resource_missing");
    emu.post("/v1/products/basic/features", &[]).await.invalid(
        Some("parameter_missing"),
        Some("entitlement_feature"),
        "Missing required param: entitlement_feature.",
    );
    let unknown = emu
        .post(
            "/v1/products/basic/features",
            &[("entitlement_feature", "feat_nope")],
        )
        .await;
    assert_eq!(
        (unknown.status, &unknown.body["error"]["param"]),
        (400, &json!("entitlement_feature"))
    );
    emu.post(
        "/v1/products/basic/features",
        &[("entitlement_feature", &api)],
    )
    .await
    .ok();
    let twice = emu
        .post(
            "/v1/products/basic/features",
            &[("entitlement_feature", &api)],
        )
        .await;
    assert_eq!(twice.status, 400);
    assert_eq!(twice.body["error"]["code"], "resource_already_exists");
    let old = feature(&emu, "old").await;
    emu.post(
        &format!("/v1/entitlements/features/{old}"),
        &[("active", "false")],
    )
    .await
    .ok();
    let archived = emu
        .post(
            "/v1/products/basic/features",
            &[("entitlement_feature", &old)],
        )
        .await;
    assert_eq!(archived.status, 400, "{}", archived.body);
    assert_eq!(archived.body["error"]["param"], "entitlement_feature");
    // No update endpoint.
    let update = emu
        .post(
            &format!("/v1/products/basic/features/{}", "prodft_x"),
            &[("entitlement_feature", &api)],
        )
        .await;
    assert_eq!(update.status, 404, "{}", update.body);
}

#[tokio::test]
async fn lists_are_per_product_and_a_delete_detaches() {
    let emu = Emu::start();
    emu.product("basic").await;
    emu.product("pro").await;
    let api = feature(&emu, "api").await;
    let sso = feature(&emu, "sso").await;
    let basic_api = emu
        .post(
            "/v1/products/basic/features",
            &[("entitlement_feature", &api)],
        )
        .await
        .ok()
        .id();
    for feature in [&api, &sso] {
        emu.post(
            "/v1/products/pro/features",
            &[("entitlement_feature", feature)],
        )
        .await
        .ok();
    }
    let count = |body: serde_json::Value| body["data"].as_array().unwrap().len();
    assert_eq!(
        count(emu.get("/v1/products/basic/features").await.ok().body),
        1
    );
    assert_eq!(
        count(emu.get("/v1/products/pro/features").await.ok().body),
        2
    );
    // Under another product, the attachment is not found.
    let elsewhere = emu
        .get(&format!("/v1/products/pro/features/{basic_api}"))
        .await;
    assert_eq!(elsewhere.status, 404);
    let deleted = emu
        .delete(&format!("/v1/products/basic/features/{basic_api}"))
        .await
        .ok()
        .body;
    assert_eq!(
        deleted,
        json!({"id": basic_api, "object": "product_feature", "deleted": true})
    );
    assert_eq!(
        count(emu.get("/v1/products/basic/features").await.ok().body),
        0
    );
    let again = emu
        .delete(&format!("/v1/products/basic/features/{basic_api}"))
        .await;
    assert_eq!(again.status, 404);
}
