//! The error statuses: each row of the table (in `mod.rs`), other statuses and types, the
//! request ID and `Retry-After` headers, redirects.

use crate::support::labelled;
use mockito::Mock;
use pinn::ErrorKind;
use serde_json::json;

use super::*;

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
