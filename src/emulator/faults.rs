//! The knobs for tests and benchmarks: added latency, a requests-per-second limit answered with
//! 429 (over all requests, and per named operation such as `POST /v1/promotion_codes`, as
//! Stripe limits both: NOTES.md, "Rate limits"), and seeded random faults (429s, 500s before any change, lost answers after the change).
//! The rate limits hold per account: Stripe limits the requests of an account, and a request
//! with `Stripe-Account` is made as the connected account it names, so the platform and each
//! connected account have windows of their own. (Stripe's docs state the limits without
//! saying how a platform's calls for its accounts are counted; per account is the premise of
//! billingctl's pacing too, one client per account.)
//! All off by default. One seeded generator serves every draw, so a sequential run with the
//! same `--seed` meets the same faults at the same requests.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::error::ErrorResponse;
use super::knobs::EmulatorKnobs;
use super::routes::Route;

/// The fault injector shared by every connection.
#[derive(Debug)]
pub(crate) struct Faults {
    knobs: EmulatorKnobs,
    rng: Mutex<SmallRng>,
    /// When the requests admitted in the last second arrived (with a rate limit), over all
    /// requests and per named operation, per account (`None`: the platform).
    windows: Mutex<HashMap<Option<String>, Windows>>,
}

#[derive(Debug, Default)]
struct Windows {
    all: VecDeque<Instant>,
    operations: HashMap<String, VecDeque<Instant>>,
}

impl Faults {
    pub fn new(knobs: EmulatorKnobs) -> Self {
        Faults {
            rng: Mutex::new(SmallRng::seed_from_u64(knobs.seed)),
            knobs,
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// The latency to add before answering, if any.
    pub fn latency(&self) -> Option<Duration> {
        (self.knobs.latency_ms > 0).then(|| Duration::from_millis(self.knobs.latency_ms))
    }

    /// The fault that answers this request before it reaches the account, if any: the rate
    /// limiter's refusal first (`admitted` is what [`Faults::admit`] decided when the request
    /// arrived; Stripe's limiter runs before everything else), then the seeded 429s, then the
    /// seeded 500s.
    pub fn before_handling(&self, admitted: bool) -> Option<ErrorResponse> {
        if !admitted {
            return Some(ErrorResponse::rate_limited());
        }
        if self.draw(self.knobs.rate_limit_error_rate) {
            return Some(ErrorResponse::rate_limited());
        }
        if self.draw(self.knobs.error_rate) {
            return Some(ErrorResponse::internal());
        }
        None
    }

    /// Whether the answer to this committed write is lost (the connection is dropped).
    pub fn lose_answer(&self) -> bool {
        self.draw(self.knobs.lost_rate)
    }

    /// The rate limiter, as a request of `method` on `route` arrives at `now`: true unless a
    /// limit is on and full. `account` is the connected account it acts on (`None`: the
    /// platform), whose windows it is counted in.
    pub fn admit(&self, method: &str, route: &Route, account: Option<&str>, now: Instant) -> bool {
        let limited = self.knobs.rate_limit > 0 || self.knobs.endpoint_rate_limit > 0;
        !limited || self.admit_operation(account, &route.counter_key(method), now)
    }

    /// Sliding one-second windows of one account: a request is admitted while fewer than
    /// `rate_limit` requests were admitted in the second before it, and fewer than
    /// `endpoint_rate_limit` of its operation (a limit of 0 is off). Refused requests do not
    /// count.
    fn admit_operation(&self, account: Option<&str>, operation: &str, now: Instant) -> bool {
        let mut windows = self.windows.lock().unwrap_or_else(|e| e.into_inner());
        let windows = windows.entry(account.map(str::to_owned)).or_default();
        let Windows { all, operations } = windows;
        let own = operations.entry(operation.to_owned()).or_default();
        for window in [&mut *all, &mut *own] {
            while window
                .front()
                .is_some_and(|&t| now.duration_since(t) >= Duration::from_secs(1))
            {
                window.pop_front();
            }
        }
        let full =
            |window: &VecDeque<Instant>, limit: u32| limit > 0 && window.len() >= limit as usize;
        if full(all, self.knobs.rate_limit) || full(own, self.knobs.endpoint_rate_limit) {
            return false;
        }
        all.push_back(now);
        own.push_back(now);
        true
    }

    /// True with probability `rate`; draws nothing when the knob is off.
    fn draw(&self, rate: f64) -> bool {
        if rate <= 0.0 {
            return false;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        rng.gen::<f64>() < rate
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_admits_n_per_second() {
        let faults = Faults::new(EmulatorKnobs {
            rate_limit: 2,
            ..EmulatorKnobs::default()
        });
        let t0 = Instant::now();
        let op = "POST /v1/products";
        assert!(faults.admit_operation(None, op, t0));
        assert!(faults.admit_operation(None, op, t0 + Duration::from_millis(10)));
        assert!(!faults.admit_operation(None, op, t0 + Duration::from_millis(20)));
        assert!(faults.admit_operation(None, op, t0 + Duration::from_millis(1000)));
        assert!(faults.admit_operation(None, op, t0 + Duration::from_millis(1010)));
        assert!(!faults.admit_operation(None, op, t0 + Duration::from_millis(1020)));
    }

    #[test]
    fn the_endpoint_limit_counts_each_operation_apart_under_the_global_one() {
        let faults = Faults::new(EmulatorKnobs {
            rate_limit: 3,
            endpoint_rate_limit: 2,
            ..EmulatorKnobs::default()
        });
        let t0 = Instant::now();
        let at = |n: u64| t0 + Duration::from_millis(n);
        let (codes, coupons) = ("POST /v1/promotion_codes", "POST /v1/coupons");
        assert!(faults.admit_operation(None, codes, at(0)));
        assert!(faults.admit_operation(None, codes, at(1)));
        assert!(
            !faults.admit_operation(None, codes, at(2)),
            "the endpoint's limit"
        );
        assert!(
            faults.admit_operation(None, coupons, at(3)),
            "another endpoint is not slowed"
        );
        assert!(
            !faults.admit_operation(None, coupons, at(4)),
            "the global limit"
        );
        assert!(faults.admit_operation(None, codes, at(1000)));
    }

    #[test]
    fn each_account_has_windows_of_its_own() {
        let faults = Faults::new(EmulatorKnobs {
            rate_limit: 1,
            ..EmulatorKnobs::default()
        });
        let t0 = Instant::now();
        let op = "POST /v1/products";
        assert!(faults.admit_operation(None, op, t0));
        assert!(!faults.admit_operation(None, op, t0));
        assert!(
            faults.admit_operation(Some("acct_a"), op, t0),
            "a connected account"
        );
        assert!(
            faults.admit_operation(Some("acct_b"), op, t0),
            "another one"
        );
        assert!(!faults.admit_operation(Some("acct_a"), op, t0));
    }
}
