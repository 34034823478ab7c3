//! Stripe's objects as the live account is held: a JSON tree in about a third of
//! `serde_json::Value`'s memory, decoded in 55 % of its instructions (10,000 objects: 264 M
//! → 146 M; the plan's heap peak 41 → 22 MB; BENCHMARKS.md). A big account's objects are most
//! of what a plan holds and reads (issue 13): as `Value`, each map entry took 112 bytes and a
//! hashed, separately allocated key; here an object is one boxed slice of 40-byte entries in
//! Stripe's order, its keys shared with every object of the same response.
//!
//! The reading API follows `serde_json::Value`'s (`get`, `as_str`, `["id"]`), so code reads a
//! live object as it would a response; `to_value` gives a `Value` for what needs one (a
//! change's shown values, export, saved plans).

use std::sync::Arc;

use rustc_hash::FxHashSet;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// One JSON value.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Json {
    #[default]
    Null,
    Bool(bool),
    Number(Number),
    String(Box<str>),
    Array(Box<[Json]>),
    Object(Fields),
}

/// An object's entries, in the order Stripe sent them; a key appears once (a repeated key
/// keeps its last value, in its first place, as `serde_json::Map` does). Objects have a few
/// dozen keys at most, so a lookup is a short scan.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Fields(Box<[(Arc<str>, Json)]>);

static NULL: Json = Json::Null;

/// Reading a JSON tree, a `serde_json::Value` (params, a response) or a compact `Json` (a
/// live object) alike: what the rules that read both are written against (a kind's key,
/// whether an object is on).
pub trait Read {
    /// The value under `name`, if this is an object that has it.
    fn field(&self, name: &str) -> Option<&Self>;
    /// The element at `index`, if this is a list that long.
    fn element(&self, index: usize) -> Option<&Self>;
    fn text(&self) -> Option<&str>;
    fn flag(&self) -> Option<bool>;

    /// The value at a concrete path (`metadata[billingctl_key]`, `tiers[0][up_to]`).
    fn at(&self, path: &str) -> Option<&Self> {
        let mut current = self;
        for part in crate::path::Segments::new(path) {
            current = match current.field(part) {
                Some(value) => value,
                None => current.element(part.parse().ok()?)?,
            };
        }
        Some(current)
    }
}

impl Read for Json {
    fn field(&self, name: &str) -> Option<&Json> {
        self.get(name)
    }
    fn element(&self, index: usize) -> Option<&Json> {
        self.as_array()?.get(index)
    }
    fn text(&self) -> Option<&str> {
        self.as_str()
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
}

impl Read for Value {
    fn field(&self, name: &str) -> Option<&Value> {
        self.get(name)
    }
    fn element(&self, index: usize) -> Option<&Value> {
        self.as_array()?.get(index)
    }
    fn text(&self) -> Option<&str> {
        self.as_str()
    }
    fn flag(&self) -> Option<bool> {
        self.as_bool()
    }
}

impl Json {
    /// The value under `name`, if this is an object that has it.
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.as_object()?.get(name)
    }

    pub fn as_object(&self) -> Option<&Fields> {
        match self {
            Json::Object(fields) => Some(fields),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Json]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::String(text) => Some(text),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Json::Bool(value) => Some(*value),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Json::Number(number) => number.as_i64(),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Json::Null)
    }

    /// The same value as `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Json::Null => Value::Null,
            Json::Bool(value) => Value::Bool(*value),
            Json::Number(number) => Value::Number(number.clone()),
            Json::String(text) => Value::String(text.to_string()),
            Json::Array(items) => Value::Array(items.iter().map(Json::to_value).collect()),
            Json::Object(fields) => Value::Object(fields.to_map()),
        }
    }
}

impl Fields {
    pub fn get(&self, name: &str) -> Option<&Json> {
        self.0
            .iter()
            .find(|(key, _)| &**key == name)
            .map(|(_, value)| value)
    }

    pub fn get_mut(&mut self, name: &str) -> Option<&mut Json> {
        self.0
            .iter_mut()
            .find(|(key, _)| &**key == name)
            .map(|(_, value)| value)
    }

    pub fn contains_key(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &Json)> + Clone {
        self.0.iter().map(|(key, value)| (&**key, value))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(key, _)| &**key)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The same object as a `serde_json::Map`.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = Map::with_capacity(self.0.len());
        for (key, value) in self.iter() {
            map.insert(key.to_owned(), value.to_value());
        }
        map
    }

    /// Sets `name` (in its place if it is there, else last). Rebuilds the entries: for the
    /// few objects a kind rewrites as it reads them (`Kind::read`).
    pub fn insert(&mut self, name: &str, value: Json) {
        let mut entries = std::mem::take(&mut self.0).into_vec();
        match entries.iter_mut().find(|(key, _)| &**key == name) {
            Some(entry) => entry.1 = value,
            None => entries.push((Arc::from(name), value)),
        }
        self.0 = entries.into_boxed_slice();
    }

    /// Takes `name` out, keeping the others' order.
    pub fn remove(&mut self, name: &str) -> Option<Json> {
        let mut entries = std::mem::take(&mut self.0).into_vec();
        let position = entries.iter().position(|(key, _)| &**key == name);
        let removed = position.map(|at| entries.remove(at).1);
        self.0 = entries.into_boxed_slice();
        removed
    }
}

impl std::ops::Index<&str> for Json {
    type Output = Json;

    /// `Null` when absent, as `serde_json::Value` answers.
    fn index(&self, name: &str) -> &Json {
        self.get(name).unwrap_or(&NULL)
    }
}

impl PartialEq<str> for Json {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == Some(other)
    }
}

impl PartialEq<&str> for Json {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == Some(*other)
    }
}

impl From<&Value> for Json {
    fn from(value: &Value) -> Self {
        match value {
            Value::Null => Json::Null,
            Value::Bool(value) => Json::Bool(*value),
            Value::Number(number) => Json::Number(number.clone()),
            Value::String(text) => Json::String(text.as_str().into()),
            Value::Array(items) => Json::Array(items.iter().map(Json::from).collect()),
            Value::Object(map) => Json::Object(Fields::from(map)),
        }
    }
}

impl From<&Map<String, Value>> for Fields {
    fn from(map: &Map<String, Value>) -> Self {
        Fields(
            map.iter()
                .map(|(key, value)| (Arc::from(key.as_str()), Json::from(value)))
                .collect(),
        )
    }
}

impl From<Value> for Json {
    fn from(value: Value) -> Self {
        Json::from(&value)
    }
}

/// Parses `text` (a response body) as JSON.
pub fn from_str(text: &str) -> serde_json::Result<Json> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut stacks = Stacks::default();
    let value = Seed(&mut stacks).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// What decoding one body shares across its levels: the keys seen (each one allocated once
/// per body, however many objects carry it) and the entries and items of the maps and lists
/// being read, which wait on one stack each so that each is allocated once, at its size.
#[derive(Default)]
struct Stacks {
    keys: FxHashSet<Arc<str>>,
    entries: Vec<(Arc<str>, Json)>,
    items: Vec<Json>,
}

struct Seed<'s>(&'s mut Stacks);

impl<'de> DeserializeSeed<'de> for Seed<'_> {
    type Value = Json;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Json, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Seed<'_> {
    type Value = Json;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Json, E> {
        Ok(Json::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Json, E> {
        Ok(Json::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Json, E> {
        Ok(Number::from_f64(value).map_or(Json::Null, Json::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Json, E> {
        Ok(Json::String(value.into()))
    }

    fn visit_none<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_unit<E>(self) -> Result<Json, E> {
        Ok(Json::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Json, A::Error> {
        let start = self.0.items.len();
        while let Some(item) = seq.next_element_seed(Seed(&mut *self.0))? {
            self.0.items.push(item);
        }
        Ok(Json::Array(self.0.items.drain(start..).collect()))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Json, A::Error> {
        let start = self.0.entries.len();
        while let Some(key) = access.next_key_seed(Key(&mut self.0.keys))? {
            let value = access.next_value_seed(Seed(&mut *self.0))?;
            let read = &mut self.0.entries[start..];
            // Keys are shared, so a repeated one is the same allocation.
            match read.iter_mut().find(|(seen, _)| Arc::ptr_eq(seen, &key)) {
                Some(entry) => entry.1 = value,
                None => self.0.entries.push((key, value)),
            }
        }
        Ok(Json::Object(Fields(
            self.0.entries.drain(start..).collect(),
        )))
    }
}

/// A map key, shared with the same key elsewhere in the body.
struct Key<'k>(&'k mut FxHashSet<Arc<str>>);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = Arc<str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Arc<str>, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key<'_> {
    type Value = Arc<str>;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("a key")
    }

    fn visit_str<E>(self, key: &str) -> Result<Arc<str>, E> {
        if let Some(known) = self.0.get(key) {
            return Ok(Arc::clone(known));
        }
        let key: Arc<str> = Arc::from(key);
        self.0.insert(Arc::clone(&key));
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"{"id": "promo_1", "object": "promotion_code", "active": true,
        "created": 1796243708, "max_redemptions": null, "amount": -12, "ratio": 0.5,
        "big": 18446744073709551615, "promotion": {"coupon": "off_1", "type": "coupon"},
        "restrictions": {}, "list": [1, "two", [3], {"four": 4, "id": "x"}], "empty": [],
        "escaped": "a\"b\u00e9\n", "k\u00e9y": 1}"#;

    #[test]
    fn decodes_what_serde_json_decodes_in_its_order() {
        let compact = from_str(TEXT).unwrap();
        let plain: Value = serde_json::from_str(TEXT).unwrap();
        assert_eq!(compact.to_value(), plain);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&compact.to_value()), keys(&plain), "the order is kept");
        assert_eq!(Json::from(&plain), compact, "and back");
    }

    #[test]
    fn reads_like_a_value() {
        let object = from_str(TEXT).unwrap();
        assert_eq!(object["id"], "promo_1");
        assert_eq!(object.get("active").and_then(Json::as_bool), Some(true));
        assert_eq!(object["promotion"]["coupon"].as_str(), Some("off_1"));
        assert_eq!(object["amount"].as_i64(), Some(-12));
        assert!(object["max_redemptions"].is_null());
        assert!(object["absent"].is_null() && object.get("absent").is_none());
        assert_eq!(object["list"].as_array().map(<[Json]>::len), Some(4));
        assert!(object["restrictions"]
            .as_object()
            .is_some_and(Fields::is_empty));
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_in_its_first_place_as_serde_json_does() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        let plain: Value = serde_json::from_str(text).unwrap();
        let compact = from_str(text).unwrap();
        assert_eq!(compact.to_value(), plain);
        let keys: Vec<&str> = compact.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["a", "b"]);
    }

    #[test]
    fn keys_are_shared_across_the_body() {
        let list = from_str(r#"[{"id": "a"}, {"id": "b"}]"#).unwrap();
        let items = list.as_array().unwrap();
        let key = |item: &Json| Arc::clone(&item.as_object().unwrap().0[0].0);
        assert!(Arc::ptr_eq(&key(&items[0]), &key(&items[1])));
    }

    /// The memory the module's doc claims: an entry is a shared key and a 24-byte value.
    #[test]
    fn an_entry_takes_forty_bytes() {
        assert_eq!(std::mem::size_of::<Json>(), 24);
        assert_eq!(std::mem::size_of::<(Arc<str>, Json)>(), 40);
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(from_str(r#"{"a": 1"#).is_err());
        assert!(from_str(r#"{"a": 1} x"#).is_err());
    }

    #[test]
    fn fields_are_set_and_taken_in_place() {
        let mut object = from_str(r#"{"a": 1, "b": 2}"#).unwrap();
        let Json::Object(fields) = &mut object else {
            unreachable!()
        };
        fields.insert("a", Json::Bool(true));
        fields.insert("c", Json::Null);
        assert_eq!(fields.remove("b"), Some(Json::Number(2.into())));
        assert_eq!(fields.remove("b"), None);
        assert_eq!(object.to_value(), serde_json::json!({"a": true, "c": null}));
    }
}
