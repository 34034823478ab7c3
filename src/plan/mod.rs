//! Fetching the live account, diffing it against the catalog, and the `Plan` value.
