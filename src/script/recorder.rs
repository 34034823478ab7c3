//! `Recorder`: what a script declared, in order, and every problem found on the way. The
//! registered functions write here; `finish` turns it into a validated `Catalog`.

use serde_json::{Map, Value};

use crate::catalog::object::Object;
use crate::catalog::{graph, refusals, Catalog, DeclaredAt, Environment, Ownership};
use crate::diag::{Diagnostic, Sources};
use crate::kinds::{pair, Kind, ObjectKind, KINDS};

/// One declaration as the script wrote it (fields still untyped, so overlays can merge).
#[derive(Debug)]
pub struct Entry {
    pub kind: ObjectKind,
    pub key: String,
    pub at: DeclaredAt,
    /// `adopt` and `metadata_exact`, taken out of the fields.
    pub ownership: Ownership,
    pub fields: Map<String, Value>,
    /// Overlay calls that changed this entry, for the notes of any error it then has.
    pub changed_at: Vec<DeclaredAt>,
    pub dropped: bool,
}

/// The state shared between the engine's registered functions and `evaluate`.
#[derive(Debug, Default)]
pub struct Recorder {
    pub entries: Vec<Entry>,
    pub diags: Vec<Diagnostic>,
    /// Set by `scope("...")`, with where it was set.
    pub scope: Option<(String, DeclaredAt)>,
    /// `env` as scripts see it, also returned by `env()` (modules cannot see the variable).
    pub env: rhai::Dynamic,
    /// The text of every script read (the main one, its overlay, each module).
    pub sources: Sources,
}

impl Recorder {
    /// The live (not dropped) entry of `kind` named `key` (promotion codes regardless of case).
    pub fn find_mut(&mut self, kind: ObjectKind, key: &str) -> Option<&mut Entry> {
        let rule = kind.def().key();
        self.entries
            .iter_mut()
            .find(|e| !e.dropped && e.kind == kind && rule.same(&e.key, key))
    }

    /// Keys of live entries of `kind`, for "did you mean" hints.
    pub fn keys(&self, kind: ObjectKind) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|e| !e.dropped && e.kind == kind)
            .map(|e| e.key.as_str())
            .collect()
    }

    /// Builds the typed objects, validates them and the graph between them. All problems,
    /// including those recorded during evaluation, come back together.
    pub fn finish(
        self,
        environment: Environment,
        scope: String,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        self.build(environment, scope, true)
    }

    /// After an aborted evaluation: each declared object is still typed and validated, but
    /// the graph is not checked, since the missing rest of the script would only show up as
    /// dangling references.
    pub fn finish_partial(self) -> Vec<Diagnostic> {
        match self.build(Environment::default(), String::new(), false) {
            Ok(_) => Vec::new(),
            Err(diags) => diags,
        }
    }

    fn build(
        self,
        environment: Environment,
        scope: String,
        graph: bool,
    ) -> Result<Catalog, Vec<Diagnostic>> {
        let Recorder {
            mut entries,
            mut diags,
            ..
        } = self;
        let children = declared_within(&mut entries, &mut diags);
        entries.extend(children);
        // A field refused while the script ran (a NaN, a function) was left out of its
        // object: what the build then says about that field ("needs `percent_off`") repeats it.
        let refused: Vec<(Option<ObjectKind>, Option<String>, String)> = diags
            .iter()
            .filter_map(|d| {
                let field = d.subject.field.clone()?;
                Some((d.subject.object, d.subject.key.clone(), field))
            })
            .collect();
        let mut objects = Vec::new();
        let mut invalid = Vec::new();
        // Objects whose own validation found nothing: only these go on to the rules table,
        // so one mistake is not reported twice.
        let mut clean = Vec::new();
        for entry in entries.iter().filter(|e| !e.dropped) {
            let notes: Vec<String> = entry
                .changed_at
                .iter()
                .map(|at| format!("changed at {at}"))
                .collect();
            let mut found = Vec::new();
            let mut firm = Vec::new();
            let (built, suggested, complete) =
                build_reporting_unknown_fields(entry, &mut found, &mut firm);
            if let Some(object) = &built {
                object.validate(&mut found);
            }
            // A typo's consequences ("missing `unit_amount`" after `unit_ammount`) repeat the
            // typo's own error; its "did you mean" already says what to do.
            found.retain(|d| {
                !refused.iter().any(|(object, key, field)| {
                    *object == d.subject.object
                        && *key == d.subject.key
                        && d.subject.field.as_ref() == Some(field)
                })
            });
            found.retain(|d| {
                d.message.starts_with("unknown field")
                    || !d
                        .subject
                        .field
                        .as_ref()
                        .is_some_and(|f| suggested.contains(f))
            });
            found.extend(firm);
            let is_clean = found.is_empty();
            for mut d in found {
                d.notes.extend(notes.iter().cloned());
                diags.push(d);
            }
            match built {
                Some(object) if complete => {
                    clean.push(is_clean);
                    objects.push(object);
                }
                Some(_) => invalid.push((entry.kind, entry.key.clone())),
                None => invalid.push((entry.kind, entry.key.clone())),
            }
        }
        let declarations: Vec<_> = objects.iter().map(Object::as_declaration).collect();
        if graph {
            let declared = graph::check(&declarations, &invalid, &mut diags);
            for object in &objects {
                object.validate_related(&declared, &mut diags);
            }
            let checkable: Vec<_> = declarations
                .iter()
                .zip(&clean)
                .filter(|(_, clean)| **clean)
                .map(|(d, _)| *d)
                .collect();
            refusals::check_creates(&checkable, &declarations, &mut diags);
        }
        if !diags.is_empty() {
            return Err(diags);
        }
        let mut catalog = Catalog::new(environment, scope);
        for object in objects {
            catalog.push_shared(object.into_declaration());
        }
        Ok(catalog)
    }
}

/// The objects declared in a field of their parent (`Kind::within`: a product's `features`,
/// a list of feature keys): the field is taken out of each parent entry, and each key in it
/// becomes an entry of the child kind, keyed by the pair, holding both references. Declared
/// where the parent is; overlays have already merged the parent's fields.
fn declared_within(entries: &mut [Entry], diags: &mut Vec<Diagnostic>) -> Vec<Entry> {
    let mut children = Vec::new();
    for kind in KINDS {
        let Some(within) = kind.within() else {
            continue;
        };
        for parent in entries
            .iter_mut()
            .filter(|e| !e.dropped && e.kind == within.parent)
        {
            let Some(listed) = parent.fields.remove(within.field) else {
                continue;
            };
            let keys = match listed {
                Value::Array(items) if items.iter().all(Value::is_string) => items,
                other => {
                    diags.push(
                        Diagnostic::error(format!(
                            "`{}` must be a list of {} keys, got {other}",
                            within.field,
                            listed_kind(kind, within.param),
                        ))
                        .field(within.field)
                        .at(parent.at.clone())
                        .object(parent.kind, &parent.key),
                    );
                    continue;
                }
            };
            for key in keys.iter().filter_map(Value::as_str) {
                let mut fields = Map::new();
                fields.insert(within.segment.to_owned(), Value::String(parent.key.clone()));
                fields.insert(within.param.to_owned(), Value::String(key.to_owned()));
                children.push(Entry {
                    kind: kind.id(),
                    key: pair(&parent.key, key),
                    at: parent.at.clone(),
                    ownership: Ownership::default(),
                    fields,
                    changed_at: parent.changed_at.clone(),
                    dropped: false,
                });
            }
        }
    }
    children
}

/// The name of the kind a parent's list names (`feature`): the target of the child's
/// reference at `param`.
fn listed_kind(kind: &dyn Kind, param: &str) -> &'static str {
    kind.references()
        .iter()
        .find(|r| r.pattern == param)
        .map_or("object", |r| r.kind.name())
}

/// Builds the entry's object. An unknown field is reported and taken out, and the build
/// retried, so one typo does not hide the entry's other mistakes (or its references).
/// Returns the object (None if it cannot be built), the paths whose errors are consequences
/// of one already reported (what the typos were probably meant to be, the fields taken out
/// for their type), and whether the object is complete (nothing was taken out for its type).
fn build_reporting_unknown_fields(
    entry: &Entry,
    diags: &mut Vec<Diagnostic>,
    firm: &mut Vec<Diagnostic>,
) -> (Option<Object>, Vec<String>, bool) {
    let mut fields = entry.fields.clone();
    let mut suggested = Vec::new();
    let mut complete = true;
    loop {
        let result = Object::build(
            entry.kind,
            &entry.key,
            &entry.at,
            entry.ownership.clone(),
            Value::Object(fields.clone()),
        );
        match result {
            Ok(object) => return (Some(object), suggested, complete),
            Err(d) if d.message.starts_with("unknown field") => {
                let path = d.subject.field.clone().unwrap_or_default();
                if let Some(meant) = meant_path(&path, d.help.as_deref()) {
                    suggested.push(meant);
                }
                let removed = crate::path::remove(&mut fields, &path);
                diags.push(*d);
                if !removed {
                    return (None, suggested, false);
                }
            }
            Err(d) => {
                let field = d.subject.field.clone();
                if !field.as_ref().is_some_and(|f| suggested.contains(f)) {
                    // Not subject to the consequence filter: it names its own field.
                    firm.push(*d);
                }
                // A field of the wrong type is taken out too, and the rest of the object
                // checked (a float amount must not hide a bad currency). The object stays
                // invalid: it is built only to find its other mistakes.
                match field {
                    Some(path) if crate::path::remove(&mut fields, &path) => {
                        suggested.push(path);
                        complete = false;
                    }
                    _ => return (None, suggested, false),
                }
            }
        }
    }
}

/// `recurring[intervall]` with help "did you mean `interval`?" → `recurring[interval]`.
fn meant_path(path: &str, help: Option<&str>) -> Option<String> {
    let name = help?.strip_prefix("did you mean `")?.strip_suffix("`?")?;
    Some(match path.rfind('[') {
        Some(i) => format!("{}[{name}]", &path[..i]),
        None => name.to_owned(),
    })
}
