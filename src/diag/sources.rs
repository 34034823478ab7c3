//! `Sources`: the text of every script a run read, by the name spans give it, so diagnostics
//! can show the line they point at without the renderer reading a file.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Diagnostic;

/// File name (as in [`super::DeclaredAt::file`]) to its text, byte-order mark dropped.
#[derive(Clone, Default)]
pub struct Sources {
    texts: BTreeMap<String, Arc<str>>,
}

impl Sources {
    /// Records the text of `file` (again: the last text read wins).
    pub fn insert(&mut self, file: impl Into<String>, text: &str) {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        self.texts.insert(file.into(), Arc::from(text));
    }

    /// Line `line` (1-based) of `file`, if its text is known and that long.
    pub fn line(&self, file: &str, line: u32) -> Option<&str> {
        self.texts
            .get(file)?
            .lines()
            .nth(line.checked_sub(1)? as usize)
    }

    /// Gives each diagnostic that has a span (and no line yet) the line it points at.
    pub fn attach(&self, diags: &mut [Diagnostic]) {
        for d in diags {
            if d.source_line.is_some() {
                continue;
            }
            if let Some(span) = &d.span {
                d.source_line = self.line(&span.file, span.line).map(str::to_owned);
            }
        }
    }

    /// The other's texts too.
    pub fn extend(&mut self, other: Sources) {
        self.texts.extend(other.texts);
    }
}

/// The file names only: the texts would drown a debug print of a catalog.
impl std::fmt::Debug for Sources {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.texts.keys()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{render_human, DeclaredAt, Diagnostics};

    #[test]
    fn a_diagnostic_shows_the_line_its_span_points_at() {
        let mut sources = Sources::default();
        sources.insert("s.rhai", "\u{feff}let a = 1;\n\tprice(\"k\", #{});\n");
        let at = |line| DeclaredAt {
            file: "s.rhai".into(),
            line,
            column: 2,
        };
        let mut diags = vec![
            Diagnostic::error("bad").at(at(2)),
            Diagnostic::error("past the end").at(at(9)),
            Diagnostic::error("no span"),
        ];
        sources.attach(&mut diags);
        assert_eq!(
            diags[0].source_line.as_deref(),
            Some("\tprice(\"k\", #{});")
        );
        assert_eq!(diags[1].source_line, None);
        assert_eq!(
            render_human(&Diagnostics(diags[..1].to_vec()), false),
            "error: bad\n ──▶ s.rhai:2:2\n  │\n2 │ \tprice(\"k\", #{});\n  │ \t^\n\n"
        );
        assert_eq!(sources.line("s.rhai", 1), Some("let a = 1;"));
    }

    #[test]
    fn without_the_text_only_the_place_is_shown() {
        let d = Diagnostic::error("bad").at(DeclaredAt {
            file: "missing.rhai".into(),
            line: 3,
            column: 1,
        });
        assert_eq!(
            render_human(&Diagnostics(vec![d]), false),
            "error: bad\n ──▶ missing.rhai:3:1\n\n"
        );
    }
}
