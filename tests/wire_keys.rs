//! Enrollment and recovery keys on the wire: `POST /v1/enrollment_keys` and
//! `POST /v1/recovery_keys`.

mod common;

use common::{assert_api_error, error_json, fixture_value, ok_json, Wire};
use pinn::{EnrollmentKey, ErrorKind, Object, RecoveryKey, RecoveryKeyCreateParams};
use serde_json::json;

const ENROLLMENT_KEY: &str = include_str!("fixtures/enrollment_key.json");
const RECOVERY_KEY: &str = include_str!("fixtures/recovery_key.json");

const USER: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

#[test]
fn enrollment_key_create() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "POST",
            "/v1/enrollment_keys",
            &[],
            Some(json!({"user_id": USER})),
        ),
        ENROLLMENT_KEY,
    );
    let key = w.client().scope(|| EnrollmentKey::create(USER)).unwrap();
    assert_eq!(key.object, "enrollment_key");
    assert_eq!(key.enrollment_key_id, "ek_V5cX6zA7sD8fG9hJ0kL1qW2e");
    assert_eq!(key.user_id, USER);
    assert_eq!(key.created_at, 1718000000);
    assert_eq!(key.expires_at, 1718000900);
    assert!(!key.livemode);
    assert_eq!(key.secret, "eksec_test_R3tY4uI5oP6aS7dF8gH9jK0l");
    assert_eq!(key.to_value(), fixture_value(ENROLLMENT_KEY));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn enrollment_key_create_sends_pinn_version_when_configured() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock_full(
            Some("2024-06-01"),
            "POST",
            "/v1/enrollment_keys",
            &[],
            Some(json!({"user_id": USER})),
        ),
        ENROLLMENT_KEY,
    );
    let client = w.client_with_version("2024-06-01");
    client.scope(|| EnrollmentKey::create(USER)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn enrollment_key_create_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock(
            "POST",
            "/v1/enrollment_keys",
            &[],
            Some(json!({"user_id": "usr_missing"})),
        ),
        422,
        "unprocessable_entity",
        "User not found",
    );
    let err = w
        .client()
        .scope(|| EnrollmentKey::create("usr_missing"))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        422,
        "unprocessable_entity",
        "User not found",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn enrollment_key_create_rejects_an_empty_user_id_before_any_io() {
    let w = Wire::start();
    let err = w.client().scope(|| EnrollmentKey::create("")).unwrap_err();
    assert!(matches!(err, pinn::Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    w.assert_no_strays();
}

#[test]
fn recovery_key_create_with_flow() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "POST",
            "/v1/recovery_keys",
            &[],
            Some(json!({"user_id": USER, "flow": ["email", "sms"]})),
        ),
        RECOVERY_KEY,
    );
    let params = RecoveryKeyCreateParams::new().flow(["email", "sms"]);
    let key = w
        .client()
        .scope(|| RecoveryKey::create(USER, &params))
        .unwrap();
    assert_eq!(key.object, "recovery_key");
    assert_eq!(key.recovery_key_id, "rk_N4mB5vC6xZ7aS8dF9gH0jK1l");
    assert_eq!(key.user_id, USER);
    assert_eq!(key.created_at, 1718000000);
    assert_eq!(key.expires_at, 1718086400);
    assert!(!key.livemode);
    assert_eq!(key.secret, "rksec_test_Q2wE3rT4yU5iO6pA7sD8fG9h");
    assert_eq!(key.flow, [json!("email"), json!("sms")]);
    assert_eq!(key.to_value(), fixture_value(RECOVERY_KEY));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn recovery_key_create_without_flow_sends_only_the_user() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "POST",
            "/v1/recovery_keys",
            &[],
            Some(json!({"user_id": USER})),
        ),
        RECOVERY_KEY,
    );
    let key = w
        .client()
        .scope(|| RecoveryKey::create(USER, &RecoveryKeyCreateParams::new()))
        .unwrap();
    assert_eq!(key.user_id, USER);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn recovery_key_create_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock(
            "POST",
            "/v1/recovery_keys",
            &[],
            Some(json!({"user_id": USER, "flow": ["carrier_pigeon"]})),
        ),
        422,
        "unprocessable_entity",
        "Invalid flow provided",
    );
    let params = RecoveryKeyCreateParams::new().flow(["carrier_pigeon"]);
    let err = w
        .client()
        .scope(|| RecoveryKey::create(USER, &params))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        422,
        "unprocessable_entity",
        "Invalid flow provided",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn recovery_key_create_rejects_an_empty_user_id_before_any_io() {
    let w = Wire::start();
    let err = w
        .client()
        .scope(|| RecoveryKey::create("", &RecoveryKeyCreateParams::new()))
        .unwrap_err();
    assert!(matches!(err, pinn::Error::InvalidArgument(_)), "{err:?}");
    w.assert_no_strays();
}
