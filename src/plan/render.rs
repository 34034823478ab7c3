//! Views of a `Plan`: `human` (Terraform-like, coloured on a terminal), `json` (the stable
//! contract of issue 4) and `markdown` (for a pull-request comment). Rendering only: no I/O.

use serde_json::{json, Value};

use super::diff::show;
use super::plan::{Action, Change, FieldChange, Plan, Reason, Summary};
use crate::diag::Diagnostics;

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Width the object column is padded to before the `(file:line:col)` column.
const HEADER_WIDTH: usize = 44;

/// The plan for people: one header per change, one line per field, then the footer.
/// Errors are not included: they are rendered with their spans by `crate::diag`.
pub fn human(plan: &Plan, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for change in &plan.changes {
        let colour = action_colour(change.action);
        let header = format!("{} {} {}", change.action.symbol(), change.kind, change.key);
        let note = match (change.action, change.reason, &change.id) {
            // lifecycle (plan/replace.rs, plan/scope.rs)
            (Action::Replace, _, Some(id)) => format!(" (replace {id})"),
            (Action::Deactivate, Some(Reason::Orphan), _) => " (deactivate orphan)".to_owned(),
            (_, Some(Reason::Repoint), _) => " (re-point to the replacement)".to_owned(),
            (Action::Deactivate, _, _) => " (deactivate)".to_owned(),
            (_, Some(Reason::Adopt), Some(id)) => format!(" (adopt {id})"),
            _ => String::new(),
        };
        let head = format!("{header}{note}");
        let pad = HEADER_WIDTH.saturating_sub(head.chars().count()).max(1);
        out.push_str(&format!(
            "  {}{}({})\n",
            paint(colour, &head),
            " ".repeat(pad),
            place(change)
        ));
        for field in &change.fields {
            let (symbol, text) = field_line(change.action, field);
            out.push_str(&format!(
                "      {} {text}\n",
                paint(field_colour(symbol), &symbol.to_string())
            ));
        }
    }
    out.push_str(&super::lifecycle::human_notes(plan));
    let summary = plan.summary();
    let orphans = super::drift::kept_orphans(plan);
    if summary.has_changes() {
        out.push_str(&paint(BOLD, &footer(&summary)));
    } else if orphans > 0 {
        // Orphans are drift: "the account matches" would be false (issue 14).
        out.push_str(&paint(
            BOLD,
            &format!(
                "No changes. But {orphans} object{} of this scope {} not in the script \
                 (orphans, above).",
                if orphans == 1 { "" } else { "s" },
                if orphans == 1 { "is" } else { "are" }
            ),
        ));
    } else {
        out.push_str(&paint(BOLD, "No changes. The account matches the catalog."));
    }
    out.push('\n');
    out
}

/// `Plan: 1 to create, 1 to update, 0 to deactivate, 14 unchanged.` (with `, 1 to
/// replace` after `deactivate` when a plan replaces anything).
pub fn footer(summary: &Summary) -> String {
    let replace = if summary.replace > 0 {
        format!(", {} to replace", summary.replace)
    } else {
        String::new()
    };
    format!(
        "Plan: {} to create, {} to update, {} to deactivate{replace}, {} unchanged.",
        summary.create, summary.update, summary.deactivate, summary.unchanged
    )
}

/// Where a change comes from: its declaration, or for an orphan its scope.
fn place(change: &Change) -> String {
    if change.reason == Some(Reason::Orphan) {
        format!("not in the script, {}", change.declared_at.file)
    } else {
        change.declared_at.to_string()
    }
}

/// One field line: `+ path = desired` (newly set), `- path = live` (cleared),
/// `~ path = live -> desired` (changed).
fn field_line(action: Action, field: &FieldChange) -> (char, String) {
    let cleared = field.desired == Value::String(String::new());
    if action == Action::Create || field.live.is_null() {
        ('+', format!("{} = {}", field.path, show(&field.desired)))
    } else if cleared {
        ('-', format!("{} = {}", field.path, show(&field.live)))
    } else {
        (
            '~',
            format!(
                "{} = {} -> {}",
                field.path,
                show(&field.live),
                show(&field.desired)
            ),
        )
    }
}

fn action_colour(action: Action) -> &'static str {
    match action {
        Action::Create => GREEN,
        Action::Update => YELLOW,
        Action::Deactivate => RED,
        Action::Replace => YELLOW,
    }
}

fn field_colour(symbol: char) -> &'static str {
    match symbol {
        '+' => GREEN,
        '-' => RED,
        _ => YELLOW,
    }
}

/// The JSON contract (issue 4): `{"changes":[...],"errors":[...],"summary":{...}}`.
pub fn json(plan: &Plan) -> Value {
    let summary = plan.summary();
    json!({
        "changes": plan.changes.iter().map(change_json).collect::<Vec<_>>(),
        "errors": errors_json(&plan.errors),
        "summary": {
            "create": summary.create,
            "update": summary.update,
            "deactivate": summary.deactivate,
            "replace": summary.replace,
            "unchanged": summary.unchanged,
        },
        "orphans": super::lifecycle::orphans_json(plan),
        "warnings": super::lifecycle::warnings_json(plan),
    })
}

fn change_json(change: &Change) -> Value {
    json!({
        "action": change.action.name(),
        "object": change.kind.name(),
        "key": change.key,
        "id": change.id,
        "fields": change.fields.iter().map(|f| json!({
            "path": f.path,
            "live": f.live,
            "desired": f.desired,
        })).collect::<Vec<_>>(),
    })
}

/// Errors in the plan's JSON shape: `{"object","key","field","live","desired","message"}`,
/// `null` where a diagnostic has no such part (a script error has no live value).
pub fn errors_json(errors: &Diagnostics) -> Value {
    Value::Array(
        errors
            .0
            .iter()
            .map(|d| {
                json!({
                    "object": d.subject.object.map(|k| k.name()),
                    "key": d.subject.key,
                    "field": d.subject.field,
                    "live": d.subject.live,
                    "desired": d.subject.desired,
                    "message": d.message,
                })
            })
            .collect(),
    )
}

/// The plan as a pull-request comment: the summary, a table of changes, the field-level
/// diff in a collapsible block, and every error with its place and how to resolve it.
pub fn markdown(plan: &Plan) -> String {
    let summary = plan.summary();
    let mut out = String::from("### billingctl plan\n\n");
    if !plan.errors.0.is_empty() {
        out.push_str(&format!(
            "**{} error(s): nothing can be applied.**\n\n",
            plan.errors.0.len()
        ));
        for error in &plan.errors.0 {
            out.push_str(&format!("- {}", escape_markdown(&error.message)));
            if let Some(span) = &error.span {
                out.push_str(&format!(" (`{span}`)"));
            }
            if let Some(help) = &error.help {
                out.push_str(&format!("  \n  help: {}", escape_markdown(help)));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&super::lifecycle::markdown_notes(plan));
    if !summary.has_changes() {
        if plan.errors.0.is_empty() {
            out.push_str(&format!(
                "No changes. The account matches the catalog ({} unchanged).\n",
                summary.unchanged
            ));
        }
        return out;
    }
    if !plan.errors.0.is_empty() {
        out.push_str("Once the errors are resolved, the plan would be:\n\n");
    }
    out.push_str(&format!("**{}**\n\n", footer(&summary)));
    out.push_str("| action | object | key | fields | declared at |\n");
    out.push_str("| --- | --- | --- | --- | --- |\n");
    for change in &plan.changes {
        let fields: Vec<String> = change
            .fields
            .iter()
            .map(|f| format!("`{}`", f.path))
            .collect();
        out.push_str(&format!(
            "| {} | {} | `{}` | {} | `{}` |\n",
            change.action.name(),
            change.kind,
            change.key,
            fields.join(", "),
            place(change)
        ));
    }
    out.push_str("\n<details><summary>Field changes</summary>\n\n```diff\n");
    for change in &plan.changes {
        out.push_str(&format!(
            "{} {} {}\n",
            diff_symbol(change.action),
            change.kind,
            change.key
        ));
        for field in &change.fields {
            let (symbol, text) = field_line(change.action, field);
            let symbol = if symbol == '~' { '!' } else { symbol };
            out.push_str(&format!("{symbol}   {text}\n"));
        }
    }
    out.push_str("```\n\n</details>\n");
    out
}

/// In a ```diff block, `+` is green, `-` red and `!` highlighted: deactivation is shown
/// with `-` there because that is the only red the block offers.
fn diff_symbol(action: Action) -> char {
    match action {
        Action::Create => '+',
        Action::Update | Action::Replace => '!',
        Action::Deactivate => '-',
    }
}

fn escape_markdown(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeclaredAt;
    use crate::stripe::fields::ObjectKind;
    use serde_json::Map;

    fn change(action: Action, kind: ObjectKind, key: &str, fields: Vec<FieldChange>) -> Change {
        Change {
            action,
            kind,
            key: key.to_owned(),
            id: (action != Action::Create).then(|| format!("id_{key}")),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 4,
                column: 5,
            },
            fields,
            reason: None,
            params: Map::new(),
            after_create: Map::new(),
            references: Vec::new(),
        }
    }

    fn sample() -> Plan {
        let mut plan = Plan {
            changes: vec![
                change(
                    Action::Update,
                    ObjectKind::Price,
                    "basic_monthly",
                    vec![
                        FieldChange {
                            path: "nickname".to_owned(),
                            live: json!("Basic"),
                            desired: json!("Basic (monthly)"),
                        },
                        FieldChange {
                            path: "metadata[stray]".to_owned(),
                            live: json!("x"),
                            desired: json!(""),
                        },
                    ],
                ),
                change(Action::Create, ObjectKind::Coupon, "launch_30", vec![]),
            ],
            unchanged: 14,
            ..Plan::default()
        };
        plan.sort();
        plan
    }

    #[test]
    fn human_plan_reads_like_terraform() {
        let text = human(&sample(), false);
        let expected = [
            "  ~ price basic_monthly                       (scripts/catalog.rhai:4:5)",
            "      ~ nickname = \"Basic\" -> \"Basic (monthly)\"",
            "      - metadata[stray] = \"x\"",
            "  + coupon launch_30                          (scripts/catalog.rhai:4:5)",
            "Plan: 1 to create, 1 to update, 0 to deactivate, 14 unchanged.",
            "",
        ];
        assert_eq!(text, expected.join("\n"));
    }

    #[test]
    fn empty_plan_says_no_changes() {
        let plan = Plan {
            unchanged: 3,
            ..Plan::default()
        };
        assert_eq!(
            human(&plan, false),
            "No changes. The account matches the catalog.\n"
        );
        assert!(human(&sample(), true).contains("\x1b[33m~ price basic_monthly"));
    }

    #[test]
    fn json_follows_the_contract() {
        let value = json(&sample());
        assert_eq!(
            value["changes"][0],
            json!({"action": "update", "object": "price", "key": "basic_monthly",
                   "id": "id_basic_monthly",
                   "fields": [{"path": "nickname", "live": "Basic", "desired": "Basic (monthly)"},
                              {"path": "metadata[stray]", "live": "x", "desired": ""}]})
        );
        assert_eq!(value["changes"][1]["id"], Value::Null);
        assert_eq!(
            value["summary"],
            json!({"create": 1, "update": 1, "deactivate": 0, "replace": 0, "unchanged": 14})
        );
        assert_eq!(value["errors"], json!([]));
    }

    #[test]
    fn markdown_has_summary_table_and_diff() {
        let text = markdown(&sample());
        assert!(text.contains("**Plan: 1 to create, 1 to update, 0 to deactivate, 14 unchanged.**"));
        assert!(
            text.contains("| update | price | `basic_monthly` | `nickname`, `metadata[stray]` |")
        );
        assert!(text.contains("!   nickname = \"Basic\" -> \"Basic (monthly)\"\n"));
    }
}
