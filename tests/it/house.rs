//! House rules, held by tests (Apollo's `bindings_raise_their_errors_through_internal_error`):
//! every kind in the registry is whole, nothing outside the registry matches on the kind, and
//! the modules of `src/` form no cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use billingctl::kinds::{ObjectKind, KINDS};

use crate::support::{texts, Harness};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `src/`, with its text.
fn sources() -> Vec<(PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("src/ is readable")
            .map(|e| e.expect("an entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&repo().join("src"), &mut out);
    out
}

/// The text of a file without its `#[cfg(test)] mod … { … }` blocks and `//` comments:
/// the code the rules are about.
fn production_code(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let opens_test_module = line.trim() == "#[cfg(test)]"
            && lines.peek().is_some_and(|next| {
                let item = next.trim_start();
                let item = item
                    .strip_prefix("pub(crate) ")
                    .or_else(|| item.strip_prefix("pub "))
                    .unwrap_or(item);
                item.starts_with("mod ") && next.ends_with('{')
            });
        if opens_test_module {
            let mut depth = 0i32;
            for inner in lines.by_ref() {
                depth += inner.matches('{').count() as i32 - inner.matches('}').count() as i32;
                if depth <= 0 && inner.contains('}') {
                    break;
                }
            }
            continue;
        }
        let code = line.split("//").next().unwrap_or_default();
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// `src/plan/diff.rs` → `["plan", "diff"]`; `src/kinds/mod.rs` → `["kinds"]`.
fn module_of(path: &Path) -> Vec<String> {
    let relative = path.strip_prefix(repo().join("src")).expect("under src/");
    let mut parts: Vec<String> = relative
        .with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if matches!(
        parts.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        parts.pop();
    }
    parts
}

/// The files that may match on `ObjectKind`, each with the reason (the issue allows a
/// match outside the registry only where a comment says why).
const KIND_MATCHES_ALLOWED: &[(&str, &str)] = &[
    (
        "src/kinds/",
        "the registry itself: each kind's module names its own kind and the kinds it references",
    ),
    (
        "src/catalog/object.rs",
        "where a kind meets its typed spec: the registry sits below the catalog and knows no spec type",
    ),
];

/// `ObjectKind::X =>`, `ObjectKind::X |`, `== ObjectKind::X`, `!= ObjectKind::X` and
/// `matches!(…, ObjectKind::X…)`: code that decides by naming a kind.
fn kind_matches(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in code.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("ObjectKind::") {
            let after = &rest[at + "ObjectKind::".len()..];
            let name_len = after
                .find(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                .unwrap_or(after.len());
            let (name, tail) = after.split_at(name_len);
            let before = rest[..at].trim_end();
            let tail = tail.trim_start();
            let decides = name != "ALL"
                && (tail.starts_with("=>")
                    || tail.starts_with('|')
                    || before.ends_with("==")
                    || before.ends_with("!=")
                    || before.ends_with('|')
                    || line.contains("matches!("));
            if decides {
                found.push(line.trim().to_owned());
                break;
            }
            rest = after;
        }
    }
    found
}

#[test]
fn nothing_outside_the_registry_matches_on_the_kind() {
    let mut offenders = Vec::new();
    for (path, text) in sources() {
        let shown = path.strip_prefix(repo()).unwrap().display().to_string();
        if KIND_MATCHES_ALLOWED
            .iter()
            .any(|(prefix, _)| shown.starts_with(prefix))
        {
            continue;
        }
        for line in kind_matches(&production_code(&text)) {
            offenders.push(format!("{shown}: {line}"));
        }
    }
    assert!(
        offenders.is_empty(),
        "ask the kind (`kind.def()`) or walk `KINDS` instead:\n{}",
        offenders.join("\n")
    );
}

#[test]
fn the_kind_match_detector_sees_matches_and_ignores_uses() {
    let code = "match kind { ObjectKind::Price => 1, _ => 2 }\n\
                if kind == ObjectKind::Coupon {}\n\
                let k = ObjectKind::Price;\n\
                for kind in ObjectKind::ALL {}\n";
    assert_eq!(kind_matches(code).len(), 2, "{:?}", kind_matches(code));
    assert!(production_code("a\n#[cfg(test)]\nmod tests {\n    x\n}\nb // c\n").contains("a\n"));
    assert!(
        !production_code("#[cfg(test)]\nmod tests {\n  ObjectKind::Price => 1\n}\n")
            .contains("Price")
    );
}

/// The modules each module refers to (`crate::a::b`, `super::x`), by their longest known
/// prefix, outside test code.
fn module_graph() -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files: Vec<(Vec<String>, bool, String)> = sources()
        .into_iter()
        .map(|(path, text)| {
            let is_mod = path
                .file_name()
                .is_some_and(|n| n == "mod.rs" || n == "lib.rs");
            (module_of(&path), is_mod, production_code(&text))
        })
        .collect();
    let known: BTreeSet<Vec<String>> = files.iter().map(|(m, _, _)| m.clone()).collect();
    let resolve = |path: Vec<String>| -> Option<Vec<String>> {
        (1..=path.len())
            .rev()
            .map(|n| path[..n].to_vec())
            .find(|prefix| known.contains(prefix))
    };
    let mut graph = BTreeMap::new();
    for (module, is_mod, code) in &files {
        let parent: Vec<String> = if *is_mod {
            module.clone()
        } else {
            module[..module.len().saturating_sub(1)].to_vec()
        };
        let mut targets = BTreeSet::new();
        for (marker, base) in [("crate::", Vec::new()), ("super::", parent.clone())] {
            let mut rest = code.as_str();
            while let Some(at) = rest.find(marker) {
                rest = &rest[at + marker.len()..];
                let preceded_by_ident = code.len() > rest.len() + marker.len()
                    && code.as_bytes()[code.len() - rest.len() - marker.len() - 1]
                        .is_ascii_alphanumeric();
                if preceded_by_ident {
                    continue;
                }
                let mut path = base.clone();
                let mut names = rest;
                // `super::{a, b::c}` names several modules.
                if let Some(group) = names.strip_prefix('{') {
                    let group = &group[..group.find('}').unwrap_or(group.len())];
                    for item in group.split(',') {
                        let first = item.trim().split("::").next().unwrap_or_default();
                        let mut one = base.clone();
                        one.push(first.to_owned());
                        if let Some(target) = resolve(one) {
                            targets.insert(target);
                        }
                    }
                    continue;
                }
                while let Some(end) = names.find("::") {
                    let name = &names[..end];
                    if name.is_empty()
                        || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    {
                        break;
                    }
                    path.push(name.to_owned());
                    names = &names[end + 2..];
                }
                let last: String = names
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                path.push(last);
                if let Some(target) = resolve(path) {
                    targets.insert(target);
                }
            }
        }
        targets.retain(|t| !module.starts_with(t) && t != module);
        graph.insert(module.clone(), targets);
    }
    graph
}

/// The strongly connected components with more than one member (Tarjan).
fn cycles<N: Ord + Clone>(graph: &BTreeMap<N, BTreeSet<N>>) -> Vec<Vec<N>> {
    struct State<N> {
        index: BTreeMap<N, usize>,
        low: BTreeMap<N, usize>,
        stack: Vec<N>,
        found: Vec<Vec<N>>,
    }
    fn visit<N: Ord + Clone>(v: &N, graph: &BTreeMap<N, BTreeSet<N>>, s: &mut State<N>) {
        let n = s.index.len();
        s.index.insert(v.clone(), n);
        s.low.insert(v.clone(), n);
        s.stack.push(v.clone());
        for w in graph.get(v).into_iter().flatten() {
            if !s.index.contains_key(w) {
                visit(w, graph, s);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v.clone(), low);
            } else if s.stack.contains(w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v.clone(), low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                let done = &w == v;
                component.push(w);
                if done {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.push(component);
            }
        }
    }
    let mut state = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v) {
            visit(v, graph, &mut state);
        }
    }
    state.found
}

#[test]
fn the_modules_form_no_cycle() {
    let graph = module_graph();
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, targets) in &graph {
        let Some(from) = module.first() else { continue };
        for target in targets {
            if let Some(to) = target.first().filter(|to| *to != from) {
                top.entry(from.clone()).or_default().insert(to.clone());
            }
        }
    }
    let show = |c: Vec<Vec<String>>| {
        c.iter()
            .map(|m| m.join("::"))
            .collect::<Vec<_>>()
            .join(" <-> ")
    };
    let files: Vec<String> = cycles(&graph).into_iter().map(show).collect();
    let layers: Vec<String> = cycles(&top).into_iter().map(|c| c.join(" <-> ")).collect();
    assert!(
        files.is_empty() && layers.is_empty(),
        "module cycles:\n  top level: {layers:?}\n  files: {files:?}"
    );
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let graph: BTreeMap<u8, BTreeSet<u8>> = [
        (1, [2].into()),
        (2, [3].into()),
        (3, [1].into()),
        (4, [1].into()),
    ]
    .into();
    assert_eq!(cycles(&graph), vec![vec![1, 2, 3]]);
}

#[test]
fn every_kind_is_declared_documented_and_served() {
    let scripts_md = std::fs::read_to_string(repo().join("docs/SCRIPTS.md")).unwrap();
    let harness = Harness::new();
    for kind in KINDS {
        if kind.within().is_some() {
            declared_documented_and_served_through_its_parent(kind, &scripts_md, &harness);
            continue;
        }
        let function = kind.function();
        assert_eq!(ObjectKind::from_name(function), Some(kind.id()));
        assert!(
            scripts_md.contains(&format!("### {function}\n")),
            "docs/SCRIPTS.md documents `{function}`"
        );
        // The script function is registered: a call with a bad field is an error about
        // that field, not about an unknown function.
        harness.write(
            "scripts/probe.rhai",
            &format!("{function}(\"probe\", #{{ no_such_field_anywhere: 1 }});"),
        );
        let check = harness
            .offline(&["check", "scripts/probe.rhai"])
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&check);
        assert!(!check.status.success());
        assert!(
            stderr.contains("no_such_field_anywhere") && !stderr.contains("function not found"),
            "{function}: {stdout}{stderr}"
        );
        // `billingctl docs KIND` prints its reference.
        let docs = harness.offline(&["docs", function]).output().unwrap();
        let (stdout, _) = texts(&docs);
        assert!(docs.status.success());
        assert!(
            stdout.contains(&format!("### {}\n", kind.name())),
            "{stdout}"
        );
        // The emulator answers its collection: a list, and Stripe's 404 for an unknown id.
        let path = kind.table().path;
        let list = harness.get(path);
        assert_eq!(list["object"], "list", "{path}: {list}");
        let missing = harness
            .try_get(&format!("{path}/no_such_object_id"))
            .expect_err("an unknown id is an error");
        let api = missing.api().expect("a Stripe error");
        assert_eq!(
            (api.status, api.code.as_deref()),
            (404, Some("resource_missing")),
            "{path}: {missing}"
        );
    }
}

/// A kind declared in a field of its parent (`Kind::within`: a product's `features`) has no
/// script function of its own: its parent's section documents the field, the parent's
/// function takes it (a key in it that names nothing is an error about that key, not an
/// unknown field), `billingctl docs` prints its reference, and the emulator serves it under
/// a parent's path.
fn declared_documented_and_served_through_its_parent(
    kind: &dyn billingctl::kinds::Kind,
    scripts_md: &str,
    harness: &Harness,
) {
    let within = kind.within().expect("a kind under a parent");
    let parent = within.parent.def();
    let section = scripts_md
        .split(&format!("### {}\n", parent.function()))
        .nth(1)
        .and_then(|rest| rest.split("\n### ").next())
        .unwrap_or_else(|| panic!("docs/SCRIPTS.md documents `{}`", parent.function()));
    assert!(
        section.contains(&format!("`{}`", within.field)),
        "the `{}` section of docs/SCRIPTS.md documents `{}`",
        parent.function(),
        within.field
    );
    harness.write(
        "scripts/probe.rhai",
        &format!(
            "{}(\"probe\", #{{ name: \"Probe\", {}: [\"no_such_key_anywhere\"] }});",
            parent.function(),
            within.field
        ),
    );
    let check = harness
        .offline(&["check", "scripts/probe.rhai"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&check);
    assert!(!check.status.success());
    assert!(
        stderr.contains("no_such_key_anywhere") && !stderr.contains("unknown field"),
        "{}: {stdout}{stderr}",
        kind.name()
    );
    let docs = harness.offline(&["docs", kind.name()]).output().unwrap();
    let (stdout, _) = texts(&docs);
    assert!(docs.status.success());
    assert!(
        stdout.contains(&format!("### {}\n", kind.name())),
        "{stdout}"
    );
    // Served under a parent that exists (the parent is a product: an id and a name).
    harness.post(
        parent.table().path,
        serde_json::json!({"id": "house_parent", "name": "Parent"}),
    );
    let path = kind
        .table()
        .path
        .replace(&format!("{{{}}}", within.segment), "house_parent");
    let list = harness.get(&path);
    assert_eq!(list["object"], "list", "{path}: {list}");
    let missing = harness
        .try_get(&format!("{path}/no_such_object_id"))
        .expect_err("an unknown id is an error");
    let api = missing.api().expect("a Stripe error");
    assert_eq!(
        (api.status, api.code.as_deref()),
        (404, Some("resource_missing")),
        "{path}: {missing}"
    );
}

/// A shipped script applied to an empty account and exported again.
fn exported(script: &str, files: &[&str], env: &str) -> String {
    let harness = Harness::new();
    for file in std::iter::once(&script).chain(files) {
        harness.write(file, &std::fs::read_to_string(repo().join(file)).unwrap());
    }
    // A live environment needs a live account: the sandbox plays one. The live overlay
    // declares the billing webhook endpoint, whose signing secret needs a file to go to.
    let sandbox = format!("--sandbox=.billingctl/{env}.json");
    let run = harness
        .offline(&["run", script, "--env", env, "--yes", &sandbox])
        .args(["--secrets-out", "secrets.jsonl"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{script} ({env}): {}", texts(&run).1);
    let export = harness.offline(&["export", &sandbox]).output().unwrap();
    let (text, stderr) = texts(&export);
    assert!(export.status.success(), "{stderr}");
    text
}

/// Every kind is declared by a script the project ships (the main catalog in both
/// environments, or an example), and comes back from `export` of what that script made.
#[test]
fn every_kind_is_shipped_in_a_script_and_exported() {
    let overlays = ["scripts/env/test.rhai", "scripts/env/live.rhai"];
    let mut exports = vec![
        exported("scripts/catalog.rhai", &overlays, "test"),
        exported("scripts/catalog.rhai", &overlays, "live"),
    ];
    let mut examples: Vec<String> = std::fs::read_dir(repo().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rhai"))
        .collect();
    examples.sort();
    for example in &examples {
        exports.push(exported(&format!("examples/{example}"), &[], "test"));
    }
    let all = exports.concat();
    for kind in KINDS {
        let declared = match kind.within() {
            Some(within) => format!("{}: [", within.field),
            None => format!("{}(\"", kind.function()),
        };
        assert!(
            all.contains(&declared),
            "no shipped script declares a {} that export writes back (`{declared}`)",
            kind.name()
        );
    }
}
