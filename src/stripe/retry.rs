//! When to retry a request and how long to wait first.
//!
//! The rules follow Stripe's SDKs (stripe-python `_http_client.py`): `Stripe-Should-Retry`
//! decides when present; otherwise network errors, timeouts, 409 (a concurrent request on the
//! same object or idempotency key), 429 and 5xx are retried. The backoff starts at 0.5 s,
//! doubles, is capped at 5 s, and keeps a random 50–100 % of that so that many clients
//! throttled together do not come back together. Retrying is bounded twice: by attempts, and
//! by the total time spent on one request, so an outage ends the run instead of hanging it.

use std::time::Duration;

use rand::Rng;

/// How persistently one request is retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included. 1 means no retry.
    pub max_attempts: u32,
    /// The delay before the first retry, before jitter.
    pub initial_backoff: Duration,
    /// The most the delay grows to, before jitter.
    pub max_backoff: Duration,
    /// No retry is started once this much time has passed since the first attempt (nor when
    /// the backoff would end past it).
    pub max_total: Duration,
}

impl Default for RetryPolicy {
    /// 10 attempts within 2 minutes. Ten rather than the SDKs' 3: billingctl's applies run at
    /// the rate limit, where 429s are routine, and a campaign is thousands of writes, so a
    /// small per-request failure probability would otherwise fail large runs (at a 20 % fault
    /// rate, 0.2^10 per request keeps a 1,000-write apply's odds of a give-up near 1 in 10,000;
    /// the 5 s backoff cap bounds the wait at about 35 s).
    fn default() -> Self {
        Self {
            max_attempts: 10,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(5),
            max_total: Duration::from_secs(120),
        }
    }
}

/// How one attempt ended, as far as retrying is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// An HTTP answer with this status and this `Stripe-Should-Retry` header, if any.
    Status {
        status: u16,
        should_retry: Option<bool>,
    },
    /// No usable answer: connection failure, dropped connection, timeout.
    Network,
}

/// Whether the request may be sent again after this outcome (ignoring the budget).
pub fn is_retryable(outcome: Outcome) -> bool {
    match outcome {
        Outcome::Network => true,
        Outcome::Status {
            should_retry: Some(forced),
            ..
        } => forced,
        Outcome::Status { status, .. } => status == 409 || status == 429 || status >= 500,
    }
}

/// Parses `Stripe-Should-Retry` (`true` / `false`); anything else counts as absent.
pub fn parse_should_retry(value: Option<&str>) -> Option<bool> {
    match value.map(str::trim) {
        Some(v) if v.eq_ignore_ascii_case("true") => Some(true),
        Some(v) if v.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    }
}

impl RetryPolicy {
    /// The delay before retry number `retry` (1 = the first retry), before jitter:
    /// `initial * 2^(retry-1)`, capped at `max_backoff`.
    pub fn base_delay(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1).min(20));
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }

    /// The delay before retry number `retry`: a random 50–100 % of the base delay, and at
    /// least `Retry-After` when the server sent one that fits under the cap.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>, rng: &mut impl Rng) -> Duration {
        let base = self.base_delay(retry);
        let jittered = base.mul_f64(rng.gen_range(0.5..=1.0));
        match retry_after {
            Some(wait) if wait <= self.max_backoff => jittered.max(wait),
            _ => jittered,
        }
    }

    /// Whether another attempt fits: `attempts` made so far, `elapsed` since the first began,
    /// and the `delay` to wait before the next one.
    pub fn allows_another(&self, attempts: u32, elapsed: Duration, delay: Duration) -> bool {
        attempts < self.max_attempts && elapsed + delay < self.max_total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::rngs::SmallRng;
    use rand::SeedableRng;

    #[test]
    fn base_delay_doubles_from_half_a_second_and_caps_at_five() {
        let policy = RetryPolicy::default();
        let secs: Vec<f64> = (1..=7)
            .map(|n| policy.base_delay(n).as_secs_f64())
            .collect();
        assert_eq!(secs, vec![0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]);
        assert_eq!(policy.base_delay(1_000), Duration::from_secs(5));
    }

    #[test]
    fn jittered_delay_stays_between_half_and_all_of_the_base() {
        let policy = RetryPolicy::default();
        let mut rng = SmallRng::seed_from_u64(7);
        for retry in 1..=10 {
            let base = policy.base_delay(retry);
            for _ in 0..200 {
                let delay = policy.delay(retry, None, &mut rng);
                assert!(delay >= base / 2, "{delay:?} < half of {base:?}");
                assert!(delay <= base, "{delay:?} > {base:?}");
            }
        }
    }

    #[test]
    fn retry_after_is_honoured_only_under_the_cap() {
        let policy = RetryPolicy::default();
        let mut rng = SmallRng::seed_from_u64(1);
        let wait = Duration::from_secs(3);
        assert!(policy.delay(1, Some(wait), &mut rng) >= wait);
        let huge = Duration::from_secs(3600);
        assert!(policy.delay(1, Some(huge), &mut rng) <= Duration::from_millis(500));
    }

    #[test]
    fn retryable_statuses_and_the_should_retry_header() {
        let status = |status, should_retry| Outcome::Status {
            status,
            should_retry,
        };
        for code in [409, 429, 500, 502, 503, 504] {
            assert!(is_retryable(status(code, None)), "{code}");
        }
        for code in [400, 401, 402, 403, 404] {
            assert!(!is_retryable(status(code, None)), "{code}");
        }
        assert!(!is_retryable(status(500, Some(false))));
        assert!(!is_retryable(status(429, Some(false))));
        assert!(is_retryable(status(400, Some(true))));
        assert!(is_retryable(Outcome::Network));
        assert_eq!(parse_should_retry(Some("true")), Some(true));
        assert_eq!(parse_should_retry(Some(" False ")), Some(false));
        assert_eq!(parse_should_retry(Some("maybe")), None);
        assert_eq!(parse_should_retry(None), None);
    }

    #[test]
    fn budget_bounds_attempts_and_total_time() {
        let policy = RetryPolicy {
            max_attempts: 3,
            max_total: Duration::from_secs(10),
            ..RetryPolicy::default()
        };
        let second = Duration::from_secs(1);
        assert!(policy.allows_another(1, Duration::ZERO, second));
        assert!(policy.allows_another(2, Duration::ZERO, second));
        assert!(!policy.allows_another(3, Duration::ZERO, second));
        assert!(!policy.allows_another(1, Duration::from_secs(9), second));
        assert!(policy.allows_another(1, Duration::from_millis(8_900), second));
    }
}
