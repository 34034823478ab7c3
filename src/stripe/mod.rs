//! Talking to Stripe: the field table, form encoding, the HTTP client and its errors.

pub mod fields;
pub mod form;

/// The API version every request pins (`Stripe-Version`).
pub const API_VERSION: &str = "2026-10-28.endive";
