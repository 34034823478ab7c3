//! Diagnostics: every problem a run finds, collected in one list and reported together
//! (Terraform's tfdiags). Script evaluation, validation and the diff all append here.

use serde::Serialize;
use serde_json::Value;

use crate::catalog::DeclaredAt;
use crate::kinds::ObjectKind;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Error,
    Warning,
}

/// What a diagnostic is about: an object, and maybe one of its fields with both values.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Subject {
    pub object: Option<ObjectKind>,
    pub key: Option<String>,
    pub field: Option<String>,
    pub live: Option<Value>,
    pub desired: Option<Value>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Where in a script: `file:line:col`.
    pub span: Option<DeclaredAt>,
    pub subject: Subject,
    pub message: String,
    /// How to resolve it.
    pub help: Option<String>,
    /// Further context, e.g. "imported at scripts/catalog.rhai:1:1".
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            severity: Severity::Error,
            span: None,
            subject: Subject::default(),
            message: message.into(),
            help: None,
            notes: Vec::new(),
        }
    }

    pub fn at(mut self, span: DeclaredAt) -> Self {
        self.span = Some(span);
        self
    }

    pub fn object(mut self, kind: ObjectKind, key: impl Into<String>) -> Self {
        self.subject.object = Some(kind);
        self.subject.key = Some(key.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.subject.field = Some(field.into());
        self
    }

    pub fn values(mut self, live: Value, desired: Value) -> Self {
        self.subject.live = Some(live);
        self.subject.desired = Some(desired);
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }
}

/// An ordered collection of diagnostics.
#[derive(Clone, Debug, Default, Serialize)]
#[serde(transparent)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    /// By file, line and column, then object and key, so output is stable.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.span, a.subject.object, &a.subject.key).cmp(&(
                &b.span,
                b.subject.object,
                &b.subject.key,
            ))
        });
    }
}

/// Renders every diagnostic for people, like just and rustc: the message, the place, and the
/// script line with a caret under the column. Script files are read relative to the current
/// directory; bundled `stdlib/` modules come from the binary.
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

fn source_line(file: &str, line: u32) -> Option<String> {
    let text = match crate::script::stdlib_source(file) {
        Some(src) => src.to_owned(),
        // Lossy: a file that is not UTF-8 still shows the line its error points at.
        None => String::from_utf8_lossy(&std::fs::read(file).ok()?).into_owned(),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    text.lines()
        .nth(line.checked_sub(1)? as usize)
        .map(str::to_owned)
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
        let text = source_line(&span.file, span.line);
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
