//! Entitlement features: `feat_` ids, a lookup key of at most 80 characters unique among
//! active features, `name`/`metadata`/`active` updates, and archiving that is permanent.
//! The list leaves archived features out unless `archived` is given (param-rules R022).
//!
//! Where the reference is silent, the emulator follows what Stripe documents elsewhere:
//! - The update endpoint is "Update a feature's metadata or permanently deactivate it"
//!   (catalog-fields.json, `endpoints.update.description`): an archived feature cannot be
//!   brought back or edited, so any update of one is refused.
//! - Archiving frees the lookup key: a later create with the same key makes a new feature
//!   (alchemy.run's Stripe provider documents "An archived lookup key can be reused — a later
//!   create with the same key provisions a new feature"; Stripe's own "A unique key you
//!   provide as your own system identifier", R023, says nothing of archived ones).

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::emulator::store::{new_id, Index};
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::Feature;
/// The active feature that holds a lookup key (unique among active features).
const INDEXES: &[Index] = &[Index::holder("lookup_key").active_only()];

pub(super) struct Feature;

/// Response-only fields (fixtures3.json `entitlements.feature`).
fn skeleton(id: &str) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object, "active": true, "livemode": false,
        "lookup_key": null, "metadata": {}, "name": null,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

fn taken(key: &str) -> ErrorResponse {
    ErrorResponse::already_exists(
        "lookup_key",
        format!("A feature with lookup_key `{key}` already exists."),
    )
}

impl Resource for Feature {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "feature"
    }

    fn indexes(&self) -> &'static [Index] {
        INDEXES
    }

    /// Stripe's feature ids carry the mode: `feat_test_…` (fixtures3.json).
    fn new_id(&self) -> String {
        new_id("feat_test_", 32)
    }

    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        let key = params["lookup_key"].as_str().unwrap_or_default().to_owned();
        if cx.store.holder(KIND, "lookup_key", &key).is_some() {
            return Err(taken(&key));
        }
        KIND.table().fill_defaults(&mut params);
        let mut feature = skeleton(&self.new_id());
        merge(KIND.table(), &mut feature, &params);
        Ok(Value::Object(common::stripe_order(feature)))
    }

    fn update(
        &self,
        cx: &mut Context,
        current: &Value,
        params: Map<String, Value>,
    ) -> Result<Arc<Value>, ErrorResponse> {
        if current["active"] == Value::Bool(false) {
            let id = current["id"].as_str().unwrap_or_default();
            return Err(ErrorResponse::invalid(
                None,
                None,
                format!("The feature {id} is archived and can no longer be updated."),
            ));
        }
        let mut feature = current.as_object().cloned().unwrap_or_default();
        merge(KIND.table(), &mut feature, &params);
        Ok(cx.store.put(KIND, Value::Object(feature)))
    }

    /// `archived=true|false`; without it, active features only (R022: inactive ones "will
    /// not be returned from the features list endpoint").
    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::default();
        let archived = match filters.get("archived") {
            Some(value) => common::parse_bool("archived", value)?,
            None => false,
        };
        filter.push(move |object| object["active"] == Value::Bool(!archived));
        filter.string(filters, "lookup_key", "lookup_key")?;
        Ok(filter)
    }
}
