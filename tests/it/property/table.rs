//! What the generator reads from the field table (`billingctl::kinds::fields`) instead of
//! restating it: the values of an enum param, whether a path is mutable, and the limits
//! Stripe documents that the catalog's validation already names (`catalog::validate`).

use billingctl::kinds::fields::Type;
use billingctl::kinds::ObjectKind;

/// The values of the enum param at `path` (a table path or a concrete one).
pub fn enum_values(kind: ObjectKind, path: &str) -> &'static [&'static str] {
    match kind.table().param(path).map(|p| p.ty) {
        Some(Type::Enum(values)) => values,
        other => panic!("{kind} `{path}` is not an enum in the field table: {other:?}"),
    }
}

/// Whether the update endpoint takes the concrete `path`: the only fields the generator edits
/// in place (every other change is an add, a deactivation or an out-of-band edit).
pub fn is_mutable(kind: ObjectKind, path: &str) -> bool {
    kind.table().is_mutable(path)
}

/// `["features", "invoice_history", "enabled"]` → `features[invoice_history][enabled]`, the
/// form notation the table is keyed by.
pub fn form_path(segments: &[String]) -> String {
    let mut path = segments[0].clone();
    for segment in &segments[1..] {
        path.push('[');
        path.push_str(segment);
        path.push(']');
    }
    path
}
