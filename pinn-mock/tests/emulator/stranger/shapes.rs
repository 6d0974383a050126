//! Every object kind with exactly the spec's fields, as created, updated and deleted.

use pinn_mock::{DeviceSeed, MockServer};
use serde_json::{Value, json};

use super::*;

#[test]
fn every_object_kind_has_the_spec_fields() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let user = x.ok("POST", "/v1/users", None);
    shape(&user, "user", USER);
    assert_eq!(
        (
            &user["status"],
            &user["metadata"],
            &user["authenticated_at"]
        ),
        (&json!("active"), &json!({}), &Value::Null)
    );
    let uid = user["user_id"].as_str().unwrap().to_string();
    assert_eq!(x.ok("GET", &format!("/v1/users/{uid}"), None), user);

    let app = x.ok(
        "POST",
        "/v1/apps/android",
        Some(r#"{"name":"Android","description":null}"#),
    );
    shape(&app, "app", APP);
    assert_eq!(app["description"], Value::Null);

    let device = s.enroll_device(&uid, DeviceSeed::default()).unwrap();
    let device = x.ok("GET", &format!("/v1/devices/{}", device.device_id), None);
    shape(&device, "device", DEVICE);
    let log = s
        .record_log(device["device_id"].as_str().unwrap(), true)
        .unwrap();
    let log = x.ok("GET", &format!("/v1/logs/{}", log.log_id), None);
    shape(&log, "log", LOG);
    assert!(log["factors"]["palm"]["score"].is_number());
    let user = x.ok("GET", &format!("/v1/users/{uid}"), None);
    shape(&user, "user", USER);
    assert!(user["authenticated_at"].is_i64() && user["device_enrolled"] == true);

    let body = r#"{"url":"https://example.com/hooks","events":["user.created"]}"#;
    let hook = x.ok("POST", "/v1/webhook_endpoints", Some(body));
    shape(&hook, "webhook_endpoint", WEBHOOK_ENDPOINT);
    assert_eq!(
        (&hook["status"], &hook["livemode"]),
        (&json!("enabled"), &json!(false))
    );

    let body = format!(r#"{{"user_id":"{uid}"}}"#);
    let ek = x.ok("POST", "/v1/enrollment_keys", Some(&body));
    shape(&ek, "enrollment_key", ENROLLMENT_KEY);
    assert_eq!(
        ek["expires_at"].as_i64(),
        ek["created_at"].as_i64().map(|t| t + 3600)
    );
    let body = format!(r#"{{"user_id":"{uid}","flow":["email"]}}"#);
    let rk = x.ok("POST", "/v1/recovery_keys", Some(&body));
    shape(&rk, "recovery_key", RECOVERY_KEY);
    assert_eq!(rk["flow"], json!(["email"]));

    let events = list_of(
        &x.ok("GET", "/v1/events?limit=100", None),
        "/v1/events",
        "event",
        EVENT,
    );
    let types: Vec<_> = events.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        [
            "recovery_key.created",
            "enrollment_key.created",
            "webhook_endpoint.created",
            "device.created",
            "app.created",
            "user.created"
        ]
    );
    assert_eq!(events[0]["data"]["object"], rk);
    shape(&events[5]["data"]["object"], "user", USER);

    for (path, kind, fields) in [
        ("/v1/users", "user", USER),
        ("/v1/apps", "app", APP),
        ("/v1/devices", "device", DEVICE),
        ("/v1/logs", "log", LOG),
        (
            "/v1/webhook_endpoints",
            "webhook_endpoint",
            WEBHOOK_ENDPOINT,
        ),
    ] {
        assert_eq!(
            list_of(&x.ok("GET", path, None), path, kind, fields).len(),
            1,
            "{path}"
        );
    }
    for (path, kind, fields) in [
        (format!("/v1/users/{uid}/devices"), "device", DEVICE),
        (format!("/v1/users/{uid}/logs"), "log", LOG),
        (
            format!("/v1/devices/{}/logs", device["device_id"].as_str().unwrap()),
            "log",
            LOG,
        ),
    ] {
        assert_eq!(
            list_of(&x.ok("GET", &path, None), &path, kind, fields).len(),
            1,
            "{path}"
        );
    }
}

#[test]
fn updates_and_deletes() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let user = x.ok("POST", "/v1/users", Some(r#"{"metadata":{"a":1}}"#));
    let path = format!("/v1/users/{}", user["user_id"].as_str().unwrap());
    let patched = x.ok("PATCH", &path, Some(r#"{"status":"disabled"}"#));
    assert_eq!(
        (&patched["status"], &patched["metadata"]),
        (&json!("disabled"), &json!({"a": 1}))
    );
    let patched = x.ok("PATCH", &path, Some(r#"{"metadata":{"b":2}}"#));
    assert_eq!(
        (&patched["status"], &patched["metadata"]),
        (&json!("disabled"), &json!({"b": 2}))
    );
    let gone = x.ok("DELETE", &path, None);
    assert_eq!(
        gone,
        json!({"object": "user", "user_id": user["user_id"], "deleted": true})
    );
    x.error("GET", &path, None, 404, "not_found");

    let app = x.ok("POST", "/v1/apps/web", Some(r#"{"name":"Web"}"#));
    let gone = x.ok(
        "DELETE",
        &format!("/v1/apps/{}", app["app_id"].as_str().unwrap()),
        None,
    );
    assert_eq!(
        gone,
        json!({"object": "app", "app_id": app["app_id"], "deleted": true})
    );

    let body = r#"{"url":"https://example.com/h","events":["user.created"]}"#;
    let hook = x.ok("POST", "/v1/webhook_endpoints", Some(body));
    let path = format!(
        "/v1/webhook_endpoints/{}",
        hook["webhook_endpoint_id"].as_str().unwrap()
    );
    let patched = x.ok("PATCH", &path, Some(r#"{"events":["user.deleted"]}"#));
    assert_eq!(
        (&patched["events"], &patched["url"]),
        (&json!(["user.deleted"]), &hook["url"])
    );
    let gone = x.ok("DELETE", &path, None);
    assert_eq!(gone["deleted"], true);
}
