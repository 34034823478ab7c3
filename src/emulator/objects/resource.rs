//! The emulator's side of one object kind: [`Resource`], which each `objects/<kind>.rs`
//! implements once, and what its methods are given: a [`Context`] (the account, the other
//! kinds' behaviour, the ids the path named).
//!
//! A kind's Stripe facts are its `crate::kinds` table (path, object name, id prefix, custom
//! ids, deletable, list filters, params): the routes, strict params and generic endpoints come
//! from there. A `Resource` adds only what the table cannot say: the object's shape (its
//! skeleton, derived and nested fields), rules beyond the table and the rules table, list
//! filters, expansions, side effects on other objects, and any endpoint beyond the generic create, retrieve, update, delete and list.
//!
//! Kind modules reach each other only through [`Context::resource`], never by naming each
//! other's module: a product's `default_price_data` builds its price through the price's
//! `Resource`, so no two kind modules depend on each other.

use std::sync::Arc;

use serde_json::{Map, Value};

use super::common::{self, Filter};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::{new_id, Index, Store};
use crate::kinds::ObjectKind;

/// One kind, as the emulator serves it. Required: [`Resource::kind`], [`Resource::noun`] and
/// [`Resource::build`]; every other method has Stripe's generic behaviour as its default.
///
/// What runs before a method is called, for every kind: the route (from the table's `path`,
/// `deletable` and the update params), authentication, faults and idempotency, the strict
/// param check against the table (`params::validate`), and on create and update the rules
/// table (`kinds::rules::check`). So `params` here are typed and known to the endpoint, and
/// defaults are not yet applied (`table.fill_defaults` is the kind's to call, after the checks
/// that must see what the client sent).
pub(crate) trait Resource: Sync {
    /// The kind this serves: its table gives the routes and the params.
    fn kind(&self) -> ObjectKind;

    /// What Stripe calls the object in "No such {noun}: 'id'" (`promotion code`,
    /// `configuration`).
    fn noun(&self) -> &'static str;

    /// The indexes the store keeps over this kind's objects (uniqueness, indexed filters).
    fn indexes(&self) -> &'static [Index] {
        &[]
    }

    /// A generated id: the table's `id_prefix` and 24 random characters.
    fn new_id(&self) -> String {
        new_id(self.kind().table().id_prefix, 24)
    }

    /// A new object from checked params, with the kind's own checks, not yet stored.
    /// `nested` is set when the params came inside another kind's create
    /// (`default_price_data`, `product_data`).
    fn build(
        &self,
        cx: &Context,
        params: Map<String, Value>,
        nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse>;

    /// `POST {path}`: builds the object and stores it. Override when one create writes more
    /// (a product's `default_price_data` creates its price too).
    fn create(
        &self,
        cx: &mut Context,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let object = self.build(cx, params, None)?;
        Ok(cx.store.put(self.kind(), object))
    }

    /// `POST {path}/{id}` (routed where the table has update params): the params merged into
    /// the object as Stripe's update does. Override for checks, derived fields, `updated`.
    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let mut object = current.as_object().cloned().unwrap_or_default();
        merge(self.kind().table(), &mut object, &params);
        Ok(cx.store.put(self.kind(), Value::Object(object)))
    }

    /// `DELETE {path}/{id}` (routed where the table says `deletable`): what Stripe refuses
    /// to delete. The object exists.
    fn check_delete(&self, _cx: &Context, _id: &str) -> Result<(), ErrorResponse> {
        Ok(())
    }

    /// The list filters, parsed from the query (only names in the table's `list_filters`
    /// arrive). The default knows `created` only.
    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        Filter::only_created(filters)
    }

    /// Fields that hold another object's id and that `expand[]` replaces with that object,
    /// as its own kind renders it. Handled generically after [`Resource::render`].
    fn expandable(&self) -> &'static [Expandable] {
        &[]
    }

    /// The stored object as responses show it: includable fields, values derived at read
    /// time (a coupon's `valid`). `expand` is relative to the object.
    fn render(&self, _cx: &Context, object: &Arc<Value>, _expand: &[String]) -> Arc<Value> {
        object.clone()
    }

    /// Whether the object is reachable under the ids the path named, for a kind whose path
    /// has them (`/v1/products/{product}/features`): retrieve, update, delete and actions
    /// answer 404 otherwise, and lists leave it out. By default the object names each in the
    /// field the path calls it (`product`); override where Stripe's shape does not show it.
    /// Top-level kinds have no path ids: every object is reachable.
    fn within(&self, cx: &Context, object: &Value) -> bool {
        cx.path_ids()
            .iter()
            .all(|(name, id)| object[*name].as_str() == Some(id.as_str()))
    }

    /// Endpoints beyond the table's five, each `POST {path}/{id}/{action}` taking no param
    /// but `expand` (a billing meter's `deactivate`).
    fn actions(&self) -> &'static [&'static str] {
        &[]
    }

    /// Runs one of [`Resource::actions`] on an existing object.
    fn act(
        &self,
        _cx: &mut Context,
        action: &str,
        current: &Value,
    ) -> Result<Arc<Value>, ErrorResponse> {
        let id = current["id"].as_str().unwrap_or_default();
        Err(ErrorResponse::unrecognized_url(
            "POST",
            &format!("{}/{id}/{action}", self.kind().table().path),
        ))
    }
}

/// Where the params of an object created inside another kind's create came from.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Nested<'a> {
    /// The param that held them, to name errors as Stripe does: `default_price_data` gives
    /// `default_price_data[currency]`.
    pub param: &'static str,
    /// The id of the object created in the same request, not yet stored, that the new one
    /// may name (the product of a `default_price_data`).
    pub alongside: Option<&'a str>,
}

/// A field that holds another object's id, replaced by that object when `expand[]` names it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Expandable {
    /// The field's path, dot-separated as `expand[]` writes it (`promotion.coupon`).
    pub path: &'static str,
    /// The kind of the object it names.
    pub kind: ObjectKind,
}

/// The emulated kinds, one [`Resource`] per kind in `ObjectKind::ALL` order: the list in
/// `objects/mod.rs`, handed to each request's [`Context`] so that kind modules reach each
/// other without depending on the list that names them.
#[derive(Clone, Copy)]
pub(crate) struct Registry(pub &'static [&'static dyn Resource]);

impl Registry {
    /// The resource of `kind` (the list follows the enum: `objects::tests`).
    pub fn of(self, kind: ObjectKind) -> &'static dyn Resource {
        self.0[kind as usize]
    }
}

/// What a kind's code works with during one request.
pub(crate) struct Context<'a> {
    /// The account.
    pub store: &'a mut Store,
    registry: Registry,
    /// The ids the path named before the object's own (`{product}` in
    /// `/v1/products/{product}/features`), by name.
    path: &'a [(&'static str, String)],
}

impl<'a> Context<'a> {
    pub fn new(
        store: &'a mut Store,
        registry: Registry,
        path: &'a [(&'static str, String)],
    ) -> Context<'a> {
        Context {
            store,
            registry,
            path,
        }
    }

    /// Another kind's behaviour (a product's `default_price_data` builds a price with it).
    pub fn resource(&self, kind: ObjectKind) -> &'static dyn Resource {
        self.registry.of(kind)
    }

    /// The ids the path named before the object's own, by name (none for a top-level kind).
    pub fn path_ids(&self) -> &[(&'static str, String)] {
        self.path
    }

    /// The current time, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.store.now()
    }

    /// The id a create gives its object: the client's own `id` where the table takes one
    /// (`custom_id`; refused when taken or malformed), else a generated one. Removes `id`
    /// from `params`.
    pub fn take_id(
        &self,
        resource: &dyn Resource,
        params: &mut Map<String, Value>,
    ) -> Result<String, ErrorResponse> {
        let kind = resource.kind();
        let Some(id) = params.remove("id").filter(|_| kind.table().custom_id) else {
            return Ok(resource.new_id());
        };
        let id = common::custom_id(&id)?;
        if self.store.get(kind, &id).is_some() {
            let noun = resource.noun();
            let mut title = noun.to_owned();
            title[..1].make_ascii_uppercase();
            return Err(ErrorResponse::already_exists(
                "id",
                format!("{title} already exists: a {noun} with id '{id}' exists."),
            ));
        }
        Ok(id)
    }
}
