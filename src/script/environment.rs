//! Environments and their overlays.
//!
//! `--env NAME` looks for `<script dir>/env/NAME.rhai`. The file is optional for `test` and
//! `live` (their mode is their name) and required for any other name, so a typo such as
//! `--env liev` is an error rather than a silent test run. An overlay may define
//! `fn settings() { #{ mode: "live", values: #{ ... } } }`, called before the base script so
//! the base sees `env.name`, `env.mode` and `env.values`; its top-level statements run after
//! the base script.

use std::path::Path;

use rhai::{CallFnOptions, Dynamic, Engine, EvalAltResult, Scope, AST};
use serde::Deserialize;

use super::error;
use super::limits::Limits;
use super::project::Project;
use crate::catalog::{DeclaredAt, Environment, Mode};
use crate::diag::Diagnostic;

/// A compiled overlay.
pub struct Overlay {
    /// Project-relative path, e.g. `scripts/env/live.rhai`.
    pub label: String,
    pub ast: AST,
    source: String,
}

/// A failure before the base script runs.
pub enum EnvError {
    Diagnostic(Box<Diagnostic>),
    Rhai(Box<EvalAltResult>, String),
    /// The overlay does not compile: the error, the overlay's label and its text.
    Compile(Box<EvalAltResult>, String, String),
}

impl EnvError {
    /// The overlay's label and text, when the error lies in an overlay that was read.
    pub fn source(&self) -> Option<(&str, &str)> {
        match self {
            EnvError::Compile(_, label, text) => Some((label, text)),
            _ => None,
        }
    }

    pub fn into_diagnostic(self, limits: &Limits) -> Diagnostic {
        match self {
            EnvError::Diagnostic(d) => *d,
            EnvError::Rhai(err, file) | EnvError::Compile(err, file, _) => {
                error::diagnostic(&err, &file, limits)
            }
        }
    }
}

/// What `fn settings()` returns.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    mode: Option<String>,
    #[serde(default)]
    values: serde_json::Map<String, serde_json::Value>,
    /// Connect: the connected accounts to apply the catalog to (`"acct_…"` or
    /// `#{ id, values }` each), when no `--stripe-account` / `--accounts` is given.
    #[serde(default)]
    accounts: Vec<serde_json::Value>,
}

/// The environment of a name without an overlay (or whose overlay has no `settings`).
pub fn default_environment(name: &str) -> Environment {
    Environment {
        name: name.to_owned(),
        mode: if name == "live" {
            Mode::Live
        } else {
            Mode::Test
        },
        values: serde_json::Map::new(),
        account: None,
        accounts: Vec::new(),
    }
}

/// `env` as scripts see it: `#{ name, mode, values }`, and `account: #{ id, values }` when the
/// evaluation is for a connected account.
pub fn to_dynamic(environment: &Environment) -> Dynamic {
    let mut map = rhai::Map::new();
    map.insert("name".into(), environment.name.clone().into());
    let mode = match environment.mode {
        Mode::Test => "test",
        Mode::Live => "live",
    };
    map.insert("mode".into(), mode.into());
    let values = rhai::serde::to_dynamic(&environment.values).unwrap_or(Dynamic::UNIT);
    map.insert("values".into(), values);
    // Only for a connected account, so a script without one sees the `env` it always saw.
    if let Some(account) = &environment.account {
        let mut entry = rhai::Map::new();
        entry.insert("id".into(), account.id.clone().into());
        let values = rhai::serde::to_dynamic(&account.values).unwrap_or(Dynamic::UNIT);
        entry.insert("values".into(), values);
        map.insert("account".into(), entry.into());
    }
    map.into()
}

impl Overlay {
    /// Finds and compiles the overlay of `env` for `script` (absolute), if there is one.
    pub fn load(
        engine: &Engine,
        project: &Project,
        script: &Path,
        env: &str,
    ) -> Result<Option<Overlay>, EnvError> {
        if env.is_empty()
            || !env
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        {
            return Err(EnvError::Diagnostic(Box::new(Diagnostic::error(format!(
                "environment name \"{env}\" must be letters, digits, `_` or `-`"
            )))));
        }
        let dir = script.parent().unwrap_or(project.root()).join("env");
        let path = dir.join(format!("{env}.rhai"));
        let label = project
            .name(&path)
            .unwrap_or_else(|| path.to_string_lossy().into_owned());
        let source = match super::source::read(&path) {
            Ok(source) => source,
            Err(_) if env == "test" || env == "live" => return Ok(None),
            Err(_) => {
                let mut known: Vec<String> = std::fs::read_dir(&dir)
                    .into_iter()
                    .flatten()
                    .flatten()
                    .filter_map(|e| {
                        e.file_name()
                            .to_str()?
                            .strip_suffix(".rhai")
                            .map(str::to_owned)
                    })
                    .collect();
                // Sorted after `test` and `live` join, so an env/live.rhai is listed once.
                known.extend(["test".to_owned(), "live".to_owned()]);
                known.sort();
                known.dedup();
                let names: Vec<&str> = known.iter().map(String::as_str).collect();
                let help = match crate::catalog::parse::closest(env, &names) {
                    Some(best) => format!("did you mean `--env {best}`?"),
                    None => format!("known environments: {}", names.join(", ")),
                };
                return Err(EnvError::Diagnostic(Box::new(
                    Diagnostic::error(format!("unknown environment `{env}`: there is no {label}"))
                        .help(help)
                        .note("`test` and `live` need no overlay file; other environments are declared by one"),
                )));
            }
        };
        let mut scope = Scope::new();
        scope.push_constant("env", Dynamic::UNIT);
        let mut ast = engine
            .compile_with_scope(&scope, &source)
            .map_err(|err| EnvError::Compile(err.into(), label.clone(), source.clone()))?;
        ast.set_source(label.as_str());
        Ok(Some(Overlay { label, ast, source }))
    }

    /// The environment this overlay declares through `fn settings()`.
    pub fn settings(&self, engine: &Engine, name: &str) -> Result<Environment, EnvError> {
        let mut environment = default_environment(name);
        if !self
            .ast
            .iter_functions()
            .any(|f| f.name == "settings" && f.params.is_empty())
        {
            return Ok(environment);
        }
        let mut scope = Scope::new();
        scope.push_constant("env", Dynamic::UNIT);
        let value: Dynamic = engine
            .call_fn_with_options(
                CallFnOptions::new().eval_ast(false),
                &mut scope,
                &self.ast,
                "settings",
                (),
            )
            .map_err(|err| EnvError::Rhai(err, self.label.clone()))?;
        let at = self.settings_position();
        let wrong = |message: String| {
            let mut d = Diagnostic::error(message)
                .help("settings() returns #{ mode: \"test\" | \"live\", values: #{ ... } }");
            d.span = at.clone();
            EnvError::Diagnostic(Box::new(d))
        };
        let settings: Settings = rhai::serde::from_dynamic(&value).map_err(|err| {
            wrong(format!(
                "settings(): {}",
                super::api::strip_position(&err.to_string())
            ))
        })?;
        match settings.mode.as_deref() {
            None => {}
            Some("test") => environment.mode = crate::catalog::Mode::Test,
            Some("live") => environment.mode = crate::catalog::Mode::Live,
            Some(other) => {
                return Err(wrong(format!(
                    "settings(): mode must be \"test\" or \"live\", got \"{other}\""
                )))
            }
        }
        environment.values = settings.values;
        for entry in &settings.accounts {
            let account = crate::catalog::ConnectedAccount::from_json(entry)
                .map_err(|e| wrong(format!("settings(): accounts: {e}")))?;
            environment.accounts.push(account);
        }
        environment.accounts =
            crate::catalog::account::merge(std::mem::take(&mut environment.accounts))
                .map_err(|e| wrong(format!("settings(): accounts: {e}")))?;
        Ok(environment)
    }

    /// The overlay's text.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Where `fn settings` is written, for errors about what it returns.
    fn settings_position(&self) -> Option<DeclaredAt> {
        self.source.lines().enumerate().find_map(|(i, line)| {
            line.find("fn settings").map(|col| DeclaredAt {
                file: self.label.clone(),
                line: i as u32 + 1,
                column: col as u32 + 1,
            })
        })
    }
}
