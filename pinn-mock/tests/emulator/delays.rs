//! Delay faults never wedge the emulator. A request waiting in a delay holds a server thread
//! and a connection; the wait ends when the faults are cleared (answered now), when its client
//! goes away (acted on, as if the time had passed), and on a reset or drop (dropped unanswered).
//! And while every API connection is held, control calls are still served: a test can always
//! clear the faults.

use std::io::{ErrorKind, Read};
use std::time::{Duration, Instant};

use pinn_mock::{Fault, MockServer};

use crate::raw::{Conn, PATIENCE, api, call, control, request};

const HOUR: Duration = Duration::from_secs(3600);

/// Opens `n` connections that each send `method target` with the key, without reading.
fn park(s: &MockServer, n: usize, method: &str, target: &str) -> Vec<Conn> {
    let auth = format!("Bearer {}", s.secret_key());
    let before = s.requests().len();
    let conns: Vec<Conn> = (0..n)
        .map(|_| {
            let mut c = Conn::open(s.port());
            c.send(&request(method, target, &[("Authorization", &auth)], ""));
            c
        })
        .collect();
    // Each request is recorded as it arrives, before its fault: then it waits.
    until("every request waits", || s.requests().len() >= before + n);
    conns
}

/// Waits for `done`, failing the test after PATIENCE.
fn until(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < PATIENCE,
            "{what}: not within {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn clearing_the_faults_answers_every_waiting_request_at_once() {
    let s = MockServer::start();
    s.inject(Fault::delay(HOUR).times(100).on_method("GET"));
    let mut waiting = park(&s, 100, "GET", "/v1/users");
    let started = Instant::now();
    // Every use of the fault is taken (it lists as cleared: 0), and all wait on it.
    let cleared = control(s.port(), s.secret_key(), "DELETE", "/_mock/faults", "");
    assert_eq!(
        (cleared.status, cleared.json()["cleared"].as_u64()),
        (200, Some(0))
    );
    for c in &mut waiting {
        let r = c.read_reply().expect("an answer after the clear");
        assert_eq!(r.status, 200, "{r:?}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn control_calls_are_served_while_every_api_connection_is_held() {
    let s = MockServer::builder().max_connections(8).start().unwrap();
    s.inject(Fault::delay(HOUR).times(1000).on_method("GET"));
    let mut held = park(&s, 8, "GET", "/v1/users");
    // The API has no connection left: a ninth is kept for the control API only.
    let api_call = api(s.port(), s.secret_key(), "GET", "/v1/apps", "");
    assert_eq!(api_call.status, 503, "{api_call:?}");
    assert!(api_call.text().contains("/_mock/"), "{api_call:?}");
    let counts = control(s.port(), s.secret_key(), "GET", "/_mock/counts", "");
    assert_eq!(counts.status, 200, "{counts:?}");
    // Sixteen more wait for the control API; past them, connections are refused at once.
    let reserved: Vec<Conn> = (0..16).map(|_| Conn::open(s.port())).collect();
    until("the reserve is taken", || {
        control(s.port(), s.secret_key(), "GET", "/_mock/counts", "").status == 503
    });
    // Even /health: a reserved connection serves the control API alone.
    assert_eq!(call(s.port(), "GET", "/health", "").status, 503);
    drop(reserved);
    until("the reserve is free again", || {
        control(s.port(), s.secret_key(), "GET", "/_mock/counts", "").status == 200
    });
    // Clearing the faults frees the held connections.
    let cleared = control(s.port(), s.secret_key(), "DELETE", "/_mock/faults", "");
    assert_eq!(cleared.status, 200);
    for c in &mut held {
        assert_eq!(c.read_reply().map(|r| r.status), Some(200));
    }
    drop(held);
    until("the API is served again", || {
        api(s.port(), s.secret_key(), "GET", "/v1/apps", "").status == 200
    });
}

#[test]
fn a_wait_ends_when_its_client_goes_away() {
    let s = MockServer::builder().max_connections(4).start().unwrap();
    s.inject(Fault::delay(HOUR).times(4).on_method("POST"));
    let gone = park(&s, 4, "POST", "/v1/users");
    drop(gone);
    // The server's threads end, acting on each request as a server that took an hour would:
    // the users are made (which is why a POST that timed out must not be sent again).
    until("each request is acted on", || s.count("user") == 4);
    until("the connections are free again", || {
        api(s.port(), s.secret_key(), "GET", "/v1/users", "").status == 200
    });
}

#[test]
fn a_reset_drops_every_waiting_request_unanswered_and_undone() {
    let s = MockServer::start();
    s.inject(Fault::delay(HOUR).times(20).on_method("POST"));
    let mut waiting = park(&s, 20, "POST", "/v1/users");
    let reset = control(s.port(), s.secret_key(), "POST", "/_mock/reset", "");
    assert_eq!(reset.status, 200);
    for c in &mut waiting {
        let mut rest = Vec::new();
        let ended = c.stream.read_to_end(&mut rest);
        assert!(
            !matches!(&ended, Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)),
            "the reset left the request waiting: {ended:?}"
        );
        assert!(
            rest.is_empty(),
            "answered: {:?}",
            String::from_utf8_lossy(&rest)
        );
    }
    // Nothing from before the reset lands in the state after it.
    assert_eq!((s.count("user"), s.creates("user")), (0, 0));
    assert_eq!(
        api(s.port(), s.secret_key(), "POST", "/v1/users", "").status,
        200
    );
}
