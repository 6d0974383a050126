//! Failures that are not an error status: connections, undecodable successes,
//! configuration; retries; `healthy()`.

use std::time::Duration;

use crate::support::fixtures::{APP, USER};
use crate::support::{KEY, Wire, expect, labelled, ok_json, refused_builder};
use mockito::Mock;
use pinn::{Client, Config, Error, ErrorKind, User, UserCreateParams};
use serde_json::{Value, json};

use super::*;

#[test]
fn a_refused_connection_is_api_connection() {
    let w = Wire::start();
    let config = refused_builder().max_retries(0).build().unwrap();
    let host = config.api_host().trim_start_matches("http://").to_string();
    let client = Client::new(config);
    let err = client.scope(|| User::retrieve("usr_1")).unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert_eq!(err.status(), None);
    assert_eq!(err.request_id(), None);
    assert!(err.api_error().is_none());
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 1);
    // One line that stands alone: what failed, the request and the host; `source()` is
    // ureq's own error, not repeated.
    assert_eq!(
        err.to_string(),
        format!("connection refused: GET /v1/users/usr_1 on {host}")
    );
    let source = std::error::Error::source(&err).expect("a source");
    assert!(source.downcast_ref::<ureq::Error>().is_some(), "{source:?}");
    w.assert_no_strays();
}

#[test]
fn a_refused_connection_is_retried_then_reported() {
    let client = Client::new(
        refused_builder()
            .max_retries(2)
            .sleeper(|_| {})
            .build()
            .unwrap(),
    );
    let err = client.scope(|| User::retrieve("usr_1")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert_eq!(err.attempts(), 3);
}

#[test]
fn an_undecodable_success_is_a_decode_error() {
    let cases = [
        ("usr_html", "<html>hello</html>"),
        ("usr_trunc", r#"{"object": "user", "user_id": "usr_tr"#),
        (
            "usr_shape",
            r#"{"object": "user", "created_at": "yesterday"}"#,
        ),
        ("usr_array", "[1, 2, 3]"),
    ];
    for (id, body) in cases {
        let mount = |m: Mock| {
            m.with_status(200)
                .with_header("request-id", "req_dec")
                .with_body(body)
                .create()
        };
        let err = retrieve(id, id, mount).unwrap_err();
        labelled(id, || {
            assert!(matches!(err, Error::Decode(_)), "{err:?}");
            assert_eq!(err.kind(), ErrorKind::Pinn);
            assert_eq!(err.status(), Some(200));
            assert_eq!(err.request_id(), Some("req_dec"));
            assert!(!err.is_retryable());
            assert!(err.to_string().contains("does not decode"), "{err}");
        });
    }
}

#[test]
fn a_success_with_no_body_where_one_is_needed_is_a_decode_error() {
    let err = retrieve("204", "usr_1", |m| m.with_status(204).create()).unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Pinn);
}

#[test]
fn a_201_with_a_json_body_is_decoded() {
    let user = expect("User::create", "POST", "/v1/users")
        .respond(
            |m| m.with_status(201).with_body(USER).create(),
            || User::create(&UserCreateParams::new()),
        )
        .unwrap();
    assert_eq!(user.user_id, "usr_zsWljQAN7p6hBbbi15FXXUJp");
}

#[test]
fn no_secret_key_is_a_configuration_error_before_any_io() {
    let mut w = Wire::start();
    let m = w
        .server
        .mock("GET", "/v1/users/usr_1")
        .with_status(200)
        .with_body(USER)
        .expect(0)
        .create();
    let client = Client::new(
        Config::builder()
            .api_host(w.url())
            .max_retries(0)
            .build()
            .unwrap(),
    );
    let err = client.scope(|| User::retrieve("usr_1")).unwrap_err();
    assert!(matches!(err, Error::Configuration(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::Configuration);
    assert_eq!(err.status(), None);
    assert_eq!(err.attempts(), 0);
    assert!(!err.is_retryable());
    assert!(err.to_string().contains("secret key"), "{err}");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn a_key_with_a_line_break_is_a_configuration_error_not_a_panic() {
    for bad in [
        "sk_test_4eC39Hq\nLyjWDarjtT1zdp7dc",
        "sk_test_4eC39Hq\r\nX-Evil: 1",
        "sk_test_4eC39Hq LyjWDarjtT1zdp7dc",
        "sk_test_4eC39Hqé",
        "",
    ] {
        let err = Config::builder()
            .secret_key(bad)
            .api_host("https://pinnapis.com")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{bad:?}");
        assert!(
            bad.is_empty() || !err.to_string().contains("sk_test_4eC39Hq"),
            "{err}"
        );
    }
}

#[test]
fn a_bad_api_host_is_a_configuration_error() {
    for bad in [
        "pinnapis.com",
        "ftp://pinnapis.com",
        "https://pinnapis.com/v1",
        "http://api.example.com",
    ] {
        let err = Config::builder()
            .secret_key(KEY)
            .api_host(bad)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{bad}");
    }
}

#[test]
fn retryable_statuses_are_retried_for_get() {
    let err = expect("503 three times", "GET", "/v1/users/usr_1")
        .retries(2)
        .respond(
            |m| {
                m.with_status(503)
                    .with_body("<html>busy</html>")
                    .expect(3)
                    .create()
            },
            || User::retrieve("usr_1"),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert_eq!(err.attempts(), 3);
    assert!(err.to_string().contains("after 3 attempts"), "{err}");
}

#[test]
fn a_retry_can_succeed() {
    let mut w = Wire::start();
    // mockito answers with the first matching mock still short of its hits: the 429 once,
    // then the 200.
    let busy = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_status(429)
        .with_header("retry-after", "0")
        .create();
    let ok = ok_json(w.mock("GET", "/v1/users/usr_1", &[], None), USER);
    let client = Client::new(w.builder().max_retries(1).sleeper(|_| {}).build().unwrap());
    let user = client.scope(|| User::retrieve("usr_1")).unwrap();
    assert_eq!(user.user_id, "usr_zsWljQAN7p6hBbbi15FXXUJp");
    w.assert_done(&[("429 first", &busy), ("200 on the retry", &ok)]);
}

#[test]
fn non_retryable_statuses_are_not_retried() {
    for status in [400, 401, 403, 404, 409, 422] {
        let err = expect(&status.to_string(), "GET", "/v1/users/usr_1")
            .retries(3)
            .respond(
                |m| m.with_status(status).create(),
                || User::retrieve("usr_1"),
            )
            .unwrap_err();
        assert_eq!(err.attempts(), 1, "{status}");
    }
}

#[test]
fn a_post_is_not_retried_after_a_500() {
    let err = expect("User::create", "POST", "/v1/users")
        .retries(3)
        .respond(
            |m| m.with_status(500).create(),
            || User::create(&UserCreateParams::new()),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Api);
    assert_eq!(err.attempts(), 1);
}

#[test]
fn healthy_is_true_on_a_2xx() {
    let healthy = expect("healthy", "GET", "/health").respond(
        |m| m.with_status(200).with_body(r#"{"status": "ok"}"#).create(),
        pinn::healthy,
    );
    assert!(healthy);
}

#[test]
fn healthy_is_false_on_an_error_status_and_never_retries() {
    let healthy = expect("healthy", "GET", "/health")
        .retries(3)
        .respond(|m| m.with_status(503).create(), pinn::healthy);
    assert!(!healthy);
}

#[test]
fn healthy_is_false_when_unreachable_or_unconfigured() {
    let closed = refused_builder().connect_timeout(Duration::from_secs(2));
    let closed = Client::new(closed.build().unwrap());
    assert!(!closed.scope(pinn::healthy));

    let w = Wire::start();
    let no_key = Client::new(Config::builder().api_host(w.url()).build().unwrap());
    assert!(!no_key.scope(pinn::healthy));
    w.assert_no_strays();
}

#[test]
fn an_error_body_that_is_json_of_another_shape_uses_the_status() {
    for (id, body) in [
        ("usr_a", Value::Null.to_string()),
        ("usr_b", json!({"error": "nope"}).to_string()),
        ("usr_c", json!({"message": "flat"}).to_string()),
        ("usr_d", json!([1]).to_string()),
    ] {
        let err = retrieve(id, id, |m| m.with_status(409).with_body(body).create()).unwrap_err();
        labelled(id, || {
            assert_eq!(err.kind(), ErrorKind::RequestFailed);
            let api = err.api_error().unwrap();
            assert_eq!(api.error_type(), None);
            assert_eq!(*api.code(), json!(409));
            assert_eq!(api.message(), "409 Conflict");
        });
    }
}

#[test]
fn a_missing_body_error_reports_the_real_status_and_request_id() {
    let mount = |m: Mock| {
        m.with_status(204)
            .with_header("request-id", "req_nobody")
            .create()
    };
    let err = retrieve("204 with a request ID", "usr_1", mount).unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert_eq!(err.status(), Some(204));
    assert_eq!(err.request_id(), Some("req_nobody"));
}

#[test]
fn a_wrong_kind_error_reports_the_real_status_and_request_id() {
    let mount = |m: Mock| {
        m.with_status(201)
            .with_header("request-id", "req_kind")
            .with_body(APP)
            .create()
    };
    let err = expect("User::create", "POST", "/v1/users")
        .respond(mount, || User::create(&UserCreateParams::new()))
        .unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(err.to_string().contains("app"), "{err}");
    assert_eq!(err.status(), Some(201));
    assert_eq!(err.request_id(), Some("req_kind"));
}
