//! Coupons: the discount rule, durations, custom ids, delete.

use serde_json::json;

use super::support::Emu;

#[tokio::test]
async fn a_coupon_has_every_field_stripe_returns() {
    let emu = Emu::start();
    let coupon = emu
        .post(
            "/v1/coupons",
            &[
                ("percent_off", "25.5"),
                ("duration", "repeating"),
                ("duration_in_months", "3"),
                ("name", "Launch"),
            ],
        )
        .await
        .ok()
        .body;
    let id = coupon["id"].as_str().unwrap();
    assert_eq!(id.len(), 8, "{id}");
    let mut shape = coupon.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "coupon", "amount_off": null, "created": 0, "currency": null,
            "duration": "repeating", "duration_in_months": 3, "livemode": false,
            "max_redemptions": null, "metadata": {}, "name": "Launch", "percent_off": 25.5,
            "redeem_by": null, "times_redeemed": 0, "valid": true,
        })
    );
}

#[tokio::test]
async fn duration_defaults_to_once_and_amount_off_takes_a_currency() {
    let emu = Emu::start();
    let coupon = emu
        .post("/v1/coupons", &[("amount_off", "500"), ("currency", "EUR")])
        .await
        .ok()
        .body;
    assert_eq!(coupon["duration"], "once");
    assert_eq!(coupon["currency"], "eur");
    assert_eq!(coupon["amount_off"], 500);
}

#[tokio::test]
async fn a_coupon_needs_exactly_one_discount() {
    let emu = Emu::start();
    emu.post("/v1/coupons", &[("duration", "once")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("percent_off"),
            "You must pass either percent_off or amount_off (with currency).",
        );
    emu.post(
        "/v1/coupons",
        &[
            ("percent_off", "10"),
            ("amount_off", "100"),
            ("currency", "eur"),
        ],
    )
    .await
    .invalid(
        None,
        Some("percent_off"),
        "You may only specify one of these parameters: amount_off, percent_off.",
    );
}

#[tokio::test]
async fn amount_off_without_currency_is_refused() {
    let emu = Emu::start();
    emu.post("/v1/coupons", &[("amount_off", "100")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("currency"),
            "You must pass currency when passing amount_off.",
        );
}

#[tokio::test]
async fn percent_off_must_be_within_0_and_100() {
    let emu = Emu::start();
    emu.post("/v1/coupons", &[("percent_off", "150")])
        .await
        .invalid(
            None,
            Some("percent_off"),
            "Invalid percent_off: must be greater than 0 and at most 100, got 150.",
        );
}

#[tokio::test]
async fn repeating_needs_duration_in_months_and_only_repeating_takes_it() {
    let emu = Emu::start();
    emu.post(
        "/v1/coupons",
        &[("percent_off", "10"), ("duration", "repeating")],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("duration_in_months"),
        "Missing required param: duration_in_months.",
    );
    emu.post(
        "/v1/coupons",
        &[
            ("percent_off", "10"),
            ("duration", "forever"),
            ("duration_in_months", "3"),
        ],
    )
    .await
    .invalid(
        None,
        Some("duration_in_months"),
        "duration_in_months can only be set when duration is repeating, but duration is \
         forever.",
    );
}

#[tokio::test]
async fn a_custom_coupon_id_cannot_be_reused() {
    let emu = Emu::start();
    emu.coupon("LAUNCH").await;
    emu.post("/v1/coupons", &[("id", "LAUNCH"), ("percent_off", "5")])
        .await
        .invalid(
            Some("resource_already_exists"),
            Some("id"),
            "Coupon already exists: a coupon with id 'LAUNCH' exists.",
        );
}

#[tokio::test]
async fn only_name_metadata_and_currency_options_change() {
    let emu = Emu::start();
    emu.coupon("c").await;
    let coupon = emu
        .post(
            "/v1/coupons/c",
            &[("name", "Renamed"), ("metadata[k]", "v")],
        )
        .await
        .ok()
        .body;
    assert_eq!(coupon["name"], "Renamed");
    assert_eq!(coupon["metadata"], json!({ "k": "v" }));
    emu.post("/v1/coupons/c", &[("percent_off", "50")])
        .await
        .unknown("percent_off");
    emu.post("/v1/coupons/c", &[("active", "false")])
        .await
        .unknown("active");
}

#[tokio::test]
async fn a_coupon_can_be_deleted() {
    let emu = Emu::start();
    emu.coupon("c").await;
    assert_eq!(
        emu.delete("/v1/coupons/c").await.ok().body,
        json!({ "id": "c", "object": "coupon", "deleted": true })
    );
    emu.get("/v1/coupons/c").await.error(
        404,
        json!({
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such coupon: 'c'",
            "param": "id",
            "type": "invalid_request_error",
        }),
    );
}

#[tokio::test]
async fn applies_to_names_existing_products_and_is_includable() {
    let emu = Emu::start();
    emu.post(
        "/v1/coupons",
        &[("percent_off", "5"), ("applies_to[products][0]", "nope")],
    )
    .await
    .invalid(
        Some("resource_missing"),
        Some("applies_to[products]"),
        "No such product: 'nope'",
    );
    emu.product("p").await;
    let coupon = emu
        .post(
            "/v1/coupons",
            &[
                ("id", "c"),
                ("percent_off", "5"),
                ("applies_to[products][0]", "p"),
            ],
        )
        .await
        .ok()
        .body;
    assert!(coupon.get("applies_to").is_none());
    let expanded = emu.get("/v1/coupons/c?expand[]=applies_to").await.ok().body;
    assert_eq!(expanded["applies_to"], json!({ "products": ["p"] }));
}
