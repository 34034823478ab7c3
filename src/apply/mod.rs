//! Executing a `Plan` against Stripe in dependency order.
