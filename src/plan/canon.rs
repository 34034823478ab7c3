//! Canonicalisation: both sides of the diff normalised the way Stripe stores values, so
//! they compare equal exactly when Stripe would hold the same object. Defaults from the field
//! table, integers against floats, decimal strings, lists Stripe treats as sets, unbounded
//! tiers, mirrored decimals and currency options, write-only switches, keys compared as
//! Stripe compares them, and live ids at reference places translated back to keys. The
//! result is a map's `Units`, what the diff compares one by one, read in place from the
//! script's params or a live object alike (`Source`): only what canonicalising changes is
//! copied, and a live object's values become `Value`s only where compared (a no-op plan
//! compares every field of the account, so this is its hot path, issue 13). The units are
//! collected (`units`) or handed over one by one as the walk reads them (`each_unit`, to a
//! `Sink`). `flatten` splits the script's own params by the same rule. Also which paths of a
//! params map the field table does not know (`unknown_paths`), which the diff checks before it
//! compares anything.

use rustc_hash::FxHashMap;
use std::borrow::Cow;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::catalog::Declaration;
use crate::compact::{Fields, Json, Read};
use crate::kinds::fields::{Default, ObjectTable, Param, ShortKeys, Type};
use crate::kinds::{KeyRule, ObjectKind};
use crate::live::LiveState;
use crate::path::{has_pattern, is_index, join, pattern_of, Segments};

/// Where references stand in each kind's params, as patterns (`products[][prices][]`), so
/// live ids at those places can be translated back to keys. Collected from the catalog's
/// own references: a place the script never references holds nothing to translate. A kind
/// has a handful of such places, so each lookup is a short scan that builds no string. (The
/// diff asks for every string it compares: hashed with `FxHash`, SipHash was 1.4 % of a no-op
/// plan, issue 13.)
#[derive(Debug, Default)]
pub struct ReferencePatterns(FxHashMap<ObjectKind, Vec<(String, ObjectKind)>>);

impl ReferencePatterns {
    /// The places `declarations` reference other objects at.
    pub fn of<'a>(declarations: impl IntoIterator<Item = &'a dyn Declaration>) -> Self {
        let mut patterns: FxHashMap<ObjectKind, Vec<(String, ObjectKind)>> = FxHashMap::default();
        for declaration in declarations {
            let places = patterns.entry(declaration.kind()).or_default();
            for reference in declaration.references() {
                let pattern = pattern_of(&reference.path);
                match places.iter_mut().find(|(known, _)| *known == pattern) {
                    Some(place) => place.1 = reference.kind,
                    None => places.push((pattern, reference.kind)),
                }
            }
        }
        Self(patterns)
    }

    fn target(&self, owner: ObjectKind, concrete: &str) -> Option<ObjectKind> {
        let places = self.0.get(&owner)?;
        places
            .iter()
            .find(|(pattern, _)| has_pattern(concrete, pattern))
            .map(|&(_, target)| target)
    }
}

/// Whether a boolean switch is missing from a live object that has its parent: Stripe takes
/// some switches without ever returning them (a price's `custom_unit_amount[enabled]` shows
/// only as the `custom_unit_amount` object being there), so they cannot be compared.
pub fn write_only(live: &Fields, path: &str) -> bool {
    let mut parts = Segments::new(path).peekable();
    let mut current = live;
    let mut nested = false;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            return nested && !current.contains_key(part);
        }
        match current.get(part) {
            Some(Json::Object(inner)) => current = inner,
            _ => return false,
        }
        nested = true;
    }
    false
}

/// Stripe lists an object's own currency among its `currency_options`, mirroring the
/// top-level amount; unless the script declares that entry itself, it is not a difference.
/// The live object as the diff compares it: borrowed, unless there is such an entry to drop.
pub fn without_own_currency_option<'v>(
    live: &'v Fields,
    desired: &Map<String, Value>,
) -> Cow<'v, Fields> {
    let Some(currency) = live.get("currency").and_then(Json::as_str) else {
        return Cow::Borrowed(live);
    };
    let declared = desired
        .get("currency_options")
        .and_then(|o| o.get(currency))
        .is_some();
    let mirrored = live
        .get("currency_options")
        .and_then(Json::as_object)
        .is_some_and(|options| options.contains_key(currency));
    if declared || !mirrored {
        return Cow::Borrowed(live);
    }
    let mut live = live.clone();
    if let Some(Json::Object(options)) = live.get_mut("currency_options") {
        options.remove(currency);
    }
    Cow::Owned(live)
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
    path == field
        && match (wanted.and_then(Value::as_str), held.and_then(Value::as_str)) {
            (Some(wanted), Some(held)) => rule.fold(wanted) == rule.fold(held),
            (wanted, held) => wanted.is_none() && held.is_none(),
        }
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

/// A params map split into the units the diff compares one by one, by concrete path, in the
/// map's order: scalars and whole lists by their path, nested objects by their fields, maps
/// such as `metadata` by their keys. A value borrows from the map it was read from unless
/// canonicalising changed it; a top-level path borrows its name.
pub type Units<'v> = IndexMap<Cow<'v, str>, Unit<'v>, ShortKeys>;

/// One unit's value, with the param its path names (`ObjectTable::param`), found once while
/// splitting: the diff reads both for every unit it compares.
#[derive(Clone, Debug)]
pub struct Unit<'v> {
    pub value: Cow<'v, Value>,
    pub param: Option<&'static Param>,
}

impl std::ops::Deref for Unit<'_> {
    type Target = Value;

    fn deref(&self) -> &Value {
        &self.value
    }
}

/// A map the units are read from, in place: a params map (`serde_json`, the script's side)
/// or a live object (`compact`, the account's). Values of a live object are made `Value`s
/// only for the units the diff compares.
pub trait Source<'v>: Copy {
    type Value: Read + 'v;
    fn entry_count(self) -> usize;
    fn names(self) -> impl Iterator<Item = &'v str>;
    fn entries(self) -> impl Iterator<Item = (&'v str, &'v Self::Value)>;
    /// The value as a map, if it is an object.
    fn fields_of(value: &'v Self::Value) -> Option<Self>;
    /// The value as the diff compares it.
    fn value_of(value: &'v Self::Value) -> Cow<'v, Value>;
}

impl<'v> Source<'v> for &'v Map<String, Value> {
    type Value = Value;
    fn entry_count(self) -> usize {
        Map::len(self)
    }
    fn names(self) -> impl Iterator<Item = &'v str> {
        self.keys().map(String::as_str)
    }
    fn entries(self) -> impl Iterator<Item = (&'v str, &'v Value)> {
        self.iter().map(|(name, value)| (name.as_str(), value))
    }
    fn fields_of(value: &'v Value) -> Option<Self> {
        value.as_object()
    }
    fn value_of(value: &'v Value) -> Cow<'v, Value> {
        Cow::Borrowed(value)
    }
}

impl<'v> Source<'v> for &'v Fields {
    type Value = Json;
    fn entry_count(self) -> usize {
        Fields::len(self)
    }
    fn names(self) -> impl Iterator<Item = &'v str> {
        self.keys()
    }
    fn entries(self) -> impl Iterator<Item = (&'v str, &'v Json)> {
        self.iter()
    }
    fn fields_of(value: &'v Json) -> Option<Self> {
        value.as_object()
    }
    fn value_of(value: &'v Json) -> Cow<'v, Value> {
        Cow::Owned(value.to_value())
    }
}

/// What the map a walk is at is: a map under free keys (`entries`, `metadata`), and whether
/// its path goes through a list element (where Stripe's defaults are dropped too).
#[derive(Clone, Copy)]
struct Level {
    entries: bool,
    in_array: bool,
}

/// Where the walk of a map's units (`Canon::each_unit`) puts each one.
pub trait Sink<'v> {
    /// One unit at `path`; `top` is the path borrowed from the map, for a top-level unit.
    fn unit(&mut self, path: &str, top: Option<&'v str>, unit: Unit<'v>);
}

impl<'v> Sink<'v> for Units<'v> {
    fn unit(&mut self, path: &str, top: Option<&'v str>, unit: Unit<'v>) {
        let path = top.map_or_else(|| Cow::Owned(path.to_owned()), Cow::Borrowed);
        self.insert(path, unit);
    }
}

/// Sets `path`, which holds a map's path (`base` bytes), to the path of its entry `name`.
fn push_segment(path: &mut String, base: usize, name: &str) {
    path.truncate(base);
    if base == 0 {
        path.push_str(name);
    } else {
        path.push('[');
        path.push_str(name);
        path.push(']');
    }
}

/// How an entry of a params map splits into units: the one rule for both sides of the diff
/// and for the script's own params.
#[derive(Clone, Copy)]
enum Split {
    /// The value is one unit (a scalar, a list).
    Unit,
    /// An object whose fields are params (`recurring`, a `currency_options` entry).
    Fields,
    /// A map under free keys (`metadata`): each entry one unit.
    Entries,
}

/// (`is_object`: whether the entry's value is an object.)
fn split(table: &ObjectTable, param: Option<&Param>, is_object: bool) -> Split {
    if !is_object {
        return Split::Unit;
    }
    match param {
        Some(map) if map.ty == Type::Map && !table.has_keyed_fields(map) => Split::Entries,
        Some(Param {
            ty: Type::Object | Type::Map,
            ..
        })
        | None => Split::Fields,
        Some(_) => Split::Unit,
    }
}

/// The path of `name` below `prefix`, borrowing the name at the top level.
fn child_path<'v>(prefix: &str, name: &'v str) -> Cow<'v, str> {
    if prefix.is_empty() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(join(prefix, name))
    }
}

/// Splits a params map (as the script wrote it, nothing normalised) into its units.
pub fn flatten<'v>(
    table: &ObjectTable,
    map: &'v Map<String, Value>,
    prefix: &str,
    out: &mut Units<'v>,
) {
    for (name, value) in map {
        let path = child_path(prefix, name);
        let param = table.param(&path);
        match (split(table, param, value.is_object()), value) {
            (Split::Entries, Value::Object(entries)) => {
                for (key, entry) in entries {
                    let path = join(&path, key);
                    let param = table.param(&path);
                    let value = Cow::Borrowed(entry);
                    out.insert(Cow::Owned(path), Unit { value, param });
                }
            }
            (Split::Fields, Value::Object(fields)) => flatten(table, fields, &path, out),
            _ => {
                let value = Cow::Borrowed(value);
                out.insert(path, Unit { value, param });
            }
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

    /// The canonical units of a params map or a live object: only params are kept
    /// (response-only fields dropped), unset values are dropped, and inside array elements
    /// Stripe's defaults too (`fill_defaults` does not reach there).
    pub fn units<'v, M: Source<'v>>(&self, map: M) -> Units<'v> {
        // Nested objects add units: twice the top level is room for most without growing.
        let room = 2 * map.entry_count();
        let mut units = Units::with_capacity_and_hasher(room, ShortKeys::default());
        self.each_unit(map, &mut units);
        units
    }

    /// Hands each canonical unit of `map` to `sink`, in the map's order (what `units`
    /// collects). The path a unit is handed with lives only for the call.
    pub fn each_unit<'v, M: Source<'v>>(&self, map: M, sink: &mut impl Sink<'v>) {
        let top = Level {
            entries: false,
            in_array: false,
        };
        self.level(&mut String::with_capacity(64), top, map, sink);
    }

    /// Hands over the units of the object `map` at `path` (`at` says what it is): the units
    /// of its canonical object (`object`), read in place, so that only what canonicalising
    /// changes is copied. `path` is one buffer for the whole walk: each level pushes its
    /// segment and cuts it again.
    fn level<'v, M: Source<'v>>(
        &self,
        path: &mut String,
        at: Level,
        map: M,
        sink: &mut impl Sink<'v>,
    ) {
        let Level { entries, in_array } = at;
        if map.names().any(|name| name.ends_with(DECIMAL)) {
            // Folding decimals (`mirror_decimals`) needs the whole canonical object.
            let Value::Object(canonical) = self.object(path, map) else {
                return;
            };
            let mut units = Units::default();
            if entries {
                for (key, entry) in canonical {
                    let path = join(path, &key);
                    let param = self.table.param(&path);
                    let value = Cow::Owned(entry);
                    units.insert(Cow::Owned(path), Unit { value, param });
                }
            } else {
                flatten(self.table, &canonical, path, &mut units);
            }
            for (path, unit) in units {
                let value = Cow::Owned(unit.value.into_owned());
                sink.unit(&path, None, Unit { value, ..unit });
            }
            return;
        }
        let base = path.len();
        for (name, value) in map.entries() {
            // A top-level path is the name itself: copied into the buffer only to go below it.
            let nested = base > 0;
            if nested {
                push_segment(path, base, name);
            }
            let child: &str = if nested { path } else { name };
            let param = self.table.param(child);
            if !is_compared(self.table, param, child) {
                continue;
            }
            let fields = M::fields_of(value);
            let how = if entries || self.is_expanded_reference(child, value) {
                Split::Unit
            } else {
                split(self.table, param, fields.is_some())
            };
            match (how, fields) {
                (Split::Fields | Split::Entries, Some(fields)) => {
                    if !nested {
                        push_segment(path, base, name);
                    }
                    let below = Level {
                        entries: matches!(how, Split::Entries),
                        in_array: in_array || is_index(name),
                    };
                    self.level(path, below, fields, sink);
                }
                _ => {
                    let value = self.canonical(child, param.map(|p| p.ty), M::value_of(value));
                    let default = || self.table.default_for(child);
                    if !(is_unset(&value) || (in_array && is_default(default(), &value))) {
                        // At the top level the path is the map's own key, borrowed.
                        let top = (!nested).then_some(name);
                        sink.unit(child, top, Unit { value, param });
                    }
                }
            }
        }
        path.truncate(base);
    }

    /// `value`'s canonical form (`value`), kept as it is (owned or borrowed) where it is
    /// canonical already.
    fn canonical<'v>(&self, path: &str, ty: Option<Type>, value: Cow<'v, Value>) -> Cow<'v, Value> {
        match value {
            Cow::Borrowed(value) => self.value(path, ty, value),
            Cow::Owned(value) => {
                let changed = match self.value(path, ty, &value) {
                    Cow::Borrowed(_) => None,
                    Cow::Owned(changed) => Some(changed),
                };
                Cow::Owned(changed.unwrap_or(value))
            }
        }
    }

    /// The canonical form of `value` at `path` (whose param has type `ty`), borrowed where it
    /// is canonical already.
    fn value<'v>(&self, path: &str, ty: Option<Type>, value: &'v Value) -> Cow<'v, Value> {
        match value {
            Value::Number(number) if ty == Some(Type::Decimal) => {
                Cow::Owned(Value::String(decimal(&number.to_string())))
            }
            Value::Number(number) => Cow::Owned(normalise_number(number)),
            // An unbounded tier is sent as `up_to=inf` and returned as `up_to: null`.
            Value::String(text) if matches!(ty, Some(Type::IntegerOr(_))) && text == "inf" => {
                Cow::Owned(Value::Null)
            }
            Value::String(text) => match self.string(path, ty, text) {
                Cow::Borrowed(_) => Cow::Borrowed(value),
                Cow::Owned(text) => Cow::Owned(Value::String(text)),
            },
            Value::Array(items) => {
                let mut items: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        let path = format!("{path}[{i}]");
                        let ty = self.table.param(&path).map(|p| p.ty);
                        self.value(&path, ty, item).into_owned()
                    })
                    .collect();
                if self.is_set_like(path) {
                    items.sort_by_key(Value::to_string);
                }
                Cow::Owned(Value::Array(items))
            }
            // A reference Stripe returns expanded (a product feature's `entitlement_feature`,
            // the feature whole) compares as the id it holds.
            Value::Object(map) if self.is_expanded_reference(path, value) => {
                let id = map["id"].as_str().unwrap_or_default();
                Cow::Owned(Value::String(self.string(path, ty, id).into_owned()))
            }
            Value::Object(map) => Cow::Owned(self.object(path, map)),
            other => Cow::Borrowed(other),
        }
    }

    /// Whether `value` is an object Stripe returned expanded where the kind references
    /// another object (live side only).
    fn is_expanded_reference(&self, path: &str, value: &impl Read) -> bool {
        let expanded = value.field("id").and_then(Read::text).is_some();
        expanded
            && self
                .live
                .is_some_and(|(_, references)| references.target(self.kind, path).is_some())
    }

    fn string<'v>(&self, path: &str, ty: Option<Type>, text: &'v str) -> Cow<'v, str> {
        if ty == Some(Type::Decimal) {
            return Cow::Owned(decimal(text));
        }
        if let Some((live, references)) = self.live {
            if let Some(key) = references
                .target(self.kind, path)
                .and_then(|target| live.key_of(target, text))
            {
                // Most keys are the id itself (a coupon's, a product's): nothing to copy.
                return if key == text {
                    Cow::Borrowed(text)
                } else {
                    Cow::Owned(key.into_owned())
                };
            }
        }
        Cow::Borrowed(text)
    }

    /// The canonical object at `path`, built whole: what an array element or a unit holding
    /// an object compares as (`level` reads the others in place).
    /// Read in place, as `level` reads it: only the fields compared become `Value`s.
    fn object<'v, M: Source<'v>>(&self, path: &str, map: M) -> Value {
        let in_array = Segments::new(path).any(is_index);
        let mut out = Map::new();
        for (name, value) in map.entries() {
            let child = join(path, name);
            let param = self.table.param(&child);
            if !is_compared(self.table, param, &child) {
                continue;
            }
            let value = self
                .canonical(&child, param.map(|p| p.ty), M::value_of(value))
                .into_owned();
            if is_unset(&value) || (in_array && is_default(self.table.default_for(&child), &value))
            {
                continue;
            }
            out.insert(name.to_owned(), value);
        }
        mirror_decimals(&mut out);
        Value::Object(out)
    }

    /// Lists Stripe treats as sets (the field table's `unordered`) compare without order.
    fn is_set_like(&self, path: &str) -> bool {
        self.table.param(path).is_some_and(|param| param.unordered)
    }
}

/// The suffix of a decimal field mirroring an integer one (`unit_amount_decimal`).
const DECIMAL: &str = "_decimal";

/// Stripe returns `unit_amount_decimal` beside `unit_amount` (and likewise for tiers'
/// amounts): an integral decimal is folded into its integer field so both forms compare equal.
fn mirror_decimals(map: &mut Map<String, Value>) {
    let decimal_names: Vec<String> = map
        .keys()
        .filter(|k| k.ends_with(DECIMAL))
        .cloned()
        .collect();
    for name in decimal_names {
        let base = name.trim_end_matches(DECIMAL).to_owned();
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

/// Whether `value` is Stripe's default (`30.0` and `30` being one number).
pub fn is_default(default: Option<Default>, value: &Value) -> bool {
    match (default, value) {
        (Some(Default::Bool(default)), Value::Bool(held)) => default == *held,
        (Some(Default::Int(default)), Value::Number(held)) => normalise_number(held) == default,
        (Some(Default::Str(default)), Value::String(held)) => default == held,
        (Some(Default::EmptyArray), Value::Array(held)) => held.is_empty(),
        (Some(Default::EmptyObject), Value::Object(held)) => held.is_empty(),
        _ => false,
    }
}

/// Whether the diff compares what a map holds at a concrete path, whose param (if any) is
/// `param`: a param's value, or a level with params below it. Anything else is a field of
/// Stripe's response only (`object`, `created`), never a param.
fn is_compared(table: &ObjectTable, param: Option<&Param>, concrete: &str) -> bool {
    param.is_some() || is_container(table, concrete)
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

    /// A live object read in place (`compact`) splits into the same units, with the same
    /// values and params, as the same object read as a params map: both sides of the diff go
    /// through one `level`, whatever holds them.
    #[test]
    fn a_live_object_splits_as_its_params_map_does() {
        let coupon = json!({"id": "off_1", "object": "coupon", "percent_off": 25.0,
            "duration": "once", "metadata": {"billingctl_scope": "s", "team": "growth"},
            "applies_to": {"products": ["basic", "plus"]}, "valid": true});
        let price = json!({"id": "price_1", "object": "price", "currency": "eur",
            "unit_amount": 1200, "unit_amount_decimal": "1200", "lookup_key": "basic_monthly",
            "recurring": {"interval": "month", "interval_count": 1, "meter": null},
            "currency_options": {"usd": {"unit_amount": 1300, "tax_behavior": "exclusive"}},
            "tiers": [{"up_to": 10, "unit_amount": 100}, {"up_to": null, "unit_amount": 90}],
            "product": {"id": "prod_1", "object": "product"}, "nickname": null});
        let live = LiveState::default();
        for (kind, object) in [(ObjectKind::Coupon, coupon), (ObjectKind::Price, price)] {
            let map = object.as_object().unwrap();
            let fields = Fields::from(map);
            let references = ReferencePatterns::default();
            let canon = Canon::live(kind, &live, &references);
            let (read, held) = (canon.units(map), canon.units(&fields));
            let summary = |units: &Units<'_>| {
                let unit = |(path, unit): (&Cow<'_, str>, &Unit<'_>)| {
                    (
                        path.to_string(),
                        unit.value.clone().into_owned(),
                        unit.param.map(|p| p.path),
                    )
                };
                units.iter().map(unit).collect::<Vec<_>>()
            };
            assert!(!read.is_empty(), "{kind}");
            assert_eq!(summary(&held), summary(&read), "{kind}");
        }
    }

    /// `change::update` finds an unchanged object without filling in Stripe's defaults: that
    /// holds only while every default a table fills in reads as unset where it is filled.
    #[test]
    fn every_default_compares_as_unset() {
        for kind in ObjectKind::ALL {
            let table = kind.table();
            for param in table.params {
                let Some(default) = param.default else {
                    continue;
                };
                let concrete = param.path.replace("[]", "[0]").replace("<key>", "eur");
                let found = table
                    .param(&concrete)
                    .unwrap_or_else(|| panic!("{kind}: {concrete} has a param"));
                let at = table.default_at(found, &concrete);
                assert!(
                    is_unset_for(found, at, &default.to_json()),
                    "{kind}: the default of {concrete} must compare as unset"
                );
            }
        }
    }

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
