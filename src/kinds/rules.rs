//! The rules table: every constraint Stripe's spec states in a parameter description
//! (`shared/stripe-reference/param-rules.md`, rows R001–R119), decided once, here, beside the
//! field table: enforced (and how), advice only, or not checkable offline (and why).
//!
//! The enforced rules that need more than the field table are functions over one write's
//! params ([`Request`]): the planner runs them on every write it plans
//! (`crate::plan::refusals`; offline on creates, `crate::catalog::refusals`) and the emulator
//! on every write it receives (`crate::emulator::objects`), so a write the plan calls valid is
//! one the emulator accepts, and the other way round. Related objects (a
//! promotion code's coupon) come through [`Related`]: the catalog and the live account for
//! the planner, the emulated account for the emulator.
//!
//! Rows decided [`Decision::Split`] are enforced on both sides too, but still written twice
//! (the planner's typed validation and the emulator's object module); they move into shared
//! checks with the kinds registry. Limits (lengths, counts, characters) are field-table facts
//! (`kinds::fields::Limits`), decided [`Decision::Table`].

mod checks;
mod table;

use serde_json::{Map, Value};

use crate::kinds::fields::Operation;
use crate::kinds::ObjectKind;
pub use checks::REDEEM_BY_HORIZON;
pub use table::RULES;

/// One row of `param-rules.md` and what billingctl does about it.
#[derive(Debug)]
pub struct Rule {
    /// `R021`, as in `param-rules.md`.
    pub id: &'static str,
    /// Stripe's resource name: `coupon`, `billing_portal.configuration`, ...
    pub object: &'static str,
    /// The param the rule is stated on, in form notation.
    pub param: &'static str,
    pub decision: Decision,
}

/// How one rule is handled.
#[derive(Debug)]
pub enum Decision {
    /// Enforced by the named check of this module, on both sides.
    Checked(&'static str),
    /// Enforced through the field table itself (types, enums, required members, set-once
    /// fields, limits): say which fact.
    Table(&'static str),
    /// Enforced on both sides, but written twice: where, in the planner and in the emulator.
    Split {
        planner: &'static str,
        emulator: &'static str,
    },
    /// Describes behaviour; nothing Stripe refuses.
    Advice(&'static str),
    /// Depends on what billingctl cannot see offline (account settings, customers, tax codes).
    NotCheckable(&'static str),
    /// On a param billingctl never sends (it declares the object itself instead).
    NeverSent(&'static str),
    /// On an object kind billingctl does not manage yet.
    KindNotManaged,
}

/// One write, as its endpoint receives it.
pub struct Request<'a> {
    pub kind: ObjectKind,
    pub op: Operation,
    /// The params sent, nested as Stripe names them. References hold ids in a request to
    /// Stripe and keys in a planned write; [`Related`] resolves either.
    pub params: &'a Map<String, Value>,
    /// The object an update changes.
    pub current: Option<&'a Value>,
    /// Now, in Unix seconds; `None` offline (`check`), where rules relative to now wait for
    /// the plan, which knows whether the object exists already.
    pub now: Option<i64>,
    pub related: &'a dyn Related,
}

/// The other objects a rule looks at.
pub trait Related {
    /// The coupon a promotion code names (`promotion[coupon]`), as Stripe would hold it.
    fn coupon(&self, reference: &str) -> Option<Value>;
}

/// A write Stripe would refuse: the param and Stripe's message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The rule's id (`R021`).
    pub rule: &'static str,
    /// The param Stripe names in its error, in form notation.
    pub param: String,
    pub message: String,
}

/// Every enforced check that applies to `request`, in table order.
pub fn check(request: &Request<'_>) -> Vec<Violation> {
    let mut found = Vec::new();
    for (kind, check) in checks::CHECKS {
        if *kind == request.kind {
            (check.run)(request, &mut found);
        }
    }
    found
}

/// Whether `name` is a check of this module (for the table's consistency test).
pub fn is_check(name: &str) -> bool {
    checks::CHECKS.iter().any(|(_, check)| check.name == name)
}

#[cfg(test)]
mod tests;
