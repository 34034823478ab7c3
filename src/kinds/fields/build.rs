//! How a field table is written: `p(path, type, on create, on update)`, then `.emptyable()`
//! where `""` clears it and `.default(..)` where Stripe fills in a value the create left out.

use super::{Default, Param, Presence, Type};

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
}
