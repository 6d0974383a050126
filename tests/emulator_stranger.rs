//! A stranger's view: the emulator through plain HTTP (ureq, not this crate's client), checked
//! against the spec's shapes field by field. This keeps the emulator honest on the spec's own
//! terms rather than merely consistent with the crate's lenient models.

use pinn::mock::{DeviceSeed, MockServer};
use serde_json::{Value, json};

/// A response as a stranger sees it.
#[derive(Debug)]
struct Answer {
    status: u16,
    request_id: Option<String>,
    content_type: Option<String>,
    allow: Option<String>,
    json: Value,
}

struct Stranger<'a> {
    server: &'a MockServer,
    agent: ureq::Agent,
    key: Option<String>,
}

impl Stranger<'_> {
    fn new(server: &MockServer) -> Stranger<'_> {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A stranger on this machine talks to the emulator directly, whatever the proxy variables.
            .proxy(None)
            .build()
            .new_agent();
        Stranger {
            server,
            agent,
            key: Some(server.secret_key().to_string()),
        }
    }

    /// `method path` with `body` (sent as JSON when given).
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
        let url = format!("{}{path}", self.server.url());
        let auth = self.key.as_ref().map(|k| format!("Bearer {k}"));
        let auth = auth.as_deref().unwrap_or("");
        let a = &self.agent;
        let json = "application/json";
        let sent = match (method, body) {
            ("GET", _) => a.get(&url).header("Authorization", auth).call(),
            ("DELETE", _) => a.delete(&url).header("Authorization", auth).call(),
            ("POST", None) => a.post(&url).header("Authorization", auth).send_empty(),
            ("POST", Some(b)) => a
                .post(&url)
                .header("Authorization", auth)
                .header("Content-Type", json)
                .send(b),
            ("PATCH", Some(b)) => a
                .patch(&url)
                .header("Authorization", auth)
                .header("Content-Type", json)
                .send(b),
            ("PUT", _) => a.put(&url).header("Authorization", auth).send_empty(),
            other => panic!("no such call in this test: {other:?}"),
        };
        let mut response = sent.unwrap();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let (request_id, content_type, allow) = (
            header("request-id"),
            header("content-type"),
            header("allow"),
        );
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        let json = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text:?}"));
        let answer = Answer {
            status,
            request_id,
            content_type,
            allow,
            json,
        };
        // Every answer, success or error, names its request and is JSON.
        assert!(
            answer
                .request_id
                .as_deref()
                .is_some_and(|r| r.starts_with("req_") && r.len() > 10),
            "{answer:?}"
        );
        assert_eq!(answer.content_type.as_deref(), Some("application/json"));
        answer
    }

    fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let a = self.call(method, path, body);
        assert_eq!(a.status, 200, "{method} {path}: {a:?}");
        a.json
    }

    /// Checks an error answer: status, and the spec's envelope with this type.
    fn error(&self, method: &str, path: &str, body: Option<&str>, status: u16, ty: &str) -> Answer {
        let a = self.call(method, path, body);
        assert_eq!(a.status, status, "{method} {path}: {a:?}");
        let e = &a.json["error"];
        assert_eq!(e["type"], ty, "{a:?}");
        assert!(e["code"].is_string(), "{a:?}");
        assert!(
            e["message"].as_str().is_some_and(|m| !m.is_empty()),
            "{a:?}"
        );
        assert_eq!(
            a.json.as_object().map(|o| o.len()),
            Some(1),
            "only `error`: {a:?}"
        );
        a
    }
}

/// The JSON type a field must have.
#[derive(Clone, Copy)]
enum Ty {
    /// A string starting with this prefix ("" for any string).
    Str(&'static str),
    StrOrNull,
    Int,
    IntOrNull,
    Bool,
    Num,
    Obj,
    Arr,
    OneOf(&'static [&'static str]),
}

/// Checks that `v` is an object of `kind` with exactly the spec's `fields`, each of its type.
fn shape(v: &Value, kind: &str, fields: &[(&str, Ty)]) {
    let obj = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"));
    assert_eq!(obj["object"], kind, "{v}");
    let mut want: Vec<&str> = fields.iter().map(|(f, _)| *f).collect();
    want.push("object");
    want.sort_unstable();
    let mut got: Vec<&str> = obj.keys().map(String::as_str).collect();
    got.sort_unstable();
    assert_eq!(got, want, "the fields of a {kind}");
    for (name, ty) in fields {
        let f = &obj[*name];
        let fits = match ty {
            Ty::Str(prefix) => f.as_str().is_some_and(|s| s.starts_with(prefix)),
            Ty::StrOrNull => f.is_string() || f.is_null(),
            Ty::Int => f.is_i64(),
            Ty::IntOrNull => f.is_i64() || f.is_null(),
            Ty::Bool => f.is_boolean(),
            Ty::Num => f.is_number(),
            Ty::Obj => f.is_object(),
            Ty::Arr => f.is_array(),
            Ty::OneOf(values) => f.as_str().is_some_and(|s| values.contains(&s)),
        };
        assert!(fits, "{kind}.{name} = {f}");
    }
    // IDs: the prefix and 24 alphanumerics.
    let id_field = format!("{kind}_id");
    let id = obj[&id_field].as_str().unwrap();
    let (_, random) = id.rsplit_once('_').unwrap();
    assert!(
        random.len() == 24 && random.bytes().all(|b| b.is_ascii_alphanumeric()),
        "{id}"
    );
}

const USER: &[(&str, Ty)] = &[
    ("user_id", Ty::Str("usr_")),
    ("created_at", Ty::Int),
    ("updated_at", Ty::Int),
    ("authenticated_at", Ty::IntOrNull),
    ("device_enrolled", Ty::Bool),
    ("left_palm_enrolled", Ty::Bool),
    ("right_palm_enrolled", Ty::Bool),
    ("metadata", Ty::Obj),
    ("status", Ty::Str("")),
];
const APP: &[(&str, Ty)] = &[
    ("app_id", Ty::Str("app_")),
    ("created_at", Ty::Int),
    ("updated_at", Ty::Int),
    ("publishable_key", Ty::Str("pk_")),
    ("app_type", Ty::OneOf(&["ios", "android", "web"])),
    ("name", Ty::Str("")),
    ("description", Ty::StrOrNull),
];
const DEVICE: &[(&str, Ty)] = &[
    ("device_id", Ty::Str("dev_")),
    ("user_id", Ty::Str("usr_")),
    ("created_at", Ty::Int),
    ("updated_at", Ty::Int),
    ("name", Ty::Str("")),
    ("make", Ty::Str("")),
    ("model", Ty::Str("")),
    ("platform", Ty::OneOf(&["ios", "android"])),
    ("platform_version", Ty::Str("")),
    ("framework_version", Ty::Str("")),
    ("push_notification_token", Ty::StrOrNull),
];
const EVENT: &[(&str, Ty)] = &[
    ("event_id", Ty::Str("evt_")),
    ("created_at", Ty::Int),
    ("data", Ty::Obj),
    ("request", Ty::Str("req_")),
    ("type", Ty::Str("")),
    ("livemode", Ty::Bool),
];
const LOG: &[(&str, Ty)] = &[
    ("log_id", Ty::Str("log_")),
    ("user_id", Ty::Str("usr_")),
    ("device_id", Ty::Str("dev_")),
    ("app_id", Ty::Str("app_")),
    ("web_app_id", Ty::StrOrNull),
    ("created_at", Ty::Int),
    ("success", Ty::Bool),
    ("score", Ty::Num),
    ("factors", Ty::Obj),
    ("auth_type", Ty::OneOf(&["web", "mobile"])),
];
const WEBHOOK_ENDPOINT: &[(&str, Ty)] = &[
    ("webhook_endpoint_id", Ty::Str("we_")),
    ("created_at", Ty::Int),
    ("updated_at", Ty::Int),
    ("status", Ty::Str("")),
    ("url", Ty::Str("http")),
    ("events", Ty::Arr),
    ("livemode", Ty::Bool),
    ("secret", Ty::Str("whsec_")),
];
const ENROLLMENT_KEY: &[(&str, Ty)] = &[
    ("enrollment_key_id", Ty::Str("ek_")),
    ("user_id", Ty::Str("usr_")),
    ("created_at", Ty::Int),
    ("expires_at", Ty::Int),
    ("livemode", Ty::Bool),
    ("secret", Ty::Str("eks_")),
];
const RECOVERY_KEY: &[(&str, Ty)] = &[
    ("recovery_key_id", Ty::Str("rk_")),
    ("user_id", Ty::Str("usr_")),
    ("created_at", Ty::Int),
    ("expires_at", Ty::Int),
    ("livemode", Ty::Bool),
    ("secret", Ty::Str("rks_")),
    ("flow", Ty::Arr),
];

/// Checks the list envelope and each item's shape; returns the items.
fn list_of(v: &Value, url: &str, kind: &str, fields: &[(&str, Ty)]) -> Vec<Value> {
    let o = v.as_object().unwrap();
    let mut keys: Vec<_> = o.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["count", "data", "ended_at", "has_more", "object", "url"]
    );
    assert_eq!((&o["object"], &o["url"]), (&json!("list"), &json!(url)));
    let data = o["data"].as_array().unwrap();
    assert_eq!(o["count"], data.len());
    assert!(o["has_more"].is_boolean());
    match data.last() {
        Some(last) => assert_eq!(o["ended_at"], last[format!("{kind}_id")]),
        None => assert!(o["ended_at"].is_null()),
    }
    for item in data {
        shape(item, kind, fields);
    }
    data.clone()
}

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

#[test]
fn health_needs_no_key() {
    let s = MockServer::start();
    let mut x = Stranger::new(&s);
    x.key = None;
    assert_eq!(x.ok("GET", "/health", None), json!({"status": "ok"}));
    let a = x.call("POST", "/health", None);
    assert_eq!(a.status, 405);
}

#[test]
fn without_the_key_everything_is_401() {
    let s = MockServer::start();
    let mut x = Stranger::new(&s);
    for key in [None, Some("sk_test_wrong".to_string())] {
        x.key = key;
        for (method, path) in [
            ("GET", "/v1/users"),
            ("POST", "/v1/users"),
            ("GET", "/v1/nothing"),
        ] {
            x.error(method, path, None, 401, "unauthorized");
        }
    }
    // A key without "Bearer " is not accepted either.
    let raw = ureq::get(format!("{}/v1/users", s.url()))
        .header("Authorization", s.secret_key())
        .config()
        .http_status_as_error(false)
        .build()
        .call()
        .unwrap();
    assert_eq!(raw.status().as_u16(), 401);
    assert_eq!(s.count("user"), 0);
}

#[test]
fn unknown_ids_and_paths_are_404() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    for path in [
        "/v1/users/usr_nothing",
        "/v1/apps/app_nothing",
        "/v1/devices/dev_nothing",
        "/v1/events/evt_nothing",
        "/v1/logs/log_nothing",
        "/v1/webhook_endpoints/we_nothing",
        "/v1/users/usr_nothing/devices",
        "/v1/users/usr_nothing/logs",
        "/v1/devices/dev_nothing/logs",
        "/v1/users/%2E%2E",
        "/v1/users/%FF",
        "/v1/users/",
        "/v1/nothing",
        "/v2/users",
        "/",
        "/v1/enrollment_keys/ek_x",
        "/v1/users/usr_x/apps",
    ] {
        x.error("GET", path, None, 404, "not_found");
    }
    x.error("DELETE", "/v1/users/usr_nothing", None, 404, "not_found");
    x.error(
        "PATCH",
        "/v1/users/usr_nothing",
        Some("{}"),
        404,
        "not_found",
    );
}

#[test]
fn wrong_methods_are_405_with_allow() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    for (method, path, allow) in [
        ("PUT", "/v1/users", "GET, POST"),
        ("DELETE", "/v1/users", "GET, POST"),
        ("POST", "/v1/users/usr_x", "GET, PATCH, DELETE"),
        ("PATCH", "/v1/apps/app_x", "GET, POST, DELETE"),
        ("POST", "/v1/apps", "GET"),
        ("DELETE", "/v1/events/evt_x", "GET"),
        ("PATCH", "/v1/devices/dev_x", "GET, DELETE"),
        ("GET", "/v1/enrollment_keys", "POST"),
        ("GET", "/v1/recovery_keys", "POST"),
        ("POST", "/v1/users/usr_x/devices", "GET"),
    ] {
        let body = (method == "PATCH").then_some("{}");
        let a = x.error(method, path, body, 405, "method_not_allowed");
        assert_eq!(a.allow.as_deref(), Some(allow), "{method} {path}");
    }
}

#[test]
fn malformed_requests_are_400() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let user = x.ok("POST", "/v1/users", None);
    let uid = user["user_id"].as_str().unwrap();
    for (method, path, body) in [
        ("POST", "/v1/users", "{"),
        ("POST", "/v1/users", "[1, 2]"),
        ("POST", "/v1/users", r#"{"metadata": "not an object"}"#),
        ("POST", "/v1/users", r#"{"user_id": "usr_chosen"}"#),
        ("PATCH", &format!("/v1/users/{uid}"), r#"{"status": 1}"#),
        ("POST", "/v1/apps/web", "{}"),
        ("POST", "/v1/apps/web", r#"{"name": 7}"#),
        ("POST", "/v1/enrollment_keys", "{}"),
        (
            "POST",
            "/v1/recovery_keys",
            r#"{"user_id": "usr_x", "flow": "email"}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url": "https://example.com"}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"events": ["user.created"]}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url": "https://e.com", "events": [1]}"#,
        ),
    ] {
        x.error(method, path, Some(body), 400, "bad_request");
    }
    for query in [
        "limit=0",
        "limit=101",
        "limit=abc",
        "limit=",
        "limit=-1",
        "limit=1.5",
    ] {
        x.error(
            "GET",
            &format!("/v1/users?{query}"),
            None,
            400,
            "bad_request",
        );
    }
    x.error(
        "GET",
        "/v1/users?starting_after=usr_nothing",
        None,
        400,
        "bad_request",
    );
    // A cursor must belong to the list it pages: a user is not one of the apps.
    x.error(
        "GET",
        &format!("/v1/apps?starting_after={uid}"),
        None,
        400,
        "bad_request",
    );
    assert_eq!(s.count("user"), 1, "nothing malformed created anything");
}

#[test]
fn forbidden_states_are_422() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let user = x.ok("POST", "/v1/users", None);
    let upath = format!("/v1/users/{}", user["user_id"].as_str().unwrap());
    let hook = x.ok(
        "POST",
        "/v1/webhook_endpoints",
        Some(r#"{"url":"https://example.com/h","events":["user.created"]}"#),
    );
    let hpath = format!(
        "/v1/webhook_endpoints/{}",
        hook["webhook_endpoint_id"].as_str().unwrap()
    );
    for (method, path, body) in [
        ("POST", "/v1/apps/windows", r#"{"name":"Win"}"#),
        ("POST", "/v1/apps/web", r#"{"name":""}"#),
        ("POST", "/v1/enrollment_keys", r#"{"user_id":"usr_nobody"}"#),
        (
            "POST",
            "/v1/recovery_keys",
            r#"{"user_id":"usr_nobody","flow":["email"]}"#,
        ),
        ("PATCH", upath.as_str(), r#"{"status":"frozen"}"#),
        ("PATCH", hpath.as_str(), r#"{"status":"paused"}"#),
        ("PATCH", hpath.as_str(), r#"{"url":"ftp://example.com"}"#),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url":"example.com","events":["a"]}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url":"https://","events":["a"]}"#,
        ),
        (
            "POST",
            "/v1/webhook_endpoints",
            r#"{"url":"https://e.com","events":[]}"#,
        ),
    ] {
        x.error(method, path, Some(body), 422, "unprocessable_entity");
    }
    assert_eq!(
        x.ok("GET", &upath, None)["status"],
        "active",
        "nothing changed"
    );
    assert_eq!((s.creates("app"), s.creates("enrollment_key")), (0, 0));
}

#[test]
fn pagination_on_the_wire() {
    let s = MockServer::start();
    let x = Stranger::new(&s);
    let ids: Vec<String> = (0..25)
        .map(|_| {
            x.ok("POST", "/v1/users", None)["user_id"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let first = x.ok("GET", "/v1/users", None);
    let items = list_of(&first, "/v1/users", "user", USER);
    assert_eq!((items.len(), &first["has_more"]), (10, &json!(true)));
    assert_eq!(items[0]["user_id"], ids[24]);
    let mut seen = items.len();
    let mut page = first;
    while page["has_more"] == true {
        let cursor = page["ended_at"].as_str().unwrap();
        page = x.ok(
            "GET",
            &format!(
                "{}?limit=10&starting_after={cursor}",
                page["url"].as_str().unwrap()
            ),
            None,
        );
        seen += list_of(&page, "/v1/users", "user", USER).len();
    }
    assert_eq!(seen, 25);
    assert_eq!(
        (&page["count"], &page["ended_at"]),
        (&json!(5), &json!(ids[0]))
    );
    // Past the end: an empty page.
    let after_last = x.ok("GET", &format!("/v1/users?starting_after={}", ids[0]), None);
    assert_eq!(list_of(&after_last, "/v1/users", "user", USER).len(), 0);
    assert_eq!(after_last["has_more"], false);
    // The recorded query is raw.
    let last = s.requests().pop().unwrap();
    assert_eq!(last.query, Some(format!("starting_after={}", ids[0])));
}

#[test]
fn the_standalone_binary_serves_the_same_api() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pinn-mock"))
        .args([
            "--port",
            "0",
            "--secret-key",
            "sk_test_standalone_0123456789",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufReader::new(child.stdout.take().unwrap()).lines();
    let mut setting = |name: &str| {
        let line = lines.next().unwrap().unwrap();
        line.strip_prefix(name)
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("{line}"))
    };
    let first = setting("pinn-mock listening on ");
    let (host, key) = (setting("PINN_API_HOST="), setting("PINN_SECRET_KEY="));
    assert_eq!(
        (first.as_str(), key.as_str()),
        (host.as_str(), "sk_test_standalone_0123456789")
    );
    let agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        // A stranger on this machine talks to the emulator directly, whatever the proxy variables.
        .proxy(None)
        .build()
        .new_agent();
    let health = agent.get(format!("{host}/health")).call().unwrap();
    assert_eq!(health.status().as_u16(), 200);
    let mut created = agent
        .post(format!("{host}/v1/users"))
        .header("Authorization", format!("Bearer {key}"))
        .send_empty()
        .unwrap();
    assert_eq!(created.status().as_u16(), 200);
    let user: Value = serde_json::from_str(&created.body_mut().read_to_string().unwrap()).unwrap();
    shape(&user, "user", USER);
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn hostile_input_never_stops_the_server() {
    use std::io::{Read, Write};
    use std::net::TcpStream;
    let s = MockServer::start();
    let addr = s.url().trim_start_matches("http://").to_string();
    let auth = format!("Authorization: Bearer {}", s.secret_key());
    let big = "x".repeat((1 << 20) + 10);
    let junk: Vec<Vec<u8>> = vec![
        b"\x00\xff\xfe garbage\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /v1/users HTTP/9.9\r\n\r\n".to_vec(),
        format!("GET /v1/users?limit=%ZZ&limit=99999999999999999999 HTTP/1.1\r\n{auth}\r\n\r\n")
            .into_bytes(),
        format!("GET /v1/users/%C0%AF HTTP/1.1\r\n{auth}\r\n\r\n").into_bytes(),
        [
            format!("POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: 4\r\n\r\n").as_bytes(),
            b"\xff\xfe{}",
        ]
        .concat(),
        format!(
            "POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: {}\r\n\r\n{big}",
            big.len()
        )
        .into_bytes(),
        format!("POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: 100\r\n\r\n{{\"meta")
            .into_bytes(),
        format!(
            "POST /v1/users HTTP/1.1\r\n{auth}\r\nContent-Length: 2000\r\n\r\n{}",
            "[".repeat(2000)
        )
        .into_bytes(),
        format!("HEAD /v1/users HTTP/1.1\r\n{auth}\r\n\r\n").into_bytes(),
    ];
    let mut statuses = Vec::new();
    for bytes in junk {
        let mut raw = TcpStream::connect(&addr).unwrap();
        raw.set_read_timeout(Some(std::time::Duration::from_millis(500)))
            .unwrap();
        let _ = raw.write_all(&bytes);
        let _ = raw.shutdown(std::net::Shutdown::Write);
        let mut got = Vec::new();
        let _ = raw.read_to_end(&mut got);
        let head = String::from_utf8_lossy(&got)
            .chars()
            .take(12)
            .collect::<String>();
        statuses.push(head);
    }
    for (i, what) in [(0, "garbage"), (1, "no target"), (2, "HTTP/9.9")] {
        assert_eq!(statuses[i], "HTTP/1.1 400", "{what}");
    }
    assert_eq!(statuses[3], "HTTP/1.1 400", "a bad limit");
    assert_eq!(statuses[4], "HTTP/1.1 404", "an ID that is not UTF-8");
    assert_eq!(statuses[5], "HTTP/1.1 400", "a body that is not UTF-8 JSON");
    assert_eq!(statuses[6], "HTTP/1.1 413", "a body over 1 MiB");
    assert_eq!(statuses[8], "HTTP/1.1 400", "JSON nested too deep");
    assert_eq!(statuses[9], "HTTP/1.1 405", "HEAD");
    // Still serving, and nothing was created.
    let x = Stranger::new(&s);
    list_of(&x.ok("GET", "/v1/users", None), "/v1/users", "user", USER);
    assert_eq!(s.creates("user"), 0);
}
