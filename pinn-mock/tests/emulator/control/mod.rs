//! The control API (`/_mock/…`) on the wire, as a test in another language would use it:
//! raw HTTP with the key, every endpoint, asserting status and body; who it refuses. And the
//! faults that fire after the store has changed, seen from the socket.

use crate::raw::{api, control};
use pinn_mock::MockServer;
use serde_json::Value;

mod after_commit;
mod endpoints;
mod guard;

/// A control call: method, path under `/_mock/`, JSON body; the status and JSON answer.
pub(super) fn mock(s: &MockServer, method: &str, path: &str, body: Value) -> (u16, Value) {
    let body = if body.is_null() {
        String::new()
    } else {
        body.to_string()
    };
    let r = control(
        s.port(),
        s.secret_key(),
        method,
        &format!("/_mock/{path}"),
        &body,
    );
    assert_eq!(r.header("content-type"), Some("application/json"), "{r:?}");
    (r.status, r.json())
}

/// An API call with the server's key; the status and JSON answer.
pub(super) fn v1(s: &MockServer, method: &str, target: &str, body: &str) -> (u16, Value) {
    let r = api(s.port(), s.secret_key(), method, target, body);
    (r.status, r.json())
}

pub(super) fn assert_error(answer: (u16, Value), status: u16, error_type: &str) {
    assert_eq!(answer.0, status, "{answer:?}");
    assert_eq!(answer.1["error"]["type"], error_type, "{answer:?}");
    assert!(
        answer.1["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty())
    );
}
