//! The object kinds billingctl manages: one module per kind, each implementing [`Kind`], and
//! one list of them, [`KINDS`], in dependency order (ripgrep's `trait Flag` + `FLAGS`).
//!
//! A kind's module is where every Stripe fact about it is written: its field table (params,
//! mutability, defaults, set-once fields, which fields Stripe returns only when expanded), its
//! key rule, how it deactivates, what it references, how it is replaced on immutable change,
//! and the help its errors give. Generic code (script registration, fetch, diff, apply
//! scheduling, emulator routing, export, `billingctl docs`) loops over the list or asks an
//! object's kind through [`ObjectKind::def`]; nothing else matches on the kind.
//!
//! This layer sits just above `kinds::fields` (the table vocabulary) and below everything
//! else: it knows no catalog, plan or emulator.

mod coupon;
mod feature;
pub mod fields;
mod key;
mod meter;
mod portal_configuration;
mod price;
mod product;
mod product_feature;
mod promotion_code;
pub mod rules;
mod shipping_rate;
mod tax_rate;
mod values;
mod webhook_endpoint;
mod webhook_events;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub use key::{
    pair, KeyRule, EXACT_METADATA, KEY_METADATA, OWNED_METADATA, RESERVED_METADATA_PREFIX,
    SCOPE_METADATA,
};
pub use product::{MARKETING_FEATURES_MAX, STATEMENT_DESCRIPTOR_MAX};

use crate::compact::Read;
use crate::kinds::fields::ObjectTable;

/// The Stripe objects billingctl manages, in apply (dependency) order: the order of
/// [`KINDS`], which a test holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectKind {
    Product,
    Meter,
    Price,
    Coupon,
    PromotionCode,
    PortalConfiguration,
    WebhookEndpoint,
    TaxRate,
    ShippingRate,
    Feature,
    ProductFeature,
}

/// Every kind's definition, in dependency order: a kind comes after every kind it references
/// except through a deferred reference (a product's `default_price`, written once the price
/// exists).
pub static KINDS: [&dyn Kind; ObjectKind::ALL.len()] = [
    &product::Product,
    &meter::Meter,
    &price::Price,
    &coupon::Coupon,
    &promotion_code::PromotionCode,
    &portal_configuration::PortalConfiguration,
    &webhook_endpoint::WebhookEndpoint,
    &tax_rate::TaxRate,
    &shipping_rate::ShippingRate,
    &feature::Feature,
    &product_feature::ProductFeature,
];

impl ObjectKind {
    /// Every kind, in dependency order.
    pub const ALL: [ObjectKind; 11] = [
        ObjectKind::Product,
        ObjectKind::Meter,
        ObjectKind::Price,
        ObjectKind::Coupon,
        ObjectKind::PromotionCode,
        ObjectKind::PortalConfiguration,
        ObjectKind::WebhookEndpoint,
        ObjectKind::TaxRate,
        ObjectKind::ShippingRate,
        ObjectKind::Feature,
        ObjectKind::ProductFeature,
    ];

    /// This kind's definition.
    pub fn def(self) -> &'static dyn Kind {
        // The enum's order is the registry's (`the_registry_follows_the_enum`).
        KINDS[self as usize]
    }

    /// The name used in scripts, plans and errors: `product`, `promotion_code`, ...
    pub fn name(self) -> &'static str {
        self.def().name()
    }

    /// The field table of this kind.
    pub fn table(self) -> &'static ObjectTable {
        self.def().table()
    }

    /// The kind a name denotes: its own name or its script function (`portal`).
    pub fn from_name(name: &str) -> Option<ObjectKind> {
        KINDS
            .iter()
            .find(|kind| kind.name() == name || kind.function() == name)
            .map(|kind| kind.id())
    }
}

impl std::fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything billingctl knows about one object kind. Implemented once per kind, in its own
/// module; read through [`ObjectKind::def`] or by walking [`KINDS`].
pub trait Kind: Sync {
    /// The kind this definition is of.
    fn id(&self) -> ObjectKind;

    /// The name in scripts, plans and errors, e.g. `promotion_code`.
    fn name(&self) -> &'static str;

    /// The name in running text: `promotion code`, `portal configuration`.
    fn noun(&self) -> String {
        self.name().replace('_', " ")
    }

    /// The name for many, in plan summaries: `promotion codes`.
    fn plural(&self) -> String {
        format!("{}s", self.noun())
    }

    /// The script function that declares it (`portal` for a portal configuration).
    fn function(&self) -> &'static str {
        self.name()
    }

    /// Stripe's params and facts for this kind (`kinds::fields`).
    fn table(&self) -> &'static ObjectTable;

    /// How an object of this kind is matched in Stripe (DESIGN.md's key table).
    fn key(&self) -> KeyRule;

    /// How a script deactivates an object of this kind.
    fn deactivation(&self) -> Deactivation {
        Deactivation::ACTIVE
    }

    /// Where objects of this kind live under another kind's object, and how a script
    /// declares them through it (a product's feature attachments); `None` for a top-level
    /// kind, which has a script function of its own and one list endpoint.
    fn within(&self) -> Option<Within> {
        None
    }

    /// The params that hold another object's key, resolved to its id at apply time.
    fn references(&self) -> &'static [Refers] {
        &[]
    }

    /// The references Stripe will not let go stale: while one names an object, that object
    /// cannot be deactivated (a product's `default_price`: Stripe refuses to archive a
    /// product's default price). Each is one of `references()`.
    fn pins(&self) -> &'static [Pin] {
        &[]
    }

    /// The help of a warning about an object of this kind, outside the script, that still
    /// names an object the plan replaces (and archives).
    fn stale_reference_help(&self) -> &'static str {
        "point it at the new object, or manage it in this script"
    }

    /// Fields the list endpoint returns only when expanded (Stripe's "includable" fields):
    /// without them a change to a price's tiers would go unseen.
    fn expand(&self) -> &'static [&'static str] {
        &[]
    }

    /// The list filter that returns the inactive objects the unfiltered list leaves out
    /// (prices: `active=false`; entitlement features: `archived=true`), so the live account
    /// is read in two passes. `None`: the unfiltered list returns every object.
    fn inactive_filter(&self) -> Option<InactiveFilter> {
        None
    }

    /// Whether the key is unique only among active objects, so an inactive holder frees it
    /// (a promotion code's `code`): a script's active object is then a new one, or the
    /// inactive one brought back, and an inactive declaration needs nothing to exist.
    fn frees_key_when_inactive(&self) -> bool {
        false
    }

    /// Whether an inactive object can be made active again. `false` where deactivating is
    /// permanent (an entitlement feature: "permanently deactivate it"); with
    /// `frees_key_when_inactive`, an active declaration is then always a new object.
    fn reactivates(&self) -> bool {
        true
    }

    /// Whether a script may name an existing object's Stripe id to adopt it (`adopt`): only
    /// where the key is not the id itself.
    fn adoptable(&self) -> bool {
        false
    }

    /// What the plan can do when an immutable field changed.
    fn replacement(&self) -> Replacement {
        Replacement::Refused
    }

    /// The help of an immutable-drift error when the script or the run asked for a
    /// replacement that `replacement()` refuses; `None` keeps `immutable_help`.
    fn replace_refused_help(&self, _key: &str) -> Option<String> {
        None
    }

    /// The help of an immutable-drift error.
    fn immutable_help(&self) -> &'static str {
        "this field cannot change once the object exists: declare a new object"
    }

    /// The help of a duplicate-key error.
    fn duplicate_help(&self) -> &'static str {
        "keys are unique per kind; rename one, or change the first with `update(...)` in an overlay"
    }

    /// Rewrites the script's conveniences into Stripe's shape, and refuses fields billingctl
    /// leaves out of its model for a reason a generic "unknown field" would not explain.
    fn shape(&self, _fields: &mut serde_json::Map<String, serde_json::Value>) -> Vec<Refusal> {
        Vec::new()
    }

    /// Rewrites a live object, as the account returned it, into the params' terms where
    /// Stripe shows a param only in another form (a webhook endpoint's `disabled` as its
    /// `status`). Run once on every fetched object (`live::LiveState::new`), so the diff,
    /// matching, orphans and export all read the same.
    fn read(&self, _object: &mut crate::compact::Fields) {}

    /// The field of the create response that holds a secret Stripe returns only then (a
    /// webhook endpoint's signing `secret`): the apply hands it to the run's secrets file,
    /// a run refuses to create such an object without one, and nothing prints it.
    fn create_secret(&self) -> Option<&'static str> {
        None
    }

    /// For `billingctl docs`: the key argument and the references, in words.
    fn docs(&self) -> KindDocs;

    /// How `billingctl export` writes objects of this kind.
    fn export(&self) -> ExportMapping {
        ExportMapping::default()
    }
}

/// How an object of a kind stops being used, since billingctl never deletes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Deactivation {
    /// A boolean param of the update endpoint that turns the object off when it is `off`:
    /// `active: false` for most kinds ([`Deactivation::ACTIVE`]), `disabled: true` for a
    /// webhook endpoint. The script writes the param itself.
    Field { name: &'static str, off: bool },
    /// Endpoints of their own switch the object (`POST {path}/{id}/{deactivate}` and
    /// `/{reactivate}`, a billing meter's), and the object shows a status field instead of a
    /// boolean (`status: "active"` when on). The script still writes `active: false`, like
    /// every other kind: [`Deactivation::SCRIPT_PARAM`], which is not a Stripe param; plans
    /// carry it as `active` too, and the executor turns it into the endpoint's call.
    Endpoints {
        status_field: &'static str,
        on_value: &'static str,
        deactivate: &'static str,
        reactivate: &'static str,
    },
    /// The object ends by a DELETE, which billingctl sends only for an object the script no
    /// longer declares and only with `--prune`, as its own action (`detach`: a feature
    /// attachment, which takes the entitlement away from paying customers).
    Delete,
    /// The kind cannot be deactivated (a coupon): the reason, for errors.
    Impossible {
        reason: &'static str,
        help: &'static str,
    },
}

impl Deactivation {
    /// `active: false`, the most common way.
    pub const ACTIVE: Deactivation = Deactivation::Field {
        name: "active",
        off: false,
    };

    /// What scripts and plans write for a kind switched by endpoints: `active`.
    pub const SCRIPT_PARAM: &'static str = "active";

    /// Whether a live object (or create params) is on. An object without the field is on
    /// (a coupon has no `active`; a create that leaves `active` out makes an active object).
    pub fn is_on(self, object: &impl Read) -> bool {
        match self {
            Deactivation::Field { name, off } => {
                object.field(name).and_then(Read::flag) != Some(off)
            }
            Deactivation::Endpoints {
                status_field,
                on_value,
                ..
            } => object
                .field(status_field)
                .and_then(Read::text)
                .map_or(true, |status| status == on_value),
            Deactivation::Impossible { .. } | Deactivation::Delete => true,
        }
    }

    /// Whether params (a declaration's desired state) leave the object on.
    pub fn wants_on(self, params: &Map<String, Value>) -> bool {
        match self.off() {
            Some((name, off)) => params.get(name) != Some(&off),
            None => true,
        }
    }

    /// The param and its value that turn the object off, where there is one. For a kind
    /// switched by endpoints it is the script's `active: false`, which no Stripe endpoint
    /// takes as a param (`script_only`).
    pub fn off(self) -> Option<(&'static str, Value)> {
        match self {
            Deactivation::Field { name, off } => Some((name, Value::Bool(off))),
            Deactivation::Endpoints { .. } => Some((Self::SCRIPT_PARAM, Value::Bool(false))),
            Deactivation::Impossible { .. } | Deactivation::Delete => None,
        }
    }

    /// The param a script and a plan write that is no Stripe param (the `active` of a kind
    /// switched by endpoints): the diff takes it out before comparing fields, and the
    /// executor sends it as the endpoint's call.
    pub fn script_only(self) -> Option<&'static str> {
        match self {
            Deactivation::Endpoints { .. } => Some(Self::SCRIPT_PARAM),
            Deactivation::Field { .. } | Deactivation::Impossible { .. } | Deactivation::Delete => {
                None
            }
        }
    }

    /// The endpoint (`POST {path}/{id}/{action}`) that turns the object on or off, for a kind
    /// switched by endpoints.
    pub fn endpoint(self, on: bool) -> Option<&'static str> {
        match self {
            Deactivation::Endpoints {
                deactivate,
                reactivate,
                ..
            } => Some(if on { reactivate } else { deactivate }),
            Deactivation::Field { .. } | Deactivation::Impossible { .. } | Deactivation::Delete => {
                None
            }
        }
    }
}

/// A kind whose objects live under an object of another kind (`Kind::within`): its path names
/// the parent's id (`/v1/products/{product}/features`), its live objects are listed once per
/// live parent, and a script declares them in a field of the parent, as a list of keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Within {
    /// The parent's kind.
    pub parent: ObjectKind,
    /// The path segment that names the parent's id (`product`). It is also the field that
    /// holds the parent's key in a declaration's params (a reference, sent in the path and
    /// never in the body) and its id in a live object (Stripe's shape leaves it out; the
    /// listing writes it in).
    pub segment: &'static str,
    /// The parent's script field that declares these objects (`features`).
    pub field: &'static str,
    /// The param each key in that field becomes (`entitlement_feature`, a reference).
    pub param: &'static str,
    /// Whether Stripe never deletes the objects `param` names (a feature is only archived):
    /// then an account that lists none of them, active or archived, has none of these
    /// either, and the lists per parent are not asked for.
    pub target_never_deleted: bool,
}

/// A list filter and its value that list a kind's inactive objects (`Kind::inactive_filter`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InactiveFilter {
    /// One of the table's `list_filters`.
    pub name: &'static str,
    pub value: bool,
}

/// A param (a field-table pattern) that holds the key of an object of `kind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refers {
    pub pattern: &'static str,
    pub kind: ObjectKind,
}

/// A reference that keeps its target from being deactivated (`Kind::pins`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The reference's pattern, one of the kind's `references()`.
    pub pattern: &'static str,
    /// What the target is to the pinning object, in errors: `default price`.
    pub role: &'static str,
}

/// What a plan may do when an immutable field of an existing object changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Replacement {
    /// Stop with an error; nothing can replace the object.
    Refused,
    /// Create the new object, moving the key over with this update param, and archive the
    /// old one once nothing points at it (a price: `transfer_lookup_key`).
    TransferKey { param: &'static str },
    /// Deactivate the old object first, then create the new one: the key is unique among
    /// active objects only (a promotion code).
    RetireFirst,
}

/// A field a script gave that billingctl refuses, with why and what to write instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub message: &'static str,
    pub help: Option<&'static str>,
}

/// How `billingctl export` groups, orders and rewrites a kind's live objects.
#[derive(Clone, Copy, Debug, Default)]
pub struct ExportMapping {
    /// The heading of the section this kind's objects open; `None`: the plural, capitalised.
    pub heading: Option<&'static str>,
    /// Whether each object is written under the object one of its references names (a price
    /// under its product), rather than in a section of its own.
    pub under: Option<Under>,
    /// Stripe keeps inactive objects that hold the key of an active one (a promotion code's
    /// code is unique among active codes only); a script declares each key once, so the
    /// export keeps one per key: the active one, else the newest.
    pub one_per_key: bool,
    /// Objects Stripe returns only while they are on, without their required `enabled`
    /// (a price's `custom_unit_amount`): patterns, written back with `enabled: true`.
    pub on_when_present: &'static [&'static str],
}

/// Where an exported object is written: under the object its reference names.
#[derive(Clone, Copy, Debug)]
pub struct Under {
    /// The reference, a pattern of [`Kind::references`] (`product`, `promotion[coupon]`). The
    /// script names it first, under its last segment (`coupon: KEY`), and drops the rest of
    /// its top-level field (the coupon's `promotion` says nothing else).
    pub reference: &'static str,
    /// The field an object is named by in the note that its owner is missing (`id`, `code`).
    pub named_by: &'static str,
    /// What that note says of the owner: `was not found`, `no longer exists`.
    pub missing: &'static str,
}

/// The words `billingctl docs` prints about a kind.
#[derive(Clone, Copy, Debug)]
pub struct KindDocs {
    /// `price(lookup_key, #{...})`.
    pub signature: &'static str,
    /// What the key is.
    pub key: &'static str,
    /// Which fields name other objects.
    pub references: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_follows_the_enum() {
        for (position, kind) in KINDS.iter().enumerate() {
            assert_eq!(kind.id() as usize, position, "{}", kind.name());
            assert_eq!(ObjectKind::ALL[position], kind.id());
        }
    }

    #[test]
    fn every_reference_points_at_a_param_and_an_earlier_kind_or_is_deferred() {
        for kind in KINDS {
            for refers in kind.references() {
                let in_path = kind.within().is_some_and(|w| w.segment == refers.pattern);
                assert!(
                    in_path || kind.table().params.iter().any(|p| p.path == refers.pattern),
                    "{}: {} is not a param",
                    kind.name(),
                    refers.pattern
                );
            }
        }
    }

    #[test]
    fn every_inactive_filter_is_a_list_filter() {
        for kind in KINDS {
            if let Some(filter) = kind.inactive_filter() {
                assert!(
                    kind.table().list_filters.contains(&filter.name),
                    "{}: {} is not a list filter",
                    kind.name(),
                    filter.name
                );
            }
        }
    }

    #[test]
    fn every_pin_is_a_reference() {
        for kind in KINDS {
            for pin in kind.pins() {
                assert!(
                    kind.references().iter().any(|r| r.pattern == pin.pattern),
                    "{}: pin {} is not a reference",
                    kind.name(),
                    pin.pattern
                );
            }
        }
    }

    #[test]
    fn export_mappings_name_the_kinds_own_references_and_params() {
        for kind in KINDS {
            let mapping = kind.export();
            if let Some(under) = mapping.under {
                assert!(
                    kind.references()
                        .iter()
                        .any(|r| r.pattern == under.reference),
                    "{}: {} is not a reference",
                    kind.name(),
                    under.reference
                );
                // Every object has its Stripe `id`; anything else must be a param.
                assert!(
                    under.named_by == "id"
                        || kind.table().params.iter().any(|p| p.path == under.named_by),
                    "{}: {} names nothing",
                    kind.name(),
                    under.named_by
                );
            }
            for pattern in mapping.on_when_present {
                let enabled = format!("{pattern}[enabled]");
                assert!(
                    kind.table().params.iter().any(|p| p.path == enabled),
                    "{}: {enabled} is not a param",
                    kind.name()
                );
            }
        }
    }

    #[test]
    fn a_kind_switched_by_endpoints_reads_its_status_and_takes_the_scripts_active() {
        use serde_json::json;
        let meter = ObjectKind::Meter.def().deactivation();
        assert!(meter.is_on(&json!({"status": "active"})));
        assert!(!meter.is_on(&json!({"status": "inactive"})));
        // Create params carry no status: what they create is on.
        assert!(meter.is_on(&json!({"event_name": "e"})));
        let params = |v: serde_json::Value| v.as_object().cloned().unwrap();
        assert!(!meter.wants_on(&params(json!({"active": false}))));
        assert!(meter.wants_on(&params(json!({}))));
        assert_eq!(meter.off(), Some(("active", Value::Bool(false))));
        assert_eq!(meter.script_only(), Some("active"));
        assert_eq!(meter.endpoint(false), Some("deactivate"));
        assert_eq!(meter.endpoint(true), Some("reactivate"));
        assert_eq!(Deactivation::ACTIVE.script_only(), None);
        assert_eq!(Deactivation::ACTIVE.endpoint(false), None);
        assert!(!ObjectKind::Meter
            .table()
            .params
            .iter()
            .any(|p| p.path == "active"));
    }

    #[test]
    fn names_and_functions_find_their_kind() {
        assert_eq!(
            ObjectKind::from_name("portal"),
            Some(ObjectKind::PortalConfiguration)
        );
        assert_eq!(
            ObjectKind::from_name("portal_configuration"),
            Some(ObjectKind::PortalConfiguration)
        );
        assert_eq!(ObjectKind::from_name("price"), Some(ObjectKind::Price));
        assert_eq!(ObjectKind::from_name("prices"), None);
    }
}
