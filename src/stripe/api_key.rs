//! The Stripe API key: a newtype that redacts itself in every formatting path.
//!
//! `Display` and `Debug` both print `sk_test_…abcd` (the prefix and the last four characters),
//! so no `format!`, log line or error message can leak the key. The secret is reachable only
//! through [`ApiKey::expose`], which the client calls to build the `Authorization` header.

use std::fmt;

/// Test mode or live mode, read from the key's prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyMode {
    /// `sk_test_…` / `rk_test_…`: test mode or a sandbox.
    Test,
    /// `sk_live_…` / `rk_live_…`: real money.
    Live,
}

impl fmt::Display for KeyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            KeyMode::Test => "test",
            KeyMode::Live => "live",
        })
    }
}

/// The prefixes billingctl accepts: secret and restricted keys, test and live.
const PREFIXES: [(&str, KeyMode); 4] = [
    ("sk_test_", KeyMode::Test),
    ("rk_test_", KeyMode::Test),
    ("sk_live_", KeyMode::Live),
    ("rk_live_", KeyMode::Live),
];

/// Fewer secret characters than this and even the last four would give away too much of it.
const MIN_SECRET_LEN_TO_SHOW_TAIL: usize = 12;

/// Why a string is not a usable API key. Never carries the key itself.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ApiKeyError {
    #[error("the Stripe API key is empty")]
    Empty,
    #[error("the Stripe API key contains whitespace or control characters (check for a stray newline or quote)")]
    BadCharacters,
    /// A character no Stripe key has (keys are ASCII letters, digits and `_`): a typo, a smart
    /// quote or a look-alike letter pasted from a document. Said locally, not as a 401.
    #[error(
        "the Stripe API key has {what} at character {position} (Stripe keys hold only ASCII \
         letters, digits and `_`; was it pasted from a document?)"
    )]
    InvalidCharacter { what: &'static str, position: usize },
    #[error(
        "the Stripe API key ({redacted}) does not start with sk_test_, sk_live_, rk_test_ or rk_live_ \
         (publishable pk_ keys cannot manage a catalog)"
    )]
    UnknownPrefix { redacted: String },
}

/// A Stripe secret or restricted API key.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Validates the shape of a key (`sk_`/`rk_` + `test_`/`live_` + secret) without keeping
    /// a copy of it anywhere but here.
    ///
    /// Every string offered as a key, accepted or not, is registered with the redaction layer
    /// (`crate::redact`), so that no later output can show it.
    pub fn new(key: String) -> Result<Self, ApiKeyError> {
        crate::redact::register_secret(&key);
        if key.is_empty() {
            return Err(ApiKeyError::Empty);
        }
        if key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(ApiKeyError::BadCharacters);
        }
        if let Some((index, c)) = key
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return Err(ApiKeyError::InvalidCharacter {
                what: if c.is_ascii() {
                    "a punctuation character"
                } else {
                    "a non-ASCII character"
                },
                position: index + 1,
            });
        }
        if !PREFIXES.iter().any(|(prefix, _)| key.starts_with(prefix)) {
            return Err(ApiKeyError::UnknownPrefix {
                redacted: redact_unknown(&key),
            });
        }
        Ok(Self(key))
    }

    /// The secret itself. Only for the `Authorization` header: never format it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Test or live, from the prefix.
    pub fn mode(&self) -> KeyMode {
        PREFIXES
            .iter()
            .find(|(prefix, _)| self.0.starts_with(prefix))
            .map(|(_, mode)| *mode)
            .expect("ApiKey::new only accepts known prefixes")
    }

    /// The redacted form: `sk_test_…abcd`. The same string `Display` and `Debug` print.
    pub fn redacted(&self) -> String {
        let prefix = PREFIXES
            .iter()
            .map(|(prefix, _)| *prefix)
            .find(|prefix| self.0.starts_with(prefix))
            .unwrap_or("");
        let secret = &self.0[prefix.len()..];
        format!("{prefix}…{}", tail(secret))
    }
}

/// The last four characters of a long enough secret, else nothing.
fn tail(secret: &str) -> &str {
    let chars = secret.chars().count();
    if chars < MIN_SECRET_LEN_TO_SHOW_TAIL {
        return "";
    }
    let start = secret
        .char_indices()
        .nth(chars - 4)
        .map(|(i, _)| i)
        .unwrap_or(0);
    &secret[start..]
}

/// For a string that is not a key we know: only its last four characters, if it is long.
fn redact_unknown(key: &str) -> String {
    format!("…{}", tail(key))
}

impl fmt::Display for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ApiKey({})", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk_test_51Habcdefghijklmnopqrstuv9xyz";

    #[test]
    fn display_and_debug_show_prefix_and_last_four_only() {
        let key = ApiKey::new(SECRET.to_string()).unwrap();
        assert_eq!(key.to_string(), "sk_test_…9xyz");
        assert_eq!(format!("{key:?}"), "ApiKey(sk_test_…9xyz)");
        assert_eq!(format!("{key:#?}"), "ApiKey(sk_test_…9xyz)");
        assert!(!format!("{key} {key:?} {key:#?}").contains("abcdefgh"));
        assert_eq!(key.expose(), SECRET);
    }

    #[test]
    fn a_struct_holding_a_key_does_not_leak_it_through_derive_debug() {
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            key: ApiKey,
        }
        let holder = Holder {
            key: ApiKey::new(SECRET.to_string()).unwrap(),
        };
        assert!(!format!("{holder:?}").contains(SECRET));
        assert!(!format!("{holder:#?}").contains(SECRET));
    }

    #[test]
    fn mode_follows_the_prefix() {
        let mode = |k: &str| ApiKey::new(k.to_string()).unwrap().mode();
        assert_eq!(mode("sk_test_abc"), KeyMode::Test);
        assert_eq!(mode("rk_test_abc"), KeyMode::Test);
        assert_eq!(mode("sk_live_abc"), KeyMode::Live);
        assert_eq!(mode("rk_live_abc"), KeyMode::Live);
    }

    #[test]
    fn short_secrets_show_no_tail() {
        let key = ApiKey::new("sk_live_short".to_string()).unwrap();
        assert_eq!(key.to_string(), "sk_live_…");
    }

    #[test]
    fn rejected_keys_are_not_echoed() {
        let err = ApiKey::new("pk_test_hushhush_0123456789abcd".to_string()).unwrap_err();
        let shown = format!("{err} {err:?}");
        assert!(shown.contains("…abcd"), "{shown}");
        assert!(!shown.contains("hushhush"), "{shown}");
        assert_eq!(ApiKey::new(String::new()).unwrap_err(), ApiKeyError::Empty);
        let err = ApiKey::new("sk_test_abc\n".to_string()).unwrap_err();
        assert_eq!(err, ApiKeyError::BadCharacters);
        assert!(!format!("{err:?}").contains("sk_test_abc"));
    }

    #[test]
    fn a_non_ascii_or_punctuation_character_is_refused_with_its_position() {
        let err = ApiKey::new("sk_test_51Habcdéfghijklmnop".to_string()).unwrap_err();
        assert_eq!(
            err,
            ApiKeyError::InvalidCharacter {
                what: "a non-ASCII character",
                position: 16
            }
        );
        let shown = err.to_string();
        assert!(
            shown.contains("non-ASCII character at character 16"),
            "{shown}"
        );
        assert!(!shown.contains("51Habcd"), "{shown}");
        let err = ApiKey::new("sk_test_51H-abcdefghijklmnop".to_string()).unwrap_err();
        assert!(matches!(
            err,
            ApiKeyError::InvalidCharacter { position: 12, .. }
        ));
        let err = ApiKey::new("sk_test_abc\n".to_string()).unwrap_err();
        assert_eq!(err, ApiKeyError::BadCharacters);
        assert!(!format!("{err:?}").contains("sk_test_abc"));
    }
}
