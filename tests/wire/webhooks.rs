//! Webhook endpoints on the wire: every call of `/v1/webhook_endpoints`.

use crate::support::fixtures::{HOOK, HOOK_UPDATED, HOOKS_PAGE};
use crate::support::{
    Wire, bad_request, conflict, expect, fixture_value, forbidden, not_found, ok_json,
    unprocessable_entity,
};
use pinn::{
    Deletable, ListParams, Object, WebhookEndpoint, WebhookEndpointCreateParams,
    WebhookEndpointStatus, WebhookEndpointUpdateParams,
};
use serde_json::json;

const ID: &str = "we_L2kJ3hG4fD5sA6qW7eR8tY9u";
const URL: &str = "https://example.com/pinn/webhooks";

fn path() -> String {
    format!("/v1/webhook_endpoints/{ID}")
}

#[test]
fn create_sends_url_and_events() {
    let hook = expect("WebhookEndpoint::create", "POST", "/v1/webhook_endpoints")
        .body(json!({"url": URL, "events": ["user.created", "user.deleted"]}))
        .ok_json(HOOK, || {
            WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
                URL,
                ["user.created", "user.deleted"],
            ))
        });
    assert_eq!(hook.object, "webhook_endpoint");
    assert_eq!(hook.webhook_endpoint_id, ID);
    assert_eq!(hook.created_at, 1717600000);
    assert_eq!(hook.updated_at, 1717600000);
    assert_eq!(hook.status, Some(WebhookEndpointStatus::Enabled));
    assert_eq!(hook.url, URL);
    assert_eq!(hook.events, ["user.created", "user.deleted"]);
    assert!(!hook.livemode);
    assert_eq!(hook.secret, "whsec_test_8bW2cX4vZ6nM1qA3sD5fG7hJ");
    assert_eq!(hook.extra["description"], "primary");
    assert_eq!(hook.to_value(), fixture_value(HOOK));
}

#[test]
fn create_with_owned_strings_and_no_events() {
    let events: Vec<String> = Vec::new();
    expect("WebhookEndpoint::create", "POST", "/v1/webhook_endpoints")
        .body(json!({"url": URL, "events": []}))
        .ok_json(HOOK, || {
            WebhookEndpoint::create(&WebhookEndpointCreateParams::new(URL, events))
        });
}

#[test]
fn create_failure() {
    expect("WebhookEndpoint::create", "POST", "/v1/webhook_endpoints")
        .body(json!({"url": "not a url", "events": ["user.created"]}))
        .fails(bad_request("url is not a valid URL"), || {
            WebhookEndpoint::create(&WebhookEndpointCreateParams::new(
                "not a url",
                ["user.created"],
            ))
        });
}

#[test]
fn retrieve_decodes_the_endpoint() {
    let hook = expect("WebhookEndpoint::retrieve", "GET", path())
        .ok_json(HOOK, || WebhookEndpoint::retrieve(ID));
    assert_eq!(hook.to_value(), fixture_value(HOOK));
}

#[test]
fn retrieve_failure() {
    expect(
        "WebhookEndpoint::retrieve",
        "GET",
        "/v1/webhook_endpoints/we_gone",
    )
    .fails(not_found("No such webhook endpoint: we_gone"), || {
        WebhookEndpoint::retrieve("we_gone")
    });
}

#[test]
fn update_sends_only_status() {
    let params = WebhookEndpointUpdateParams::new().status("disabled");
    let hook = expect("WebhookEndpoint::update", "PATCH", path())
        .body(json!({"status": "disabled"}))
        .ok_json(HOOK_UPDATED, || WebhookEndpoint::update(ID, &params));
    assert_eq!(hook.status, Some(WebhookEndpointStatus::Disabled));
    assert_eq!(hook.updated_at, 1718300000);
}

#[test]
fn update_sends_only_url_and_events() {
    let params = WebhookEndpointUpdateParams::new()
        .url("https://example.com/pinn/webhooks/v2")
        .events(["user.created", "user.deleted", "device.created"]);
    let hook = expect("WebhookEndpoint::update", "PATCH", path())
        .body(json!({
            "url": "https://example.com/pinn/webhooks/v2",
            "events": ["user.created", "user.deleted", "device.created"]
        }))
        .ok_json(HOOK_UPDATED, || WebhookEndpoint::update(ID, &params));
    assert_eq!(hook.to_value(), fixture_value(HOOK_UPDATED));
}

#[test]
fn update_with_nothing_sends_an_empty_object() {
    expect("WebhookEndpoint::update", "PATCH", path())
        .body(json!({}))
        .ok_json(HOOK, || {
            WebhookEndpoint::update(ID, &WebhookEndpointUpdateParams::new())
        });
}

#[test]
fn update_failure() {
    let params = WebhookEndpointUpdateParams::new().status("paused");
    expect("WebhookEndpoint::update", "PATCH", path())
        .body(json!({"status": "paused"}))
        .fails(unprocessable_entity("Invalid status: paused"), || {
            WebhookEndpoint::update(ID, &params)
        });
}

#[test]
fn save_sends_updatable_fields_and_refreshes() {
    let mut hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    hook.url = "https://example.com/pinn/webhooks/v2".into();
    hook.events.push("device.created".into());
    hook.status = Some(WebhookEndpointStatus::Disabled);
    expect("hook.save()", "PATCH", path())
        .body(json!({
            "url": "https://example.com/pinn/webhooks/v2",
            "events": ["user.created", "user.deleted", "device.created"],
            "status": "disabled"
        }))
        .ok_json(HOOK_UPDATED, || hook.save());
    assert_eq!(hook.updated_at, 1718300000);
    // Refreshed from the reply: the extra field the old object had is gone.
    assert_eq!(hook.to_value(), fixture_value(HOOK_UPDATED));
}

#[test]
fn save_after_retrieve_sends_only_what_changed() {
    let mut w = Wire::start();
    let get = ok_json(w.mock("GET", &path(), &[], None), HOOK);
    let body = json!({"status": "disabled"});
    let patch = ok_json(w.mock("PATCH", &path(), &[], Some(body)), HOOK_UPDATED);
    let client = w.client();
    let mut hook = client.scope(|| WebhookEndpoint::retrieve(ID)).unwrap();
    hook.status = Some(WebhookEndpointStatus::Disabled);
    client.scope(|| hook.save()).unwrap();
    assert_eq!(hook.updated_at, 1718300000);
    client.scope(|| hook.save()).unwrap(); // nothing changed since the reply: no request
    w.assert_done(&[("WebhookEndpoint::retrieve", &get), ("hook.save()", &patch)]);
}

#[test]
fn save_failure_leaves_the_endpoint_unchanged() {
    let mut hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    hook.events.push("user.updated".into());
    let before = hook.clone();
    expect("hook.save()", "PATCH", path())
        .body(json!({"events": ["user.created", "user.deleted", "user.updated"]}))
        .fails(conflict("Endpoint is being deleted"), || hook.save());
    assert_eq!(hook, before);
}

#[test]
fn delete_sends_delete() {
    expect("WebhookEndpoint::delete", "DELETE", path())
        .no_body(204, || WebhookEndpoint::delete(ID));
}

#[test]
fn deletable_delete_sends_delete() {
    let hook: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    expect("hook.delete()", "DELETE", path()).no_body(204, || hook.delete());
}

#[test]
fn delete_failure() {
    expect("WebhookEndpoint::delete", "DELETE", path())
        .fails(not_found("No such webhook endpoint"), || {
            WebhookEndpoint::delete(ID)
        });
}

#[test]
fn list_without_params() {
    let page = expect("WebhookEndpoint::list", "GET", "/v1/webhook_endpoints")
        .ok_json(HOOKS_PAGE, || WebhookEndpoint::list(&ListParams::new()));
    assert_eq!(page.url, "/v1/webhook_endpoints");
    assert_eq!(page.count, 1);
    assert!(!page.has_more);
    assert_eq!(page.data[0].webhook_endpoint_id, ID);
    assert_eq!(page.data[0].events, ["user.created", "user.deleted"]);
}

#[test]
fn list_with_params() {
    let params = ListParams::new().limit(3).starting_after(ID);
    expect("WebhookEndpoint::list", "GET", "/v1/webhook_endpoints")
        .query(&[("limit", "3"), ("starting_after", ID)])
        .ok_json(HOOKS_PAGE, || WebhookEndpoint::list(&params));
}

#[test]
fn list_failure() {
    expect("WebhookEndpoint::list", "GET", "/v1/webhook_endpoints")
        .fails(forbidden("Key lacks the webhooks scope"), || {
            WebhookEndpoint::list(&ListParams::new())
        });
}

#[test]
fn pinn_version_is_sent_on_every_method() {
    let mut w = Wire::start();
    let v = Some("2024-06-01");
    let get = ok_json(w.mock_full(v, "GET", &path(), &[], None), HOOK);
    let status = Some(json!({"status": "disabled"}));
    let patch = ok_json(w.mock_full(v, "PATCH", &path(), &[], status), HOOK_UPDATED);
    let delete = w
        .mock_full(v, "DELETE", &path(), &[], None)
        .with_status(204)
        .create();
    let list_query = &[("limit", "1")];
    let list = ok_json(
        w.mock_full(v, "GET", "/v1/webhook_endpoints", list_query, None),
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
    w.assert_done(&[
        ("WebhookEndpoint::retrieve", &get),
        ("WebhookEndpoint::update", &patch),
        ("WebhookEndpoint::delete", &delete),
        ("WebhookEndpoint::list", &list),
    ]);
}
