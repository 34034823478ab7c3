//! Strict params, checked generically against the one field table (`crate::kinds::fields`):
//! every decoded path must be a param of this endpoint (create or update), with the right type
//! and enum value, within the table's limits (lengths, counts, characters, largest values);
//! required params must be there; `""` clears what Stripe lets you clear. The result is
//! typed JSON (integers, numbers, booleans) ready to merge into an object. No field is named
//! here: object-specific rules live in `objects/`.

use serde_json::{Map, Number, Value};

use super::error::ErrorResponse;
use crate::kinds::fields::{
    Items, Length, Limits, ObjectTable, Operation, Param, Presence, Text, TextError, Type,
};
use crate::path::{segment_matches, segments};

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
            Type::String => {
                let text = scalar(path, value, "string")?;
                check_string(path, text, &param.limits)?;
                Ok(Value::String(text.to_owned()))
            }
            Type::Integer | Type::Timestamp => {
                let text = scalar(path, value, "integer")?;
                let number = text
                    .parse::<i64>()
                    .map_err(|_| ErrorResponse::param(path, format!("Invalid integer: {text}")))?;
                match param.limits.max {
                    Some(max) if number > max => Err(ErrorResponse::param(
                        path,
                        format!("Invalid {path}: must be at most {max}, got {number}."),
                    )),
                    _ => Ok(Value::from(number)),
                }
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
                // After the elements, as Stripe names a bad element before the count.
                if let Some(Items { max, .. }) = param.limits.items {
                    if typed.len() > max {
                        let words = segments(path)
                            .last()
                            .copied()
                            .unwrap_or(path)
                            .replace('_', " ");
                        return Err(ErrorResponse::param(
                            path,
                            format!(
                                "Invalid {path}: a {} can have at most {max} {words}, got {}.",
                                self.table.object,
                                typed.len()
                            ),
                        ));
                    }
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
                check_string_map(path, map, &param.limits).map(Value::Object)
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

/// A string within its param's limits: its character rule, its length.
fn check_string(path: &str, text: &str, limits: &Limits) -> Result<(), ErrorResponse> {
    let length = text.chars().count();
    let refuse = |message: String| Err(ErrorResponse::param(path, message));
    if limits.text == Some(Text::Code) {
        // One sentence for the characters and the length alike.
        let max = limits.chars.map_or(usize::MAX, |l| l.max);
        if length > max || !Text::Code.check(text).is_empty() {
            return refuse(format!(
                "Invalid {path}: {text}. Codes may contain only letters (a-z, A-Z), digits \
                 (0-9) and dashes (-), up to {max} characters."
            ));
        }
        return Ok(());
    }
    match limits.chars {
        Some(Length { min: 0, max }) if length > max => {
            return refuse(format!("Invalid {path}: must be at most {max} characters."))
        }
        // A range says how long the value was: it may miss either end.
        Some(Length { max, .. }) if length > max => {
            return refuse(format!(
                "Invalid {path}: must be at most {max} characters, got {length}."
            ))
        }
        Some(Length { min, .. }) if length < min => {
            return refuse(format!(
                "Invalid {path}: must be at least {min} characters, got {length}."
            ))
        }
        _ => {}
    }
    let Some(rule) = limits.text else {
        return Ok(());
    };
    match rule.check(text).first() {
        None => Ok(()),
        Some(_) if rule == Text::Id => refuse(format!(
            "Invalid {path}: {text}. Ids may contain only letters, digits, '_' and '-'."
        )),
        Some(TextError::NoLetter) => {
            refuse(format!("Invalid {path}: must contain at least one letter."))
        }
        Some(TextError::Forbidden(_)) => refuse(format!(
            "Invalid {path}: must not contain any of < > \\ \" '."
        )),
        Some(TextError::Empty) => refuse(format!("Invalid {path}: must not be empty.")),
    }
}

/// `metadata`-like maps: string values (`""` kept, it unsets the key) within the table's
/// limits.
fn check_string_map(
    path: &str,
    map: &Map<String, Value>,
    limits: &Limits,
) -> Result<Map<String, Value>, ErrorResponse> {
    if let Some(Items { max, .. }) = limits.items.filter(|items| map.len() > items.max) {
        return Err(ErrorResponse::param(
            path,
            format!(
                "Invalid {path}: you can have at most {max} keys, got {}",
                map.len()
            ),
        ));
    }
    for (key, value) in map {
        let concrete = format!("{path}[{key}]");
        let Some(text) = value.as_str() else {
            return Err(ErrorResponse::param(&concrete, "Invalid string".to_owned()));
        };
        if let Some(max) = limits.key_chars.filter(|max| key.chars().count() > *max) {
            return Err(ErrorResponse::param(
                &concrete,
                format!(
                    "Metadata keys can have up to {max} characters, but you passed in a key \
                     that is {} characters: {key}",
                    key.chars().count()
                ),
            ));
        }
        if let Some(Length { max, .. }) = limits.chars.filter(|l| text.chars().count() > l.max) {
            return Err(ErrorResponse::param(
                &concrete,
                format!(
                    "Metadata values can have up to {max} characters, but you passed in a \
                     value that is {} characters.",
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
            limits: Limits::NONE,
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
            param("code", Type::String, Optional, Absent, None)
                .max_chars(8)
                .text(Text::Code),
            param("label", Type::String, Optional, Optional, None).max_chars(5),
            param("images", Type::StringArray, Optional, Optional, None).items(2, "URLs"),
            param("total", Type::Integer, Optional, Absent, None).max(100),
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

    /// The limits of the table are Stripe's 400 `invalid_request_error`, naming the param.
    fn refused(value: Value) -> ErrorResponse {
        let error = create(value).unwrap_err();
        assert_eq!((error.status, error.kind), (400, "invalid_request_error"));
        error
    }

    #[test]
    fn limits_of_the_table_are_enforced() {
        assert!(create(json!({ "name": "A", "label": "abcde", "images": ["a", "b"] })).is_ok());
        assert_eq!(
            refused(json!({ "name": "A", "label": "abcdef" })),
            ErrorResponse::param(
                "label",
                "Invalid label: must be at most 5 characters.".to_owned()
            )
        );
        assert_eq!(
            refused(json!({ "name": "A", "images": ["a", "b", "c"] })),
            ErrorResponse::param(
                "images",
                "Invalid images: a test can have at most 2 images, got 3.".to_owned()
            )
        );
        assert_eq!(
            refused(json!({ "name": "A", "total": "101" })),
            ErrorResponse::param(
                "total",
                "Invalid total: must be at most 100, got 101.".to_owned()
            )
        );
        let code = |code: &str| refused(json!({ "name": "A", "code": code })).message;
        let expected = |code: &str| {
            format!(
                "Invalid code: {code}. Codes may contain only letters (a-z, A-Z), digits (0-9) \
                 and dashes (-), up to 8 characters."
            )
        };
        assert_eq!(code("SAVE_10"), expected("SAVE_10"));
        assert_eq!(code("SAVE-1234"), expected("SAVE-1234"));
        assert!(create(json!({ "name": "A", "code": "SAVE-10" })).is_ok());
    }

    #[test]
    fn the_kinds_tables_limits_are_enforced() {
        use crate::kinds::ObjectKind;
        let price = |extra: Value| {
            let mut form = raw(json!({ "currency": "eur", "product": "prod_1" }));
            form.extend(raw(extra));
            validate(ObjectKind::Price.table(), Operation::Create, &form)
        };
        assert!(price(json!({ "unit_amount": "99999999" })).is_ok());
        assert_eq!(
            price(json!({ "unit_amount": "100000000" })).unwrap_err(),
            ErrorResponse::param(
                "unit_amount",
                "Invalid unit_amount: must be at most 99999999, got 100000000.".to_owned()
            )
        );
        assert_eq!(
            price(json!({ "unit_amount": "1", "lookup_key": "k".repeat(201) }))
                .unwrap_err()
                .param
                .as_deref(),
            Some("lookup_key")
        );
        let product = |extra: Value| {
            let mut form = raw(json!({ "name": "P" }));
            form.extend(raw(extra));
            validate(ObjectKind::Product.table(), Operation::Update, &form)
        };
        assert_eq!(
            product(json!({ "statement_descriptor": "ACME \"PRO\"" })).unwrap_err(),
            ErrorResponse::param(
                "statement_descriptor",
                "Invalid statement_descriptor: must not contain any of < > \\ \" '.".to_owned()
            )
        );
    }

    #[test]
    fn decimals_are_plain_decimal_strings() {
        assert!(is_decimal("12") && is_decimal("12.50") && is_decimal("-1.5"));
        assert!(!is_decimal("1e3") && !is_decimal("12.") && !is_decimal("") && !is_decimal("x"));
        assert!(is_decimal("1.123456789012") && !is_decimal("1.1234567890123"));
    }
}
