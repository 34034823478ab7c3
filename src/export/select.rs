//! Which live objects the export writes, and in what order: the `--scope` filter (plus every
//! object a kept one refers to, so the script stays whole), one promotion code per code, and
//! the grouping of the script (each product with its prices, each coupon with its codes).

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::live::{self, LiveObjects, SCOPE_METADATA};
use crate::kinds::ObjectKind;

type Object = Map<String, Value>;
/// An object by kind and Stripe id.
type ObjectRef = (ObjectKind, String);

/// The objects to write, grouped and ordered.
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// Each product, followed by its prices.
    pub products: Vec<(&'a Object, Vec<&'a Object>)>,
    /// Each coupon, followed by its promotion codes.
    pub coupons: Vec<(&'a Object, Vec<&'a Object>)>,
    pub portals: Vec<&'a Object>,
    /// Objects outside the requested scope, written only because a kept object refers to them.
    pub dependencies: HashSet<ObjectRef>,
    /// Objects left out, one line each saying why (written as comments at the top).
    pub left_out: Vec<String>,
    /// The scope the script declares.
    pub scope: ScopeChoice,
}

/// The `scope(...)` an exported script declares, so that applying it keeps each object's
/// `billingctl_scope` as it is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum ScopeChoice {
    /// No object carries a scope: the script's own (its file stem) applies.
    #[default]
    None,
    /// `--scope`, or the one scope every scoped object carries.
    One(String),
    /// Objects of several scopes, sorted: no one scope fits them all.
    Several(Vec<String>),
}

impl Selection<'_> {
    /// How many objects are written.
    pub fn len(&self) -> usize {
        let groups = |groups: &[(&Object, Vec<&Object>)]| {
            groups
                .iter()
                .map(|(_, members)| 1 + members.len())
                .sum::<usize>()
        };
        groups(&self.products) + groups(&self.coupons) + self.portals.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Picks and orders the objects of `live` to export, keeping only `scope` when given.
///
/// Oldest first, the order the catalog was built in. Objects created in the same second keep
/// the order of Stripe's list (newest first, so the later one in the list comes first here);
/// the id settles anything left, so the same account always exports the same text.
pub fn select<'a>(live: &'a LiveObjects, scope: Option<&str>) -> Selection<'a> {
    let mut left_out = Vec::new();
    let promotion_codes = one_per_code(&live.promotion_codes, &mut left_out);
    let candidates = |kind: ObjectKind| -> Vec<&'a Object> {
        match kind {
            ObjectKind::PromotionCode => promotion_codes.clone(),
            _ => live.of_kind(kind).iter().collect(),
        }
    };
    // Where each object stands in Stripe's list (newest first), to order objects created in
    // the same second.
    let listed: HashMap<(ObjectKind, &str), usize> = ObjectKind::ALL
        .into_iter()
        .flat_map(|kind| {
            live.of_kind(kind)
                .iter()
                .enumerate()
                .map(move |(position, o)| ((kind, live::id(o)), position))
        })
        .collect();
    let sort_by_creation = |kind: ObjectKind, objects: &mut Vec<&Object>| {
        objects.sort_by_cached_key(|o| {
            let position = listed.get(&(kind, live::id(o))).copied().unwrap_or(0);
            (
                live::created(o),
                std::cmp::Reverse(position),
                live::id(o).to_string(),
            )
        });
    };
    let index: HashMap<(ObjectKind, &str), &'a Object> = ObjectKind::ALL
        .into_iter()
        .flat_map(|kind| {
            candidates(kind)
                .into_iter()
                .map(move |o| ((kind, live::id(o)), o))
        })
        .collect();

    let (kept, dependencies) = match scope {
        None => (
            index.keys().map(|(k, id)| (*k, id.to_string())).collect(),
            HashSet::new(),
        ),
        Some(scope) => in_scope_with_references(&index, scope),
    };
    // The kept objects of a kind, oldest first.
    let kept_of = |kind: ObjectKind| {
        let mut objects: Vec<&'a Object> = candidates(kind)
            .into_iter()
            .filter(|o| kept.contains(&(kind, live::id(o).to_string())))
            .collect();
        sort_by_creation(kind, &mut objects);
        objects
    };

    let products = kept_of(ObjectKind::Product);
    let prices = kept_of(ObjectKind::Price);
    let (products, orphans) = group(products, prices, price_product);
    for price in orphans {
        left_out.push(format!(
            "price {}: its product {} was not found",
            live::id(price),
            price_product(price).unwrap_or("(none)")
        ));
    }

    let coupons = kept_of(ObjectKind::Coupon);
    let codes = kept_of(ObjectKind::PromotionCode);
    let (coupons, orphans) = group(coupons, codes, live::promotion_coupon);
    for code in orphans {
        left_out.push(format!(
            "promotion code {}: its coupon {} no longer exists",
            live::text(code, "code").unwrap_or_default(),
            live::promotion_coupon(code).unwrap_or("(none)")
        ));
    }

    let portals = kept_of(ObjectKind::PortalConfiguration);

    let scope = match scope {
        Some(scope) => ScopeChoice::One(scope.to_string()),
        None => {
            let all = products
                .iter()
                .flat_map(|(p, prices)| std::iter::once(p).chain(prices));
            let all = all.chain(
                coupons
                    .iter()
                    .flat_map(|(c, codes)| std::iter::once(c).chain(codes)),
            );
            let scopes: BTreeSet<&str> = all
                .chain(portals.iter())
                .filter_map(|object| live::metadata(object, SCOPE_METADATA))
                .collect();
            match scopes.len() {
                0 => ScopeChoice::None,
                1 => ScopeChoice::One(scopes.into_iter().next().unwrap_or_default().to_string()),
                _ => ScopeChoice::Several(scopes.into_iter().map(str::to_string).collect()),
            }
        }
    };

    Selection {
        products,
        coupons,
        portals,
        dependencies,
        left_out,
        scope,
    }
}

/// Each owner with its members in their order (prices under their product, codes under their
/// coupon), and the members whose owner is not there.
fn group<'a>(
    owners: Vec<&'a Object>,
    members: Vec<&'a Object>,
    owner_of: impl Fn(&Object) -> Option<&str>,
) -> (Vec<(&'a Object, Vec<&'a Object>)>, Vec<&'a Object>) {
    let mut by_owner: HashMap<&str, Vec<&'a Object>> = HashMap::new();
    let mut orphans = Vec::new();
    let known: HashSet<&str> = owners.iter().map(|o| live::id(o)).collect();
    for member in members {
        match owner_of(member).filter(|owner| known.contains(owner)) {
            Some(owner) => by_owner.entry(owner).or_default().push(member),
            None => orphans.push(member),
        }
    }
    let groups = owners
        .into_iter()
        .map(|owner| {
            let members = by_owner.remove(live::id(owner)).unwrap_or_default();
            (owner, members)
        })
        .collect();
    (groups, orphans)
}

/// The product a price belongs to.
pub fn price_product(price: &Object) -> Option<&str> {
    price.get("product").and_then(live::reference_id)
}

/// Stripe keeps every code ever made, but a code is unique only among active ones, and a
/// script declares each code once: keep the active one, else the newest.
fn one_per_code<'a>(codes: &'a [Object], left_out: &mut Vec<String>) -> Vec<&'a Object> {
    let mut by_code: HashMap<String, Vec<&'a Object>> = HashMap::new();
    for code in codes {
        let text = live::text(code, "code").unwrap_or_default().to_lowercase();
        by_code.entry(text).or_default().push(code);
    }
    let mut kept = Vec::new();
    let mut names: Vec<&String> = by_code.keys().collect();
    names.sort();
    for name in names {
        let mut group = by_code[name].clone();
        group.sort_by(|a, b| {
            let rank = |o: &Object| {
                (
                    live::is_active(o),
                    live::created(o),
                    live::id(o).to_string(),
                )
            };
            rank(b).cmp(&rank(a))
        });
        for dropped in &group[1..] {
            left_out.push(format!(
                "promotion code {} ({}): an older, inactive promotion code with the same code",
                live::text(dropped, "code").unwrap_or_default(),
                live::id(dropped)
            ));
        }
        kept.push(group[0]);
    }
    kept
}

/// The objects whose `billingctl_scope` is `scope`, plus (transitively) every object they
/// refer to; the second set holds those that are there only as references.
fn in_scope_with_references(
    index: &HashMap<(ObjectKind, &str), &Object>,
    scope: &str,
) -> (HashSet<ObjectRef>, HashSet<ObjectRef>) {
    let mut kept: HashSet<ObjectRef> = index
        .iter()
        .filter(|(_, object)| live::metadata(object, SCOPE_METADATA) == Some(scope))
        .map(|((kind, id), _)| (*kind, id.to_string()))
        .collect();
    let mut dependencies = HashSet::new();
    // A BTreeSet keeps the walk order stable, though the result does not depend on it.
    let mut todo: BTreeSet<ObjectRef> = kept.iter().cloned().collect();
    while let Some(next) = todo.pop_first() {
        let Some(object) = index.get(&(next.0, next.1.as_str())) else {
            continue;
        };
        for reference in live::references(next.0, object) {
            if index.contains_key(&(reference.0, reference.1.as_str()))
                && kept.insert(reference.clone())
            {
                dependencies.insert(reference.clone());
                todo.insert(reference);
            }
        }
    }
    (kept, dependencies)
}
