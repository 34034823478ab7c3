//! "Now", read in one place. The planner's time rules (a coupon's `redeem_by` must be in the
//! future, a promotion code must not outlive its coupon, ...) and the emulator's answers to
//! them read the same [`Clock`], so a test pins both with one value and passes on any date.
//!
//! `BILLINGCTL_NOW` (read once, in `config`) pins the clock for the sandbox and the emulator:
//! Unix seconds (`1795000000`) or RFC 3339 (`2026-11-18T00:00:00Z`). Against a real Stripe
//! account it is refused, since Stripe's own clock decides there.

use std::time::{SystemTime, UNIX_EPOCH};

/// The variable that pins the clock.
pub const NOW_VAR: &str = "BILLINGCTL_NOW";

/// Where "now" comes from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Clock {
    /// The machine's wall clock.
    #[default]
    System,
    /// A fixed instant, in Unix seconds: tests, and `BILLINGCTL_NOW`.
    Fixed(i64),
}

impl Clock {
    /// The current time in Unix seconds, as Stripe's timestamps are.
    pub fn now(self) -> i64 {
        match self {
            Clock::Fixed(at) => at,
            // The only read of the wall clock in billingctl.
            Clock::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX)),
        }
    }

    /// Whether the clock is pinned.
    pub fn is_fixed(self) -> bool {
        matches!(self, Clock::Fixed(_))
    }

    /// Parses a `BILLINGCTL_NOW` value: Unix seconds or an RFC 3339 date-time.
    pub fn parse(text: &str) -> Result<Clock, String> {
        let text = text.trim();
        if let Ok(seconds) = text.parse::<i64>() {
            return Ok(Clock::Fixed(seconds));
        }
        let at = humantime::parse_rfc3339_weak(text).map_err(|err| {
            format!(
                "{NOW_VAR}=`{text}`: {err}; expected Unix seconds (1795000000) or RFC 3339 \
                 (2026-11-18T00:00:00Z)"
            )
        })?;
        let seconds = at
            .duration_since(UNIX_EPOCH)
            .map_err(|_| format!("{NOW_VAR}=`{text}` is before 1970"))?
            .as_secs();
        Ok(Clock::Fixed(i64::try_from(seconds).unwrap_or(i64::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_stays_where_it_was_put() {
        assert_eq!(Clock::Fixed(1_795_000_000).now(), 1_795_000_000);
        assert!(Clock::System.now() > 1_700_000_000);
    }

    #[test]
    fn billingctl_now_takes_seconds_or_rfc3339() {
        assert_eq!(Clock::parse("1795000000"), Ok(Clock::Fixed(1_795_000_000)));
        assert_eq!(
            Clock::parse("2026-12-01T08:00:00Z"),
            Ok(Clock::Fixed(1_796_112_000))
        );
        let err = Clock::parse("next tuesday").unwrap_err();
        assert!(err.contains("BILLINGCTL_NOW"), "{err}");
    }
}
