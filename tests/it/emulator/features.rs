//! Entitlement features: the shape, the lookup key (≤ 80 characters, unique among active
//! features), updates, permanent archiving and the `archived` list filter.

use serde_json::json;

use super::support::Emu;

#[tokio::test]
async fn a_feature_has_the_fixtures_shape() {
    let emu = Emu::start();
    let feature = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "api"), ("name", "API access")],
        )
        .await
        .ok()
        .body;
    let id = feature["id"].as_str().unwrap();
    assert!(id.starts_with("feat_test_"), "{id}");
    let mut shape = feature.clone();
    shape["id"] = json!("ID");
    assert_eq!(
        shape,
        json!({"active": true, "id": "ID", "livemode": false, "lookup_key": "api",
               "metadata": {}, "name": "API access", "object": "entitlements.feature"})
    );
}

#[tokio::test]
async fn the_lookup_key_is_required_short_and_unique_among_active_features() {
    let emu = Emu::start();
    emu.post("/v1/entitlements/features", &[("name", "N")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("lookup_key"),
            "Missing required param: lookup_key.",
        );
    let long = "k".repeat(81);
    let answer = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", &long), ("name", "N")],
        )
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["error"]["param"], "lookup_key");
    let first = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "api"), ("name", "N")],
        )
        .await
        .ok()
        .id();
    let again = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "api"), ("name", "N")],
        )
        .await;
    assert_eq!(again.status, 400);
    assert_eq!(again.body["error"]["code"], "resource_already_exists");
    assert_eq!(again.body["error"]["param"], "lookup_key");
    // Archiving frees the key for a new feature.
    emu.post(
        &format!("/v1/entitlements/features/{first}"),
        &[("active", "false")],
    )
    .await
    .ok();
    let second = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "api"), ("name", "N")],
        )
        .await
        .ok()
        .id();
    assert_ne!(first, second);
}

#[tokio::test]
async fn only_name_metadata_and_active_update_and_archiving_is_permanent() {
    let emu = Emu::start();
    let id = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "api"), ("name", "N")],
        )
        .await
        .ok()
        .id();
    let path = format!("/v1/entitlements/features/{id}");
    let updated = emu
        .post(&path, &[("name", "API"), ("metadata[tier]", "1")])
        .await
        .ok()
        .body;
    assert_eq!(
        (&updated["name"], &updated["metadata"]["tier"]),
        (&json!("API"), &json!("1"))
    );
    emu.post(&path, &[("lookup_key", "other")])
        .await
        .unknown("lookup_key");
    emu.post(&path, &[("active", "false")]).await.ok();
    let answer = emu.post(&path, &[("active", "true")]).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["error"]["type"], "invalid_request_error");
    // Still there, archived.
    assert_eq!(emu.get(&path).await.ok().body["active"], false);
}

#[tokio::test]
async fn the_list_leaves_archived_features_out_unless_asked() {
    let emu = Emu::start();
    let archived = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "old"), ("name", "N")],
        )
        .await
        .ok()
        .id();
    emu.post(
        &format!("/v1/entitlements/features/{archived}"),
        &[("active", "false")],
    )
    .await
    .ok();
    let active = emu
        .post(
            "/v1/entitlements/features",
            &[("lookup_key", "new"), ("name", "N")],
        )
        .await
        .ok()
        .id();
    let ids = |body: serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let list = |query: &'static str| {
        let emu = &emu;
        async move {
            ids(emu
                .get(&format!("/v1/entitlements/features{query}"))
                .await
                .ok()
                .body)
        }
    };
    assert_eq!(list("").await, vec![active.clone()]);
    assert_eq!(list("?archived=false").await, vec![active.clone()]);
    assert_eq!(list("?archived=true").await, [archived]);
    assert_eq!(list("?lookup_key=new").await, [active]);
    assert!(list("?lookup_key=old").await.is_empty());
}
