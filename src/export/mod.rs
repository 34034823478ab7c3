//! `billingctl export`: the live account written back as a readable catalog script.
//!
//! A pure function of the fetched objects ([`export_script`]): [`select`] picks and orders
//! what to write (scope, grouping), [`keys`] names every object (making up keys where Stripe
//! has none, so the script adopts those objects by id), [`params`] turns each Stripe response
//! into the create params the script declares, and [`rhai_text`] writes them as Rhai.

pub mod keys;
pub mod live;
pub mod params;
pub mod rhai_text;
pub mod select;

use serde_json::{Map, Value};
use std::borrow::Cow;

use crate::catalog::declared::for_each_reference;
use crate::kinds::fields::Presence;
use crate::kinds::RESERVED_METADATA_PREFIX;
use crate::kinds::{ObjectKind, KINDS};
use keys::Keys;
pub use live::LiveObjects;
use rhai_text::RhaiWriter;
use select::{ScopeChoice, Selection};

type Object = Map<String, Value>;

/// What to export.
#[derive(Clone, Debug, Default)]
pub struct ExportOptions {
    /// Only objects whose metadata `billingctl_scope` is this (plus what they refer to).
    pub scope: Option<String>,
}

/// An exported script and what it holds.
#[derive(Clone, Debug)]
pub struct Export {
    /// The Rhai source, ending in a newline.
    pub script: String,
    /// Objects declared.
    pub objects: usize,
    /// Objects declared with `adopt: "<id>"` because they have no billingctl key yet.
    pub adopted: usize,
}

/// Writes `live` as a catalog script: a section per kind that stands on its own (products,
/// coupons, portal configurations, in the registry's order), each object followed by those
/// written under it (a product by its prices, a coupon by its promotion codes), oldest
/// first. The same account always gives the same text.
pub fn export(live: &LiveObjects, options: &ExportOptions) -> Export {
    let selection = select::select(live, options.scope.as_deref());
    let keys = keys::assign(live, &selection);
    let mut out = Script {
        writer: RhaiWriter::new(),
        text: String::new(),
        keys: &keys,
        selection: &selection,
        live,
    };
    out.header();
    for section in &selection.sections {
        // A section without objects gets no heading.
        if section.groups.is_empty() {
            continue;
        }
        out.section(&heading(section.kind));
        for (owner, members) in &section.groups {
            out.declare(section.kind, owner);
            if let Some(member) = section.members {
                for object in members {
                    out.declare(member, object);
                }
                // A blank line closes each group.
                out.text.push('\n');
            }
        }
    }
    let script = format!("{}\n", out.text.trim_end());
    Export {
        script,
        objects: selection.len(),
        adopted: keys.adopted_count(),
    }
}

/// The heading of a kind's section: its export mapping's, or its plural.
fn heading(kind: ObjectKind) -> String {
    if let Some(heading) = kind.def().export().heading {
        return heading.to_owned();
    }
    let plural = kind.def().plural();
    let mut chars = plural.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

struct Script<'a> {
    writer: RhaiWriter,
    text: String,
    keys: &'a Keys,
    selection: &'a Selection<'a>,
    live: &'a LiveObjects,
}

impl Script<'_> {
    fn header(&mut self) {
        self.text.push_str(
            "// The live billing catalog, written by `billingctl export`.\n\
             // Objects that had no billingctl key yet say which Stripe object they `adopt`:\n\
             // applying this script gives them their key (a price its lookup key, a portal\n\
             // configuration its metadata key). See docs/EXPORT.md.\n",
        );
        for line in &self.selection.left_out {
            self.text.push_str(&format!("// Left out: {line}.\n"));
        }
        match &self.selection.scope {
            ScopeChoice::One(scope) => {
                self.text
                    .push_str(&format!("\nscope({});\n", rhai_text::string_literal(scope)));
            }
            ScopeChoice::Several(scopes) => {
                self.text.push_str(&format!(
                    "// These objects belong to several scopes ({}); applying this script as one\n\
                     // catalog gives them all its scope. Export each with --scope to keep them apart.\n",
                    scopes.join(", ")
                ));
            }
            ScopeChoice::None => {}
        }
    }

    fn section(&mut self, title: &str) {
        if !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
        self.text.push_str(&format!("// {title}.\n\n"));
    }

    fn declare(&mut self, kind: ObjectKind, object: &Object) {
        let id = live::id(object);
        if self
            .selection
            .dependencies
            .contains(&(kind, id.to_string()))
        {
            self.text.push_str(&format!(
                "// Outside the scope: written because an object in it refers to this {kind}.\n"
            ));
        }
        let key = self.keys.key(kind, object);
        let mut params = declaration_params(kind, object, self.keys);
        self.within(kind, id, &mut params);
        let call = format!(
            "{}({}, ",
            kind.def().function(),
            rhai_text::string_literal(&key)
        );
        let map = self.writer.value(&Value::Object(params), 0, call.len());
        self.text.push_str(&call);
        self.text.push_str(&map);
        self.text.push_str(");\n");
    }
}

impl Script<'_> {
    /// The objects declared in this one's field (`Kind::within`: a product's `features`),
    /// as the keys of what each references, oldest first (Stripe lists newest first).
    fn within(&self, kind: ObjectKind, id: &str, params: &mut Object) {
        for child in KINDS
            .iter()
            .filter(|k| k.within().is_some_and(|w| w.parent == kind))
        {
            let Some(within) = child.within() else {
                continue;
            };
            let Some(target) = child
                .references()
                .iter()
                .find(|r| r.pattern == within.param)
                .map(|r| r.kind)
            else {
                continue;
            };
            let keys: Vec<Value> = self
                .live
                .of_kind(child.id())
                .iter()
                .rev()
                .filter(|o| live::text(o, within.segment) == Some(id))
                .filter_map(|o| o.get(within.param))
                .filter_map(|reference| {
                    // The key the export gives the target, else the one its expanded object
                    // holds (Stripe returns the feature whole).
                    let id = live::reference_id(reference)?;
                    let key = self.keys.known(target, id).map(str::to_owned);
                    key.or_else(|| target.def().key().of(reference).map(Cow::into_owned))
                        .or_else(|| Some(id.to_owned()))
                })
                .map(Value::String)
                .collect();
            if !keys.is_empty() {
                params.insert(within.field.to_owned(), Value::Array(keys));
            }
        }
    }
}

/// The map a declaration takes: the object's create params, with ids of other objects
/// turned into their keys, and `adopt` first where the object has no key yet, then the
/// object it is written under (a price's `product`).
fn declaration_params(kind: ObjectKind, object: &Object, keys: &Keys) -> Object {
    let id = live::id(object);
    let def = kind.def();
    let mapping = def.export();
    let mut raw = object.clone();
    // The key is the declaration's first argument, not a param.
    if let Some(field) = def.key().field() {
        raw.remove(field);
    }
    if let Some(Value::Object(metadata)) = raw.get_mut("metadata") {
        // billingctl writes `billingctl_key` and `billingctl_scope` itself, and scripts may
        // not set any key of that prefix (`catalog::validate`), so none is exported.
        metadata.retain(|key, _| !key.starts_with(RESERVED_METADATA_PREFIX));
    }
    // The owner is written first, by key, under the reference's own name (`coupon`).
    let owner = mapping.under.and_then(|under| {
        let target = select::owner_kind(kind)?;
        let owner_id = live::owner(kind, object)?.to_owned();
        let segments = crate::path::segments(under.reference);
        let name = segments.last()?.to_string();
        raw.remove(segments[0]);
        Some((name, keys.of(target, &owner_id).to_owned()))
    });
    for pattern in mapping.on_when_present {
        for_each_at(&mut raw, pattern, &mut |value| {
            if let Value::Object(on) = value {
                on.insert("enabled".into(), true.into());
            }
        });
    }
    drop_own_currency_option(&mut raw);
    // Every other reference: the id (or expanded object) becomes the key where one is known.
    let mut update_only = Vec::new();
    let mut rewrites = Vec::new();
    for_each_reference(kind, &raw, &mut |path, refers, value| {
        if let Some(target) = live::reference_id(value) {
            rewrites.push((path.to_owned(), refers.kind, target.to_owned()));
        }
    });
    for (path, target, target_id) in rewrites {
        let known = keys.known(target, &target_id);
        let written = known.unwrap_or(&target_id).to_owned();
        crate::path::replace(&mut raw, &path, written.clone().into());
        let creates = def
            .table()
            .param(&path)
            .is_some_and(|p| p.on_create != Presence::Absent);
        // A reference the create does not take (a product's `default_price`, set once the
        // price exists) is written after the create params, when its key is known.
        if !creates && known.is_some() {
            update_only.push((path, written));
        }
    }

    let mut params = params::create_params(kind, &raw);
    for (path, key) in update_only {
        crate::path::insert(&mut params, &path, key.into());
    }
    // Portal configurations take `active` on update only, webhook endpoints `disabled`: the
    // script still says it.
    let deactivation = kind.def().deactivation();
    if let Some((name, off)) = deactivation.off() {
        let on = deactivation.is_on(&Value::Object(object.clone()));
        if !on && !params.contains_key(name) {
            params.insert(name.into(), off);
        }
    }

    let mut out = Object::new();
    if keys.is_adopted(id) {
        out.insert("adopt".into(), id.into());
    }
    if let Some((field, key)) = owner {
        out.insert(field, key.into());
    }
    out.extend(params);
    out
}

/// An expanded `currency_options` (price or coupon) repeats the object's own currency, which
/// is the object itself, not an option of it.
fn drop_own_currency_option(raw: &mut Object) {
    let currency = live::text(raw, "currency").map(str::to_string);
    if let (Some(Value::Object(options)), Some(currency)) =
        (raw.get_mut("currency_options"), currency)
    {
        options.remove(&currency);
    }
}

/// Calls `f` with every value at a pattern's concrete paths (`<key>` any key of a map).
fn for_each_at(raw: &mut Object, pattern: &str, f: &mut dyn FnMut(&mut Value)) {
    fn descend(value: &mut Value, rest: &[&str], f: &mut dyn FnMut(&mut Value)) {
        let Some((head, rest)) = rest.split_first() else {
            f(value);
            return;
        };
        match (value, *head) {
            (Value::Object(map), crate::path::ANY_KEY) => {
                for item in map.values_mut() {
                    descend(item, rest, f);
                }
            }
            (Value::Array(items), "") => {
                for item in items {
                    descend(item, rest, f);
                }
            }
            (Value::Object(map), name) => {
                if let Some(item) = map.get_mut(name) {
                    descend(item, rest, f);
                }
            }
            _ => {}
        }
    }
    let segments = crate::path::segments(pattern);
    if let Some(first) = raw.get_mut(segments[0]) {
        descend(first, &segments[1..], f);
    }
}

#[cfg(test)]
mod tests;
