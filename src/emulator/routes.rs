//! Which endpoint a request names: the method and path matched against the five objects'
//! collection paths from the field table, plus the emulator's own `/_emulator/...` endpoints.

use crate::kinds::ObjectKind;

/// What a request asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Route {
    List(ObjectKind),
    Create(ObjectKind),
    Retrieve(ObjectKind, String),
    Update(ObjectKind, String),
    Delete(ObjectKind, String),
    Stats,
    StatsReset,
    Unrecognized,
}

impl Route {
    /// Matches a method and a path (without the query).
    pub fn parse(method: &str, path: &str) -> Route {
        match (method, path) {
            ("GET", "/_emulator/stats") => return Route::Stats,
            ("POST", "/_emulator/stats/reset") => return Route::StatsReset,
            _ => {}
        }
        let path = path.strip_suffix('/').unwrap_or(path);
        for kind in ObjectKind::ALL {
            let table = kind.table();
            let Some(rest) = path.strip_prefix(table.path) else {
                continue;
            };
            if rest.is_empty() {
                return match method {
                    "GET" => Route::List(kind),
                    "POST" => Route::Create(kind),
                    _ => Route::Unrecognized,
                };
            }
            let Some(id) = rest.strip_prefix('/') else {
                continue;
            };
            if id.is_empty() || id.contains('/') {
                return Route::Unrecognized;
            }
            let id = percent_decode(id);
            return match method {
                "GET" => Route::Retrieve(kind, id),
                "POST" => Route::Update(kind, id),
                "DELETE" if table.deletable => Route::Delete(kind, id),
                _ => Route::Unrecognized,
            };
        }
        Route::Unrecognized
    }

    /// The key this request is counted under, e.g. `GET /v1/prices/{id}`.
    pub fn counter_key(&self, method: &str) -> String {
        let path = match self {
            Route::List(kind) | Route::Create(kind) => kind.table().path.to_owned(),
            Route::Retrieve(kind, _) | Route::Update(kind, _) | Route::Delete(kind, _) => {
                format!("{}/{{id}}", kind.table().path)
            }
            Route::Stats => "/_emulator/stats".to_owned(),
            Route::StatsReset => "/_emulator/stats/reset".to_owned(),
            Route::Unrecognized => "(unrecognized)".to_owned(),
        };
        format!("{method} {path}")
    }

    /// The emulator's own endpoints: no auth, no faults, not counted.
    pub fn is_internal(&self) -> bool {
        matches!(self, Route::Stats | Route::StatsReset)
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

    #[test]
    fn matches_collections_items_and_methods() {
        assert_eq!(
            Route::parse("GET", "/v1/prices"),
            Route::List(ObjectKind::Price)
        );
        assert_eq!(
            Route::parse("POST", "/v1/billing_portal/configurations/bpc_1"),
            Route::Update(ObjectKind::PortalConfiguration, "bpc_1".into())
        );
        assert_eq!(
            Route::parse("DELETE", "/v1/coupons/SUMMER%2020"),
            Route::Delete(ObjectKind::Coupon, "SUMMER 20".into())
        );
        assert_eq!(
            Route::parse("DELETE", "/v1/prices/price_1"),
            Route::Unrecognized
        );
        assert_eq!(Route::parse("GET", "/v1/pricesx"), Route::Unrecognized);
        assert_eq!(
            Route::parse("GET", "/v1/prices/price_1").counter_key("GET"),
            "GET /v1/prices/{id}"
        );
    }
}
