//! The emulated account: every object as the JSON Stripe would return, kept in creation order
//! per kind (lists are newest first, cursors are positions), plus the indexes the rules and
//! the list filters need: which price holds a lookup key, which active promotion code holds a
//! code (case-insensitively), the positions of a product's prices and of a code's promotion
//! codes. Prices and promotion codes are never deleted (Stripe has no such endpoint), so their
//! positions never shift and can be indexed. Objects are `Arc`s so that a response or a state
//! snapshot takes them without copying under the lock.

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::idempotency::IdempotencyStore;
use crate::clock::Clock;
use crate::kinds::ObjectKind;

/// The format marker and version written at the top of a state file.
const STATE_FORMAT: &str = "billingctl-emulator-state/1";

/// Everything the emulated account holds.
#[derive(Debug, Default)]
pub(crate) struct Account {
    collections: [IndexMap<String, Arc<Value>>; 5],
    /// lookup_key -> id of the price that holds it.
    lookup_keys: HashMap<String, String>,
    /// lowercased code -> id of the *active* promotion code that holds it.
    active_codes: HashMap<String, String>,
    /// product id -> positions of the prices that name it, ascending.
    product_prices: HashMap<String, Vec<usize>>,
    /// lowercased code -> positions of the promotion codes with it (active or not), ascending.
    codes: HashMap<String, Vec<usize>>,
    /// Saved answers by `Idempotency-Key`.
    pub idempotency: IdempotencyStore,
    /// Bumped on every change; the state writer persists when it moves.
    generation: u64,
    /// Where "now" comes from: `created`, `updated`, and the time rules (`redeem_by`, ...).
    clock: Clock,
    /// Every change since the last `take_changes`, when a state file's log wants them.
    changes: Option<Vec<Change>>,
}

/// One change to the account, as the state file's write-ahead log records it.
#[derive(Clone, Debug)]
pub(crate) enum Change {
    /// The object as it now is (created or replaced).
    Put(ObjectKind, Arc<Value>),
    /// The object with this id is gone.
    Remove(ObjectKind, String),
}

fn slot(kind: ObjectKind) -> usize {
    ObjectKind::ALL
        .iter()
        .position(|k| *k == kind)
        .unwrap_or_default()
}

impl Account {
    /// An empty account that reads the time from `clock`.
    pub fn with_clock(clock: Clock) -> Account {
        Account {
            clock,
            ..Account::default()
        }
    }

    /// The current time, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// From now on, keep every change for [`Account::take_changes`].
    pub fn record_changes(&mut self) {
        self.changes.get_or_insert_with(Vec::new);
    }

    /// The changes since the last call (none unless recording).
    pub fn take_changes(&mut self) -> Vec<Change> {
        self.changes
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// Replays one change from the log.
    pub fn apply(&mut self, change: Change) {
        match change {
            Change::Put(kind, object) => {
                self.put(kind, (*object).clone());
            }
            Change::Remove(kind, id) => {
                self.remove(kind, &id);
            }
        }
    }

    pub fn len(&self, kind: ObjectKind) -> usize {
        self.collections[slot(kind)].len()
    }

    pub fn get(&self, kind: ObjectKind, id: &str) -> Option<&Arc<Value>> {
        self.collections[slot(kind)].get(id)
    }

    /// The position of an object in creation order (0 = oldest).
    pub fn position(&self, kind: ObjectKind, id: &str) -> Option<usize> {
        self.collections[slot(kind)].get_index_of(id)
    }

    /// The object at a position in creation order.
    pub fn at(&self, kind: ObjectKind, index: usize) -> Option<&Arc<Value>> {
        self.collections[slot(kind)]
            .get_index(index)
            .map(|(_, value)| value)
    }

    /// Adds a new object (its `id` must be free) or replaces an existing one in place,
    /// keeping the indexes in step.
    pub fn put(&mut self, kind: ObjectKind, object: Value) -> Arc<Value> {
        let id = object["id"].as_str().unwrap_or_default().to_owned();
        let object = Arc::new(object);
        let (position, old) = self.collections[slot(kind)].insert_full(id, object.clone());
        match old {
            Some(old) => self.unindex(kind, &old),
            // A price's product and a promotion code's code are immutable: indexed once.
            None => self.index_new(kind, &object, position),
        }
        self.index(kind, &object);
        self.generation += 1;
        if let Some(changes) = &mut self.changes {
            changes.push(Change::Put(kind, object.clone()));
        }
        object
    }

    /// Deletes an object; positions of newer objects shift down by one. Only products and
    /// coupons are ever deleted (Stripe has no delete for the others), which is what lets the
    /// position indexes of prices and promotion codes stay valid.
    pub fn remove(&mut self, kind: ObjectKind, id: &str) -> Option<Arc<Value>> {
        debug_assert!(!matches!(
            kind,
            ObjectKind::Price | ObjectKind::PromotionCode
        ));
        let old = self.collections[slot(kind)].shift_remove(id)?;
        self.unindex(kind, &old);
        self.generation += 1;
        if let Some(changes) = &mut self.changes {
            changes.push(Change::Remove(kind, id.to_owned()));
        }
        Some(old)
    }

    /// The price that holds this lookup key.
    pub fn lookup_key_owner(&self, lookup_key: &str) -> Option<&str> {
        self.lookup_keys.get(lookup_key).map(String::as_str)
    }

    /// The active promotion code that holds this code, in any case.
    pub fn active_code_owner(&self, code: &str) -> Option<&str> {
        self.active_codes
            .get(&code.to_lowercase())
            .map(String::as_str)
    }

    /// How many prices name this product.
    pub fn price_count(&self, product: &str) -> usize {
        self.product_prices.get(product).map_or(0, Vec::len)
    }

    /// Positions of the prices of this product, ascending.
    pub fn prices_of(&self, product: &str) -> &[usize] {
        self.product_prices.get(product).map_or(&[], Vec::as_slice)
    }

    /// Positions of the promotion codes with this code in any case, ascending.
    pub fn codes_like(&self, code: &str) -> &[usize] {
        self.codes
            .get(&code.to_lowercase())
            .map_or(&[], Vec::as_slice)
    }

    fn index_new(&mut self, kind: ObjectKind, object: &Value, position: usize) {
        let (index, key) = match kind {
            ObjectKind::Price => (&mut self.product_prices, object["product"].as_str()),
            ObjectKind::PromotionCode => (&mut self.codes, object["code"].as_str()),
            _ => return,
        };
        if let Some(key) = key {
            let key = if kind == ObjectKind::PromotionCode {
                key.to_lowercase()
            } else {
                key.to_owned()
            };
            index.entry(key).or_default().push(position);
        }
    }

    fn index(&mut self, kind: ObjectKind, object: &Value) {
        let id = || object["id"].as_str().unwrap_or_default().to_owned();
        match kind {
            ObjectKind::Price => {
                if let Some(key) = object["lookup_key"].as_str() {
                    self.lookup_keys.insert(key.to_owned(), id());
                }
            }
            ObjectKind::PromotionCode if object["active"] == Value::Bool(true) => {
                if let Some(code) = object["code"].as_str() {
                    self.active_codes.insert(code.to_lowercase(), id());
                }
            }
            _ => {}
        }
    }

    fn unindex(&mut self, kind: ObjectKind, object: &Value) {
        let id = object["id"].as_str().unwrap_or_default();
        match kind {
            ObjectKind::Price => {
                if let Some(key) = object["lookup_key"].as_str() {
                    if self.lookup_keys.get(key).is_some_and(|owner| owner == id) {
                        self.lookup_keys.remove(key);
                    }
                }
            }
            ObjectKind::PromotionCode => {
                if let Some(code) = object["code"].as_str() {
                    let code = code.to_lowercase();
                    if self
                        .active_codes
                        .get(&code)
                        .is_some_and(|owner| owner == id)
                    {
                        self.active_codes.remove(&code);
                    }
                }
            }
            _ => {}
        }
    }

    /// Every object, cheaply (the `Arc`s are shared), for the state writer.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            objects: ObjectKind::ALL
                .iter()
                .map(|&kind| {
                    (
                        kind,
                        self.collections[slot(kind)].values().cloned().collect(),
                    )
                })
                .collect(),
        }
    }

    /// Rebuilds an account from a state file's JSON.
    pub fn restore(state: &Value, clock: Clock) -> Result<Account, String> {
        if state["format"] != STATE_FORMAT {
            return Err(format!(
                "not an emulator state file (expected \"format\": \"{STATE_FORMAT}\")"
            ));
        }
        let mut account = Account::with_clock(clock);
        for kind in ObjectKind::ALL {
            let Some(objects) = state["objects"][kind.name()].as_array() else {
                continue;
            };
            for object in objects {
                if !object["id"].is_string() {
                    return Err(format!("a {kind} without an id"));
                }
                account.put(kind, object.clone());
            }
        }
        account.generation = 0;
        Ok(account)
    }
}

/// All objects at one moment, serialisable to the state file without holding the lock.
pub(crate) struct Snapshot {
    objects: Vec<(ObjectKind, Vec<Arc<Value>>)>,
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Objects<'a>(&'a [Arc<Value>]);
        impl Serialize for Objects<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for object in self.0 {
                    seq.serialize_element(&**object)?;
                }
                seq.end()
            }
        }
        struct Kinds<'a>(&'a [(ObjectKind, Vec<Arc<Value>>)]);
        impl Serialize for Kinds<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(self.0.len()))?;
                for (kind, objects) in self.0 {
                    map.serialize_entry(kind.name(), &Objects(objects))?;
                }
                map.end()
            }
        }
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("format", STATE_FORMAT)?;
        map.serialize_entry("objects", &Kinds(&self.objects))?;
        map.end()
    }
}

/// A fresh id such as `price_` + 24 random characters, as Stripe's look.
pub(crate) fn new_id(prefix: &str, len: usize) -> String {
    let mut id = String::with_capacity(prefix.len() + len);
    id.push_str(prefix);
    id.extend(
        rand::thread_rng()
            .sample_iter(Alphanumeric)
            .take(len)
            .map(char::from),
    );
    id
}

/// A random code of uppercase letters and digits (generated coupon ids and promotion codes).
pub(crate) fn new_code(len: usize) -> String {
    rand::thread_rng()
        .sample_iter(Alphanumeric)
        .map(|b| (b as char).to_ascii_uppercase())
        .take(len)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn indexes_follow_puts_and_removes() {
        let mut account = Account::default();
        account.put(
            ObjectKind::Price,
            json!({"id": "price_a", "lookup_key": "basic", "product": "prod_a"}),
        );
        assert_eq!(account.lookup_key_owner("basic"), Some("price_a"));
        assert_eq!(account.price_count("prod_a"), 1);
        account.put(
            ObjectKind::Price,
            json!({"id": "price_a", "lookup_key": null, "product": "prod_a"}),
        );
        assert_eq!(account.lookup_key_owner("basic"), None);
        assert_eq!(account.price_count("prod_a"), 1);
        account.put(
            ObjectKind::Price,
            json!({"id": "price_b", "lookup_key": "basic", "product": "prod_a"}),
        );
        assert_eq!(account.prices_of("prod_a"), [0, 1]);
        assert_eq!(account.lookup_key_owner("basic"), Some("price_b"));

        account.put(
            ObjectKind::PromotionCode,
            json!({"id": "promo_a", "code": "Launch", "active": true}),
        );
        assert_eq!(account.active_code_owner("LAUNCH"), Some("promo_a"));
        account.put(
            ObjectKind::PromotionCode,
            json!({"id": "promo_a", "code": "Launch", "active": false}),
        );
        assert_eq!(account.active_code_owner("launch"), None);
        assert_eq!(account.codes_like("LAUNCH"), [0]);
    }

    #[test]
    fn a_snapshot_restores_to_the_same_account() {
        let mut account = Account::default();
        account.put(ObjectKind::Product, json!({"id": "prod_1", "name": "A"}));
        account.put(ObjectKind::Product, json!({"id": "prod_2", "name": "B"}));
        let text = serde_json::to_string(&account.snapshot()).unwrap();
        let restored =
            Account::restore(&serde_json::from_str(&text).unwrap(), Clock::default()).unwrap();
        assert_eq!(restored.len(ObjectKind::Product), 2);
        assert_eq!(restored.position(ObjectKind::Product, "prod_2"), Some(1));
    }
}
