//! Events and logs on the wire: `/v1/events` and `/v1/logs`.

use crate::support::fixtures::{EVENT, EVENTS_PAGE, LOG, LOGS_PAGE};
use crate::support::{
    expect, fixture_value, forbidden, internal_server_error, not_found, unauthorized,
};
use pinn::{AuthType, Event, ListParams, Log, Object};

const EVENT_ID: &str = "evt_K8jH7gF6dS5aQ4wE3rT2yU1i";
const LOG_ID: &str = "log_T4rE2wQ9aS8dF7gH6jK5lZ1x";

#[test]
fn event_retrieve_decodes_the_event() {
    let e = expect("Event::retrieve", "GET", format!("/v1/events/{EVENT_ID}"))
        .ok_json(EVENT, || Event::retrieve(EVENT_ID));
    assert_eq!(e.object, "event");
    assert_eq!(e.event_id, EVENT_ID);
    assert_eq!(e.created_at, 1718100000);
    assert_eq!(e.event_type, "user.created");
    assert_eq!(e.request.as_deref(), Some("req_Z9xY8wV7uT6sR5qP"));
    assert!(!e.livemode);
    assert_eq!(e.data["object"]["user_id"], "usr_9Gq2n4Xb7LkPz1RtVw3YcDsA");
    assert_eq!(e.extra["api_version"], "2024-06-01");
    // `type` goes back out under its wire name.
    assert_eq!(e.to_value(), fixture_value(EVENT));
}

#[test]
fn event_retrieve_failure() {
    expect("Event::retrieve", "GET", "/v1/events/evt_gone")
        .fails(not_found("No such event: evt_gone"), || {
            Event::retrieve("evt_gone")
        });
}

#[test]
fn event_list_without_params() {
    let page = expect("Event::list", "GET", "/v1/events")
        .ok_json(EVENTS_PAGE, || Event::list(&ListParams::new()));
    assert_eq!(page.url, "/v1/events");
    assert!(page.has_more);
    assert_eq!(
        page.ended_at.as_deref(),
        Some("evt_P0oI9uY8tR7eW6qA5sD4fG3h")
    );
    let types: Vec<&str> = page.data.iter().map(|e| e.event_type.as_str()).collect();
    assert_eq!(types, ["user.created", "user.deleted"]);
    assert_eq!(page.data[1].request, None);
    assert!(page.data[1].livemode);
}

#[test]
fn event_list_with_params() {
    let params = ListParams::new().limit(2).starting_after(EVENT_ID);
    expect("Event::list", "GET", "/v1/events")
        .query(&[("limit", "2"), ("starting_after", EVENT_ID)])
        .ok_json(EVENTS_PAGE, || Event::list(&params));
}

#[test]
fn event_list_failure() {
    expect("Event::list", "GET", "/v1/events")
        .fails(unauthorized("Invalid API key provided"), || {
            Event::list(&ListParams::new())
        });
}

#[test]
fn log_retrieve_decodes_the_log() {
    let l = expect("Log::retrieve", "GET", format!("/v1/logs/{LOG_ID}"))
        .ok_json(LOG, || Log::retrieve(LOG_ID));
    assert_eq!(l.object, "log");
    assert_eq!(l.log_id, LOG_ID);
    assert_eq!(l.user_id, "usr_zsWljQAN7p6hBbbi15FXXUJp");
    assert_eq!(l.device_id, "dev_H7sK2pQ9vX4mN1bR6tY8wZ3c");
    assert_eq!(l.app_id, "app_M3nB6vC9xZ2lK5jH8gF1dS4a");
    assert_eq!(
        l.web_app_id.as_deref(),
        Some("app_W1eB2aP3pX4yZ5qR6sT7uV8w")
    );
    assert_eq!(l.created_at, 1718000300);
    assert!(l.success);
    assert_eq!(l.score, 0.9731);
    assert_eq!(l.factors["palm"], 0.9812);
    assert_eq!(l.factors["device"], 1.0);
    assert_eq!(l.auth_type, AuthType::Web);
    assert_eq!(l.extra["ip_address"], "203.0.113.7");
    assert_eq!(l.to_value(), fixture_value(LOG));
}

#[test]
fn log_retrieve_failure() {
    expect("Log::retrieve", "GET", format!("/v1/logs/{LOG_ID}"))
        .fails(forbidden("Log belongs to another account"), || {
            Log::retrieve(LOG_ID)
        });
}

#[test]
fn log_list_without_params() {
    let page =
        expect("Log::list", "GET", "/v1/logs").ok_json(LOGS_PAGE, || Log::list(&ListParams::new()));
    assert_eq!(page.url, "/v1/logs");
    assert_eq!(page.count, 2);
    assert!(!page.has_more);
    let ok: Vec<bool> = page.data.iter().map(|l| l.success).collect();
    assert_eq!(ok, [true, false]);
}

#[test]
fn log_list_with_params() {
    let params = ListParams::new().limit(10).starting_after(LOG_ID);
    expect("Log::list", "GET", "/v1/logs")
        .query(&[("limit", "10"), ("starting_after", LOG_ID)])
        .ok_json(LOGS_PAGE, || Log::list(&params));
}

#[test]
fn log_list_failure() {
    let err = expect("Log::list", "GET", "/v1/logs")
        .fails(internal_server_error("Something went wrong"), || {
            Log::list(&ListParams::new())
        });
    assert!(err.is_retryable());
}
