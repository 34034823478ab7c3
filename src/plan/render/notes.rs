//! The orphan and warning sections of the plan views: what the lifecycle passes add to a
//! plan beyond its changes (`crate::plan::scope`, `crate::plan::replace`).

use serde_json::{json, Value};

use crate::plan::plan::{Orphan, Plan};

/// The orphan and warning lines of the human plan (empty when there are none).
pub fn human(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.orphans.is_empty() {
        out.push_str("\nNot in the script, but of its scope (orphans):\n");
        for orphan in &plan.orphans {
            out.push_str(&format!("  ? {}\n", orphan_line(orphan)));
        }
        if plan.orphans.iter().all(|o| !o.pruned && o.note.is_none()) {
            out.push_str("  Run with --prune to deactivate them.\n");
        }
    }
    for warning in &plan.warnings.0 {
        out.push_str(&format!("warning: {}\n", warning.message));
        if let Some(help) = &warning.help {
            out.push_str(&format!("  help: {help}\n"));
        }
    }
    for line in secret_notes(plan) {
        out.push_str(&format!("note: {line}\n"));
    }
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

/// `price old_monthly (price_123): deactivated by --prune`.
fn orphan_line(orphan: &Orphan) -> String {
    let name = if orphan.key == orphan.id {
        format!("{} {}", orphan.kind, orphan.key)
    } else {
        format!("{} {} ({})", orphan.kind, orphan.key, orphan.id)
    };
    match (&orphan.note, orphan.pruned) {
        (Some(note), _) => format!("{name}: {note}"),
        (None, true) => format!("{name}: deactivated by --prune"),
        (None, false) => name,
    }
}

/// The orphans in the JSON plan: `[{"object","key","id","pruned","note"}]`.
pub fn orphans_json(plan: &Plan) -> Value {
    plan.orphans
        .iter()
        .map(|o| {
            json!({
                "object": o.kind.name(),
                "key": o.key,
                "id": o.id,
                "pruned": o.pruned,
                "note": o.note,
            })
        })
        .collect()
}

/// The orphan and warning section of the markdown plan.
pub fn markdown(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.orphans.is_empty() {
        out.push_str("**Orphans** (this scope, no longer in the script):\n\n");
        for orphan in &plan.orphans {
            out.push_str(&format!("- `{}`\n", orphan_line(orphan)));
        }
        out.push('\n');
    }
    for warning in &plan.warnings.0 {
        out.push_str(&format!("- warning: {}\n", warning.message));
    }
    let secrets = secret_notes(plan);
    for line in &secrets {
        out.push_str(&format!("- note: {line}\n"));
    }
    if !plan.warnings.0.is_empty() || !secrets.is_empty() {
        out.push('\n');
    }
    out
}

/// One line per create whose response carries a secret Stripe shows only then
/// (`Kind::create_secret`): where `run` puts it, since the plan never shows it.
fn secret_notes(plan: &Plan) -> Vec<String> {
    plan.changes
        .iter()
        .filter(|c| c.creates_secret())
        .map(|c| {
            format!(
                "{} `{}`: Stripe returns its signing secret once, on create; `billingctl run` \
                 writes it to the file named by --secrets-out, never to the screen",
                c.kind.def().noun(),
                c.key
            )
        })
        .collect()
}
