//! Who the control API refuses: a caller without the emulator's key (any other local
//! process), a request addressed to another name (a web page that rebound its own name to
//! 127.0.0.1), and a body a browser could send across sites without asking (a form,
//! `text/plain`). It never grants a CORS preflight.

use crate::raw::{Reply, api, request, send_raw};
use pinn_mock::MockServer;

use super::*;

/// A control call with these headers (and `Connection: close`).
fn with(s: &MockServer, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Reply {
    let mut all = headers.to_vec();
    all.push(("Connection", "close"));
    send_raw(s.port(), request(method, path, &all, body))
}

/// Raw bytes of a request with exactly these header lines (no `Host` added).
fn exact(s: &MockServer, head: &str) -> Reply {
    let auth = format!("Authorization: Bearer {}", s.secret_key());
    send_raw(
        s.port(),
        format!("{head}\r\n{auth}\r\nConnection: close\r\n\r\n"),
    )
}

#[test]
fn without_the_key_every_control_endpoint_is_401() {
    let s = MockServer::start();
    let me = api(s.port(), s.secret_key(), "POST", "/v1/users", "");
    assert_eq!(me.status, 200);
    let json = [("Content-Type", "application/json")];
    for (method, path, body) in [
        ("GET", "/_mock/requests", ""),
        ("GET", "/_mock/state", ""),
        ("PUT", "/_mock/state", "{}"),
        ("POST", "/_mock/id_tokens", r#"{"sub": "usr_admin"}"#),
        ("POST", "/_mock/reset", ""),
        ("DELETE", "/_mock/faults", ""),
        ("POST", "/_mock/faults", r#"{"kind": "close"}"#),
        ("GET", "/_mock/nowhere", ""),
        ("OPTIONS", "/_mock/requests", ""),
    ] {
        for auth in [
            None,
            Some("Bearer sk_test_wrong"),
            Some("Basic c2tfdGVzdA=="),
        ] {
            let mut headers = json.to_vec();
            headers.extend(auth.map(|a| ("Authorization", a)));
            let r = with(&s, method, path, &headers, body);
            assert_eq!(
                (r.status, r.error_type()),
                (401, "unauthorized".into()),
                "{method} {path} {auth:?}"
            );
            assert_eq!(r.header("WWW-Authenticate"), Some("Bearer"), "{r:?}");
            assert!(!r.text().contains(s.secret_key()), "{r:?}");
        }
    }
    // Nothing was read, minted, reset or installed.
    assert_eq!((s.count("user"), s.faults().len()), (1, 0));
    // The scheme is any case, as RFC 9110 has it.
    let lower = format!("bearer {}", s.secret_key());
    let r = with(&s, "GET", "/_mock/counts", &[("Authorization", &lower)], "");
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn a_request_addressed_to_another_name_is_403() {
    let s = MockServer::start();
    let port = s.port();
    for host in [
        format!("Host: attacker.example:{port}"),
        "Host: attacker.example".into(),
        format!("Host: 127.0.0.1:{}", port.wrapping_add(1)),
        format!("Host: localhost.attacker.example:{port}"),
        format!("Host: 0.0.0.0:{port}"),
    ] {
        let r = exact(&s, &format!("GET /_mock/requests HTTP/1.1\r\n{host}"));
        assert_eq!(
            (r.status, r.error_type()),
            (403, "forbidden".into()),
            "{host}"
        );
    }
    // The host of an absolute-form target counts too.
    let r = exact(
        &s,
        &format!("GET http://attacker.example:{port}/_mock/state HTTP/1.1\r\nHost: 127.0.0.1"),
    );
    assert_eq!(r.status, 403, "{r:?}");
    for host in [
        format!("Host: 127.0.0.1:{port}"),
        "Host: 127.0.0.1".into(),
        format!("Host: localhost:{port}"),
        format!("Host: [::1]:{port}"),
    ] {
        let r = exact(&s, &format!("GET /_mock/counts HTTP/1.1\r\n{host}"));
        assert_eq!(r.status, 200, "{host}: {r:?}");
    }
    let old = exact(&s, "GET /_mock/counts HTTP/1.0");
    assert_eq!(old.status, 200, "HTTP/1.0 without a Host: {old:?}");
    // The API itself is reached by whatever name (its key guards it).
    let auth = format!("Authorization: Bearer {}", s.secret_key());
    let r = send_raw(
        port,
        format!("GET /v1/users HTTP/1.1\r\nHost: pinn.test\r\n{auth}\r\n\r\n"),
    );
    assert_eq!(r.status, 200);
}

#[test]
fn a_change_sent_as_a_form_or_text_is_415() {
    let s = MockServer::start();
    let key = format!("Bearer {}", s.secret_key());
    let token = r#"{"sub": "usr_admin"}"#;
    for (content_type, body) in [
        (Some("text/plain"), token),
        (Some("text/plain;charset=UTF-8"), token),
        (Some("application/x-www-form-urlencoded"), "sub=usr_admin"),
        (Some("multipart/form-data; boundary=x"), "--x--"),
        (Some("application/jsonx"), token),
        (None, token),
        (Some("text/plain"), ""),
    ] {
        let mut headers = vec![("Authorization", key.as_str())];
        headers.extend(content_type.map(|t| ("Content-Type", t)));
        for path in ["/_mock/id_tokens", "/_mock/reset"] {
            let r = with(&s, "POST", path, &headers, body);
            assert_eq!(r.status, 415, "{content_type:?} {path}: {r:?}");
        }
    }
    let r = with(
        &s,
        "PUT",
        "/_mock/state",
        &[("Authorization", &key), ("Content-Type", "text/plain")],
        "{}",
    );
    assert_eq!(r.status, 415);
    // JSON in any case, with parameters; and a change without a body needs no type.
    for content_type in ["application/json", "Application/JSON; charset=utf-8"] {
        let headers = [
            ("Authorization", key.as_str()),
            ("Content-Type", content_type),
        ];
        assert_eq!(
            with(&s, "POST", "/_mock/id_tokens", &headers, token).status,
            200
        );
    }
    assert_eq!(
        with(&s, "POST", "/_mock/reset", &[("Authorization", &key)], "").status,
        200
    );
    assert_eq!(
        with(
            &s,
            "DELETE",
            "/_mock/requests",
            &[("Authorization", &key)],
            ""
        )
        .status,
        200
    );
}

#[test]
fn no_cors_preflight_is_granted() {
    let s = MockServer::start();
    let key = format!("Bearer {}", s.secret_key());
    let preflight = [
        ("Origin", "https://attacker.example"),
        ("Access-Control-Request-Method", "POST"),
        (
            "Access-Control-Request-Headers",
            "authorization, content-type",
        ),
    ];
    let denied = with(&s, "OPTIONS", "/_mock/id_tokens", &preflight, "");
    assert_eq!(denied.status, 401);
    // Even with the key, an OPTIONS says which methods, never which origins.
    let mut keyed = preflight.to_vec();
    keyed.push(("Authorization", &key));
    let options = with(&s, "OPTIONS", "/_mock/id_tokens", &keyed, "");
    assert_eq!(
        (options.status, options.header("allow")),
        (204, Some("POST, OPTIONS"))
    );
    let read = with(&s, "GET", "/_mock/requests", &keyed, "");
    assert_eq!(read.status, 200);
    for r in [&denied, &options, &read] {
        assert!(
            !r.head.to_ascii_lowercase().contains("access-control-"),
            "{r:?}"
        );
    }
}

#[test]
fn the_rust_handle_needs_no_key_and_never_shows_one() {
    let key = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
    let builder = MockServer::builder().secret_key(key).seed(3);
    let shown = format!("{builder:?}");
    assert!(!shown.contains("4eC39"), "{shown}");
    assert!(
        shown.contains("<redacted>") && shown.contains("seed: Some(3)"),
        "{shown}"
    );
    let s = builder.start().unwrap();
    assert!(!format!("{s:?}").contains("4eC39"));
    // The in-process calls go straight to the emulator.
    s.reset();
    s.clear_faults();
    let token = s.mint_id_token("usr_1", &["palm"]);
    assert!(!token.is_empty());
    assert_eq!(s.snapshot()["format"], "pinn-mock/1");
    assert_eq!(mock(&s, "GET", "counts", serde_json::Value::Null).0, 200);
}
