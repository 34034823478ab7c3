//! Rhai errors into diagnostics: Rhai knows the line and column, we know the file.
//!
//! The error chain is walked from the outside in: `ErrorInModule` (an import failed) adds
//! "imported at FILE:LINE:COL" and moves into the module's file; `ErrorInFunctionCall` adds
//! "in `f` called at ..." and moves into the function's file. The innermost error gives the
//! message and the span.

use rhai::{EvalAltResult, ParseErrorType, Position};

use super::api::strip_position;
use super::limits::Limits;
use crate::catalog::DeclaredAt;
use crate::diag::Diagnostic;

/// The span of `pos` in `file`, if Rhai knows the position.
pub fn span(file: &str, pos: Position) -> Option<DeclaredAt> {
    Some(DeclaredAt {
        file: file.to_owned(),
        line: pos.line()? as u32,
        column: pos.position().unwrap_or(1) as u32,
    })
}

/// The diagnostic for an error raised while evaluating `file`.
pub fn diagnostic(err: &EvalAltResult, file: &str, limits: &Limits) -> Diagnostic {
    let mut file = file.to_owned();
    let mut notes = Vec::new();
    let mut err = err;
    loop {
        match err {
            EvalAltResult::ErrorInModule(module, inner, pos) => {
                if let Some(at) = span(&file, *pos) {
                    notes.push(format!("imported at {at}"));
                }
                module.clone_into(&mut file);
                err = inner;
            }
            EvalAltResult::ErrorInFunctionCall(name, source, inner, pos) => {
                if let Some(at) = span(&file, *pos) {
                    notes.push(format!("in `{name}` called at {at}"));
                }
                if !source.is_empty() {
                    source.clone_into(&mut file);
                }
                err = inner;
            }
            _ => break,
        }
    }
    // Innermost first reads like a stack trace: where it failed, then how it got there.
    notes.reverse();
    collapse_repeats(&mut notes);
    let (message, help) = describe(err, limits);
    let mut d = Diagnostic::error(message);
    d.span = span(&file, err.position());
    d.help = help;
    d.notes = notes;
    d
}

/// A recursion gives the same notes once per level (one note, or a cycle of them for
/// functions calling each other): keep one round, and say how many more there were.
fn collapse_repeats(notes: &mut Vec<String>) {
    const LONGEST_CYCLE: usize = 4;
    let all = std::mem::take(notes);
    let mut i = 0;
    while i < all.len() {
        let repeated = (1..=LONGEST_CYCLE).find_map(|period| {
            let block = all.get(i..i + period)?;
            let mut rounds = 1;
            while all.get(i + rounds * period..i + (rounds + 1) * period) == Some(block) {
                rounds += 1;
            }
            (rounds > 1).then_some((period, rounds))
        });
        match repeated {
            Some((period, rounds)) => {
                notes.extend(all[i..i + period - 1].iter().cloned());
                let what = if period == 1 { "" } else { "this cycle " };
                notes.push(format!(
                    "{} ({what}{} more times)",
                    all[i + period - 1],
                    rounds - 1
                ));
                i += period * rounds;
            }
            None => {
                notes.push(all[i].clone());
                i += 1;
            }
        }
    }
}

/// The message (and a hint) for the innermost error.
fn describe(err: &EvalAltResult, limits: &Limits) -> (String, Option<String>) {
    use EvalAltResult as E;
    match err {
        E::ErrorParsing(kind, _) => parse_error(kind),
        E::ErrorTooManyOperations(_) => (
            format!("the script was stopped after {} operations: is there an endless loop?", limits.operations),
            Some("billingctl bounds every script's work; a catalog needs far fewer operations".into()),
        ),
        E::ErrorStackOverflow(_) => (
            format!("function calls nested deeper than {} levels: is there an endless recursion?", limits.call_levels),
            None,
        ),
        E::ErrorDataTooLarge(what, _) => (
            format!("{} is larger than billingctl allows", data_name(what)),
            Some(format!(
                "limits: strings {} bytes, arrays {} items, maps {} entries",
                limits.string_bytes, limits.array_items, limits.map_entries
            )),
        ),
        E::ErrorModuleNotFound(path, _) => (
            format!("module \"{path}\" not found"),
            Some(format!(
                "bundled modules: {}; other imports are paths relative to the importing script (`.rhai` optional)",
                super::resolver::STDLIB.iter().map(|(n, _, _)| format!("\"{n}\"")).collect::<Vec<_>>().join(", ")
            )),
        ),
        E::ErrorFunctionNotFound(signature, _) => function_not_found(signature),
        E::ErrorVariableNotFound(name, _) => (format!("variable `{name}` is not defined"), None),
        E::ErrorPropertyNotFound(name, _) => (format!("the map has no property `{name}`"), None),
        E::ErrorRuntime(value, _) => (value.to_string(), None),
        other => (strip_position(&other.to_string()), None),
    }
}

fn parse_error(kind: &ParseErrorType) -> (String, Option<String>) {
    match kind {
        ParseErrorType::VariableUndefined(name) if name == "env" => (
            "variable `env` is not defined here".into(),
            Some("an imported module cannot see the script's `env` variable; call `env()` instead".into()),
        ),
        ParseErrorType::VariableUndefined(name) => (
            format!("variable `{name}` is not defined"),
            Some("declare it with `let` first (scripts run with strict variables); a `fn` sees only its parameters".into()),
        ),
        other if other.to_string().contains("'eval'") => ("`eval` is disabled in billingctl scripts".into(), None),
        other => (format!("syntax error: {other}"), None),
    }
}

/// Rhai's names for sized data, in the script's words.
fn data_name(what: &str) -> &str {
    match what {
        "Length of string" => "a string",
        "Size of array" => "an array",
        "Size of object map" => "a map",
        other => other,
    }
}

/// `price (&str | ImmutableString | String, i64)` as `price(string, integer)`.
fn plain_signature(signature: &str) -> String {
    let (name, args) = signature.split_once(" (").unwrap_or((signature, ")"));
    let args = args.trim_end_matches(')');
    let args: Vec<&str> = args
        .split(", ")
        .filter(|a| !a.is_empty())
        .map(|a| match a {
            "&str | ImmutableString | String" | "ImmutableString" | "String" | "&str" => "string",
            "i64" => "integer",
            "f64" => "float",
            "bool" => "boolean",
            "char" => "character",
            "()" => "()",
            a if a.ends_with("Map") => "map",
            a if a.ends_with("Array") => "array",
            a => a,
        })
        .collect();
    format!("{name}({})", args.join(", "))
}

fn function_not_found(signature: &str) -> (String, Option<String>) {
    let name = signature.split([' ', '(']).next().unwrap_or(signature);
    let declares = crate::kinds::KINDS
        .iter()
        .any(|kind| kind.function() == name);
    let help = match name {
        _ if declares => Some(format!(
            "declare with {name}(KEY, #{{ field: value, ... }}): a string key and a map of Stripe's fields"
        )),
        "update" => Some("update(KIND, KEY, #{ field: value, ... })".into()),
        "deactivate" | "drop" => Some(format!("{name}(KIND, KEY), e.g. {name}(\"price\", \"basic_monthly\")")),
        _ => None,
    };
    (
        format!("no function `{}`", plain_signature(signature)),
        help,
    )
}
