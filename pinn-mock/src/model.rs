//! What each mutation does to the store: the objects' fields and realistic values, cascades,
//! the checks that give `422 unprocessable_entity`, and the event each change records.
//!
//! Every function here takes arguments already checked for shape by `routes` (or given by the
//! seeding calls) and returns the new state of the object or a [`Failure`].

use serde_json::{Value, json};

use super::seeds::DeviceSeed;
use super::store::{Kind, Obj, Store, str_field};

/// The user statuses the emulator accepts. The spec names none; these two are the ones the
/// Python SDK's documentation uses.
pub(crate) const USER_STATUSES: [&str; 2] = ["active", "disabled"];
/// The webhook endpoint statuses the emulator accepts.
pub(crate) const WEBHOOK_STATUSES: [&str; 2] = ["enabled", "disabled"];
/// The app types of `POST /v1/apps/{app_type}`.
pub(crate) const APP_TYPES: [&str; 3] = ["ios", "android", "web"];
/// Lifetime of enrollment and recovery keys, in seconds.
pub(crate) const KEY_LIFETIME_SECS: i64 = 3600;

/// An error answer: a status (its `error.type` follows from it) and a message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Failure {
    pub status: u16,
    pub message: String,
}

impl Failure {
    pub(crate) fn new(status: u16, message: impl Into<String>) -> Failure {
        Failure {
            status,
            message: message.into(),
        }
    }

    pub(crate) fn not_found(kind: Kind, id: &str) -> Failure {
        Failure::new(404, format!("no such {}: {id:?}", kind.name()))
    }
}

type Result<T> = std::result::Result<T, Failure>;

/// Turns a `json!({...})` literal into a map.
fn obj(v: Value) -> Obj {
    match v {
        Value::Object(m) => m,
        _ => Obj::new(),
    }
}

/// The answer to a DELETE: `{"object": kind, "<kind>_id": id, "deleted": true}`.
fn deleted(kind: Kind, id: &str) -> Obj {
    obj(json!({"object": kind.name(), kind.id_field(): id, "deleted": true}))
}

fn require_user(store: &Store, user_id: &str) -> Result<()> {
    match store.get(Kind::User, user_id) {
        Some(_) => Ok(()),
        None => Err(Failure::new(
            422,
            format!("user_id {user_id:?} does not name an existing user"),
        )),
    }
}

pub(crate) fn create_user(store: &mut Store, metadata: Obj, request_id: &str) -> Obj {
    insert_user(store, metadata, "active", request_id)
}

/// Creates a user with a status of choice (a seeding call; the API creates only `active`
/// users).
pub(crate) fn seed_user(
    store: &mut Store,
    metadata: Obj,
    status: Option<String>,
    request_id: &str,
) -> Result<Obj> {
    check_status(status.as_deref(), &USER_STATUSES)?;
    let status = status.as_deref().unwrap_or("active");
    Ok(insert_user(store, metadata, status, request_id))
}

fn insert_user(store: &mut Store, metadata: Obj, status: &str, request_id: &str) -> Obj {
    let t = store.now();
    let user = store.insert(
        Kind::User,
        t,
        obj(json!({
            "updated_at": t,
            "authenticated_at": null,
            "device_enrolled": false,
            "left_palm_enrolled": false,
            "right_palm_enrolled": false,
            "metadata": metadata,
            "status": status,
        })),
    );
    store.record_event("user.created", &user, request_id);
    user
}

/// Records an event of any type with any `data` (a seeding call: the API records events only
/// as a side effect).
pub(crate) fn seed_event(
    store: &mut Store,
    event_type: &str,
    data: Obj,
    request_id: &str,
) -> Result<Obj> {
    if event_type.trim().is_empty() {
        return Err(Failure::new(422, "an event needs a type"));
    }
    let t = store.now();
    let fields = obj(json!({
        "type": event_type,
        "data": data,
        "request": request_id,
        "livemode": false,
    }));
    Ok(store.insert(Kind::Event, t, fields))
}

/// `422` for a status outside `allowed`.
fn check_status(status: Option<&str>, allowed: &[&str]) -> Result<()> {
    match status {
        Some(s) if !allowed.contains(&s) => Err(Failure::new(
            422,
            format!("status must be one of {allowed:?}, not {s:?}"),
        )),
        _ => Ok(()),
    }
}

pub(crate) fn update_user(
    store: &mut Store,
    user_id: &str,
    metadata: Option<Obj>,
    status: Option<String>,
    request_id: &str,
) -> Result<Obj> {
    check_status(status.as_deref(), &USER_STATUSES)?;
    let t = store.now();
    let user = store
        .get_mut(Kind::User, user_id)
        .ok_or_else(|| Failure::not_found(Kind::User, user_id))?;
    if let Some(m) = metadata {
        user.insert("metadata".into(), Value::Object(m));
    }
    if let Some(s) = status {
        user.insert("status".into(), s.into());
    }
    user.insert("updated_at".into(), t.into());
    let user = user.clone();
    store.record_event("user.updated", &user, request_id);
    Ok(user)
}

/// Deletes a user and, first, each of their devices.
pub(crate) fn delete_user(store: &mut Store, user_id: &str, request_id: &str) -> Result<Obj> {
    if store.get(Kind::User, user_id).is_none() {
        return Err(Failure::not_found(Kind::User, user_id));
    }
    let devices = store.ids_where(Kind::Device, |d| str_field(d, "user_id") == Some(user_id));
    for id in devices {
        if let Some(device) = store.remove(Kind::Device, &id) {
            store.record_event("device.deleted", &device, request_id);
        }
    }
    let user = store
        .remove(Kind::User, user_id)
        .ok_or_else(|| Failure::not_found(Kind::User, user_id))?;
    store.record_event("user.deleted", &user, request_id);
    Ok(deleted(Kind::User, user_id))
}

pub(crate) fn create_app(
    store: &mut Store,
    app_type: &str,
    name: String,
    description: Option<String>,
    request_id: &str,
) -> Result<Obj> {
    if !APP_TYPES.contains(&app_type) {
        return Err(Failure::new(
            422,
            format!("app_type must be one of {APP_TYPES:?}, not {app_type:?}"),
        ));
    }
    if name.trim().is_empty() {
        return Err(Failure::new(422, "name must not be empty"));
    }
    let t = store.now();
    let secret = format!("pk_test_{}", store.rng.alnum(24));
    let app = store.insert(
        Kind::App,
        t,
        obj(json!({
            "updated_at": t,
            "publishable_key": secret,
            "app_type": app_type,
            "name": name,
            "description": description,
        })),
    );
    store.record_event("app.created", &app, request_id);
    Ok(app)
}

/// Deletes an object that has no cascade (an app or a webhook endpoint), recording
/// `<kind>.deleted`.
pub(crate) fn delete_plain(
    store: &mut Store,
    kind: Kind,
    id: &str,
    request_id: &str,
) -> Result<Obj> {
    let gone = store
        .remove(kind, id)
        .ok_or_else(|| Failure::not_found(kind, id))?;
    store.record_event(&format!("{}.deleted", kind.name()), &gone, request_id);
    Ok(deleted(kind, id))
}

/// Deletes a device; its user keeps `device_enrolled` (and the palm flags) only while another
/// device remains.
pub(crate) fn delete_device(store: &mut Store, device_id: &str, request_id: &str) -> Result<Obj> {
    let device = store
        .remove(Kind::Device, device_id)
        .ok_or_else(|| Failure::not_found(Kind::Device, device_id))?;
    store.record_event("device.deleted", &device, request_id);
    if let Some(user_id) = str_field(&device, "user_id") {
        let left = store.ids_where(Kind::Device, |d| str_field(d, "user_id") == Some(user_id));
        if left.is_empty() {
            let t = store.now();
            if let Some(user) = store.get_mut(Kind::User, user_id) {
                for flag in [
                    "device_enrolled",
                    "left_palm_enrolled",
                    "right_palm_enrolled",
                ] {
                    user.insert(flag.into(), false.into());
                }
                user.insert("updated_at".into(), t.into());
            }
        }
    }
    Ok(deleted(Kind::Device, device_id))
}

/// Enrolls a device for a user (what the mobile SDK does), setting the user's flags.
pub(crate) fn enroll_device(
    store: &mut Store,
    user_id: &str,
    seed: &DeviceSeed,
    request_id: &str,
) -> Result<Obj> {
    let t = store.now();
    let user = store
        .get_mut(Kind::User, user_id)
        .ok_or_else(|| Failure::not_found(Kind::User, user_id))?;
    let had = |user: &Obj, f: &str| user.get(f).and_then(Value::as_bool).unwrap_or(false);
    let left = had(user, "left_palm_enrolled") || seed.left_palm;
    let right = had(user, "right_palm_enrolled") || seed.right_palm;
    user.insert("device_enrolled".into(), true.into());
    user.insert("left_palm_enrolled".into(), left.into());
    user.insert("right_palm_enrolled".into(), right.into());
    user.insert("updated_at".into(), t.into());
    let device = store.insert(
        Kind::Device,
        t,
        obj(json!({
            "user_id": user_id,
            "updated_at": t,
            "name": seed.name,
            "make": seed.make,
            "model": seed.model,
            "platform": seed.platform,
            "platform_version": seed.platform_version,
            "framework_version": seed.framework_version,
            "push_notification_token": seed.push_notification_token,
        })),
    );
    store.record_event("device.created", &device, request_id);
    Ok(device)
}

/// Records a mobile authentication by a device's user.
pub(crate) fn record_log(store: &mut Store, device_id: &str, success: bool) -> Result<Obj> {
    let device = store
        .get(Kind::Device, device_id)
        .ok_or_else(|| Failure::not_found(Kind::Device, device_id))?;
    let user_id = str_field(device, "user_id").unwrap_or_default().to_owned();
    let platform = str_field(device, "platform").unwrap_or_default().to_owned();
    // The newest app of the device's platform, else any mobile app, else a stand-in ID.
    let app_id = [Some(platform.as_str()), None]
        .into_iter()
        .find_map(|want| {
            store
                .ids_where(Kind::App, |a| match want {
                    Some(p) => str_field(a, "app_type") == Some(p),
                    None => str_field(a, "app_type") != Some("web"),
                })
                .into_iter()
                .next()
        })
        .unwrap_or_else(|| store.default_app_id.clone());
    let score = if success { 0.97 } else { 0.12 };
    let t = store.now();
    let log = store.insert(
        Kind::Log,
        t,
        obj(json!({
            "user_id": user_id,
            "device_id": device_id,
            "app_id": app_id,
            "web_app_id": null,
            "success": success,
            "score": score,
            "factors": {"palm": {"score": score}},
            "auth_type": "mobile",
        })),
    );
    if success && let Some(user) = store.get_mut(Kind::User, &user_id) {
        user.insert("authenticated_at".into(), t.into());
    }
    Ok(log)
}

/// Checks a webhook URL: `http://` or `https://` followed by a host.
fn check_url(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"));
    match rest {
        Some(r) if !r.is_empty() && !r.starts_with('/') && !r.contains(char::is_whitespace) => {
            Ok(())
        }
        _ => Err(Failure::new(
            422,
            format!("url must be an http:// or https:// URL, not {url:?}"),
        )),
    }
}

fn check_events(events: &[String]) -> Result<()> {
    if events.is_empty() || events.iter().any(|e| e.trim().is_empty()) {
        return Err(Failure::new(
            422,
            "events must be a non-empty list of event types",
        ));
    }
    Ok(())
}

pub(crate) fn create_webhook(
    store: &mut Store,
    url: String,
    events: Vec<String>,
    request_id: &str,
) -> Result<Obj> {
    check_url(&url)?;
    check_events(&events)?;
    let t = store.now();
    let secret = format!("whsec_{}", store.rng.alnum(32));
    let hook = store.insert(
        Kind::WebhookEndpoint,
        t,
        obj(json!({
            "updated_at": t,
            "status": "enabled",
            "url": url,
            "events": events,
            "livemode": false,
            "secret": secret,
        })),
    );
    store.record_event("webhook_endpoint.created", &hook, request_id);
    Ok(hook)
}

pub(crate) fn update_webhook(
    store: &mut Store,
    id: &str,
    url: Option<String>,
    events: Option<Vec<String>>,
    status: Option<String>,
    request_id: &str,
) -> Result<Obj> {
    if let Some(u) = &url {
        check_url(u)?;
    }
    if let Some(e) = &events {
        check_events(e)?;
    }
    check_status(status.as_deref(), &WEBHOOK_STATUSES)?;
    let t = store.now();
    let hook = store
        .get_mut(Kind::WebhookEndpoint, id)
        .ok_or_else(|| Failure::not_found(Kind::WebhookEndpoint, id))?;
    if let Some(u) = url {
        hook.insert("url".into(), u.into());
    }
    if let Some(e) = events {
        hook.insert("events".into(), e.into());
    }
    if let Some(s) = status {
        hook.insert("status".into(), s.into());
    }
    hook.insert("updated_at".into(), t.into());
    let hook = hook.clone();
    store.record_event("webhook_endpoint.updated", &hook, request_id);
    Ok(hook)
}

pub(crate) fn create_enrollment_key(
    store: &mut Store,
    user_id: &str,
    request_id: &str,
) -> Result<Obj> {
    require_user(store, user_id)?;
    let t = store.now();
    let secret = format!("eks_{}", store.rng.alnum(32));
    let key = store.insert(
        Kind::EnrollmentKey,
        t,
        obj(json!({
            "user_id": user_id,
            "expires_at": t.saturating_add(KEY_LIFETIME_SECS),
            "livemode": false,
            "secret": secret,
        })),
    );
    store.record_event("enrollment_key.created", &key, request_id);
    Ok(key)
}

pub(crate) fn create_recovery_key(
    store: &mut Store,
    user_id: &str,
    flow: Vec<String>,
    request_id: &str,
) -> Result<Obj> {
    require_user(store, user_id)?;
    let t = store.now();
    let secret = format!("rks_{}", store.rng.alnum(32));
    let key = store.insert(
        Kind::RecoveryKey,
        t,
        obj(json!({
            "user_id": user_id,
            "expires_at": t.saturating_add(KEY_LIFETIME_SECS),
            "livemode": false,
            "secret": secret,
            "flow": flow,
        })),
    );
    store.record_event("recovery_key.created", &key, request_id);
    Ok(key)
}
