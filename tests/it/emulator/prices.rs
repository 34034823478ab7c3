//! Prices: shape and defaults, amounts, products, lookup keys and their transfer.

use serde_json::{json, Value};

use super::support::Emu;

#[tokio::test]
async fn a_recurring_price_has_stripes_defaults() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "EUR"),
                ("unit_amount", "2000"),
                ("recurring[interval]", "month"),
            ],
        )
        .await
        .ok()
        .body;
    let id = price["id"].as_str().unwrap();
    assert!(
        id.starts_with("price_") && id.len() == "price_".len() + 24,
        "{id}"
    );
    let mut shape = price.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "price", "active": true, "billing_scheme": "per_unit",
            "created": 0, "currency": "eur", "custom_unit_amount": null, "livemode": false,
            "lookup_key": null, "metadata": {}, "nickname": null, "product": "p",
            "recurring": {
                "interval": "month", "interval_count": 1, "meter": null,
                "trial_period_days": null, "usage_type": "licensed",
            },
            "tax_behavior": "unspecified", "tiers_mode": null, "transform_quantity": null,
            "type": "recurring", "unit_amount": 2000, "unit_amount_decimal": "2000",
        })
    );
}

#[tokio::test]
async fn a_one_time_price_from_a_decimal_amount() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "usd"),
                ("unit_amount_decimal", "12.5"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(price["type"], "one_time");
    assert_eq!(price["recurring"], Value::Null);
    assert_eq!(price["unit_amount"], Value::Null);
    assert_eq!(price["unit_amount_decimal"], "12.5");
}

#[tokio::test]
async fn an_amount_is_required_and_only_one_form_of_it() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.post("/v1/prices", &[("product", "p"), ("currency", "eur")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("unit_amount"),
            "Missing required param: unit_amount.",
        );
    emu.post(
        "/v1/prices",
        &[
            ("product", "p"),
            ("currency", "eur"),
            ("unit_amount", "1"),
            ("unit_amount_decimal", "1"),
        ],
    )
    .await
    .invalid(
        None,
        Some("unit_amount"),
        "You may only specify one of these parameters: unit_amount, unit_amount_decimal.",
    );
}

#[tokio::test]
async fn the_product_must_exist() {
    let emu = Emu::start();
    emu.post(
        "/v1/prices",
        &[
            ("product", "prod_nope"),
            ("currency", "eur"),
            ("unit_amount", "1"),
        ],
    )
    .await
    .invalid(
        Some("resource_missing"),
        Some("product"),
        "No such product: 'prod_nope'",
    );
    emu.post("/v1/prices", &[("currency", "eur"), ("unit_amount", "1")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("product"),
            "Missing required param: product.",
        );
}

#[tokio::test]
async fn product_data_creates_the_product_inline() {
    let emu = Emu::start();
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product_data[name]", "Inline"),
                ("currency", "eur"),
                ("unit_amount", "1"),
            ],
        )
        .await
        .ok()
        .body;
    let product = price["product"].as_str().unwrap();
    assert_eq!(
        emu.get(&format!("/v1/products/{product}")).await.ok().body["name"],
        "Inline"
    );
}

#[tokio::test]
async fn an_unsupported_currency_is_refused() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.post(
        "/v1/prices",
        &[("product", "p"), ("currency", "xyz"), ("unit_amount", "1")],
    )
    .await
    .invalid(None, Some("currency"), "Invalid currency: xyz");
}

#[tokio::test]
async fn a_lookup_key_belongs_to_one_price() {
    let emu = Emu::start();
    emu.product("p").await;
    let first = emu.price("p", "basic_monthly").await;
    let answer = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("unit_amount", "1000"),
                ("lookup_key", "basic_monthly"),
            ],
        )
        .await;
    answer.invalid(
        None,
        Some("lookup_key"),
        &format!("A price (`{first}`) already uses that lookup key."),
    );
    let second = emu.price("p", "other").await;
    emu.post(
        &format!("/v1/prices/{second}"),
        &[("lookup_key", "basic_monthly")],
    )
    .await
    .invalid(
        None,
        Some("lookup_key"),
        &format!("A price (`{first}`) already uses that lookup key."),
    );
    // An inactive price still holds its key.
    emu.post(&format!("/v1/prices/{first}"), &[("active", "false")])
        .await
        .ok();
    assert_eq!(
        emu.post(
            &format!("/v1/prices/{second}"),
            &[("lookup_key", "basic_monthly")]
        )
        .await
        .status,
        400
    );
}

#[tokio::test]
async fn transfer_lookup_key_on_create_moves_the_key() {
    let emu = Emu::start();
    emu.product("p").await;
    let old = emu.price("p", "basic_monthly").await;
    let new = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("unit_amount", "1000"),
                ("lookup_key", "basic_monthly"),
                ("transfer_lookup_key", "true"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(new["lookup_key"], "basic_monthly");
    assert!(new.get("transfer_lookup_key").is_none());
    let old = emu.get(&format!("/v1/prices/{old}")).await.ok().body;
    assert_eq!(old["lookup_key"], Value::Null);
    let listed = emu
        .get("/v1/prices?lookup_keys[]=basic_monthly")
        .await
        .ok()
        .body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    assert_eq!(listed["data"][0]["id"], new["id"]);
}

#[tokio::test]
async fn transfer_lookup_key_on_update_moves_the_key() {
    let emu = Emu::start();
    emu.product("p").await;
    let old = emu.price("p", "k").await;
    let new = emu.price("p", "k2").await;
    let moved = emu
        .post(
            &format!("/v1/prices/{new}"),
            &[("lookup_key", "k"), ("transfer_lookup_key", "true")],
        )
        .await
        .ok()
        .body;
    assert_eq!(moved["lookup_key"], "k");
    assert_eq!(
        emu.get(&format!("/v1/prices/{old}")).await.ok().body["lookup_key"],
        Value::Null
    );
    // The key the new price gave up is free again.
    let again = emu.price("p", "k2").await;
    assert_ne!(again, new);
}

#[tokio::test]
async fn a_refused_transfer_changes_nothing() {
    let emu = Emu::start();
    emu.product("p").await;
    let old = emu.price("p", "k").await;
    emu.post(
        "/v1/prices",
        &[
            ("product", "p"),
            ("currency", "eur"),
            ("lookup_key", "k"),
            ("transfer_lookup_key", "true"),
        ],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("unit_amount"),
        "Missing required param: unit_amount.",
    );
    assert_eq!(
        emu.get(&format!("/v1/prices/{old}")).await.ok().body["lookup_key"],
        "k"
    );
}

#[tokio::test]
async fn tax_behavior_cannot_change_once_set() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu.price("p", "k").await;
    emu.post(
        &format!("/v1/prices/{price}"),
        &[("tax_behavior", "exclusive")],
    )
    .await
    .ok();
    emu.post(
        &format!("/v1/prices/{price}"),
        &[("tax_behavior", "inclusive")],
    )
    .await
    .invalid(
        None,
        Some("tax_behavior"),
        "tax_behavior cannot be changed once it is set to exclusive or inclusive (it is \
             exclusive).",
    );
}

#[tokio::test]
async fn currency_options_and_tiers_are_shown_only_when_expanded() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("unit_amount", "900"),
                ("currency_options[usd][unit_amount]", "1000"),
            ],
        )
        .await
        .ok()
        .body;
    assert!(price.get("currency_options").is_none());
    assert!(price.get("tiers").is_none());
    let id = price["id"].as_str().unwrap();
    let expanded = emu
        .get(&format!(
            "/v1/prices/{id}?expand[]=currency_options&expand[]=product"
        ))
        .await
        .ok()
        .body;
    assert_eq!(
        expanded["currency_options"],
        json!({
            "eur": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                     "unit_amount": 900, "unit_amount_decimal": "900" },
            "usd": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                     "unit_amount": 1000, "unit_amount_decimal": "1000" },
        })
    );
    assert_eq!(expanded["product"]["object"], "product");
}

#[tokio::test]
async fn tiered_prices_need_tiers_and_a_mode() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.post(
        "/v1/prices",
        &[
            ("product", "p"),
            ("currency", "eur"),
            ("billing_scheme", "tiered"),
            ("tiers_mode", "graduated"),
            ("recurring[interval]", "month"),
        ],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("tiers"),
        "Missing required param: tiers.",
    );
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("billing_scheme", "tiered"),
                ("tiers_mode", "graduated"),
                ("recurring[interval]", "month"),
                ("tiers[0][up_to]", "10"),
                ("tiers[0][unit_amount]", "500"),
                ("tiers[1][up_to]", "inf"),
                ("tiers[1][unit_amount]", "400"),
                ("expand[]", "tiers"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(
        price["tiers"],
        json!([
            { "flat_amount": null, "flat_amount_decimal": null, "unit_amount": 500,
              "unit_amount_decimal": "500", "up_to": 10 },
            { "flat_amount": null, "flat_amount_decimal": null, "unit_amount": 400,
              "unit_amount_decimal": "400", "up_to": null },
        ])
    );
}

#[tokio::test]
async fn currency_options_can_be_cleared() {
    let emu = Emu::start();
    emu.product("p").await;
    let id = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("unit_amount", "900"),
                ("currency_options[usd][unit_amount]", "1000"),
            ],
        )
        .await
        .ok()
        .id();
    let changed = emu
        .post(
            &format!("/v1/prices/{id}"),
            &[
                ("currency_options[usd][unit_amount]", "1100"),
                ("expand[]", "currency_options"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(changed["currency_options"]["usd"]["unit_amount"], 1100);
    assert_eq!(
        changed["currency_options"]["usd"]["unit_amount_decimal"],
        "1100"
    );
    let cleared = emu
        .post(
            &format!("/v1/prices/{id}"),
            &[("currency_options", ""), ("expand[]", "currency_options")],
        )
        .await
        .ok()
        .body;
    assert_eq!(
        cleared["currency_options"],
        json!({ "eur": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                         "unit_amount": 900, "unit_amount_decimal": "900" } })
    );
}

#[tokio::test]
async fn an_update_cannot_name_the_price_s_own_currency_as_an_option() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu.price("p", "k").await;
    emu.post(
        &format!("/v1/prices/{price}"),
        &[("currency_options[eur][unit_amount]", "1")],
    )
    .await
    .invalid(
        None,
        Some("currency_options[eur]"),
        "You are specifying an update to a currency option that matches the top-level currency \
         for this price. Please remove this currency option and update the top-level params \
         instead.",
    );
}

#[tokio::test]
async fn tiers_end_with_inf_and_belong_to_tiered_prices() {
    let emu = Emu::start();
    emu.product("p").await;
    let base = [
        ("product", "p"),
        ("currency", "eur"),
        ("billing_scheme", "tiered"),
        ("tiers_mode", "volume"),
        ("recurring[interval]", "month"),
    ];
    let mut bounded = base.to_vec();
    bounded.extend([("tiers[0][up_to]", "10"), ("tiers[0][unit_amount]", "5")]);
    emu.post("/v1/prices", &bounded).await.invalid(
        None,
        Some("tiers"),
        "Invalid tiers: the last tier, and only the last, must have up_to=inf.",
    );
    let mut with_amount = base.to_vec();
    with_amount.extend([
        ("tiers[0][up_to]", "inf"),
        ("tiers[0][unit_amount]", "5"),
        ("unit_amount", "5"),
    ]);
    emu.post("/v1/prices", &with_amount).await.invalid(
        None,
        Some("unit_amount"),
        "unit_amount cannot be used when billing_scheme is tiered; price the tiers instead.",
    );
    emu.post(
        "/v1/prices",
        &[
            ("product", "p"),
            ("currency", "eur"),
            ("unit_amount", "5"),
            ("tiers_mode", "volume"),
        ],
    )
    .await
    .invalid(
        None,
        Some("tiers_mode"),
        "tiers_mode can only be used when billing_scheme is tiered.",
    );
}

#[tokio::test]
async fn a_metered_price_needs_a_meter() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.post(
        "/v1/prices",
        &[
            ("product", "p"),
            ("currency", "eur"),
            ("unit_amount", "5"),
            ("recurring[interval]", "month"),
            ("recurring[usage_type]", "metered"),
        ],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("recurring[meter]"),
        "Missing required param: recurring[meter].",
    );
}
