//! Every row of the spec's error table on the wire, with the API's JSON error body and with
//! bodies that are not that JSON; connection failures; undecodable successes; configuration
//! errors raised before any I/O; retries; and `healthy()`.

mod common;

use std::time::Duration;

use common::fixtures::{APP, USER};
use common::{KEY, Wire, expect, labelled, ok_json, refused_builder};
use mockito::Mock;
use pinn::{Client, Config, Error, ErrorKind, User, UserCreateParams};
use serde_json::{Value, json};

/// `User::retrieve(id)` on a fresh server that answers with `mount` (which must `.create()`
/// the mock), after checking the request `GET /v1/users/{id}` and that it was the only one.
fn retrieve(label: &str, id: &str, mount: impl FnOnce(Mock) -> Mock) -> pinn::Result<User> {
    expect(label, "GET", format!("/v1/users/{id}")).respond(mount, || User::retrieve(id))
}

/// Bodies that are not the error JSON: a proxy's HTML page, nothing, and cut-off JSON.
fn non_json_bodies(error_type: &str) -> [(&'static str, String); 3] {
    [
        (
            "html",
            "<html><head><title>Error</title></head><body><h1>Error</h1></body></html>".into(),
        ),
        ("empty", String::new()),
        (
            "truncated",
            format!(r#"{{"error": {{"type": "{error_type}", "code": 7, "message": "cut o"#),
        ),
    ]
}

/// Checks one row of the error table: with the JSON body (request ID from `Request-Id`) and
/// with each non-JSON body (request ID from `X-Request-Id`), where the status alone decides.
fn check_row(status: u16, error_type: &str, kind: ErrorKind, retryable: bool, reason: &str) {
    check_row_kinds(status, error_type, kind, kind, retryable, reason);
}

fn check_row_kinds(
    status: u16,
    error_type: &str,
    kind: ErrorKind,
    bare_kind: ErrorKind,
    retryable: bool,
    reason: &str,
) {
    let body = json!({"error": {
        "type": error_type,
        "code": format!("code_{status}"),
        "message": format!("message for {error_type}")
    }});
    let mount = |m: Mock| {
        m.with_status(status as usize)
            .with_header("content-type", "application/json")
            .with_header("request-id", "req_json_1")
            .with_body(body.to_string())
            .create()
    };
    let err = retrieve(&format!("{status} json"), "usr_json", mount).unwrap_err();
    assert!(matches!(err, Error::Status(_)), "{err:?}");
    assert_eq!(err.kind(), kind, "{status} json: {err:?}");
    assert_eq!(err.status(), Some(status));
    let api = err.api_error().unwrap();
    assert_eq!(api.kind(), kind);
    assert_eq!(api.status(), status);
    assert_eq!(api.error_type(), Some(error_type));
    assert_eq!(*api.code(), json!(format!("code_{status}")));
    assert_eq!(api.message(), format!("message for {error_type}"));
    assert_eq!(err.request_id(), Some("req_json_1"));
    assert_eq!(err.is_retryable(), retryable, "{status} json");
    assert_eq!(err.attempts(), 1);
    let shown = err.to_string();
    assert!(
        shown.contains(&format!("message for {error_type}")),
        "{shown}"
    );
    assert!(shown.contains(&status.to_string()), "{shown}");

    for (what, bad) in non_json_bodies(error_type) {
        let mount = |m: Mock| {
            m.with_status(status as usize)
                .with_header("content-type", "text/html")
                .with_header("x-request-id", &format!("req_{what}_1"))
                .with_body(bad)
                .create()
        };
        let id = format!("usr_{what}");
        let err = retrieve(&format!("{status} {what}"), &id, mount).unwrap_err();
        assert_eq!(err.kind(), bare_kind, "{status} {what}: {err:?}");
        assert_eq!(err.status(), Some(status), "{status} {what}");
        let api = err.api_error().unwrap();
        assert_eq!(api.error_type(), None, "{status} {what}");
        assert_eq!(*api.code(), json!(status), "{status} {what}");
        assert_eq!(api.message(), reason, "{status} {what}");
        assert_eq!(err.request_id(), Some(format!("req_{what}_1").as_str()));
        assert_eq!(err.is_retryable(), retryable, "{status} {what}");
    }
}

/// One `#[test]` per row of the spec's error table, each a [`check_row`]:
/// `name: status, error.type, kind, retryable, reason phrase;`.
macro_rules! error_table {
    ($($name:ident: $status:literal, $type:literal, $kind:ident, $retry:literal,
        $reason:literal;)*) => {
        $(
            #[test]
            fn $name() {
                check_row($status, $type, ErrorKind::$kind, $retry, $reason);
            }
        )*
    };
}

error_table! {
    status_400_bad_request:
        400, "bad_request", InvalidRequest, false, "400 Bad Request";
    status_401_unauthorized:
        401, "unauthorized", Authentication, false, "401 Unauthorized";
    status_403_forbidden:
        403, "forbidden", Forbidden, false, "403 Forbidden";
    status_404_not_found:
        404, "not_found", InvalidRequest, false, "404 Not Found";
    status_405_method_not_allowed:
        405, "method_not_allowed", InvalidRequest, false, "405 Method Not Allowed";
    status_409_conflict:
        409, "conflict", RequestFailed, false, "409 Conflict";
    status_422_unprocessable_entity:
        422, "unprocessable_entity", RequestFailed, false, "422 Unprocessable Entity";
    status_429_rate_limit_exceeded:
        429, "rate_limit_exceeded", RateLimit, true, "429 Too Many Requests";
    status_500_internal_server_error:
        500, "internal_server_error", Api, true, "500 Internal Server Error";
    status_502_bad_gateway:
        502, "bad_gateway", ApiConnection, true, "502 Bad Gateway";
    status_503_service_unavailable:
        503, "service_unavailable", ApiConnection, true, "503 Service Unavailable";
    status_504_gateway_timeout:
        504, "gateway_timeout", ApiConnection, true, "504 Gateway Timeout";
}

#[test]
fn any_other_status_is_the_base_kind() {
    check_row(418, "teapot", ErrorKind::Pinn, false, "418 I'm a teapot");
    check_row(
        501,
        "not_implemented",
        ErrorKind::Pinn,
        false,
        "501 Not Implemented",
    );
    check_row(599, "odd", ErrorKind::Pinn, false, "status 599");
}

#[test]
fn an_unknown_type_is_the_base_kind() {
    // With the JSON body the unknown type decides (Pinn); without it, the status (400).
    check_row_kinds(
        400,
        "brand_new_type",
        ErrorKind::Pinn,
        ErrorKind::InvalidRequest,
        false,
        "400 Bad Request",
    );
}

#[test]
fn the_type_decides_over_a_4xx_status() {
    check_row_kinds(
        404,
        "unauthorized",
        ErrorKind::Authentication,
        ErrorKind::InvalidRequest,
        false,
        "404 Not Found",
    );
}

/// 500 is always Api and 502-504 always ApiConnection, whatever `error.type` says.
#[test]
fn server_error_statuses_win_over_the_body() {
    for (status, ty, kind) in [
        (500, "not_found", ErrorKind::Api),
        (500, "rate_limit_exceeded", ErrorKind::Api),
        (500, "bad_gateway", ErrorKind::Api),
        (502, "bad_request", ErrorKind::ApiConnection),
        (503, "internal_server_error", ErrorKind::ApiConnection),
        (504, "unauthorized", ErrorKind::ApiConnection),
        (503, "brand_new_type", ErrorKind::ApiConnection),
    ] {
        let label = format!("{status} {ty}");
        let body = json!({"error": {"type": ty, "code": 9, "message": "lies"}});
        let mount = |m: Mock| m.with_status(status).with_body(body.to_string()).create();
        let err = retrieve(&label, "usr_1", mount).unwrap_err();
        labelled(&label, || {
            assert_eq!(err.kind(), kind);
            let api = err.api_error().unwrap();
            assert_eq!(api.error_type(), Some(ty));
            assert_eq!(*api.code(), json!(9));
            assert_eq!(api.message(), "lies");
            assert!(err.is_retryable());
        });
    }
}

#[test]
fn both_request_id_headers_are_read_and_request_id_wins() {
    let both = |m: Mock| {
        m.with_status(404)
            .with_header("x-request-id", "req_x")
            .with_header("request-id", "req_plain")
            .with_body("")
            .create()
    };
    let err = retrieve("both headers", "usr_1", both).unwrap_err();
    assert_eq!(err.request_id(), Some("req_plain"));

    let neither = |m: Mock| m.with_status(404).with_body("").create();
    let err = retrieve("neither header", "usr_2", neither).unwrap_err();
    assert_eq!(err.request_id(), None);
}

#[test]
fn retry_after_is_kept_on_the_error() {
    let mount = |m: Mock| {
        m.with_status(429)
            .with_header("retry-after", "7")
            .with_body(r#"{"error": {"type": "rate_limit_exceeded", "message": "slow down"}}"#)
            .create()
    };
    let err = retrieve("429 with Retry-After", "usr_1", mount).unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.retry_after(), Some("7"));
    // No code in the body: the status stands in.
    assert_eq!(*api.code(), json!(429));
    assert_eq!(api.message(), "slow down");
}

#[test]
fn a_redirect_is_not_followed() {
    let mount = |m: Mock| {
        m.with_status(302)
            .with_header("location", "/v1/elsewhere")
            .create()
    };
    let err = retrieve("302", "usr_1", mount).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Pinn);
    assert_eq!(err.status(), Some(302));
    assert!(!err.is_retryable());
}

#[test]
fn a_refused_connection_is_api_connection() {
    let w = Wire::start();
    let client = Client::new(refused_builder().max_retries(0).build().unwrap());
    let err = client.scope(|| User::retrieve("usr_1")).unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::ApiConnection);
    assert_eq!(err.status(), None);
    assert_eq!(err.request_id(), None);
    assert!(err.api_error().is_none());
    assert!(err.is_retryable());
    assert_eq!(err.attempts(), 1);
    // One layer per message: the text says what failed, `source()` is ureq's own error.
    assert_eq!(
        err.to_string(),
        "pinn api connection error: could not connect"
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
