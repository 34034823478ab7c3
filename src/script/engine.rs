//! `new_engine`: the one constructor of the Rhai engine, used by `render`, `check`, the
//! planner and every test, so all of them run scripts under the same sandbox.

use std::cell::RefCell;
use std::rc::Rc;

use rhai::Engine;

use super::api;
use super::limits::Limits;
use super::project::Project;
use super::recorder::Recorder;
use super::resolver::ProjectResolver;

/// A sandboxed engine whose declaring functions write into `recorder`, and whose imports
/// resolve inside the project.
pub fn new_engine(recorder: &Rc<RefCell<Recorder>>, project: &Project, limits: &Limits) -> Engine {
    let mut engine = Engine::new();
    engine
        .set_strict_variables(true)
        .set_fail_on_invalid_map_property(true)
        .set_max_operations(limits.operations)
        .set_max_call_levels(limits.call_levels)
        .set_max_expr_depths(64, 64)
        .set_max_modules(100)
        .set_module_resolver(ProjectResolver::new(project, recorder));
    // Strings, arrays and maps: linear-time checks instead of Rhai's (see `limits`).
    super::limits::install(&mut engine, limits);
    // `eval` would compile code the resolver and positions never see.
    engine.disable_symbol("eval");
    // stdout carries `render`'s JSON; script output goes to stderr.
    engine.on_print(|text| crate::eoutln!("{text}"));
    engine.on_debug(|text, source, pos| match source {
        Some(source) => crate::eoutln!("{source}:{pos}: {text}"),
        None => crate::eoutln!("{pos}: {text}"),
    });
    // The same script must always give the same catalog: no clock.
    engine.register_fn("timestamp", || -> Result<(), Box<rhai::EvalAltResult>> {
        Err(
            "timestamp() is not available: a catalog must not depend on when it is evaluated"
                .into(),
        )
    });
    api::register(&mut engine, recorder);
    engine
}
