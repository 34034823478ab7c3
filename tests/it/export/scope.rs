//! `export --scope`: one scope's objects, plus those they refer to, and a `scope(...)` line
//! so the script keeps them in that scope.

use serde_json::json;

use super::{rendered_keys, Account};
use crate::support::succeeded;

/// Two scopes and unscoped objects: `main` holds a product and its price, `promo` a coupon
/// with its code plus a second code whose coupon (`base10`) has no scope.
fn seed(account: &Account) {
    let scope = |name: &str| json!({ "billingctl_scope": name });
    account.post(
        "/v1/products",
        json!({ "id": "pro", "name": "Pro", "metadata": scope("main") }),
    );
    account.post(
        "/v1/products",
        json!({ "id": "loose", "name": "Not managed" }),
    );
    account.post(
        "/v1/prices",
        json!({ "product": "pro", "currency": "eur", "unit_amount": 2000, "lookup_key": "pro_monthly",
                "recurring": { "interval": "month" }, "metadata": scope("main") }),
    );
    account.post(
        "/v1/prices",
        json!({ "product": "loose", "currency": "eur", "unit_amount": 100 }),
    );
    account.post(
        "/v1/coupons",
        json!({ "id": "summer", "percent_off": 20, "metadata": scope("promo") }),
    );
    account.post(
        "/v1/promotion_codes",
        json!({ "code": "SUMMER", "promotion": { "type": "coupon", "coupon": "summer" },
                "metadata": scope("promo") }),
    );
    // A code of the `promo` campaign on a coupon nobody scoped: the coupon must come along.
    account.post("/v1/coupons", json!({ "id": "base10", "percent_off": 10 }));
    account.post(
        "/v1/promotion_codes",
        json!({ "code": "SUMMER10", "promotion": { "type": "coupon", "coupon": "base10" },
                "metadata": scope("promo") }),
    );
}

fn keys(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(kind, key)| (kind.to_string(), key.to_string()))
        .collect()
}

#[test]
fn a_scope_exports_its_objects_and_what_they_refer_to() {
    let account = Account::new();
    seed(&account);

    let (promo, text) = account.export("promo.rhai", &["--scope", "promo"]);
    succeeded(&account.check(&promo), "check of the promo export");
    assert!(text.contains("\nscope(\"promo\");\n"), "{text}");
    let rendered = account.render(&promo);
    assert_eq!(rendered["scope"], json!("promo"));
    assert_eq!(
        rendered_keys(&rendered),
        keys(&[
            ("coupon", "summer"),
            ("coupon", "base10"),
            ("promotion_code", "SUMMER"),
            ("promotion_code", "SUMMER10"),
        ])
    );
    // `base10` is written only because a `promo` code needs it, and says so.
    assert_eq!(text.matches("// Outside the scope").count(), 1, "{text}");

    let (main, text) = account.export("main.rhai", &["--scope", "main"]);
    succeeded(&account.check(&main), "check of the main export");
    assert!(text.contains("\nscope(\"main\");\n"), "{text}");
    assert_eq!(
        rendered_keys(&account.render(&main)),
        keys(&[("product", "pro"), ("price", "pro_monthly")])
    );
}

#[test]
fn without_a_scope_everything_is_exported() {
    let account = Account::new();
    seed(&account);
    let (all, text) = account.export("all.rhai", &[]);
    succeeded(&account.check(&all), "check of the whole export");
    // Two scopes: no one `scope(...)` fits, and the script says so instead.
    assert!(!text.contains("\nscope("), "{text}");
    assert!(text.contains("several scopes (main, promo)"), "{text}");
    assert_eq!(rendered_keys(&account.render(&all)).len(), 8);
}

/// A `--scope` that names no object of the account (a typo) is not a silent empty script:
/// the warning names the scopes the account has.
#[test]
fn a_scope_with_no_objects_is_warned_with_the_scopes_there_are() {
    let account = Account::new();
    seed(&account);
    let path = account.path("typo.rhai");
    let output = account.billingctl(&[
        "export",
        "--scope",
        "mian",
        "-o",
        path.to_str().expect("UTF-8"),
    ]);
    succeeded(&output, "export");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "warning: no object of the account is in scope `mian`; its scopes: `main`, `promo`"
        ),
        "{stderr}"
    );
}
