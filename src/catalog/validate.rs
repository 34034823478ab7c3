//! Static validation: the values Stripe would reject, found offline. Each error names the
//! object, its key and the field (in Stripe's form notation).
//!
//! Enum values and which params exist come from the field table (`kinds::fields`), so they
//! are not restated here; this module holds the rules the table cannot express (ranges,
//! lengths, combinations of fields).

use serde_json::{Map, Value};

use super::common::{CurrencyOption, CustomUnitAmount, Metadata, Recurring, Tier, UpTo};
use super::coupon::CouponSpec;
use super::currency;
use super::portal::PortalSpec;
use super::price::PriceSpec;
use super::product::ProductSpec;
use super::promotion_code::PromotionCodeSpec;
use super::DeclaredAt;
use crate::diag::Diagnostic;
use crate::kinds::fields::Type;
use crate::kinds::{ObjectKind, RESERVED_METADATA_PREFIX};

/// Stripe's limits (NOTES.md and the param descriptions in the reference).
pub const METADATA_MAX_KEYS: usize = 50;
pub const METADATA_KEY_MAX: usize = 40;
pub const METADATA_VALUE_MAX: usize = 500;
pub const LOOKUP_KEY_MAX: usize = 200;
pub const MARKETING_FEATURES_MAX: usize = 15;
pub const MARKETING_FEATURE_NAME_MAX: usize = 80;
pub const IMAGES_MAX: usize = 8;
pub const STATEMENT_DESCRIPTOR_MAX: usize = 22;
/// The longest promotion code the API takes.
pub const PROMOTION_CODE_MAX: usize = 500;
/// Stripe's largest amount in minor units (8 digits).
pub const AMOUNT_MAX: i64 = 99_999_999;

/// The object under validation and the list its errors go to.
pub struct Check<'a> {
    pub kind: ObjectKind,
    pub key: &'a str,
    pub at: &'a DeclaredAt,
    pub diags: &'a mut Vec<Diagnostic>,
}

impl Check<'_> {
    /// Records an error about `field`.
    pub fn error(&mut self, field: &str, message: impl Into<String>) {
        self.push(field, message, None);
    }

    /// Records an error about `field` with a hint on how to fix it.
    pub fn error_help(&mut self, field: &str, message: impl Into<String>, help: impl Into<String>) {
        self.push(field, message, Some(help.into()));
    }

    fn push(&mut self, field: &str, message: impl Into<String>, help: Option<String>) {
        let mut d = Diagnostic::error(message)
            .at(self.at.clone())
            .object(self.kind, self.key);
        if !field.is_empty() {
            d = d.field(field);
        }
        d.help = help;
        self.diags.push(d);
    }

    fn non_negative(&mut self, field: &str, amount: Option<i64>) {
        match amount {
            Some(a) if a < 0 => self.error(field, format!("`{field}` must be >= 0, got {a}")),
            Some(a) if a > AMOUNT_MAX => self.error(
                field,
                format!("`{field}` must be at most {AMOUNT_MAX} (minor units), got {a}"),
            ),
            _ => {}
        }
    }

    fn positive(&mut self, field: &str, value: Option<i64>) {
        if let Some(v) = value.filter(|v| *v < 1) {
            self.error(
                field,
                format!("`{field}` must be a positive integer, got {v}"),
            );
        }
    }

    fn currency(&mut self, field: &str, code: &str) {
        if !currency::is_supported(code) {
            let help = if currency::is_supported(&code.to_ascii_lowercase()) {
                format!(
                    "currency codes are lowercase: `{}`",
                    code.to_ascii_lowercase()
                )
            } else {
                "use a three-letter ISO 4217 code Stripe supports, e.g. `eur` or `usd`".into()
            };
            self.error_help(
                field,
                format!("`{field}`: unsupported currency `{code}`"),
                help,
            );
        }
    }

    fn decimal(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        let (int, frac) = value.split_once('.').unwrap_or((value, ""));
        let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
        if int.is_empty() || !digits(int) || !digits(frac) || frac.len() > 12 {
            self.error(
                field,
                format!("`{field}` must be a non-negative decimal string with at most 12 decimal places, got \"{value}\""),
            );
        }
    }

    fn metadata(&mut self, field: &str, metadata: Option<&Metadata>) {
        let Some(metadata) = metadata else { return };
        if metadata.len() > METADATA_MAX_KEYS {
            self.error(
                field,
                format!(
                    "`{field}` has {} keys; Stripe allows at most {METADATA_MAX_KEYS}",
                    metadata.len()
                ),
            );
        }
        for (k, v) in metadata {
            let path = format!("{field}[{k}]");
            if k.is_empty() || k.chars().count() > METADATA_KEY_MAX || k.contains(['[', ']']) {
                self.error(
                    &path,
                    format!("metadata key `{k}` must be 1 to {METADATA_KEY_MAX} characters without `[` or `]`"),
                );
            }
            if k.starts_with(RESERVED_METADATA_PREFIX) {
                self.error_help(
                    &path,
                    format!("metadata key `{k}` is reserved for billingctl"),
                    "billingctl sets `billingctl_scope` and `billingctl_key` itself; choose another key",
                );
            }
            if v.chars().count() > METADATA_VALUE_MAX {
                self.error(
                    &path,
                    format!("metadata value of `{k}` has {} characters; Stripe allows at most {METADATA_VALUE_MAX}", v.chars().count()),
                );
            }
        }
    }

    fn statement_descriptor(&mut self, field: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        if value.chars().count() > STATEMENT_DESCRIPTOR_MAX {
            self.error(
                field,
                format!(
                    "`{field}` \"{value}\" is longer than {STATEMENT_DESCRIPTOR_MAX} characters"
                ),
            );
        }
        if !value.chars().any(|c| c.is_alphabetic()) {
            self.error(
                field,
                format!("`{field}` \"{value}\" must contain at least one letter"),
            );
        }
        if let Some(bad) = value
            .chars()
            .find(|c| matches!(c, '<' | '>' | '\\' | '"' | '\''))
        {
            self.error(
                field,
                format!("`{field}` \"{value}\" must not contain `{bad}`"),
            );
        }
    }

    fn url(&mut self, field: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                self.error(
                    field,
                    format!("`{field}` must be an http(s) URL, got \"{v}\""),
                );
            }
        }
    }

    /// `interval` × `interval_count` must stay within three years (Stripe's maximum).
    fn interval(&mut self, field: &str, interval: &str, count: Option<i64>) {
        let max = match interval {
            "day" => 3 * 365,
            "week" => 156,
            "month" => 36,
            "year" => 3,
            _ => return, // an unknown interval is reported by the enum check
        };
        let count_field = format!("{field}[interval_count]");
        match count {
            Some(c) if c < 1 => self.error(
                &count_field,
                format!("`{count_field}` must be at least 1, got {c}"),
            ),
            Some(c) if c > max => self.error_help(
                &count_field,
                format!(
                    "`{count_field}` {c} with interval `{interval}` is longer than three years"
                ),
                format!("Stripe allows at most {max} {interval}s"),
            ),
            _ => {}
        }
    }

    fn recurring(&mut self, recurring: &Recurring) {
        self.interval("recurring", &recurring.interval, recurring.interval_count);
        if recurring.usage_type.as_deref() == Some("metered") && recurring.meter.is_none() {
            self.error_help(
                "recurring[meter]",
                "a metered price needs `recurring[meter]`",
                "name the billing meter id, or use usage_type `licensed`",
            );
        }
        if let Some(days) = recurring.trial_period_days.filter(|d| *d < 0) {
            self.error(
                "recurring[trial_period_days]",
                format!("`recurring[trial_period_days]` must be >= 0, got {days}"),
            );
        }
    }

    fn custom_unit_amount(&mut self, field: &str, c: &CustomUnitAmount) {
        for (name, v) in [
            ("minimum", c.minimum),
            ("maximum", c.maximum),
            ("preset", c.preset),
        ] {
            self.non_negative(&format!("{field}[{name}]"), v);
        }
        if let (Some(min), Some(max)) = (c.minimum, c.maximum) {
            if min > max {
                self.error(
                    field,
                    format!("`{field}[minimum]` {min} is greater than `{field}[maximum]` {max}"),
                );
            }
        }
        if let Some(preset) = c.preset {
            if c.minimum.is_some_and(|m| preset < m) || c.maximum.is_some_and(|m| preset > m) {
                self.error(
                    &format!("{field}[preset]"),
                    format!("`{field}[preset]` {preset} is outside minimum..maximum"),
                );
            }
        }
    }

    fn tiers(&mut self, field: &str, tiers: &[Tier]) {
        if tiers.is_empty() {
            self.error(field, format!("`{field}` must have at least one tier"));
            return;
        }
        let mut previous: Option<i64> = None;
        for (i, tier) in tiers.iter().enumerate() {
            let path = format!("{field}[{i}]");
            let last = i + 1 == tiers.len();
            match &tier.up_to {
                UpTo::Quantity(q) => {
                    if last {
                        self.error_help(
                            &format!("{path}[up_to]"),
                            format!("the last tier's `up_to` must be \"inf\", got {q}"),
                            "end the tiers with #{ up_to: \"inf\", ... }",
                        );
                    }
                    if *q < 1 || previous.is_some_and(|p| *q <= p) {
                        self.error(
                            &format!("{path}[up_to]"),
                            format!("`{path}[up_to]` must be a positive quantity above the previous tier's, got {q}"),
                        );
                    }
                    previous = Some(*q);
                }
                UpTo::Word(w) if w == "inf" => {
                    if !last {
                        self.error(
                            &format!("{path}[up_to]"),
                            "only the last tier may be \"inf\"",
                        );
                    }
                }
                UpTo::Word(w) => self.error(
                    &format!("{path}[up_to]"),
                    format!("`{path}[up_to]` must be an integer or \"inf\", got \"{w}\""),
                ),
            }
            self.non_negative(&format!("{path}[unit_amount]"), tier.unit_amount);
            self.non_negative(&format!("{path}[flat_amount]"), tier.flat_amount);
            self.decimal(
                &format!("{path}[unit_amount_decimal]"),
                tier.unit_amount_decimal.as_deref(),
            );
            self.decimal(
                &format!("{path}[flat_amount_decimal]"),
                tier.flat_amount_decimal.as_deref(),
            );
            if tier.unit_amount.is_some() && tier.unit_amount_decimal.is_some() {
                self.error(
                    &path,
                    format!("`{path}`: set only one of `unit_amount` and `unit_amount_decimal`"),
                );
            }
            if tier.flat_amount.is_some() && tier.flat_amount_decimal.is_some() {
                self.error(
                    &path,
                    format!("`{path}`: set only one of `flat_amount` and `flat_amount_decimal`"),
                );
            }
            if [
                tier.unit_amount.is_some(),
                tier.unit_amount_decimal.is_some(),
                tier.flat_amount.is_some(),
                tier.flat_amount_decimal.is_some(),
            ]
            .iter()
            .all(|set| !set)
            {
                self.error(
                    &path,
                    format!("`{path}` needs a `unit_amount` or a `flat_amount`"),
                );
            }
        }
    }

    fn marketing_features(&mut self, spec: &ProductSpec) {
        let Some(features) = &spec.marketing_features else {
            return;
        };
        if features.len() > MARKETING_FEATURES_MAX {
            self.error(
                "marketing_features",
                format!("`marketing_features` has {} items; Stripe allows at most {MARKETING_FEATURES_MAX}", features.len()),
            );
        }
        for (i, f) in features.iter().enumerate() {
            let n = f.name.chars().count();
            if n == 0 || n > MARKETING_FEATURE_NAME_MAX {
                self.error(
                    &format!("marketing_features[{i}][name]"),
                    format!("`marketing_features[{i}][name]` must be 1 to {MARKETING_FEATURE_NAME_MAX} characters, got {n}"),
                );
            }
        }
    }
}

/// Product and coupon ids travel in URL paths (`/v1/products/{id}`).
fn id_key(check: &mut Check<'_>, what: &str) {
    let key = check.key;
    if key.is_empty()
        || !key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
    {
        check.error_help(
            what,
            format!("{what} \"{key}\" must be non-empty and use only letters, digits, `_` and `-`"),
            "ids appear in API paths, so keep them to these characters",
        );
    }
}

pub fn product(spec: &ProductSpec, check: &mut Check<'_>) {
    id_key(check, "id");
    if spec.name.trim().is_empty() {
        check.error("name", "`name` must not be empty");
    }
    check.marketing_features(spec);
    if let Some(images) = spec.images.as_ref().filter(|i| i.len() > IMAGES_MAX) {
        check.error(
            "images",
            format!(
                "`images` has {} URLs; Stripe allows at most {IMAGES_MAX}",
                images.len()
            ),
        );
    }
    for (i, image) in spec.images.iter().flatten().enumerate() {
        check.url(&format!("images[{i}]"), Some(image));
    }
    check.url("url", spec.url.as_deref());
    check.statement_descriptor("statement_descriptor", spec.statement_descriptor.as_deref());
    if let Some(d) = &spec.package_dimensions {
        for (name, v) in [
            ("height", d.height),
            ("length", d.length),
            ("weight", d.weight),
            ("width", d.width),
        ] {
            if v <= 0.0 {
                check.error(
                    &format!("package_dimensions[{name}]"),
                    format!("`package_dimensions[{name}]` must be positive, got {v}"),
                );
            }
        }
    }
    check.metadata("metadata", spec.metadata.as_ref());
}

pub fn price(spec: &PriceSpec, check: &mut Check<'_>) {
    let key = check.key;
    if key.is_empty() || key.chars().count() > LOOKUP_KEY_MAX {
        check.error(
            "lookup_key",
            format!(
                "`lookup_key` must be 1 to {LOOKUP_KEY_MAX} characters, got {}",
                key.chars().count()
            ),
        );
    }
    check.currency("currency", &spec.currency);
    check.non_negative("unit_amount", spec.unit_amount);
    check.decimal("unit_amount_decimal", spec.unit_amount_decimal.as_deref());
    if spec.unit_amount.is_some() && spec.unit_amount_decimal.is_some() {
        check.error(
            "unit_amount_decimal",
            "set only one of `unit_amount` and `unit_amount_decimal`",
        );
    }
    if let Some(r) = &spec.recurring {
        check.recurring(r);
    }
    let tiered = spec.billing_scheme.as_deref() == Some("tiered");
    let has_amount = spec.unit_amount.is_some() || spec.unit_amount_decimal.is_some();
    if tiered {
        if spec.tiers_mode.is_none() {
            check.error_help(
                "tiers_mode",
                "a tiered price needs `tiers_mode`",
                "set `tiers_mode: \"graduated\"` or `\"volume\"`",
            );
        }
        match &spec.tiers {
            Some(tiers) => check.tiers("tiers", tiers),
            None => check.error("tiers", "a tiered price needs `tiers`"),
        }
        if has_amount {
            check.error_help(
                "unit_amount",
                "a tiered price takes its amounts from `tiers`",
                "remove `unit_amount` or use `billing_scheme: \"per_unit\"`",
            );
        }
        if spec.transform_quantity.is_some() {
            check.error(
                "transform_quantity",
                "`transform_quantity` cannot be combined with tiers",
            );
        }
    } else {
        if spec.tiers.is_some() || spec.tiers_mode.is_some() {
            let field = if spec.tiers.is_some() {
                "tiers"
            } else {
                "tiers_mode"
            };
            check.error_help(
                field,
                format!("`{field}` needs `billing_scheme: \"tiered\"`"),
                "add `billing_scheme: \"tiered\"` (with `tiers_mode` and `tiers`)",
            );
        }
        if !has_amount && spec.custom_unit_amount.is_none() && spec.tiers.is_none() {
            check.error_help(
                "unit_amount",
                "a price needs an amount",
                "set `unit_amount` (minor units, e.g. 900 for 9.00), `unit_amount_decimal`, `custom_unit_amount`, or tiers",
            );
        }
    }
    if let Some(c) = &spec.custom_unit_amount {
        check.custom_unit_amount("custom_unit_amount", c);
        if has_amount {
            check.error(
                "custom_unit_amount",
                "set either `custom_unit_amount` or `unit_amount`, not both",
            );
        }
        if spec.recurring.is_some() {
            check.error(
                "custom_unit_amount",
                "`custom_unit_amount` is only for one-time prices (remove `recurring`)",
            );
        }
    }
    if let Some(options) = &spec.currency_options {
        for (cur, option) in options {
            currency_option(check, spec, tiered, cur, option);
        }
    }
    if let Some(t) = &spec.transform_quantity {
        check.positive("transform_quantity[divide_by]", Some(t.divide_by));
    }
    check.metadata("metadata", spec.metadata.as_ref());
}

fn currency_option(
    check: &mut Check<'_>,
    spec: &PriceSpec,
    tiered: bool,
    cur: &str,
    option: &CurrencyOption,
) {
    let base = format!("currency_options[{cur}]");
    check.currency(&base, cur);
    if cur == spec.currency {
        check.error(
            &base,
            format!("`{base}` repeats the price's own currency `{cur}`"),
        );
    }
    check.non_negative(&format!("{base}[unit_amount]"), option.unit_amount);
    check.decimal(
        &format!("{base}[unit_amount_decimal]"),
        option.unit_amount_decimal.as_deref(),
    );
    // param-rules R036: "Only one of `unit_amount` and `unit_amount_decimal` can be set".
    if option.unit_amount.is_some() && option.unit_amount_decimal.is_some() {
        check.error(
            &format!("{base}[unit_amount_decimal]"),
            format!("`{base}`: set only one of `unit_amount` and `unit_amount_decimal`"),
        );
    }
    if let Some(c) = &option.custom_unit_amount {
        check.custom_unit_amount(&format!("{base}[custom_unit_amount]"), c);
    }
    let has_amount = option.unit_amount.is_some() || option.unit_amount_decimal.is_some();
    if tiered {
        match &option.tiers {
            Some(tiers) => check.tiers(&format!("{base}[tiers]"), tiers),
            None => check.error(
                &format!("{base}[tiers]"),
                format!("`{base}` of a tiered price needs `tiers`"),
            ),
        }
    } else if option.tiers.is_some() {
        check.error(
            &format!("{base}[tiers]"),
            format!("`{base}[tiers]` needs `billing_scheme: \"tiered\"`"),
        );
    } else if !has_amount && option.custom_unit_amount.is_none() {
        check.error(
            &format!("{base}[unit_amount]"),
            format!("`{base}` needs `unit_amount`"),
        );
    }
}

pub fn coupon(spec: &CouponSpec, check: &mut Check<'_>) {
    id_key(check, "id");
    match (spec.percent_off, spec.amount_off) {
        (Some(_), Some(_)) => check.error(
            "amount_off",
            "set only one of `percent_off` and `amount_off`",
        ),
        (None, None) => check.error_help(
            "percent_off",
            "a coupon needs `percent_off` or `amount_off`",
            "e.g. `percent_off: 20.0`, or `amount_off: 500, currency: \"eur\"`",
        ),
        (Some(p), None) => {
            if !(p > 0.0 && p <= 100.0) {
                check.error(
                    "percent_off",
                    format!("`percent_off` must be in (0, 100], got {p}"),
                );
            }
            if spec.currency.is_some() {
                check.error(
                    "currency",
                    "`currency` belongs with `amount_off`, not `percent_off`",
                );
            }
            if spec.currency_options.is_some() {
                check.error("currency_options", "`currency_options` needs `amount_off`");
            }
        }
        (None, Some(a)) => {
            if !(1..=AMOUNT_MAX).contains(&a) {
                check.error(
                    "amount_off",
                    format!("`amount_off` must be a positive amount (minor units), got {a}"),
                );
            }
            if spec.currency.is_none() {
                check.error_help(
                    "currency",
                    "`amount_off` needs `currency`",
                    "e.g. `currency: \"eur\"`",
                );
            }
        }
    }
    if let Some(c) = &spec.currency {
        check.currency("currency", c);
    }
    for (cur, option) in spec.currency_options.iter().flatten() {
        let base = format!("currency_options[{cur}]");
        check.currency(&base, cur);
        if Some(cur) == spec.currency.as_ref() {
            check.error(
                &base,
                format!("`{base}` repeats the coupon's own currency `{cur}`"),
            );
        }
        if option.amount_off < 1 {
            check.error(
                &format!("{base}[amount_off]"),
                format!(
                    "`{base}[amount_off]` must be positive, got {}",
                    option.amount_off
                ),
            );
        }
    }
    match (spec.duration.as_deref(), spec.duration_in_months) {
        (Some("repeating"), None) => check.error_help(
            "duration_in_months",
            "a `repeating` coupon needs `duration_in_months`",
            "e.g. `duration_in_months: 3`",
        ),
        (Some("repeating"), Some(m)) if m < 1 => {
            check.error(
                "duration_in_months",
                format!("`duration_in_months` must be a positive integer, got {m}"),
            );
        }
        (Some("repeating"), Some(_)) => {}
        (_, Some(_)) => check.error_help(
            "duration_in_months",
            "`duration_in_months` is only for `duration: \"repeating\"`",
            "set `duration: \"repeating\"` or remove `duration_in_months`",
        ),
        _ => {}
    }
    check.positive("max_redemptions", spec.max_redemptions);
    check.positive("redeem_by", spec.redeem_by);
    if let Some(a) = &spec.applies_to {
        if a.products.is_empty() {
            check.error(
                "applies_to[products]",
                "`applies_to[products]` must name at least one product",
            );
        }
    }
    check.metadata("metadata", spec.metadata.as_ref());
}

pub fn promotion_code(spec: &PromotionCodeSpec, check: &mut Check<'_>) {
    let code = check.key;
    if code.chars().count() > PROMOTION_CODE_MAX {
        check.error(
            "code",
            format!(
                "promotion code is {} characters; at most {PROMOTION_CODE_MAX}",
                code.chars().count()
            ),
        );
    }
    if code.is_empty() || !code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        check.error_help(
            "code",
            format!("promotion code \"{code}\" may only contain a-z, A-Z, 0-9 and `-`"),
            "Stripe rejects other characters (no spaces or underscores)",
        );
    }
    if spec.promotion.kind != "coupon" {
        check.error(
            "promotion[type]",
            format!(
                "`promotion[type]` must be \"coupon\", got \"{}\"",
                spec.promotion.kind
            ),
        );
    }
    check.positive("max_redemptions", spec.max_redemptions);
    check.positive("expires_at", spec.expires_at);
    if let Some(r) = &spec.restrictions {
        check.non_negative("restrictions[minimum_amount]", r.minimum_amount);
        match (r.minimum_amount, &r.minimum_amount_currency) {
            (Some(_), None) => check.error(
                "restrictions[minimum_amount_currency]",
                "`restrictions[minimum_amount]` needs `restrictions[minimum_amount_currency]`",
            ),
            (None, Some(_)) => check.error(
                "restrictions[minimum_amount]",
                "`restrictions[minimum_amount_currency]` needs `restrictions[minimum_amount]`",
            ),
            _ => {}
        }
        if let Some(c) = &r.minimum_amount_currency {
            check.currency("restrictions[minimum_amount_currency]", c);
        }
        for (cur, m) in r.currency_options.iter().flatten() {
            let base = format!("restrictions[currency_options][{cur}]");
            check.currency(&base, cur);
            check.non_negative(&format!("{base}[minimum_amount]"), Some(m.minimum_amount));
        }
    }
    check.metadata("metadata", spec.metadata.as_ref());
}

pub fn portal(spec: &PortalSpec, check: &mut Check<'_>) {
    if check.key.is_empty() || check.key.chars().count() > METADATA_VALUE_MAX {
        check.error(
            "key",
            format!("the portal key must be 1 to {METADATA_VALUE_MAX} characters"),
        );
    }
    if let Some(b) = &spec.business_profile {
        check.url(
            "business_profile[privacy_policy_url]",
            b.privacy_policy_url.as_deref(),
        );
        check.url(
            "business_profile[terms_of_service_url]",
            b.terms_of_service_url.as_deref(),
        );
    }
    check.url("default_return_url", spec.default_return_url.as_deref());
    let f = &spec.features;
    if let Some(c) = f
        .subscription_cancel
        .as_ref()
        .and_then(|c| c.cancellation_reason.as_ref())
    {
        if c.enabled && c.options.is_empty() {
            check.error(
                "features[subscription_cancel][cancellation_reason][options]",
                "enabled cancellation reasons need at least one option",
            );
        }
    }
    if let Some(u) = f.subscription_update.as_ref().filter(|u| u.enabled) {
        let products = u.products.as_deref().unwrap_or_default();
        if products.is_empty() {
            check.error_help(
                "features[subscription_update][products]",
                "an enabled subscription update needs `products`",
                "list the products (and their price keys) customers may switch between",
            );
        }
        if u.default_allowed_updates
            .as_ref()
            .map_or(true, Vec::is_empty)
        {
            check.error_help(
                "features[subscription_update][default_allowed_updates]",
                "an enabled subscription update needs `default_allowed_updates`",
                "e.g. `default_allowed_updates: [\"price\"]`",
            );
        }
        for (i, p) in products.iter().enumerate() {
            let base = format!("features[subscription_update][products][{i}]");
            if p.prices.is_empty() {
                check.error(
                    &format!("{base}[prices]"),
                    format!("`{base}[prices]` must name at least one price"),
                );
            }
            if let Some(q) = &p.adjustable_quantity {
                check.non_negative(&format!("{base}[adjustable_quantity][minimum]"), q.minimum);
                if let (Some(min), Some(max)) = (q.minimum, q.maximum) {
                    if min > max {
                        check.error(&format!("{base}[adjustable_quantity]"), format!("`{base}[adjustable_quantity][minimum]` {min} is greater than maximum {max}"));
                    }
                }
            }
        }
    }
    if let Some(d) = f
        .subscription_pause
        .as_ref()
        .and_then(|p| p.duration.as_ref())
    {
        let field = "features[subscription_pause][duration]";
        // `interval_options` required with `type: "interval_options"` is R003 of the rules
        // table (`crate::kinds::rules`), checked there for the planner and the emulator.
        let options = d.interval_options.as_deref().unwrap_or_default();
        for (i, o) in options.iter().enumerate() {
            check.interval(
                &format!("{field}[interval_options][{i}]"),
                &o.interval,
                o.interval_count,
            );
        }
    }
    check.metadata("metadata", spec.metadata.as_ref());
}

/// Checks every enum-typed value in `params` against the field table. Params the table does
/// not know are left alone here: the typed specs already refuse unknown fields.
pub fn enums(check: &mut Check<'_>, params: &Map<String, Value>) {
    for (k, v) in params {
        enum_value(check, k, v);
    }
}

fn enum_value(check: &mut Check<'_>, path: &str, value: &Value) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                enum_value(check, &format!("{path}[{k}]"), v);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                enum_value(check, &format!("{path}[{i}]"), v);
            }
        }
        Value::String(s) => {
            let Some(Type::Enum(allowed)) = check.kind.table().param(path).map(|p| p.ty) else {
                return;
            };
            if !allowed.contains(&s.as_str()) {
                let help = match super::parse::closest(s, allowed) {
                    Some(best) => format!("did you mean \"{best}\"?"),
                    None => format!("expected one of: {}", allowed.join(", ")),
                };
                check.error_help(path, format!("`{path}`: invalid value \"{s}\""), help);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use crate::catalog::object::Object;
    use crate::catalog::DeclaredAt;
    use crate::kinds::ObjectKind::{self, *};

    /// The (field, message) of every validation error of one object.
    fn errors(kind: ObjectKind, key: &str, fields: Value) -> Vec<(String, String)> {
        let at = DeclaredAt {
            file: "t.rhai".into(),
            line: 1,
            column: 1,
        };
        let object = Object::build(kind, key, &at, None, fields).expect("parses");
        let mut diags = Vec::new();
        object.validate(&mut diags);
        diags
            .into_iter()
            .map(|d| (d.subject.field.unwrap_or_default(), d.message))
            .collect()
    }

    fn price(extra: Value) -> Value {
        let mut base = json!({"product": "p", "currency": "eur", "unit_amount": 900});
        base.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        base
    }

    /// Each case: kind, key, fields, the field named and a part of the message.
    #[test]
    fn each_rule_names_its_field() {
        let long = "x".repeat(201);
        let cases: Vec<(ObjectKind, &str, Value, &str, &str)> = vec![
            (
                Price,
                "k",
                price(json!({"currency": "EUR"})),
                "currency",
                "unsupported currency `EUR`",
            ),
            (
                Price,
                "k",
                price(json!({"unit_amount": -1})),
                "unit_amount",
                "must be >= 0",
            ),
            (
                Price,
                "k",
                price(json!({"unit_amount": 100_000_000})),
                "unit_amount",
                "at most 99999999",
            ),
            (
                Price,
                "k",
                price(json!({"unit_amount_decimal": "1.5"})),
                "unit_amount_decimal",
                "only one of",
            ),
            (
                Price,
                "k",
                json!({"product": "p", "currency": "eur", "unit_amount_decimal": "1.1234567890123"}),
                "unit_amount_decimal",
                "at most 12 decimal places",
            ),
            (
                Price,
                &long,
                price(json!({})),
                "lookup_key",
                "1 to 200 characters",
            ),
            (
                Price,
                "k",
                price(json!({"recurring": {"interval": "week", "interval_count": 157}})),
                "recurring[interval_count]",
                "longer than three years",
            ),
            (
                Price,
                "k",
                price(json!({"recurring": {"interval": "day", "interval_count": 0}})),
                "recurring[interval_count]",
                "at least 1",
            ),
            (
                Price,
                "k",
                price(json!({"recurring": {"interval": "month", "usage_type": "metered"}})),
                "recurring[meter]",
                "needs `recurring[meter]`",
            ),
            (
                Price,
                "k",
                price(json!({"recurring": {"interval": "fortnight"}})),
                "recurring[interval]",
                "invalid value \"fortnight\"",
            ),
            (
                Price,
                "k",
                json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": []}),
                "tiers",
                "at least one tier",
            ),
            (
                Price,
                "k",
                json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": "inf", "unit_amount": 1}, {"up_to": "inf", "unit_amount": 1}]}),
                "tiers[0][up_to]",
                "only the last tier",
            ),
            (
                Price,
                "k",
                json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": "all", "unit_amount": 1}]}),
                "tiers[0][up_to]",
                "an integer or \"inf\"",
            ),
            (
                Price,
                "k",
                json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume", "tiers": [{"up_to": "inf"}]}),
                "tiers[0]",
                "needs a `unit_amount` or a `flat_amount`",
            ),
            (
                Price,
                "k",
                price(json!({"currency_options": {"usd": {}}})),
                "currency_options[usd][unit_amount]",
                "needs `unit_amount`",
            ),
            (
                Price,
                "k",
                price(json!({"currency_options": {"eur": {"unit_amount": 1}}})),
                "currency_options[eur]",
                "repeats the price's own currency",
            ),
            (
                Price,
                "k",
                price(json!({"transform_quantity": {"divide_by": 0, "round": "up"}})),
                "transform_quantity[divide_by]",
                "positive integer",
            ),
            (
                Price,
                "k",
                price(json!({"tax_behavior": "included"})),
                "tax_behavior",
                "invalid value",
            ),
            (
                Product,
                "k",
                json!({"name": " "}),
                "name",
                "must not be empty",
            ),
            (
                Product,
                "bad id",
                json!({"name": "P"}),
                "id",
                "only letters, digits",
            ),
            (
                Product,
                "k",
                json!({"name": "P", "images": ["ftp://x"]}),
                "images[0]",
                "http(s) URL",
            ),
            (
                Product,
                "k",
                json!({"name": "P", "marketing_features": ["x".repeat(81)]}),
                "marketing_features[0][name]",
                "1 to 80 characters",
            ),
            (
                Product,
                "k",
                json!({"name": "P", "statement_descriptor": "A<B"}),
                "statement_descriptor",
                "must not contain `<`",
            ),
            (
                Product,
                "k",
                json!({"name": "P", "package_dimensions": {"height": 0.0, "length": 1.0, "weight": 1.0, "width": 1.0}}),
                "package_dimensions[height]",
                "must be positive",
            ),
            (
                Product,
                "k",
                json!({"name": "P", "metadata": {"": "x"}}),
                "metadata[]",
                "1 to 40 characters",
            ),
            (
                Coupon,
                "k",
                json!({"percent_off": 10.0, "currency": "eur"}),
                "currency",
                "belongs with `amount_off`",
            ),
            (
                Coupon,
                "k",
                json!({"amount_off": 0, "currency": "eur"}),
                "amount_off",
                "positive amount",
            ),
            (
                Coupon,
                "k",
                json!({"amount_off": 100, "currency": "eur", "currency_options": {"usd": {"amount_off": 0}}}),
                "currency_options[usd][amount_off]",
                "must be positive",
            ),
            (
                Coupon,
                "k",
                json!({"percent_off": 10.0, "duration": "repeating", "duration_in_months": 0}),
                "duration_in_months",
                "positive integer",
            ),
            (
                Coupon,
                "k",
                json!({"percent_off": 10.0, "duration": "weekly"}),
                "duration",
                "invalid value \"weekly\"",
            ),
            (
                Coupon,
                "k",
                json!({"percent_off": 10.0, "max_redemptions": 0}),
                "max_redemptions",
                "positive integer",
            ),
            (
                Coupon,
                "k",
                json!({"percent_off": 10.0, "applies_to": {"products": []}}),
                "applies_to[products]",
                "at least one product",
            ),
            (
                PromotionCode,
                "K",
                json!({"promotion": {"coupon": "c"}, "restrictions": {"minimum_amount": 100}}),
                "restrictions[minimum_amount_currency]",
                "needs `restrictions[minimum_amount_currency]`",
            ),
            (
                PromotionCode,
                "K",
                json!({"promotion": {"type": "gift", "coupon": "c"}}),
                "promotion[type]",
                "must be \"coupon\"",
            ),
            (
                PromotionCode,
                "K",
                json!({"promotion": {"coupon": "c"}, "expires_at": -5}),
                "expires_at",
                "positive integer",
            ),
            (
                PortalConfiguration,
                "k",
                json!({"features": {"subscription_update": {"enabled": true, "default_allowed_updates": ["price"], "products": [{"product": "p", "prices": []}]}}}),
                "features[subscription_update][products][0][prices]",
                "at least one price",
            ),
            (
                PortalConfiguration,
                "k",
                json!({"features": {"subscription_update": {"enabled": true, "default_allowed_updates": ["price"], "products": [{"product": "p", "prices": ["a"], "adjustable_quantity": {"enabled": true, "minimum": 5, "maximum": 2}}]}}}),
                "features[subscription_update][products][0][adjustable_quantity]",
                "greater than maximum",
            ),
            (
                PortalConfiguration,
                "k",
                json!({"features": {"subscription_update": {"enabled": false, "schedule_at_period_end": {"conditions": [{"type": "always"}]}}}}),
                "features[subscription_update][schedule_at_period_end][conditions][0][type]",
                "invalid value",
            ),
            (
                PortalConfiguration,
                "k",
                json!({"features": {}, "default_return_url": "app.example.com"}),
                "default_return_url",
                "http(s) URL",
            ),
            (
                PortalConfiguration,
                "k",
                json!({"features": {}, "metadata": {"billingctl_key": "x"}}),
                "metadata[billingctl_key]",
                "reserved for billingctl",
            ),
        ];
        for (kind, key, fields, field, message) in cases {
            let found = errors(kind, key, fields.clone());
            assert!(
                found.iter().any(|(f, m)| f == field && m.contains(message)),
                "{kind} {fields}: expected `{field}`: {message}, found {found:?}"
            );
        }
    }

    #[test]
    fn valid_objects_have_no_errors() {
        let cases = vec![
            (
                Price,
                price(json!({"recurring": {"interval": "year", "interval_count": 3}})),
            ),
            (
                Price,
                json!({"product": "p", "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "graduated",
                           "tiers": [{"up_to": 10, "unit_amount": 100}, {"up_to": "inf", "flat_amount": 5}]}),
            ),
            (
                Price,
                json!({"product": "p", "currency": "usd", "custom_unit_amount": {"enabled": true, "minimum": 100, "preset": 500}}),
            ),
            (
                Coupon,
                json!({"percent_off": 100.0, "duration": "repeating", "duration_in_months": 12}),
            ),
            (
                Coupon,
                json!({"amount_off": 500, "currency": "eur", "currency_options": {"usd": {"amount_off": 550}}}),
            ),
            (
                Product,
                json!({"name": "P", "statement_descriptor": "ACME PRO 2026", "metadata": {"a": "b"}}),
            ),
        ];
        for (kind, fields) in cases {
            assert_eq!(errors(kind, "k", fields.clone()), vec![], "{kind} {fields}");
        }
    }
}
