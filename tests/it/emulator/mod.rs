//! Integration tests: the emulator over real HTTP (reqwest against `start` on 127.0.0.1:0),
//! one test per rule, with exact status codes and error bodies.

mod auth;
mod cli;
mod connect;
mod coupons;
mod faults;
mod features;
mod hardening;
mod idempotency;
mod lists;
mod meters;
mod params;
mod portal;
mod prices;
mod product_features;
mod products;
mod promotion_codes;
mod rates;
mod shapes;
mod state;
mod stats;
pub(crate) mod support;
mod webhook_endpoints;
