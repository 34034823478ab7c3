//! Billing meters in the emulator: the fixture's shape with `mtr_` ids, only `display_name`
//! updates, deactivate/reactivate, the `status` filter, one meter per event name, and a
//! price's `recurring[meter]` naming an existing, active meter.

use serde_json::json;

use super::support::Emu;

const CREATE: &[(&str, &str)] = &[
    ("event_name", "api_requests"),
    ("display_name", "API requests"),
    ("default_aggregation[formula]", "sum"),
];

#[tokio::test]
async fn a_meter_is_created_in_the_fixtures_shape() {
    let emu = Emu::start();
    let meter = emu.post("/v1/billing/meters", CREATE).await.ok();
    let id = meter.id();
    assert!(id.starts_with("mtr_"), "{id}");
    let mut body = meter.body.clone();
    for field in ["id", "created", "updated"] {
        body.as_object_mut().unwrap().remove(field);
    }
    assert_eq!(
        body,
        json!({
            "object": "billing.meter",
            "customer_mapping": {"event_payload_key": "stripe_customer_id", "type": "by_id"},
            "default_aggregation": {"formula": "sum"},
            "display_name": "API requests",
            "event_name": "api_requests",
            "event_time_window": null,
            "livemode": false,
            "status": "active",
            "status_transitions": {"deactivated_at": null},
            "value_settings": {"event_payload_key": "value"},
        })
    );
    let got = emu.get(&format!("/v1/billing/meters/{id}")).await.ok();
    assert_eq!(got.body, meter.body);
}

#[tokio::test]
async fn only_the_display_name_updates() {
    let emu = Emu::start();
    let id = emu.post("/v1/billing/meters", CREATE).await.ok().id();
    let path = format!("/v1/billing/meters/{id}");
    let updated = emu.post(&path, &[("display_name", "Requests")]).await.ok();
    assert_eq!(updated.body["display_name"], "Requests");
    emu.post(&path, &[("default_aggregation[formula]", "count")])
        .await
        .unknown("default_aggregation");
    emu.post(&path, &[("event_name", "other")])
        .await
        .unknown("event_name");
}

#[tokio::test]
async fn deactivate_and_reactivate_switch_the_status() {
    let emu = Emu::start();
    let id = emu.post("/v1/billing/meters", CREATE).await.ok().id();
    let off = emu
        .post(&format!("/v1/billing/meters/{id}/deactivate"), &[])
        .await
        .ok();
    assert_eq!(off.body["status"], "inactive");
    assert!(off.body["status_transitions"]["deactivated_at"].is_i64());
    emu.post(&format!("/v1/billing/meters/{id}/deactivate"), &[])
        .await
        .invalid(
            None,
            None,
            &format!("The billing meter {id} is already inactive."),
        );
    let on = emu
        .post(&format!("/v1/billing/meters/{id}/reactivate"), &[])
        .await
        .ok();
    assert_eq!(on.body["status"], "active");
    assert!(on.body["status_transitions"]["deactivated_at"].is_null());
    emu.post(&format!("/v1/billing/meters/{id}/reactivate"), &[])
        .await
        .invalid(
            None,
            None,
            &format!("The billing meter {id} is already active."),
        );
    emu.post(
        &format!("/v1/billing/meters/{id}/deactivate"),
        &[("display_name", "x")],
    )
    .await
    .unknown("display_name");
}

#[tokio::test]
async fn lists_filter_by_status() {
    let emu = Emu::start();
    let first = emu.post("/v1/billing/meters", CREATE).await.ok().id();
    let mut other = CREATE.to_vec();
    other[0] = ("event_name", "storage");
    let second = emu.post("/v1/billing/meters", &other).await.ok().id();
    emu.post(&format!("/v1/billing/meters/{first}/deactivate"), &[])
        .await
        .ok();
    let ids = |body: &serde_json::Value| -> Vec<String> {
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = emu.get("/v1/billing/meters").await.ok();
    assert_eq!(ids(&all.body), vec![second.clone(), first.clone()]);
    let active = emu.get("/v1/billing/meters?status=active").await.ok();
    assert_eq!(ids(&active.body), vec![second]);
    let inactive = emu.get("/v1/billing/meters?status=inactive").await.ok();
    assert_eq!(ids(&inactive.body), vec![first]);
}

#[tokio::test]
async fn an_event_name_belongs_to_one_meter_even_an_inactive_one() {
    let emu = Emu::start();
    let id = emu.post("/v1/billing/meters", CREATE).await.ok().id();
    let taken = "A meter with the event_name `api_requests` already exists.";
    emu.post("/v1/billing/meters", CREATE).await.invalid(
        Some("resource_already_exists"),
        Some("event_name"),
        taken,
    );
    emu.post(&format!("/v1/billing/meters/{id}/deactivate"), &[])
        .await
        .ok();
    emu.post("/v1/billing/meters", CREATE).await.invalid(
        Some("resource_already_exists"),
        Some("event_name"),
        taken,
    );
}

async fn metered_price(emu: &Emu, meter: &str) -> super::support::Answer {
    emu.post(
        "/v1/prices",
        &[
            ("product", "p"),
            ("currency", "eur"),
            ("unit_amount", "5"),
            ("recurring[interval]", "month"),
            ("recurring[usage_type]", "metered"),
            ("recurring[meter]", meter),
        ],
    )
    .await
}

#[tokio::test]
async fn a_price_names_an_existing_active_meter() {
    let emu = Emu::start();
    emu.product("p").await;
    metered_price(&emu, "mtr_nothing").await.invalid(
        Some("resource_missing"),
        Some("recurring[meter]"),
        "No such billing meter: 'mtr_nothing'",
    );
    let id = emu.post("/v1/billing/meters", CREATE).await.ok().id();
    let created = metered_price(&emu, &id).await.ok();
    assert_eq!(created.body["recurring"]["meter"], id.as_str());
    emu.post(&format!("/v1/billing/meters/{id}/deactivate"), &[])
        .await
        .ok();
    metered_price(&emu, &id).await.invalid(
        None,
        Some("recurring[meter]"),
        &format!("The billing meter {id} is inactive and cannot be attached to a price."),
    );
}
