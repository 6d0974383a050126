//! Every row of the spec's error table on the wire, with the API's JSON error body and with
//! bodies that are not that JSON; connection failures; undecodable successes; configuration
//! errors raised before any I/O; retries; and `healthy()`.

use crate::support::expect;
use mockito::Mock;
use pinn::{Error, ErrorKind, User};
use serde_json::json;

mod display;
mod failures;
mod statuses;

/// `User::retrieve(id)` on a fresh server that answers with `mount` (which must `.create()`
/// the mock), after checking the request `GET /v1/users/{id}` and that it was the only one.
pub(super) fn retrieve(
    label: &str,
    id: &str,
    mount: impl FnOnce(Mock) -> Mock,
) -> pinn::Result<User> {
    expect(label, "GET", format!("/v1/users/{id}")).respond(mount, || User::retrieve(id))
}

/// Bodies that are not the error JSON: a proxy's HTML page, nothing, and cut-off JSON.
pub(super) fn non_json_bodies(error_type: &str) -> [(&'static str, String); 3] {
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
pub(super) fn check_row(
    status: u16,
    error_type: &str,
    kind: ErrorKind,
    retryable: bool,
    reason: &str,
) {
    check_row_kinds(status, error_type, kind, kind, retryable, reason);
}

pub(super) fn check_row_kinds(
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
