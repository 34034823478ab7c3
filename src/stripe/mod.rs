//! Talking to Stripe: the field table, form encoding, the HTTP client and its errors.
//!
//! The client API (what the planner and applier use): [`Client`] with `get`, `post` and
//! `list_all`, built from a [`ClientConfig`]; [`Error`] / [`ApiError`] for failures; [`ApiKey`]
//! for the secret, which redacts itself. Pacing ([`pacing`]) and retries ([`retry`]) happen
//! inside the client.

pub mod api_key;
pub mod client;
pub mod error;
pub mod form;
pub mod pacing;
pub mod retry;

pub use api_key::{ApiKey, ApiKeyError, KeyMode};
pub use client::{Client, ClientConfig, ClientStats};
pub use error::{ApiError, Error};
pub use retry::RetryPolicy;

/// The API version every request pins (`Stripe-Version`).
pub const API_VERSION: &str = "2026-10-28.endive";
