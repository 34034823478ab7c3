//! Keys and the headers every response carries.

use serde_json::json;

use super::support::{answer, Emu, KEY};

#[tokio::test]
async fn a_request_without_a_key_is_401_in_stripes_shape() {
    let emu = Emu::start();
    let response = emu
        .client
        .get(emu.url("/v1/products"))
        .send()
        .await
        .unwrap();
    answer(response).await.error(
        401,
        json!({
            "message": "You did not provide an API key. You need to provide your API key in the \
                        Authorization header, using Bearer auth (e.g. 'Authorization: Bearer \
                        YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for \
                        details, or we can help at https://support.stripe.com/.",
            "type": "invalid_request_error",
        }),
    );
}

#[tokio::test]
async fn a_live_key_is_refused_without_echoing_it() {
    let emu = Emu::start();
    let key = "sk_live_secretsecretsecret1234";
    let response = emu
        .client
        .get(emu.url("/v1/products"))
        .bearer_auth(key)
        .send()
        .await
        .unwrap();
    let answer = answer(response).await;
    answer.error(
        401,
        json!({
            "message": "Invalid API Key provided: sk_live_…1234. The emulator accepts \
                        test-mode keys only (sk_test_... or rk_test_...).",
            "type": "invalid_request_error",
        }),
    );
    assert!(!answer.body.to_string().contains("secretsecret"));
}

#[tokio::test]
async fn basic_auth_with_the_key_as_user_and_restricted_keys_are_accepted() {
    let emu = Emu::start();
    let basic = emu
        .client
        .get(emu.url("/v1/products"))
        .basic_auth(KEY, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), 200);
    let restricted = emu
        .client
        .get(emu.url("/v1/products"))
        .bearer_auth("rk_test_restricted")
        .send()
        .await
        .unwrap();
    assert_eq!(restricted.status(), 200);
}

#[tokio::test]
async fn every_answer_carries_a_request_id_and_the_stripe_version() {
    let emu = Emu::start();
    let default = emu.get("/v1/products").await;
    assert!(default.header("request-id").unwrap().starts_with("req_"));
    assert_eq!(default.header("stripe-version"), Some("2026-10-28.endive"));

    let pinned = emu
        .client
        .get(emu.url("/v1/nothing"))
        .bearer_auth(KEY)
        .header("stripe-version", "2026-07-29.dahlia")
        .send()
        .await
        .unwrap();
    let pinned = answer(pinned).await;
    assert_eq!(pinned.header("stripe-version"), Some("2026-07-29.dahlia"));
    assert!(pinned.header("request-id").unwrap().starts_with("req_"));
    pinned.error(
        404,
        json!({
            "message": "Unrecognized request URL (GET: /v1/nothing). Please see \
                        https://stripe.com/docs or we can help at https://support.stripe.com/.",
            "type": "invalid_request_error",
        }),
    );
}

#[tokio::test]
async fn a_method_stripe_does_not_offer_is_an_unrecognized_url() {
    let emu = Emu::start();
    let product = emu.product("p").await;
    let price = emu.price(&product, "k").await;
    emu.delete(&format!("/v1/prices/{price}")).await.error(
        404,
        json!({
            "message": format!(
                "Unrecognized request URL (DELETE: /v1/prices/{price}). Please see \
                 https://stripe.com/docs or we can help at https://support.stripe.com/."
            ),
            "type": "invalid_request_error",
        }),
    );
}
