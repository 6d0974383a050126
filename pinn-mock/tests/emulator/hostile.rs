//! The emulator against a hostile client: values at the edges of their types in the control
//! API, clients that stop reading, and input meant to make its memory grow. Each case ends in
//! an answer in the spec's error shape (never a 500), within a bounded time, and without a
//! server thread panicking.

use std::io::{ErrorKind, Read, Write};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crate::framing::{SERVER_PANICS, count_server_panics};
use crate::raw::{Conn, PATIENCE, api, call, connect, control as control_call, request};
use pinn_mock::{Fault, MockServer};
use serde_json::{Value, json};

/// A control call's status and JSON answer.
fn control(s: &MockServer, method: &str, path: &str, body: &Value) -> (u16, Value) {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let r = control_call(s.port(), s.secret_key(), method, path, &body);
    (r.status, r.json())
}

/// An API call's status and JSON answer.
fn v1(s: &MockServer, method: &str, target: &str, body: &str) -> (u16, Value) {
    let r = api(s.port(), s.secret_key(), method, target, body);
    (r.status, r.json())
}

fn no_server_panics() {
    assert_eq!(
        SERVER_PANICS.load(Ordering::SeqCst),
        0,
        "a server thread panicked"
    );
}

#[test]
fn a_restored_created_count_at_the_top_of_its_type_saturates() {
    count_server_panics();
    let s = MockServer::start();
    let kinds = [
        "user",
        "app",
        "device",
        "event",
        "log",
        "webhook_endpoint",
        "enrollment_key",
        "recovery_key",
    ];
    let created: serde_json::Map<String, Value> = kinds
        .iter()
        .map(|k| (k.to_string(), json!(u64::MAX)))
        .collect();
    let restored = control(&s, "PUT", "/_mock/state", &json!({"created": created}));
    assert_eq!(restored.0, 200, "{restored:?}");

    // Every way an object is made, through the API and the control API.
    let (status, user) = v1(&s, "POST", "/v1/users", "");
    assert_eq!(status, 200, "{user}");
    let user_id = user["user_id"].as_str().unwrap().to_string();
    let with_user = json!({ "user_id": user_id }).to_string();
    for (method, target, body) in [
        ("POST", "/v1/apps/ios", r#"{"name": "Portal"}"#.to_string()),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url": "https://example.com/hook", "events": ["user.created"]}"#.to_string(),
        ),
        ("POST", "/v1/enrollment_keys", with_user.clone()),
        ("POST", "/v1/recovery_keys", with_user.clone()),
        (
            "PATCH",
            &format!("/v1/users/{user_id}"),
            r#"{"status": "disabled"}"#.to_string(),
        ),
    ] {
        let answer = v1(&s, method, target, &body);
        assert_eq!(answer.0, 200, "{method} {target}: {answer:?}");
    }
    let (status, device) = control(&s, "POST", "/_mock/devices", &json!({"user_id": user_id}));
    assert_eq!(status, 200, "{device}");
    let device_log = json!({"device_id": device["device_id"]});
    assert_eq!(control(&s, "POST", "/_mock/logs", &device_log).0, 200);
    let event = json!({"type": "user.flagged", "data": {}});
    assert_eq!(control(&s, "POST", "/_mock/events", &event).0, 200);
    assert_eq!(control(&s, "POST", "/_mock/users", &json!({})).0, 200);
    assert_eq!(v1(&s, "DELETE", &format!("/v1/users/{user_id}"), "").0, 200);

    let (_, counts) = control(&s, "GET", "/_mock/counts", &Value::Null);
    for kind in kinds {
        assert_eq!(counts[kind]["created"], json!(u64::MAX), "{kind}: {counts}");
    }
    assert_eq!(counts["user"]["count"], 1, "{counts}");
    no_server_panics();
}

#[test]
fn a_client_that_never_reads_its_answers_is_disconnected() {
    count_server_panics();
    let s = MockServer::builder()
        .idle_timeout(Duration::from_millis(100))
        .start()
        .unwrap();
    // Answers of 200 KB each: 500 of them are far more than socket buffers hold (Linux lets a
    // loopback receive buffer grow to 32 MiB).
    let fixture = json!({"objects": {"user": [
        {"user_id": "usr_big", "metadata": {"blob": "x".repeat(200_000)}},
    ]}});
    assert_eq!(control(&s, "PUT", "/_mock/state", &fixture).0, 200);
    let mut greedy = connect(s.port());
    let auth = format!("Bearer {}", s.secret_key());
    let one = request("GET", "/_mock/state", &[("Authorization", &auth)], "");
    for _ in 0..500 {
        greedy.write_all(&one).unwrap();
    }
    // Read nothing for longer than it takes to fill the buffers and then stall a write for the
    // one second the server waits here.
    std::thread::sleep(Duration::from_secs(4));
    let mut got = Vec::new();
    let mut chunk = vec![0u8; 1 << 16];
    let ended = loop {
        match greedy.read(&mut chunk) {
            Ok(0) => break Ok(()),
            Ok(n) => got.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    assert!(
        ended.is_ok(),
        "the server still holds the connection: {ended:?}"
    );
    assert!(
        got.len() < 500 * 200_000,
        "every answer was written: the server waited on the client"
    );
    assert_eq!(call(s.port(), "GET", "/health", "").status, 200);
    no_server_panics();
}

#[test]
fn the_fault_queue_is_bounded() {
    count_server_panics();
    let s = MockServer::start();
    // A list of faults near the body limit, posted in a loop: each one a request that matches
    // nothing, so none is ever used up.
    let batch: Vec<Value> = (0..4_000)
        .map(|i| json!({"kind": "close", "path": format!("/v1/nowhere/{i}")}))
        .collect();
    let batch = Value::Array(batch);
    let mut installed = 0;
    for _ in 0..10 {
        let (status, answer) = control(&s, "POST", "/_mock/faults", &batch);
        match status {
            200 => installed += 4_000,
            _ => {
                assert_eq!(status, 422, "{answer}");
                assert_eq!(answer["error"]["type"], "unprocessable_entity", "{answer}");
                break;
            }
        }
    }
    assert_eq!(
        installed, 8_000,
        "the queue stopped short of or past its bound"
    );
    assert_eq!(
        s.faults().len(),
        8_000,
        "a refused list installs none of its faults"
    );
    // One at a time, up to the bound and no further.
    let one = json!({"kind": "status", "status": 503, "path": "/v1/nowhere"});
    let mut singles = 0;
    while control(&s, "POST", "/_mock/faults", &one).0 == 200 {
        singles += 1;
        assert!(singles <= 2_000, "past the bound");
    }
    assert_eq!(s.faults().len(), 10_000);
    assert_eq!(call(s.port(), "GET", "/health", "").status, 200);
    assert_eq!(
        control(&s, "DELETE", "/_mock/faults", &Value::Null).1["cleared"],
        10_000
    );
    assert_eq!(
        control(&s, "POST", "/_mock/faults", &one).0,
        200,
        "room again"
    );
    no_server_panics();
}

#[test]
fn a_delay_as_long_as_a_duration_can_be_hangs_until_the_server_stops() {
    count_server_panics();
    let s = MockServer::start();
    s.inject(Fault::delay(Duration::MAX).on_method("GET"));
    s.inject(Fault::delay(Duration::MAX).after_commit().on_method("POST"));
    let mut waiting = Vec::new();
    for (method, target) in [("GET", "/v1/users"), ("POST", "/v1/users")] {
        let mut c = Conn::open(s.port());
        let auth = format!("Bearer {}", s.secret_key());
        c.send(&request(method, target, &[("Authorization", &auth)], ""));
        c.stream
            .set_read_timeout(Some(Duration::from_millis(500)))
            .unwrap();
        let early = c.read_reply();
        assert!(early.is_none(), "{method}: the delay answered: {early:?}");
        waiting.push(c);
    }
    // After the commit: the user is made before the delay, whose end never comes.
    let made = Instant::now();
    while s.count("user") != 1 {
        assert!(made.elapsed() < PATIENCE, "the POST was never committed");
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(s);
    for mut c in waiting {
        // Stopping the server cuts the delays: each connection ends (a read of 0 bytes, or a
        // reset) with nothing answered, long before the read timeout.
        c.stream.set_read_timeout(Some(PATIENCE)).unwrap();
        let mut rest = std::mem::take(&mut c.buf);
        let ended = c.stream.read_to_end(&mut rest);
        assert!(
            !matches!(&ended, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
            "a cut delay still holds its connection: {ended:?}"
        );
        assert!(rest.is_empty(), "a cut delay answers nothing");
    }
    no_server_panics();
}

#[cfg(unix)]
#[test]
fn pinn_mock_refuses_hostile_arguments_with_a_message_not_a_panic() {
    use std::ffi::OsString;
    use std::os::unix::ffi::OsStringExt;
    let long_key = format!("--secret-key=sk_test_{}", "k".repeat(5000));
    let cases: Vec<Vec<OsString>> = vec![
        vec![OsString::from_vec(b"--port=\xff".to_vec())],
        vec![OsString::from_vec(b"\xff\xfe".to_vec())],
        vec![
            "--secret-key".into(),
            OsString::from_vec(b"sk_test_\xff".to_vec()),
        ],
        vec!["--port=0".into(), "--secret-key=".into()],
        vec!["--port=0".into(), "--secret-key=two words".into()],
        vec!["--port=0".into(), "--secret-key=sk_test_a\r\nX: y".into()],
        vec!["--port=0".into(), long_key.into()],
        vec!["--port=99999999999999999999999".into()],
        vec!["--seed=18446744073709551616".into()],
        vec!["--clock=-9223372036854775809".into()],
        vec!["--request-log=-1".into()],
        vec!["--idle-timeout=1e999".into()],
        vec!["--idle-timeout=-0".into()],
        vec!["--demo".into()],
        // A key in the wrong place is refused without being shown.
        vec!["sk_test_4eC39HqLyjWDarjtT1zdp7dc".into()],
        vec!["--port=sk_test_4eC39HqLyjWDarjtT1zdp7dc".into()],
        vec![
            "--port=0".into(),
            OsString::from_vec(b"--secret-key=sk_test_4eC39HqLyjWDarjtT1zdp7dc\xff".to_vec()),
        ],
    ];
    for args in cases {
        let out = output_within(&args, Duration::from_secs(30));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("sk_test_4eC"), "{args:?}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.starts_with("pinn-mock: "), "{args:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(!stderr.contains("cannot listen"), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: it started");
    }
}

/// `pinn-mock` run with `args`, killed (and the test failed) should it still run after
/// `limit`: an argument it wrongly took would have it serve forever.
#[cfg(unix)]
fn output_within(args: &[std::ffi::OsString], limit: Duration) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_pinn-mock"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?}: pinn-mock still runs after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn events_are_kept_within_a_count_and_a_byte_budget() {
    let s = MockServer::start();
    // More events than the store keeps, restored at once: the oldest go. (The byte budget is
    // held by the store's unit tests: reaching it takes 64 MiB of requests.)
    let events: Vec<Value> = (0..10_050)
        .map(|i| json!({"event_id": format!("evt_{i}"), "type": "t"}))
        .collect();
    let fixture = json!({"objects": {"event": events}});
    assert_eq!(control(&s, "PUT", "/_mock/state", &fixture).0, 200);
    assert_eq!(s.count("event"), 10_000);
    assert_eq!(v1(&s, "GET", "/v1/events/evt_49", "").0, 404);
    assert_eq!(v1(&s, "GET", "/v1/events/evt_50", "").0, 200);
    let (status, _) = v1(&s, "GET", "/v1/events?starting_after=evt_3", "");
    assert_eq!(
        status, 400,
        "a dropped event is no longer an item of the list"
    );
    // A loop of creates and deletes leaves no user, and no more events than that.
    for _ in 0..20 {
        let (status, user) = v1(&s, "POST", "/v1/users", "");
        assert_eq!(status, 200);
        let path = format!("/v1/users/{}", user["user_id"].as_str().unwrap());
        assert_eq!(v1(&s, "DELETE", &path, "").0, 200);
    }
    assert_eq!(
        s.count("event"),
        10_000,
        "each new event pushes out the oldest"
    );
    assert_eq!(v1(&s, "GET", "/v1/events/evt_89", "").0, 404);
    assert_eq!(v1(&s, "GET", "/v1/events/evt_90", "").0, 200);
    assert_eq!(
        s.creates("event"),
        10_050 + 40,
        "created still counts them all"
    );
}

#[test]
fn a_fault_status_that_cannot_carry_a_body_keeps_the_connection_in_step() {
    let s = MockServer::start();
    for status in [100, 101, 199] {
        for kind in ["status", "body"] {
            let fault = json!({"kind": kind, "status": status, "body": "{}", "path": "/health"});
            let mut fault = fault.as_object().unwrap().clone();
            if kind == "status" {
                fault.remove("body");
            }
            let (code, answer) = control(&s, "POST", "/_mock/faults", &Value::Object(fault));
            assert_eq!(
                code, 400,
                "{kind} {status}: a 1xx is not a final answer: {answer}"
            );
        }
    }
    for status in [204, 304] {
        for fault in [
            json!({"kind": "status", "status": status, "path": "/health"}),
            json!({"kind": "body", "status": status, "body": "{\"not\": \"sent\"}", "path": "/health"}),
        ] {
            assert_eq!(control(&s, "POST", "/_mock/faults", &fault).0, 200);
            // Two requests on one connection: the second answer must follow the first head.
            let mut c = connect(s.port());
            c.write_all(&request("GET", "/health", &[], "")).unwrap();
            c.write_all(&request("GET", "/health", &[("Connection", "close")], ""))
                .unwrap();
            let mut got = Vec::new();
            c.read_to_end(&mut got).unwrap();
            let got = String::from_utf8_lossy(&got);
            let (head, rest) = got.split_once("\r\n\r\n").unwrap();
            assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{got}");
            assert!(rest.starts_with("HTTP/1.1 200 OK\r\n"), "{fault}: {got:?}");
        }
    }
}
