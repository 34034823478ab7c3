//! The graph between declarations: keys must be unique per kind (promotion codes regardless
//! of case, as Stripe compares them), and every reference must name a declared object of the
//! right kind. Declaration order is kept as written; `Catalog` orders kinds for apply. What a
//! kind requires of the objects it names is its own rule (`Spec::validate_related`), asked
//! with the [`Index`] this check builds.

use std::collections::HashMap;

use super::Declaration;
use crate::diag::Diagnostic;
use crate::kinds::ObjectKind;

/// The identity of a key within its kind (promotion codes are case-insensitive in Stripe).
fn identity(kind: ObjectKind, key: &str) -> (ObjectKind, String) {
    (kind, kind.def().key().fold(key).into_owned())
}

/// The declarations by kind and key, for the rules that look at other objects
/// (`Spec::validate_related`): the first of duplicates.
pub struct Index<'a>(HashMap<(ObjectKind, String), &'a dyn Declaration>);

impl<'a> Index<'a> {
    /// The object of `kind` declared under `key` (as the kind compares keys).
    pub fn get(&self, kind: ObjectKind, key: &str) -> Option<&'a dyn Declaration> {
        self.0.get(&identity(kind, key)).copied()
    }
}

/// Checks keys and references, and gives the index of what is declared. `invalid` lists
/// objects that were declared but failed to parse: they count as present so one mistake is
/// not reported twice.
pub fn check<'a>(
    declarations: &[&'a dyn Declaration],
    invalid: &[(ObjectKind, String)],
    diags: &mut Vec<Diagnostic>,
) -> Index<'a> {
    let mut seen: HashMap<(ObjectKind, String), &'a dyn Declaration> = HashMap::new();
    for d in declarations {
        match seen.get(&identity(d.kind(), d.key())) {
            Some(first) => diags.push(
                Diagnostic::error(format!("duplicate {} key `{}`", d.kind(), d.key()))
                    .at(d.declared_at().clone())
                    .object(d.kind(), d.key())
                    .note(format!(
                        "first declared at {} (as `{}`)",
                        first.declared_at(),
                        first.key()
                    ))
                    .help(d.kind().def().duplicate_help()),
            ),
            None => {
                seen.insert(identity(d.kind(), d.key()), *d);
            }
        }
    }
    let present = |kind: ObjectKind, key: &str| {
        seen.contains_key(&identity(kind, key))
            || invalid.iter().any(|(k, n)| *k == kind && n == key)
    };
    for d in declarations {
        for r in d.references() {
            if present(r.kind, &r.key) {
                continue;
            }
            let mut diag = Diagnostic::error(format!(
                "`{}` refers to {} `{}`, which is not declared",
                r.path, r.kind, r.key
            ))
            .at(d.declared_at().clone())
            .object(d.kind(), d.key())
            .field(&r.path);
            if let Some(other) = ObjectKind::ALL
                .into_iter()
                .find(|k| *k != r.kind && present(*k, &r.key))
            {
                diag.message = format!(
                    "`{}` must name a {}, but `{}` is a {other}",
                    r.path, r.kind, r.key
                );
            } else {
                let keys: Vec<&str> = declarations
                    .iter()
                    .filter(|o| o.kind() == r.kind)
                    .map(|o| o.key())
                    .collect();
                if let Some(best) = super::parse::closest(&r.key, &keys) {
                    diag = diag.help(format!("did you mean `{best}`?"));
                } else {
                    diag = diag.help(format!(
                        "declare {} `{}` first, or fix the key",
                        r.kind, r.key
                    ));
                }
            }
            diags.push(diag);
        }
    }
    Index(seen)
}
