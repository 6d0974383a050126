//! Path encoding of IDs: every call that puts an ID in the path sends it as exactly one
//! percent-encoded segment, whatever it holds, and refuses an empty ID before any I/O.

mod common;

use common::Wire;
use pinn::{
    App, Deletable, Device, Error, Event, ListParams, Log, User, UserUpdateParams, WebhookEndpoint,
    WebhookEndpointUpdateParams,
};
use serde_json::{json, Value};

const USER: &str = include_str!("fixtures/user.json");
const APP: &str = include_str!("fixtures/app.json");
const DEVICE: &str = include_str!("fixtures/device.json");
const EVENT: &str = include_str!("fixtures/event.json");
const LOG: &str = include_str!("fixtures/log.json");
const HOOK: &str = include_str!("fixtures/webhook_endpoint.json");
const DEVICES_PAGE: &str = include_str!("fixtures/devices_page.json");
const LOGS_PAGE: &str = include_str!("fixtures/logs_page.json");

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
    /// The path, given the encoded segment.
    path: fn(&str) -> String,
    /// The JSON body it sends, if any.
    body: Option<fn() -> Value>,
    /// A reply it accepts.
    reply: (usize, &'static str),
    run: fn(&str) -> pinn::Result<()>,
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
/// checks that an empty ID is refused with no request made.
fn check(call: Call) {
    let mut w = Wire::start();
    let client = w.client();
    for (id, segment) in IDS {
        let path = (call.path)(segment);
        let m = w
            .mock(call.method, &path, &[], call.body.map(|b| b()))
            .with_status(call.reply.0)
            .with_body(call.reply.1)
            .create();
        client
            .scope(|| (call.run)(id))
            .unwrap_or_else(|e| panic!("{id:?} -> {path}: {e:?}"));
        m.assert();
    }
    let err = client.scope(|| (call.run)("")).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert_eq!(err.kind(), pinn::ErrorKind::InvalidRequest);
    assert!(err.to_string().contains("empty"), "{err}");
    w.assert_no_strays();
}

#[test]
fn user_retrieve() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/users/{s}"),
        body: None,
        reply: (200, USER),
        run: |id| User::retrieve(id).map(drop),
    });
}

#[test]
fn user_update() {
    check(Call {
        method: "PATCH",
        path: |s| format!("/v1/users/{s}"),
        body: Some(|| json!({"status": "disabled"})),
        reply: (200, USER),
        run: |id| User::update(id, &UserUpdateParams::new().status("disabled")).map(drop),
    });
}

#[test]
fn user_save() {
    check(Call {
        method: "PATCH",
        path: |s| format!("/v1/users/{s}"),
        body: Some(|| json!({"metadata": {"external_id": "ypf3JZpTB5"}, "status": "enabled"})),
        reply: (200, USER),
        run: |id| user_with_id(id).save(),
    });
}

#[test]
fn user_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/users/{s}"),
        body: None,
        reply: (204, ""),
        run: User::delete,
    });
}

#[test]
fn user_deletable_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/users/{s}"),
        body: None,
        reply: (204, ""),
        run: |id| user_with_id(id).delete(),
    });
}

#[test]
fn user_list_devices() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/users/{s}/devices"),
        body: None,
        reply: (200, DEVICES_PAGE),
        run: |id| User::list_devices(id, &ListParams::new()).map(drop),
    });
}

#[test]
fn user_list_logs() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/users/{s}/logs"),
        body: None,
        reply: (200, LOGS_PAGE),
        run: |id| User::list_logs(id, &ListParams::new()).map(drop),
    });
}

#[test]
fn app_retrieve() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/apps/{s}"),
        body: None,
        reply: (200, APP),
        run: |id| App::retrieve(id).map(drop),
    });
}

#[test]
fn app_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/apps/{s}"),
        body: None,
        reply: (204, ""),
        run: App::delete,
    });
}

#[test]
fn app_deletable_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/apps/{s}"),
        body: None,
        reply: (204, ""),
        run: |id| {
            let mut app: App = serde_json::from_str(APP).unwrap();
            app.app_id = id.to_string();
            app.delete()
        },
    });
}

#[test]
fn device_retrieve() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/devices/{s}"),
        body: None,
        reply: (200, DEVICE),
        run: |id| Device::retrieve(id).map(drop),
    });
}

#[test]
fn device_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/devices/{s}"),
        body: None,
        reply: (204, ""),
        run: Device::delete,
    });
}

#[test]
fn device_deletable_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/devices/{s}"),
        body: None,
        reply: (204, ""),
        run: |id| {
            let mut device: Device = serde_json::from_str(DEVICE).unwrap();
            device.device_id = id.to_string();
            device.delete()
        },
    });
}

#[test]
fn device_list_logs() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/devices/{s}/logs"),
        body: None,
        reply: (200, LOGS_PAGE),
        run: |id| Device::list_logs(id, &ListParams::new()).map(drop),
    });
}

#[test]
fn event_retrieve() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/events/{s}"),
        body: None,
        reply: (200, EVENT),
        run: |id| Event::retrieve(id).map(drop),
    });
}

#[test]
fn log_retrieve() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/logs/{s}"),
        body: None,
        reply: (200, LOG),
        run: |id| Log::retrieve(id).map(drop),
    });
}

#[test]
fn webhook_endpoint_retrieve() {
    check(Call {
        method: "GET",
        path: |s| format!("/v1/webhook_endpoints/{s}"),
        body: None,
        reply: (200, HOOK),
        run: |id| WebhookEndpoint::retrieve(id).map(drop),
    });
}

#[test]
fn webhook_endpoint_update() {
    check(Call {
        method: "PATCH",
        path: |s| format!("/v1/webhook_endpoints/{s}"),
        body: Some(|| json!({"status": "disabled"})),
        reply: (200, HOOK),
        run: |id| {
            WebhookEndpoint::update(id, &WebhookEndpointUpdateParams::new().status("disabled"))
                .map(drop)
        },
    });
}

#[test]
fn webhook_endpoint_save() {
    check(Call {
        method: "PATCH",
        path: |s| format!("/v1/webhook_endpoints/{s}"),
        body: Some(|| {
            json!({
                "url": "https://example.com/pinn/webhooks",
                "events": ["user.created", "user.deleted"],
                "status": "enabled"
            })
        }),
        reply: (200, HOOK),
        run: |id| hook_with_id(id).save(),
    });
}

#[test]
fn webhook_endpoint_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/webhook_endpoints/{s}"),
        body: None,
        reply: (204, ""),
        run: WebhookEndpoint::delete,
    });
}

#[test]
fn webhook_endpoint_deletable_delete() {
    check(Call {
        method: "DELETE",
        path: |s| format!("/v1/webhook_endpoints/{s}"),
        body: None,
        reply: (204, ""),
        run: |id| hook_with_id(id).delete(),
    });
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
    let mut w = Wire::start();
    let cursor = "usr_1&limit=100#/../apps";
    let m = w
        .mock(
            "GET",
            "/v1/users",
            &[("limit", "2"), ("starting_after", cursor)],
            None,
        )
        .with_body(include_str!("fixtures/empty_list.json"))
        .create();
    let params = ListParams::new().limit(2).starting_after(cursor);
    let page = w.client().scope(|| User::list(&params)).unwrap();
    assert!(page.data.is_empty());
    m.assert();
    w.assert_no_strays();
}

#[test]
fn an_api_host_with_a_trailing_slash_gives_one_slash() {
    let mut w = Wire::start();
    let m = w
        .mock("GET", "/v1/users/usr_1", &[], None)
        .with_body(USER)
        .create();
    let client = pinn::Client::new(
        pinn::Config::builder()
            .secret_key(common::KEY)
            .api_host(format!("{}/", w.url()))
            .max_retries(0)
            .build()
            .unwrap(),
    );
    client.scope(|| User::retrieve("usr_1")).unwrap();
    m.assert();
    w.assert_no_strays();
}
