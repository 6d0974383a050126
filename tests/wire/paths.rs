//! Path encoding of IDs: every call that puts an ID in the path sends it as exactly one
//! percent-encoded segment, whatever it holds, and refuses an empty ID before any I/O.

use crate::support::fixtures::{
    APP, DEVICE, DEVICES_PAGE, EMPTY_LIST, EVENT, HOOK, LOG, LOGS_PAGE, USER,
};
use crate::support::{Wire, builder_for, expect, labelled};
use pinn::{
    App, Deletable, Device, Error, Event, ListParams, Log, User, UserUpdateParams, WebhookEndpoint,
    WebhookEndpointUpdateParams,
};
use serde_json::{Value, json};

/// The paths of one object, `{id}` where its ID goes.
const USER_PATH: &str = "/v1/users/{id}";
const APP_PATH: &str = "/v1/apps/{id}";
const DEVICE_PATH: &str = "/v1/devices/{id}";
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

fn app_with_id(id: &str) -> App {
    let mut app: App = serde_json::from_str(APP).unwrap();
    app.app_id = id.to_string();
    app
}

fn device_with_id(id: &str) -> Device {
    let mut device: Device = serde_json::from_str(DEVICE).unwrap();
    device.device_id = id.to_string();
    device
}

fn hook_with_id(id: &str) -> WebhookEndpoint {
    let mut h: WebhookEndpoint = serde_json::from_str(HOOK).unwrap();
    h.webhook_endpoint_id = id.to_string();
    h
}

/// What `update(id, status "disabled")` sends.
fn disable() -> Value {
    json!({"status": "disabled"})
}

/// The user fixture with a metadata entry added since it was read.
fn changed_user(id: &str) -> User {
    let mut user = user_with_id(id);
    user.metadata.insert("plan".into(), "pro".into());
    user
}

/// What `save()` sends for [`changed_user`]: the changed field only.
fn user_fixture_body() -> Value {
    json!({"metadata": {"external_id": "ypf3JZpTB5", "plan": "pro"}})
}

/// The webhook endpoint fixture with its URL changed since it was read.
fn changed_hook(id: &str) -> WebhookEndpoint {
    let mut hook = hook_with_id(id);
    hook.url = "https://example.com/hooks".into();
    hook
}

/// What `save()` sends for [`changed_hook`]: the changed field only.
fn hook_fixture_body() -> Value {
    json!({"url": "https://example.com/hooks"})
}

fn disable_hook(id: &str) -> pinn::Result<()> {
    WebhookEndpoint::update(id, &WebhookEndpointUpdateParams::new().status("disabled")).map(drop)
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

/// One `#[test]` per call that takes an ID, each a [`check`]: `name: label, call;`.
macro_rules! path_tests {
    ($($name:ident: $label:literal, $call:expr;)*) => {
        $(
            #[test]
            fn $name() {
                check($label, $call);
            }
        )*
    };
}

path_tests! {
    user_retrieve: "User::retrieve",
        get(USER_PATH, USER, |id| User::retrieve(id).map(drop));
    user_update: "User::update",
        patch(USER_PATH, disable(), USER, |id| {
            User::update(id, &UserUpdateParams::new().status("disabled")).map(drop)
        });
    user_save: "user.save()",
        patch(USER_PATH, user_fixture_body(), USER, |id| changed_user(id).save());
    user_delete: "User::delete",
        delete(USER_PATH, |id| User::delete(id).map(drop));
    user_deletable_delete: "user.delete()",
        delete(USER_PATH, |id| user_with_id(id).delete().map(drop));
    user_list_devices: "User::list_devices",
        get("/v1/users/{id}/devices", DEVICES_PAGE, |id| {
            User::list_devices(id, &ListParams::new()).map(drop)
        });
    user_list_logs: "User::list_logs",
        get("/v1/users/{id}/logs", LOGS_PAGE, |id| {
            User::list_logs(id, &ListParams::new()).map(drop)
        });
    app_retrieve: "App::retrieve",
        get(APP_PATH, APP, |id| App::retrieve(id).map(drop));
    app_delete: "App::delete",
        delete(APP_PATH, |id| App::delete(id).map(drop));
    app_deletable_delete: "app.delete()",
        delete(APP_PATH, |id| app_with_id(id).delete().map(drop));
    device_retrieve: "Device::retrieve",
        get(DEVICE_PATH, DEVICE, |id| Device::retrieve(id).map(drop));
    device_delete: "Device::delete",
        delete(DEVICE_PATH, |id| Device::delete(id).map(drop));
    device_deletable_delete: "device.delete()",
        delete(DEVICE_PATH, |id| device_with_id(id).delete().map(drop));
    device_list_logs: "Device::list_logs",
        get("/v1/devices/{id}/logs", LOGS_PAGE, |id| {
            Device::list_logs(id, &ListParams::new()).map(drop)
        });
    event_retrieve: "Event::retrieve",
        get("/v1/events/{id}", EVENT, |id| Event::retrieve(id).map(drop));
    log_retrieve: "Log::retrieve",
        get("/v1/logs/{id}", LOG, |id| Log::retrieve(id).map(drop));
    webhook_endpoint_retrieve: "WebhookEndpoint::retrieve",
        get(HOOK_PATH, HOOK, |id| WebhookEndpoint::retrieve(id).map(drop));
    webhook_endpoint_update: "WebhookEndpoint::update",
        patch(HOOK_PATH, disable(), HOOK, disable_hook);
    webhook_endpoint_save: "hook.save()",
        patch(HOOK_PATH, hook_fixture_body(), HOOK, |id| changed_hook(id).save());
    webhook_endpoint_delete: "WebhookEndpoint::delete",
        delete(HOOK_PATH, |id| WebhookEndpoint::delete(id).map(drop));
    webhook_endpoint_deletable_delete: "hook.delete()",
        delete(HOOK_PATH, |id| hook_with_id(id).delete().map(drop));
}

/// The app type is a path segment too, but only the three known values are ever sent.
#[test]
fn app_create_never_puts_a_hostile_app_type_in_the_path() {
    let w = Wire::start();
    for bad in ["../users", "web/../users", "web?x=1", "", "WEB", "web "] {
        let err = w
            .client()
            .scope(|| App::create(&pinn::AppCreateParams::new(bad.into(), "x")))
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
