//! Building a change: what one declaration needs written, from its desired params and (for
//! an existing object) the live object. A create sends every param (update-only ones follow
//! as `after_create`); an update sends only the differing mutable fields, made whole where
//! Stripe's update schema wants units (`complete_units`); a differing immutable field is
//! drift, which no write can fix.

use std::borrow::Cow;
use std::cell::OnceCell;

use serde_json::{Map, Value};

use super::canon::{
    flatten, is_default, is_unset, is_unset_for, same_key, without_own_currency_option, write_only,
    Canon, ReferencePatterns, Sink, Unit, Units,
};
use super::plan::{Action, Change, FieldChange};
use crate::catalog::Declaration;
use crate::compact::{Fields, Json};
use crate::kinds::fields::{ObjectTable, Param, Presence, Type};
use crate::kinds::ObjectKind;
use crate::live::LiveState;
use crate::path::{self, join, join_all, segments, within, Segments};

/// What the script wants for `declaration`: its params, with the key placed where Stripe
/// keeps it (the key is what later runs match by, so it is written with the object). The
/// managed catalog's params hold it already (`managed::managed_catalog`).
pub fn desired(declaration: &dyn Declaration) -> Cow<'_, Map<String, Value>> {
    let mut desired = declaration.params();
    let rule = declaration.kind().def().key();
    if !rule.is_placed(declaration.key(), &desired) {
        rule.place(declaration.key(), desired.to_mut());
    }
    desired
}

/// How a declaration compares with its live object.
#[derive(Debug)]
pub enum Comparison {
    /// Nothing differs.
    Same,
    /// Mutable fields differ: this update (or deactivation) fixes them.
    Change(Box<Change>),
    /// Immutable fields differ, each with both values: no update can fix them.
    Drift(Vec<FieldChange>),
}

/// A create leaves out a hash the script declared empty (`restrictions: #{}`): the form would
/// send it as `""`, which clears on update but which create refuses ("You passed an empty
/// string for 'restrictions'"). Required hashes stay, so Stripe's own error names them.
fn drop_empty_hashes(table: &ObjectTable, prefix: &str, map: &mut Map<String, Value>) {
    map.retain(|name, value| {
        let path = join(prefix, name);
        let Some(param) = table.param(&path).filter(|p| p.ty == Type::Object) else {
            return true;
        };
        if let Value::Object(inner) = value {
            drop_empty_hashes(table, &path, inner);
            return !inner.is_empty() || param.on_create == Presence::Required;
        }
        true
    });
}

/// A create for a missing object. Update-only params (a product's `default_price`, a portal
/// configuration's `active`) move to `after_create` unless they hold Stripe's default.
pub fn create(declaration: &dyn Declaration, desired: Map<String, Value>) -> Change {
    let kind = declaration.kind();
    let table = kind.table();
    let fields = Canon::desired(kind)
        .units(&desired)
        .into_iter()
        .map(|(path, desired)| FieldChange {
            path: path.into_owned(),
            live: Value::Null,
            desired: desired.value.into_owned(),
        })
        .collect();
    let mut params = Map::new();
    let mut after_create = Map::new();
    let mut desired = desired;
    drop_empty_hashes(table, "", &mut desired);
    for (name, value) in desired {
        let update_only = table
            .param(&name)
            .is_some_and(|p| p.on_create == Presence::Absent);
        if !update_only {
            params.insert(name, value);
        } else if !(is_default(table.default_for(&name), &value) || turns_on(kind, &name, &value)) {
            after_create.insert(name, value);
        }
    }
    Change {
        action: Action::Create,
        kind,
        key: declaration.key().to_owned(),
        id: None,
        declared_at: declaration.declared_at().clone(),
        fields,
        reason: None,
        params,
        after_create,
        references: declaration.references().to_vec(),
        kept_metadata: Vec::new(),
    }
}

/// The update an existing object needs, or every immutable drift.
pub fn update(
    declaration: &dyn Declaration,
    desired: &Map<String, Value>,
    object: &Json,
    live: &LiveState,
    references: &ReferencePatterns,
) -> Comparison {
    let kind = declaration.kind();
    let table = kind.table();
    let no_fields = Fields::default();
    let live_object = object.as_object().unwrap_or(&no_fields);
    let live_object = &*without_own_currency_option(live_object, desired);
    let live_side = Canon::live(kind, live, references);
    // Stripe's defaults change what an update sends, never whether a field differs: the
    // comparison reads a default as unset (`is_unset_for`; the test
    // `every_default_compares_as_unset` holds every table to it). So an object that matches
    // is found so without them, without copying the params and without collecting the live
    // object's units (each is compared as it is read): most objects of a no-op plan
    // (issue 13). (Defaults fill in no currency option, so the live side stays as it is.)
    if matches(
        kind,
        &Canon::desired(kind).units(desired),
        &live_side,
        live_object,
    ) {
        return Comparison::Same;
    }
    let have = live_side.units(live_object);
    let mut desired = desired.clone();
    table.fill_defaults(&mut desired);
    let want = Canon::desired(kind).units(&desired);
    // The script's params as written, for what is sent: needed only once a field differs.
    let raw = OnceCell::new();
    let raw = || {
        raw.get_or_init(|| {
            let mut raw = Units::default();
            flatten(table, &desired, "", &mut raw);
            raw
        })
    };

    let mut fields = Vec::new();
    let mut params = Map::new();
    let mut drift = Vec::new();
    for Differing {
        path,
        param,
        held,
        wanted,
    } in differing(kind, &want, &have, live_object)
    {
        let live_value = held.cloned().unwrap_or(Value::Null);
        if !param.is_mutable() || param.is_locked(&live_value) {
            drift.push(FieldChange {
                path: path.to_owned(),
                live: live_value,
                desired: wanted.cloned().unwrap_or(Value::Null),
            });
            continue;
        }
        let send = match raw().get(path) {
            Some(value) if !is_unset(value) => Value::clone(value),
            _ => match clear_value(param) {
                Some(value) => value,
                // A member of a map entry that the script leaves out goes with the entry:
                // Stripe replaces an entry with what it is sent (`complete_units` sends it
                // whole), so the change is the entry without it.
                None if entry_of(table, path)
                    .is_some_and(|entry| raw().keys().any(|p| within(p, &entry))) =>
                {
                    fields.push(FieldChange {
                        path: path.to_owned(),
                        live: live_value,
                        desired: Value::Null,
                    });
                    continue;
                }
                // Stripe offers no way to clear it; leaving it is the only honest option.
                None => continue,
            },
        };
        let shown = match wanted {
            Some(value) if !is_unset(value) => value.clone(),
            _ => send.clone(),
        };
        path::insert(&mut params, path, send);
        fields.push(FieldChange {
            path: path.to_owned(),
            live: live_value,
            desired: shown,
        });
    }
    if !drift.is_empty() {
        return Comparison::Drift(drift);
    }
    if fields.is_empty() {
        return Comparison::Same;
    }
    let sent: Vec<String> = fields.iter().map(|f| f.path.clone()).collect();
    complete_units(table, &sent, raw(), &mut params);
    fields.sort_by(|a, b| a.path.cmp(&b.path));
    let deactivates = kind
        .def()
        .deactivation()
        .off()
        .is_some_and(|(field, off)| fields.iter().any(|f| f.path == field && f.desired == off));
    let sent: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
    let references = declaration
        .references()
        .iter()
        .filter(|r| sent.iter().any(|p| within(&r.path, p)))
        .cloned()
        .collect();
    Comparison::Change(Box::new(Change {
        action: if deactivates {
            Action::Deactivate
        } else {
            Action::Update
        },
        kind,
        key: declaration.key().to_owned(),
        id: object.get("id").and_then(Json::as_str).map(str::to_owned),
        declared_at: declaration.declared_at().clone(),
        fields,
        reason: None,
        params,
        after_create: Map::new(),
        references,
        kept_metadata: Vec::new(),
    }))
}

/// Whether `differing` finds nothing between the script's units and the live object's,
/// asked without collecting the live object's units: each is compared as the walk reads it,
/// then the script's units it never met are compared with nothing. (A path the walk met twice
/// is compared twice, where `differing` reads its last value: at worst a false "differs",
/// which the caller then looks at in full.)
fn matches(
    kind: ObjectKind,
    want: &Units<'_>,
    live_side: &Canon<'_>,
    live_object: &Fields,
) -> bool {
    struct Matching<'a, 'w> {
        kind: ObjectKind,
        want: &'a Units<'w>,
        met: Vec<bool>,
        live_object: &'a Fields,
        differs: bool,
    }
    impl<'v> Sink<'v> for Matching<'_, '_> {
        fn unit(&mut self, path: &str, _: Option<&'v str>, held: Unit<'v>) {
            if self.differs {
                return;
            }
            let wanted = self.want.get_full(path).map(|(index, _, wanted)| {
                self.met[index] = true;
                wanted
            });
            let live_object = self.live_object;
            self.differs = difference(self.kind, path, wanted, Some(&held), live_object).is_some();
        }
    }
    let mut matching = Matching {
        kind,
        want,
        met: vec![false; want.len()],
        live_object,
        differs: false,
    };
    live_side.each_unit(live_object, &mut matching);
    let Matching { met, differs, .. } = matching;
    !differs
        && want
            .iter()
            .zip(met)
            .filter(|(_, met)| !met)
            .all(|((path, wanted), _)| {
                difference(kind, path, Some(wanted), None, live_object).is_none()
            })
}

/// A path whose values differ between the two sides, as the comparison sees them.
struct Differing<'a> {
    path: &'a str,
    param: &'static Param,
    held: Option<&'a Value>,
    wanted: Option<&'a Value>,
}

/// The paths whose values differ between the script's units and the live object's, the
/// script's paths first. Unset values and Stripe's defaults are one; a key the kind folds
/// compares folded.
fn differing<'a>(
    kind: ObjectKind,
    want: &'a Units<'_>,
    have: &'a Units<'_>,
    live_object: &'a Fields,
) -> impl Iterator<Item = Differing<'a>> {
    let paths = want
        .keys()
        .chain(have.keys().filter(|p| !want.contains_key(*p)));
    paths.filter_map(move |path| {
        let path: &str = path;
        let (wanted, held) = (want.get(path), have.get(path));
        let param = difference(kind, path, wanted, held, live_object)?;
        Some(Differing {
            path,
            param,
            held: held.map(|unit| &**unit),
            wanted: wanted.map(|unit| &**unit),
        })
    })
}

/// The param at `path` if the script's unit there (`wanted`) and the live object's (`held`)
/// differ, as the comparison sees them. Unset values and Stripe's defaults are one; a key the
/// kind folds compares folded.
fn difference(
    kind: ObjectKind,
    path: &str,
    wanted_unit: Option<&Unit<'_>>,
    held_unit: Option<&Unit<'_>>,
    live_object: &Fields,
) -> Option<&'static Param> {
    // `id` is the identity the object was matched by (or adopted with), not a value. A
    // param the live object does not carry at all (an includable field Stripe returns only
    // when expanded) cannot be compared: absent is not the same as null.
    // (A path the live side holds a unit at is in the live object: no need to ask.)
    let top = Segments::new(path).next().unwrap_or_default();
    if top == "id" || (held_unit.is_none() && !live_object.contains_key(top)) {
        return None;
    }
    // Both sides found the same param for the same path.
    let param = held_unit.or(wanted_unit).and_then(|unit| unit.param)?;
    if param.ty == Type::Boolean && write_only(live_object, path) {
        return None;
    }
    let default = kind.table().default_at(param, path);
    let set = |v: &&Value| !is_unset_for(param, default, v);
    let held = held_unit.map(|v| &**v);
    let wanted = wanted_unit.map(|v| &**v);
    let (wanted_set, held_set) = (wanted.filter(set), held.filter(set));
    if wanted_set == held_set || same_key(kind, path, wanted_set, held_set) {
        return None;
    }
    Some(param)
}

/// Makes an update's params what the update schema accepts, around the fields that changed:
/// a map entry of objects (`currency_options[usd]`) is sent whole, since Stripe replaces an
/// entry with what it is sent (an entry with only `tax_behavior` would lose its amount); and
/// a hash is sent with its required members (`cancellation_reason[enabled]` beside
/// `cancellation_reason[options]`). Values come from the desired object, defaults filled in.
/// Lists are units already: `flatten` never splits them.
fn complete_units(
    table: &ObjectTable,
    sent: &[String],
    desired: &Units<'_>,
    params: &mut Map<String, Value>,
) {
    for path in sent {
        let parts = segments(path);
        for depth in 1..parts.len() {
            let ancestor = join_all(&parts[..depth]);
            let parent = table.param(&join_all(&parts[..depth - 1]));
            let is_entry =
                depth > 1 && parent.is_some_and(|p| p.ty == Type::Map && table.has_keyed_fields(p));
            if is_entry {
                for (leaf, value) in desired.iter().filter(|(p, _)| within(p, &ancestor)) {
                    insert_missing(params, leaf, value);
                }
                continue;
            }
            let Some(hash) = table.param(&ancestor).filter(|p| p.ty == Type::Object) else {
                continue;
            };
            let prefix = format!("{}[", hash.path);
            for member in table.params.iter().filter(|m| {
                m.on_update == Presence::Required
                    && m.path
                        .strip_prefix(&prefix)
                        .is_some_and(|rest| !rest.contains('[') && rest.ends_with(']'))
            }) {
                let name = &member.path[prefix.len()..member.path.len() - 1];
                let concrete = format!("{ancestor}[{name}]");
                if let Some(value) = desired.get(concrete.as_str()) {
                    insert_missing(params, &concrete, value);
                }
            }
        }
    }
}

/// The map entry (`currency_options[usd]`) a concrete path lies in, if any.
fn entry_of(table: &ObjectTable, path: &str) -> Option<String> {
    let parts = segments(path);
    (2..parts.len()).find_map(|depth| {
        let parent = table.param(&join_all(&parts[..depth - 1]))?;
        (parent.ty == Type::Map && table.has_keyed_fields(parent))
            .then(|| join_all(&parts[..depth]))
    })
}

/// Sets a unit path unless the params already carry it.
fn insert_missing(params: &mut Map<String, Value>, path: &str, value: &Value) {
    let parts = segments(path);
    let (leaf, parents) = parts.split_last().expect("a path has a segment");
    let mut map = Some(&*params);
    for parent in parents {
        map = map.and_then(|m| m.get(*parent)).and_then(Value::as_object);
    }
    if !map.is_some_and(|m| m.contains_key(*leaf)) {
        path::insert(params, path, value.clone());
    }
}

/// The value that clears a mutable field the script leaves out: `""` where Stripe accepts
/// it, else Stripe's default, else nothing (the field cannot be reset).
pub fn clear_value(param: &Param) -> Option<Value> {
    if param.emptyable {
        Some(Value::String(String::new()))
    } else {
        param.default.map(|d| d.to_json())
    }
}

/// Whether `name: value` is the deactivation field saying "on": what an object is when
/// created, so an update after the create need not say it.
fn turns_on(kind: ObjectKind, name: &str, value: &Value) -> bool {
    kind.def().deactivation().off().is_some_and(|(field, off)| {
        field == name && value.as_bool() == off.as_bool().map(|off| !off)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// `matches` (a no-op plan's question, answered as the live object is walked) answers what
    /// `differing` answers over both sides collected: for a script that matches, one that
    /// differs on a field both set, one that leaves out a field only the account sets, and
    /// ones that set a field or a metadata key the account does not have.
    #[test]
    fn matching_as_the_walk_reads_answers_what_differing_answers() {
        let kind = ObjectKind::Coupon;
        let account = json!({"id": "off_1", "object": "coupon", "percent_off": 25.0,
            "duration": "once", "name": null, "max_redemptions": null, "valid": true,
            "metadata": {"billingctl_scope": "s"}});
        let scope = json!({"billingctl_scope": "s"});
        let scripts = [
            json!({"id": "off_1", "percent_off": 25, "duration": "once", "metadata": scope}),
            json!({"id": "off_1", "percent_off": 30, "duration": "once", "metadata": scope}),
            json!({"id": "off_1", "percent_off": 25, "duration": "once"}),
            json!({"id": "off_1", "percent_off": 25, "duration": "once", "metadata": scope,
                "name": "Launch"}),
            json!({"id": "off_1", "percent_off": 25, "duration": "once",
                "metadata": {"billingctl_scope": "s", "team": "growth"}}),
        ];
        let (live, references) = (LiveState::default(), ReferencePatterns::default());
        let held = Fields::from(account.as_object().unwrap());
        let live_side = Canon::live(kind, &live, &references);
        let have = live_side.units(&held);
        let answers: Vec<bool> = scripts
            .iter()
            .map(|script| {
                let want = Canon::desired(kind).units(script.as_object().unwrap());
                let collected = differing(kind, &want, &have, &held).next().is_none();
                assert_eq!(
                    matches(kind, &want, &live_side, &held),
                    collected,
                    "{script}"
                );
                collected
            })
            .collect();
        assert_eq!(answers, [true, false, false, false, false]);
    }
}
