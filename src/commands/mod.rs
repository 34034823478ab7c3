//! One module per subcommand: each turns parsed arguments into work and an `ExitStatus`.

use crate::cli::{Cli, Command};
use crate::ExitStatus;

mod check;
mod docs;
mod emulator;
mod export;
mod fleet;
mod init;
mod plan;
mod render;
mod run;
mod stdout;
mod ui;
mod verify;

/// Runs the parsed command.
pub fn execute(cli: Cli) -> anyhow::Result<ExitStatus> {
    let clock = cli.now.unwrap_or_default();
    ui::init(ui::Ui {
        color: cli.color,
        verbose: cli.verbose,
        quiet: cli.quiet,
        full: cli.full,
    });
    match cli.command {
        // Connected accounts are the fleet's (which builds on `plan`, so `plan` cannot call it).
        Command::Plan(args) => match fleet::targets(&args.connect, &args.script)? {
            Some(targets) => fleet::plan_command(&args, clock, targets),
            None => plan::execute(args, clock),
        },
        Command::Run(args) => run::execute(args, clock),
        Command::Verify(args) => verify::execute(args, clock),
        Command::Render(args) => render::execute(args),
        Command::Check(args) => check::execute(args, clock),
        Command::Export(args) => export::execute(args, clock),
        Command::Emulator(args) => emulator::execute(args, clock),
        Command::Init(args) => init::execute(args),
        Command::Docs(args) => docs::execute(args),
        Command::Completions(args) => {
            let mut command = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(args.shell, &mut command, "billingctl", &mut script);
            stdout::emit(&String::from_utf8_lossy(&script));
            Ok(ExitStatus::Success)
        }
    }
}
