//! Benchmark: evaluate and validate a generated catalog of 10,000 objects, and measure the
//! operations a 5,000-code campaign and the 10,000-object catalog need against the sandbox's
//! limit. Run: `cargo bench --bench script` (release). Prints the median of 5 runs.

use std::path::Path;
use std::time::{Duration, Instant};

use billingctl::script::{evaluate_in, Limits};

/// 2,000 products × 3 prices, 1,000 coupons, 1,000 promotion codes: 10,000 objects.
const CATALOG: &str = r#"
for i in 0..2000 {
    let id = `product_${i}`;
    product(id, #{ name: `Product ${i}`, description: "Generated", metadata: #{ n: `${i}` },
                   marketing_features: ["One", "Two"] });
    price(`${id}_monthly`, #{ product: id, currency: "eur", unit_amount: 100 + i,
                              recurring: #{ interval: "month" }, currency_options: #{ usd: #{ unit_amount: 110 + i } } });
    price(`${id}_yearly`, #{ product: id, currency: "eur", unit_amount: 1000 + i, recurring: #{ interval: "year" } });
    price(`${id}_once`, #{ product: id, currency: "usd", unit_amount: 5000 });
}
for i in 0..1000 {
    coupon(`coupon_${i}`, #{ percent_off: 10.0, duration: "repeating", duration_in_months: 3 });
    promotion_code(`CODE-${i}`, #{ coupon: `coupon_${i}`, max_redemptions: 10 });
}
"#;

const CAMPAIGN: &str = r#"
import "campaign" as campaign;
coupon("bf", #{ percent_off: 40.0 });
for code in campaign::codes(#{ prefix: "BF-", length: 8, count: 5000, seed: 1 }) {
    promotion_code(code, campaign::single_use("bf", true));
}
"#;

fn write(dir: &Path, name: &str, source: &str) {
    std::fs::write(dir.join(name), source).unwrap();
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

/// The smallest operation limit (of a doubling series) the script evaluates under.
fn operations_needed(dir: &Path, script: &str) -> u64 {
    let mut limit = 50_000;
    loop {
        let limits = Limits {
            operations: limit,
            ..Limits::default()
        };
        if evaluate_in(dir, Path::new(script), "test", &limits).is_ok() {
            return limit;
        }
        limit *= 2;
    }
}

fn main() {
    let dir = std::env::temp_dir().join(format!("billingctl-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    write(&dir, "catalog.rhai", CATALOG);
    write(&dir, "campaign.rhai", CAMPAIGN);

    let mut runs = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let catalog = evaluate_in(&dir, Path::new("catalog.rhai"), "test", &Limits::default())
            .unwrap_or_else(|d| panic!("{}", billingctl::diag::render_human(&d, false)));
        runs.push(start.elapsed());
        assert_eq!(catalog.len(), 10_000);
    }
    println!(
        "10,000-object catalog: evaluate + validate, median of 5: {:?} (runs {runs:?})",
        median(runs.clone())
    );

    let mut runs = Vec::new();
    for _ in 0..5 {
        let start = Instant::now();
        let catalog =
            evaluate_in(&dir, Path::new("campaign.rhai"), "test", &Limits::default()).unwrap();
        runs.push(start.elapsed());
        assert_eq!(catalog.len(), 5_001);
    }
    println!("5,000-code campaign: median of 5: {:?}", median(runs));

    let limit = Limits::default().operations;
    println!("operations limit: {limit}");
    println!(
        "catalog needs at most {} operations",
        operations_needed(&dir, "catalog.rhai")
    );
    println!(
        "campaign needs at most {} operations",
        operations_needed(&dir, "campaign.rhai")
    );

    write(&dir, "loop.rhai", "let n = 0; loop { n += 1; }");
    let start = Instant::now();
    assert!(evaluate_in(&dir, Path::new("loop.rhai"), "test", &Limits::default()).is_err());
    println!("endless loop stopped after {:?}", start.elapsed());
    std::fs::remove_dir_all(&dir).ok();
}
