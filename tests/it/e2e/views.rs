//! The three plan views (human, JSON, markdown) of every script the project ships, pinned as
//! snapshots: on an empty account (every create), and on an account the main catalog was
//! applied to, planned against an edited catalog (updates, immutable drift, replacement,
//! pruning). Refactors below the plan must leave every byte of them alone.

use crate::support::{texts, Harness};

const FORMATS: [&str; 3] = ["human", "json", "markdown"];

/// The project's scripts with the files each one reads.
const SCRIPTS: &[(&str, &[&str])] = &[
    (
        "scripts/catalog.rhai",
        &["scripts/env/test.rhai", "scripts/env/live.rhai"],
    ),
    ("scripts/campaigns/black_friday.rhai", &[]),
    ("examples/launch_campaign.rhai", &[]),
    ("examples/multi_currency.rhai", &[]),
    ("examples/tiered.rhai", &[]),
    ("examples/usage_based.rhai", &[]),
    ("examples/checkout_rates.rhai", &[]),
    ("examples/entitlements.rhai", &[]),
];

fn project_file(relative: &str) -> String {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(root.join(relative)).expect("the script exists")
}

fn copy_into(harness: &Harness, files: &[&str]) {
    for file in files {
        harness.write(file, &project_file(file));
    }
}

/// `plan ARGS -o FORMAT`, with the emulator's port filtered out.
fn plan(harness: &Harness, args: &[&str], format: &str) -> String {
    let mut all = vec!["plan"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["-o", format]);
    let output = harness.command(&all).output().unwrap();
    let (stdout, stderr) = texts(&output);
    format!(
        "exit: {:?}\n--- stdout\n{stdout}--- stderr\n{stderr}",
        output.status.code()
    )
}

fn snapshot(name: &str, text: &str) {
    insta::with_settings!({
        snapshot_path => "snapshots/views",
        prepend_module_to_snapshot => false,
        filters => vec![
            (r"127\.0\.0\.1:\d+", "[EMULATOR]"),
            (r"\b(promo|price|prod|bpc)_[A-Za-z0-9]{12,}", "${1}_[ID]"),
        ],
    }, {
        insta::assert_snapshot!(name, text);
    });
}

#[test]
fn every_script_planned_on_an_empty_account() {
    for (script, with) in SCRIPTS {
        let harness = Harness::new();
        copy_into(&harness, &[script]);
        copy_into(&harness, with);
        let stem = script.trim_end_matches(".rhai").replace('/', "_");
        for format in FORMATS {
            snapshot(
                &format!("empty_{stem}_{format}"),
                &plan(&harness, &[script], format),
            );
        }
    }
}

/// The main catalog with a renamed plan, a monthly price that costs more (immutable), and a
/// promotion code dropped from the script.
fn edited_catalog() -> String {
    let text = project_file("scripts/catalog.rhai");
    let edited = text
        .replace("name: plan.name,", "name: `${plan.name} plan`,")
        .replace(
            "unit_amount: plan.monthly.eur,",
            "unit_amount: plan.monthly.eur + 100,",
        )
        .replace(
            "proration_behavior: \"none\",",
            "proration_behavior: \"create_prorations\",",
        );
    let welcome = edited
        .find("promotion_code(\"WELCOME10\"")
        .expect("WELCOME10");
    let end = welcome + edited[welcome..].find("});").expect("its end") + 3;
    let edited = format!("{}{}", &edited[..welcome], &edited[end..]);
    assert_ne!(edited, text);
    edited
}

#[test]
fn the_main_catalog_planned_against_its_edited_self() {
    let harness = Harness::new();
    let (script, with) = SCRIPTS[0];
    copy_into(&harness, &[script]);
    copy_into(&harness, with);
    harness.apply_script(script);
    harness.write(script, &edited_catalog());
    for (name, flags) in [
        ("edited", &[][..]),
        ("edited_replace_prune", &["--allow-replace", "--prune"][..]),
    ] {
        let mut args = vec![script];
        args.extend_from_slice(flags);
        for format in FORMATS {
            snapshot(&format!("{name}_{format}"), &plan(&harness, &args, format));
        }
    }
}
