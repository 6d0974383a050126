//! Devices on the wire: every call of `/v1/devices`, its request and its decoded reply.

mod common;

use common::{assert_api_error, error_json, fixture_value, ok_json, Wire};
use pinn::{AuthType, Deletable, Device, ErrorKind, ListParams, Object, Platform};

const DEVICE: &str = include_str!("fixtures/device.json");
const DEVICES_PAGE: &str = include_str!("fixtures/devices_page.json");
const LOGS_PAGE: &str = include_str!("fixtures/logs_page.json");

const ID: &str = "dev_H7sK2pQ9vX4mN1bR6tY8wZ3c";

#[test]
fn retrieve_decodes_the_device() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", &format!("/v1/devices/{ID}"), &[], None),
        DEVICE,
    );
    let d = w.client().scope(|| Device::retrieve(ID)).unwrap();
    assert_eq!(d.object, "device");
    assert_eq!(d.device_id, ID);
    assert_eq!(d.user_id, "usr_zsWljQAN7p6hBbbi15FXXUJp");
    assert_eq!(d.created_at, 1718000100);
    assert_eq!(d.updated_at, 1718000900);
    assert_eq!(d.name, "Jane's iPhone");
    assert_eq!(d.make, "Apple");
    assert_eq!(d.model, "iPhone15,2");
    assert_eq!(d.platform, Platform::Ios);
    assert_eq!(d.platform_version, "17.5.1");
    assert_eq!(d.framework_version, "1.4.0");
    assert_eq!(
        d.push_notification_token.as_deref(),
        Some("f1e2d3c4b5a69788796a5b4c3d2e1f00aabbccddeeff00112233445566778899")
    );
    assert_eq!(d.extra["attestation"], "app_attest");
    assert_eq!(d.to_value(), fixture_value(DEVICE));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_without_optional_fields_decodes() {
    let mut w = Wire::start();
    let reply = r#"{"object": "device", "device_id": "dev_min", "platform": "android"}"#;
    let m = ok_json(w.mock("GET", "/v1/devices/dev_min", &[], None), reply);
    let d = w.client().scope(|| Device::retrieve("dev_min")).unwrap();
    assert_eq!(d.device_id, "dev_min");
    assert_eq!(d.platform, Platform::Android);
    assert_eq!(d.push_notification_token, None);
    assert_eq!(d.name, "");
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/devices/dev_gone", &[], None),
        404,
        "not_found",
        "No such device: dev_gone",
    );
    let err = w
        .client()
        .scope(|| Device::retrieve("dev_gone"))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        404,
        "not_found",
        "No such device: dev_gone",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/devices/{ID}"), &[], None)
        .with_status(204)
        .create();
    w.client().scope(|| Device::delete(ID)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn deletable_delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &format!("/v1/devices/{ID}"), &[], None)
        .with_status(204)
        .create();
    let device: Device = serde_json::from_str(DEVICE).unwrap();
    w.client().scope(|| device.delete()).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("DELETE", &format!("/v1/devices/{ID}"), &[], None),
        409,
        "conflict",
        "Device is the user's last device",
    );
    let err = w.client().scope(|| Device::delete(ID)).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        409,
        "conflict",
        "Device is the user's last device",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_without_params() {
    let mut w = Wire::start();
    let reply = DEVICES_PAGE.replace(
        "/v1/users/usr_zsWljQAN7p6hBbbi15FXXUJp/devices",
        "/v1/devices",
    );
    let m = ok_json(w.mock("GET", "/v1/devices", &[], None), &reply);
    let page = w
        .client()
        .scope(|| Device::list(&ListParams::new()))
        .unwrap();
    assert_eq!(page.url, "/v1/devices");
    assert_eq!(page.count, 2);
    let ids: Vec<&str> = page.data.iter().map(|d| d.device_id.as_str()).collect();
    assert_eq!(ids, [ID, "dev_Q5wE8rT2yU6iO9pA3sD7fG1h"]);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_with_params() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            "/v1/devices",
            &[("limit", "1"), ("starting_after", ID)],
            None,
        ),
        DEVICES_PAGE,
    );
    let params = ListParams::new().limit(1).starting_after(ID);
    w.client().scope(|| Device::list(&params)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/devices", &[("limit", "0")], None),
        400,
        "bad_request",
        "limit must be at least 1",
    );
    let err = w
        .client()
        .scope(|| Device::list(&ListParams::new().limit(0)))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        400,
        "bad_request",
        "limit must be at least 1",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_logs_decodes_logs() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", &format!("/v1/devices/{ID}/logs"), &[], None),
        LOGS_PAGE,
    );
    let page = w
        .client()
        .scope(|| Device::list_logs(ID, &ListParams::new()))
        .unwrap();
    assert_eq!(page.data.len(), 2);
    let first = &page.data[0];
    assert_eq!(first.log_id, "log_T4rE2wQ9aS8dF7gH6jK5lZ1x");
    assert_eq!(first.device_id, ID);
    assert_eq!(first.auth_type, AuthType::Web);
    assert_eq!(first.factors["palm"], 0.9812);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_logs_with_params() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            &format!("/v1/devices/{ID}/logs"),
            &[("limit", "25")],
            None,
        ),
        LOGS_PAGE,
    );
    w.client()
        .scope(|| Device::list_logs(ID, &ListParams::new().limit(25)))
        .unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_logs_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", &format!("/v1/devices/{ID}/logs"), &[], None),
        403,
        "forbidden",
        "Device belongs to another account",
    );
    let err = w
        .client()
        .scope(|| Device::list_logs(ID, &ListParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Forbidden,
        403,
        "forbidden",
        "Device belongs to another account",
    );
    m.assert();
    w.assert_no_strays();
}
