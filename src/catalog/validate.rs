//! Static validation, the generic part: the values Stripe would reject, found offline, by
//! rules every kind shares. Each error names the object, its key and the field (in Stripe's
//! form notation).
//!
//! The facts come from the field table (`kinds::fields`): which values an enum takes, and
//! each param's [`Limits`] (lengths, counts, characters, largest amounts), checked here for
//! every param of a declaration by [`params`] and [`enums`]. A kind's own rules (ranges,
//! combinations of fields) live beside its spec (`catalog::price`, ...) and use the helpers
//! of [`Check`]; this module knows no spec.

use serde_json::{Map, Value};

use super::currency;
use super::DeclaredAt;
use crate::diag::Diagnostic;
use crate::kinds::fields::{Length, Limits, Param, Text, TextError, Type};
use crate::kinds::{ObjectKind, RESERVED_METADATA_PREFIX};

/// The limits `tests/it/property` generates within; written once, in the product's table.
pub use crate::kinds::{MARKETING_FEATURES_MAX, STATEMENT_DESCRIPTOR_MAX};

/// The object under validation and the list its errors go to.
pub struct Check<'a> {
    pub kind: ObjectKind,
    pub key: &'a str,
    pub at: &'a DeclaredAt,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Check<'_> {
    /// Records an error about `field`.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.push(field, message, None);
    }

    /// Records an error about `field` with a hint on how to fix it.
    pub fn error_help(&mut self, field: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(field, message, Some(help.into()));
    }

    fn push(&mut self, field: &str, message: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::error(message)
            .at(self.at.clone())
            .object(self.kind, self.key);
        if !field.is_empty() {
            d = d.field(field);
        }
        d.help = help;
        self.diags.push(d);
    }

    /// The limits the table gives the param at a concrete path (none for an unknown one).
    pub fn limits(&self, field: &str) -> Limits {
        self.kind
            .table()
            .param(field)
            .map_or(Limits::NONE, |param| param.limits)
    }

    /// An amount (or count) that must not be negative, and not above the table's largest
    /// value for its param (Stripe's eight-digit amounts).
    pub fn non_negative(&mut self, field: &str, amount: Option<i64>) {
        let max = self.limits(field).max;
        match (amount, max) {
            (Some(a), _) if a < 0 => self.error(field, format!("`{field}` must be >= 0, got {a}")),
            (Some(a), Some(max)) if a > max => self.error(
                field,
                format!("`{field}` must be at most {max} (minor units), got {a}"),
            ),
            _ => {}
        }
    }

    pub fn positive(&mut self, field: &str, value: Option<i64>) {
        if let Some(v) = value.filter(|v| *v < 1) {
            self.error(
                field,
                format!("`{field}` must be a positive integer, got {v}"),
            );
        }
    }

    pub fn currency(&mut self, field: &str, code: &str) {
        if !currency::is_supported(code) {
            let help = if currency::is_supported(&code.to_ascii_lowercase()) {
                format!(
                    "currency codes are lowercase: `{}`",
                    code.to_ascii_lowercase()
                )
            } else {
                "use a three-letter ISO 4217 code Stripe supports, e.g. `eur` or `usd`".into()
            };
            self.error_help(
                field,
                format!("`{field}`: unsupported currency `{code}`"),
                help,
            );
        }
    }

    pub fn decimal(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let (int, frac) = value.split_once('.').unwrap_or((value, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 12 {
            self.error(
                field,
                format!("`{field}` must be a non-negative decimal string with at most 12 decimal places, got \"{value}\""),
            );
        }
    }

    pub fn url(&mut self, field: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                self.error(
                    field,
                    format!("`{field}` must be an http(s) URL, got \"{v}\""),
                );
            }
        }
    }

    /// `interval` × `interval_count` must stay within three years (Stripe's maximum).
    pub fn interval(&mut self, field: &str, interval: &str, count: Option<i64>) {
        let max = match interval {
            "day" => 3 * 365,
            "week" => 156,
            "month" => 36,
            "year" => 3,
            _ => return, // an unknown interval is reported by the enum check
        };
        let count_field = format!("{field}[interval_count]");
        match count {
            Some(c) if c < 1 => self.error(
                &count_field,
                format!("`{count_field}` must be at least 1, got {c}"),
            ),
            Some(c) if c > max => self.error_help(
                &count_field,
                format!(
                    "`{count_field}` {c} with interval `{interval}` is longer than three years"
                ),
                format!("Stripe allows at most {max} {interval}s"),
            ),
            _ => {}
        }
    }

    /// The key's length against the param that carries it (a price's or a feature's
    /// `lookup_key`): never empty, at most the table's limit.
    pub fn key_length(&mut self) {
        let key = self.key;
        let Some(field) = self.kind.def().key().field() else {
            return;
        };
        let max = self.limits(field).chars.map_or(usize::MAX, |l| l.max);
        if key.is_empty() || key.chars().count() > max {
            self.error(
                field,
                format!(
                    "`{field}` must be 1 to {max} characters, got {}",
                    key.chars().count()
                ),
            );
        }
    }

    /// The key against the character rule of the param that carries it (`id`, `code`).
    pub fn key_characters(&mut self) {
        let key = self.key;
        let Some(field) = self.kind.def().key().field() else {
            return;
        };
        let Some(rule) = self.limits(field).text else {
            return;
        };
        if rule.check(key).is_empty() {
            return;
        }
        let (message, help) = match rule {
            Text::Id => (
                format!(
                    "{field} \"{key}\" must be non-empty and use only {}",
                    rule.describe()
                ),
                "ids appear in API paths, so keep them to these characters",
            ),
            Text::Code => (
                format!(
                    "{} \"{key}\" may only contain {}",
                    self.kind.name().replace('_', " "),
                    rule.describe()
                ),
                "Stripe rejects other characters (no spaces or underscores)",
            ),
            // No key carries a statement descriptor.
            Text::StatementDescriptor => return,
        };
        self.error_help(field, message, help);
    }
}

/// An adopted id must be of the kind's own prefix (`price_…`), where Stripe gives it one.
pub fn adopt(check: &mut Check<'_>, id: &str) {
    let kind = check.kind;
    let prefix = kind.table().id_prefix;
    if !prefix.is_empty() && !id.starts_with(prefix) {
        check.error(
            "adopt",
            format!("`adopt` must be a {kind} id (`{prefix}…`), got \"{id}\""),
        );
    }
}

/// Checks every value in `params` against its param's limits in the field table: string
/// lengths and characters, array lengths, metadata maps. The key is left to its kind, whose
/// errors name it as the script's first argument.
pub fn params(check: &mut Check<'_>, params: &Map<String, Value>) {
    let key_field = check.kind.def().key().field();
    for (name, value) in params {
        if Some(name.as_str()) != key_field {
            within_limits(check, name, value);
        }
    }
}

fn within_limits(check: &mut Check<'_>, path: &str, value: &Value) {
    let param = exact(check.kind, path);
    let limits = param.map_or(Limits::NONE, |p| p.limits);
    match value {
        Value::String(text) => {
            if let Some(length) = limits.chars {
                string_length(check, path, text, length);
            }
            if let Some(rule) = limits.text {
                characters(check, path, text, rule);
            }
        }
        Value::Array(items) => {
            if let Some(most) = limits.items.filter(|most| items.len() > most.max) {
                check.error(
                    path,
                    format!(
                        "`{path}` has {} {}; Stripe allows at most {}",
                        items.len(),
                        most.noun,
                        most.max
                    ),
                );
            }
            for (i, item) in items.iter().enumerate() {
                within_limits(check, &format!("{path}[{i}]"), item);
            }
        }
        Value::Object(map)
            if param.is_some_and(|p| p.ty == Type::Map && limits != Limits::NONE) =>
        {
            string_map(check, path, map, &limits);
        }
        Value::Object(map) => {
            for (name, item) in map {
                within_limits(check, &format!("{path}[{name}]"), item);
            }
        }
        _ => {}
    }
}

/// The param naming exactly this concrete path (not a map param above it).
fn exact(kind: ObjectKind, path: &str) -> Option<&'static Param> {
    let param = kind.table().param(path)?;
    let depth = |p: &str| crate::path::Segments::new(p).count();
    (depth(param.path) == depth(path)).then_some(param)
}

fn string_length(check: &mut Check<'_>, path: &str, text: &str, length: Length) {
    let n = text.chars().count();
    if length.min > 0 {
        if n < length.min || n > length.max {
            check.error(
                path,
                format!(
                    "`{path}` must be {} to {} characters, got {n}",
                    length.min, length.max
                ),
            );
        }
    } else if n > length.max {
        check.error(
            path,
            format!(
                "`{path}` \"{text}\" is longer than {} characters",
                length.max
            ),
        );
    }
}

fn characters(check: &mut Check<'_>, path: &str, text: &str, rule: Text) {
    for problem in rule.check(text) {
        let message = match problem {
            TextError::NoLetter => format!("`{path}` \"{text}\" must contain at least one letter"),
            TextError::Forbidden(c) => format!("`{path}` \"{text}\" must not contain `{c}`"),
            TextError::Empty => format!("`{path}` must not be empty"),
        };
        check.error(path, message);
    }
}

/// A map of strings (`metadata`): how many entries, each key's length and characters, each
/// value's length. An object's own `metadata` also may not use billingctl's reserved keys.
fn string_map(check: &mut Check<'_>, path: &str, map: &Map<String, Value>, limits: &Limits) {
    if let Some(most) = limits.items.filter(|most| map.len() > most.max) {
        check.error(
            path,
            format!(
                "`{path}` has {} {}; Stripe allows at most {}",
                map.len(),
                most.noun,
                most.max
            ),
        );
    }
    for (k, v) in map {
        let field = format!("{path}[{k}]");
        if let Some(max) = limits.key_chars {
            if k.is_empty() || k.chars().count() > max || k.contains(['[', ']']) {
                check.error(
                    &field,
                    format!("metadata key `{k}` must be 1 to {max} characters without `[` or `]`"),
                );
            }
        }
        if path == "metadata" && k.starts_with(RESERVED_METADATA_PREFIX) {
            check.error_help(
                &field,
                format!("metadata key `{k}` is reserved for billingctl"),
                "billingctl sets `billingctl_scope` and `billingctl_key` itself; choose another key",
            );
        }
        let length = v.as_str().map_or(0, |v| v.chars().count());
        if let Some(Length { max, .. }) = limits.chars.filter(|l| length > l.max) {
            check.error(
                &field,
                format!(
                    "metadata value of `{k}` has {length} characters; Stripe allows at most {max}"
                ),
            );
        }
    }
}

/// Checks every enum-typed value in `params` against the field table. Params the table does
/// not know are left alone here: the typed specs already refuse unknown fields.
pub fn enums(check: &mut Check<'_>, params: &Map<String, Value>) {
    for (k, v) in params {
        enum_value(check, k, v);
    }
}

fn enum_value(check: &mut Check<'_>, path: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                enum_value(check, &format!("{path}[{k}]"), v);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                enum_value(check, &format!("{path}[{i}]"), v);
            }
        }
        Value::String(s) => {
            let Some(Type::Enum(allowed)) = check.kind.table().param(path).map(|p| p.ty) else {
                return;
            };
            if !allowed.contains(&s.as_str()) {
                let help = match super::parse::closest(s, allowed) {
                    Some(best) => format!("did you mean \"{best}\"?"),
                    None => format!("expected one of: {}", allowed.join(", ")),
                };
                check.error_help(path, format!("`{path}`: invalid value \"{s}\""), help);
            }
        }
        _ => {}
    }
}

/// The errors validation finds in one object, for the tests of each kind's rules.
#[cfg(test)]
pub mod testing {
    use serde_json::Value;

    use crate::catalog::object::Object;
    use crate::catalog::DeclaredAt;
    use crate::kinds::ObjectKind;

    /// The (field, message) of every validation error of one object.
    pub(crate) fn errors(kind: ObjectKind, key: &str, fields: Value) -> Vec<(String, String)> {
        let at = DeclaredAt {
            file: "t.rhai".into(),
            line: 1,
            column: 1,
        };
        let object = Object::build(kind, key, &at, Default::default(), fields).expect("parses");
        let mut diags = Vec::new();
        object.validate(&mut diags);
        diags
            .into_iter()
            .map(|d| (d.subject.field.unwrap_or_default(), d.message))
            .collect()
    }

    /// Each case: key, fields, the field named and a part of the message.
    pub(crate) fn assert_cases(kind: ObjectKind, cases: &[(&str, Value, &str, &str)]) {
        for (key, fields, field, message) in cases {
            let found = errors(kind, key, fields.clone());
            assert!(
                found.iter().any(|(f, m)| f == field && m.contains(message)),
                "{kind} {fields}: expected `{field}`: {message}, found {found:?}"
            );
        }
    }

    /// Objects with no error at all.
    pub(crate) fn assert_valid(kind: ObjectKind, cases: &[Value]) {
        for fields in cases {
            assert_eq!(errors(kind, "k", fields.clone()), vec![], "{kind} {fields}");
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::testing::{assert_cases, errors};
    use crate::kinds::ObjectKind::{PortalConfiguration, Price, Product};

    #[test]
    fn limits_come_from_the_table() {
        assert_cases(
            Product,
            &[
                (
                    "k",
                    json!({"name": "P", "marketing_features": ["x".repeat(81)]}),
                    "marketing_features[0][name]",
                    "1 to 80 characters",
                ),
                (
                    "k",
                    json!({"name": "P", "marketing_features": vec!["f"; 16]}),
                    "marketing_features",
                    "has 16 items; Stripe allows at most 15",
                ),
                (
                    "k",
                    json!({"name": "P", "images": vec!["https://x"; 9]}),
                    "images",
                    "has 9 URLs; Stripe allows at most 8",
                ),
                (
                    "k",
                    json!({"name": "P", "statement_descriptor": "A<B"}),
                    "statement_descriptor",
                    "must not contain `<`",
                ),
                (
                    "k",
                    json!({"name": "P", "statement_descriptor": "ACME SOFTWARE SUBSCRIPTION"}),
                    "statement_descriptor",
                    "is longer than 22 characters",
                ),
                (
                    "k",
                    json!({"name": "P", "metadata": {"": "x"}}),
                    "metadata[]",
                    "1 to 40 characters",
                ),
                (
                    "k",
                    json!({"name": "P", "metadata": {"note": "v".repeat(501)}}),
                    "metadata[note]",
                    "has 501 characters; Stripe allows at most 500",
                ),
            ],
        );
        let many: serde_json::Map<String, serde_json::Value> =
            (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
        assert_cases(
            Price,
            &[(
                "k",
                json!({"product": "p", "currency": "eur", "unit_amount": 1, "metadata": many}),
                "metadata",
                "has 51 keys; Stripe allows at most 50",
            )],
        );
    }

    #[test]
    fn a_statement_descriptor_reports_each_broken_rule() {
        let found = errors(
            Product,
            "k",
            json!({"name": "P", "statement_descriptor": "<12>"}),
        );
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            [
                "`statement_descriptor` \"<12>\" must contain at least one letter",
                "`statement_descriptor` \"<12>\" must not contain `<`"
            ]
        );
    }

    #[test]
    fn reserved_metadata_keys_and_enums_are_checked_for_every_kind() {
        assert_cases(
            PortalConfiguration,
            &[
                (
                    "k",
                    json!({"features": {}, "metadata": {"billingctl_key": "x"}}),
                    "metadata[billingctl_key]",
                    "reserved for billingctl",
                ),
                (
                    "k",
                    json!({"features": {"subscription_update": {"enabled": false, "schedule_at_period_end": {"conditions": [{"type": "always"}]}}}}),
                    "features[subscription_update][schedule_at_period_end][conditions][0][type]",
                    "invalid value",
                ),
            ],
        );
    }

    #[test]
    fn an_adopted_id_has_the_kinds_prefix() {
        use crate::catalog::object::Object;
        use crate::catalog::DeclaredAt;
        let at = DeclaredAt {
            file: "t.rhai".into(),
            line: 1,
            column: 1,
        };
        let fields = json!({"product": "p", "currency": "eur", "unit_amount": 1});
        let ownership = crate::catalog::Ownership {
            adopt: Some("prod_1".into()),
            ..Default::default()
        };
        let object = Object::build(Price, "k", &at, ownership, fields).unwrap();
        let mut diags = Vec::new();
        object.validate(&mut diags);
        assert_eq!(diags.len(), 1);
        assert_eq!(
            diags[0].message,
            "`adopt` must be a price id (`price_…`), got \"prod_1\""
        );
    }
}
