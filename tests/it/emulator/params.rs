//! Strict params, checked against the field table: unknown and immutable params, types,
//! enums, required params, empty strings, metadata.

use super::support::Emu;

#[tokio::test]
async fn an_unknown_param_is_parameter_unknown() {
    let emu = Emu::start();
    emu.post("/v1/products", &[("name", "A"), ("colour", "red")])
        .await
        .unknown("colour");
}

#[tokio::test]
async fn an_unknown_nested_param_names_its_full_path() {
    let emu = Emu::start();
    let product = emu.product("p").await;
    emu.post(
        "/v1/prices",
        &[
            ("product", &product),
            ("currency", "eur"),
            ("unit_amount", "100"),
            ("recurring[interval]", "month"),
            ("recurring[colour]", "red"),
        ],
    )
    .await
    .unknown("recurring[colour]");
}

#[tokio::test]
async fn an_immutable_param_sent_to_update_is_parameter_unknown() {
    let emu = Emu::start();
    let product = emu.product("p").await;
    let price = emu.price(&product, "k").await;
    emu.post(&format!("/v1/prices/{price}"), &[("unit_amount", "1000")])
        .await
        .unknown("unit_amount");
    emu.post(
        &format!("/v1/prices/{price}"),
        &[("recurring[interval]", "year")],
    )
    .await
    .unknown("recurring");
    emu.post("/v1/products/p", &[("id", "q")])
        .await
        .unknown("id");
}

#[tokio::test]
async fn a_wrong_type_says_what_was_expected() {
    let emu = Emu::start();
    let product = emu.product("p").await;
    emu.post(
        "/v1/prices",
        &[
            ("product", &product),
            ("currency", "eur"),
            ("unit_amount", "ten"),
        ],
    )
    .await
    .invalid(None, Some("unit_amount"), "Invalid integer: ten");
    emu.post("/v1/products", &[("name", "A"), ("active", "yes")])
        .await
        .invalid(None, Some("active"), "Invalid boolean: yes");
    emu.post(
        "/v1/coupons",
        &[("percent_off", "lots"), ("duration", "once")],
    )
    .await
    .invalid(None, Some("percent_off"), "Invalid decimal: lots");
}

#[tokio::test]
async fn a_bad_enum_value_lists_the_allowed_ones() {
    let emu = Emu::start();
    let product = emu.product("p").await;
    emu.post(
        "/v1/prices",
        &[
            ("product", &product),
            ("currency", "eur"),
            ("unit_amount", "100"),
            ("recurring[interval]", "fortnight"),
        ],
    )
    .await
    .invalid(
        None,
        Some("recurring[interval]"),
        "Invalid recurring[interval]: must be one of day, month, week, or year",
    );
}

#[tokio::test]
async fn missing_required_params_are_named() {
    let emu = Emu::start();
    emu.post("/v1/products", &[("description", "no name")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("name"),
            "Missing required param: name.",
        );
    let product = emu.product("p").await;
    emu.post("/v1/prices", &[("product", &product), ("unit_amount", "1")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("currency"),
            "Missing required param: currency.",
        );
    emu.post(
        "/v1/prices",
        &[
            ("product", &product),
            ("currency", "eur"),
            ("unit_amount", "1"),
            ("recurring[usage_type]", "licensed"),
        ],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("recurring[interval]"),
        "Missing required param: recurring[interval].",
    );
}

#[tokio::test]
async fn an_empty_string_clears_only_what_stripe_lets_you_clear() {
    let emu = Emu::start();
    emu.post(
        "/v1/products",
        &[("id", "p"), ("name", "A"), ("description", "d")],
    )
    .await
    .ok();
    let cleared = emu
        .post("/v1/products/p", &[("description", ""), ("images", "")])
        .await
        .ok();
    assert_eq!(cleared.body["description"], serde_json::Value::Null);
    assert_eq!(cleared.body["images"], serde_json::json!([]));
    emu.post("/v1/products/p", &[("name", "")]).await.invalid(
        None,
        Some("name"),
        "You passed an empty string for 'name'. We assume empty values are an attempt to \
         unset a parameter; however 'name' cannot be unset. You should remove 'name' from your \
         request or supply a non-empty value.",
    );
}

#[tokio::test]
async fn metadata_keys_are_set_unset_and_cleared() {
    let emu = Emu::start();
    emu.post(
        "/v1/products",
        &[
            ("id", "p"),
            ("name", "A"),
            ("metadata[a]", "1"),
            ("metadata[b]", "2"),
        ],
    )
    .await
    .ok();
    let unset = emu
        .post(
            "/v1/products/p",
            &[("metadata[a]", ""), ("metadata[c]", "3")],
        )
        .await
        .ok();
    assert_eq!(
        unset.body["metadata"],
        serde_json::json!({ "b": "2", "c": "3" })
    );
    let cleared = emu.post("/v1/products/p", &[("metadata", "")]).await.ok();
    assert_eq!(cleared.body["metadata"], serde_json::json!({}));
}

#[tokio::test]
async fn metadata_keys_longer_than_40_characters_are_refused() {
    let emu = Emu::start();
    let key = format!("metadata[{}]", "k".repeat(41));
    emu.post("/v1/products", &[("name", "A"), (&key, "v")])
        .await
        .invalid(
            None,
            Some(&key),
            &format!(
                "Metadata keys can have up to 40 characters, but you passed in a key that is 41 \
                 characters: {}",
                "k".repeat(41)
            ),
        );
}

#[tokio::test]
async fn retrieve_takes_only_expand() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.get("/v1/products/p?expand[]=default_price").await.ok();
    emu.get("/v1/products/p?limit=3").await.unknown("limit");
}

#[tokio::test]
async fn expand_is_accepted_on_create() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("unit_amount", "1"),
                ("expand[]", "product"),
                ("expand[]", "no.such.path"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(price["product"]["id"], "p");
}
