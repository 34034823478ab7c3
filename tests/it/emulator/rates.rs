//! Tax rates and shipping rates: Stripe's shapes, `percentage` as Stripe prints it, the
//! immutable fields refused on update, currencies checked and lowercased, list filters.

use serde_json::json;

use super::support::Emu;

const TAX: &str = "/v1/tax_rates";
const SHIPPING: &str = "/v1/shipping_rates";

#[tokio::test]
async fn a_tax_rate_has_stripes_shape_and_a_whole_percentage() {
    let emu = Emu::start();
    let rate = emu
        .post(
            TAX,
            &[
                ("display_name", "VAT"),
                ("percentage", "19.0"),
                ("inclusive", "false"),
                ("country", "DE"),
                ("tax_type", "vat"),
            ],
        )
        .await
        .ok()
        .body;
    assert!(rate["id"].as_str().unwrap().starts_with("txr_"), "{rate}");
    let mut shape = rate.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "tax_rate", "active": true, "country": "DE", "created": 0,
            "description": null, "display_name": "VAT", "effective_percentage": null,
            "flat_amount": null, "inclusive": false, "jurisdiction": null,
            "jurisdiction_level": null, "livemode": false, "metadata": {}, "percentage": 19,
            "rate_type": null, "state": null, "tax_type": "vat",
        })
    );
    assert!(rate["percentage"].is_i64(), "Stripe prints 19, not 19.0");
    let decimal = emu
        .post(
            TAX,
            &[
                ("display_name", "MWST"),
                ("percentage", "8.1"),
                ("inclusive", "true"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(decimal["percentage"], 8.1);
}

#[tokio::test]
async fn a_tax_rates_percentage_and_inclusive_cannot_be_updated() {
    let emu = Emu::start();
    let id = emu
        .post(
            TAX,
            &[
                ("display_name", "VAT"),
                ("percentage", "19"),
                ("inclusive", "false"),
            ],
        )
        .await
        .ok()
        .id();
    let path = format!("{TAX}/{id}");
    emu.post(&path, &[("percentage", "20")])
        .await
        .unknown("percentage");
    emu.post(&path, &[("inclusive", "true")])
        .await
        .unknown("inclusive");
    let updated = emu
        .post(&path, &[("display_name", "USt."), ("active", "false")])
        .await
        .ok()
        .body;
    assert_eq!(
        (updated["display_name"].clone(), updated["active"].clone()),
        (json!("USt."), json!(false))
    );
    emu.get(&format!("{TAX}/txr_nope")).await.error(
        404,
        json!({
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such tax rate: 'txr_nope'",
            "param": "id",
            "type": "invalid_request_error",
        }),
    );
}

#[tokio::test]
async fn tax_rates_filter_by_active_and_inclusive() {
    let emu = Emu::start();
    let inclusive = emu
        .post(
            TAX,
            &[
                ("display_name", "VAT"),
                ("percentage", "19"),
                ("inclusive", "true"),
            ],
        )
        .await
        .ok()
        .id();
    let exclusive = emu
        .post(
            TAX,
            &[
                ("display_name", "Sales tax"),
                ("percentage", "7.25"),
                ("inclusive", "false"),
            ],
        )
        .await
        .ok()
        .id();
    emu.post(&format!("{TAX}/{exclusive}"), &[("active", "false")])
        .await
        .ok();
    let ids = |body: serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        ids(emu.get(&format!("{TAX}?inclusive=true")).await.ok().body),
        [inclusive]
    );
    assert_eq!(
        ids(emu.get(&format!("{TAX}?active=false")).await.ok().body),
        [exclusive]
    );
    assert_eq!(
        ids(emu
            .get(&format!("{TAX}?active=true&inclusive=false"))
            .await
            .ok()
            .body),
        Vec::<String>::new()
    );
    assert_eq!(ids(emu.get(TAX).await.ok().body).len(), 2);
}

#[tokio::test]
async fn a_shipping_rate_has_stripes_shape_with_lowercase_currencies() {
    let emu = Emu::start();
    let rate = emu
        .post(
            SHIPPING,
            &[
                ("display_name", "Ground shipping"),
                ("fixed_amount[amount]", "500"),
                ("fixed_amount[currency]", "USD"),
                ("delivery_estimate[minimum][unit]", "business_day"),
                ("delivery_estimate[minimum][value]", "3"),
            ],
        )
        .await
        .ok()
        .body;
    assert!(rate["id"].as_str().unwrap().starts_with("shr_"), "{rate}");
    let mut shape = rate.clone();
    shape["id"] = json!("ID");
    shape["created"] = json!(0);
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "shipping_rate", "active": true, "created": 0,
            "delivery_estimate": { "minimum": { "unit": "business_day", "value": 3 } },
            "display_name": "Ground shipping",
            "fixed_amount": { "amount": 500, "currency": "usd" },
            "livemode": false, "metadata": {}, "tax_behavior": "unspecified", "tax_code": null,
            "type": "fixed_amount",
        })
    );
}

#[tokio::test]
async fn a_shipping_rate_updates_only_its_currency_options_tax_behavior_and_active() {
    let emu = Emu::start();
    let id = emu
        .post(
            SHIPPING,
            &[
                ("display_name", "Express"),
                ("fixed_amount[amount]", "1500"),
                ("fixed_amount[currency]", "eur"),
                ("fixed_amount[currency_options][usd][amount]", "1650"),
            ],
        )
        .await
        .ok()
        .id();
    let path = format!("{SHIPPING}/{id}");
    emu.post(&path, &[("display_name", "Faster")])
        .await
        .unknown("display_name");
    emu.post(&path, &[("fixed_amount[amount]", "1")])
        .await
        .unknown("fixed_amount[amount]");
    emu.post(&path, &[("tax_code", "txcd_92010001")])
        .await
        .unknown("tax_code");
    let updated = emu
        .post(
            &path,
            &[
                (
                    "fixed_amount[currency_options][usd][tax_behavior]",
                    "inclusive",
                ),
                ("fixed_amount[currency_options][gbp][amount]", "1300"),
                ("tax_behavior", "exclusive"),
                ("active", "false"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(
        updated["fixed_amount"],
        json!({ "amount": 1500, "currency": "eur", "currency_options": {
            "gbp": { "amount": 1300, "tax_behavior": "unspecified" },
            "usd": { "amount": 1650, "tax_behavior": "inclusive" },
        } })
    );
    assert_eq!(
        (updated["tax_behavior"].clone(), updated["active"].clone()),
        (json!("exclusive"), json!(false))
    );
    // A shipping rate's tax behaviour is not set once (unlike a price's).
    let back = emu
        .post(&path, &[("tax_behavior", "inclusive")])
        .await
        .ok()
        .body;
    assert_eq!(back["tax_behavior"], "inclusive");
    emu.post(
        &path,
        &[(
            "fixed_amount[currency_options][jpy][tax_behavior]",
            "inclusive",
        )],
    )
    .await
    .invalid(
        Some("parameter_missing"),
        Some("fixed_amount[currency_options][jpy][amount]"),
        "Missing required param: fixed_amount[currency_options][jpy][amount].",
    );
}

#[tokio::test]
async fn shipping_rates_refuse_bad_currencies_and_filter_by_currency() {
    let emu = Emu::start();
    emu.post(
        SHIPPING,
        &[
            ("display_name", "X"),
            ("fixed_amount[amount]", "1"),
            ("fixed_amount[currency]", "xyz"),
        ],
    )
    .await
    .invalid(
        None,
        Some("fixed_amount[currency]"),
        "Invalid currency: xyz",
    );
    let eur = emu
        .post(
            SHIPPING,
            &[
                ("display_name", "EU"),
                ("fixed_amount[amount]", "500"),
                ("fixed_amount[currency]", "eur"),
            ],
        )
        .await
        .ok()
        .id();
    emu.post(
        SHIPPING,
        &[
            ("display_name", "US"),
            ("fixed_amount[amount]", "500"),
            ("fixed_amount[currency]", "usd"),
        ],
    )
    .await
    .ok();
    let listed = emu.get(&format!("{SHIPPING}?currency=eur")).await.ok().body;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [eur.as_str()]);
    emu.get(&format!("{SHIPPING}/shr_nope")).await.error(
        404,
        json!({
            "code": "resource_missing",
            "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
            "message": "No such shipping rate: 'shr_nope'",
            "param": "id",
            "type": "invalid_request_error",
        }),
    );
}

#[tokio::test]
async fn a_currency_option_is_not_the_rates_own_currency() {
    let emu = Emu::start();
    let own = "fixed_amount[currency_options][eur]";
    let message = "fixed_amount[currency_options] cannot include the rate's own currency (eur).";
    emu.post(
        SHIPPING,
        &[
            ("display_name", "X"),
            ("fixed_amount[amount]", "500"),
            ("fixed_amount[currency]", "eur"),
            ("fixed_amount[currency_options][eur][amount]", "500"),
        ],
    )
    .await
    .invalid(None, Some(own), message);
    let id = emu
        .post(
            SHIPPING,
            &[
                ("display_name", "X"),
                ("fixed_amount[amount]", "500"),
                ("fixed_amount[currency]", "eur"),
            ],
        )
        .await
        .ok()
        .id();
    emu.post(
        &format!("{SHIPPING}/{id}"),
        &[("fixed_amount[currency_options][eur][amount]", "400")],
    )
    .await
    .invalid(None, Some(own), message);
}
