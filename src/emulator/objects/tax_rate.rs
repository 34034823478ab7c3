//! Tax rates: `txr_` ids, the response fields Stripe Tax fills (`effective_percentage`,
//! `flat_amount`, `jurisdiction_level`, `rate_type`) null for a rate made by hand, as the
//! fixture has them, and `percentage` as Stripe prints it: `19`, not `19.0`. Updates are
//! Stripe's generic merge: `percentage` and `inclusive` are not update params, so the strict
//! param check refuses them.

use serde_json::{json, Map, Value};

use super::common::{self, Filter};
use super::resource::{Context, Nested, Resource};
use crate::emulator::error::ErrorResponse;
use crate::emulator::merge::merge;
use crate::kinds::ObjectKind;

const KIND: ObjectKind = ObjectKind::TaxRate;

pub(super) struct TaxRate;

/// Response-only fields, and `null` for nullable fields nobody set (fixtures3.json's
/// `tax_rate`). Defaults come from the field table.
fn skeleton(id: &str, now: i64) -> Map<String, Value> {
    let Value::Object(map) = json!({
        "id": id, "object": KIND.table().object,
        "country": null, "created": now, "description": null,
        "effective_percentage": null, "flat_amount": null, "jurisdiction": null,
        "jurisdiction_level": null, "livemode": false, "rate_type": null, "state": null,
        "tax_type": null,
    }) else {
        unreachable!("a JSON object literal")
    };
    map
}

impl Resource for TaxRate {
    fn kind(&self) -> ObjectKind {
        KIND
    }

    fn noun(&self) -> &'static str {
        "tax rate"
    }

    fn build(
        &self,
        cx: &Context,
        mut params: Map<String, Value>,
        _nested: Option<&Nested>,
    ) -> Result<Value, ErrorResponse> {
        KIND.table().fill_defaults(&mut params);
        let mut rate = skeleton(&self.new_id(), cx.now());
        merge(KIND.table(), &mut rate, &params);
        if let Some(percentage) = rate.get_mut("percentage") {
            *percentage = whole(percentage);
        }
        Ok(Value::Object(common::stripe_order(rate)))
    }

    fn filter(&self, _cx: &Context, filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::only_created(filters)?;
        filter.boolean(filters, "active", "active")?;
        filter.boolean(filters, "inclusive", "inclusive")?;
        Ok(filter)
    }
}

/// A whole-number percentage as an integer, as Stripe's responses print it
/// (`"percentage": 19` in fixtures3.json and in the API reference's examples).
fn whole(percentage: &Value) -> Value {
    match percentage.as_f64() {
        #[allow(clippy::cast_possible_truncation)]
        Some(f) if f.fract() == 0.0 && f.abs() < 1e15 => json!(f as i64),
        _ => percentage.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_percentages_print_as_integers() {
        assert_eq!(whole(&json!(19.0)), json!(19));
        assert!(whole(&json!(19.0)).is_i64());
        assert_eq!(whole(&json!(7.7)), json!(7.7));
    }
}
