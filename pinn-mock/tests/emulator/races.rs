//! Many threads at once: API traffic on 64 connections while another thread snapshots and
//! restores, resets, read the state and the request log as they change, and install and clear
//! delays. Every answer must be whole (its `Content-Length` kept, its JSON parsed), no server
//! thread may panic, and the store must come out consistent.

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use pinn_mock::{Fault, MockServer};
use serde_json::Value;

use crate::framing::{SERVER_PANICS, count_server_panics};
use crate::raw::{Conn, Reply, control, request};

/// Sends `method target` on a keep-alive connection and reads the answer whole.
fn on(conn: &mut Conn, key: &str, method: &str, target: &str, body: &str) -> Reply {
    let auth = format!("Bearer {key}");
    let mut headers = vec![("Authorization", auth.as_str())];
    if !body.is_empty() {
        headers.push(("Content-Type", "application/json"));
    }
    conn.send(&request(method, target, &headers, body));
    let reply = conn.read_reply().expect("a whole answer");
    if !reply.body.is_empty() {
        let parsed: Result<Value, _> = serde_json::from_slice(&reply.body);
        assert!(parsed.is_ok(), "{method} {target}: {reply:?}");
    }
    reply
}

#[test]
fn traffic_restores_resets_and_big_reads_race_without_harm() {
    count_server_panics();
    let server = MockServer::builder()
        .request_log_capacity(200)
        .start()
        .unwrap();
    let s = &server;
    let key = s.secret_key().to_string();
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    std::thread::scope(|scope| {
        for t in 0..64 {
            let (key, stop) = (&key, &stop);
            scope.spawn(move || {
                let mut c = Conn::open(s.port());
                let metadata = format!(
                    r#"{{"metadata": {{"t": {t}, "pad": "{}"}}}}"#,
                    "x".repeat(4096)
                );
                while !stop.load(Ordering::SeqCst) {
                    let made = on(&mut c, key, "POST", "/v1/users", &metadata);
                    assert_eq!(made.status, 200, "{made:?}");
                    let id = made.json()["user_id"].as_str().unwrap().to_string();
                    let listed = on(&mut c, key, "GET", "/v1/users?limit=100", "");
                    assert_eq!(listed.status, 200);
                    let gone = on(&mut c, key, "DELETE", &format!("/v1/users/{id}"), "");
                    // A restore or a reset may have taken it first.
                    assert!(matches!(gone.status, 200 | 404), "{gone:?}");
                    let after = format!("/v1/users?limit=5&starting_after={id}");
                    let resumed = on(&mut c, key, "GET", &after, "");
                    assert!(matches!(resumed.status, 200 | 400), "{resumed:?}");
                }
            });
        }
        let (key, stop) = (&key, &stop);
        scope.spawn(move || {
            let mut c = Conn::open(s.port());
            let mut round = 0;
            while !stop.load(Ordering::SeqCst) {
                round += 1;
                let state = on(&mut c, key, "GET", "/_mock/state", "");
                assert_eq!(state.status, 200);
                // Restored in-process: the state soon outgrows the 1 MiB a body may be.
                s.restore(&state.json()).unwrap();
                let log = on(&mut c, key, "GET", "/_mock/requests", "");
                assert_eq!(log.status, 200);
                if round % 5 == 0 {
                    assert_eq!(on(&mut c, key, "POST", "/_mock/reset", "").status, 200);
                }
                s.inject(
                    Fault::delay(Duration::from_secs(3600))
                        .on_method("GET")
                        .times(3),
                );
                std::thread::sleep(Duration::from_millis(20));
                s.clear_faults();
            }
        });
        std::thread::sleep(Duration::from_secs(4));
        stop.store(true, Ordering::SeqCst);
    });
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(
        SERVER_PANICS.load(Ordering::SeqCst),
        0,
        "a server thread panicked"
    );
    // Consistent: every listed user retrievable, once, and as many as counted.
    let state = s.snapshot();
    let users = state["objects"]["user"].as_array().unwrap();
    let ids: HashSet<&str> = users
        .iter()
        .map(|u| u["user_id"].as_str().unwrap())
        .collect();
    assert_eq!((ids.len(), users.len()), (s.count("user"), s.count("user")));
    let listed = control(s.port(), &key, "GET", "/_mock/counts", "").json();
    assert_eq!(listed["user"]["count"], s.count("user"));
    s.restore(&state).unwrap();
}
