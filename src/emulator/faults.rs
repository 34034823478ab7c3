//! The knobs for tests and benchmarks: added latency, a requests-per-second limit answered with
//! 429, and seeded random faults (429s, 500s before any change, lost answers after the change).
//! All off by default. One seeded generator serves every draw, so a sequential run with the
//! same `--seed` meets the same faults at the same requests.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};

use super::error::ApiError;
use crate::cli::EmulatorKnobs;

/// Checks the knobs once, before serving: rates are fractions.
pub(crate) fn validate(knobs: &EmulatorKnobs) -> Result<(), String> {
    for (name, rate) in [
        ("--error-rate", knobs.error_rate),
        ("--lost-rate", knobs.lost_rate),
        ("--rate-limit-error-rate", knobs.rate_limit_error_rate),
    ] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!("{name} must be between 0 and 1, got {rate}"));
        }
    }
    Ok(())
}

/// The fault injector shared by every connection.
#[derive(Debug)]
pub(crate) struct Faults {
    knobs: EmulatorKnobs,
    rng: Mutex<SmallRng>,
    /// When the requests admitted in the last second arrived (only with `rate_limit > 0`).
    window: Mutex<VecDeque<Instant>>,
}

impl Faults {
    pub fn new(knobs: EmulatorKnobs) -> Self {
        Faults {
            rng: Mutex::new(SmallRng::seed_from_u64(knobs.seed)),
            knobs,
            window: Mutex::new(VecDeque::new()),
        }
    }

    /// The latency to add before answering, if any.
    pub fn latency(&self) -> Option<Duration> {
        (self.knobs.latency_ms > 0).then(|| Duration::from_millis(self.knobs.latency_ms))
    }

    /// The fault that answers this request before it reaches the account, if any: the rate
    /// limit first (as Stripe's limiter runs before everything else), then the seeded 429s,
    /// then the seeded 500s.
    pub fn before_handling(&self) -> Option<ApiError> {
        if self.knobs.rate_limit > 0 && !self.admit(Instant::now()) {
            return Some(ApiError::rate_limited());
        }
        if self.draw(self.knobs.rate_limit_error_rate) {
            return Some(ApiError::rate_limited());
        }
        if self.draw(self.knobs.error_rate) {
            return Some(ApiError::internal());
        }
        None
    }

    /// Whether the answer to this committed write is lost (the connection is dropped).
    pub fn lose_answer(&self) -> bool {
        self.draw(self.knobs.lost_rate)
    }

    /// A sliding one-second window: a request is admitted while fewer than `rate_limit`
    /// requests were admitted in the second before it. Refused requests do not count.
    fn admit(&self, now: Instant) -> bool {
        let mut window = self.window.lock().unwrap_or_else(|e| e.into_inner());
        while window
            .front()
            .is_some_and(|&t| now.duration_since(t) >= Duration::from_secs(1))
        {
            window.pop_front();
        }
        if window.len() >= self.knobs.rate_limit as usize {
            return false;
        }
        window.push_back(now);
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
        assert!(faults.admit(t0));
        assert!(faults.admit(t0 + Duration::from_millis(10)));
        assert!(!faults.admit(t0 + Duration::from_millis(20)));
        assert!(faults.admit(t0 + Duration::from_millis(1000)));
        assert!(faults.admit(t0 + Duration::from_millis(1010)));
        assert!(!faults.admit(t0 + Duration::from_millis(1020)));
    }

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let knobs = EmulatorKnobs {
            lost_rate: 1.5,
            ..EmulatorKnobs::default()
        };
        assert_eq!(
            validate(&knobs).unwrap_err(),
            "--lost-rate must be between 0 and 1, got 1.5"
        );
    }
}
