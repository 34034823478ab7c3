//! The saved plan (`plan --out FILE`, `run --plan FILE`): what a team reviewed, applied
//! exactly as reviewed, or not at all. Format: docs/PLAN-FILE.md.
//!
//! Stripe is still the state: the file holds no ids to trust blindly. It holds the desired
//! state the script rendered, the actions, and a fingerprint of every live object the plan
//! read. `run --plan` re-renders the script, re-reads the account and re-plans; it applies
//! only when the script renders the same, no object an action touches changed, and the new
//! plan's actions are the saved ones. Otherwise it says what changed and writes nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::plan::{Change, Plan};
use crate::kinds::ObjectKind;
use crate::live::LiveState;

/// The `format` field: says what the file is.
pub const FORMAT: &str = "billingctl-plan";
/// Raised on any change a reader of version N could misread.
pub const FORMAT_VERSION: u64 = 2;

/// A saved plan, as written to the file.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SavedPlan {
    pub format: String,
    pub format_version: u64,
    /// The billingctl that wrote it, and the Stripe API version its requests pinned.
    pub billingctl_version: String,
    pub api_version: String,
    /// The script, as given to `plan` (relative to where `plan` ran).
    pub script: String,
    pub environment: String,
    /// The account description (`https://api.stripe.com (sk_test_…abcd)`; never the key).
    pub account: String,
    pub allow_replace: bool,
    pub prune: bool,
    /// `--only` patterns, re-applied by `run --plan`.
    pub only: Vec<String>,
    /// The desired state the script rendered (`billingctl render`'s JSON).
    pub desired: Value,
    /// The writes, in the plan's order: `{action, object, key, id, params, after_create}`.
    pub actions: Vec<Value>,
    /// Every live object the plan read: `{object, id, fingerprint}`.
    pub live: Vec<Fingerprint>,
}

/// One live object as the plan saw it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Fingerprint {
    pub object: String,
    pub id: String,
    /// FNV-1a 64 of the object's JSON as Stripe returned it, in hex. Not a security
    /// measure (the file is trusted as much as the repository): it detects edits.
    pub fingerprint: String,
}

/// What a saved plan needs from the planning run.
pub struct Inputs<'a> {
    pub script: &'a str,
    pub environment: &'a str,
    pub account: &'a str,
    pub allow_replace: bool,
    pub prune: bool,
    pub only: &'a [String],
    pub desired: &'a Value,
}

impl SavedPlan {
    pub fn new(inputs: &Inputs<'_>, plan: &Plan, live: &LiveState) -> Self {
        Self {
            format: FORMAT.to_owned(),
            format_version: FORMAT_VERSION,
            billingctl_version: env!("CARGO_PKG_VERSION").to_owned(),
            api_version: crate::stripe::API_VERSION.to_owned(),
            script: inputs.script.to_owned(),
            environment: inputs.environment.to_owned(),
            account: inputs.account.to_owned(),
            allow_replace: inputs.allow_replace,
            prune: inputs.prune,
            only: inputs.only.to_vec(),
            desired: inputs.desired.clone(),
            actions: plan.changes.iter().map(action_json).collect(),
            live: fingerprints(live),
        }
    }

    /// Reads a plan file; refuses other formats and newer versions.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        if value["format"] != FORMAT {
            return Err(format!(
                "not a billingctl plan file (no \"format\": \"{FORMAT}\")"
            ));
        }
        let version = value["format_version"].as_u64().unwrap_or(0);
        if version != FORMAT_VERSION {
            return Err(format!(
                "format_version {version}; this billingctl reads version {FORMAT_VERSION}: \
                 make the plan again with this version"
            ));
        }
        serde_json::from_value(value).map_err(|e| format!("malformed plan file: {e}"))
    }

    /// Why the plan made now is not the saved one; empty when it may be applied. `desired`,
    /// `plan` and `live` come from re-rendering the script and re-reading the account.
    pub fn differences(&self, desired: &Value, plan: &Plan, live: &LiveState) -> Vec<String> {
        let mut out = Vec::new();
        if &self.desired != desired {
            out.push(format!(
                "the script no longer renders the same desired state: {}",
                desired_difference(&self.desired, desired)
            ));
        }
        let index = |list: &[Fingerprint]| -> BTreeMap<(String, String), String> {
            list.iter()
                .map(|f| ((f.object.clone(), f.id.clone()), f.fingerprint.clone()))
                .collect()
        };
        let now = index(&fingerprints(live));
        let before = index(&self.live);
        for action in &self.actions {
            let (Some(object), Some(id)) = (action["object"].as_str(), action["id"].as_str())
            else {
                continue;
            };
            let key = action["key"].as_str().unwrap_or(id);
            let at = (object.to_owned(), id.to_owned());
            match (before.get(&at), now.get(&at)) {
                (Some(a), Some(b)) if a == b => {}
                (_, None) => out.push(format!("{object} {key} ({id}) is gone from the account")),
                _ => out.push(format!(
                    "{object} {key} ({id}) changed in the account since the plan was made"
                )),
            }
        }
        let actions: Vec<Value> = plan.changes.iter().map(action_json).collect();
        if actions != self.actions {
            let name = |a: &Value| {
                format!(
                    "{} {} {}",
                    a["action"].as_str().unwrap_or("?"),
                    a["object"].as_str().unwrap_or("?"),
                    a["key"].as_str().unwrap_or("?")
                )
            };
            for a in actions.iter().filter(|a| !self.actions.contains(a)) {
                out.push(format!("the plan now also has: {}", name(a)));
            }
            for a in self.actions.iter().filter(|a| !actions.contains(a)) {
                out.push(format!(
                    "the plan no longer has (or has otherwise): {}",
                    name(a)
                ));
            }
        }
        out
    }
}

/// One change as the file stores it.
pub fn action_json(change: &Change) -> Value {
    json!({
        "action": change.action.name(),
        "object": change.kind.name(),
        "key": change.key,
        "id": change.id,
        "params": change.params,
        "after_create": change.after_create,
    })
}

fn fingerprints(live: &LiveState) -> Vec<Fingerprint> {
    ObjectKind::ALL
        .into_iter()
        .flat_map(|kind| {
            live.all(kind).iter().filter_map(move |object| {
                Some(Fingerprint {
                    object: kind.name().to_owned(),
                    id: object.get("id")?.as_str()?.to_owned(),
                    fingerprint: fingerprint(&object.to_value()),
                })
            })
        })
        .collect()
}

/// FNV-1a 64 over the object's JSON text (its field order is Stripe's, kept by
/// serde_json's `preserve_order`).
pub fn fingerprint(object: &Value) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in object.to_string().bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{hash:016x}")
}

/// The first object whose desired state differs, by kind and key.
fn desired_difference(saved: &Value, now: &Value) -> String {
    for kind in ObjectKind::ALL {
        let list = |v: &Value| {
            v["objects"][kind.name()]
                .as_array()
                .cloned()
                .unwrap_or_default()
        };
        let (a, b) = (list(saved), list(now));
        let key = |o: &Value| o["key"].as_str().unwrap_or_default().to_owned();
        for object in &b {
            match a.iter().find(|o| key(o) == key(object)) {
                None => return format!("{kind} {} is new", key(object)),
                Some(old) if old["params"] != object["params"] => {
                    return format!("{kind} {} differs", key(object))
                }
                Some(_) => {}
            }
        }
        if let Some(gone) = a.iter().find(|o| !b.iter().any(|n| key(n) == key(o))) {
            return format!("{kind} {} is no longer declared", key(gone));
        }
    }
    "its environment or scope differs".to_owned()
}
