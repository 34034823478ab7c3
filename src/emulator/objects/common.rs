//! Helpers the objects share: list filters, currency codes, custom ids, expandable fields.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::emulator::error::ErrorResponse;

type Predicate = Box<dyn Fn(&Value) -> bool + Send + Sync>;

/// A parsed list filter: optional candidate positions (from an index) and predicates that
/// every listed object must meet.
#[derive(Default)]
pub(crate) struct Filter {
    /// Creation-order positions to consider, ascending; `None` means every object.
    pub candidates: Option<Vec<usize>>,
    predicates: Vec<Predicate>,
}

impl Filter {
    /// A filter that only knows `created`, for kinds with no other filter.
    pub fn only_created(filters: &Map<String, Value>) -> Result<Filter, ErrorResponse> {
        let mut filter = Filter::default();
        filter.created(filters)?;
        Ok(filter)
    }

    /// Narrows the candidates to these positions (ascending), intersecting with any earlier
    /// narrowing.
    pub fn narrow(&mut self, positions: &[usize]) {
        self.candidates = Some(match self.candidates.take() {
            None => positions.to_vec(),
            Some(earlier) => earlier
                .into_iter()
                .filter(|p| positions.binary_search(p).is_ok())
                .collect(),
        });
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.predicates.iter().all(|p| p(object))
    }

    pub fn push(&mut self, predicate: impl Fn(&Value) -> bool + Send + Sync + 'static) {
        self.predicates.push(Box::new(predicate));
    }

    /// `name=true|false` compared with the boolean field `field`.
    pub fn boolean(
        &mut self,
        filters: &Map<String, Value>,
        name: &str,
        field: &'static str,
    ) -> Result<(), ErrorResponse> {
        if let Some(value) = filters.get(name) {
            let wanted = parse_bool(name, value)?;
            self.push(move |object| object[field] == Value::Bool(wanted));
        }
        Ok(())
    }

    /// `name=x` compared with the string field `field`, exactly.
    pub fn string(
        &mut self,
        filters: &Map<String, Value>,
        name: &str,
        field: &'static str,
    ) -> Result<(), ErrorResponse> {
        if let Some(value) = filters.get(name) {
            let wanted = scalar(name, value)?.to_owned();
            self.push(move |object| object[field].as_str() == Some(wanted.as_str()));
        }
        Ok(())
    }

    /// `created=T` or `created[gt|gte|lt|lte]=T`.
    pub fn created(&mut self, filters: &Map<String, Value>) -> Result<(), ErrorResponse> {
        let Some(value) = filters.get("created") else {
            return Ok(());
        };
        let int = |path: &str, value: &Value| -> Result<i64, ErrorResponse> {
            let text = scalar(path, value)?;
            text.parse()
                .map_err(|_| ErrorResponse::param(path, format!("Invalid integer: {text}")))
        };
        match value {
            Value::Object(bounds) => {
                for (op, bound) in bounds {
                    let path = format!("created[{op}]");
                    let at = int(&path, bound)?;
                    let test: fn(i64, i64) -> bool = match op.as_str() {
                        "gt" => |c, at| c > at,
                        "gte" => |c, at| c >= at,
                        "lt" => |c, at| c < at,
                        "lte" => |c, at| c <= at,
                        _ => return Err(ErrorResponse::unknown_param(&path)),
                    };
                    self.push(move |object| {
                        object["created"].as_i64().is_some_and(|c| test(c, at))
                    });
                }
            }
            other => {
                let at = int("created", other)?;
                self.push(move |object| object["created"].as_i64() == Some(at));
            }
        }
        Ok(())
    }
}

pub(crate) fn parse_bool(name: &str, value: &Value) -> Result<bool, ErrorResponse> {
    match scalar(name, value)? {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(ErrorResponse::param(
            name,
            format!("Invalid boolean: {other}"),
        )),
    }
}

pub(crate) fn scalar<'v>(name: &str, value: &'v Value) -> Result<&'v str, ErrorResponse> {
    value
        .as_str()
        .ok_or_else(|| ErrorResponse::param(name, format!("Invalid {name}: expected a string")))
}

/// A list filter given as `name[]=a&name[]=b` (or a single value).
pub(crate) fn string_list(name: &str, value: &Value) -> Result<Vec<String>, ErrorResponse> {
    match value {
        Value::String(text) => Ok(vec![text.clone()]),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| scalar(&format!("{name}[{i}]"), item).map(str::to_owned))
            .collect(),
        Value::Object(map) => map
            .iter()
            .map(|(i, item)| scalar(&format!("{name}[{i}]"), item).map(str::to_owned))
            .collect(),
        _ => Err(ErrorResponse::param(name, "Invalid array".to_owned())),
    }
}

/// A currency param, lowercased as Stripe stores it, or "Invalid currency".
pub(crate) fn currency(param: &str, value: &Value) -> Result<String, ErrorResponse> {
    let text = value.as_str().unwrap_or_default().to_ascii_lowercase();
    // The crate's one list of Stripe's currencies (shared with the catalog's checks).
    if crate::catalog::currency::is_supported(&text) {
        Ok(text)
    } else {
        Err(ErrorResponse::param(
            param,
            format!("Invalid currency: {}", value.as_str().unwrap_or_default()),
        ))
    }
}

/// The most intervals of this kind in three years, Stripe's longest billing or pause interval
/// (param-rules R004, R047: "3 years, 36 months, or 156 weeks"); no limit for an unknown
/// interval, which the enum check refuses.
pub(crate) fn three_years(interval: Option<&str>) -> i64 {
    match interval {
        Some("day") => 3 * 365,
        Some("week") => 156,
        Some("month") => 36,
        Some("year") => 3,
        _ => i64::MAX,
    }
}

/// A custom id for a product or coupon: Stripe takes letters, digits, `_` and `-`.
pub(crate) fn custom_id(value: &Value) -> Result<String, ErrorResponse> {
    let id = value.as_str().unwrap_or_default();
    if id.is_empty()
        || id.len() > 200
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ErrorResponse::param(
            "id",
            format!("Invalid id: {id}. Ids may contain only letters, digits, '_' and '-'."),
        ));
    }
    Ok(id.to_owned())
}

/// Includable fields (Stripe returns them only when `expand[]` names them): present, as
/// stored (or null), when expanded; absent otherwise.
pub(crate) fn includable(object: &Arc<Value>, fields: &[&str], expand: &[String]) -> Arc<Value> {
    let wanted = |field: &str| expand.iter().any(|e| e == field);
    let needs_change = fields
        .iter()
        .any(|field| object.get(*field).is_some() != wanted(field));
    if !needs_change {
        return object.clone();
    }
    let mut copy = (**object).clone();
    if let Value::Object(map) = &mut copy {
        for field in fields {
            if wanted(field) {
                map.entry(field.to_string()).or_insert(Value::Null);
            } else {
                map.remove(*field);
            }
        }
    }
    Arc::new(copy)
}

/// Orders an object's keys as Stripe's responses do: `id`, `object`, then alphabetically.
pub(crate) fn stripe_order(map: Map<String, Value>) -> Map<String, Value> {
    let mut entries: Vec<(String, Value)> = map.into_iter().collect();
    entries.sort_by(|(a, _), (b, _)| rank(a).cmp(&rank(b)).then_with(|| a.cmp(b)));
    entries.into_iter().collect()
}

fn rank(key: &str) -> u8 {
    match key {
        "id" => 0,
        "object" => 1,
        _ => 2,
    }
}

/// `map[key]` as an object (for nested normalisation).
pub(crate) fn object_mut<'m>(
    map: &'m mut Map<String, Value>,
    key: &str,
) -> Option<&'m mut Map<String, Value>> {
    map.get_mut(key).and_then(Value::as_object_mut)
}

/// Inserts `key: value` where absent.
pub(crate) fn default_field(map: &mut Map<String, Value>, key: &str, value: Value) {
    map.entry(key.to_owned()).or_insert(value);
}
