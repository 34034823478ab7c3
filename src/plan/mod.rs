//! Fetching the live account, diffing it against the catalog, and the `Plan` value.

pub mod diff;
pub mod drift;
pub mod fetch;
pub mod lifecycle;
#[allow(clippy::module_inception)]
pub mod plan;
pub mod refusals;
pub mod render;
pub mod replace;
pub mod saved;
pub mod scope;
pub mod settle;
pub mod subset;

pub use diff::diff_catalog;
pub use fetch::LiveState;
pub use lifecycle::{plan_catalog, Policy};
pub use plan::{Action, Change, FieldChange, Plan, Reason, Summary};
