//! Settings: the secret key, the API host and version, timeouts and limits.
//!
//! A [`Config`] is an immutable value. The process-wide one is filled on first use from
//! `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION`; the setters in the crate root
//! ([`set_secret_key`](crate::set_secret_key), …) build a new value and swap the whole of it in,
//! so a request never sees half of an old config. To run with several configs at once, build a
//! [`Client`](crate::Client) from a [`ConfigBuilder`].

use std::fmt;
use std::time::Duration;

use crate::errors::{Error, Result};

/// The production API host, used when `PINN_API_HOST` is not set.
pub const DEFAULT_API_HOST: &str = "https://pinnapis.com";
/// Connect timeout unless configured otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Overall timeout of one attempt (connect, send, and read the whole response).
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Overall deadline of one call, retries and their waits included.
pub const DEFAULT_DEADLINE: Duration = Duration::from_secs(90);
/// Retries after a retryable failure; 0 turns retrying off.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The largest response body read, in bytes; a larger one is an error, not an allocation.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// A secret key. Its `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
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
        &self.0
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

/// An immutable set of settings. Build one with [`Config::builder`] or [`Config::from_env`].
///
/// Its `Debug` output shows whether a key is set, never the key.
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
    /// How retries wait; replaced in tests so they never sleep for real.
    pub(crate) sleep: fn(Duration),
    /// Set when a value could not be used; every request then fails with it, before any I/O.
    pub(crate) problem: Option<String>,
    /// `Bearer <key>`, formatted once.
    pub(crate) authorization: Option<String>,
    /// The key as jsonwebtoken's HMAC key, built once per key rather than once per verify.
    pub(crate) jwt_key: Option<jsonwebtoken::DecodingKey>,
    /// A searcher for the key, built once per key, to scrub it from every response.
    pub(crate) key_finder: Option<memchr::memmem::Finder<'static>>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("secret_key", &self.secret_key)
            .field("api_host", &self.api_host)
            .field("api_version", &self.api_version)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("deadline", &self.deadline)
            .field("max_retries", &self.max_retries)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("problem", &self.problem)
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
            sleep: std::thread::sleep,
            problem: None,
            authorization: None,
            jwt_key: None,
            key_finder: None,
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
        ConfigBuilder {
            config: Config::default(),
        }
    }

    /// The settings from `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION`.
    ///
    /// Never fails: a value that cannot be used is remembered, and every request made with this
    /// config fails with a [`Configuration`](crate::ErrorKind::Configuration) error naming it.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// std::env::set_var("PINN_SECRET_KEY", server.secret_key());
    /// std::env::set_var("PINN_API_HOST", server.url());
    /// let client = pinn::Client::new(pinn::Config::from_env());
    /// assert!(client.scope(|| pinn::User::list(&Default::default()))?.data.is_empty());
    ///
    /// std::env::set_var("PINN_API_HOST", "ftp://nowhere");
    /// let err = pinn::Config::from_env().check().unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn from_env() -> Config {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut b = Config::builder();
        if let Some(k) = var("PINN_SECRET_KEY") {
            b = b.secret_key(k);
        }
        if let Some(h) = var("PINN_API_HOST") {
            b = b.api_host(h);
        }
        if let Some(v) = var("PINN_API_VERSION") {
            b = b.api_version(v);
        }
        b.finish()
    }

    /// A builder starting from this config's values.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn::mock::MockServer::start();
    /// let base = server.config_builder().build()?;
    /// let patient = base.to_builder().timeout(Duration::from_secs(60)).build()?;
    /// assert_eq!(patient.api_host(), base.api_host());
    /// assert_eq!(patient.timeout(), Duration::from_secs(60));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn to_builder(&self) -> ConfigBuilder {
        ConfigBuilder {
            config: self.clone(),
        }
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
    /// Time allowed to open a connection.
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

    /// `Ok` when requests can be made with this config; the configuration error otherwise.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
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

/// Builds a [`Config`]. [`build`](ConfigBuilder::build) checks every value and reports the
/// first problem as a configuration error.
#[derive(Clone, Debug)]
#[must_use]
pub struct ConfigBuilder {
    config: Config,
}

impl ConfigBuilder {
    /// The secret key (`sk_…`). It must be printable ASCII, with no spaces or line breaks.
    ///
    /// ```
    /// let config = pinn::Config::builder().secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").build()?;
    /// assert!(config.check().is_ok());
    /// let err = pinn::Config::builder().secret_key("sk_test_ line\nbreak").build().unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.config.secret_key = Some(SecretKey(key.into()));
        self
    }

    /// The API host, e.g. `https://pinnapis.com` or `http://127.0.0.1:12111`. A trailing slash
    /// is removed. Plain `http://` is refused unless the host is loopback (or
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set), so the key never travels in
    /// clear text by accident.
    ///
    /// ```
    /// use pinn::Config;
    /// let config = Config::builder().api_host("https://pinnapis.com/").build()?;
    /// assert_eq!(config.api_host(), "https://pinnapis.com");
    /// assert!(Config::builder().api_host("http://127.0.0.1:12111").build().is_ok());
    /// assert!(Config::builder().api_host("http://api.example.com").build().is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn api_host(mut self, host: impl Into<String>) -> Self {
        self.config.api_host = host.into();
        self
    }

    /// The API version, sent as the `Pinn-Version` header.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().api_version("2024-06-01").build()?);
    /// client.scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(server.requests()[0].header("Pinn-Version"), Some("2024-06-01"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.config.api_version = Some(version.into());
        self
    }

    /// Sends no `Pinn-Version` header.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// let versioned = server.config_builder().api_version("2024-06-01").build()?;
    /// let client = pinn::Client::new(versioned.to_builder().no_api_version().build()?);
    /// client.scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(server.requests()[0].header("Pinn-Version"), None);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn no_api_version(mut self) -> Self {
        self.config.api_version = None;
        self
    }

    /// Time allowed to open a connection (default 10 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = pinn::Config::builder().connect_timeout(Duration::from_secs(2)).build()?;
    /// assert_eq!(config.connect_timeout(), Duration::from_secs(2));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.config.connect_timeout = t;
        self
    }

    /// Time allowed for one attempt, connect to last byte (default 30 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::delay(Duration::from_secs(5)));
    /// let config = server.config_builder().timeout(Duration::from_millis(200)).max_retries(0).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::ApiConnection);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn timeout(mut self, t: Duration) -> Self {
        self.config.timeout = t;
        self
    }

    /// Time allowed for a whole call, retries and waits included (default 90 s).
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::status(500).times(3));
    /// let config = server.config_builder().deadline(Duration::from_millis(100)).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// // The first backoff (0.25–0.5 s) would end past the deadline, so nothing is retried.
    /// assert_eq!((err.status(), err.attempts()), (Some(500), 1));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn deadline(mut self, t: Duration) -> Self {
        self.config.deadline = t;
        self
    }

    /// Retries after a retryable failure (default 2; 0 turns retrying off).
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::status(503).times(5));
    /// let config = server.config_builder().max_retries(1).sleeper(|_| {}).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.status(), err.attempts()), (Some(503), 2));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn max_retries(mut self, n: u32) -> Self {
        self.config.max_retries = n;
        self
    }

    /// The largest response body accepted, in bytes (default 4 MiB).
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// let config = server.config_builder().max_response_bytes(16).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (pinn::ErrorKind::Pinn, Some(200)));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, n: u64) -> Self {
        self.config.max_response_bytes = n;
        self
    }

    /// Allows a plain `http://` host that is not loopback. The secret key then crosses the
    /// network unencrypted: only for a trusted private network.
    ///
    /// ```
    /// use pinn::Config;
    /// let private = "http://10.0.0.7:8080";
    /// assert!(Config::builder().api_host(private).build().is_err());
    /// let config = Config::builder().api_host(private).allow_insecure_http(true).build()?;
    /// assert_eq!(config.api_host(), private);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.config.allow_insecure_http = allow;
        self
    }

    /// Replaces how the client waits between retries (default: [`std::thread::sleep`]). Tests
    /// use it to record the waits instead of sleeping.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
    /// static WAITS: AtomicUsize = AtomicUsize::new(0);
    /// # let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::status(503));
    /// let config = server.config_builder().sleeper(|_wait| { WAITS.fetch_add(1, SeqCst); }).build()?;
    /// pinn::Client::new(config).scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(WAITS.load(SeqCst), 1); // one retry, and no real sleep
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn sleeper(mut self, sleep: fn(Duration)) -> Self {
        self.config.sleep = sleep;
        self
    }

    /// The config, or the first configuration problem found.
    ///
    /// ```
    /// let config = pinn::Config::builder().secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").build()?;
    /// assert!(config.check().is_ok());
    /// let err = pinn::Config::builder().api_host("pinnapis.com").build().unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn build(self) -> Result<Config> {
        let config = self.finish();
        match &config.problem {
            Some(p) => Err(Error::Configuration(p.clone())),
            None => Ok(config),
        }
    }

    /// The config with any problem kept inside it, to be reported at request time.
    pub(crate) fn finish(self) -> Config {
        let mut c = self.config;
        let mut problems = Vec::new();
        c.authorization = None;
        c.jwt_key = c
            .secret_key
            .as_ref()
            .map(|k| jsonwebtoken::DecodingKey::from_secret(k.expose().as_bytes()));
        c.key_finder = c
            .secret_key
            .as_ref()
            .map(|k| memchr::memmem::Finder::new(k.expose().as_bytes()).into_owned());
        if let Some(key) = &c.secret_key {
            match check_header_value("secret key", key.expose(), false) {
                None => c.authorization = Some(format!("Bearer {}", key.expose())),
                Some(p) => problems.push(p),
            }
        }
        match normalize_host(&c.api_host, c.allow_insecure_http) {
            Ok(h) => c.api_host = h,
            Err(p) => problems.push(p),
        }
        if let Some(v) = &c.api_version {
            problems.extend(check_header_value("api version", v, true));
        }
        c.problem = problems.into_iter().next();
        c
    }
}

/// `None` when `value` can be sent as a header value as-is.
fn check_header_value(what: &str, value: &str, allow_space: bool) -> Option<String> {
    if value.is_empty() {
        return Some(format!("the {what} is empty"));
    }
    let bad = value
        .chars()
        .find(|&c| !(c.is_ascii_graphic() || (allow_space && c == ' ')));
    bad.map(|c| {
        let what_char = match c {
            '\r' | '\n' => "a line break".to_string(),
            ' ' | '\t' => "whitespace".to_string(),
            c if c.is_control() => "a control character".to_string(),
            _ => "a non-ASCII character".to_string(),
        };
        format!("the {what} contains {what_char}, so it cannot be sent as a header")
    })
}

/// Checks an API host and strips its trailing slash.
fn normalize_host(host: &str, allow_insecure_http: bool) -> std::result::Result<String, String> {
    let trimmed = host.strip_suffix('/').unwrap_or(host);
    let (scheme, rest) = if let Some(rest) = trimmed.strip_prefix("https://") {
        ("https", rest)
    } else if let Some(rest) = trimmed.strip_prefix("http://") {
        ("http", rest)
    } else {
        return Err(format!(
            "api host {host:?} must start with https:// (or http:// for a loopback emulator)"
        ));
    };
    let Some(name) = host_name(rest) else {
        return Err(format!(
            "api host {host:?} must be a scheme and a host with an optional port, nothing else"
        ));
    };
    if scheme == "http" && !allow_insecure_http && !is_loopback(name) {
        return Err(format!(
            "api host {host:?} uses plain http:// on a non-loopback host, which would send the \
             secret key in clear text; use https:// (or allow_insecure_http on a trusted network)"
        ));
    }
    Ok(trimmed.to_string())
}

/// The host of `authority` when it is exactly a host name, an IPv4 address or a bracketed
/// IPv6 address, then optionally `:` and a port number; `None` for anything else.
///
/// Strict on purpose: the loopback check must read the host the way the HTTP stack will.
/// `localhost:evil.example` or `[::1]evil.example` are refused rather than guessed at.
fn host_name(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (inside, after) = v6.split_once(']')?;
        inside.parse::<std::net::Ipv6Addr>().ok()?;
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':')?),
        };
        (inside, port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        };
        let name_byte = |b: u8| b.is_ascii_alphanumeric() || b"-._".contains(&b);
        if host.is_empty() || !host.bytes().all(name_byte) {
            return None;
        }
        (host, port)
    };
    if let Some(p) = port {
        if !p.bytes().all(|b| b.is_ascii_digit()) || p.parse::<u16>().is_err() {
            return None;
        }
    }
    Some(host)
}

/// Whether `host` (from [`host_name`]) names the local machine.
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    host.parse::<std::net::IpAddr>()
        .map(|ip| ip.is_loopback())
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_checked_and_trimmed() {
        assert_eq!(
            normalize_host("https://pinnapis.com/", false).as_deref(),
            Ok("https://pinnapis.com")
        );
        assert!(normalize_host("http://127.0.0.1:8080", false).is_ok());
        assert!(normalize_host("http://localhost", false).is_ok());
        assert!(normalize_host("http://[::1]:9", false).is_ok());
        assert!(normalize_host("http://example.com", false).is_err());
        assert!(normalize_host("http://example.com", true).is_ok());
        assert!(normalize_host("http://127.0.0.1.evil.com", false).is_err());
        assert!(normalize_host("ftp://x", false).is_err());
        assert!(normalize_host("https://a.com/v1", false).is_err());
        assert!(normalize_host("https://user@a.com", false).is_err());
        assert!(normalize_host("https://", false).is_err());
        assert!(normalize_host("https://a b", false).is_err());
    }

    #[test]
    fn header_values_are_checked() {
        assert!(check_header_value("k", "sk_test_abc", false).is_none());
        for bad in ["", "a\nb", "a\rb", "a b", "é", "a\0"] {
            assert!(check_header_value("k", bad, false).is_some(), "{bad:?}");
        }
        assert!(check_header_value("v", "2024-01-01 beta", true).is_none());
    }

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
    fn debug_never_shows_the_key() {
        let c = Config::builder()
            .secret_key("sk_test_SECRETVALUE123")
            .build()
            .unwrap();
        let shown = format!("{c:?} {:?} {}", c.secret_key(), c.secret_key().unwrap());
        assert!(!shown.contains("SECRETVALUE"), "{shown}");
    }
}
