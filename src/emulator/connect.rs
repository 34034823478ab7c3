//! Connect's account endpoints, as a platform uses them to hold connected accounts:
//! `POST /v1/accounts` creates one, `GET /v1/accounts` lists them newest first (cursors and
//! `created` as every list), `GET /v1/accounts/{id}` retrieves one. And what a request gets
//! for a `Stripe-Account` the platform does not hold.
//!
//! The account object keeps to what the emulator can say truthfully (Stripe's example object
//! is `resources.account` in `shared/stripe-reference/fixtures3.json`): `id` (`acct_` + 16),
//! `object`, `type`, `controller`, `country`, `email`, `metadata`, `created`, and the flags a
//! new account has before onboarding (`charges_enabled`, `payouts_enabled`,
//! `details_submitted`: false; `capabilities`: none requested; `business_type`: null). No
//! requirements, settings, business profile or external accounts: nothing onboards here.
//!
//! Only the platform reaches these endpoints. A request acting as a connected account gets
//! Stripe's refusal (`ErrorResponse::connected_accounts_of_connected`), except a retrieve
//! of its own account, which the `Stripe-Account` header stands for anyway.

use serde_json::{json, Map, Value};

use super::accounts::{Accounts, Scope};
use super::error::ErrorResponse;
use super::list::{self, ListRequest};
use super::objects::Filter;
use super::params;
use super::routes::AccountCall;
use super::store::new_id;
use crate::kinds::fields::Default::EmptyObject;
use crate::kinds::fields::Type::{Enum, Map as MapType, Object, String as Text};
use crate::kinds::fields::{p, Compiled, ObjectTable, Operation, Param, NO, OPT};

/// The account endpoints' params, in the vocabulary of the kinds' field tables, so that the
/// strict param check is the one every kind gets (unknown params, types, enums, metadata
/// limits). The account is not a catalog kind: this table is not in the registry.
static TABLE: ObjectTable = ObjectTable {
    object: "account",
    path: PATH,
    id_prefix: "acct_",
    custom_id: false,
    deletable: false,
    list_filters: &["created"],
    params: PARAMS,
    index: Compiled::new(),
};

const PATH: &str = "/v1/accounts";

/// What `POST /v1/accounts` takes here: the account's kind (`type`, or the `controller`
/// properties that replace it), and the few fields the emulator keeps. Stripe's other params
/// (business profile, capabilities, settings, ...) are unknown here.
#[rustfmt::skip]
const PARAMS: &[Param] = &[
    p("controller", Object, OPT, NO),
    p("controller[fees]", Object, OPT, NO),
    p("controller[fees][payer]", Enum(&["account", "application"]), OPT, NO),
    p("controller[losses]", Object, OPT, NO),
    p("controller[losses][payments]", Enum(&["application", "stripe"]), OPT, NO),
    p("controller[requirement_collection]", Enum(&["application", "stripe"]), OPT, NO),
    p("controller[stripe_dashboard]", Object, OPT, NO),
    p("controller[stripe_dashboard][type]", Enum(&["express", "full", "none"]), OPT, NO),
    p("country", Text, OPT, NO),
    p("email", Text, OPT, NO),
    p("metadata", MapType, OPT, NO).emptyable().default(EmptyObject),
    p("type", Enum(&["custom", "express", "standard"]), OPT, NO),
];

/// The country of an account created without one. Stripe takes the platform's; the emulated
/// platform has none, so it is Stripe's example object's.
const DEFAULT_COUNTRY: &str = "US";

/// Runs one account endpoint for the account `scope` names; `key` is the request's API key,
/// redacted, for the refusal that names it. Every refusal is a failed validation (not saved
/// under an idempotency key).
pub(crate) fn answer(
    accounts: &mut Accounts,
    scope: &Scope,
    call: &AccountCall,
    mut params: Map<String, Value>,
    key: &str,
) -> Result<Value, ErrorResponse> {
    // Nothing on an account expands here; `expand[]` is accepted, as everywhere.
    let expand = params.remove("expand");
    if let Scope::Connected(own) = scope {
        return match call {
            AccountCall::Retrieve(id) if id == own => retrieve(accounts, id, &params, key),
            _ => Err(ErrorResponse::connected_accounts_of_connected()),
        };
    }
    match call {
        AccountCall::Create => create(accounts, &params).map(|object| (*object).clone()),
        AccountCall::Retrieve(id) => retrieve(accounts, id, &params, key),
        AccountCall::List => {
            if let Some(expand) = expand {
                params.insert("expand".into(), expand);
            }
            list(accounts, params)
        }
    }
}

/// `POST /v1/accounts`: a new connected account of the platform, with no objects.
pub(crate) fn create(
    accounts: &mut Accounts,
    params: &Map<String, Value>,
) -> Result<std::sync::Arc<Value>, ErrorResponse> {
    let params = params::validate(&TABLE, Operation::Create, params)?;
    let controller = match (params.get("type"), params.get("controller")) {
        (Some(_), Some(_)) => {
            return Err(ErrorResponse::param(
                "controller",
                "You may only specify one of these parameters: controller, type.".to_owned(),
            ))
        }
        (None, None) => return Err(ErrorResponse::missing_param("type")),
        (Some(kind), None) => legacy_controller(kind.as_str().unwrap_or_default()),
        (None, Some(given)) => controller(given),
    };
    let kind = params.get("type").cloned().unwrap_or_else(|| "none".into());
    let country = match params.get("country").and_then(Value::as_str) {
        Some(code) => country(code)?,
        None => DEFAULT_COUNTRY.to_owned(),
    };
    let email = match params.get("email").and_then(Value::as_str) {
        Some(address) => Value::String(email(address)?),
        None => Value::Null,
    };
    let metadata = match params.get("metadata") {
        Some(Value::Object(map)) => Value::Object(map.clone()),
        _ => json!({}),
    };
    let object = json!({
        "id": new_id("acct_", 16),
        "object": "account",
        "business_type": null,
        "capabilities": {},
        "charges_enabled": false,
        "controller": controller,
        "country": country,
        "created": accounts.now(),
        "details_submitted": false,
        "email": email,
        "metadata": metadata,
        "payouts_enabled": false,
        "type": kind,
    });
    Ok(accounts.connect(object))
}

/// The controller properties of an account created with a `type`. Stripe's mapping ("Migrate
/// to controller properties": each account type maps to a set of controller properties, set
/// on accounts created with a type): Standard — the account pays fees, Stripe bears losses
/// and collects requirements, full Dashboard; Express — the platform pays and bears losses,
/// Stripe collects requirements, Express Dashboard; Custom — the platform does all of it, no
/// Dashboard. Stripe reports the fees of the last two as `application_express` and
/// `application_custom`. Either way the platform created it, so it controls it.
fn legacy_controller(kind: &str) -> Value {
    let (payer, losses, requirements, dashboard) = match kind {
        "express" => ("application_express", "application", "stripe", "express"),
        "custom" => ("application_custom", "application", "application", "none"),
        _ => ("account", "stripe", "stripe", "full"),
    };
    json!({
        "fees": { "payer": payer },
        "is_controller": true,
        "losses": { "payments": losses },
        "requirement_collection": requirements,
        "stripe_dashboard": { "type": dashboard },
        "type": "application",
    })
}

/// The controller of an account created with `controller` properties: those given, the rest
/// at Stripe's defaults (the account pays fees, Stripe bears losses and collects
/// requirements, full Dashboard: the spec's "Defaults to" of each), controlled by the
/// platform that created it.
fn controller(given: &Value) -> Value {
    let mut controller = legacy_controller("standard");
    for (name, value) in given.as_object().into_iter().flatten() {
        match (controller.get_mut(name), value) {
            (Some(Value::Object(held)), Value::Object(fields)) => {
                held.extend(fields.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
            (Some(slot), _) => *slot = value.clone(),
            (None, _) => {}
        }
    }
    controller
}

/// A two-letter country code, uppercased (ISO 3166-1 alpha-2; Stripe's list of supported
/// countries is not in the reference, so any two letters pass).
fn country(code: &str) -> Result<String, ErrorResponse> {
    if code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()) {
        return Ok(code.to_ascii_uppercase());
    }
    Err(ErrorResponse::param(
        "country",
        format!("Country '{code}' is unknown: expected a two-letter country code (ISO 3166-1)."),
    ))
}

/// An email address: something before and after one `@`, with a dot in the domain.
fn email(address: &str) -> Result<String, ErrorResponse> {
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !address.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if valid {
        Ok(address.to_owned())
    } else {
        Err(ErrorResponse::param(
            "email",
            format!("Invalid email address: {address}"),
        ))
    }
}

/// `GET /v1/accounts/{id}`: an id the platform does not hold answers as an unheld
/// `Stripe-Account` does (the path's id stands for the header).
fn retrieve(
    accounts: &Accounts,
    id: &str,
    params: &Map<String, Value>,
    key: &str,
) -> Result<Value, ErrorResponse> {
    if let Some(name) = params.keys().next() {
        return Err(ErrorResponse::unknown_param(name));
    }
    accounts
        .get(id)
        .map(|object| (**object).clone())
        .ok_or_else(|| ErrorResponse::account_invalid(key, id))
}

/// `GET /v1/accounts`: newest first, with cursors and the `created` filter.
fn list(accounts: &Accounts, query: Map<String, Value>) -> Result<Value, ErrorResponse> {
    let request = ListRequest::parse_with(TABLE.list_filters, query)?;
    let filter = Filter::only_created(&request.filters)?;
    let locate = |param: &str, id: &str, inclusive: bool| {
        let at = accounts
            .position(id)
            .ok_or_else(|| ErrorResponse::no_such("account", id, param, 400))?;
        Ok(if inclusive { at + 1 } else { at })
    };
    let (data, has_more) = list::walk(
        &request,
        accounts.len(),
        |i| accounts.at(i),
        |object| filter.matches(object),
        locate,
    )?;
    let data: Vec<Value> = data.iter().map(|object| (**object).clone()).collect();
    Ok(json!({
        "object": "list",
        "data": data,
        "has_more": has_more,
        "url": PATH,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::emulator::store::Store;

    fn accounts() -> Accounts {
        Accounts::new(Clock::Fixed(1_700_000_000), |clock| {
            Store::new(clock, |_| &[])
        })
    }

    fn params(value: Value) -> Map<String, Value> {
        value.as_object().cloned().unwrap()
    }

    #[test]
    fn the_table_is_sorted_and_parented() {
        for pair in PARAMS.windows(2) {
            assert!(pair[0].path < pair[1].path, "{}", pair[1].path);
        }
        for param in PARAMS {
            if let Some((parent, _)) = param.path.rsplit_once('[') {
                assert!(
                    PARAMS.iter().any(|p| p.path == parent),
                    "{} has no parent",
                    param.path
                );
            }
        }
    }

    #[test]
    fn a_typed_account_gets_its_types_controller_properties() {
        let mut accounts = accounts();
        let created = create(
            &mut accounts,
            &params(json!({"type": "express", "country": "de", "metadata": {"tenant": "t1"}})),
        )
        .unwrap();
        let id = created["id"].as_str().unwrap();
        assert!(id.starts_with("acct_") && id.len() == 21, "{id}");
        assert_eq!(created["type"], "express");
        assert_eq!(created["country"], "DE");
        assert_eq!(created["created"], 1_700_000_000);
        assert_eq!(created["metadata"], json!({"tenant": "t1"}));
        assert_eq!(created["email"], Value::Null);
        assert_eq!(created["controller"]["stripe_dashboard"]["type"], "express");
        assert_eq!(created["controller"]["is_controller"], true);
        assert!(accounts.holds(id));
    }

    #[test]
    fn controller_properties_replace_the_type() {
        let mut accounts = accounts();
        let created = create(
            &mut accounts,
            &params(json!({"controller": {"stripe_dashboard": {"type": "none"},
                "requirement_collection": "application"}})),
        )
        .unwrap();
        assert_eq!(created["type"], "none");
        let controller = &created["controller"];
        assert_eq!(controller["stripe_dashboard"]["type"], "none");
        assert_eq!(controller["requirement_collection"], "application");
        assert_eq!(controller["fees"]["payer"], "account", "the default");
    }

    #[test]
    fn an_account_needs_a_type_or_a_controller_not_both() {
        let mut accounts = accounts();
        let err = create(&mut accounts, &Map::new()).unwrap_err();
        assert_eq!(err.message, "Missing required param: type.");
        let both = json!({"type": "custom", "controller": {"fees": {"payer": "account"}}});
        let err = create(&mut accounts, &params(both)).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("controller"));
        let err = create(&mut accounts, &params(json!({"type": "platinum"}))).unwrap_err();
        assert_eq!(err.param.as_deref(), Some("type"));
        let err = create(
            &mut accounts,
            &params(json!({"type": "standard", "business_type": "company"})),
        )
        .unwrap_err();
        assert_eq!(err.message, "Received unknown parameter: business_type");
        for (field, value) in [("country", "USA"), ("email", "nobody"), ("email", "a@b")] {
            let err = create(
                &mut accounts,
                &params(json!({"type": "standard", field: value})),
            )
            .unwrap_err();
            assert_eq!(err.param.as_deref(), Some(field), "{value}");
        }
        assert_eq!(accounts.len(), 0);
    }

    #[test]
    fn a_connected_account_reaches_only_its_own_account() {
        let mut accounts = accounts();
        let a = create(&mut accounts, &params(json!({"type": "standard"}))).unwrap();
        let b = create(&mut accounts, &params(json!({"type": "standard"}))).unwrap();
        let (a, b) = (a["id"].as_str().unwrap(), b["id"].as_str().unwrap());
        let scope = Scope::Connected(a.to_owned());
        let own = answer(
            &mut accounts,
            &scope,
            &AccountCall::Retrieve(a.to_owned()),
            Map::new(),
            "sk_test_…abcd",
        )
        .unwrap();
        assert_eq!(own["id"], a);
        for call in [
            AccountCall::Retrieve(b.to_owned()),
            AccountCall::List,
            AccountCall::Create,
        ] {
            let err = answer(&mut accounts, &scope, &call, Map::new(), "k").unwrap_err();
            assert_eq!(err, ErrorResponse::connected_accounts_of_connected());
        }
    }
}
