//! Request counters: every `/v1` request received is counted by method and by route, whatever
//! the answer (4xx, 429, 5xx and lost responses included), so a test can check that a refused
//! plan made zero writes; and every answer by its HTTP status, so a test can check that a
//! valid plan was applied without one refusal (the property test, `tests/it/property/`). The
//! emulator's own `/_emulator/...` endpoints are not counted.
//!
//! Besides the totals, each account has its own counters: the platform's (requests without
//! `Stripe-Account`) and each connected account's, so a test can check the writes to one
//! account. A request naming an account the emulator does not hold counts in the totals only.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use super::accounts::Scope;

/// The counters so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestStats {
    /// Every request received.
    pub total: u64,
    /// By HTTP method: `GET`, `POST`, `DELETE`.
    pub by_method: BTreeMap<String, u64>,
    /// By route: `POST /v1/prices`, `GET /v1/prices/{id}`, `GET (unrecognized)`.
    pub by_route: BTreeMap<String, u64>,
    /// By the status of the answer: `200`, `400`, `404`, `429`, ... (a lost answer counts
    /// under the status it would have had).
    #[serde(default)]
    pub by_status: BTreeMap<u16, u64>,
}

impl RequestStats {
    /// Requests with method POST (creates and updates, answered or not).
    pub fn posts(&self) -> u64 {
        self.method("POST")
    }

    /// Requests that could change the account: POST and DELETE.
    pub fn writes(&self) -> u64 {
        self.method("POST") + self.method("DELETE")
    }

    /// Requests with this method.
    pub fn method(&self, method: &str) -> u64 {
        self.by_method.get(method).copied().unwrap_or(0)
    }

    /// Answers with this HTTP status.
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }

    /// Answers with a 4xx status: the requests the account refused (429 included).
    pub fn client_errors(&self) -> u64 {
        self.by_status.range(400..500).map(|(_, n)| n).sum()
    }

    /// Requests to this route, e.g. `POST /v1/prices`.
    pub fn route(&self, route: &str) -> u64 {
        self.by_route.get(route).copied().unwrap_or(0)
    }
}

/// The live counters, shared by every connection.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    stats: Mutex<Tallies>,
}

/// The totals and each account's counters.
#[derive(Debug, Default)]
struct Tallies {
    total: RequestStats,
    platform: RequestStats,
    connected: HashMap<String, RequestStats>,
}

impl Tallies {
    /// The totals, and the counters of the account the request acted on, if it is held.
    fn each(&mut self, scope: Option<&Scope>) -> impl Iterator<Item = &mut RequestStats> {
        let own = match scope {
            None => None,
            Some(Scope::Platform) => Some(&mut self.platform),
            Some(Scope::Connected(id)) => Some(self.connected.entry(id.clone()).or_default()),
        };
        std::iter::once(&mut self.total).chain(own)
    }
}

impl Counters {
    /// Counts a request received, under the account it acts on (`None`: one not held).
    pub fn record(&self, method: &str, route_key: &str, scope: Option<&Scope>) {
        let mut tallies = self.lock();
        for stats in tallies.each(scope) {
            stats.total += 1;
            *stats.by_method.entry(method.to_owned()).or_default() += 1;
            *stats.by_route.entry(route_key.to_owned()).or_default() += 1;
        }
    }

    /// Counts the answer to a request already counted by `record`.
    pub fn record_status(&self, status: u16, scope: Option<&Scope>) {
        let mut tallies = self.lock();
        for stats in tallies.each(scope) {
            *stats.by_status.entry(status).or_default() += 1;
        }
    }

    /// The totals.
    pub fn snapshot(&self) -> RequestStats {
        self.lock().total.clone()
    }

    /// One account's counters (zero for an account that has had no request).
    pub fn snapshot_of(&self, scope: &Scope) -> RequestStats {
        let tallies = self.lock();
        match scope {
            Scope::Platform => tallies.platform.clone(),
            Scope::Connected(id) => tallies.connected.get(id).cloned().unwrap_or_default(),
        }
    }

    /// Zeroes every counter, the totals and each account's.
    pub fn reset(&self) {
        *self.lock() = Tallies::default();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Tallies> {
        self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_in_the_totals_and_under_its_account() {
        let counters = Counters::default();
        let a = Scope::Connected("acct_a".into());
        counters.record("POST", "POST /v1/products", Some(&a));
        counters.record_status(200, Some(&a));
        counters.record("GET", "GET /v1/products", Some(&Scope::Platform));
        counters.record("GET", "GET /v1/products", None);
        assert_eq!(counters.snapshot().total, 3);
        assert_eq!(counters.snapshot_of(&a).writes(), 1);
        assert_eq!(counters.snapshot_of(&a).status(200), 1);
        assert_eq!(counters.snapshot_of(&Scope::Platform).total, 1);
        let b = Scope::Connected("acct_b".into());
        assert_eq!(counters.snapshot_of(&b), RequestStats::default());
        counters.reset();
        assert_eq!(counters.snapshot_of(&a).total, 0);
    }
}
