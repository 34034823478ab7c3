//! The `Plan` value: what `apply` will write, every error the diff found, and the counts.
//!
//! A plan is pure data. It is computed from the catalog and the live account and never
//! stored: a re-run recomputes it, which is what makes `run` idempotent. Rendering lives in
//! `render/`, execution in `crate::apply`.

use serde_json::{Map, Value};

use crate::catalog::{DeclaredAt, Reference};
use crate::diag::Diagnostics;
use crate::kinds::ObjectKind;

/// What a change does to one Stripe object. There is no `Delete` of a catalog object:
/// billingctl never deletes one; the most it does is deactivate (`active=false`). The one
/// DELETE is `Detach`, of a feature attachment Stripe has no other way to end.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// The object does not exist yet: one create (and, for update-only params such as a
    /// product's `default_price`, one update after it).
    Create,
    /// Mutable fields differ: one update carrying only those fields.
    Update,
    /// An object made outside billingctl (no scope, or a script's `adopt: "<id>"`) taken into
    /// the catalog: one update writing the scope, the key where Stripe has no key field, and
    /// any field that differs. Metadata keys set outside billingctl stay unless the script
    /// says `metadata_exact: true` (`Change::kept_metadata`).
    Adopt,
    /// The script declares the object `active: false` and it is active: one update setting
    /// `active=false` (plus any other differing mutable field).
    Deactivate,
    /// An immutable field changed and the script or the run opted in to replacement
    /// (`crate::plan::replace`): a new object takes the key and the old one is deactivated,
    /// never deleted. A price is created first (with `transfer_lookup_key`) and archived
    /// last; a promotion code is deactivated first (codes are unique among active codes).
    Replace,
    /// A feature attachment the script no longer lists, with `--prune`: one DELETE, which
    /// takes the entitlement away from the product's paying customers
    /// (`Deactivation::Delete`).
    Detach,
}

impl Action {
    /// The name in the JSON plan: `create`, `update`, `deactivate`.
    pub fn name(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Adopt => "adopt",
            Action::Deactivate => "deactivate",
            Action::Replace => "replace",
            Action::Detach => "detach",
        }
    }

    /// A one-character symbol (Terraform's `+`, `~`; `-` is deliberately not used). The
    /// views draw a replacement as Terraform's `-/+` (`render::symbol`).
    pub fn symbol(self) -> char {
        match self {
            Action::Create => '+',
            Action::Update | Action::Adopt => '~',
            Action::Deactivate => '!',
            Action::Replace => '↻',
            // Terraform's destroy: a detach is a real DELETE.
            Action::Detach => '-',
        }
    }
}

/// Why a change exists, for display only: the executor never looks at it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// A price this object points at is being replaced: the update moves the reference
    /// (`default_price`, a portal's price list) to the new price before the old one is
    /// archived (`crate::plan::replace`).
    Repoint,
    /// The object carries this catalog's scope but the script no longer declares it; `--prune`
    /// deactivates it (`crate::plan::scope`).
    Orphan,
}

/// One field of one object: its concrete form path (`recurring[interval]`,
/// `metadata[plan]`), the live value and the value the script wants. References are shown as
/// keys on both sides (a live price id is translated back to its lookup key), so a plan reads
/// the same in test and live mode. `Value::Null` means "not set".
#[derive(Clone, Debug, PartialEq)]
pub struct FieldChange {
    pub path: String,
    pub live: Value,
    pub desired: Value,
}

/// One write (or two, for a create with update-only params) on one object.
#[derive(Clone, Debug)]
pub struct Change {
    pub action: Action,
    pub kind: ObjectKind,
    pub key: String,
    /// The live object's id; `None` for a create.
    pub id: Option<String>,
    pub declared_at: DeclaredAt,
    /// What differs, for display and for the JSON plan. For a create: every param it sends.
    pub fields: Vec<FieldChange>,
    pub reason: Option<Reason>,
    /// The params the write sends (create params for a create, only the changed fields for an
    /// update), nested as Stripe names them. References still hold keys: the executor
    /// resolves them to ids (`references`) just before sending.
    pub params: Map<String, Value>,
    /// Update-only params a create cannot take (a product's `default_price`, a portal
    /// configuration's `active=false`), sent as an update once the object exists.
    pub after_create: Map<String, Value>,
    /// The references inside `params` and `after_create`, by concrete path.
    pub references: Vec<Reference>,
    /// For an adoption: the metadata keys set outside billingctl that the write leaves as
    /// they are (`crate::plan::owned_metadata`), sorted; shown so the reviewer sees what
    /// adoption keeps.
    pub kept_metadata: Vec<String>,
}

impl Change {
    /// Whether this change creates an object whose create response carries a secret Stripe
    /// shows only then (`Kind::create_secret`: a webhook endpoint's signing secret), which
    /// `run` must keep in its secrets file.
    pub fn creates_secret(&self) -> bool {
        matches!(self.action, Action::Create | Action::Replace)
            && self.kind.def().create_secret().is_some()
    }
}

/// A live object of this catalog's scope that the script no longer declares
/// (`crate::plan::scope`).
#[derive(Clone, Debug, PartialEq)]
pub struct Orphan {
    pub kind: ObjectKind,
    /// The Stripe id.
    pub id: String,
    /// The object's key where it has one (lookup key, code, portal key); else its id.
    pub key: String,
    /// Whether this plan deactivates it (`--prune` and the kind can be deactivated).
    pub pruned: bool,
    /// Why it is left alone although `--prune` was given (coupons).
    pub note: Option<String>,
}

/// Immutable fields of one live object that differ from the script (the diff's finding,
/// `crate::plan::finding`). Unless the plan replaces the object (`crate::plan::replace`),
/// each field is one error of the plan (`crate::plan::problem`): the account drifted, or the
/// script changed what cannot change.
#[derive(Clone, Debug, PartialEq)]
pub struct Drift {
    pub kind: ObjectKind,
    pub key: String,
    /// The live object's id.
    pub id: String,
    pub declared_at: DeclaredAt,
    /// Each differing immutable field, in the order the diff met them, with the live value
    /// and the script's (both normalised as the diff compares them).
    pub fields: Vec<FieldChange>,
}

/// The counts of a plan, as in the footer and the JSON `summary`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub create: usize,
    pub update: usize,
    pub adopt: usize,
    pub deactivate: usize,
    pub replace: usize,
    pub detach: usize,
    pub unchanged: usize,
}

impl Summary {
    /// Whether the plan writes anything.
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.adopt + self.deactivate + self.replace + self.detach > 0
    }
}

/// The result of diffing a catalog against the live account.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    /// Sorted by (kind, key) for display; the executor orders writes itself.
    pub changes: Vec<Change>,
    /// Every problem found (immutable drift, ...). Any error means nothing may be written.
    pub errors: Diagnostics,
    /// Declared objects that already match.
    pub unchanged: usize,
    /// Live objects of this catalog's scope the script no longer declares
    /// (`crate::plan::scope`); with `--prune` each also has a `Deactivate` change.
    pub orphans: Vec<Orphan>,
    /// Problems that do not stop the apply (severity `Warning`), e.g. a portal configuration
    /// outside the script that still lists a price being replaced.
    pub warnings: Diagnostics,
    /// The immutable drift the plan leaves unresolved, as data: each of its fields is also
    /// one of `errors`, so `verify` can tell an account that drifted from a broken script.
    pub drift: Vec<Drift>,
}

impl Plan {
    /// Counts per action.
    pub fn summary(&self) -> Summary {
        let count = |action| self.changes.iter().filter(|c| c.action == action).count();
        Summary {
            create: count(Action::Create),
            update: count(Action::Update),
            adopt: count(Action::Adopt),
            deactivate: count(Action::Deactivate),
            replace: count(Action::Replace),
            detach: count(Action::Detach),
            unchanged: self.unchanged,
        }
    }

    /// Whether the plan may be applied: errors forbid every write.
    pub fn is_valid(&self) -> bool {
        !self.errors.has_errors()
    }

    /// Sorts changes by (kind, key) and errors by span, so every rendering is stable.
    pub fn sort(&mut self) {
        self.changes
            .sort_by(|a, b| (a.kind, &a.key).cmp(&(b.kind, &b.key)));
        self.errors.sort();
    }
}
