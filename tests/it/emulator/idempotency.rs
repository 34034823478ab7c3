//! `Idempotency-Key`: replay, mismatch, what is not saved.

use serde_json::json;

use super::support::Emu;

#[tokio::test]
async fn the_same_key_and_params_replay_the_first_answer() {
    let emu = Emu::start();
    let form = [("name", "A")];
    let first = emu
        .post_idempotent("/v1/products", &form, "key-1")
        .await
        .ok();
    assert_eq!(first.header("idempotent-replayed"), None);
    let again = emu
        .post_idempotent("/v1/products", &form, "key-1")
        .await
        .ok();
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    let listed = emu.get("/v1/products").await.ok().body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_same_key_with_other_params_is_an_idempotency_error() {
    let emu = Emu::start();
    emu.post_idempotent("/v1/products", &[("name", "A")], "key-1")
        .await
        .ok();
    emu.post_idempotent("/v1/products", &[("name", "B")], "key-1")
        .await
        .error(
            400,
            json!({
                "message": "Keys for idempotent requests can only be used with the same \
                            parameters they were first used with. Try using a key other than \
                            'key-1' if you meant to execute a different request.",
                "type": "idempotency_error",
            }),
        );
    // Another endpoint is another request too.
    emu.product("p").await;
    let other = emu
        .post_idempotent("/v1/products/p", &[("name", "A")], "key-1")
        .await;
    assert_eq!(other.body["error"]["type"], "idempotency_error");
}

#[tokio::test]
async fn business_rule_errors_are_replayed() {
    let emu = Emu::start();
    emu.product("p").await;
    let form = [("id", "p"), ("name", "Again")];
    let first = emu.post_idempotent("/v1/products", &form, "k").await;
    assert_eq!(first.status, 400);
    let again = emu.post_idempotent("/v1/products", &form, "k").await;
    assert_eq!(again.status, 400);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
}

#[tokio::test]
async fn requests_refused_by_param_checks_are_not_saved() {
    let emu = Emu::start();
    emu.post_idempotent("/v1/products", &[("nmae", "A")], "k")
        .await
        .unknown("nmae");
    // The key was not used up: a corrected request under it runs.
    let fixed = emu
        .post_idempotent("/v1/products", &[("name", "A")], "k")
        .await
        .ok();
    assert_eq!(fixed.header("idempotent-replayed"), None);
}

#[tokio::test]
async fn different_keys_make_different_objects() {
    let emu = Emu::start();
    let a = emu
        .post_idempotent("/v1/products", &[("name", "A")], "k1")
        .await
        .ok()
        .id();
    let b = emu
        .post_idempotent("/v1/products", &[("name", "A")], "k2")
        .await
        .ok()
        .id();
    assert_ne!(a, b);
}
