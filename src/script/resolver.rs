//! `ProjectResolver`: where `import "..."` finds a module.
//!
//! A bare name (`"pricing"`) is a bundled `stdlib/` module, embedded in the binary so an
//! installed billingctl works anywhere. Anything else is a path relative to the importing
//! file (`"plans"`, `"./plans"`, `"../shared/plans"`, `.rhai` added), which must stay inside
//! the project root. Each module is recorded with its project-relative path as its source, so
//! positions inside it name the real file. A module is evaluated once per run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use rhai::{Engine, EvalAltResult, Module, ModuleResolver, Position, Scope, Shared};

/// The bundled modules: import name, project-relative path, source.
pub const STDLIB: &[(&str, &str, &str)] = &[
    (
        "pricing",
        "stdlib/pricing.rhai",
        include_str!("../../stdlib/pricing.rhai"),
    ),
    (
        "campaign",
        "stdlib/campaign.rhai",
        include_str!("../../stdlib/campaign.rhai"),
    ),
];

/// The embedded source of a bundled module, by its project-relative path.
pub fn stdlib_source(file: &str) -> Option<&'static str> {
    STDLIB
        .iter()
        .find(|(_, path, _)| *path == file)
        .map(|(_, _, src)| *src)
}

pub struct ProjectResolver {
    /// Absolute, normalised.
    root: PathBuf,
    cache: RefCell<HashMap<String, Shared<Module>>>,
    loading: RefCell<Vec<String>>,
}

impl ProjectResolver {
    pub fn new(root: &Path) -> Self {
        Self {
            root: normalize(root),
            cache: RefCell::default(),
            loading: RefCell::default(),
        }
    }

    /// The module's project-relative label and its source text.
    fn locate(
        &self,
        importer: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<(String, String), Box<EvalAltResult>> {
        let bare = !path.contains('/') && !path.contains('\\') && !path.starts_with('.');
        if bare {
            if let Some((_, label, src)) = STDLIB.iter().find(|(name, _, _)| *name == path) {
                return Ok(((*label).to_owned(), (*src).to_owned()));
            }
        }
        let importer_dir = importer
            .filter(|s| !s.starts_with("stdlib/"))
            .and_then(|s| Path::new(s).parent())
            .map_or_else(|| self.root.clone(), |dir| self.root.join(dir));
        if Path::new(path).is_absolute() {
            return Err(runtime(format!("import \"{path}\": use a path relative to the importing script, not an absolute one"), pos));
        }
        let mut file = normalize(&importer_dir.join(path));
        if file.extension().is_none() {
            file.set_extension("rhai");
        }
        let Ok(relative) = file.strip_prefix(&self.root) else {
            return Err(runtime(
                format!("import \"{path}\" reaches outside the project root; imports may only load files inside the project"),
                pos,
            ));
        };
        let label = relative.to_string_lossy().replace('\\', "/");
        match std::fs::read_to_string(&file) {
            Ok(text) => Ok((label, text)),
            Err(_) => Err(Box::new(EvalAltResult::ErrorModuleNotFound(
                path.to_owned(),
                pos,
            ))),
        }
    }
}

fn runtime(message: String, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), pos))
}

/// Resolves `.` and `..` without touching the file system (the file may not exist).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

impl ProjectResolver {
    /// Finds, compiles and evaluates a module once; `eval` runs its top-level statements.
    fn load(
        &self,
        engine: &Engine,
        importer: Option<&str>,
        path: &str,
        pos: Position,
        eval: impl FnOnce(&rhai::AST) -> Result<Module, Box<EvalAltResult>>,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let (label, text) = self.locate(importer, path, pos)?;
        if let Some(module) = self.cache.borrow().get(&label) {
            return Ok(module.clone());
        }
        if self.loading.borrow().contains(&label) {
            let chain = self.loading.borrow().join(" -> ");
            return Err(runtime(format!("import cycle: {chain} -> {label}"), pos));
        }
        let in_module = |err: Box<EvalAltResult>| {
            Box::new(EvalAltResult::ErrorInModule(label.clone(), err, pos))
        };
        let mut ast = engine.compile(&text).map_err(|e| in_module(e.into()))?;
        ast.set_source(label.as_str());
        self.loading.borrow_mut().push(label.clone());
        let module = eval(&ast);
        self.loading.borrow_mut().pop();
        let module: Shared<Module> = module.map_err(in_module)?.into();
        self.cache.borrow_mut().insert(label, module.clone());
        Ok(module)
    }
}

impl ModuleResolver for ProjectResolver {
    fn resolve_raw(
        &self,
        engine: &Engine,
        global: &mut rhai::GlobalRuntimeState,
        _scope: &mut Scope,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        let importer = global.source().map(str::to_owned);
        // Evaluated with the caller's runtime state, so the operation limit spans imports.
        self.load(engine, importer.as_deref(), path, pos, |ast| {
            Module::eval_ast_as_new_raw(engine, &mut Scope::new(), global, ast)
        })
    }

    fn resolve(
        &self,
        engine: &Engine,
        source: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<Shared<Module>, Box<EvalAltResult>> {
        self.load(engine, source, path, pos, |ast| {
            Module::eval_ast_as_new(Scope::new(), ast, engine)
        })
    }
}
