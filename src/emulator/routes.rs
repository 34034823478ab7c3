//! Which endpoint a request names. The routes are built once by walking the registry
//! (`objects::RESOURCES`) and each kind's table: `GET` and `POST` on the table's `path`,
//! `GET` on `{path}/{id}`, `POST` there where the table has update params, `DELETE` where it
//! says `deletable`, and `POST {path}/{id}/{action}` for each of the resource's actions. A
//! path may name ids before the object's own (`/v1/products/{product}/features`); they are
//! captured by name. Plus Connect's `/v1/accounts` endpoints (`AccountCall`: the accounts are
//! not a catalog kind, so they have no table in the registry) and the emulator's own
//! `/_emulator/...` endpoints.

use std::sync::LazyLock;

use super::objects::{Resource, RESOURCES};
use crate::kinds::ObjectKind;

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    /// One of a kind's endpoints.
    Object(Call),
    /// One of Connect's account endpoints.
    Accounts(AccountCall),
    Stats,
    StatsReset,
    Unrecognized,
}

/// A kind's endpoint, with the ids its path named.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Call {
    pub kind: ObjectKind,
    pub endpoint: Endpoint,
    /// The object's own id (not on a collection's endpoints).
    pub id: Option<String>,
    /// The ids the path named before the object's own, by name (`product` in
    /// `/v1/products/{product}/features`).
    pub path: Vec<(&'static str, String)>,
    /// The route's path pattern, e.g. `/v1/prices/{id}`.
    pattern: String,
}

/// Connect's account endpoints: what a platform needs to hold connected accounts. Stripe
/// also updates, deletes and rejects accounts; the emulator does not (those are unrecognized).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AccountCall {
    /// `GET /v1/accounts`.
    List,
    /// `POST /v1/accounts`.
    Create,
    /// `GET /v1/accounts/{id}`.
    Retrieve(String),
}

/// The endpoints of a kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Endpoint {
    List,
    Create,
    Retrieve,
    Update,
    Delete,
    /// `POST {path}/{id}/{action}`.
    Action(&'static str),
}

impl Endpoint {
    /// Whether it writes (its answer can be lost by the `lost_rate` knob).
    pub fn writes(self) -> bool {
        !matches!(self, Endpoint::List | Endpoint::Retrieve)
    }

    /// Whether it is on one object (`{path}/{id}...`) rather than on the collection.
    fn on_object(self) -> bool {
        !matches!(self, Endpoint::List | Endpoint::Create)
    }
}

/// One segment of a path pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Segment {
    Literal(&'static str),
    /// `{name}`: any non-empty segment, percent-decoded.
    Id(&'static str),
}

/// A path pattern such as `/v1/products/{product}/features/{id}`.
#[derive(Debug)]
struct Pattern {
    text: String,
    segments: Vec<Segment>,
}

impl Pattern {
    /// The pattern of `base` (a table's `path`, which may name ids) followed by `tail`.
    fn new(base: &'static str, tail: &[Segment]) -> Pattern {
        let mut segments: Vec<Segment> = base
            .trim_start_matches('/')
            .split('/')
            .map(|segment| match segment.strip_prefix('{') {
                Some(name) => Segment::Id(name.strip_suffix('}').unwrap_or(name)),
                None => Segment::Literal(segment),
            })
            .collect();
        segments.extend_from_slice(tail);
        let mut text = String::new();
        for segment in &segments {
            text.push('/');
            match segment {
                Segment::Literal(literal) => text.push_str(literal),
                Segment::Id(name) => {
                    text.push('{');
                    text.push_str(name);
                    text.push('}');
                }
            }
        }
        Pattern { text, segments }
    }

    /// The captured ids, by name, when `path` (split on `/`, without the leading one)
    /// matches.
    fn captures(&self, path: &[&str]) -> Option<Vec<(&'static str, String)>> {
        if path.len() != self.segments.len() {
            return None;
        }
        let mut ids = Vec::new();
        for (segment, part) in self.segments.iter().zip(path) {
            match segment {
                Segment::Literal(literal) if literal == part => {}
                Segment::Id(name) if !part.is_empty() => ids.push((*name, percent_decode(part))),
                _ => return None,
            }
        }
        Some(ids)
    }
}

/// One route: a method and a pattern, and the endpoint they name.
#[derive(Debug)]
struct Definition {
    method: &'static str,
    pattern: Pattern,
    kind: ObjectKind,
    endpoint: Endpoint,
}

/// Every kind's routes.
pub(crate) struct Routes(Vec<Definition>);

/// The routes of the registry.
static ROUTES: LazyLock<Routes> = LazyLock::new(|| Routes::of(&RESOURCES));

impl Routes {
    /// The routes of these resources, from their tables and actions.
    fn of(resources: &[&'static dyn Resource]) -> Routes {
        const ID: Segment = Segment::Id("id");
        let mut routes = Vec::new();
        for resource in resources {
            let kind = resource.kind();
            let table = kind.table();
            let mut add = |method, tail: &[Segment], endpoint| {
                routes.push(Definition {
                    method,
                    pattern: Pattern::new(table.path, tail),
                    kind,
                    endpoint,
                });
            };
            add("GET", &[], Endpoint::List);
            add("POST", &[], Endpoint::Create);
            add("GET", &[ID], Endpoint::Retrieve);
            if table.params.iter().any(|param| param.is_mutable()) {
                add("POST", &[ID], Endpoint::Update);
            }
            if table.deletable {
                add("DELETE", &[ID], Endpoint::Delete);
            }
            for action in resource.actions() {
                add(
                    "POST",
                    &[ID, Segment::Literal(action)],
                    Endpoint::Action(action),
                );
            }
        }
        Routes(routes)
    }

    fn parse(&self, method: &str, path: &str) -> Route {
        match (method, path) {
            ("GET", "/_emulator/stats") => return Route::Stats,
            ("POST", "/_emulator/stats/reset") => return Route::StatsReset,
            _ => {}
        }
        let path = path.strip_suffix('/').unwrap_or(path);
        let Some(path) = path.strip_prefix('/') else {
            return Route::Unrecognized;
        };
        let parts: Vec<&str> = path.split('/').collect();
        match (method, parts.as_slice()) {
            ("GET", ["v1", "accounts"]) => return Route::Accounts(AccountCall::List),
            ("POST", ["v1", "accounts"]) => return Route::Accounts(AccountCall::Create),
            ("GET", ["v1", "accounts", id]) if !id.is_empty() => {
                return Route::Accounts(AccountCall::Retrieve(percent_decode(id)))
            }
            _ => {}
        }
        for route in &self.0 {
            if route.method != method {
                continue;
            }
            let Some(mut ids) = route.pattern.captures(&parts) else {
                continue;
            };
            // The object's own id is the last one captured (an action's name comes after).
            let id = if route.endpoint.on_object() {
                ids.pop().map(|(_, id)| id)
            } else {
                None
            };
            return Route::Object(Call {
                kind: route.kind,
                endpoint: route.endpoint,
                id,
                path: ids,
                pattern: route.pattern.text.clone(),
            });
        }
        Route::Unrecognized
    }
}

impl Route {
    /// Matches a method and a path (without the query).
    pub fn parse(method: &str, path: &str) -> Route {
        ROUTES.parse(method, path)
    }

    /// The key this request is counted under, e.g. `GET /v1/prices/{id}`.
    pub fn counter_key(&self, method: &str) -> String {
        let path = match self {
            Route::Object(call) => call.pattern.as_str(),
            Route::Accounts(AccountCall::List | AccountCall::Create) => "/v1/accounts",
            Route::Accounts(AccountCall::Retrieve(_)) => "/v1/accounts/{id}",
            Route::Stats => "/_emulator/stats",
            Route::StatsReset => "/_emulator/stats/reset",
            Route::Unrecognized => "(unrecognized)",
        };
        format!("{method} {path}")
    }

    /// The emulator's own endpoints: no auth, no faults, not counted.
    pub fn is_internal(&self) -> bool {
        matches!(self, Route::Stats | Route::StatsReset)
    }

    /// Whether it writes (create, update, delete, actions).
    pub fn writes(&self) -> bool {
        match self {
            Route::Object(call) => call.endpoint.writes(),
            Route::Accounts(call) => *call == AccountCall::Create,
            _ => false,
        }
    }
}

/// `%XX` escapes in a path segment (custom coupon ids may hold any character).
fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(kind: ObjectKind, endpoint: Endpoint, id: Option<&str>, pattern: &str) -> Route {
        Route::Object(Call {
            kind,
            endpoint,
            id: id.map(str::to_owned),
            path: Vec::new(),
            pattern: pattern.to_owned(),
        })
    }

    #[test]
    fn matches_collections_items_and_methods() {
        assert_eq!(
            Route::parse("GET", "/v1/prices"),
            call(ObjectKind::Price, Endpoint::List, None, "/v1/prices")
        );
        assert_eq!(
            Route::parse("GET", "/v1/products/"),
            call(ObjectKind::Product, Endpoint::List, None, "/v1/products")
        );
        assert_eq!(
            Route::parse("POST", "/v1/billing_portal/configurations/bpc_1"),
            call(
                ObjectKind::PortalConfiguration,
                Endpoint::Update,
                Some("bpc_1"),
                "/v1/billing_portal/configurations/{id}"
            )
        );
        assert_eq!(
            Route::parse("DELETE", "/v1/coupons/SUMMER%2020"),
            call(
                ObjectKind::Coupon,
                Endpoint::Delete,
                Some("SUMMER 20"),
                "/v1/coupons/{id}"
            )
        );
        for (method, path) in [
            ("DELETE", "/v1/prices/price_1"),
            ("PUT", "/v1/prices/price_1"),
            ("GET", "/v1/pricesx"),
            ("GET", "/v1/products//"),
            ("GET", "/v1//x"),
            ("GET", "/v1/products/a/b"),
            ("GET", "//v1/products"),
            ("GET", ""),
        ] {
            assert_eq!(
                Route::parse(method, path),
                Route::Unrecognized,
                "{method} {path}"
            );
        }
        assert_eq!(
            Route::parse("GET", "/v1/prices/price_1").counter_key("GET"),
            "GET /v1/prices/{id}"
        );
        assert!(Route::parse("POST", "/v1/prices").writes());
        assert!(!Route::parse("GET", "/v1/prices/price_1").writes());
    }

    #[test]
    fn the_account_endpoints_are_list_create_and_retrieve() {
        let accounts = |call| Route::Accounts(call);
        assert_eq!(
            Route::parse("GET", "/v1/accounts"),
            accounts(AccountCall::List)
        );
        assert_eq!(
            Route::parse("POST", "/v1/accounts/"),
            accounts(AccountCall::Create)
        );
        let retrieve = Route::parse("GET", "/v1/accounts/acct_1");
        assert_eq!(retrieve, accounts(AccountCall::Retrieve("acct_1".into())));
        assert_eq!(retrieve.counter_key("GET"), "GET /v1/accounts/{id}");
        assert!(Route::parse("POST", "/v1/accounts").writes());
        assert!(!retrieve.writes());
        for (method, path) in [
            ("POST", "/v1/accounts/acct_1"),
            ("DELETE", "/v1/accounts/acct_1"),
            ("GET", "/v1/accounts/acct_1/capabilities"),
            ("GET", "/v1/accounts//"),
        ] {
            assert_eq!(
                Route::parse(method, path),
                Route::Unrecognized,
                "{method} {path}"
            );
        }
    }

    #[test]
    fn a_path_that_names_ids_captures_them_by_name() {
        let pattern = Pattern::new("/v1/products/{product}/features", &[Segment::Id("id")]);
        assert_eq!(pattern.text, "/v1/products/{product}/features/{id}");
        assert_eq!(
            pattern.captures(&["v1", "products", "prod%201", "features", "pf_1"]),
            Some(vec![
                ("product", "prod 1".to_owned()),
                ("id", "pf_1".to_owned())
            ])
        );
        assert_eq!(
            pattern.captures(&["v1", "products", "", "features", "pf_1"]),
            None
        );
        assert_eq!(pattern.captures(&["v1", "products", "p", "features"]), None);
    }

    /// The coupon, with an action endpoint.
    struct Deactivatable;

    impl Resource for Deactivatable {
        fn kind(&self) -> ObjectKind {
            ObjectKind::Coupon
        }

        fn noun(&self) -> &'static str {
            "coupon"
        }

        fn build(
            &self,
            _cx: &crate::emulator::objects::Context,
            params: serde_json::Map<String, serde_json::Value>,
            _nested: Option<&crate::emulator::objects::resource::Nested>,
        ) -> Result<serde_json::Value, crate::emulator::error::ErrorResponse> {
            Ok(params.into())
        }

        fn actions(&self) -> &'static [&'static str] {
            &["deactivate"]
        }
    }

    #[test]
    fn a_resources_actions_are_posts_on_its_objects() {
        let routes = Routes::of(&[&Deactivatable]);
        assert_eq!(
            routes.parse("POST", "/v1/coupons/c1/deactivate"),
            call(
                ObjectKind::Coupon,
                Endpoint::Action("deactivate"),
                Some("c1"),
                "/v1/coupons/{id}/deactivate"
            )
        );
        assert_eq!(
            routes.parse("GET", "/v1/coupons/c1/deactivate"),
            Route::Unrecognized
        );
        assert_eq!(
            routes.parse("POST", "/v1/coupons/c1/reactivate"),
            Route::Unrecognized
        );
        // The registry's coupon has none.
        assert_eq!(
            Route::parse("POST", "/v1/coupons/c1/deactivate"),
            Route::Unrecognized
        );
    }
}
