//! The live account: every managed object, fetched with paginated list calls run
//! concurrently (never one GET per object), and indexed the way the diff matches objects
//! (DESIGN.md's key table). Also how a live object holds what it references (an id, or the
//! object itself when expanded).
//!
//! The planner, the executor (which reads the account again when a create races another run)
//! and the exporter all read the account through this one module.

use std::borrow::Cow;

use futures_util::{StreamExt, TryStreamExt};
use rustc_hash::FxHashMap;
use serde_json::{Map, Value};

use crate::catalog::Catalog;
use crate::compact::Json;
use crate::kinds::{ObjectKind, Refers, Within, KINDS};
use crate::path::{join, segment_matches, segments};
use crate::stripe::{Client, Error};

/// A list call that failed, naming what was being listed.
#[derive(Debug, thiserror::Error)]
#[error("listing {what}: {error}")]
pub struct FetchError {
    pub what: String,
    pub error: Error,
}

/// Fetches every managed object, active and inactive, with paginated list calls run
/// concurrently: one list per kind, plus a second for kinds whose list leaves inactive objects
/// out unless a filter asks for them (`Kind::inactive_filter`: prices' `active=false`,
/// features' `archived=true`). Fields Stripe returns only when expanded
/// (a price's `tiers`, a coupon's `applies_to`) are asked for: without them a change to them
/// would go unseen.
pub async fn fetch_live(client: &Client) -> Result<LiveState, FetchError> {
    let top_level = KINDS.iter().filter(|kind| kind.within().is_none());
    let lists = top_level.flat_map(|kind| {
        let mut filters = Map::new();
        if !kind.expand().is_empty() {
            let fields = kind.expand().iter();
            let expand = fields.map(|f| Value::String(format!("data.{f}"))).collect();
            filters.insert("expand".to_owned(), Value::Array(expand));
        }
        let inactive = kind.inactive_filter().map(|filter| {
            let mut inactive = filters.clone();
            inactive.insert(filter.name.to_owned(), Value::Bool(filter.value));
            inactive
        });
        std::iter::once(filters)
            .chain(inactive)
            .map(move |filters| list(client, kind.id(), filters))
    });
    let mut listed = futures_util::future::try_join_all(lists).await?;
    // One list per live parent: a thousand products are a thousand lists. Started all at
    // once, all but a window's worth wait inside the pacer, and each request it finishes
    // wakes every one of them: the waits cost a no-op plan of 1,000 products 9 % of its CPU
    // (issue 13). So no more are started than can be in flight, in order.
    let nested = futures_util::stream::iter(nested_lists(client, &listed))
        .buffered(client.max_in_flight())
        .try_collect::<Vec<_>>();
    listed.extend(nested.await?);
    Ok(LiveState::new(listed))
}

/// The lists of the kinds that live under another kind's objects (`Kind::within`: a
/// product's feature attachments): one list per live parent, run concurrently, each object
/// given its parent's id under the path's segment (`product`), which Stripe's shape leaves
/// out; none when no such object can exist (`nothing_to_join`: an account with no feature).
fn nested_lists<'a>(
    client: &'a Client,
    listed: &[(ObjectKind, Vec<Json>)],
) -> Vec<impl std::future::Future<Output = Result<(ObjectKind, Vec<Json>), FetchError>> + 'a> {
    let mut calls = Vec::new();
    for kind in KINDS {
        let Some(within) = kind.within() else {
            continue;
        };
        if nothing_to_join(kind.references(), within, listed) {
            continue;
        }
        let parents = listed.iter().filter(|(k, _)| *k == within.parent);
        let ids = parents.flat_map(|(_, objects)| objects.iter().filter_map(|o| o["id"].as_str()));
        for parent in ids {
            let path = nested_path(kind.table().path, within.segment, parent);
            let (kind, parent) = (kind.id(), parent.to_owned());
            calls.push(async move {
                let mut objects = match client.list_all(&path, &Map::new()).await {
                    Ok(objects) => objects,
                    Err(error) => {
                        return Err(FetchError {
                            what: format!("{}s ({path})", kind.name()),
                            error,
                        })
                    }
                };
                for object in &mut objects {
                    if let Json::Object(fields) = object {
                        fields.insert(within.segment, Json::String(parent.as_str().into()));
                    }
                }
                Ok((kind, objects))
            });
        }
    }
    calls
}

/// Whether no object of a kind under a parent can exist: each joins its parent to an object
/// Stripe never deletes (`Within::target_never_deleted`, a feature), and the account lists
/// none, active or archived. A list per parent would only say so: a request per product.
fn nothing_to_join(refers: &[Refers], within: Within, listed: &[(ObjectKind, Vec<Json>)]) -> bool {
    let target = refers.iter().find(|r| r.pattern == within.param);
    let Some(target) = target.filter(|_| within.target_never_deleted) else {
        return false;
    };
    let mut lists = listed
        .iter()
        .filter(|(kind, _)| *kind == target.kind)
        .peekable();
    // Listed at all (active and archived), and nothing in either list.
    lists.peek().is_some() && lists.all(|(_, objects)| objects.is_empty())
}

/// A kind's path with its parent's id in place of `{segment}`, percent-encoded as a path
/// segment (`/v1/products/{product}/features` → `/v1/products/basic/features`).
pub fn nested_path(pattern: &str, segment: &str, id: &str) -> String {
    let encoded: String = id
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect();
    pattern.replace(&format!("{{{segment}}}"), &encoded)
}

/// One kind's objects, every page of one list call.
async fn list(
    client: &Client,
    kind: ObjectKind,
    filters: Map<String, Value>,
) -> Result<(ObjectKind, Vec<Json>), FetchError> {
    let path = kind.table().path;
    match client.list_all(path, &filters).await {
        Ok(objects) => Ok((kind, objects)),
        Err(error) => Err(FetchError {
            what: format!("{}s ({path})", kind.name()),
            error,
        }),
    }
}

/// The live objects of every managed kind, as Stripe returned them (newest first, held
/// compact: `compact::Json`), indexed by id and by matching key.
#[derive(Clone, Debug, Default)]
pub struct LiveState {
    kinds: FxHashMap<ObjectKind, KindIndex>,
}

/// One kind's objects and their indexes.
#[derive(Clone, Debug, Default)]
struct KindIndex {
    objects: Vec<Json>,
    /// Hashed with `FxHash`: a no-op plan looks up every declaration's key here several
    /// times, and SipHash was 6 % of its samples at 50,000 objects, with serde_json's own
    /// (issue 13). The keys come from the user's account, not an adversary.
    by_id: FxHashMap<String, usize>,
    /// Matching key → positions in `objects`, newest first. Promotion codes are indexed by
    /// their lowercased code (Stripe compares codes case-insensitively), so several may share
    /// one key; at most one of them is active.
    by_key: FxHashMap<String, Vec<usize>>,
    /// Id → the key a script adopts the object under (`LiveState::adopt_declared`).
    adopted: FxHashMap<String, String>,
}

impl LiveState {
    /// Indexes the objects of each kind. Objects of one kind should be newest first, as
    /// Stripe lists them; duplicates (the same id twice) keep the first. (Tests give
    /// `serde_json::Value`s, which are made compact.)
    pub fn new<T: Into<Json>>(objects: impl IntoIterator<Item = (ObjectKind, Vec<T>)>) -> Self {
        let mut kinds = FxHashMap::default();
        for (kind, list) in objects {
            let entry: &mut KindIndex = kinds.entry(kind).or_default();
            entry.objects.reserve(list.len());
            entry.by_id.reserve(list.len());
            entry.by_key.reserve(list.len());
            for object in list {
                let mut object = object.into();
                if let Json::Object(fields) = &mut object {
                    kind.def().read(fields);
                }
                let Some(id) = object.get("id").and_then(Json::as_str).map(str::to_owned) else {
                    continue;
                };
                if entry.by_id.contains_key(&id) {
                    continue;
                }
                let index = entry.objects.len();
                entry.by_id.insert(id, index);
                if let Some(key) = matching_key(kind, &object) {
                    entry
                        .by_key
                        .entry(key.into_owned())
                        .or_default()
                        .push(index);
                }
                entry.objects.push(object);
            }
        }
        Self { kinds }
    }

    /// The object of this kind with this Stripe id.
    pub fn by_id(&self, kind: ObjectKind, id: &str) -> Option<&Json> {
        let objects = self.kinds.get(&kind)?;
        objects.by_id.get(id).map(|&i| &objects.objects[i])
    }

    /// Every object of this kind matched by `key` (DESIGN.md's table), newest first.
    /// Promotion codes match case-insensitively.
    pub fn by_key(&self, kind: ObjectKind, key: &str) -> Matches<'_> {
        let Some(objects) = self.kinds.get(&kind) else {
            return Matches::default();
        };
        let key = normalise_key(kind, key);
        let positions = objects.by_key.get(&*key).map_or(&[][..], Vec::as_slice);
        Matches {
            objects: &objects.objects,
            positions: positions.iter(),
        }
    }

    /// The script key of a live object given its id (a price id → its lookup key), used to
    /// show and compare references as keys. `None` when the object is unknown or has no key.
    /// An adopted object answers with the key the script gives it.
    pub fn key_of(&self, kind: ObjectKind, id: &str) -> Option<Cow<'_, str>> {
        let objects = self.kinds.get(&kind)?;
        if let Some(key) = objects.adopted.get(id) {
            return Some(Cow::Borrowed(key));
        }
        self.by_id(kind, id).and_then(|o| matching_key(kind, o))
    }

    /// Indexes every object the catalog adopts by id under the key the script gives it, as
    /// if the adoption were already applied: references to an adopted price (a portal's
    /// prices, a product's `default_price`) then compare as keys and resolve to its id in the
    /// same run that adopts it.
    pub fn adopt_declared(&mut self, catalog: &Catalog) {
        for declaration in catalog.declarations() {
            let Some(id) = declaration.adopt_id() else {
                continue;
            };
            let kind = declaration.kind();
            let Some(objects) = self.kinds.get_mut(&kind) else {
                continue;
            };
            let Some(&index) = objects.by_id.get(id) else {
                continue;
            };
            let key = normalise_key(kind, declaration.key()).into_owned();
            // First in line: the adopted object wins over any other holder of the key.
            objects
                .by_key
                .entry(key.clone())
                .or_default()
                .insert(0, index);
            objects.adopted.insert(id.to_owned(), key);
        }
    }

    /// Every live object of a kind, newest first.
    pub fn all(&self, kind: ObjectKind) -> &[Json] {
        self.kinds.get(&kind).map_or(&[], |o| o.objects.as_slice())
    }

    /// The number of live objects of a kind.
    pub fn count(&self, kind: ObjectKind) -> usize {
        self.kinds.get(&kind).map_or(0, |o| o.objects.len())
    }

    /// Every object of this kind, in the order fetched (`billingctl export` reads them all).
    pub fn objects(&self, kind: ObjectKind) -> &[Json] {
        self.kinds.get(&kind).map_or(&[], |o| o.objects.as_slice())
    }
}

/// The objects one key matches (`LiveState::by_key`), newest first, read in place: the diff
/// asks for every declaration's (issue 13).
#[derive(Clone, Debug, Default)]
pub struct Matches<'a> {
    objects: &'a [Json],
    positions: std::slice::Iter<'a, usize>,
}

impl<'a> Iterator for Matches<'a> {
    type Item = &'a Json;

    fn next(&mut self) -> Option<&'a Json> {
        self.positions.next().map(|&i| &self.objects[i])
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.positions.size_hint()
    }
}

impl ExactSizeIterator for Matches<'_> {}

fn matching_key(kind: ObjectKind, object: &Json) -> Option<Cow<'_, str>> {
    kind.def().key().matching(object)
}

fn normalise_key(kind: ObjectKind, key: &str) -> Cow<'_, str> {
    kind.def().key().fold(key)
}

/// Whether a live object is on (active, not disabled), as its kind says
/// (`Deactivation::is_on`): a coupon, which has no `active`, counts as on.
pub fn is_active(kind: ObjectKind, object: &Json) -> bool {
    kind.def().deactivation().is_on(object)
}

/// An id, whether Stripe returned it as a string or as an expanded object.
pub fn id_of(value: &Json) -> Option<&str> {
    match value {
        Json::String(id) => Some(id),
        Json::Object(object) => object.get("id").and_then(Json::as_str),
        _ => None,
    }
}

/// Where a live object names the object `id` through a reference `pattern` (a field-table
/// pattern, `features[subscription_update][products][][prices][]`): the concrete paths, in
/// the object's own order.
pub fn places_of(object: &Json, pattern: &str, id: &str) -> Vec<String> {
    let mut found = Vec::new();
    walk(
        object,
        &segments(pattern),
        String::new(),
        &mut |path, value| {
            if id_of(value) == Some(id) {
                found.push(path);
            }
        },
    );
    found
}

/// The ids a live object names through a reference `pattern`, in the object's own order.
pub fn ids_at<'a>(object: &'a Json, pattern: &str) -> Vec<&'a str> {
    let mut found = Vec::new();
    walk(
        object,
        &segments(pattern),
        String::new(),
        &mut |_, value| {
            found.extend(id_of(value));
        },
    );
    found
}

/// Calls `visit` with every value below `value` whose path matches `pattern`.
fn walk<'a>(
    value: &'a Json,
    pattern: &[&str],
    path: String,
    visit: &mut dyn FnMut(String, &'a Json),
) {
    let Some((first, rest)) = pattern.split_first() else {
        visit(path, value);
        return;
    };
    let child = |name: &str| join(&path, name);
    match value {
        Json::Array(items) if first.is_empty() => {
            for (index, item) in items.iter().enumerate() {
                walk(item, rest, child(&index.to_string()), visit);
            }
        }
        Json::Object(map) => {
            for (name, item) in map.iter() {
                if segment_matches(first, name) {
                    walk(item, rest, child(name), visit);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indexes_by_key_and_id() {
        let live = LiveState::new([
            (
                ObjectKind::Price,
                vec![
                    json!({"id": "price_2", "lookup_key": "basic_monthly"}),
                    json!({"id": "price_1", "lookup_key": null}),
                ],
            ),
            (
                ObjectKind::PromotionCode,
                vec![
                    json!({"id": "promo_2", "code": "LAUNCH", "active": true}),
                    json!({"id": "promo_1", "code": "launch", "active": false}),
                ],
            ),
            (
                ObjectKind::PortalConfiguration,
                vec![json!({"id": "bpc_1", "metadata": {"billingctl_key": "default"}})],
            ),
        ]);
        assert_eq!(
            live.by_key(ObjectKind::Price, "basic_monthly")
                .next()
                .unwrap()["id"],
            "price_2"
        );
        assert_eq!(
            live.key_of(ObjectKind::Price, "price_2").as_deref(),
            Some("basic_monthly")
        );
        assert_eq!(live.key_of(ObjectKind::Price, "price_1"), None);
        assert_eq!(live.by_key(ObjectKind::PromotionCode, "Launch").len(), 2);
        assert_eq!(
            live.by_key(ObjectKind::PortalConfiguration, "default")
                .next()
                .unwrap()["id"],
            "bpc_1"
        );
        assert_eq!(live.by_key(ObjectKind::Coupon, "x").len(), 0);
    }

    #[test]
    fn a_nested_path_names_its_parent_encoded() {
        let pattern = "/v1/products/{product}/features";
        assert_eq!(
            nested_path(pattern, "product", "basic-1_x"),
            "/v1/products/basic-1_x/features"
        );
        assert_eq!(
            nested_path(pattern, "product", "a b/c"),
            "/v1/products/a%20b%2Fc/features"
        );
    }

    #[test]
    fn references_are_found_by_pattern_as_ids_or_expanded_objects() {
        let portal = Json::from(json!({"features": {"subscription_update": {"products": [
            {"product": "basic", "prices": ["price_1", "price_2"]},
            {"product": {"id": "plus"}, "prices": [{"id": "price_2"}]}]}}}));
        let prices = "features[subscription_update][products][][prices][]";
        assert_eq!(
            places_of(&portal, prices, "price_2"),
            [
                "features[subscription_update][products][0][prices][1]",
                "features[subscription_update][products][1][prices][0]"
            ]
        );
        assert_eq!(
            ids_at(
                &portal,
                "features[subscription_update][products][][product]"
            ),
            ["basic", "plus"]
        );
        let product = Json::from(json!({"id": "basic", "default_price": {"id": "price_1"}}));
        assert_eq!(
            places_of(&product, "default_price", "price_1"),
            ["default_price"]
        );
        assert!(places_of(&product, "default_price", "price_2").is_empty());
    }
}
