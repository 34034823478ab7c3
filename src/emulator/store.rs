//! One account's objects (the platform's, or one connected account's: `accounts`): every
//! object as the JSON Stripe would return, kept in creation order per kind (lists are newest
//! first, cursors are positions), plus the indexes each kind declares (`Resource::indexes`):
//! which price holds a lookup key, which active promotion code holds a code
//! (case-insensitively), the positions of a product's prices and of a code's promotion codes.
//! Nothing here names a kind: the store is one collection per kind of the registry, each with
//! the indexes its kind asked for. Objects are `Arc`s so that a response or a state snapshot
//! takes them without copying under the lock.

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

/// The format marker and version written at the top of a state file that holds the platform
/// only (every state file before Connect, and still those without connected accounts).
pub(crate) const STATE_FORMAT: &str = "billingctl-emulator-state/1";
/// The same, for a state file that also holds connected accounts (`"accounts"`): a new
/// version, so that an older emulator refuses it rather than load it and drop the accounts.
pub(crate) const STATE_FORMAT_CONNECT: &str = "billingctl-emulator-state/2";

/// An index the store keeps over one field of one kind's objects, declared by the kind's
/// emulator module and queried by field name ([`Store::holder`], [`Store::positions`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Index {
    /// The top-level string field indexed, e.g. `lookup_key`.
    pub field: &'static str,
    /// Values compared case-insensitively (lowercased on both sides): promotion codes.
    pub folded: bool,
    pub shape: IndexShape,
}

/// What an [`Index`] maps a value to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IndexShape {
    /// The id of the one object that holds the value (a price's lookup key is unique).
    /// `active_only`: only an object whose `active` is true holds it (a promotion code's
    /// `code` is unique among active codes).
    Holder { active_only: bool },
    /// The positions (creation order) of every object with the value, ascending: the
    /// candidates of a list filter. Only over a field that never changes, of a kind Stripe
    /// has no delete for, so that positions never shift (`Store::remove` asserts it).
    Positions,
}

impl Index {
    /// The holder of each value of `field`.
    pub const fn holder(field: &'static str) -> Index {
        Index {
            field,
            folded: false,
            shape: IndexShape::Holder { active_only: false },
        }
    }

    /// The positions of the objects with each value of `field`.
    pub const fn positions(field: &'static str) -> Index {
        Index {
            field,
            folded: false,
            shape: IndexShape::Positions,
        }
    }

    /// Compares values case-insensitively.
    pub const fn folded(self) -> Index {
        Index {
            folded: true,
            ..self
        }
    }

    /// A holder index over active objects only.
    pub const fn active_only(self) -> Index {
        Index {
            shape: IndexShape::Holder { active_only: true },
            ..self
        }
    }

    fn key(&self, value: &str) -> String {
        if self.folded {
            value.to_lowercase()
        } else {
            value.to_owned()
        }
    }
}

/// One index's entries.
#[derive(Debug)]
enum Entries {
    Holders(HashMap<String, String>),
    Positions(HashMap<String, Vec<usize>>),
}

/// The objects of one kind and their indexes.
#[derive(Debug)]
struct Collection {
    objects: IndexMap<String, Arc<Value>>,
    indexes: Vec<(Index, Entries)>,
}

impl Collection {
    fn new(indexes: &[Index]) -> Collection {
        Collection {
            objects: IndexMap::new(),
            indexes: indexes
                .iter()
                .map(|index| {
                    let entries = match index.shape {
                        IndexShape::Holder { .. } => Entries::Holders(HashMap::new()),
                        IndexShape::Positions => Entries::Positions(HashMap::new()),
                    };
                    (*index, entries)
                })
                .collect(),
        }
    }

    /// Indexes a new object at `position` (positions are indexed once: the field never
    /// changes).
    fn index_new(&mut self, object: &Value, position: usize) {
        for (index, entries) in &mut self.indexes {
            if let (Entries::Positions(map), Some(value)) = (entries, object[index.field].as_str())
            {
                map.entry(index.key(value)).or_default().push(position);
            }
        }
    }

    /// Makes the object the holder of its values.
    fn index(&mut self, object: &Value) {
        let id = object["id"].as_str().unwrap_or_default();
        for (index, entries) in &mut self.indexes {
            let (IndexShape::Holder { active_only }, Entries::Holders(map)) =
                (index.shape, entries)
            else {
                continue;
            };
            if active_only && object["active"] != Value::Bool(true) {
                continue;
            }
            if let Some(value) = object[index.field].as_str() {
                map.insert(index.key(value), id.to_owned());
            }
        }
    }

    /// The object (as it was) no longer holds its values.
    fn unindex(&mut self, object: &Value) {
        let id = object["id"].as_str().unwrap_or_default();
        for (index, entries) in &mut self.indexes {
            let (Entries::Holders(map), Some(value)) = (entries, object[index.field].as_str())
            else {
                continue;
            };
            let key = index.key(value);
            if map.get(&key).is_some_and(|owner| owner == id) {
                map.remove(&key);
            }
        }
    }

    fn entries(&self, field: &str, positions: bool) -> Option<(&Index, &Entries)> {
        let found = self.indexes.iter().find(|(index, entries)| {
            index.field == field && matches!(entries, Entries::Positions(_)) == positions
        });
        debug_assert!(found.is_some(), "no such index: {field}");
        found.map(|(index, entries)| (index, entries))
    }
}

/// Everything the emulated account holds.
#[derive(Debug)]
pub(crate) struct Store {
    /// One collection per kind, in the order of `ObjectKind::ALL`.
    collections: Vec<Collection>,
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

impl Store {
    /// An empty account that reads the time from `clock`, with the indexes each kind asks
    /// for (`indexes` is the registry's: the store itself knows no kind).
    pub fn new(clock: Clock, indexes: impl Fn(ObjectKind) -> &'static [Index]) -> Store {
        Store {
            collections: ObjectKind::ALL
                .iter()
                .map(|&kind| Collection::new(indexes(kind)))
                .collect(),
            idempotency: IdempotencyStore::default(),
            generation: 0,
            clock,
            changes: None,
        }
    }

    // The enum's order is the registry's (`kinds::tests::the_registry_follows_the_enum`),
    // so a kind's discriminant is its collection's position.
    fn collection(&self, kind: ObjectKind) -> &Collection {
        &self.collections[kind as usize]
    }

    fn collection_mut(&mut self, kind: ObjectKind) -> &mut Collection {
        &mut self.collections[kind as usize]
    }

    /// The current time, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// From now on, keep every change for [`Store::take_changes`].
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
        self.collection(kind).objects.len()
    }

    pub fn get(&self, kind: ObjectKind, id: &str) -> Option<&Arc<Value>> {
        self.collection(kind).objects.get(id)
    }

    /// The position of an object in creation order (0 = oldest).
    pub fn position(&self, kind: ObjectKind, id: &str) -> Option<usize> {
        self.collection(kind).objects.get_index_of(id)
    }

    /// The object at a position in creation order.
    pub fn at(&self, kind: ObjectKind, index: usize) -> Option<&Arc<Value>> {
        self.collection(kind)
            .objects
            .get_index(index)
            .map(|(_, value)| value)
    }

    /// Adds a new object (its `id` must be free) or replaces an existing one in place,
    /// keeping the indexes in step.
    pub fn put(&mut self, kind: ObjectKind, object: Value) -> Arc<Value> {
        let id = object["id"].as_str().unwrap_or_default().to_owned();
        let object = Arc::new(object);
        let collection = self.collection_mut(kind);
        let (position, old) = collection.objects.insert_full(id, object.clone());
        match old {
            Some(old) => collection.unindex(&old),
            None => collection.index_new(&object, position),
        }
        collection.index(&object);
        self.generation += 1;
        if let Some(changes) = &mut self.changes {
            changes.push(Change::Put(kind, object.clone()));
        }
        object
    }

    /// Deletes an object; positions of newer objects shift down by one. Only kinds without a
    /// positions index are ever deleted (the routes offer DELETE only where Stripe has it, and
    /// `objects::tests` holds that no deletable kind keeps positions).
    pub fn remove(&mut self, kind: ObjectKind, id: &str) -> Option<Arc<Value>> {
        let collection = self.collection_mut(kind);
        debug_assert!(!collection
            .indexes
            .iter()
            .any(|(index, _)| index.shape == IndexShape::Positions));
        let old = collection.objects.shift_remove(id)?;
        collection.unindex(&old);
        self.generation += 1;
        if let Some(changes) = &mut self.changes {
            changes.push(Change::Remove(kind, id.to_owned()));
        }
        Some(old)
    }

    /// The id of the object of `kind` that holds `value` in the indexed `field`.
    pub fn holder(&self, kind: ObjectKind, field: &str, value: &str) -> Option<&str> {
        match self.collection(kind).entries(field, false)? {
            (index, Entries::Holders(map)) => map.get(&index.key(value)).map(String::as_str),
            _ => None,
        }
    }

    /// The positions of the objects of `kind` with `value` in the indexed `field`, ascending.
    pub fn positions(&self, kind: ObjectKind, field: &str, value: &str) -> &[usize] {
        match self.collection(kind).entries(field, true) {
            Some((index, Entries::Positions(map))) => {
                map.get(&index.key(value)).map_or(&[], Vec::as_slice)
            }
            _ => &[],
        }
    }

    /// Every object, cheaply (the `Arc`s are shared), for the state writer.
    pub fn snapshot(&self) -> StateSnapshot {
        StateSnapshot {
            objects: ObjectKind::ALL
                .iter()
                .map(|&kind| {
                    (
                        kind,
                        self.collection(kind).objects.values().cloned().collect(),
                    )
                })
                .collect(),
        }
    }

    /// Fills this (empty) account from a state file's JSON: its `format` marker and its
    /// `objects`.
    pub fn restore(mut self, state: &Value) -> Result<Store, String> {
        if state["format"] != STATE_FORMAT && state["format"] != STATE_FORMAT_CONNECT {
            return Err(format!(
                "not an emulator state file (expected \"format\": \"{STATE_FORMAT}\")"
            ));
        }
        self.restore_objects(&state["objects"])?;
        Ok(self)
    }

    /// Fills this (empty) account from the `objects` of a state file (`{"product": [...]}`).
    pub fn restore_objects(&mut self, objects: &Value) -> Result<(), String> {
        for kind in ObjectKind::ALL {
            let Some(objects) = objects[kind.name()].as_array() else {
                continue;
            };
            for object in objects {
                if !object["id"].is_string() {
                    return Err(format!("a {kind} without an id"));
                }
                self.put(kind, object.clone());
            }
        }
        self.generation = 0;
        Ok(())
    }
}

/// All objects at one moment, serialisable to the state file without holding the lock.
pub(crate) struct StateSnapshot {
    objects: Vec<(ObjectKind, Vec<Arc<Value>>)>,
}

impl StateSnapshot {
    /// The `objects` part alone (`{"product": [...], ...}`): what a state file holds for each
    /// connected account beside the platform's.
    pub fn objects(&self) -> impl Serialize + '_ {
        Kinds(&self.objects)
    }
}

/// The objects of one kind, in creation order.
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

/// Every kind's objects, by the kind's name.
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

impl Serialize for StateSnapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("format", STATE_FORMAT)?;
        map.serialize_entry("objects", &self.objects())?;
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

    /// Indexes like the prices' and the promotion codes'. The test's own table, matched on
    /// the kind, because the store is tested apart from the registry that declares the real
    /// ones (`objects::tests` holds those).
    fn indexes(kind: ObjectKind) -> &'static [Index] {
        const PRICES: &[Index] = &[Index::holder("lookup_key"), Index::positions("product")];
        const CODES: &[Index] = &[
            Index::holder("code").folded().active_only(),
            Index::positions("code").folded(),
        ];
        match kind {
            ObjectKind::Price => PRICES,
            ObjectKind::PromotionCode => CODES,
            _ => &[],
        }
    }

    #[test]
    fn indexes_follow_puts_and_removes() {
        let mut store = Store::new(Clock::default(), indexes);
        let price = ObjectKind::Price;
        store.put(
            price,
            json!({"id": "price_a", "lookup_key": "basic", "product": "prod_a"}),
        );
        assert_eq!(store.holder(price, "lookup_key", "basic"), Some("price_a"));
        assert_eq!(store.positions(price, "product", "prod_a").len(), 1);
        store.put(
            price,
            json!({"id": "price_a", "lookup_key": null, "product": "prod_a"}),
        );
        assert_eq!(store.holder(price, "lookup_key", "basic"), None);
        assert_eq!(store.positions(price, "product", "prod_a").len(), 1);
        store.put(
            price,
            json!({"id": "price_b", "lookup_key": "basic", "product": "prod_a"}),
        );
        assert_eq!(store.positions(price, "product", "prod_a"), [0, 1]);
        assert_eq!(store.holder(price, "lookup_key", "basic"), Some("price_b"));

        let code = ObjectKind::PromotionCode;
        store.put(
            code,
            json!({"id": "promo_a", "code": "Launch", "active": true}),
        );
        assert_eq!(store.holder(code, "code", "LAUNCH"), Some("promo_a"));
        store.put(
            code,
            json!({"id": "promo_a", "code": "Launch", "active": false}),
        );
        assert_eq!(store.holder(code, "code", "launch"), None);
        assert_eq!(store.positions(code, "code", "LAUNCH"), [0]);
    }

    #[test]
    fn a_removed_object_holds_nothing() {
        const KEYS: &[Index] = &[Index::holder("name")];
        let mut store = Store::new(Clock::default(), |_| KEYS);
        let product = ObjectKind::Product;
        store.put(product, json!({"id": "prod_1", "name": "A"}));
        assert_eq!(store.holder(product, "name", "A"), Some("prod_1"));
        store.remove(product, "prod_1");
        assert_eq!(store.holder(product, "name", "A"), None);
    }

    #[test]
    fn a_snapshot_restores_to_the_same_account() {
        let mut store = Store::new(Clock::default(), indexes);
        store.put(ObjectKind::Product, json!({"id": "prod_1", "name": "A"}));
        store.put(ObjectKind::Product, json!({"id": "prod_2", "name": "B"}));
        store.put(
            ObjectKind::Price,
            json!({"id": "price_1", "lookup_key": "k", "product": "prod_2"}),
        );
        let text = serde_json::to_string(&store.snapshot()).unwrap();
        let restored = Store::new(Clock::default(), indexes)
            .restore(&serde_json::from_str(&text).unwrap())
            .unwrap();
        assert_eq!(restored.len(ObjectKind::Product), 2);
        assert_eq!(restored.position(ObjectKind::Product, "prod_2"), Some(1));
        assert_eq!(
            restored.holder(ObjectKind::Price, "lookup_key", "k"),
            Some("price_1")
        );
        assert_eq!(restored.generation(), 0);
    }
}
