//! Executing a `Plan` against Stripe in dependency order.

pub mod executor;
pub mod order;

pub use executor::{apply_plan, ProgressMode, Report};
