//! How the command talks to its reader, decided once from the global flags: colour
//! (`--color`, NO_COLOR, CLICOLOR_FORCE, TERM=dumb), `--verbose` and `--quiet`.
//!
//! Held in a process-wide cell set by `commands::execute` before any output, so every
//! printer agrees without threading the flags through each function (the flags are global
//! on the command line too).

use std::io::IsTerminal;
use std::sync::OnceLock;

use crate::cli::ColorWhen;

/// The global output settings of this run.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Ui {
    pub color: ColorWhen,
    pub verbose: bool,
    pub quiet: bool,
    /// `--full`: plans list every object of a collapsed run.
    pub full: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

/// Sets the settings once; later calls are ignored.
pub(crate) fn init(ui: Ui) {
    let _ = UI.set(ui);
}

pub(crate) fn get() -> Ui {
    UI.get().copied().unwrap_or_default()
}

/// Whether `--quiet` asked for nothing but results and errors.
pub(crate) fn quiet() -> bool {
    get().quiet
}

/// Colour on stdout.
pub(crate) fn stdout_color() -> bool {
    decide(get().color, std::io::stdout().is_terminal(), env_var)
}

/// Colour on stderr.
pub(crate) fn stderr_color() -> bool {
    decide(get().color, std::io::stderr().is_terminal(), env_var)
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The decision. The flag wins; under `auto`, NO_COLOR (https://no-color.org) wins over
/// CLICOLOR_FORCE (https://bixense.com/clicolors: set and not `0` forces colour), which wins
/// over TERM=dumb and the terminal test.
fn decide(when: ColorWhen, terminal: bool, var: impl Fn(&str) -> Option<String>) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            if var("NO_COLOR").is_some() {
                false
            } else if var("CLICOLOR_FORCE").is_some_and(|v| v != "0") {
                true
            } else if var("TERM").is_some_and(|t| t == "dumb") {
                false
            } else {
                terminal
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_string())
        }
    }

    #[test]
    fn the_flag_wins_then_no_color_then_clicolor_force_then_term_dumb() {
        use ColorWhen::{Always, Auto, Never};
        assert!(decide(Always, false, with(&[("NO_COLOR", "1")])));
        assert!(!decide(Never, true, with(&[("CLICOLOR_FORCE", "1")])));
        assert!(!decide(
            Auto,
            true,
            with(&[("NO_COLOR", "1"), ("CLICOLOR_FORCE", "1")])
        ));
        assert!(decide(Auto, false, with(&[("CLICOLOR_FORCE", "1")])));
        assert!(!decide(Auto, false, with(&[("CLICOLOR_FORCE", "0")])));
        assert!(!decide(Auto, true, with(&[("TERM", "dumb")])));
        assert!(decide(Auto, true, with(&[("TERM", "xterm-256color")])));
        assert!(!decide(Auto, false, with(&[])));
    }
}
