//! `billingctl docs [KIND]`: the script reference, generated from the field tables
//! (`kinds::fields`), so it cannot drift from what the planner accepts. For each kind: the
//! declaring function, its key rule and references, and every field a script may write with
//! its type, whether it is required on create, whether an update can change it, Stripe's
//! default, whether `""` clears it, and its limits. A unit test holds docs/SCRIPTS.md's
//! field lists to it, both ways.

use serde_json::json;

use crate::catalog::object::Object;
use crate::catalog::{DeclaredAt, Ownership};
use crate::cli::DocsArgs;
use crate::kinds::fields::{Limits, Param, Presence, Text, Type};
use crate::kinds::{ObjectKind, Replacement, EXACT_METADATA, KINDS};
use crate::ExitStatus;

/// `recurring[interval]` as a script writes it: `recurring.interval`; `tiers[][up_to]` as
/// `tiers[].up_to`; a map key as `<key>`.
pub(crate) fn script_path(form: &str) -> String {
    form.replace("[]", "\u{0}")
        .replace("][", ".")
        .replace('[', ".")
        .replace(']', "")
        .replace('\u{0}', "[]")
}

fn type_name(ty: Type) -> String {
    match ty {
        Type::String => "string".into(),
        Type::Integer => "integer".into(),
        Type::Number => "number".into(),
        Type::Decimal => "decimal string".into(),
        Type::Boolean => "boolean".into(),
        Type::Timestamp => "Unix seconds".into(),
        Type::Enum(values) => values.join(" \\| "),
        Type::Object => "map".into(),
        Type::Array => "array of maps".into(),
        Type::StringArray => "array of strings".into(),
        Type::Map => "map of free keys".into(),
        Type::IntegerOr(words) => format!("integer or {}", words.join(" \\| ")),
    }
}

/// The reference of one kind, in markdown.
pub(crate) fn reference(kind: ObjectKind) -> String {
    let docs = kind.def().docs();
    let (function, key, references) = (docs.signature, docs.key, docs.references);
    let mut out = format!(
        "### {}\n\n`{function}`: key {key}. References: {references}.\n\n\
         | field | type | on create | update changes it | Stripe's default | `\"\"` clears it | limits |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
        kind.name()
    );
    let key_field = kind.def().key().field();
    for param in kind.table().params {
        let top = top_level(param.path);
        if !scripts_write(kind, &top) {
            continue;
        }
        let create = match param.on_create {
            Presence::Required => "required",
            Presence::Optional => "optional",
            Presence::Absent => "—",
        };
        let name = script_path(param.path);
        out.push_str(&format!(
            "| `{name}`{} | {} | {create} | {} | {} | {} | {} |\n",
            if key_field == Some(param.path) {
                " (the key)"
            } else {
                ""
            },
            type_name(param.ty),
            if param.is_mutable() {
                "yes"
            } else {
                "no (immutable)"
            },
            param
                .default
                .map_or_else(String::new, |d| format!("`{}`", d.to_json())),
            if param.emptyable { "yes" } else { "" },
            limits(param),
        ));
    }
    let options = options(kind);
    if !options.is_empty() {
        out.push_str(&format!("\nAlso: {}.\n", options.join("; ")));
    }
    out
}

/// The declaration options a kind takes beside its Stripe fields, in words.
fn options(kind: ObjectKind) -> Vec<String> {
    let mut options = Vec::new();
    if kind.def().adoptable() {
        options.push(format!(
            "`adopt: \"{}…\"` takes over an existing object by its id",
            kind.table().id_prefix
        ));
    }
    if kind.table().param("metadata").is_some() {
        options.push(format!(
            "`{EXACT_METADATA}: true` makes the script's metadata the whole metadata (keys set \
             outside billingctl are otherwise kept)"
        ));
    }
    // A coupon takes the option only to say why it cannot be replaced.
    let replaceable = !matches!(kind.def().replacement(), Replacement::Refused);
    if replaceable && scripts_write(kind, "on_immutable_change") {
        options.push(
            "`on_immutable_change: \"replace\"` replaces the object when an immutable field \
             changed"
                .to_owned(),
        );
    }
    options
}

/// The first segment of a form path, as the script's map names it: `recurring` of
/// `recurring[interval]`, `tiers` of `tiers[][up_to]`.
fn top_level(path: &str) -> String {
    script_path(path)
        .split('.')
        .next()
        .unwrap_or_default()
        .trim_end_matches("[]")
        .to_owned()
}

/// Whether a script may write the top-level field `top`: its key (the declaring function's
/// first argument), or a field the kind's typed spec takes. The tables hold every param
/// Stripe has, some of which billingctl leaves out of its model (`product_data`, a price's
/// `transfer_lookup_key`, which the planner sends itself): the spec is asked, so the
/// reference shows what a script can write and nothing it would be refused.
pub(crate) fn scripts_write(kind: ObjectKind, top: &str) -> bool {
    if kind.def().key().field() == Some(top) {
        return true;
    }
    let at = DeclaredAt {
        file: String::new(),
        line: 0,
        column: 0,
    };
    // A map holding only `top`: an unknown field is refused as such before anything else
    // (`deny_unknown_fields`); any other error (a missing field, `null` for a required one)
    // means the spec knows it.
    match Object::build(
        kind,
        "probe",
        &at,
        Ownership::default(),
        json!({ top: null }),
    ) {
        Ok(_) => true,
        Err(diag) => !diag.message.starts_with("unknown field"),
    }
}

/// A param's [`Limits`] in words (`≤ 200 characters`, `≤ 8 URLs`), `; `-separated.
fn limits(param: &Param) -> String {
    let Limits {
        chars,
        items,
        key_chars,
        text,
        max,
    } = param.limits;
    let map = param.ty == Type::Map;
    let mut words = Vec::new();
    if let Some(items) = items {
        words.push(format!("≤ {} {}", items.max, items.noun));
    }
    if let Some(max) = key_chars {
        words.push(format!("keys ≤ {max} characters"));
    }
    if let Some(length) = chars {
        let range = if length.min > 0 {
            format!("{}–{} characters", length.min, length.max)
        } else {
            format!("≤ {} characters", length.max)
        };
        words.push(if map {
            format!("values {range}")
        } else {
            range
        });
    }
    if let Some(rule) = text {
        words.push(match rule {
            Text::StatementDescriptor => rule.describe().to_owned(),
            Text::Code | Text::Id => format!("only {}", rule.describe()),
        });
    }
    if let Some(max) = max {
        words.push(format!("≤ {max}"));
    }
    words.join("; ")
}

pub fn execute(args: DocsArgs) -> anyhow::Result<ExitStatus> {
    let kinds: Vec<ObjectKind> = match &args.kind {
        None => ObjectKind::ALL.to_vec(),
        Some(name) => match ObjectKind::from_name(name) {
            Some(kind) => vec![kind],
            None => {
                let names: Vec<&str> = KINDS.iter().map(|k| k.function()).collect();
                let (last, first) = names.split_last().expect("kinds");
                anyhow::bail!("unknown kind `{name}`: {} or {last}", first.join(", "))
            }
        },
    };
    let text: Vec<String> = kinds.into_iter().map(reference).collect();
    super::stdout::emit(&format!(
        "## Script reference (API {})\n\n{}",
        crate::stripe::API_VERSION,
        text.join("\n")
    ));
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_paths_read_as_script_paths() {
        assert_eq!(script_path("recurring[interval]"), "recurring.interval");
        assert_eq!(script_path("tiers[][up_to]"), "tiers[].up_to");
        assert_eq!(
            script_path("currency_options[<key>][unit_amount]"),
            "currency_options.<key>.unit_amount"
        );
    }

    /// docs/SCRIPTS.md's "Fields:" list of each kind agrees with the table both ways: it
    /// names only fields the table knows (the hand-written reference cannot list a field the
    /// planner would refuse), and every top-level field a script may write is in it (a field
    /// added to a table and the spec is documented, or this fails).
    #[test]
    fn the_field_lists_of_scripts_md_agree_with_the_tables() {
        let doc = include_str!("../../docs/SCRIPTS.md");
        // A kind declared in its parent's field is documented in the parent's section.
        for kind in ObjectKind::ALL
            .into_iter()
            .filter(|k| k.def().within().is_none())
        {
            let heading = &format!("### {}\n", kind.def().function());
            let section = doc
                .split_once(heading)
                .unwrap_or_else(|| panic!("SCRIPTS.md has {heading}"))
                .1;
            let fields = section
                .split_once("Fields:")
                .expect("a Fields: list")
                .1
                .split("\n\n")
                .next()
                .unwrap_or_default();
            let within: Vec<String> = KINDS
                .iter()
                .filter_map(|k| k.within())
                .filter(|w| w.parent == kind)
                .map(|w| w.field.to_owned())
                .collect();
            // Every segment of every param (`recurring`, `interval`), and apart the nested
            // ones (`interval`), which are not top-level fields of the script.
            let segments_of = |skip: usize| -> Vec<String> {
                kind.table()
                    .params
                    .iter()
                    .flat_map(|p| {
                        script_path(p.path)
                            .split('.')
                            .skip(skip)
                            .map(|s| s.trim_end_matches("[]").to_owned())
                            .collect::<Vec<_>>()
                    })
                    .collect()
            };
            let mut segments = segments_of(0);
            let nested = segments_of(1);
            segments.extend(within.iter().cloned());
            let named = named_fields(fields);
            assert!(!named.is_empty(), "{kind}");
            // A name may also be one of a field's values (`repeating`, a `duration`).
            let values: Vec<&str> = kind
                .table()
                .params
                .iter()
                .flat_map(|p| match p.ty {
                    Type::Enum(values) => values.to_vec(),
                    _ => Vec::new(),
                })
                .collect();
            for name in &named {
                assert!(
                    segments.iter().any(|s| s == name) || values.contains(name),
                    "docs/SCRIPTS.md lists `{name}` for {kind}, which the field table does not have"
                );
                // A top-level field Stripe has but the script may not write (`product_data`)
                // is not one of the script's fields.
                let top_only = !nested.iter().any(|s| s == name) && !values.contains(name);
                assert!(
                    !top_only || within.contains(&(*name).to_owned()) || scripts_write(kind, name),
                    "docs/SCRIPTS.md lists `{name}` for {kind}, which a script may not write"
                );
            }
            let key = kind.def().key().field();
            let mut writable: Vec<String> = kind
                .table()
                .params
                .iter()
                .map(|p| top_level(p.path))
                .filter(|top| Some(top.as_str()) != key && scripts_write(kind, top))
                .collect();
            writable.extend(within);
            writable.dedup();
            for field in writable {
                assert!(
                    named.contains(&field.as_str()),
                    "docs/SCRIPTS.md's Fields: list of {kind} leaves out `{field}`, which a script may write"
                );
            }
        }
    }

    /// The field names of a "Fields:" list: each backquoted name, or the name before `:` of
    /// a shape (`default_aggregation: #{ formula }`).
    fn named_fields(list: &str) -> Vec<&str> {
        list.split('`')
            .skip(1)
            .step_by(2)
            .filter_map(|quoted| {
                let name = quoted.split(':').next().unwrap_or_default();
                (name.len() == quoted.len() || quoted[name.len()..].starts_with(": "))
                    .then_some(name)
            })
            .filter(|w| {
                !w.is_empty()
                    && !w.starts_with('_')
                    && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
            })
            .collect()
    }

    #[test]
    fn the_reference_shows_limits_and_only_what_a_script_may_write() {
        let price = reference(ObjectKind::Price);
        assert!(
            price.contains("| `lookup_key` (the key) | string |"),
            "{price}"
        );
        assert!(price.contains("| ≤ 200 characters |\n"), "{price}");
        assert!(
            price.contains(
                "| `unit_amount` | integer | optional | no (immutable) |  |  | ≤ 99999999 |\n"
            ),
            "{price}"
        );
        // Stripe takes them; a script may not (billingctl sends the transfer itself).
        assert!(!price.contains("`product_data"), "{price}");
        assert!(!price.contains("`transfer_lookup_key`"), "{price}");
        let meter = reference(ObjectKind::Meter);
        assert!(
            meter.contains("| `display_name` | string | required | yes |  |  | 1–250 characters |"),
            "{meter}"
        );
        let product = reference(ObjectKind::Product);
        assert!(product.contains("| ≤ 8 URLs |"), "{product}");
        assert!(product.contains("`id` (the key)"), "{product}");
        assert!(!product.contains("`default_price_data"), "{product}");
        let code = reference(ObjectKind::PromotionCode);
        assert!(code.contains("only a-z, A-Z, 0-9 and `-`"), "{code}");
        assert!(!code.contains("`customer`"), "{code}");
    }
}
