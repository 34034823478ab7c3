//! One module per subcommand: each turns parsed arguments into work and an `ExitStatus`.

use crate::cli::{Cli, Command};
use crate::ExitStatus;

mod check;
mod emulator;
mod export;
mod plan;
mod render;
mod run;
mod verify;

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Plan(args) => plan::execute(args),
        Command::Run(args) => run::execute(args),
        Command::Verify(args) => verify::execute(args),
        Command::Render(args) => render::execute(args),
        Command::Check(args) => check::execute(args),
        Command::Export(args) => export::execute(args),
        Command::Emulator(args) => emulator::execute(args),
    }
}
