//! How a field table is written: `p(path, type, on create, on update)`, then `.emptyable()`
//! where `""` clears it, `.default(..)` where Stripe fills in a value the create left out, and
//! the limits Stripe states (`.max_chars(22)`, `.chars(1, 80)`, `.items(8, "URLs")`,
//! `.text(Text::Code)`, `.max(..)`, or a shared set with `.limits(..)`), each with a comment
//! saying where the fact comes from.

use super::{Default, Items, Length, Limits, Param, Presence, Text, Type};

pub const NO: Presence = Presence::Absent;
pub const OPT: Presence = Presence::Optional;
pub const REQ: Presence = Presence::Required;

/// A param that is not emptyable and has no default.
pub const fn p(path: &'static str, ty: Type, on_create: Presence, on_update: Presence) -> Param {
    Param {
        path,
        ty,
        on_create,
        on_update,
        emptyable: false,
        default: None,
        unordered: false,
        set_once_from: None,
        limits: Limits::NONE,
    }
}

impl Param {
    pub const fn emptyable(mut self) -> Self {
        self.emptyable = true;
        self
    }

    pub const fn default(mut self, default: Default) -> Self {
        self.default = Some(default);
        self
    }

    pub const fn unordered(mut self) -> Self {
        self.unordered = true;
        self
    }

    /// Changeable only while the object holds one of `open` (see `Param::set_once_from`).
    pub const fn set_once_from(mut self, open: &'static [&'static str]) -> Self {
        self.set_once_from = Some(open);
        self
    }

    /// A string of at most `max` characters.
    pub const fn max_chars(mut self, max: usize) -> Self {
        self.limits.chars = Some(Length { min: 0, max });
        self
    }

    /// A string of `min` to `max` characters.
    pub const fn chars(mut self, min: usize, max: usize) -> Self {
        self.limits.chars = Some(Length { min, max });
        self
    }

    /// An array of at most `max` elements (a map of at most `max` entries), called `noun`
    /// in the planner's errors.
    pub const fn items(mut self, max: usize, noun: &'static str) -> Self {
        self.limits.items = Some(Items { max, noun });
        self
    }

    /// A string whose characters follow `rule`.
    pub const fn text(mut self, rule: Text) -> Self {
        self.limits.text = Some(rule);
        self
    }

    /// An integer of at most `max`.
    pub const fn max(mut self, max: i64) -> Self {
        self.limits.max = Some(max);
        self
    }

    /// A set of limits several params share (every `metadata`).
    pub const fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}
