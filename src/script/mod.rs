//! The Rhai engine: evaluates a catalog script (with its environment overlay and imports)
//! into a validated `Catalog`.
//!
//! Order of a run for `--env NAME`: the overlay `<script dir>/env/NAME.rhai` (optional) is
//! compiled and its `fn settings()` called to learn the environment's mode and values; the base
//! script runs with `env` in scope; then the overlay's top-level statements run and may add,
//! `update`, `deactivate` or `drop` objects. Then every object is typed and validated and the
//! graph checked. Every problem of the run comes back together.

pub mod api;
pub mod codes;
pub mod engine;
pub mod environment;
pub mod error;
mod limits;
pub mod project;
pub mod recorder;
pub mod resolver;
mod source;

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use rhai::Scope;

use crate::catalog::{Catalog, ConnectedAccount, DeclaredAt};
use crate::diag::{Diagnostic, Diagnostics};
pub use engine::new_engine;
pub use limits::Limits;
use project::Project;
use recorder::Recorder;
pub use resolver::stdlib_source;

/// Evaluates `script` for the environment `env`, relative to the current directory (the
/// project root when the script lies under it).
pub fn evaluate(script: &Path, env: &str) -> Result<Catalog, Diagnostics> {
    evaluate_for(script, env, None)
}

/// The environment `env`'s overlay declares for `script` (its `settings()`), without running
/// any script: Connect reads the accounts it lists before evaluating once per account.
pub fn settings_of(script: &Path, env: &str) -> Result<crate::catalog::Environment, Diagnostics> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let limits = Limits::default();
    let absolute = project::normalize(&cwd.join(script));
    let project = Project::for_script(&cwd, &absolute);
    let recorder = Rc::new(RefCell::new(Recorder::default()));
    let mut engine = new_engine(&recorder, &project, &limits);
    // Only a look ahead: the real evaluation runs `settings()` again and prints what it prints.
    engine.on_print(|_| {});
    engine.on_debug(|_, _, _| {});
    let fail = |err: environment::EnvError| {
        if let Some((label, text)) = err.source() {
            recorder.borrow_mut().sources.insert(label, text);
        }
        let mut diags = Diagnostics(vec![err.into_diagnostic(&limits)]);
        recorder.borrow().sources.attach(&mut diags.0);
        Err(diags)
    };
    match environment::Overlay::load(&engine, &project, &absolute, env) {
        Ok(Some(overlay)) => {
            recorder
                .borrow_mut()
                .sources
                .insert(overlay.label.as_str(), overlay.source());
            match overlay.settings(&engine, env) {
                Ok(environment) => Ok(environment),
                Err(err) => fail(err),
            }
        }
        Ok(None) => Ok(environment::default_environment(env)),
        Err(err) => fail(err),
    }
}

/// `evaluate` for one connected account (Connect), which the script sees as `env.account`.
pub fn evaluate_for(
    script: &Path,
    env: &str,
    account: Option<&ConnectedAccount>,
) -> Result<Catalog, Diagnostics> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    evaluate_full(&cwd, script, env, &Limits::default(), account)
}

/// `evaluate` with an explicit working directory and limits (tests, benchmarks).
pub fn evaluate_in(
    cwd: &Path,
    script: &Path,
    env: &str,
    limits: &Limits,
) -> Result<Catalog, Diagnostics> {
    evaluate_full(cwd, script, env, limits, None)
}

/// `evaluate_in` for a connected account, or for the key's own account (`None`).
fn evaluate_full(
    cwd: &Path,
    script: &Path,
    env: &str,
    limits: &Limits,
    account: Option<&ConnectedAccount>,
) -> Result<Catalog, Diagnostics> {
    let recorder = Rc::new(RefCell::new(Recorder::default()));
    let result = run(cwd, script, env, limits, &recorder, account);
    let recorder = Rc::try_unwrap(recorder)
        .map_or_else(|rc| rc.replace(Recorder::default()), RefCell::into_inner);
    // What was read is handed to the diagnostics (and the catalog, for the plan's errors):
    // rendering reads no file.
    let sources = recorder.sources;
    match result {
        Ok(mut catalog) => {
            catalog.sources = sources;
            Ok(catalog)
        }
        Err(mut diags) => {
            sources.attach(&mut diags.0);
            Err(diags)
        }
    }
}

/// Evaluates the script into a catalog; `recorder` keeps the text of every file read.
fn run(
    cwd: &Path,
    script: &Path,
    env: &str,
    limits: &Limits,
    recorder: &Rc<RefCell<Recorder>>,
    account: Option<&ConnectedAccount>,
) -> Result<Catalog, Diagnostics> {
    let absolute = project::normalize(&cwd.join(script));
    let project = Project::for_script(cwd, &absolute);
    let label = project
        .name(&absolute)
        .unwrap_or_else(|| absolute.to_string_lossy().into_owned());
    let fail = |d: Diagnostic| Err(Diagnostics(vec![d]));
    let source = match source::read(&absolute) {
        Ok(source) => source,
        Err(err @ source::SourceError::NotUtf8 { line, column, .. }) => {
            // Shown as far as it can be: the bad byte becomes U+FFFD.
            if let Ok(bytes) = std::fs::read(&absolute) {
                let text = String::from_utf8_lossy(&bytes);
                recorder.borrow_mut().sources.insert(label.as_str(), &text);
            }
            let mut d = Diagnostic::error(err.message());
            d.span = Some(DeclaredAt {
                file: label.clone(),
                line,
                column,
            });
            return fail(d);
        }
        Err(err) => {
            return fail(Diagnostic::error(format!(
                "cannot read {}: {}",
                script.display(),
                err.message()
            )))
        }
    };
    recorder
        .borrow_mut()
        .sources
        .insert(label.as_str(), &source);
    let engine = new_engine(recorder, &project, limits);
    let to_diag = |err: &rhai::EvalAltResult, file: &str| error::diagnostic(err, file, limits);

    let loaded = environment::Overlay::load(&engine, &project, &absolute, env);
    let overlay = match loaded {
        Ok(overlay) => overlay,
        Err(err) => {
            if let Some((label, text)) = err.source() {
                recorder.borrow_mut().sources.insert(label, text);
            }
            return fail(err.into_diagnostic(limits));
        }
    };
    if let Some(o) = &overlay {
        recorder
            .borrow_mut()
            .sources
            .insert(o.label.as_str(), o.source());
    }
    let mut environment = match &overlay {
        Some(o) => match o.settings(&engine, env) {
            Ok(environment) => environment,
            Err(err) => return fail(err.into_diagnostic(limits)),
        },
        None => environment::default_environment(env),
    };
    environment.account = account.cloned();
    let env_value = environment::to_dynamic(&environment);
    recorder.borrow_mut().env = env_value.clone();

    let mut scope = Scope::new();
    scope.push_constant("env", env_value.clone());
    let mut aborted = false;
    match engine.compile_with_scope(&scope, &source) {
        Ok(mut ast) => {
            ast.set_source(label.as_str());
            if let Err(err) = engine.run_ast_with_scope(&mut scope, &ast) {
                recorder.borrow_mut().diags.push(to_diag(&err, &label));
                aborted = true;
            }
        }
        Err(err) => {
            let unclosed = unclosed_block(&err, &source, &label);
            let d = unclosed.unwrap_or_else(|| to_diag(&err.into(), &label));
            recorder.borrow_mut().diags.push(d);
            aborted = true;
        }
    }
    if let (Some(o), false) = (&overlay, aborted) {
        let mut scope = Scope::new();
        scope.push_constant("env", env_value);
        if let Err(err) = engine.run_ast_with_scope(&mut scope, &o.ast) {
            recorder.borrow_mut().diags.push(to_diag(&err, &o.label));
            aborted = true;
        }
    }
    drop(engine);
    // The declarations go on to be built; the texts read stay for `evaluate_in`.
    let mut declared = recorder.replace(Recorder::default());
    recorder.borrow_mut().sources = std::mem::take(&mut declared.sources);
    let scope_name = declared
        .scope
        .as_ref()
        .map(|(name, _)| name.clone())
        .unwrap_or_else(|| {
            absolute
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned())
        });
    if aborted {
        // The catalog is incomplete: graph checks would only add noise. Report what we have.
        let mut diags = Diagnostics(declared.finish_partial());
        diags.sort();
        return Err(diags);
    }
    declared.finish(environment, scope_name).map_err(|diags| {
        let mut diags = Diagnostics(diags);
        diags.sort();
        diags
    })
}

/// Rhai reports a missing `}` where it gave up, at the end of the file, with no source line;
/// the line to fix is the one that opened the block.
fn unclosed_block(err: &rhai::ParseError, source: &str, label: &str) -> Option<Diagnostic> {
    let past_end = err
        .position()
        .line()
        .is_some_and(|line| line > source.lines().count());
    let missing_brace =
        matches!(err.err_type(), rhai::ParseErrorType::MissingToken(token, _) if token == "}");
    if !(missing_brace || past_end) {
        return None;
    }
    let (line, column) = source::unclosed_brace(source)?;
    let mut d = Diagnostic::error("syntax error: this `{` is never closed".to_owned());
    d.span = Some(DeclaredAt {
        file: label.to_owned(),
        line,
        column,
    });
    d.help = Some("add the matching `}` (Rhai reached the end of the file looking for it)".into());
    Some(d)
}
