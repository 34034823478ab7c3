//! The graph between declarations: keys must be unique per kind (promotion codes regardless
//! of case, as Stripe compares them), and every reference must name a declared object of the
//! right kind. Declaration order is kept as written; `Catalog` orders kinds for apply.

use std::collections::HashMap;

use super::Declaration;
use crate::diag::Diagnostic;
use crate::kinds::ObjectKind;

/// The identity of a key within its kind (promotion codes are case-insensitive in Stripe).
fn identity(kind: ObjectKind, key: &str) -> (ObjectKind, String) {
    (kind, kind.def().key().fold(key))
}

/// Checks keys and references. `invalid` lists objects that were declared but failed to
/// parse: they count as present so one mistake is not reported twice.
pub fn check(
    declarations: &[&dyn Declaration],
    invalid: &[(ObjectKind, String)],
    diags: &mut Vec<Diagnostic>,
) {
    let mut seen: HashMap<(ObjectKind, String), &dyn Declaration> = HashMap::new();
    for d in declarations {
        match seen.get(&identity(d.kind(), d.key())) {
            Some(first) => diags.push(
                Diagnostic::error(format!("duplicate {} key `{}`", d.kind(), d.key()))
                    .at(d.declared_at().clone())
                    .object(d.kind(), d.key())
                    .note(format!(
                        "first declared at {} (as `{}`)",
                        first.declared_at(),
                        first.key()
                    ))
                    .help(d.kind().def().duplicate_help()),
            ),
            None => {
                seen.insert(identity(d.kind(), d.key()), *d);
            }
        }
    }
    let present = |kind: ObjectKind, key: &str| {
        seen.contains_key(&identity(kind, key))
            || invalid.iter().any(|(k, n)| *k == kind && n == key)
    };
    for d in declarations {
        for r in d.references() {
            if present(r.kind, &r.key) {
                continue;
            }
            let mut diag = Diagnostic::error(format!(
                "`{}` refers to {} `{}`, which is not declared",
                r.path, r.kind, r.key
            ))
            .at(d.declared_at().clone())
            .object(d.kind(), d.key())
            .field(&r.path);
            if let Some(other) = ObjectKind::ALL
                .into_iter()
                .find(|k| *k != r.kind && present(*k, &r.key))
            {
                diag.message = format!(
                    "`{}` must name a {}, but `{}` is a {other}",
                    r.path, r.kind, r.key
                );
            } else {
                let keys: Vec<&str> = declarations
                    .iter()
                    .filter(|o| o.kind() == r.kind)
                    .map(|o| o.key())
                    .collect();
                if let Some(best) = super::parse::closest(&r.key, &keys) {
                    diag = diag.help(format!("did you mean `{best}`?"));
                } else {
                    diag = diag.help(format!(
                        "declare {} `{}` first, or fix the key",
                        r.kind, r.key
                    ));
                }
            }
            diags.push(diag);
        }
    }
    portal_prices_belong_to_products(declarations, &seen, diags);
    default_prices_belong_to_their_product(declarations, &seen, diags);
}

/// Stripe only accepts a product's own price as its `default_price`.
fn default_prices_belong_to_their_product(
    declarations: &[&dyn Declaration],
    seen: &HashMap<(ObjectKind, String), &dyn Declaration>,
    diags: &mut Vec<Diagnostic>,
) {
    for product in declarations
        .iter()
        .filter(|d| d.kind() == ObjectKind::Product)
    {
        for r in product.references() {
            let Some(price) = seen.get(&identity(ObjectKind::Price, &r.key)) else {
                continue;
            };
            let params = price.to_params();
            let owner = params
                .get("product")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            if params.get("active") == Some(&serde_json::Value::Bool(false)) {
                diags.push(
                    Diagnostic::error(format!(
                        "`default_price`: price `{}` is deactivated; a product's default price must be active",
                        r.key
                    ))
                    .at(product.declared_at().clone())
                    .object(product.kind(), product.key())
                    .field("default_price"),
                );
            }
            if owner != product.key() {
                diags.push(
                    Diagnostic::error(format!(
                        "`default_price`: price `{}` belongs to product `{owner}`, not to this one",
                        r.key
                    ))
                    .at(product.declared_at().clone())
                    .object(product.kind(), product.key())
                    .field("default_price"),
                );
            }
        }
    }
}

/// A portal lists, per product, prices of that product; Stripe rejects a price of another one.
fn portal_prices_belong_to_products(
    declarations: &[&dyn Declaration],
    seen: &HashMap<(ObjectKind, String), &dyn Declaration>,
    diags: &mut Vec<Diagnostic>,
) {
    for portal in declarations
        .iter()
        .filter(|d| d.kind() == ObjectKind::PortalConfiguration)
    {
        let refs = portal.references();
        for r in refs.iter().filter(|r| r.kind == ObjectKind::Price) {
            let Some(price) = seen.get(&identity(ObjectKind::Price, &r.key)) else {
                continue;
            };
            let params = price.to_params();
            let price_product = params
                .get("product")
                .and_then(|v| v.as_str())
                .unwrap_or_default();
            // The entry's product reference is the sibling `...[product]` of `...[prices][j]`.
            let prefix = r.path.rsplit_once("[prices]").map_or("", |(p, _)| p);
            let listed = refs
                .iter()
                .find(|p| p.path == format!("{prefix}[product]"))
                .map(|p| p.key.as_str());
            if let Some(listed) = listed.filter(|l| *l != price_product) {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}`: price `{}` belongs to product `{price_product}`, not `{listed}`",
                        r.path, r.key
                    ))
                    .at(portal.declared_at().clone())
                    .object(portal.kind(), portal.key())
                    .field(&r.path),
                );
            }
            if params.get("recurring").is_none() {
                diags.push(
                    Diagnostic::error(format!(
                        "`{}`: price `{}` is not recurring; the portal only switches subscriptions",
                        r.path, r.key
                    ))
                    .at(portal.declared_at().clone())
                    .object(portal.kind(), portal.key())
                    .field(&r.path),
                );
            }
        }
    }
}
