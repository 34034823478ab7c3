//! Applying typed params to an object, as Stripe's update does (and create, onto the object's
//! skeleton): nested hashes merge key by key, arrays and scalars replace, `null` (a param sent
//! as `""`) clears, string maps such as `metadata` merge with `""` unsetting a key, and maps
//! of objects such as `currency_options` replace each entry they name.

use serde_json::{Map, Value};

use crate::kinds::fields::{ObjectTable, Type};
use crate::path::segments;

/// Merges `params` (from `params::validate`) into `target`.
pub(crate) fn merge(
    table: &ObjectTable,
    target: &mut Map<String, Value>,
    params: &Map<String, Value>,
) {
    merge_at(table, "", target, params);
}

fn merge_at(
    table: &ObjectTable,
    prefix: &str,
    target: &mut Map<String, Value>,
    params: &Map<String, Value>,
) {
    for (key, value) in params {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}[{key}]")
        };
        let param = table
            .param(&path)
            .filter(|param| segments(param.path).len() == segments(&path).len());
        // `metadata`-like maps of strings, not maps of objects such as `currency_options`.
        let is_string_map =
            param.is_some_and(|param| param.ty == Type::Map && !table.has_keyed_fields(param));
        // Maps of objects replace each entry they name: an entry is one price in one currency.
        let is_object_map =
            param.is_some_and(|param| param.ty == Type::Map && table.has_keyed_fields(param));
        match value {
            Value::Null if is_string_map => {
                target.insert(key.clone(), Value::Object(Map::new()));
            }
            Value::Null => {
                let cleared = if target.get(key).is_some_and(Value::is_array) {
                    Value::Array(Vec::new())
                } else {
                    Value::Null
                };
                target.insert(key.clone(), cleared);
            }
            Value::Object(entries) if is_string_map => {
                let slot = object_slot(target, key);
                for (entry, text) in entries {
                    if text.as_str() == Some("") {
                        slot.remove(entry);
                    } else {
                        slot.insert(entry.clone(), text.clone());
                    }
                }
            }
            Value::Object(entries) if is_object_map => {
                let slot = object_slot(target, key);
                for (entry, value) in entries {
                    slot.insert(entry.clone(), value.clone());
                }
            }
            Value::Object(children) => {
                let slot = object_slot(target, key);
                merge_at(table, &path, slot, children);
            }
            other => {
                target.insert(key.clone(), other.clone());
            }
        }
    }
}

/// `target[key]` as an object, replacing whatever non-object was there.
fn object_slot<'t>(target: &'t mut Map<String, Value>, key: &str) -> &'t mut Map<String, Value> {
    let slot = target
        .entry(key.to_owned())
        .or_insert_with(|| Value::Object(Map::new()));
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut().expect("just made an object")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    use crate::kinds::fields::{p, OPT};

    static TABLE: ObjectTable = ObjectTable {
        index: crate::kinds::fields::Compiled::new(),
        object: "test",
        path: "/v1/tests",
        id_prefix: "t_",
        custom_id: false,
        deletable: false,
        list_filters: &[],
        params: &[p("metadata", Type::Map, OPT, OPT).emptyable()],
    };

    fn merged(target: serde_json::Value, params: serde_json::Value) -> serde_json::Value {
        let mut target = target.as_object().cloned().unwrap();
        merge(&TABLE, &mut target, params.as_object().unwrap());
        serde_json::Value::Object(target)
    }

    #[test]
    fn metadata_merges_and_unsets_keys() {
        assert_eq!(
            merged(
                json!({ "metadata": { "a": "1", "b": "2" } }),
                json!({ "metadata": { "a": "", "c": "3" } })
            ),
            json!({ "metadata": { "b": "2", "c": "3" } })
        );
        assert_eq!(
            merged(
                json!({ "metadata": { "a": "1" } }),
                json!({ "metadata": null })
            ),
            json!({ "metadata": {} })
        );
    }

    #[test]
    fn hashes_merge_arrays_replace_and_null_clears() {
        assert_eq!(
            merged(
                json!({ "o": { "x": 1, "y": 2 }, "list": [1, 2], "s": "v", "images": ["a"] }),
                json!({ "o": { "y": 3 }, "list": [9], "s": null, "images": null })
            ),
            json!({ "o": { "x": 1, "y": 3 }, "list": [9], "s": null, "images": [] })
        );
    }
}
