//! An error's one line stands alone in a log: what happened in words, the method and the
//! path, the host of a connection error, and the status, type, request ID and attempts. The
//! cause stays one layer down, in `source()`, and is not repeated.

use std::error::Error as _;

use pinn::{Client, User};

use crate::support::{Wire, closed_port, expect, refused_builder};

#[test]
fn a_404_names_what_happened_the_request_and_the_facts() {
    let err = expect("User::retrieve", "GET", "/v1/users/usr_nope").respond(
        |m| {
            m.with_status(404)
                .with_header("request-id", "req_9f8e7d")
                .with_body(
                    r#"{"error":{"type":"not_found","code":"not_found","message":"no such user"}}"#,
                )
                .create()
        },
        || User::retrieve("usr_nope").unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "not found: GET /v1/users/usr_nope: no such user (status 404, type not_found, \
         request req_9f8e7d)"
    );
    assert_eq!(
        (err.method(), err.path()),
        (Some("GET"), Some("/v1/users/usr_nope"))
    );
    assert!(err.source().is_none());
}

#[test]
fn statuses_read_as_words_and_a_bare_status_is_not_repeated() {
    for (status, words) in [
        (400, "bad request"),
        (401, "unauthorized"),
        (403, "forbidden"),
        (409, "conflict"),
        (422, "unprocessable"),
        (429, "rate limited"),
        (500, "server error"),
        (502, "bad gateway"),
        (503, "service unavailable"),
        (504, "gateway timeout"),
        (418, "i'm a teapot"),
        (599, "status 599"),
    ] {
        let err = expect("User::list", "GET", "/v1/users").respond(
            |m| {
                m.with_status(status)
                    .with_body("<html>busy</html>")
                    .create()
            },
            || User::list(&Default::default()).unwrap_err(),
        );
        assert_eq!(
            err.to_string(),
            format!("{words}: GET /v1/users (status {status})"),
            "{status}"
        );
    }
}

#[test]
fn a_retried_error_says_after_how_many_attempts() {
    let err = expect("User::list", "GET", "/v1/users").retries(2).respond(
        |m| m.with_status(503).expect(3).create(),
        || User::list(&Default::default()).unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "service unavailable: GET /v1/users (status 503, after 3 attempts)"
    );
    assert_eq!(
        (err.attempts(), err.api_error().unwrap().attempts()),
        (3, 3)
    );
}

#[test]
fn a_refused_connection_names_the_host_and_port() {
    let config = refused_builder()
        .max_retries(1)
        .sleeper(|_| {})
        .build()
        .unwrap();
    let host = config.api_host().trim_start_matches("http://").to_string();
    let err = Client::new(config).users().delete("usr_1").unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("connection refused: DELETE /v1/users/usr_1 on {host} (after 2 attempts)")
    );
    let source = err.source().expect("ureq's error, one layer down");
    assert!(!err.to_string().contains(&source.to_string()));
}

#[test]
fn a_host_without_a_port_is_named_with_the_schemes() {
    // Nothing is sent: the key is missing. The host is still named once a request is made,
    // so this checks the default port on an address that refuses at once instead.
    let port = closed_port();
    let client = Client::builder()
        .secret_key(crate::support::KEY)
        .api_host(format!("http://localhost:{port}"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = client.users().list(&Default::default()).unwrap_err();
    assert!(
        err.to_string().contains(&format!("on localhost:{port}")),
        "{err}"
    );
}

#[test]
fn a_decode_error_names_the_request_and_the_field() {
    let err = expect("User::retrieve", "GET", "/v1/users/usr_1").respond(
        |m| {
            m.with_status(200)
                .with_header("request-id", "req_1")
                .with_body(r#"{"object": "user", "user_id": 7}"#)
                .create()
        },
        || User::retrieve("usr_1").unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "invalid response: GET /v1/users/usr_1: the body does not decode at `user_id` (the body \
         is a \"user\" object) (status 200, request req_1)"
    );
    assert!(err.source().is_some(), "serde's error, one layer down");
    // Wrong at the root: no field to name.
    let err = expect("User::retrieve", "GET", "/v1/users/usr_1").respond(
        |m| m.with_status(200).with_body("[1, 2]").create(),
        || User::retrieve("usr_1").unwrap_err(),
    );
    assert_eq!(
        err.to_string(),
        "invalid response: GET /v1/users/usr_1: the body does not decode (status 200)"
    );
}

#[test]
fn errors_before_any_request_name_no_request() {
    let w = Wire::start();
    let err = w.client().users().retrieve("").unwrap_err();
    assert_eq!(err.to_string(), "invalid argument: user_id is empty");
    assert_eq!((err.method(), err.path(), err.attempts()), (None, None, 0));
    w.assert_no_strays();
}

/// A one-shot server on loopback: accepts one connection, waits for the request to arrive,
/// then does `end` to the connection. Returns its address.
fn one_shot(end: fn(std::net::TcpStream)) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut byte = [0u8; 1];
        let _ = stream.peek(&mut byte); // the request is here
        end(stream);
    });
    addr
}

fn list_on(addr: &str) -> pinn::Error {
    list_with(addr, |b| b)
}

/// [`list_on`] with more settings.
fn list_with(
    addr: &str,
    set: impl FnOnce(pinn::ConfigBuilder) -> pinn::ConfigBuilder,
) -> pinn::Error {
    let config = set(crate::support::builder_for(format!("http://{addr}")).max_retries(0))
        .build()
        .unwrap();
    Client::new(config)
        .users()
        .list(&Default::default())
        .unwrap_err()
}

#[test]
fn a_connection_the_server_resets_says_reset() {
    // Closing with the request unread makes the kernel answer with a reset.
    let addr = one_shot(drop);
    let err = list_on(&addr);
    assert_eq!(
        err.to_string(),
        format!("connection reset: GET /v1/users on {addr}")
    );
}

#[test]
fn a_connection_closed_before_any_answer_says_closed_early() {
    let addr = one_shot(|mut stream| {
        use std::io::Read;
        let mut head = Vec::new();
        let mut buf = [0u8; 1024];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        // Read the whole request, answer nothing: an orderly end of stream.
    });
    let err = list_on(&addr);
    assert_eq!(
        err.to_string(),
        format!("connection closed early: GET /v1/users on {addr}")
    );
}

#[test]
fn a_timeout_names_the_limit_that_passed() {
    use std::time::Duration;
    // A server that takes the request and answers nothing for longer than either limit.
    let silent = || {
        one_shot(|stream| {
            std::thread::sleep(Duration::from_secs(2));
            drop(stream);
        })
    };
    // The attempt timeout (well inside the deadline) while the answer is awaited.
    let addr = silent();
    let err = list_with(&addr, |b| b.timeout(Duration::from_millis(150)));
    assert_eq!(
        err.to_string(),
        format!("timed out while reading the response: GET /v1/users on {addr}")
    );
    // The call's deadline, shorter than the attempt timeout.
    let addr = silent();
    let err = list_with(&addr, |b| b.deadline(Duration::from_millis(150)));
    assert_eq!(
        err.to_string(),
        format!("timed out: the call's deadline passed: GET /v1/users on {addr}")
    );
}

#[test]
fn a_long_path_is_cut_in_the_error_and_a_plain_one_shown_as_sent() {
    let long = "a".repeat(400);
    let err = expect("User::retrieve", "GET", format!("/v1/users/{long}")).respond(
        |m| m.with_status(404).create(),
        || User::retrieve(&long).unwrap_err(),
    );
    let path = err.path().unwrap();
    assert!(path.starts_with("/v1/users/aaaa"), "{path}");
    assert!(path.len() <= 260, "{} bytes: {path}", path.len());
    assert!(err.to_string().len() < 400, "{err}");
    // A short one with an encoded byte goes as sent.
    let err = expect("User::retrieve", "GET", "/v1/users/a%20b").respond(
        |m| m.with_status(404).create(),
        || User::retrieve("a b").unwrap_err(),
    );
    assert_eq!(err.path(), Some("/v1/users/a%20b"));
}
