//! The diff: one catalog against the live account, into a `Plan`. Pure: no I/O, no printing.
//!
//! Objects are matched by key (DESIGN.md's table) or by the id a script adopts. Both sides
//! are normalised the way Stripe stores values (defaults from the field table, integers
//! against floats, decimal strings, lists Stripe treats as sets, live ids translated back to
//! keys) and then compared field by field, only over the params the field table knows, so
//! response-only fields never show up. Each differing field is classified with the field
//! table: mutable fields become one update, immutable ones an error. Every error of the run
//! is collected; the caller writes nothing if there is any.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::{Map, Value};

use super::fetch::{is_active, LiveState};
use super::plan::{Action, Change, FieldChange, Plan, Reason};
use crate::catalog::{Catalog, Declaration};
use crate::diag::Diagnostic;
use crate::kinds::fields::{Default, ObjectTable, Param, Presence, Type};
use crate::kinds::{Deactivation, ObjectKind};
use crate::path::{self, is_index, join, join_all, pattern_of, segments, within};

/// Diffs every declaration of `catalog` against `live`.
pub fn diff_catalog(catalog: &Catalog, live: &LiveState) -> Plan {
    let references = ReferencePatterns::new(catalog);
    let mut plan = Plan::default();
    for declaration in catalog.declarations() {
        diff_declaration(declaration, live, &references, &mut plan);
    }
    check_default_prices(live, &mut plan);
    plan.sort();
    plan
}

/// Stripe refuses to archive a price that is its product's default price; a plan doing so
/// would fail halfway through, so it is an error before any write unless the same plan
/// points the product's `default_price` elsewhere.
fn check_default_prices(live: &LiveState, plan: &mut Plan) {
    let mut errors = Vec::new();
    for change in &plan.changes {
        let (ObjectKind::Price, Action::Deactivate, Some(price_id)) =
            (change.kind, change.action, change.id.as_deref())
        else {
            continue;
        };
        for product in live.all(ObjectKind::Product) {
            if product.get("default_price").and_then(Value::as_str) != Some(price_id) {
                continue;
            }
            let product_id = product
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default();
            let moved = plan.changes.iter().any(|other| {
                other.kind == ObjectKind::Product
                    && other.id.as_deref() == Some(product_id)
                    && other
                        .params
                        .get("default_price")
                        .is_some_and(|key| key.as_str() != Some(change.key.as_str()))
            });
            if !moved {
                errors.push(
                    Diagnostic::error(format!(
                        "price `{}` cannot be deactivated: it is the default price of product \
                         `{product_id}`",
                        change.key
                    ))
                    .at(change.declared_at.clone())
                    .object(ObjectKind::Price, change.key.clone())
                    .field("active")
                    .values(Value::Bool(true), Value::Bool(false))
                    .help(format!(
                        "give product `{product_id}` another default_price in the script"
                    )),
                );
            }
        }
    }
    for error in errors {
        plan.errors.push(error);
    }
}

/// Where references stand in each kind's params, as patterns (`products[][prices][]`), so
/// live ids at those places can be translated back to keys. Collected from the catalog's
/// own references: a place the script never references holds nothing to translate.
#[derive(Debug, Default)]
struct ReferencePatterns(HashMap<(ObjectKind, String), ObjectKind>);

impl ReferencePatterns {
    fn new(catalog: &Catalog) -> Self {
        let mut patterns = HashMap::new();
        for declaration in catalog.declarations() {
            for reference in declaration.references() {
                patterns.insert(
                    (declaration.kind(), pattern_of(&reference.path)),
                    reference.kind,
                );
            }
        }
        Self(patterns)
    }

    fn target(&self, owner: ObjectKind, concrete: &str) -> Option<ObjectKind> {
        self.0.get(&(owner, pattern_of(concrete))).copied()
    }
}

/// What the live account holds for one declaration.
enum Found<'a> {
    Missing,
    Live {
        object: &'a Value,
        adopted: bool,
    },
    /// Nothing to do although no object was matched: an inactive promotion code the script
    /// also wants inactive (its code is free; nothing needs to exist).
    Settled,
    /// Only inactive promotion codes hold the code, and the script wants it active: one that
    /// can be reactivated is updated (`active=true`) rather than duplicated; else a new code.
    Inactive(Vec<&'a Value>),
}

fn diff_declaration(
    declaration: &dyn Declaration,
    live: &LiveState,
    references: &ReferencePatterns,
    plan: &mut Plan,
) {
    let kind = declaration.kind();
    let table = kind.table();
    let mut desired = declaration.to_params();
    // The key is what later runs match by, so it must be written with the object.
    kind.def().key().place(declaration.key(), &mut desired);

    let mut unknown = Vec::new();
    unknown_paths(table, &desired, "", &mut unknown);
    if !unknown.is_empty() {
        for path in unknown {
            plan.errors.push(unknown_field(declaration, &path));
        }
        return;
    }

    let wants_active = desired
        .get("active")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    match find_live(declaration, wants_active, live) {
        Err(diagnostic) => plan.errors.push(*diagnostic),
        Ok(Found::Settled) => plan.unchanged += 1,
        Ok(Found::Missing) => plan.changes.push(create(declaration, desired, references)),
        Ok(Found::Inactive(candidates)) => {
            let reactivation = candidates.into_iter().find_map(|object| {
                update(declaration, desired.clone(), object, live, references)
                    .ok()
                    .flatten()
            });
            plan.changes.push(match reactivation {
                Some(change) => change,
                None => create(declaration, desired, references),
            });
        }
        Ok(Found::Live { object, adopted }) => {
            match update(declaration, desired, object, live, references) {
                Err(errors) => {
                    for error in errors {
                        plan.errors.push(error);
                    }
                }
                Ok(None) => plan.unchanged += 1,
                Ok(Some(mut change)) => {
                    if adopted {
                        change.reason = Some(Reason::Adopt);
                    }
                    plan.changes.push(change);
                }
            }
        }
    }
}

fn find_live<'a>(
    declaration: &dyn Declaration,
    wants_active: bool,
    live: &'a LiveState,
) -> Result<Found<'a>, Box<Diagnostic>> {
    let kind = declaration.kind();
    if let Some(id) = declaration.adopt_id() {
        return match live.by_id(kind, id) {
            Some(object) => Ok(Found::Live {
                object,
                adopted: true,
            }),
            None => Err(Box::new(
                Diagnostic::error(format!(
                    "{kind} `{}` adopts `{id}`, but the account has no {kind} with that id",
                    declaration.key()
                ))
                .at(declaration.declared_at().clone())
                .object(kind, declaration.key())
                .help("check the id in the Stripe Dashboard, or remove it to create a new object"),
            )),
        };
    }
    let matches = live.by_key(kind, declaration.key());
    // Prefer the active object: at most one promotion code per code is active, and an
    // inactive portal configuration left behind must not shadow the one in use.
    let active = matches.iter().copied().find(|o| is_active(o));
    Ok(match (kind, active, matches.first()) {
        (_, Some(object), _) => Found::Live {
            object,
            adopted: false,
        },
        // An inactive code frees its code. One that matches the script and Stripe would let
        // come back (param-rules R100) is reactivated; otherwise the active code is new.
        (ObjectKind::PromotionCode, None, _) if wants_active => {
            let candidates: Vec<&Value> = matches
                .iter()
                .copied()
                .filter(|code| reactivatable(code, live))
                .collect();
            if candidates.is_empty() {
                Found::Missing
            } else {
                Found::Inactive(candidates)
            }
        }
        (ObjectKind::PromotionCode, None, Some(_)) => Found::Settled,
        (_, None, Some(object)) => Found::Live {
            object,
            adopted: false,
        },
        (_, None, None) => Found::Missing,
    })
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

/// Whether an inactive promotion code may be reactivated, as far as the account says without
/// a clock: not used up, and its coupon still `valid` (Stripe computes `valid` itself, dates
/// included). The rules table checks the dates again on the planned update.
fn reactivatable(code: &Value, live: &LiveState) -> bool {
    let used_up = |object: &Value| {
        let times = object["times_redeemed"].as_i64().unwrap_or(0);
        object["max_redemptions"]
            .as_i64()
            .is_some_and(|max| times >= max)
    };
    let coupon = code
        .pointer("/promotion/coupon")
        .and_then(|c| c.as_str().or_else(|| c["id"].as_str()))
        .and_then(|id| live.by_id(ObjectKind::Coupon, id));
    !used_up(code) && coupon.is_some_and(|c| c["valid"] != Value::Bool(false) && !used_up(c))
}

/// A create for a missing object. Update-only params (a product's `default_price`, a portal
/// configuration's `active`) move to `after_create` unless they hold Stripe's default.
fn create(
    declaration: &dyn Declaration,
    desired: Map<String, Value>,
    references: &ReferencePatterns,
) -> Change {
    let kind = declaration.kind();
    let table = kind.table();
    let canon = Canon {
        table,
        kind,
        live: None,
        references,
    };
    let mut display = IndexMap::new();
    flatten(table, &canon.object("", &desired), "", &mut display);
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
        } else if !(is_default(table.default_for(&name), &value)
            || name == "active" && value == true)
        {
            after_create.insert(name, value);
        }
    }
    Change {
        action: Action::Create,
        kind,
        key: declaration.key().to_owned(),
        id: None,
        declared_at: declaration.declared_at().clone(),
        fields: display
            .into_iter()
            .map(|(path, desired)| FieldChange {
                path,
                live: Value::Null,
                desired,
            })
            .collect(),
        reason: None,
        params,
        after_create,
        references: declaration.references(),
    }
}

/// The update an existing object needs, `None` when it matches, or every immutable drift.
fn update(
    declaration: &dyn Declaration,
    mut desired: Map<String, Value>,
    object: &Value,
    live: &LiveState,
    references: &ReferencePatterns,
) -> Result<Option<Change>, Vec<Diagnostic>> {
    let kind = declaration.kind();
    let table = kind.table();
    table.fill_defaults(&mut desired);
    let mut live_object = object.as_object().cloned().unwrap_or_default();
    drop_own_currency_option(&mut live_object, &desired);
    let live_object = &live_object;

    let desired_canon = Canon {
        table,
        kind,
        live: None,
        references,
    };
    let live_canon = Canon {
        table,
        kind,
        live: Some(live),
        references,
    };
    let mut want = IndexMap::new();
    flatten(table, &desired_canon.object("", &desired), "", &mut want);
    let mut have = IndexMap::new();
    flatten(table, &live_canon.object("", live_object), "", &mut have);
    let mut raw = IndexMap::new();
    flatten(table, &Value::Object(desired.clone()), "", &mut raw);

    let paths: Vec<String> = want
        .keys()
        .chain(have.keys().filter(|p| !want.contains_key(*p)))
        .cloned()
        .collect();
    let mut fields = Vec::new();
    let mut params = Map::new();
    let mut errors = Vec::new();
    for path in paths {
        // `id` is the identity the object was matched by (or adopted with), not a value. A
        // param the live object does not carry at all (an includable field Stripe returns
        // only when expanded) cannot be compared: absent is not the same as null.
        let top = segments(&path)[0];
        if top == "id" || !live_object.contains_key(top) {
            continue;
        }
        let Some(param) = table.param(&path) else {
            continue;
        };
        if param.ty == Type::Boolean && write_only(live_object, &path) {
            continue;
        }
        let default = table.default_for(&path);
        let wanted = want.get(&path).filter(|v| !is_unset_for(param, default, v));
        let held = have.get(&path).filter(|v| !is_unset_for(param, default, v));
        if wanted == held || same_code(kind, &path, wanted, held) {
            continue;
        }
        let live_value = have.get(&path).cloned().unwrap_or(Value::Null);
        if !param.is_mutable() || param.is_locked(&live_value) {
            let desired_value = want.get(&path).cloned().unwrap_or(Value::Null);
            errors.push(immutable(declaration, &path, live_value, desired_value));
            continue;
        }
        let send = match raw.get(&path) {
            Some(value) if !is_unset(value) => value.clone(),
            _ => match clear_value(param) {
                Some(value) => value,
                // A member of a map entry that the script leaves out goes with the entry:
                // Stripe replaces an entry with what it is sent (`complete_units` sends it
                // whole), so the change is the entry without it.
                None if entry_of(table, &path)
                    .is_some_and(|entry| raw.keys().any(|p| within(p, &entry))) =>
                {
                    fields.push(FieldChange {
                        path,
                        live: live_value,
                        desired: Value::Null,
                    });
                    continue;
                }
                // Stripe offers no way to clear it; leaving it is the only honest option.
                None => continue,
            },
        };
        let shown = match want.get(&path) {
            Some(value) if !is_unset(value) => value.clone(),
            _ => send.clone(),
        };
        path::insert(&mut params, &path, send);
        fields.push(FieldChange {
            path,
            live: live_value,
            desired: shown,
        });
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if fields.is_empty() {
        return Ok(None);
    }
    let sent: Vec<String> = fields.iter().map(|f| f.path.clone()).collect();
    complete_units(table, &sent, &raw, &mut params);
    fields.sort_by(|a, b| a.path.cmp(&b.path));
    let deactivates = fields
        .iter()
        .any(|f| f.path == "active" && f.desired == Value::Bool(false));
    let sent: Vec<&str> = fields.iter().map(|f| f.path.as_str()).collect();
    let references = declaration
        .references()
        .into_iter()
        .filter(|r| sent.iter().any(|p| within(&r.path, p)))
        .collect();
    Ok(Some(Change {
        action: if deactivates {
            Action::Deactivate
        } else {
            Action::Update
        },
        kind,
        key: declaration.key().to_owned(),
        id: object.get("id").and_then(Value::as_str).map(str::to_owned),
        declared_at: declaration.declared_at().clone(),
        fields,
        reason: None,
        params,
        after_create: Map::new(),
        references,
    }))
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
    desired: &IndexMap<String, Value>,
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
                if let Some(value) = desired.get(&concrete) {
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

/// Whether a boolean switch is missing from a live object that has its parent: Stripe takes
/// some switches without ever returning them (a price's `custom_unit_amount[enabled]` shows
/// only as the `custom_unit_amount` object being there), so they cannot be compared.
fn write_only(live: &Map<String, Value>, path: &str) -> bool {
    let parts = segments(path);
    let Some((leaf, parents)) = parts.split_last() else {
        return false;
    };
    let mut current = live;
    for parent in parents {
        match current.get(*parent) {
            Some(Value::Object(inner)) => current = inner,
            _ => return false,
        }
    }
    !parents.is_empty() && !current.contains_key(*leaf)
}

/// Stripe lists an object's own currency among its `currency_options`, mirroring the
/// top-level amount; unless the script declares that entry itself, it is not a difference.
fn drop_own_currency_option(live: &mut Map<String, Value>, desired: &Map<String, Value>) {
    let Some(currency) = live
        .get("currency")
        .and_then(Value::as_str)
        .map(str::to_owned)
    else {
        return;
    };
    let declared = desired
        .get("currency_options")
        .and_then(|o| o.get(&currency))
        .is_some();
    if let (false, Some(Value::Object(options))) = (declared, live.get_mut("currency_options")) {
        options.remove(&currency);
    }
}

/// Stripe compares promotion codes case-insensitively: `LAUNCH` and `launch` are one code.
fn same_code(kind: ObjectKind, path: &str, wanted: Option<&Value>, held: Option<&Value>) -> bool {
    let lower = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_lowercase);
    kind == ObjectKind::PromotionCode && path == "code" && lower(wanted) == lower(held)
}

/// The value that clears a mutable field the script leaves out: `""` where Stripe accepts
/// it, else Stripe's default, else nothing (the field cannot be reset).
fn clear_value(param: &Param) -> Option<Value> {
    if param.emptyable {
        Some(Value::String(String::new()))
    } else {
        param.default.map(|d| d.to_json())
    }
}

fn immutable(declaration: &dyn Declaration, path: &str, live: Value, desired: Value) -> Diagnostic {
    let kind = declaration.kind();
    let key = declaration.key();
    let help = kind.def().immutable_help();
    Diagnostic::error(format!(
        "{kind} `{key}`: {path} is immutable (live {}, script {})",
        show(&live),
        show(&desired)
    ))
    .at(declaration.declared_at().clone())
    .object(kind, key)
    .field(path)
    .values(live, desired)
    .help(help)
}

fn unknown_field(declaration: &dyn Declaration, path: &str) -> Diagnostic {
    let kind = declaration.kind();
    let help = match kind.def().deactivation() {
        Deactivation::Impossible { reason, help } if path == "active" => {
            format!("{reason}; {help}")
        }
        _ => format!("see the {kind} params in Stripe's API reference"),
    };
    Diagnostic::error(format!(
        "{kind} `{}`: `{path}` is not a {kind} param Stripe accepts",
        declaration.key()
    ))
    .at(declaration.declared_at().clone())
    .object(kind, declaration.key())
    .field(path)
    .help(help)
}

/// A value as the human plan and error messages show it: JSON, `null` when unset.
pub fn show(value: &Value) -> String {
    value.to_string()
}

/// Paths in `map` the field table does not know.
fn unknown_paths(
    table: &ObjectTable,
    map: &Map<String, Value>,
    prefix: &str,
    out: &mut Vec<String>,
) {
    for (name, value) in map {
        let path = join(prefix, name);
        match (table.param(&path), value) {
            (Some(param), _) if param.ty == Type::Map => {}
            (Some(_), Value::Object(inner)) => unknown_paths(table, inner, &path, out),
            (Some(_), _) => {}
            (None, Value::Object(inner)) if is_container(table, &path) => {
                unknown_paths(table, inner, &path, out);
            }
            (None, _) => out.push(path),
        }
    }
}

/// Normalises values to the form Stripe stores: one side of the comparison.
struct Canon<'a> {
    table: &'static ObjectTable,
    kind: ObjectKind,
    /// Set for the live side: ids at reference places are translated back to keys.
    live: Option<&'a LiveState>,
    references: &'a ReferencePatterns,
}

impl Canon<'_> {
    fn value(&self, path: &str, value: &Value) -> Value {
        let param = self.table.param(path);
        let ty = param.map(|p| p.ty);
        match value {
            Value::Number(number) if ty == Some(Type::Decimal) => {
                Value::String(decimal(&number.to_string()))
            }
            Value::Number(number) => normalise_number(number),
            // An unbounded tier is sent as `up_to=inf` and returned as `up_to: null`.
            Value::String(text) if matches!(ty, Some(Type::IntegerOr(_))) && text == "inf" => {
                Value::Null
            }
            Value::String(text) => Value::String(self.string(path, ty, text)),
            Value::Array(items) => {
                let mut items: Vec<Value> = items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| self.value(&format!("{path}[{i}]"), item))
                    .collect();
                if self.is_set_like(path) {
                    items.sort_by_key(Value::to_string);
                }
                Value::Array(items)
            }
            Value::Object(map) => self.object(path, map),
            other => other.clone(),
        }
    }

    fn string(&self, path: &str, ty: Option<Type>, text: &str) -> String {
        if ty == Some(Type::Decimal) {
            return decimal(text);
        }
        if let (Some(live), Some(target)) = (self.live, self.references.target(self.kind, path)) {
            if let Some(key) = live.key_of(target, text) {
                return key;
            }
        }
        text.to_owned()
    }

    /// Keeps only params (response-only fields dropped), drops unset values, and inside
    /// array elements drops Stripe's defaults too (`fill_defaults` does not reach there).
    fn object(&self, path: &str, map: &Map<String, Value>) -> Value {
        let in_array = segments(path).iter().any(|s| is_index(s));
        let mut out = Map::new();
        for (name, value) in map {
            let child = join(path, name);
            let param = self.table.param(&child);
            if param.is_none() && !is_container(self.table, &child) {
                continue;
            }
            let value = self.value(&child, value);
            if is_unset(&value) || (in_array && is_default(self.table.default_for(&child), &value))
            {
                continue;
            }
            out.insert(name.clone(), value);
        }
        mirror_decimals(&mut out);
        Value::Object(out)
    }

    /// Lists Stripe treats as sets (the field table's `unordered`) compare without order.
    fn is_set_like(&self, path: &str) -> bool {
        self.table.param(path).is_some_and(|param| param.unordered)
    }
}

/// Stripe returns `unit_amount_decimal` beside `unit_amount` (and likewise for tiers'
/// amounts): an integral decimal is folded into its integer field so both forms compare equal.
fn mirror_decimals(map: &mut Map<String, Value>) {
    let decimal_names: Vec<String> = map
        .keys()
        .filter(|k| k.ends_with("_decimal"))
        .cloned()
        .collect();
    for name in decimal_names {
        let base = name.trim_end_matches("_decimal").to_owned();
        let Some(Value::String(text)) = map.get(&name) else {
            continue;
        };
        let Ok(integer) = text.parse::<i64>() else {
            continue;
        };
        match map.get(&base) {
            Some(existing) if existing.as_i64() == Some(integer) => {
                map.remove(&name);
            }
            None => {
                map.remove(&name);
                map.insert(base, Value::from(integer));
            }
            Some(_) => {}
        }
    }
}

/// `30.0` and `30` are one number to Stripe.
fn normalise_number(number: &serde_json::Number) -> Value {
    if number.is_f64() {
        if let Some(f) = number.as_f64() {
            if f.fract() == 0.0 && f.abs() < 9.0e15 {
                #[allow(clippy::cast_possible_truncation)]
                return Value::from(f as i64);
            }
        }
    }
    Value::Number(number.clone())
}

/// A decimal string in canonical form: `"12.50"` → `"12.5"`, `"900.0"` → `"900"`.
fn decimal(text: &str) -> String {
    let text = text.trim();
    if text.contains('.') && !text.contains(['e', 'E']) {
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        if trimmed.is_empty() || trimmed == "-" {
            "0".to_owned()
        } else {
            trimmed.to_owned()
        }
    } else {
        text.to_owned()
    }
}

/// Null, `""`, `[]` and `{}`: what Stripe returns for a field nobody set.
fn is_unset(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// Unset, or Stripe's default for this param (so "left out" and "the default" compare
/// equal). A boolean without a known default counts as unset when false.
fn is_unset_for(param: &Param, default: Option<Default>, value: &Value) -> bool {
    is_unset(value)
        || is_default(default, value)
        || (param.ty == Type::Boolean && default.is_none() && value == &Value::Bool(false))
}

fn is_default(default: Option<Default>, value: &Value) -> bool {
    default.is_some_and(|d| normalise(&d.to_json()) == normalise(value))
}

fn normalise(value: &Value) -> Value {
    match value {
        Value::Number(n) => normalise_number(n),
        other => other.clone(),
    }
}

/// Splits a (canonical) params map into comparable units: scalars and whole lists by their
/// path, nested objects by their fields, maps such as `metadata` by their keys.
fn flatten(table: &ObjectTable, value: &Value, prefix: &str, out: &mut IndexMap<String, Value>) {
    let Value::Object(map) = value else {
        return;
    };
    for (name, value) in map {
        let path = join(prefix, name);
        let ty = table.param(&path).map(|p| p.ty);
        let free_map = table
            .param(&path)
            .is_some_and(|p| p.ty == Type::Map && !table.has_keyed_fields(p));
        match (ty, value) {
            (Some(Type::Map), Value::Object(entries)) if free_map => {
                for (key, entry) in entries {
                    out.insert(format!("{path}[{key}]"), entry.clone());
                }
            }
            (Some(Type::Object | Type::Map) | None, Value::Object(_)) => {
                flatten(table, value, &path, out);
            }
            _ => {
                out.insert(path, value.clone());
            }
        }
    }
}

/// Whether some param lies below this concrete path (an intermediate level the table does
/// not list itself, e.g. `currency_options[eur]`).
fn is_container(table: &ObjectTable, concrete: &str) -> bool {
    table.has_params_below(concrete)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{DeclaredAt, Environment, Reference};
    use serde_json::json;

    /// A declaration as the script engine would hand it over.
    /// A declaration as the planner sees it, without a script behind it.
    type Decl = crate::plan::scope::Snapshot;

    fn decl(kind: ObjectKind, key: &str, params: Value) -> Decl {
        let params = params.as_object().cloned().expect("params are an object");
        let mut references = Vec::new();
        collect_refs(kind, &Value::Object(params.clone()), "", &mut references);
        Decl {
            kind,
            key: key.to_owned(),
            declared_at: DeclaredAt {
                file: "scripts/catalog.rhai".to_owned(),
                line: 3,
                column: 1,
            },
            adopt: None,
            params,
            references,
            allows_replace: false,
        }
    }

    /// The references the script engine reports, for the places this test catalog uses.
    fn collect_refs(kind: ObjectKind, value: &Value, path: &str, out: &mut Vec<Reference>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    collect_refs(kind, v, &join(path, k), out);
                }
            }
            Value::Array(items) => {
                for (i, v) in items.iter().enumerate() {
                    collect_refs(kind, v, &format!("{path}[{i}]"), out);
                }
            }
            Value::String(key) => {
                let target = match (kind, pattern_of(path).as_str()) {
                    (ObjectKind::Price, "product") => Some(ObjectKind::Product),
                    (ObjectKind::Product, "default_price") => Some(ObjectKind::Price),
                    (ObjectKind::PromotionCode, "promotion[coupon]") => Some(ObjectKind::Coupon),
                    (
                        ObjectKind::PortalConfiguration,
                        "features[subscription_update][products][][product]",
                    ) => Some(ObjectKind::Product),
                    (
                        ObjectKind::PortalConfiguration,
                        "features[subscription_update][products][][prices][]",
                    ) => Some(ObjectKind::Price),
                    _ => None,
                };
                if let Some(kind) = target {
                    out.push(Reference {
                        path: path.to_owned(),
                        kind,
                        key: key.clone(),
                    });
                }
            }
            _ => {}
        }
    }

    fn catalog(decls: Vec<Decl>) -> Catalog {
        let mut catalog = Catalog::new(Environment::default(), "catalog".to_owned());
        for d in decls {
            catalog.push(Box::new(d));
        }
        catalog
    }

    fn live(objects: Vec<(ObjectKind, Value)>) -> LiveState {
        let mut by_kind: HashMap<ObjectKind, Vec<Value>> = HashMap::new();
        for (kind, object) in objects {
            by_kind.entry(kind).or_default().push(object);
        }
        LiveState::new(by_kind)
    }

    /// A live price as Stripe returns it after a create with `recurring[interval]` only.
    fn live_price(id: &str, lookup_key: &str, amount: i64) -> Value {
        json!({
            "id": id, "object": "price", "active": true, "billing_scheme": "per_unit",
            "created": 1_700_000_000, "currency": "eur", "custom_unit_amount": null,
            "livemode": false, "lookup_key": lookup_key, "metadata": {}, "nickname": null,
            "product": "basic",
            "recurring": {"interval": "month", "interval_count": 1, "meter": null,
                          "trial_period_days": null, "usage_type": "licensed"},
            "tax_behavior": "unspecified", "tiers_mode": null, "transform_quantity": null,
            "type": "recurring", "unit_amount": amount, "unit_amount_decimal": amount.to_string()
        })
    }

    fn basic_monthly(amount: i64) -> Decl {
        decl(
            ObjectKind::Price,
            "basic_monthly",
            json!({"product": "basic", "currency": "eur", "unit_amount": amount,
                   "lookup_key": "basic_monthly", "recurring": {"interval": "month"}}),
        )
    }

    #[test]
    fn an_applied_price_compares_equal_despite_stripe_defaults() {
        // interval_count = 1, usage_type, tax_behavior, unit_amount_decimal, nulls.
        let plan = diff_catalog(
            &catalog(vec![basic_monthly(900)]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert!(plan.is_valid(), "{:?}", plan.errors);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn normalisation_table() {
        // (what, desired params, live object, expect unchanged)
        let coupon_live = json!({"id": "launch_30", "object": "coupon", "percent_off": 30.0,
            "duration": "repeating", "duration_in_months": 3, "metadata": {}, "name": null,
            "amount_off": null, "currency": null, "max_redemptions": null, "redeem_by": null,
            "valid": true, "times_redeemed": 0});
        let portal_live = json!({"id": "bpc_1", "object": "billing_portal.configuration",
            "active": true, "is_default": false, "metadata": {"billingctl_key": "default"},
            "features": {"customer_update": {"enabled": true,
                                             "allowed_updates": ["email", "address", "name"]}}});
        let cases: Vec<(&str, Decl, Value, bool)> = vec![
            (
                "integer percent_off equals float",
                decl(
                    ObjectKind::Coupon,
                    "launch_30",
                    json!({"id": "launch_30",
                     "percent_off": 30, "duration": "repeating", "duration_in_months": 3}),
                ),
                coupon_live.clone(),
                true,
            ),
            (
                "different percent_off",
                decl(
                    ObjectKind::Coupon,
                    "launch_30",
                    json!({"id": "launch_30",
                     "percent_off": 25.5, "duration": "repeating", "duration_in_months": 3}),
                ),
                coupon_live,
                false,
            ),
            (
                "decimal strings compare by value",
                decl(
                    ObjectKind::Price,
                    "metered",
                    json!({"product": "basic",
                     "currency": "eur", "unit_amount_decimal": "12.50",
                     "lookup_key": "metered"}),
                ),
                json!({"id": "price_9", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "metered", "metadata": {}, "product": "basic",
                       "recurring": null, "unit_amount": null,
                       "unit_amount_decimal": "12.5"}),
                true,
            ),
            (
                "set-like lists ignore order",
                decl(
                    ObjectKind::PortalConfiguration,
                    "default",
                    json!({"features":
                     {"customer_update": {"enabled": true,
                                          "allowed_updates": ["name", "address", "email"]}}}),
                ),
                portal_live.clone(),
                true,
            ),
            (
                "set-like lists still compare members",
                decl(
                    ObjectKind::PortalConfiguration,
                    "default",
                    json!({"features":
                     {"customer_update": {"enabled": true,
                                          "allowed_updates": ["name", "email"]}}}),
                ),
                portal_live,
                false,
            ),
            (
                "an unbounded tier is returned as up_to null",
                decl(
                    ObjectKind::Price,
                    "tiered",
                    json!({"product": "basic",
                     "currency": "eur", "billing_scheme": "tiered", "tiers_mode": "volume",
                     "tiers": [{"up_to": 10, "unit_amount": 100},
                               {"up_to": "inf", "unit_amount": 80}]}),
                ),
                json!({"id": "price_8", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "tiered", "metadata": {}, "product": "basic",
                       "billing_scheme": "tiered", "tiers_mode": "volume",
                       "tiers": [{"flat_amount": null, "flat_amount_decimal": null,
                                  "unit_amount": 100, "unit_amount_decimal": "100", "up_to": 10},
                                 {"flat_amount": null, "flat_amount_decimal": null,
                                  "unit_amount": 80, "unit_amount_decimal": "80", "up_to": null}]}),
                true,
            ),
            (
                "the own currency mirrored in currency_options is not a difference",
                decl(
                    ObjectKind::Price,
                    "multi",
                    json!({"product": "basic", "currency": "eur",
                     "unit_amount": 900, "tax_behavior": "exclusive",
                     "currency_options": {"usd": {"unit_amount": 1000,
                                                  "tax_behavior": "exclusive"}}}),
                ),
                json!({"id": "price_7", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "multi", "metadata": {}, "product": "basic",
                       "unit_amount": 900, "unit_amount_decimal": "900",
                       "tax_behavior": "exclusive",
                       "currency_options": {
                           "eur": {"custom_unit_amount": null, "tax_behavior": "exclusive",
                                   "unit_amount": 900, "unit_amount_decimal": "900"},
                           "usd": {"custom_unit_amount": null, "tax_behavior": "exclusive",
                                   "unit_amount": 1000, "unit_amount_decimal": "1000"}}}),
                true,
            ),
            (
                "write-only switches are not compared",
                decl(
                    ObjectKind::Price,
                    "flexible",
                    json!({"product": "basic",
                     "currency": "eur", "custom_unit_amount": {"enabled": true, "minimum": 500}}),
                ),
                json!({"id": "price_6", "object": "price", "active": true, "currency": "eur",
                       "lookup_key": "flexible", "metadata": {}, "product": "basic",
                       "unit_amount": null, "unit_amount_decimal": null,
                       "custom_unit_amount": {"maximum": null, "minimum": 500, "preset": null}}),
                true,
            ),
        ];
        for (what, declaration, object, unchanged) in cases {
            let kind = declaration.kind;
            let plan = diff_catalog(&catalog(vec![declaration]), &live(vec![(kind, object)]));
            let same = plan.is_valid() && plan.changes.is_empty();
            assert_eq!(
                same, unchanged,
                "{what}: {:?} {:?}",
                plan.changes, plan.errors
            );
        }
    }

    #[test]
    fn a_changed_mutable_field_is_one_update_with_only_that_field() {
        let mut declaration = basic_monthly(900);
        declaration
            .params
            .insert("nickname".to_owned(), json!("Basic (monthly)"));
        let mut object = live_price("price_1", "basic_monthly", 900);
        object["nickname"] = json!("Basic");
        let plan = diff_catalog(
            &catalog(vec![declaration]),
            &live(vec![(ObjectKind::Price, object)]),
        );
        assert_eq!(plan.changes.len(), 1);
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Update);
        assert_eq!(change.id.as_deref(), Some("price_1"));
        assert_eq!(
            change.fields,
            vec![FieldChange {
                path: "nickname".to_owned(),
                live: json!("Basic"),
                desired: json!("Basic (monthly)"),
            }]
        );
        assert_eq!(
            Value::Object(change.params.clone()),
            json!({"nickname": "Basic (monthly)"})
        );
    }

    #[test]
    fn immutable_drift_is_an_error_with_both_values_and_the_span() {
        let plan = diff_catalog(
            &catalog(vec![basic_monthly(1000)]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert!(plan.changes.is_empty());
        let error = &plan.errors.0[0];
        assert_eq!(error.subject.object, Some(ObjectKind::Price));
        assert_eq!(error.subject.key.as_deref(), Some("basic_monthly"));
        assert_eq!(error.subject.field.as_deref(), Some("unit_amount"));
        assert_eq!(error.subject.live, Some(json!(900)));
        assert_eq!(error.subject.desired, Some(json!(1000)));
        assert_eq!(
            error.span.as_ref().map(ToString::to_string).as_deref(),
            Some("scripts/catalog.rhai:3:1")
        );
        assert!(error
            .help
            .as_deref()
            .unwrap_or_default()
            .contains("new lookup_key"));
    }

    #[test]
    fn metadata_set_out_of_band_is_removed() {
        let declaration = decl(
            ObjectKind::Product,
            "basic",
            json!({"id": "basic", "name": "Basic", "metadata": {"tier": "1"}}),
        );
        let object = json!({"id": "basic", "object": "product", "active": true, "name": "Basic",
            "metadata": {"tier": "1", "stray": "x"}, "description": "set in the Dashboard",
            "images": [], "marketing_features": [], "default_price": null});
        let plan = diff_catalog(
            &catalog(vec![declaration]),
            &live(vec![(ObjectKind::Product, object)]),
        );
        let change = &plan.changes[0];
        let paths: Vec<&str> = change.fields.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["description", "metadata[stray]"]);
        assert_eq!(
            Value::Object(change.params.clone()),
            json!({"description": "", "metadata": {"stray": ""}})
        );
    }

    #[test]
    fn references_compare_as_keys() {
        let product = decl(
            ObjectKind::Product,
            "basic",
            json!({"id": "basic", "name": "Basic", "default_price": "basic_monthly"}),
        );
        let portal = decl(
            ObjectKind::PortalConfiguration,
            "default",
            json!({"features": {"subscription_update": {"enabled": true, "products": [
                {"product": "basic", "prices": ["basic_yearly", "basic_monthly"]}]}}}),
        );
        let mut yearly = live_price("price_2", "basic_yearly", 9000);
        yearly["recurring"]["interval"] = json!("year");
        let state = live(vec![
            (
                ObjectKind::Product,
                json!({"id": "basic", "active": true, "name": "Basic",
                "metadata": {}, "default_price": "price_1"}),
            ),
            (
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            ),
            (ObjectKind::Price, yearly),
            (
                ObjectKind::PortalConfiguration,
                json!({"id": "bpc_1", "active": true,
                "metadata": {"billingctl_key": "default"},
                "features": {"subscription_update": {"enabled": true, "products": [
                    {"product": "basic", "prices": ["price_1", "price_2"]}]}}}),
            ),
        ]);
        let plan = diff_catalog(&catalog(vec![product, portal]), &state);
        assert!(plan.changes.is_empty(), "{:?}", plan.changes);
        assert_eq!(plan.unchanged, 2);
    }

    #[test]
    fn active_false_deactivates_and_missing_inactive_objects_are_created_inactive() {
        let mut declaration = basic_monthly(900);
        declaration.params.insert("active".to_owned(), json!(false));
        let plan = diff_catalog(
            &catalog(vec![declaration]),
            &live(vec![(
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            )]),
        );
        assert_eq!(plan.changes[0].action, Action::Deactivate);
        assert_eq!(
            Value::Object(plan.changes[0].params.clone()),
            json!({"active": false})
        );

        let portal = decl(
            ObjectKind::PortalConfiguration,
            "default",
            json!({"active": false, "features": {"invoice_history": {"enabled": true}}}),
        );
        let plan = diff_catalog(&catalog(vec![portal]), &LiveState::default());
        let change = &plan.changes[0];
        assert_eq!(change.action, Action::Create);
        // Create does not take `active` for portal configurations: it follows as an update.
        assert!(!change.params.contains_key("active"));
        assert_eq!(
            Value::Object(change.after_create.clone()),
            json!({"active": false})
        );
        assert_eq!(
            change.params["metadata"],
            json!({"billingctl_key": "default"})
        );
    }

    #[test]
    fn a_default_price_cannot_be_deactivated_unless_the_default_moves() {
        let product = |default: &str| {
            decl(
                ObjectKind::Product,
                "basic",
                json!({"id": "basic", "name": "Basic", "default_price": default}),
            )
        };
        let monthly_inactive = || {
            let mut monthly = basic_monthly(900);
            monthly.params.insert("active".to_owned(), json!(false));
            monthly
        };
        let yearly = || {
            decl(
                ObjectKind::Price,
                "basic_yearly",
                json!({"product": "basic", "currency": "eur", "unit_amount": 9000,
                       "recurring": {"interval": "year"}}),
            )
        };
        let mut live_yearly = live_price("price_2", "basic_yearly", 9000);
        live_yearly["recurring"]["interval"] = json!("year");
        let state = live(vec![
            (
                ObjectKind::Product,
                json!({"id": "basic", "active": true, "name": "Basic",
                "metadata": {}, "default_price": "price_1"}),
            ),
            (
                ObjectKind::Price,
                live_price("price_1", "basic_monthly", 900),
            ),
            (ObjectKind::Price, live_yearly),
        ]);

        let stuck = diff_catalog(
            &catalog(vec![product("basic_monthly"), monthly_inactive(), yearly()]),
            &state,
        );
        assert_eq!(stuck.errors.0.len(), 1, "{:?}", stuck.errors);
        assert!(stuck.errors.0[0]
            .message
            .contains("default price of product `basic`"));

        let moved = diff_catalog(
            &catalog(vec![product("basic_yearly"), monthly_inactive(), yearly()]),
            &state,
        );
        assert!(moved.is_valid(), "{:?}", moved.errors);
        assert_eq!(moved.summary().deactivate, 1);
        assert_eq!(moved.summary().update, 1);
    }

    #[test]
    fn promotion_codes_match_active_codes_case_insensitively() {
        let code = |active: bool| {
            decl(
                ObjectKind::PromotionCode,
                "LAUNCH",
                json!({"code": "LAUNCH", "active": active,
                       "promotion": {"type": "coupon", "coupon": "launch_30"}}),
            )
        };
        let live_code = |id: &str, active: bool| {
            json!({"id": id, "object": "promotion_code", "code": "launch", "active": active,
                   "metadata": {}, "promotion": {"type": "coupon", "coupon": "launch_30"}})
        };
        // An active live code with another case is the same code.
        let plan = diff_catalog(
            &catalog(vec![code(true)]),
            &live(vec![(
                ObjectKind::PromotionCode,
                live_code("promo_1", true),
            )]),
        );
        assert!(
            plan.changes.is_empty() && plan.is_valid(),
            "{:?}",
            plan.changes
        );
        // Only an inactive one: the code is free, a new one is created.
        let plan = diff_catalog(
            &catalog(vec![code(true)]),
            &live(vec![(
                ObjectKind::PromotionCode,
                live_code("promo_1", false),
            )]),
        );
        assert_eq!(plan.changes[0].action, Action::Create);
        // Wanted inactive, and an inactive one exists: nothing to do.
        let plan = diff_catalog(
            &catalog(vec![code(false)]),
            &live(vec![(
                ObjectKind::PromotionCode,
                live_code("promo_1", false),
            )]),
        );
        assert!(plan.changes.is_empty());
        assert_eq!(plan.unchanged, 1);
    }

    #[test]
    fn adoption_by_id_sets_the_key() {
        let mut declaration = basic_monthly(900);
        declaration.adopt = Some("price_7".to_owned());
        let mut object = live_price("price_7", "", 900);
        object["lookup_key"] = Value::Null;
        let plan = diff_catalog(
            &catalog(vec![declaration]),
            &live(vec![(ObjectKind::Price, object)]),
        );
        let change = &plan.changes[0];
        assert_eq!(change.reason, Some(Reason::Adopt));
        assert_eq!(
            Value::Object(change.params.clone()),
            json!({"lookup_key": "basic_monthly"})
        );
    }

    #[test]
    fn several_immutable_errors_are_all_reported() {
        let coupon = decl(
            ObjectKind::Coupon,
            "launch_30",
            json!({"id": "launch_30", "percent_off": 40, "duration": "once"}),
        );
        let plan = diff_catalog(
            &catalog(vec![basic_monthly(1000), coupon]),
            &live(vec![
                (
                    ObjectKind::Price,
                    live_price("price_1", "basic_monthly", 900),
                ),
                (
                    ObjectKind::Coupon,
                    json!({"id": "launch_30", "percent_off": 30.0,
                    "duration": "once", "metadata": {}}),
                ),
            ]),
        );
        let fields: Vec<_> = plan
            .errors
            .0
            .iter()
            .map(|e| e.subject.field.clone().unwrap_or_default())
            .collect();
        assert_eq!(fields, ["unit_amount", "percent_off"]);
    }

    #[test]
    fn decimals_and_numbers_normalise() {
        assert_eq!(decimal("12.50"), "12.5");
        assert_eq!(decimal("900.000"), "900");
        assert_eq!(decimal("900"), "900");
        assert_eq!(
            normalise_number(&serde_json::Number::from_f64(30.0).unwrap()),
            json!(30)
        );
        assert_eq!(pattern_of("a[b][0][c][12]"), "a[b][][c][]");
    }
}
