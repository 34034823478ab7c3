//! The command line: clap definitions only. The doc comments are the `--help` text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::clock::Clock;
use crate::emulator::EmulatorKnobs;

/// A Stripe billing catalog as code.
///
/// Write products, prices, meters, coupons, promotion codes, tax and shipping rates, webhook
/// endpoints, entitlement features and the customer portal as a Rhai script; billingctl
/// validates the whole script and the live account before it writes anything, then creates
/// what is missing and updates what differs. It never deletes, and a second run changes
/// nothing. Stripe is the state: there is no state file.
///
/// Try it with no Stripe account: `billingctl run scripts/catalog.rhai --sandbox --yes`.
#[derive(Debug, Parser)]
#[command(
    name = "billingctl",
    version = LONG_VERSION,
    propagate_version = true,
    max_term_width = 100,
    after_help = EXAMPLES
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Pretend the current time is TIME (Unix seconds or RFC 3339, e.g. 2026-11-18T00:00:00Z)
    /// for the time rules and for the sandbox or emulator. Refused against api.stripe.com,
    /// whose own clock decides.
    #[arg(long, global = true, env = "BILLINGCTL_NOW", value_name = "TIME",
          value_parser = Clock::parse, hide_env_values = true)]
    pub now: Option<Clock>,
    /// When to colour the output: auto (a terminal, unless NO_COLOR is set or TERM=dumb;
    /// CLICOLOR_FORCE=1 forces it), always or never.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
    /// Print each request to Stripe on stderr: method, path, status, time, request id. The key
    /// never appears.
    #[arg(long, short = 'v', global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Print only the result and errors: no progress, notes or account line on stderr.
    #[arg(long, short = 'q', global = true)]
    pub quiet: bool,
    /// In plans, list every object of a run that differs only by key, instead of one line
    /// for the run ("+ 2,000 promotion codes PX-… with the same fields").
    #[arg(long, global = true)]
    pub full: bool,
}

/// `--version`: the crate's version and the Stripe API version every request pins
/// (`stripe::API_VERSION`; a unit test keeps the two equal).
pub const LONG_VERSION: &str =
    concat!(env!("CARGO_PKG_VERSION"), " (Stripe API 2026-10-28.endive)");

/// `--color`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

const EXAMPLES: &str = "\
Examples:
  billingctl check scripts/catalog.rhai                validate offline; errors at file:line:col
  billingctl run scripts/catalog.rhai --sandbox --yes  the whole cycle on an emulated account
  billingctl plan scripts/catalog.rhai                 what would change (key: STRIPE_API_KEY)
  billingctl plan scripts/catalog.rhai -o json --detailed-exitcode
  billingctl run scripts/catalog.rhai --env live       with the live overlay and a live key
  billingctl run scripts/campaigns/black_friday.rhai   a promo campaign in its own scope
  billingctl export -o adopted.rhai                    a script for an existing account";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Show what `run` would change, without writing anything.
    ///
    /// Exit codes: 0 success (with --detailed-exitcode: no drift), 1 error, 2 drift (only
    /// with --detailed-exitcode): changes pending, orphans of the scope, or an immutable field
    /// the account and the script disagree on.
    Plan(PlanArgs),
    /// Plan, confirm, then apply: create what is missing, update what differs.
    ///
    /// Nothing is written unless the whole plan is valid. Asks for confirmation on a terminal;
    /// pass --yes to skip it (required when not on a terminal).
    #[command(visible_alias = "apply")]
    Run(RunArgs),
    /// Check that the account matches the script: 0 in sync, 2 drift (diff printed), 1 error.
    ///
    /// Drift is anything the account and the script disagree on: pending writes, orphans of
    /// the catalog's scope, and immutable fields changed out of band.
    Verify(VerifyArgs),
    /// Evaluate a script offline and print the resolved desired state as JSON.
    Render(ScriptArgs),
    /// Evaluate and validate a script offline: exit 0 when valid, 1 with every error otherwise.
    Check(ScriptArgs),
    /// Write a Rhai script that reproduces the live catalog.
    Export(ExportArgs),
    /// Serve a Stripe-faithful emulator of the catalog endpoints (for tests and SDKs).
    ///
    /// Serves the endpoints of every kind billingctl manages (`billingctl docs` lists them:
    /// /v1/products, /v1/prices, /v1/billing/meters, …) as Stripe does (API
    /// 2026-10-28.endive): strict params, Stripe's object shapes and errors, newest-first
    /// lists, Idempotency-Key replay. Any sk_test_/rk_test_ key is accepted.
    ///
    /// Request counters: GET /_emulator/stats (by method and route, no key needed);
    /// POST /_emulator/stats/reset zeroes them. Every knob below is off by default. Stops on
    /// Ctrl-C or SIGTERM, writing the state file first.
    ///
    /// Point an SDK at it: Python `stripe.api_base = "http://127.0.0.1:12111"`; Node
    /// `new Stripe("sk_test_x", { host: "127.0.0.1", port: 12111, protocol: "http" })`.
    Emulator(EmulatorArgs),
    /// Start a project: scripts/catalog.rhai, scripts/env/{test,live}.rhai, a .gitignore line
    /// for .billingctl/, and examples/ci/ with a pull-request workflow. Keeps existing files.
    Init(InitArgs),
    /// Print the script reference, generated from the field tables: per kind the function,
    /// its key rule and references, and every field (type, required, updatable, default,
    /// limits).
    Docs(DocsArgs),
    /// Print a shell completion script: `billingctl completions bash > ~/.local/share/bash-completion/completions/billingctl`.
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct DocsArgs {
    /// One kind only, by its script function (or its name, e.g. portal_configuration).
    #[arg(value_name = "KIND", value_parser = clap::builder::PossibleValuesParser::new(kind_values()))]
    pub kind: Option<String>,
}

/// The kinds `docs` takes: each kind's script function, its name as an alias where it
/// differs (`portal` and `portal_configuration`), in the registry's order.
fn kind_values() -> Vec<clap::builder::PossibleValue> {
    crate::kinds::KINDS
        .iter()
        .map(|kind| {
            let value = clap::builder::PossibleValue::new(kind.function());
            if kind.name() == kind.function() {
                value
            } else {
                value.alias(kind.name())
            }
        })
        .collect()
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// The project folder (default: the current one).
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
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
    /// Use the built-in sandbox: an emulated account kept in a local file
    /// (.billingctl/sandbox.json, or `--sandbox=PATH`), no Stripe key needed. A path needs the
    /// `=`, so `--sandbox scripts/catalog.rhai` keeps the script a script. Read-only commands
    /// (plan, verify, export) never create or change the file: a missing one is an empty
    /// account.
    #[arg(long, value_name = "PATH", num_args = 0..=1, require_equals = true,
          default_missing_value = ".billingctl/sandbox.json", conflicts_with = "api_base")]
    pub sandbox: Option<PathBuf>,
    /// The Stripe API key, instead of STRIPE_API_KEY_<ENV> / STRIPE_API_KEY. A flag's value
    /// shows in process lists (`ps`): prefer the variables, or `--api-key -` to read the key
    /// from standard input.
    #[arg(
        long,
        value_name = "KEY",
        conflicts_with = "sandbox",
        hide_env_values = true
    )]
    pub api_key: Option<String>,
    /// Base URL of the Stripe API (or of `billingctl emulator`).
    #[arg(
        long,
        env = "BILLINGCTL_API_BASE",
        value_name = "URL",
        default_value = "https://api.stripe.com"
    )]
    pub api_base: String,
    /// Most requests per second over all endpoints (default: Stripe's limit for the key's
    /// mode, 25 for test keys and 100 for live keys; the sandbox is unpaced).
    #[arg(long, value_name = "N")]
    pub max_rps: Option<u32>,
    /// Most requests per second to one named operation, e.g. `POST /v1/promotion_codes`
    /// (Stripe's default per-endpoint limit is 25). A 429 slows only the endpoint it came from.
    #[arg(long, value_name = "N", default_value_t = crate::stripe::pacing::DEFAULT_ENDPOINT_RPS)]
    pub endpoint_rps: u32,
    /// The most requests in flight at once. A cap, not a knob: the window itself follows the
    /// measured round trip so the rate limit is reached at any latency (Little's law).
    #[arg(long, value_name = "N", default_value_t = crate::stripe::pacing::DEFAULT_CONCURRENCY_CAP)]
    pub concurrency: usize,
}

/// Connect: the connected accounts of the platform (whose key is the only key) to apply the
/// same catalog to. Without any of these, the command works on the key's own account.
#[derive(Debug, Default, Args)]
pub struct ConnectArgs {
    /// Act as this connected account (`Stripe-Account: acct_…`). Repeatable: the script is
    /// evaluated and planned once per account (it sees `env.account`). docs/CONNECT.md.
    #[arg(long = "stripe-account", value_name = "ACCT")]
    pub stripe_accounts: Vec<String>,
    /// The connected accounts, from FILE: one `acct_…` a line, or a JSON list of `"acct_…"`
    /// or `{"id": "acct_…", "values": {…}}` (the script sees the values as
    /// `env.account.values`). Without this or --stripe-account, the overlay's `settings()`
    /// may list `accounts`.
    #[arg(long, value_name = "FILE")]
    pub accounts: Option<PathBuf>,
    /// Each account stands alone: an account whose plan has errors is reported and skipped,
    /// the others are applied. Without it, an error in any account's plan writes nothing to
    /// any account.
    #[arg(long)]
    pub per_account: bool,
    /// The most accounts planned or applied at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub accounts_in_flight: usize,
    /// The most requests per second over all accounts together (each account is also paced
    /// to its own limit, --max-rps, as Stripe limits each account on its own).
    #[arg(long, value_name = "N")]
    pub platform_max_rps: Option<u32>,
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
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub policy: ChangePolicy,
    /// How to print the plan.
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
    /// Exit 2 on drift (changes pending, orphans of the scope, or an immutable field that
    /// differs: the same rule as `verify`), 0 when there is none, 1 on any other error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// Save the plan to FILE (docs/PLAN-FILE.md) for `billingctl run --plan FILE`, which
    /// applies exactly it or nothing. Written only when the plan is valid.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Only the changes to objects matching KIND:KEY (globs: `price:basic_*`,
    /// `promotion_code:PX-*`, `*:launch*`), plus the changes they depend on. Repeatable.
    #[arg(long, value_name = "KIND:KEY")]
    pub only: Vec<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// The catalog script, e.g. scripts/catalog.rhai (not with --plan: the plan names it).
    #[arg(required_unless_present = "plan", conflicts_with = "plan")]
    pub script: Option<PathBuf>,
    /// The environment (see `plan --help`); with --plan, the plan's.
    #[arg(
        long = "env",
        short = 'e',
        value_name = "NAME",
        conflicts_with = "plan"
    )]
    pub env: Option<String>,
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
    #[command(flatten)]
    pub policy: ChangePolicy,
    /// Apply a plan saved by `plan --out FILE`, exactly: the account is read again and the
    /// script rendered again, and if any object the plan touches changed, or the script no
    /// longer renders the same, nothing is written. A saved plan was reviewed: no prompt.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Only the changes to objects matching KIND:KEY, plus what they depend on (see `plan`).
    #[arg(long, value_name = "KIND:KEY", conflicts_with = "plan")]
    pub only: Vec<String>,
    /// Apply without asking for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Write the signing secret of each webhook endpoint this run creates to FILE (Stripe
    /// returns it only once, on create; it is never printed). JSON lines, one
    /// `{"kind","key","id","url","secret"}` per endpoint, each flushed as its create answers.
    /// A missing FILE is created with mode 0600; an existing one is appended to only if it
    /// is a secrets file billingctl wrote, private to its owner, and refused otherwise.
    /// Required when the plan creates a webhook endpoint.
    #[arg(long, value_name = "FILE")]
    pub secrets_out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub script: ScriptArgs,
    #[command(flatten)]
    pub account: AccountArgs,
    #[command(flatten)]
    pub connect: ConnectArgs,
    /// How to print the result: human, json (the plan's JSON with `"drift": true|false`), or
    /// markdown (the plan's, e.g. for an issue a scheduled job opens).
    #[arg(long, short = 'o', value_enum, default_value_t = OutputFormat::Human)]
    pub output: OutputFormat,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub account: AccountArgs,
    /// Export this connected account of the platform (`Stripe-Account: acct_…`).
    #[arg(long = "stripe-account", value_name = "ACCT")]
    pub stripe_account: Option<String>,
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
    /// Address to listen on (port 0 picks a free one; the address is printed on stderr).
    /// A host name is resolved (`localhost:12112`); the first address it gives is used.
    #[arg(long, default_value = "127.0.0.1:12111", value_name = "HOST:PORT")]
    pub listen: String,
    /// Keep the account in this JSON file: loaded at start; every change is in FILE.log
    /// (fsynced) before it is answered, so a kill loses nothing acknowledged; the file itself
    /// is rewritten atomically at most every 500 ms and on exit. Without it, the account lives
    /// in memory only.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    #[command(flatten)]
    pub knobs: EmulatorKnobArgs,
}

/// Behaviours the emulator can add for tests and benchmarks: the flags of
/// [`crate::emulator::EmulatorKnobs`], which the emulator itself takes (it knows no clap).
#[derive(Clone, Debug, Default, Args)]
pub struct EmulatorKnobArgs {
    /// Add this much latency, in milliseconds, before every answer.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,
    /// Admit at most N requests in any one-second window; the rest get 429 with code
    /// `rate_limit`, before idempotency (so nothing is saved under their key). 0 = no limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub rate_limit: u32,
    /// Admit at most N requests of one named operation (method and route, e.g.
    /// `POST /v1/promotion_codes`) in any one-second window, as Stripe's per-endpoint limit
    /// does; the rest get the same 429. 0 = no limit.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub endpoint_rate_limit: u32,
    /// Fraction (0..1) of requests answered 500 `api_error` before any change (not saved
    /// under their idempotency key, so a retry runs afresh).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub error_rate: f64,
    /// Fraction (0..1) of writes (POST, DELETE) whose change is committed and saved under its
    /// idempotency key, but whose answer is lost: the connection drops mid-response.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub lost_rate: f64,
    /// Fraction (0..1) of requests answered 429 `rate_limit` whatever the rate.
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub rate_limit_error_rate: f64,
    /// Seed for the random faults above: the same seed and the same sequence of requests meet
    /// the same faults.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub seed: u64,
}

impl From<EmulatorKnobArgs> for EmulatorKnobs {
    fn from(args: EmulatorKnobArgs) -> Self {
        let EmulatorKnobArgs {
            latency_ms,
            rate_limit,
            endpoint_rate_limit,
            error_rate,
            lost_rate,
            rate_limit_error_rate,
            seed,
        } = args;
        EmulatorKnobs {
            latency_ms,
            rate_limit,
            endpoint_rate_limit,
            error_rate,
            lost_rate,
            rate_limit_error_rate,
            seed,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_version_names_the_pinned_api_version() {
        assert!(super::LONG_VERSION.contains(crate::stripe::API_VERSION));
    }

    #[test]
    fn every_knob_flag_reaches_the_emulator() {
        use clap::Parser;
        let cli = super::Cli::try_parse_from([
            "billingctl",
            "emulator",
            "--latency-ms=5",
            "--rate-limit=6",
            "--endpoint-rate-limit=7",
            "--error-rate=0.1",
            "--lost-rate=0.2",
            "--rate-limit-error-rate=0.3",
            "--seed=9",
        ])
        .expect("the flags parse");
        let super::Command::Emulator(args) = cli.command else {
            panic!("not the emulator command");
        };
        assert_eq!(
            super::EmulatorKnobs::from(args.knobs),
            super::EmulatorKnobs {
                latency_ms: 5,
                rate_limit: 6,
                endpoint_rate_limit: 7,
                error_rate: 0.1,
                lost_rate: 0.2,
                rate_limit_error_rate: 0.3,
                seed: 9,
            }
        );
    }
}
