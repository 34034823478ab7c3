//! THROWAWAY: stands in for `crate::stripe::form::decode` until the `fields` branch lands.

use serde_json::{Map, Value};

#[derive(Debug)]
pub(crate) struct FormError(String);

impl std::fmt::Display for FormError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn unescape(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let h = (bytes[i + 1] as char).to_digit(16);
                let l = (bytes[i + 2] as char).to_digit(16);
                if let (Some(h), Some(l)) = (h, l) {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(crate) fn decode(input: &str) -> Result<Map<String, Value>, FormError> {
    let mut root = Value::Object(Map::new());
    for pair in input.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (unescape(k), unescape(v));
        let segs = crate::stripe::fields::segments(&k);
        let mut node = &mut root;
        for (i, seg) in segs.iter().enumerate() {
            let last = i == segs.len() - 1;
            let next_is_index = segs
                .get(i + 1)
                .is_some_and(|s| s.is_empty() || s.bytes().all(|b| b.is_ascii_digit()));
            let fresh = if last {
                Value::String(v.clone())
            } else if next_is_index {
                Value::Array(vec![])
            } else {
                Value::Object(Map::new())
            };
            node = match node {
                Value::Object(map) => {
                    if last {
                        map.insert(seg.to_string(), fresh);
                        break;
                    }
                    map.entry(seg.to_string()).or_insert(fresh)
                }
                Value::Array(items) => {
                    let idx = if seg.is_empty() {
                        items.len()
                    } else {
                        seg.parse::<usize>().map_err(|e| FormError(e.to_string()))?
                    };
                    while items.len() <= idx {
                        items.push(if last { Value::Null } else { fresh.clone() });
                    }
                    if last {
                        items[idx] = fresh;
                        break;
                    }
                    if items[idx].is_null() {
                        items[idx] = fresh;
                    }
                    &mut items[idx]
                }
                _ => return Err(FormError(format!("conflicting key {k}"))),
            };
        }
    }
    match root {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}
