//! Canonicalisation: both sides of the diff normalised the way Stripe stores values, so
//! they compare equal exactly when Stripe would hold the same object. Defaults from the field
//! table, integers against floats, decimal strings, lists Stripe treats as sets, unbounded
//! tiers, mirrored decimals and currency options, write-only switches, keys compared as
//! Stripe compares them, and live ids at reference places translated back to keys. Then
//! `flatten` splits a params map into the units the diff compares one by one. Also which
//! paths of a params map the field table does not know (`unknown_paths`), which the diff
//! checks before it compares anything.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::catalog::Declaration;
use crate::kinds::fields::{Default, ObjectTable, Param, Type};
use crate::kinds::{KeyRule, ObjectKind};
use crate::live::LiveState;
use crate::path::{is_index, join, pattern_of, segments};

/// Where references stand in each kind's params, as patterns (`products[][prices][]`), so
/// live ids at those places can be translated back to keys. Collected from the catalog's
/// own references: a place the script never references holds nothing to translate.
#[derive(Debug, Default)]
pub struct ReferencePatterns(HashMap<(ObjectKind, String), ObjectKind>);

impl ReferencePatterns {
    /// The places `declarations` reference other objects at.
    pub fn of<'a>(declarations: impl IntoIterator<Item = &'a dyn Declaration>) -> Self {
        let mut patterns = HashMap::new();
        for declaration in declarations {
            for reference in declaration.references() {
                patterns.insert(
                    (declaration.kind(), pattern_of(&reference.path)),
                    reference.kind,
                );
            }
        }
        Self(patterns)
    }

    fn target(&self, owner: ObjectKind, concrete: &str) -> Option<ObjectKind> {
        self.0.get(&(owner, pattern_of(concrete))).copied()
    }
}

/// Whether a boolean switch is missing from a live object that has its parent: Stripe takes
/// some switches without ever returning them (a price's `custom_unit_amount[enabled]` shows
/// only as the `custom_unit_amount` object being there), so they cannot be compared.
pub fn write_only(live: &Map<String, Value>, path: &str) -> bool {
    let parts = segments(path);
    let Some((leaf, parents)) = parts.split_last() else {
        return false;
    };
    let mut current = live;
    for parent in parents {
        match current.get(*parent) {
            Some(Value::Object(inner)) => current = inner,
            _ => return false,
        }
    }
    !parents.is_empty() && !current.contains_key(*leaf)
}

/// Stripe lists an object's own currency among its `currency_options`, mirroring the
/// top-level amount; unless the script declares that entry itself, it is not a difference.
pub fn drop_own_currency_option(live: &mut Map<String, Value>, desired: &Map<String, Value>) {
    let Some(currency) = live
        .get("currency")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    let declared = desired
        .get("currency_options")
        .and_then(|o| o.get(&currency))
        .is_some();
    if let (false, Some(Value::Object(options))) = (declared, live.get_mut("currency_options")) {
        options.remove(&currency);
    }
}

/// Whether two values of the key field are one key to Stripe although they differ as text: a
/// promotion code's `LAUNCH` and `launch` (the kind's key rule folds case).
pub fn same_key(
    kind: ObjectKind,
    path: &str,
    wanted: Option<&Value>,
    held: Option<&Value>,
) -> bool {
    let rule = kind.def().key();
    let KeyRule::FoldedField(field) = rule else {
        return false;
    };
    let fold = |v: Option<&Value>| v.and_then(Value::as_str).map(|key| rule.fold(key));
    path == field && fold(wanted) == fold(held)
}

/// Paths in `map` the field table does not know.
pub fn unknown_paths(
    table: &ObjectTable,
    map: &Map<String, Value>,
    prefix: &str,
    out: &mut Vec<String>,
) {
    for (name, value) in map {
        let path = join(prefix, name);
        match (table.param(&path), value) {
            (Some(param), _) if param.ty == Type::Map => {}
            (Some(_), Value::Object(inner)) => unknown_paths(table, inner, &path, out),
            (Some(_), _) => {}
            (None, Value::Object(inner)) if is_container(table, &path) => {
                unknown_paths(table, inner, &path, out);
            }
            (None, _) => out.push(path),
        }
    }
}

/// Normalises values to the form Stripe stores: one side of the comparison.
pub struct Canon<'a> {
    table: &'static ObjectTable,
    kind: ObjectKind,
    /// Set for the live side: ids at reference places are translated back to keys.
    live: Option<(&'a LiveState, &'a ReferencePatterns)>,
}

impl<'a> Canon<'a> {
    /// The script's side.
    pub fn desired(kind: ObjectKind) -> Self {
        Self {
            table: kind.table(),
            kind,
            live: None,
        }
    }

    /// The account's side: ids at the places in `references` read as the keys they hold.
    pub fn live(kind: ObjectKind, live: &'a LiveState, references: &'a ReferencePatterns) -> Self {
        Self {
            table: kind.table(),
            kind,
            live: Some((live, references)),
        }
    }

    fn value(&self, path: &str, value: &Value) -> Value {
        let param = self.table.param(path);
        let ty = param.map(|p| p.ty);
        match value {
            Value::Number(number) if ty == Some(Type::Decimal) => {
                Value::String(decimal(&number.to_string()))
            }
            Value::Number(number) => normalise_number(number),
            // An unbounded tier is sent as `up_to=inf` and returned as `up_to: null`.
            Value::String(text) if matches!(ty, Some(Type::IntegerOr(_))) && text == "inf" => {
                Value::Null
            }
            Value::String(text) => Value::String(self.string(path, ty, text)),
            Value::Array(items) => {
                let mut items: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(&format!("{path}[{i}]"), item))
                    .collect();
                if self.is_set_like(path) {
                    items.sort_by_key(Value::to_string);
                }
                Value::Array(items)
            }
            // A reference Stripe returns expanded (a product feature's `entitlement_feature`,
            // the feature whole) compares as the id it holds.
            Value::Object(map) if self.is_reference(path) && map["id"].is_string() => {
                let id = map["id"].as_str().unwrap_or_default();
                Value::String(self.string(path, ty, id))
            }
            Value::Object(map) => self.object(path, map),
            other => other.clone(),
        }
    }

    /// Whether `path` is where the kind references another object (live side only).
    fn is_reference(&self, path: &str) -> bool {
        self.live
            .is_some_and(|(_, references)| references.target(self.kind, path).is_some())
    }

    fn string(&self, path: &str, ty: Option<Type>, text: &str) -> String {
        if ty == Some(Type::Decimal) {
            return decimal(text);
        }
        if let Some((live, references)) = self.live {
            if let Some(key) = references
                .target(self.kind, path)
                .and_then(|target| live.key_of(target, text))
            {
                return key;
            }
        }
        text.to_owned()
    }

    /// Keeps only params (response-only fields dropped), drops unset values, and inside
    /// array elements drops Stripe's defaults too (`fill_defaults` does not reach there).
    pub fn object(&self, path: &str, map: &Map<String, Value>) -> Value {
        let in_array = segments(path).iter().any(|s| is_index(s));
        let mut out = Map::new();
        for (name, value) in map {
            let child = join(path, name);
            let param = self.table.param(&child);
            if param.is_none() && !is_container(self.table, &child) {
                continue;
            }
            let value = self.value(&child, value);
            if is_unset(&value) || (in_array && is_default(self.table.default_for(&child), &value))
            {
                continue;
            }
            out.insert(name.clone(), value);
        }
        mirror_decimals(&mut out);
        Value::Object(out)
    }

    /// Lists Stripe treats as sets (the field table's `unordered`) compare without order.
    fn is_set_like(&self, path: &str) -> bool {
        self.table.param(path).is_some_and(|param| param.unordered)
    }
}

/// Stripe returns `unit_amount_decimal` beside `unit_amount` (and likewise for tiers'
/// amounts): an integral decimal is folded into its integer field so both forms compare equal.
fn mirror_decimals(map: &mut Map<String, Value>) {
    let decimal_names: Vec<String> = map
        .keys()
        .filter(|k| k.ends_with("_decimal"))
        .cloned()
        .collect();
    for name in decimal_names {
        let base = name.trim_end_matches("_decimal").to_owned();
        let Some(Value::String(text)) = map.get(&name) else {
            continue;
        };
        let Ok(integer) = text.parse::<i64>() else {
            continue;
        };
        match map.get(&base) {
            Some(existing) if existing.as_i64() == Some(integer) => {
                map.remove(&name);
            }
            None => {
                map.remove(&name);
                map.insert(base, Value::from(integer));
            }
            Some(_) => {}
        }
    }
}

/// `30.0` and `30` are one number to Stripe.
pub fn normalise_number(number: &serde_json::Number) -> Value {
    if number.is_f64() {
        if let Some(f) = number.as_f64() {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                #[allow(clippy::cast_possible_truncation)]
                return Value::from(f as i64);
            }
        }
    }
    Value::Number(number.clone())
}

/// A decimal string in canonical form: `"12.50"` → `"12.5"`, `"900.0"` → `"900"`.
pub fn decimal(text: &str) -> String {
    let text = text.trim();
    if text.contains('.') && !text.contains(['e', 'E']) {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed.is_empty() || trimmed == "-" {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        }
    } else {
        text.to_owned()
    }
}

/// Null, `""`, `[]` and `{}`: what Stripe returns for a field nobody set.
pub fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Unset, or Stripe's default for this param (so "left out" and "the default" compare
/// equal). A boolean without a known default counts as unset when false.
pub fn is_unset_for(param: &Param, default: Option<Default>, value: &Value) -> bool {
    is_unset(value)
        || is_default(default, value)
        || (param.ty == Type::Boolean && default.is_none() && value == &Value::Bool(false))
}

pub fn is_default(default: Option<Default>, value: &Value) -> bool {
    default.is_some_and(|d| normalise(&d.to_json()) == normalise(value))
}

fn normalise(value: &Value) -> Value {
    match value {
        Value::Number(n) => normalise_number(n),
        other => other.clone(),
    }
}

/// Splits a (canonical) params map into comparable units: scalars and whole lists by their
/// path, nested objects by their fields, maps such as `metadata` by their keys.
pub fn flatten(
    table: &ObjectTable,
    value: &Value,
    prefix: &str,
    out: &mut IndexMap<String, Value>,
) {
    let Value::Object(map) = value else {
        return;
    };
    for (name, value) in map {
        let path = join(prefix, name);
        let ty = table.param(&path).map(|p| p.ty);
        let free_map = table
            .param(&path)
            .is_some_and(|p| p.ty == Type::Map && !table.has_keyed_fields(p));
        match (ty, value) {
            (Some(Type::Map), Value::Object(entries)) if free_map => {
                for (key, entry) in entries {
                    out.insert(format!("{path}[{key}]"), entry.clone());
                }
            }
            (Some(Type::Object | Type::Map) | None, Value::Object(_)) => {
                flatten(table, value, &path, out);
            }
            _ => {
                out.insert(path, value.clone());
            }
        }
    }
}

/// Whether some param lies below this concrete path (an intermediate level the table does
/// not list itself, e.g. `currency_options[eur]`).
pub fn is_container(table: &ObjectTable, concrete: &str) -> bool {
    table.has_params_below(concrete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn decimals_and_numbers_normalise() {
        assert_eq!(decimal("12.50"), "12.5");
        assert_eq!(decimal("900.000"), "900");
        assert_eq!(decimal("900"), "900");
        assert_eq!(
            normalise_number(&serde_json::Number::from_f64(30.0).unwrap()),
            json!(30)
        );
        assert_eq!(pattern_of("a[b][0][c][12]"), "a[b][][c][]");
    }

    #[test]
    fn keys_compare_as_their_kind_folds_them() {
        let (upper, lower) = (json!("LAUNCH"), json!("launch"));
        assert!(same_key(
            ObjectKind::PromotionCode,
            "code",
            Some(&upper),
            Some(&lower)
        ));
        assert!(!same_key(
            ObjectKind::PromotionCode,
            "metadata[x]",
            Some(&upper),
            Some(&lower)
        ));
        assert!(!same_key(
            ObjectKind::Coupon,
            "id",
            Some(&upper),
            Some(&lower)
        ));
    }
}
