//! Diagnostics: every problem a run finds, collected in one list and reported together
//! (Terraform's tfdiags). Script evaluation, validation and the diff all append here.
//!
//! This module sits below the script engine and the catalog: it owns the span type
//! ([`DeclaredAt`]) both use, and renders without reading any file ([`render`]): whoever read
//! the scripts hands their text over ([`Sources`]), which puts the line each span points at on
//! its diagnostic.

mod render;
mod sources;
mod span;

use serde::Serialize;
use serde_json::Value;

use crate::kinds::ObjectKind;
pub use render::{render_human, render_json};
pub use sources::Sources;
pub use span::DeclaredAt;

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
    /// The script line `span` points at, when the caller had the script's text
    /// ([`Sources::attach`]); the human view shows it with a caret under the column.
    #[serde(skip)]
    pub source_line: Option<String>,
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
            source_line: None,
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
