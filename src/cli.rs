//! The command line: clap definitions only. The doc comments are the `--help` text.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// A Stripe billing catalog as code.
///
/// Write products, prices, coupons, promotion codes and the customer-portal configuration as a
/// Rhai script; billingctl validates the whole script and the live account before it writes
/// anything, then creates what is missing and updates what differs. It never deletes, and a
/// second run changes nothing. Stripe is the state: there is no state file.
///
/// Try it with no Stripe account: `billingctl run scripts/catalog.rhai --sandbox --yes`.
#[derive(Debug, Parser)]
#[command(
    name = "billingctl",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what `run` would change, without writing anything.
    ///
    /// Exit codes: 0 success (with --detailed-exitcode: no changes), 1 error,
    /// 2 changes pending (only with --detailed-exitcode).
    Plan(PlanArgs),
    /// Plan, confirm, then apply: create what is missing, update what differs.
    ///
    /// Nothing is written unless the whole plan is valid. Asks for confirmation on a terminal;
    /// pass --yes to skip it (required when not on a terminal).
    Run(RunArgs),
    /// Check that the account matches the script: 0 in sync, 2 drift (diff printed), 1 error.
    Verify(VerifyArgs),
    /// Evaluate a script offline and print the resolved desired state as JSON.
    Render(ScriptArgs),
    /// Evaluate and validate a script offline: exit 0 when valid, 1 with every error otherwise.
    Check(ScriptArgs),
    /// Write a Rhai script that reproduces the live catalog.
    Export(ExportArgs),
    /// Serve a Stripe-faithful emulator of the catalog endpoints (for tests and SDKs).
    Emulator(EmulatorArgs),
}

/// The script and the environment it is evaluated for.
#[derive(Debug, Args)]
pub struct ScriptArgs {
    /// The catalog script, e.g. scripts/catalog.rhai.
    pub script: PathBuf,
    /// The environment: the script sees `env`, and the overlay scripts/env/NAME.rhai runs
    /// after the base script.
    #[arg(long = "env", short = 'e', default_value = "test", value_name = "NAME")]
    pub env: String,
}

/// Where the account is: real Stripe (the default), any Stripe-compatible server, or the sandbox.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Use the built-in sandbox: an emulated account kept in a local file, no Stripe key needed.
    #[arg(long, value_name = "PATH", num_args = 0..=1,
          default_missing_value = ".billingctl/sandbox.json", conflicts_with = "api_base")]
    pub sandbox: Option<PathBuf>,
    /// Base URL of the Stripe API (or of `billingctl emulator`).
    #[arg(
        long,
        env = "BILLINGCTL_API_BASE",
        value_name = "URL",
        default_value = "https://api.stripe.com"
    )]
    pub api_base: String,
    /// Most requests per second (default: 25 for test keys and the sandbox, 100 for live keys).
    #[arg(long, value_name = "N")]
    pub max_rps: Option<u32>,
    /// Most requests in flight at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub concurrency: usize,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// For people: one line per change, field-level `live -> desired`.
    #[default]
    Human,
    /// Machine-readable: {"changes": [...], "errors": [...], "summary": {...}}.
    Json,
    /// For a pull-request comment.
    Markdown,
}

/// How the plan may move forward where the script and the account disagree.
#[derive(Debug, Args)]
pub struct ChangePolicy {
    /// Replace objects whose immutable fields changed (new price with the lookup key
    /// transferred, then the old one archived) instead of stopping with an error.
    #[arg(long)]
    pub allow_replace: bool,
    /// Deactivate objects of this catalog's scope that the script no longer declares.
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub script: ScriptArgs,
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub policy: ChangePolicy,
    /// How to print the plan.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Exit 2 when the plan has changes, 0 when it has none, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub script: ScriptArgs,
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub policy: ChangePolicy,
    /// Apply without asking for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub script: ScriptArgs,
    #[command(flatten)]
    pub account: AccountArgs,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Only objects of this ownership scope (metadata `billingctl_scope`), plus the objects
    /// they refer to.
    #[arg(long, value_name = "SCOPE")]
    pub scope: Option<String>,
    /// The account is in live mode: use a live key (STRIPE_API_KEY_LIVE or STRIPE_API_KEY).
    /// Without it, a live key is refused, as for a test-mode environment.
    #[arg(long)]
    pub live: bool,
    /// Write the script here instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    pub output: Option<PathBuf>,
}

/// Serve the emulator. Every knob is off by default: no latency, no limit, no faults.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (loopback; port 0 picks a free one and prints it).
    #[arg(long, default_value = "127.0.0.1:12111", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Persist the account to this JSON file (written atomically after every change).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub knobs: EmulatorKnobs,
}

/// Behaviours the emulator can add for tests and benchmarks.
#[derive(Clone, Debug, Default, Args)]
pub struct EmulatorKnobs {
    /// Add this much latency, in milliseconds, to every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Answer 429 `rate_limit` past this many requests per second (0 = no limit).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub rate_limit: u32,
    /// Fraction (0..1) of requests answered with a 500 `api_error`, before any change.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fraction (0..1) of writes whose change is committed but whose answer is lost
    /// (the connection is dropped).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub lost_rate: f64,
    /// Fraction (0..1) of requests answered 429 `rate_limit` regardless of the rate.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub rate_limit_error_rate: f64,
    /// Seed for the fault injection, so a chaos run can be repeated.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
}
