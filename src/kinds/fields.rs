//! The one table of Stripe facts per managed object, for the pinned API version: which params
//! the create and update endpoints take (a param that create takes and update does not is
//! immutable), their types, and the defaults Stripe fills in when a create leaves them out.
//!
//! This module is the vocabulary; each kind's table is written beside the kind
//! (`src/kinds/`). Used by the emulator (strict params, defaults in responses), by the diff
//! (mutable or immutable, default normalisation), by export and by the conformance test
//! against `shared/stripe-reference/catalog-fields.json`. A param's [`Limits`] (lengths,
//! counts, characters, largest values) are checked from here by the planner
//! (`catalog::validate`) and the emulator (`emulator::params`) alike.

mod build;
mod index;

pub use build::{p, NO, OPT, REQ};
pub use index::{Compiled, ShortKeys};

/// Everything the crate knows about one Stripe object type.
#[derive(Debug)]
pub struct ObjectTable {
    /// Stripe's `object` value, e.g. `billing_portal.configuration`.
    pub object: &'static str,
    /// The collection endpoint, e.g. `/v1/billing_portal/configurations`.
    pub path: &'static str,
    /// Prefix of the ids Stripe generates, e.g. `bpc_`.
    pub id_prefix: &'static str,
    /// Whether create accepts a client-chosen `id` (products, coupons).
    pub custom_id: bool,
    /// Whether `DELETE {path}/{id}` exists (coupons; products without prices).
    pub deletable: bool,
    /// The list endpoint's filters (besides limit, starting_after, ending_before, expand).
    pub list_filters: &'static [&'static str],
    /// Every create and update param, nested ones included: array elements as `path[]`, the
    /// values of a map of objects as `path[<key>]`. `expand`, which every endpoint takes, is
    /// not a field and not listed.
    pub params: &'static [Param],
    /// The params compiled for lookups (`Compiled::new()` in every table).
    pub index: Compiled,
}

/// One param, by its path in Stripe's form notation as `catalog-fields.json` writes it:
/// `recurring[interval]` nested, `currency_options[<key>][unit_amount]` under a map key,
/// `tiers[][up_to]` inside an array element.
#[derive(Debug)]
pub struct Param {
    pub path: &'static str,
    pub ty: Type,
    pub on_create: Presence,
    pub on_update: Presence,
    /// Whether `""` may be sent to clear it (Stripe's "emptyable").
    pub emptyable: bool,
    /// What the response holds when a create left this param out, if Stripe fills one in.
    pub default: Option<Default>,
    /// An array Stripe treats as a set: the order of its elements carries no meaning (a
    /// portal's `allowed_updates`), so a reordering is no change.
    pub unordered: bool,
    /// A mutable param that locks once set: the update endpoint changes it only while the
    /// object holds one of these values (a price's `tax_behavior`: "Once specified as either
    /// `inclusive` or `exclusive`, it cannot be changed", param-rules R030, R049).
    pub set_once_from: Option<&'static [&'static str]>,
    /// What Stripe refuses of a value beyond its type (`Limits::NONE` for most params).
    pub limits: Limits,
}

/// Stripe's stated limits on one param's values: how long a string may be, how many elements
/// an array (or entries a map) may hold, which characters a string may use, how large an
/// integer may be. Each table writes them with where the fact comes from
/// (`shared/stripe-reference/param-rules.md`, `NOTES.md`); the planner and the emulator both
/// read them here, each in its own words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Limits {
    /// A string's length in characters; for a map of strings (`metadata`), each value's.
    pub chars: Option<Length>,
    /// The most elements of an array, or entries of a map.
    pub items: Option<Items>,
    /// For a map of strings: the longest key, in characters. Form notation cannot carry `[`
    /// or `]` in a key, so a limited key takes neither.
    pub key_chars: Option<usize>,
    /// A rule on a string's characters.
    pub text: Option<Text>,
    /// An integer's largest value (an amount's eight digits). The emulator checks it on
    /// every param; the planner where the kind's rules check the amount
    /// (`catalog::validate::Check::non_negative`, which words it in minor units), so a new
    /// amount param needs that call in its kind's rules.
    pub max: Option<i64>,
}

impl Limits {
    /// No limits beyond the type.
    pub const NONE: Limits = Limits {
        chars: None,
        items: None,
        key_chars: None,
        text: None,
        max: None,
    };
}

/// A length in characters: from `min` (0 for a bound alone) to `max`. A range (`min` above
/// 0) is reported with the length given, which may miss either end; a bound alone only as
/// too long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Length {
    pub min: usize,
    pub max: usize,
}

/// At most `max` elements (or entries); `noun` is what the planner's errors call them
/// (`"URLs"`: "a list of up to 8 URLs", R085).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Items {
    pub max: usize,
    pub noun: &'static str,
}

/// A rule on the characters of a string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Text {
    /// Stripe's statement-descriptor rule: at least one letter, none of `< > \ " '`
    /// (R092, R096).
    StatementDescriptor,
    /// Letters `a-z` and `A-Z`, digits and dashes (a promotion code's `code`, R102).
    Code,
    /// Letters, digits, `_` and `-`: a client-chosen id, which travels in API paths
    /// (`/v1/products/{id}`). billingctl's rule and the emulator's.
    Id,
}

/// Why a string breaks its [`Text`] rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextError {
    /// It has no letter.
    NoLetter,
    /// It holds this character, which the rule forbids.
    Forbidden(char),
    /// It is empty, which the rule does not allow.
    Empty,
}

impl Text {
    /// The rule in words, as the reference and the planner's errors say it: what a string
    /// may hold, after "may only contain".
    pub fn describe(self) -> &'static str {
        match self {
            Text::StatementDescriptor => "at least one letter and none of `<` `>` `\\` `\"` `'`",
            Text::Code => "a-z, A-Z, 0-9 and `-`",
            Text::Id => "letters, digits, `_` and `-`",
        }
    }

    /// Every way `text` breaks this rule (the first forbidden character only), in the order
    /// Stripe's description states them; empty when it follows it.
    pub fn check(self, text: &str) -> Vec<TextError> {
        let mut found = Vec::new();
        match self {
            Text::StatementDescriptor => {
                if !text.chars().any(char::is_alphabetic) {
                    found.push(TextError::NoLetter);
                }
                let forbidden = |c: &char| matches!(c, '<' | '>' | '\\' | '"' | '\'');
                found.extend(text.chars().find(forbidden).map(TextError::Forbidden));
            }
            Text::Code | Text::Id => {
                if text.is_empty() {
                    found.push(TextError::Empty);
                }
                let allowed = |c: char| {
                    c.is_ascii_alphanumeric() || c == '-' || (self == Text::Id && c == '_')
                };
                found.extend(
                    text.chars()
                        .find(|c| !allowed(*c))
                        .map(TextError::Forbidden),
                );
            }
        }
        found
    }
}

impl Param {
    /// Mutable means the update endpoint takes it; a create-only param is immutable.
    pub fn is_mutable(&self) -> bool {
        self.on_update != Presence::Absent
    }

    /// Whether a set-once param can no longer change from the value `held`.
    pub fn is_locked(&self, held: &serde_json::Value) -> bool {
        match (self.set_once_from, held.as_str()) {
            (Some(open), Some(held)) => !open.contains(&held),
            _ => false,
        }
    }

    /// Whether (and how) the endpoint of `op` takes this param.
    pub fn presence(&self, op: Operation) -> Presence {
        match op {
            Operation::Create => self.on_create,
            Operation::Update => self.on_update,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Presence {
    Absent,
    Optional,
    Required,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Type {
    String,
    Integer,
    /// A JSON number with a fraction, e.g. `percent_off`.
    Number,
    /// A decimal sent and returned as a string, e.g. `unit_amount_decimal`.
    Decimal,
    Boolean,
    /// Unix seconds.
    Timestamp,
    Enum(&'static [&'static str]),
    /// A nested object whose fields are params of their own.
    Object,
    /// An array; its elements' fields are params under `path[]`.
    Array,
    /// An array of plain strings (or enum values when a `path[]` param says so).
    StringArray,
    /// A map under free keys: of string values such as `metadata` (keys ≤ 40 chars, values
    /// ≤ 500), or of objects whose fields are params under `path[<key>]`, such as
    /// `currency_options`.
    Map,
    /// An integer or one of these words, e.g. a tier's `up_to` (an integer or `inf`).
    IntegerOr(&'static [&'static str]),
}

/// A default Stripe fills in on create.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Default {
    Bool(bool),
    Int(i64),
    Str(&'static str),
    /// `[]`, e.g. a product's `images`.
    EmptyArray,
    /// `{}`, e.g. `metadata`, or an object Stripe always returns such as a portal feature;
    /// its own fields' defaults are filled in below it.
    EmptyObject,
}

impl Default {
    pub fn to_json(self) -> serde_json::Value {
        match self {
            Default::Bool(b) => b.into(),
            Default::Int(i) => i.into(),
            Default::Str(s) => s.into(),
            Default::EmptyArray => serde_json::Value::Array(Vec::new()),
            Default::EmptyObject => serde_json::Value::Object(serde_json::Map::new()),
        }
    }
}

/// Which endpoint a param is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
}

impl ObjectTable {
    /// The param a concrete path names: `tiers[0][up_to]` finds `tiers[][up_to]`,
    /// `currency_options[eur][unit_amount]` finds `currency_options[<key>][unit_amount]`, and
    /// `metadata[plan]` finds the map param `metadata`.
    pub fn param(&self, concrete: &str) -> Option<&'static Param> {
        index::of(self)
            .param(self.params, concrete)
            .map(|position| &self.params[position])
    }

    /// The param a concrete path names, if the endpoint of `op` takes it: what the emulator's
    /// strict param check asks ("Received unknown parameter" when `None`).
    pub fn param_for(&self, op: Operation, concrete: &str) -> Option<&'static Param> {
        self.param(concrete)
            .filter(|param| param.presence(op) != Presence::Absent)
    }

    /// The default Stripe fills in at a concrete path, e.g. `recurring[interval_count]` → 1.
    /// A key inside a map (`metadata[plan]`) has none, though the map itself defaults to `{}`.
    pub fn default_for(&self, concrete: &str) -> Option<Default> {
        let index = index::of(self);
        let position = index.param(self.params, concrete)?;
        (index.depth(position) == crate::path::Segments::new(concrete).count())
            .then_some(self.params[position].default)
            .flatten()
    }

    /// `default_for(concrete)` when `param` is what `param(concrete)` found: the caller has
    /// looked it up already (the diff, for every field it compares).
    pub fn default_at(&self, param: &'static Param, concrete: &str) -> Option<Default> {
        let default = param.default?;
        let depth = match self.position_of(param) {
            Some(position) => index::of(self).depth(position),
            None => crate::path::Segments::new(param.path).count(),
        };
        (depth == crate::path::Segments::new(concrete).count()).then_some(default)
    }

    /// The position in this table of one of its params, found by address (no scan).
    fn position_of(&self, param: &Param) -> Option<usize> {
        let base = self.params.as_ptr() as usize;
        let offset = (param as *const Param as usize).wrapping_sub(base);
        let size = std::mem::size_of::<Param>();
        (offset % size == 0 && offset / size < self.params.len()).then_some(offset / size)
    }

    /// Fills in, where `object` leaves them out, the defaults of the table: a top-level field
    /// always; a nested one only where its parent is present (in every element of an array
    /// and under every key of a map). A field present as `null` is left alone. Parents are
    /// filled before their children, so an `EmptyObject` default gets its own fields'
    /// defaults too (e.g. a portal's `login_page` becomes `{"enabled": false}`).
    ///
    /// Used on Stripe objects and create params alike; the one place defaults are applied.
    pub fn fill_defaults(&self, object: &mut serde_json::Map<String, serde_json::Value>) {
        for (pattern, default) in &index::of(self).defaults {
            let (leaf, parents) = pattern.split_last().expect("a path has a segment");
            for_each_parent(object, parents, &mut |parent| {
                if !parent.contains_key(*leaf) {
                    parent.insert((*leaf).to_owned(), default.to_json());
                }
            });
        }
    }

    /// Whether a `Map` param holds objects with fields of their own (`currency_options`)
    /// rather than free string values (`metadata`).
    pub fn has_keyed_fields(&self, map: &Param) -> bool {
        // `map` is one of this table's params (by address); anything else is answered by a scan.
        if let Some(position) = self.position_of(map) {
            return index::of(self).keyed(position);
        }
        let prefix = format!("{}[<key>]", map.path);
        self.params
            .iter()
            .any(|param| param.path.starts_with(&prefix))
    }

    /// Whether some param lies strictly below a concrete path: an intermediate level the
    /// table does not list itself (`currency_options[eur]`), or an object with fields.
    /// Index segments match `[]` only when they are all digits.
    pub fn has_params_below(&self, concrete: &str) -> bool {
        index::of(self).has_params_below(concrete)
    }

    /// Whether a concrete path can be changed by the update endpoint. Unknown paths are
    /// treated as immutable: the diff never sends what the table does not know.
    pub fn is_mutable(&self, concrete: &str) -> bool {
        self.param(concrete).is_some_and(Param::is_mutable)
    }

    /// The params the create endpoint takes and the update endpoint does not.
    pub fn immutable_paths(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.params
            .iter()
            .filter(|p| p.on_create != Presence::Absent && !p.is_mutable())
            .map(|p| p.path)
    }
}

/// Calls `visit` on every object `parents` (a pattern's segments) reaches from `object`:
/// `""` goes into each element of an array, `<key>` into each value of a map.
fn for_each_parent(
    object: &mut serde_json::Map<String, serde_json::Value>,
    parents: &[&str],
    visit: &mut dyn FnMut(&mut serde_json::Map<String, serde_json::Value>),
) {
    let Some((first, rest)) = parents.split_first() else {
        visit(object);
        return;
    };
    // No list of children is collected: this runs for every default of every object planned.
    match *first {
        "<key>" => {
            for child in object.values_mut() {
                descend(child, rest, visit);
            }
        }
        name => {
            if let Some(child) = object.get_mut(name) {
                descend(child, rest, visit);
            }
        }
    }
}

/// `for_each_parent` from a value: arrays take the `""` segment that follows them.
fn descend(
    value: &mut serde_json::Value,
    parents: &[&str],
    visit: &mut dyn FnMut(&mut serde_json::Map<String, serde_json::Value>),
) {
    match value {
        serde_json::Value::Object(map) => for_each_parent(map, parents, visit),
        serde_json::Value::Array(items) if parents.first() == Some(&"") => {
            for item in items {
                descend(item, &parents[1..], visit);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ObjectKind;
    use crate::path::segments;
    use serde_json::json;

    fn object(value: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        match value {
            serde_json::Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn every_table_is_sorted_unique_and_parented() {
        for kind in ObjectKind::ALL {
            let table = kind.table();
            assert!(!table.params.is_empty(), "{kind} has no params");
            for pair in table.params.windows(2) {
                assert!(
                    segments(pair[0].path) < segments(pair[1].path),
                    "{kind}: {} before {}",
                    pair[0].path,
                    pair[1].path
                );
            }
            for param in table.params {
                let pattern = segments(param.path);
                if pattern.len() > 1 {
                    let parent = &pattern[..pattern.len() - 1];
                    let found = table.params.iter().any(|p| segments(p.path) == parent);
                    assert!(found, "{kind}: {} has no parent param", param.path);
                }
                assert!(
                    param.on_create != Presence::Absent || param.on_update != Presence::Absent,
                    "{kind}: {} is taken by no endpoint",
                    param.path
                );
            }
        }
    }

    #[test]
    fn every_limit_fits_its_params_type() {
        for kind in ObjectKind::ALL {
            for param in kind.table().params {
                let Limits {
                    chars,
                    items,
                    key_chars,
                    text,
                    max,
                } = param.limits;
                let (string, list, map) = (
                    param.ty == Type::String,
                    matches!(param.ty, Type::Array | Type::StringArray),
                    param.ty == Type::Map,
                );
                let at = format!("{kind}: {}", param.path);
                assert!(chars.is_none() || string || map, "{at}: chars");
                assert!(items.is_none() || list || map, "{at}: items");
                assert!(key_chars.is_none() || map, "{at}: key_chars");
                assert!(text.is_none() || string, "{at}: text");
                assert!(
                    max.is_none() || matches!(param.ty, Type::Integer),
                    "{at}: max"
                );
                assert!(chars.map_or(true, |l| l.min <= l.max), "{at}: range");
                // A map's limits describe a map of strings, not one of objects.
                assert!(
                    !(map && param.limits != Limits::NONE && kind.table().has_keyed_fields(param)),
                    "{at}: limits on a map of objects"
                );
            }
        }
    }

    #[test]
    fn character_rules() {
        assert_eq!(Text::Code.check("SAVE-10"), vec![]);
        assert_eq!(Text::Code.check("SAVE_10"), vec![TextError::Forbidden('_')]);
        assert_eq!(Text::Code.check(""), vec![TextError::Empty]);
        assert_eq!(Text::Id.check("basic_plan-2"), vec![]);
        assert_eq!(Text::Id.check("v2.0"), vec![TextError::Forbidden('.')]);
        assert_eq!(Text::StatementDescriptor.check("ACME PRO 2026"), vec![]);
        assert_eq!(
            Text::StatementDescriptor.check("<12>"),
            vec![TextError::NoLetter, TextError::Forbidden('<')]
        );
    }

    #[test]
    fn concrete_paths_find_their_params() {
        let price = ObjectKind::Price.table();
        assert_eq!(
            price.param("recurring[interval]").unwrap().path,
            "recurring[interval]"
        );
        assert_eq!(
            price.param("tiers[0][up_to]").unwrap().ty,
            Type::IntegerOr(&["inf"])
        );
        assert_eq!(
            price
                .param("currency_options[eur][unit_amount]")
                .unwrap()
                .path,
            "currency_options[<key>][unit_amount]"
        );
        assert_eq!(
            price.param("currency_options[eur]").unwrap().ty,
            Type::Object
        );
        assert_eq!(price.param("metadata[plan]").unwrap().path, "metadata");
        // A map of objects does not swallow unknown fields the way `metadata` takes any key.
        assert!(price.param("currency_options[eur][bogus]").is_none());
        assert!(price.param("bogus").is_none());
        let portal = ObjectKind::PortalConfiguration.table();
        assert_eq!(
            portal
                .param("features[subscription_update][products][0][prices][1]")
                .unwrap()
                .ty,
            Type::String
        );
        assert_eq!(
            portal
                .param("features[customer_update][allowed_updates][0]")
                .unwrap()
                .ty,
            Type::Enum(&["address", "email", "name", "phone", "shipping", "tax_id"])
        );
    }

    #[test]
    fn params_below_a_concrete_path() {
        let price = ObjectKind::Price.table();
        assert!(price.has_params_below("currency_options[eur]"));
        assert!(price.has_params_below("recurring"));
        assert!(price.has_params_below("tiers[3]"));
        assert!(!price.has_params_below("tiers[x]"), "an index is digits");
        assert!(
            !price.has_params_below("metadata"),
            "a free map has no fields"
        );
        assert!(!price.has_params_below("nickname"));
        assert!(!price.has_params_below("bogus"));
    }

    #[test]
    fn param_for_knows_create_only_and_update_only() {
        let product = ObjectKind::Product.table();
        assert!(product
            .param_for(Operation::Create, "default_price_data[currency]")
            .is_some());
        assert!(product
            .param_for(Operation::Update, "default_price_data[currency]")
            .is_none());
        assert!(product
            .param_for(Operation::Create, "default_price")
            .is_none());
        assert!(product
            .param_for(Operation::Update, "default_price")
            .is_some());
        assert_eq!(
            product
                .param_for(Operation::Create, "name")
                .unwrap()
                .presence(Operation::Create),
            Presence::Required
        );
        let price = ObjectKind::Price.table();
        assert!(price
            .param_for(Operation::Update, "transfer_lookup_key")
            .is_some());
        assert!(price.param_for(Operation::Update, "unit_amount").is_none());
        let promo = ObjectKind::PromotionCode.table();
        assert!(promo.param_for(Operation::Create, "coupon").is_none());
        assert_eq!(
            promo
                .param_for(Operation::Create, "promotion[type]")
                .unwrap()
                .ty,
            Type::Enum(&["coupon"])
        );
        let portal = ObjectKind::PortalConfiguration.table();
        assert!(portal.param_for(Operation::Create, "active").is_none());
        assert!(portal.param_for(Operation::Update, "active").is_some());
    }

    #[test]
    fn mutability_follows_the_update_endpoint() {
        let price = ObjectKind::Price.table();
        assert!(price.is_mutable("nickname"));
        assert!(price.is_mutable("currency_options[usd][tiers][2][up_to]"));
        assert!(!price.is_mutable("recurring[interval_count]"));
        assert!(!price.is_mutable("no_such_field"));
        let promo = ObjectKind::PromotionCode.table();
        assert!(promo.is_mutable("restrictions[currency_options][eur][minimum_amount]"));
        assert!(!promo.is_mutable("restrictions[first_time_transaction]"));
        let immutable: Vec<_> = ObjectKind::Coupon.table().immutable_paths().collect();
        assert!(immutable.contains(&"percent_off"));
        assert!(!immutable.contains(&"name"));
    }

    #[test]
    fn default_for_reads_the_table() {
        let price = ObjectKind::Price.table();
        assert_eq!(
            price.default_for("recurring[interval_count]"),
            Some(Default::Int(1))
        );
        assert_eq!(
            price.default_for("billing_scheme"),
            Some(Default::Str("per_unit"))
        );
        assert_eq!(price.default_for("nickname"), None);
        assert_eq!(price.default_for("metadata"), Some(Default::EmptyObject));
        assert_eq!(price.default_for("metadata[plan]"), None);
        assert_eq!(
            price.default_for("currency_options[eur][tax_behavior]"),
            Some(Default::Str("unspecified"))
        );
        assert_eq!(ObjectKind::Product.table().default_for("shippable"), None);
    }

    #[test]
    fn default_at_answers_what_default_for_answers() {
        for kind in ObjectKind::ALL {
            let table = kind.table();
            for param in table.params {
                let concrete = param.path.replace("[]", "[0]").replace("<key>", "eur");
                for path in [concrete.clone(), format!("{concrete}[x]")] {
                    if let Some(found) = table.param(&path) {
                        let at = table.default_at(found, &path);
                        assert_eq!(at, table.default_for(&path), "{kind}: {path}");
                    }
                }
            }
        }
    }

    #[test]
    fn fill_defaults_fills_top_level_and_present_parents_only() {
        let price = ObjectKind::Price.table();
        let mut one_time = object(json!({"currency": "eur", "unit_amount": 900}));
        price.fill_defaults(&mut one_time);
        assert_eq!(
            serde_json::Value::Object(one_time),
            json!({"currency": "eur", "unit_amount": 900, "active": true,
                   "billing_scheme": "per_unit", "metadata": {}, "tax_behavior": "unspecified"})
        );

        let mut recurring = object(json!({
            "currency": "eur", "active": false, "recurring": {"interval": "month"},
            "currency_options": {"usd": {"unit_amount": 1000}, "gbp": {"tax_behavior": "inclusive"}},
            "tax_behavior": null,
        }));
        price.fill_defaults(&mut recurring);
        assert_eq!(recurring["active"], json!(false), "a given value is kept");
        assert_eq!(
            recurring["tax_behavior"],
            json!(null),
            "null counts as present"
        );
        assert_eq!(
            recurring["recurring"],
            json!({"interval": "month", "interval_count": 1, "usage_type": "licensed"})
        );
        assert_eq!(
            recurring["currency_options"]["usd"]["tax_behavior"],
            json!("unspecified")
        );
        assert_eq!(
            recurring["currency_options"]["gbp"]["tax_behavior"],
            json!("inclusive")
        );
    }

    #[test]
    fn fill_defaults_fills_new_parents_and_array_elements() {
        let portal = ObjectKind::PortalConfiguration.table();
        let mut config = object(json!({"features": {"subscription_update": {
            "enabled": true,
            "products": [{"product": "prod_a", "prices": ["price_a"]},
                         {"product": "prod_b", "prices": [], "adjustable_quantity": {"enabled": true}}],
        }}}));
        portal.fill_defaults(&mut config);
        assert_eq!(config["active"], json!(true));
        assert_eq!(config["login_page"], json!({"enabled": false}));
        assert!(
            !config.contains_key("metadata"),
            "a portal's metadata is null when unset"
        );
        let features = &config["features"];
        assert_eq!(features["invoice_history"], json!({"enabled": false}));
        assert_eq!(
            features["subscription_cancel"]["cancellation_reason"],
            json!({"enabled": false, "options": []})
        );
        let update = &features["subscription_update"];
        assert_eq!(update["enabled"], json!(true));
        assert_eq!(update["schedule_at_period_end"], json!({"conditions": []}));
        assert_eq!(
            update["products"][0]["adjustable_quantity"],
            json!({"enabled": false, "minimum": 0})
        );
        assert_eq!(
            update["products"][1]["adjustable_quantity"],
            json!({"enabled": true, "minimum": 0})
        );
        assert!(!update
            .as_object()
            .unwrap()
            .contains_key("billing_cycle_anchor"));
    }
}
