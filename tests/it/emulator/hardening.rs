//! What no client may do to the emulator: crash it with a request (deep nesting, too many
//! params, a huge body), hold its connections with half-sent requests or starve new clients
//! with many of them, or make it lose a write it acknowledged (a `kill -9` under load).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use assert_cmd::cargo::CommandCargoExt;
use billingctl::emulator::{ConnectionLimits, EmulatorOptions};

use super::support::{Emu, KEY};

#[tokio::test]
async fn a_param_nested_2000_deep_is_a_400_and_the_emulator_lives_on() {
    let emu = Emu::start();
    let name = format!("metadata{}", "[a]".repeat(2000));
    let answer = emu
        .post("/v1/products", &[("name", "Deep"), (&name, "1")])
        .await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert_eq!(answer.body["error"]["type"], "invalid_request_error");
    let message = answer.body["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("nested 2000 levels deep; at most 32"),
        "{message}"
    );
    // The same through a query string, on a list route.
    let query = format!("/v1/products?a[b]{}=1", "[c]".repeat(3000));
    assert_eq!(emu.get(&query).await.status, 400);
    // Still serving.
    emu.product("alive").await;
}

#[tokio::test]
async fn too_many_params_and_too_large_a_body_are_400s() {
    let emu = Emu::start();
    let pairs: Vec<(String, String)> = (0..5000)
        .map(|i| (format!("metadata[k{i}]"), "v".to_owned()))
        .collect();
    let form: Vec<(&str, &str)> = pairs
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let answer = emu.post("/v1/products", &form).await;
    assert_eq!(answer.status, 400, "{}", answer.body);
    assert!(answer.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("more than 4096 parameters"));
}

#[test]
fn a_body_over_4_mib_is_refused_without_being_buffered_whole() {
    let emu = Emu::start();
    let mut stream = connect(emu.handle.addr());
    let length = 5 * 1024 * 1024;
    let head = format!(
        "POST /v1/products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\r\nname="
    );
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer and close before the whole body is sent: a write error is fine.
    let chunk = vec![b'x'; 64 * 1024];
    for _ in 0..length / chunk.len() {
        if stream.write_all(&chunk).is_err() {
            break;
        }
    }
    let mut seen = Vec::new();
    let _ = stream.read_to_end(&mut seen);
    let seen = String::from_utf8_lossy(&seen);
    assert!(
        seen.is_empty() || seen.starts_with("HTTP/1.1 400"),
        "{seen}"
    );
    // Still serving.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(emu.product("alive"));
}

/// An emulator with short timeouts and a small bound, so that the tests below take moments.
fn bounded(max_open: usize) -> Emu {
    Emu::with(EmulatorOptions {
        connections: ConnectionLimits {
            header_timeout: Duration::from_millis(300),
            body_timeout: Duration::from_millis(300),
            max_open,
        },
        ..crate::support::emulator_options()
    })
}

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    // A safety net for a failing test, far above the server's timeouts.
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Reads until the server closes; returns what it sent.
fn read_to_close(stream: &mut TcpStream) -> String {
    let mut seen = Vec::new();
    let closed = stream.read_to_end(&mut seen);
    assert!(
        closed.is_ok() || !seen.is_empty(),
        "the server closed nothing: {closed:?}"
    );
    String::from_utf8_lossy(&seen).into_owned()
}

#[test]
fn a_half_sent_head_is_dropped_after_the_header_timeout() {
    let emu = bounded(16);
    let mut stream = connect(emu.handle.addr());
    stream
        .write_all(b"POST /v1/products HTTP/1.1\r\nHost: x\r\nAuthor")
        .unwrap();
    // The server closes (hyper answers 408 or just closes): the read ends instead of hanging.
    let seen = read_to_close(&mut stream);
    assert!(
        seen.is_empty() || seen.starts_with("HTTP/1.1 408"),
        "{seen}"
    );
}

#[test]
fn a_connection_that_sends_nothing_is_dropped_after_the_header_timeout() {
    let emu = bounded(16);
    let mut stream = connect(emu.handle.addr());
    let seen = read_to_close(&mut stream);
    assert!(
        seen.is_empty() || seen.starts_with("HTTP/1.1 408"),
        "{seen}"
    );
}

#[test]
fn an_announced_body_never_sent_is_a_400_and_the_connection_closes() {
    let emu = bounded(16);
    let mut stream = connect(emu.handle.addr());
    let head = format!(
        "POST /v1/products HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=Hal"
    );
    stream.write_all(head.as_bytes()).unwrap();
    let seen = read_to_close(&mut stream);
    assert!(seen.starts_with("HTTP/1.1 400"), "{seen}");
    assert!(seen.contains("not received within 0.3 s"), "{seen}");
    assert!(
        seen.to_ascii_lowercase().contains("connection: close"),
        "{seen}"
    );
}

#[tokio::test]
async fn idle_partial_connections_past_the_bound_do_not_starve_a_new_client() {
    let emu = bounded(8);
    // Twice the bound of connections that each send half a head and then nothing.
    let idle: Vec<TcpStream> = (0..16)
        .map(|_| {
            let mut stream = connect(emu.handle.addr());
            stream.write_all(b"GET /v1/pro").unwrap();
            stream
        })
        .collect();
    // A real client still gets its answer (once the timeouts have freed slots).
    let answer = emu.get("/v1/products").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    drop(idle);
}

/// `billingctl emulator --state FILE` as a child process, and the address it listens on.
fn spawn_emulator(state: &std::path::Path) -> (Child, String) {
    let mut child = Command::cargo_bin("billingctl")
        .unwrap()
        .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
        .arg(state)
        .env("BILLINGCTL_NOW", crate::support::TEST_NOW.to_string())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on http://")
        .unwrap_or_else(|| panic!("first line: {line}"))
        .to_owned();
    (child, addr)
}

/// Kills a spawned emulator when the test fails before stopping it, so that a failed
/// assertion leaves no server running (and holding the test's output pipe).
struct Reaper(u32);

impl Drop for Reaper {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let _ = Command::new("kill")
                .args(["-KILL", &self.0.to_string()])
                .status();
        }
    }
}

/// One create over a fresh connection, as the connected account `account` (or the platform):
/// the object's id if the emulator answered 200.
fn create(addr: &str, path: &str, body: &str, account: Option<&str>) -> Option<String> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .ok()?;
    let account = account.map_or(String::new(), |id| format!("Stripe-Account: {id}\r\n"));
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {KEY}\r\n{account}\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    if !answer.starts_with("HTTP/1.1 200") {
        return None;
    }
    let json = answer.split("\r\n\r\n").nth(1)?;
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["id"].as_str().map(str::to_owned)
}

#[cfg(unix)]
#[test]
fn a_kill_9_under_load_loses_no_acknowledged_write() {
    kill_9_under_load(false);
}

#[cfg(unix)]
#[test]
fn a_kill_9_under_load_loses_no_write_acknowledged_to_a_connected_account() {
    kill_9_under_load(true);
}

/// Writers create products (in a connected account created first, with `connected`) until
/// the emulator is killed with SIGKILL; a restart must hold every product acknowledged, in
/// that account and only there, and a clean stop must write them into the state file.
#[cfg(unix)]
fn kill_9_under_load(connected: bool) {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let (mut child, addr) = spawn_emulator(&state);
    let _reaper = Reaper(child.id());
    let account = connected.then(|| {
        create(&addr, "/v1/accounts", "type=standard", None).expect("an account is created")
    });
    let acknowledged = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let (addr, acknowledged, stop) = (addr.clone(), acknowledged.clone(), stop.clone());
            let account = account.clone();
            std::thread::spawn(move || {
                for n in 0.. {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let body = format!("name=w{w}n{n}");
                    match create(&addr, "/v1/products", &body, account.as_deref()) {
                        Some(id) => acknowledged.lock().unwrap().push(id),
                        None => return,
                    }
                }
            })
        })
        .collect();
    // Kill while the writers are mid-flight, once a good number of writes were answered.
    while acknowledged.lock().unwrap().len() < 150 && writers.iter().any(|w| !w.is_finished()) {
        std::thread::yield_now();
    }
    let killed = Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let _ = child.wait();
    stop.store(true, Ordering::Relaxed);
    for writer in writers {
        writer.join().unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 150);

    // A restart loads every acknowledged product, in the account that made it...
    let (mut child, addr) = spawn_emulator(&state);
    let _restarted = Reaper(child.id());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let list = |account: Option<&str>| -> Vec<String> {
        runtime.block_on(async {
            let client = reqwest::Client::new();
            let mut ids = Vec::new();
            let mut after: Option<String> = None;
            loop {
                let mut url = format!("http://{addr}/v1/products?limit=100");
                if let Some(last) = &after {
                    url.push_str(&format!("&starting_after={last}"));
                }
                let mut request = client.get(url).bearer_auth(KEY);
                if let Some(account) = account {
                    request = request.header("stripe-account", account);
                }
                let text = request.send().await.unwrap().text().await.unwrap();
                let page: serde_json::Value = serde_json::from_str(&text).unwrap();
                let data = page["data"].as_array().unwrap();
                ids.extend(data.iter().map(|p| p["id"].as_str().unwrap().to_owned()));
                after = ids.last().cloned();
                if page["has_more"] != true {
                    return ids;
                }
            }
        })
    };
    let listed = list(account.as_deref());
    for id in &acknowledged {
        assert!(listed.contains(id), "acknowledged {id} was lost");
    }
    if account.is_some() {
        assert!(
            list(None).is_empty(),
            "the platform holds none of the account's products"
        );
    }
    // ...and a clean stop writes them all into the state file itself.
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&state).unwrap()).unwrap();
    let objects = match &account {
        Some(id) => {
            assert_eq!(saved["accounts"][0]["account"]["id"], id.as_str());
            &saved["accounts"][0]["objects"]
        }
        None => &saved["objects"],
    };
    let saved: Vec<&str> = objects["product"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    for id in &acknowledged {
        assert!(
            saved.contains(&id.as_str()),
            "{id} is not in the state file"
        );
    }
}
