//! A Stripe-faithful emulator of the catalog endpoints.
