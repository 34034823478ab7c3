//! SIGTERM during an apply: scheduling stops, the writes in flight finish, the report says
//! what was done and what was not, and a re-run completes the job.

use std::io::{BufRead, BufReader, Read};
use std::process::Stdio;

use billingctl::emulator::EmulatorKnobs;

use crate::support::Harness;

const SCRIPT: &str = "scripts/many.rhai";

#[test]
fn sigterm_stops_scheduling_and_a_rerun_completes() {
    // Latency only widens the window in which the signal lands; nothing here is timed.
    let ctx = Harness::with_knobs(EmulatorKnobs {
        latency_ms: 100,
        ..EmulatorKnobs::default()
    });
    let script: String = (0..30)
        .map(|i| format!("product(\"p{i:02}\", #{{ name: \"P{i}\" }});\n"))
        .collect();
    ctx.write(SCRIPT, &script);

    let mut child = ctx
        .std_command(&["run", SCRIPT, "--yes", "--concurrency", "1"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    // Progress lines come every 10%: the first one means the apply is under way.
    loop {
        let mut line = String::new();
        assert!(
            stderr.read_line(&mut line).expect("reads") > 0,
            "ended early: {seen}"
        );
        seen.push_str(&line);
        if line.contains("/30 writes") {
            break;
        }
    }
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(status.success());
    stderr.read_to_string(&mut seen).expect("reads the rest");
    let exit = child.wait().expect("ends");

    assert_eq!(exit.code(), Some(1), "{seen}");
    assert!(seen.contains("error: interrupted"), "{seen}");
    assert!(seen.contains("Not done:\n  create product `p"), "{seen}");
    let created = ctx.get("/v1/products?limit=100")["data"]
        .as_array()
        .expect("a list")
        .len();
    assert!(created < 30, "the apply stopped early ({created} created)");

    let stdout = ctx.apply_script(SCRIPT);
    assert!(
        stdout.contains(&format!("Applied: {} created", 30 - created)),
        "{stdout}"
    );
}
