//! Entitlement features (`entitlements.feature`), matched by `lookup_key`, declared with
//! `feature(lookup_key, ...)`. Only `name`, `metadata` and `active` change; `active: false`
//! archives a feature (Stripe has no delete), and an archived feature is left out of the
//! list endpoint unless `archived=true` is asked for (param-rules R022).

use super::values::METADATA;
use super::{ExportMapping, InactiveFilter, KeyRule, Kind, KindDocs, ObjectKind};
use crate::kinds::fields::Default::{Bool, EmptyObject};
use crate::kinds::fields::Type::{Boolean, Map, String};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};

pub(super) struct Feature;

/// "This may be up to 80 characters" (param-rules R024; NOTES.md).
pub const LOOKUP_KEY_MAX: usize = 80;

impl Kind for Feature {
    fn id(&self) -> ObjectKind {
        ObjectKind::Feature
    }

    fn name(&self) -> &'static str {
        "feature"
    }

    fn noun(&self) -> std::string::String {
        "entitlement feature".to_owned()
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        // "A unique key you provide as your own system identifier" (R023); immutable.
        KeyRule::Field("lookup_key")
    }

    fn inactive_filter(&self) -> Option<InactiveFilter> {
        // R022: inactive features "will not be returned from the features list endpoint";
        // `archived`: "filter results to only include features with the given archive status".
        Some(InactiveFilter {
            name: "archived",
            value: true,
        })
    }

    fn frees_key_when_inactive(&self) -> bool {
        // An archived feature's lookup key can be reused by a new feature (see
        // `emulator/objects/feature.rs` for where this comes from).
        true
    }

    fn reactivates(&self) -> bool {
        // The update endpoint: "Update a feature's metadata or permanently deactivate it"
        // (catalog-fields.json).
        false
    }

    fn immutable_help(&self) -> &'static str {
        "a feature's lookup_key cannot change: declare a new feature with a new lookup_key"
    }

    fn export(&self) -> ExportMapping {
        ExportMapping {
            heading: Some("Entitlement features"),
            // Archived features keep the lookup key of the active one that replaced them.
            one_per_key: true,
            ..ExportMapping::default()
        }
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "feature(lookup_key, #{...})",
            key: "the lookup key (≤ 80 characters)",
            references: "—",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "entitlements.feature",
    path: "/v1/entitlements/features",
    id_prefix: "feat_",
    custom_id: false,
    deletable: false,
    list_filters: &["archived", "lookup_key"],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("active", Boolean, NO, OPT).default(Bool(true)), // update-only: a feature is created active; `false` archives
    p("lookup_key", String, REQ, NO).max_chars(LOOKUP_KEY_MAX), // R024
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // fixture: `{}`
    p("name", String, REQ, OPT),
];
