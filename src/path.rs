//! Paths in Stripe's form notation, the one place they are split, joined, matched and
//! followed. A *concrete* path names one value: `tiers[0][up_to]`,
//! `currency_options[eur][unit_amount]`, `metadata[plan]`. A *pattern*, as the field tables
//! write it, names a family: `tiers[][up_to]` (any array element), `currency_options[<key>]`
//! (any key of a map).
//!
//! Values are JSON maps nested as Stripe returns them: a segment of digits indexes an array.

use serde_json::{Map, Value};

/// The segment that stands for any key of a map in a pattern.
pub const ANY_KEY: &str = "<key>";

/// The segments of a path without allocating: `a[b][]` yields `a`, `b`, `""`.
#[derive(Clone, Debug)]
pub struct Segments<'a> {
    head: Option<&'a str>,
    rest: &'a str,
}

impl<'a> Segments<'a> {
    pub fn new(path: &'a str) -> Self {
        let (head, rest) = match position(path, b'[') {
            Some(at) => (&path[..at], &path[at + 1..]),
            None => (path, ""),
        };
        Segments {
            head: Some(head),
            rest,
        }
    }
}

/// Where `byte` (ASCII) first stands in `text`. A plain scan: paths are short, and the diff
/// splits one for every field it reads (issue 13), where `split_once`'s searcher cost more
/// than the paths' length.
fn position(text: &str, byte: u8) -> Option<usize> {
    text.bytes().position(|b| b == byte)
}

/// Whether a path has one segment (`name`, not `recurring[interval]`).
pub fn is_single_segment(path: &str) -> bool {
    position(path, b'[').is_none()
}

impl<'a> Iterator for Segments<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if let Some(head) = self.head.take() {
            return Some(head);
        }
        let at = position(self.rest, b']')?;
        let (inner, after) = (&self.rest[..at], &self.rest[at + 1..]);
        self.rest = after.strip_prefix('[').unwrap_or(after);
        Some(inner)
    }
}

/// `a[b][]` → `["a", "b", ""]`.
pub fn segments(path: &str) -> Vec<&str> {
    Segments::new(path).collect()
}

/// Whether a concrete segment indexes an array: digits only.
pub fn is_index(segment: &str) -> bool {
    !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit())
}

/// `name` below `prefix`: `join("recurring", "interval")` → `recurring[interval]`; an empty
/// prefix is the top level.
pub fn join(prefix: &str, name: &str) -> String {
    if prefix.is_empty() {
        return name.to_owned();
    }
    // Not `format!`: the diff joins a path for every field it reads (issue 13).
    let mut path = String::with_capacity(prefix.len() + name.len() + 2);
    path.push_str(prefix);
    path.push('[');
    path.push_str(name);
    path.push(']');
    path
}

/// `["a", "b", "0"]` → `a[b][0]`.
pub fn join_all(parts: &[&str]) -> String {
    let mut out = String::new();
    for part in parts {
        if out.is_empty() {
            out.push_str(part);
        } else {
            out.push('[');
            out.push_str(part);
            out.push(']');
        }
    }
    out
}

/// The pattern of a concrete path, array indices made `[]`:
/// `features[subscription_update][products][0][prices]` →
/// `features[subscription_update][products][][prices]`. Map keys stay as they are.
pub fn pattern_of(concrete: &str) -> String {
    let mut parts = Segments::new(concrete);
    let mut out = parts.next().unwrap_or_default().to_owned();
    for part in parts {
        out.push('[');
        if !is_index(part) {
            out.push_str(part);
        }
        out.push(']');
    }
    out
}

/// Whether `pattern_of(concrete)` is `pattern`, without building it.
pub fn has_pattern(concrete: &str, pattern: &str) -> bool {
    let mut parts = Segments::new(concrete);
    let Some(mut rest) = pattern.strip_prefix(parts.next().unwrap_or_default()) else {
        return false;
    };
    for part in parts {
        let kept = if is_index(part) { "" } else { part };
        let Some(after) = rest
            .strip_prefix('[')
            .and_then(|r| r.strip_prefix(kept))
            .and_then(|r| r.strip_prefix(']'))
        else {
            return false;
        };
        rest = after;
    }
    rest.is_empty()
}

/// Whether one segment of a pattern matches one of a concrete path: `<key>` matches any
/// key, `[]` an index (or `[]` itself), a name only itself.
pub fn segment_matches(pattern: &str, concrete: &str) -> bool {
    match pattern {
        ANY_KEY => true,
        "" => concrete.is_empty() || is_index(concrete),
        _ => pattern == concrete,
    }
}

/// Where a concrete path stands to a pattern, read segment by segment without building
/// either: `Some(true)` when it matches the whole pattern, `Some(false)` when it matches a
/// beginning of it (the pattern lies below), `None` otherwise.
pub fn pattern_reach(pattern: &str, concrete: &str) -> Option<bool> {
    let mut pattern = Segments::new(pattern);
    for part in Segments::new(concrete) {
        if !segment_matches(pattern.next()?, part) {
            return None;
        }
    }
    Some(pattern.next().is_none())
}

/// Whether `path` is `unit` or lies below it.
pub fn within(path: &str, unit: &str) -> bool {
    path == unit
        || path
            .strip_prefix(unit)
            .is_some_and(|rest| rest.starts_with('['))
}

/// The value at a concrete path, if there is one.
pub fn get<'v>(map: &'v Map<String, Value>, path: &str) -> Option<&'v Value> {
    let mut parts = Segments::new(path);
    let mut current = map.get(parts.next()?)?;
    for part in parts {
        current = match current {
            Value::Object(map) => map.get(part)?,
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The value at a concrete path, mutably, if there is one.
pub fn get_mut<'v>(map: &'v mut Map<String, Value>, path: &str) -> Option<&'v mut Value> {
    let mut parts = Segments::new(path);
    let mut current = map.get_mut(parts.next()?)?;
    for part in parts {
        current = match current {
            Value::Object(map) => map.get_mut(part)?,
            Value::Array(items) => items.get_mut(part.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Replaces the value at a concrete path if it exists (`features[...][products][0][prices][1]`).
pub fn replace(map: &mut Map<String, Value>, path: &str, value: Value) {
    if let Some(target) = get_mut(map, path) {
        *target = value;
    }
}

/// Sets `value` at a path of map keys (`metadata[plan]`, `recurring[interval]`), making the
/// maps on the way (a non-map on the way is replaced by one).
pub fn insert(map: &mut Map<String, Value>, path: &str, value: Value) {
    let parts = segments(path);
    let (leaf, parents) = parts.split_last().expect("a path has a segment");
    let mut target = map;
    for parent in parents {
        let entry = target
            .entry((*parent).to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !entry.is_object() {
            *entry = Value::Object(Map::new());
        }
        target = entry.as_object_mut().expect("just made an object");
    }
    target.insert((*leaf).to_owned(), value);
}

/// Removes the value at a concrete path whose last segment is a map key; false when there is
/// none.
pub fn remove(map: &mut Map<String, Value>, path: &str) -> bool {
    let parts = segments(path);
    let Some((last, parents)) = parts.split_last() else {
        return false;
    };
    if parents.is_empty() {
        return map.remove(*last).is_some();
    }
    match get_mut(map, &join_all(parents)) {
        Some(Value::Object(parent)) => parent.remove(*last).is_some(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().cloned().expect("an object")
    }

    #[test]
    fn paths_split_and_join_back() {
        assert_eq!(segments("a"), ["a"]);
        assert_eq!(segments("a[b][]"), ["a", "b", ""]);
        assert_eq!(segments("tiers[0][up_to]"), ["tiers", "0", "up_to"]);
        assert_eq!(join_all(&["tiers", "0", "up_to"]), "tiers[0][up_to]");
        assert_eq!(join("", "name"), "name");
        assert_eq!(join("recurring", "interval"), "recurring[interval]");
    }

    #[test]
    fn patterns_match_indices_and_keys() {
        assert_eq!(
            pattern_of("products[0][prices][12]"),
            "products[][prices][]"
        );
        assert_eq!(
            pattern_of("currency_options[eur][unit_amount]"),
            "currency_options[eur][unit_amount]"
        );
        for (concrete, pattern) in [
            ("products[0][prices][12]", "products[][prices][]"),
            ("products[0][prices][12]", "products[][prices]"),
            ("products[0][prices]", "products[][prices][]"),
            ("default_price", "default_price"),
            ("default_price", "default_prices"),
            ("0[a]", "0[a]"),
            ("a[]", "a[]"),
            ("a[b]", "a[]"),
        ] {
            let built = pattern_of(concrete) == pattern;
            assert_eq!(
                has_pattern(concrete, pattern),
                built,
                "{concrete} {pattern}"
            );
        }
        assert!(segment_matches("<key>", "eur"));
        assert!(segment_matches("", "3"));
        assert!(!segment_matches("", "x"));
        assert_eq!(pattern_reach("tiers[][up_to]", "tiers[2]"), Some(false));
        assert_eq!(
            pattern_reach("tiers[][up_to]", "tiers[2][up_to]"),
            Some(true)
        );
        assert_eq!(
            pattern_reach("metadata[<key>]", "metadata[plan]"),
            Some(true)
        );
        assert_eq!(pattern_reach("tiers[][up_to]", "tiers[x]"), None);
        assert_eq!(pattern_reach("tiers", "tiers[0]"), None);
        assert!(within("recurring[interval]", "recurring"));
        assert!(!within("recurring_x", "recurring"));
        assert!(!is_index(""));
    }

    #[test]
    fn values_are_found_set_and_removed_by_path() {
        let mut params = object(json!({"a": {"b": [{"c": 1}, {"c": 2}]}, "m": {"k": "v"}}));
        assert_eq!(get(&params, "a[b][1][c]"), Some(&json!(2)));
        assert_eq!(get(&params, "a[b][2][c]"), None);
        replace(&mut params, "a[b][0][c]", json!(9));
        replace(&mut params, "a[x][0]", json!(9));
        assert_eq!(get(&params, "a[b][0][c]"), Some(&json!(9)));
        assert!(get(&params, "a[x]").is_none(), "replace makes nothing new");
        insert(&mut params, "n[o]", json!("p"));
        assert_eq!(params["n"], json!({"o": "p"}));
        assert!(remove(&mut params, "m[k]"));
        assert!(!remove(&mut params, "m[k]"));
        assert!(remove(&mut params, "n"));
        assert_eq!(params["m"], json!({}));
    }
}
