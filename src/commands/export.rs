//! `billingctl export`: connect, fetch the live account (`crate::live`), write it as a
//! catalog script. The generator itself is `crate::export`, a pure function.

use anyhow::Context;

use crate::catalog::{Environment, Mode};
use crate::cli::ExportArgs;
use crate::clock::Clock;
use crate::config::{Access, Purpose};
use crate::export::{export, ExportOptions, LiveObjects};
use crate::kinds::{KINDS, SCOPE_METADATA};
use crate::live::{fetch_live, LiveState};
use crate::ExitStatus;

pub fn execute(args: ExportArgs, clock: Clock) -> anyhow::Result<ExitStatus> {
    // No script, so no environment overlay declares the mode: `--live` does, and the key
    // guard in `config::connect` holds the key to it as for any other command.
    let environment = Environment {
        name: if args.live { "live" } else { "test" }.to_string(),
        mode: if args.live { Mode::Live } else { Mode::Test },
        ..Environment::default()
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async {
        let purpose = Purpose {
            access: Access::Read,
            script: None,
            verbose: super::ui::get().verbose,
        };
        let mut account = crate::config::connect(&args.account, &environment, clock, purpose)?;
        if let Some(id) = &args.stripe_account {
            // Connect: the platform's key, acting as one connected account.
            crate::catalog::ConnectedAccount::new(id)
                .map_err(|e| anyhow::anyhow!("--stripe-account: {e}"))?;
            account.client = account.client.for_account(id, None)?;
            account.description = format!("{id} via {}", account.description);
        }
        let state = fetch_live(&account.client)
            .await
            .context("fetching the live catalog")?;
        let options = ExportOptions {
            scope: args.scope.clone(),
        };
        let exported = export(&LiveObjects::from(&state), &options);
        let destination = match &args.output {
            Some(path) => {
                std::fs::write(path, &exported.script)
                    .with_context(|| format!("writing {}", path.display()))?;
                path.display().to_string()
            }
            None => {
                super::stdout::emit(&exported.script);
                "standard output".to_string()
            }
        };
        if let Some(scope) = args.scope.as_deref().filter(|_| exported.objects == 0) {
            // A typo in --scope would otherwise be an empty script and a success.
            let scopes = scopes(&state);
            crate::eoutln!(
                "warning: no object of the account is in scope `{scope}`; its scopes: {}",
                if scopes.is_empty() {
                    "none".to_owned()
                } else {
                    scopes
                        .iter()
                        .map(|s| format!("`{s}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                }
            );
        }
        if !super::ui::quiet() {
            crate::eoutln!(
                "Exported {} objects from {} to {destination} ({} adopted by id).",
                exported.objects,
                account.description,
                exported.adopted
            );
        }
        Ok(ExitStatus::Success)
    })
}

/// The ownership scopes (metadata `billingctl_scope`) of the account's objects, sorted.
fn scopes(state: &LiveState) -> Vec<String> {
    let scopes: std::collections::BTreeSet<String> = KINDS
        .iter()
        .flat_map(|kind| state.all(kind.id()))
        .filter_map(|object| object["metadata"][SCOPE_METADATA].as_str())
        .filter(|scope| !scope.is_empty())
        .map(str::to_owned)
        .collect();
    scopes.into_iter().collect()
}
