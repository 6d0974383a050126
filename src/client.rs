//! Clients: explicit ones, the process-wide one, and scopes.
//!
//! A [`Client`] is a config and the HTTP agent it uses. Every call of the API is reachable
//! from one: `client.users().create(&params)`, `client.apps().list(&params)`,
//! `client.id_tokens().verify(token, &amr)`, `client.healthy()`. Objects and lists remember the
//! client that fetched them, so `user.save()`, `user.delete()`, `list.next_page()` and
//! auto-paging go back through it, on whatever thread they run.
//!
//! The static calls (`User::create`, …) run on the *current* client: the one a
//! [`Client::scope`] installed on this thread, or else the process-wide one, built on first use
//! from the environment ([`Config::from_env`]) and replaced whole by the setters
//! ([`set_secret_key`], …).
//!
//! **The thread rule.** A scope belongs to its thread. Work moved to another thread (a
//! spawned thread, a thread pool, a deferred job) does not see it: static calls there use the
//! process-wide client. Hand such work the client itself, which is `Send + Sync` and cheap to
//! clone, and call through it.
//!
//! ```
//! # let server = pinn_mock::MockServer::start();
//! let tenant = server.client();
//! let worker = {
//!     let tenant = tenant.clone();
//!     std::thread::spawn(move || tenant.users().create(&Default::default()))
//! };
//! let mut user = worker.join().unwrap()?;
//! // The user remembers its client: saving it, here or on any thread, goes to the same place.
//! user.metadata.insert("plan".into(), "pro".into());
//! user.save()?;
//! assert_eq!(tenant.users().retrieve(&user.user_id)?.metadata["plan"], "pro");
//! # Ok::<(), pinn::Error>(())
//! ```

use std::cell::RefCell;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use once_cell::sync::Lazy;

use crate::config::{BuildTarget, Config, ConfigBuilder, Source, Target};
use crate::errors::{Error, Result};
use crate::http::{self, Method, Request, ResponseInfo, is_api_path};

/// A configured handle on the API: a [`Config`] and the HTTP agent it uses. Every call of the
/// API is one of its methods' methods: [`users`](Client::users), [`apps`](Client::apps), …
///
/// Cheap to clone (one `Arc`), `Send + Sync`. Its `Debug` never shows the secret key.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) config: Arc<Config>,
}

// A client is immutable once built: its config is read-only, and the agent's connection pool
// recovers from a panic in another thread (ureq drops a connection that was in use). So a
// panic can never leave one half-changed, whatever its sleeper or agent hold.
impl std::panic::UnwindSafe for Client {}
impl std::panic::RefUnwindSafe for Client {}

/// The process-wide client, and whether it is switched on.
struct Global {
    client: Client,
    on: bool,
}

static GLOBAL: Lazy<RwLock<Global>> = Lazy::new(|| {
    let mut config = Config::from_env();
    config.source = Source::Global;
    RwLock::new(Global {
        client: Client::new(config),
        on: true,
    })
});

/// What a switched-off process-wide client answers every call with.
const SWITCHED_OFF: &str = "the process-wide client is switched off (pinn::disable_global_client): \
                            call through an explicit Client, or switch it back on with \
                            pinn::set_client";

fn global() -> std::sync::RwLockReadGuard<'static, Global> {
    GLOBAL
        .read()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn global_mut() -> std::sync::RwLockWriteGuard<'static, Global> {
    GLOBAL
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

thread_local! {
    static SCOPED: RefCell<Option<Client>> = const { RefCell::new(None) };
}

impl Client {
    /// A client using `config`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let config = pinn::Config::builder()
    ///     .secret_key(server.secret_key())
    ///     .api_host(server.url())
    ///     .build()?;
    /// let client = pinn::Client::new(config);
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// assert!(user.user_id.starts_with("usr_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new(config: Config) -> Client {
        Client {
            config: Arc::new(config),
        }
    }

    /// A client with the settings of `PINN_SECRET_KEY`, `PINN_API_HOST` and
    /// `PINN_API_VERSION` ([`Config::from_env`]). It never fails: a value that cannot be used
    /// makes every call fail with a configuration error naming it.
    ///
    /// ```
    /// // SAFETY: this example is its own process, with no other thread touching the environment.
    /// unsafe { std::env::remove_var("PINN_SECRET_KEY") };
    /// let client = pinn::Client::from_env();
    /// let err = client.users().list(&Default::default()).unwrap_err();
    /// assert_eq!(err.to_string(), "configuration error: no secret key set: set PINN_SECRET_KEY");
    /// ```
    pub fn from_env() -> Client {
        Client::new(Config::from_env())
    }

    /// A builder of a client: every setting of [`Config::builder`], then
    /// [`build`](ConfigBuilder::build) gives the client.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::builder()
    ///     .secret_key(server.secret_key())
    ///     .api_host(server.url())
    ///     .max_retries(0)
    ///     .build()?;
    /// assert!(client.users().list(&Default::default())?.data.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn builder() -> ConfigBuilder<Client> {
        ConfigBuilder::new(Config::default())
    }

    /// The client every call uses on this thread right now: the innermost
    /// [`scope`](Client::scope), or else the process-wide client.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let inside = server.client().scope(|| pinn::Client::current().config().api_host().to_string());
    /// assert_eq!(inside, server.url());
    /// let outside = pinn::Client::current();
    /// assert_eq!(outside.config().api_host(), pinn::Client::global().config().api_host());
    /// ```
    pub fn current() -> Client {
        SCOPED
            .with(|s| s.borrow().clone())
            .unwrap_or_else(Client::global)
    }

    /// The process-wide client. Once it is switched off ([`disable_global_client`]), a
    /// client whose every call fails with a configuration error, before any I/O.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.install();
    /// let in_scope = pinn::Client::new(pinn::Config::builder().build()?);
    /// let host = in_scope.scope(|| pinn::Client::global().config().api_host().to_string());
    /// assert_eq!(host, server.url()); // a scope does not change the process-wide client
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn global() -> Client {
        global().client.clone()
    }

    /// This client's settings.
    ///
    /// ```
    /// let client = pinn::Client::new(pinn::Config::builder().max_retries(0).build()?);
    /// assert_eq!(client.config().max_retries(), 0);
    /// assert!(client.config().secret_key().is_none());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Runs `f` with this client as the current one on this thread, then restores the previous
    /// one (also if `f` panics). Scopes nest. It is for code written against the static calls
    /// (`User::create`, …).
    ///
    /// Threads spawned inside `f` do not inherit it: static calls on them use the process-wide
    /// client. Give them the client instead (see the [module docs](crate::client)).
    ///
    /// ```
    /// # let (server_a, server_b) = (pinn_mock::MockServer::start(), pinn_mock::MockServer::start());
    /// let tenant_a = pinn::Client::new(
    ///     pinn::Config::builder().secret_key(server_a.secret_key()).api_host(server_a.url()).build()?,
    /// );
    /// let tenant_b = pinn::Client::new(
    ///     pinn::Config::builder().secret_key(server_b.secret_key()).api_host(server_b.url()).build()?,
    /// );
    /// let a = tenant_a.scope(|| pinn::User::create(&Default::default()))?;
    /// let b = tenant_b.scope(|| pinn::User::list(&Default::default()))?;
    /// assert!(b.data.iter().all(|u| u.user_id != a.user_id));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn scope<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Restore(Option<Client>);
        impl Drop for Restore {
            fn drop(&mut self) {
                let previous = self.0.take();
                SCOPED.with(|s| *s.borrow_mut() = previous);
            }
        }
        let previous = SCOPED.with(|s| s.borrow_mut().replace(self.clone()));
        let _restore = Restore(previous);
        f()
    }
}

impl Client {
    /// Checks that this client's API host answers: `GET /health`, one attempt. True on a
    /// 2xx; false on any failure, including no secret key. Never an error.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// assert!(client.healthy());
    /// drop(server);
    /// assert!(!client.healthy());
    /// ```
    pub fn healthy(&self) -> bool {
        crate::http::healthy(&self.config)
    }
}

impl Client {
    /// Sends a request the crate has no call for yet, through this client: the same key (in
    /// its header only), host, timeouts, deadline, retries (as for `method`) and errors as
    /// every call, like octocrab's `get`/`post` and stripe-python's `raw_request`. Returns
    /// the JSON of the answer (`null` for an empty one) and what the response said.
    ///
    /// `path` is the path and query, already percent-encoded: `/v1/users?limit=2`. One that
    /// is not a plain absolute path (a scheme, a host, `..`, a fragment, spaces) is an
    /// [`InvalidArgument`](crate::Error::InvalidArgument) error, before any I/O; so is a
    /// `body` for a `GET` or a `DELETE`, which the API never reads.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::Method;
    /// use serde_json::json;
    /// let client = server.client();
    /// let body = json!({"metadata": {"plan": "pro"}});
    /// let (user, response) = client.raw_request(Method::Post, "/v1/users", Some(&body))?;
    /// assert_eq!(user["metadata"]["plan"], "pro");
    /// assert_eq!(response.status(), 200);
    /// let (page, _) = client.raw_request(Method::Get, "/v1/users?limit=1", None)?;
    /// assert_eq!(page["data"][0]["user_id"], user["user_id"]);
    /// let err = client.raw_request(Method::Get, "https://elsewhere.example/v1", None).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::InvalidRequest);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn raw_request(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<(serde_json::Value, ResponseInfo)> {
        let (plain, query) = path.split_once('?').unwrap_or((path, ""));
        let query_ok = query
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"#\\".contains(&b));
        if !is_api_path(plain) || !query_ok {
            return Err(Error::InvalidArgument(
                "a raw request's path must be a plain absolute path, percent-encoded, with an \
                 optional query: /v1/..."
                    .into(),
            ));
        }
        if body.is_some() && matches!(method, Method::Get | Method::Delete) {
            return Err(Error::InvalidArgument(format!(
                "a raw {method} request has no body: send it with POST or PATCH, or drop it"
            )));
        }
        let mut req = Request::new(method, path.to_string());
        if let Some(body) = body {
            req = req.json(body)?;
        }
        let reply = http::send::<serde_json::Value>(&self.config, &req)?;
        let json = reply.body.unwrap_or(serde_json::Value::Null);
        Ok((json, Arc::unwrap_or_clone(reply.info)))
    }
}

impl Target for Client {}

impl BuildTarget for Client {
    fn from_config(config: Config) -> Client {
        Client::new(config)
    }
}

/// Makes `client` the process-wide client, and switches it on if it was off.
///
/// ```
/// # let server = pinn_mock::MockServer::start();
/// pinn::set_client(server.client());
/// let user = pinn::User::create(&Default::default())?;
/// assert_eq!(server.count("user"), 1);
/// assert_eq!(pinn::User::retrieve(&user.user_id)?, user);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_client(client: Client) {
    *global_mut() = Global { client, on: true };
}

/// Switches the process-wide client off. From then on every static call (`User::create`, …)
/// and every call of an object that came from no client (deserialized, say) outside a
/// [`Client::scope`] fails with a configuration error, before any I/O; so do the setters
/// ([`set_secret_key`], …). [`set_client`] switches it back on.
///
/// For a multi-tenant server, where every call must go through the tenant's own
/// [`Client`]: a stray static call, or a save of a restored object, is then an error instead
/// of a call on the `PINN_*` account.
///
/// ```
/// # let server = pinn_mock::MockServer::start();
/// let tenant = server.client();
/// pinn::disable_global_client();
/// let err = pinn::User::list(&Default::default()).unwrap_err();
/// assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
/// assert!(err.to_string().contains("switched off"));
/// assert!(pinn::set_secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").is_err());
/// assert!(tenant.users().list(&Default::default()).is_ok()); // explicit clients work
/// assert!(tenant.scope(|| pinn::User::list(&Default::default())).is_ok()); // and scopes
/// pinn::set_client(tenant); // on again
/// assert!(pinn::User::list(&Default::default()).is_ok());
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn disable_global_client() {
    let off = Config {
        problem: Some(SWITCHED_OFF.into()),
        ..Config::default()
    };
    *global_mut() = Global {
        client: Client::new(off),
        on: false,
    };
}

/// Swaps in a new process-wide config made from the current one by `change`. A problem with
/// the new values is returned and the old config stays in place; so is a switched-off client.
fn update(change: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Result<()> {
    let mut g = global_mut();
    if !g.on {
        return Err(Error::Configuration(SWITCHED_OFF.into()));
    }
    let mut config = change(g.client.config.to_builder()).build()?;
    config.source = Source::Global;
    g.client = Client::new(config);
    Ok(())
}

/// Sets the secret key of the process-wide client (`pinn.secret_key = …` in Python).
///
/// A key that cannot be sent as a header value (a line break, a space, non-ASCII) is refused
/// with a configuration error, and the previous key stays.
///
/// ```
/// pinn::set_secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")?;
/// assert!(pinn::set_secret_key("sk_test_\nbroken").is_err());
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_secret_key(key: impl Into<String>) -> Result<()> {
    update(|b| b.secret_key(key))
}

/// Sets the API host of the process-wide client (`pinn.api_host = …`).
///
/// ```
/// pinn::set_api_host("http://127.0.0.1:12111")?;
/// assert_eq!(pinn::Client::global().config().api_host(), "http://127.0.0.1:12111");
/// assert!(pinn::set_api_host("http://api.example.com").is_err()); // clear text off loopback
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_api_host(host: impl Into<String>) -> Result<()> {
    update(|b| b.api_host(host))
}

/// Sets (or with `None`, clears) the API version of the process-wide client
/// (`pinn.api_version = …`).
///
/// ```
/// pinn::set_api_version(Some("2024-06-01"))?;
/// assert_eq!(pinn::Client::global().config().api_version(), Some("2024-06-01"));
/// pinn::set_api_version(None)?;
/// assert_eq!(pinn::Client::global().config().api_version(), None);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_api_version(version: Option<&str>) -> Result<()> {
    update(|b| match version {
        Some(v) => b.api_version(v),
        None => b.no_api_version(),
    })
}

/// Sets the connect timeout and the per-attempt timeout of the process-wide client.
///
/// ```
/// use std::time::Duration;
/// pinn::set_timeouts(Duration::from_secs(5), Duration::from_secs(20))?;
/// assert_eq!(pinn::Client::global().config().timeout(), Duration::from_secs(20));
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_timeouts(connect: Duration, per_attempt: Duration) -> Result<()> {
    update(|b| b.connect_timeout(connect).timeout(per_attempt))
}

/// Sets how many times the process-wide client retries a retryable failure (0: never).
///
/// ```
/// pinn::set_max_retries(0)?;
/// assert_eq!(pinn::Client::global().config().max_retries(), 0);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_max_retries(retries: u32) -> Result<()> {
    update(|b| b.max_retries(retries))
}
