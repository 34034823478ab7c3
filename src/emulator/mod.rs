//! A Stripe-faithful emulator of the catalog endpoints (every kind of `crate::kinds`, one
//! `objects/<kind>.rs` each), held to Stripe's behaviour (strict params from the
//! one field table, Stripe's object shapes, ids, errors, lists, idempotency), with knobs for
//! latency, rate limits and faults, request counters, and an optional state file. A Connect
//! platform: `POST /v1/accounts` creates connected accounts, and `Stripe-Account` selects one,
//! each with its own objects, idempotency keys, rate-limit windows and counters.
//!
//! Entry points: [`serve`] (for `billingctl emulator`) and [`start`] (its own thread and
//! runtime: tests, benchmarks and `--sandbox`). See `docs/EMULATOR.md`.
//!
//! Modules: `connections` (accept loop, timeouts, bound), `server` (HTTP pipeline, auth,
//! headers), `routes` (from the registry), `params` (generic param checks against the field
//! table), `merge`, `objects` (the registry of emulated kinds: one module per kind, and the
//! generic endpoints), `list`, `idempotency`, `knobs`, `faults`, `stats`, `store` (one
//! account's objects and their indexes, per kind), `accounts` (the platform and its
//! connected accounts, each with its store), `connect` (the `/v1/accounts` endpoints),
//! `persist`.

mod accounts;
mod connect;
mod connections;
mod error;
mod faults;
mod idempotency;
mod knobs;
mod list;
mod merge;
mod objects;
mod params;
mod persist;
mod routes;
mod server;
mod stats;
mod store;

use crate::stripe::form;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tokio::sync::oneshot;

use self::accounts::{Accounts, Scope};
pub use self::connections::ConnectionLimits;
use self::faults::Faults;
pub use self::knobs::EmulatorKnobs;
use self::persist::{Persister, Wal};
use self::server::Shared;
use self::stats::Counters;
pub use self::stats::RequestStats;
use crate::clock::Clock;

/// How to run an emulator. `Default` is every knob off and the account in memory only.
#[derive(Clone, Debug, Default)]
pub struct EmulatorOptions {
    /// Latency, rate limit and seeded faults (see `billingctl emulator --help`).
    pub knobs: EmulatorKnobs,
    /// Load the account from this file at start and keep it written there.
    pub state_file: Option<PathBuf>,
    /// Where "now" comes from (tests pin it; `BILLINGCTL_NOW` for the command).
    pub clock: Clock,
    /// Header and body timeouts and the bound on open connections.
    pub connections: ConnectionLimits,
}

/// An emulator loaded and not yet serving: its shared state and its state writer.
pub(crate) struct Emulator {
    shared: Arc<Shared>,
    persister: Option<Persister>,
}

impl Emulator {
    /// Checks the knobs and loads the state file (if any).
    pub(crate) fn load(options: EmulatorOptions) -> std::io::Result<Emulator> {
        options
            .knobs
            .validate()
            .map_err(|msg| std::io::Error::new(std::io::ErrorKind::InvalidInput, msg))?;
        let empty = Accounts::new(options.clock, objects::new_store);
        let accounts = match &options.state_file {
            Some(path) => persist::load(path, empty)?,
            None => empty,
        };
        let accounts = Arc::new(Mutex::new(accounts));
        let wal = match options.state_file {
            Some(path) => Some(Arc::new(Wal::open(&accounts, path)?)),
            None => None,
        };
        let persister = wal
            .clone()
            .map(|wal| Persister::start(accounts.clone(), wal));
        Ok(Emulator {
            shared: Arc::new(Shared {
                accounts,
                counters: Counters::default(),
                faults: Faults::new(options.knobs),
                wal,
                limits: options.connections,
            }),
            persister,
        })
    }

    /// Serves on `listener` until the future is dropped. The state writer is not part of the
    /// future: the caller flushes it (by dropping `self.persister`) after the connections end.
    pub(crate) async fn serve(
        shared: Arc<Shared>,
        listener: tokio::net::TcpListener,
    ) -> std::io::Result<()> {
        let limits = shared.limits.clone();
        connections::serve(listener, server::router(shared), &limits).await
    }

    /// Splits into the shared state (for serving) and the state writer (dropped last).
    pub(crate) fn into_parts(self) -> (Arc<Shared>, Option<Persister>) {
        (self.shared, self.persister)
    }
}

/// Serves until the future is dropped or the process ends (used by `billingctl emulator`).
/// With a state file, the account is flushed to it when the future ends or is dropped.
pub async fn serve(
    options: EmulatorOptions,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    let (shared, _persister) = Emulator::load(options)?.into_parts();
    Emulator::serve(shared, listener).await
}

/// Starts the emulator on its own thread with its own tokio runtime (tests, benchmarks, and
/// `run --sandbox`). `addr` may use port 0; [`EmulatorHandle::base_url`] tells the port.
pub fn start(options: EmulatorOptions, addr: SocketAddr) -> std::io::Result<EmulatorHandle> {
    let (shared, persister) = Emulator::load(options)?.into_parts();
    let listener = std::net::TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let addr = listener.local_addr()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("emulator")
        .enable_all()
        .build()?;
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = shared.clone();
    let thread = std::thread::Builder::new().name("emulator".into()).spawn(
        move || -> std::io::Result<()> {
            let served = runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                tokio::select! {
                    served = Emulator::serve(serving, listener) => served,
                    _ = stopped => Ok(()),
                }
            });
            // Connections still open end here, before the last write of the state file.
            runtime.shutdown_timeout(Duration::from_secs(1));
            let flushed = persister.map_or(Ok(()), |mut p| p.flush_and_stop());
            served.and(flushed)
        },
    )?;
    Ok(EmulatorHandle {
        addr,
        shared,
        stop: Some(stop),
        thread: Some(thread),
    })
}

/// A running emulator started by [`start`]. Dropping it stops it (and flushes the state file).
pub struct EmulatorHandle {
    addr: SocketAddr,
    shared: Arc<Shared>,
    stop: Option<oneshot::Sender<()>>,
    thread: Option<JoinHandle<std::io::Result<()>>>,
}

impl EmulatorHandle {
    /// `http://127.0.0.1:PORT`: what to give the client (or an SDK) as the API base.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The request counters so far, over every account.
    pub fn stats(&self) -> RequestStats {
        self.shared.counters.snapshot()
    }

    /// The counters of the requests made as the connected account `account` (with
    /// `Stripe-Account: acct_…`); zero for an account that has had none.
    pub fn account_stats(&self, account: &str) -> RequestStats {
        self.shared
            .counters
            .snapshot_of(&Scope::Connected(account.to_owned()))
    }

    /// The counters of the requests made as the platform itself (no `Stripe-Account`).
    pub fn platform_stats(&self) -> RequestStats {
        self.shared.counters.snapshot_of(&Scope::Platform)
    }

    /// Zeroes the request counters, the totals and every account's.
    pub fn reset_stats(&self) {
        self.shared.counters.reset();
    }

    /// Creates a connected account of the platform (a `standard` one, with this metadata)
    /// without a request, as `POST /v1/accounts` would: not counted, logged to the state file
    /// (if any) before it returns. Its id, `acct_…`.
    pub fn create_account(&self, metadata: &[(&str, &str)]) -> std::io::Result<String> {
        let mut params = serde_json::Map::new();
        params.insert("type".into(), "standard".into());
        let metadata: serde_json::Map<String, serde_json::Value> = metadata
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).into()))
            .collect();
        params.insert("metadata".into(), metadata.into());
        let (id, upto) = {
            let mut accounts = self
                .shared
                .accounts
                .lock()
                .unwrap_or_else(|e| e.into_inner());
            let created = connect::create(&mut accounts, &params).map_err(|error| {
                std::io::Error::new(std::io::ErrorKind::InvalidInput, error.message)
            })?;
            let upto = self
                .shared
                .wal
                .as_ref()
                .map(|wal| wal.append(&mut accounts, &Scope::Platform));
            (created["id"].as_str().unwrap_or_default().to_owned(), upto)
        };
        if let (Some(wal), Some(upto)) = (&self.shared.wal, upto) {
            wal.sync(upto)?;
        }
        Ok(id)
    }

    /// The connected accounts' ids, oldest first.
    pub fn accounts(&self) -> Vec<String> {
        self.shared
            .accounts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .ids()
    }

    /// Stops serving, waits for the server thread, and writes the state file one last time.
    pub fn shutdown(mut self) {
        if let Err(err) = self.stop_and_join() {
            crate::eoutln!("error: emulator: {err}");
        }
    }

    fn stop_and_join(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.thread.take() {
            Some(thread) => thread
                .join()
                .unwrap_or_else(|_| Err(std::io::Error::other("the emulator thread panicked"))),
            None => Ok(()),
        }
    }
}

impl Drop for EmulatorHandle {
    fn drop(&mut self) {
        if let Err(err) = self.stop_and_join() {
            crate::eoutln!("error: emulator: {err}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_and_options_cross_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<EmulatorHandle>();
        assert_send_sync::<EmulatorOptions>();
        assert_send_sync::<RequestStats>();
    }

    #[test]
    fn a_bad_knob_is_refused_before_binding() {
        let options = EmulatorOptions {
            knobs: EmulatorKnobs {
                error_rate: -0.5,
                ..EmulatorKnobs::default()
            },
            ..EmulatorOptions::default()
        };
        let err = start(options, "127.0.0.1:0".parse().expect("an address"))
            .err()
            .expect("refused");
        assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
        assert_eq!(
            err.to_string(),
            "--error-rate must be between 0 and 1, got -0.5"
        );
    }
}
