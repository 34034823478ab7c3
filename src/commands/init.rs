//! `billingctl init`: a starter project — a catalog script, the test and live overlays, a
//! `.gitignore` line for the sandbox folder, and a CI workflow for pull requests
//! (examples/ci/). Never overwrites a file: an existing one is kept and reported.

use std::path::Path;

use anyhow::Context;

use crate::cli::InitArgs;
use crate::ExitStatus;

/// The files `init` writes, relative to the project folder.
const FILES: [(&str, &str); 4] = [
    ("scripts/catalog.rhai", include_str!("init/catalog.rhai")),
    ("scripts/env/test.rhai", include_str!("init/test.rhai")),
    ("scripts/env/live.rhai", include_str!("init/live.rhai")),
    (
        "examples/ci/billingctl.yml",
        include_str!("init/billingctl.yml"),
    ),
];

/// The sandbox folder: local state, never committed.
const IGNORE: &str = ".billingctl/";

pub fn execute(args: InitArgs) -> anyhow::Result<ExitStatus> {
    let root = &args.dir;
    for (name, text) in FILES {
        let path = root.join(name);
        if path.exists() {
            crate::eoutln!("kept     {name} (already there)");
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        crate::eoutln!("created  {name}");
    }
    ignore_sandbox(&root.join(".gitignore"))?;
    crate::eoutln!(
        "\nNext: billingctl check scripts/catalog.rhai, then billingctl run \
         scripts/catalog.rhai --sandbox --yes. For pull requests, copy \
         examples/ci/billingctl.yml to .github/workflows/."
    );
    Ok(ExitStatus::Success)
}

/// Adds `.billingctl/` to `.gitignore` unless a line already says it.
fn ignore_sandbox(path: &Path) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_default();
    if existing
        .lines()
        .any(|l| l.trim() == IGNORE || l.trim() == ".billingctl")
    {
        return Ok(());
    }
    let mut text = existing;
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!("# billingctl's local sandbox\n{IGNORE}\n"));
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?;
    crate::eoutln!("updated  .gitignore ({IGNORE})");
    Ok(())
}
