//! Devices on the wire: every call of `/v1/devices`, its request and its decoded reply.

use crate::support::fixtures::{DEVICE, DEVICES_PAGE, LOGS_PAGE};
use crate::support::{bad_request, conflict, expect, fixture_value, forbidden, not_found};
use pinn::{AuthType, Deletable, Device, ListParams, Object, Platform};

const ID: &str = "dev_H7sK2pQ9vX4mN1bR6tY8wZ3c";

fn path() -> String {
    format!("/v1/devices/{ID}")
}

fn logs_path() -> String {
    format!("/v1/devices/{ID}/logs")
}

#[test]
fn retrieve_decodes_the_device() {
    let d = expect("Device::retrieve", "GET", path()).ok_json(DEVICE, || Device::retrieve(ID));
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
}

#[test]
fn retrieve_without_optional_fields_decodes() {
    let reply = r#"{"object": "device", "device_id": "dev_min", "platform": "android"}"#;
    let d = expect("Device::retrieve", "GET", "/v1/devices/dev_min")
        .ok_json(reply, || Device::retrieve("dev_min"));
    assert_eq!(d.device_id, "dev_min");
    assert_eq!(d.platform, Platform::Android);
    assert_eq!(d.push_notification_token, None);
    assert_eq!(d.name, "");
}

#[test]
fn retrieve_failure() {
    expect("Device::retrieve", "GET", "/v1/devices/dev_gone")
        .fails(not_found("No such device: dev_gone"), || {
            Device::retrieve("dev_gone")
        });
}

#[test]
fn delete_sends_delete() {
    expect("Device::delete", "DELETE", path()).no_body(204, || Device::delete(ID));
}

#[test]
fn deletable_delete_sends_delete() {
    let device: Device = serde_json::from_str(DEVICE).unwrap();
    expect("device.delete()", "DELETE", path()).no_body(204, || device.delete());
}

#[test]
fn delete_failure() {
    expect("Device::delete", "DELETE", path())
        .fails(conflict("Device is the user's last device"), || {
            Device::delete(ID)
        });
}

#[test]
fn list_without_params() {
    let reply = DEVICES_PAGE.replace(
        "/v1/users/usr_zsWljQAN7p6hBbbi15FXXUJp/devices",
        "/v1/devices",
    );
    let page = expect("Device::list", "GET", "/v1/devices")
        .ok_json(&reply, || Device::list(&ListParams::new()));
    assert_eq!(page.url, "/v1/devices");
    assert_eq!(page.count, 2);
    let ids: Vec<&str> = page.data.iter().map(|d| d.device_id.as_str()).collect();
    assert_eq!(ids, [ID, "dev_Q5wE8rT2yU6iO9pA3sD7fG1h"]);
}

#[test]
fn list_with_params() {
    let params = ListParams::new().limit(1).starting_after(ID);
    expect("Device::list", "GET", "/v1/devices")
        .query(&[("limit", "1"), ("starting_after", ID)])
        .ok_json(DEVICES_PAGE, || Device::list(&params));
}

#[test]
fn list_failure() {
    expect("Device::list", "GET", "/v1/devices")
        .query(&[("limit", "1"), ("starting_after", "dev_gone")])
        .fails(bad_request("starting_after is not a device"), || {
            Device::list(&ListParams::new().limit(1).starting_after("dev_gone"))
        });
}

#[test]
fn list_logs_decodes_logs() {
    let page = expect("Device::list_logs", "GET", logs_path())
        .ok_json(LOGS_PAGE, || Device::list_logs(ID, &ListParams::new()));
    assert_eq!(page.data.len(), 2);
    let first = &page.data[0];
    assert_eq!(first.log_id, "log_T4rE2wQ9aS8dF7gH6jK5lZ1x");
    assert_eq!(first.device_id, ID);
    assert_eq!(first.auth_type, AuthType::Web);
    assert_eq!(first.factors["palm"], 0.9812);
}

#[test]
fn list_logs_with_params() {
    expect("Device::list_logs", "GET", logs_path())
        .query(&[("limit", "25")])
        .ok_json(LOGS_PAGE, || {
            Device::list_logs(ID, &ListParams::new().limit(25))
        });
}

#[test]
fn list_logs_failure() {
    expect("Device::list_logs", "GET", logs_path())
        .fails(forbidden("Device belongs to another account"), || {
            Device::list_logs(ID, &ListParams::new())
        });
}
