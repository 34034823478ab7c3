//! Products: shape, custom ids, 404s, default prices, delete only without prices.

use serde_json::{json, Value};

use super::support::Emu;

#[tokio::test]
async fn a_product_has_every_field_stripe_returns() {
    let emu = Emu::start();
    let product = emu
        .post(
            "/v1/products",
            &[("name", "T-shirt"), ("marketing_features[0][name]", "Soft")],
        )
        .await
        .ok()
        .body;
    let id = product["id"].as_str().unwrap();
    assert!(
        id.starts_with("prod_") && id.len() == "prod_".len() + 14,
        "{id}"
    );
    let created = product["created"].as_i64().unwrap();
    assert!(created > 1_700_000_000);
    let mut shape = product.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    shape["updated"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "product", "active": true, "created": 0,
            "default_price": null, "description": null, "images": [], "livemode": false,
            "marketing_features": [{ "name": "Soft" }], "metadata": {}, "name": "T-shirt",
            "package_dimensions": null, "shippable": null, "statement_descriptor": null,
            "tax_code": null, "tax_details": null, "type": "service", "unit_label": null,
            "updated": 0, "url": null,
        })
    );
}

#[tokio::test]
async fn a_custom_id_is_kept_and_cannot_be_reused() {
    let emu = Emu::start();
    assert_eq!(emu.product("basic").await, "basic");
    emu.post("/v1/products", &[("id", "basic"), ("name", "Again")])
        .await
        .invalid(
            Some("resource_already_exists"),
            Some("id"),
            "Product already exists: a product with id 'basic' exists.",
        );
}

#[tokio::test]
async fn an_unknown_id_is_404_resource_missing() {
    let emu = Emu::start();
    let missing = emu.get("/v1/products/nope").await;
    missing.error(
        404,
        json!({
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such product: 'nope'",
            "param": "id",
            "type": "invalid_request_error",
        }),
    );
    assert_eq!(
        emu.post("/v1/products/nope", &[("name", "x")]).await.status,
        404
    );
    assert_eq!(emu.delete("/v1/products/nope").await.status, 404);
}

#[tokio::test]
async fn an_update_changes_only_what_it_names_and_moves_updated() {
    let emu = Emu::start();
    emu.post(
        "/v1/products",
        &[("id", "p"), ("name", "A"), ("description", "d")],
    )
    .await
    .ok();
    let updated = emu
        .post("/v1/products/p", &[("name", "B"), ("active", "false")])
        .await
        .ok()
        .body;
    assert_eq!(updated["name"], "B");
    assert_eq!(updated["active"], false);
    assert_eq!(updated["description"], "d");
    assert!(updated["updated"].as_i64() >= updated["created"].as_i64());
    assert_eq!(emu.get("/v1/products/p").await.ok().body, updated);
}

#[tokio::test]
async fn a_product_without_prices_can_be_deleted() {
    let emu = Emu::start();
    emu.product("p").await;
    let deleted = emu.delete("/v1/products/p").await.ok().body;
    assert_eq!(
        deleted,
        json!({ "id": "p", "object": "product", "deleted": true })
    );
    assert_eq!(emu.get("/v1/products/p").await.status, 404);
}

#[tokio::test]
async fn a_product_with_prices_cannot_be_deleted() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu.price("p", "k").await;
    emu.post(&format!("/v1/prices/{price}"), &[("active", "false")])
        .await
        .ok();
    emu.delete("/v1/products/p").await.invalid(
        None,
        None,
        "This product cannot be deleted because it has one or more user-created prices.",
    );
    emu.get("/v1/products/p").await.ok();
}

#[tokio::test]
async fn default_price_data_creates_the_default_price() {
    let emu = Emu::start();
    let product = emu
        .post(
            "/v1/products",
            &[
                ("id", "p"),
                ("name", "A"),
                ("default_price_data[currency]", "eur"),
                ("default_price_data[unit_amount]", "500"),
                ("default_price_data[recurring][interval]", "month"),
            ],
        )
        .await
        .ok()
        .body;
    let price_id = product["default_price"].as_str().unwrap();
    let price = emu.get(&format!("/v1/prices/{price_id}")).await.ok().body;
    assert_eq!(price["product"], "p");
    assert_eq!(price["unit_amount"], 500);
    assert_eq!(price["recurring"]["interval_count"], 1);
    let expanded = emu
        .get("/v1/products/p?expand[]=default_price")
        .await
        .ok()
        .body;
    assert_eq!(expanded["default_price"], price);
}

#[tokio::test]
async fn default_price_must_be_a_price_of_the_product() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.product("q").await;
    let other = emu.price("q", "k").await;
    emu.post("/v1/products/p", &[("default_price", &other)])
        .await
        .invalid(
            Some("resource_missing"),
            Some("default_price"),
            &format!("No such price: '{other}'"),
        );
    let own = emu.price("p", "own").await;
    let product = emu
        .post("/v1/products/p", &[("default_price", &own)])
        .await
        .ok()
        .body;
    assert_eq!(product["default_price"], Value::String(own));
}

#[tokio::test]
async fn default_price_data_is_create_only() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.post("/v1/products/p", &[("default_price_data[currency]", "eur")])
        .await
        .unknown("default_price_data");
}

#[tokio::test]
async fn the_default_price_cannot_be_archived() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu.price("p", "k").await;
    emu.post("/v1/products/p", &[("default_price", &price)])
        .await
        .ok();
    emu.post(&format!("/v1/prices/{price}"), &[("active", "false")])
        .await
        .invalid(
            None,
            None,
            "This price cannot be archived because it is the default price of its product.",
        );
    // Another default frees it.
    let other = emu.price("p", "other").await;
    emu.post("/v1/products/p", &[("default_price", &other)])
        .await
        .ok();
    emu.post(&format!("/v1/prices/{price}"), &[("active", "false")])
        .await
        .ok();
}

#[tokio::test]
async fn at_most_15_marketing_features() {
    let emu = Emu::start();
    let names: Vec<(String, String)> = (0..16)
        .map(|i| (format!("marketing_features[{i}][name]"), format!("F{i}")))
        .collect();
    let mut form: Vec<(&str, &str)> = vec![("name", "A")];
    form.extend(names.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    emu.post("/v1/products", &form).await.invalid(
        None,
        Some("marketing_features"),
        "Invalid marketing_features: a product can have at most 15 marketing features, got 16.",
    );
}
