//! Billing portal configurations: defaults, the default configuration, login page, filters.

use serde_json::{json, Value};

use super::support::Emu;

const PATH: &str = "/v1/billing_portal/configurations";

#[tokio::test]
async fn a_configuration_has_every_feature_with_stripes_defaults() {
    let emu = Emu::start();
    let configuration = emu
        .post(PATH, &[("features[invoice_history][enabled]", "true")])
        .await
        .ok()
        .body;
    let id = configuration["id"].as_str().unwrap();
    assert!(id.starts_with("bpc_"), "{id}");
    let mut shape = configuration.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    shape["updated"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "billing_portal.configuration", "active": true,
            "application": null,
            "business_profile": {
                "headline": null, "privacy_policy_url": null, "terms_of_service_url": null,
            },
            "created": 0, "default_return_url": null,
            "features": {
                "customer_update": { "allowed_updates": [], "enabled": false },
                "invoice_history": { "enabled": true },
                "payment_method_update": {
                    "enabled": false, "payment_method_configuration": null,
                },
                "subscription_cancel": {
                    "cancellation_reason": {
                        "enabled": false, "feedback_options": null, "options": [],
                    },
                    "enabled": false, "mode": "at_period_end", "proration_behavior": "none",
                },
                "subscription_pause": {
                    "duration": { "interval_options": [], "type": "indefinite" },
                    "enabled": false,
                },
                "subscription_update": {
                    "billing_cycle_anchor": null, "default_allowed_updates": [],
                    "enabled": false, "products": [], "proration_behavior": "none",
                    "schedule_at_period_end": { "conditions": [] },
                    "trial_update_behavior": "end_trial",
                },
            },
            "is_default": true, "livemode": false,
            "login_page": { "enabled": false, "url": null },
            "metadata": {}, "name": null, "updated": 0,
        })
    );
}

#[tokio::test]
async fn features_are_required_and_checked() {
    let emu = Emu::start();
    emu.post(PATH, &[("name", "x")]).await.invalid(
        Some("parameter_missing"),
        Some("features"),
        "Missing required param: features.",
    );
    emu.post(
        PATH,
        &[("features[customer_update][allowed_updates][0]", "email")],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("features[customer_update][enabled]"),
        "Missing required param: features[customer_update][enabled].",
    );
    emu.post(
        PATH,
        &[
            ("features[customer_update][enabled]", "true"),
            ("features[customer_update][allowed_updates][0]", "shoe_size"),
        ],
    )
    .await
    .invalid(
        None,
        Some("features[customer_update][allowed_updates][0]"),
        "Invalid features[customer_update][allowed_updates][0]: must be one of address, email, \
         name, phone, shipping, or tax_id",
    );
}

#[tokio::test]
async fn only_the_first_configuration_is_the_default() {
    let emu = Emu::start();
    let first = emu
        .post(PATH, &[("features[invoice_history][enabled]", "true")])
        .await
        .ok();
    let second = emu
        .post(PATH, &[("features[invoice_history][enabled]", "false")])
        .await
        .ok();
    assert_eq!(first.body["is_default"], true);
    assert_eq!(second.body["is_default"], false);
    let defaults = emu.get(&format!("{PATH}?is_default=true")).await.ok().body;
    assert_eq!(defaults["data"].as_array().unwrap().len(), 1);
    assert_eq!(defaults["data"][0]["id"], first.body["id"]);
    emu.post(
        &format!("{PATH}/{}", second.id()),
        &[("is_default", "true")],
    )
    .await
    .unknown("is_default");
}

#[tokio::test]
async fn an_update_merges_features_and_moves_updated() {
    let emu = Emu::start();
    let id = emu
        .post(
            PATH,
            &[
                ("features[invoice_history][enabled]", "true"),
                ("features[customer_update][enabled]", "true"),
                ("features[customer_update][allowed_updates][0]", "email"),
            ],
        )
        .await
        .ok()
        .id();
    let updated = emu
        .post(
            &format!("{PATH}/{id}"),
            &[
                ("features[customer_update][allowed_updates][0]", "address"),
                ("active", "false"),
                ("login_page[enabled]", "true"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(updated["features"]["invoice_history"]["enabled"], true);
    assert_eq!(
        updated["features"]["customer_update"],
        json!({ "allowed_updates": ["address"], "enabled": true })
    );
    assert_eq!(updated["active"], false);
    assert!(updated["login_page"]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://billing.stripe.com/p/login/test_"));
    let inactive = emu.get(&format!("{PATH}?active=false")).await.ok().body;
    assert_eq!(inactive["data"][0]["id"], Value::String(id));
}

#[tokio::test]
async fn subscription_update_products_must_exist() {
    let emu = Emu::start();
    emu.product("p").await;
    let price = emu.price("p", "k").await;
    emu.post(
        PATH,
        &[
            ("features[subscription_update][enabled]", "true"),
            (
                "features[subscription_update][products][0][product]",
                "nope",
            ),
            (
                "features[subscription_update][products][0][prices][0]",
                &price,
            ),
        ],
    )
    .await
    .invalid(
        Some("resource_missing"),
        Some("features[subscription_update][products][0][product]"),
        "No such product: 'nope'",
    );
    let ok = emu
        .post(
            PATH,
            &[
                ("features[subscription_update][enabled]", "true"),
                ("features[subscription_update][products][0][product]", "p"),
                (
                    "features[subscription_update][products][0][prices][0]",
                    &price,
                ),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(
        ok["features"]["subscription_update"]["products"],
        json!([{
            "adjustable_quantity": { "enabled": false, "maximum": null, "minimum": 0 },
            "prices": [price],
            "product": "p",
        }])
    );
}
