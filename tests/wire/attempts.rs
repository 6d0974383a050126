//! What each attempt tells: the observer set in the config sees every one, and a DELETE
//! retried after an attempt that may have deleted takes a `404` as done.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use pinn::errors::TransportKind;
use pinn::observe::AttemptEvent;
use pinn::{Client, ErrorKind, Outcome, User};

use crate::support::fixtures::{NOT_FOUND, USERS_PAGE};
use crate::support::{Wire, expect, ok_json, refused_builder};

/// An owned copy of what an observer saw.
#[derive(Debug, Clone, PartialEq)]
struct Saw {
    method: String,
    path: String,
    host: String,
    label: Option<String>,
    attempt: u32,
    status: Option<u16>,
    transport: Option<TransportKind>,
    request_id: Option<String>,
    outcome: Option<Outcome>,
    retry_in: Option<Duration>,
}

impl Saw {
    fn of(a: &AttemptEvent<'_>) -> Saw {
        Saw {
            method: a.method.into(),
            path: a.path.into(),
            host: a.host.into(),
            label: a.label.map(Into::into),
            attempt: a.attempt,
            status: a.status,
            transport: a.transport,
            request_id: a.request_id.map(Into::into),
            outcome: a.outcome,
            retry_in: a.retry_in,
        }
    }
}

/// A config builder's observer, and what it saw.
fn observed(builder: pinn::ConfigBuilder) -> (Client, Arc<Mutex<Vec<Saw>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    let config = builder
        .label("tenant-a")
        .sleeper(|_| {})
        .observer(move |a| log.lock().unwrap().push(Saw::of(a)))
        .build()
        .unwrap();
    (Client::new(config), seen)
}

#[test]
fn the_observer_sees_each_attempt_with_its_facts() {
    let mut w = Wire::start();
    let failed = w
        .mock("GET", "/v1/users", &[("limit", "2")], None)
        .with_status(503)
        .with_header("request-id", "req_1")
        .with_header("retry-after", "0")
        .create();
    let ok = ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    let (client, seen) = observed(w.builder().max_retries(1));
    client
        .users()
        .list(&pinn::ListParams::new().limit(2))
        .unwrap();
    let host = w.url().trim_start_matches("http://").to_string();
    let seen = seen.lock().unwrap().clone();
    let first = Saw {
        method: "GET".into(),
        path: "/v1/users".into(), // never the query
        host: host.clone(),
        label: Some("tenant-a".into()),
        attempt: 1,
        status: Some(503),
        transport: None,
        request_id: Some("req_1".into()),
        outcome: Some(Outcome::Failed),
        retry_in: Some(Duration::ZERO),
    };
    let second = Saw {
        attempt: 2,
        status: Some(200),
        request_id: Some("req_ok_1".into()), // ok_json's
        outcome: None,
        retry_in: None,
        ..first.clone()
    };
    assert_eq!(seen, [first, second]);
    w.assert_done(&[("503", &failed), ("200", &ok)]);
}

#[test]
fn the_observer_sees_a_connection_failure_and_the_last_attempt_is_not_retried() {
    let (client, seen) = observed(refused_builder().max_retries(1));
    let err = client.users().retrieve("usr_1").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 2);
    for (saw, attempt) in seen.iter().zip(1..) {
        assert_eq!(saw.attempt, attempt);
        assert_eq!(saw.transport, Some(TransportKind::ConnectFailed));
        assert_eq!((saw.status, saw.outcome), (None, Some(Outcome::NotSent)));
    }
    assert!(seen[0].retry_in.is_some());
    assert_eq!(seen[1].retry_in, None);
}

#[test]
fn a_delete_retried_after_a_lost_reply_and_answered_404_is_done() {
    for lost in [500, 502, 504] {
        let mut w = Wire::start();
        let first = w
            .mock("DELETE", "/v1/users/usr_1", &[], None)
            .with_status(lost)
            .create();
        let second = w
            .mock("DELETE", "/v1/users/usr_1", &[], None)
            .with_status(404)
            .with_header("request-id", "req_2")
            .with_body(NOT_FOUND)
            .create();
        let client = Client::new(w.builder().max_retries(1).sleeper(|_| {}).build().unwrap());
        let response = client.users().delete("usr_1").unwrap();
        assert!(response.already_gone(), "{lost}");
        assert_eq!((response.status(), response.attempts()), (404, 2));
        assert_eq!(response.request_id(), Some("req_2"));
        assert_eq!(
            response.to_string(),
            "404, already gone: DELETE /v1/users/usr_1 (request req_2, after 2 attempts)"
        );
        w.assert_done(&[("lost reply", &first), ("404", &second)]);
    }
}

#[test]
fn a_delete_answered_404_at_once_is_not_found() {
    let err = expect("User::delete", "DELETE", "/v1/users/usr_1").respond(
        |m| m.with_status(404).with_body(NOT_FOUND).create(),
        || User::delete("usr_1").unwrap_err(),
    );
    assert_eq!((err.status(), err.outcome()), (Some(404), Outcome::Failed));
}

#[test]
fn a_delete_whose_first_attempt_said_it_did_nothing_keeps_its_404() {
    // 503 says nothing was done, so the 404 that follows means there was nothing to delete.
    let mut w = Wire::start();
    let first = w
        .mock("DELETE", "/v1/users/usr_1", &[], None)
        .with_status(503)
        .create();
    let second = w
        .mock("DELETE", "/v1/users/usr_1", &[], None)
        .with_status(404)
        .with_body(NOT_FOUND)
        .create();
    let client = Client::new(w.builder().max_retries(1).sleeper(|_| {}).build().unwrap());
    let err = client.users().delete("usr_1").unwrap_err();
    assert_eq!((err.status(), err.attempts()), (Some(404), 2));
    w.assert_done(&[("503", &first), ("404", &second)]);
}
