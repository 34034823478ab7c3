//! The field table compiled once into a lookup structure: a trie over path segments, so that
//! finding the param of a concrete path (`tiers[0][up_to]`) walks the path once instead of
//! scanning and re-splitting every param of the table (issue 13: that scan was a quarter of a
//! no-op plan's CPU). Built lazily, once per table, and never freed: the tables are `static`.
//!
//! The trie answers exactly what the linear scan answered: among the params whose pattern
//! matches, the first in table order wins, and the `metadata[plan]` → `metadata` fallback only
//! applies when no param matches exactly. The unit tests of `fields.rs` hold both.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::{Default, ObjectTable, Param, Type};
use crate::path::{is_index, is_single_segment, segments, Segments};

/// One compiled table.
#[derive(Debug)]
pub(super) struct Index {
    nodes: Vec<Node>,
    /// Per param, in table order: how many segments its pattern has.
    depth: Vec<usize>,
    /// Per param: a `Map` whose values are objects with params of their own (`currency_options`).
    keyed: Vec<bool>,
    /// The params with a default, pre-split, parents before children (`fill_defaults`).
    pub(super) defaults: Vec<(Vec<&'static str>, Default)>,
    /// The answer for every path the table spells out in full (no `<key>`, no `[]`): most
    /// lookups (`name`, `recurring[interval]`) are one hash and one compare.
    plain: HashMap<&'static str, Option<usize>, ShortKeys>,
    /// Whether every top-level segment of the table is a name (no `<key>` or `[]` first): then
    /// a one-segment path that `plain` does not hold names no param, and what lies below it
    /// is one child's. Most fields of a live object are such a path; several are no param
    /// (`object`, `created`), which the walk would otherwise be asked about twice.
    named_top: bool,
}

/// A map hasher for short keys with no adversary: the keys are the table's own paths, so
/// SipHash's cost buys nothing here. The diff keys an object's units by path with it too
/// (`plan::canon::Units`): paths of the table's params plus map keys, at most 50 of those per
/// map (Stripe's metadata limit), so even chosen collisions cost little. `FxHash` reads eight
/// bytes a step; FNV-1a, used before, one (a fifth of the field lookups' cost, issue 13).
pub type ShortKeys = rustc_hash::FxBuildHasher;

/// A trie node: the params whose pattern ends here, and the children by segment kind.
#[derive(Debug, Default)]
struct Node {
    /// The first param (in table order) whose pattern ends at this node.
    param: Option<usize>,
    /// Named children, sorted by name for a binary search.
    named: Vec<(&'static str, usize)>,
    /// The `<key>` child (any map key).
    any_key: Option<usize>,
    /// The `[]` child (an array index, or the empty segment of a pattern).
    element: Option<usize>,
}

/// What one walk of the trie found: the first exact match and the first free-map prefix.
#[derive(Clone, Copy, Default)]
struct Found {
    exact: Option<usize>,
    map_prefix: Option<usize>,
}

fn first(a: Option<usize>, b: Option<usize>) -> Option<usize> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

impl Index {
    fn build(params: &'static [Param]) -> Index {
        let mut nodes = vec![Node::default()];
        let mut depth = Vec::with_capacity(params.len());
        for (position, param) in params.iter().enumerate() {
            let pattern = segments(param.path);
            depth.push(pattern.len());
            let mut node = 0;
            for segment in pattern {
                node = child_or_insert(&mut nodes, node, segment);
            }
            if nodes[node].param.is_none() {
                nodes[node].param = Some(position);
            }
        }
        let keyed = params
            .iter()
            .map(|map| {
                let prefix = format!("{}[<key>]", map.path);
                params.iter().any(|p| p.path.starts_with(&prefix))
            })
            .collect();
        let mut defaults: Vec<(Vec<&'static str>, Default)> = params
            .iter()
            .filter_map(|param| Some((segments(param.path), param.default?)))
            .collect();
        defaults.sort_by_key(|(pattern, _)| pattern.len());
        let mut index = Index {
            nodes,
            depth,
            keyed,
            defaults,
            plain: HashMap::default(),
            named_top: false,
        };
        index.named_top = index.nodes[0].any_key.is_none() && index.nodes[0].element.is_none();
        let plain: HashMap<&'static str, Option<usize>, ShortKeys> = params
            .iter()
            .filter(|p| !p.path.contains("<key>") && !p.path.contains("[]"))
            .map(|p| (p.path, index.search(params, p.path)))
            .collect();
        index.plain = plain;
        index
    }

    /// The position of the param a concrete path names (see `ObjectTable::param`).
    pub(super) fn param(&self, params: &'static [Param], concrete: &str) -> Option<usize> {
        match self.plain.get(concrete) {
            Some(answer) => *answer,
            None if self.named_top && is_single_segment(concrete) => None,
            None => self.search(params, concrete),
        }
    }

    fn search(&self, params: &'static [Param], concrete: &str) -> Option<usize> {
        let found = self.walk(params, 0, Segments::new(concrete));
        found.exact.or(found.map_prefix)
    }

    /// The number of segments of the param at `position`'s pattern.
    pub(super) fn depth(&self, position: usize) -> usize {
        self.depth[position]
    }

    /// Whether the param at `position` is a map of objects with fields of their own.
    pub(super) fn keyed(&self, position: usize) -> bool {
        self.keyed[position]
    }

    /// Whether some param lies strictly below `concrete`, an index segment matching `[]`
    /// only when it is all digits (what the diff calls a container).
    pub(super) fn has_params_below(&self, concrete: &str) -> bool {
        if self.named_top && is_single_segment(concrete) {
            let root = &self.nodes[0];
            let child = root
                .named
                .binary_search_by(|(name, _)| (*name).cmp(concrete));
            return child.is_ok_and(|i| {
                let child = &self.nodes[root.named[i].1];
                !child.named.is_empty() || child.any_key.is_some() || child.element.is_some()
            });
        }
        self.below(0, Segments::new(concrete))
    }

    fn below(&self, node: usize, mut rest: Segments<'_>) -> bool {
        let Some(segment) = rest.next() else {
            let here = &self.nodes[node];
            return !here.named.is_empty() || here.any_key.is_some() || here.element.is_some();
        };
        let here = &self.nodes[node];
        let named = here
            .named
            .binary_search_by(|(name, _)| (*name).cmp(segment))
            .ok()
            .map(|i| here.named[i].1);
        let element = here.element.filter(|_| is_index(segment));
        [named, here.any_key, element]
            .into_iter()
            .flatten()
            .any(|child| self.below(child, rest.clone()))
    }

    fn walk(&self, params: &'static [Param], node: usize, mut rest: Segments<'_>) -> Found {
        let here = &self.nodes[node];
        let Some(segment) = rest.next() else {
            return Found {
                exact: here.param,
                map_prefix: None,
            };
        };
        // A free map (`metadata`) ending here swallows the rest of the path.
        let map_prefix = here
            .param
            .filter(|&p| params[p].ty == Type::Map && !self.keyed[p]);
        let mut found = Found {
            exact: None,
            map_prefix,
        };
        let named = here
            .named
            .binary_search_by(|(name, _)| (*name).cmp(segment))
            .ok()
            .map(|i| here.named[i].1);
        let element = here
            .element
            .filter(|_| segment.is_empty() || is_index(segment));
        for child in [named, here.any_key, element].into_iter().flatten() {
            let below = self.walk(params, child, rest.clone());
            found.exact = first(found.exact, below.exact);
            found.map_prefix = first(found.map_prefix, below.map_prefix);
        }
        found
    }
}

fn child_or_insert(nodes: &mut Vec<Node>, node: usize, segment: &'static str) -> usize {
    let existing = match segment {
        "<key>" => nodes[node].any_key,
        "" => nodes[node].element,
        name => nodes[node]
            .named
            .binary_search_by(|(n, _)| (*n).cmp(name))
            .ok()
            .map(|i| nodes[node].named[i].1),
    };
    if let Some(child) = existing {
        return child;
    }
    let child = nodes.len();
    nodes.push(Node::default());
    match segment {
        "<key>" => nodes[node].any_key = Some(child),
        "" => nodes[node].element = Some(child),
        name => {
            let at = nodes[node]
                .named
                .binary_search_by(|(n, _)| (*n).cmp(name))
                .unwrap_err();
            nodes[node].named.insert(at, (name, child));
        }
    }
    child
}

/// A table's index, compiled on first use and kept with the table (tables are `static`).
#[derive(Debug, Default)]
pub struct Compiled(OnceLock<Index>);

impl Compiled {
    pub const fn new() -> Self {
        Self(OnceLock::new())
    }
}

/// The compiled index of `table`.
pub(super) fn of(table: &ObjectTable) -> &Index {
    table.index.0.get_or_init(|| Index::build(table.params))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kinds::ObjectKind;

    /// The splitting rule, written out plainly, against the iterator.
    fn split(path: &str) -> Vec<&str> {
        let mut parts = Vec::new();
        let (head, mut rest) = path.split_once('[').map_or((path, ""), |(h, r)| (h, r));
        parts.push(head);
        while let Some((inner, after)) = rest.split_once(']') {
            parts.push(inner);
            rest = after.strip_prefix('[').unwrap_or(after);
        }
        parts
    }

    #[test]
    fn segments_iterate_like_segments_split() {
        for path in [
            "a",
            "a[b][]",
            "tiers[0][up_to]",
            "features[subscription_update][products][0][prices][1]",
            "metadata[]",
            "x[",
            "",
        ] {
            let iterated: Vec<&str> = Segments::new(path).collect();
            assert_eq!(iterated, split(path), "{path}");
        }
    }

    /// The trie against the plain scan it replaces, on every path the tables name and on
    /// concrete variants of them.
    #[test]
    fn the_index_finds_what_a_scan_finds() {
        for kind in ObjectKind::ALL {
            let table = kind.table();
            let mut paths: Vec<String> = Vec::new();
            for param in table.params {
                paths.push(param.path.to_owned());
                paths.push(param.path.replace("[]", "[0]").replace("<key>", "eur"));
                paths.push(param.path.replace("[]", "[12]").replace("<key>", "0"));
                paths.push(format!("{}[extra]", param.path.replace("[]", "[1]")));
                paths.push(format!("{}[x][y]", param.path));
            }
            paths.push("bogus".into());
            paths.extend(["object".into(), "created".into(), "metadata".into()]);
            for path in &paths {
                let scanned = scan(table.params, path).map(|p| p.path);
                let indexed = table.param(path).map(|p| p.path);
                assert_eq!(indexed, scanned, "{kind}: {path}");
                let below = scan_below(table.params, path);
                assert_eq!(table.has_params_below(path), below, "{kind}: below {path}");
            }
        }
    }

    /// Whether some param's pattern continues below `concrete` (an index matching `[]` only
    /// when it is digits).
    fn scan_below(params: &'static [Param], concrete: &str) -> bool {
        let wanted = segments(concrete);
        params.iter().any(|param| {
            let pattern = segments(param.path);
            pattern.len() > wanted.len()
                && pattern.iter().zip(&wanted).all(|(p, w)| match *p {
                    "<key>" => true,
                    "" => is_index(w),
                    _ => p == w,
                })
        })
    }

    fn scan(params: &'static [Param], concrete: &str) -> Option<&'static Param> {
        let matches = |p: &str, w: &str| match p {
            "<key>" => true,
            "" => w.is_empty() || w.bytes().all(|b| b.is_ascii_digit()),
            _ => p == w,
        };
        let keyed = |map: &Param| {
            let prefix = format!("{}[<key>]", map.path);
            params.iter().any(|p| p.path.starts_with(&prefix))
        };
        let wanted = segments(concrete);
        params
            .iter()
            .find(|param| {
                let pattern = segments(param.path);
                pattern.len() == wanted.len()
                    && pattern.iter().zip(&wanted).all(|(p, w)| matches(p, w))
            })
            .or_else(|| {
                params.iter().find(|param| {
                    let pattern = segments(param.path);
                    param.ty == Type::Map
                        && !keyed(param)
                        && pattern.len() < wanted.len()
                        && pattern.iter().zip(&wanted).all(|(p, w)| matches(p, w))
                })
            })
    }
}
