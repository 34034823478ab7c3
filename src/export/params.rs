//! Stripe response → create params, driven by the one field table (`crate::stripe::fields`):
//! keeps the fields the create endpoint takes (response-only fields such as `created`,
//! `livemode` or `login_page.url` fall away), and leaves out what Stripe would fill in anyway
//! (unset fields, empty lists and maps, values equal to the table's `default`).

use serde_json::{Map, Value};

use crate::stripe::fields::{segments, ObjectKind, ObjectTable, Param, Presence, Type};

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
        let mut fields: Vec<(String, Kept)> = Vec::new();
        for (name, value) in object {
            let child = if path.is_empty() {
                name.clone()
            } else {
                format!("{path}[{name}]")
            };
            let kept = match self.exact(&child) {
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
            fields.push((name.clone(), kept));
        }
        drop_decimal_twins(&mut fields);
        if !fields
            .iter()
            .any(|(_, kept)| matches!(kept, Kept::Value(_)))
        {
            return None;
        }
        let mut out = Map::new();
        for (name, kept) in fields {
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
        match (param.ty, value) {
            (_, Value::Null) => Kept::Omitted,
            (_, Value::Array(items)) if items.is_empty() => Kept::Omitted,
            (Type::Object, Value::Object(inner)) => self.nested(param, path, inner),
            (Type::Map, Value::Object(inner)) => {
                if self.has_params_below(path) {
                    self.nested(param, path, inner)
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

    fn nested(&self, param: &Param, path: &str, inner: &Map<String, Value>) -> Kept {
        match self.map(path, inner) {
            Some(map) => Kept::Value(Value::Object(map)),
            None if param.on_create == Presence::Required => {
                Kept::RequiredDefault(Value::Object(Map::new()))
            }
            None => Kept::Omitted,
        }
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
        let wanted = segments(concrete);
        self.table.params.iter().find(|param| {
            let pattern = segments(param.path);
            pattern.len() == wanted.len() && matches_prefix(&pattern, &wanted)
        })
    }

    fn has_params_below(&self, concrete: &str) -> bool {
        let wanted = segments(concrete);
        self.table.params.iter().any(|param| {
            let pattern = segments(param.path);
            pattern.len() > wanted.len() && matches_prefix(&pattern, &wanted)
        })
    }
}

/// Whether the first `concrete.len()` segments of `pattern` match `concrete`.
fn matches_prefix(pattern: &[&str], concrete: &[&str]) -> bool {
    pattern.iter().zip(concrete).all(|(p, c)| match *p {
        "<key>" => true,
        "" => c.is_empty() || c.bytes().all(|b| b.is_ascii_digit()),
        _ => p == c,
    })
}

/// Stripe answers with both `unit_amount` and `unit_amount_decimal` (likewise
/// `flat_amount`), but a create takes only one of each pair: keep the integer when there is one.
fn drop_decimal_twins(fields: &mut [(String, Kept)]) {
    let integers: Vec<String> = fields
        .iter()
        .filter(|(_, kept)| matches!(kept, Kept::Value(_) | Kept::RequiredDefault(_)))
        .map(|(name, _)| name.clone())
        .collect();
    for (name, kept) in fields.iter_mut() {
        if let Some(base) = name.strip_suffix("_decimal") {
            if integers.iter().any(|n| n == base) {
                *kept = Kept::Omitted;
            }
        }
    }
}
