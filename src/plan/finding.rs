//! What the diff finds, as data: per declaration a [`Finding`], and for a whole catalog the
//! [`Findings`] the passes after the diff (`scope`, `replace`, `refusals`, `lifecycle`) work
//! on. Drift and problems stay typed until the plan is finished.

use super::plan::{Change, Drift};
use super::problem::Problem;

/// What the diff found for one declaration.
#[derive(Debug)]
pub enum Finding {
    /// The live object matches (or nothing needs to exist: an inactive key the script wants
    /// inactive too).
    Unchanged,
    /// One change brings the account to the script: a create, an update, a deactivation, a
    /// reactivation or an adoption (`Change::action` and `reason` say which).
    Change(Change),
    /// Immutable fields differ: only a replacement can follow the script.
    Drift(Drift),
    /// The declaration cannot be compared with the account.
    Invalid(Vec<Problem>),
}

/// What the diff found for a catalog, and what the later passes make of it.
#[derive(Debug, Default)]
pub struct Findings {
    /// The writes, sorted by (kind, key) once the diff is done.
    pub changes: Vec<Change>,
    /// Declared objects that already match.
    pub unchanged: usize,
    /// Objects whose immutable fields changed, in declaration order: replaced, or reported.
    pub drift: Vec<Drift>,
    /// Problems (warnings among them: `Problem::severity`), in the order found.
    pub problems: Vec<Problem>,
}
