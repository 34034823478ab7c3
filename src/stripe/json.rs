//! Response bodies decoded into `serde_json::Value` with every object's map sized to its
//! entries. `Value`'s own decoder grows each map as it inserts (3, 7, then 14 entries of 112
//! bytes), so a live object held a third more memory than its fields, and a big account's
//! objects are most of what a plan holds (issue 13). The value is the same either way.

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Parses `text` as JSON, every map sized to its entries.
pub fn from_str(text: &str) -> serde_json::Result<Value> {
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let mut entries = Vec::new();
    let value = Exact(&mut entries).deserialize(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

/// One JSON value, decoded exactly sized. The entries of the maps being read wait on one
/// stack, shared by every level, so that reading a map whole first allocates nothing.
struct Exact<'s>(&'s mut Vec<(String, Value)>);

impl<'de> DeserializeSeed<'de> for Exact<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Exact<'_> {
    type Value = Value;

    fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, value: bool) -> Result<Value, E> {
        Ok(Value::Bool(value))
    }

    fn visit_i64<E>(self, value: i64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_u64<E>(self, value: u64) -> Result<Value, E> {
        Ok(Value::Number(value.into()))
    }

    fn visit_f64<E>(self, value: f64) -> Result<Value, E> {
        Ok(Number::from_f64(value).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, value: &str) -> Result<Value, E> {
        Ok(Value::String(value.to_owned()))
    }

    fn visit_string<E>(self, value: String) -> Result<Value, E> {
        Ok(Value::String(value))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(Exact(&mut *self.0))? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        // Read whole first, so that the map is allocated once at its size.
        let start = self.0.len();
        while let Some(key) = access.next_key::<String>()? {
            let value = access.next_value_seed(Exact(&mut *self.0))?;
            self.0.push((key, value));
        }
        let mut map = Map::with_capacity(self.0.len() - start);
        // A repeated key keeps its last value, as `Value`'s own decoder does.
        map.extend(self.0.drain(start..));
        Ok(Value::Object(map))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_what_serde_json_decodes() {
        let text = r#"{"id": "promo_1", "object": "promotion_code", "active": true,
            "created": 1796243708, "max_redemptions": null, "amount": -12, "ratio": 0.5,
            "big": 18446744073709551615, "promotion": {"coupon": "off_1", "type": "coupon"},
            "restrictions": {}, "list": [1, "two", [3], {"four": 4}], "empty": [],
            "escaped": "a\"b\u00e9\n"}"#;
        let exact = from_str(text).unwrap();
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(exact, plain);
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(&exact), keys(&plain), "the order is kept");
    }

    #[test]
    fn bad_json_is_an_error() {
        assert!(from_str(r#"{"a": 1"#).is_err());
        assert!(from_str(r#"{"a": 1} x"#).is_err());
    }

    #[test]
    fn a_repeated_key_keeps_its_last_value_as_serde_json_does() {
        let text = r#"{"a": 1, "b": 2, "a": 3}"#;
        let plain: Value = serde_json::from_str(text).unwrap();
        assert_eq!(from_str(text).unwrap(), plain);
    }
}
