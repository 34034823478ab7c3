//! The dependency levels writes are grouped in, derived from the registry (`KINDS`, in
//! dependency order) and its facts; no kind is named here.
//!
//! A stage is a phase of one kind's writes, placed at a slot of the registry:
//! - `Main` at the kind's own slot: its creates and updates. A kind comes after every kind
//!   it references, so its references exist by then.
//! - `Deferred` at a later kind's slot: the params that reference that later kind (a
//!   product's `default_price` names a price), written once its objects exist.
//! - `FollowUp` right after `Main`: update-only params a create cannot carry (a portal
//!   configuration's `active=false`).
//! - `Deactivate`, for a kind some reference pins (`Kind::pins`: a price that may be a
//!   product's default), after every slot whose writes can move those pins away. A kind
//!   nothing pins deactivates in `Main`.
//! - `Retire` before `Main` (`Replacement::RetireFirst`: a promotion code's old code goes
//!   before the new one takes it), or `Archive` after every other write
//!   (`Replacement::TransferKey`: a replaced price once its key and every reference moved).
//!
//! Beyond a stage's order, `barrier` says which other kinds' writes a deactivation or an
//! archive must wait for: those that may still be moving a reference away from the object.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::kinds::{Kind, ObjectKind, Replacement, KINDS};
use crate::path::segments;

/// What a stage's writes do, in the order phases run within one slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Phase {
    /// A replaced object's old self, deactivated before its successor is created.
    Retire,
    /// Creates and updates of a kind's own params.
    Main,
    /// References of an earlier kind to this slot's kind.
    Deferred,
    /// Update-only params after a create.
    FollowUp,
    /// Deactivations of a pinned kind.
    Deactivate,
    /// A replaced object's old self, archived last.
    Archive,
}

/// One dependency level. Stages order by slot, then phase, then the writes' kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stage {
    /// The registry position the stage runs at (the registry's length: after all).
    pub slot: usize,
    pub phase: Phase,
    /// The registry position of the writes' kind.
    pub rank: usize,
    /// The kind whose objects the writes change.
    pub kind: ObjectKind,
}

/// A write's params split by when they can be sent (`Registry::split`).
pub struct Split {
    /// The params that go with the write itself.
    pub own: Map<String, Value>,
    /// The references to later kinds, each group with its stage.
    pub deferred: Vec<(Stage, Map<String, Value>)>,
}

/// The scheduling facts of a registry.
#[derive(Clone, Copy)]
pub struct Registry<'r> {
    kinds: &'r [&'r dyn Kind],
}

impl Registry<'static> {
    /// The registry billingctl manages.
    pub fn global() -> Self {
        Self { kinds: &KINDS }
    }
}

impl<'r> Registry<'r> {
    /// A registry of `kinds`, in dependency order.
    pub fn new(kinds: &'r [&'r dyn Kind]) -> Self {
        Self { kinds }
    }

    fn rank(&self, kind: ObjectKind) -> usize {
        self.kinds
            .iter()
            .position(|k| k.id() == kind)
            .expect("every kind is in the registry")
    }

    fn def(&self, kind: ObjectKind) -> &'r dyn Kind {
        self.kinds[self.rank(kind)]
    }

    fn stage(&self, slot: usize, phase: Phase, kind: ObjectKind) -> Stage {
        Stage {
            slot,
            phase,
            rank: self.rank(kind),
            kind,
        }
    }

    /// Creates and updates of `kind`.
    pub fn main(&self, kind: ObjectKind) -> Stage {
        self.stage(self.rank(kind), Phase::Main, kind)
    }

    /// Update-only params after a create of `kind`.
    pub fn follow_up(&self, kind: ObjectKind) -> Stage {
        self.stage(self.rank(kind), Phase::FollowUp, kind)
    }

    /// Deactivations of `kind`: after the writes of every kind that pins it, else `Main`.
    pub fn deactivation(&self, kind: ObjectKind) -> Stage {
        let pinners = self.pinners(kind);
        if pinners.is_empty() {
            return self.main(kind);
        }
        let slot = pinners
            .iter()
            .map(|&k| self.rank(k))
            .chain([self.rank(kind)])
            .max()
            .unwrap_or_default();
        self.stage(slot, Phase::Deactivate, kind)
    }

    /// A replaced object's old self: `Retire` before its successor's create, or `Archive`
    /// after every other write when the successor takes the key over from it.
    pub fn retirement(&self, kind: ObjectKind) -> Stage {
        match self.def(kind).replacement() {
            Replacement::TransferKey { .. } => self.stage(self.kinds.len(), Phase::Archive, kind),
            Replacement::RetireFirst | Replacement::Refused => {
                self.stage(self.rank(kind), Phase::Retire, kind)
            }
        }
    }

    /// A deactivation through the kind's own endpoint (a meter's `deactivate`): after every
    /// other write, waiting for every write of the kinds that reference it (`barrier`, as an
    /// archive), since Stripe will not attach an inactive object to a new one ("You can't
    /// attach a deactivated meter to a price": docs.stripe.com/api/billing/meter/deactivate).
    pub fn switch_off(&self, kind: ObjectKind) -> Stage {
        self.stage(self.kinds.len(), Phase::Archive, kind)
    }

    /// `params` of `kind` split by when they can be sent: the kind's own, and each group of
    /// references to a later kind with the stage that waits for it.
    pub fn split(&self, kind: ObjectKind, mut params: Map<String, Value>) -> Split {
        let mut deferred: BTreeMap<usize, Map<String, Value>> = BTreeMap::new();
        let rank = self.rank(kind);
        for refers in self.def(kind).references() {
            let slot = self.rank(refers.kind);
            if slot <= rank {
                continue;
            }
            let top = segments(refers.pattern)[0];
            if let Some(value) = params.remove(top) {
                deferred
                    .entry(slot)
                    .or_default()
                    .insert(top.to_owned(), value);
            }
        }
        Split {
            own: params,
            deferred: deferred
                .into_iter()
                .map(|(slot, params)| (self.stage(slot, Phase::Deferred, kind), params))
                .collect(),
        }
    }

    /// What a write at `stage` waits for beyond its own object's and its references' earlier
    /// writes: every write of the returned kinds staged after the returned stage (and before
    /// its own). A deactivation waits for the kinds that pin it, an archive for every kind
    /// that references it: from the object's own `Main` on, any of their writes may be moving
    /// a reference away from it (none before can: a reference to a later kind is deferred).
    pub fn barrier(&self, stage: Stage) -> Option<(Vec<ObjectKind>, Stage)> {
        let holders = match stage.phase {
            Phase::Deactivate => self.pinners(stage.kind),
            Phase::Archive => self.referrers(stage.kind),
            Phase::Retire | Phase::Main | Phase::Deferred | Phase::FollowUp => return None,
        };
        Some((holders, self.main(stage.kind)))
    }

    /// The kinds with a pin on `kind`.
    fn pinners(&self, kind: ObjectKind) -> Vec<ObjectKind> {
        self.kinds
            .iter()
            .filter(|k| {
                k.pins().iter().any(|pin| {
                    k.references()
                        .iter()
                        .any(|r| r.pattern == pin.pattern && r.kind == kind)
                })
            })
            .map(|k| k.id())
            .collect()
    }

    /// The kinds with a reference to `kind`.
    fn referrers(&self, kind: ObjectKind) -> Vec<ObjectKind> {
        self.kinds
            .iter()
            .filter(|k| k.references().iter().any(|r| r.kind == kind))
            .map(|k| k.id())
            .collect()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::kinds::fields::ObjectTable;
    use crate::kinds::{KeyRule, KindDocs, Pin, Refers};

    /// A kind with made-up facts, standing in for one billingctl does not have yet; it
    /// borrows a real kind's id and table.
    pub(crate) struct Fake {
        pub id: ObjectKind,
        pub references: &'static [Refers],
        pub pins: &'static [Pin],
        pub replacement: Replacement,
    }

    impl Kind for Fake {
        fn id(&self) -> ObjectKind {
            self.id
        }
        fn name(&self) -> &'static str {
            self.id.name()
        }
        fn table(&self) -> &'static ObjectTable {
            self.id.table()
        }
        fn key(&self) -> KeyRule {
            self.id.def().key()
        }
        fn references(&self) -> &'static [Refers] {
            self.references
        }
        fn pins(&self) -> &'static [Pin] {
            self.pins
        }
        fn replacement(&self) -> Replacement {
            self.replacement
        }
        fn docs(&self) -> KindDocs {
            self.id.def().docs()
        }
    }

    #[test]
    fn the_registry_gives_the_stages_in_the_order_billingctl_writes() {
        use ObjectKind::*;
        let registry = Registry::global();
        let order = [
            registry.main(Product),
            registry.main(Price),
            // A product's default_price, once prices exist.
            registry
                .split(
                    Product,
                    serde_json::json!({"default_price": "p"})
                        .as_object()
                        .cloned()
                        .unwrap(),
                )
                .deferred[0]
                .0,
            registry.deactivation(Price),
            registry.main(Coupon),
            registry.retirement(PromotionCode),
            registry.main(PromotionCode),
            registry.main(PortalConfiguration),
            registry.follow_up(PortalConfiguration),
            registry.retirement(Price),
        ];
        let mut sorted = order;
        sorted.sort();
        assert_eq!(sorted, order);
        // Nothing pins a product, a promotion code or a portal: they deactivate in place.
        assert_eq!(registry.deactivation(Product), registry.main(Product));
        assert_eq!(
            registry.deactivation(PromotionCode),
            registry.main(PromotionCode)
        );
        assert_eq!(registry.barrier(registry.main(Price)), None);
        assert_eq!(
            registry.barrier(registry.deactivation(Price)),
            Some((vec![Product], registry.main(Price)))
        );
        assert_eq!(
            registry.barrier(registry.retirement(Price)),
            Some((vec![Product, PortalConfiguration], registry.main(Price)))
        );
    }

    #[test]
    fn a_new_kind_is_placed_by_its_references_and_pins_alone() {
        use ObjectKind::*;
        // Four kinds: `a`; `b` references `a`; `c`, later, references `b`, pins it, and has
        // a reference to `d`, which comes after it; `d` references nothing.
        let a = Fake {
            id: Product,
            references: &[],
            pins: &[],
            replacement: Replacement::Refused,
        };
        let b = Fake {
            id: Price,
            references: &[Refers {
                pattern: "product",
                kind: Product,
            }],
            pins: &[],
            replacement: Replacement::TransferKey {
                param: "transfer_lookup_key",
            },
        };
        let c = Fake {
            id: Coupon,
            references: &[
                Refers {
                    pattern: "applies_to[products][]",
                    kind: Price,
                },
                Refers {
                    pattern: "currency_options",
                    kind: PromotionCode,
                },
            ],
            pins: &[Pin {
                pattern: "applies_to[products][]",
                role: "applied price",
            }],
            replacement: Replacement::Refused,
        };
        let d = Fake {
            id: PromotionCode,
            references: &[],
            pins: &[],
            replacement: Replacement::RetireFirst,
        };
        let kinds: [&dyn Kind; 4] = [&a, &b, &c, &d];
        let registry = Registry::new(&kinds);

        // `b` is pinned by the later `c`: its deactivations wait for `c`'s slot.
        let deactivate_b = registry.deactivation(Price);
        assert!(deactivate_b > registry.main(Coupon));
        assert!(deactivate_b < registry.main(PromotionCode));
        assert_eq!(
            registry.barrier(deactivate_b),
            Some((vec![Coupon], registry.main(Price)))
        );
        // `c`'s reference to the later `d` waits for `d`'s creates; the rest goes first.
        let params = serde_json::json!({"applies_to": {"products": ["x"]}, "currency_options": {}})
            .as_object()
            .cloned()
            .unwrap();
        let Split { own, deferred } = registry.split(Coupon, params);
        assert_eq!(own.keys().collect::<Vec<_>>(), ["applies_to"]);
        assert_eq!(deferred.len(), 1);
        assert!(deferred[0].0 > registry.main(PromotionCode));
        assert_eq!(deferred[0].0.kind, Coupon);
        // `b`'s archive goes after everything and waits for `c` (which references it).
        let archive_b = registry.retirement(Price);
        assert!(archive_b > registry.follow_up(PromotionCode));
        assert_eq!(
            registry.barrier(archive_b),
            Some((vec![Coupon], registry.main(Price)))
        );
        // `d` retires its old self before creating the new one.
        assert!(registry.retirement(PromotionCode) < registry.main(PromotionCode));
    }
}
