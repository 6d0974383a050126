//! The process-wide client, explicit clients, and scoped overrides.
//!
//! Every resource call (`User::create`, …) runs on the *current* client: the one a
//! [`Client::scope`] installed on this thread, or else the process-wide one. The process-wide
//! client is built on first use from the environment ([`Config::from_env`]) and replaced whole
//! by the setters ([`set_secret_key`], …).
//!
//! Two tenants, or two tests with two mock servers, each build their own [`Client`] and run
//! their calls inside [`Client::scope`]; nothing is shared but the connection pool.

use std::cell::RefCell;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use once_cell::sync::Lazy;

use crate::config::{Config, ConfigBuilder};
use crate::errors::Result;

/// A configured handle on the API: a [`Config`] and the crate's one HTTP agent.
///
/// Cheap to clone (one `Arc`). Its `Debug` never shows the secret key.
#[derive(Clone, Debug)]
pub struct Client {
    pub(crate) config: Arc<Config>,
}

// A client is immutable once built: its config is read-only, and the agent's connection pool
// recovers from a panic in another thread (ureq drops a connection that was in use). So a
// panic can never leave one half-changed, whatever its sleeper or agent hold.
impl std::panic::UnwindSafe for Client {}
impl std::panic::RefUnwindSafe for Client {}

static GLOBAL: Lazy<RwLock<Client>> = Lazy::new(|| {
    RwLock::new(Client {
        config: Arc::new(Config::from_env()),
    })
});

thread_local! {
    static SCOPED: RefCell<Option<Client>> = const { RefCell::new(None) };
}

impl Client {
    /// A client using `config`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
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

    /// The client every call uses on this thread right now: the innermost
    /// [`scope`](Client::scope), or else the process-wide client.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
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

    /// The process-wide client.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// server.install();
    /// let in_scope = pinn::Client::new(pinn::Config::builder().build()?);
    /// let host = in_scope.scope(|| pinn::Client::global().config().api_host().to_string());
    /// assert_eq!(host, server.url()); // a scope does not change the process-wide client
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn global() -> Client {
        match GLOBAL.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
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
    /// one (also if `f` panics). Scopes nest. Threads spawned inside `f` do not inherit it.
    ///
    /// ```
    /// # let (server_a, server_b) = (pinn::mock::MockServer::start(), pinn::mock::MockServer::start());
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
    /// `GET /health` once, with no retries: true on a 2xx, false on anything else.
    pub(crate) fn healthy(&self) -> bool {
        crate::http::healthy(&self.config)
    }
}

/// Makes `client` the process-wide client.
///
/// ```
/// # let server = pinn::mock::MockServer::start();
/// pinn::set_client(server.client());
/// let user = pinn::User::create(&Default::default())?;
/// assert_eq!(server.count("user"), 1);
/// assert_eq!(pinn::User::retrieve(&user.user_id)?, user);
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_client(client: Client) {
    match GLOBAL.write() {
        Ok(mut g) => *g = client,
        Err(poisoned) => *poisoned.into_inner() = client,
    }
}

/// Swaps in a new process-wide config made from the current one by `change`. A problem with
/// the new values is returned and the old config stays in place.
fn update(change: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> Result<()> {
    let mut g = match GLOBAL.write() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    };
    let config = change(g.config.to_builder()).build()?;
    *g = Client::new(config);
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
/// pinn::set_api_version(None::<String>)?;
/// # Ok::<(), pinn::Error>(())
/// ```
pub fn set_api_version(version: Option<impl Into<String>>) -> Result<()> {
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
