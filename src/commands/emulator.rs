//! `billingctl emulator`: bind, say where, serve until Ctrl-C or SIGTERM, then flush the state
//! file.

use std::time::Duration;

use anyhow::Context;

use crate::cli::EmulatorArgs;
use crate::clock::Clock;
use crate::emulator::{Emulator, EmulatorOptions};
use crate::ExitStatus;

pub fn execute(args: EmulatorArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    let options = EmulatorOptions {
        knobs: args.knobs.into(),
        state_file: args.state.clone(),
        clock,
        ..EmulatorOptions::default()
    };
    // Knobs and the state file are checked before anything listens.
    let (shared, persister) = Emulator::load(options)
        .with_context(|| "cannot start the emulator")?
        .into_parts();
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let served = runtime.block_on(async {
        // tokio resolves a host name (`localhost:12112`) and binds the first address that works.
        let listener = tokio::net::TcpListener::bind(args.listen.as_str())
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        crate::eoutln!("listening on http://{addr}");
        if let Some(state) = &args.state {
            crate::eoutln!("state file: {}", state.display());
        }
        tokio::select! {
            served = Emulator::serve(shared, listener) => served.context("the emulator stopped"),
            () = shutdown_signal() => Ok(()),
        }
    });
    // Open connections end with the runtime; then the state file gets its last write.
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Some(mut persister) = persister {
        persister
            .flush_and_stop()
            .context("cannot write the state file")?;
    }
    served.map(|()| ExitStatus::Success)
}

/// Ctrl-C, or SIGTERM on Unix.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
