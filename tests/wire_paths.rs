//! Path encoding of IDs: every call that puts an ID in the path sends it as exactly one
//! percent-encoded segment, whatever it holds, and refuses an empty ID before any I/O.

mod common;

use common::fixtures::{APP, DEVICE, DEVICES_PAGE, EMPTY_LIST, EVENT, HOOK, LOG, LOGS_PAGE, USER};
use common::{builder_for, expect, labelled, Wire};
use pinn::{
    App, Deletable, Device, Error, Event, ListParams, Log, User, UserUpdateParams, WebhookEndpoint,
    WebhookEndpointUpdateParams,
};
use serde_json::{json, Value};

const HOOK_PATH: &str = "/v1/webhook_endpoints/{id}";

/// Hostile IDs and the one segment each must arrive as.
const IDS: &[(&str, &str)] = &[
    (
        "usr_zsWljQAN7p6hBbbi15FXXUJp",
        "usr_zsWljQAN7p6hBbbi15FXXUJp",
    ),
    ("..", "%2E%2E"),
    (".", "%2E"),
    ("../apps", "%2E%2E%2Fapps"),
    ("a/b", "a%2Fb"),
    ("x?limit=1", "x%3Flimit%3D1"),
    ("a#frag", "a%23frag"),
    ("100%", "100%25"),
    ("%2E%2E", "%252E%252E"),
    ("a b", "a%20b"),
    ("usr+1&x=2", "usr%2B1%26x%3D2"),
    ("é", "%C3%A9"),
    ("用户", "%E7%94%A8%E6%88%B7"),
    ("a\\b", "a%5Cb"),
    ("tab\there", "tab%09here"),
];

/// One call that takes an ID: how it goes on the wire and how to make it.
struct Call {
    method: &'static str,
    /// The path, with `{id}` where the encoded segment goes.
    path: &'static str,
    /// The JSON body it sends, if any.
    body: Option<Value>,
    /// A reply it accepts: status and body.
    reply: (usize, &'static str),
    run: fn(&str) -> pinn::Result<()>,
}

/// A `GET` of `path`, answered `200` with `reply`.
fn get(path: &'static str, reply: &'static str, run: fn(&str) -> pinn::Result<()>) -> Call {
    Call {
        method: "GET",
        path,
        body: None,
        reply: (200, reply),
        run,
    }
}

/// A `PATCH` of `path` with `body`, answered `200` with `reply`.
fn patch(
    path: &'static str,
    body: Value,
    reply: &'static str,
    run: fn(&str) -> pinn::Result<()>,
) -> Call {
    Call {
        method: "PATCH",
        path,
        body: Some(body),
        reply: (200, reply),
        run,
    }
}

/// A `DELETE` of `path`, answered `204` with no body.
fn delete(path: &'static str, run: fn(&str) -> pinn::Result<()>) -> Call {
    Call {
        method: "DELETE",
        path,
        body: None,
        reply: (204, ""),
        run,
    }
}

fn user_with_id(id: &str) -> User {
    let mut u: User = serde_json::from_str(USER).unwrap();
    u.user_id = id.to_string();
    u
}

fn hook_with_id(id: &str) -> WebhookEndpoint {
    let mut h: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    h.webhook_endpoint_id = id.to_string();
    h
}

/// Makes `call` with every hostile ID and asserts the raw path the server received; then
/// checks that an empty ID is refused with no request made. `label` names the call in
/// failures.
fn check(label: &str, call: Call) {
    let mut w = Wire::start();
    let client = w.client();
    for (id, segment) in IDS {
        let path = call.path.replacen("{id}", segment, 1);
        labelled(&format!("{label} {id:?} -> {path}"), || {
            let m = w
                .mock(call.method, &path, &[], call.body.clone())
                .with_status(call.reply.0)
                .with_body(call.reply.1)
                .create();
            client
                .scope(|| (call.run)(id))
                .unwrap_or_else(|e| panic!("{e:?}"));
            m.assert();
        });
    }
    labelled(&format!("{label} with an empty ID"), || {
        let err = client.scope(|| (call.run)("")).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
        assert_eq!(err.kind(), pinn::ErrorKind::InvalidRequest);
        assert!(err.to_string().contains("empty"), "{err}");
        w.assert_no_strays();
    });
}

#[test]
fn user_retrieve() {
    let run = |id: &str| User::retrieve(id).map(drop);
    check("User::retrieve", get("/v1/users/{id}", USER, run));
}

#[test]
fn user_update() {
    let body = json!({"status": "disabled"});
    let run = |id: &str| User::update(id, &UserUpdateParams::new().status("disabled")).map(drop);
    check("User::update", patch("/v1/users/{id}", body, USER, run));
}

#[test]
fn user_save() {
    let body = json!({"metadata": {"external_id": "ypf3JZpTB5"}, "status": "enabled"});
    let run = |id: &str| user_with_id(id).save();
    check("user.save()", patch("/v1/users/{id}", body, USER, run));
}

#[test]
fn user_delete() {
    check("User::delete", delete("/v1/users/{id}", User::delete));
}

#[test]
fn user_deletable_delete() {
    let run = |id: &str| user_with_id(id).delete();
    check("user.delete()", delete("/v1/users/{id}", run));
}

#[test]
fn user_list_devices() {
    let run = |id: &str| User::list_devices(id, &ListParams::new()).map(drop);
    check(
        "User::list_devices",
        get("/v1/users/{id}/devices", DEVICES_PAGE, run),
    );
}

#[test]
fn user_list_logs() {
    let run = |id: &str| User::list_logs(id, &ListParams::new()).map(drop);
    check(
        "User::list_logs",
        get("/v1/users/{id}/logs", LOGS_PAGE, run),
    );
}

#[test]
fn app_retrieve() {
    let run = |id: &str| App::retrieve(id).map(drop);
    check("App::retrieve", get("/v1/apps/{id}", APP, run));
}

#[test]
fn app_delete() {
    check("App::delete", delete("/v1/apps/{id}", App::delete));
}

#[test]
fn app_deletable_delete() {
    let run = |id: &str| {
        let mut app: App = serde_json::from_str(APP).unwrap();
        app.app_id = id.to_string();
        app.delete()
    };
    check("app.delete()", delete("/v1/apps/{id}", run));
}

#[test]
fn device_retrieve() {
    let run = |id: &str| Device::retrieve(id).map(drop);
    check("Device::retrieve", get("/v1/devices/{id}", DEVICE, run));
}

#[test]
fn device_delete() {
    check("Device::delete", delete("/v1/devices/{id}", Device::delete));
}

#[test]
fn device_deletable_delete() {
    let run = |id: &str| {
        let mut device: Device = serde_json::from_str(DEVICE).unwrap();
        device.device_id = id.to_string();
        device.delete()
    };
    check("device.delete()", delete("/v1/devices/{id}", run));
}

#[test]
fn device_list_logs() {
    let run = |id: &str| Device::list_logs(id, &ListParams::new()).map(drop);
    check(
        "Device::list_logs",
        get("/v1/devices/{id}/logs", LOGS_PAGE, run),
    );
}

#[test]
fn event_retrieve() {
    let run = |id: &str| Event::retrieve(id).map(drop);
    check("Event::retrieve", get("/v1/events/{id}", EVENT, run));
}

#[test]
fn log_retrieve() {
    let run = |id: &str| Log::retrieve(id).map(drop);
    check("Log::retrieve", get("/v1/logs/{id}", LOG, run));
}

#[test]
fn webhook_endpoint_retrieve() {
    let run = |id: &str| WebhookEndpoint::retrieve(id).map(drop);
    check("WebhookEndpoint::retrieve", get(HOOK_PATH, HOOK, run));
}

#[test]
fn webhook_endpoint_update() {
    let body = json!({"status": "disabled"});
    let run = |id: &str| {
        WebhookEndpoint::update(id, &WebhookEndpointUpdateParams::new().status("disabled"))
            .map(drop)
    };
    check("WebhookEndpoint::update", patch(HOOK_PATH, body, HOOK, run));
}

#[test]
fn webhook_endpoint_save() {
    let body = json!({
        "url": "https://example.com/pinn/webhooks",
        "events": ["user.created", "user.deleted"],
        "status": "enabled"
    });
    let run = |id: &str| hook_with_id(id).save();
    check("hook.save()", patch(HOOK_PATH, body, HOOK, run));
}

#[test]
fn webhook_endpoint_delete() {
    check(
        "WebhookEndpoint::delete",
        delete(HOOK_PATH, WebhookEndpoint::delete),
    );
}

#[test]
fn webhook_endpoint_deletable_delete() {
    let run = |id: &str| hook_with_id(id).delete();
    check("hook.delete()", delete(HOOK_PATH, run));
}

/// The app type is a path segment too, but only the three known values are ever sent.
#[test]
fn app_create_never_puts_a_hostile_app_type_in_the_path() {
    let w = Wire::start();
    for bad in ["../users", "web/../users", "web?x=1", "", "WEB", "web "] {
        let err = w
            .client()
            .scope(|| App::create(bad.into(), "x", &Default::default()))
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{bad:?}: {err:?}");
    }
    w.assert_no_strays();
}

/// A hostile cursor travels in the query, encoded, and never changes the path.
#[test]
fn a_hostile_cursor_stays_in_its_query_value() {
    let cursor = "usr_1&limit=100#/../apps";
    let params = ListParams::new().limit(2).starting_after(cursor);
    let page = expect("User::list", "GET", "/v1/users")
        .query(&[("limit", "2"), ("starting_after", cursor)])
        .respond(|m| m.with_body(EMPTY_LIST).create(), || User::list(&params))
        .unwrap();
    assert!(page.data.is_empty());
}

#[test]
fn an_api_host_with_a_trailing_slash_gives_one_slash() {
    let mut w = Wire::start();
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_body(USER)
        .create();
    let config = builder_for(format!("{}/", w.url())).max_retries(0);
    let client = pinn::Client::new(config.build().unwrap());
    client.scope(|| User::retrieve("usr_1")).unwrap();
    m.assert();
    w.assert_no_strays();
}
