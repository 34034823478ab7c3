//! Lists: newest first, cursors both ways over 250 objects, limit bounds, filters.

use serde_json::Value;

use super::support::Emu;

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn products(emu: &Emu, n: usize) -> Vec<String> {
    let mut created = Vec::new();
    for i in 0..n {
        created.push(emu.product(&format!("p{i:03}")).await);
    }
    created
}

#[tokio::test]
async fn pages_forward_cover_everything_newest_first() {
    let emu = Emu::start();
    let created = products(&emu, 250).await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(after) => format!("/v1/products?limit=100&starting_after={after}"),
            None => "/v1/products?limit=100".to_owned(),
        };
        let page = emu.get(&path).await.ok().body;
        assert_eq!(page["object"], "list");
        assert_eq!(page["url"], "/v1/products");
        let page_ids = ids(&page);
        seen.extend(page_ids.clone());
        if page["has_more"] == false {
            break;
        }
        cursor = page_ids.last().cloned();
    }
    let newest_first: Vec<String> = created.iter().rev().cloned().collect();
    assert_eq!(seen, newest_first);
}

#[tokio::test]
async fn pages_backward_with_ending_before() {
    let emu = Emu::start();
    let created = products(&emu, 250).await;
    // From the oldest object, walk towards the newest.
    let mut seen: Vec<String> = Vec::new();
    let mut before = created[0].clone();
    loop {
        let page = emu
            .get(&format!("/v1/products?limit=100&ending_before={before}"))
            .await
            .ok()
            .body;
        let page_ids = ids(&page);
        // Each page is itself newest first.
        let mut ascending = page_ids.clone();
        ascending.reverse();
        seen.extend(ascending);
        if page["has_more"] == false {
            break;
        }
        before = page_ids.first().cloned().unwrap();
    }
    assert_eq!(seen, created[1..].to_vec());
}

#[tokio::test]
async fn the_default_limit_is_10() {
    let emu = Emu::start();
    products(&emu, 12).await;
    let page = emu.get("/v1/products").await.ok().body;
    assert_eq!(ids(&page).len(), 10);
    assert_eq!(page["has_more"], true);
}

#[tokio::test]
async fn limit_must_be_within_1_and_100() {
    let emu = Emu::start();
    emu.get("/v1/products?limit=0").await.invalid(
        None,
        Some("limit"),
        "This value must be greater than or equal to 1.",
    );
    emu.get("/v1/products?limit=101").await.invalid(
        None,
        Some("limit"),
        "This value must be less than or equal to 100.",
    );
    emu.get("/v1/products?limit=ten")
        .await
        .invalid(None, Some("limit"), "Invalid integer: ten");
}

#[tokio::test]
async fn cursors_are_exclusive_and_must_exist() {
    let emu = Emu::start();
    products(&emu, 2).await;
    emu.get("/v1/products?starting_after=p000&ending_before=p001")
        .await
        .invalid(
            None,
            Some("ending_before"),
            "You may only specify one of these parameters: ending_before, starting_after.",
        );
    emu.get("/v1/products?starting_after=nope").await.invalid(
        Some("resource_missing"),
        Some("starting_after"),
        "No such product: 'nope'",
    );
}

#[tokio::test]
async fn an_unknown_filter_is_parameter_unknown() {
    let emu = Emu::start();
    emu.get("/v1/coupons?active=true").await.unknown("active");
    emu.get("/v1/prices?colour=red").await.unknown("colour");
}

#[tokio::test]
async fn prices_list_active_prices_unless_active_is_given() {
    let emu = Emu::start();
    emu.product("p").await;
    let active = emu.price("p", "a").await;
    let archived = emu.price("p", "b").await;
    emu.post(&format!("/v1/prices/{archived}"), &[("active", "false")])
        .await
        .ok();
    assert_eq!(
        ids(&emu.get("/v1/prices").await.ok().body),
        [active.as_str()]
    );
    assert_eq!(
        ids(&emu.get("/v1/prices?active=false").await.ok().body),
        [archived.as_str()]
    );
    // The lookup_keys filter follows the same rule.
    assert!(ids(&emu.get("/v1/prices?lookup_keys[]=b").await.ok().body).is_empty());
    assert_eq!(
        ids(&emu
            .get("/v1/prices?lookup_keys[]=b&active=false")
            .await
            .ok()
            .body),
        [archived]
    );
}

#[tokio::test]
async fn prices_filter_by_lookup_keys_product_type_and_currency() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.product("q").await;
    let a = emu.price("p", "a").await;
    let b = emu.price("q", "b").await;
    let c = emu
        .post(
            "/v1/prices",
            &[
                ("product", "q"),
                ("currency", "usd"),
                ("unit_amount", "5"),
                ("lookup_key", "c"),
            ],
        )
        .await
        .ok()
        .id();
    assert_eq!(
        ids(&emu
            .get("/v1/prices?lookup_keys[0]=a&lookup_keys[1]=c")
            .await
            .ok()
            .body),
        [c.clone(), a.clone()]
    );
    assert_eq!(
        ids(&emu.get("/v1/prices?product=q").await.ok().body),
        [c.clone(), b.clone()]
    );
    assert_eq!(
        ids(&emu.get("/v1/prices?type=one_time").await.ok().body),
        [c.as_str()]
    );
    assert_eq!(
        ids(&emu.get("/v1/prices?currency=eur").await.ok().body),
        [b.clone(), a.clone()]
    );
    assert_eq!(
        ids(&emu
            .get("/v1/prices?recurring[interval]=month&product=p")
            .await
            .ok()
            .body),
        [a]
    );
    let eleven: String = (0..11).map(|i| format!("lookup_keys[]=k{i}&")).collect();
    emu.get(&format!("/v1/prices?{eleven}")).await.invalid(
        None,
        Some("lookup_keys"),
        "Invalid lookup_keys: you can pass at most 10 lookup keys.",
    );
}

#[tokio::test]
async fn a_lookup_keys_page_has_cursors_too() {
    let emu = Emu::start();
    emu.product("p").await;
    let a = emu.price("p", "a").await;
    let b = emu.price("p", "b").await;
    let first = emu
        .get("/v1/prices?lookup_keys[]=a&lookup_keys[]=b&limit=1")
        .await
        .ok()
        .body;
    assert_eq!(ids(&first), [b.as_str()]);
    assert_eq!(first["has_more"], true);
    let second = emu
        .get(&format!(
            "/v1/prices?lookup_keys[]=a&lookup_keys[]=b&limit=1&starting_after={b}"
        ))
        .await
        .ok()
        .body;
    assert_eq!(ids(&second), [a]);
    assert_eq!(second["has_more"], false);
}

#[tokio::test]
async fn products_filter_by_active_and_ids() {
    let emu = Emu::start();
    products(&emu, 3).await;
    emu.post("/v1/products/p001", &[("active", "false")])
        .await
        .ok();
    assert_eq!(
        ids(&emu.get("/v1/products?active=true").await.ok().body),
        ["p002", "p000"]
    );
    assert_eq!(
        ids(&emu
            .get("/v1/products?ids[]=p000&ids[]=p001")
            .await
            .ok()
            .body),
        ["p001", "p000"]
    );
    assert_eq!(
        ids(&emu
            .get("/v1/products?created[gte]=0&active=false")
            .await
            .ok()
            .body),
        ["p001"]
    );
}

#[tokio::test]
async fn list_expand_applies_to_each_object() {
    let emu = Emu::start();
    emu.product("p").await;
    emu.price("p", "a").await;
    let page = emu.get("/v1/prices?expand[]=data.product").await.ok().body;
    assert_eq!(page["data"][0]["product"]["id"], "p");
}

#[tokio::test]
async fn created_filters_take_a_timestamp_or_bounds() {
    let emu = Emu::start();
    emu.coupon("a").await;
    let created = emu.get("/v1/coupons/a").await.ok().body["created"]
        .as_i64()
        .unwrap();
    assert_eq!(
        ids(&emu
            .get(&format!("/v1/coupons?created={created}"))
            .await
            .ok()
            .body),
        ["a"]
    );
    assert!(ids(&emu
        .get(&format!("/v1/coupons?created[gt]={created}"))
        .await
        .ok()
        .body)
    .is_empty());
    emu.get("/v1/coupons?created[after]=1")
        .await
        .unknown("created[after]");
}
