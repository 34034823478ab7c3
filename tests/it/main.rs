//! One integration-test binary (just's `tests/lib.rs` pattern): every module below runs
//! against the built binary or the in-process emulator on loopback.

mod chaos;
mod client;
mod conformance;
mod e2e;
mod emulator;
mod export;
mod house;
mod kinds;
mod property;
mod rules;
mod scripts;
mod sdk;
mod support;
