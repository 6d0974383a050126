//! The `pinn` binary, run for real against emulators started here.
//!
//! Each test starts its own `MockServer` on 127.0.0.1 and runs the binary with `--api-host`
//! and the key in the child's `PINN_SECRET_KEY`. Every child has the developer's `PINN_*`
//! variables removed and a dead proxy (`127.0.0.1:9`) in `HTTP_PROXY`, `HTTPS_PROXY` and
//! `ALL_PROXY`: nothing can reach a real account, and loopback must not go through a proxy.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::Duration;

use pinn::mock::{DeviceSeed, Fault, MockServer};
use pinn::serde_json::{self, Value, json};
use pinn::{ListParams, UserCreateParams};

const DEAD_PROXY: &str = "http://127.0.0.1:9";

/// The binary, with a clean environment: no `PINN_*`, a proxy that must never be used.
fn bare() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_pinn"));
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("PINN_") {
            c.env_remove(name);
        }
    }
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
    ] {
        c.env(proxy, DEAD_PROXY);
    }
    c.stdin(Stdio::null());
    c
}

/// The binary pointed at `server`.
fn at(server: &MockServer) -> Command {
    let mut c = bare();
    c.env("PINN_SECRET_KEY", server.secret_key())
        .args(["--api-host", &server.url()]);
    c
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The output as JSON (one document).
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {:?}", self.stdout))
    }

    /// The output as JSON Lines.
    fn lines(&self) -> Vec<Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l:?}")))
            .collect()
    }

    /// Succeeded, with nothing on stderr.
    fn ok(self) -> Run {
        assert_eq!(self.code, 0, "stderr: {}", self.stderr);
        assert_eq!(self.stderr, "", "stderr");
        self
    }

    /// Failed with `code` and one line on stderr containing each of `needles`.
    fn fails(self, code: i32, needles: &[&str]) -> Run {
        assert_eq!(
            self.code, code,
            "stdout: {} stderr: {}",
            self.stdout, self.stderr
        );
        assert_eq!(
            self.stderr.lines().count(),
            1,
            "one line: {:?}",
            self.stderr
        );
        assert!(self.stderr.starts_with("pinn: "), "{:?}", self.stderr);
        for n in needles {
            assert!(self.stderr.contains(n), "{n:?} not in {:?}", self.stderr);
        }
        assert!(!self.stderr.contains("panicked"), "{:?}", self.stderr);
        self
    }
}

fn run(mut c: Command, args: &[&str]) -> Run {
    let out = c.args(args).output().expect("run pinn");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(out.stderr).expect("UTF-8 stderr"),
    }
}

fn pinn(server: &MockServer, args: &[&str]) -> Run {
    run(at(server), args)
}

/// A user with a device and a log, made through the crate and the emulator.
fn seeded_user(server: &MockServer) -> (String, String, String) {
    let client = server.client();
    let user = client.users().create(&UserCreateParams::new()).unwrap();
    let device = server
        .enroll_device(&user.user_id, DeviceSeed::default())
        .unwrap();
    let log = server.record_log(&device.device_id, true).unwrap();
    (user.user_id, device.device_id, log.log_id)
}

/// The newest event the emulator recorded.
fn newest_event(server: &MockServer) -> pinn::Event {
    let page = server.client().events().list(&ListParams::new().limit(1));
    page.unwrap().data.remove(0)
}

fn create_users(server: &MockServer, n: usize) -> Vec<String> {
    let client = server.client();
    (0..n)
        .map(|i| {
            let params = UserCreateParams::new().metadata_entry("n", i.to_string());
            client.users().create(&params).unwrap().user_id
        })
        .collect()
}

/// A child that is killed if a test fails before it ends.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn spawn(mut c: Command) -> Reaped {
    Reaped(c.spawn().expect("spawn pinn"))
}

#[cfg(unix)]
fn interrupt(child: &Child) {
    let status = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
}

#[test]
fn users_create_get_update_list_delete() {
    let server = MockServer::start();
    let created = pinn(
        &server,
        &[
            "users",
            "create",
            "--metadata",
            "external_id=42",
            "--metadata",
            "plan=pro",
        ],
    )
    .ok()
    .lines();
    assert_eq!(created.len(), 1, "a pipe gets one JSON line by default");
    let user = &created[0];
    let id = user["user_id"].as_str().unwrap();
    assert_eq!(
        user["metadata"],
        json!({"external_id": "42", "plan": "pro"})
    );
    assert_eq!(
        server.requests()[0].json(),
        Some(json!({"metadata": user["metadata"]}))
    );

    let got = pinn(&server, &["users", "get", id, "--json"]).ok();
    assert!(
        got.stdout.starts_with("{\n  \"object\": \"user\""),
        "pretty"
    );
    assert_eq!(&got.json(), user);

    let updated = pinn(
        &server,
        &[
            "users",
            "update",
            id,
            "--status",
            "disabled",
            "--metadata",
            "plan=team",
        ],
    )
    .ok()
    .lines();
    assert_eq!(updated[0]["status"], "disabled");
    assert_eq!(
        updated[0]["metadata"],
        json!({"plan": "team"}),
        "replaced whole"
    );
    let cleared = pinn(&server, &["users", "update", id, "--clear-metadata"]).ok();
    assert_eq!(cleared.lines()[0]["metadata"], json!({}));
    pinn(&server, &["users", "update", id]).fails(2, &["nothing to change"]);

    let table = pinn(&server, &["users", "list", "-o", "table"]).ok();
    let rows: Vec<&str> = table.stdout.lines().collect();
    assert!(
        rows[0].starts_with("USER_ID") && rows[0].contains("STATUS"),
        "{rows:?}"
    );
    assert!(
        rows[1].starts_with(id) && rows[1].contains("disabled"),
        "{rows:?}"
    );
    let one = pinn(&server, &["users", "get", id, "-o", "table"]).ok();
    assert!(
        one.stdout
            .lines()
            .any(|l| l.starts_with("user_id") && l.ends_with(id))
    );
    assert!(one.stdout.contains("created_at"), "{}", one.stdout);

    let deleted = pinn(&server, &["users", "delete", id]).ok().lines();
    // The request ID is the one the emulator recorded with the user.deleted event.
    let event = newest_event(&server);
    assert_eq!(event.event_type, "user.deleted");
    let request_id = event.request.expect("a request ID");
    assert_eq!(
        deleted[0],
        json!({"object": "user", "user_id": id, "deleted": true, "request_id": request_id})
    );
    let gone = pinn(&server, &["users", "get", id]);
    assert_eq!(gone.stdout, "");
    gone.fails(5, &["invalid request error", "status 404", "request req_"]);
}

#[test]
fn a_users_devices_and_logs_and_the_devices_commands() {
    let server = MockServer::start();
    let (user, device, log) = seeded_user(&server);
    let devices = pinn(&server, &["users", "devices", &user]).ok().lines();
    assert_eq!(devices[0]["device_id"], device.as_str());
    let logs = pinn(&server, &["users", "logs", &user, "--limit", "5"])
        .ok()
        .lines();
    assert_eq!(logs[0]["log_id"], log.as_str());
    assert_eq!(
        server.requests().last().unwrap().query.as_deref(),
        Some("limit=5")
    );

    let got = pinn(&server, &["devices", "get", &device]).ok().lines();
    assert_eq!(got[0]["user_id"], user.as_str());
    let table = pinn(&server, &["devices", "list", "-o", "table"]).ok();
    assert!(table.stdout.lines().nth(1).unwrap().starts_with(&device));
    let device_logs = pinn(&server, &["devices", "logs", &device]).ok().lines();
    assert_eq!(device_logs[0]["success"], true);
    let deleted = pinn(&server, &["devices", "delete", &device, "-o", "table"]).ok();
    let request_id = newest_event(&server).request.unwrap();
    assert_eq!(
        deleted.stdout,
        format!("deleted device {device} (request {request_id})\n")
    );
    assert_eq!(server.count("device"), 0);
}

#[test]
fn a_delete_without_a_request_id() {
    // A server that answers every request with a bare 204, no Request-Id.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let host = format!("http://{}", listener.local_addr().unwrap());
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            while line != "\r\n" {
                line.clear();
                assert!(reader.read_line(&mut line).unwrap() > 0);
            }
            let mut stream = stream;
            let reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
            stream.write_all(reply.as_bytes()).unwrap();
        }
    });
    let delete = |format: &str| {
        let mut c = bare();
        c.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
        let args = [
            "--api-host",
            &host,
            "users",
            "delete",
            "usr_1",
            "-o",
            format,
        ];
        run(c, &args).ok()
    };
    assert_eq!(
        delete("jsonl").lines()[0],
        json!({"object": "user", "user_id": "usr_1", "deleted": true, "request_id": null})
    );
    assert_eq!(delete("table").stdout, "deleted user usr_1\n");
    server.join().unwrap();
}

#[test]
fn apps() {
    let server = MockServer::start();
    let args = ["apps", "create", "--type", "web", "--name", "Checkout"];
    let app = pinn(
        &server,
        &[&args[..], &["--description", "The shop"]].concat(),
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(
        (app["app_type"].as_str(), app["name"].as_str()),
        (Some("web"), Some("Checkout"))
    );
    assert_eq!(server.requests()[0].path, "/v1/apps/web");
    let id = app["app_id"].as_str().unwrap();
    assert_eq!(pinn(&server, &["apps", "get", id]).ok().lines()[0], app);
    let table = pinn(&server, &["apps", "list", "-o", "table"]).ok();
    assert!(table.stdout.contains("Checkout") && table.stdout.contains("The shop"));
    let deleted = pinn(&server, &["apps", "delete", id, "--json"]).ok();
    assert!(deleted.stdout.starts_with("{\n"), "pretty");
    let deleted = deleted.json();
    assert_eq!(deleted["app_id"], id);
    assert_eq!(deleted["deleted"], true);
    let request_id = newest_event(&server).request.unwrap();
    assert_eq!(deleted["request_id"], request_id.as_str());
    assert_eq!(server.count("app"), 0);
    pinn(
        &server,
        &["apps", "create", "--type", "windows", "--name", "x"],
    )
    .fails(2, &["invalid value 'windows'", "ios, android, web"]);
}

#[test]
fn events_and_logs() {
    let server = MockServer::start();
    let (_, _, log) = seeded_user(&server);
    let events = pinn(&server, &["events", "list"]).ok().lines();
    let types: Vec<&str> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["device.created", "user.created"]);
    let id = events[1]["event_id"].as_str().unwrap();
    let event = pinn(&server, &["events", "get", id, "-o", "table"]).ok();
    assert!(
        event
            .stdout
            .lines()
            .any(|l| l.starts_with("type") && l.ends_with("user.created"))
    );

    let logs = pinn(&server, &["logs", "list"]).ok().lines();
    assert_eq!(logs[0]["log_id"], log.as_str());
    let got = pinn(&server, &["logs", "get", &log, "--json"]).ok().json();
    assert_eq!(got["score"], 0.97);
}

#[test]
fn webhook_endpoints() {
    let server = MockServer::start();
    let created = pinn(
        &server,
        &[
            "webhook-endpoints",
            "create",
            "--url",
            "https://example.com/hooks",
            "--event",
            "user.created",
            "--event",
            "user.deleted",
        ],
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(created["events"], json!(["user.created", "user.deleted"]));
    let id = created["webhook_endpoint_id"].as_str().unwrap();
    assert_eq!(
        pinn(&server, &["webhook-endpoints", "get", id])
            .ok()
            .lines()[0],
        created
    );
    let updated = pinn(
        &server,
        &[
            "webhook-endpoints",
            "update",
            id,
            "--url",
            "https://example.com/v2",
            "--event",
            "device.created",
            "--status",
            "disabled",
        ],
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(
        server.requests().last().unwrap().json(),
        Some(
            json!({"url": "https://example.com/v2", "events": ["device.created"], "status": "disabled"})
        )
    );
    assert_eq!(updated["status"], "disabled");
    let table = pinn(&server, &["webhook-endpoints", "list", "-o", "table"]).ok();
    assert!(table.stdout.contains("https://example.com/v2"));
    pinn(&server, &["webhook-endpoints", "update", id]).fails(2, &["nothing to change"]);
    pinn(
        &server,
        &[
            "webhook-endpoints",
            "create",
            "--url",
            "https://example.com",
        ],
    )
    .fails(2, &["--event <TYPE>"]);
    let deleted = pinn(&server, &["webhook-endpoints", "delete", id])
        .ok()
        .lines();
    assert_eq!(
        deleted[0]["request_id"],
        newest_event(&server).request.unwrap().as_str()
    );
    assert_eq!(server.count("webhook_endpoint"), 0);
}

#[test]
fn enrollment_and_recovery_keys() {
    let server = MockServer::start();
    let (user, _, _) = seeded_user(&server);
    let key = pinn(&server, &["enrollment-keys", "create", "--user-id", &user])
        .ok()
        .lines()
        .remove(0);
    assert_eq!(
        (key["object"].as_str(), key["user_id"].as_str()),
        (Some("enrollment_key"), Some(user.as_str()))
    );
    let key = pinn(
        &server,
        &[
            "recovery-keys",
            "create",
            "--user-id",
            &user,
            "--flow",
            "email",
            "--flow",
            "sms",
        ],
    )
    .ok()
    .lines()
    .remove(0);
    assert_eq!(key["flow"], json!(["email", "sms"]));
    pinn(
        &server,
        &["enrollment-keys", "create", "--user-id", "usr_missing"],
    )
    .fails(7, &["request failed error", "status 422"]);
}

#[test]
fn token_verify_prints_claims_or_the_reason() {
    let server = MockServer::start();
    let token = server.mint_id_token("usr_123", &["palm", "device"]);
    let claims = pinn(&server, &["token", "verify", &token, "--amr", "palm"])
        .ok()
        .lines();
    assert_eq!(claims[0]["sub"], "usr_123");
    assert_eq!(claims[0]["iss"], server.url().as_str());
    let table = pinn(&server, &["token", "verify", &token, "-o", "table"]).ok();
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("sub") && l.ends_with("usr_123"))
    );

    let refused = pinn(&server, &["token", "verify", &token, "--amr", "face"]);
    assert_eq!(refused.stdout, "");
    refused.fails(
        11,
        &["id token verification error: claim amr lacks the required method \"face\""],
    );
    let expired = server.sign_id_token(&json!({
        "sub": "usr_123", "iss": server.url(), "amr": ["palm"], "exp": 1_000_000_000,
    }));
    pinn(&server, &["token", "verify", &expired]).fails(11, &["token expired (claim exp)"]);
    pinn(&server, &["token", "verify", "not-a-token"]).fails(11, &["malformed token"]);

    // `-` reads it from stdin, out of `ps`.
    let mut child = at(&server)
        .args(["token", "verify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(child.stdin.take().unwrap(), "{token}").unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("usr_123"));
}

#[test]
fn health() {
    let server = MockServer::start();
    let ok = pinn(&server, &["health"]).ok().lines();
    assert_eq!(ok[0], json!({"healthy": true, "api_host": server.url()}));
    assert_eq!(
        pinn(&server, &["health", "-o", "table"]).ok().stdout,
        format!("healthy: {}\n", server.url())
    );
    let url = server.url();
    drop(server);
    let mut c = bare();
    c.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    run(c, &["--api-host", &url, "health"]).fails(10, &["unhealthy", &url]);
}

#[test]
fn one_page_in_each_format() {
    let server = MockServer::start();
    let ids = create_users(&server, 12);
    let newest_first: Vec<&String> = ids.iter().rev().collect();

    let page = pinn(&server, &["users", "list", "--json"]).ok().json();
    assert_eq!(
        (page["object"].as_str(), page["count"].as_u64()),
        (Some("list"), Some(10))
    );
    assert_eq!(page["has_more"], true);
    assert_eq!(page["ended_at"], newest_first[9].as_str());

    let lines = pinn(&server, &["users", "list", "--jsonl", "--limit", "3"])
        .ok()
        .lines();
    let got: Vec<&str> = lines
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, newest_first[..3]);
    let next = pinn(
        &server,
        &["users", "list", "--limit", "3", "--starting-after", got[2]],
    )
    .ok();
    assert_eq!(next.lines()[0]["user_id"], newest_first[3].as_str());

    // A table tells people (on stderr) how to get the rest.
    let table = pinn(
        &server,
        &["users", "list", "--output", "table", "--limit", "3"],
    );
    assert_eq!(table.code, 0);
    assert_eq!(table.stdout.lines().count(), 4);
    assert_eq!(
        table.stderr,
        format!("more: --starting-after {} (or --all)\n", got[2])
    );

    pinn(&server, &["users", "list", "--limit", "0"]).fails(2, &["0 is not in 1..=100"]);
    pinn(&server, &["users", "list", "--json", "--jsonl"]).fails(2, &["cannot be used with"]);
}

#[test]
fn all_pages_in_each_format() {
    let server = MockServer::start();
    let ids = create_users(&server, 25);
    let mut expected: Vec<&str> = ids.iter().map(String::as_str).collect();
    expected.reverse();

    let lines = pinn(&server, &["users", "list", "--all", "--limit", "10"])
        .ok()
        .lines();
    let got: Vec<&str> = lines
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, expected);
    let gets = server
        .requests()
        .iter()
        .filter(|r| r.method == "GET")
        .count();
    assert_eq!(gets, 3, "one request per page");

    let array = pinn(
        &server,
        &["users", "list", "--all", "--limit", "7", "--json"],
    )
    .ok()
    .json();
    let got: Vec<&str> = array
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!(got, expected);

    let table = pinn(&server, &["users", "list", "--all", "-o", "table"]).ok();
    assert_eq!(table.stdout.lines().count(), 26);
    assert!(table.stdout.starts_with("USER_ID"));

    // Empty lists are valid in every format.
    let empty = MockServer::start();
    assert_eq!(
        pinn(&empty, &["apps", "list", "--all", "--json"])
            .ok()
            .json(),
        json!([])
    );
    assert_eq!(pinn(&empty, &["apps", "list", "--all"]).ok().stdout, "");
}

#[test]
fn export_streams_json_lines_and_resumes() {
    let server = MockServer::start();
    let ids = create_users(&server, 250);
    let all = pinn(&server, &["export", "users"]).ok().lines();
    assert_eq!(all.len(), 250);
    assert_eq!(all[0]["user_id"], ids[249].as_str());
    let queries: Vec<_> = server
        .requests()
        .iter()
        .filter_map(|r| r.query.clone())
        .collect();
    assert!(
        queries.iter().all(|q| q.starts_with("limit=100")),
        "{queries:?}"
    );

    let resumed = pinn(&server, &["export", "users", "--starting-after", &ids[100]])
        .ok()
        .lines();
    assert_eq!(resumed.len(), 100);
    assert_eq!(resumed[0]["user_id"], ids[99].as_str());

    for (what, n) in [
        ("devices", 0),
        ("events", 250),
        ("logs", 0),
        ("apps", 0),
        ("webhook-endpoints", 0),
    ] {
        assert_eq!(
            pinn(&server, &["export", what]).ok().lines().len(),
            n,
            "{what}"
        );
    }
    pinn(&server, &["export", "users", "--json"]).fails(2, &["export writes JSON Lines"]);
}

#[test]
#[cfg(unix)] // `kill -INT`
fn ctrl_c_stops_an_export_with_every_line_whole() {
    let server = MockServer::start();
    create_users(&server, 60);
    // The first page comes at once, every later one 300 ms late.
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(
        Fault::delay(Duration::from_millis(300))
            .times(100)
            .on_method("GET"),
    );
    let mut c = at(&server);
    c.args(["export", "users", "--limit", "5"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let Reaped(child) = &mut spawn(c);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while text.lines().count() < 5 {
        assert!(
            stdout.read_line(&mut text).unwrap() > 0,
            "ended early: {text}"
        );
    }
    interrupt(child);
    stdout.read_to_string(&mut text).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    let status = child.wait().unwrap();

    assert_eq!(status.code(), Some(130), "stderr: {stderr}");
    assert!(text.ends_with('\n'), "the last line is whole");
    let written: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("whole JSON"))
        .collect();
    assert!(
        written.len() >= 5 && written.len() < 60,
        "{} lines",
        written.len()
    );
    let last = written.last().unwrap()["user_id"].as_str().unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(
        stderr.starts_with(&format!("pinn: interrupted after {} users", written.len())),
        "{stderr:?}"
    );
    assert!(
        stderr
            .trim_end()
            .ends_with(&format!("resume with --starting-after {last}")),
        "{stderr:?}"
    );

    // Resuming where it stopped gives exactly the rest.
    let rest = pinn(
        &server,
        &["export", "users", "--limit", "50", "--starting-after", last],
    );
    assert_eq!(written.len() + rest.ok().lines().len(), 60);
}

#[test]
#[cfg(unix)] // `kill -INT`
fn ctrl_c_closes_a_json_array() {
    let server = MockServer::start();
    create_users(&server, 30);
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(
        Fault::delay(Duration::from_millis(300))
            .times(100)
            .on_method("GET"),
    );
    let mut c = at(&server);
    c.args(["users", "list", "--all", "--limit", "5", "--json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    let Reaped(child) = &mut spawn(c);
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut text = String::new();
    while !text.contains("},\n") {
        assert!(
            stdout.read_line(&mut text).unwrap() > 0,
            "ended early: {text}"
        );
    }
    interrupt(child);
    stdout.read_to_string(&mut text).unwrap();
    assert_eq!(child.wait().unwrap().code(), Some(130));
    let array: Value = serde_json::from_str(&text).expect("a closed array");
    assert!(!array.as_array().unwrap().is_empty());
}

#[test]
fn a_failure_part_way_keeps_what_was_written() {
    let server = MockServer::start();
    create_users(&server, 12);
    server.inject(Fault::delay(Duration::ZERO).on_method("GET"));
    server.inject(Fault::status(500).on_method("GET"));
    let run = pinn(
        &server,
        &["export", "users", "--limit", "5", "--max-retries", "0"],
    );
    assert_eq!(run.lines().len(), 5);
    let last = run.lines()[4]["user_id"].as_str().unwrap().to_string();
    run.fails(
        9,
        &[
            "api error",
            "status 500",
            "after 5 users",
            &format!("--starting-after {last}"),
        ],
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let server = MockServer::start();
    create_users(&server, 300);
    let mut child = at(&server)
        .args(["export", "users", "--limit", "10"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn each_error_kind_has_its_exit_code() {
    let server = MockServer::start();
    for (fault, code, words) in [
        (Fault::status(403), 6, "forbidden error"),
        (Fault::status(409), 7, "request failed error"),
        (Fault::rate_limit("1"), 8, "rate limit error"),
        (Fault::status(500), 9, "api error"),
        (Fault::status(503), 10, "api connection error"),
        (Fault::status(418), 12, "pinn error"),
        (
            Fault::body(200, "{\"object\": \"list\", \"data\": 7}"),
            12,
            "invalid response",
        ),
    ] {
        server.inject(fault);
        pinn(&server, &["users", "list", "--max-retries", "0"])
            .fails(code, &[words, "request req_"]);
    }
    let mut wrong_key = bare();
    wrong_key.env("PINN_SECRET_KEY", "sk_test_wrong_wrong_wrong_wrong");
    run(wrong_key, &["--api-host", &server.url(), "users", "list"])
        .fails(4, &["authentication error", "status 401"]);
}

#[test]
fn bad_input_is_one_line_and_a_nonzero_exit() {
    let server = MockServer::start();
    pinn(&server, &["users", "list", "--limt", "3"]).fails(
        2,
        &[
            "unexpected argument '--limt'",
            "'--limit'",
            "pinn users list --help",
        ],
    );
    pinn(&server, &["users", "lst"]).fails(2, &["unrecognized subcommand 'lst'"]);
    pinn(&server, &["users", "create", "--metadata", "plan"])
        .fails(2, &["no '=' found", "pinn users create --help"]);
    pinn(&server, &["users", "create", "--metadata", "=pro"]).fails(2, &["the key is empty"]);
    pinn(&server, &["users", "list", "--seed", "3"]).fails(2, &["--seed"]);
    pinn(&server, &["users", "list", "--demo", "3"])
        .fails(2, &["--demo fills an emulator", "--mock"]);
    assert_eq!(server.requests().len(), 0, "nothing was sent");

    // A key on the command line is refused wherever it stands, and never echoed.
    for args in [
        &["--secret-key", "sk_test_SEEKRIT", "users", "list"][..],
        &["users", "list", "--secret-key=sk_test_SEEKRIT"],
    ] {
        let refused = run(bare(), args);
        assert!(!refused.stderr.contains("SEEKRIT"));
        refused.fails(
            2,
            &[
                "--secret-key is refused",
                "PINN_SECRET_KEY",
                "--secret-key-file",
            ],
        );
    }

    run(bare(), &["users", "list"]).fails(3, &["no secret key", "PINN_SECRET_KEY"]);
    let mut ftp = bare();
    ftp.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    run(ftp, &["--api-host", "ftp://example.com", "users", "list"])
        .fails(3, &["configuration error", "must start with https://"]);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut refused = bare();
    refused.env("PINN_SECRET_KEY", "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    let host = format!("http://127.0.0.1:{port}");
    run(
        refused,
        &["--api-host", &host, "--max-retries", "0", "users", "list"],
    )
    .fails(10, &["api connection error: could not connect"]);
}

#[test]
fn the_key_from_a_file() {
    let server = MockServer::start();
    let dir = std::env::temp_dir().join(format!("pinn-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key");
    std::fs::write(&key_file, format!("{}\n", server.secret_key())).unwrap();
    let key_path = key_file.to_str().unwrap();
    run(
        bare(),
        &[
            "--api-host",
            &server.url(),
            "--secret-key-file",
            key_path,
            "users",
            "list",
        ],
    )
    .ok();
    // The file wins over the environment.
    let mut c = bare();
    c.env("PINN_SECRET_KEY", "sk_test_wrong_wrong_wrong_wrong");
    run(
        c,
        &[
            "--api-host",
            &server.url(),
            "--secret-key-file",
            key_path,
            "users",
            "list",
        ],
    )
    .ok();

    let empty = dir.join("empty");
    std::fs::write(&empty, "\n").unwrap();
    run(
        bare(),
        &[
            "--secret-key-file",
            empty.to_str().unwrap(),
            "users",
            "list",
        ],
    )
    .fails(3, &["is empty"]);
    let missing = dir.join("missing");
    run(
        bare(),
        &[
            "--secret-key-file",
            missing.to_str().unwrap(),
            "users",
            "list",
        ],
    )
    .fails(3, &["cannot read the secret key file"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_api_version_is_sent() {
    let server = MockServer::start();
    pinn(&server, &["--api-version", "2024-06-01", "users", "list"]).ok();
    let mut c = at(&server);
    c.env("PINN_API_VERSION", "2023-01-01");
    run(c, &["users", "list"]).ok();
    let sent = server.requests();
    assert_eq!(sent[0].header("Pinn-Version"), Some("2024-06-01"));
    assert_eq!(sent[1].header("Pinn-Version"), Some("2023-01-01"));
}

#[test]
fn no_output_passes_on_terminal_escapes() {
    let server = MockServer::start();
    let params = UserCreateParams::new().metadata_entry("note", "\u{1b}]0;owned\u{7}\u{1b}[31mred");
    server.client().users().create(&params).unwrap();
    let table = pinn(&server, &["users", "list", "-o", "table"]).ok();
    assert!(!table.stdout.contains('\u{1b}'), "{:?}", table.stdout);
    assert!(
        table.stdout.contains("\\u001b") || table.stdout.contains("\\u{1b}"),
        "{:?}",
        table.stdout
    );
    // JSON escapes DEL and the C1 controls too (U+009B is CSI), and means the same value.
    let params = UserCreateParams::new().metadata_entry("note", "\u{9b}31mred\u{7f}");
    server.client().users().create(&params).unwrap();
    let lines = pinn(&server, &["users", "list", "--limit", "1"]).ok();
    assert!(
        !lines.stdout.contains(['\u{9b}', '\u{7f}']),
        "{:?}",
        lines.stdout
    );
    assert!(
        lines.stdout.contains("\\u009b31mred\\u007f"),
        "{:?}",
        lines.stdout
    );
    assert_eq!(lines.lines()[0]["metadata"]["note"], "\u{9b}31mred\u{7f}");
}

#[test]
fn mock_flag_runs_against_a_fresh_seeded_emulator() {
    let devices = run(bare(), &["--mock", "--demo", "2", "devices", "list"])
        .ok()
        .lines();
    assert_eq!(devices.len(), 2);
    let users = run(bare(), &["--mock", "users", "list"]).ok();
    assert_eq!(users.stdout, "");
    let created = run(bare(), &["--mock", "users", "create", "--metadata", "a=b"])
        .ok()
        .lines();
    assert_eq!(created[0]["metadata"]["a"], "b");
    run(
        bare(),
        &[
            "--mock",
            "--api-host",
            "https://pinnapis.com",
            "users",
            "list",
        ],
    )
    .fails(2, &["cannot be used with"]);
}

#[test]
fn mock_flag_with_a_seed_repeats_its_ids() {
    let args = ["--mock", "--seed", "1", "--demo", "2", "users", "list"];
    let first = run(bare(), &args).ok();
    assert_eq!(
        run(bare(), &args).ok().stdout,
        first.stdout,
        "the same output"
    );
    let users = first.lines();
    assert_eq!(users.len(), 2);
    // The clock is frozen at 2100-01-01T00:00:00Z.
    assert_eq!(users[0]["created_at"], 4_102_444_800_i64);
    // So a later run can name an object by its ID.
    let id = users[1]["user_id"].as_str().unwrap();
    let user = run(
        bare(),
        &["--mock", "--seed", "1", "--demo", "2", "users", "get", id],
    )
    .ok()
    .lines();
    assert_eq!(user[0]["metadata"]["external_id"], "demo_1");
    let created = |seed: &str| {
        run(bare(), &["--mock", "--seed", seed, "users", "create"])
            .ok()
            .lines()
            .remove(0)
    };
    assert_eq!(created("5")["user_id"], created("5")["user_id"]);
    assert_ne!(created("5")["user_id"], created("6")["user_id"]);
    run(bare(), &["--mock", "--seed", "-1", "users", "list"])
        .fails(2, &["unexpected argument '-1'"]);
}

/// `pinn mock ARGS…`, in the background, once it has printed the `NAME=value` line `last`.
struct Served {
    child: Reaped,
    settings: HashMap<String, String>,
    stderr: BufReader<ChildStderr>,
}

fn serve_mock(args: &[&str], last: &str) -> Served {
    let mut c = bare();
    c.arg("mock")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = spawn(c);
    let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
    let mut settings = HashMap::new();
    while !settings.contains_key(last) {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "ended early");
        let (name, value) = line.trim_end().split_once('=').expect("NAME=value");
        settings.insert(name.to_string(), value.to_string());
    }
    let stderr = BufReader::new(child.0.stderr.take().unwrap());
    Served {
        child,
        settings,
        stderr,
    }
}

impl Served {
    /// The binary pointed at this server.
    fn client(&self, args: &[&str]) -> Run {
        let mut c = bare();
        c.env("PINN_SECRET_KEY", &self.settings["PINN_SECRET_KEY"])
            .env("PINN_API_HOST", &self.settings["PINN_API_HOST"]);
        run(c, args)
    }

    /// The next line it wrote on stderr.
    fn note(&mut self) -> String {
        let mut line = String::new();
        self.stderr.read_line(&mut line).unwrap();
        line
    }

    /// `GET path` of its control API, as JSON.
    fn control(&self, path: &str) -> Value {
        let host = self.settings["PINN_API_HOST"].trim_start_matches("http://");
        let mut s = TcpStream::connect(host).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = String::new();
        s.read_to_string(&mut raw).unwrap();
        let (_, body) = raw.split_once("\r\n\r\n").expect("a response");
        serde_json::from_str(body).expect("JSON")
    }
}

#[test]
#[cfg(unix)] // `kill -INT`
fn pinn_mock_serves_and_prints_its_settings() {
    let mut served = serve_mock(&["--port", "0", "--demo", "1"], "PINN_MOCK_ID_TOKEN");
    let settings = served.settings.clone();
    let host = &settings["PINN_API_HOST"];
    assert!(host.starts_with("http://127.0.0.1:"));
    assert!(served.note().starts_with(&format!(
        "pinn mock: serving the Pinn API emulator on {host} "
    )),);
    let note = served.note();
    assert!(note.starts_with("pinn mock: 1 demo user (each"), "{note}");
    assert!(note.contains("PINN_MOCK_ID_TOKEN expires at "), "{note}");
    let client = |args: &[&str]| served.client(args);
    let user = client(&["users", "get", &settings["PINN_MOCK_USER_ID"]])
        .ok()
        .lines();
    assert_eq!(user[0]["metadata"]["external_id"], "demo_1");
    for (what, id) in [
        ("devices", "PINN_MOCK_DEVICE_ID"),
        ("logs", "PINN_MOCK_LOG_ID"),
        ("apps", "PINN_MOCK_APP_ID"),
        ("webhook-endpoints", "PINN_MOCK_WEBHOOK_ENDPOINT_ID"),
        ("events", "PINN_MOCK_EVENT_ID"),
    ] {
        client(&[what, "get", &settings[id]]).ok();
    }
    let claims = client(&[
        "token",
        "verify",
        &settings["PINN_MOCK_ID_TOKEN"],
        "--amr",
        "palm",
    ])
    .ok();
    assert_eq!(
        claims.lines()[0]["sub"],
        settings["PINN_MOCK_USER_ID"].as_str()
    );

    let Reaped(child) = &mut served.child;
    interrupt(child);
    assert_eq!(child.wait().unwrap().code(), Some(130));
}

#[test]
fn pinn_mock_takes_the_flags_of_pinn_mock() {
    // --seed: two servers (and a one-shot --mock) with the same seed make the same objects.
    let args = ["--port", "0", "--seed", "7", "--demo", "2"];
    let mut one = serve_mock(&args, "PINN_MOCK_ID_TOKEN");
    let two = serve_mock(&args, "PINN_MOCK_ID_TOKEN");
    assert_ne!(one.settings["PINN_API_HOST"], two.settings["PINN_API_HOST"]);
    for name in [
        "PINN_SECRET_KEY",
        "PINN_MOCK_USER_ID",
        "PINN_MOCK_DEVICE_ID",
        "PINN_MOCK_LOG_ID",
        "PINN_MOCK_APP_ID",
        "PINN_MOCK_WEBHOOK_ENDPOINT_ID",
        "PINN_MOCK_EVENT_ID",
    ] {
        assert_eq!(one.settings[name], two.settings[name], "{name}");
    }
    let note = one.note();
    assert!(
        note.ends_with("until Ctrl-C (seed 7, clock frozen at 2100-01-01T00:00:00Z)\n"),
        "{note}"
    );
    assert!(one.note().ends_with("expires at 2100-01-01T00:05:00Z\n"));
    let user_id = &one.settings["PINN_MOCK_USER_ID"];
    let user = one.client(&["users", "get", user_id]).ok().lines();
    assert_eq!(user[0]["created_at"], 4_102_444_800_i64);
    let args = [
        "--mock", "--seed", "7", "--demo", "2", "users", "get", user_id,
    ];
    assert_eq!(run(bare(), &args).ok().lines(), user);
    drop((one, two));

    // --clock, --request-log, --idle-timeout.
    let args = [
        "--port",
        "0",
        "--clock",
        "1700000000",
        "--request-log",
        "2",
        "--idle-timeout",
        "0.2",
    ];
    let mut served = serve_mock(&args, "PINN_SECRET_KEY");
    let note = served.note();
    assert!(
        note.ends_with("until Ctrl-C (clock frozen at 2023-11-14T22:13:20Z)\n"),
        "{note}"
    );
    let user = served.client(&["users", "create"]).ok().lines();
    assert_eq!(user[0]["created_at"], 1_700_000_000);
    served.client(&["users", "list"]).ok();
    served.client(&["apps", "list"]).ok();
    let log = served.control("/_mock/requests");
    assert_eq!(log["capacity"], 2);
    assert_eq!(log["data"].as_array().unwrap().len(), 2);
    assert_eq!(log["total"], 3);
    let host = served.settings["PINN_API_HOST"].trim_start_matches("http://");
    let mut idle = TcpStream::connect(host).unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = std::time::Instant::now();
    assert_eq!(idle.read(&mut [0; 1]).unwrap(), 0, "closed by the server");
    assert!(started.elapsed() < Duration::from_secs(3));

    // Bad values are one line, exit 2, before anything listens.
    for (flag, value, words) in [
        ("--idle-timeout", "0", "more than 0 and at most 86400"),
        ("--idle-timeout", "NaN", "more than 0 and at most 86400"),
        ("--idle-timeout", "soon", "a number of seconds"),
        ("--request-log", "many", "invalid digit"),
        ("--clock", "soon", "invalid digit"),
        ("--port", "70000", "not in 0..=65535"),
        ("--seed", "many", "invalid digit"),
    ] {
        run(bare(), &["mock", flag, value]).fails(2, &[flag, words, "pinn mock --help"]);
    }
    run(bare(), &["mock", "--mock"]).fails(2, &["do not apply"]);
    // A port in use, a key the emulator refuses.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    run(bare(), &["mock", "--port", &port])
        .fails(1, &[&format!("cannot listen on 127.0.0.1:{port}")]);
    let dir = std::env::temp_dir().join(format!("pinn-cli-mock-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let key_file = dir.join("key");
    std::fs::write(&key_file, "two words\n").unwrap();
    let key_path = key_file.to_str().unwrap();
    run(
        bare(),
        &["mock", "--port", "0", "--secret-key-file", key_path],
    )
    .fails(3, &["configuration error", "is refused", "printable ASCII"]);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn completions_and_help() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let script = run(bare(), &["completions", shell]).ok();
        assert!(script.stdout.contains("webhook-endpoints"), "{shell}");
    }
    run(bare(), &["completions", "tcsh"]).fails(2, &["invalid value 'tcsh'"]);
    // A reader that goes away (`| head -1`) ends it quietly.
    let mut c = bare();
    c.args(["completions", "zsh"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let help = run(bare(), &["--help"]).ok();
    assert!(help.stdout.contains("export") && help.stdout.contains("--secret-key-file"));
    assert!(run(bare(), &["--version"]).ok().stdout.starts_with("pinn "));
    let none = run(bare(), &[]);
    assert_eq!(none.code, 2);
    assert!(none.stderr.contains("Usage: pinn"));
}
