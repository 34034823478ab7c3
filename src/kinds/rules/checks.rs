//! The enforced checks of the rules table, each once, over one write's params. The messages
//! follow Stripe's wording where Stripe's text is known; elsewhere they say what Stripe's
//! parameter description says (docs/EMULATOR.md lists which).

use serde_json::{Map, Value};

use super::{Request, Violation};
use crate::kinds::fields::{Operation, Type};
use crate::kinds::ObjectKind;

/// A named check.
pub(super) struct Check {
    pub name: &'static str,
    pub run: fn(&Request<'_>, &mut Vec<Violation>),
}

/// Every check, with the kind whose writes it looks at.
pub(super) const CHECKS: &[(ObjectKind, Check)] = &[
    (
        ObjectKind::Price,
        Check {
            name: "price_amounts",
            run: price_amounts,
        },
    ),
    (
        ObjectKind::Price,
        Check {
            name: "price_tiers",
            run: price_tiers,
        },
    ),
    (
        ObjectKind::Coupon,
        Check {
            name: "coupon_redeem_by",
            run: coupon_redeem_by,
        },
    ),
    (
        ObjectKind::PromotionCode,
        Check {
            name: "promotion_code_dates",
            run: promotion_code_dates,
        },
    ),
    (
        ObjectKind::PromotionCode,
        Check {
            name: "promotion_code_max_redemptions",
            run: promotion_code_max_redemptions,
        },
    ),
    (
        ObjectKind::PromotionCode,
        Check {
            name: "promotion_code_reactivation",
            run: promotion_code_reactivation,
        },
    ),
    (
        ObjectKind::PromotionCode,
        Check {
            name: "promotion_code_restriction_currencies",
            run: promotion_code_restriction_currencies,
        },
    ),
    (
        ObjectKind::PortalConfiguration,
        Check {
            name: "portal_products",
            run: portal_products,
        },
    ),
    (
        ObjectKind::PortalConfiguration,
        Check {
            name: "portal_pause_interval_options",
            run: portal_pause_interval_options,
        },
    ),
    (
        ObjectKind::Price,
        Check {
            name: "set_once_fields",
            run: set_once_fields,
        },
    ),
    (
        ObjectKind::ShippingRate,
        Check {
            name: "shipping_rate_delivery_estimate",
            run: shipping_rate_delivery_estimate,
        },
    ),
    (
        ObjectKind::ShippingRate,
        Check {
            name: "shipping_rate_fixed_amount",
            run: shipping_rate_fixed_amount,
        },
    ),
    (
        ObjectKind::ShippingRate,
        Check {
            name: "shipping_rate_amounts",
            run: shipping_rate_amounts,
        },
    ),
];

/// Stripe's coupon limit: `redeem_by` "cannot be set to more than 5 years in the future"
/// (coupon create, R021). Five years of 365.25 days, rounded down to whole days: a date
/// Stripe takes is never refused here by a leap day.
pub const REDEEM_BY_HORIZON: i64 = 1_826 * 86_400;

/// The most products a portal's subscription update lists (R006: "up to 10 products").
const PORTAL_PRODUCTS_MAX: usize = 10;

fn at<'a>(map: &'a Map<String, Value>, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    let mut value = map.get(*first)?;
    for name in rest {
        value = value.get(*name)?;
    }
    Some(value)
}

fn int(map: &Map<String, Value>, path: &[&str]) -> Option<i64> {
    at(map, path).and_then(Value::as_i64)
}

fn push(found: &mut Vec<Violation>, rule: &'static str, param: impl Into<String>, message: String) {
    found.push(Violation {
        rule,
        param: param.into(),
        message,
    });
}

/// R035, R056: "A positive integer in cents (or 0 for a free price)".
fn price_amounts(request: &Request<'_>, found: &mut Vec<Violation>) {
    let params = request.params;
    if let Some(amount) = int(params, &["unit_amount"]).filter(|a| *a < 0) {
        push(
            found,
            "R056",
            "unit_amount",
            format!("Invalid unit_amount: must be a non-negative integer, got {amount}."),
        );
    }
    if let Some(Value::Object(options)) = params.get("currency_options") {
        for (currency, option) in options {
            if let Some(amount) = option.get("unit_amount").and_then(Value::as_i64) {
                if amount < 0 {
                    push(
                        found,
                        "R035",
                        format!("currency_options[{currency}][unit_amount]"),
                        format!(
                            "Invalid currency_options[{currency}][unit_amount]: must be a \
                             non-negative integer, got {amount}."
                        ),
                    );
                }
            }
        }
    }
}

/// Tiers in order: each `up_to` above the one before (Stripe's tiered-pricing guide; the
/// field table cannot say it). That only the last tier is `inf` is the emulator's
/// `check_amount` and the planner's typed validation.
fn price_tiers(request: &Request<'_>, found: &mut Vec<Violation>) {
    let Some(Value::Array(tiers)) = request.params.get("tiers") else {
        return;
    };
    let mut previous: Option<i64> = None;
    for (i, tier) in tiers.iter().enumerate() {
        let Some(up_to) = tier.get("up_to").and_then(Value::as_i64) else {
            continue;
        };
        if let Some(before) = previous.filter(|p| up_to <= *p) {
            push(
                found,
                "tiers",
                format!("tiers[{i}][up_to]"),
                format!(
                    "Invalid tiers: `up_to` must increase from tier to tier, got {up_to} after \
                     {before}."
                ),
            );
        }
        previous = Some(up_to);
    }
}

/// R021 (and the coupon guide): `redeem_by` in the future, at most 5 years ahead. Only on
/// create: `redeem_by` cannot be updated, and an existing coupon past its date is fine.
fn coupon_redeem_by(request: &Request<'_>, found: &mut Vec<Violation>) {
    let (Operation::Create, Some(now)) = (request.op, request.now) else {
        return;
    };
    let Some(redeem_by) = int(request.params, &["redeem_by"]) else {
        return;
    };
    if redeem_by <= now {
        push(
            found,
            "R021",
            "redeem_by",
            format!("Invalid redeem_by: must be in the future (it is {redeem_by}, now is {now})."),
        );
    } else if redeem_by > now + REDEEM_BY_HORIZON {
        push(
            found,
            "R021",
            "redeem_by",
            format!(
                "Invalid redeem_by: cannot be set to more than 5 years in the future (it is \
                 {redeem_by}, at most {} now).",
                now + REDEEM_BY_HORIZON
            ),
        );
    }
}

/// The coupon a promotion code's params (or, on update, the code itself) name.
fn coupon_of(request: &Request<'_>) -> Option<Value> {
    let reference = at(request.params, &["promotion", "coupon"])
        .or_else(|| request.current.and_then(|c| c.pointer("/promotion/coupon")))?;
    let reference = match reference {
        Value::String(id) => id.as_str(),
        // Expanded on the live side.
        Value::Object(coupon) => coupon.get("id")?.as_str()?,
        _ => return None,
    };
    request.related.coupon(reference)
}

/// R103: a code expires in the future, and not after its coupon's `redeem_by`. Only on
/// create: `expires_at` cannot be updated.
fn promotion_code_dates(request: &Request<'_>, found: &mut Vec<Violation>) {
    if request.op != Operation::Create {
        return;
    }
    let Some(expires_at) = int(request.params, &["expires_at"]) else {
        return;
    };
    if let Some(now) = request.now.filter(|now| expires_at <= *now) {
        push(
            found,
            "R103",
            "expires_at",
            format!(
                "Invalid expires_at: must be in the future (it is {expires_at}, now is {now})."
            ),
        );
    }
    let redeem_by = coupon_of(request).and_then(|c| c.get("redeem_by").and_then(Value::as_i64));
    if let Some(redeem_by) = redeem_by.filter(|r| expires_at > *r) {
        push(
            found,
            "R103",
            "expires_at",
            format!(
                "The promotion code's expires_at ({expires_at}) cannot be after its coupon's \
                 redeem_by ({redeem_by})."
            ),
        );
    }
}

/// R105: a code's `max_redemptions` is at most its coupon's.
fn promotion_code_max_redemptions(request: &Request<'_>, found: &mut Vec<Violation>) {
    if request.op != Operation::Create {
        return;
    }
    let Some(max) = int(request.params, &["max_redemptions"]) else {
        return;
    };
    let coupon_max =
        coupon_of(request).and_then(|c| c.get("max_redemptions").and_then(Value::as_i64));
    if let Some(coupon_max) = coupon_max.filter(|c| max > *c) {
        push(
            found,
            "R105",
            "max_redemptions",
            format!(
                "The promotion code's max_redemptions ({max}) cannot be greater than its \
                 coupon's max_redemptions ({coupon_max})."
            ),
        );
    }
}

/// R100: "A promotion code can only be reactivated when the coupon is still valid and the
/// promotion code is otherwise redeemable."
fn promotion_code_reactivation(request: &Request<'_>, found: &mut Vec<Violation>) {
    let (Operation::Update, Some(current), Some(now)) = (request.op, request.current, request.now)
    else {
        return;
    };
    let reactivating = request.params.get("active") == Some(&Value::Bool(true))
        && current.get("active") == Some(&Value::Bool(false));
    if !reactivating {
        return;
    }
    let used_up = |object: &Value| {
        let times = object
            .get("times_redeemed")
            .and_then(Value::as_i64)
            .unwrap_or(0);
        object
            .get("max_redemptions")
            .and_then(Value::as_i64)
            .is_some_and(|max| times >= max)
    };
    let passed = |object: &Value, field: &str| {
        object
            .get(field)
            .and_then(Value::as_i64)
            .is_some_and(|at| at <= now)
    };
    let reason = if passed(current, "expires_at") {
        Some("the promotion code has expired")
    } else if used_up(current) {
        Some("the promotion code has reached its max_redemptions")
    } else {
        match coupon_of(request) {
            Some(coupon) if passed(&coupon, "redeem_by") => {
                Some("its coupon's redeem_by has passed")
            }
            Some(coupon) if used_up(&coupon) => Some("its coupon has reached its max_redemptions"),
            Some(coupon) if coupon.get("valid") == Some(&Value::Bool(false)) => {
                Some("its coupon is no longer valid")
            }
            _ => None,
        }
    };
    if let Some(reason) = reason {
        push(
            found,
            "R100",
            "active",
            format!("This promotion code cannot be reactivated: {reason}."),
        );
    }
}

/// R106: "Each currency must be different from the `minimum_amount_currency` set on the
/// promotion code."
fn promotion_code_restriction_currencies(request: &Request<'_>, found: &mut Vec<Violation>) {
    let Some(Value::Object(options)) = at(request.params, &["restrictions", "currency_options"])
    else {
        return;
    };
    let currency = at(request.params, &["restrictions", "minimum_amount_currency"])
        .or_else(|| {
            request
                .current
                .and_then(|c| c.pointer("/restrictions/minimum_amount_currency"))
        })
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    let Some(currency) = currency else { return };
    if options.keys().any(|k| k.to_ascii_lowercase() == currency) {
        push(
            found,
            "R106",
            format!("restrictions[currency_options][{currency}]"),
            format!(
                "restrictions[currency_options] cannot include the promotion code's \
                 minimum_amount_currency ({currency})."
            ),
        );
    }
}

/// R006: "The list of up to 10 products that support subscription updates."
fn portal_products(request: &Request<'_>, found: &mut Vec<Violation>) {
    let products = at(
        request.params,
        &["features", "subscription_update", "products"],
    );
    if let Some(Value::Array(products)) = products {
        if products.len() > PORTAL_PRODUCTS_MAX {
            push(
                found,
                "R006",
                "features[subscription_update][products]",
                format!(
                    "features[subscription_update][products] lists {} products; at most \
                     {PORTAL_PRODUCTS_MAX} are allowed.",
                    products.len()
                ),
            );
        }
    }
}

/// R003: `interval_options` is "Required when `type` is `interval_options`".
fn portal_pause_interval_options(request: &Request<'_>, found: &mut Vec<Violation>) {
    let Some(duration) = at(
        request.params,
        &["features", "subscription_pause", "duration"],
    ) else {
        return;
    };
    let current = request
        .current
        .and_then(|c| c.pointer("/features/subscription_pause/duration"));
    let field = |name: &str| {
        duration
            .get(name)
            .or_else(|| current.and_then(|c| c.get(name)))
    };
    let by_options = field("type").and_then(Value::as_str) == Some("interval_options");
    let options = field("interval_options").and_then(Value::as_array);
    if by_options && options.map_or(true, Vec::is_empty) {
        push(
            found,
            "R003",
            "features[subscription_pause][duration][interval_options]",
            "features[subscription_pause][duration][interval_options] is required when type \
             is interval_options."
                .to_owned(),
        );
    }
}

/// R030, R049: an update may not change a set-once field the object already holds a final
/// value for (the field table's `Param::set_once_from`). The planner reports the same drift as
/// immutable (`plan::change`), so a plan never sends it.
fn set_once_fields(request: &Request<'_>, found: &mut Vec<Violation>) {
    let (Operation::Update, Some(current)) = (request.op, request.current) else {
        return;
    };
    let table = request.kind.table();
    let mut stack: Vec<(String, &Map<String, Value>, Option<&Value>)> =
        vec![(String::new(), request.params, Some(current))];
    while let Some((prefix, sent, held)) = stack.pop() {
        for (name, value) in sent {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}[{name}]")
            };
            let held_here = held.and_then(|h| h.get(name));
            if let Value::Object(inner) = value {
                stack.push((path, inner, held_here));
                continue;
            }
            let Some(param) = table.param(&path) else {
                continue;
            };
            let Some(held_value) = held_here.filter(|h| param.is_locked(h)) else {
                continue;
            };
            if held_value != value {
                let open = param.set_once_from.unwrap_or_default();
                let final_values: Vec<&str> = match param.ty {
                    Type::Enum(values) => values
                        .iter()
                        .copied()
                        .filter(|v| !open.contains(v))
                        .collect(),
                    _ => Vec::new(),
                };
                let rule = if path == "tax_behavior" {
                    "R049"
                } else {
                    "R030"
                };
                let held_text = held_value.as_str().unwrap_or_default();
                let message = format!(
                    "{path} cannot be changed once it is set to {} (it is {held_text}).",
                    final_values.join(" or ")
                );
                push(found, rule, path.clone(), message);
            }
        }
    }
}

/// R111, R112: each bound of a delivery estimate "Must be greater than 0." Only on create:
/// the estimate cannot be updated.
fn shipping_rate_delivery_estimate(request: &Request<'_>, found: &mut Vec<Violation>) {
    if request.op != Operation::Create {
        return;
    }
    for (bound, rule) in [("minimum", "R112"), ("maximum", "R111")] {
        let path = format!("delivery_estimate[{bound}][value]");
        if let Some(value) = int(request.params, &["delivery_estimate", bound, "value"]) {
            if value < 1 {
                push(
                    found,
                    rule,
                    path.clone(),
                    format!("Invalid {path}: must be greater than 0, got {value}."),
                );
            }
        }
    }
}

/// R113: `fixed_amount` "Must be present if type is `fixed_amount`", which is the only type
/// and the one a create that leaves `type` out gets (the field table's default). On update
/// `type` cannot change, and a `fixed_amount` sent then holds only currency options.
fn shipping_rate_fixed_amount(request: &Request<'_>, found: &mut Vec<Violation>) {
    if request.op != Operation::Create {
        return;
    }
    let kind = request.params.get("type").and_then(Value::as_str);
    if kind.unwrap_or("fixed_amount") == "fixed_amount"
        && request.params.get("fixed_amount").is_none()
    {
        push(
            found,
            "R113",
            "fixed_amount",
            "fixed_amount is required when type is fixed_amount.".to_owned(),
        );
    }
}

/// R114, R117: "A non-negative integer in cents representing how much to charge", for the
/// rate's amount (create only: it cannot be updated) and each currency option's.
fn shipping_rate_amounts(request: &Request<'_>, found: &mut Vec<Violation>) {
    let params = request.params;
    if let Some(amount) = int(params, &["fixed_amount", "amount"]).filter(|a| *a < 0) {
        push(
            found,
            "R114",
            "fixed_amount[amount]",
            format!("Invalid fixed_amount[amount]: must be a non-negative integer, got {amount}."),
        );
    }
    if let Some(Value::Object(options)) = at(params, &["fixed_amount", "currency_options"]) {
        for (currency, option) in options {
            if let Some(amount) = option
                .get("amount")
                .and_then(Value::as_i64)
                .filter(|a| *a < 0)
            {
                let path = format!("fixed_amount[currency_options][{currency}][amount]");
                push(
                    found,
                    "R117",
                    path.clone(),
                    format!("Invalid {path}: must be a non-negative integer, got {amount}."),
                );
            }
        }
    }
}
