//! Request counters: every `/v1` request received is counted by method and by route, whatever
//! the answer (4xx, 429, 5xx and lost responses included), so a test can check that a refused
//! plan made zero writes; and every answer by its HTTP status, so a test can check that a
//! valid plan was applied without one refusal (the property test, `tests/it/property/`). The
//! emulator's own `/_emulator/...` endpoints are not counted.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

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
    stats: Mutex<RequestStats>,
}

impl Counters {
    pub fn record(&self, method: &str, route_key: String) {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        stats.total += 1;
        *stats.by_method.entry(method.to_owned()).or_default() += 1;
        *stats.by_route.entry(route_key).or_default() += 1;
    }

    /// Counts the answer to a request already counted by `record`.
    pub fn record_status(&self, status: u16) {
        let mut stats = self.stats.lock().unwrap_or_else(|e| e.into_inner());
        *stats.by_status.entry(status).or_default() += 1;
    }

    pub fn snapshot(&self) -> RequestStats {
        self.stats.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn reset(&self) {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner()) = RequestStats::default();
    }
}
