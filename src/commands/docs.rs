//! `billingctl docs [KIND]`: the script reference, generated from the field tables
//! (`kinds::fields`), so it cannot drift from what the planner accepts. For each kind: the
//! declaring function, its key rule and references, and every field with its type, whether
//! it is required on create, whether an update can change it, Stripe's default, and whether
//! `""` clears it. A unit test holds docs/SCRIPTS.md's field lists to it.

use crate::cli::DocsArgs;
use crate::kinds::fields::{Presence, Type};
use crate::kinds::{ObjectKind, KINDS};
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
         | field | type | on create | update changes it | Stripe's default | `\"\"` clears it |\n\
         | --- | --- | --- | --- | --- | --- |\n",
        kind.name()
    );
    for param in kind.table().params {
        let create = match param.on_create {
            Presence::Required => "required",
            Presence::Optional => "optional",
            Presence::Absent => "—",
        };
        out.push_str(&format!(
            "| `{}` | {} | {create} | {} | {} | {} |\n",
            script_path(param.path),
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
        ));
    }
    out
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

    /// docs/SCRIPTS.md's "Fields:" list of each kind names only fields the table knows: the
    /// hand-written reference cannot list a field the planner would refuse.
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
            let mut segments: Vec<String> = kind
                .table()
                .params
                .iter()
                .flat_map(|p| {
                    script_path(p.path)
                        .split('.')
                        .map(|s| s.trim_end_matches("[]").to_owned())
                        .collect::<Vec<_>>()
                })
                .collect();
            segments.extend(
                KINDS
                    .iter()
                    .filter_map(|k| k.within())
                    .filter(|w| w.parent == kind)
                    .map(|w| w.field.to_owned()),
            );
            let named: Vec<&str> = fields
                .split('`')
                .skip(1)
                .step_by(2)
                .filter(|w| {
                    !w.is_empty()
                        && !w.starts_with('_')
                        && w.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                })
                .collect();
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
            for name in named {
                assert!(
                    segments.iter().any(|s| s == name) || values.contains(&name),
                    "docs/SCRIPTS.md lists `{name}` for {kind}, which the field table does not have"
                );
            }
        }
    }
}
