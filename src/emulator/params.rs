//! Strict params, checked generically against the one field table (`crate::kinds::fields`):
//! every decoded path must be a param of this endpoint (create or update), with the right type
//! and enum value; required params must be there; `""` clears what Stripe lets you clear.
//! The result is typed JSON (integers, numbers, booleans) ready to merge into an object.
//! No field is named here: object-specific rules live in `objects/`.

use serde_json::{Map, Number, Value};

use super::error::ErrorResponse;
use crate::kinds::fields::{ObjectTable, Operation, Param, Presence, Type};
use crate::path::{segment_matches, segments};

/// Metadata limits (Stripe's documented ones).
const METADATA_MAX_KEYS: usize = 50;
const METADATA_MAX_KEY_LEN: usize = 40;
const METADATA_MAX_VALUE_LEN: usize = 500;

/// Decimal strings take at most 12 decimal places.
const DECIMAL_PLACES_MAX: usize = 12;

/// Checks and types the decoded params of a create or update request (without `expand`).
pub(crate) fn validate(
    table: &'static ObjectTable,
    op: Operation,
    raw: &Map<String, Value>,
) -> Result<Map<String, Value>, ErrorResponse> {
    let checker = Checker { table, op };
    let mut typed = Map::new();
    for (key, value) in raw {
        typed.insert(key.clone(), checker.walk(key, value)?);
    }
    checker.check_required(&typed)?;
    check_decimal_twins("", &typed)?;
    Ok(typed)
}

/// "Only one of `unit_amount` and `unit_amount_decimal` can be set" (and `flat_amount`), at
/// any depth: the spec states it on every `*_decimal` param of prices, tiers and currency
/// options (param-rules R032, R033, R036, R051, R052, R058). The message is the one Stripe
/// gives for its other exclusive pairs ("You may only specify one of these parameters").
fn check_decimal_twins(path: &str, map: &Map<String, Value>) -> Result<(), ErrorResponse> {
    let at = |key: &str| {
        if path.is_empty() {
            key.to_owned()
        } else {
            format!("{path}[{key}]")
        }
    };
    for (key, value) in map {
        if map.contains_key(&format!("{key}_decimal")) {
            return Err(ErrorResponse::param(
                &at(key),
                format!("You may only specify one of these parameters: {key}, {key}_decimal."),
            ));
        }
        match value {
            Value::Object(child) => check_decimal_twins(&at(key), child)?,
            Value::Array(items) => {
                for (index, item) in items.iter().enumerate() {
                    if let Value::Object(child) = item {
                        check_decimal_twins(&format!("{}[{index}]", at(key)), child)?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

struct Checker {
    table: &'static ObjectTable,
    op: Operation,
}

impl Checker {
    fn presence(&self, param: &Param) -> Presence {
        param.presence(self.op)
    }

    /// The param that names exactly this concrete path (not a map param above it).
    fn exact(&self, path: &str) -> Option<&'static Param> {
        let param = self.table.param(path)?;
        (segments(param.path).len() == segments(path).len()).then_some(param)
    }

    /// Whether some param of this endpoint lies strictly below this concrete path.
    fn has_children(&self, path: &str) -> bool {
        let wanted = segments(path);
        self.table.params.iter().any(|param| {
            let pattern = segments(param.path);
            self.presence(param) != Presence::Absent
                && pattern.len() > wanted.len()
                && pattern
                    .iter()
                    .zip(&wanted)
                    .all(|(p, w)| segment_matches(p, w))
        })
    }

    fn walk(&self, path: &str, value: &Value) -> Result<Value, ErrorResponse> {
        match self.exact(path) {
            Some(param) if self.presence(param) != Presence::Absent => {
                self.typed(param, path, value)
            }
            Some(_) => Err(ErrorResponse::unknown_param(path)),
            None if self.has_children(path) => match value {
                Value::Object(map) => self.walk_children(path, map).map(Value::Object),
                _ => Err(ErrorResponse::param(path, "Invalid hash".to_owned())),
            },
            None => Err(ErrorResponse::unknown_param(path)),
        }
    }

    fn walk_children(
        &self,
        path: &str,
        map: &Map<String, Value>,
    ) -> Result<Map<String, Value>, ErrorResponse> {
        let mut typed = Map::new();
        for (key, value) in map {
            typed.insert(key.clone(), self.walk(&format!("{path}[{key}]"), value)?);
        }
        Ok(typed)
    }

    fn typed(&self, param: &Param, path: &str, value: &Value) -> Result<Value, ErrorResponse> {
        if value.as_str() == Some("") {
            return if param.emptyable {
                Ok(Value::Null)
            } else {
                Err(ErrorResponse::param(
                    path,
                    format!(
                        "You passed an empty string for '{path}'. We assume empty values are an \
                         attempt to unset a parameter; however '{path}' cannot be unset. You \
                         should remove '{path}' from your request or supply a non-empty value."
                    ),
                ))
            };
        }
        match param.ty {
            Type::String => Ok(Value::String(scalar(path, value, "string")?.to_owned())),
            Type::Integer | Type::Timestamp => {
                let text = scalar(path, value, "integer")?;
                text.parse::<i64>()
                    .map(Value::from)
                    .map_err(|_| ErrorResponse::param(path, format!("Invalid integer: {text}")))
            }
            Type::Number => {
                let text = scalar(path, value, "decimal")?;
                text.parse::<f64>()
                    .ok()
                    .and_then(Number::from_f64)
                    .map(Value::Number)
                    .ok_or_else(|| ErrorResponse::param(path, format!("Invalid decimal: {text}")))
            }
            Type::Decimal => {
                let text = scalar(path, value, "decimal")?;
                if is_decimal(text) {
                    Ok(Value::String(text.to_owned()))
                } else {
                    Err(ErrorResponse::param(
                        path,
                        format!("Invalid decimal: {text}"),
                    ))
                }
            }
            Type::IntegerOr(words) => {
                let text = scalar(path, value, "integer")?;
                if words.contains(&text) {
                    Ok(Value::String(text.to_owned()))
                } else {
                    text.parse::<i64>().map(Value::from).map_err(|_| {
                        ErrorResponse::param(
                            path,
                            format!("Invalid integer: {text} (an integer or {})", one_of(words)),
                        )
                    })
                }
            }
            Type::Boolean => match scalar(path, value, "boolean")? {
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                text => Err(ErrorResponse::param(
                    path,
                    format!("Invalid boolean: {text}"),
                )),
            },
            Type::Enum(allowed) => {
                let text = scalar(path, value, "string")?;
                if allowed.contains(&text) {
                    Ok(Value::String(text.to_owned()))
                } else {
                    Err(ErrorResponse::param(
                        path,
                        format!("Invalid {path}: must be one of {}", one_of(allowed)),
                    ))
                }
            }
            Type::Object => match value {
                Value::Object(map) => self.walk_children(path, map).map(Value::Object),
                _ => Err(ErrorResponse::param(path, "Invalid hash".to_owned())),
            },
            Type::Array | Type::StringArray => {
                let items = as_array(value)
                    .ok_or_else(|| ErrorResponse::param(path, "Invalid array".to_owned()))?;
                let mut typed = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    let element = format!("{path}[{index}]");
                    typed.push(match (item, self.exact(&element)) {
                        (_, Some(param)) => self.typed(param, &element, item)?,
                        (Value::Object(map), None) => {
                            Value::Object(self.walk_children(&element, map)?)
                        }
                        (Value::String(text), None) if param.ty == Type::StringArray => {
                            Value::String(text.clone())
                        }
                        (_, None) if param.ty == Type::StringArray => {
                            return Err(ErrorResponse::param(&element, "Invalid string".to_owned()))
                        }
                        (_, None) => {
                            return Err(ErrorResponse::param(&element, "Invalid hash".to_owned()))
                        }
                    });
                }
                Ok(Value::Array(typed))
            }
            Type::Map => {
                let Value::Object(map) = value else {
                    return Err(ErrorResponse::param(path, "Invalid hash".to_owned()));
                };
                if self.table.has_keyed_fields(param) {
                    // A map of objects such as `currency_options[<currency>][...]`.
                    return self.walk_children(path, map).map(Value::Object);
                }
                check_string_map(path, map).map(Value::Object)
            }
        }
    }

    /// Every param this endpoint requires, wherever its parent object was given.
    fn check_required(&self, typed: &Map<String, Value>) -> Result<(), ErrorResponse> {
        let root = Value::Object(typed.clone());
        for param in self.table.params {
            if self.presence(param) != Presence::Required {
                continue;
            }
            let pattern = segments(param.path);
            let (leaf, parents) = pattern.split_last().expect("a path has a segment");
            let mut missing = None;
            for_each_instance(&root, parents, String::new(), &mut |concrete, parent| {
                if let Value::Object(map) = parent {
                    if !map.contains_key(*leaf) && missing.is_none() {
                        missing = Some(if concrete.is_empty() {
                            (*leaf).to_owned()
                        } else {
                            format!("{concrete}[{leaf}]")
                        });
                    }
                }
            });
            if let Some(path) = missing {
                return Err(ErrorResponse::missing_param(&path));
            }
        }
        Ok(())
    }
}

/// A leaf value must be a string in a form body; anything nested is the wrong type.
fn scalar<'v>(path: &str, value: &'v Value, kind: &str) -> Result<&'v str, ErrorResponse> {
    value.as_str().ok_or_else(|| {
        let got = if value.is_array() {
            "an array"
        } else {
            "a hash"
        };
        ErrorResponse::param(
            path,
            format!("Invalid {kind}: {path} must be a {kind}, not {got}"),
        )
    })
}

/// Arrays may arrive as `a[]=..`/`a[0]=..` (a JSON array) or, from some encoders, as a map
/// with index keys.
fn as_array(value: &Value) -> Option<Vec<Value>> {
    match value {
        Value::Array(items) => Some(items.clone()),
        Value::Object(map) if map.keys().all(|k| k.parse::<usize>().is_ok()) => {
            let mut entries: Vec<(usize, &Value)> = map
                .iter()
                .map(|(k, v)| (k.parse().unwrap_or_default(), v))
                .collect();
            entries.sort_by_key(|(index, _)| *index);
            Some(entries.into_iter().map(|(_, v)| v.clone()).collect())
        }
        _ => None,
    }
}

/// `metadata`-like maps: string values (`""` kept, it unsets the key) within Stripe's limits.
fn check_string_map(
    path: &str,
    map: &Map<String, Value>,
) -> Result<Map<String, Value>, ErrorResponse> {
    if map.len() > METADATA_MAX_KEYS {
        return Err(ErrorResponse::param(
            path,
            format!(
                "Invalid {path}: you can have at most {METADATA_MAX_KEYS} keys, got {}",
                map.len()
            ),
        ));
    }
    for (key, value) in map {
        let concrete = format!("{path}[{key}]");
        let Some(text) = value.as_str() else {
            return Err(ErrorResponse::param(&concrete, "Invalid string".to_owned()));
        };
        if key.chars().count() > METADATA_MAX_KEY_LEN {
            return Err(ErrorResponse::param(
                &concrete,
                format!(
                    "Metadata keys can have up to {METADATA_MAX_KEY_LEN} characters, but you \
                     passed in a key that is {} characters: {key}",
                    key.chars().count()
                ),
            ));
        }
        if text.chars().count() > METADATA_MAX_VALUE_LEN {
            return Err(ErrorResponse::param(
                &concrete,
                format!(
                    "Metadata values can have up to {METADATA_MAX_VALUE_LEN} characters, but you \
                     passed in a value that is {} characters.",
                    text.chars().count()
                ),
            ));
        }
    }
    Ok(map.clone())
}

/// A plain decimal string "with at most 12 decimal places" (the spec on every `*_decimal`
/// param: param-rules R034, R037, R053, R059).
fn is_decimal(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !int.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
        && !(digits.contains('.') && frac.is_empty())
        && frac.len() <= DECIMAL_PLACES_MAX
}

/// `a, b, or c`.
fn one_of(allowed: &[&str]) -> String {
    match allowed {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [init @ .., last] => format!("{}, or {last}", init.join(", ")),
    }
}

/// Calls `f` with every concrete instance of a path pattern (`a`, `a[]`, `a[<key>]`) found
/// in `value`, with its concrete path.
fn for_each_instance<'v>(
    value: &'v Value,
    pattern: &[&str],
    concrete: String,
    f: &mut dyn FnMut(&str, &'v Value),
) {
    let Some((head, rest)) = pattern.split_first() else {
        f(&concrete, value);
        return;
    };
    let join = |key: &str| {
        if concrete.is_empty() {
            key.to_owned()
        } else {
            format!("{concrete}[{key}]")
        }
    };
    match (*head, value) {
        ("", Value::Array(items)) => {
            for (index, item) in items.iter().enumerate() {
                for_each_instance(item, rest, join(&index.to_string()), f);
            }
        }
        ("<key>", Value::Object(map)) => {
            for (key, item) in map {
                for_each_instance(item, rest, join(key), f);
            }
        }
        (name, Value::Object(map)) => {
            if let Some(item) = map.get(name) {
                for_each_instance(item, rest, join(name), f);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::kinds::fields::Default;

    const fn param(
        path: &'static str,
        ty: Type,
        on_create: Presence,
        on_update: Presence,
        default: Option<Default>,
    ) -> Param {
        Param {
            path,
            ty,
            on_create,
            on_update,
            emptyable: false,
            default,
            unordered: false,
            set_once_from: None,
        }
    }

    use Presence::{Absent, Optional, Required};

    static TABLE: ObjectTable = ObjectTable {
        index: crate::kinds::fields::Compiled::new(),
        object: "test",
        path: "/v1/tests",
        id_prefix: "t_",
        custom_id: false,
        deletable: false,
        list_filters: &[],
        params: &[
            param("name", Type::String, Required, Optional, None),
            Param {
                emptyable: true,
                ..param("note", Type::String, Optional, Optional, None)
            },
            param("amount", Type::Integer, Optional, Absent, None),
            param("share", Type::Number, Optional, Absent, None),
            param("recurring", Type::Object, Optional, Absent, None),
            param(
                "recurring[interval]",
                Type::Enum(&["month", "year"]),
                Required,
                Absent,
                None,
            ),
            param(
                "recurring[interval_count]",
                Type::Integer,
                Optional,
                Absent,
                Some(Default::Int(1)),
            ),
            Param {
                emptyable: true,
                ..param("metadata", Type::Map, Optional, Optional, None)
            },
            param("tiers", Type::Array, Optional, Absent, None),
            param("tiers[][up_to]", Type::Integer, Required, Absent, None),
            param("tags", Type::StringArray, Optional, Optional, None),
            param("tags[]", Type::Enum(&["a", "b"]), Optional, Optional, None),
            param("currency_options", Type::Map, Optional, Optional, None),
            param(
                "currency_options[<key>][unit_amount]",
                Type::Integer,
                Optional,
                Optional,
                None,
            ),
            param(
                "active",
                Type::Boolean,
                Optional,
                Optional,
                Some(Default::Bool(true)),
            ),
        ],
    };

    fn raw(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    fn create(value: Value) -> Result<Map<String, Value>, ErrorResponse> {
        validate(&TABLE, Operation::Create, &raw(value))
    }

    #[test]
    fn values_are_typed_by_the_table() {
        let typed = create(json!({
            "name": "A", "amount": "12", "share": "2.5", "active": "false",
            "recurring": { "interval": "month" },
            "tiers": [{ "up_to": "10" }],
            "tags": ["a", "b"],
            "currency_options": { "usd": { "unit_amount": "5" } },
            "metadata": { "k": "v", "gone": "" },
        }))
        .unwrap();
        assert_eq!(
            Value::Object(typed),
            json!({
                "name": "A", "amount": 12, "share": 2.5, "active": false,
                "recurring": { "interval": "month" },
                "tiers": [{ "up_to": 10 }],
                "tags": ["a", "b"],
                "currency_options": { "usd": { "unit_amount": 5 } },
                "metadata": { "k": "v", "gone": "" },
            })
        );
    }

    #[test]
    fn unknown_and_create_only_params_are_unknown() {
        assert_eq!(
            create(json!({ "name": "A", "colour": "red" })).unwrap_err(),
            ErrorResponse::unknown_param("colour")
        );
        assert_eq!(
            create(json!({ "name": "A", "currency_options": { "usd": { "x": "1" } } }))
                .unwrap_err(),
            ErrorResponse::unknown_param("currency_options[usd][x]")
        );
        assert_eq!(
            validate(&TABLE, Operation::Update, &raw(json!({ "amount": "1" }))).unwrap_err(),
            ErrorResponse::unknown_param("amount")
        );
    }

    #[test]
    fn required_params_are_checked_where_their_parent_is() {
        assert_eq!(
            create(json!({ "amount": "1" })).unwrap_err(),
            ErrorResponse::missing_param("name")
        );
        assert_eq!(
            create(json!({ "name": "A", "tiers": [{ "up_to": "1" }, {}] })).unwrap_err(),
            ErrorResponse::missing_param("tiers[1][up_to]")
        );
        // Update does not require `name`.
        assert!(validate(&TABLE, Operation::Update, &raw(json!({ "note": "n" }))).is_ok());
    }

    #[test]
    fn enum_elements_of_string_arrays_are_checked() {
        assert_eq!(
            create(json!({ "name": "A", "tags": ["a", "c"] })).unwrap_err(),
            ErrorResponse::param(
                "tags[1]",
                "Invalid tags[1]: must be one of a, or b".to_owned()
            )
        );
    }

    #[test]
    fn empty_strings_clear_only_emptyable_params() {
        let typed = validate(&TABLE, Operation::Update, &raw(json!({ "note": "" }))).unwrap();
        assert_eq!(typed["note"], Value::Null);
        let refused = validate(&TABLE, Operation::Update, &raw(json!({ "name": "" })));
        assert_eq!(refused.unwrap_err().param.as_deref(), Some("name"));
    }

    #[test]
    fn decimals_are_plain_decimal_strings() {
        assert!(is_decimal("12") && is_decimal("12.50") && is_decimal("-1.5"));
        assert!(!is_decimal("1e3") && !is_decimal("12.") && !is_decimal("") && !is_decimal("x"));
        assert!(is_decimal("1.123456789012") && !is_decimal("1.1234567890123"));
    }
}
