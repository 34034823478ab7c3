//! Which live objects the export writes, and in what order: the `--scope` filter (plus every
//! object a kept one refers to, so the script stays whole), one object per key where Stripe
//! keeps several (promotion codes), and the grouping of the script: a section per kind that
//! stands on its own, each of its objects followed by those written under it (each product
//! with its prices, each coupon with its codes), as the kinds' export mappings say.

use std::borrow::Cow;
use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::{Map, Value};

use super::live::{self, LiveObjects, SCOPE_METADATA};
use crate::kinds::{ObjectKind, KINDS};

type Object = Map<String, Value>;
/// An object by kind and Stripe id.
type ObjectRef = (ObjectKind, String);

/// The objects to write, grouped and ordered.
#[derive(Debug, Default)]
pub struct Selection<'a> {
    /// One section per kind that is not written under another, in the registry's order.
    pub sections: Vec<Section<'a>>,
    /// Objects outside the requested scope, written only because a kept object refers to them.
    pub dependencies: HashSet<ObjectRef>,
    /// Objects left out, one line each saying why (written as comments at the top).
    pub left_out: Vec<String>,
    /// The scope the script declares.
    pub scope: ScopeChoice,
}

/// The objects of one kind, each with the objects written under it.
#[derive(Debug)]
pub struct Section<'a> {
    pub kind: ObjectKind,
    /// The kind written under this one's objects (a product's prices), if any.
    pub members: Option<ObjectKind>,
    /// Each object, followed by its members, oldest first.
    pub groups: Vec<(&'a Object, Vec<&'a Object>)>,
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

impl<'a> Selection<'a> {
    /// How many objects are written.
    pub fn len(&self) -> usize {
        self.all().count()
    }

    /// Every object written, in the script's order.
    pub fn all(&self) -> impl Iterator<Item = &'a Object> + '_ {
        self.sections.iter().flat_map(|section| {
            section
                .groups
                .iter()
                .flat_map(|(owner, members)| std::iter::once(*owner).chain(members.iter().copied()))
        })
    }

    /// The objects of `kind` written, each with the object it is written under (if any).
    pub fn of_kind(&self, kind: ObjectKind) -> Vec<(Option<&'a Object>, &'a Object)> {
        let mut found = Vec::new();
        for section in &self.sections {
            for (owner, members) in &section.groups {
                if section.kind == kind {
                    found.push((None, *owner));
                }
                if section.members == Some(kind) {
                    found.extend(members.iter().map(|member| (Some(*owner), *member)));
                }
            }
        }
        found
    }
}

/// The kind whose objects `kind`'s are written under (a price's product), if any.
pub fn owner_kind(kind: ObjectKind) -> Option<ObjectKind> {
    let under = kind.def().export().under?;
    kind.def()
        .references()
        .iter()
        .find(|r| r.pattern == under.reference)
        .map(|r| r.kind)
}

/// Picks and orders the objects of `live` to export, keeping only `scope` when given.
///
/// Oldest first, the order the catalog was built in. Objects created in the same second keep
/// the order of Stripe's list (newest first, so the later one in the list comes first here);
/// the id settles anything left, so the same account always exports the same text.
pub fn select<'a>(live: &'a LiveObjects, scope: Option<&str>) -> Selection<'a> {
    let mut left_out = Vec::new();
    let candidates: HashMap<ObjectKind, Vec<&'a Object>> = KINDS
        .iter()
        .map(|kind| {
            let objects = live.of_kind(kind.id());
            let kept = if kind.export().one_per_key {
                one_per_key(kind.id(), objects, &mut left_out)
            } else {
                objects.iter().collect()
            };
            (kind.id(), kept)
        })
        .collect();
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
    let index: HashMap<(ObjectKind, &str), &'a Object> = candidates
        .iter()
        .flat_map(|(kind, objects)| objects.iter().map(move |o| ((*kind, live::id(o)), *o)))
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
        let mut objects: Vec<&'a Object> = candidates[&kind]
            .iter()
            .copied()
            .filter(|o| kept.contains(&(kind, live::id(o).to_string())))
            .collect();
        sort_by_creation(kind, &mut objects);
        objects
    };

    let mut sections = Vec::new();
    // A kind under another's object (a feature attachment) is written in its parent's
    // declaration (`features: [...]`), not in a section.
    for kind in ObjectKind::ALL
        .into_iter()
        .filter(|k| owner_kind(*k).is_none() && k.def().within().is_none())
    {
        let members = ObjectKind::ALL
            .into_iter()
            .find(|m| owner_kind(*m) == Some(kind));
        let owners = kept_of(kind);
        let groups = match members {
            None => owners.into_iter().map(|o| (o, Vec::new())).collect(),
            Some(member) => {
                let (groups, orphans) = group(owners, kept_of(member), |o| live::owner(member, o));
                for orphan in orphans {
                    left_out.push(orphan_note(member, kind, orphan));
                }
                groups
            }
        };
        sections.push(Section {
            kind,
            members,
            groups,
        });
    }

    let mut selection = Selection {
        sections,
        dependencies,
        left_out,
        scope: ScopeChoice::None,
    };
    selection.scope = match scope {
        Some(scope) => ScopeChoice::One(scope.to_string()),
        None => {
            let scopes: BTreeSet<&str> = selection
                .all()
                .filter_map(|object| live::metadata(object, SCOPE_METADATA))
                .collect();
            match scopes.len() {
                0 => ScopeChoice::None,
                1 => ScopeChoice::One(scopes.into_iter().next().unwrap_or_default().to_string()),
                _ => ScopeChoice::Several(scopes.into_iter().map(str::to_string).collect()),
            }
        }
    };
    selection
}

/// `price price_1: its product prod_1 was not found.` (the kind's `Under` words).
fn orphan_note(member: ObjectKind, owner: ObjectKind, orphan: &Object) -> String {
    let under = member.def().export().under;
    let named_by = under.map_or("id", |u| u.named_by);
    let missing = under.map_or("was not found", |u| u.missing);
    format!(
        "{} {}: its {} {} {missing}",
        member.name().replace('_', " "),
        live::text(orphan, named_by).unwrap_or_default(),
        owner.name().replace('_', " "),
        live::owner(member, orphan).unwrap_or("(none)")
    )
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

/// Stripe keeps every object of such a kind ever made (every promotion code), but a key is
/// unique only among active ones, and a script declares each key once: keep the active one,
/// else the newest.
fn one_per_key<'a>(
    kind: ObjectKind,
    objects: &'a [Object],
    left_out: &mut Vec<String>,
) -> Vec<&'a Object> {
    let rule = kind.def().key();
    // The key as the object holds it (the code as written), once per object.
    let keyed: Vec<(String, &'a Object)> = objects
        .iter()
        .map(|o| {
            let object = Value::Object(o.clone());
            let key = rule.of(&object).map(Cow::into_owned);
            (key.unwrap_or_default(), o)
        })
        .collect();
    let mut by_key: HashMap<String, Vec<&(String, &'a Object)>> = HashMap::new();
    for entry in &keyed {
        by_key
            .entry(rule.fold(&entry.0).into_owned())
            .or_default()
            .push(entry);
    }
    let words = kind.name().replace('_', " ");
    let mut kept = Vec::new();
    let mut names: Vec<&String> = by_key.keys().collect();
    names.sort();
    for name in names {
        let mut group = by_key[name].clone();
        group.sort_by(|a, b| {
            let rank = |o: &Object| {
                (
                    live::is_active(kind, o),
                    live::created(o),
                    live::id(o).to_string(),
                )
            };
            rank(b.1).cmp(&rank(a.1))
        });
        for (key, dropped) in &group[1..] {
            left_out.push(format!(
                "{words} {key} ({}): an older, inactive {words} with the same {}",
                live::id(dropped),
                rule.argument()
            ));
        }
        kept.push(group[0].1);
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
