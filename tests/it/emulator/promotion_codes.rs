//! Promotion codes: the endive `promotion` shape and the uniqueness of active codes.

use serde_json::{json, Value};

use super::support::Emu;

async fn promo(emu: &Emu, code: &str) -> super::support::Answer {
    emu.post(
        "/v1/promotion_codes",
        &[
            ("promotion[type]", "coupon"),
            ("promotion[coupon]", "c"),
            ("code", code),
        ],
    )
    .await
}

#[tokio::test]
async fn a_promotion_code_has_every_field_stripe_returns() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let code = promo(&emu, "LAUNCH").await.ok().body;
    let id = code["id"].as_str().unwrap();
    assert!(
        id.starts_with("promo_") && id.len() == "promo_".len() + 24,
        "{id}"
    );
    let mut shape = code.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "promotion_code", "active": true, "code": "LAUNCH",
            "created": 0, "customer": null, "customer_account": null, "expires_at": null,
            "livemode": false, "max_redemptions": null, "metadata": {},
            "promotion": { "coupon": "c", "type": "coupon" },
            "restrictions": {
                "first_time_transaction": false, "minimum_amount": null,
                "minimum_amount_currency": null,
            },
            "times_redeemed": 0,
        })
    );
    let expanded = emu
        .get(&format!(
            "/v1/promotion_codes/{id}?expand[]=promotion.coupon"
        ))
        .await
        .ok()
        .body;
    assert_eq!(expanded["promotion"]["coupon"]["object"], "coupon");
}

#[tokio::test]
async fn promotion_is_required_and_names_an_existing_coupon() {
    let emu = Emu::start();
    emu.post("/v1/promotion_codes", &[("code", "X")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("promotion"),
            "Missing required param: promotion.",
        );
    emu.post("/v1/promotion_codes", &[("coupon", "c"), ("code", "X")])
        .await
        .unknown("coupon");
    promo(&emu, "X").await.invalid(
        Some("resource_missing"),
        Some("promotion[coupon]"),
        "No such coupon: 'c'",
    );
}

#[tokio::test]
async fn a_code_is_unique_among_active_codes_whatever_its_case() {
    let emu = Emu::start();
    emu.coupon("c").await;
    promo(&emu, "LAUNCH").await.ok();
    promo(&emu, "launch").await.invalid(
        Some("resource_already_exists"),
        Some("code"),
        "An active promotion code with `code: launch` already exists.",
    );
}

#[tokio::test]
async fn an_inactive_code_frees_the_code_and_cannot_come_back_while_taken() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let first = promo(&emu, "LAUNCH").await.ok().id();
    emu.post(
        &format!("/v1/promotion_codes/{first}"),
        &[("active", "false")],
    )
    .await
    .ok();
    let second = promo(&emu, "Launch").await.ok().id();
    assert_ne!(first, second);
    emu.post(
        &format!("/v1/promotion_codes/{first}"),
        &[("active", "true")],
    )
    .await
    .invalid(
        Some("resource_already_exists"),
        Some("code"),
        "An active promotion code with `code: LAUNCH` already exists.",
    );
}

#[tokio::test]
async fn the_code_filter_is_case_insensitive_and_sees_inactive_codes() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let first = promo(&emu, "LAUNCH").await.ok().id();
    emu.post(
        &format!("/v1/promotion_codes/{first}"),
        &[("active", "false")],
    )
    .await
    .ok();
    let second = promo(&emu, "launch").await.ok().id();
    promo(&emu, "OTHER").await.ok();
    let all = emu.get("/v1/promotion_codes?code=Launch").await.ok().body;
    let ids: Vec<&str> = all["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [second.as_str(), first.as_str()]);
    let active = emu
        .get("/v1/promotion_codes?code=LAUNCH&active=true")
        .await
        .ok()
        .body;
    assert_eq!(active["data"].as_array().unwrap().len(), 1);
    let by_coupon = emu.get("/v1/promotion_codes?coupon=c").await.ok().body;
    assert_eq!(by_coupon["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn a_code_is_generated_when_none_is_given() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let code = emu
        .post(
            "/v1/promotion_codes",
            &[("promotion[type]", "coupon"), ("promotion[coupon]", "c")],
        )
        .await
        .ok()
        .body;
    let text = code["code"].as_str().unwrap();
    assert_eq!(text.len(), 8);
    assert!(text
        .chars()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit()));
}

#[tokio::test]
async fn code_and_coupon_are_immutable() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let id = promo(&emu, "X").await.ok().id();
    let path = format!("/v1/promotion_codes/{id}");
    emu.post(&path, &[("code", "Y")]).await.unknown("code");
    emu.post(&path, &[("promotion[coupon]", "c")])
        .await
        .unknown("promotion");
    let updated = emu.post(&path, &[("metadata[k]", "v")]).await.ok().body;
    assert_eq!(updated["code"], "X");
    assert_eq!(updated["metadata"]["k"], Value::String("v".into()));
}

#[tokio::test]
async fn codes_take_letters_digits_and_dashes_only() {
    let emu = Emu::start();
    emu.coupon("c").await;
    promo(&emu, "NO SPACES").await.invalid(
        None,
        Some("code"),
        "Invalid code: NO SPACES. Codes may contain only letters (a-z, A-Z), digits (0-9) and \
         dashes (-), up to 500 characters.",
    );
}

#[tokio::test]
async fn a_customer_names_nothing_in_the_emulator() {
    let emu = Emu::start();
    emu.coupon("c").await;
    emu.post(
        "/v1/promotion_codes",
        &[
            ("promotion[type]", "coupon"),
            ("promotion[coupon]", "c"),
            ("customer", "cus_123"),
        ],
    )
    .await
    .invalid(
        Some("resource_missing"),
        Some("customer"),
        "No such customer: 'cus_123'",
    );
}

#[tokio::test]
async fn a_minimum_amount_comes_with_its_currency() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let base = [("promotion[type]", "coupon"), ("promotion[coupon]", "c")];
    let mut without = base.to_vec();
    without.push(("restrictions[minimum_amount]", "1000"));
    emu.post("/v1/promotion_codes", &without).await.invalid(
        Some("parameter_missing"),
        Some("restrictions[minimum_amount_currency]"),
        "Missing required param: restrictions[minimum_amount_currency].",
    );
    let mut with = without.clone();
    with.push(("restrictions[minimum_amount_currency]", "EUR"));
    let code = emu.post("/v1/promotion_codes", &with).await.ok().body;
    assert_eq!(
        code["restrictions"],
        json!({
            "first_time_transaction": false, "minimum_amount": 1000,
            "minimum_amount_currency": "eur",
        })
    );
}
