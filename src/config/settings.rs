//! [`Config`]: an immutable set of settings, and what the HTTP layer derives from them.

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use super::checks;
use super::defaults::*;
use super::key::SecretKey;
use crate::errors::{Error, Result};
use crate::observe::Observer;

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

/// Which way a config was made, for advice that fits it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Source {
    /// [`Config::builder`] (or a builder from another config).
    #[default]
    Builder,
    /// [`Config::from_env`].
    Env,
    /// The process-wide client's: from the environment, then the crate's setters.
    Global,
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
    /// The variables [`Config::from_env`] could not read at all (not UTF-8), each with its
    /// problem. Unlike a bad value, which a builder checks again, each stays with every
    /// config built from this one until the setting it stands for is set in code.
    pub(crate) unreadable_env: Vec<(&'static str, String)>,
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
    /// Which way it was made.
    pub(crate) source: Source,
    /// A name for this config's client in log records and observer events.
    pub(crate) label: Option<String>,
    /// Called once per attempt.
    pub(crate) observer: Option<Observer>,
    /// The API host as `host:port`, the port written even when it is the scheme's default:
    /// what errors and log records name the host by.
    pub(crate) host_port: Arc<str>,
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
            .field("label", &self.label.as_deref().map(safe))
            .field("observer", &self.observer.as_ref().map(|_| ".."))
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
            unreadable_env: Vec::new(),
            authorization: None,
            jwt_key: None,
            host_is_loopback: false,
            authority: Arc::from(""),
            source: Source::Builder,
            label: None,
            observer: None,
            host_port: Arc::from(""),
        }
    }
}

impl Config {
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

    /// The label of this config's client in log records and observer events, if set.
    ///
    /// ```
    /// let config = pinn::Config::builder().label("tenant-a").build()?;
    /// assert_eq!(config.label(), Some("tenant-a"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn label(&self) -> Option<&str> {
        self.label.as_deref()
    }

    /// `raw`, text from a server or a token, as it may be shown: this config's key redacted,
    /// control characters escaped, cut to about `max` bytes (see `text::shown`).
    pub(crate) fn shown(&self, raw: &str, max: usize) -> String {
        crate::text::shown(raw, self.secret_key().map(SecretKey::expose), max)
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
            let advice = match self.source {
                Source::Builder => "give one to ConfigBuilder::secret_key",
                Source::Env => "set PINN_SECRET_KEY",
                Source::Global => "call pinn::set_secret_key or set PINN_SECRET_KEY",
            };
            return Err(Error::Configuration(format!("no secret key set: {advice}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::errors::ErrorKind;

    #[test]
    fn a_bad_key_is_a_configuration_error_that_hides_the_key() {
        let err = Config::builder()
            .secret_key("sk_test_line\nbreak")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration);
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
    fn the_defaults_are_the_documented_ones() {
        let c = Config::default();
        let s = Duration::from_secs;
        assert_eq!(c.api_host(), "https://pinnapis.com");
        assert_eq!(
            (c.connect_timeout(), c.timeout(), c.deadline()),
            (s(10), s(30), s(90))
        );
        assert_eq!(c.max_retries(), 2);
        assert_eq!(c.max_response_bytes(), 4 * 1024 * 1024);
        assert_eq!((c.dns_cache_ttl(), c.idle_timeout()), (s(60), s(4)));
        assert_eq!(c.post_idle_timeout(), Duration::from_millis(50));
        assert_eq!(MAX_DURATION, s(24 * 60 * 60));
    }

    #[test]
    fn an_api_version_that_looks_like_a_key_is_refused() {
        let version_with = |key: Option<&str>, version: &str| {
            let b = Config::builder().api_version(version);
            match key {
                Some(k) => b.secret_key(k),
                None => b,
            }
            .build()
            .map(|_| ())
            .map_err(|e| e.to_string())
        };
        let keyish =
            |r: Result<(), String>| r.is_err_and(|e| e.contains("looks like a secret key"));
        let short = "k_short_13chr"; // not distinctive: found only as the whole version
        let long = "abcdefghijklmnop"; // 16 bytes: found anywhere in it
        assert!(keyish(version_with(Some(short), short)));
        assert!(version_with(Some(short), &format!("v-{short}")).is_ok());
        assert!(keyish(version_with(Some(long), long)));
        assert!(keyish(version_with(Some(long), &format!("2024-{long}"))));
        assert!(keyish(version_with(None, "sk_test_anything")));
        assert!(keyish(version_with(None, "sk_live_anything")));
        assert!(version_with(Some(long), "2024-06-01").is_ok());
        assert!(version_with(None, "2024-06-01").is_ok());
    }

    #[test]
    fn a_builders_debug_shows_its_config_and_its_problems_without_the_key() {
        let b = Config::builder()
            .secret_key("sk_test_SECRETVALUE123")
            .proxy("sk_test_SECRETVALUE123");
        let shown = format!("{b:?}");
        assert!(
            shown.starts_with("ConfigBuilder { config: Config {"),
            "{shown}"
        );
        assert!(
            shown.contains(r#"problems: ["the proxy \"<redacted>\" is not a proxy URL"#),
            "{shown}"
        );
        assert!(!shown.contains("SECRETVALUE"), "{shown}");
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
