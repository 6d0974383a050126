//! Enrollment and recovery keys on the wire: `POST /v1/enrollment_keys` and
//! `POST /v1/recovery_keys`.

use crate::support::fixtures::{ENROLLMENT_KEY, RECOVERY_KEY};
use crate::support::{Wire, expect, fixture_value, unprocessable_entity};
use pinn::{
    EnrollmentKey, EnrollmentKeyCreateParams, ErrorKind, Object, RecoveryKey,
    RecoveryKeyCreateParams,
};
use serde_json::json;

const USER: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

#[test]
fn enrollment_key_create() {
    let key = expect("EnrollmentKey::create", "POST", "/v1/enrollment_keys")
        .body(json!({"user_id": USER}))
        .ok_json(ENROLLMENT_KEY, || {
            EnrollmentKey::create(&EnrollmentKeyCreateParams::new(USER))
        });
    assert_eq!(key.object, "enrollment_key");
    assert_eq!(key.enrollment_key_id, "ek_V5cX6zA7sD8fG9hJ0kL1qW2e");
    assert_eq!(key.user_id, USER);
    assert_eq!(key.created_at, 1718000000);
    assert_eq!(key.expires_at, 1718000900);
    assert!(!key.livemode);
    assert_eq!(key.secret, "eksec_test_R3tY4uI5oP6aS7dF8gH9jK0l");
    assert_eq!(key.to_value(), fixture_value(ENROLLMENT_KEY));
}

#[test]
fn enrollment_key_create_sends_pinn_version_when_configured() {
    expect("EnrollmentKey::create", "POST", "/v1/enrollment_keys")
        .version("2024-06-01")
        .body(json!({"user_id": USER}))
        .ok_json(ENROLLMENT_KEY, || {
            EnrollmentKey::create(&EnrollmentKeyCreateParams::new(USER))
        });
}

#[test]
fn enrollment_key_create_failure() {
    expect("EnrollmentKey::create", "POST", "/v1/enrollment_keys")
        .body(json!({"user_id": "usr_missing"}))
        .fails(unprocessable_entity("User not found"), || {
            EnrollmentKey::create(&EnrollmentKeyCreateParams::new("usr_missing"))
        });
}

#[test]
fn enrollment_key_create_rejects_an_empty_user_id_before_any_io() {
    let w = Wire::start();
    let err = w
        .client()
        .scope(|| EnrollmentKey::create(&EnrollmentKeyCreateParams::new("")))
        .unwrap_err();
    assert!(matches!(err, pinn::Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(err.kind(), ErrorKind::InvalidRequest);
    w.assert_no_strays();
}

#[test]
fn recovery_key_create_with_flow() {
    let params = RecoveryKeyCreateParams::new(USER).flow(["email", "sms"]);
    let key = expect("RecoveryKey::create", "POST", "/v1/recovery_keys")
        .body(json!({"user_id": USER, "flow": ["email", "sms"]}))
        .ok_json(RECOVERY_KEY, || RecoveryKey::create(&params));
    assert_eq!(key.object, "recovery_key");
    assert_eq!(key.recovery_key_id, "rk_N4mB5vC6xZ7aS8dF9gH0jK1l");
    assert_eq!(key.user_id, USER);
    assert_eq!(key.created_at, 1718000000);
    assert_eq!(key.expires_at, 1718086400);
    assert!(!key.livemode);
    assert_eq!(key.secret, "rksec_test_Q2wE3rT4yU5iO6pA7sD8fG9h");
    assert_eq!(key.flow, [json!("email"), json!("sms")]);
    assert_eq!(key.to_value(), fixture_value(RECOVERY_KEY));
}

#[test]
fn recovery_key_create_without_flow_sends_only_the_user() {
    let key = expect("RecoveryKey::create", "POST", "/v1/recovery_keys")
        .body(json!({"user_id": USER}))
        .ok_json(RECOVERY_KEY, || {
            RecoveryKey::create(&RecoveryKeyCreateParams::new(USER))
        });
    assert_eq!(key.user_id, USER);
}

#[test]
fn recovery_key_create_failure() {
    let params = RecoveryKeyCreateParams::new(USER).flow(["carrier_pigeon"]);
    expect("RecoveryKey::create", "POST", "/v1/recovery_keys")
        .body(json!({"user_id": USER, "flow": ["carrier_pigeon"]}))
        .fails(unprocessable_entity("Invalid flow provided"), || {
            RecoveryKey::create(&params)
        });
}

#[test]
fn recovery_key_create_rejects_an_empty_user_id_before_any_io() {
    let w = Wire::start();
    let err = w
        .client()
        .scope(|| RecoveryKey::create(&RecoveryKeyCreateParams::new("")))
        .unwrap_err();
    assert!(matches!(err, pinn::Error::InvalidArgument(_)), "{err:?}");
    w.assert_no_strays();
}
