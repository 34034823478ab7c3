//! The rules table (`billingctl::kinds::rules::RULES`, issue 9) held on both sides: one case
//! per enforced row (`Checked`, `Split`, `Table`), each a bad write in two forms.
//!
//! - The raw request to the emulator answers Stripe's 400 `invalid_request_error` naming the
//!   row's param, with the expected message (a `Checked` row's: its check's message).
//! - The equivalent catalog script is refused first: `check` offline, or `plan` against the
//!   emulator when the rule depends on now or on what the account holds; exit 1, the field
//!   named, the declaration's `file:line:col` printed, and zero POSTs.
//!
//! `every_enforced_rule_has_a_case` walks the table, so a rule cannot become enforced without
//! its two-sided case. Where Stripe's exact wording is unknown the messages are the emulator's
//! own (docs/EMULATOR.md says which); the cases pin them so a change is deliberate.

use std::collections::BTreeSet;

use billingctl::clock::Clock;
use billingctl::emulator::EmulatorOptions;
use billingctl::kinds::rules::{Decision, RULES};
use tempfile::TempDir;

use crate::emulator::support::{Answer, Emu};
use crate::support::{billingctl, billingctl_against, texts, transcript, TEST_NOW};

const SCRIPT: &str = "scripts/catalog.rhai";
/// Marks the declaration the planner must point at.
const MARK: &str = "// <- refused";

type Form = Vec<(String, String)>;

/// Builds one case.
type MakeCase = fn() -> Case;

/// One enforced row: the bad request and the bad script.
struct Case {
    id: &'static str,
    /// Raw POSTs that set up the emulator side (each must succeed); `{id}` in the bad
    /// request's path is the id the last one answered.
    setup: Vec<(&'static str, Form)>,
    path: &'static str,
    form: Form,
    /// The param Stripe's error names, and its message.
    param: String,
    message: String,
    /// The bad catalog; the refused declaration's line carries [`MARK`].
    script: String,
    planner: Planner,
    /// What the planner's error must name.
    field: String,
    /// Set up at this earlier instant, then look at the account at `TEST_NOW` (for rules
    /// about objects that have aged: an expired code).
    earlier: Option<i64>,
}

/// How the planner side is asked.
enum Planner {
    /// `billingctl check`, offline.
    Check,
    /// `billingctl plan` against the emulator, after `billingctl run` of this script (if any).
    Plan(Option<String>),
}

fn form(pairs: &[(&str, &str)]) -> Form {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn case(id: &'static str, path: &'static str, pairs: &[(&str, &str)]) -> Case {
    Case {
        id,
        setup: Vec::new(),
        path,
        form: form(pairs),
        param: String::new(),
        message: String::new(),
        script: String::new(),
        planner: Planner::Check,
        field: String::new(),
        earlier: None,
    }
}

impl Case {
    /// The emulator's answer: the param and the message.
    fn refused(mut self, param: &str, message: &str) -> Self {
        self.param = param.to_owned();
        self.message = message.to_owned();
        self
    }

    /// The bad script and the field its error names (the param unless said otherwise).
    fn script(mut self, script: &str, field: &str) -> Self {
        assert!(
            script.contains(MARK),
            "{}: the script marks its bad line",
            self.id
        );
        self.script = script.to_owned();
        self.field = field.to_owned();
        self
    }

    fn setup(mut self, path: &'static str, pairs: &[(&str, &str)]) -> Self {
        self.setup.push((path, form(pairs)));
        self
    }

    fn planned(mut self) -> Self {
        self.planner = Planner::Plan(None);
        self
    }

    fn planned_after(mut self, applied: &str) -> Self {
        self.planner = Planner::Plan(Some(applied.to_owned()));
        self
    }

    fn earlier(mut self, at: i64) -> Self {
        self.earlier = Some(at);
        self
    }
}

const BASIC: &str = "product(\"basic\", #{ name: \"Basic\" });\n";

/// A product `basic` on the emulator side.
fn with_basic(c: Case) -> Case {
    c.setup("/v1/products", &[("id", "basic"), ("name", "Basic")])
}

/// A 10 % coupon `c` on both sides (for promotion codes).
fn with_coupon(c: Case, extra: &[(&str, &str)]) -> Case {
    let mut pairs = vec![("id", "c"), ("percent_off", "10"), ("duration", "once")];
    pairs.extend_from_slice(extra);
    c.setup("/v1/coupons", &pairs)
}

/// A monthly EUR price of `basic` with these fields added, as a script line.
fn price_script(fields: &str) -> String {
    format!(
        "{BASIC}price(\"basic_monthly\", #{{ product: \"basic\", currency: \"eur\", {fields} }}); {MARK}\n"
    )
}

/// A price create of `basic` in EUR with these params added.
fn price_case(id: &'static str, pairs: &[(&str, &str)]) -> Case {
    let mut all = vec![
        ("product", "basic"),
        ("currency", "eur"),
        ("lookup_key", "basic_monthly"),
    ];
    all.extend_from_slice(pairs);
    with_basic(case(id, "/v1/prices", &all))
}

const TIERED: &str = "billing_scheme: \"tiered\", tiers_mode: \"graduated\"";

fn tiered_case(id: &'static str, pairs: &[(&str, &str)]) -> Case {
    let mut all = vec![("billing_scheme", "tiered"), ("tiers_mode", "graduated")];
    all.extend_from_slice(pairs);
    price_case(id, &all)
}

fn coupon_script(fields: &str) -> String {
    format!("coupon(\"c\", #{{ {fields} }}); {MARK}\n")
}

fn coupon_case(id: &'static str, pairs: &[(&str, &str)]) -> Case {
    let mut all = vec![("id", "c")];
    all.extend_from_slice(pairs);
    case(id, "/v1/coupons", &all)
}

fn product_script(fields: &str) -> String {
    format!("product(\"basic\", #{{ name: \"Basic\", {fields} }}); {MARK}\n")
}

fn product_case(id: &'static str, pairs: &[(&str, &str)]) -> Case {
    let mut all = vec![("id", "basic"), ("name", "Basic")];
    all.extend_from_slice(pairs);
    case(id, "/v1/products", &all)
}

const COUPON: &str = "coupon(\"c\", #{ percent_off: 10.0, duration: \"once\" });\n";

fn code_script(code: &str, fields: &str) -> String {
    format!("{COUPON}promotion_code(\"{code}\", #{{ coupon: \"c\", {fields} }}); {MARK}\n")
}

fn code_case(id: &'static str, code: &str, pairs: &[(&str, &str)]) -> Case {
    let mut all = vec![
        ("code", code),
        ("promotion[type]", "coupon"),
        ("promotion[coupon]", "c"),
    ];
    all.extend_from_slice(pairs);
    with_coupon(case(id, "/v1/promotion_codes", &all), &[])
}

fn portal_script(features: &str) -> String {
    format!("portal(\"default\", #{{ features: #{{ {features} }} }}); {MARK}\n")
}

fn portal_case(id: &'static str, pairs: &[(&str, &str)]) -> Case {
    case(id, "/v1/billing_portal/configurations", pairs)
}

fn shipping_script(fields: &str) -> String {
    format!("shipping_rate(\"s\", #{{ display_name: \"Standard\", {fields} }}); {MARK}\n")
}

/// A shipping rate create with these params added (a valid EUR amount unless they replace it).
fn shipping_case(id: &'static str, pairs: &[(&str, &str)]) -> Case {
    let mut all = vec![("display_name", "Standard")];
    all.extend_from_slice(pairs);
    case(id, "/v1/shipping_rates", &all)
}

const EUR_500: &str = "fixed_amount: #{ amount: 500, currency: \"eur\" }";

const PAST: i64 = TEST_NOW - 1_000;
const SOON: i64 = TEST_NOW + 1_000;
const LATER: i64 = TEST_NOW + 2_000;
const THIRTEEN_PLACES: &str = "1.1234567890123";

/// Enforced rows whose case does not hold yet, and the case that will hold them. R030 and
/// R049 (tax behaviour is set-once) wait for the set-once field table and its diff: today the
/// plan accepts the change (and the emulator accepts it for a currency option). When they
/// hold, move them into [`cases`].
const PENDING: &[(&str, MakeCase)] = &[];

/// One case per enforced row, in table order.
#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    let past = PAST.to_string();
    let soon = SOON.to_string();
    let later = LATER.to_string();
    let long_key = "k".repeat(201);
    let long_name = "n".repeat(81);
    vec![
        case("R001", "/v1/billing/meters", &[("event_name", "api"), ("display_name", "API"), ("default_aggregation[formula]", "sum"), ("customer_mapping[event_payload_key]", "customer"), ("customer_mapping[type]", "by_name")])
            .refused("customer_mapping[type]", "Invalid customer_mapping[type]: must be one of by_id")
            .script(&format!("meter(\"api\", #{{ display_name: \"API\", default_aggregation: #{{ formula: \"sum\" }}, customer_mapping: #{{ event_payload_key: \"customer\", type: \"by_name\" }} }}); {MARK}\n"), "customer_mapping[type]"),
        portal_case("R002", &[
            ("features[subscription_cancel][enabled]", "true"),
            ("features[subscription_cancel][proration_behavior]", "sometimes"),
        ])
        .refused("features[subscription_cancel][proration_behavior]", "Invalid features[subscription_cancel][proration_behavior]: must be one of always_invoice, create_prorations, or none")
        .script(&portal_script("subscription_cancel: #{ enabled: true, proration_behavior: \"sometimes\" }"), "proration_behavior"),
        portal_case("R003", &[
            ("features[subscription_pause][enabled]", "true"),
            ("features[subscription_pause][duration][type]", "interval_options"),
        ])
        .refused(
            "features[subscription_pause][duration][interval_options]",
            "features[subscription_pause][duration][interval_options] is required when type is interval_options.",
        )
        .script(&portal_script("subscription_pause: #{ enabled: true, duration: #{ type: \"interval_options\" } }"), "features[subscription_pause][duration][interval_options]"),
        portal_case("R004", &[
            ("features[subscription_pause][enabled]", "true"),
            ("features[subscription_pause][duration][type]", "interval_options"),
            ("features[subscription_pause][duration][interval_options][0][interval]", "month"),
            ("features[subscription_pause][duration][interval_options][0][interval_count]", "37"),
        ])
        .refused("features[subscription_pause][duration][interval_options][0][interval_count]", "Invalid features[subscription_pause][duration][interval_options][0][interval_count]: the maximum duration is three years, got 37.")
        .script(&portal_script("subscription_pause: #{ enabled: true, duration: #{ type: \"interval_options\", interval_options: [#{ interval: \"month\", interval_count: 37 }] } }"), "interval_count"),
        r006(),
        coupon_case("R010", &[("amount_off", "0"), ("currency", "eur"), ("duration", "once")])
            .refused("amount_off", "Invalid amount_off: must be a positive integer.")
            .script(&coupon_script("amount_off: 0, currency: \"eur\", duration: \"once\""), "amount_off"),
        coupon_case("R011", &[("amount_off", "500"), ("duration", "once")])
            .refused("currency", "You must pass currency when passing amount_off.")
            .script(&coupon_script("amount_off: 500, duration: \"once\""), "currency"),
        coupon_case("R012", &[("percent_off", "10"), ("duration", "once"), ("currency_options[usd][amount_off]", "100")])
            .refused("currency_options", "currency_options is only supported for coupons with amount_off.")
            .script(&coupon_script("percent_off: 10.0, duration: \"once\", currency_options: #{ usd: #{ amount_off: 100 } }"), "currency_options"),
        // An update: a percent coupon takes no currency options.
        case("R013", "/v1/coupons/{id}", &[("currency_options[usd][amount_off]", "100")])
            .setup("/v1/coupons", &[("id", "c"), ("percent_off", "10"), ("duration", "once")])
            .refused("currency_options", "currency_options is only supported for coupons with amount_off.")
            .script(&coupon_script("percent_off: 10.0, duration: \"once\", currency_options: #{ usd: #{ amount_off: 100 } }"), "currency_options")
            .planned_after(COUPON),
        coupon_case("R014", &[("amount_off", "500"), ("currency", "eur"), ("duration", "once"), ("currency_options[xyz][amount_off]", "100")])
            .refused("currency_options", "Invalid currency: xyz")
            .script(&coupon_script("amount_off: 500, currency: \"eur\", duration: \"once\", currency_options: #{ xyz: #{ amount_off: 100 } }"), "xyz"),
        coupon_case("R015", &[("amount_off", "500"), ("currency", "eur"), ("duration", "once"), ("currency_options[usd][amount_off]", "0")])
            .refused("currency_options[usd][amount_off]", "Invalid currency_options[usd][amount_off]: must be a positive integer.")
            .script(&coupon_script("amount_off: 500, currency: \"eur\", duration: \"once\", currency_options: #{ usd: #{ amount_off: 0 } }"), "currency_options[usd][amount_off]"),
        coupon_case("R016", &[("percent_off", "10"), ("duration", "repeating")])
            .refused("duration_in_months", "Missing required param: duration_in_months.")
            .script(&coupon_script("percent_off: 10.0, duration: \"repeating\""), "duration_in_months"),
        coupon_case("R017", &[("percent_off", "10"), ("duration", "once")])
            .setup("/v1/coupons", &[("id", "c"), ("percent_off", "10"), ("duration", "once")])
            .refused("id", "Coupon already exists: a coupon with id 'c' exists.")
            .script(&format!("{COUPON}{}", coupon_script("percent_off: 20.0, duration: \"once\"")), "c"),
        coupon_case("R018", &[("percent_off", "10"), ("duration", "once"), ("max_redemptions", "0")])
            .refused("max_redemptions", "Invalid max_redemptions: must be at least 1.")
            .script(&coupon_script("percent_off: 10.0, duration: \"once\", max_redemptions: 0"), "max_redemptions"),
        coupon_case("R019", &[("percent_off", "150"), ("duration", "once")])
            .refused("percent_off", "Invalid percent_off: must be greater than 0 and at most 100, got 150.")
            .script(&coupon_script("percent_off: 150.0, duration: \"once\""), "percent_off"),
        coupon_case("R021", &[("percent_off", "10"), ("duration", "once"), ("redeem_by", &past)])
            .refused("redeem_by", &format!("Invalid redeem_by: must be in the future (it is {PAST}, now is {TEST_NOW})."))
            .script(&coupon_script(&format!("percent_off: 10.0, duration: \"once\", redeem_by: {PAST}")), "redeem_by")
            .planned(),
        with_basic(case("R025", "/v1/prices", &[("product", "basic"), ("currency", "xyz"), ("unit_amount", "900")]))
            .refused("currency", "Invalid currency: xyz")
            .script(&price_script("unit_amount: 900").replace("\"eur\"", "\"xyz\""), "currency"),
        price_case("R026", &[("unit_amount", "900"), ("currency_options[xyz][unit_amount]", "1000")])
            .refused("currency_options", "Invalid currency: xyz")
            .script(&price_script("unit_amount: 900, currency_options: #{ xyz: #{ unit_amount: 1000 } }"), "xyz"),
        // Only the part the reference supports: a minimum below zero. Stripe's minimum charge
        // amounts per currency are not in shared/stripe-reference.
        price_case("R028", &[
            ("unit_amount", "900"),
            ("currency_options[usd][custom_unit_amount][enabled]", "true"),
            ("currency_options[usd][custom_unit_amount][minimum]", "-1"),
        ])
        .refused("currency_options[usd][custom_unit_amount][minimum]", "Invalid currency_options[usd][custom_unit_amount][minimum]: must be at least the minimum charge amount.")
        .script(&price_script("unit_amount: 900, currency_options: #{ usd: #{ custom_unit_amount: #{ enabled: true, minimum: -1 } } }"), "currency_options[usd][custom_unit_amount][minimum]"),
        tiered_case("R032", &[
            ("tiers[0][up_to]", "inf"), ("tiers[0][unit_amount]", "100"),
            ("currency_options[usd][tiers][0][up_to]", "inf"),
            ("currency_options[usd][tiers][0][flat_amount]", "100"),
            ("currency_options[usd][tiers][0][flat_amount_decimal]", "100"),
        ])
        .refused("currency_options[usd][tiers][0][flat_amount]", "You may only specify one of these parameters: flat_amount, flat_amount_decimal.")
        .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", unit_amount: 100 }}], currency_options: #{{ usd: #{{ tiers: [#{{ up_to: \"inf\", flat_amount: 100, flat_amount_decimal: \"100\" }}] }} }}")), "currency_options[usd][tiers][0]"),
        tiered_case("R033", &[
            ("tiers[0][up_to]", "inf"), ("tiers[0][unit_amount]", "100"),
            ("currency_options[usd][tiers][0][up_to]", "inf"),
            ("currency_options[usd][tiers][0][unit_amount]", "100"),
            ("currency_options[usd][tiers][0][unit_amount_decimal]", "100"),
        ])
        .refused("currency_options[usd][tiers][0][unit_amount]", "You may only specify one of these parameters: unit_amount, unit_amount_decimal.")
        .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", unit_amount: 100 }}], currency_options: #{{ usd: #{{ tiers: [#{{ up_to: \"inf\", unit_amount: 100, unit_amount_decimal: \"100\" }}] }} }}")), "currency_options[usd][tiers][0]"),
        tiered_case("R034", &[
            ("tiers[0][up_to]", "inf"), ("tiers[0][unit_amount]", "100"),
            ("currency_options[usd][tiers][0][up_to]", "inf"),
            ("currency_options[usd][tiers][0][unit_amount_decimal]", THIRTEEN_PLACES),
        ])
        .refused("currency_options[usd][tiers][0][unit_amount_decimal]", "Invalid decimal: 1.1234567890123")
        .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", unit_amount: 100 }}], currency_options: #{{ usd: #{{ tiers: [#{{ up_to: \"inf\", unit_amount_decimal: \"{THIRTEEN_PLACES}\" }}] }} }}")), "currency_options[usd][tiers][0][unit_amount_decimal]"),
        price_case("R035", &[("unit_amount", "900"), ("currency_options[usd][unit_amount]", "-1")])
            .refused("currency_options[usd][unit_amount]", "Invalid currency_options[usd][unit_amount]: must be a non-negative integer, got -1.")
            .script(&price_script("unit_amount: 900, currency_options: #{ usd: #{ unit_amount: -1 } }"), "currency_options[usd][unit_amount]"),
        price_case("R036", &[("unit_amount", "900"), ("currency_options[usd][unit_amount]", "100"), ("currency_options[usd][unit_amount_decimal]", "100")])
            .refused("currency_options[usd][unit_amount]", "You may only specify one of these parameters: unit_amount, unit_amount_decimal.")
            .script(&price_script("unit_amount: 900, currency_options: #{ usd: #{ unit_amount: 100, unit_amount_decimal: \"100\" } }"), "currency_options[usd]"),
        price_case("R037", &[("unit_amount", "900"), ("currency_options[usd][unit_amount_decimal]", THIRTEEN_PLACES)])
            .refused("currency_options[usd][unit_amount_decimal]", "Invalid decimal: 1.1234567890123")
            .script(&price_script(&format!("unit_amount: 900, currency_options: #{{ usd: #{{ unit_amount_decimal: \"{THIRTEEN_PLACES}\" }} }}")), "currency_options[usd][unit_amount_decimal]"),
        price_case("R039", &[("custom_unit_amount[enabled]", "true"), ("custom_unit_amount[minimum]", "-1")])
            .refused("custom_unit_amount[minimum]", "Invalid custom_unit_amount[minimum]: must be at least the minimum charge amount.")
            .script(&price_script("custom_unit_amount: #{ enabled: true, minimum: -1 }"), "custom_unit_amount[minimum]"),
        with_basic(case("R041", "/v1/prices", &[("product", "basic"), ("currency", "eur"), ("unit_amount", "900"), ("lookup_key", &long_key)]))
            .refused("lookup_key", "Invalid lookup_key: must be at most 200 characters.")
            .script(&format!("{BASIC}price(\"{long_key}\", #{{ product: \"basic\", currency: \"eur\", unit_amount: 900 }}); {MARK}\n"), "lookup_key"),
        price_case("R047", &[("unit_amount", "900"), ("recurring[interval]", "month"), ("recurring[interval_count]", "37")])
            .refused("recurring[interval_count]", "Invalid recurring[interval_count]: the maximum interval is three years (3 years, 36 months, or 156 weeks), got 37.")
            .script(&price_script("unit_amount: 900, recurring: #{ interval: \"month\", interval_count: 37 }"), "recurring[interval_count]"),
        tiered_case("R051", &[("tiers[0][up_to]", "inf"), ("tiers[0][flat_amount]", "100"), ("tiers[0][flat_amount_decimal]", "100")])
            .refused("tiers[0][flat_amount]", "You may only specify one of these parameters: flat_amount, flat_amount_decimal.")
            .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", flat_amount: 100, flat_amount_decimal: \"100\" }}]")), "tiers[0]"),
        tiered_case("R052", &[("tiers[0][up_to]", "inf"), ("tiers[0][unit_amount]", "100"), ("tiers[0][unit_amount_decimal]", "100")])
            .refused("tiers[0][unit_amount]", "You may only specify one of these parameters: unit_amount, unit_amount_decimal.")
            .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", unit_amount: 100, unit_amount_decimal: \"100\" }}]")), "tiers[0]"),
        tiered_case("R053", &[("tiers[0][up_to]", "inf"), ("tiers[0][unit_amount_decimal]", THIRTEEN_PLACES)])
            .refused("tiers[0][unit_amount_decimal]", "Invalid decimal: 1.1234567890123")
            .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", unit_amount_decimal: \"{THIRTEEN_PLACES}\" }}]")), "tiers[0][unit_amount_decimal]"),
        tiered_case("R055", &[("tiers[0][up_to]", "inf"), ("tiers[0][unit_amount]", "100"), ("transform_quantity[divide_by]", "2"), ("transform_quantity[round]", "up")])
            .refused("transform_quantity", "transform_quantity cannot be combined with tiers.")
            .script(&price_script(&format!("{TIERED}, tiers: [#{{ up_to: \"inf\", unit_amount: 100 }}], transform_quantity: #{{ divide_by: 2, round: \"up\" }}")), "transform_quantity"),
        price_case("R056", &[("unit_amount", "-1")])
            .refused("unit_amount", "Invalid unit_amount: must be a non-negative integer, got -1.")
            .script(&price_script("unit_amount: -1"), "unit_amount"),
        price_case("R057", &[])
            .refused("unit_amount", "Missing required param: unit_amount.")
            .script(&price_script("recurring: #{ interval: \"month\" }"), "unit_amount"),
        price_case("R058", &[("unit_amount", "900"), ("unit_amount_decimal", "900")])
            .refused("unit_amount", "You may only specify one of these parameters: unit_amount, unit_amount_decimal.")
            .script(&price_script("unit_amount: 900, unit_amount_decimal: \"900\""), "unit_amount_decimal"),
        price_case("R059", &[("unit_amount_decimal", THIRTEEN_PLACES)])
            .refused("unit_amount_decimal", "Invalid decimal: 1.1234567890123")
            .script(&price_script(&format!("unit_amount_decimal: \"{THIRTEEN_PLACES}\"")), "unit_amount_decimal"),
        product_case("R084", &[])
            .setup("/v1/products", &[("id", "basic"), ("name", "Basic")])
            .refused("id", "Product already exists: a product with id 'basic' exists.")
            .script(&format!("{BASIC}{}", product_script("description: \"again\"")), "basic"),
        r085(),
        r086(),
        product_case("R087", &[("marketing_features[0][name]", &long_name)])
            .refused("marketing_features[0][name]", "Invalid marketing_features[0][name]: must be at most 80 characters, got 81.")
            .script(&product_script(&format!("marketing_features: [\"{long_name}\"]")), "marketing_features[0][name]"),
        product_case("R092", &[("statement_descriptor", "12345")])
            .refused("statement_descriptor", "Invalid statement_descriptor: must contain at least one letter.")
            .script(&product_script("statement_descriptor: \"12345\""), "statement_descriptor"),
        product_case("R096", &[("statement_descriptor", "ACME <PLUS>")])
            .refused("statement_descriptor", "Invalid statement_descriptor: must not contain any of < > \\ \" '.")
            .script(&product_script("statement_descriptor: \"ACME <PLUS>\""), "statement_descriptor"),
        product_case("R097", &[("statement_descriptor", "ABCDEFGHIJKLMNOPQRSTUVW")])
            .refused("statement_descriptor", "Invalid statement_descriptor: must be at most 22 characters.")
            .script(&product_script("statement_descriptor: \"ABCDEFGHIJKLMNOPQRSTUVW\""), "statement_descriptor"),
        r030(),
        r049(),
        r100(),
        code_case("R101", "save10", &[])
            .setup("/v1/promotion_codes", &[("code", "SAVE10"), ("promotion[type]", "coupon"), ("promotion[coupon]", "c")])
            .refused("code", "An active promotion code with `code: save10` already exists.")
            .script(&format!("{COUPON}promotion_code(\"SAVE10\", #{{ coupon: \"c\" }});\npromotion_code(\"save10\", #{{ coupon: \"c\" }}); {MARK}\n"), "save10"),
        code_case("R102", "SAVE_10", &[])
            .refused("code", "Invalid code: SAVE_10. Codes may contain only letters (a-z, A-Z), digits (0-9) and dashes (-), up to 500 characters.")
            .script(&code_script("SAVE_10", ""), "code"),
        with_coupon(case("R103", "/v1/promotion_codes", &[("code", "SAVE10"), ("promotion[type]", "coupon"), ("promotion[coupon]", "c"), ("expires_at", &later)]), &[("redeem_by", &soon)])
            .refused("expires_at", &format!("The promotion code's expires_at ({LATER}) cannot be after its coupon's redeem_by ({SOON})."))
            .script(&format!("coupon(\"c\", #{{ percent_off: 10.0, duration: \"once\", redeem_by: {SOON} }});\npromotion_code(\"SAVE10\", #{{ coupon: \"c\", expires_at: {LATER} }}); {MARK}\n"), "expires_at"),
        code_case("R104", "SAVE10", &[("max_redemptions", "0")])
            .refused("max_redemptions", "Invalid max_redemptions: must be at least 1.")
            .script(&code_script("SAVE10", "max_redemptions: 0"), "max_redemptions"),
        with_coupon(case("R105", "/v1/promotion_codes", &[("code", "SAVE10"), ("promotion[type]", "coupon"), ("promotion[coupon]", "c"), ("max_redemptions", "10")]), &[("max_redemptions", "5")])
            .refused("max_redemptions", "The promotion code's max_redemptions (10) cannot be greater than its coupon's max_redemptions (5).")
            .script(&format!("coupon(\"c\", #{{ percent_off: 10.0, duration: \"once\", max_redemptions: 5 }});\npromotion_code(\"SAVE10\", #{{ coupon: \"c\", max_redemptions: 10 }}); {MARK}\n"), "max_redemptions"),
        code_case("R106", "SAVE10", &[
            ("restrictions[minimum_amount]", "1000"),
            ("restrictions[minimum_amount_currency]", "eur"),
            ("restrictions[currency_options][eur][minimum_amount]", "1000"),
        ])
        .refused("restrictions[currency_options][eur]", "restrictions[currency_options] cannot include the promotion code's minimum_amount_currency (eur).")
        .script(&code_script("SAVE10", "restrictions: #{ minimum_amount: 1000, minimum_amount_currency: \"eur\", currency_options: #{ eur: #{ minimum_amount: 1000 } } }"), "restrictions[currency_options] cannot include"),
        code_case("R107", "SAVE10", &[
            ("restrictions[minimum_amount]", "1000"),
            ("restrictions[minimum_amount_currency]", "eur"),
            ("restrictions[currency_options][xyz][minimum_amount]", "1000"),
        ])
        .refused("restrictions[currency_options]", "Invalid currency: xyz")
        .script(&code_script("SAVE10", "restrictions: #{ minimum_amount: 1000, minimum_amount_currency: \"eur\", currency_options: #{ xyz: #{ minimum_amount: 1000 } } }"), "xyz"),
        shipping_case("R111", &[("fixed_amount[amount]", "500"), ("fixed_amount[currency]", "eur"), ("delivery_estimate[maximum][unit]", "day"), ("delivery_estimate[maximum][value]", "0")])
            .refused("delivery_estimate[maximum][value]", "Invalid delivery_estimate[maximum][value]: must be greater than 0, got 0.")
            .script(&shipping_script(&format!("{EUR_500}, delivery_estimate: #{{ maximum: #{{ unit: \"day\", value: 0 }} }}")), "delivery_estimate[maximum][value]"),
        shipping_case("R112", &[("fixed_amount[amount]", "500"), ("fixed_amount[currency]", "eur"), ("delivery_estimate[minimum][unit]", "day"), ("delivery_estimate[minimum][value]", "-1")])
            .refused("delivery_estimate[minimum][value]", "Invalid delivery_estimate[minimum][value]: must be greater than 0, got -1.")
            .script(&shipping_script(&format!("{EUR_500}, delivery_estimate: #{{ minimum: #{{ unit: \"day\", value: -1 }} }}")), "delivery_estimate[minimum][value]"),
        shipping_case("R113", &[("type", "fixed_amount")])
            .refused("fixed_amount", "fixed_amount is required when type is fixed_amount.")
            .script(&shipping_script("type: \"fixed_amount\""), "fixed_amount"),
        shipping_case("R114", &[("fixed_amount[amount]", "-1"), ("fixed_amount[currency]", "eur")])
            .refused("fixed_amount[amount]", "Invalid fixed_amount[amount]: must be a non-negative integer, got -1.")
            .script(&shipping_script("fixed_amount: #{ amount: -1, currency: \"eur\" }"), "fixed_amount[amount]"),
        shipping_case("R115", &[("fixed_amount[amount]", "500"), ("fixed_amount[currency]", "xyz")])
            .refused("fixed_amount[currency]", "Invalid currency: xyz")
            .script(&shipping_script("fixed_amount: #{ amount: 500, currency: \"xyz\" }"), "fixed_amount[currency]"),
        shipping_case("R116", &[("fixed_amount[amount]", "500"), ("fixed_amount[currency]", "eur"), ("fixed_amount[currency_options][xyz][amount]", "600")])
            .refused("fixed_amount[currency_options]", "Invalid currency: xyz")
            .script(&shipping_script("fixed_amount: #{ amount: 500, currency: \"eur\", currency_options: #{ xyz: #{ amount: 600 } } }"), "fixed_amount[currency_options][xyz]"),
        shipping_case("R117", &[("fixed_amount[amount]", "500"), ("fixed_amount[currency]", "eur"), ("fixed_amount[currency_options][usd][amount]", "-1")])
            .refused("fixed_amount[currency_options][usd][amount]", "Invalid fixed_amount[currency_options][usd][amount]: must be a non-negative integer, got -1.")
            .script(&shipping_script("fixed_amount: #{ amount: 500, currency: \"eur\", currency_options: #{ usd: #{ amount: -1 } } }"), "fixed_amount[currency_options][usd][amount]"),
    ]
}

/// R006: eleven products in the portal's subscription update.
fn r006() -> Case {
    let mut pairs = vec![
        (
            "features[subscription_update][enabled]".to_owned(),
            "true".to_owned(),
        ),
        (
            "features[subscription_update][default_allowed_updates][0]".to_owned(),
            "price".to_owned(),
        ),
    ];
    for i in 0..11 {
        let base = format!("features[subscription_update][products][{i}]");
        pairs.push((format!("{base}[product]"), format!("prod_{i}")));
        pairs.push((format!("{base}[prices][0]"), format!("price_{i}")));
    }
    let mut c = portal_case("R006", &[]);
    c.form = pairs;
    c.refused(
        "features[subscription_update][products]",
        "features[subscription_update][products] lists 11 products; at most 10 are allowed.",
    )
    .script(
        &format!(
            "let listed = [];\nfor i in 0..11 {{\n    product(`p${{i}}`, #{{ name: `P${{i}}` }});\n    \
             price(`p${{i}}_monthly`, #{{ product: `p${{i}}`, currency: \"eur\", unit_amount: 900, recurring: #{{ interval: \"month\" }} }});\n    \
             listed.push(#{{ product: `p${{i}}`, prices: [`p${{i}}_monthly`] }});\n}}\n{}",
            portal_script("subscription_update: #{ enabled: true, default_allowed_updates: [\"price\"], products: listed }")
        ),
        "features[subscription_update][products]",
    )
}

const TAXED: &str = "product(\"basic\", #{ name: \"Basic\" });\n\
    price(\"basic_monthly\", #{ product: \"basic\", currency: \"eur\", unit_amount: 900, \
    tax_behavior: \"exclusive\", currency_options: #{ usd: #{ unit_amount: 1000, tax_behavior: \"exclusive\" } } });\n";

/// R030: a currency option's tax behaviour, once set, stays.
fn r030() -> Case {
    price_case(
        "R030",
        &[
            ("unit_amount", "900"),
            ("currency_options[usd][unit_amount]", "1000"),
            ("currency_options[usd][tax_behavior]", "exclusive"),
        ],
    )
    .refused("currency_options[usd][tax_behavior]", "")
    .script(
        &TAXED.replace(
            "1000, tax_behavior: \"exclusive\" } } });",
            &format!("1000, tax_behavior: \"inclusive\" }} }} }}); {MARK}"),
        ),
        "currency_options[usd][tax_behavior]",
    )
    .planned_after(TAXED)
    .updating(&[
        ("currency_options[usd][unit_amount]", "1000"),
        ("currency_options[usd][tax_behavior]", "inclusive"),
    ])
}

/// R049: a price's tax behaviour, once set, stays.
fn r049() -> Case {
    price_case(
        "R049",
        &[("unit_amount", "900"), ("tax_behavior", "exclusive")],
    )
    .refused(
        "tax_behavior",
        "tax_behavior cannot be changed once it is set to exclusive or inclusive (it is exclusive).",
    )
    .script(
        &TAXED.replacen(
            "tax_behavior: \"exclusive\", currency_options: #{ usd: #{ unit_amount: 1000, tax_behavior: \"exclusive\" } } });",
            &format!("tax_behavior: \"inclusive\", currency_options: #{{ usd: #{{ unit_amount: 1000, tax_behavior: \"exclusive\" }} }} }}); {MARK}"),
            1,
        ),
        "tax_behavior",
    )
    .planned_after(TAXED)
    .updating(&[("tax_behavior", "inclusive")])
}

fn r085() -> Case {
    let mut c = product_case("R085", &[]);
    for i in 0..9 {
        c.form.push((
            format!("images[{i}]"),
            format!("https://acme.example/{i}.png"),
        ));
    }
    let images: Vec<String> = (0..9)
        .map(|i| format!("\"https://acme.example/{i}.png\""))
        .collect();
    c.refused(
        "images",
        "Invalid images: a product can have at most 8 images, got 9.",
    )
    .script(
        &product_script(&format!("images: [{}]", images.join(", "))),
        "images",
    )
}

fn r086() -> Case {
    let mut c = product_case("R086", &[]);
    for i in 0..16 {
        c.form
            .push((format!("marketing_features[{i}][name]"), format!("F{i}")));
    }
    let names: Vec<String> = (0..16).map(|i| format!("\"F{i}\"")).collect();
    c.refused(
        "marketing_features",
        "Invalid marketing_features: a product can have at most 15 marketing features, got 16.",
    )
    .script(
        &product_script(&format!("marketing_features: [{}]", names.join(", "))),
        "marketing_features",
    )
}

/// R100: a code that expired while inactive cannot be reactivated. Made at `EARLIER`, looked
/// at from `TEST_NOW`, when its `expires_at` has passed.
///
/// The plan reactivates an inactive code that matches the script (rather than duplicating
/// it), and refuses that update first: the code has expired.
fn r100() -> Case {
    const EARLIER: i64 = TEST_NOW - 10_000;
    let expires = PAST.to_string();
    let declared = format!(
        "{COUPON}promotion_code(\"SAVE10\", #{{ coupon: \"c\", expires_at: {PAST}, active: ACTIVE }}); {MARK}\n"
    );
    with_coupon(
        case("R100", "/v1/promotion_codes/{id}", &[("active", "true")]),
        &[],
    )
    .setup(
        "/v1/promotion_codes",
        &[
            ("code", "SAVE10"),
            ("promotion[type]", "coupon"),
            ("promotion[coupon]", "c"),
            ("expires_at", &expires),
        ],
    )
    .setup_update(&[("active", "false")])
    .refused(
        "active",
        "This promotion code cannot be reactivated: the promotion code has expired.",
    )
    .script(
        &declared.replace("ACTIVE", "true"),
        "cannot be reactivated: the promotion code has expired",
    )
    .planned_after(
        &declared
            .replace("ACTIVE", "false")
            .replace(&format!(" {MARK}"), ""),
    )
    .earlier(EARLIER)
}

impl Case {
    /// The bad request is an update of the object the setup made last (after its own setup
    /// create of it with `form`).
    fn updating(mut self, pairs: &[(&str, &str)]) -> Self {
        let create = std::mem::replace(&mut self.form, form(pairs));
        self.setup.push((self.path, create));
        self.path = match self.path {
            "/v1/prices" => "/v1/prices/{id}",
            other => panic!("{}: no update path for {other}", self.id),
        };
        self
    }

    /// One more setup request: an update of the object made last.
    fn setup_update(mut self, pairs: &[(&str, &str)]) -> Self {
        self.setup.push(("{id}", form(pairs)));
        self
    }
}

/// An emulator for one case, with a state file so that a case can age its account.
struct Account {
    emu: Emu,
    dir: TempDir,
    runtime: tokio::runtime::Runtime,
}

impl Account {
    fn at(dir: TempDir, now: i64) -> Account {
        let emu = Emu::with(EmulatorOptions {
            state_file: Some(dir.path().join("state.json")),
            clock: Clock::Fixed(now),
            ..EmulatorOptions::default()
        });
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        Account { emu, dir, runtime }
    }

    fn post(&self, path: &str, form: &Form) -> Answer {
        let pairs: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.runtime.block_on(self.emu.post(path, &pairs))
    }

    /// The same account, now at `TEST_NOW`.
    fn at_test_now(self) -> Account {
        let Account { emu, dir, runtime } = self;
        emu.handle.shutdown();
        drop(runtime);
        Account::at(dir, TEST_NOW)
    }

    fn write(&self, text: &str) {
        let path = self.dir.path().join(SCRIPT);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("mkdir");
        std::fs::write(path, text).expect("write script");
    }

    fn posts(&self) -> u64 {
        self.emu.handle.stats().posts()
    }
}

/// The account a case starts from, its setup made (at its earlier instant, if any), and the
/// id the last setup request answered.
fn account(c: &Case, planner_side: bool) -> Result<(Account, String), String> {
    let start = c.earlier.unwrap_or(TEST_NOW);
    let account = Account::at(tempfile::tempdir().expect("a temporary directory"), start);
    let mut last = (String::new(), String::new());
    if planner_side {
        if let Planner::Plan(Some(applied)) = &c.planner {
            account.write(applied);
            let base = account.emu.handle.base_url();
            let output = billingctl_against(account.dir.path(), &base, &["run", SCRIPT, "--yes"])
                .env("BILLINGCTL_NOW", start.to_string())
                .output()
                .expect("runs");
            if !output.status.success() {
                return Err(format!("the setup script failed:\n{}", transcript(&output)));
            }
        }
    } else {
        for (path, form) in &c.setup {
            // `{id}`: an update of the object made last.
            let update = *path == "{id}";
            let path = if update {
                format!("{}/{}", last.0, last.1)
            } else {
                (*path).to_owned()
            };
            let answer = account.post(&path, form);
            if answer.status != 200 {
                return Err(format!("setup POST {path} failed: {}", answer.body));
            }
            if !update {
                last = (path, answer.id());
            }
        }
    }
    let account = if c.earlier.is_some() {
        account.at_test_now()
    } else {
        account
    };
    account.emu.handle.reset_stats();
    Ok((account, last.1))
}

/// The emulator side of one case; `Err` says what differs.
fn emulator_side(c: &Case) -> Result<(), String> {
    let (account, last) = account(c, false)?;
    let path = c.path.replace("{id}", &last);
    let answer = account.post(&path, &c.form);
    let error = &answer.body["error"];
    let message = error["message"].as_str().unwrap_or_default();
    let same = answer.status == 400
        && error["type"] == "invalid_request_error"
        && error["param"] == c.param.as_str()
        && !message.is_empty()
        && (c.message.is_empty() || message == c.message);
    if same {
        Ok(())
    } else {
        Err(format!(
            "POST {path} answered {} {}; expected 400 invalid_request_error, param `{}`{}",
            answer.status,
            answer.body,
            c.param,
            if c.message.is_empty() {
                String::new()
            } else {
                format!(", message `{}`", c.message)
            }
        ))
    }
}

/// Where the marked declaration starts: `scripts/catalog.rhai:LINE:COL`.
fn marked_location(script: &str) -> String {
    let (index, line) = script
        .lines()
        .enumerate()
        .find(|(_, line)| line.contains(MARK))
        .expect("a marked line");
    let col = line.len() - line.trim_start().len() + 1;
    format!("{SCRIPT}:{}:{col}", index + 1)
}

/// The planner side of one case; `Err` says what differs.
fn planner_side(c: &Case) -> Result<(), String> {
    let (account, _) = account(c, true)?;
    account.write(&c.script);
    let output = match &c.planner {
        Planner::Check => billingctl(account.dir.path())
            .args(["check", SCRIPT])
            .output()
            .expect("runs"),
        Planner::Plan(_) => billingctl_against(
            account.dir.path(),
            &account.emu.handle.base_url(),
            &["plan", SCRIPT],
        )
        .output()
        .expect("runs"),
    };
    let (_, stderr) = texts(&output);
    let location = marked_location(&c.script);
    let mut wrong = Vec::new();
    if output.status.code() != Some(1) {
        wrong.push(format!("exit {:?}, not 1", output.status.code()));
    }
    if !stderr.contains(&c.field) {
        wrong.push(format!("`{}` is not named", c.field));
    }
    if !stderr.contains(&location) {
        wrong.push(format!("{location} is not printed"));
    }
    if account.posts() != 0 {
        wrong.push(format!("{} POSTs reached the emulator", account.posts()));
    }
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(format!("{}:\n{}", wrong.join("; "), transcript(&output)))
    }
}

/// Runs `side` on every case and fails listing every case it refused to hold.
fn hold(side: fn(&Case) -> Result<(), String>) {
    let failures: Vec<String> = cases()
        .iter()
        .filter_map(|c| side(c).err().map(|why| format!("{}: {why}", c.id)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_emulator_refuses_every_enforced_rule_as_stripe_does() {
    hold(emulator_side);
}

#[test]
fn check_and_plan_refuse_every_enforced_rule_first_at_its_declaration() {
    hold(planner_side);
}

#[test]
fn every_enforced_rule_has_a_case() {
    let mut covered: BTreeSet<&str> = cases().iter().map(|c| c.id).collect();
    for (id, pending) in PENDING {
        assert_eq!(pending().id, *id, "a pending case is named after its rule");
        assert!(covered.insert(id), "{id} is both pending and held");
    }
    let missing: Vec<&str> = RULES
        .iter()
        .filter(|rule| {
            matches!(
                rule.decision,
                Decision::Checked(_) | Decision::Split { .. } | Decision::Table(_)
            )
        })
        .map(|rule| rule.id)
        .filter(|id| !covered.contains(id))
        .collect();
    assert!(
        missing.is_empty(),
        "enforced rules without a two-sided case in tests/it/rules.rs: {missing:?}"
    );
    let enforced: BTreeSet<&str> = RULES
        .iter()
        .filter(|rule| {
            matches!(
                rule.decision,
                Decision::Checked(_) | Decision::Split { .. } | Decision::Table(_)
            )
        })
        .map(|rule| rule.id)
        .collect();
    let stray: Vec<&&str> = covered.difference(&enforced).collect();
    assert!(
        stray.is_empty(),
        "cases for rules the table does not enforce: {stray:?}"
    );
}
