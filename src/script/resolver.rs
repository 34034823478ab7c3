//! `ProjectResolver`: where `import "..."` finds a module.
//!
//! A bare name (`"pricing"`) is a bundled `stdlib/` module, embedded in the binary so an
//! installed billingctl works anywhere. Anything else is a path relative to the importing
//! file (`"plans"`, `"./plans"`, `"../shared/plans"`, `.rhai` added), which must stay inside
//! the project root. Each module is recorded with its project-relative path as its source, so
//! positions inside it name the real file. A module is evaluated once per run.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::Path;

use super::project::{normalize, Project};
use super::recorder::Recorder;

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
    project: Project,
    /// Where the text of each module read goes (`Recorder::sources`), for the lines of its
    /// errors.
    recorder: std::rc::Rc<RefCell<Recorder>>,
    cache: RefCell<HashMap<String, Shared<Module>>>,
    loading: RefCell<Vec<String>>,
}

impl ProjectResolver {
    pub fn new(project: &Project, recorder: &std::rc::Rc<RefCell<Recorder>>) -> Self {
        Self {
            project: project.clone(),
            recorder: recorder.clone(),
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
            .and_then(|s| self.project.path(s).parent().map(Path::to_path_buf))
            .unwrap_or_else(|| self.project.root().to_path_buf());
        if Path::new(path).is_absolute() {
            return Err(runtime(format!("import \"{path}\": use a path relative to the importing script, not an absolute one"), pos));
        }
        let mut file = normalize(&importer_dir.join(path));
        if file.extension().is_none() {
            file.set_extension("rhai");
        }
        let Some(label) = self.project.name(&file) else {
            return Err(runtime(
                format!("import \"{path}\" reaches outside the project root; imports may only load files inside the project"),
                pos,
            ));
        };
        // A symlink inside the project may still point outside it.
        if let (Ok(real), Ok(real_root)) = (file.canonicalize(), self.project.root().canonicalize())
        {
            if !real.starts_with(&real_root) {
                return Err(runtime(
                    format!("import \"{path}\" is a link to a file outside the project root"),
                    pos,
                ));
            }
        }
        match super::source::read(&file) {
            Ok(text) => Ok((label, text)),
            Err(err @ super::source::SourceError::NotUtf8 { line, column, .. }) => Err(runtime(
                format!("{label}:{line}:{column}: {}", err.message()),
                pos,
            )),
            Err(super::source::SourceError::Io(_)) => Err(Box::new(
                EvalAltResult::ErrorModuleNotFound(path.to_owned(), pos),
            )),
        }
    }
}

fn runtime(message: String, pos: Position) -> Box<EvalAltResult> {
    Box::new(EvalAltResult::ErrorRuntime(message.into(), pos))
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
        self.recorder
            .borrow_mut()
            .sources
            .insert(label.as_str(), &text);
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

#[cfg(test)]
mod tests {
    use std::cell::RefCell;
    use std::path::Path;
    use std::rc::Rc;

    use rhai::Dynamic;

    use crate::script::engine::new_engine;
    use crate::script::project::Project;
    use crate::script::recorder::Recorder;
    use crate::script::Limits;

    /// Evaluates `expr` after importing both stdlib modules.
    fn eval(expr: &str) -> Dynamic {
        let recorder = Rc::new(RefCell::new(Recorder::default()));
        let project = Project::for_script(Path::new("/p"), Path::new("/p/t.rhai"));
        let engine = new_engine(&recorder, &project, &Limits::default());
        let script =
            format!("import \"pricing\" as pricing; import \"campaign\" as campaign; {expr}");
        engine
            .eval::<Dynamic>(&script)
            .unwrap_or_else(|e| panic!("{expr}: {e}"))
    }

    fn int(expr: &str) -> i64 {
        eval(expr).as_int().unwrap()
    }

    #[test]
    fn yearly_rounds_half_up_to_the_smallest_unit() {
        assert_eq!(int("pricing::yearly(900, 20)"), 8640);
        assert_eq!(int("pricing::yearly(999, 15)"), 10190); // 10189.8 -> 10190
        assert_eq!(int("pricing::yearly(1001, 0)"), 12012);
        assert_eq!(int("pricing::round_to(8640, 100)"), 8600);
        assert_eq!(int("pricing::round_to(8650, 100)"), 8700);
        assert_eq!(int("pricing::yearly_rounded(2900, 20, 100)"), 27800);
    }

    #[test]
    fn currency_options_leave_out_the_base_currency() {
        let options =
            eval("pricing::currency_options(#{ eur: 900, usd: 1000, gbp: 800 }, \"eur\")");
        let json: serde_json::Value = rhai::serde::from_dynamic(&options).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"gbp": {"unit_amount": 800}, "usd": {"unit_amount": 1000}})
        );
        assert_eq!(int("pricing::amount(#{ eur: 900 }, \"eur\")"), 900);
    }

    #[test]
    fn tiers_build_stripe_tier_maps() {
        let tiers = eval("pricing::tiers_with_flat([[10, 100, 500], [\"inf\", 80, 0]])");
        let json: serde_json::Value = rhai::serde::from_dynamic(&tiers).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{"up_to": 10, "unit_amount": 100, "flat_amount": 500},
                               {"up_to": "inf", "unit_amount": 80, "flat_amount": 0}])
        );
    }

    #[test]
    fn campaign_codes_are_the_same_from_rhai_and_rust() {
        let from_rhai =
            eval("campaign::codes(#{ prefix: \"BF-\", length: 6, count: 3, seed: 42 })");
        let codes: Vec<String> = rhai::serde::from_dynamic(&from_rhai).unwrap();
        assert_eq!(codes, ["BF-597EHJ", "BF-UTXACF", "BF-FSURWC"]);
    }

    #[test]
    fn bad_arguments_are_refused_with_the_function_named() {
        let recorder = Rc::new(RefCell::new(Recorder::default()));
        let project = Project::for_script(Path::new("/p"), Path::new("/p/t.rhai"));
        let engine = new_engine(&recorder, &project, &Limits::default());
        let err = engine
            .eval::<Dynamic>("import \"pricing\" as pricing; pricing::yearly(9.5, 20)")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("pricing::yearly(monthly, discount_percent) takes integers"),
            "{err}"
        );
    }
}
