//! Script values (as JSON) into typed specs, with errors that name the field path, the
//! closest valid field name for a typo, and the expected type.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::DeclaredAt;
use crate::diag::Diagnostic;
use crate::kinds::ObjectKind;

/// Deserializes `value` into `S`, or returns the diagnostic saying what is wrong and where.
pub fn parse<S: DeserializeOwned>(
    kind: ObjectKind,
    key: &str,
    at: &DeclaredAt,
    value: Value,
) -> Result<S, Box<Diagnostic>> {
    serde_path_to_error::deserialize::<_, S>(value).map_err(|err| {
        let path = form_path(err.path());
        let inner = err.inner().to_string();
        let diag = describe(&path, &inner);
        // A missing field is about the field itself, not the map that lacks it.
        let field = match diag.message.strip_prefix("missing required field `") {
            Some(rest) => rest.trim_end_matches('`').to_owned(),
            None => path,
        };
        Box::new(diag.at(at.clone()).object(kind, key).with_field(&field))
    })
}

trait WithField {
    fn with_field(self, path: &str) -> Self;
}

impl WithField for Diagnostic {
    fn with_field(self, path: &str) -> Self {
        if path.is_empty() {
            self
        } else {
            self.field(path)
        }
    }
}

/// `a.b[0].c` as Stripe's form notation: `a[b][0][c]`.
fn form_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        let name = match segment {
            serde_path_to_error::Segment::Seq { index } => index.to_string(),
            serde_path_to_error::Segment::Map { key } => key.clone(),
            serde_path_to_error::Segment::Enum { variant } => variant.clone(),
            serde_path_to_error::Segment::Unknown => "?".into(),
        };
        if out.is_empty() {
            out = name;
        } else {
            out.push('[');
            out.push_str(&name);
            out.push(']');
        }
    }
    out
}

/// Turns serde's message into ours.
fn describe(path: &str, inner: &str) -> Diagnostic {
    let under = |field: &str| {
        if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}[{field}]")
        }
    };
    if let Some(rest) = inner.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        // serde_path_to_error records the unknown key itself as the last segment.
        let last = crate::path::segments(path).last().copied();
        let shown = if last == Some(field) {
            path.to_owned()
        } else {
            under(field)
        };
        let diag = Diagnostic::error(format!("unknown field `{shown}`"));
        return match closest(field, &valid) {
            Some(best) => diag.help(format!("did you mean `{best}`?")),
            None if valid.is_empty() => diag,
            None => diag.help(format!("valid fields here: {}", valid.join(", "))),
        };
    }
    if let Some(rest) = inner.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::error(format!("missing required field `{}`", under(field)));
    }
    if let Some(rest) = inner.strip_prefix("invalid type: ") {
        let (got, expected) = rest.split_once(", expected ").unwrap_or((rest, "?"));
        let what = if path.is_empty() { "the map" } else { path };
        let diag = Diagnostic::error(format!(
            "`{what}` must be {}, got {}",
            expected_type(expected),
            got_value(got)
        ));
        return if expected == "i64" && got.starts_with("floating point") {
            diag.help("amounts and counts are integers (minor units: 900 is 9.00); convert with `.to_int()`")
        } else {
            diag
        };
    }
    let what = if path.is_empty() {
        String::new()
    } else {
        format!("`{path}`: ")
    };
    Diagnostic::error(format!("{what}{inner}"))
}

/// serde's name for a type, in the script's words.
fn expected_type(expected: &str) -> String {
    match expected {
        "i64" | "u64" | "i32" => "an integer".into(),
        "f64" => "a number".into(),
        "a boolean" | "a string" | "a map" => expected.into(),
        "a sequence" => "an array".into(),
        _ if expected.starts_with("struct ") => "a map (`#{ ... }`)".into(),
        _ => expected.into(),
    }
}

fn got_value(got: &str) -> String {
    match got {
        "sequence" => "an array".into(),
        "map" => "a map".into(),
        "null" => "() (unit)".into(),
        _ => got
            .replace("floating point", "the number")
            .replace("integer", "the integer"),
    }
}

/// The valid name nearest to a typo, when one is close enough to be the likely intent.
pub fn closest<'a>(typo: &str, valid: &[&'a str]) -> Option<&'a str> {
    valid
        .iter()
        .map(|v| (strsim::jaro_winkler(typo, v), *v))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, v)| v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::price::PriceSpec;
    use serde_json::json;

    fn at() -> DeclaredAt {
        DeclaredAt {
            file: "s.rhai".into(),
            line: 1,
            column: 1,
        }
    }

    fn err(value: Value) -> Diagnostic {
        *parse::<PriceSpec>(ObjectKind::Price, "p", &at(), value).unwrap_err()
    }

    #[test]
    fn unknown_field_suggests_the_closest_name() {
        let d = err(json!({"product": "x", "currency": "eur", "unit_ammount": 1}));
        assert_eq!(d.message, "unknown field `unit_ammount`");
        assert_eq!(d.help.as_deref(), Some("did you mean `unit_amount`?"));
    }

    #[test]
    fn nested_unknown_field_names_its_path() {
        let d = err(json!({"product": "x", "currency": "eur",
                           "recurring": {"intervall": "month"}}));
        assert_eq!(d.message, "unknown field `recurring[intervall]`");
        assert_eq!(d.help.as_deref(), Some("did you mean `interval`?"));
    }

    #[test]
    fn wrong_type_names_the_expected_type() {
        let d = err(json!({"product": "x", "currency": "eur", "unit_amount": "900"}));
        assert_eq!(
            d.message,
            "`unit_amount` must be an integer, got string \"900\""
        );
        let d = err(json!({"product": "x", "currency": "eur", "unit_amount": 9.5}));
        assert_eq!(
            d.message,
            "`unit_amount` must be an integer, got the number `9.5`"
        );
        assert!(d.help.unwrap().contains("to_int"));
    }

    #[test]
    fn missing_field_is_named() {
        let d = err(json!({"product": "x"}));
        assert_eq!(d.message, "missing required field `currency`");
    }
}
