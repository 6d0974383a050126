//! Every call of the spec through an explicit client (`client.users().create(…)`), outside
//! any scope, asserted on the wire: method, raw path, query, headers and body. The
//! process-wide client has no key here, so a call that slipped to it would fail.
//!
//! The static form of each call has its own wire tests in the `wire_*` files; what objects and
//! lists fetched here do next (save, delete, next page) goes back through the same client.

use crate::support::fixtures::*;
use crate::support::{Wire, expect, fixture_value};
use pinn::{
    AppCreateParams, AppType, Deletable, EnrollmentKeyCreateParams, ListParams, Object,
    RecoveryKeyCreateParams, UserCreateParams, UserStatus, UserUpdateParams,
    WebhookEndpointCreateParams, WebhookEndpointStatus, WebhookEndpointUpdateParams,
};
use serde_json::json;

const USER: &str = "usr_zsWljQAN7p6hBbbi15FXXUJp";

#[test]
fn users() {
    let params = UserCreateParams::new().metadata_entry("external_id", "ypf3JZpTB5");
    let user = expect("users().create", "POST", "/v1/users")
        .body(json!({"metadata": {"external_id": "ypf3JZpTB5"}}))
        .ok_json_explicit(USER_NEW, |c| c.users().create(&params));
    assert_eq!(user.to_value(), fixture_value(USER_NEW));

    let user = expect("users().retrieve", "GET", format!("/v1/users/{USER}"))
        .ok_json_explicit(crate::support::fixtures::USER, |c| c.users().retrieve(USER));
    assert_eq!(user.user_id, USER);

    let params = UserUpdateParams::new().status(UserStatus::Disabled);
    expect("users().update", "PATCH", format!("/v1/users/{USER}"))
        .body(json!({"status": "disabled"}))
        .ok_json_explicit(USER_UPDATED, |c| c.users().update(USER, &params));

    let response = expect("users().delete", "DELETE", format!("/v1/users/{USER}"))
        .no_body_explicit(204, |c| c.users().delete(USER));
    assert_eq!((response.status(), response.attempts()), (204, 1));

    let page = expect("users().list", "GET", "/v1/users")
        .query(&[("limit", "2"), ("starting_after", "usr_a")])
        .ok_json_explicit(USERS_PAGE, |c| {
            c.users()
                .list(&ListParams::new().limit(2).starting_after("usr_a"))
        });
    assert!(!page.data.is_empty());

    expect(
        "users().list_devices",
        "GET",
        format!("/v1/users/{USER}/devices"),
    )
    .ok_json_explicit(DEVICES_PAGE, |c| {
        c.users().list_devices(USER, &ListParams::new())
    });
    expect("users().list_logs", "GET", format!("/v1/users/{USER}/logs"))
        .query(&[("limit", "5")])
        .ok_json_explicit(LOGS_PAGE, |c| {
            c.users().list_logs(USER, &ListParams::new().limit(5))
        });
}

#[test]
fn apps() {
    let params = AppCreateParams::new(AppType::Web, "Checkout").description("Web shop checkout");
    expect("apps().create", "POST", "/v1/apps/web")
        .body(json!({"name": "Checkout", "description": "Web shop checkout"}))
        .ok_json_explicit(APP, |c| c.apps().create(&params));
    let id = "app_7Hn2Lq9Xv4Tz1Rb6Yc3Wd8Kp";
    expect("apps().retrieve", "GET", format!("/v1/apps/{id}"))
        .ok_json_explicit(APP, |c| c.apps().retrieve(id));
    expect("apps().delete", "DELETE", format!("/v1/apps/{id}"))
        .no_body_explicit(204, |c| c.apps().delete(id));
    expect("apps().list", "GET", "/v1/apps")
        .ok_json_explicit(APPS_PAGE, |c| c.apps().list(&ListParams::new()));
}

#[test]
fn devices_events_and_logs() {
    let id = "dev_1";
    expect("devices().retrieve", "GET", "/v1/devices/dev_1")
        .ok_json_explicit(DEVICE, |c| c.devices().retrieve(id));
    expect("devices().delete", "DELETE", "/v1/devices/dev_1")
        .no_body_explicit(204, |c| c.devices().delete(id));
    expect("devices().list", "GET", "/v1/devices")
        .ok_json_explicit(DEVICES_PAGE, |c| c.devices().list(&ListParams::new()));
    expect("devices().list_logs", "GET", "/v1/devices/dev_1/logs")
        .ok_json_explicit(LOGS_PAGE, |c| c.devices().list_logs(id, &ListParams::new()));
    expect("events().retrieve", "GET", "/v1/events/evt_1")
        .ok_json_explicit(EVENT, |c| c.events().retrieve("evt_1"));
    expect("events().list", "GET", "/v1/events")
        .ok_json_explicit(EVENTS_PAGE, |c| c.events().list(&ListParams::new()));
    expect("logs().retrieve", "GET", "/v1/logs/log_1")
        .ok_json_explicit(LOG, |c| c.logs().retrieve("log_1"));
    expect("logs().list", "GET", "/v1/logs")
        .ok_json_explicit(LOGS_PAGE, |c| c.logs().list(&ListParams::new()));
}

#[test]
fn keys() {
    let params = EnrollmentKeyCreateParams::new(USER);
    expect("enrollment_keys().create", "POST", "/v1/enrollment_keys")
        .body(json!({"user_id": USER}))
        .ok_json_explicit(ENROLLMENT_KEY, |c| c.enrollment_keys().create(&params));
    let params = RecoveryKeyCreateParams::new(USER).flow(["email"]);
    expect("recovery_keys().create", "POST", "/v1/recovery_keys")
        .body(json!({"user_id": USER, "flow": ["email"]}))
        .ok_json_explicit(RECOVERY_KEY, |c| c.recovery_keys().create(&params));
}

#[test]
fn webhook_endpoints() {
    let url = "https://example.com/pinn/webhooks";
    let params = WebhookEndpointCreateParams::new(url, ["user.created", "user.deleted"]);
    expect(
        "webhook_endpoints().create",
        "POST",
        "/v1/webhook_endpoints",
    )
    .body(json!({"url": url, "events": ["user.created", "user.deleted"]}))
    .ok_json_explicit(HOOK, |c| c.webhook_endpoints().create(&params));
    let id = "we_1";
    let path = "/v1/webhook_endpoints/we_1";
    expect("webhook_endpoints().retrieve", "GET", path)
        .ok_json_explicit(HOOK, |c| c.webhook_endpoints().retrieve(id));
    let params = WebhookEndpointUpdateParams::new().status(WebhookEndpointStatus::Disabled);
    expect("webhook_endpoints().update", "PATCH", path)
        .body(json!({"status": "disabled"}))
        .ok_json_explicit(HOOK_UPDATED, |c| c.webhook_endpoints().update(id, &params));
    expect("webhook_endpoints().delete", "DELETE", path)
        .no_body_explicit(204, |c| c.webhook_endpoints().delete(id));
    expect("webhook_endpoints().list", "GET", "/v1/webhook_endpoints")
        .ok_json_explicit(HOOKS_PAGE, |c| {
            c.webhook_endpoints().list(&ListParams::new())
        });
}

#[test]
fn health_and_id_tokens() {
    let w = {
        let mut w = Wire::start();
        let m = w
            .server
            .mock("GET", "/health")
            .with_status(200)
            .with_body(r#"{"status":"ok"}"#)
            .expect(1)
            .create();
        (w, m)
    };
    let (wire, health) = w;
    assert!(wire.client().healthy());
    health.assert();
    // Verifying a token makes no request; with this client's key it is refused as a bad
    // signature, not as a configuration error of the (keyless) process-wide client.
    let err = wire
        .client()
        .id_tokens()
        .verify("eyJhbGciOiJIUzI1NiJ9.e30.AAAA", &[])
        .unwrap_err();
    assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    wire.assert_no_strays();
}

/// What an explicit client fetches goes back through it: save, delete and the next page, with
/// no scope anywhere and the process-wide client keyless.
#[test]
fn follow_ups_use_the_client_that_fetched() {
    let mut w = Wire::start();
    let path = format!("/v1/users/{USER}");
    let get = crate::support::ok_json(
        w.mock("GET", &path, &[], None),
        crate::support::fixtures::USER,
    );
    let patch = crate::support::ok_json(
        w.mock("PATCH", &path, &[], Some(json!({"status": "disabled"}))),
        USER_UPDATED,
    );
    let delete = w.mock("DELETE", &path, &[], None).with_status(204).create();
    let first = crate::support::ok_json(
        w.mock("GET", "/v1/users", &[("limit", "2")], None),
        USERS_PAGE,
    );
    let next_cursor = fixture_value(USERS_PAGE)["ended_at"]
        .as_str()
        .unwrap()
        .to_string();
    let second = crate::support::ok_json(
        w.mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", &next_cursor)],
            None,
        ),
        USERS_LAST_PAGE,
    );
    let client = w.client();
    let mut user = client.users().retrieve(USER).unwrap();
    assert_eq!(user.last_response().unwrap().status(), 200);
    user.status = Some(UserStatus::Disabled);
    std::thread::spawn(move || {
        user.save().unwrap();
        user.delete().unwrap();
    })
    .join()
    .unwrap();
    let page = client.users().list(&ListParams::new().limit(2)).unwrap();
    let all: Vec<_> = std::thread::spawn(move || page.auto_paging_iter().collect())
        .join()
        .unwrap();
    assert!(all.iter().all(Result::is_ok));
    w.assert_done(&[
        ("GET user", &get),
        ("PATCH user", &patch),
        ("DELETE user", &delete),
        ("first page", &first),
        ("second page", &second),
    ]);
}
