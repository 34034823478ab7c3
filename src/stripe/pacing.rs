//! Pacing: how fast and how many requests go out, shared by every clone of a client.
//!
//! Two limits act together. A semaphore bounds the requests in flight (`concurrency`). A rate
//! limiter spaces request starts evenly at `max_rps`, like a token bucket of depth one: Stripe
//! counts requests per second, so a burst would buy nothing but 429s. When Stripe answers 429
//! anyway (another process shares the key, or the limit is lower than configured), the rate is
//! halved, at most once per second so that a burst of 429s from requests already in flight
//! counts as one signal, and then grows back by a tenth of the configured rate per second
//! (additive increase, multiplicative decrease, as TCP does).
//!
//! [`RateBucket`] is the arithmetic, with the time passed in so it can be tested exactly;
//! [`Pacer`] puts it behind a lock and sleeps on tokio's timer.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, SemaphorePermit};

/// The pacer aims this fraction below the configured rate, so that timer jitter (a request
/// sent a few ms late, the next one on time) never puts `max_rps + 1` requests in one second.
const HEADROOM: f64 = 0.97;
/// 429s closer together than this are one slowdown, not several.
const CUT_COOLDOWN: Duration = Duration::from_secs(1);
/// After a slowdown, the rate grows back by this fraction of the configured rate per second.
const RECOVERY_PER_SEC: f64 = 0.1;
/// The rate never drops below this many requests per second.
const MIN_RPS: f64 = 1.0;

/// The rate limiter's state: when the next request may start, and at what rate.
#[derive(Debug)]
pub struct RateBucket {
    max_rps: f64,
    rps: f64,
    next_slot: Option<Instant>,
    last_recovery: Instant,
    last_cut: Option<Instant>,
}

impl RateBucket {
    /// A bucket at its configured rate (`max_rps` ≥ 1).
    pub fn new(max_rps: u32, now: Instant) -> Self {
        let max_rps = f64::from(max_rps.max(1));
        Self {
            max_rps,
            rps: max_rps,
            next_slot: None,
            last_recovery: now,
            last_cut: None,
        }
    }

    /// The current target rate, in requests per second.
    pub fn rps(&self) -> f64 {
        self.rps
    }

    /// Reserves the next start slot; returns how long to wait until it. Slots are handed out
    /// in call order, so waiters are served first come, first served.
    pub fn reserve(&mut self, now: Instant) -> Duration {
        self.recover(now);
        let interval = Duration::from_secs_f64(1.0 / (self.rps * HEADROOM));
        // An idle period does not bank slots: the bucket holds one token at most.
        let slot = match self.next_slot {
            Some(next) if next > now => next,
            _ => now,
        };
        self.next_slot = Some(slot + interval);
        slot - now
    }

    /// Stripe answered 429: halve the rate, unless that was just done.
    pub fn throttled(&mut self, now: Instant) {
        self.recover(now);
        if let Some(cut) = self.last_cut {
            if now.saturating_duration_since(cut) < CUT_COOLDOWN {
                return;
            }
        }
        self.rps = (self.rps / 2.0).max(MIN_RPS.min(self.max_rps));
        self.last_cut = Some(now);
        // Slots already handed out keep their times; later ones use the new spacing.
    }

    /// Additive increase: `RECOVERY_PER_SEC × max_rps` per second since the last look.
    fn recover(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last_recovery);
        self.last_recovery = now.max(self.last_recovery);
        if self.rps < self.max_rps {
            let gain = elapsed.as_secs_f64() * RECOVERY_PER_SEC * self.max_rps;
            self.rps = (self.rps + gain).min(self.max_rps);
        }
    }
}

/// The shared limiter of one client: a rate and a bound on requests in flight.
#[derive(Debug)]
pub struct Pacer {
    bucket: Mutex<RateBucket>,
    slots: Semaphore,
}

/// Leave to send one request: holds a concurrency slot until dropped.
#[derive(Debug)]
pub struct Permit<'a> {
    _slot: SemaphorePermit<'a>,
}

impl Pacer {
    /// `max_rps` request starts per second (at least 1), `concurrency` in flight (at least 1).
    pub fn new(max_rps: u32, concurrency: usize) -> Self {
        Self {
            bucket: Mutex::new(RateBucket::new(max_rps, Instant::now())),
            slots: Semaphore::new(concurrency.max(1)),
        }
    }

    /// Waits for a free slot, then for the next start time.
    pub async fn acquire(&self) -> Permit<'_> {
        let slot = self
            .slots
            .acquire()
            .await
            .expect("the pacer's semaphore is never closed");
        let wait = self.bucket().reserve(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        Permit { _slot: slot }
    }

    /// Reports a 429 so later requests slow down.
    pub fn throttled(&self) {
        self.bucket().throttled(Instant::now());
    }

    /// The current target rate.
    pub fn rps(&self) -> f64 {
        self.bucket().rps()
    }

    /// Requests in flight may not exceed this.
    pub fn available_slots(&self) -> usize {
        self.slots.available_permits()
    }

    fn bucket(&self) -> std::sync::MutexGuard<'_, RateBucket> {
        // The lock is never held across an await or a panic-prone call; a poisoned lock still
        // holds a consistent bucket.
        self.bucket.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn slots_are_spaced_at_the_rate_with_headroom() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(25, t0);
        let waits: Vec<Duration> = (0..26).map(|_| bucket.reserve(t0)).collect();
        assert_eq!(waits[0], Duration::ZERO);
        let interval = Duration::from_secs_f64(1.0 / (25.0 * HEADROOM));
        assert!(interval > ms(40));
        for pair in waits.windows(2) {
            let gap = pair[1] - pair[0];
            assert!(gap.abs_diff(interval) < Duration::from_micros(2), "{gap:?}");
        }
        // The 26th start is more than a second after the first: never 26 in one second.
        assert!(waits[25] > Duration::from_secs(1));
    }

    #[test]
    fn idle_time_does_not_bank_a_burst() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(10, t0);
        assert_eq!(bucket.reserve(t0), Duration::ZERO);
        let later = t0 + Duration::from_secs(60);
        assert_eq!(bucket.reserve(later), Duration::ZERO);
        assert!(bucket.reserve(later) >= ms(100));
    }

    #[test]
    fn a_429_halves_the_rate_once_per_cooldown_then_it_recovers_additively() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(100, t0);
        bucket.throttled(t0);
        assert_eq!(bucket.rps(), 50.0);
        // More 429s from requests already in flight: one signal.
        bucket.throttled(t0 + ms(300));
        bucket.throttled(t0 + ms(900));
        assert!(
            (bucket.rps() - 50.0 - 0.9 * 10.0).abs() < 1e-9,
            "{}",
            bucket.rps()
        );
        // Past the cooldown a new 429 halves again.
        let t1 = t0 + ms(1_000);
        bucket.throttled(t1);
        assert!((bucket.rps() - 30.0).abs() < 1e-9, "{}", bucket.rps());
        // +10 req/s per second, capped at the configured rate.
        bucket.reserve(t1 + Duration::from_secs(2));
        assert!((bucket.rps() - 50.0).abs() < 1e-9, "{}", bucket.rps());
        bucket.reserve(t1 + Duration::from_secs(60));
        assert_eq!(bucket.rps(), 100.0);
    }

    #[test]
    fn the_rate_has_a_floor() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(4, t0);
        for i in 0..10 {
            bucket.throttled(t0 + Duration::from_secs(2 * i));
        }
        assert!(bucket.rps() >= MIN_RPS);
        assert!(bucket.rps() < 1.5, "{}", bucket.rps());
    }

    #[test]
    fn after_a_cut_new_slots_use_the_slower_spacing() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(20, t0);
        bucket.reserve(t0);
        bucket.throttled(t0);
        let first = bucket.reserve(t0);
        let second = bucket.reserve(t0);
        let slow = Duration::from_secs_f64(1.0 / (10.0 * HEADROOM));
        assert!(
            (second - first).abs_diff(slow) < ms(1),
            "{:?}",
            second - first
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn concurrency_is_bounded() {
        let pacer = Arc::new(Pacer::new(10_000, 3));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..24)
            .map(|_| {
                let (pacer, in_flight, peak) = (pacer.clone(), in_flight.clone(), peak.clone());
                tokio::spawn(async move {
                    let _permit = pacer.acquire().await;
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(ms(5)).await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), 3);
        assert_eq!(pacer.available_slots(), 3);
    }
}
