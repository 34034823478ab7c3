//! Executing a `Plan` against Stripe in dependency order.

pub mod executor;
pub mod order;
pub mod replace;

pub use executor::{apply_plan, ProgressMode, Report};
