//! The platform and its connected accounts, as Stripe Connect keeps them apart: each account
//! has a [`Store`] of its own (its objects, id space, uniqueness rules and idempotency keys),
//! so a lookup key or a product id may exist in two accounts and a request acting on one never
//! sees the other's objects. The platform is the account of every request without a
//! `Stripe-Account` header; the connected accounts are the `account` objects
//! `POST /v1/accounts` created, kept in creation order (lists are newest first, cursors are
//! positions). [`Scope`] names the account a request acts on.
//!
//! For the state file, every change is an [`Entry`] tagged with its account: the write-ahead
//! log records them in order, and a snapshot ([`AccountsSnapshot`]) holds the platform's
//! objects exactly where a state file from before Connect holds them, the connected accounts
//! beside them.

use std::sync::Arc;

use indexmap::IndexMap;
use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};
use serde_json::Value;

use super::store::{Change, StateSnapshot, Store, STATE_FORMAT, STATE_FORMAT_CONNECT};
use crate::clock::Clock;

/// The account a request acts on.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Scope {
    /// No `Stripe-Account` header: the platform's own account.
    Platform,
    /// `Stripe-Account: acct_…`, an account the platform holds.
    Connected(String),
}

impl Scope {
    /// The connected account's id (none for the platform).
    pub fn account(&self) -> Option<&str> {
        match self {
            Scope::Platform => None,
            Scope::Connected(id) => Some(id),
        }
    }
}

/// One connected account: its `account` object and its objects.
#[derive(Debug)]
struct Connected {
    object: Arc<Value>,
    store: Store,
}

/// One change for the state file's log, with the account it belongs to.
#[derive(Clone, Debug)]
pub(crate) enum Entry {
    /// A connected account's `account` object (created; replayed, it replaces the object and
    /// keeps the account's objects).
    Account(Arc<Value>),
    /// A change to the objects of the platform (`None`) or of a connected account.
    Object(Option<String>, Change),
}

/// Every account the emulator holds.
#[derive(Debug)]
pub(crate) struct Accounts {
    platform: Store,
    connected: IndexMap<String, Connected>,
    /// Makes a connected account's empty store (the registry's indexes, `objects::new_store`).
    new_store: fn(Clock) -> Store,
    clock: Clock,
    /// Bumped when an account is created; the stores count their own changes.
    generation: u64,
    /// Accounts created since the last `take_changes`, when a state file's log wants them.
    created: Option<Vec<Arc<Value>>>,
}

impl Accounts {
    /// A platform with no connected account. `new_store` makes each account's empty store.
    pub fn new(clock: Clock, new_store: fn(Clock) -> Store) -> Accounts {
        Accounts {
            platform: new_store(clock),
            connected: IndexMap::new(),
            new_store,
            clock,
            generation: 0,
            created: None,
        }
    }

    /// The current time, in Unix seconds.
    pub fn now(&self) -> i64 {
        self.clock.now()
    }

    /// Whether `id` is a connected account of the platform.
    pub fn holds(&self, id: &str) -> bool {
        self.connected.contains_key(id)
    }

    /// The objects of the account `scope` names (`None` for an account not held).
    pub fn store_mut(&mut self, scope: &Scope) -> Option<&mut Store> {
        match scope {
            Scope::Platform => Some(&mut self.platform),
            Scope::Connected(id) => self.connected.get_mut(id).map(|c| &mut c.store),
        }
    }

    /// How many connected accounts there are.
    pub fn len(&self) -> usize {
        self.connected.len()
    }

    /// A connected account's `account` object.
    pub fn get(&self, id: &str) -> Option<&Arc<Value>> {
        self.connected.get(id).map(|c| &c.object)
    }

    /// The connected account at a position in creation order (0 = oldest).
    pub fn at(&self, position: usize) -> Option<&Arc<Value>> {
        self.connected.get_index(position).map(|(_, c)| &c.object)
    }

    /// The position of a connected account in creation order.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.connected.get_index_of(id)
    }

    /// The ids of the connected accounts, oldest first.
    pub fn ids(&self) -> Vec<String> {
        self.connected.keys().cloned().collect()
    }

    /// Adds a connected account (its object's `id` must be new) with no objects, or replaces
    /// the object of one already held, keeping its objects.
    pub fn connect(&mut self, object: Value) -> Arc<Value> {
        let id = object["id"].as_str().unwrap_or_default().to_owned();
        let object = Arc::new(object);
        match self.connected.get_mut(&id) {
            Some(held) => held.object = object.clone(),
            None => {
                let mut store = (self.new_store)(self.clock);
                if self.created.is_some() {
                    store.record_changes();
                }
                let connected = Connected {
                    object: object.clone(),
                    store,
                };
                self.connected.insert(id, connected);
            }
        }
        self.generation += 1;
        if let Some(created) = &mut self.created {
            created.push(object.clone());
        }
        object
    }

    /// Bumped on every change of any account; the state writer persists when it moves.
    pub fn generation(&self) -> u64 {
        let objects: u64 = self.connected.values().map(|c| c.store.generation()).sum();
        self.generation + self.platform.generation() + objects
    }

    /// From now on, keep every change, of every account, for [`Accounts::take_changes`].
    pub fn record_changes(&mut self) {
        self.created.get_or_insert_with(Vec::new);
        self.platform.record_changes();
        for connected in self.connected.values_mut() {
            connected.store.record_changes();
        }
    }

    /// The changes since the last call: the accounts created, then the changes to the objects
    /// of the account `scope` names. A request changes the objects of its own account only, so
    /// taking that account's after each request keeps the log in the order of the changes
    /// without visiting every account.
    pub fn take_changes(&mut self, scope: &Scope) -> Vec<Entry> {
        let mut entries: Vec<Entry> = self
            .created
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
            .into_iter()
            .map(Entry::Account)
            .collect();
        let account = scope.account().map(str::to_owned);
        if let Some(store) = self.store_mut(scope) {
            let changes = store.take_changes();
            entries.extend(
                changes
                    .into_iter()
                    .map(|change| Entry::Object(account.clone(), change)),
            );
        }
        entries
    }

    /// Replays one change from the log. A change to an account the log never created is
    /// refused: the log is not this emulator's.
    pub fn apply(&mut self, entry: Entry) -> Result<(), String> {
        match entry {
            Entry::Account(object) => {
                self.connect((*object).clone());
            }
            Entry::Object(account, change) => {
                let scope = account.map_or(Scope::Platform, Scope::Connected);
                let Some(store) = self.store_mut(&scope) else {
                    return Err(format!(
                        "a change to account {} before the account",
                        scope.account().unwrap_or_default()
                    ));
                };
                store.apply(change);
            }
        }
        Ok(())
    }

    /// Every account's objects, cheaply (the `Arc`s are shared), for the state writer.
    pub fn snapshot(&self) -> AccountsSnapshot {
        AccountsSnapshot {
            platform: self.platform.snapshot(),
            connected: self
                .connected
                .values()
                .map(|c| (c.object.clone(), c.store.snapshot()))
                .collect(),
        }
    }

    /// Fills this (empty) platform from a state file's JSON: the platform's objects where a
    /// state file has always held them, then each connected account under `accounts`.
    pub fn restore(mut self, state: &Value) -> Result<Accounts, String> {
        let platform = std::mem::replace(&mut self.platform, (self.new_store)(self.clock));
        self.platform = platform.restore(state)?;
        let listed = match state.get("accounts") {
            None | Some(Value::Null) => &[][..],
            Some(Value::Array(listed)) => listed.as_slice(),
            Some(_) => return Err("\"accounts\" is not a list".to_owned()),
        };
        for entry in listed {
            let object = &entry["account"];
            let Some(id) = object["id"].as_str() else {
                return Err("an account without an id".to_owned());
            };
            if self.holds(id) {
                return Err(format!("account {id} is listed twice"));
            }
            let mut store = (self.new_store)(self.clock);
            store.restore_objects(&entry["objects"])?;
            let connected = Connected {
                object: Arc::new(object.clone()),
                store,
            };
            self.connected.insert(id.to_owned(), connected);
        }
        self.generation = 0;
        Ok(self)
    }
}

/// Every account at one moment, serialisable to the state file without holding the lock:
/// `{"format", "objects", "accounts": [{"account", "objects"}]}`. Without connected accounts
/// it is exactly a state file from before Connect (format 1, no `accounts`), so such files
/// stay readable by older emulators; with them, format 2.
pub(crate) struct AccountsSnapshot {
    platform: StateSnapshot,
    connected: Vec<(Arc<Value>, StateSnapshot)>,
}

impl Serialize for AccountsSnapshot {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        struct Listed<'a>(&'a [(Arc<Value>, StateSnapshot)]);
        impl Serialize for Listed<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
                for (object, objects) in self.0 {
                    seq.serialize_element(&One(object, objects))?;
                }
                seq.end()
            }
        }
        struct One<'a>(&'a Value, &'a StateSnapshot);
        impl Serialize for One<'_> {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                let mut map = serializer.serialize_map(Some(2))?;
                map.serialize_entry("account", self.0)?;
                map.serialize_entry("objects", &self.1.objects())?;
                map.end()
            }
        }
        let connect = !self.connected.is_empty();
        let mut map = serializer.serialize_map(Some(if connect { 3 } else { 2 }))?;
        let format = if connect {
            STATE_FORMAT_CONNECT
        } else {
            STATE_FORMAT
        };
        map.serialize_entry("format", format)?;
        map.serialize_entry("objects", &self.platform.objects())?;
        if connect {
            map.serialize_entry("accounts", &Listed(&self.connected))?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ObjectKind;
    use serde_json::json;

    fn empty() -> Accounts {
        Accounts::new(Clock::default(), |clock| Store::new(clock, |_| &[]))
    }

    #[test]
    fn each_account_has_its_own_objects() {
        let mut accounts = empty();
        accounts.connect(json!({"id": "acct_a", "object": "account"}));
        let a = Scope::Connected("acct_a".into());
        let product = json!({"id": "basic", "name": "A"});
        accounts
            .store_mut(&a)
            .unwrap()
            .put(ObjectKind::Product, product);
        assert!(accounts
            .store_mut(&Scope::Platform)
            .unwrap()
            .get(ObjectKind::Product, "basic")
            .is_none());
        assert!(accounts
            .store_mut(&Scope::Connected("acct_b".into()))
            .is_none());
        // Reconnecting replaces the object and keeps the objects.
        accounts.connect(json!({"id": "acct_a", "object": "account", "email": "x@y.z"}));
        assert_eq!(accounts.len(), 1);
        assert_eq!(accounts.get("acct_a").unwrap()["email"], "x@y.z");
        assert_eq!(accounts.store_mut(&a).unwrap().len(ObjectKind::Product), 1);
    }

    #[test]
    fn changes_are_tagged_with_their_account_and_accounts_come_first() {
        let mut accounts = empty();
        accounts.record_changes();
        accounts.connect(json!({"id": "acct_a"}));
        let a = Scope::Connected("acct_a".into());
        accounts
            .store_mut(&a)
            .unwrap()
            .put(ObjectKind::Coupon, json!({"id": "c"}));
        let entries = accounts.take_changes(&a);
        assert!(
            matches!(&entries[..], [Entry::Account(_), Entry::Object(Some(id), _)] if id == "acct_a")
        );
        assert!(accounts.take_changes(&a).is_empty());
        let before = accounts.generation();
        accounts
            .store_mut(&Scope::Platform)
            .unwrap()
            .put(ObjectKind::Coupon, json!({"id": "c"}));
        assert!(accounts.generation() > before);
        let entries = accounts.take_changes(&Scope::Platform);
        assert!(matches!(&entries[..], [Entry::Object(None, _)]));
    }

    #[test]
    fn a_change_to_an_account_never_created_is_refused() {
        let mut accounts = empty();
        let change = Change::Remove(ObjectKind::Coupon, "c".into());
        let err = accounts
            .apply(Entry::Object(Some("acct_x".into()), change))
            .unwrap_err();
        assert_eq!(err, "a change to account acct_x before the account");
    }

    #[test]
    fn a_snapshot_without_connected_accounts_is_a_format_1_state_file() {
        let mut accounts = empty();
        accounts
            .store_mut(&Scope::Platform)
            .unwrap()
            .put(ObjectKind::Product, json!({"id": "p"}));
        let text = serde_json::to_value(accounts.snapshot()).unwrap();
        // One list per kind, as the platform's state always had.
        let mut objects = serde_json::Map::new();
        for kind in ObjectKind::ALL {
            objects.insert(kind.name().to_owned(), json!([]));
        }
        objects.insert("product".to_owned(), json!([{"id": "p"}]));
        assert_eq!(text, json!({"format": STATE_FORMAT, "objects": objects}));
        accounts.connect(json!({"id": "acct_a"}));
        accounts
            .store_mut(&Scope::Connected("acct_a".into()))
            .unwrap()
            .put(ObjectKind::Product, json!({"id": "p", "name": "theirs"}));
        let state = serde_json::to_value(accounts.snapshot()).unwrap();
        assert_eq!(state["format"], STATE_FORMAT_CONNECT);
        assert_eq!(state["accounts"][0]["account"]["id"], "acct_a");
        let mut restored = empty().restore(&state).unwrap();
        assert_eq!(restored.ids(), ["acct_a"]);
        assert_eq!(restored.generation(), 0);
        let theirs = restored
            .store_mut(&Scope::Connected("acct_a".into()))
            .unwrap()
            .get(ObjectKind::Product, "p")
            .unwrap()
            .clone();
        assert_eq!(theirs["name"], "theirs");
    }
}
