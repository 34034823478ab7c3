//! `Idempotency-Key` on POSTs, as Stripe does it: the first answer under a key is saved once the
//! endpoint has run (successes and business-rule errors alike) and replayed for the same
//! request; the same key with another method, path or params is an `idempotency_error`.
//! Requests refused before the endpoint runs (auth, 429s, injected 500s, invalid params) are
//! not saved, so their retry runs afresh. Keys live as long as the emulator process (Stripe
//! prunes them after 24 hours).

use std::collections::HashMap;

use axum::body::Bytes;
use serde_json::{Map, Value};

/// Keys longer than this are refused, as Stripe does.
pub(crate) const MAX_KEY_LEN: usize = 255;

/// What identifies "the same request".
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Fingerprint {
    pub method: String,
    pub path: String,
    pub params: Map<String, Value>,
}

/// A saved answer.
#[derive(Clone, Debug)]
pub(crate) struct Saved {
    pub status: u16,
    pub body: Bytes,
}

/// What to do with a request that carries a key.
pub(crate) enum Lookup {
    /// Never seen: run it (and save the answer).
    Fresh,
    /// Seen with the same request: answer this.
    Replay(Saved),
    /// Seen with another request.
    Mismatch,
}

#[derive(Debug, Default)]
pub(crate) struct IdempotencyStore {
    records: HashMap<String, (Fingerprint, Saved)>,
}

impl IdempotencyStore {
    pub fn lookup(&self, key: &str, request: &Fingerprint) -> Lookup {
        match self.records.get(key) {
            None => Lookup::Fresh,
            Some((first, saved)) if first == request => Lookup::Replay(saved.clone()),
            Some(_) => Lookup::Mismatch,
        }
    }

    pub fn save(&mut self, key: String, request: Fingerprint, answer: Saved) {
        self.records.insert(key, (request, answer));
    }
}
