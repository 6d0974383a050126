//! Webhook endpoints on the wire: every call of `/v1/webhook_endpoints`.

mod common;

use common::{assert_api_error, error_json, fixture_value, ok_json, Wire};
use pinn::{
    Deletable, ErrorKind, ListParams, Object, WebhookEndpoint, WebhookEndpointUpdateParams,
};
use serde_json::json;

const HOOK: &str = include_str!("fixtures/webhook_endpoint.json");
const HOOK_UPDATED: &str = include_str!("fixtures/webhook_endpoint_updated.json");
const HOOKS_PAGE: &str = include_str!("fixtures/webhook_endpoints_page.json");

const ID: &str = "we_L2kJ3hG4fD5sA6qW7eR8tY9u";
const URL: &str = "https://example.com/pinn/webhooks";

fn path() -> String {
    format!("/v1/webhook_endpoints/{ID}")
}

#[test]
fn create_sends_url_and_events() {
    let mut w = Wire::start();
    let body = json!({"url": URL, "events": ["user.created", "user.deleted"]});
    let m = ok_json(
        w.mock("POST", "/v1/webhook_endpoints", &[], Some(body)),
        HOOK,
    );
    let hook = w
        .client()
        .scope(|| WebhookEndpoint::create(URL, &["user.created", "user.deleted"]))
        .unwrap();
    assert_eq!(hook.object, "webhook_endpoint");
    assert_eq!(hook.webhook_endpoint_id, ID);
    assert_eq!(hook.created_at, 1717600000);
    assert_eq!(hook.updated_at, 1717600000);
    assert_eq!(hook.status, "enabled");
    assert_eq!(hook.url, URL);
    assert_eq!(hook.events, ["user.created", "user.deleted"]);
    assert!(!hook.livemode);
    assert_eq!(hook.secret, "whsec_test_8bW2cX4vZ6nM1qA3sD5fG7hJ");
    assert_eq!(hook.extra["description"], "primary");
    assert_eq!(hook.to_value(), fixture_value(HOOK));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_with_owned_strings_and_no_events() {
    let mut w = Wire::start();
    let body = json!({"url": URL, "events": []});
    let m = ok_json(
        w.mock("POST", "/v1/webhook_endpoints", &[], Some(body)),
        HOOK,
    );
    let events: Vec<String> = Vec::new();
    w.client()
        .scope(|| WebhookEndpoint::create(URL, &events))
        .unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn create_failure() {
    let mut w = Wire::start();
    let body = json!({"url": "not a url", "events": ["user.created"]});
    let m = error_json(
        w.mock("POST", "/v1/webhook_endpoints", &[], Some(body)),
        400,
        "bad_request",
        "url is not a valid URL",
    );
    let err = w
        .client()
        .scope(|| WebhookEndpoint::create("not a url", &["user.created"]))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        400,
        "bad_request",
        "url is not a valid URL",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_decodes_the_endpoint() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("GET", &path(), &[], None), HOOK);
    let hook = w.client().scope(|| WebhookEndpoint::retrieve(ID)).unwrap();
    assert_eq!(hook.to_value(), fixture_value(HOOK));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn retrieve_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/webhook_endpoints/we_gone", &[], None),
        404,
        "not_found",
        "No such webhook endpoint: we_gone",
    );
    let err = w
        .client()
        .scope(|| WebhookEndpoint::retrieve("we_gone"))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        404,
        "not_found",
        "No such webhook endpoint: we_gone",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_sends_only_status() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("PATCH", &path(), &[], Some(json!({"status": "disabled"}))),
        HOOK_UPDATED,
    );
    let params = WebhookEndpointUpdateParams::new().status("disabled");
    let hook = w
        .client()
        .scope(|| WebhookEndpoint::update(ID, &params))
        .unwrap();
    assert_eq!(hook.status, "disabled");
    assert_eq!(hook.updated_at, 1718300000);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_sends_only_url_and_events() {
    let mut w = Wire::start();
    let body = json!({
        "url": "https://example.com/pinn/webhooks/v2",
        "events": ["user.created", "user.deleted", "device.created"]
    });
    let m = ok_json(w.mock("PATCH", &path(), &[], Some(body)), HOOK_UPDATED);
    let params = WebhookEndpointUpdateParams::new()
        .url("https://example.com/pinn/webhooks/v2")
        .events(["user.created", "user.deleted", "device.created"]);
    let hook = w
        .client()
        .scope(|| WebhookEndpoint::update(ID, &params))
        .unwrap();
    assert_eq!(hook.to_value(), fixture_value(HOOK_UPDATED));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_with_nothing_sends_an_empty_object() {
    let mut w = Wire::start();
    let m = ok_json(w.mock("PATCH", &path(), &[], Some(json!({}))), HOOK);
    w.client()
        .scope(|| WebhookEndpoint::update(ID, &WebhookEndpointUpdateParams::new()))
        .unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn update_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("PATCH", &path(), &[], Some(json!({"status": "paused"}))),
        422,
        "unprocessable_entity",
        "Invalid status: paused",
    );
    let params = WebhookEndpointUpdateParams::new().status("paused");
    let err = w
        .client()
        .scope(|| WebhookEndpoint::update(ID, &params))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        422,
        "unprocessable_entity",
        "Invalid status: paused",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn save_sends_updatable_fields_and_refreshes() {
    let mut w = Wire::start();
    let body = json!({
        "url": "https://example.com/pinn/webhooks/v2",
        "events": ["user.created", "user.deleted", "device.created"],
        "status": "disabled"
    });
    let m = ok_json(w.mock("PATCH", &path(), &[], Some(body)), HOOK_UPDATED);
    let mut hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    hook.url = "https://example.com/pinn/webhooks/v2".into();
    hook.events.push("device.created".into());
    hook.status = "disabled".into();
    w.client().scope(|| hook.save()).unwrap();
    assert_eq!(hook.updated_at, 1718300000);
    // Refreshed from the reply: the extra field the old object had is gone.
    assert_eq!(hook.to_value(), fixture_value(HOOK_UPDATED));
    m.assert();
    w.assert_no_strays();
}

#[test]
fn save_after_retrieve_sends_only_what_changed() {
    let mut w = Wire::start();
    let get = ok_json(w.mock("GET", &path(), &[], None), HOOK);
    let body = json!({"status": "disabled"});
    let patch = ok_json(w.mock("PATCH", &path(), &[], Some(body)), HOOK_UPDATED);
    let client = w.client();
    let mut hook = client.scope(|| WebhookEndpoint::retrieve(ID)).unwrap();
    hook.status = "disabled".into();
    client.scope(|| hook.save()).unwrap();
    assert_eq!(hook.updated_at, 1718300000);
    client.scope(|| hook.save()).unwrap(); // nothing changed since the reply: no request
    get.assert();
    patch.assert();
    w.assert_no_strays();
}

#[test]
fn save_failure_leaves_the_endpoint_unchanged() {
    let mut w = Wire::start();
    let body = json!({
        "url": URL,
        "events": ["user.created", "user.deleted"],
        "status": "enabled"
    });
    let m = error_json(
        w.mock("PATCH", &path(), &[], Some(body)),
        409,
        "conflict",
        "Endpoint is being deleted",
    );
    let mut hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    let before = hook.clone();
    let err = w.client().scope(|| hook.save()).unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::RequestFailed,
        409,
        "conflict",
        "Endpoint is being deleted",
    );
    assert_eq!(hook, before);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &path(), &[], None)
        .with_status(204)
        .create();
    w.client().scope(|| WebhookEndpoint::delete(ID)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn deletable_delete_sends_delete() {
    let mut w = Wire::start();
    let m = w
        .mock("DELETE", &path(), &[], None)
        .with_status(204)
        .create();
    let hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    w.client().scope(|| hook.delete()).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn delete_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("DELETE", &path(), &[], None),
        404,
        "not_found",
        "No such webhook endpoint",
    );
    let err = w
        .client()
        .scope(|| WebhookEndpoint::delete(ID))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::InvalidRequest,
        404,
        "not_found",
        "No such webhook endpoint",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_without_params() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock("GET", "/v1/webhook_endpoints", &[], None),
        HOOKS_PAGE,
    );
    let page = w
        .client()
        .scope(|| WebhookEndpoint::list(&ListParams::new()))
        .unwrap();
    assert_eq!(page.url, "/v1/webhook_endpoints");
    assert_eq!(page.count, 1);
    assert!(!page.has_more);
    assert_eq!(page.data[0].webhook_endpoint_id, ID);
    assert_eq!(page.data[0].events, ["user.created", "user.deleted"]);
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_with_params() {
    let mut w = Wire::start();
    let m = ok_json(
        w.mock(
            "GET",
            "/v1/webhook_endpoints",
            &[("limit", "3"), ("starting_after", ID)],
            None,
        ),
        HOOKS_PAGE,
    );
    let params = ListParams::new().limit(3).starting_after(ID);
    w.client().scope(|| WebhookEndpoint::list(&params)).unwrap();
    m.assert();
    w.assert_no_strays();
}

#[test]
fn list_failure() {
    let mut w = Wire::start();
    let m = error_json(
        w.mock("GET", "/v1/webhook_endpoints", &[], None),
        403,
        "forbidden",
        "Key lacks the webhooks scope",
    );
    let err = w
        .client()
        .scope(|| WebhookEndpoint::list(&ListParams::new()))
        .unwrap_err();
    assert_api_error(
        &err,
        ErrorKind::Forbidden,
        403,
        "forbidden",
        "Key lacks the webhooks scope",
    );
    m.assert();
    w.assert_no_strays();
}

#[test]
fn pinn_version_is_sent_on_every_method() {
    let mut w = Wire::start();
    let v = Some("2024-06-01");
    let get = ok_json(w.mock_full(v, "GET", &path(), &[], None), HOOK);
    let patch = ok_json(
        w.mock_full(
            v,
            "PATCH",
            &path(),
            &[],
            Some(json!({"status": "disabled"})),
        ),
        HOOK_UPDATED,
    );
    let delete = w
        .mock_full(v, "DELETE", &path(), &[], None)
        .with_status(204)
        .create();
    let list = ok_json(
        w.mock_full(v, "GET", "/v1/webhook_endpoints", &[("limit", "1")], None),
        HOOKS_PAGE,
    );
    let client = w.client_with_version("2024-06-01");
    client.scope(|| {
        WebhookEndpoint::retrieve(ID).unwrap();
        WebhookEndpoint::update(ID, &WebhookEndpointUpdateParams::new().status("disabled"))
            .unwrap();
        WebhookEndpoint::delete(ID).unwrap();
        WebhookEndpoint::list(&ListParams::new().limit(1)).unwrap();
    });
    get.assert();
    patch.assert();
    delete.assert();
    list.assert();
    w.assert_no_strays();
}
