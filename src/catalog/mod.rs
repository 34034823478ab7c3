//! The typed desired-state graph a script evaluates to.
//!
//! This module is the contract between the script engine (which fills a `Catalog`) and the
//! planner (which reads it): the planner sees every object through `Declaration`, in apply
//! order, and never the Rhai values behind it.
//!
//! Each kind's typed spec lives in its own module (`price`, ...) with the kind's own rules;
//! `validate` holds the rules every kind shares (the field table's limits and enums, adopted
//! ids) and knows no spec; `graph` checks keys and references; `object` builds a spec from a
//! script's map and runs the checks in order.

pub mod account;
pub mod common;
pub mod coupon;
pub mod currency;
pub mod declared;
pub mod feature;
pub mod graph;
pub mod key;
pub mod meter;
pub mod object;
pub mod parse;
pub mod portal;
pub mod price;
pub mod product;
pub mod product_feature;
pub mod promotion_code;
pub mod refusals;
pub mod shipping_rate;
pub mod tax_rate;
pub mod validate;
pub mod webhook_endpoint;

use std::borrow::Cow;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde::Serialize;
use serde_json::{Map, Value};

use crate::diag::Sources;
use crate::kinds::ObjectKind;

/// Where a script declared an object: the span type of `diag`, below the catalog.
pub use crate::diag::DeclaredAt;

pub use account::ConnectedAccount;

/// Test mode or live mode: decides which API keys are acceptable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    #[default]
    Test,
    Live,
}

/// The environment a script was evaluated for.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Environment {
    pub name: String,
    pub mode: Mode,
    /// Values the environment defines, visible to scripts as `env.values`.
    pub values: Map<String, Value>,
    /// The connected account this evaluation is for (Connect: one evaluation per account),
    /// visible to scripts as `env.account`. `None` for the account of the key itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<ConnectedAccount>,
    /// The connected accounts the overlay's `settings()` lists (`accounts: [...]`), the
    /// default targets when no `--stripe-account` or `--accounts` is given.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub accounts: Vec<ConnectedAccount>,
}

/// A place in an object's params where the key of another object stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// Concrete form path, e.g. `product` or `features[subscription_update][products][0][prices][1]`.
    pub path: String,
    pub kind: ObjectKind,
    pub key: String,
}

/// How a declaration claims its live object, beside its Stripe fields: the script's `adopt`
/// and `metadata_exact`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ownership {
    /// The id of an existing Stripe object to adopt (`adopt: "price_…"`).
    pub adopt: Option<String>,
    /// `metadata_exact: true`: the script's metadata is the object's whole metadata, so keys
    /// set outside billingctl are removed. By default they are kept
    /// (`crate::plan::owned_metadata`).
    pub exact_metadata: bool,
}

/// One declared object, as the planner sees it.
///
/// `Send + Sync` so a catalog can cross threads and `.await`s in the async planner.
pub trait Declaration: std::fmt::Debug + Send + Sync {
    fn kind(&self) -> ObjectKind;
    /// The matching key (DESIGN.md): product id, price lookup_key, coupon id, promotion
    /// code, portal key.
    fn key(&self) -> &str;
    fn declared_at(&self) -> &DeclaredAt;
    /// How the declaration claims its live object (`adopt`, `metadata_exact`).
    fn ownership(&self) -> &Ownership;
    /// The id of an existing Stripe object this declaration adopts, when the script names one.
    fn adopt_id(&self) -> Option<&str> {
        self.ownership().adopt.as_deref()
    }
    /// Stripe's create params for this object, with Stripe's names and nesting. Where another
    /// object is referenced, the value is that object's key (see `references`). Borrowed
    /// where the declaration holds them (the planner's copies), serialised from a typed
    /// spec on each call.
    fn params(&self) -> Cow<'_, Map<String, Value>>;
    /// Every reference in `params`.
    fn references(&self) -> &[Reference];
    /// Whether the script lets this object be replaced when an immutable field changed
    /// (`on_immutable_change: "replace"`); `--allow-replace` allows it for every object.
    fn allows_replace(&self) -> bool {
        false
    }
}

/// The whole desired state of one catalog in one environment.
#[derive(Debug, Default)]
pub struct Catalog {
    pub environment: Environment,
    /// The ownership scope (metadata `billingctl_scope`): by default the script's file stem.
    pub scope: String,
    /// The text of every script the catalog was evaluated from, for the lines errors about
    /// its declarations show (even those found after fetching the live account).
    pub sources: Sources,
    /// The declarations of each kind (by `ObjectKind` position, apply order), each kind in
    /// declaration order, with each key's position in its list (the first declaration of a
    /// key wins): every pass of the planner walks them and looks them up by key.
    by_kind: Vec<OfKind>,
}

#[derive(Debug, Default)]
struct OfKind {
    /// Shared: the planner's managed catalog wraps these same declarations (`wrapped`).
    declarations: Vec<Arc<dyn Declaration>>,
    /// Shared with every catalog `wrapped` from this one, which holds the same keys.
    positions: Arc<FxHashMap<String, usize>>,
}

impl Catalog {
    pub fn new(environment: Environment, scope: String) -> Self {
        Self {
            environment,
            scope,
            ..Self::default()
        }
    }

    pub fn push(&mut self, declaration: Box<dyn Declaration>) {
        self.push_shared(Arc::from(declaration));
    }

    /// `push`, for a declaration made shared (the script's: `Object::into_declaration`).
    pub fn push_shared(&mut self, declaration: Arc<dyn Declaration>) {
        let position = declaration.kind() as usize;
        if self.by_kind.len() <= position {
            self.by_kind.resize_with(position + 1, OfKind::default);
        }
        let of_kind = &mut self.by_kind[position];
        let next = of_kind.declarations.len();
        Arc::make_mut(&mut of_kind.positions)
            .entry(declaration.key().to_owned())
            .or_insert(next);
        of_kind.declarations.push(declaration);
    }

    /// A catalog of the same declarations, in the same order, each wrapped by `wrap`, which
    /// keeps its kind and key (the planner's managed catalog, `plan::managed`). The key
    /// index is shared, not rebuilt, and the declarations are not copied.
    pub fn wrapped(
        &self,
        mut wrap: impl FnMut(&Arc<dyn Declaration>) -> Arc<dyn Declaration>,
    ) -> Catalog {
        let by_kind = self
            .by_kind
            .iter()
            .map(|of_kind| OfKind {
                declarations: of_kind
                    .declarations
                    .iter()
                    .map(|declaration| {
                        let wrapped = wrap(declaration);
                        debug_assert_eq!(
                            (wrapped.kind(), wrapped.key()),
                            (declaration.kind(), declaration.key())
                        );
                        wrapped
                    })
                    .collect(),
                positions: Arc::clone(&of_kind.positions),
            })
            .collect();
        Catalog {
            environment: self.environment.clone(),
            scope: self.scope.clone(),
            sources: Sources::default(),
            by_kind,
        }
    }

    /// Every object, kinds in apply order (`ObjectKind::ALL`), each kind in declaration order.
    pub fn declarations(&self) -> impl Iterator<Item = &dyn Declaration> + '_ {
        self.by_kind
            .iter()
            .flat_map(|of_kind| &of_kind.declarations)
            .map(Arc::as_ref)
    }

    /// The objects of one kind, in declaration order.
    pub fn of_kind(&self, kind: ObjectKind) -> impl Iterator<Item = &dyn Declaration> + '_ {
        self.by_kind
            .get(kind as usize)
            .into_iter()
            .flat_map(|of_kind| &of_kind.declarations)
            .map(Arc::as_ref)
    }

    pub fn get(&self, kind: ObjectKind, key: &str) -> Option<&dyn Declaration> {
        let of_kind = self.by_kind.get(kind as usize)?;
        let position = *of_kind.positions.get(key)?;
        Some(of_kind.declarations[position].as_ref())
    }

    pub fn len(&self) -> usize {
        self.by_kind.iter().map(|k| k.declarations.len()).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A declaration that is only a kind, a key and a line.
    #[derive(Debug)]
    struct Bare(
        ObjectKind,
        String,
        DeclaredAt,
        Ownership,
        Map<String, Value>,
    );

    impl Declaration for Bare {
        fn kind(&self) -> ObjectKind {
            self.0
        }
        fn key(&self) -> &str {
            &self.1
        }
        fn declared_at(&self) -> &DeclaredAt {
            &self.2
        }
        fn ownership(&self) -> &Ownership {
            &self.3
        }
        fn params(&self) -> Cow<'_, Map<String, Value>> {
            Cow::Borrowed(&self.4)
        }
        fn references(&self) -> &[Reference] {
            &[]
        }
    }

    fn declared(kind: ObjectKind, key: &str, line: u32) -> Box<dyn Declaration> {
        let at = DeclaredAt {
            file: "catalog.rhai".to_owned(),
            line,
            column: 1,
        };
        Box::new(Bare(
            kind,
            key.to_owned(),
            at,
            Ownership::default(),
            Map::new(),
        ))
    }

    #[test]
    fn declarations_come_in_apply_order_and_are_found_by_kind_and_key() {
        let mut catalog = Catalog::default();
        catalog.push(declared(ObjectKind::PromotionCode, "LAUNCH", 1));
        catalog.push(declared(ObjectKind::Price, "basic_m", 2));
        catalog.push(declared(ObjectKind::Product, "basic", 3));
        catalog.push(declared(ObjectKind::Price, "basic_y", 4));
        let order: Vec<&str> = catalog.declarations().map(|d| d.key()).collect();
        assert_eq!(order, ["basic", "basic_m", "basic_y", "LAUNCH"]);
        let prices: Vec<&str> = catalog
            .of_kind(ObjectKind::Price)
            .map(|d| d.key())
            .collect();
        assert_eq!(prices, ["basic_m", "basic_y"]);
        assert_eq!(catalog.len(), 4);
        let found = catalog.get(ObjectKind::Price, "basic_y");
        assert_eq!(found.map(|d| d.declared_at().line), Some(4));
        assert!(catalog.get(ObjectKind::Product, "basic_m").is_none());
        assert!(catalog.get(ObjectKind::Meter, "basic").is_none());
    }

    #[test]
    fn the_first_declaration_of_a_key_is_the_one_found() {
        let mut catalog = Catalog::default();
        catalog.push(declared(ObjectKind::Coupon, "launch", 1));
        catalog.push(declared(ObjectKind::Coupon, "launch", 2));
        let found = catalog.get(ObjectKind::Coupon, "launch");
        assert_eq!(found.map(|d| d.declared_at().line), Some(1));
        assert_eq!(catalog.of_kind(ObjectKind::Coupon).count(), 2);
    }
}
