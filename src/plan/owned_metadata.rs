//! Which metadata keys of an object belong to its script.
//!
//! Stripe merges metadata on update: a key not sent is kept, a key sent as `""` is removed
//! (docs.stripe.com/api/metadata). So billingctl decides, key by key, what to remove. Keys set
//! outside billingctl (the Dashboard, another integration) are kept; a key the script set
//! once and no longer declares is removed. Stripe is the only state, so the keys a script set
//! are recorded on the object itself, in metadata `billingctl_metadata` (a JSON array), next
//! to the scope. An object without that record (made by hand, or before billingctl kept it)
//! owns nothing beyond what its script declares now: nothing is removed on a guess.
//!
//! `metadata_exact: true` says the script's metadata is the whole metadata: every other key
//! is removed, and no record is needed.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::problem::{Issue, Problem};
use crate::catalog::Declaration;
use crate::compact::Fields;
use crate::kinds::{OWNED_METADATA, RESERVED_METADATA_PREFIX};

/// The metadata the diff wants an object to end with.
#[derive(Debug, Default, PartialEq)]
pub struct Claimed {
    /// The script's keys, the record of them, and the keys kept with their live values.
    pub metadata: Map<String, Value>,
    /// The live keys set outside billingctl that stay as they are, sorted.
    pub kept: Vec<String>,
}

/// What `script` (a declaration's own metadata, no `billingctl_*` key) claims of `live` (the
/// matched object's metadata, `None` for a create), `exact` or not.
pub fn claim(
    script: Map<String, Value>,
    live: Option<&Map<String, Value>>,
    exact: bool,
) -> Claimed {
    let mut metadata = script;
    let mut kept = Vec::new();
    if exact {
        return Claimed { metadata, kept };
    }
    if !metadata.is_empty() {
        let record = record(&metadata);
        metadata.insert(OWNED_METADATA.to_owned(), Value::String(record));
    }
    if let Some(live) = live {
        let owned = recorded(live);
        for (key, value) in live {
            // The script's keys are in `metadata` already (the record is reserved).
            let foreign = !key.starts_with(RESERVED_METADATA_PREFIX)
                && !metadata.contains_key(key)
                && !owned.contains(key.as_str());
            // A key already removed (Stripe never returns "", but a saved object might)
            // needs nothing kept.
            if foreign && value.as_str() != Some("") {
                metadata.insert(key.clone(), value.clone());
                kept.push(key.clone());
            }
        }
    }
    kept.sort();
    Claimed { metadata, kept }
}

/// Whether `live` holds a key `claim` could keep: one set outside billingctl, not removed.
/// Without one, `claim` of it is `claim` of no live object.
pub fn may_keep_keys(live: &Fields) -> bool {
    live.iter().any(|(key, value)| {
        !key.starts_with(RESERVED_METADATA_PREFIX) && value.as_str() != Some("")
    })
}

/// Stripe allows a number of metadata keys, and characters per value (the field table's
/// limits). billingctl's own keys (the scope, the record of the script's keys) take room the
/// script must leave, with the keys kept from outside billingctl; otherwise the write would
/// fail midway. `params` are the declaration's managed params (`managed`), which hold every
/// key Stripe keeps in metadata (`billingctl_key`) already; the diff checks them as it builds
/// them (`diff_catalog`).
pub fn room_problems(declaration: &dyn Declaration, params: &Map<String, Value>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Some(limits) = declaration
        .kind()
        .table()
        .param("metadata")
        .map(|m| m.limits)
    else {
        return problems;
    };
    let metadata = params.get("metadata").and_then(Value::as_object);
    let count = metadata.map_or(0, Map::len);
    let record = metadata
        .and_then(|m| m.get(OWNED_METADATA))
        .and_then(Value::as_str)
        .map_or(0, |record| record.chars().count());
    let problem = |issue| Problem {
        kind: declaration.kind(),
        key: declaration.key().to_owned(),
        at: declaration.declared_at().clone(),
        issue,
    };
    if let Some(max) = limits.items.map(|i| i.max).filter(|max| count > *max) {
        problems.push(problem(Issue::MetadataFull { count, max }));
    }
    if let Some(max) = limits.chars.map(|c| c.max).filter(|max| record > *max) {
        problems.push(problem(Issue::MetadataRecordTooLong { chars: record, max }));
    }
    problems
}

/// The record of the script's keys: a JSON array, sorted, so it is the same on every run.
fn record(script: &Map<String, Value>) -> String {
    let keys: BTreeSet<&str> = script.keys().map(String::as_str).collect();
    Value::from(keys.into_iter().collect::<Vec<_>>()).to_string()
}

/// The keys an object's record says its script set; none without a (readable) record.
fn recorded(live: &Map<String, Value>) -> BTreeSet<String> {
    live.get(OWNED_METADATA)
        .and_then(Value::as_str)
        .and_then(|text| serde_json::from_str::<Vec<String>>(text).ok())
        .map(|keys| keys.into_iter().collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn map(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_create_records_the_scripts_keys() {
        let claimed = claim(map(json!({"tier": "1", "plan": "a"})), None, false);
        assert_eq!(
            claimed.metadata,
            map(json!({"tier": "1", "plan": "a", "billingctl_metadata": "[\"plan\",\"tier\"]"}))
        );
        assert!(claimed.kept.is_empty());
    }

    #[test]
    fn keys_set_outside_billingctl_are_kept_with_their_values() {
        let live = map(json!({"owner": "finance", "tier": "0"}));
        let claimed = claim(map(json!({"tier": "1"})), Some(&live), false);
        assert_eq!(claimed.metadata["owner"], "finance");
        assert_eq!(claimed.metadata["tier"], "1");
        assert_eq!(claimed.kept, ["owner"]);
    }

    #[test]
    fn a_key_the_script_set_and_dropped_is_not_kept() {
        let live = map(json!({"owner": "finance", "old": "x", "tier": "1",
                              "billingctl_metadata": "[\"old\",\"tier\"]",
                              "billingctl_scope": "catalog"}));
        let claimed = claim(map(json!({"tier": "1"})), Some(&live), false);
        assert_eq!(
            claimed.metadata,
            map(json!({"tier": "1", "owner": "finance",
                       "billingctl_metadata": "[\"tier\"]"}))
        );
        assert_eq!(claimed.kept, ["owner"]);
    }

    #[test]
    fn a_script_without_metadata_keeps_everything_and_records_nothing() {
        let live = map(json!({"owner": "finance"}));
        let claimed = claim(Map::new(), Some(&live), false);
        assert_eq!(claimed.metadata, map(json!({"owner": "finance"})));
    }

    #[test]
    fn exact_metadata_is_the_scripts_alone() {
        let live = map(json!({"owner": "finance", "billingctl_metadata": "[\"old\"]"}));
        let claimed = claim(map(json!({"tier": "1"})), Some(&live), true);
        assert_eq!(claimed.metadata, map(json!({"tier": "1"})));
        assert!(claimed.kept.is_empty());
    }

    #[test]
    fn an_unreadable_record_owns_nothing() {
        let live = map(json!({"old": "x", "billingctl_metadata": "old"}));
        let claimed = claim(Map::new(), Some(&live), false);
        assert_eq!(claimed.kept, ["old"]);
    }
}
