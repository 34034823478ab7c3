//! Webhook endpoints: the signing secret in the create response only, `status` for
//! `disabled`, strict event types, DELETE.

use serde_json::json;

use super::support::Emu;

const CREATE: &[(&str, &str)] = &[
    ("url", "https://acme.example/stripe/webhooks"),
    ("enabled_events[0]", "invoice.paid"),
    ("enabled_events[1]", "customer.subscription.updated"),
    ("description", "billing"),
];

#[tokio::test]
async fn the_secret_is_in_the_create_response_only() {
    let emu = Emu::start();
    let created = emu.post("/v1/webhook_endpoints", CREATE).await.ok().body;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("we_"), "{id}");
    let secret = created["secret"].as_str().unwrap();
    assert!(
        secret.starts_with("whsec_") && secret.len() > 30,
        "{secret}"
    );
    let mut shape = created.clone();
    for (field, placeholder) in [
        ("id", json!("ID")),
        ("created", json!(0)),
        ("secret", json!("S")),
    ] {
        shape[field] = placeholder;
    }
    assert_eq!(
        shape,
        json!({
            "id": "ID", "object": "webhook_endpoint", "api_version": null, "application": null,
            "created": 0, "description": "billing",
            "enabled_events": ["invoice.paid", "customer.subscription.updated"],
            "livemode": false, "metadata": {}, "secret": "S", "status": "enabled",
            "url": "https://acme.example/stripe/webhooks",
        })
    );
    let retrieved = emu
        .get(&format!("/v1/webhook_endpoints/{id}"))
        .await
        .ok()
        .body;
    assert!(retrieved.get("secret").is_none(), "{retrieved}");
    let listed = emu.get("/v1/webhook_endpoints").await.ok().body;
    assert_eq!(listed["data"][0]["id"], id.as_str());
    assert!(!listed.to_string().contains("whsec_"), "{listed}");
    let updated = emu
        .post(
            &format!("/v1/webhook_endpoints/{id}"),
            &[("description", "b2")],
        )
        .await
        .ok()
        .body;
    assert!(updated.get("secret").is_none(), "{updated}");
}

#[tokio::test]
async fn disabled_shows_as_status_and_updates_replace_the_events() {
    let emu = Emu::start();
    let id = emu.post("/v1/webhook_endpoints", CREATE).await.ok().id();
    let path = format!("/v1/webhook_endpoints/{id}");
    let off = emu
        .post(
            &path,
            &[
                ("disabled", "true"),
                ("enabled_events[0]", "*"),
                ("url", "https://acme.example/v2"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(off["status"], "disabled");
    assert!(off.get("disabled").is_none(), "{off}");
    assert_eq!(off["enabled_events"], json!(["*"]));
    assert_eq!(off["url"], "https://acme.example/v2");
    let on = emu.post(&path, &[("disabled", "false")]).await.ok().body;
    assert_eq!(on["status"], "enabled");
    // `disabled` is update-only, `api_version` and `connect` create-only.
    emu.post(
        "/v1/webhook_endpoints",
        &[CREATE, &[("disabled", "true")]].concat(),
    )
    .await
    .unknown("disabled");
    emu.post(&path, &[("connect", "true")])
        .await
        .unknown("connect");
    emu.post(&path, &[("api_version", "2026-10-28.endive")])
        .await
        .unknown("api_version");
}

#[tokio::test]
async fn event_types_and_api_versions_are_stripes() {
    let emu = Emu::start();
    let created = emu
        .post(
            "/v1/webhook_endpoints",
            &[
                CREATE,
                &[("api_version", "2026-10-28.endive"), ("connect", "true")],
            ]
            .concat(),
        )
        .await
        .ok()
        .body;
    assert_eq!(created["api_version"], "2026-10-28.endive");
    assert!(
        created.get("connect").is_none(),
        "never returned: {created}"
    );
    let answer = emu
        .post(
            "/v1/webhook_endpoints",
            &[
                ("url", "https://x.example"),
                ("enabled_events[0]", "invoice.payed"),
            ],
        )
        .await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(answer.body["error"]["param"], "enabled_events[0]");
    let answer = emu
        .post(
            "/v1/webhook_endpoints",
            &[CREATE, &[("api_version", "2099-01-01")]].concat(),
        )
        .await;
    assert_eq!(answer.body["error"]["param"], "api_version");
    emu.post("/v1/webhook_endpoints", &[("url", "https://x.example")])
        .await
        .invalid(
            Some("parameter_missing"),
            Some("enabled_events"),
            "Missing required param: enabled_events.",
        );
    // No list filter, not even `created`.
    emu.get("/v1/webhook_endpoints?created=1")
        .await
        .unknown("created");
}

#[tokio::test]
async fn an_endpoint_can_be_deleted() {
    let emu = Emu::start();
    let id = emu.post("/v1/webhook_endpoints", CREATE).await.ok().id();
    let path = format!("/v1/webhook_endpoints/{id}");
    let deleted = emu.delete(&path).await.ok().body;
    assert_eq!(
        deleted,
        json!({"id": id, "object": "webhook_endpoint", "deleted": true})
    );
    let missing = emu.get(&path).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["error"]["code"], "resource_missing");
}
