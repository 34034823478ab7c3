//! Scripts at the edges of what is allowed: a UTF-8 byte-order mark (accepted), arrays and maps
//! right at the documented bounds (accepted), and growth that must stay linear (six arrays of
//! 99,000 pushes, which used to take 31 s, run under the same operation budget as ever).

use std::path::Path;

use billingctl::script::{evaluate_in, Limits};

fn evaluate(source: &[u8]) -> Result<billingctl::catalog::Catalog, billingctl::diag::Diagnostics> {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("catalog.rhai"), source).unwrap();
    evaluate_in(
        dir.path(),
        Path::new("catalog.rhai"),
        "test",
        &Limits::default(),
    )
}

#[test]
fn a_script_starting_with_a_byte_order_mark_is_accepted() {
    let catalog = evaluate("\u{feff}product(\"bom\", #{ name: \"Bom\" });\n".as_bytes());
    let catalog = catalog.unwrap_or_else(|d| panic!("{d:?}"));
    assert_eq!(catalog.len(), 1);
}

#[test]
fn arrays_and_maps_at_the_bound_pass() {
    let script = r#"
        let xs = [];
        for i in 0..100000 { xs.push(i); }
        let m = #{};
        for i in 0..100000 { m[`k${i}`] = i; }
        product("edge", #{ name: `${xs.len()} ${m.len()}` });
    "#;
    evaluate(script.as_bytes()).unwrap_or_else(|d| panic!("{d:?}"));
}

#[test]
fn six_arrays_of_99000_pushes_are_evaluated() {
    let script = r#"
        let lengths = [];
        for a in 0..6 {
            let xs = [];
            for i in 0..99000 { xs.push(i); }
            lengths.push(xs.len());
        }
        product("pushes", #{ name: `${lengths}` });
    "#;
    evaluate(script.as_bytes()).unwrap_or_else(|d| panic!("{d:?}"));
}
