//! The control API: `/_mock/…`, a namespace no API path can reach (every API path starts with
//! `/v1/` or is `/health`), so tests in any language can drive the emulator over HTTP the way
//! moto's `/moto-api/` drives AWS mocks. It takes the emulator's key, from loopback, and JSON
//! (see `guard`); bodies are JSON in and out, and errors have the spec's error shape.
//!
//! Every operation is a function here, called both by the HTTP routes below and by the
//! [`MockServer`](super::MockServer) methods that mirror them (which need no key: they run in
//! the test's own process), so the two cannot drift apart.

use std::sync::atomic::Ordering;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

use super::clock::Clock;
use super::faults::{Fault, MAX_FAULT_BYTES, MAX_FAULTS};
use super::guard;
use super::json::{MAX_DEPTH, object_depth, text_depth, too_deep};
use super::model::{self, Failure};
use super::reply::Reply;
use super::requests::RecordedRequest;
use super::rng::{Rng, Stream, entropy_seed};
use super::seeds::DeviceSeed;
use super::snapshot;
use super::state::Shared;
use super::state::lock;
use super::store::{Kind, Obj};

/// The lifetime of a minted ID token, unless asked otherwise.
pub(crate) const ID_TOKEN_LIFETIME_SECS: i64 = 300;

/// Whether a path belongs to the control API.
pub(crate) fn owns(path: &str) -> bool {
    path == "/_mock" || path.starts_with("/_mock/")
}

type Result<T> = std::result::Result<T, Failure>;

// The operations.

/// Empties the store, the faults and the request log, and rewinds the clock and the
/// generators to how the server started. `seed`: start over as if started with this seed.
/// An unseeded server draws a fresh seed, so IDs from before the reset never come back.
/// Returns the seed now in use.
pub(crate) fn reset(shared: &Shared, seed: Option<u64>) -> u64 {
    let origin = {
        let mut o = lock(&shared.origin);
        match seed {
            Some(s) => (o.seed, o.seeded) = (s, true),
            None if !o.seeded => o.seed = entropy_seed(),
            None => {}
        }
        *o
    };
    // Under the faults' lock, where a request takes its fault and reads the count of
    // resets: a request that took a fault before this reset sees it, whenever it looks.
    let mut faults = lock(&shared.faults);
    *lock(&shared.store) = origin.store();
    *faults = origin.faults();
    lock(&shared.requests).clear();
    *lock(&shared.request_ids) = Rng::stream(origin.seed, Stream::Requests);
    // Requests still waiting in a delay belong to the state before: they end unanswered.
    shared.resets.fetch_add(1, Ordering::SeqCst);
    drop(faults);
    shared.wake_delays();
    origin.seed
}

/// Removes every fault; returns how many there were. Requests waiting in a delay are
/// answered now.
pub(crate) fn clear_faults(shared: &Shared) -> usize {
    let cleared = {
        // Counted under the lock a request takes its fault under (see `reset`).
        let mut faults = lock(&shared.faults);
        shared.fault_clears.fetch_add(1, Ordering::SeqCst);
        faults.clear()
    };
    shared.wake_delays();
    cleared
}

/// The state as a value (for Rust); over HTTP it is streamed.
pub(crate) fn snapshot(shared: &Shared) -> Value {
    let snap = snapshot::take(&lock(&shared.store));
    serde_json::to_value(snap).unwrap_or_default()
}

pub(crate) fn restore(shared: &Shared, snapshot: Value) -> Result<()> {
    snapshot::restore(&mut lock(&shared.store), snapshot).map_err(|m| Failure::new(400, m))
}

/// `400` for an object that would nest past [`MAX_DEPTH`] one level down, as a body holding
/// it does (`{"metadata": …}`): a Rust caller's metadata or event data, checked as a body
/// sent over HTTP is.
fn check_depth(what: &str, fields: &Obj) -> Result<()> {
    match too_deep(what, 1 + object_depth(fields), MAX_DEPTH) {
        Some(m) => Err(Failure::new(400, m)),
        None => Ok(()),
    }
}

pub(crate) fn seed_user(shared: &Shared, metadata: Obj, status: Option<String>) -> Result<Obj> {
    check_depth("a user with this metadata", &metadata)?;
    let request_id = shared.request_id();
    model::seed_user(&mut lock(&shared.store), metadata, status, &request_id)
}

pub(crate) fn seed_device(shared: &Shared, user_id: &str, seed: &DeviceSeed) -> Result<Obj> {
    let request_id = shared.request_id();
    model::enroll_device(&mut lock(&shared.store), user_id, seed, &request_id)
}

pub(crate) fn seed_log(shared: &Shared, device_id: &str, success: bool) -> Result<Obj> {
    model::record_log(&mut lock(&shared.store), device_id, success)
}

pub(crate) fn seed_event(shared: &Shared, event_type: &str, data: Obj) -> Result<Obj> {
    check_depth("an event with this data", &data)?;
    let request_id = shared.request_id();
    model::seed_event(&mut lock(&shared.store), event_type, data, &request_id)
}

/// An ID token's claims: `sub`, `iss` (the server's URL), `amr`, `iat` (the emulator's clock)
/// and `exp` (`expires_in` later), then `extra` on top, where `null` removes a claim.
pub(crate) fn id_token_claims(
    shared: &Shared,
    sub: &str,
    amr: &[String],
    expires_in: i64,
    extra: &Obj,
) -> Value {
    let iat = lock(&shared.store).now();
    let mut claims = Map::new();
    claims.insert("sub".into(), sub.into());
    claims.insert("iss".into(), shared.url.clone().into());
    claims.insert("amr".into(), amr.into());
    claims.insert("iat".into(), iat.into());
    claims.insert("exp".into(), iat.saturating_add(expires_in).into());
    for (name, value) in extra {
        if value.is_null() {
            claims.remove(name);
        } else {
            claims.insert(name.clone(), value.clone());
        }
    }
    Value::Object(claims)
}

/// Signs claims as an HS256 JWT keyed by the secret key.
pub(crate) fn sign(secret_key: &str, claims: &Value) -> std::result::Result<String, String> {
    // jsonwebtoken's pure-Rust provider, as the crate verifies with; an `Err` means one is
    // installed already, which is just as good.
    let _ = jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER.install_default();
    let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
    let key = jsonwebtoken::EncodingKey::from_secret(secret_key.as_bytes());
    jsonwebtoken::encode(&header, claims, &key).map_err(|e| e.to_string())
}

/// Sets the clock: frozen at an instant, or the system's.
pub(crate) fn set_clock(shared: &Shared, clock: Clock) {
    lock(&shared.store).clock = clock;
}

/// Moves the clock by `seconds` (negative: back), frozen or not.
pub(crate) fn advance_clock(shared: &Shared, seconds: i64) {
    lock(&shared.store).clock.advance(seconds);
}

/// The clock as the control API shows it.
pub(crate) fn clock(shared: &Shared) -> Value {
    let store = lock(&shared.store);
    json!({"now": store.now(), "frozen": store.clock.is_frozen()})
}

fn counts(shared: &Shared) -> Value {
    let store = lock(&shared.store);
    let counts: Map<String, Value> = Kind::ALL
        .into_iter()
        .map(|k| {
            let c = json!({"count": store.count(k), "created": store.creates(k)});
            (k.name().to_string(), c)
        })
        .collect();
    Value::Object(counts)
}

// The HTTP routes.

/// Answers a request to `/_mock/…`: `authority` is the host of an absolute-form target.
pub(crate) fn handle(shared: &Shared, req: &RecordedRequest, authority: Option<&str>) -> Reply {
    let port = shared.url.rsplit(':').next().and_then(|p| p.parse().ok());
    if let Some(refused) = guard::refuse(req, authority, port.unwrap_or(0), &shared.secret_key) {
        return refused;
    }
    let route = req.path.strip_prefix("/_mock/").unwrap_or_default();
    let allowed: &[&str] = match route {
        "reset" | "users" | "devices" | "logs" | "events" | "id_tokens" | "clock/advance" => {
            &["POST"]
        }
        "state" => &["GET", "PUT"],
        "faults" => &["GET", "POST", "DELETE"],
        "requests" => &["GET", "DELETE"],
        "clock" => &["GET", "PUT", "DELETE"],
        "counts" => &["GET"],
        _ => {
            let message = format!(
                "no control endpoint {}: see docs/testing.md for the /_mock/ API",
                req.path
            );
            return Reply::error(404, &message);
        }
    };
    // HEAD is GET without the body, which the server leaves out.
    let method = match req.method.as_str() {
        "HEAD" => "GET",
        m => m,
    };
    if method == "OPTIONS" {
        return Reply::options(allowed);
    }
    if !allowed.contains(&method) {
        return Reply::not_allowed(allowed, "method not allowed on this control endpoint");
    }
    if let Some(refused) = guard::refuse_body(req) {
        return refused;
    }
    // A snapshot nests deeper than the bodies that made its objects: its objects are checked
    // one by one instead.
    let limit = if route == "state" {
        usize::MAX
    } else {
        MAX_DEPTH
    };
    if let Some(m) = too_deep("the body", text_depth(req.body.as_bytes()), limit) {
        return Reply::error(400, &m);
    }
    match route_call(shared, route, method, &req.body) {
        Ok(reply) => reply,
        Err(f) => f.into(),
    }
}

fn route_call(shared: &Shared, route: &str, method: &str, body: &str) -> Result<Reply> {
    let v = match (route, method) {
        ("reset", _) => {
            let b: ResetIn = parse(body)?;
            json!({"reset": true, "seed": reset(shared, b.seed)})
        }
        ("state", "GET") => {
            let snap = snapshot::take(&lock(&shared.store));
            return Ok(Reply::stream(200, snap));
        }
        ("state", _) => {
            restore(shared, parse(body)?)?;
            json!({"restored": true, "counts": counts(shared)})
        }
        ("users", _) => {
            let b: UserIn = parse(body)?;
            Value::Object(seed_user(shared, b.metadata, b.status)?)
        }
        ("devices", _) => {
            let b: DeviceIn = parse(body)?;
            let d = DeviceSeed::default();
            let seed = DeviceSeed {
                name: b.name.unwrap_or(d.name),
                make: b.make.unwrap_or(d.make),
                model: b.model.unwrap_or(d.model),
                platform: b.platform.unwrap_or(d.platform),
                platform_version: b.platform_version.unwrap_or(d.platform_version),
                framework_version: b.framework_version.unwrap_or(d.framework_version),
                push_notification_token: b.push_notification_token,
                left_palm: b.left_palm.unwrap_or(d.left_palm),
                right_palm: b.right_palm.unwrap_or(d.right_palm),
            };
            Value::Object(seed_device(shared, &b.user_id, &seed)?)
        }
        ("logs", _) => {
            let b: LogIn = parse(body)?;
            Value::Object(seed_log(shared, &b.device_id, b.success.unwrap_or(true))?)
        }
        ("events", _) => {
            let b: EventIn = parse(body)?;
            Value::Object(seed_event(shared, &b.event_type, b.data)?)
        }
        ("id_tokens", _) => {
            let b: TokenIn = parse(body)?;
            let expires_in = b.expires_in.unwrap_or(ID_TOKEN_LIFETIME_SECS);
            let claims = id_token_claims(shared, &b.sub, &b.amr, expires_in, &b.claims);
            let token = sign(&shared.secret_key, &claims).map_err(|e| Failure::new(500, e))?;
            json!({"id_token": token, "claims": claims})
        }
        ("faults", "GET") => {
            let listed = lock(&shared.faults).list();
            return Ok(Reply::stream(200, json!({"data": listed})));
        }
        ("faults", "POST") => install_faults(shared, body)?,
        ("faults", _) => json!({"cleared": clear_faults(shared)}),
        ("requests", "GET") => {
            let log = lock(&shared.requests).view(&shared.secret_key);
            return Ok(Reply::stream(200, log));
        }
        ("requests", _) => json!({"cleared": lock(&shared.requests).clear()}),
        ("clock", "GET") => clock(shared),
        ("clock", "PUT") => {
            let b: ClockIn = parse(body)?;
            set_clock(shared, Clock::Frozen(b.now));
            clock(shared)
        }
        ("clock", _) => {
            set_clock(shared, Clock::system());
            clock(shared)
        }
        ("clock/advance", _) => {
            let b: AdvanceIn = parse(body)?;
            advance_clock(shared, b.seconds);
            clock(shared)
        }
        ("counts", _) => counts(shared),
        _ => return Err(Failure::new(405, "method not allowed")),
    };
    Ok(Reply::json(200, &v))
}

/// `POST /_mock/faults`: one fault or a list, all installed or none.
fn install_faults(shared: &Shared, body: &str) -> Result<Value> {
    let faults: Vec<Fault> = match parse::<Value>(body)? {
        Value::Array(items) => items.into_iter().map(fault_from).collect::<Result<_>>()?,
        one => vec![fault_from(one)?],
    };
    let mut queue = lock(&shared.faults);
    if queue.len().saturating_add(faults.len()) > MAX_FAULTS {
        return Err(Failure::new(
            422,
            format!(
                "at most {MAX_FAULTS} faults may be installed at once ({} are, {} sent): \
                 clear them with DELETE /_mock/faults",
                queue.len(),
                faults.len()
            ),
        ));
    }
    let bytes: usize = faults.iter().map(Fault::size).sum();
    if queue.bytes().saturating_add(bytes) > MAX_FAULT_BYTES {
        return Err(Failure::new(
            422,
            format!(
                "the faults installed may hold {MAX_FAULT_BYTES} bytes at once: clear them with \
                 DELETE /_mock/faults"
            ),
        ));
    }
    for f in &faults {
        queue.push(f.clone());
    }
    Ok(json!({"data": faults}))
}

/// A JSON body; an empty one counts as `{}`.
fn parse<T: DeserializeOwned>(body: &str) -> Result<T> {
    let text = if body.trim().is_empty() { "{}" } else { body };
    serde_json::from_str(text).map_err(|e| Failure::new(400, format!("bad request body: {e}")))
}

fn fault_from(v: Value) -> Result<Fault> {
    serde_json::from_value(v).map_err(|e| Failure::new(400, format!("bad fault: {e}")))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetIn {
    seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserIn {
    #[serde(default)]
    metadata: Obj,
    status: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviceIn {
    user_id: String,
    name: Option<String>,
    make: Option<String>,
    model: Option<String>,
    platform: Option<String>,
    platform_version: Option<String>,
    framework_version: Option<String>,
    push_notification_token: Option<String>,
    left_palm: Option<bool>,
    right_palm: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LogIn {
    device_id: String,
    success: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EventIn {
    #[serde(rename = "type")]
    event_type: String,
    #[serde(default)]
    data: Obj,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TokenIn {
    sub: String,
    #[serde(default)]
    amr: Vec<String>,
    expires_in: Option<i64>,
    #[serde(default)]
    claims: Obj,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClockIn {
    now: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AdvanceIn {
    seconds: i64,
}
