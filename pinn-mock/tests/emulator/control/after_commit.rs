//! Faults that fire after the store has changed, and a seeded run repeated by the binary.

use std::time::{Duration, Instant};

use crate::raw::{Conn, api, control};
use pinn_mock::MockServer;
use serde_json::{Value, json};

use super::*;

#[test]
fn after_commit_close_creates_then_drops_the_connection() {
    let s = MockServer::start();
    mock(
        &s,
        "POST",
        "faults",
        json!({"kind": "close", "after_commit": true, "method": "POST"}),
    );
    let got = crate::raw::exchange(
        s.port(),
        crate::raw::request(
            "POST",
            "/v1/users",
            &[("Authorization", &format!("Bearer {}", s.secret_key()))],
            "",
        ),
    );
    assert!(
        got.is_empty(),
        "no answer: {:?}",
        String::from_utf8_lossy(&got)
    );
    let (_, counts) = mock(&s, "GET", "counts", Value::Null);
    assert_eq!(
        counts["user"],
        json!({"count": 1, "created": 1}),
        "yet the user exists"
    );
}

#[test]
fn after_commit_truncation_sends_the_real_head_and_half_the_body() {
    let s = MockServer::start();
    mock(
        &s,
        "POST",
        "faults",
        json!({"kind": "truncated_body", "after_commit": true}),
    );
    let got = crate::raw::exchange(
        s.port(),
        crate::raw::request(
            "POST",
            "/v1/users",
            &[("Authorization", &format!("Bearer {}", s.secret_key()))],
            "",
        ),
    );
    let text = String::from_utf8_lossy(&got);
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200 OK\r\n"), "{head}");
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("Content-Length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        body.len() < length && body.len() >= length / 2 - 1,
        "{} of {length}",
        body.len()
    );
    assert!(body.starts_with(r#"{"#), "{body}");
    assert_eq!(s.count("user"), 1);
}

#[test]
fn after_commit_status_and_delay() {
    let s = MockServer::start();
    mock(
        &s,
        "POST",
        "faults",
        json!({"kind": "status", "status": 500, "after_commit": true}),
    );
    assert_error(
        v1(&s, "POST", "/v1/users", ""),
        500,
        "internal_server_error",
    );
    assert_eq!(s.count("user"), 1, "created, though the answer says 500");

    // A delay after the commit: the user exists while the answer is still on its way.
    mock(
        &s,
        "POST",
        "faults",
        json!({"kind": "delay", "delay_ms": 800, "after_commit": true}),
    );
    let mut conn = Conn::open(s.port());
    let started = Instant::now();
    conn.send(&crate::raw::request(
        "POST",
        "/v1/users",
        &[("Authorization", &format!("Bearer {}", s.secret_key()))],
        "",
    ));
    while s.count("user") < 2 {
        assert!(
            started.elapsed() < Duration::from_millis(700),
            "not created before the answer"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    let created_after = started.elapsed();
    let reply = conn.read_reply().unwrap();
    assert_eq!(reply.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(800));
    assert!(
        created_after < Duration::from_millis(700),
        "{created_after:?}"
    );
}

#[test]
fn the_binary_repeats_a_seeded_run() {
    use std::io::BufRead;
    let run = || {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pinn-mock"))
            .args(["--port", "0", "--seed", "7"])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
        let mut setting = |name: &str| {
            let line = lines.next().unwrap().unwrap();
            line.strip_prefix(name).map(str::to_owned).unwrap()
        };
        let _ = setting("pinn-mock listening on ");
        let (host, key) = (setting("PINN_API_HOST="), setting("PINN_SECRET_KEY="));
        let port: u16 = host.rsplit(':').next().unwrap().parse().unwrap();
        let user = api(port, &key, "POST", "/v1/users", "").json();
        let app = api(port, &key, "POST", "/v1/apps/web", r#"{"name": "Web"}"#).json();
        let state = control(port, &key, "GET", "/_mock/state", "").json();
        child.kill().unwrap();
        child.wait().unwrap();
        (key, user, app, state)
    };
    let (a, b) = (run(), run());
    assert_eq!(a, b);
    assert_eq!(
        a.1["created_at"], 4_102_444_800i64,
        "a seeded clock is frozen at 2100-01-01"
    );
    assert!(
        a.2["publishable_key"]
            .as_str()
            .unwrap()
            .starts_with("pk_test_")
    );
}
