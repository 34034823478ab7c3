//! One module per object kind added with issue 11: each kind end to end against the
//! in-process emulator (create, update, deactivate, re-run as a no-op, export round trip).

mod features;
mod meter;
mod product_features;
