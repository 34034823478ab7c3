//! Connect: the platform creates and lists connected accounts, and `Stripe-Account` selects
//! one, isolated from the platform and from the others: its own objects and uniqueness, its
//! own idempotency keys, rate-limit windows and counters; an account the platform does not
//! hold is Stripe's 403.

use billingctl::emulator::{EmulatorKnobs, EmulatorOptions};
use serde_json::json;

use super::support::{Answer, Emu};
use crate::support::TEST_NOW;

/// Stripe's refusal of a `Stripe-Account` the key cannot reach (the key shows redacted).
#[track_caller]
fn assert_not_held(answer: &Answer, account: &str) {
    answer.error(
        403,
        json!({
            "code": "account_invalid",
            "doc_url": "https://stripe.com/docs/error-codes/account-invalid",
            "message": format!(
                "The provided key 'sk_test_…0000' does not have access to account '{account}' \
                 (or that account does not exist). Application access may have been revoked."
            ),
            "type": "invalid_request_error",
        }),
    );
}

#[tokio::test]
async fn the_platform_creates_lists_and_retrieves_its_accounts() {
    let emu = Emu::start();
    let first = emu
        .post(
            "/v1/accounts",
            &[
                ("type", "express"),
                ("country", "fr"),
                ("email", "owner@example.com"),
                ("metadata[tenant]", "t1"),
            ],
        )
        .await
        .ok();
    let body = &first.body;
    let id = first.id();
    assert!(
        id.starts_with("acct_") && id.len() == "acct_".len() + 16,
        "{id}"
    );
    assert_eq!(body["object"], "account");
    assert_eq!(body["type"], "express");
    assert_eq!(body["country"], "FR");
    assert_eq!(body["email"], "owner@example.com");
    assert_eq!(body["metadata"], json!({"tenant": "t1"}));
    assert_eq!(body["created"], TEST_NOW);
    assert_eq!(body["charges_enabled"], false);
    assert_eq!(body["controller"]["type"], "application");
    assert_eq!(body["controller"]["stripe_dashboard"]["type"], "express");
    let second = emu.account().await;
    let third = emu.account().await;

    let listed = emu.get("/v1/accounts").await.ok().body;
    let ids: Vec<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [third.as_str(), second.as_str(), id.as_str()],
        "newest first"
    );
    assert_eq!(listed["url"], "/v1/accounts");
    assert_eq!(listed["has_more"], false);
    let page = emu.get("/v1/accounts?limit=2").await.ok().body;
    assert_eq!(page["has_more"], true);
    let rest = emu
        .get(&format!("/v1/accounts?starting_after={second}"))
        .await
        .ok()
        .body;
    assert_eq!(rest["data"][0]["id"], id.as_str());
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
    emu.get("/v1/accounts?starting_after=acct_nope")
        .await
        .invalid(
            Some("resource_missing"),
            Some("starting_after"),
            "No such account: 'acct_nope'",
        );
    let created = emu
        .get(&format!("/v1/accounts?created[gt]={}", TEST_NOW - 1))
        .await
        .ok()
        .body;
    assert_eq!(created["data"].as_array().unwrap().len(), 3);

    let retrieved = emu.get(&format!("/v1/accounts/{id}")).await.ok();
    assert_eq!(retrieved.body, first.body);
    assert_not_held(&emu.get("/v1/accounts/acct_nope").await, "acct_nope");
}

#[tokio::test]
async fn an_account_is_created_from_a_type_or_controller_properties_with_strict_params() {
    let emu = Emu::start();
    let custom = emu
        .post(
            "/v1/accounts",
            &[
                ("controller[stripe_dashboard][type]", "none"),
                ("controller[requirement_collection]", "application"),
            ],
        )
        .await
        .ok()
        .body;
    assert_eq!(custom["type"], "none");
    assert_eq!(
        custom["controller"]["requirement_collection"],
        "application"
    );
    emu.post("/v1/accounts", &[]).await.invalid(
        Some("parameter_missing"),
        Some("type"),
        "Missing required param: type.",
    );
    emu.post(
        "/v1/accounts",
        &[("type", "standard"), ("tos_acceptance[ip]", "1.2.3.4")],
    )
    .await
    .unknown("tos_acceptance");
    emu.post("/v1/accounts", &[("type", "gold")]).await.invalid(
        None,
        Some("type"),
        "Invalid type: must be one of custom, express, or standard",
    );
    assert_eq!(
        emu.handle.accounts().len(),
        1,
        "only the valid one was created"
    );
}

#[tokio::test]
async fn a_connected_account_cannot_reach_the_platforms_accounts() {
    let emu = Emu::start();
    let a = emu.account().await;
    let b = emu.account().await;
    let refused = json!({
        "message": "You cannot access the connected accounts of your platform's connected \
                    accounts.",
        "type": "invalid_request_error",
    });
    let on_a = emu.on(&a);
    on_a.get("/v1/accounts").await.error(403, refused.clone());
    on_a.post("/v1/accounts", &[("type", "standard")])
        .await
        .error(403, refused.clone());
    on_a.get(&format!("/v1/accounts/{b}"))
        .await
        .error(403, refused);
    // Its own account: the header names it anyway.
    let own = on_a.get(&format!("/v1/accounts/{a}")).await.ok();
    assert_eq!(own.body["id"], a.as_str());
    assert_eq!(emu.handle.accounts(), [a, b], "nothing was created");
}

#[tokio::test]
async fn a_stripe_account_the_platform_does_not_hold_is_refused_before_anything() {
    let emu = Emu::start();
    let unknown = emu.on("acct_0000000000000000");
    let refused = unknown
        .post("/v1/products", &[("id", "p"), ("name", "P")])
        .await;
    assert_not_held(&refused, "acct_0000000000000000");
    assert_eq!(
        refused.header("stripe-account"),
        Some("acct_0000000000000000")
    );
    assert_not_held(&unknown.get("/v1/products").await, "acct_0000000000000000");
    // Nothing was created, in the platform either.
    assert_eq!(emu.get("/v1/products/p").await.status, 404);
    // Counted in the totals only: no account holds it.
    let stats = emu.handle.stats();
    assert_eq!(stats.status(403), 2);
    assert_eq!(emu.handle.platform_stats().status(403), 0);
    // A missing key is still the 401 it was.
    let anonymous = emu
        .client
        .get(emu.url("/v1/products"))
        .header("stripe-account", "acct_0000000000000000")
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn each_account_has_its_own_objects_ids_and_lookup_keys() {
    let emu = Emu::start();
    let (a, b) = (emu.account().await, emu.account().await);
    // The same product id and lookup key in the platform and in two accounts.
    emu.product("basic").await;
    let platform_price = emu.price("basic", "basic_monthly").await;
    let a_price = emu
        .on(&a)
        .price(&emu.on(&a).product("basic").await, "basic_monthly")
        .await;
    let b_price = emu
        .on(&b)
        .price(&emu.on(&b).product("basic").await, "basic_monthly")
        .await;
    assert_ne!(a_price, b_price);
    for (account, price) in [
        (None, &platform_price),
        (Some(&a), &a_price),
        (Some(&b), &b_price),
    ] {
        let found = emu
            .send_as(
                account.map(String::as_str),
                reqwest::Method::GET,
                "/v1/prices?lookup_keys[]=basic_monthly",
                &[],
                None,
            )
            .await
            .ok()
            .body;
        let data = found["data"].as_array().unwrap();
        assert_eq!(data.len(), 1, "{account:?}");
        assert_eq!(data[0]["id"], price.as_str(), "{account:?}");
    }
    // Within one account the key is still unique.
    let taken = emu
        .on(&a)
        .post(
            "/v1/prices",
            &[
                ("product", "basic"),
                ("currency", "eur"),
                ("unit_amount", "1"),
                ("lookup_key", "basic_monthly"),
            ],
        )
        .await;
    assert_eq!(taken.status, 400);
    assert_eq!(taken.body["error"]["param"], "lookup_key");
    // One account's objects are not another's: not found, not referable, not listed.
    emu.on(&b).product("only_b").await;
    assert_eq!(emu.on(&a).get("/v1/products/only_b").await.status, 404);
    assert_eq!(emu.get("/v1/products/only_b").await.status, 404);
    emu.on(&a)
        .post(
            "/v1/prices",
            &[
                ("product", "only_b"),
                ("currency", "eur"),
                ("unit_amount", "1"),
            ],
        )
        .await
        .invalid(
            Some("resource_missing"),
            Some("product"),
            "No such product: 'only_b'",
        );
    let listed = emu.on(&a).get("/v1/products").await.ok().body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 1);
    // The header is echoed, as Stripe does.
    let answered = emu.on(&a).get("/v1/products/basic").await.ok();
    assert_eq!(answered.header("stripe-account"), Some(a.as_str()));
    assert_eq!(
        emu.get("/v1/products/basic").await.header("stripe-account"),
        None
    );
}

#[tokio::test]
async fn idempotency_keys_belong_to_one_account() {
    let emu = Emu::start();
    let (a, b) = (emu.account().await, emu.account().await);
    let first = emu
        .on(&a)
        .post_idempotent("/v1/products", &[("name", "A")], "key-1")
        .await
        .ok();
    // The same key in another account (and in the platform) is another request entirely.
    let other = emu
        .on(&b)
        .post_idempotent("/v1/products", &[("name", "B")], "key-1")
        .await
        .ok();
    assert_eq!(other.header("idempotent-replayed"), None);
    assert_ne!(other.id(), first.id());
    emu.post_idempotent("/v1/products", &[("name", "P")], "key-1")
        .await
        .ok();
    // Within the account it replays, or refuses other params.
    let again = emu
        .on(&a)
        .post_idempotent("/v1/products", &[("name", "A")], "key-1")
        .await
        .ok();
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body);
    let mismatch = emu
        .on(&a)
        .post_idempotent("/v1/products", &[("name", "X")], "key-1")
        .await;
    assert_eq!(mismatch.body["error"]["type"], "idempotency_error");
    for account in [&a, &b] {
        let listed = emu.on(account).get("/v1/products").await.ok().body;
        assert_eq!(listed["data"].as_array().unwrap().len(), 1, "{account}");
    }
}

#[tokio::test]
async fn rate_limits_hold_per_account() {
    let emu = Emu::with_knobs(EmulatorKnobs {
        rate_limit: 2,
        ..EmulatorKnobs::default()
    });
    // Made without a request: no window is touched.
    let a = emu.handle.create_account(&[]).unwrap();
    let b = emu.handle.create_account(&[("tier", "b")]).unwrap();
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(emu.on(&a).get("/v1/products").await.status);
    }
    // A's window is full; B's and the platform's are their own.
    assert_eq!(statuses, [200, 200, 429]);
    assert_eq!(emu.on(&b).get("/v1/products").await.status, 200);
    assert_eq!(emu.on(&b).get("/v1/products").await.status, 200);
    assert_eq!(emu.get("/v1/products").await.status, 200);
    assert_eq!(emu.handle.account_stats(&a).status(429), 1);
    assert_eq!(emu.handle.account_stats(&b).status(429), 0);
    assert_eq!(
        emu.handle.stats().total,
        6,
        "create_account is not a request"
    );
}

#[tokio::test]
async fn counters_are_kept_per_account_and_in_the_totals() {
    let emu = Emu::start();
    let a = emu.account().await;
    let b = emu.handle.create_account(&[]).unwrap();
    emu.on(&a).product("p").await;
    emu.on(&a).product("q").await;
    emu.on(&b).get("/v1/products").await.ok();
    let a_stats = emu.handle.account_stats(&a);
    assert_eq!(a_stats.writes(), 2);
    assert_eq!(a_stats.route("POST /v1/products"), 2);
    assert_eq!(emu.handle.account_stats(&b).writes(), 0);
    assert_eq!(emu.handle.account_stats(&b).total, 1);
    // The platform made one write: the account it created over HTTP.
    let platform = emu.handle.platform_stats();
    assert_eq!(platform.route("POST /v1/accounts"), 1);
    assert_eq!(platform.total, 1);
    assert_eq!(emu.handle.stats().total, 4);
    assert_eq!(emu.handle.account_stats("acct_never").total, 0);

    let served = emu
        .client
        .get(emu.url(&format!("/_emulator/stats?account={a}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let served: serde_json::Value = serde_json::from_str(&served).unwrap();
    assert_eq!(
        served,
        json!({
            "total": 2,
            "by_method": { "POST": 2 },
            "by_route": { "POST /v1/products": 2 },
            "by_status": { "200": 2 },
        })
    );
    let unknown = emu
        .client
        .get(emu.url("/_emulator/stats?account=acct_never"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    emu.handle.reset_stats();
    assert_eq!(emu.handle.account_stats(&a).total, 0);
}

fn with_state(path: &std::path::Path) -> Emu {
    Emu::with(EmulatorOptions {
        state_file: Some(path.to_path_buf()),
        ..crate::support::emulator_options()
    })
}

#[tokio::test]
async fn every_account_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let emu = with_state(&path);
    emu.product("basic").await;
    let a = emu.account().await;
    let b = emu.handle.create_account(&[("tenant", "b")]).unwrap();
    let a_price = emu
        .on(&a)
        .price(&emu.on(&a).product("basic").await, "basic_monthly")
        .await;
    emu.on(&b).product("only_b").await;
    emu.handle.shutdown();

    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(state["format"], "billingctl-emulator-state/2");
    assert_eq!(
        state["objects"]["product"][0]["id"], "basic",
        "the platform's, as before"
    );
    assert_eq!(state["accounts"][0]["account"]["id"], a.as_str());
    assert_eq!(
        state["accounts"][1]["account"]["metadata"],
        json!({"tenant": "b"})
    );

    let again = with_state(&path);
    assert_eq!(again.handle.accounts(), [a.clone(), b.clone()]);
    assert_eq!(
        again.get(&format!("/v1/accounts/{b}")).await.ok().body["metadata"]["tenant"],
        "b"
    );
    assert_eq!(
        again
            .on(&a)
            .get(&format!("/v1/prices/{a_price}"))
            .await
            .ok()
            .body["lookup_key"],
        "basic_monthly"
    );
    assert_eq!(again.on(&b).get("/v1/products/only_b").await.status, 200);
    assert_eq!(again.on(&a).get("/v1/products/only_b").await.status, 404);
    assert_eq!(again.get("/v1/products/only_b").await.status, 404);
    // The account's indexes are rebuilt: its lookup key is still taken there, free elsewhere.
    let form = [
        ("product", "basic"),
        ("currency", "eur"),
        ("unit_amount", "1"),
        ("lookup_key", "basic_monthly"),
    ];
    assert_eq!(again.on(&a).post("/v1/prices", &form).await.status, 400);
    again.post("/v1/prices", &form).await.ok();
}

#[tokio::test]
async fn a_state_file_without_accounts_keeps_format_1_and_loads_as_the_platform() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    // A state file as every emulator before Connect wrote it.
    std::fs::write(
        &path,
        r#"{"format": "billingctl-emulator-state/1", "objects": {"product": [
            {"id": "old", "object": "product", "name": "Old", "active": true, "created": 1,
             "metadata": {}}]}}"#,
    )
    .unwrap();
    let emu = with_state(&path);
    assert_eq!(emu.get("/v1/products/old").await.ok().body["name"], "Old");
    assert!(emu.handle.accounts().is_empty());
    emu.handle.shutdown();
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(state["format"], "billingctl-emulator-state/1");
    assert!(state.get("accounts").is_none());
}
