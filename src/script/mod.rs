//! The Rhai engine: evaluates a catalog script (with its environment overlay and imports)
//! into a `Catalog`.
