//! The emulator's knobs for tests and benchmarks: added latency, rate limits, seeded faults.
//! A plain struct: the emulator knows no command line. `billingctl emulator`'s flags
//! (`crate::cli::EmulatorKnobArgs`) convert into it, and tests and benchmarks build it
//! directly. Every knob is off by default.

/// Behaviours the emulator can add. Each field is documented on its flag (`--latency-ms`,
/// ...) in `billingctl emulator --help`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EmulatorKnobs {
    /// Latency added before every answer, in milliseconds.
    pub latency_ms: u64,
    /// At most this many requests in any one-second window, over all requests (0 = off).
    pub rate_limit: u32,
    /// At most this many requests of one named operation (`POST /v1/promotion_codes`) in
    /// any one-second window (0 = off).
    pub endpoint_rate_limit: u32,
    /// Fraction of requests answered 500 `api_error` before any change.
    pub error_rate: f64,
    /// Fraction of writes whose change is committed but whose answer is lost.
    pub lost_rate: f64,
    /// Fraction of requests answered 429 `rate_limit` whatever the rate.
    pub rate_limit_error_rate: f64,
    /// Seed of the random faults.
    pub seed: u64,
}

impl EmulatorKnobs {
    /// Checks the knobs once, before serving: rates are fractions. The message names each
    /// knob by its flag, where people set it.
    pub(crate) fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("--error-rate", self.error_rate),
            ("--lost-rate", self.lost_rate),
            ("--rate-limit-error-rate", self.rate_limit_error_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0 and 1, got {rate}"));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_outside_zero_to_one_are_refused() {
        let knobs = EmulatorKnobs {
            lost_rate: 1.5,
            ..EmulatorKnobs::default()
        };
        assert_eq!(
            knobs.validate().unwrap_err(),
            "--lost-rate must be between 0 and 1, got 1.5"
        );
    }
}
