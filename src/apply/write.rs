//! One HTTP write of a plan: which change it belongs to, create or update, and its params
//! (still in key space: the executor resolves references just before sending).

use serde_json::{Map, Value};

use crate::kinds::ObjectKind;

/// One HTTP write.
#[derive(Clone, Debug)]
pub struct Write {
    /// Index of the change in `plan.changes`.
    pub change: usize,
    pub kind: ObjectKind,
    pub key: String,
    pub op: Op,
    /// Params in key space; the executor resolves references just before sending.
    pub params: Map<String, Value>,
}

/// Create the object, or update it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Op {
    Create,
    /// `id` is `None` when the object is created earlier in the same apply: its id is known
    /// only once that create has answered.
    Update {
        id: Option<String>,
    },
    /// `POST {path}/{id}/{action}` with no params: the endpoint that switches an object of a
    /// kind deactivated through endpoints (a meter's `deactivate`, `reactivate`). `id` as for
    /// an update.
    Action {
        id: Option<String>,
        action: &'static str,
    },
    /// `DELETE {path}/{id}`: a detach (`Action::Detach`).
    Delete {
        id: String,
    },
}

impl Write {
    /// What the write does, for messages: `creating price `basic``, `updating product `x``.
    pub fn describe(&self) -> String {
        let verb = match self.op {
            Op::Create => "creating",
            Op::Update { .. } => "updating",
            Op::Action { action, .. } => return format!("{action} {} `{}`", self.kind, self.key),
            Op::Delete { .. } => "detaching",
        };
        format!("{verb} {} `{}`", self.kind, self.key)
    }
}
