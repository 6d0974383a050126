//! [`MockServer`], the handle a Rust test holds, and its builder. Every method that changes
//! or reads the emulator's state is a thin call into `control`, which the HTTP control API
//! calls too.

use std::io;
use std::time::Duration;

use serde_json::Value;

use super::clock::Clock;
use super::control::{self, ID_TOKEN_LIFETIME_SECS};
use super::faults::Fault;
use super::json::value_depth;
use super::model::Failure;
use super::requests::{DEFAULT_CAPACITY, RecordedRequest};
use super::seeds::{DeviceSeed, UserSeed};
use super::server;
use super::state::Settings;
use super::state::lock;
use super::store::Kind;
use super::store::Obj;
use pinn::{Client, Config, ConfigBuilder, Device, Error, Event, Log, Object, Result, User};

/// The longest secret key the emulator accepts.
const MAX_SECRET_KEY: usize = 4096;

/// How long an idle keep-alive connection stays open, unless chosen.
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// The deepest value [`MockServer::restore`] takes: what serde_json reads over HTTP.
const MAX_SNAPSHOT_DEPTH: usize = 128;

/// How many connections the API is served on at once, unless chosen.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// A running emulator. It serves until dropped; dropping it stops its threads and closes every
/// connection to it.
///
/// Tests running in parallel each start their own and call the API through
/// [`client`](MockServer::client) in a [`Client::scope`]. A program's own code that uses the
/// process-wide client can be pointed at it with [`install`](MockServer::install).
///
/// ```
/// let server = pinn_mock::MockServer::start();
/// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
/// assert_eq!(server.count("user"), 1);
/// drop(server); // stops it
/// # let _ = user;
/// # Ok::<(), pinn::Error>(())
/// ```
pub struct MockServer {
    running: server::Running,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.running.shared.url)
            .finish()
    }
}

/// Settings for a [`MockServer`]: [`MockServer::builder`], the settings, then
/// [`start`](MockServerBuilder::start). Its `Debug` output shows a chosen secret key as
/// `<redacted>`: it may be a real one.
///
/// ```
/// use std::time::Duration;
/// let server = pinn_mock::MockServer::builder()
///     .seed(7)
///     .clock(1_700_000_000)
///     .request_log_capacity(50)
///     .idle_timeout(Duration::from_secs(1))
///     .start()?;
/// assert_eq!(server.now(), 1_700_000_000);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    settings: Settings,
}

impl MockServerBuilder {
    /// Listens on `127.0.0.1:port`; 0 (the default) picks a free port.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().port(0).start()?;
    /// assert_ne!(server.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(mut self, port: u16) -> MockServerBuilder {
        self.settings.port = port;
        self
    }

    /// Accepts this secret key instead of a random `sk_test_…` one. It must be printable
    /// ASCII without spaces, at most 4,096 bytes (it travels in a header); ID tokens need at
    /// least 16 bytes of it.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder()
    ///     .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ///     .start()?;
    /// assert_eq!(server.secret_key(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn secret_key(mut self, key: impl Into<String>) -> MockServerBuilder {
        self.settings.secret_key = Some(key.into());
        self
    }

    /// Makes the run repeat: the same calls get the same IDs, keys, secrets and request IDs,
    /// the secret key (unless chosen) is drawn from the seed, probabilistic faults roll the
    /// same way, and the clock is frozen (at [`clock`](MockServerBuilder::clock), else at
    /// 2100-01-01T00:00:00Z, in the future so that minted ID tokens still verify).
    ///
    /// ```
    /// use pinn_mock::MockServer;
    /// let run = || -> pinn::Result<(String, String, i64)> {
    ///     let server = MockServer::builder().seed(42).start().unwrap();
    ///     let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    ///     Ok((server.secret_key().to_string(), user.user_id, user.created_at))
    /// };
    /// assert_eq!(run()?, run()?);
    /// assert_eq!(run()?.2, 4_102_444_800);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn seed(mut self, seed: u64) -> MockServerBuilder {
        self.settings.seed = Some(seed);
        self
    }

    /// Starts the clock frozen at `unix_secs`; it moves only when set or advanced (see
    /// [`MockServer::set_clock`]).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().clock(1_700_000_000).start()?;
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// assert_eq!(user.created_at, 1_700_000_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clock(mut self, unix_secs: i64) -> MockServerBuilder {
        self.settings.clock = Some(unix_secs);
        self
    }

    /// Keeps the newest `n` requests in [`requests`](MockServer::requests) (default 1,000; 0
    /// keeps none). Older ones are dropped first, and the log never holds more than 32 MiB.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().request_log_capacity(2).start()?;
    /// let client = server.client();
    /// for _ in 0..3 {
    ///     client.scope(pinn::healthy);
    /// }
    /// assert_eq!(server.requests().len(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn request_log_capacity(mut self, n: usize) -> MockServerBuilder {
        self.settings.request_log_capacity = n;
        self
    }

    /// Closes a keep-alive connection after `d` without a request (default 5 seconds).
    ///
    /// ```
    /// use std::io::Read;
    /// use std::time::Duration;
    /// let server = pinn_mock::MockServer::builder()
    ///     .idle_timeout(Duration::from_millis(50))
    ///     .start()?;
    /// let mut idle = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// assert_eq!(idle.read(&mut [0; 1])?, 0); // closed by the server
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn idle_timeout(mut self, d: Duration) -> MockServerBuilder {
        self.settings.idle_timeout = d;
        self
    }

    /// Serves the API on at most `n` connections at once (default 4,096; at least 1). Past
    /// those, 16 more are taken for the control API alone (any other request on them is
    /// answered `503` and the connection closed), so that a test can still clear faults or
    /// reset an emulator whose connections are all held; past those, a connection is answered
    /// `503` and closed.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// let server = pinn_mock::MockServer::builder().max_connections(1).start()?;
    /// let held = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// # std::thread::sleep(std::time::Duration::from_millis(50));
    /// let mut second = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// write!(second, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
    /// let mut answer = String::new();
    /// second.read_to_string(&mut answer)?;
    /// assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    /// # drop(held);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_connections(mut self, n: usize) -> MockServerBuilder {
        self.settings.max_connections = n;
        self
    }

    /// Starts the server, or says why it could not: a bad key (`InvalidInput`), or a port that
    /// cannot be bound.
    ///
    /// ```
    /// let builder = pinn_mock::MockServer::builder();
    /// assert!(builder.clone().secret_key("two words").start().is_err());
    /// assert!(builder.clone().secret_key("k".repeat(4097)).start().is_err());
    /// assert!(builder.start().is_ok());
    /// ```
    pub fn start(self) -> io::Result<MockServer> {
        if let Some(key) = &self.settings.secret_key {
            let invalid =
                |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return invalid(
                    "the secret key must be non-empty printable ASCII without spaces".into(),
                );
            }
            // It travels in a request head, which the emulator takes up to 16 KiB: a longer
            // key could never be sent.
            if key.len() > MAX_SECRET_KEY {
                return invalid(format!(
                    "the secret key may be {MAX_SECRET_KEY} bytes, not {}",
                    key.len()
                ));
            }
        }
        Ok(MockServer {
            running: server::start(self.settings)?,
        })
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
    /// let server = pinn_mock::MockServer::start();
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start() -> MockServer {
        match MockServer::try_start() {
            Ok(s) => s,
            Err(e) => panic!("pinn_mock::MockServer could not bind a port on 127.0.0.1: {e}"),
        }
    }

    /// Starts an emulator on a free loopback port, or says why it could not.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::try_start()?;
    /// assert!(server.secret_key().starts_with("sk_test_"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_start() -> io::Result<MockServer> {
        MockServer::builder().start()
    }

    /// Starts an emulator on `127.0.0.1:port` (0: any free port) with a random secret key.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start_on(0)?;
    /// assert!(pinn_mock::MockServer::start_on(server.port()).is_err()); // taken
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_on(port: u16) -> io::Result<MockServer> {
        MockServer::builder().port(port).start()
    }

    /// Starts an emulator on `127.0.0.1:port` (0: any free port) that accepts `secret_key`.
    /// The key must be printable ASCII without spaces (it travels in a header); ID tokens
    /// need at least 16 bytes of it.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start_with_key(0, "sk_test_4eC39HqLyjWDarjtT1zdp7dc")?;
    /// assert_eq!(server.secret_key(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// assert!(pinn_mock::MockServer::start_with_key(0, "two words").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_with_key(port: u16, secret_key: &str) -> io::Result<MockServer> {
        MockServer::builder()
            .port(port)
            .secret_key(secret_key)
            .start()
    }

    /// Settings beyond the port and the key: a seed, a clock, the request log's capacity,
    /// the idle timeout. See [`MockServerBuilder`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().seed(1).start()?;
    /// assert_eq!(server.seed(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder {
            settings: Settings {
                port: 0,
                secret_key: None,
                seed: None,
                clock: None,
                request_log_capacity: DEFAULT_CAPACITY,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
        }
    }

    /// The base URL, `http://127.0.0.1:PORT`, with no trailing slash: the API host.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));
    /// let config = pinn::Config::builder().api_host(server.url()).secret_key(server.secret_key());
    /// assert!(pinn::Client::new(config.build()?).scope(pinn::healthy));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn url(&self) -> String {
        self.running.shared.url.clone()
    }

    /// The port it listens on.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
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
    /// let server = pinn_mock::MockServer::start();
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

    /// The seed in use: the one given, or the one drawn at random (or at the last
    /// [`reset`](MockServer::reset)). Starting a server with it repeats this run's IDs.
    ///
    /// ```
    /// use pinn_mock::MockServer;
    /// let server = MockServer::start();
    /// let again = MockServer::builder().seed(server.seed()).start()?;
    /// assert_eq!(again.secret_key(), server.secret_key());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn seed(&self) -> u64 {
        lock(&self.running.shared.origin).seed
    }

    /// A config builder preset with this server's key and URL, to add settings to, such as
    /// retries or timeouts.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// assert_eq!(client.config().api_host(), server.url());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn config_builder(&self) -> ConfigBuilder {
        Config::builder()
            .secret_key(self.secret_key())
            .api_host(self.url())
    }

    /// A client for this server, to use in [`Client::scope`].
    ///
    /// # Panics
    ///
    /// When the server's key is one the crate cannot send: longer than
    /// [`pinn::config::MAX_SECRET_KEY_BYTES`] (the emulator takes keys of up to 4,096 bytes,
    /// for other languages' clients). [`config_builder`](MockServer::config_builder) then
    /// builds the configuration error instead.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let users = server.client().scope(|| pinn::User::list(&Default::default()))?;
    /// assert!(users.data.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn client(&self) -> Client {
        match self.config_builder().build() {
            Ok(config) => Client::new(config),
            Err(e) => panic!("no client can use this emulator's key: {e}"),
        }
    }

    /// Makes [`client`](MockServer::client) the process-wide client, for code that calls the
    /// static functions outside any scope. Tests that run in parallel should use scopes
    /// instead: the process-wide client is shared by every test thread.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.install();
    /// assert!(pinn::User::create(&Default::default())?.user_id.starts_with("usr_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn install(&self) {
        pinn::set_client(self.client());
    }

    /// Empties the emulator: objects, faults and the request log, and puts the clock and the
    /// ID generators back where they started (`POST /_mock/reset`). A seeded server then
    /// repeats its IDs; an unseeded one draws a new seed, so no ID from before comes back.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// server.reset();
    /// assert_eq!((server.count("user"), server.creates("user")), (0, 0));
    /// assert!(server.requests().is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn reset(&self) {
        control::reset(&self.running.shared, None);
    }

    /// Resets as if the server had been started with [`seed`](MockServerBuilder::seed):
    /// `POST /_mock/reset` with `{"seed": …}`.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let mut ids = Vec::new();
    /// for _ in 0..2 {
    ///     server.reset_with_seed(9);
    ///     ids.push(client.scope(|| pinn::User::create(&Default::default()))?.user_id);
    /// }
    /// assert_eq!(ids[0], ids[1]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn reset_with_seed(&self, seed: u64) {
        control::reset(&self.running.shared, Some(seed));
    }

    /// The whole state as JSON (`GET /_mock/state`): every object of every kind, oldest
    /// first, the creation counters and the ID generator. [`restore`](MockServer::restore)
    /// takes it back; the clock, the faults and the request log are not part of it.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// let state = server.snapshot();
    /// assert_eq!(state["objects"]["user"].as_array().map(Vec::len), Some(1));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn snapshot(&self) -> Value {
        control::snapshot(&self.running.shared)
    }

    /// Replaces the state with a [`snapshot`](MockServer::snapshot) (`PUT /_mock/state`), or
    /// says what is wrong with it and changes nothing. Every field of a snapshot is optional,
    /// so a fixture can be as small as `{"objects": {"user": [{"user_id": "usr_1"}]}}`:
    /// objects are listed oldest first, each with its kind's ID field.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let saved = server.snapshot();
    /// client.scope(|| pinn::User::create(&Default::default()))?;
    /// server.restore(&saved)?;
    /// assert_eq!(server.count("user"), 0);
    ///
    /// server.restore(&serde_json::json!({"objects": {"user": [
    ///     {"user_id": "usr_fixture", "created_at": 1, "metadata": {"plan": "pro"}},
    /// ]}}))?;
    /// let user = client.scope(|| pinn::User::retrieve("usr_fixture"))?;
    /// assert_eq!(user.metadata["plan"], "pro");
    /// assert!(server.restore(&serde_json::json!({"objects": {"unicorn": []}})).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn restore(&self, snapshot: &Value) -> Result<()> {
        // Deeper than any snapshot could be, and than a copy could be made without
        // recursing that deep.
        if value_depth(snapshot) > MAX_SNAPSHOT_DEPTH {
            return Err(Error::InvalidArgument(format!(
                "a snapshot nests at most {MAX_SNAPSHOT_DEPTH} levels"
            )));
        }
        control::restore(&self.running.shared, snapshot.clone())
            .map_err(|f| Error::InvalidArgument(f.message))
    }

    /// Creates a user with a status of choice (`POST /_mock/users`), recording
    /// `user.created`. A status other than `active` or `disabled` is an
    /// [`Error::InvalidArgument`].
    ///
    /// ```
    /// use pinn_mock::{MockServer, UserSeed};
    /// let server = MockServer::start();
    /// let user = server.seed_user(UserSeed { status: "disabled".into(), ..Default::default() })?;
    /// assert_eq!(user.status, Some(pinn::UserStatus::Disabled));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn seed_user(&self, seed: UserSeed) -> Result<User> {
        typed(control::seed_user(
            &self.running.shared,
            seed.metadata,
            Some(seed.status),
        ))
    }

    /// Enrolls a device for a user, as Pinn's mobile SDK would (`POST /_mock/devices`): the
    /// user gets `device_enrolled` and the palm flags of `seed`, and a `device.created` event
    /// is recorded. An unknown user is an [`Error::InvalidArgument`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let user = client.scope(|| pinn::User::retrieve(&user.user_id))?;
    /// assert!(user.device_enrolled && user.left_palm_enrolled && !user.right_palm_enrolled);
    /// assert_eq!(device.user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn enroll_device(&self, user_id: &str, seed: DeviceSeed) -> Result<Device> {
        typed(control::seed_device(&self.running.shared, user_id, &seed))
    }

    /// Records an authentication by a device's user (`POST /_mock/logs`): `auth_type`
    /// `mobile`, a palm score of 0.97 on success and 0.12 on failure, and the newest mobile
    /// app's ID. A success sets the user's `authenticated_at`. An unknown device is an
    /// [`Error::InvalidArgument`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let log = server.record_log(&device.device_id, true)?;
    /// assert!(log.success && log.score > 0.9);
    /// assert!(server.record_log("dev_unknown", true).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn record_log(&self, device_id: &str, success: bool) -> Result<Log> {
        typed(control::seed_log(&self.running.shared, device_id, success))
    }

    /// Records an event of any type, with `data` (a JSON object, or null for `{}`), as if the
    /// API had (`POST /_mock/events`): for testing how a program handles event types its own
    /// calls never cause.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let data = serde_json::json!({"object": {"object": "log", "log_id": "log_1"}});
    /// let event = server.record_event("log.created", data)?;
    /// let fetched = server.client().scope(|| pinn::Event::retrieve(&event.event_id))?;
    /// assert_eq!(fetched.event_type, "log.created");
    /// assert!(server.record_event("x", serde_json::json!([1])).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn record_event(&self, event_type: &str, data: Value) -> Result<Event> {
        let data = match data {
            Value::Object(m) => m,
            Value::Null => serde_json::Map::new(),
            _ => {
                return Err(Error::InvalidArgument(
                    "event data must be an object".into(),
                ));
            }
        };
        typed(control::seed_event(&self.running.shared, event_type, data))
    }

    /// An ID token for `user_id` such as Pinn's front-end SDKs hand over (`POST
    /// /_mock/id_tokens`): HS256, keyed by the secret key, with claims `sub`, `iss` (this
    /// server's URL), `amr`, `iat` (the emulator's [clock](MockServer::now)) and `exp` (five
    /// minutes later). [`IdToken::verify`](pinn::IdToken::verify) accepts it from a client of
    /// this server.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let token = server.mint_id_token("usr_123", &["palm"]);
    /// let claims = server.client().scope(|| pinn::IdToken::verify(&token, &["palm"]))?;
    /// assert_eq!(claims.sub, "usr_123");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn mint_id_token(&self, user_id: &str, amr: &[&str]) -> String {
        self.mint_id_token_with(user_id, amr, ID_TOKEN_LIFETIME_SECS, &Value::Null)
    }

    /// An ID token like [`mint_id_token`](MockServer::mint_id_token)'s that expires
    /// `expires_in` seconds after the emulator's clock (negative: already expired), with the
    /// claims of `extra` (a JSON object) added last: they override the standard ones, and a
    /// `null` removes one.
    ///
    /// ```
    /// use serde_json::json;
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let expired = server.mint_id_token_with("usr_1", &["palm"], -60, &json!({}));
    /// let err = client.scope(|| pinn::IdToken::verify(&expired, &[])).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    /// let extra = json!({"email": "ada@example.com", "iss": "https://elsewhere"});
    /// let foreign = server.mint_id_token_with("usr_1", &["palm"], 300, &extra);
    /// assert!(client.scope(|| pinn::IdToken::verify(&foreign, &[])).is_err());
    /// ```
    pub fn mint_id_token_with(
        &self,
        user_id: &str,
        amr: &[&str],
        expires_in: i64,
        extra: &Value,
    ) -> String {
        let amr: Vec<String> = amr.iter().map(|m| m.to_string()).collect();
        let extra = extra.as_object().cloned().unwrap_or_default();
        let shared = &self.running.shared;
        let claims = control::id_token_claims(shared, user_id, &amr, expires_in, &extra);
        self.sign_id_token(&claims)
    }

    /// Signs any claims as an ID token (HS256, keyed by the secret key): for testing how a
    /// program handles an expired token, a wrong issuer or a missing claim.
    ///
    /// # Panics
    ///
    /// When `claims` is not a JSON object.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let expired = server.sign_id_token(&serde_json::json!({
    ///     "sub": "usr_123", "iss": server.url(), "amr": ["palm"], "exp": 1_000_000_000,
    /// }));
    /// let err = server.client().scope(|| pinn::IdToken::verify(&expired, &[])).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    /// ```
    pub fn sign_id_token(&self, claims: &Value) -> String {
        assert!(claims.is_object(), "ID token claims must be a JSON object");
        match control::sign(self.secret_key(), claims) {
            Ok(token) => token,
            Err(e) => panic!("signing an HS256 token cannot fail, but did: {e}"),
        }
    }

    /// Injects a fault into the next matching requests (`POST /_mock/faults`). See
    /// [`Fault`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(409).on_method("POST"));
    /// let err = server.client().scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::RequestFailed);
    /// assert_eq!(server.count("user"), 0); // the fault answered instead of the API
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn inject(&self, fault: Fault) {
        lock(&self.running.shared.faults).push(fault);
    }

    /// The faults still installed, in order, each with the uses it has left as its
    /// [`times`](Fault::times) (`GET /_mock/faults`).
    ///
    /// ```
    /// use pinn_mock::{Fault, MockServer};
    /// let server = MockServer::start();
    /// server.inject(Fault::status(503).times(2));
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// assert!(client.scope(|| pinn::User::list(&Default::default())).is_err());
    /// assert_eq!(server.faults(), [Fault::status(503).times(1)]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.running.shared.faults).list()
    }

    /// Removes every installed fault (`DELETE /_mock/faults`).
    ///
    /// ```
    /// use pinn_mock::{Fault, MockServer};
    /// let server = MockServer::start();
    /// server.inject(Fault::close().times(100));
    /// server.clear_faults();
    /// assert!(server.faults().is_empty());
    /// assert!(server.client().scope(pinn::healthy));
    /// ```
    pub fn clear_faults(&self) {
        control::clear_faults(&self.running.shared);
    }

    /// The requests received, oldest first, faulted ones included (`GET /_mock/requests`);
    /// the newest 1,000 unless the [capacity](MockServerBuilder::request_log_capacity) was
    /// changed. Calls to the control API are not recorded.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
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
        lock(&self.running.shared.requests).to_vec()
    }

    /// Forgets the requests received so far (`DELETE /_mock/requests`).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// assert!(server.client().scope(pinn::healthy));
    /// server.clear_requests();
    /// assert!(server.requests().is_empty());
    /// ```
    pub fn clear_requests(&self) {
        lock(&self.running.shared.requests).clear();
    }

    /// The emulator's clock, in Unix seconds (`GET /_mock/clock`): the system's unless set,
    /// advanced, seeded or started elsewhere.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let system = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    /// assert!((server.now() - system.as_secs() as i64).abs() <= 1);
    /// ```
    pub fn now(&self) -> i64 {
        lock(&self.running.shared.store).now()
    }

    /// Stops the clock at `unix_secs` (`PUT /_mock/clock`): every timestamp the emulator
    /// writes from now on, and the `iat` of minted ID tokens, is that instant until the clock
    /// is set or advanced again.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.set_clock(1_700_000_000);
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// assert_eq!((user.created_at, user.updated_at), (1_700_000_000, 1_700_000_000));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn set_clock(&self, unix_secs: i64) {
        control::set_clock(&self.running.shared, Clock::Frozen(unix_secs));
    }

    /// Moves the clock by `seconds` (negative: back), frozen or not (`POST
    /// /_mock/clock/advance`): how a test lets a key or an ID token expire.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// let key = client.enrollment_keys().create(&pinn::EnrollmentKeyCreateParams::new(&user.user_id))?;
    /// server.set_clock(key.expires_at);
    /// server.advance_clock(1);
    /// assert!(server.now() > key.expires_at); // the key has expired
    /// // A token minted two hours ago has expired too.
    /// server.advance_clock(-7200);
    /// let old = server.mint_id_token(&user.user_id, &["palm"]);
    /// assert!(client.scope(|| pinn::IdToken::verify(&old, &[])).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn advance_clock(&self, seconds: i64) {
        control::advance_clock(&self.running.shared, seconds);
    }

    /// Puts the clock back on the system's time (`DELETE /_mock/clock`).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().clock(0).start()?;
    /// server.use_system_clock();
    /// assert!(server.now() > 1_700_000_000);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn use_system_clock(&self) {
        control::set_clock(&self.running.shared, Clock::system());
    }

    /// How many objects of a kind exist now, by their `"object"` name: `count("user")`.
    /// Unknown kinds count 0. (`GET /_mock/counts` gives every kind.)
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
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
    /// let server = pinn_mock::MockServer::start();
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
fn typed<T: Object>(r: std::result::Result<Obj, Failure>) -> Result<T> {
    let obj = r.map_err(|f| Error::InvalidArgument(f.message))?;
    T::from_value(serde_json::Value::Object(obj))
}
