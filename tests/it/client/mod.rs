//! Integration tests: the Stripe client over real HTTP (a scripted server; the emulator).

mod emulator;
mod keys;
mod pacing;
mod redaction;
mod scripted;
