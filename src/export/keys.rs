//! The key each exported object is declared under. Products and coupons use their id, promotion
//! codes their code; a price uses its lookup key and a portal configuration its
//! `billingctl_key` (as every kind keyed by metadata: tax and shipping rates, webhook
//! endpoints), and where those are missing a readable key is made up (unique across the
//! account), so that applying the export adopts the object by its id.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};

use super::live::{self, LiveObjects, KEY_METADATA};
use super::select::Selection;
use crate::kinds::{KeyRule, ObjectKind, KINDS};

type Object = Map<String, Value>;

/// Keys of prices and portal configurations (their own or made up), by Stripe id.
#[derive(Debug, Default)]
pub struct Keys {
    prices: HashMap<String, String>,
    portals: HashMap<String, String>,
    /// Keys of the other kinds keyed by metadata `billingctl_key` (webhook endpoints).
    others: HashMap<String, String>,
    /// Keys the objects hold themselves, for kinds matched by a field other than the id (a
    /// meter's `event_name`), by kind and Stripe id.
    held: HashMap<(ObjectKind, String), String>,
    /// Ids of the objects whose key was made up here: the script adopts them by id.
    adopted: HashSet<String>,
}

impl Keys {
    /// The key the selected object of `kind` with this id is declared under, where it is
    /// known: its id where the key is the id (products, coupons), else the one assigned here.
    pub fn known<'a>(&'a self, kind: ObjectKind, id: &'a str) -> Option<&'a str> {
        if kind.def().key() == KeyRule::Field("id") {
            return Some(id);
        }
        self.prices
            .get(id)
            .or_else(|| self.portals.get(id))
            .or_else(|| self.others.get(id))
            .or_else(|| self.held.get(&(kind, id.to_owned())))
            .map(String::as_str)
    }

    /// The key a reference to the object of `kind` with this id is written as: the id itself
    /// when no key is known.
    pub fn of<'a>(&'a self, kind: ObjectKind, id: &'a str) -> &'a str {
        self.known(kind, id).unwrap_or(id)
    }

    /// The key `object` (of `kind`) is declared under: the one assigned here, or the one it
    /// holds (a promotion code's code), or its id.
    pub fn key(&self, kind: ObjectKind, object: &Object) -> String {
        let id = live::id(object);
        match self.known(kind, id) {
            Some(key) => key.to_string(),
            None => kind
                .def()
                .key()
                .of(&Value::Object(object.clone()))
                .map_or_else(|| id.to_string(), Cow::into_owned),
        }
    }

    /// Whether the object with this id has no key in Stripe yet, so the script names its id.
    pub fn is_adopted(&self, id: &str) -> bool {
        self.adopted.contains(id)
    }

    /// How many objects the script adopts by id.
    pub fn adopted_count(&self) -> usize {
        self.adopted.len()
    }
}

/// Gives every selected price and portal configuration a key. Made-up keys avoid every key
/// in use anywhere in the account (`live`), not only in the selection: Stripe's lookup keys
/// are unique account-wide.
pub fn assign(live: &LiveObjects, selection: &Selection<'_>) -> Keys {
    let mut keys = Keys::default();

    let mut taken: HashSet<String> = live
        .of_kind(ObjectKind::Price)
        .iter()
        .filter_map(|price| live::text(price, "lookup_key"))
        .filter(|key| !key.is_empty())
        .map(str::to_string)
        .collect();
    for (product, price) in selection.of_kind(ObjectKind::Price) {
        let id = live::id(price).to_string();
        let key = match live::text(price, "lookup_key").filter(|k| !k.is_empty()) {
            Some(key) => key.to_string(),
            None => {
                keys.adopted.insert(id.clone());
                unique(&price_key_stem(product, price), &mut taken)
            }
        };
        keys.prices.insert(id, key);
    }

    let mut taken: HashSet<String> = live
        .of_kind(ObjectKind::PortalConfiguration)
        .iter()
        .filter_map(|portal| live::metadata(portal, KEY_METADATA))
        .map(str::to_string)
        .collect();
    let mut numbered = 0;
    for (_, portal) in selection.of_kind(ObjectKind::PortalConfiguration) {
        let id = live::id(portal).to_string();
        let key = match live::metadata(portal, KEY_METADATA) {
            Some(key) => key.to_string(),
            None => {
                keys.adopted.insert(id.clone());
                let is_default = portal.get("is_default").and_then(Value::as_bool) == Some(true);
                if is_default {
                    unique("default", &mut taken)
                } else {
                    numbered += 1;
                    let mut key = format!("portal_{numbered}");
                    while taken.contains(&key) {
                        numbered += 1;
                        key = format!("portal_{numbered}");
                    }
                    taken.insert(key.clone());
                    key
                }
            }
        };
        keys.portals.insert(id, key);
    }

    // Every other kind keyed by metadata (tax and shipping rates, webhook endpoints): a key made up from its
    // display name (`VAT` → `vat`), else from the kind's name. Portal configurations have
    // theirs from above (`default` for the default configuration), so they are skipped here.
    for kind in KINDS.iter().filter(|kind| kind.key() == KeyRule::Metadata) {
        let mut taken: HashSet<String> = live
            .of_kind(kind.id())
            .iter()
            .filter_map(|object| live::metadata(object, KEY_METADATA))
            .map(str::to_string)
            .collect();
        for (_, object) in selection.of_kind(kind.id()) {
            let id = live::id(object).to_string();
            if keys.portals.contains_key(&id) {
                continue;
            }
            let key = match live::metadata(object, KEY_METADATA) {
                Some(key) => key.to_string(),
                None => {
                    keys.adopted.insert(id.clone());
                    let stem = live::text(object, "display_name")
                        .map(slug)
                        .filter(|stem| !stem.is_empty())
                        .unwrap_or_else(|| kind.name().to_owned());
                    unique(&stem, &mut taken)
                }
            };
            keys.others.insert(id, key);
        }
    }
    // Every other selected object holds its key where its kind says (or has none to give).
    // (Metadata keys were assigned above; a price without a lookup key has none to give.)
    for kind in ObjectKind::ALL {
        if matches!(kind.def().key(), KeyRule::Field("id") | KeyRule::Metadata) {
            continue;
        }
        for (_, object) in selection.of_kind(kind) {
            if let Some(key) = kind.def().key().of(&Value::Object(object.clone())) {
                keys.held
                    .insert((kind, live::id(object).to_owned()), key.into_owned());
            }
        }
    }
    keys
}

/// `<product>_<interval>_<currency>`, e.g. `basic_month_eur`, `basic_3_month_eur` for a
/// quarterly price, `basic_one_time_eur` for a one-off price. The product part is its id when
/// someone chose it (`basic`), else its name made into a key (`Gold plan` → `gold_plan`):
/// `prod_BHvmpTVB7hpwKR_month_usd` would tell a reader nothing.
fn price_key_stem(product: Option<&Object>, price: &Object) -> String {
    let id = product.map(live::id).unwrap_or_default();
    let name = product
        .and_then(|p| live::text(p, "name"))
        .map(slug)
        .unwrap_or_default();
    // A product id Stripe generated (`prod_…`) tells a reader nothing.
    let generated = id.starts_with(ObjectKind::Product.table().id_prefix);
    let product = if generated && !name.is_empty() {
        name
    } else {
        live::owner(ObjectKind::Price, price)
            .unwrap_or("price")
            .to_string()
    };
    let currency = live::text(price, "currency").unwrap_or("xxx");
    let recurring = price.get("recurring").and_then(Value::as_object);
    let interval = match recurring {
        Some(recurring) => {
            let interval = live::text(recurring, "interval").unwrap_or("recurring");
            match recurring.get("interval_count").and_then(Value::as_i64) {
                Some(count) if count > 1 => format!("{count}_{interval}"),
                _ => interval.to_string(),
            }
        }
        None => "one_time".to_string(),
    };
    format!("{product}_{interval}_{currency}")
}

/// Lowercase ASCII letters and digits, every other run of characters one `_`, at most 40.
fn slug(name: &str) -> String {
    let mut out = String::new();
    for ch in name.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(ch.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    let out: String = out.chars().take(40).collect();
    out.trim_end_matches('_').to_string()
}

/// `stem`, or `stem_2`, `stem_3`, … whichever is free first; marked taken.
fn unique(stem: &str, taken: &mut HashSet<String>) -> String {
    // Room for a `_NNN` suffix under the longest lookup key Stripe takes.
    let longest = ObjectKind::Price
        .table()
        .param("lookup_key")
        .and_then(|p| p.limits.chars)
        .map_or(usize::MAX, |l| l.max);
    let stem: String = stem.chars().take(longest.saturating_sub(4)).collect();
    let mut key = stem.clone();
    let mut n = 1;
    while taken.contains(&key) {
        n += 1;
        key = format!("{stem}_{n}");
    }
    taken.insert(key.clone());
    key
}
