//! Fetching the live account, diffing it against the catalog, and the `Plan` value.

pub mod diff;
pub mod fetch;
#[allow(clippy::module_inception)]
pub mod plan;
pub mod render;

pub use diff::diff_catalog;
pub use fetch::LiveState;
pub use plan::{Action, Change, FieldChange, Plan, Reason, Summary};
