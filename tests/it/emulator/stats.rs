//! Request counters, in process and over HTTP.

use serde_json::json;

use super::support::Emu;

#[tokio::test]
async fn every_request_is_counted_by_method_and_route_whatever_the_answer() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.post("/v1/products", &[("id", "p"), ("name", "dup")])
        .await; // 400
    emu.get("/v1/products/p").await.ok();
    emu.get("/v1/products/nope").await; // 404
    emu.get("/v1/nothing").await; // unrecognized
    emu.client
        .get(emu.url("/v1/products"))
        .send()
        .await
        .unwrap(); // 401
    emu.delete("/v1/products/p").await.ok();
    let stats = emu.handle.stats();
    assert_eq!(stats.total, 7);
    assert_eq!(stats.posts(), 2);
    assert_eq!(stats.writes(), 3);
    assert_eq!(stats.route("POST /v1/products"), 2);
    assert_eq!(stats.route("GET /v1/products/{id}"), 2);
    assert_eq!(stats.route("GET /v1/products"), 1);
    assert_eq!(stats.route("DELETE /v1/products/{id}"), 1);
    assert_eq!(stats.route("GET (unrecognized)"), 1);
}

#[tokio::test]
async fn every_answer_is_counted_by_status() {
    let emu = Emu::start();
    emu.product("p").await; // 200
    emu.post("/v1/products", &[("id", "p"), ("name", "dup")])
        .await; // 400
    emu.get("/v1/products/nope").await; // 404
    emu.get("/v1/nothing").await; // 404 unrecognized
    emu.client
        .get(emu.url("/v1/products"))
        .send()
        .await
        .unwrap(); // 401
    let stats = emu.handle.stats();
    assert_eq!(stats.status(200), 1);
    assert_eq!(stats.status(400), 1);
    assert_eq!(stats.status(401), 1);
    assert_eq!(stats.status(404), 2);
    assert_eq!(stats.client_errors(), 4);
    emu.handle.reset_stats();
    assert_eq!(emu.handle.stats().client_errors(), 0);
}

#[tokio::test]
async fn reset_zeroes_the_counters() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.handle.reset_stats();
    assert_eq!(emu.handle.stats().total, 0);
    emu.get("/v1/products").await.ok();
    assert_eq!(emu.handle.stats().posts(), 0);
    assert_eq!(emu.handle.stats().total, 1);
}

#[tokio::test]
async fn the_counters_are_served_without_auth_and_not_counted() {
    let emu = Emu::start();
    emu.product("p").await;
    let served = emu
        .client
        .get(emu.url("/_emulator/stats"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let served: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(
        served,
        json!({
            "total": 1,
            "by_method": { "POST": 1 },
            "by_route": { "POST /v1/products": 1 },
            "by_status": { "200": 1 },
        })
    );
    let reset = emu
        .client
        .post(emu.url("/_emulator/stats/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    assert_eq!(emu.handle.stats().total, 0);
}
