//! From a request to a reply: authentication, routing, the shape of bodies and queries, and
//! the JSON of answers. Pure with respect to HTTP: `server` reads the wire, this decides.
//!
//! Choices the spec leaves open:
//! - Authentication comes first: any path but `/health` (and `OPTIONS *`) answers 401 without
//!   the right key, even an unknown one. The scheme `Bearer` may be in any case.
//! - `HEAD` is answered as `GET` is, without the body; `OPTIONS` with `204` and `Allow`.
//! - A body that is not JSON, not an object, nests deeper than [`MAX_DEPTH`] levels, has an
//!   unknown field, lacks a required field or gives one the wrong JSON type: `400
//!   bad_request`. A well-formed request the state or the values forbid (an unknown user for
//!   a key, a bad `app_type`, status or URL): `422`.
//! - A list cursor (`starting_after`) that is not an item of that list, and was not one lately
//!   (see [`Store::page`]): `400 bad_request`.

use std::sync::{Arc, Mutex};

use percent_encoding::percent_decode_str;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Value, json};

use super::json::{MAX_DEPTH, text_depth, too_deep};
use super::model::{self, Failure};
use super::reply::Reply;
use super::requests::RecordedRequest;
use super::state::lock;
use super::store::{Kind, Obj, Store, str_field};

/// The default and the largest page size.
pub(crate) const DEFAULT_LIMIT: usize = 10;
pub(crate) const MAX_LIMIT: usize = 100;

/// The methods of the server as a whole, for `OPTIONS *`.
const SERVER_METHODS: [&str; 5] = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/// Whether a request to this path needs the key: all but `/health` and `OPTIONS *`.
pub(crate) fn needs_key(path: &str) -> bool {
    path != "/health" && path != "*"
}

/// The `401` for a request to a path that needs the key and does not carry it.
pub(crate) fn unauthorized(req: &RecordedRequest, secret_key: &str) -> Option<Reply> {
    let refused = needs_key(&req.path) && !req.carries_key(secret_key);
    refused.then(|| {
        Reply::unauthorized(
            "missing or invalid secret key: send Authorization: Bearer <secret key>",
        )
    })
}

type Result<T> = std::result::Result<T, Failure>;

fn bad(message: impl Into<String>) -> Failure {
    Failure::new(400, message)
}

/// Answers one request. Never panics, whatever it is sent.
pub(crate) fn handle(
    store: &Mutex<Store>,
    secret_key: &str,
    req: &RecordedRequest,
    request_id: &str,
) -> Reply {
    // HEAD is GET without the body, which the server leaves out.
    let method = match req.method.as_str() {
        "HEAD" => "GET",
        m => m,
    };
    if req.path == "*" {
        return Reply::options(&SERVER_METHODS);
    }
    let segments: Vec<&str> = match req.path.strip_prefix('/') {
        Some(p) => p.split('/').collect(),
        None => return Reply::error(404, "unknown path"),
    };
    if segments == ["health"] {
        return match method {
            "GET" => Reply::json(200, &json!({"status": "ok"})),
            "OPTIONS" => Reply::options(&["GET"]),
            _ => not_allowed(&["GET"]),
        };
    }
    if let Some(refused) = unauthorized(req, secret_key) {
        return refused;
    }
    let Some(route) = Route::parse(&segments) else {
        return Reply::error(404, &format!("unknown path {}", req.path));
    };
    let allowed = route.methods();
    if method == "OPTIONS" {
        return Reply::options(allowed);
    }
    if !allowed.contains(&method) {
        return not_allowed(allowed);
    }
    let mut store = lock(store);
    let ctx = Ctx {
        req,
        request_id,
        store: &mut store,
    };
    match ctx.dispatch(&route, method) {
        Ok(reply) => reply,
        Err(f) => f.into(),
    }
}

fn not_allowed(allowed: &[&str]) -> Reply {
    Reply::not_allowed(allowed, "method not allowed on this path")
}

/// A known path, its ID segments percent-decoded.
enum Route {
    Collection(Kind),
    Item(Kind, String),
    /// `/v1/users/{id}/devices`, `/v1/users/{id}/logs`, `/v1/devices/{id}/logs`.
    SubList {
        parent: Kind,
        id: String,
        items: Kind,
    },
    /// `/v1/apps/{x}`: an app ID for GET and DELETE, an app type for POST.
    AppsItem(String),
}

impl Route {
    fn parse(segments: &[&str]) -> Option<Route> {
        let kind = |name: &str| match name {
            "users" => Some(Kind::User),
            "apps" => Some(Kind::App),
            "devices" => Some(Kind::Device),
            "events" => Some(Kind::Event),
            "logs" => Some(Kind::Log),
            "webhook_endpoints" => Some(Kind::WebhookEndpoint),
            "enrollment_keys" => Some(Kind::EnrollmentKey),
            "recovery_keys" => Some(Kind::RecoveryKey),
            _ => None,
        };
        // An ID that is not valid UTF-8 once decoded names nothing: it still routes, and 404s.
        let decode = |s: &str| {
            percent_decode_str(s)
                .decode_utf8()
                .map(|c| c.into_owned())
                .unwrap_or_default()
        };
        Some(match segments {
            ["v1", c] => Route::Collection(kind(c)?),
            ["v1", "apps", x] => Route::AppsItem(decode(x)),
            ["v1", c, id] => match kind(c)? {
                Kind::EnrollmentKey | Kind::RecoveryKey => return None,
                k => Route::Item(k, decode(id)),
            },
            ["v1", "users", id, sub @ ("devices" | "logs")] => Route::SubList {
                parent: Kind::User,
                id: decode(id),
                items: kind(sub)?,
            },
            ["v1", "devices", id, "logs"] => Route::SubList {
                parent: Kind::Device,
                id: decode(id),
                items: Kind::Log,
            },
            _ => return None,
        })
    }

    fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::Collection(Kind::User | Kind::WebhookEndpoint) => &["GET", "POST"],
            Route::Collection(Kind::EnrollmentKey | Kind::RecoveryKey) => &["POST"],
            Route::Collection(_) => &["GET"],
            Route::Item(Kind::User | Kind::WebhookEndpoint, _) => &["GET", "PATCH", "DELETE"],
            Route::Item(Kind::Device, _) => &["GET", "DELETE"],
            Route::Item(..) => &["GET"],
            Route::AppsItem(_) => &["GET", "POST", "DELETE"],
            Route::SubList { .. } => &["GET"],
        }
    }
}

/// One request being answered, the store locked.
struct Ctx<'a> {
    req: &'a RecordedRequest,
    request_id: &'a str,
    store: &'a mut Store,
}

impl Ctx<'_> {
    fn dispatch(self, route: &Route, method: &str) -> Result<Reply> {
        let rid = self.request_id;
        let ok = |o: Obj| -> Result<Reply> { Ok(Reply::stream(200, o)) };
        match (route, method) {
            (Route::Collection(k), "GET") => self.list(*k, format!("/v1/{}s", k.name()), |_| true),
            (Route::SubList { parent, id, items }, _) => {
                if self.store.get(*parent, id).is_none() {
                    return Err(Failure::not_found(*parent, id));
                }
                let url = format!("/v1/{}s/{id}/{}s", parent.name(), items.name());
                let field = parent.id_field();
                self.list(*items, url, |o| str_field(o, field) == Some(id))
            }
            (Route::Item(k, id), "GET") => self.retrieve(*k, id),
            (Route::AppsItem(id), "GET") => self.retrieve(Kind::App, id),
            (Route::Collection(Kind::User), _) => {
                let mut b = Body::parse(&self.req.body, &["metadata"])?;
                let metadata = b.object("metadata")?.unwrap_or_default();
                ok(model::create_user(self.store, metadata, rid))
            }
            (Route::Item(Kind::User, id), "PATCH") => {
                let mut b = Body::parse(&self.req.body, &["metadata", "status"])?;
                let (metadata, status) = (b.object("metadata")?, b.string("status")?);
                ok(model::update_user(self.store, id, metadata, status, rid)?)
            }
            (Route::Item(Kind::User, id), _) => ok(model::delete_user(self.store, id, rid)?),
            (Route::AppsItem(app_type), "POST") => {
                let mut b = Body::parse(&self.req.body, &["name", "description"])?;
                let name = b.required_string("name")?;
                let description = b.string("description")?;
                ok(model::create_app(
                    self.store,
                    app_type,
                    name,
                    description,
                    rid,
                )?)
            }
            (Route::AppsItem(id), _) => ok(model::delete_plain(self.store, Kind::App, id, rid)?),
            (Route::Item(Kind::Device, id), _) => ok(model::delete_device(self.store, id, rid)?),
            (Route::Collection(Kind::WebhookEndpoint), _) => {
                let mut b = Body::parse(&self.req.body, &["url", "events"])?;
                let url = b.required_string("url")?;
                let events = b.strings("events")?.ok_or_else(|| missing("events"))?;
                ok(model::create_webhook(self.store, url, events, rid)?)
            }
            (Route::Item(Kind::WebhookEndpoint, id), "PATCH") => {
                let mut b = Body::parse(&self.req.body, &["url", "events", "status"])?;
                let (url, events, status) =
                    (b.string("url")?, b.strings("events")?, b.string("status")?);
                ok(model::update_webhook(
                    self.store, id, url, events, status, rid,
                )?)
            }
            (Route::Item(Kind::WebhookEndpoint, id), _) => ok(model::delete_plain(
                self.store,
                Kind::WebhookEndpoint,
                id,
                rid,
            )?),
            (Route::Collection(Kind::EnrollmentKey), _) => {
                let mut b = Body::parse(&self.req.body, &["user_id"])?;
                let user_id = b.required_string("user_id")?;
                ok(model::create_enrollment_key(self.store, &user_id, rid)?)
            }
            (Route::Collection(Kind::RecoveryKey), _) => {
                let mut b = Body::parse(&self.req.body, &["user_id", "flow"])?;
                let user_id = b.required_string("user_id")?;
                let flow = b.strings("flow")?.unwrap_or_default();
                ok(model::create_recovery_key(self.store, &user_id, flow, rid)?)
            }
            // `Route::methods` lets nothing else through.
            _ => Err(Failure::new(405, "method not allowed on this path")),
        }
    }

    fn retrieve(self, kind: Kind, id: &str) -> Result<Reply> {
        match self.store.get_shared(kind, id) {
            Some(o) => Ok(Reply::stream(200, SharedObj(Arc::clone(o)))),
            None => Err(Failure::not_found(kind, id)),
        }
    }

    /// A list page in the spec's envelope.
    fn list(self, kind: Kind, url: String, keep: impl Fn(&Obj) -> bool) -> Result<Reply> {
        let (limit, starting_after) = list_params(self.req.query.as_deref())?;
        let page = self
            .store
            .page(kind, keep, limit, starting_after.as_deref())
            .ok_or_else(|| {
                bad(format!(
                    "starting_after {:?} is not an item of {url}",
                    starting_after.as_deref().unwrap_or_default()
                ))
            })?;
        let ended_at = page
            .items
            .last()
            .and_then(|o| str_field(o, kind.id_field()))
            .map(str::to_owned);
        Ok(Reply::stream(
            200,
            ListPage {
                url,
                has_more: page.has_more,
                ended_at,
                data: page.items,
            },
        ))
    }
}

/// A stored object in an answer: shared with the store, serialized as it is written.
struct SharedObj(Arc<Obj>);

impl Serialize for SharedObj {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// A page of a list in the spec's envelope: `{"object": "list", "url", "count", "has_more",
/// "ended_at", "data"}`, its items shared with the store.
struct ListPage {
    url: String,
    has_more: bool,
    ended_at: Option<String>,
    data: Vec<Arc<Obj>>,
}

impl Serialize for ListPage {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let items: Vec<&Obj> = self.data.iter().map(|o| &**o).collect();
        let mut map = s.serialize_map(Some(6))?;
        map.serialize_entry("object", "list")?;
        map.serialize_entry("url", &self.url)?;
        map.serialize_entry("count", &items.len())?;
        map.serialize_entry("has_more", &self.has_more)?;
        map.serialize_entry("ended_at", &self.ended_at)?;
        map.serialize_entry("data", &items)?;
        map.end()
    }
}

/// `limit` (1 to 100, default 10) and `starting_after` from a raw query string.
fn list_params(query: Option<&str>) -> Result<(usize, Option<String>)> {
    let mut limit = DEFAULT_LIMIT;
    let mut starting_after = None;
    for pair in query
        .unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let value = percent_decode_str(value).decode_utf8_lossy();
        match name {
            "limit" => {
                limit = value
                    .parse::<usize>()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        bad(format!(
                            "limit must be an integer from 1 to {MAX_LIMIT}, not {value:?}"
                        ))
                    })?;
            }
            "starting_after" => starting_after = Some(value.into_owned()),
            _ => {}
        }
    }
    Ok((limit, starting_after))
}

fn missing(field: &str) -> Failure {
    bad(format!("missing required parameter: {field}"))
}

/// A request body: a JSON object (an empty body counts as `{}`) with only allowed fields.
struct Body(Obj);

impl Body {
    fn parse(body: &str, allowed: &[&str]) -> Result<Body> {
        if body.trim().is_empty() {
            return Ok(Body(Obj::new()));
        }
        if let Some(m) = too_deep("the body", text_depth(body.as_bytes()), MAX_DEPTH) {
            return Err(bad(m));
        }
        let fields = match serde_json::from_str::<Value>(body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(bad("the body must be a JSON object")),
            Err(e) => return Err(bad(format!("the body is not valid JSON: {e}"))),
        };
        if let Some(unknown) = fields.keys().find(|k| !allowed.contains(&k.as_str())) {
            return Err(bad(format!("unknown parameter: {unknown}")));
        }
        Ok(Body(fields))
    }

    /// Takes a field; `null` counts as absent.
    fn take(&mut self, name: &str) -> Option<Value> {
        self.0.remove(name).filter(|v| !v.is_null())
    }

    fn string(&mut self, name: &str) -> Result<Option<String>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(_) => Err(bad(format!("{name} must be a string"))),
        }
    }

    fn required_string(&mut self, name: &str) -> Result<String> {
        self.string(name)?.ok_or_else(|| missing(name))
    }

    fn object(&mut self, name: &str) -> Result<Option<Obj>> {
        match self.take(name) {
            None => Ok(None),
            Some(Value::Object(m)) => Ok(Some(m)),
            Some(_) => Err(bad(format!("{name} must be an object"))),
        }
    }

    fn strings(&mut self, name: &str) -> Result<Option<Vec<String>>> {
        let Some(v) = self.take(name) else {
            return Ok(None);
        };
        let wrong = || bad(format!("{name} must be a list of strings"));
        let Value::Array(items) = v else {
            return Err(wrong());
        };
        items
            .into_iter()
            .map(|i| match i {
                Value::String(s) => Ok(s),
                _ => Err(wrong()),
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }
}
