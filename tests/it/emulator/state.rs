//! `--state FILE`: load, write atomically, flush on shutdown, restart with the same account.

use billingctl::emulator::EmulatorOptions;

use super::support::Emu;

fn with_state(path: &std::path::Path) -> Emu {
    Emu::with(EmulatorOptions {
        state_file: Some(path.to_path_buf()),
        ..crate::support::emulator_options()
    })
}

#[tokio::test]
async fn the_account_survives_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("sandbox.json");
    let emu = with_state(&path);
    emu.product("p").await;
    let price = emu.price("p", "basic").await;
    emu.coupon("c").await;
    emu.handle.shutdown();

    let text = std::fs::read_to_string(&path).unwrap();
    let state: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(state["format"], "billingctl-emulator-state/1");
    assert_eq!(state["objects"]["price"][0]["id"], price.as_str());
    let leftovers: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers, ["sandbox.json"], "no temp file is left behind");

    let again = with_state(&path);
    assert_eq!(again.get("/v1/products/p").await.ok().body["name"], "p");
    assert_eq!(
        again.get(&format!("/v1/prices/{price}")).await.ok().body["lookup_key"],
        "basic"
    );
    // The indexes are rebuilt: the lookup key is still taken.
    let taken = again
        .post(
            "/v1/prices",
            &[
                ("product", "p"),
                ("currency", "eur"),
                ("unit_amount", "1"),
                ("lookup_key", "basic"),
            ],
        )
        .await;
    assert_eq!(taken.status, 400);
    // And a drop flushes too.
    again.coupon("d").await;
    drop(again);
    let third = with_state(&path);
    third.get("/v1/coupons/d").await.ok();
}

#[tokio::test]
async fn a_state_file_that_is_not_one_is_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{\"hello\": 1}").unwrap();
    let err = billingctl::emulator::start(
        EmulatorOptions {
            state_file: Some(path.clone()),
            ..crate::support::emulator_options()
        },
        "127.0.0.1:0".parse().unwrap(),
    )
    .err()
    .expect("refused");
    assert_eq!(
        err.to_string(),
        format!(
            "state file {}: not an emulator state file (expected \"format\": \
             \"billingctl-emulator-state/1\")",
            path.display()
        )
    );
    // The file is left as it was.
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"hello\": 1}");
}
