//! Tax rates, matched by a key the script names, kept in metadata `billingctl_key`. Declared
//! with `tax_rate(key, ...)`. A rate's `percentage` and `inclusive` never change once it
//! exists (Stripe's update endpoint takes neither: `catalog-fields.json`, NOTES.md), and
//! Stripe has no delete: `active: false` archives it.

use super::values::METADATA;
use super::{KeyRule, Kind, KindDocs, ObjectKind};
use crate::kinds::fields::Default::{Bool, EmptyObject};
use crate::kinds::fields::Type::{Boolean, Enum, Map, Number, String};
use crate::kinds::fields::{p, Compiled, ObjectTable, Param, NO, OPT, REQ};

pub(super) struct TaxRate;

impl Kind for TaxRate {
    fn id(&self) -> ObjectKind {
        ObjectKind::TaxRate
    }

    fn name(&self) -> &'static str {
        "tax_rate"
    }

    fn table(&self) -> &'static ObjectTable {
        &TABLE
    }

    fn key(&self) -> KeyRule {
        KeyRule::Metadata
    }

    fn adoptable(&self) -> bool {
        true
    }

    // A tax rate cannot be replaced under its key: invoices and subscriptions name the rate
    // by id, so a changed rate is a new rate the script declares (and points them at), and
    // the old one is archived with `active: false`. Stripe's update endpoint
    // (docs.stripe.com/api/tax_rates/update) takes neither `percentage` nor `inclusive`, and
    // its `active` says what archiving does: "Inactive tax rates cannot be used with new
    // applications or Checkout Sessions, but will still work for subscriptions and invoices
    // that already have it set" (param-rules R118). So a changed rate is a new rate and the
    // old one archived (the API reference's related guide: stripe.com/docs/billing/taxes/
    // tax-rates).
    fn replace_refused_help(&self, key: &str) -> Option<std::string::String> {
        Some(format!(
            "a tax rate's percentage and inclusive cannot change once it exists, and billingctl \
             does not move its key to a new rate. Declare the new rate as a tax rate with a new \
             key (e.g. `{key}_v2`), and archive this one with `active: false`"
        ))
    }

    fn immutable_help(&self) -> &'static str {
        "a tax rate's percentage and inclusive cannot change once it exists: declare a new tax \
         rate with a new key, and archive this one with `active: false`"
    }

    fn docs(&self) -> KindDocs {
        KindDocs {
            signature: "tax_rate(key, #{...})",
            key: "a name you choose, kept in metadata `billingctl_key`",
            references: "none",
        }
    }
}

static TABLE: ObjectTable = ObjectTable {
    object: "tax_rate",
    path: "/v1/tax_rates",
    id_prefix: "txr_", // fixture: `txr_1Pgc7BB7WZ01zgkW4Iwwvf6z`
    custom_id: false,
    deletable: false,
    list_filters: &["active", "created", "inclusive"],
    params: PARAMS,
    index: Compiled::new(),
};

#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("active", Boolean, OPT, OPT).default(Bool(true)), // response: "Defaults to `true`"
    p("country", String, OPT, OPT),
    p("description", String, OPT, OPT),
    p("display_name", String, REQ, OPT),
    p("inclusive", Boolean, REQ, NO),
    p("jurisdiction", String, OPT, OPT),
    p("metadata", Map, OPT, OPT).emptyable().default(EmptyObject).limits(METADATA), // fixture
    p("percentage", Number, REQ, NO),
    p("state", String, OPT, OPT),
    p("tax_type", Enum(TAX_TYPE), OPT, OPT),
];

/// `tax_type`'s values (create and update params, and the response).
const TAX_TYPE: &[&str] = &[
    "admissions_tax",
    "amusement_tax",
    "attendance_tax",
    "communications_tax",
    "digital_excise_tax",
    "entertainment_tax",
    "get_fund",
    "gross_receipts_tax",
    "gst",
    "hospitality_tax",
    "hst",
    "igst",
    "jct",
    "lease_tax",
    "luxury_tax",
    "mass_transit_parking_tax",
    "nhil",
    "parking_tax",
    "pst",
    "qst",
    "resort_tax",
    "retail_delivery_fee",
    "rst",
    "sales_tax",
    "service_tax",
    "tourism_tax",
    "utility_users_tax",
    "vat",
];
