//! billingctl: a Stripe billing catalog as code.
//!
//! The data flows one way: `script` evaluates Rhai into a typed `catalog`, `live` reads the
//! account through the `stripe` client, `plan` diffs the two into a `Plan`, and `apply`
//! executes that plan. `emulator` is a Stripe-faithful server for tests and the built-in sandbox.

pub mod apply;
pub mod catalog;
mod cli;
pub mod clock;
mod commands;
pub mod compact;
mod config;
pub mod diag;
pub mod emulator;
mod export;
pub mod kinds;
pub mod live;
pub mod path;
pub mod plan;
pub mod redact;
pub mod script;
pub mod stripe;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;

/// How a command ended, mapped to the process exit code once, here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done, or (with `--detailed-exitcode`) nothing to change.
    Success,
    /// 1: any error: bad input, invalid plan, failed write, refused key.
    Failure,
    /// 2: `plan --detailed-exitcode` / `verify`: changes pending (drift).
    Changes,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        match status {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Changes => ExitCode::from(2),
        }
    }
}

/// Entry point of the binary: parse the command line and run the command.
/// Everything it prints goes through [`redact`], panics included.
pub fn main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    redact::install_panic_hook();
    let args: Vec<OsString> = args.into_iter().collect();
    // Terraform's `-out plan` would parse as `-o ut`: say what is meant instead.
    if args
        .iter()
        .any(|a| a == "-out" || a.to_string_lossy().starts_with("-out="))
    {
        crate::eoutln!("error: `-out` is not a flag here; to save the plan, use `--out FILE`");
        return ExitCode::from(1);
    }
    let cli = match cli::Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            // clap echoes what was typed, which may be a key: it prints through the layer too.
            let text = err.render().to_string();
            if err.use_stderr() {
                crate::eout!("{text}");
                if let Some(hint) = sandbox_path_hint(&args) {
                    crate::eoutln!("{hint}");
                }
            } else {
                crate::out!("{text}");
            }
            // clap exits 2 on usage errors; 2 means "changes pending" here, so usage errors are 1.
            return if err.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match commands::execute(cli) {
        Ok(status) => status.into(),
        Err(err) => {
            crate::eoutln!("error: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// `--sandbox sb.json` with a script: the path needs `=` (`--sandbox` alone is the default
/// file, so a bare word after it stays the script), and clap only says the word is unexpected.
fn sandbox_path_hint(args: &[OsString]) -> Option<String> {
    let path = args
        .windows(2)
        .find(|pair| pair[0] == "--sandbox")
        .map(|pair| pair[1].to_string_lossy())
        .filter(|next| !next.starts_with('-') && !next.ends_with(".rhai"))?;
    Some(format!(
        "hint: a sandbox path needs `=`: `--sandbox={path}` (`--sandbox` alone uses \
         .billingctl/sandbox.json)"
    ))
}
