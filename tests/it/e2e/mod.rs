//! End-to-end: the built `billingctl` binary against the in-process emulator — plan, run,
//! verify, the JSON contract, exit codes, fail-fast on immutable drift, partial failures.

mod connect;
mod conventions;
mod dates;
mod drift;
mod examples;
mod init;
mod interrupt;
mod lifecycle;
mod plan_and_run;
mod proxy;
mod rates;
mod renderings;
mod replace;
mod rich;
mod saved;
mod scope;
mod terminal;
mod traps;
mod upserts;
mod views;
mod webhook_endpoints;

/// The catalog most tests start from: two products, two prices, a coupon, a promotion code
/// and a portal configuration listing both products and their prices.
pub const CATALOG: &str = r#"
product("basic", #{ name: "Basic" });
product("plus", #{ name: "Plus" });
price("basic_monthly", #{ product: "basic", currency: "eur", unit_amount: 900,
                          recurring: #{ interval: "month" } });
price("plus_monthly", #{ product: "plus", currency: "eur", unit_amount: 1900,
                         recurring: #{ interval: "month" } });
coupon("launch_30", #{ percent_off: 30.0, duration: "repeating", duration_in_months: 3 });
promotion_code("LAUNCH", #{ coupon: "launch_30", max_redemptions: 500 });
portal("default", #{ features: #{
    invoice_history: #{ enabled: true },
    subscription_update: #{ enabled: true, default_allowed_updates: ["price"],
        products: [#{ product: "basic", prices: ["basic_monthly"] },
                   #{ product: "plus", prices: ["plus_monthly"] }] } } });
"#;

/// How many objects `CATALOG` declares.
pub const CATALOG_OBJECTS: usize = 7;

/// `CATALOG` with `basic_monthly` as the default price of `basic`.
pub fn with_default_price() -> String {
    CATALOG.replace(
        "product(\"basic\", #{ name: \"Basic\" });",
        "product(\"basic\", #{ name: \"Basic\", default_price: \"basic_monthly\" });",
    )
}
