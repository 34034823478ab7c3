//! Enum values and limits that several kinds' tables share.

use crate::kinds::fields::{Items, Length, Limits};

pub(super) const TAX_BEHAVIOR: &[&str] = &["exclusive", "inclusive", "unspecified"];
pub(super) const INTERVAL: &[&str] = &["day", "month", "week", "year"];

/// Every `metadata` map (NOTES.md, "Metadata limits", from docs.stripe.com/metadata): at most
/// 50 key-value pairs, keys up to 40 characters without `[` or `]`, values up to 500.
pub(super) const METADATA: Limits = Limits {
    items: Some(Items {
        max: 50,
        noun: "keys",
    }),
    key_chars: Some(40),
    chars: Some(Length { min: 0, max: 500 }),
    ..Limits::NONE
};

/// The largest amount Stripe takes, in minor units: eight digits (99,999,999, i.e.
/// 999,999.99 in a two-decimal currency; docs.stripe.com/currencies, not in the reference).
pub(super) const AMOUNT_MAX: i64 = 99_999_999;
