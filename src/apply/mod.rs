//! Executing a `Plan` against Stripe in dependency order: the stages derived from the
//! registry (`stage`), the plan as ordered writes (`order`, `replace`, `write`), and the
//! executor that sends them.

pub mod executor;
pub mod order;
pub mod replace;
pub mod secrets;
pub mod stage;
pub mod write;

pub use executor::{apply_plan, ProgressMode, Report};
