//! Enum values that several kinds' tables share.

pub(super) const TAX_BEHAVIOR: &[&str] = &["exclusive", "inclusive", "unspecified"];
pub(super) const INTERVAL: &[&str] = &["day", "month", "week", "year"];
