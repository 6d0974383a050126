//! Settings: the secret key, the API host and version, timeouts, limits, and the transport
//! (proxies, TLS roots, DNS caching, connection reuse).
//!
//! A [`Config`] is an immutable value. The process-wide one is filled on first use from
//! `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION`; the setters in the crate root
//! ([`set_secret_key`](crate::set_secret_key), …) build a new value and swap the whole of it in,
//! so a request never sees half of an old config. To run with several configs at once, build a
//! [`Client`](crate::Client) from a [`ConfigBuilder`].

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::errors::{Error, Result};

mod builder;
mod checks;

pub use builder::ConfigBuilder;
pub use checks::MAX_SECRET_KEY_BYTES;

/// The production API host, used when `PINN_API_HOST` is not set.
pub const DEFAULT_API_HOST: &str = "https://pinnapis.com";
/// Connect timeout unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Overall timeout of one attempt (connect, send, and read the whole response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Overall deadline of one call, retries and their waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(90);
/// The longest any duration setting can be: a longer one (`Duration::MAX` included) is taken
/// as this, a day, which no call should ever need.
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 60 * 60);
/// Retries after a retryable failure; 0 turns retrying off.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The largest response body read, in bytes; a larger one is an error, not an allocation.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// How long a host name's addresses are reused before it is looked up again.
pub const DEFAULT_DNS_CACHE_TTL: Duration = Duration::from_secs(60);
/// A pooled connection idle for longer is closed rather than reused: below the 5 s after
/// which common servers (Node.js, Apache) close an idle keep-alive connection themselves.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(4);
/// A POST reuses a pooled connection only if it was idle for less than this; otherwise it
/// opens a fresh one. See [`ConfigBuilder::post_idle_timeout`].
pub const DEFAULT_POST_IDLE_TIMEOUT: Duration = Duration::from_millis(50);

/// A secret key. Its `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct SecretKey(Arc<KeyInner>);

struct KeyInner {
    text: Box<str>,
    /// A searcher for the key, built once, for the transport's guard.
    finder: memchr::memmem::Finder<'static>,
}

impl PartialEq for SecretKey {
    fn eq(&self, other: &SecretKey) -> bool {
        self.0.text == other.0.text
    }
}

impl Eq for SecretKey {}

impl SecretKey {
    pub(crate) fn new(key: String) -> SecretKey {
        let finder = memchr::memmem::Finder::new(key.as_bytes()).into_owned();
        SecretKey(Arc::new(KeyInner {
            text: key.into_boxed_str(),
            finder,
        }))
    }

    /// The key's searcher.
    pub(crate) fn finder(&self) -> &memchr::memmem::Finder<'static> {
        &self.0.finder
    }

    /// The key itself. Handle with care: never log it.
    ///
    /// ```
    /// let config = pinn::Config::builder().secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").build()?;
    /// let key = config.secret_key().unwrap();
    /// assert_eq!(key.expose(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// assert_eq!(format!("{key} {key:?}"), "<redacted> SecretKey(<redacted>)");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn expose(&self) -> &str {
        &self.0.text
    }

    /// Whether the key is long enough that finding it in text means it is really there:
    /// [`DISTINCTIVE_KEY_BYTES`] or more (real keys have 35). Shorter keys, which no real
    /// account has, could occur in ordinary text by chance, so the transport does not mask
    /// them in responses or refuse URLs that contain them; error text still redacts them.
    pub(crate) fn is_distinctive(&self) -> bool {
        self.0.text.len() >= DISTINCTIVE_KEY_BYTES
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The shortest key the transport searches for in responses and URLs (16 bytes, the same
/// bound `id_token::MIN_SECRET_BYTES` puts on an HMAC key).
const DISTINCTIVE_KEY_BYTES: usize = 16;

/// How requests wait between retries.
pub(crate) type Sleeper = Arc<dyn Fn(Duration) + Send + Sync>;

/// Which proxy requests go through.
#[derive(Clone, Debug, Default)]
pub(crate) enum ProxySetting {
    /// The first of `ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY` set, and `NO_PROXY`, as read
    /// when the agent was built; never for a loopback API host.
    #[default]
    FromEnv,
    /// No proxy at all.
    Direct,
    /// This proxy, for every request (a loopback API host included).
    Explicit(ureq::Proxy),
}

/// Which certificates a TLS server may chain to.
#[derive(Clone, Debug, Default)]
pub(crate) enum TlsRoots {
    /// Mozilla's roots, bundled with the crate (webpki-roots).
    #[default]
    Bundled,
    /// Exactly these certificates (DER).
    Specific(Arc<Vec<ureq::tls::Certificate<'static>>>),
    /// The operating system's trust store and verifier.
    #[cfg(feature = "platform-verifier")]
    Platform,
}

/// What the HTTP agent is built from: settings that cannot change per request. A config
/// whose transport is the default shares the crate's one agent; any other gets its own,
/// built on first use and shared by every config made from it that keeps these settings.
#[derive(Clone, Debug)]
pub(crate) struct Transport {
    pub roots: TlsRoots,
    pub dns_cache_ttl: Duration,
    /// How long the pool keeps an idle connection for reuse.
    pub idle_timeout: Duration,
    /// The agent built for these settings, once one is needed.
    pub agent: Arc<OnceLock<ureq::Agent>>,
}

impl Default for Transport {
    fn default() -> Self {
        Transport {
            roots: TlsRoots::Bundled,
            dns_cache_ttl: DEFAULT_DNS_CACHE_TTL,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            agent: Arc::default(),
        }
    }
}

impl Transport {
    pub(crate) fn is_default(&self) -> bool {
        matches!(self.roots, TlsRoots::Bundled)
            && self.dns_cache_ttl == DEFAULT_DNS_CACHE_TTL
            && self.idle_timeout == DEFAULT_IDLE_TIMEOUT
    }
}

/// An immutable set of settings. Build one with [`Config::builder`] or [`Config::from_env`].
///
/// Its `Debug` output shows whether a key is set, never the key, and a proxy's host and
/// port, never its credentials.
#[derive(Clone)]
pub struct Config {
    pub(crate) secret_key: Option<SecretKey>,
    pub(crate) api_host: String,
    pub(crate) api_version: Option<String>,
    pub(crate) connect_timeout: Duration,
    pub(crate) timeout: Duration,
    pub(crate) deadline: Duration,
    pub(crate) max_retries: u32,
    pub(crate) max_response_bytes: u64,
    pub(crate) allow_insecure_http: bool,
    pub(crate) proxy: ProxySetting,
    pub(crate) post_idle_timeout: Duration,
    pub(crate) transport: Transport,
    /// How retries wait; replaced in tests so they never sleep for real.
    pub(crate) sleep: Sleeper,
    /// Set when a value could not be used; every request then fails with it, before any I/O.
    pub(crate) problem: Option<String>,
    /// A variable [`Config::from_env`] could not read at all (not UTF-8). Unlike a bad value,
    /// which a builder checks again, it stays with every config built from this one.
    pub(crate) unreadable_env: Option<String>,
    /// `Bearer ` and one `*` per byte of the key: what ureq is given, so it never holds the
    /// key itself; the transport writes the key in on the way out (see `http::guard`).
    pub(crate) authorization: Option<String>,
    /// The key as jsonwebtoken's HMAC key, built once per key rather than once per verify.
    pub(crate) jwt_key: Option<jsonwebtoken::DecodingKey>,
    /// Whether the API host is loopback, which an environment proxy never serves.
    pub(crate) host_is_loopback: bool,
    /// The API host's `host[:port]`, lowercase: what the transport's guard knows its
    /// connection by.
    pub(crate) authority: Arc<str>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let proxy = match &self.proxy {
            ProxySetting::FromEnv => "from the environment".to_string(),
            ProxySetting::Direct => "none".to_string(),
            ProxySetting::Explicit(p) => format!("{}://{}:{}", p.protocol(), p.host(), p.port()),
        };
        let roots = match &self.transport.roots {
            TlsRoots::Bundled => "bundled webpki roots".to_string(),
            TlsRoots::Specific(c) => format!("{} given certificates", c.len()),
            #[cfg(feature = "platform-verifier")]
            TlsRoots::Platform => "the platform's".to_string(),
        };
        // Whatever was set, the key never shows: not even given as the host or the version.
        let key = self.secret_key.as_ref().map(SecretKey::expose);
        let safe = |text: &str| crate::text::shown(text, key, crate::text::MAX_MESSAGE);
        f.debug_struct("Config")
            .field("secret_key", &self.secret_key)
            .field("api_host", &safe(&checks::shown_host(&self.api_host)))
            .field("api_version", &self.api_version.as_deref().map(safe))
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("proxy", &safe(&proxy))
            .field("tls_roots", &roots)
            .field("dns_cache_ttl", &self.transport.dns_cache_ttl)
            .field("idle_timeout", &self.transport.idle_timeout)
            .field("post_idle_timeout", &self.post_idle_timeout)
            .field("problem", &self.problem.as_deref().map(safe))
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            secret_key: None,
            api_host: DEFAULT_API_HOST.to_string(),
            api_version: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timeout: DEFAULT_TIMEOUT,
            deadline: DEFAULT_DEADLINE,
            max_retries: DEFAULT_MAX_RETRIES,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            allow_insecure_http: false,
            proxy: ProxySetting::FromEnv,
            post_idle_timeout: DEFAULT_POST_IDLE_TIMEOUT,
            transport: Transport::default(),
            sleep: Arc::new(std::thread::sleep),
            problem: None,
            unreadable_env: None,
            authorization: None,
            jwt_key: None,
            host_is_loopback: false,
            authority: Arc::from(""),
        }
    }
}

impl Config {
    /// A builder starting from the defaults (no key, production host).
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.api_host(), pinn::config::DEFAULT_API_HOST);
    /// assert!(config.secret_key().is_none());
    /// assert_eq!(config.max_retries(), pinn::config::DEFAULT_MAX_RETRIES);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder::new(Config::default())
    }

    /// The settings from `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION`.
    ///
    /// Never fails: a value that cannot be used is remembered, and every request made with this
    /// config fails with a [`Configuration`](crate::ErrorKind::Configuration) error naming it.
    /// That includes a value that is not UTF-8: it is never taken as unset (an unset
    /// `PINN_API_HOST` means the production host). An empty value is taken as unset.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// // SAFETY: this example is its own process, with no other thread touching the environment.
    /// unsafe { std::env::set_var("PINN_SECRET_KEY", server.secret_key()) };
    /// unsafe { std::env::set_var("PINN_API_HOST", server.url()) };
    /// let client = pinn::Client::new(pinn::Config::from_env());
    /// assert!(client.scope(|| pinn::User::list(&Default::default()))?.data.is_empty());
    ///
    /// unsafe { std::env::set_var("PINN_API_HOST", "ftp://nowhere") };
    /// let err = pinn::Config::from_env().check().unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn from_env() -> Config {
        let mut problems = Vec::new();
        let mut var = |name: &str| match std::env::var(name) {
            Ok(v) => Some(v).filter(|v| !v.is_empty()),
            Err(std::env::VarError::NotPresent) => None,
            // Never taken as unset: a host falling back to the default would send the key
            // to production, and a missing key would be reported as never set.
            Err(std::env::VarError::NotUnicode(_)) => {
                problems.push(format!("{name} is set but is not valid UTF-8"));
                None
            }
        };
        let (key, host, version) = (
            var("PINN_SECRET_KEY"),
            var("PINN_API_HOST"),
            var("PINN_API_VERSION"),
        );
        let mut b = Config::builder();
        if let Some(k) = key {
            b = b.secret_key(k);
        }
        if let Some(h) = host {
            b = b.api_host(h);
        }
        if let Some(v) = version {
            b = b.api_version(v);
        }
        b.unreadable_env(problems.into_iter().next());
        b.finish()
    }

    /// A builder starting from this config's values.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn_mock::MockServer::start();
    /// let base = server.config_builder().build()?;
    /// let patient = base.to_builder().timeout(Duration::from_secs(60)).build()?;
    /// assert_eq!(patient.api_host(), base.api_host());
    /// assert_eq!(patient.timeout(), Duration::from_secs(60));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder::new(self.clone())
    }

    /// The secret key, if one is set.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert!(config.secret_key().is_none());
    /// let config = config.to_builder().secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").build()?;
    /// assert_eq!(config.secret_key().map(|k| k.expose()), Some("sk_test_4eC39HqLyjWDarjtT1zdp7dc"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn secret_key(&self) -> Option<&SecretKey> {
        self.secret_key.as_ref()
    }

    /// The API host: scheme, host and optional port, without a trailing slash.
    ///
    /// ```
    /// let config = pinn::Config::builder().api_host("http://localhost:12111/").build()?;
    /// assert_eq!(config.api_host(), "http://localhost:12111");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn api_host(&self) -> &str {
        &self.api_host
    }

    /// The API version sent as `Pinn-Version`, if set.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.api_version(), None);
    /// let config = config.to_builder().api_version("2024-06-01").build()?;
    /// assert_eq!(config.api_version(), Some("2024-06-01"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn api_version(&self) -> Option<&str> {
        self.api_version.as_deref()
    }

    /// Time allowed to open a connection (the host's lookup included).
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.connect_timeout(), pinn::config::DEFAULT_CONNECT_TIMEOUT);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// Time allowed for one attempt, from connecting to reading the last byte.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.timeout(), pinn::config::DEFAULT_TIMEOUT);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Time allowed for a whole call, every retry and wait included.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.deadline(), pinn::config::DEFAULT_DEADLINE);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn deadline(&self) -> Duration {
        self.deadline
    }

    /// How many times a retryable failure is retried (0: never).
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.max_retries(), pinn::config::DEFAULT_MAX_RETRIES);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// The largest response body accepted, in bytes.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.max_response_bytes(), pinn::config::DEFAULT_MAX_RESPONSE_BYTES);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn max_response_bytes(&self) -> u64 {
        self.max_response_bytes
    }

    /// How long a host name's looked-up addresses are reused.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.dns_cache_ttl(), pinn::config::DEFAULT_DNS_CACHE_TTL);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn dns_cache_ttl(&self) -> Duration {
        self.transport.dns_cache_ttl
    }

    /// How long a pooled connection may sit idle and still be reused.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.idle_timeout(), pinn::config::DEFAULT_IDLE_TIMEOUT);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn idle_timeout(&self) -> Duration {
        self.transport.idle_timeout
    }

    /// How long a pooled connection may sit idle and still carry a POST.
    ///
    /// ```
    /// let config = pinn::Config::builder().build()?;
    /// assert_eq!(config.post_idle_timeout(), pinn::config::DEFAULT_POST_IDLE_TIMEOUT);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn post_idle_timeout(&self) -> Duration {
        self.post_idle_timeout
    }

    /// `Ok` when requests can be made with this config; the configuration error otherwise.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// assert!(server.config_builder().build()?.check().is_ok());
    /// let keyless = pinn::Config::builder().api_host(server.url()).build()?;
    /// assert_eq!(keyless.check().unwrap_err().kind(), pinn::ErrorKind::Configuration);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn check(&self) -> Result<()> {
        if let Some(p) = &self.problem {
            return Err(Error::Configuration(p.clone()));
        }
        if self.authorization.is_none() {
            return Err(Error::Configuration(
                "no secret key set: call pinn::set_secret_key or set PINN_SECRET_KEY".into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_key_is_a_configuration_error_that_hides_the_key() {
        let err = Config::builder()
            .secret_key("sk_test_line\nbreak")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), crate::ErrorKind::Configuration);
        assert!(!err.to_string().contains("sk_test_line"));
    }

    #[test]
    fn debug_never_shows_the_key_or_proxy_credentials() {
        let c = Config::builder()
            .secret_key("sk_test_SECRETVALUE123")
            .proxy("http://user:PROXYPASSWORD@proxy.example:3128")
            .build()
            .unwrap();
        let shown = format!("{c:?} {:?} {}", c.secret_key(), c.secret_key().unwrap());
        assert!(!shown.contains("SECRETVALUE"), "{shown}");
        assert!(!shown.contains("PROXYPASSWORD"), "{shown}");
        assert!(shown.contains("proxy.example:3128"), "{shown}");
    }

    #[test]
    fn a_refused_host_is_never_kept_verbatim() {
        let secret = "sk_test_4eC39HqLyjWDarjtT1zdp7dc";
        let c = Config::builder()
            .api_host(format!("https://{secret}:@pinnapis.com"))
            .finish();
        let err = c.check().unwrap_err();
        let shown = format!("{c:?} {err} {err:?}");
        assert!(!shown.contains(secret), "{shown}");
    }
}
