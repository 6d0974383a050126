//! A stateful emulator of the whole Pinn API, running in-process on loopback (feature `mock`).
//!
//! [`MockServer::start`](crate::mock::MockServer::start) binds a free port on `127.0.0.1`,
//! with a random secret key, typically in well under a millisecond; dropping the handle stops
//! it. It keeps users, apps, devices, keys, logs, events and webhook endpoints in memory, so
//! an object you create is there when you fetch it, and it answers every endpoint of the API
//! with the spec's shapes, errors and pagination.
//!
//! ```
//! use pinn::mock::{DeviceSeed, MockServer};
//!
//! let server = MockServer::start();
//! let user = server.client().scope(|| {
//!     pinn::User::create(&pinn::UserCreateParams::new().metadata_entry("external_id", "42"))
//! })?;
//! // Seed what only Pinn's mobile SDK can create.
//! let device = server.enroll_device(&user.user_id, DeviceSeed::default())?;
//! server.record_log(&device.device_id, true)?;
//! // Check what was sent.
//! let sent = server.requests();
//! assert_eq!((sent[0].method.as_str(), sent[0].path.as_str()), ("POST", "/v1/users"));
//! assert_eq!(server.count("user"), 1);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! What the spec leaves open, the emulator decides like this:
//! - User statuses are `active` (the initial one) and `disabled`; webhook endpoint statuses
//!   are `enabled` (the initial one) and `disabled`. Any other value is `422`.
//! - A body that is not a JSON object, has an unknown field, lacks a required one (an app's
//!   `name`, a key's `user_id`, a webhook endpoint's `url` and `events`) or gives a field the
//!   wrong JSON type is `400 bad_request`. `null` counts as absent.
//! - `422 unprocessable_entity`: a key for a user that does not exist, an `app_type` other
//!   than `ios`, `android` or `web`, an empty app name, a bad status, a webhook URL that is
//!   not `http(s)://host…`, an empty `events` list.
//! - Lists: `limit` must be an integer from 1 to 100 (default 10), and `starting_after` must
//!   be an item of that list (a deleted item is not), else `400 bad_request`.
//! - Authentication is checked before the path: without the right key, every path but
//!   `/health` is `401`. A wrong method on a known path is `405` with an `Allow` header.
//! - Deleting a user deletes their devices; deleting a user's last device clears their
//!   `device_enrolled` and palm flags. A recovery key's `flow` defaults to `[]`. Keys expire
//!   an hour after they are made.
//! - Events record the object as it was after the change (before, for deletes), with the ID
//!   of the request that caused it. Seeding calls record `device.created` for a new device
//!   (with a request ID of its own) and nothing for a log.
//!
//! The same emulator runs standalone for other languages: `cargo run --features mock --bin
//! pinn-mock -- --port 12111`. See `docs/testing.md`.

use std::sync::{Mutex, MutexGuard, PoisonError};

use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::config::Config;
use crate::errors::{Error, Result};
use crate::resources::device::Device;
use crate::resources::log::Log;

mod faults;
mod model;
mod routes;
mod server;
mod store;

pub use faults::Fault;

use model::Failure;
use store::{now, random_alnum, random_id, Kind};

/// Locks a mutex, carrying on past a panic elsewhere: the state is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running emulator. It serves until dropped; dropping it stops its threads and closes every
/// connection to it.
///
/// Tests running in parallel each start their own and call the API through
/// [`client`](MockServer::client) in a [`Client::scope`]. A program's own code that uses the
/// process-wide client can be pointed at it with [`install`](MockServer::install).
pub struct MockServer {
    url: String,
    running: server::Running,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.url)
            .finish()
    }
}

/// The device [`MockServer::enroll_device`] enrolls.
///
/// ```
/// let seed = pinn::mock::DeviceSeed { platform: "android".into(), ..Default::default() };
/// assert!(seed.left_palm);
/// ```
#[derive(Debug, Clone)]
pub struct DeviceSeed {
    /// The device's name, e.g. `"Ada's iPhone"`.
    pub name: String,
    /// Its maker, e.g. `"Apple"`.
    pub make: String,
    /// Its model identifier, e.g. `"iPhone15,2"`.
    pub model: String,
    /// `"ios"` or `"android"`.
    pub platform: String,
    /// The OS version, e.g. `"17.4"`.
    pub platform_version: String,
    /// The Pinn mobile framework version, e.g. `"1.8.0"`.
    pub framework_version: String,
    /// An APNS or FCM token, if any.
    pub push_notification_token: Option<String>,
    /// Whether this enrollment includes the left palm.
    pub left_palm: bool,
    /// Whether this enrollment includes the right palm.
    pub right_palm: bool,
}

impl Default for DeviceSeed {
    /// Ada's iPhone 14 Pro on iOS 17.4, left palm enrolled.
    fn default() -> Self {
        DeviceSeed {
            name: "Ada's iPhone".into(),
            make: "Apple".into(),
            model: "iPhone15,2".into(),
            platform: "ios".into(),
            platform_version: "17.4".into(),
            framework_version: "1.8.0".into(),
            push_notification_token: None,
            left_palm: true,
            right_palm: false,
        }
    }
}

/// A request as the emulator received it.
///
/// Its `Debug` output shows `Authorization` as `<redacted>`, in case a real key was sent to
/// the emulator by mistake; [`header`](RecordedRequest::header) gives the value itself.
#[derive(Clone, PartialEq)]
pub struct RecordedRequest {
    /// The method, e.g. `"POST"`.
    pub method: String,
    /// The path as sent, still percent-encoded, without the query: `/v1/users/usr_%2E%2E`.
    pub path: String,
    /// The raw query string, without the `?`, if there was one.
    pub query: Option<String>,
    /// Every header, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (invalid UTF-8 replaced); empty when there was none.
    pub body: String,
}

impl std::fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if n.eq_ignore_ascii_case("authorization") {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

impl RecordedRequest {
    /// The first header called `name` (any case).
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// server.client().scope(|| pinn::App::list(&Default::default()))?;
    /// let sent = &server.requests()[0];
    /// assert_eq!(sent.header("user-agent"), Some(pinn::USER_AGENT));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; `None` when it is empty or not JSON.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let params = pinn::EnrollmentKeyCreateParams::new("usr_unknown");
    /// server.client().enrollment_keys().create(&params).unwrap_err();
    /// assert_eq!(server.requests()[0].json(), Some(serde_json::json!({"user_id": "usr_unknown"})));
    /// ```
    pub fn json(&self) -> Option<serde_json::Value> {
        serde_json::from_str(&self.body).ok()
    }
}

impl MockServer {
    /// Starts an emulator on a free loopback port.
    ///
    /// # Panics
    ///
    /// When no port can be bound (the only way it can fail). Use
    /// [`try_start`](MockServer::try_start) to handle that.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start() -> MockServer {
        match MockServer::try_start() {
            Ok(s) => s,
            Err(e) => panic!("pinn::mock::MockServer could not bind a port on 127.0.0.1: {e}"),
        }
    }

    /// Starts an emulator on a free loopback port, or says why it could not.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::try_start()?;
    /// assert!(server.secret_key().starts_with("sk_test_"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_start() -> std::io::Result<MockServer> {
        MockServer::start_on(0)
    }

    /// Starts an emulator on `127.0.0.1:port` (0: any free port) with a random secret key.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start_on(0)?;
    /// assert!(pinn::mock::MockServer::start_on(server.port()).is_err()); // taken
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_on(port: u16) -> std::io::Result<MockServer> {
        MockServer::start_with_key(port, &format!("sk_test_{}", random_alnum(24)))
    }

    /// Starts an emulator on `127.0.0.1:port` (0: any free port) that accepts `secret_key`.
    /// The key must be printable ASCII without spaces (it travels in a header); ID tokens
    /// need at least 16 bytes of it.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start_with_key(0, "sk_test_4eC39HqLyjWDarjtT1zdp7dc")?;
    /// assert_eq!(server.secret_key(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// assert!(pinn::mock::MockServer::start_with_key(0, "two words").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_with_key(port: u16, secret_key: &str) -> std::io::Result<MockServer> {
        if secret_key.is_empty() || !secret_key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "the secret key must be non-empty printable ASCII without spaces",
            ));
        }
        let running = server::start(port, secret_key.to_string())?;
        Ok(MockServer {
            url: format!("http://{}", running.addr),
            running,
        })
    }

    /// The base URL, `http://127.0.0.1:PORT`, with no trailing slash: the API host.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));
    /// let config = pinn::Config::builder().api_host(server.url()).secret_key(server.secret_key());
    /// assert!(pinn::Client::new(config.build()?).scope(pinn::healthy));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The port it listens on.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// assert_ne!(server.port(), 0);
    /// std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.running.addr.port()
    }

    /// The secret key it accepts (`sk_test_` and 24 random characters unless chosen).
    ///
    /// ```
    /// use pinn::{Client, Config, ErrorKind, User};
    /// let server = pinn::mock::MockServer::start();
    /// let with_key = |key: &str| Config::builder().secret_key(key).api_host(server.url()).build();
    /// let right = Client::new(with_key(server.secret_key())?);
    /// let wrong = Client::new(with_key("sk_test_wrong")?);
    /// assert!(right.scope(|| User::list(&Default::default())).is_ok());
    /// let err = wrong.scope(|| User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Authentication);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn secret_key(&self) -> &str {
        &self.running.shared.secret_key
    }

    /// A config builder preset with this server's key and URL, to add settings to, such as
    /// retries or timeouts.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// assert_eq!(client.config().api_host(), server.url());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn config_builder(&self) -> crate::ConfigBuilder {
        Config::builder()
            .secret_key(self.secret_key())
            .api_host(self.url())
    }

    /// A client for this server, to use in [`Client::scope`].
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let users = server.client().scope(|| pinn::User::list(&Default::default()))?;
    /// assert!(users.data.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn client(&self) -> Client {
        Client::new(self.config_builder().finish())
    }

    /// Makes [`client`](MockServer::client) the process-wide client, for code that calls the
    /// static functions outside any scope. Tests that run in parallel should use scopes
    /// instead: the process-wide client is shared by every test thread.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// server.install();
    /// assert!(pinn::User::create(&Default::default())?.user_id.starts_with("usr_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn install(&self) {
        crate::set_client(self.client());
    }

    /// Enrolls a device for a user, as Pinn's mobile SDK would: the user gets
    /// `device_enrolled` and the palm flags of `seed`, and a `device.created` event is
    /// recorded. An unknown user is an [`Error::InvalidArgument`].
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let user = client.scope(|| pinn::User::retrieve(&user.user_id))?;
    /// assert!(user.device_enrolled && user.left_palm_enrolled && !user.right_palm_enrolled);
    /// assert_eq!(device.user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn enroll_device(&self, user_id: &str, seed: DeviceSeed) -> Result<Device> {
        let request_id = random_id("req");
        let mut store = lock(&self.running.shared.store);
        let device = model::enroll_device(&mut store, user_id, &seed, &request_id);
        typed(device)
    }

    /// Records an authentication by a device's user: `auth_type` `mobile`, a palm score of
    /// 0.97 on success and 0.12 on failure, and the newest mobile app's ID. A success sets the
    /// user's `authenticated_at`. An unknown device is an [`Error::InvalidArgument`].
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let log = server.record_log(&device.device_id, true)?;
    /// assert!(log.success && log.score > 0.9);
    /// assert!(server.record_log("dev_unknown", true).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn record_log(&self, device_id: &str, success: bool) -> Result<Log> {
        let mut store = lock(&self.running.shared.store);
        typed(model::record_log(&mut store, device_id, success))
    }

    /// An ID token for `user_id` such as Pinn's front-end SDKs hand over: HS256, keyed by the
    /// secret key, with claims `sub`, `iss` (this server's URL), `amr`, `iat` and `exp` (in
    /// five minutes). [`IdToken::verify`](crate::IdToken::verify) accepts it from a client of
    /// this server.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let token = server.mint_id_token("usr_123", &["palm"]);
    /// let claims = server.client().scope(|| pinn::IdToken::verify(&token, &["palm"]))?;
    /// assert_eq!(claims.sub, "usr_123");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn mint_id_token(&self, user_id: &str, amr: &[&str]) -> String {
        let iat = now();
        self.sign_id_token(&serde_json::json!({
            "sub": user_id,
            "iss": self.url,
            "amr": amr,
            "iat": iat,
            "exp": iat + 300,
        }))
    }

    /// Signs any claims as an ID token (HS256, keyed by the secret key): for testing how a
    /// program handles an expired token, a wrong issuer or a missing claim.
    ///
    /// # Panics
    ///
    /// When `claims` is not a JSON object.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let expired = server.sign_id_token(&serde_json::json!({
    ///     "sub": "usr_123", "iss": server.url(), "amr": ["palm"], "exp": 1_000_000_000,
    /// }));
    /// let err = server.client().scope(|| pinn::IdToken::verify(&expired, &[])).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    /// ```
    pub fn sign_id_token(&self, claims: &serde_json::Value) -> String {
        assert!(claims.is_object(), "ID token claims must be a JSON object");
        crate::id_token::install_crypto_provider();
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        let key = jsonwebtoken::EncodingKey::from_secret(self.secret_key().as_bytes());
        match jsonwebtoken::encode(&header, claims, &key) {
            Ok(token) => token,
            Err(e) => panic!("signing an HS256 token cannot fail, but did: {e}"),
        }
    }

    /// Injects a fault into the next matching requests. See [`Fault`].
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::status(409).on_method("POST"));
    /// let err = server.client().scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::RequestFailed);
    /// assert_eq!(server.count("user"), 0); // the fault answered instead of the API
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn inject(&self, fault: Fault) {
        lock(&self.running.shared.faults).push(fault);
    }

    /// Every request received so far, in order, faulted ones included.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let client = server.client();
    /// let params = pinn::UserCreateParams::new().metadata_entry("k", "v");
    /// let user = client.scope(|| pinn::User::create(&params))?;
    /// client.scope(|| pinn::User::retrieve(&user.user_id))?;
    /// let sent = server.requests();
    /// assert_eq!(sent[0].json(), Some(serde_json::json!({"metadata": {"k": "v"}})));
    /// assert_eq!(sent[1].method, "GET");
    /// assert_eq!(sent[1].path, format!("/v1/users/{}", user.user_id));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.running.shared.requests).clone()
    }

    /// Forgets the requests received so far.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// assert!(server.client().scope(pinn::healthy));
    /// server.clear_requests();
    /// assert!(server.requests().is_empty());
    /// ```
    pub fn clear_requests(&self) {
        lock(&self.running.shared.requests).clear();
    }

    /// How many objects of a kind exist now, by their `"object"` name: `count("user")`.
    /// Unknown kinds count 0.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// client.enrollment_keys().create(&pinn::EnrollmentKeyCreateParams::new(&user.user_id))?;
    /// assert_eq!((server.count("user"), server.count("enrollment_key")), (1, 1));
    /// assert_eq!(server.count("unicorn"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn count(&self, object: &str) -> usize {
        Kind::from_name(object).map_or(0, |k| lock(&self.running.shared.store).count(k))
    }

    /// How many objects of a kind were ever created, deleted ones included: a test can prove
    /// that a retried call created nothing twice.
    ///
    /// ```
    /// let server = pinn::mock::MockServer::start();
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// server.client().scope(|| pinn::User::delete(&user.user_id))?;
    /// assert_eq!((server.count("user"), server.creates("user")), (0, 1));
    /// assert_eq!(server.creates("event"), 2);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn creates(&self, object: &str) -> usize {
        Kind::from_name(object).map_or(0, |k| lock(&self.running.shared.store).creates(k))
    }
}

/// A stored object as one of the crate's model types, or the seeding failure as an error.
fn typed<T: DeserializeOwned>(r: std::result::Result<store::Obj, Failure>) -> Result<T> {
    let obj = r.map_err(|f| Error::InvalidArgument(f.message))?;
    serde_json::from_value(serde_json::Value::Object(obj)).map_err(|e| {
        let detail = "the emulator built an object the crate cannot read".to_string();
        let source = crate::http::safe_json_error(e, None);
        Error::Decode(Box::new(crate::errors::DecodeError::new(
            None,
            None,
            detail,
            Some(source),
        )))
    })
}
