//! Product features (`product_feature`): the attachment of an entitlement feature to a
//! product, so that buying the product entitles the customer to the feature. A script never
//! declares one on its own: it lists feature keys in the product's `features`, and each
//! (product, feature) pair is one attachment, living under its product
//! (`/v1/products/{product}/features`). Stripe has no update for it: what is missing is
//! attached; detaching is a DELETE that takes the entitlement away from paying customers.

use super::{Deactivation, KeyRule, Kind, KindDocs, ObjectKind, Refers, Within};
use crate::kinds::fields::Type::String;
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, REQ};

pub(super) struct ProductFeature;

impl Kind for ProductFeature {
    fn id(&self) -> ObjectKind {
        ObjectKind::ProductFeature
    }

    fn name(&self) -> &'static str {
        "product_feature"
    }

    fn noun(&self) -> std::string::String {
        "feature attachment".to_owned()
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        // The pair: the product's id (the path's, which `live` writes into the object) and
        // the attached feature's lookup key (Stripe returns the feature whole).
        KeyRule::Pair {
            parent: "product",
            child: "entitlement_feature[lookup_key]",
        }
    }

    fn deactivation(&self) -> Deactivation {
        // No update endpoint, no `active`: "Deletes the feature attachment to a product".
        Deactivation::Delete
    }

    fn within(&self) -> Option<Within> {
        Some(Within {
            parent: ObjectKind::Product,
            segment: "product",
            field: "features",
            param: "entitlement_feature",
            // NOTES.md, entitlements.feature: "No delete: `active=false` archives the
            // feature"; the archived ones are listed too (`inactive_filter`).
            target_never_deleted: true,
        })
    }

    fn references(&self) -> &'static [Refers] {
        &[
            Refers {
                pattern: "product",
                kind: ObjectKind::Product,
            },
            Refers {
                pattern: "entitlement_feature",
                kind: ObjectKind::Feature,
            },
        ]
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "product(id, #{ features: [feature keys] })",
            key: "the (product, feature) pair",
            references: "the product, and `features[]` → feature keys",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "product_feature",
    path: "/v1/products/{product}/features",
    // fixtures3.json `deleted_product_feature`: `prodft_BcMBZUWCIOEgEc`.
    id_prefix: "prodft_",
    custom_id: false,
    deletable: true,
    list_filters: &[],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("entitlement_feature", String, REQ, NO), // a feature id; no update endpoint
];
