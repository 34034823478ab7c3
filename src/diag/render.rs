//! The two views of a list of diagnostics: for people (`render_human`) and as JSON
//! (`render_json`). Pure: the script lines shown come with the diagnostics.

use serde_json::Value;

use super::{Diagnostic, Diagnostics, Severity};

/// Renders every diagnostic for people, like just and rustc: the message, the place, and the
/// script line (where the diagnostic carries it) with a caret under the column.
pub fn render_human(diags: &Diagnostics, color: bool) -> String {
    let mut out = String::new();
    for d in &diags.0 {
        render_one(&mut out, d, color);
        out.push('\n');
    }
    out
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

/// `price `basic`: ` unless the message already names its object.
fn subject_prefix(d: &Diagnostic) -> String {
    match (&d.subject.object, &d.subject.key) {
        (Some(kind), Some(key)) => {
            let prefix = format!("{kind} `{key}`: ");
            if d.message.starts_with(&prefix) {
                String::new()
            } else {
                prefix
            }
        }
        _ => String::new(),
    }
}

fn render_one(out: &mut String, d: &Diagnostic, color: bool) {
    use std::fmt::Write;
    let (label, code) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{} {}{}",
        paint(color, code, label),
        paint(color, "1", ":"),
        paint(color, "1", &subject_prefix(d)),
        paint(color, "1", &d.message)
    );
    let mut gutter = 1;
    if let Some(span) = &d.span {
        let text = d.source_line.as_deref();
        gutter = span.line.to_string().len();
        let pad = " ".repeat(gutter);
        let _ = writeln!(out, "{pad}{} {span}", paint(color, "1;34", "──▶"));
        if let Some(text) = text {
            let bar = paint(color, "1;34", "│");
            let _ = writeln!(out, "{pad} {bar}");
            let _ = writeln!(
                out,
                "{} {bar} {text}",
                paint(color, "1;34", &span.line.to_string())
            );
            // Keep tabs so the caret lines up under the same column.
            let indent: String = text
                .chars()
                .take(span.column.saturating_sub(1) as usize)
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            let _ = writeln!(out, "{pad} {bar} {indent}{}", paint(color, code, "^"));
        }
    }
    let pad = " ".repeat(gutter);
    for note in &d.notes {
        let _ = writeln!(out, "{pad} = {} {note}", paint(color, "1", "note:"));
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "{pad} = {} {help}", paint(color, "1", "help:"));
    }
}

/// Every diagnostic as JSON: `{severity, message, span: {file, line, column} | null,
/// location: "file:line:col" | null, subject, help, notes}`.
pub fn render_json(diags: &Diagnostics) -> Value {
    Value::Array(
        diags
            .0
            .iter()
            .map(|d| {
                let mut v = serde_json::to_value(d).unwrap_or(Value::Null);
                if let Value::Object(map) = &mut v {
                    let location = d.span.as_ref().map(|s| Value::String(s.to_string()));
                    map.insert("location".into(), location.unwrap_or(Value::Null));
                }
                v
            })
            .collect(),
    )
}
