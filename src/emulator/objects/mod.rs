//! The emulated kinds: one module per kind implementing [`Resource`], the one list of them
//! ([`RESOURCES`]), and the generic endpoints every kind shares (create, update, retrieve,
//! delete, actions, list filters, rendering with expansions), which ask the kind's resource
//! and never match on the kind.
//!
//! Params arrive already checked against the field table (`params::validate`); what a kind's
//! module holds is what the table cannot say (`resource.rs`).
//!
//! Adding a kind to the emulator: its `crate::kinds` module (the table), its module here
//! implementing [`Resource`], and one line in [`RESOURCES`].

mod common;
mod coupon;
mod feature;
mod meter;
mod portal;
mod price;
mod product;
mod product_feature;
mod promotion_code;
pub(crate) mod resource;
mod shipping_rate;
mod tax_rate;
mod webhook_endpoint;

use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::ErrorResponse;
use super::store::{Index, Store};
use crate::clock::Clock;
use crate::kinds::fields::Operation;
use crate::kinds::rules::{self, Related, Request};
use crate::kinds::ObjectKind;

pub(crate) use common::Filter;
use resource::Registry;
pub(crate) use resource::{Context, Resource};

/// Every kind's emulator side, in the order of `ObjectKind::ALL` (a test holds it; the array's
/// length makes a kind without one a compile error).
///
/// The emulator keeps its own list rather than asking `crate::kinds::KINDS`: the kinds layer
/// sits below every other module and must not depend on the emulator, so a kind's definition
/// cannot point at its emulator behaviour; this list is the one place that pairs them.
pub(crate) static RESOURCES: [&dyn Resource; ObjectKind::ALL.len()] = [
    &product::Product,
    &meter::Meter,
    &price::Price,
    &coupon::Coupon,
    &promotion_code::PromotionCode,
    &portal::PortalConfiguration,
    &webhook_endpoint::WebhookEndpoint,
    &tax_rate::TaxRate,
    &shipping_rate::ShippingRate,
    &feature::Feature,
    &product_feature::ProductFeature,
];

/// The registry the requests' contexts carry.
pub(crate) const REGISTRY: Registry = Registry(&RESOURCES);

/// The resource of `kind`.
pub(crate) fn resource(kind: ObjectKind) -> &'static dyn Resource {
    REGISTRY.of(kind)
}

/// An empty account with every kind's indexes.
pub(crate) fn new_store(clock: Clock) -> Store {
    Store::new(clock, indexes)
}

/// The indexes the store keeps for `kind`.
fn indexes(kind: ObjectKind) -> &'static [Index] {
    resource(kind).indexes()
}

/// A request's context over `store`, with the ids its path named.
pub(crate) fn context<'a>(store: &'a mut Store, path: &'a [(&'static str, String)]) -> Context<'a> {
    Context::new(store, REGISTRY, path)
}

/// Creates an object from checked params (defaults not yet applied).
pub(crate) fn create(
    cx: &mut Context,
    kind: ObjectKind,
    params: Map<String, Value>,
) -> Result<Arc<Value>, ErrorResponse> {
    refuse_broken_rules(cx, kind, Operation::Create, &params, None)?;
    resource(kind).create(cx, params)
}

/// Updates an object from checked params.
pub(crate) fn update(
    cx: &mut Context,
    kind: ObjectKind,
    id: &str,
    params: Map<String, Value>,
) -> Result<Arc<Value>, ErrorResponse> {
    let current = retrieve(cx, kind, id)?.clone();
    refuse_broken_rules(cx, kind, Operation::Update, &params, Some(&current))?;
    resource(kind).update(cx, &current, params)
}

/// Runs an action endpoint (`POST {path}/{id}/{action}`) on an existing object.
pub(crate) fn act(
    cx: &mut Context,
    kind: ObjectKind,
    id: &str,
    action: &str,
) -> Result<Arc<Value>, ErrorResponse> {
    let current = retrieve(cx, kind, id)?.clone();
    resource(kind).act(cx, action, &current)
}

/// The rules table's checks (`crate::kinds::rules`), the same the planner runs on the writes
/// it plans: the first one broken is Stripe's 400 about its param.
fn refuse_broken_rules(
    cx: &Context,
    kind: ObjectKind,
    op: Operation,
    params: &Map<String, Value>,
    current: Option<&Value>,
) -> Result<(), ErrorResponse> {
    let request = Request {
        kind,
        op,
        params,
        current,
        now: Some(cx.now()),
        related: &Held(cx),
    };
    match rules::check(&request).into_iter().next() {
        Some(broken) => Err(ErrorResponse::param(&broken.param, broken.message)),
        None => Ok(()),
    }
}

/// The emulated account as the rules see related objects: as a retrieve would show them.
struct Held<'c, 'a>(&'c Context<'a>);

impl Related for Held<'_, '_> {
    fn coupon(&self, reference: &str) -> Option<Value> {
        let kind = ObjectKind::Coupon;
        let coupon = self.0.store.get(kind, reference)?;
        Some((*render(self.0, kind, coupon, &[])).clone())
    }
}

/// Deletes an object (the routes only offer DELETE where the table says Stripe has it).
pub(crate) fn delete(cx: &mut Context, kind: ObjectKind, id: &str) -> Result<Value, ErrorResponse> {
    retrieve(cx, kind, id)?;
    resource(kind).check_delete(cx, id)?;
    cx.store.remove(kind, id);
    Ok(serde_json::json!({ "id": id, "object": kind.table().object, "deleted": true }))
}

/// The object with this id (under the path's ids), or 404 `resource_missing` with param
/// `id`.
pub(crate) fn retrieve<'c>(
    cx: &'c Context,
    kind: ObjectKind,
    id: &str,
) -> Result<&'c Arc<Value>, ErrorResponse> {
    let resource = resource(kind);
    cx.store
        .get(kind, id)
        .filter(|object| resource.within(cx, object))
        .ok_or_else(|| ErrorResponse::no_such(resource.noun(), id, "id", 404))
}

/// The list filters of this kind, parsed from the query, and the path's ids.
pub(crate) fn filter(
    cx: &Context,
    kind: ObjectKind,
    filters: &Map<String, Value>,
) -> Result<Filter, ErrorResponse> {
    resource(kind).filter(cx, filters)
}

/// Whether a listed object belongs under the path's ids.
pub(crate) fn within(cx: &Context, kind: ObjectKind, object: &Value) -> bool {
    resource(kind).within(cx, object)
}

/// The object as the response shows it, with `expand` applied (paths relative to the object):
/// the kind's own rendering, then each expandable id named in `expand` replaced by its object
/// as that kind renders it (an id that names nothing stays an id).
pub(crate) fn render(
    cx: &Context,
    kind: ObjectKind,
    object: &Arc<Value>,
    expand: &[String],
) -> Arc<Value> {
    let resource = resource(kind);
    let mut shown = resource.render(cx, object, expand);
    for expandable in resource.expandable() {
        if !expand.iter().any(|e| e == expandable.path) {
            continue;
        }
        let pointer = format!("/{}", expandable.path.replace('.', "/"));
        let Some(target) = shown
            .pointer(&pointer)
            .and_then(Value::as_str)
            .and_then(|id| cx.store.get(expandable.kind, id))
        else {
            continue;
        };
        let target = render(cx, expandable.kind, target, &[]);
        let mut copy = (*shown).clone();
        if let Some(slot) = copy.pointer_mut(&pointer) {
            *slot = (*target).clone();
        }
        shown = Arc::new(copy);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::store::IndexShape;
    use crate::kinds::KINDS;
    use serde_json::json;

    #[test]
    fn every_kind_has_exactly_one_resource_in_the_registrys_order() {
        assert_eq!(RESOURCES.len(), KINDS.len());
        for (position, kind) in KINDS.iter().enumerate() {
            assert_eq!(
                RESOURCES[position].kind(),
                kind.id(),
                "RESOURCES[{position}] is not the {} resource",
                kind.name()
            );
            let serving = RESOURCES.iter().filter(|r| r.kind() == kind.id()).count();
            assert_eq!(serving, 1, "{} resources for {}", serving, kind.name());
        }
    }

    #[test]
    fn no_deletable_kind_keeps_positions_and_every_index_is_a_field() {
        for resource in RESOURCES {
            let table = resource.kind().table();
            for index in resource.indexes() {
                assert!(
                    !(table.deletable && index.shape == IndexShape::Positions),
                    "{}: a delete would shift the positions of `{}`",
                    resource.kind(),
                    index.field
                );
            }
        }
    }

    /// A kind that implements only what `Resource` requires: the defaults are Stripe's
    /// generic endpoints (here in place of the coupon, whose table it uses).
    struct Plain;

    impl Resource for Plain {
        fn kind(&self) -> ObjectKind {
            ObjectKind::Coupon
        }

        fn noun(&self) -> &'static str {
            "coupon"
        }

        fn build(
            &self,
            cx: &Context,
            mut params: Map<String, Value>,
            _nested: Option<&resource::Nested>,
        ) -> Result<Value, ErrorResponse> {
            let id = cx.take_id(self, &mut params)?;
            params.insert("id".into(), id.into());
            Ok(Value::Object(params))
        }
    }

    #[test]
    fn a_kind_with_only_the_required_methods_gets_the_generic_endpoints() {
        let mut store = new_store(Clock::Fixed(100));
        let mut cx = Context::new(&mut store, REGISTRY, &[]);
        let params = |v: Value| v.as_object().cloned().unwrap();

        let created = Plain
            .create(&mut cx, params(json!({"id": "c1", "name": "A"})))
            .unwrap();
        assert_eq!(created["id"], "c1");
        let taken = Plain
            .create(&mut cx, params(json!({"id": "c1"})))
            .unwrap_err();
        assert_eq!(
            taken.message,
            "Coupon already exists: a coupon with id 'c1' exists."
        );
        let updated = Plain
            .update(&mut cx, &created, params(json!({"name": "B"})))
            .unwrap();
        assert_eq!(updated["name"], "B");
        assert_eq!(cx.store.get(ObjectKind::Coupon, "c1").unwrap()["name"], "B");
        let unknown = Plain.act(&mut cx, "deactivate", &updated).unwrap_err();
        assert_eq!(unknown.status, 404);
        assert!(Plain.actions().is_empty() && Plain.expandable().is_empty());
        assert!(Plain.within(&cx, &updated));
        let nested = [("product", "prod_1".to_owned())];
        let under = Context::new(cx.store, REGISTRY, &nested);
        assert!(Plain.within(&under, &json!({"id": "a", "product": "prod_1"})));
        assert!(!Plain.within(&under, &json!({"id": "b", "product": "prod_2"})));
        let cx = Context::new(under.store, REGISTRY, &[]);
        let filter = Plain
            .filter(&cx, &params(json!({"created": "99"})))
            .unwrap();
        assert!(!filter.matches(&json!({"created": 100})));
        assert!(filter.matches(&json!({"created": 99})));
    }

    #[test]
    fn an_expandable_id_renders_as_its_kinds_object_and_a_dangling_one_stays() {
        let mut store = new_store(Clock::Fixed(100));
        let coupon = json!({"id": "c1", "object": "coupon", "valid": true,
            "applies_to": {"products": []}, "redeem_by": null});
        store.put(ObjectKind::Coupon, coupon);
        let code = Arc::new(json!({"id": "promo_1", "promotion": {"coupon": "c1"}}));
        let dangling = Arc::new(json!({"id": "promo_2", "promotion": {"coupon": "nope"}}));
        let cx = Context::new(&mut store, REGISTRY, &[]);
        let expand = ["promotion.coupon".to_owned()];

        let shown = render(&cx, ObjectKind::PromotionCode, &code, &expand);
        // The coupon as the coupon renders it: `applies_to` is includable, so left out.
        assert_eq!(
            shown["promotion"]["coupon"],
            json!({"id": "c1", "object": "coupon", "valid": true, "redeem_by": null})
        );
        let shown = render(&cx, ObjectKind::PromotionCode, &dangling, &expand);
        assert_eq!(shown["promotion"]["coupon"], "nope");
        let shown = render(&cx, ObjectKind::PromotionCode, &code, &[]);
        assert_eq!(shown["promotion"]["coupon"], "c1");
    }
}
