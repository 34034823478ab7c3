//! The official Python SDK against the emulator: `tests/sdk/stripe_python.py` makes the SDK's
//! create, retrieve, update and list calls for every kind in the registry, and one call Stripe
//! refuses. The SDK is not part of the repository: CI installs the pinned stripe-python
//! (`.ci/run`) and sets `BILLINGCTL_REQUIRE_SDK=1`, under which a missing SDK fails the test;
//! elsewhere the test says on stderr that it did not run.

use std::process::Command;

use billingctl::kinds::KINDS;

use crate::support::{start_emulator, texts};

fn python_with_stripe() -> bool {
    Command::new("python3")
        .args(["-c", "import stripe"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_python_sdk_creates_updates_and_lists_every_kind() {
    if !python_with_stripe() {
        assert!(
            std::env::var_os("BILLINGCTL_REQUIRE_SDK").is_none(),
            "BILLINGCTL_REQUIRE_SDK is set but `python3 -c 'import stripe'` fails"
        );
        billingctl::eoutln!("skipped: python3 with the stripe package is not installed");
        return;
    }
    let emulator = start_emulator(Default::default());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/sdk/stripe_python.py");
    let output = Command::new("python3")
        .args([script, &emulator.base_url()])
        .output()
        .expect("python3 runs");
    let (stdout, stderr) = texts(&output);
    assert!(output.status.success(), "{stdout}{stderr}");
    for kind in KINDS {
        assert!(
            stdout
                .lines()
                .any(|line| line == format!("ok {}", kind.name())),
            "the SDK script exercises {}:\n{stdout}",
            kind.name()
        );
    }
}
