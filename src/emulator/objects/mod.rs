//! The five objects' own rules and response shapes. Params arrive already checked against the
//! field table (`params::validate`); what is here is what the table cannot say: skeletons with
//! every response field Stripe returns (null where unset), derived fields, cross-field and
//! cross-object rules (lookup keys, promotion codes, coupons' discount, deletes), list filters
//! and expansions.

mod common;
mod coupon;
mod portal;
mod price;
mod product;
mod promotion_code;

use std::sync::Arc;

use serde_json::{Map, Value};

use super::error::ApiError;
use super::store::Account;
use crate::kinds::fields::Operation;
use crate::kinds::rules::{self, Related, Request};
use crate::kinds::ObjectKind;

pub(crate) use common::Filter;

/// What Stripe calls the object in "No such ...: 'id'" messages.
pub(crate) fn noun(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Product => "product",
        ObjectKind::Price => "price",
        ObjectKind::Coupon => "coupon",
        ObjectKind::PromotionCode => "promotion code",
        ObjectKind::PortalConfiguration => "configuration",
    }
}

/// Creates an object from checked params (defaults not yet applied).
pub(crate) fn create(
    account: &mut Account,
    kind: ObjectKind,
    params: Map<String, Value>,
) -> Result<Arc<Value>, ApiError> {
    refuse_broken_rules(account, kind, Operation::Create, &params, None)?;
    match kind {
        ObjectKind::Product => product::create(account, params),
        ObjectKind::Price => price::create(account, params),
        ObjectKind::Coupon => coupon::create(account, params),
        ObjectKind::PromotionCode => promotion_code::create(account, params),
        ObjectKind::PortalConfiguration => portal::create(account, params),
    }
}

/// Updates an object from checked params.
pub(crate) fn update(
    account: &mut Account,
    kind: ObjectKind,
    id: &str,
    params: Map<String, Value>,
) -> Result<Arc<Value>, ApiError> {
    let current = retrieve(account, kind, id)?.clone();
    refuse_broken_rules(account, kind, Operation::Update, &params, Some(&current))?;
    match kind {
        ObjectKind::Product => product::update(account, &current, params),
        ObjectKind::Price => price::update(account, &current, params),
        ObjectKind::Coupon => coupon::update(account, &current, params),
        ObjectKind::PromotionCode => promotion_code::update(account, &current, params),
        ObjectKind::PortalConfiguration => portal::update(account, &current, params),
    }
}

/// The rules table's checks (`crate::kinds::rules`), the same the planner runs on the writes
/// it plans: the first one broken is Stripe's 400 about its param.
fn refuse_broken_rules(
    account: &Account,
    kind: ObjectKind,
    op: Operation,
    params: &Map<String, Value>,
    current: Option<&Value>,
) -> Result<(), ApiError> {
    let request = Request {
        kind,
        op,
        params,
        current,
        now: Some(account.now()),
        related: &Held(account),
    };
    match rules::check(&request).into_iter().next() {
        Some(broken) => Err(ApiError::param(&broken.param, broken.message)),
        None => Ok(()),
    }
}

/// The emulated account as the rules see related objects: as a retrieve would show them.
struct Held<'a>(&'a Account);

impl Related for Held<'_> {
    fn coupon(&self, reference: &str) -> Option<Value> {
        let coupon = self.0.get(ObjectKind::Coupon, reference)?;
        Some((*coupon::render(self.0, coupon, &[])).clone())
    }
}

/// Deletes an object (the routes only offer DELETE where the table says Stripe has it).
pub(crate) fn delete(account: &mut Account, kind: ObjectKind, id: &str) -> Result<Value, ApiError> {
    retrieve(account, kind, id)?;
    if kind == ObjectKind::Product {
        product::check_deletable(account, id)?;
    }
    account.remove(kind, id);
    Ok(serde_json::json!({ "id": id, "object": kind.table().object, "deleted": true }))
}

/// The object with this id, or 404 `resource_missing` with param `id`.
pub(crate) fn retrieve<'a>(
    account: &'a Account,
    kind: ObjectKind,
    id: &str,
) -> Result<&'a Arc<Value>, ApiError> {
    account
        .get(kind, id)
        .ok_or_else(|| ApiError::no_such(noun(kind), id, "id", 404))
}

/// The list filters of this kind, parsed from the query (only names the table lists reach
/// here).
pub(crate) fn filter(
    account: &Account,
    kind: ObjectKind,
    filters: &Map<String, Value>,
) -> Result<Filter, ApiError> {
    match kind {
        ObjectKind::Product => product::filter(filters),
        ObjectKind::Price => price::filter(account, filters),
        ObjectKind::Coupon => common::Filter::only_created(filters),
        ObjectKind::PromotionCode => promotion_code::filter(account, filters),
        ObjectKind::PortalConfiguration => portal::filter(filters),
    }
}

/// The object as the response shows it, with `expand` applied (paths relative to the object).
pub(crate) fn render(
    account: &Account,
    kind: ObjectKind,
    object: &Arc<Value>,
    expand: &[String],
) -> Arc<Value> {
    match kind {
        ObjectKind::Product => product::render(account, object, expand),
        ObjectKind::Price => price::render(account, object, expand),
        ObjectKind::Coupon => coupon::render(account, object, expand),
        ObjectKind::PromotionCode => promotion_code::render(account, object, expand),
        ObjectKind::PortalConfiguration => object.clone(),
    }
}
