//! The functions a script calls: one declaring function per Stripe object, named as Stripe
//! names them (`product`, `price`, `coupon`, `promotion_code`, `portal`), the overlay
//! functions (`update`, `deactivate`, `drop`), `scope`, `env()` (the environment, for imported
//! modules, which cannot see the `env` variable), and `generate_codes` behind
//! `stdlib/campaign.rhai`.
//!
//! A declaring function records the object with the place it was called and returns its key.
//! A mistake in one declaration is recorded as a diagnostic and evaluation goes on, so one run
//! reports every bad declaration, not just the first.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::{Array, Dynamic, Engine, EvalAltResult, ImmutableString, Map, NativeCallContext};
use serde_json::Value;

use super::codes;
use super::recorder::{Entry, Recorder};
use crate::catalog::parse::closest;
use crate::catalog::{DeclaredAt, Ownership};
use crate::diag::Diagnostic;
use crate::kinds::{Deactivation, ObjectKind, Refusal, EXACT_METADATA, KINDS};

type Shared = Rc<RefCell<Recorder>>;
type RhaiResult<T> = Result<T, Box<EvalAltResult>>;

/// Registers every script function on `engine`, writing into `recorder`.
pub fn register(engine: &mut Engine, recorder: &Shared) {
    // A kind that lives under another (`Kind::within`) is declared in its parent's field.
    for kind in KINDS.iter().filter(|kind| kind.within().is_none()) {
        let rec = recorder.clone();
        let (name, kind) = (kind.function(), kind.id());
        engine.register_fn(
            name,
            move |ctx: NativeCallContext,
                  key: ImmutableString,
                  fields: Map|
                  -> RhaiResult<ImmutableString> {
                declare(&rec, &ctx, kind, &key, fields);
                Ok(key)
            },
        );
    }
    let rec = recorder.clone();
    engine.register_fn(
        "update",
        move |ctx: NativeCallContext, kind: ImmutableString, key: ImmutableString, fields: Map| {
            change(&rec, &ctx, &kind, &key, Change::Merge(fields));
            key
        },
    );
    let rec = recorder.clone();
    engine.register_fn(
        "deactivate",
        move |ctx: NativeCallContext, kind: ImmutableString, key: ImmutableString| {
            change(&rec, &ctx, &kind, &key, Change::Deactivate);
            key
        },
    );
    let rec = recorder.clone();
    engine.register_fn(
        "drop",
        move |ctx: NativeCallContext, kind: ImmutableString, key: ImmutableString| {
            change(&rec, &ctx, &kind, &key, Change::Drop);
            key
        },
    );
    let rec = recorder.clone();
    engine.register_fn(
        "scope",
        move |ctx: NativeCallContext, name: ImmutableString| -> RhaiResult<()> {
            let valid = !name.is_empty()
                && name.len() <= 100
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'));
            if !valid {
                return Err(format!(
                    "scope \"{name}\" must be 1 to 100 letters, digits, `_`, `-` or `.`"
                )
                .into());
            }
            rec.borrow_mut().scope = Some((name.to_string(), declared_at(&ctx)));
            Ok(())
        },
    );
    let rec = recorder.clone();
    engine.register_fn("env", move || rec.borrow().env.clone());
    engine.register_fn("generate_codes", |options: Map| -> RhaiResult<Array> {
        let options: codes::CodeOptions = rhai::serde::from_dynamic(&Dynamic::from_map(options))
            .map_err(|e| format!("campaign codes: {}", strip_position(&e.to_string())))?;
        let codes = codes::generate(&options).map_err(|e| format!("campaign codes: {e}"))?;
        Ok(codes.into_iter().map(Dynamic::from).collect())
    });
}

/// Where the current native call was made. Inside a script function Rhai does not always
/// carry the file (a function of the main script runs with no source), so there the file is
/// the id of the function's own namespace (the last one pushed for the call), which
/// `evaluate` and the resolver set to the file's project path.
pub fn declared_at(ctx: &NativeCallContext) -> DeclaredAt {
    let pos = ctx.call_position();
    let in_function = if ctx.call_level() > 0 {
        ctx.namespaces().last().and_then(|m| m.id())
    } else {
        None
    };
    let file = in_function.or(ctx.call_source()).unwrap_or("<script>");
    DeclaredAt {
        file: file.to_owned(),
        line: pos.line().unwrap_or(0) as u32,
        column: pos.position().unwrap_or(0) as u32,
    }
}

/// The form param holding each kind's key, which a script gives as the first argument.
fn key_param(kind: ObjectKind) -> &'static str {
    kind.def().key().argument()
}

fn declare(rec: &Shared, ctx: &NativeCallContext, kind: ObjectKind, key: &str, fields: Map) {
    let at = declared_at(ctx);
    let mut errors = Vec::new();
    let mut fields = to_json(fields, &at, kind, key, &mut errors);
    if let Some(v) = fields.remove(key_param(kind)) {
        errors.push(
            Diagnostic::error(format!(
                "`{}` is the first argument of `{}`, not a field",
                key_param(kind),
                function_name(kind)
            ))
            .field(key_param(kind))
            .help(format!("write {}({v}, #{{ ... }})", function_name(kind))),
        );
    }
    let mut ownership = Ownership::default();
    take_ownership(kind, &mut fields, &mut ownership, &mut errors);
    shape(kind, &mut fields, &mut errors);
    let mut r = rec.borrow_mut();
    for e in errors {
        r.diags.push(e.at(at.clone()).object(kind, key));
    }
    r.entries.push(Entry {
        kind,
        key: key.to_owned(),
        at,
        ownership,
        fields,
        changed_at: Vec::new(),
        dropped: false,
    });
}

/// Takes the declaration options that are not Stripe fields out of `fields`: `adopt` (an id,
/// for the kinds that may adopt one) and `metadata_exact` (a bool, for kinds with metadata).
/// A declaration sets them, an overlay's `update` may change them.
fn take_ownership(
    kind: ObjectKind,
    fields: &mut serde_json::Map<String, Value>,
    ownership: &mut Ownership,
    errors: &mut Vec<Diagnostic>,
) {
    match fields.remove("adopt") {
        None => {}
        Some(Value::String(id)) if kind.def().adoptable() => ownership.adopt = Some(id),
        Some(Value::String(_)) => errors.push(
            Diagnostic::error(format!("a {kind} cannot adopt an id"))
                .field("adopt")
                .help(format!(
                    "a {kind} is matched by its key, which is its Stripe id; only {} adopt",
                    adopters()
                )),
        ),
        Some(other) => errors.push(
            Diagnostic::error(format!("`adopt` must be a string id, got {other}")).field("adopt"),
        ),
    }
    match fields.remove(EXACT_METADATA) {
        None => {}
        Some(Value::Bool(exact)) if kind.table().param("metadata").is_some() => {
            ownership.exact_metadata = exact;
        }
        Some(Value::Bool(_)) => errors.push(
            Diagnostic::error(format!("a {kind} has no metadata"))
                .field(EXACT_METADATA)
                .help(format!("leave `{EXACT_METADATA}` out of a {kind}")),
        ),
        Some(other) => errors.push(
            Diagnostic::error(format!(
                "`{EXACT_METADATA}` must be true or false, got {other}"
            ))
            .field(EXACT_METADATA)
            .help(
                "true: keys set outside billingctl are removed; false (the default): they \
                     are kept",
            ),
        ),
    }
}

/// Rewrites script conveniences into Stripe's shape, and refuses fields the kind leaves out
/// of billingctl's model (`Kind::shape`).
fn shape(
    kind: ObjectKind,
    fields: &mut serde_json::Map<String, Value>,
    errors: &mut Vec<Diagnostic>,
) {
    for refusal in kind.def().shape(fields) {
        errors.push(refused(refusal));
    }
}

fn refused(refusal: Refusal) -> Diagnostic {
    let diagnostic = Diagnostic::error(refusal.message).field(refusal.field);
    match refusal.help {
        Some(help) => diagnostic.help(help),
        None => diagnostic,
    }
}

/// The error of deactivating what cannot be deactivated (a coupon).
fn cannot_deactivate(kind: ObjectKind) -> Option<Diagnostic> {
    match kind.def().deactivation() {
        Deactivation::Impossible { reason, help } => Some(Diagnostic::error(reason).help(help)),
        Deactivation::Delete => Some(
            Diagnostic::error(format!("a {} cannot be deactivated", kind.def().noun()))
                .help("leave it out of its parent's list; `--prune` then detaches it (a DELETE)"),
        ),
        Deactivation::Field { .. } | Deactivation::Endpoints { .. } => None,
    }
}

/// `prices and portal configurations`: the kinds a script may adopt an id for.
fn adopters() -> String {
    let names: Vec<String> = KINDS
        .iter()
        .filter(|k| k.adoptable())
        .map(|k| k.plural())
        .collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, first)) => format!("{} and {last}", first.join(", ")),
        None => String::new(),
    }
}

fn function_name(kind: ObjectKind) -> &'static str {
    kind.def().function()
}

/// Converts the script's map to JSON; values JSON cannot hold (functions, custom types) are
/// reported and dropped.
fn to_json(
    fields: Map,
    at: &DeclaredAt,
    kind: ObjectKind,
    key: &str,
    errors: &mut Vec<Diagnostic>,
) -> serde_json::Map<String, Value> {
    let mut out = serde_json::Map::new();
    for (name, value) in fields {
        // JSON has no NaN or infinity: serde would turn them into null, and `0.0/0.0` would
        // then read as a field left out.
        if let Some((path, number)) = non_finite(&value, name.as_str()) {
            let what = if number.is_nan() {
                "NaN (not a number)".to_owned()
            } else {
                format!("{number} (infinite)")
            };
            errors.push(
                Diagnostic::error(format!("`{path}` is {what}, not a usable number"))
                    .at(at.clone())
                    .object(kind, key)
                    .field(path.as_str()),
            );
            continue;
        }
        match rhai::serde::from_dynamic::<Value>(&value) {
            Ok(v) => {
                out.insert(name.to_string(), v);
            }
            Err(_) => errors.push(
                Diagnostic::error(format!(
                    "`{name}` holds a {}, which is not data",
                    value.type_name()
                ))
                .at(at.clone())
                .object(kind, key)
                .field(name.as_str()),
            ),
        }
    }
    out
}

/// The first NaN or infinite float in a value, with its form path (`a[b][0]`).
fn non_finite(value: &Dynamic, path: &str) -> Option<(String, f64)> {
    if let Ok(number) = value.as_float() {
        return (!number.is_finite()).then(|| (path.to_owned(), number));
    }
    if let Some(items) = value.read_lock::<Array>() {
        return items
            .iter()
            .enumerate()
            .find_map(|(i, item)| non_finite(item, &format!("{path}[{i}]")));
    }
    if let Some(map) = value.read_lock::<Map>() {
        return map
            .iter()
            .find_map(|(k, item)| non_finite(item, &format!("{path}[{k}]")));
    }
    None
}

enum Change {
    Merge(Map),
    Deactivate,
    Drop,
}

fn change(rec: &Shared, ctx: &NativeCallContext, kind_name: &str, key: &str, change: Change) {
    let at = declared_at(ctx);
    let verb = match change {
        Change::Merge(_) => "update",
        Change::Deactivate => "deactivate",
        Change::Drop => "drop",
    };
    let mut r = rec.borrow_mut();
    let Some(kind) = ObjectKind::from_name(kind_name) else {
        let names: Vec<&str> = KINDS.iter().map(|k| k.function()).collect();
        let mut d =
            Diagnostic::error(format!("{verb}: unknown object kind \"{kind_name}\"")).at(at);
        d = d.help(match closest(kind_name, &names) {
            Some(best) => format!("did you mean \"{best}\"?"),
            None => format!("kinds are: {}", names.join(", ")),
        });
        r.diags.push(d);
        return;
    };
    if let (Change::Deactivate, Some(error)) = (&change, cannot_deactivate(kind)) {
        r.diags.push(error.at(at).object(kind, key));
        return;
    }
    let patch = match change {
        Change::Merge(fields) => {
            let mut errors = Vec::new();
            let mut patch = to_json(fields, &at, kind, key, &mut errors);
            if patch.contains_key(key_param(kind)) {
                errors.push(
                    Diagnostic::error(format!(
                        "{verb}: the key (`{}`) cannot be changed",
                        key_param(kind)
                    ))
                    .field(key_param(kind))
                    .help(format!(
                        "drop(\"{kind_name}\", \"{key}\") and declare a new one"
                    )),
                );
                patch.remove(key_param(kind));
            }
            shape(kind, &mut patch, &mut errors);
            for e in errors {
                r.diags.push(e.at(at.clone()).object(kind, key));
            }
            Some(patch)
        }
        Change::Deactivate => {
            let mut patch = serde_json::Map::new();
            patch.insert("active".into(), Value::Bool(false));
            Some(patch)
        }
        Change::Drop => None,
    };
    let suggestion = closest(key, &r.keys(kind)).map(str::to_owned);
    let Some(entry) = r.find_mut(kind, key) else {
        let mut d = Diagnostic::error(format!("{verb}: no {kind} `{key}` is declared"))
            .at(at)
            .object(kind, key);
        if let Some(best) = suggestion {
            d = d.help(format!("did you mean `{best}`?"));
        }
        r.diags.push(d);
        return;
    };
    match patch {
        Some(mut patch) => {
            let mut errors = Vec::new();
            take_ownership(kind, &mut patch, &mut entry.ownership, &mut errors);
            let mut typos: Vec<Diagnostic> = errors
                .into_iter()
                .map(|d| d.at(at.clone()).object(kind, key))
                .collect();
            let changed: Vec<String> = patch.keys().cloned().collect();
            merge(&mut entry.fields, patch);
            typos.extend(take_unknown_fields(entry, &changed, &at));
            entry.changed_at.push(at);
            r.diags.extend(typos);
        }
        None => entry.dropped = true,
    }
}

/// Unknown fields an update brought in, reported at the update (where the typo is) and taken
/// out of the entry so the declaration is not blamed for them.
fn take_unknown_fields(entry: &mut Entry, changed: &[String], at: &DeclaredAt) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    while let Err(d) = crate::catalog::object::Object::build(
        entry.kind,
        &entry.key,
        &entry.at,
        entry.ownership.clone(),
        Value::Object(entry.fields.clone()),
    ) {
        let path = d.subject.field.clone().unwrap_or_default();
        let top = crate::path::segments(&path)[0].to_owned();
        if !d.message.starts_with("unknown field") || !changed.contains(&top) {
            break;
        }
        if !crate::path::remove(&mut entry.fields, &path) {
            break;
        }
        let mut d = *d;
        d.span = Some(at.clone());
        d.notes.push(format!(
            "{} `{}` is declared at {}",
            entry.kind, entry.key, entry.at
        ));
        found.push(d);
    }
    found
}

/// Merges `patch` into `base`: maps merge key by key, anything else replaces, `()` removes.
fn merge(base: &mut serde_json::Map<String, Value>, patch: serde_json::Map<String, Value>) {
    for (k, v) in patch {
        match (base.get_mut(&k), v) {
            (_, Value::Null) => {
                base.remove(&k);
            }
            (Some(Value::Object(inner)), Value::Object(p)) => merge(inner, p),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// Rhai's messages end with " (line L, position P)"; positions are reported separately.
pub fn strip_position(message: &str) -> String {
    match message.rfind(" (line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_replaces_scalars_merges_maps_and_removes_unit() {
        let mut base = json!({"a": 1, "m": {"x": 1, "y": 2}, "gone": true})
            .as_object()
            .unwrap()
            .clone();
        let patch = json!({"a": 2, "m": {"y": 3}, "gone": null})
            .as_object()
            .unwrap()
            .clone();
        merge(&mut base, patch);
        assert_eq!(Value::Object(base), json!({"a": 2, "m": {"x": 1, "y": 3}}));
    }
}
