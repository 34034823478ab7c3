//! The one redaction layer: every line billingctl prints (stdout and stderr, results, errors,
//! progress lines, script `print`, panics) goes through [`redact`], so no code path can print
//! an API key, whatever text a server, a proxy or a bug put it in.
//!
//! Two rules, applied to every text:
//! - every secret registered with [`register_secret`] (each [`crate::stripe::ApiKey`] registers
//!   itself when built, and so does a string refused as a key) is replaced by its redacted
//!   form, and so is its secret part (after `sk_test_`), in case the prefix came out
//!   re-encoded;
//! - any token that looks like a Stripe secret (`sk_`/`rk_` + `test_`/`live_`, or `whsec_`,
//!   followed by key characters) is masked too, registered or not.
//!
//! Printing goes through the macros [`out!`], [`outln!`], [`eout!`] and [`eoutln!`] (a
//! test holds that `src/` calls no `print!`/`println!`/`eprint!`/`eprintln!` elsewhere), and
//! the panic hook installed by [`install_panic_hook`]. The registry is process-wide on purpose:
//! a printing path that had to be handed the key to hide it is the path that forgets to.

use std::borrow::Cow;
use std::io::Write;
use std::sync::RwLock;

/// Prefixes of Stripe secrets: secret and restricted keys, test and live, webhook secrets.
const SECRET_PREFIXES: [&str; 5] = ["sk_test_", "sk_live_", "rk_test_", "rk_live_", "whsec_"];

/// Below this many secret characters the tail would give too much away: nothing is shown.
const MIN_LEN_TO_SHOW_TAIL: usize = 12;

/// Secrets seen by this process, longest first (so a key is replaced before a shorter
/// secret that is part of it).
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Adds a secret to mask in every output from now on. Short strings are ignored: masking
/// `abc` everywhere would garble output without protecting anything.
pub fn register_secret(secret: &str) {
    if secret.chars().count() < 8 {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    let mut add = |text: &str| {
        if text.chars().count() >= MIN_LEN_TO_SHOW_TAIL && !secrets.iter().any(|s| s == text) {
            secrets.push(text.to_owned());
        }
    };
    add(secret);
    if let Some(prefix) = SECRET_PREFIXES.iter().find(|p| secret.starts_with(*p)) {
        add(&secret[prefix.len()..]);
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// `sk_test_…abcd`: the prefix (if a known one) and the last four characters of a long
/// enough secret.
pub fn mask(secret: &str) -> String {
    let prefix = SECRET_PREFIXES
        .iter()
        .find(|p| secret.starts_with(*p))
        .copied()
        .unwrap_or("");
    let rest = &secret[prefix.len()..];
    let count = rest.chars().count();
    if count < MIN_LEN_TO_SHOW_TAIL {
        return format!("{prefix}…");
    }
    let tail: String = rest.chars().skip(count - 4).collect();
    format!("{prefix}…{tail}")
}

/// The text with every secret masked (borrowed back when there was none).
pub fn redact(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    {
        let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
        for secret in secrets.iter() {
            if out.contains(secret.as_str()) {
                out = Cow::Owned(out.replace(secret.as_str(), &mask(secret)));
            }
        }
    }
    if SECRET_PREFIXES.iter().any(|p| out.contains(p)) {
        out = Cow::Owned(mask_tokens(&out));
    }
    out
}

/// Masks every `PREFIX` + key characters token.
fn mask_tokens(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some((at, prefix)) = SECRET_PREFIXES
        .iter()
        .filter_map(|p| rest.find(p).map(|at| (at, *p)))
        .min_by_key(|(at, _)| *at)
    {
        out.push_str(&rest[..at]);
        let after = &rest[at + prefix.len()..];
        let len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        let token = &rest[at..at + prefix.len() + len];
        if len == 0 {
            out.push_str(prefix);
        } else {
            out.push_str(&mask(token));
        }
        rest = &rest[at + prefix.len() + len..];
    }
    out.push_str(rest);
    out
}

/// Which stream a line goes to.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub enum Stream {
    Out,
    Err,
}

/// Writes already formatted text, redacted. A closed pipe (`billingctl plan | head`) is not
/// an error worth a panic: the rest is dropped.
#[doc(hidden)]
pub fn write(stream: Stream, text: &str) {
    let text = redact(text);
    let _ = match stream {
        Stream::Out => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
        Stream::Err => std::io::stderr().lock().write_all(text.as_bytes()),
    };
}

/// `print!`, through the redaction layer.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::redact::write($crate::redact::Stream::Out, &format!($($arg)*)) };
}

/// `println!`, through the redaction layer.
#[macro_export]
macro_rules! outln {
    () => { $crate::redact::write($crate::redact::Stream::Out, "\n") };
    ($($arg:tt)*) => {
        $crate::redact::write($crate::redact::Stream::Out, &format!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprint!`, through the redaction layer.
#[macro_export]
macro_rules! eout {
    ($($arg:tt)*) => { $crate::redact::write($crate::redact::Stream::Err, &format!($($arg)*)) };
}

/// `eprintln!`, through the redaction layer.
#[macro_export]
macro_rules! eoutln {
    () => { $crate::redact::write($crate::redact::Stream::Err, "\n") };
    ($($arg:tt)*) => {
        $crate::redact::write($crate::redact::Stream::Err, &format!("{}\n", format_args!($($arg)*)))
    };
}

/// What a panic prints: where and why, redacted like everything else.
pub(crate) fn panic_text(info: &dyn std::fmt::Display) -> String {
    format!(
        "error: billingctl crashed; this is a bug, please report it: {}\n",
        redact(&info.to_string())
    )
}

/// Replaces the default panic message (which would print the panic's text raw).
pub(crate) fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| write(Stream::Err, &panic_text(info))));
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "sk_test_51RedactMeAbcdefghijklmnopWXYZ";

    #[test]
    fn registered_secrets_and_their_secret_part_are_masked() {
        register_secret(KEY);
        let body = "51RedactMeAbcdefghijklmnopWXYZ";
        let text = format!("<html>{KEY}</html> sk%5Ftest%5F{body} Bearer {KEY}");
        let shown = redact(&text);
        assert!(!shown.contains(body), "{shown}");
        assert!(shown.contains("sk_test_…WXYZ"), "{shown}");
    }

    #[test]
    fn unregistered_key_shaped_tokens_are_masked() {
        let shown = redact(
            "echo: Authorization: Bearer rk_live_0123456789abcdefQRST, whsec_abcdefghijklmnop1234.",
        );
        assert_eq!(
            shown,
            "echo: Authorization: Bearer rk_live_…QRST, whsec_…1234."
        );
        assert_eq!(redact("sk_test_short"), "sk_test_…");
        // Already masked text and a bare prefix stay as they are.
        assert_eq!(
            redact("sk_test_…WXYZ and sk_live_"),
            "sk_test_…WXYZ and sk_live_"
        );
        assert!(matches!(redact("nothing secret"), Cow::Borrowed(_)));
    }

    #[test]
    fn webhook_signing_secrets_are_masked_wherever_they_appear() {
        // As Stripe's create answer carries one, unregistered: in JSON, in a debug print,
        // in an error quoting a body.
        let secret = "whsec_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56";
        for text in [
            format!("{{\"id\":\"we_1\",\"secret\":\"{secret}\"}}"),
            format!("Object {{ \"secret\": String(\"{secret}\") }}"),
            format!("error: creating webhook_endpoint `billing`: answer {secret}"),
        ] {
            let shown = redact(&text);
            assert!(!shown.contains("Ab12Cd34"), "{shown}");
            assert!(shown.contains("whsec_…Op56"), "{shown}");
        }
        // Registered (as the apply does with each secret it receives), its body alone is
        // masked too, e.g. after a re-encoding that lost the prefix.
        register_secret(secret);
        let shown = redact("whsec%5FAb12Cd34Ef56Gh78Ij90Kl12Mn34Op56");
        assert!(!shown.contains("Ab12Cd34"), "{shown}");
    }

    #[test]
    fn a_panic_message_is_redacted() {
        let shown = panic_text(&format!("panicked at src/x.rs:1:1: bad answer {KEY}"));
        assert!(!shown.contains("RedactMe"), "{shown}");
        assert!(shown.contains("sk_test_…WXYZ"), "{shown}");
    }

    #[test]
    fn the_panic_hook_prints_through_the_layer() {
        use std::sync::{Arc, Mutex};
        let seen = Arc::new(Mutex::new(String::new()));
        let previous = std::panic::take_hook();
        let sink = seen.clone();
        std::panic::set_hook(Box::new(move |info| {
            sink.lock().unwrap().push_str(&panic_text(info));
        }));
        let _ = std::panic::catch_unwind(|| panic!("answer was {KEY}"));
        std::panic::set_hook(previous);
        let seen = seen.lock().unwrap();
        assert!(seen.contains("billingctl crashed"), "{seen}");
        assert!(!seen.contains("RedactMe"), "{seen}");
    }

    /// The house rule that makes the layer the only way out: no bare printing macro in `src/`.
    #[test]
    fn nothing_in_src_prints_around_the_layer() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().map_or(true, |e| e != "rs") || path.ends_with("redact.rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for (number, line) in text.lines().enumerate() {
                    let code = line.split("//").next().unwrap_or_default();
                    for bare in ["println!(", "print!(", "eprintln!(", "eprint!(", "dbg!("] {
                        let hit = code.match_indices(bare).any(|(at, _)| {
                            at == 0
                                || !code[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
                        });
                        if hit {
                            offenders.push(format!(
                                "{}:{}: {}",
                                path.display(),
                                number + 1,
                                line.trim()
                            ));
                        }
                    }
                }
            }
        }
        assert!(
            offenders.is_empty(),
            "print through out!/outln!/eout!/eoutln!:\n{}",
            offenders.join("\n")
        );
    }
}
