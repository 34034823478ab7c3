//! `--only KIND:KEY`: a plan cut down to the changes a reviewer picked, plus every change
//! they depend on (a price's product being created, a code's coupon), so the subset can be
//! applied on its own. Patterns are globs on the key (`*` any run, `?` one character); the
//! kind is a script function name (`price`, `promotion_code`, `portal`) or `*`.

use std::collections::BTreeSet;

use super::plan::Plan;
use crate::catalog::parse::closest;
use crate::catalog::Catalog;
use crate::kinds::{ObjectKind, KINDS};

/// One `--only` pattern.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Only {
    kind: Option<ObjectKind>,
    key: String,
}

impl Only {
    /// `KIND:KEY`, e.g. `price:basic_*`, `promotion_code:PX-*`, `*:launch*`.
    pub fn parse(text: &str) -> Result<Self, String> {
        let (kind, key) = text
            .split_once(':')
            .ok_or_else(|| format!("--only `{text}`: expected KIND:KEY, e.g. price:basic_*"))?;
        let kind = match kind {
            "*" => None,
            name => Some(ObjectKind::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = KINDS.iter().map(|k| k.function()).collect();
                format!(
                    "--only `{text}`: unknown kind `{name}` ({} or *)",
                    names.join(", ")
                )
            })?),
        };
        Ok(Self {
            kind,
            key: key.to_owned(),
        })
    }

    fn matches(&self, kind: ObjectKind, key: &str) -> bool {
        self.kind.map_or(true, |k| k == kind) && glob(&self.key, key)
    }
}

/// What `restrict` kept beyond the patterns: `price basic_monthly` (needed by `product
/// basic`), for the plan to say so.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subset {
    pub patterns: Vec<String>,
    /// `(object, needed by)`, both as `kind key`.
    pub pulled_in: Vec<(String, String)>,
    /// Changes left out.
    pub left_out: usize,
}

/// Keeps the changes matching any pattern and, transitively, the changes they reference.
pub fn restrict(plan: &mut Plan, only: &[Only], patterns: &[String]) -> Subset {
    let name = |i: usize| format!("{} {}", plan.changes[i].kind, plan.changes[i].key);
    let mut keep: BTreeSet<usize> = (0..plan.changes.len())
        .filter(|&i| {
            let c = &plan.changes[i];
            only.iter().any(|o| o.matches(c.kind, &c.key))
        })
        .collect();
    let mut pulled_in = Vec::new();
    let mut queue: Vec<usize> = keep.iter().copied().collect();
    while let Some(i) = queue.pop() {
        for reference in &plan.changes[i].references {
            let needed = plan
                .changes
                .iter()
                .position(|c| c.kind == reference.kind && c.key == reference.key);
            if let Some(j) = needed {
                if keep.insert(j) {
                    pulled_in.push((name(j), name(i)));
                    queue.push(j);
                }
            }
        }
    }
    let left_out = plan.changes.len() - keep.len();
    let mut index = 0;
    plan.changes.retain(|_| {
        let kept = keep.contains(&index);
        index += 1;
        kept
    });
    pulled_in.sort();
    Subset {
        patterns: patterns.to_vec(),
        pulled_in,
        left_out,
    }
}

/// Refuses patterns that name no object the script declares, in any of `catalogs` (one per
/// account): a typo would otherwise plan nothing and say nothing. The error names each such
/// pattern, with the closest key of its kind.
pub fn check_declared(
    only: &[Only],
    patterns: &[String],
    catalogs: &[&Catalog],
) -> Result<(), String> {
    let declared = |o: &Only| {
        catalogs
            .iter()
            .flat_map(|c| c.declarations())
            .any(|d| o.matches(d.kind(), d.key()))
    };
    let unmatched: Vec<String> = only
        .iter()
        .zip(patterns)
        .filter(|(o, _)| !declared(o))
        .map(|(o, text)| {
            let keys: Vec<&str> = catalogs
                .iter()
                .flat_map(|c| c.declarations())
                .filter(|d| o.kind.map_or(true, |k| k == d.kind()))
                .map(|d| d.key())
                .collect();
            match closest(&o.key, &keys) {
                Some(best) => format!("`{text}` (did you mean `{best}`?)"),
                None => format!("`{text}`"),
            }
        })
        .collect();
    if unmatched.is_empty() {
        return Ok(());
    }
    Err(format!(
        "--only {} matches nothing the script declares",
        unmatched.join(", ")
    ))
}

/// `*` matches any run of characters, `?` exactly one; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    // Classic two-pointer wildcard match with backtracking to the last `*`.
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_runs_and_single_characters() {
        assert!(glob("PX-*", "PX-0001"));
        assert!(glob("*", ""));
        assert!(glob("basic_?onthly", "basic_monthly"));
        assert!(!glob("basic_*", "plus_monthly"));
        assert!(glob("*_monthly", "plus_monthly"));
        assert!(!glob("a*b", "acbd"));
    }

    #[test]
    fn patterns_name_a_kind_or_any() {
        assert_eq!(
            Only::parse("portal:default").unwrap().kind,
            Some(ObjectKind::PortalConfiguration)
        );
        assert!(Only::parse("*:x").unwrap().kind.is_none());
        assert!(Only::parse("prices:x")
            .unwrap_err()
            .contains("unknown kind"));
        assert!(Only::parse("basic").unwrap_err().contains("KIND:KEY"));
    }
}
