//! Stripe response → create params, driven by the one field table (`crate::kinds::fields`):
//! keeps the fields the create endpoint takes (response-only fields such as `created`,
//! `livemode` or `login_page.url` fall away), and leaves out what Stripe would fill in anyway
//! (unset fields, empty lists and maps, values equal to the table's `default`).

use serde_json::{Map, Value};

use crate::kinds::fields::{ObjectTable, Param, Presence, Type};
use crate::kinds::ObjectKind;
use crate::path::pattern_reach;

/// The create params `object` (a Stripe response, already stripped of its key and of
/// billingctl's own metadata) would be created with, with Stripe's names and nesting.
pub fn create_params(kind: ObjectKind, object: &Map<String, Value>) -> Map<String, Value> {
    Walker {
        table: kind.table(),
    }
    .map("", object)
    .unwrap_or_default()
}

struct Walker {
    table: &'static ObjectTable,
}

/// What the walk made of one field.
enum Kept {
    /// Worth writing: set and different from Stripe's default.
    Value(Value),
    /// Equal to Stripe's default, but the create endpoint requires it when its parent is sent
    /// (`features[invoice_history][enabled]`): written only if the parent is written.
    RequiredDefault(Value),
    Omitted,
}

impl Walker {
    /// The fields of a nested object under `path`; `None` when nothing in it differs from
    /// what Stripe would fill in, so the whole object can be left out.
    fn map(&self, path: &str, object: &Map<String, Value>) -> Option<Map<String, Value>> {
        // (position of the param in the table, name, what was kept)
        let mut fields: Vec<(usize, String, Kept)> = Vec::new();
        for (name, value) in object {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}[{name}]")
            };
            let param = self.exact(&child);
            let position = param
                .and_then(|p| self.table.params.iter().position(|q| std::ptr::eq(p, q)))
                .unwrap_or(usize::MAX);
            let kept = match param {
                Some(param) if param.on_create != Presence::Absent => {
                    self.param(param, &child, value)
                }
                Some(_) => Kept::Omitted,
                // A map key with params below it (`currency_options[eur]`), not a param itself.
                None if self.has_params_below(&child) => match value {
                    Value::Object(inner) => self
                        .map(&child, inner)
                        .map_or(Kept::Omitted, |m| Kept::Value(Value::Object(m))),
                    _ => Kept::Omitted,
                },
                None => Kept::Omitted,
            };
            fields.push((position, name.clone(), kept));
        }
        drop_decimal_twins(&mut fields);
        // The object itself (not a nested one) is always written, with what it requires.
        let is_root = path.is_empty();
        if !is_root
            && !fields
                .iter()
                .any(|(_, _, kept)| matches!(kept, Kept::Value(_)))
        {
            return None;
        }
        // The table's order (alphabetical, as Stripe documents params), not the response's:
        // the same object reads the same whichever server answered.
        fields.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
        let mut out = Map::new();
        for (_, name, kept) in fields {
            match kept {
                Kept::Value(value) | Kept::RequiredDefault(value) => {
                    out.insert(name, value);
                }
                Kept::Omitted => {}
            }
        }
        Some(out)
    }

    fn param(&self, param: &Param, path: &str, value: &Value) -> Kept {
        match self.param_value(param, path, value) {
            // An empty list or all-default object the create endpoint still requires
            // (`cancellation_reason[options]`).
            Kept::Omitted if param.on_create == Presence::Required && !value.is_null() => {
                Kept::RequiredDefault(match value {
                    Value::Object(_) => Value::Object(Map::new()),
                    Value::Array(_) => Value::Array(Vec::new()),
                    scalar => scalar.clone(),
                })
            }
            kept => kept,
        }
    }

    fn param_value(&self, param: &Param, path: &str, value: &Value) -> Kept {
        match (param.ty, value) {
            // Stripe answers the word of an integer-or-word param with `null`: a last tier's
            // open end is `up_to: null` where a create says `"inf"`.
            (Type::IntegerOr([word, ..]), Value::Null) => {
                self.scalar(param, Value::String((*word).to_owned()))
            }
            (_, Value::Null) => Kept::Omitted,
            (_, Value::Array(items)) if items.is_empty() => Kept::Omitted,
            (Type::Object, Value::Object(inner)) => self.nested(path, inner),
            (Type::Map, Value::Object(inner)) => {
                if self.has_params_below(path) {
                    self.nested(path, inner)
                } else if inner.is_empty() {
                    Kept::Omitted
                } else {
                    Kept::Value(value.clone())
                }
            }
            (Type::Array, Value::Array(items)) => {
                let element = format!("{path}[]");
                let items = items
                    .iter()
                    .map(|item| match item {
                        Value::Object(inner) => {
                            Value::Object(self.map(&element, inner).unwrap_or_default())
                        }
                        other => other.clone(),
                    })
                    .collect();
                Kept::Value(Value::Array(items))
            }
            (Type::Number, Value::Number(n)) => {
                // Stripe may print `30` for a float field; the script must say `30.0`.
                let float = n.as_f64().and_then(serde_json::Number::from_f64);
                self.scalar(param, float.map_or_else(|| value.clone(), Value::Number))
            }
            _ => self.scalar(param, value.clone()),
        }
    }

    fn nested(&self, path: &str, inner: &Map<String, Value>) -> Kept {
        self.map(path, inner)
            .map_or(Kept::Omitted, |map| Kept::Value(Value::Object(map)))
    }

    fn scalar(&self, param: &Param, value: Value) -> Kept {
        let is_default = param.default.is_some_and(|d| d.to_json() == value);
        match (is_default, param.on_create) {
            (false, _) => Kept::Value(value),
            (true, Presence::Required) => Kept::RequiredDefault(value),
            (true, _) => Kept::Omitted,
        }
    }

    /// The param whose path matches `concrete` exactly (no map-key fallback: `metadata[x]`
    /// is not `metadata` here).
    fn exact(&self, concrete: &str) -> Option<&'static Param> {
        self.table
            .params
            .iter()
            .find(|param| pattern_reach(param.path, concrete) == Some(true))
    }

    fn has_params_below(&self, concrete: &str) -> bool {
        self.table
            .params
            .iter()
            .any(|param| pattern_reach(param.path, concrete) == Some(false))
    }
}

/// Stripe answers with both `unit_amount` and `unit_amount_decimal` (likewise
/// `flat_amount`), but a create takes only one of each pair: keep the integer when there is one.
fn drop_decimal_twins(fields: &mut [(usize, String, Kept)]) {
    let integers: Vec<String> = fields
        .iter()
        .filter(|(_, _, kept)| matches!(kept, Kept::Value(_) | Kept::RequiredDefault(_)))
        .map(|(_, name, _)| name.clone())
        .collect();
    for (_, name, kept) in fields.iter_mut() {
        if let Some(base) = name.strip_suffix("_decimal") {
            if integers.iter().any(|n| n == base) {
                *kept = Kept::Omitted;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(kind: ObjectKind, object: Value) -> Value {
        Value::Object(create_params(kind, object.as_object().expect("an object")))
    }

    #[test]
    fn response_only_fields_and_defaults_fall_away() {
        let price = json!({
            "object": "price", "created": 1, "livemode": false, "type": "recurring",
            "active": true, "billing_scheme": "per_unit", "currency": "eur",
            "custom_unit_amount": null, "metadata": {}, "nickname": null,
            "recurring": { "interval": "month", "interval_count": 1, "meter": null,
                           "trial_period_days": null, "usage_type": "licensed" },
            "tax_behavior": "unspecified", "tiers_mode": null, "transform_quantity": null,
            "unit_amount": 900, "unit_amount_decimal": "900"
        });
        assert_eq!(
            params(ObjectKind::Price, price),
            json!({ "currency": "eur", "recurring": { "interval": "month" }, "unit_amount": 900 })
        );
    }

    #[test]
    fn values_other_than_the_default_are_kept() {
        let price = json!({
            "active": false, "billing_scheme": "tiered", "currency": "eur",
            "recurring": { "interval": "month", "interval_count": 3, "usage_type": "metered" },
            "tax_behavior": "inclusive", "tiers_mode": "graduated",
            "tiers": [
                { "flat_amount": null, "flat_amount_decimal": null, "unit_amount": 100,
                  "unit_amount_decimal": "100", "up_to": 10 },
                { "flat_amount": 500, "flat_amount_decimal": "500", "unit_amount": null,
                  "unit_amount_decimal": "0.5", "up_to": "inf" }
            ],
            "unit_amount": null, "unit_amount_decimal": null
        });
        assert_eq!(
            params(ObjectKind::Price, price),
            json!({
                "active": false, "billing_scheme": "tiered", "currency": "eur",
                "recurring": { "interval": "month", "interval_count": 3, "usage_type": "metered" },
                "tax_behavior": "inclusive",
                "tiers": [
                    { "unit_amount": 100, "up_to": 10 },
                    { "flat_amount": 500, "unit_amount_decimal": "0.5", "up_to": "inf" }
                ],
                "tiers_mode": "graduated"
            })
        );
    }

    #[test]
    fn maps_of_objects_are_walked_by_key() {
        let price = json!({
            "currency": "usd", "unit_amount": 1000, "unit_amount_decimal": "1000",
            "currency_options": {
                "eur": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                         "tiers": [], "unit_amount": 900, "unit_amount_decimal": "900" },
                "usd": { "custom_unit_amount": null, "tax_behavior": "unspecified",
                         "unit_amount": 1000, "unit_amount_decimal": "1000" }
            }
        });
        assert_eq!(
            params(ObjectKind::Price, price),
            json!({
                "currency": "usd",
                "currency_options": { "eur": { "unit_amount": 900 }, "usd": { "unit_amount": 1000 } },
                "unit_amount": 1000
            })
        );
    }

    #[test]
    fn a_required_field_at_its_default_is_written_only_inside_a_written_parent() {
        let portal = json!({
            "features": {
                "customer_update": { "allowed_updates": [], "enabled": false },
                "invoice_history": { "enabled": false },
                "subscription_cancel": {
                    "cancellation_reason": { "enabled": true, "options": [] },
                    "enabled": false, "mode": "at_period_end", "proration_behavior": "none"
                }
            },
            "login_page": { "enabled": false, "url": null },
            "is_default": true
        });
        assert_eq!(
            params(ObjectKind::PortalConfiguration, portal),
            json!({
                "features": {
                    "subscription_cancel": {
                        "cancellation_reason": { "enabled": true, "options": [] },
                        "enabled": false
                    }
                }
            })
        );
    }

    #[test]
    fn a_required_object_with_nothing_set_is_still_written() {
        let portal = json!({ "features": { "invoice_history": { "enabled": false } } });
        assert_eq!(
            params(ObjectKind::PortalConfiguration, portal),
            json!({ "features": {} })
        );
    }

    #[test]
    fn float_fields_stay_floats_when_stripe_prints_an_integer() {
        let coupon = json!({ "percent_off": 30, "duration": "forever", "valid": true });
        let out = params(ObjectKind::Coupon, coupon);
        assert_eq!(out, json!({ "duration": "forever", "percent_off": 30.0 }));
        assert!(out["percent_off"].is_f64());
    }
}
