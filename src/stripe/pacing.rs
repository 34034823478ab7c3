//! Pacing: how fast and how many requests go out, shared by every clone of a client.
//!
//! Stripe limits requests per account (25/s test mode, 100/s live) and per named operation
//! (method + route, e.g. `POST /v1/promotion_codes`: 25/s unless stated otherwise; NOTES.md,
//! "Rate limits"). So every request passes two rate buckets, its endpoint's and the global
//! one, and two in-flight windows, its endpoint's and the global one:
//!
//! - [`RateBucket`] spaces request starts evenly at a rate, like a token bucket of depth one
//!   (Stripe counts per second, so a burst would buy nothing but 429s). A 429 cuts the rate
//!   of the bucket it came through by a fifth (at most once per second, so a burst of 429s from requests
//!   already in flight is one signal), which then grows back additively (AIMD, as TCP does).
//!   A 429 on one endpoint slows that endpoint only.
//! - [`StartLog`] keeps the actual starts of a flow's last `limit` requests, and holds a
//!   request back while that many started within a second (and a margin) before it. The
//!   buckets hand out slots ahead of time; a task that wakes late from its wait, followed by
//!   ones that wake on time, would otherwise put `limit + 1` starts in one second.
//! - [`Window`] sizes the requests in flight from the measured round trip and the target rate
//!   (Little's law: in flight = rate × round trip), so the rate is reached whatever the
//!   latency. It grows by one per answer until it holds what the rate needs, halves on a 429,
//!   and shrinks by a quarter when the smoothed round trip climbs past twice the lowest seen
//!   (queueing at the server: Vegas' signal). `--concurrency` only caps it.
//!
//! Both are arithmetic with the time passed in, tested on a simulated clock; [`Pacer`] puts
//! them behind one lock and sleeps on tokio's timer.
//!
//! A Connect platform runs one client per connected account (Stripe limits each account on
//! its own), so each paces on its own. What bounds them together is a [`SharedLimit`]: a cap
//! on request starts per second and on requests in flight that several clients hold, for a
//! platform-wide budget across all its accounts. It does not adapt (a 429 is one account's
//! signal, handled by that account's pacer): it only caps.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

/// The pacer aims this fraction below the configured rate, so that jitter after a request
/// leaves (the network, the server's own scheduling: a request that arrives a few ms late,
/// the next one on time) never puts `max_rps + 1` requests in one second. (Jitter before it
/// leaves, the client's own timers, is the [`StartLog`]'s.)
const HEADROOM: f64 = 0.97;
/// The start log keeps `limit` starts of a flow at least this far apart: Stripe counts any
/// second (the emulator's sliding window does), and a request that reaches it a little later
/// than it left, after one that did not, must still count in a second of its own. Below the
/// headroom's slack (`limit` slots span 1 / HEADROOM ≈ 1.031 s), so starts on time never wait.
const LOG_SPAN: Duration = Duration::from_millis(1_020);
/// Limits above this are not logged: far past any of Stripe's (100/s live), they are a
/// local emulator's "unlimited" (the sandbox's u32::MAX), and a log would keep every start.
const MAX_LOGGED_RPS: u32 = 10_000;
/// 429s closer together than this are one slowdown, not several.
const CUT_COOLDOWN: Duration = Duration::from_secs(1);
/// A 429 cuts the rate to this fraction. Not a half: against a sliding one-second window the
/// usual 429 is one request sent a few ms early (timer jitter), and a half costs five seconds
/// of recovery; a fifth off recovers in two, and repeated cuts still converge on a lower limit.
const CUT_TO: f64 = 0.8;
/// After a slowdown, the rate grows back by this fraction of the configured rate per second.
const RECOVERY_PER_SEC: f64 = 0.1;
/// The rate never drops below this many requests per second.
const MIN_RPS: f64 = 1.0;

/// Stripe's default limit for one named operation (NOTES.md: "individual endpoints are
/// limited to 25 requests per second unless stated otherwise").
pub const DEFAULT_ENDPOINT_RPS: u32 = 25;
/// The default cap on requests in flight: the window itself follows the rate and the round
/// trip; 64 holds 100 req/s up to a 600 ms round trip with the margin below.
pub const DEFAULT_CONCURRENCY_CAP: usize = 64;
/// The window starts here and grows by one per answer: doubling per round trip, as TCP's slow
/// start does, so 100 req/s at 400 ms is reached in about a second. 16 rather than the old
/// fixed 8: a run's first round trip is the plan's reads, one list per kind and a few second
/// passes (12 with eleven kinds), which 8 split over two round trips (0.4 s at 400 ms). The
/// rate buckets still space the starts; the window only bounds what is in flight.
const INITIAL_WINDOW: f64 = 16.0;
/// The window holds this much more than Little's law asks, for round-trip jitter: requests
/// that wait for their rate slot hold a place too.
const WINDOW_MARGIN: f64 = 1.5;
/// Weight of a new sample in the smoothed round trip (TCP's 1/8).
const RTT_GAIN: f64 = 0.125;
/// Latency counts as rising past this multiple of the lowest round trip seen.
const LATENCY_RISE: f64 = 2.0;
/// Samples needed before rising latency is believed.
const MIN_SAMPLES: u32 = 8;
/// On rising latency the window keeps this fraction.
const LATENCY_CUT: f64 = 0.75;

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

    /// Stripe answered 429: cut the rate by a fifth, unless that was just done.
    pub fn throttled(&mut self, now: Instant) {
        self.recover(now);
        if let Some(cut) = self.last_cut {
            if now.saturating_duration_since(cut) < CUT_COOLDOWN {
                return;
            }
        }
        self.rps = (self.rps * CUT_TO).max(MIN_RPS.min(self.max_rps));
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

/// The actual starts of one flow's last `limit` requests. The bucket hands out slots ahead of
/// time, but a task may wake late from its wait (a loaded machine delays timers by tens of
/// ms) while the next ones wake on time: measured from its slot, the next `limit` requests
/// then start within less than a second of it. So each request passes the log as it goes
/// out, and waits while `limit` others started within [`LOG_SPAN`] before it.
#[derive(Debug)]
pub struct StartLog {
    limit: usize,
    starts: VecDeque<Instant>,
}

impl StartLog {
    /// A log for a limit of `limit` starts per second (at least 1; above
    /// [`MAX_LOGGED_RPS`], a log that holds nothing back).
    pub fn new(limit: u32) -> Self {
        Self {
            limit: limit.max(1) as usize,
            starts: VecDeque::new(),
        }
    }

    /// How long a request must wait before it starts at `now`: none while fewer than `limit`
    /// started in the last [`LOG_SPAN`].
    pub fn wait(&self, now: Instant) -> Duration {
        match self.starts.front() {
            Some(&oldest) if self.starts.len() >= self.limit => {
                (oldest + LOG_SPAN).saturating_duration_since(now)
            }
            _ => Duration::ZERO,
        }
    }

    /// A request started at `now`.
    pub fn record(&mut self, now: Instant) {
        if self.limit > MAX_LOGGED_RPS as usize {
            return;
        }
        // Kept in order even if two callers read the clock in one order and lock in the other.
        let now = self.starts.back().map_or(now, |&last| now.max(last));
        self.starts.push_back(now);
        while self.starts.len() > self.limit {
            self.starts.pop_front();
        }
    }
}

/// The in-flight window of one flow (an endpoint, or all requests): Little's law for the
/// target, AIMD around it.
#[derive(Debug)]
pub struct Window {
    cap: f64,
    limit: f64,
    srtt: Option<f64>,
    min_rtt: Option<f64>,
    samples: u32,
    last_cut: Option<Instant>,
}

impl Window {
    /// A window capped at `cap` requests in flight (at least 1).
    pub fn new(cap: usize) -> Self {
        let cap = cap.max(1) as f64;
        Self {
            cap,
            limit: INITIAL_WINDOW.min(cap),
            srtt: None,
            min_rtt: None,
            samples: 0,
            last_cut: None,
        }
    }

    /// Requests that may be in flight now.
    pub fn limit(&self) -> usize {
        // A hair of slack so that 75.999… (0.4 s is not exact in binary) counts as 76.
        (self.limit + 1e-6).floor().max(1.0) as usize
    }

    /// The smoothed round trip, once measured.
    pub fn srtt(&self) -> Option<Duration> {
        self.srtt.map(Duration::from_secs_f64)
    }

    /// What Little's law asks for at `rps` with the current round trip, margin included.
    pub fn needed(&self, rps: f64) -> Option<f64> {
        self.srtt.map(|rtt| rps * rtt * WINDOW_MARGIN + 1.0)
    }

    /// An answer came back after `rtt`; the flow's target rate is `rps`.
    pub fn answered(&mut self, rtt: Duration, rps: f64, now: Instant) {
        let rtt = rtt.as_secs_f64();
        let srtt = match self.srtt {
            Some(s) => s + RTT_GAIN * (rtt - s),
            None => rtt,
        };
        self.srtt = Some(srtt);
        let min = self.min_rtt.map_or(rtt, |m| m.min(rtt));
        self.min_rtt = Some(min);
        self.samples = self.samples.saturating_add(1);
        if self.samples >= MIN_SAMPLES && srtt > LATENCY_RISE * min && self.may_cut(now) {
            self.limit = (self.limit * LATENCY_CUT).max(1.0);
            self.last_cut = Some(now);
            // A lasting change of latency (not queueing) becomes the new baseline after a
            // few cuts, instead of cutting forever.
            self.min_rtt = Some((min + srtt) / 2.0);
            return;
        }
        let needed = self.needed(rps).unwrap_or(self.cap).min(self.cap);
        if self.limit < needed {
            self.limit = (self.limit + 1.0).min(needed.max(1.0));
        } else if self.limit > needed + 1.0 {
            // The rate fell (a 429 elsewhere) or the round trip shrank: follow it down slowly.
            self.limit = (self.limit - 1.0).max(needed).max(1.0);
        }
    }

    /// Stripe answered 429: halve the window, unless that was just done.
    pub fn throttled(&mut self, now: Instant) {
        if self.may_cut(now) {
            self.limit = (self.limit / 2.0).max(1.0);
            self.last_cut = Some(now);
        }
    }

    fn may_cut(&self, now: Instant) -> bool {
        self.last_cut.map_or(true, |cut| {
            now.saturating_duration_since(cut) >= CUT_COOLDOWN
        })
    }
}

/// The limits the pacer enforces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PacingConfig {
    /// Request starts per second over all endpoints.
    pub max_rps: u32,
    /// Request starts per second of one named operation (capped by `max_rps`).
    pub endpoint_rps: u32,
    /// Requests in flight at most, over all endpoints; the windows adapt below it.
    pub max_concurrency: usize,
}

/// One flow's state: its rate, its window, what it has in flight.
#[derive(Debug)]
struct Flow {
    bucket: RateBucket,
    starts: StartLog,
    window: Window,
    in_flight: usize,
}

impl Flow {
    fn new(rps: u32, cap: usize, now: Instant) -> Self {
        Self {
            bucket: RateBucket::new(rps, now),
            starts: StartLog::new(rps),
            window: Window::new(cap),
            in_flight: 0,
        }
    }

    fn has_room(&self) -> bool {
        self.in_flight < self.window.limit()
    }
}

#[derive(Debug)]
struct State {
    global: Flow,
    endpoints: HashMap<String, Flow>,
}

/// The shared limiter of one client.
#[derive(Debug)]
pub struct Pacer {
    config: PacingConfig,
    state: Mutex<State>,
    /// Woken whenever a place in a window frees up.
    freed: Notify,
}

/// Leave to send one request on an endpoint: holds its places in the windows until dropped.
#[derive(Debug)]
pub struct Permit<'a> {
    pacer: &'a Pacer,
    endpoint: String,
    sent: Option<Instant>,
}

impl Permit<'_> {
    /// The request goes out: waits while its endpoint's start log or the global one holds
    /// it back (only after a late start, see [`StartLog`]), records the start in both, and
    /// measures the round trip from here. Call it right before sending.
    pub async fn start(&mut self) {
        loop {
            let wait = self.pacer.start_at(&self.endpoint, Instant::now());
            if wait.is_zero() {
                break;
            }
            tokio::time::sleep(wait).await;
        }
        self.sent = Some(Instant::now());
    }

    /// The answer came: feeds the round trip to both windows.
    pub fn answered(&self) {
        if let Some(sent) = self.sent {
            self.pacer
                .answered(&self.endpoint, sent.elapsed(), Instant::now());
        }
    }

    /// The answer was a 429: slows this endpoint down.
    pub fn throttled(&self) {
        self.pacer.throttled(&self.endpoint, Instant::now());
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.pacer.release(&self.endpoint);
    }
}

impl Pacer {
    /// A pacer for these limits (each at least 1).
    pub fn new(config: PacingConfig) -> Self {
        let config = PacingConfig {
            max_rps: config.max_rps.max(1),
            endpoint_rps: config.endpoint_rps.max(1),
            max_concurrency: config.max_concurrency.max(1),
        };
        let now = Instant::now();
        Self {
            state: Mutex::new(State {
                global: Flow::new(config.max_rps, config.max_concurrency, now),
                endpoints: HashMap::new(),
            }),
            config,
            freed: Notify::new(),
        }
    }

    /// Waits for a place in the endpoint's window and the global one, then for the
    /// endpoint's next start time, then for the global one. The global slot is reserved only
    /// once the endpoint's has come, so one slow endpoint never holds back the others.
    /// [`Permit::start`] then passes the start logs, right before the request goes out.
    pub async fn acquire(&self, endpoint: &str) -> Permit<'_> {
        let wait = loop {
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            {
                let mut state = self.state();
                let now = Instant::now();
                let State { global, endpoints } = &mut *state;
                let flow = self.flow(endpoints, endpoint, now);
                if flow.has_room() && global.has_room() {
                    flow.in_flight += 1;
                    global.in_flight += 1;
                    break flow.bucket.reserve(now);
                }
            }
            freed.await;
        };
        // From here the permit holds the places: a cancelled wait gives them back.
        let permit = Permit {
            pacer: self,
            endpoint: endpoint.to_owned(),
            sent: None,
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        let wait = self.state().global.bucket.reserve(Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
        permit
    }

    /// The most requests ever in flight at once (the windows' cap).
    pub fn max_in_flight(&self) -> usize {
        self.config.max_concurrency
    }

    /// How many requests of `endpoint` may be in flight now, and how many over all: what a
    /// scheduler should keep started, so that its tasks do not queue inside the pacer.
    pub fn windows(&self, endpoint: &str) -> (usize, usize) {
        let mut state = self.state();
        let State { global, endpoints } = &mut *state;
        let flow = self.flow(endpoints, endpoint, Instant::now());
        (flow.window.limit(), global.window.limit())
    }

    /// The global bucket's current target rate.
    pub fn rps(&self) -> f64 {
        self.state().global.bucket.rps()
    }

    /// The current target rate of one endpoint (below its configured one after 429s).
    pub fn endpoint_rps(&self, endpoint: &str) -> f64 {
        let mut state = self.state();
        let State { global, endpoints } = &mut *state;
        let own = self.flow(endpoints, endpoint, Instant::now()).bucket.rps();
        own.min(global.bucket.rps())
    }

    /// The limits this pacer was built with.
    pub fn config(&self) -> &PacingConfig {
        &self.config
    }

    fn flow<'s>(
        &self,
        endpoints: &'s mut HashMap<String, Flow>,
        endpoint: &str,
        now: Instant,
    ) -> &'s mut Flow {
        if !endpoints.contains_key(endpoint) {
            let rps = self.config.endpoint_rps.min(self.config.max_rps);
            endpoints.insert(
                endpoint.to_owned(),
                Flow::new(rps, self.config.max_concurrency, now),
            );
        }
        endpoints.get_mut(endpoint).expect("just inserted")
    }

    /// A request of `endpoint` would start at `now`: how long it must wait first (for the
    /// endpoint's start log and the global one), or zero, and then it is recorded in both as
    /// started.
    fn start_at(&self, endpoint: &str, now: Instant) -> Duration {
        let mut state = self.state();
        let State { global, endpoints } = &mut *state;
        let flow = self.flow(endpoints, endpoint, now);
        let wait = flow.starts.wait(now).max(global.starts.wait(now));
        if wait.is_zero() {
            flow.starts.record(now);
            global.starts.record(now);
        }
        wait
    }

    fn answered(&self, endpoint: &str, rtt: Duration, now: Instant) {
        let mut state = self.state();
        let State { global, endpoints } = &mut *state;
        let rps = global.bucket.rps();
        global.window.answered(rtt, rps, now);
        if let Some(flow) = endpoints.get_mut(endpoint) {
            let rps = flow.bucket.rps().min(rps);
            flow.window.answered(rtt, rps, now);
        }
        drop(state);
        self.freed.notify_waiters();
    }

    fn throttled(&self, endpoint: &str, now: Instant) {
        let mut state = self.state();
        if let Some(flow) = state.endpoints.get_mut(endpoint) {
            flow.bucket.throttled(now);
            flow.window.throttled(now);
        }
    }

    fn release(&self, endpoint: &str) {
        let mut state = self.state();
        state.global.in_flight = state.global.in_flight.saturating_sub(1);
        if let Some(flow) = state.endpoints.get_mut(endpoint) {
            flow.in_flight = flow.in_flight.saturating_sub(1);
        }
        drop(state);
        self.freed.notify_waiters();
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // The lock is never held across an await or a panic-prone call; a poisoned lock still
        // holds a consistent state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A cap shared by several clients (cheaply cloned; clones are the same cap): at most
/// `max_rps` request starts per second and at most `max_in_flight` requests in flight, over
/// every client that holds it. A platform gives one to the clients of all its connected
/// accounts ([`crate::stripe::Client::for_account`]) to bound what they send together; each
/// client still paces its own account under it.
#[derive(Clone)]
pub struct SharedLimit {
    inner: Arc<Shared>,
}

struct Shared {
    max_rps: Option<u32>,
    max_in_flight: Option<usize>,
    bucket: Option<Mutex<RateBucket>>,
    slots: Option<Arc<Semaphore>>,
    in_flight: AtomicUsize,
    peak: AtomicUsize,
}

/// Leave to send one request under a [`SharedLimit`]: holds its place in flight until dropped.
#[derive(Debug)]
pub struct SharedPermit {
    _slot: Option<OwnedSemaphorePermit>,
    limit: SharedLimit,
}

impl Drop for SharedPermit {
    fn drop(&mut self) {
        self.limit.inner.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}

impl SharedLimit {
    /// A cap of `max_rps` starts per second and `max_in_flight` requests in flight (`None`:
    /// that one is not capped; a zero counts as one).
    pub fn new(max_rps: Option<u32>, max_in_flight: Option<usize>) -> Self {
        let max_rps = max_rps.map(|rps| rps.max(1));
        let max_in_flight = max_in_flight.map(|n| n.max(1));
        Self {
            inner: Arc::new(Shared {
                max_rps,
                max_in_flight,
                bucket: max_rps.map(|rps| Mutex::new(RateBucket::new(rps, Instant::now()))),
                slots: max_in_flight.map(|n| Arc::new(Semaphore::new(n))),
                in_flight: AtomicUsize::new(0),
                peak: AtomicUsize::new(0),
            }),
        }
    }

    /// The cap on starts per second, if any.
    pub fn max_rps(&self) -> Option<u32> {
        self.inner.max_rps
    }

    /// The cap on requests in flight, if any.
    pub fn max_in_flight(&self) -> Option<usize> {
        self.inner.max_in_flight
    }

    /// Requests holding a permit now, over every client.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::Relaxed)
    }

    /// The most requests that held a permit at once so far.
    pub fn peak_in_flight(&self) -> usize {
        self.inner.peak.load(Ordering::Relaxed)
    }

    /// Waits for a place in flight (first come, first served), then for the next start slot.
    /// The place is taken first, so a start slot is never reserved and then left unused.
    pub async fn acquire(&self) -> SharedPermit {
        let slot = match &self.inner.slots {
            // The semaphore is never closed; were it, the request would go uncapped.
            Some(slots) => slots.clone().acquire_owned().await.ok(),
            None => None,
        };
        let now = self.inner.in_flight.fetch_add(1, Ordering::Relaxed) + 1;
        self.inner.peak.fetch_max(now, Ordering::Relaxed);
        let permit = SharedPermit {
            _slot: slot,
            limit: self.clone(),
        };
        if let Some(bucket) = &self.inner.bucket {
            let wait = bucket
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .reserve(Instant::now());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
        }
        permit
    }
}

impl fmt::Debug for SharedLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SharedLimit")
            .field("max_rps", &self.inner.max_rps)
            .field("max_in_flight", &self.inner.max_in_flight)
            .field("in_flight", &self.in_flight())
            .finish()
    }
}

/// The named operation a request belongs to, as Stripe's per-endpoint limits count them:
/// the method and the route, an object's id replaced by `:id` and the query left out
/// (`POST /v1/prices/price_123` → `POST /v1/prices/:id`). The kinds' collections, and
/// Connect's `/v1/accounts` (so that retrieving many accounts is one operation, not one per
/// account).
pub fn endpoint(method: &str, target: &str) -> String {
    let path = target.split_once('?').map_or(target, |(p, _)| p);
    let kinds = crate::kinds::ObjectKind::ALL.map(|kind| kind.table().path);
    for base in kinds.into_iter().chain(["/v1/accounts"]) {
        if let Some(rest) = path.strip_prefix(base) {
            if rest.is_empty() {
                return format!("{method} {base}");
            }
            if let Some(rest) = rest.strip_prefix('/') {
                let tail = rest.split_once('/').map_or("", |(_, t)| t);
                return if tail.is_empty() {
                    format!("{method} {base}/:id")
                } else {
                    format!("{method} {base}/:id/{tail}")
                };
            }
        }
    }
    format!("{method} {path}")
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
    fn a_429_cuts_the_rate_once_per_cooldown_then_it_recovers_additively() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(100, t0);
        bucket.throttled(t0);
        assert_eq!(bucket.rps(), 80.0);
        // More 429s from requests already in flight: one signal.
        bucket.throttled(t0 + ms(300));
        bucket.throttled(t0 + ms(900));
        assert!(
            (bucket.rps() - 80.0 - 0.9 * 10.0).abs() < 1e-9,
            "{}",
            bucket.rps()
        );
        // Past the cooldown a new 429 cuts again: 0.8 × 90.
        let t1 = t0 + ms(1_000);
        bucket.throttled(t1);
        assert!((bucket.rps() - 72.0).abs() < 1e-9, "{}", bucket.rps());
        // +10 req/s per second, capped at the configured rate.
        bucket.reserve(t1 + Duration::from_secs(2));
        assert!((bucket.rps() - 92.0).abs() < 1e-9, "{}", bucket.rps());
        bucket.reserve(t1 + Duration::from_secs(60));
        assert_eq!(bucket.rps(), 100.0);
    }

    #[test]
    fn the_rate_has_a_floor() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(4, t0);
        for i in 0..40 {
            bucket.throttled(t0 + ms(1_000 * i));
        }
        assert!(bucket.rps() >= MIN_RPS);
        assert!(bucket.rps() < 2.0, "{}", bucket.rps());
    }

    #[test]
    fn after_a_cut_new_slots_use_the_slower_spacing() {
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(20, t0);
        bucket.reserve(t0);
        bucket.throttled(t0);
        let first = bucket.reserve(t0);
        let second = bucket.reserve(t0);
        let slow = Duration::from_secs_f64(1.0 / (16.0 * HEADROOM));
        assert!(
            (second - first).abs_diff(slow) < ms(1),
            "{:?}",
            second - first
        );
    }

    #[test]
    fn the_start_log_keeps_a_limit_of_starts_over_a_second_and_the_margin() {
        let t0 = Instant::now();
        let mut log = StartLog::new(3);
        for i in 0..3 {
            assert_eq!(log.wait(t0 + ms(10 * i)), Duration::ZERO);
            log.record(t0 + ms(10 * i));
        }
        // A fourth start waits until the first is a second and the margin old.
        assert_eq!(log.wait(t0 + ms(30)), LOG_SPAN - ms(30));
        assert_eq!(log.wait(t0 + LOG_SPAN), Duration::ZERO);
        log.record(t0 + LOG_SPAN);
        // Now the second start is the oldest of the last three.
        assert_eq!(log.wait(t0 + LOG_SPAN), ms(10));
        assert!(LOG_SPAN > Duration::from_secs(1));
    }

    /// Starts requests of one endpoint at `planned` times (each no earlier than its time)
    /// through the pacer's start log, in time order, as the tasks would: a start the log holds
    /// back comes back when it says. Returns the actual start times, sorted.
    fn start_all(pacer: &Pacer, endpoint: &str, planned: &[Instant]) -> Vec<Instant> {
        let mut pending: Vec<Instant> = planned.to_vec();
        let mut started = Vec::new();
        while !pending.is_empty() {
            pending.sort();
            let at = pending.remove(0);
            let wait = pacer.start_at(endpoint, at);
            if wait.is_zero() {
                started.push(at);
            } else {
                pending.push(at + wait);
            }
        }
        started
    }

    /// The shortest time in which `n` of these sorted starts fall.
    fn tightest(starts: &[Instant], n: usize) -> Duration {
        starts
            .windows(n)
            .map(|w| w[n - 1] - w[0])
            .min()
            .expect("enough starts")
    }

    #[test]
    fn starts_at_their_slots_are_never_held_back() {
        let pacer = Pacer::new(config(100, 25, 64));
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(25, t0);
        let slots: Vec<Instant> = (0..200).map(|_| t0 + bucket.reserve(t0)).collect();
        let codes = "POST /v1/promotion_codes";
        for &slot in &slots {
            assert_eq!(
                pacer.start_at(codes, slot),
                Duration::ZERO,
                "no cost on time"
            );
        }
    }

    #[test]
    fn a_late_start_never_puts_more_than_the_limit_in_a_second() {
        // Live limits: the endpoint's slots are 41 ms apart (25/s with the headroom). The
        // first request's task wakes 60 ms after its slot (a loaded machine), the next ones
        // on time: by their slots alone, 26 requests would start within 990 ms, and Stripe
        // counts any second. The start log, fed the actual starts, holds the 26th back.
        let pacer = Pacer::new(config(100, 25, 64));
        let t0 = Instant::now();
        let mut bucket = RateBucket::new(25, t0);
        let mut planned: Vec<Instant> = (0..60).map(|_| t0 + bucket.reserve(t0)).collect();
        planned[0] += ms(60);
        planned[30] += ms(90);
        let by_slots = {
            let mut sorted = planned.clone();
            sorted.sort();
            tightest(&sorted, 26)
        };
        assert!(by_slots < Duration::from_secs(1), "{by_slots:?}");
        let codes = "POST /v1/promotion_codes";
        let started = start_all(&pacer, codes, &planned);
        assert_eq!(started.len(), 60);
        assert!(
            tightest(&started, 26) >= LOG_SPAN,
            "{:?}",
            tightest(&started, 26)
        );
        // A start held back does not delay the slots after it: the rate is kept.
        assert_eq!(started.last(), planned.last());
        let held = started.iter().filter(|t| !planned.contains(t)).count();
        assert!(held < 10, "{held} of 60 held back");
    }

    #[test]
    fn the_global_start_log_counts_every_endpoint() {
        // Three starts a second over all: three endpoints each start once, the fourth (any
        // endpoint) waits until the first is a second and the margin old.
        let pacer = Pacer::new(config(3, 25, 64));
        let t0 = Instant::now();
        for (i, endpoint) in ["POST /v1/a", "POST /v1/b", "POST /v1/c"]
            .iter()
            .enumerate()
        {
            assert_eq!(pacer.start_at(endpoint, t0 + ms(i as u64)), Duration::ZERO);
        }
        assert_eq!(pacer.start_at("POST /v1/d", t0 + ms(5)), LOG_SPAN - ms(5));
        assert_eq!(pacer.start_at("POST /v1/d", t0 + LOG_SPAN), Duration::ZERO);
    }

    fn config(max_rps: u32, endpoint_rps: u32, cap: usize) -> PacingConfig {
        PacingConfig {
            max_rps,
            endpoint_rps,
            max_concurrency: cap,
        }
    }

    #[test]
    fn a_limit_past_any_of_stripes_keeps_no_log() {
        // A sandbox's "unlimited" rate (u32::MAX): nothing to hold back, nothing kept.
        let t0 = Instant::now();
        let mut log = StartLog::new(u32::MAX);
        for i in 0..1_000 {
            assert_eq!(log.wait(t0 + Duration::from_micros(i)), Duration::ZERO);
            log.record(t0 + Duration::from_micros(i));
        }
        assert!(log.starts.is_empty());
        assert_eq!(StartLog::new(MAX_LOGGED_RPS).limit, MAX_LOGGED_RPS as usize);
    }

    /// Feeds `n` answers of `rtt`, one per `every`, from `t`; returns the time after.
    fn answers(window: &mut Window, n: usize, rtt: Duration, rps: f64, t: Instant) -> Instant {
        let mut now = t;
        for _ in 0..n {
            window.answered(rtt, rps, now);
            now += ms(10);
        }
        now
    }

    #[test]
    fn the_window_grows_to_what_littles_law_asks_at_any_latency() {
        let t0 = Instant::now();
        for (rtt_ms, rps) in [(150, 25.0), (400, 25.0), (150, 100.0), (400, 100.0)] {
            let mut window = Window::new(1_000);
            assert_eq!(window.limit(), INITIAL_WINDOW as usize);
            answers(&mut window, 500, ms(rtt_ms), rps, t0);
            // rate × round trip, with the margin for jitter, plus one.
            let needed = rps * rtt_ms as f64 / 1000.0 * WINDOW_MARGIN + 1.0;
            // Grown to it, or left within the one-request band above it (from the start of 8).
            let floor = needed.floor() as usize;
            assert!(
                (floor..=floor + 1).contains(&window.limit()),
                "{rtt_ms} ms, {rps}/s: {} for {needed}",
                window.limit()
            );
            assert!(
                window.limit() as f64 >= rps * rtt_ms as f64 / 1000.0,
                "enough in flight for the rate"
            );
        }
    }

    #[test]
    fn the_window_grows_one_per_answer_and_stops_at_the_cap() {
        let t0 = Instant::now();
        let mut window = Window::new(20);
        window.answered(ms(400), 100.0, t0);
        assert_eq!(window.limit(), 17);
        window.answered(ms(400), 100.0, t0);
        assert_eq!(window.limit(), 18);
        answers(&mut window, 100, ms(400), 100.0, t0);
        assert_eq!(window.limit(), 20, "--concurrency caps it");
        assert_eq!(Window::new(2).limit(), 2, "the cap bounds the start too");
    }

    #[test]
    fn a_plans_first_reads_go_out_in_one_round_trip() {
        // One list per kind, before any round trip is measured: the first window holds them.
        let kinds = crate::kinds::ObjectKind::ALL.len();
        assert!(
            Window::new(DEFAULT_CONCURRENCY_CAP).limit() > kinds,
            "{} for {kinds} kinds",
            Window::new(DEFAULT_CONCURRENCY_CAP).limit()
        );
    }

    #[test]
    fn a_429_halves_the_window_once_per_cooldown() {
        let t0 = Instant::now();
        let mut window = Window::new(100);
        let t = answers(&mut window, 200, ms(400), 100.0, t0);
        assert_eq!(window.limit(), 61);
        window.throttled(t);
        assert_eq!(window.limit(), 30);
        window.throttled(t + ms(500));
        assert_eq!(window.limit(), 30, "one signal per cooldown");
        window.throttled(t + ms(1_000));
        assert_eq!(window.limit(), 15);
        // It grows back by one per answer.
        answers(&mut window, 5, ms(400), 100.0, t + ms(1_000));
        assert_eq!(window.limit(), 20);
    }

    #[test]
    fn rising_latency_shrinks_the_window_and_a_lasting_change_becomes_the_baseline() {
        let t0 = Instant::now();
        let mut window = Window::new(200);
        let t = answers(&mut window, 100, ms(100), 100.0, t0);
        assert_eq!(window.limit(), 16);
        // The server starts queueing: answers take 5x as long.
        let mut now = t;
        let mut limits = Vec::new();
        for _ in 0..40 {
            window.answered(ms(500), 100.0, now);
            limits.push(window.limit());
            now += ms(100);
        }
        assert!(limits.iter().any(|&l| l < 16), "it backed off: {limits:?}");
        // Once the new latency is the baseline, Little's law decides again: 100/s × 0.5 s.
        let now = answers(&mut window, 400, ms(500), 100.0, now + CUT_COOLDOWN);
        assert_eq!(window.limit(), 76, "{:?}", window.srtt());
        // No cut from steady latency.
        window.answered(ms(500), 100.0, now + Duration::from_secs(5));
        assert_eq!(window.limit(), 76);
    }

    #[test]
    fn a_smaller_rate_shrinks_the_window_slowly() {
        let t0 = Instant::now();
        let mut window = Window::new(200);
        let t = answers(&mut window, 200, ms(400), 100.0, t0);
        assert_eq!(window.limit(), 61);
        window.answered(ms(400), 25.0, t);
        assert_eq!(window.limit(), 60);
        answers(&mut window, 100, ms(400), 25.0, t);
        // Down to what 25/s needs (16), within the one-request band it leaves alone.
        assert!((16..=17).contains(&window.limit()), "{}", window.limit());
    }

    #[test]
    fn endpoints_are_method_and_route() {
        assert_eq!(
            endpoint("POST", "/v1/promotion_codes"),
            "POST /v1/promotion_codes"
        );
        assert_eq!(
            endpoint("POST", "/v1/prices/price_123"),
            "POST /v1/prices/:id"
        );
        assert_eq!(
            endpoint("GET", "/v1/prices?limit=100&active=false"),
            "GET /v1/prices"
        );
        assert_eq!(
            endpoint("POST", "/v1/billing_portal/configurations/bpc_1"),
            "POST /v1/billing_portal/configurations/:id"
        );
        assert_eq!(
            endpoint("DELETE", "/v1/coupons/c1/discount"),
            "DELETE /v1/coupons/:id/discount"
        );
        assert_eq!(endpoint("GET", "/v1/accounts"), "GET /v1/accounts");
        assert_eq!(
            endpoint("GET", "/v1/accounts/acct_1"),
            "GET /v1/accounts/:id"
        );
    }

    #[test]
    fn a_429_on_one_endpoint_slows_that_endpoint_only() {
        let pacer = Pacer::new(config(100, 25, 64));
        let t0 = Instant::now();
        let (codes, prices) = ("POST /v1/promotion_codes", "POST /v1/prices");
        pacer.windows(codes);
        pacer.windows(prices);
        for i in 0..100 {
            pacer.answered(codes, ms(400), t0 + ms(i));
            pacer.answered(prices, ms(400), t0 + ms(i));
        }
        assert_eq!(pacer.windows(codes), (16, 61));
        pacer.throttled(codes, t0 + ms(200));
        let state = pacer.state();
        assert_eq!(state.endpoints[codes].bucket.rps(), 20.0);
        assert_eq!(state.endpoints[codes].window.limit(), 8);
        assert_eq!(state.endpoints[prices].bucket.rps(), 25.0);
        assert_eq!(state.endpoints[prices].window.limit(), 16);
        assert_eq!(state.global.bucket.rps(), 100.0);
        assert_eq!(state.global.window.limit(), 61);
    }

    #[test]
    fn an_endpoint_never_outpaces_the_global_rate() {
        let pacer = Pacer::new(config(10, 25, 8));
        pacer.windows("POST /v1/products");
        let state = pacer.state();
        assert_eq!(state.endpoints["POST /v1/products"].bucket.rps(), 10.0);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_shared_limit_bounds_in_flight_over_every_holder() {
        let limit = SharedLimit::new(None, Some(2));
        let tasks: Vec<_> = (0..12)
            .map(|_| {
                let limit = limit.clone();
                tokio::spawn(async move {
                    let _permit = limit.acquire().await;
                    tokio::time::sleep(ms(5)).await;
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert_eq!(limit.peak_in_flight(), 2);
        assert_eq!(limit.in_flight(), 0, "every place was given back");
        assert_eq!(
            format!("{limit:?}"),
            "SharedLimit { max_rps: None, max_in_flight: Some(2), in_flight: 0 }"
        );
    }

    #[tokio::test]
    async fn a_shared_limit_spaces_starts_at_its_rate() {
        let limit = SharedLimit::new(Some(40), None);
        let started = Instant::now();
        for _ in 0..21 {
            drop(limit.acquire().await);
        }
        // Twenty intervals of 1/(40 × headroom) s: never 21 starts in half a second.
        assert!(started.elapsed() > ms(500), "{:?}", started.elapsed());
        assert_eq!(limit.max_rps(), Some(40));
        assert_eq!(limit.max_in_flight(), None);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn in_flight_is_bounded_by_the_cap() {
        let pacer = Arc::new(Pacer::new(config(10_000, 10_000, 3)));
        let in_flight = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let (pacer, in_flight, peak) = (pacer.clone(), in_flight.clone(), peak.clone());
                tokio::spawn(async move {
                    let endpoint = if i % 2 == 0 { "GET /a" } else { "GET /b" };
                    let mut permit = pacer.acquire(endpoint).await;
                    permit.start().await;
                    let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
                    peak.fetch_max(now, Ordering::SeqCst);
                    tokio::task::yield_now().await;
                    in_flight.fetch_sub(1, Ordering::SeqCst);
                    permit.answered();
                })
            })
            .collect();
        for task in tasks {
            task.await.unwrap();
        }
        assert!(peak.load(Ordering::SeqCst) <= 3);
        let state = pacer.state();
        assert_eq!(state.global.in_flight, 0, "every place was given back");
        assert_eq!(state.endpoints["GET /a"].in_flight, 0);
    }
}
