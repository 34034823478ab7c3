//! Integration tests: the Stripe client over real HTTP (a scripted server; the emulator).

mod connect;
mod emulator;
mod keys;
mod pacing;
mod redaction;
mod scripted;
