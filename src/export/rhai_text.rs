//! Rhai source text for JSON values: string escaping, map keys that need quoting, and a small
//! pretty-printer that keeps short values on one line and breaks long ones over several.
//!
//! Only what an exported catalog holds is supported: strings, integers, floats, booleans,
//! arrays and maps. `null` never reaches here (the exporter drops unset fields), so it is
//! written as Rhai's unit `()` only as a last resort.

use std::collections::HashMap;

use serde_json::{Map, Value};

/// Lines longer than this are broken up.
const WIDTH: usize = 100;
/// Spaces per nesting level.
const INDENT: usize = 4;

/// A Rhai string literal (`"..."`) that evaluates to exactly `s`.
///
/// Double-quoted Rhai strings do not interpolate (only backtick strings do), so `${` needs no
/// escape; control characters are written as `\u` escapes so the script stays one line per
/// value and shows what is there.
pub fn string_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let code = c as u32;
                if code <= 0xFFFF {
                    out.push_str(&format!("\\u{code:04X}"));
                } else {
                    out.push_str(&format!("\\U{code:08X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Writes JSON values as Rhai expressions, remembering which map keys may stand bare.
pub struct RhaiWriter {
    engine: rhai::Engine,
    bare_keys: HashMap<String, bool>,
}

impl std::fmt::Debug for RhaiWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RhaiWriter").finish_non_exhaustive()
    }
}

impl Default for RhaiWriter {
    fn default() -> Self {
        Self::new()
    }
}

impl RhaiWriter {
    pub fn new() -> Self {
        Self {
            engine: rhai::Engine::new_raw(),
            bare_keys: HashMap::new(),
        }
    }

    /// `value` as a Rhai expression, starting at column `column` of a line indented by
    /// `indent` levels: on one line when it fits, else with one element or entry per line.
    pub fn value(&mut self, value: &Value, indent: usize, column: usize) -> String {
        let flat = self.flat(value);
        if column + flat.len() <= WIDTH || !is_container(value) {
            return flat;
        }
        let pad = " ".repeat((indent + 1) * INDENT);
        let close = " ".repeat(indent * INDENT);
        match value {
            Value::Array(items) => {
                let mut out = String::from("[\n");
                for item in items {
                    out.push_str(&pad);
                    out.push_str(&self.value(item, indent + 1, pad.len()));
                    out.push_str(",\n");
                }
                out.push_str(&close);
                out.push(']');
                out
            }
            Value::Object(map) => {
                let mut out = String::from("#{\n");
                for (key, item) in map {
                    let key = self.key(key);
                    out.push_str(&pad);
                    out.push_str(&key);
                    out.push_str(": ");
                    let column = pad.len() + key.len() + 2;
                    out.push_str(&self.value(item, indent + 1, column));
                    out.push_str(",\n");
                }
                out.push_str(&close);
                out.push('}');
                out
            }
            _ => flat,
        }
    }

    /// `value` on one line.
    pub fn flat(&mut self, value: &Value) -> String {
        match value {
            Value::Null => "()".to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Number(n) => number(n),
            Value::String(s) => string_literal(s),
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(|item| self.flat(item)).collect();
                format!("[{}]", items.join(", "))
            }
            Value::Object(map) => self.flat_map(map),
        }
    }

    fn flat_map(&mut self, map: &Map<String, Value>) -> String {
        if map.is_empty() {
            return "#{}".to_string();
        }
        let entries: Vec<String> = map
            .iter()
            .map(|(key, item)| format!("{}: {}", self.key(key), self.flat(item)))
            .collect();
        format!("#{{ {} }}", entries.join(", "))
    }

    /// A map key: bare when Rhai reads it as a plain property name, quoted otherwise
    /// (`"plan-tier"`, `"type"` if it were a keyword, `"2024"`). Asking Rhai's own parser keeps
    /// this right for every keyword and reserved word without a list of ours to go stale.
    pub fn key(&mut self, key: &str) -> String {
        let bare = match self.bare_keys.get(key) {
            Some(&bare) => bare,
            None => {
                let bare = key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
                    && key.bytes().next().is_some_and(|b| !b.is_ascii_digit())
                    && self
                        .engine
                        .compile_expression(format!("#{{ {key}: 0 }}"))
                        .is_ok();
                self.bare_keys.insert(key.to_string(), bare);
                bare
            }
        };
        if bare {
            key.to_string()
        } else {
            string_literal(key)
        }
    }
}

fn is_container(value: &Value) -> bool {
    matches!(value, Value::Array(a) if !a.is_empty())
        || matches!(value, Value::Object(m) if !m.is_empty())
}

/// Integers as they are; floats always with a decimal point (`30.0`), so Rhai reads them back
/// as floats and a `percent_off` keeps its type.
fn number(n: &serde_json::Number) -> String {
    if let Some(i) = n.as_i64() {
        return i.to_string();
    }
    if let Some(u) = n.as_u64() {
        return u.to_string();
    }
    let f = n.as_f64().unwrap_or(0.0);
    let text = format!("{f:?}");
    if text.contains(['.', 'e', 'E']) {
        text
    } else {
        format!("{text}.0")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eval_string(literal: &str) -> String {
        rhai::Engine::new()
            .eval_expression::<String>(literal)
            .unwrap_or_else(|err| panic!("{literal} does not evaluate: {err}"))
    }

    #[test]
    fn string_literals_evaluate_to_the_original_text() {
        for original in [
            "plain",
            "quote \" and backslash \\ and ${not_interpolated}",
            "new\nline\ttab\rreturn",
            "bell \u{7} escape \u{1b} del \u{7f}",
            "unicode: Zürich, 東京, 🎉",
            "",
            "`backtick` and 'single'",
        ] {
            assert_eq!(eval_string(&string_literal(original)), original);
        }
    }

    #[test]
    fn keys_are_quoted_only_when_rhai_needs_it() {
        let mut writer = RhaiWriter::new();
        assert_eq!(writer.key("unit_amount"), "unit_amount");
        assert_eq!(writer.key("plan-tier"), "\"plan-tier\"");
        assert_eq!(writer.key("2024"), "\"2024\"");
        assert_eq!(writer.key("with space"), "\"with space\"");
        assert_eq!(writer.key("if"), "\"if\"");
        assert_eq!(writer.key("fn"), "\"fn\"");
        assert_eq!(writer.key(""), "\"\"");
    }

    #[test]
    fn floats_keep_a_decimal_point_and_integers_do_not() {
        let mut writer = RhaiWriter::new();
        assert_eq!(writer.flat(&json!(30.0)), "30.0");
        assert_eq!(writer.flat(&json!(25.5)), "25.5");
        assert_eq!(writer.flat(&json!(900)), "900");
        assert_eq!(writer.flat(&json!(-3)), "-3");
    }

    #[test]
    fn long_values_break_over_lines_and_still_evaluate_to_the_same_map() {
        let value = json!({
            "name": "A product with a rather long name to force the line over the width",
            "metadata": { "plan-tier": "gold", "if": "keyword key", "note": "x\"y" },
            "marketing_features": [{ "name": "Email support" }, { "name": "Phone support" }],
            "percent_off": 12.5,
            "enabled": true,
        });
        let mut writer = RhaiWriter::new();
        let text = writer.value(&value, 0, 0);
        assert!(text.lines().count() > 3, "expected several lines:\n{text}");
        assert!(text.lines().all(|line| line.len() <= WIDTH), "{text}");
        let map = rhai::Engine::new()
            .eval_expression::<rhai::Map>(&text)
            .unwrap_or_else(|err| panic!("{text}\n{err}"));
        let back: Value = rhai::serde::from_dynamic(&map.into()).expect("map to JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn short_values_stay_on_one_line() {
        let mut writer = RhaiWriter::new();
        let text = writer.value(&json!({ "interval": "month", "interval_count": 3 }), 0, 10);
        assert_eq!(text, "#{ interval: \"month\", interval_count: 3 }");
    }
}
