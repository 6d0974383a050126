//! A stranger's view: the emulator through plain HTTP (ureq, not this crate's client), checked
//! against the spec's shapes field by field. This keeps the emulator honest on the spec's own
//! terms rather than merely consistent with the crate's lenient models.

use pinn_mock::MockServer;

mod refusals;
mod shapes;
mod wire;
use serde_json::{Value, json};

/// A response as a stranger sees it.
#[derive(Debug)]
pub(super) struct Answer {
    pub(super) status: u16,
    pub(super) request_id: Option<String>,
    pub(super) content_type: Option<String>,
    pub(super) allow: Option<String>,
    pub(super) json: Value,
}

pub(super) struct Stranger<'a> {
    pub(super) server: &'a MockServer,
    pub(super) agent: ureq::Agent,
    pub(super) key: Option<String>,
}

impl Stranger<'_> {
    pub(super) fn new(server: &MockServer) -> Stranger<'_> {
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
    pub(super) fn call(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
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

    pub(super) fn ok(&self, method: &str, path: &str, body: Option<&str>) -> Value {
        let a = self.call(method, path, body);
        assert_eq!(a.status, 200, "{method} {path}: {a:?}");
        a.json
    }

    /// Checks an error answer: status, and the spec's envelope with this type.
    pub(super) fn error(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        status: u16,
        ty: &str,
    ) -> Answer {
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
pub(super) enum Ty {
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
pub(super) fn shape(v: &Value, kind: &str, fields: &[(&str, Ty)]) {
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

pub(super) const USER: &[(&str, Ty)] = &[
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
pub(super) const APP: &[(&str, Ty)] = &[
    ("app_id", Ty::Str("app_")),
    ("created_at", Ty::Int),
    ("updated_at", Ty::Int),
    ("publishable_key", Ty::Str("pk_")),
    ("app_type", Ty::OneOf(&["ios", "android", "web"])),
    ("name", Ty::Str("")),
    ("description", Ty::StrOrNull),
];
pub(super) const DEVICE: &[(&str, Ty)] = &[
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
pub(super) const EVENT: &[(&str, Ty)] = &[
    ("event_id", Ty::Str("evt_")),
    ("created_at", Ty::Int),
    ("data", Ty::Obj),
    ("request", Ty::Str("req_")),
    ("type", Ty::Str("")),
    ("livemode", Ty::Bool),
];
pub(super) const LOG: &[(&str, Ty)] = &[
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
pub(super) const WEBHOOK_ENDPOINT: &[(&str, Ty)] = &[
    ("webhook_endpoint_id", Ty::Str("we_")),
    ("created_at", Ty::Int),
    ("updated_at", Ty::Int),
    ("status", Ty::Str("")),
    ("url", Ty::Str("http")),
    ("events", Ty::Arr),
    ("livemode", Ty::Bool),
    ("secret", Ty::Str("whsec_")),
];
pub(super) const ENROLLMENT_KEY: &[(&str, Ty)] = &[
    ("enrollment_key_id", Ty::Str("ek_")),
    ("user_id", Ty::Str("usr_")),
    ("created_at", Ty::Int),
    ("expires_at", Ty::Int),
    ("livemode", Ty::Bool),
    ("secret", Ty::Str("eks_")),
];
pub(super) const RECOVERY_KEY: &[(&str, Ty)] = &[
    ("recovery_key_id", Ty::Str("rk_")),
    ("user_id", Ty::Str("usr_")),
    ("created_at", Ty::Int),
    ("expires_at", Ty::Int),
    ("livemode", Ty::Bool),
    ("secret", Ty::Str("rks_")),
    ("flow", Ty::Arr),
];

/// Checks the list envelope and each item's shape; returns the items.
pub(super) fn list_of(v: &Value, url: &str, kind: &str, fields: &[(&str, Ty)]) -> Vec<Value> {
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
