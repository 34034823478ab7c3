//! Object shapes held against Stripe's reference, read from `$BILLINGCTL_STRIPE_REFERENCE` or
//! else `<repo>/../shared/stripe-reference` (skipped, with a message, where absent): for each
//! of the five objects, every key the emulator returns (nested ones included) is a response
//! field of Stripe's schema (`catalog-fields.json`), and every key of Stripe's example object
//! (`fixtures3.json`) is in the emulator's answer.

use std::path::PathBuf;

use serde_json::Value;

use super::support::Emu;

fn reference() -> Option<(Value, Value)> {
    let dir = match std::env::var_os("BILLINGCTL_STRIPE_REFERENCE") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/stripe-reference"),
    };
    let read = |name: &str| -> Option<Value> {
        let text = std::fs::read_to_string(dir.join(name)).ok()?;
        serde_json::from_str(&text).ok()
    };
    match (read("catalog-fields.json"), read("fixtures3.json")) {
        (Some(fields), Some(fixtures)) => Some((fields, fixtures)),
        _ => {
            eprintln!(
                "skipped: Stripe's reference is not at {} (set BILLINGCTL_STRIPE_REFERENCE)",
                dir.display()
            );
            None
        }
    }
}

/// Walks our object against the schema's properties and the fixture, collecting problems.
fn compare(
    ours: &Value,
    schema: &Value,
    fixture: Option<&Value>,
    at: &str,
    problems: &mut Vec<String>,
) {
    let Some(ours) = ours.as_object() else {
        return;
    };
    for key in ours.keys() {
        if schema.get(key).is_none() {
            problems.push(format!(
                "{at}{key}: not a field of Stripe's response schema"
            ));
        }
    }
    if let Some(Value::Object(fixture)) = fixture {
        for key in fixture.keys() {
            if !ours.contains_key(key) {
                problems.push(format!(
                    "{at}{key}: in Stripe's example object, not in ours"
                ));
            }
        }
    }
    for (key, value) in ours {
        let node = &schema[key];
        let example = fixture.and_then(|f| f.get(key));
        match value {
            Value::Object(_) if node["properties"].is_object() => {
                compare(
                    value,
                    &node["properties"],
                    example,
                    &format!("{at}{key}."),
                    problems,
                );
            }
            Value::Array(items) if node["items"]["properties"].is_object() => {
                for (i, item) in items.iter().enumerate() {
                    let example = example.and_then(|e| e.get(0));
                    let at = format!("{at}{key}[{i}].");
                    compare(item, &node["items"]["properties"], example, &at, problems);
                }
            }
            _ => {}
        }
    }
}

async fn check(emu: &Emu, resource: &str, path: &str, fields: &Value, fixtures: &Value) {
    let ours = emu.get(path).await.ok().body;
    let schema = &fields["resources"][resource]["response_fields"];
    let fixture = &fixtures["resources"][resource];
    let mut problems = Vec::new();
    compare(&ours, schema, Some(fixture), "", &mut problems);
    assert!(
        problems.is_empty(),
        "{resource}:\n{}\n{ours:#}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn every_object_has_stripes_shape() {
    let Some((fields, fixtures)) = reference() else {
        return;
    };
    let emu = Emu::start();
    emu.post(
        "/v1/products",
        &[
            ("id", "p"),
            ("name", "T-shirt"),
            ("marketing_features[0][name]", "Soft"),
            ("package_dimensions[height]", "1"),
            ("package_dimensions[length]", "2"),
            ("package_dimensions[weight]", "3"),
            ("package_dimensions[width]", "4"),
        ],
    )
    .await
    .ok();
    let price = emu
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "usd"),
                ("unit_amount", "2000"),
                ("recurring[interval]", "month"),
                ("transform_quantity[divide_by]", "10"),
                ("transform_quantity[round]", "down"),
                ("currency_options[eur][unit_amount]", "1800"),
                ("lookup_key", "k"),
            ],
        )
        .await
        .ok()
        .id();
    emu.post("/v1/products/p", &[("default_price", &price)])
        .await
        .ok();
    emu.post(
        "/v1/coupons",
        &[("id", "c"), ("percent_off", "25.5"), ("duration", "once")],
    )
    .await
    .ok();
    let promo = emu
        .post(
            "/v1/promotion_codes",
            &[
                ("promotion[type]", "coupon"),
                ("promotion[coupon]", "c"),
                ("code", "FALL20"),
            ],
        )
        .await
        .ok()
        .id();
    let portal = emu
        .post(
            "/v1/billing_portal/configurations",
            &[
                ("features[invoice_history][enabled]", "true"),
                ("features[subscription_update][enabled]", "true"),
                ("features[subscription_update][products][0][product]", "p"),
                (
                    "features[subscription_update][products][0][prices][0]",
                    &price,
                ),
                ("business_profile[headline]", "Hi"),
            ],
        )
        .await
        .ok()
        .id();

    check(&emu, "product", "/v1/products/p", &fields, &fixtures).await;
    let price_path = format!("/v1/prices/{price}?expand[]=currency_options&expand[]=tiers");
    check(&emu, "price", &price_path, &fields, &fixtures).await;
    check(&emu, "coupon", "/v1/coupons/c", &fields, &fixtures).await;
    let promo_path = format!("/v1/promotion_codes/{promo}");
    check(&emu, "promotion_code", &promo_path, &fields, &fixtures).await;
    let portal_path = format!("/v1/billing_portal/configurations/{portal}");
    check(
        &emu,
        "billing_portal.configuration",
        &portal_path,
        &fields,
        &fixtures,
    )
    .await;
}

#[tokio::test]
async fn tax_and_shipping_rates_have_stripes_shape() {
    let Some((fields, fixtures)) = reference() else {
        return;
    };
    let emu = Emu::start();
    let tax = emu
        .post(
            "/v1/tax_rates",
            &[
                ("display_name", "VAT"),
                ("percentage", "19"),
                ("inclusive", "false"),
                ("country", "DE"),
                ("jurisdiction", "DE"),
                ("description", "VAT Germany"),
                ("tax_type", "vat"),
            ],
        )
        .await
        .ok()
        .id();
    let shipping = emu
        .post(
            "/v1/shipping_rates",
            &[
                ("display_name", "Ground shipping"),
                ("fixed_amount[amount]", "500"),
                ("fixed_amount[currency]", "usd"),
                ("delivery_estimate[minimum][unit]", "month"),
                ("delivery_estimate[minimum][value]", "1"),
                ("delivery_estimate[maximum][unit]", "month"),
                ("delivery_estimate[maximum][value]", "2"),
            ],
        )
        .await
        .ok()
        .id();
    let tax_path = format!("/v1/tax_rates/{tax}");
    check(&emu, "tax_rate", &tax_path, &fields, &fixtures).await;
    let shipping_path = format!("/v1/shipping_rates/{shipping}");
    check(&emu, "shipping_rate", &shipping_path, &fields, &fixtures).await;
}
