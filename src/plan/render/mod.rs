//! Views of a `Plan`: `human` (Terraform-like, coloured on a terminal), `json` (the
//! versioned contract of docs/PLAN-JSON.md) and `markdown` (a pull-request comment).
//! Rendering only: no I/O.
//!
//! All three are drawn from one model, [`entries`]: the changes with the noise fields
//! dropped (a create's `id`/`code` equal to its key, the scope metadata), runs of objects
//! that differ only by key collapsed into one entry (unless `full`), and the per-kind counts.
//! So the views cannot disagree about what the plan does. The orphan and warning sections
//! of each view are `notes`.

pub mod notes;

use serde_json::{json, Value};

use super::plan::{Action, Change, FieldChange, Plan, Reason, Summary};
use crate::diag::{Diagnostics, Severity};
use crate::kinds::{ObjectKind, EXACT_METADATA, KINDS, OWNED_METADATA, SCOPE_METADATA};

const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const RED: &str = "\x1b[31m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

/// Width the object column is padded to before the `(file:line:col)` column.
const HEADER_WIDTH: usize = 44;

/// A run of at least this many objects that differ only by key is drawn as one entry.
const COLLAPSE_MIN: usize = 3;

/// GitHub's limit on a comment, in characters; the markdown view stays under it.
pub const MARKDOWN_LIMIT: usize = 65_536;

/// The version of the JSON plan (docs/PLAN-JSON.md).
pub const JSON_FORMAT_VERSION: u64 = 2;

/// What the views say about where the plan comes from, and how much to show.
#[derive(Clone, Debug, Default)]
pub struct View {
    pub color: bool,
    /// List every object of a collapsed run (`--full`).
    pub full: bool,
    pub script: Option<String>,
    pub environment: Option<String>,
    pub account: Option<String>,
}

/// One entry of the model: a change, or a run of changes alike but for their keys.
pub struct Entry<'a> {
    pub action: Action,
    pub kind: ObjectKind,
    /// The changes drawn by this entry (one unless collapsed).
    pub changes: Vec<&'a Change>,
    /// The fields shown: noise dropped.
    pub fields: Vec<&'a FieldChange>,
}

impl Entry<'_> {
    fn first(&self) -> &Change {
        self.changes[0]
    }

    fn collapsed(&self) -> bool {
        self.changes.len() > 1
    }

    /// `basic_monthly`, or for a run the keys' common prefix: `PX-…`.
    fn label(&self) -> String {
        if !self.collapsed() {
            return self.first().key.clone();
        }
        let first = &self.first().key;
        let prefix_len = self.changes.iter().fold(first.len(), |len, c| {
            first
                .char_indices()
                .zip(c.key.chars())
                .take_while(|((i, a), b)| *i < len && a == b)
                .map(|((i, a), _)| i + a.len_utf8())
                .last()
                .unwrap_or(0)
        });
        format!("{}…", &first[..prefix_len])
    }

    /// `+ price basic_monthly (replace price_1)` or `+ 2,000 promotion codes PX-… with the
    /// same fields`.
    fn header(&self) -> String {
        let symbol = symbol(self.action);
        if self.collapsed() {
            return format!(
                "{symbol} {} {} {} with the same fields",
                thousands(self.changes.len()),
                plural(self.kind),
                self.label()
            );
        }
        let change = self.first();
        let note = match (change.action, change.reason, &change.id) {
            // lifecycle (plan/replace.rs, plan/scope.rs)
            (Action::Replace, _, Some(id)) => format!(" (replace {id})"),
            (Action::Deactivate, Some(Reason::Orphan), _) => " (deactivate orphan)".to_owned(),
            (_, Some(Reason::Repoint), _) => " (re-point to the replacement)".to_owned(),
            (Action::Deactivate, _, _) => " (deactivate)".to_owned(),
            (Action::Detach, _, _) => " (detach: its customers lose the entitlement)".to_owned(),
            // A product's or coupon's id is its key: the header names it already.
            (Action::Adopt, _, Some(id)) if *id == change.key => " (adopt)".to_owned(),
            (Action::Adopt, _, Some(id)) => format!(" (adopt {id})"),
            _ => String::new(),
        };
        format!("{symbol} {} {}{note}", change.kind, change.key)
    }

    /// `keeps metadata set outside billingctl: owner (…)`, for an adoption that keeps some.
    fn kept(&self) -> Option<String> {
        let kept = &self.first().kept_metadata;
        (!kept.is_empty()).then(|| {
            format!(
                "keeps metadata set outside billingctl: {} (`{EXACT_METADATA}: true` would \
                 remove {})",
                kept.join(", "),
                if kept.len() == 1 { "it" } else { "them" }
            )
        })
    }

    /// Where it is declared; for a run, the first declaration and how many more.
    fn place(&self) -> String {
        let first = place(self.first());
        if self.collapsed() {
            format!("{first} …")
        } else {
            first
        }
    }
}

/// The model every view draws: the plan's changes as entries, in plan order.
pub fn entries(plan: &Plan, full: bool) -> Vec<Entry<'_>> {
    fn flush<'a>(run: &mut Vec<Entry<'a>>, out: &mut Vec<Entry<'a>>, full: bool) {
        if run.len() >= COLLAPSE_MIN && !full {
            let mut merged = run.remove(0);
            for entry in run.drain(..) {
                merged.changes.extend(entry.changes);
            }
            out.push(merged);
        } else {
            out.append(run);
        }
    }
    let mut out: Vec<Entry<'_>> = Vec::new();
    let mut run: Vec<Entry<'_>> = Vec::new();
    for change in &plan.changes {
        let entry = Entry {
            action: change.action,
            kind: change.kind,
            changes: vec![change],
            fields: shown_fields(change),
        };
        let alike = run.last().is_some_and(|last| {
            let prev = last.first();
            prev.action == change.action
                && prev.kind == change.kind
                && prev.reason.is_none()
                && change.reason.is_none()
                && change.action == Action::Create
                && last.fields == entry.fields
        });
        if !alike {
            flush(&mut run, &mut out, full);
        }
        run.push(entry);
    }
    flush(&mut run, &mut out, full);
    out
}

/// The fields worth reading: a create's `id` or `code` equal to its key says nothing the
/// header does not, and every create carries the scope metadata (the header of the plan
/// names the scope once) and the record of its metadata keys.
fn shown_fields(change: &Change) -> Vec<&FieldChange> {
    let scope = format!("metadata[{SCOPE_METADATA}]");
    let record = format!("metadata[{OWNED_METADATA}]");
    change
        .fields
        .iter()
        .filter(|f| {
            if change.action != Action::Create {
                return true;
            }
            let is_key = matches!(f.path.as_str(), "id" | "code" | "lookup_key")
                && f.desired.as_str() == Some(change.key.as_str());
            !is_key && f.path != scope && f.path != record
        })
        .collect()
}

/// The symbol of an action: Terraform's `+` and `~`; `!` for a deactivation (billingctl
/// never deletes, so `-` is not used); `-/+` for a replacement, as Terraform draws one (the
/// old object is deactivated, not deleted: the header says so).
pub fn symbol(action: Action) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Update | Action::Adopt => "~",
        Action::Deactivate => "!",
        Action::Replace => "-/+",
        // Terraform's destroy: a detach is a real DELETE (a feature attachment).
        Action::Detach => "-",
    }
}

/// A value as the human plan and error messages show it: JSON, `null` when unset.
pub fn show(value: &Value) -> String {
    value.to_string()
}

/// `promotion codes`, `prices`, `portal configurations`.
fn plural(kind: ObjectKind) -> String {
    kind.def().plural()
}

/// `2,000`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The actions counted per kind, in the order the counts of [`per_kind`] hold them.
const COUNTED: [Action; 6] = [
    Action::Create,
    Action::Adopt,
    Action::Update,
    Action::Deactivate,
    Action::Replace,
    Action::Detach,
];

/// Counts per kind and action, in apply order: `(kind, counts)`, one count per action of
/// [`COUNTED`].
fn per_kind(plan: &Plan) -> Vec<(ObjectKind, [usize; COUNTED.len()])> {
    KINDS
        .iter()
        .map(|kind| kind.id())
        .filter_map(|kind| {
            let count = |action| {
                plan.changes
                    .iter()
                    .filter(|c| c.kind == kind && c.action == action)
                    .count()
            };
            let counts = COUNTED.map(count);
            (counts.iter().sum::<usize>() > 0).then_some((kind, counts))
        })
        .collect()
}

/// `By kind: 1 product to create; 2,000 promotion codes to create.`
fn per_kind_line(plan: &Plan) -> String {
    let parts: Vec<String> = per_kind(plan)
        .into_iter()
        .map(|(kind, counts)| {
            let what: Vec<String> = counts
                .iter()
                .zip(COUNTED)
                .filter(|(n, _)| **n > 0)
                .map(|(n, action)| format!("{} to {}", thousands(*n), action.name()))
                .collect();
            format!("{} {}", kind, what.join(", "))
        })
        .collect();
    format!("By kind: {}.", parts.join("; "))
}

/// The plan for people with the default view (no colour, runs collapsed).
pub fn human(plan: &Plan, color: bool) -> String {
    human_view(
        plan,
        &View {
            color,
            ..View::default()
        },
    )
}

/// The plan for people: one header per entry, one line per field, then the footer and the
/// per-kind line. Errors are not included: they are rendered with their spans by
/// `crate::diag`.
pub fn human_view(plan: &Plan, view: &View) -> String {
    let paint = |code: &str, text: &str| {
        if view.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    for entry in entries(plan, view.full) {
        let head = entry.header();
        let pad = HEADER_WIDTH.saturating_sub(head.chars().count()).max(1);
        out.push_str(&format!(
            "  {}{}({})\n",
            paint(action_colour(entry.action), &head),
            " ".repeat(pad),
            entry.place()
        ));
        for field in &entry.fields {
            let (symbol, text) = field_line(entry.action, field);
            out.push_str(&format!(
                "      {} {text}\n",
                paint(field_colour(symbol), &symbol.to_string())
            ));
        }
        if let Some(kept) = entry.kept() {
            out.push_str(&format!("      = {kept}\n"));
        }
    }
    out.push_str(&notes::human(plan));
    let summary = plan.summary();
    let orphans = super::drift::kept_orphans(plan);
    if summary.has_changes() {
        out.push_str(&paint(BOLD, &footer(&summary)));
        out.push('\n');
        out.push_str(&per_kind_line(plan));
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

/// `Plan: 1 to create, 1 to update, 0 to deactivate, 14 unchanged.`, with `, 1 to adopt`
/// after `create`, and `, 1 to replace` / `, 1 to detach` after `deactivate`, only in a plan
/// that does so.
pub fn footer(summary: &Summary) -> String {
    let some = |n: usize, verb: &str| {
        if n > 0 {
            format!(", {} to {verb}", thousands(n))
        } else {
            String::new()
        }
    };
    format!(
        "Plan: {} to create{}, {} to update, {} to deactivate{}{}, {} unchanged.",
        summary.create,
        some(summary.adopt, "adopt"),
        summary.update,
        summary.deactivate,
        some(summary.replace, "replace"),
        some(summary.detach, "detach"),
        summary.unchanged
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
        Action::Update | Action::Adopt => YELLOW,
        Action::Deactivate | Action::Detach => RED,
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

/// The JSON plan with the default view (no header context).
pub fn json(plan: &Plan) -> Value {
    json_view(plan, &View::default())
}

/// The JSON plan, version [`JSON_FORMAT_VERSION`] (docs/PLAN-JSON.md): where it comes from,
/// every change with its position and every field, errors with position and help, counts
/// overall and per kind. Data fields hold data; JSON never collapses.
pub fn json_view(plan: &Plan, view: &View) -> Value {
    let summary = plan.summary();
    let by_kind: serde_json::Map<String, Value> = per_kind(plan)
        .into_iter()
        .map(
            |(kind, [create, adopt, update, deactivate, replace, detach])| {
                let mut counts = json!({"create": create, "update": update,
                                    "deactivate": deactivate, "replace": replace});
                // Only plans that adopt or detach say so (PLAN-JSON.md).
                if adopt > 0 {
                    counts["adopt"] = adopt.into();
                }
                if detach > 0 {
                    counts["detach"] = detach.into();
                }
                (kind.name().to_owned(), counts)
            },
        )
        .collect();
    let mut summary_json = json!({
        "create": summary.create,
        "update": summary.update,
        "deactivate": summary.deactivate,
        "replace": summary.replace,
        "unchanged": summary.unchanged,
        "by_kind": by_kind,
    });
    if summary.adopt > 0 {
        summary_json["adopt"] = summary.adopt.into();
    }
    if summary.detach > 0 {
        summary_json["detach"] = summary.detach.into();
    }
    json!({
        "format_version": JSON_FORMAT_VERSION,
        "script": view.script,
        "environment": view.environment,
        "account": view.account,
        "changes": plan.changes.iter().map(change_json).collect::<Vec<_>>(),
        "errors": errors_json(&plan.errors),
        "summary": summary_json,
        "orphans": notes::orphans_json(plan),
        "warnings": errors_json(&plan.warnings),
    })
}

fn change_json(change: &Change) -> Value {
    let mut value = json!({
        "action": change.action.name(),
        "object": change.kind.name(),
        "key": change.key,
        "id": change.id,
        "reason": change.reason.map(|r| match r {
            Reason::Repoint => "repoint",
            Reason::Orphan => "orphan",
        }),
        "declared_at": position_json(&change.declared_at),
        "fields": change.fields.iter().map(|f| json!({
            "path": f.path,
            "live": f.live,
            "desired": f.desired,
        })).collect::<Vec<_>>(),
    });
    // What an adoption leaves as it is (PLAN-JSON.md): only adoptions keep anything.
    if change.action == Action::Adopt {
        value["kept_metadata"] = json!(change.kept_metadata);
    }
    value
}

fn position_json(at: &crate::catalog::DeclaredAt) -> Value {
    json!({"file": at.file, "line": at.line, "column": at.column})
}

/// Errors in the plan's JSON shape: `{"severity","object","key","field","live","desired",
/// "message","help","notes","position"}`, `null` where a diagnostic has no such part (a
/// script error has no live value).
pub fn errors_json(errors: &Diagnostics) -> Value {
    Value::Array(
        errors
            .0
            .iter()
            .map(|d| {
                json!({
                    "severity": if d.severity == Severity::Error { "error" } else { "warning" },
                    "object": d.subject.object.map(|k| k.name()),
                    "key": d.subject.key,
                    "field": d.subject.field,
                    "live": d.subject.live,
                    "desired": d.subject.desired,
                    "message": d.message,
                    "help": d.help,
                    "notes": d.notes,
                    "position": d.span.as_ref().map(position_json),
                })
            })
            .collect(),
    )
}

/// The markdown plan with the default view.
pub fn markdown(plan: &Plan) -> String {
    markdown_view(plan, &View::default())
}

/// The plan as a pull-request comment: a header naming script, environment and account, the
/// summary and a per-kind table first, errors with their place and help, then the changes
/// and the field-level diff in `<details>`. Always under [`MARKDOWN_LIMIT`] characters: the
/// details stop early and say how much was cut.
pub fn markdown_view(plan: &Plan, view: &View) -> String {
    let summary = plan.summary();
    let mut out = String::from("### billingctl plan\n\n");
    let context: Vec<String> = [
        ("Script", &view.script),
        ("Environment", &view.environment),
        ("Account", &view.account),
    ]
    .into_iter()
    .filter_map(|(name, value)| value.as_ref().map(|v| format!("**{name}** {}", code(v))))
    .collect();
    if !context.is_empty() {
        out.push_str(&format!("{}\n\n", context.join(" · ")));
    }
    if !plan.errors.0.is_empty() {
        let count = plan.errors.0.len();
        out.push_str(&format!(
            "**{} error{}: nothing can be applied.**\n\n",
            thousands(count),
            if count == 1 { "" } else { "s" }
        ));
        for error in &plan.errors.0 {
            out.push_str("- ");
            if let (Some(kind), Some(key)) = (error.subject.object, &error.subject.key) {
                if !error.message.starts_with(kind.name()) {
                    out.push_str(&format!("{kind} {}: ", code(key)));
                }
            }
            out.push_str(&escape_markdown(&error.message));
            if let Some(span) = &error.span {
                out.push_str(&format!(" ({})", code(&span.to_string())));
            }
            if let Some(help) = &error.help {
                out.push_str(&format!("  \n  help: {}", escape_markdown(help)));
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out.push_str(&notes::markdown(plan));
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
    // Adopt and detach columns only when the plan does so, so other plans read as before.
    let rows = per_kind(plan);
    let shown: Vec<usize> = (0..COUNTED.len())
        .filter(|&i| {
            !matches!(COUNTED[i], Action::Adopt | Action::Detach)
                || rows.iter().any(|(_, counts)| counts[i] > 0)
        })
        .collect();
    let head: String = shown
        .iter()
        .map(|&i| format!(" {} |", COUNTED[i].name()))
        .collect();
    out.push_str(&format!(
        "| object |{head}\n| --- |{}\n",
        " ---: |".repeat(shown.len())
    ));
    for (kind, counts) in rows {
        let cells: String = shown
            .iter()
            .map(|&i| format!(" {} |", thousands(counts[i])))
            .collect();
        out.push_str(&format!("| {kind} |{cells}\n"));
    }
    out.push('\n');

    let entries = entries(plan, view.full);
    // The budget for the two <details> blocks, leaving room for the closing lines and the
    // note on what was cut.
    let budget = MARKDOWN_LIMIT - 1_000 - out.chars().count();
    let mut table = String::from(
        "<details><summary>Changes</summary>\n\n| action | object | key | fields | declared at |\n\
         | --- | --- | --- | --- | --- |\n",
    );
    let mut diff = String::from("<details><summary>Field changes</summary>\n\n```diff\n");
    let mut shown = 0;
    let mut used = table.chars().count() + diff.chars().count();
    for entry in &entries {
        let fields: Vec<String> = entry.fields.iter().map(|f| code(&f.path)).collect();
        let row = format!(
            "| {} | {} | {} | {} | {} |\n",
            entry.action.name(),
            entry.kind,
            if entry.collapsed() {
                format!(
                    "{} × {}",
                    thousands(entry.changes.len()),
                    code(&entry.label())
                )
            } else {
                code(&entry.first().key)
            },
            fields.join(", "),
            code(&entry.place())
        );
        // In a ```diff block `+` is green, `-` red and `!` highlighted: a deactivation is
        // drawn with `-` there, the only red the block offers.
        let header = entry.header();
        let (_, rest) = header.split_once(' ').unwrap_or(("", &header));
        let mark = match entry.action {
            Action::Create => '+',
            Action::Update | Action::Adopt | Action::Replace => '!',
            Action::Deactivate | Action::Detach => '-',
        };
        let mut lines = format!("{mark} {rest}\n");
        for field in &entry.fields {
            let (symbol, text) = field_line(entry.action, field);
            let symbol = if symbol == '~' { '!' } else { symbol };
            lines.push_str(&format!("{symbol}   {text}\n"));
        }
        if let Some(kept) = entry.kept() {
            lines.push_str(&format!("    {kept}\n"));
        }
        let size = row.chars().count() + lines.chars().count();
        if used + size > budget {
            break;
        }
        used += size;
        table.push_str(&row);
        diff.push_str(&lines);
        shown += 1;
    }
    table.push_str("\n</details>\n\n");
    diff.push_str("```\n\n</details>\n");
    out.push_str(&table);
    out.push_str(&diff);
    if shown < entries.len() {
        out.push_str(&format!(
            "\n_{} more entries not shown: a comment holds {} characters. Run `billingctl \
             plan` for the whole plan._\n",
            thousands(entries.len() - shown),
            thousands(MARKDOWN_LIMIT)
        ));
    }
    out
}

/// An inline code span that survives backticks in the text (CommonMark: a longer fence).
fn code(text: &str) -> String {
    if text.contains('`') {
        format!("`` {} ``", text.replace('|', "\\|"))
    } else {
        format!("`{}`", text.replace('|', "\\|"))
    }
}

fn escape_markdown(text: &str) -> String {
    text.replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::DeclaredAt;
    use crate::kinds::ObjectKind;
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
            kept_metadata: Vec::new(),
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
            "By kind: price 1 to update; coupon 1 to create.",
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
                   "id": "id_basic_monthly", "reason": null,
                   "declared_at": {"file": "scripts/catalog.rhai", "line": 4, "column": 5},
                   "fields": [{"path": "nickname", "live": "Basic", "desired": "Basic (monthly)"},
                              {"path": "metadata[stray]", "live": "x", "desired": ""}]})
        );
        assert_eq!(value["changes"][1]["id"], Value::Null);
        assert_eq!(
            value["summary"],
            json!({"create": 1, "update": 1, "deactivate": 0, "replace": 0, "unchanged": 14,
                   "by_kind": {"price": {"create": 0, "update": 1, "deactivate": 0, "replace": 0},
                               "coupon": {"create": 1, "update": 0, "deactivate": 0, "replace": 0}}})
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

    #[test]
    fn markdown_counts_errors_in_words() {
        let mut plan = sample();
        plan.errors.push(crate::diag::Diagnostic::error("one"));
        assert!(markdown(&plan).contains("**1 error: nothing can be applied.**"));
        plan.errors.push(crate::diag::Diagnostic::error("two"));
        assert!(markdown(&plan).contains("**2 errors: nothing can be applied.**"));
    }
}
