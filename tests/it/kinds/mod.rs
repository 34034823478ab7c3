//! The kinds of issue 11, end to end against the emulator: each created, updated,
//! deactivated, re-run as a no-op and exported.

mod meter;
