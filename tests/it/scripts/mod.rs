//! Integration tests: scripts. Renders of every example and environment (insta snapshots),
//! the corpus of bad scripts with their expected messages and positions, and house rules
//! that hold for every example.

mod bad;
mod examples;
mod limits;
mod overlay;
mod render;
