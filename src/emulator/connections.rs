//! The accept loop: HTTP/1.1 connections served by hyper under three bounds, so that no client
//! can hold the emulator's resources forever.
//!
//! - A **header timeout**: a request whose head is not complete within it (a half-sent head,
//!   or a connection that never sends anything) is closed by hyper's `header_read_timeout`.
//! - A **body timeout**: a body announced by `Content-Length` but not sent is answered 400
//!   and the connection closed (`server::read_body`).
//! - A **bound on open connections**: past it, the loop stops accepting (new clients wait in
//!   the kernel's backlog) until a connection ends, which the two timeouts guarantee happens.
//!   So a flood of idle partial connections delays a new client by at most the header timeout;
//!   it cannot starve it.
//!
//! Stripe documents none of these figures; the defaults are hyper's own header timeout order
//! of magnitude (hyper: 30 s) shortened for a local test server.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The bounds on the emulator's connections. `Default` is what `billingctl emulator` uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The longest a request head may take to arrive, from when the connection waits for it.
    pub header_timeout: Duration,
    /// The longest a request body may take to arrive once its head is read.
    pub body_timeout: Duration,
    /// The most connections open at once.
    pub max_open: usize,
}

impl Default for ConnectionLimits {
    fn default() -> Self {
        ConnectionLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_open: 1024,
        }
    }
}

/// Accepts and serves connections until the future is dropped.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    limits: &ConnectionLimits,
) -> std::io::Result<()> {
    let slots = Arc::new(Semaphore::new(limits.max_open.max(1)));
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .keep_alive(true);
    loop {
        // Waiting for a slot before accepting keeps the bound exact.
        let Ok(slot) = slots.clone().acquire_owned().await else {
            return Ok(());
        };
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            // Out of file descriptors and the like: wait a little rather than spin.
            Err(err) if is_transient(&err) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
            Err(err) => return Err(err),
        };
        let _ = stream.set_nodelay(true);
        let connection = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        tokio::spawn(async move {
            // An error here is one client's broken connection, nothing to report.
            let _ = connection.await;
            drop(slot);
        });
    }
}

fn is_transient(err: &std::io::Error) -> bool {
    !matches!(
        err.kind(),
        std::io::ErrorKind::InvalidInput | std::io::ErrorKind::PermissionDenied
    )
}
