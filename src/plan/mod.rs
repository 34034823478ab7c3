//! Diffing the catalog against the live account (`crate::live`), and the `Plan` value.
//!
//! The pipeline (`lifecycle::plan_catalog`): the catalog with its management metadata
//! (`managed`), the diff (`diff`: matching, building changes, canonicalisation, the rules that
//! span objects) into typed findings (`finding`), replacement (`replace`), orphans (`scope`),
//! the rules table on every write (`refusals`), and at the end the problems worded once
//! (`problem`). Rendering is `render`; saving and re-checking a plan `saved`; `--only`
//! `subset`; a create that raced another run `settle`.

pub mod canon;
pub mod change;
pub mod diff;
pub mod drift;
pub mod finding;
pub mod lifecycle;
pub mod managed;
pub mod matching;
pub mod owned_metadata;
pub mod pins;
#[allow(clippy::module_inception)]
pub mod plan;
pub mod problem;
pub mod refusals;
pub mod render;
pub mod replace;
pub mod saved;
pub mod scope;
pub mod settle;
pub mod snapshot;
pub mod subset;

pub use crate::live::LiveState;
pub use diff::diff_catalog;
pub use lifecycle::{plan_catalog, plan_managed, Policy};
pub use plan::{Action, Change, FieldChange, Plan, Reason, Summary};
