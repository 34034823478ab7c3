//! Why a plan cannot be applied (or, for warnings, what it leaves as it is), as data, and the
//! one place each is worded. The diff and the passes after it (`scope`, `replace`, `pins`,
//! `refusals`, `lifecycle`) record problems and drift as they find them; only the end of
//! planning (`lifecycle::plan_catalog`) turns what is left into the plan's diagnostics. No
//! code reads a diagnostic to decide anything.

use serde_json::Value;

use super::plan::Drift;
use super::render::show;
use crate::catalog::refusals::diagnostic;
use crate::catalog::DeclaredAt;
use crate::diag::{Diagnostic, Severity};
use crate::kinds::rules::Violation;
use crate::kinds::{
    Deactivation, ObjectKind, Pin, Replacement, EXACT_METADATA, KINDS, OWNED_METADATA,
    SCOPE_METADATA,
};

/// One problem with one declared object (or, for `PinnedOutside` and `StaleReference`, with
/// an object it affects).
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub kind: ObjectKind,
    pub key: String,
    /// The declaration to edit (for a replacement's problems, the replaced object's).
    pub at: DeclaredAt,
    pub issue: Issue,
}

/// What is wrong.
#[derive(Clone, Debug, PartialEq)]
pub enum Issue {
    /// A param the kind's field table does not know.
    UnknownField { path: String },
    /// The script adopts an id the account does not hold.
    AdoptedIdMissing { id: String },
    /// A deactivation Stripe would refuse: `by` (a live object) pins this one (a price that
    /// stays a product's default price).
    Pinned {
        by: ObjectKind,
        by_id: String,
        pin: Pin,
    },
    /// A replacement whose old object is pinned by `by`, which the script does not declare,
    /// so nothing can move the pin before the archive.
    PinnedOutside {
        by: ObjectKind,
        by_id: String,
        pin: Pin,
    },
    /// A warning: `by`, outside the script, names the old object of a replacement (`old_id`)
    /// and keeps naming it once it is archived.
    StaleReference {
        by: ObjectKind,
        by_id: String,
        old_id: String,
    },
    /// A change to an object of another catalog's scope (`owner`); `id` is the object's.
    ForeignScope {
        owner: String,
        scope: String,
        id: Option<String>,
    },
    /// More metadata keys than Stripe allows, counting billingctl's own and those kept from
    /// outside billingctl.
    MetadataFull { count: usize, max: usize },
    /// The record of the script's metadata keys (`billingctl_metadata`) is longer than a
    /// metadata value may be.
    MetadataRecordTooLong { chars: usize, max: usize },
    /// A write the rules table refuses.
    Refused(Violation),
}

impl Problem {
    /// Whether the plan can still be applied with it: only warnings.
    pub fn severity(&self) -> Severity {
        match self.issue {
            Issue::StaleReference { .. } => Severity::Warning,
            _ => Severity::Error,
        }
    }

    /// The field the problem is about, when it is about one.
    pub fn field(&self) -> Option<String> {
        match &self.issue {
            Issue::UnknownField { path } => Some(path.clone()),
            Issue::Pinned { .. } => Some("active".to_owned()),
            Issue::PinnedOutside { pin, .. } => Some(pin.pattern.to_owned()),
            Issue::ForeignScope { .. } => Some(format!("metadata[{SCOPE_METADATA}]")),
            Issue::MetadataFull { .. } | Issue::MetadataRecordTooLong { .. } => {
                Some("metadata".to_owned())
            }
            Issue::Refused(violation) => Some(violation.param.clone()),
            Issue::AdoptedIdMissing { .. } | Issue::StaleReference { .. } => None,
        }
    }

    /// The problem as the plan reports it.
    pub fn diagnostic(&self) -> Diagnostic {
        let (kind, key) = (self.kind, self.key.as_str());
        let def = kind.def();
        let diagnostic = match &self.issue {
            Issue::UnknownField { path } => {
                let help = match def.deactivation() {
                    Deactivation::Impossible { reason, help } if path == "active" => {
                        format!("{reason}; {help}")
                    }
                    _ => format!("see the {kind} params in Stripe's API reference"),
                };
                Diagnostic::error(format!(
                    "{kind} `{key}`: `{path}` is not a {kind} param Stripe accepts"
                ))
                .object(kind, key)
                .field(path)
                .help(help)
            }
            Issue::AdoptedIdMissing { id } => Diagnostic::error(format!(
                "{kind} `{key}` adopts `{id}`, but the account has no {kind} with that id"
            ))
            .object(kind, key)
            .help("check the id in the Stripe Dashboard, or remove it to create a new object"),
            Issue::Pinned { by, by_id, pin } => Diagnostic::error(format!(
                "{kind} `{key}` cannot be deactivated: it is the {} of {} `{by_id}`",
                pin.role,
                by.def().noun()
            ))
            .object(kind, key)
            .field("active")
            .values(Value::Bool(true), Value::Bool(false))
            .help(format!(
                "give {} `{by_id}` another {} in the script",
                by.def().noun(),
                pin.pattern
            )),
            Issue::PinnedOutside { by, by_id, pin } => Diagnostic::error(format!(
                "{kind} `{key}` cannot be replaced: it is the {role} of {by} `{by_id}`, which \
                 this script does not declare, and Stripe refuses to archive a {role}",
                role = pin.role,
                by = by.def().noun(),
            ))
            .object(kind, key)
            .field(pin.pattern)
            .help(format!(
                "declare {} `{by_id}` in this script, or give it another {} first",
                by.def().noun(),
                pin.role
            )),
            Issue::StaleReference { by, by_id, old_id } => {
                let mut warning = Diagnostic::error(format!(
                    "{} `{by_id}` is not in this script and lists {} `{key}` ({old_id}), which \
                     this plan archives; it is left as it is",
                    by.def().noun(),
                    def.noun()
                ))
                .object(*by, by_id.clone())
                .help(by.def().stale_reference_help());
                warning.severity = Severity::Warning;
                warning
            }
            Issue::ForeignScope { owner, scope, id } => Diagnostic::error(format!(
                "{kind} `{key}` belongs to scope `{owner}`, not to this catalog's scope \
                 `{scope}`: billingctl does not change another catalog's objects"
            ))
            .object(kind, key)
            .field(format!("metadata[{SCOPE_METADATA}]"))
            .help(format!(
                "change it in the catalog of scope `{owner}`, or give this script that scope \
                 with `scope(\"{owner}\")`; {} can also be taken over here with `adopt: \"{}\"`",
                adoptable_kinds(),
                id.as_deref().unwrap_or_default()
            )),
            Issue::MetadataFull { count, max } => Diagnostic::error(format!(
                "{kind} `{key}`: metadata has {count} keys with billingctl's own and those set \
                 outside billingctl; Stripe allows {max}"
            ))
            .object(kind, key)
            .field("metadata")
            .help(format!(
                "billingctl keeps the ownership scope in metadata `{SCOPE_METADATA}` and the \
                 script's keys in `{OWNED_METADATA}`: remove a key, or declare \
                 `{EXACT_METADATA}: true` (no record, and keys set outside billingctl removed)"
            )),
            Issue::MetadataRecordTooLong { chars, max } => Diagnostic::error(format!(
                "{kind} `{key}`: the record of its metadata keys (`{OWNED_METADATA}`) would be \
                 {chars} characters; a metadata value may have {max}"
            ))
            .object(kind, key)
            .field("metadata")
            .help(format!(
                "use fewer or shorter metadata keys, or declare `{EXACT_METADATA}: true`: the \
                 script's metadata is then the whole metadata and needs no record"
            )),
            // The rules table's own wording, shared with the offline check.
            Issue::Refused(violation) => return diagnostic(violation, kind, key, &self.at),
        };
        diagnostic.at(self.at.clone())
    }
}

/// `a price, a portal configuration or a tax rate`: the kinds a script can take over by id.
fn adoptable_kinds() -> String {
    let names: Vec<String> = KINDS
        .iter()
        .filter(|kind| kind.adoptable())
        .map(|kind| format!("a {}", kind.noun()))
        .collect();
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// The ways out of an immutable drift on a kind that can be replaced.
const WAYS_FORWARD: &str = "or replace it: run with --allow-replace, or add \
                            `on_immutable_change: \"replace\"` to its declaration";

/// One error per drifted field. `asked`: the script or the run asked to replace the object
/// (which its kind refuses, or the plan would have replaced it).
pub fn drift_errors(drift: &Drift, asked: bool) -> Vec<Diagnostic> {
    let def = drift.kind.def();
    let help = match def.replacement() {
        Replacement::Refused => asked
            .then(|| def.replace_refused_help(&drift.key))
            .flatten()
            .unwrap_or_else(|| def.immutable_help().to_owned()),
        Replacement::TransferKey { .. } | Replacement::RetireFirst => {
            format!("{}; {WAYS_FORWARD}", def.immutable_help())
        }
    };
    drift
        .fields
        .iter()
        .map(|field| {
            Diagnostic::error(format!(
                "{} `{}`: {} is immutable (live {}, script {})",
                drift.kind,
                drift.key,
                field.path,
                show(&field.live),
                show(&field.desired)
            ))
            .at(drift.declared_at.clone())
            .object(drift.kind, drift.key.clone())
            .field(field.path.clone())
            .values(field.live.clone(), field.desired.clone())
            .help(help.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::plan::FieldChange;
    use serde_json::json;

    fn at() -> DeclaredAt {
        DeclaredAt {
            file: "scripts/catalog.rhai".to_owned(),
            line: 4,
            column: 1,
        }
    }

    fn problem(kind: ObjectKind, key: &str, issue: Issue) -> Problem {
        Problem {
            kind,
            key: key.to_owned(),
            at: at(),
            issue,
        }
    }

    const DEFAULT_PRICE: Pin = Pin {
        pattern: "default_price",
        role: "default price",
    };

    #[test]
    fn each_problem_reads_as_before_and_names_its_field() {
        use ObjectKind::*;
        let cases = [
            (
                problem(
                    Coupon,
                    "c",
                    Issue::UnknownField {
                        path: "active".into(),
                    },
                ),
                "coupon `c`: `active` is not a coupon param Stripe accepts",
                "coupons have no `active` in Stripe: a coupon cannot be deactivated; to stop new \
                 redemptions, deactivate its promotion codes (`active: false`), or set \
                 `redeem_by` / `max_redemptions` on a new coupon",
            ),
            (
                problem(
                    Price,
                    "p",
                    Issue::AdoptedIdMissing {
                        id: "price_9".into(),
                    },
                ),
                "price `p` adopts `price_9`, but the account has no price with that id",
                "check the id in the Stripe Dashboard, or remove it to create a new object",
            ),
            (
                problem(
                    Price,
                    "p",
                    Issue::Pinned {
                        by: Product,
                        by_id: "basic".into(),
                        pin: DEFAULT_PRICE,
                    },
                ),
                "price `p` cannot be deactivated: it is the default price of product `basic`",
                "give product `basic` another default_price in the script",
            ),
            (
                problem(
                    Price,
                    "p",
                    Issue::PinnedOutside {
                        by: Product,
                        by_id: "basic".into(),
                        pin: DEFAULT_PRICE,
                    },
                ),
                "price `p` cannot be replaced: it is the default price of product `basic`, which \
                 this script does not declare, and Stripe refuses to archive a default price",
                "declare product `basic` in this script, or give it another default price first",
            ),
            (
                problem(
                    Price,
                    "p",
                    Issue::ForeignScope {
                        owner: "other".into(),
                        scope: "catalog".into(),
                        id: Some("price_1".into()),
                    },
                ),
                "price `p` belongs to scope `other`, not to this catalog's scope `catalog`: \
                 billingctl does not change another catalog's objects",
                "change it in the catalog of scope `other`, or give this script that scope with \
                 `scope(\"other\")`; a price, a portal configuration, a webhook endpoint, a tax \
                 rate or a shipping rate can also be taken over here with `adopt: \"price_1\"`",
            ),
            (
                problem(Coupon, "c", Issue::MetadataFull { count: 51, max: 50 }),
                "coupon `c`: metadata has 51 keys with billingctl's own and those set outside \
                 billingctl; Stripe allows 50",
                "billingctl keeps the ownership scope in metadata `billingctl_scope` and the \
                 script's keys in `billingctl_metadata`: remove a key, or declare \
                 `metadata_exact: true` (no record, and keys set outside billingctl removed)",
            ),
        ];
        for (problem, message, help) in cases {
            let diagnostic = problem.diagnostic();
            assert_eq!(diagnostic.message, message);
            assert_eq!(diagnostic.help.as_deref(), Some(help));
            assert_eq!(diagnostic.span, Some(at()));
            assert_eq!(diagnostic.severity, Severity::Error);
            assert_eq!(diagnostic.subject.field, problem.field(), "{message}");
        }
    }

    #[test]
    fn a_stale_reference_is_a_warning_about_the_referrer() {
        let warning = problem(
            ObjectKind::Price,
            "basic_monthly",
            Issue::StaleReference {
                by: ObjectKind::PortalConfiguration,
                by_id: "bpc_1".into(),
                old_id: "price_old".into(),
            },
        );
        let diagnostic = warning.diagnostic();
        assert_eq!(warning.severity(), Severity::Warning);
        assert_eq!(diagnostic.severity, Severity::Warning);
        assert_eq!(
            diagnostic.message,
            "portal configuration `bpc_1` is not in this script and lists price `basic_monthly` \
             (price_old), which this plan archives; it is left as it is"
        );
        assert_eq!(
            diagnostic.subject.object,
            Some(ObjectKind::PortalConfiguration)
        );
        assert_eq!(diagnostic.subject.key.as_deref(), Some("bpc_1"));
        assert_eq!(diagnostic.subject.field, warning.field());
    }

    #[test]
    fn drift_is_one_error_per_field_and_its_help_follows_the_kind() {
        let drift = |kind| Drift {
            kind,
            key: "k".into(),
            id: "id_1".into(),
            declared_at: at(),
            fields: vec![
                FieldChange {
                    path: "a".into(),
                    live: json!(1),
                    desired: json!(2),
                },
                FieldChange {
                    path: "b".into(),
                    live: Value::Null,
                    desired: json!("x"),
                },
            ],
        };
        let errors = drift_errors(&drift(ObjectKind::Price), false);
        assert_eq!(errors.len(), 2);
        assert_eq!(
            errors[0].message,
            "price `k`: a is immutable (live 1, script 2)"
        );
        assert_eq!(errors[1].subject.live, Some(Value::Null));
        assert_eq!(
            errors[0].help.as_deref(),
            Some(
                "declare a new price with a new lookup_key; or replace it: run with \
                 --allow-replace, or add `on_immutable_change: \"replace\"` to its declaration"
            )
        );
        // A kind that refuses replacement says why once asked, and only then.
        let coupon = |asked| {
            drift_errors(&drift(ObjectKind::Coupon), asked)[0]
                .help
                .clone()
        };
        assert!(coupon(true).unwrap_or_default().contains("`k_v2`"));
        assert_eq!(
            coupon(false).as_deref(),
            Some(
                "a coupon's terms cannot change once it exists: declare a new coupon with a new id"
            )
        );
    }
}
