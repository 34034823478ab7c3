//! From the command line and the environment to a ready account: which server, which key,
//! how fast. Done once per command, here, and nowhere else: this is the only module that
//! reads API-key variables or `.env`.
//!
//! Key lookup, first match wins: `STRIPE_API_KEY_<ENV>` (the environment's name upper-cased,
//! other characters as `_`), then `STRIPE_API_KEY`; each from the process environment, else
//! from the project's `.env` file (which never overrides a real variable). The `.env` is the
//! first one found walking up from the script's directory to its project root
//! (`script::project`: the current directory when the script lies under it); for a script
//! outside the current directory, up to the first directory holding `.git` or `.billingctl`.
//! Commands without a script (`export`) read `./.env`. The key guard then refuses a live key
//! for a test environment and a test key for a live one, so a script run with the wrong
//! terminal's variables cannot touch the wrong account.
//!
//! `--sandbox[=PATH]` needs no key at all: the emulator starts in-process on a loopback port,
//! keeps its state in PATH, and is used with a fixed test key; a real key in the environment
//! is ignored. A read-only command ([`Access::Read`]) works on a scratch copy of PATH, so it
//! creates and changes nothing; a missing PATH is an empty account.

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

use crate::catalog::{Environment, Mode};
use crate::cli::AccountArgs;
use crate::clock::{Clock, NOW_VAR};
use crate::emulator::{EmulatorHandle, EmulatorOptions};
use crate::stripe::client::default_max_rps;
use crate::stripe::{ApiKey, ApiKeyError, Client, ClientConfig, KeyMode, RetryPolicy};

/// The variable every environment falls back to.
pub const GENERIC_KEY_VAR: &str = "STRIPE_API_KEY";
/// The key the sandbox is used with: the emulator accepts any test key, and this one is not
/// anybody's secret.
pub const SANDBOX_KEY: &str = "sk_test_billingctl_sandbox_key_0000";

/// The sandbox's default pace: none. It is a local file, not Stripe's test mode (25 req/s),
/// so a 1,000-object run need not take 40 s; `--max-rps` still paces it when asked.
pub const SANDBOX_MAX_RPS: u32 = u32::MAX;

/// The account a command works on: a client ready to use, the mode it was checked for, and
/// (for `--sandbox`) the emulator serving it, kept alive as long as the account.
pub struct Account {
    pub client: Client,
    pub mode: Mode,
    /// For the plan header: `sandbox .billingctl/sandbox.json` or
    /// `https://api.stripe.com (sk_live_…abcd)`. Never the key.
    pub description: String,
    /// Dropping the account stops the sandbox.
    sandbox: Option<EmulatorHandle>,
    /// A read-only sandbox's scratch copy of the state file. Declared after `sandbox` so the
    /// emulator's last write lands here before the directory is removed.
    _scratch: Option<tempfile::TempDir>,
}

/// Whether the command may change the account. Read-only commands (`plan`, `verify`,
/// `export`) must leave no trace, not even a sandbox file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// What a command connects for: its access, the script whose project holds `.env`, and
/// whether each request is printed (`--verbose`).
#[derive(Clone, Copy, Debug)]
pub struct Purpose<'a> {
    pub access: Access,
    pub script: Option<&'a Path>,
    pub verbose: bool,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("client", &self.client)
            .field("mode", &self.mode)
            .field("description", &self.description)
            .field("sandbox", &self.sandbox.is_some())
            .finish()
    }
}

/// Builds the account for `args` and the environment, reading keys from the process
/// environment and the project's `.env`. `clock` is "now" for the sandbox.
pub fn connect(
    args: &AccountArgs,
    env: &Environment,
    clock: Clock,
    purpose: Purpose<'_>,
) -> anyhow::Result<Account> {
    let sources = if args.sandbox.is_some() {
        // The sandbox never looks at keys: a broken `.env` must not stop it either.
        KeySources::default()
    } else if let Some(flag) = &args.api_key {
        KeySources::from_flag(flag)?
    } else {
        let cwd = std::env::current_dir().context("reading the current directory")?;
        KeySources::from_process(find_dotenv(&cwd, purpose.script).as_deref())?
    };
    let account = connect_with(args, env, &sources, clock, purpose.access)?;
    account.client.set_verbose(purpose.verbose);
    Ok(account)
}

/// The `.env` a script's keys come from: the first found walking up from the script's
/// directory to its project root (see the module doc). `None` when there is none.
pub fn find_dotenv(cwd: &Path, script: Option<&Path>) -> Option<PathBuf> {
    let Some(script) = script else {
        return Some(cwd.join(".env")).filter(|p| p.is_file());
    };
    let script = crate::script::project::normalize(&cwd.join(script));
    let root = crate::script::project::Project::for_script(cwd, &script);
    let inside = script.starts_with(crate::script::project::normalize(cwd));
    let mut dir = script.parent();
    while let Some(current) = dir {
        let candidate = current.join(".env");
        if candidate.is_file() {
            return Some(candidate);
        }
        let at_root = if inside {
            current == root.root()
        } else {
            current.join(".git").exists() || current.join(".billingctl").exists()
        };
        if at_root {
            break;
        }
        dir = current.parent();
    }
    None
}

/// [`connect`] with the key sources given, so tests need not touch the process environment.
pub fn connect_with(
    args: &AccountArgs,
    env: &Environment,
    sources: &KeySources,
    clock: Clock,
    access: Access,
) -> anyhow::Result<Account> {
    if args.concurrency == 0 {
        bail!("--concurrency must be at least 1");
    }
    if args.max_rps == Some(0) {
        bail!("--max-rps must be at least 1");
    }
    if args.endpoint_rps == 0 {
        bail!("--endpoint-rps must be at least 1");
    }
    if let Some(state_file) = &args.sandbox {
        return connect_sandbox(args, env, state_file, clock, access);
    }
    if clock.is_fixed() && is_stripe(&args.api_base) {
        bail!(
            "{NOW_VAR} (or --now) pins the clock for the sandbox and emulators only; \
             {} keeps Stripe's own time: unset it",
            args.api_base
        );
    }
    let found = sources.find_key(&env.name).with_context(|| {
        format!(
            "no Stripe API key for environment `{}`: set {} or {} (in the environment or in a \
             .env file here), or try the built-in sandbox with --sandbox",
            env.name,
            env_key_var(&env.name),
            GENERIC_KEY_VAR
        )
    })?;
    let key = ApiKey::new(found.value.clone())
        .map_err(|e: ApiKeyError| anyhow::anyhow!("{} {}: {e}", found.name, found.origin))?;
    check_key_mode(&key, &found, env)?;
    let client = build_client(
        &args.api_base,
        key.clone(),
        args,
        default_max_rps(key.mode()),
    )?;
    Ok(Account {
        description: format!("{} ({key})", client.base_url()),
        client,
        mode: env.mode,
        sandbox: None,
        _scratch: None,
    })
}

/// Whether `api_base` is Stripe itself (not the sandbox, an emulator or a proxy).
fn is_stripe(api_base: &str) -> bool {
    api_base
        .trim_end_matches('/')
        .strip_prefix("https://")
        .is_some_and(|host| host == "api.stripe.com")
}

/// The key guard: live keys only for live environments, test keys only for test ones.
fn check_key_mode(key: &ApiKey, found: &FoundKey, env: &Environment) -> anyhow::Result<()> {
    match (key.mode(), env.mode) {
        (KeyMode::Live, Mode::Test) => bail!(
            "refusing to use a live-mode key ({key}, from {} {}) for environment `{}`, which \
             is a test-mode environment: set {} to a test key (sk_test_… or rk_test_…); if \
             `{}` really is live, declare it with `mode: \"live\"` in the settings() of its \
             overlay (env/{}.rhai beside the script)",
            found.name,
            found.origin,
            env.name,
            env_key_var(&env.name),
            env.name,
            env.name,
        ),
        (KeyMode::Test, Mode::Live) => bail!(
            "refusing to use a test-mode key ({key}, from {} {}) for environment `{}`, which is \
             declared live: set {} to a live key (sk_live_… or rk_live_…)",
            found.name,
            found.origin,
            env.name,
            env_key_var(&env.name),
        ),
        _ => Ok(()),
    }
}

fn build_client(
    base_url: &str,
    api_key: ApiKey,
    args: &AccountArgs,
    default_rps: u32,
) -> anyhow::Result<Client> {
    let config = ClientConfig {
        base_url: base_url.to_string(),
        api_key,
        max_rps: args.max_rps.unwrap_or(default_rps),
        endpoint_rps: args.endpoint_rps,
        concurrency: args.concurrency,
        retry: RetryPolicy::default(),
    };
    Ok(Client::new(config)?)
}

/// The variable holding one environment's key: `STRIPE_API_KEY_<NAME>`.
pub fn env_key_var(env_name: &str) -> String {
    let suffix: String = env_name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("{GENERIC_KEY_VAR}_{suffix}")
}

/// Where keys may be found: the process environment first, then `.env`. Only variables whose
/// name starts with `STRIPE_API_KEY` are kept.
#[derive(Default)]
pub struct KeySources {
    process: HashMap<String, String>,
    dotenv: HashMap<String, String>,
    dotenv_path: Option<PathBuf>,
    /// `--api-key`: wins over every variable; the origin says how it was given.
    flag: Option<(String, &'static str)>,
}

impl fmt::Debug for KeySources {
    /// Names only: the values are keys.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeySources")
            .field("process", &self.process.keys().collect::<Vec<_>>())
            .field("dotenv", &self.dotenv.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A key found, with where it came from (for messages).
struct FoundKey {
    name: String,
    origin: String,
    value: String,
}

impl KeySources {
    /// `--api-key KEY`, or `--api-key -` for one line of standard input. A key typed on the
    /// command line shows in process lists and shell history: say so (Stripe's CLI and
    /// `gh` warn alike), without the key.
    pub fn from_flag(flag: &str) -> anyhow::Result<Self> {
        let (value, origin) = if flag == "-" {
            let mut line = String::new();
            std::io::stdin()
                .read_line(&mut line)
                .context("reading the API key from standard input")?;
            (line.trim().to_string(), "from standard input")
        } else {
            crate::eoutln!(
                "warning: a key passed with --api-key shows in process lists and shell \
                 history; prefer STRIPE_API_KEY, or `--api-key -` to read it from standard input"
            );
            (flag.to_string(), "on the command line")
        };
        if value.is_empty() {
            bail!("--api-key {origin}: the key is empty");
        }
        Ok(Self {
            flag: Some((value, origin)),
            ..Self::default()
        })
    }

    /// The process environment and the `.env` file given (if there is one).
    pub fn from_process(dotenv: Option<&Path>) -> anyhow::Result<Self> {
        let vars = std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        });
        Self::new(vars, dotenv)
    }

    /// Keys from these variables, then from this `.env` file when it exists.
    pub fn new(
        vars: impl IntoIterator<Item = (String, String)>,
        dotenv: Option<&Path>,
    ) -> anyhow::Result<Self> {
        let process = vars
            .into_iter()
            .filter(|(name, _)| name.starts_with(GENERIC_KEY_VAR))
            .collect();
        let mut sources = Self {
            process,
            ..Self::default()
        };
        if let Some(path) = dotenv.filter(|p| p.is_file()) {
            sources.dotenv = read_dotenv(path)?;
            sources.dotenv_path = Some(path.to_path_buf());
        }
        Ok(sources)
    }

    /// `STRIPE_API_KEY_<ENV>` then `STRIPE_API_KEY`, each from the process, else `.env`.
    /// An empty value counts as unset.
    fn find_key(&self, env_name: &str) -> Option<FoundKey> {
        if let Some((value, origin)) = &self.flag {
            return Some(FoundKey {
                name: "--api-key".to_string(),
                origin: (*origin).to_string(),
                value: value.clone(),
            });
        }
        [env_key_var(env_name), GENERIC_KEY_VAR.to_string()]
            .into_iter()
            .find_map(|name| {
                let dotenv_origin = || match &self.dotenv_path {
                    Some(path) => format!("in {}", path.display()),
                    None => "in .env".to_string(),
                };
                let (value, origin) = match self.process.get(&name).filter(|v| !v.is_empty()) {
                    Some(value) => (value, "in the environment".to_string()),
                    None => (
                        self.dotenv.get(&name).filter(|v| !v.is_empty())?,
                        dotenv_origin(),
                    ),
                };
                Some(FoundKey {
                    name,
                    origin,
                    value: value.clone(),
                })
            })
    }
}

/// The `STRIPE_API_KEY*` entries of a `.env` file. A parse error names the line, never its
/// text (which may be a key).
fn read_dotenv(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let entries = dotenvy::from_path_iter(path)
        .map_err(|e| anyhow::anyhow!("cannot read {}: {}", path.display(), dotenv_error(&e)))?;
    let mut keys = HashMap::new();
    for entry in entries {
        let (name, value) = entry
            .map_err(|e| anyhow::anyhow!("cannot read {}: {}", path.display(), dotenv_error(&e)))?;
        if name.starts_with(GENERIC_KEY_VAR) {
            keys.insert(name, value);
        }
    }
    Ok(keys)
}

fn dotenv_error(error: &dotenvy::Error) -> String {
    match error {
        dotenvy::Error::LineParse(_, index) => {
            format!(
                "cannot parse it near character {index} (the line is not shown: it may hold a key)"
            )
        }
        dotenvy::Error::Io(e) => e.to_string(),
        _ => "cannot parse it".to_string(),
    }
}

/// `--sandbox PATH`: the emulator in-process on a free loopback port, its account kept in
/// PATH, used with [`SANDBOX_KEY`]. It emulates a test-mode account; a live environment may
/// still be previewed in it, since nothing there is real money.
fn connect_sandbox(
    args: &AccountArgs,
    env: &Environment,
    state_file: &Path,
    clock: Clock,
    access: Access,
) -> anyhow::Result<Account> {
    // A read-only command serves a scratch copy: the emulator writes its state on exit, and
    // `plan` must not create or touch the user's file (a missing one is an empty account).
    let (served, scratch) = match access {
        Access::Write => {
            if let Some(dir) = state_file.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir)
                    .with_context(|| format!("creating the sandbox folder {}", dir.display()))?;
            }
            (state_file.to_path_buf(), None)
        }
        Access::Read => {
            let scratch = tempfile::tempdir().context("creating a scratch sandbox folder")?;
            let copy = scratch.path().join("sandbox.json");
            if state_file.is_file() {
                std::fs::copy(state_file, &copy)
                    .with_context(|| format!("reading the sandbox {}", state_file.display()))?;
            }
            (copy, Some(scratch))
        }
    };
    let options = EmulatorOptions {
        state_file: Some(served),
        clock,
        ..EmulatorOptions::default()
    };
    let handle = crate::emulator::start(options, SocketAddr::from(([127, 0, 0, 1], 0)))
        .with_context(|| format!("starting the sandbox ({})", state_file.display()))?;
    let key = ApiKey::new(SANDBOX_KEY.to_string()).expect("the sandbox key is a valid test key");
    let client = build_client(&handle.base_url(), key, args, SANDBOX_MAX_RPS)?;
    Ok(Account {
        client,
        mode: env.mode,
        description: format!("sandbox {}", state_file.display()),
        sandbox: Some(handle),
        _scratch: scratch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;

    const TEST_KEY: &str = "sk_test_51TestSecretValue0000000000tst1";
    const LIVE_KEY: &str = "sk_live_51LiveSecretValue0000000000liv1";

    fn args() -> AccountArgs {
        AccountArgs {
            sandbox: None,
            api_key: None,
            api_base: "http://127.0.0.1:9".into(),
            max_rps: None,
            endpoint_rps: 25,
            concurrency: 8,
        }
    }

    #[test]
    fn a_pinned_clock_is_refused_against_stripe_itself() {
        let stripe = AccountArgs {
            api_base: "https://api.stripe.com".into(),
            ..args()
        };
        let sources = vars(&[("STRIPE_API_KEY", TEST_KEY)]);
        let err = connect_with(
            &stripe,
            &env("test", Mode::Test),
            &sources,
            Clock::Fixed(1),
            Access::Write,
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("BILLINGCTL_NOW"), "{err}");
        // An emulator or a proxy may be pinned.
        connect_with(
            &args(),
            &env("test", Mode::Test),
            &sources,
            Clock::Fixed(1),
            Access::Write,
        )
        .unwrap();
    }

    fn env(name: &str, mode: Mode) -> Environment {
        Environment {
            name: name.into(),
            mode,
            ..Environment::default()
        }
    }

    fn vars(pairs: &[(&str, &str)]) -> KeySources {
        let pairs = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string()));
        KeySources::new(pairs, None).unwrap()
    }

    #[test]
    fn a_live_key_is_refused_for_a_test_environment_without_showing_it() {
        let err = connect_with(
            &args(),
            &env("test", Mode::Test),
            &vars(&[("STRIPE_API_KEY", LIVE_KEY)]),
            Clock::default(),
            Access::Write,
        )
        .unwrap_err();
        let shown = format!("{err:#} {err:?}");
        assert!(!shown.contains(LIVE_KEY), "{shown}");
        assert!(!shown.contains("LiveSecret"), "{shown}");
        assert!(shown.contains("live-mode key (sk_live_…liv1"), "{shown}");
        assert!(shown.contains("environment `test`"), "{shown}");
        assert!(shown.contains("STRIPE_API_KEY_TEST"), "{shown}");
    }

    #[test]
    fn a_test_key_is_refused_for_a_live_environment_without_showing_it() {
        let err = connect_with(
            &args(),
            &env("live", Mode::Live),
            &vars(&[("STRIPE_API_KEY_LIVE", TEST_KEY)]),
            Clock::default(),
            Access::Write,
        )
        .unwrap_err();
        let shown = format!("{err:#} {err:?}");
        assert!(!shown.contains("TestSecret"), "{shown}");
        assert!(
            shown.contains("test-mode key (sk_test_…tst1, from STRIPE_API_KEY_LIVE"),
            "{shown}"
        );
        assert!(
            shown.contains("environment `live`, which is declared live"),
            "{shown}"
        );
    }

    #[test]
    fn matching_modes_connect_with_the_right_defaults() {
        let live = connect_with(
            &args(),
            &env("live", Mode::Live),
            &vars(&[("STRIPE_API_KEY", LIVE_KEY)]),
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert_eq!(live.mode, Mode::Live);
        assert_eq!(live.description, "http://127.0.0.1:9 (sk_live_…liv1)");
        assert_eq!(live.client.stats().current_rps, 100.0);
        assert!(live.sandbox.is_none());
        assert!(!format!("{live:?}").contains("LiveSecret"));

        let test = connect_with(
            &args(),
            &env("test", Mode::Test),
            &vars(&[("STRIPE_API_KEY", TEST_KEY)]),
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert_eq!(test.client.stats().current_rps, 25.0);

        let mut fast = args();
        fast.max_rps = Some(7);
        let paced = connect_with(
            &fast,
            &env("test", Mode::Test),
            &vars(&[("STRIPE_API_KEY", TEST_KEY)]),
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert_eq!(paced.client.stats().current_rps, 7.0);
    }

    #[test]
    fn the_per_environment_variable_wins_over_the_generic_one() {
        let sources = vars(&[
            ("STRIPE_API_KEY", LIVE_KEY),
            ("STRIPE_API_KEY_EU_STAGING", TEST_KEY),
        ]);
        let account = connect_with(
            &args(),
            &env("eu-staging", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert!(
            account.description.ends_with("(sk_test_…tst1)"),
            "{}",
            account.description
        );
        // An empty per-environment variable counts as unset.
        let sources = vars(&[("STRIPE_API_KEY", TEST_KEY), ("STRIPE_API_KEY_TEST", "")]);
        let account = connect_with(
            &args(),
            &env("test", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert!(account.description.ends_with("(sk_test_…tst1)"));
        assert_eq!(env_key_var("eu-staging"), "STRIPE_API_KEY_EU_STAGING");
    }

    #[test]
    fn dotenv_supplies_keys_but_never_overrides_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(
            &path,
            format!(
                "# keys\nSTRIPE_API_KEY_TEST=\"{TEST_KEY}\"\nSTRIPE_API_KEY={LIVE_KEY}\nOTHER=1\n"
            ),
        )
        .unwrap();
        // From .env alone.
        let sources = KeySources::new(Vec::new(), Some(&path)).unwrap();
        let account = connect_with(
            &args(),
            &env("test", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert!(account.description.ends_with("(sk_test_…tst1)"));
        // The process environment wins for the same variable.
        let other_test_key = "sk_test_51ProcessSecret000000000000prc1";
        let sources = KeySources::new(
            vec![(
                "STRIPE_API_KEY_TEST".to_string(),
                other_test_key.to_string(),
            )],
            Some(&path),
        )
        .unwrap();
        let account = connect_with(
            &args(),
            &env("test", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert!(
            account.description.ends_with("(sk_test_…prc1)"),
            "{}",
            account.description
        );
        // Errors say the key came from the file.
        let err = connect_with(
            &args(),
            &env("test", Mode::Live),
            &KeySources::new(Vec::new(), Some(&path)).unwrap(),
            Clock::default(),
            Access::Write,
        )
        .unwrap_err()
        .to_string();
        let origin = format!("from STRIPE_API_KEY_TEST in {}", path.display());
        assert!(err.contains(&origin), "{err}");
        assert!(!err.contains("TestSecret"), "{err}");
        let sources = KeySources::new(Vec::new(), Some(&path)).unwrap();
        assert!(!format!("{sources:?}").contains("Secret"));
    }

    #[test]
    fn a_broken_dotenv_line_is_reported_without_its_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".env");
        std::fs::write(&path, format!("STRIPE_API_KEY {TEST_KEY}\n")).unwrap();
        let err = KeySources::new(Vec::new(), Some(&path))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cannot read"), "{err}");
        assert!(!err.contains("TestSecret"), "{err}");
    }

    #[test]
    fn no_key_says_which_variables_to_set() {
        let err = connect_with(
            &args(),
            &env("live", Mode::Live),
            &vars(&[]),
            Clock::default(),
            Access::Write,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("set STRIPE_API_KEY_LIVE or STRIPE_API_KEY"),
            "{err}"
        );
        assert!(err.contains("--sandbox"), "{err}");
    }

    #[test]
    fn a_malformed_key_is_refused_by_name_not_by_value() {
        let err = connect_with(
            &args(),
            &env("test", Mode::Test),
            &vars(&[("STRIPE_API_KEY", "pk_test_PublishableSecret00000000pub1")]),
            Clock::default(),
            Access::Write,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.starts_with("STRIPE_API_KEY in the environment: "),
            "{err}"
        );
        assert!(!err.contains("PublishableSecret"), "{err}");
    }

    #[test]
    fn the_sandbox_needs_no_key_ignores_a_real_one_and_keeps_its_state_file() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join(".billingctl").join("sandbox.json");
        let mut sandboxed = args();
        sandboxed.sandbox = Some(state.clone());
        // A live key in the environment is not even looked at.
        let sources = vars(&[("STRIPE_API_KEY", LIVE_KEY)]);
        let account = connect_with(
            &sandboxed,
            &env("test", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap();
        assert!(account.sandbox.is_some());
        assert_eq!(account.description, format!("sandbox {}", state.display()));
        // Unpaced: a local file is not Stripe's test mode.
        assert_eq!(account.client.stats().current_rps, f64::from(u32::MAX));
        assert!(account.client.base_url().starts_with("http://127.0.0.1:"));
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let mut params = serde_json::Map::new();
        params.insert("id".into(), "sandboxed".into());
        params.insert("name".into(), "Sandboxed".into());
        runtime
            .block_on(account.client.post("/v1/products", &params))
            .unwrap();
        assert_eq!(account.sandbox.as_ref().unwrap().stats().posts(), 1);
        drop(account);
        let saved = std::fs::read_to_string(&state).unwrap();
        assert!(saved.contains("sandboxed"), "{saved}");
    }

    #[test]
    fn the_sandbox_is_unpaced_unless_max_rps_asks() {
        let dir = tempfile::tempdir().unwrap();
        let mut sandboxed = args();
        sandboxed.sandbox = Some(dir.path().join("s.json"));
        let test = env("test", Mode::Test);
        let sources = vars(&[]);
        let account =
            connect_with(&sandboxed, &test, &sources, Clock::default(), Access::Read).unwrap();
        assert!(account.client.stats().current_rps > 1e9);
        sandboxed.max_rps = Some(25);
        let account =
            connect_with(&sandboxed, &test, &sources, Clock::default(), Access::Read).unwrap();
        assert_eq!(account.client.stats().current_rps, 25.0);
    }

    #[test]
    fn zero_rate_or_concurrency_is_refused() {
        let mut bad = args();
        bad.max_rps = Some(0);
        let sources = vars(&[("STRIPE_API_KEY", TEST_KEY)]);
        let err = connect_with(
            &bad,
            &env("test", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap_err();
        assert!(err.to_string().contains("--max-rps"));
        let mut bad = args();
        bad.concurrency = 0;
        let err = connect_with(
            &bad,
            &env("test", Mode::Test),
            &sources,
            Clock::default(),
            Access::Write,
        )
        .unwrap_err();
        assert!(err.to_string().contains("--concurrency"));
    }
}
