//! The settings of a [`ConfigBuilder`], one method each: each records its value, or the
//! problem with it, which [`build`](ConfigBuilder::build) reports.

use std::sync::Arc;
use std::time::Duration;

use super::builder::{ConfigBuilder, Target};
use super::checks;
use super::defaults::MAX_DURATION;
use super::key::SecretKey;
use super::settings::{Config, ProxySetting, TlsRoots, Transport};
use crate::observe::AttemptEvent;

impl<T: Target> ConfigBuilder<T> {
    /// The secret key (`sk_…`). It must be printable ASCII, with no spaces or line breaks,
    /// and at most 1024 bytes.
    ///
    /// ```
    /// let config = pinn::Config::builder().secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc").build()?;
    /// assert!(config.check().is_ok());
    /// let err = pinn::Config::builder().secret_key("sk_test_ line\nbreak").build().unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::Configuration);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn secret_key(mut self, key: impl Into<String>) -> Self {
        self.config.secret_key = Some(SecretKey::new(key.into()));
        self.env_replaced("PINN_SECRET_KEY");
        self
    }

    /// The API host, e.g. `https://pinnapis.com` or `http://127.0.0.1:12111`. A trailing slash
    /// is removed. Plain `http://` is refused unless the host is loopback (or
    /// [`allow_insecure_http`](Self::allow_insecure_http) is set), so the key never travels in
    /// clear text by accident. A user name, password, path, query or fragment is refused, and
    /// never repeated in the error.
    ///
    /// ```
    /// use pinn::Config;
    /// let config = Config::builder().api_host("https://pinnapis.com/").build()?;
    /// assert_eq!(config.api_host(), "https://pinnapis.com");
    /// assert!(Config::builder().api_host("http://127.0.0.1:12111").build().is_ok());
    /// assert!(Config::builder().api_host("http://api.example.com").build().is_err());
    /// let err = Config::builder().api_host("https://user:hunter2@pinnapis.com").build().unwrap_err();
    /// assert!(!err.to_string().contains("hunter2"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn api_host(mut self, host: impl Into<String>) -> Self {
        self.config.api_host = host.into();
        self.env_replaced("PINN_API_HOST");
        self
    }

    /// The API version, sent as the `Pinn-Version` header.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().api_version("2024-06-01").build()?);
    /// client.scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(server.requests()[0].header("Pinn-Version"), Some("2024-06-01"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.config.api_version = Some(version.into());
        self.env_replaced("PINN_API_VERSION");
        self
    }

    /// Sends no `Pinn-Version` header.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let versioned = server.config_builder().api_version("2024-06-01").build()?;
    /// let client = pinn::Client::new(versioned.to_builder().no_api_version().build()?);
    /// client.scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(server.requests()[0].header("Pinn-Version"), None);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn no_api_version(mut self) -> Self {
        self.config.api_version = None;
        self.env_replaced("PINN_API_VERSION");
        self
    }

    /// Records a duration setting: zero is a configuration problem (the old value stays),
    /// anything over [`MAX_DURATION`] is taken as `MAX_DURATION`.
    fn duration(
        mut self,
        what: &str,
        d: Duration,
        set: impl FnOnce(&mut Config, Duration),
    ) -> Self {
        match checks::duration(what, d, MAX_DURATION) {
            Ok(d) => set(&mut self.config, d),
            Err(p) => self.problems.push(p),
        }
        self
    }

    /// Time allowed to open a connection, the host's lookup included (default 10 s). Zero is
    /// refused; more than a day ([`MAX_DURATION`], e.g. `Duration::MAX`) is taken as a day.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = pinn::Config::builder().connect_timeout(Duration::from_secs(2)).build()?;
    /// assert_eq!(config.connect_timeout(), Duration::from_secs(2));
    /// let patient = pinn::Config::builder().connect_timeout(Duration::MAX).build()?;
    /// assert_eq!(patient.connect_timeout(), pinn::config::MAX_DURATION);
    /// assert!(pinn::Config::builder().connect_timeout(Duration::ZERO).build().is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn connect_timeout(self, t: Duration) -> Self {
        self.duration("connect timeout", t, |c, t| c.connect_timeout = t)
    }

    /// Time allowed for one attempt, connect to last byte (default 30 s). Zero is refused;
    /// more than a day is taken as a day.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::delay(Duration::from_secs(5)));
    /// let config = server.config_builder().timeout(Duration::from_millis(200)).max_retries(0).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::ApiConnection);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn timeout(self, t: Duration) -> Self {
        self.duration("timeout", t, |c, t| c.timeout = t)
    }

    /// Time allowed for a whole call, retries and waits included (default 90 s). Zero is
    /// refused; more than a day is taken as a day.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(500).times(3));
    /// let config = server.config_builder().deadline(Duration::from_millis(100)).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// // The first backoff (0.25–0.5 s) would end past the deadline, so nothing is retried.
    /// assert_eq!((err.status(), err.attempts()), (Some(500), 1));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn deadline(self, t: Duration) -> Self {
        self.duration("deadline", t, |c, t| c.deadline = t)
    }

    /// Retries after a retryable failure (default 2; 0 turns retrying off). Any count is
    /// safe: the call's deadline bounds the retries too.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(503).times(5));
    /// let config = server.config_builder().max_retries(1).sleeper(|_| {}).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.status(), err.attempts()), (Some(503), 2));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn max_retries(mut self, n: u32) -> Self {
        self.config.max_retries = n;
        self
    }

    /// The largest response body accepted, in bytes (default 4 MiB). Zero is refused.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let config = server.config_builder().max_response_bytes(16).build()?;
    /// let err = pinn::Client::new(config).scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (pinn::ErrorKind::Pinn, Some(200)));
    /// assert!(pinn::Config::builder().max_response_bytes(0).build().is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn max_response_bytes(mut self, n: u64) -> Self {
        if n == 0 {
            self.problems
                .push("the response size limit must be at least one byte".into());
        } else {
            self.config.max_response_bytes = n;
        }
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

    /// Sends every request through this proxy: `http://host:port`, `https://host:port`,
    /// `socks4://`, `socks4a://`, `socks5://` or `socks5h://`, with `user:password@` if the
    /// proxy needs it. HTTPS requests are tunnelled (`CONNECT`), so the proxy never sees the
    /// key. It applies to a loopback API host too, unlike the environment's proxy. The scheme
    /// is required: a bare word (a key passed here by mistake) is refused, not looked up as a
    /// host name.
    ///
    /// ```
    /// let config = pinn::Config::builder().proxy("http://proxy.internal:3128").build()?;
    /// assert!(format!("{config:?}").contains("proxy.internal:3128"));
    /// assert!(pinn::Config::builder().proxy("gopher://x").build().is_err());
    /// assert!(pinn::Config::builder().proxy("proxy.internal:3128").build().is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn proxy(mut self, url: &str) -> Self {
        match ureq::Proxy::new(url).ok().filter(|_| url.contains("://")) {
            Some(p) => self.config.proxy = ProxySetting::Explicit(p),
            None => self.problems.push(format!(
                "the proxy \"{}\" is not a proxy URL (http://, https://, socks4://, socks4a://, \
                 socks5:// or socks5h:// and a host)",
                checks::shown_host(url)
            )),
        }
        self
    }

    /// Uses no proxy at all, whatever the environment says.
    ///
    /// By default requests follow the first of `ALL_PROXY`, `HTTPS_PROXY` and `HTTP_PROXY`
    /// (upper or lower case) that is set, minus the hosts in `NO_PROXY`, as they were when the
    /// first request was made; a loopback API host (the emulator) is never proxied.
    ///
    /// ```
    /// let config = pinn::Config::builder().proxy("http://proxy.internal:3128").no_proxy().build()?;
    /// assert!(format!("{config:?}").contains("proxy: \"none\""));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn no_proxy(mut self) -> Self {
        self.config.proxy = ProxySetting::Direct;
        self
    }

    /// Trusts exactly the root certificates in `pem` (one or more `BEGIN CERTIFICATE`
    /// blocks) instead of the bundled Mozilla roots: for a corporate TLS-inspecting proxy or
    /// a private deployment. Include a public root as well if the same client must also
    /// reach hosts signed by one. A PEM with no certificate in it is refused.
    ///
    /// ```
    /// // A corporate root CA, as IT hands it out:
    /// let ca = "\
    /// -----BEGIN CERTIFICATE-----
    /// MIIBlTCCATugAwIBAgIUIFlutgNlZ2l8BaKptn4myVetg9swCgYIKoZIzj0EAwIw
    /// HzEdMBsGA1UEAwwURXhhbXBsZSBDb3JwIFJvb3QgQ0EwIBcNMjYxMTI4MTY1NTAy
    /// WhgPMjEyNjExMDQxNjU1MDJaMB8xHTAbBgNVBAMMFEV4YW1wbGUgQ29ycCBSb290
    /// IENBMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEGp+RBhSkYVWlf/v5+ct232ey
    /// pZ4cXWQCiHcJPkqdIVNYtaUXOcMoGl/Tekcvws8tf48AqAI4rlOIpX0wqwooaaNT
    /// MFEwHQYDVR0OBBYEFJQL2LfAGA7rIltrNSuUU7ghZcy+MB8GA1UdIwQYMBaAFJQL
    /// 2LfAGA7rIltrNSuUU7ghZcy+MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
    /// SAAwRQIhAJQ2VnKWVdeioeoGXoQYwx15qOvuTc/xkICgsTe2nt7IAiAmOo5Qg+eb
    /// i85qGQ8Tnd2r0t/uuCIHlB4O73G5AoIygw==
    /// -----END CERTIFICATE-----";
    /// let config = pinn::Config::builder().root_certificates_pem(ca).build()?;
    /// assert!(format!("{config:?}").contains("1 given certificates"));
    /// assert!(pinn::Config::builder().root_certificates_pem("not a pem").build().is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn root_certificates_pem(mut self, pem: impl AsRef<[u8]>) -> Self {
        let mut certs = Vec::new();
        let mut bad = false;
        for item in ureq::tls::parse_pem(pem.as_ref()) {
            match item {
                Ok(ureq::tls::PemItem::Certificate(c)) => certs.push(c),
                Ok(_) => {}
                Err(_) => bad = true,
            }
        }
        if bad || certs.is_empty() {
            self.problems.push(
                "the root certificates are not PEM certificates (-----BEGIN CERTIFICATE-----)"
                    .into(),
            );
        } else {
            self.set_transport(|t| t.roots = TlsRoots::Specific(Arc::new(certs)));
        }
        self
    }

    /// Verifies servers with the operating system's trust store and verifier (via
    /// `rustls-platform-verifier`), where an IT department installs its corporate CA.
    /// Needs the crate feature `platform-verifier`.
    ///
    /// ```
    /// let config = pinn::Config::builder().platform_roots().build()?;
    /// assert!(format!("{config:?}").contains("the platform's"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    #[cfg(feature = "platform-verifier")]
    #[cfg_attr(docsrs, doc(cfg(feature = "platform-verifier")))]
    pub fn platform_roots(mut self) -> Self {
        self.set_transport(|t| t.roots = TlsRoots::Platform);
        self
    }

    /// How long a host name's looked-up addresses are reused before the next lookup
    /// (default 60 s), so a call on a pooled connection does no lookup at all. An IP address
    /// is never looked up. Zero looks the host up for every new connection.
    ///
    /// ```
    /// use std::time::Duration;
    /// # let server = pinn_mock::MockServer::start();
    /// let host = server.url().replace("127.0.0.1", "localhost");
    /// let config = server.config_builder().api_host(host).dns_cache_ttl(Duration::from_secs(5));
    /// let client = pinn::Client::new(config.build()?);
    /// assert!(client.scope(|| pinn::User::list(&Default::default()))?.data.is_empty());
    /// assert_eq!(client.config().dns_cache_ttl(), Duration::from_secs(5));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn dns_cache_ttl(mut self, ttl: Duration) -> Self {
        let ttl = ttl.min(MAX_DURATION);
        self.set_transport(|t| t.dns_cache_ttl = ttl);
        self
    }

    /// How long a pooled keep-alive connection may sit idle and still be reused (default
    /// 4 s, under the 5 s after which common servers close idle connections themselves).
    /// Zero is refused; more than a day is taken as a day.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = pinn::Config::builder().idle_timeout(Duration::from_secs(1)).build()?;
    /// assert_eq!(config.idle_timeout(), Duration::from_secs(1));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn idle_timeout(mut self, t: Duration) -> Self {
        match checks::duration("idle timeout", t, MAX_DURATION) {
            Ok(t) => self.set_transport(|tr| tr.idle_timeout = t),
            Err(p) => self.problems.push(p),
        }
        self
    }

    /// How long a pooled connection may sit idle and still carry a POST (default 50 ms).
    ///
    /// A POST is never retried once it may have reached the server (it could create a
    /// duplicate), so it must not meet a connection the server is closing. A connection used
    /// moments ago is safe; one idle for longer is replaced by a fresh connection for the
    /// POST. Lower it only for a server that closes idle connections within this time. Zero
    /// is refused; more than a day is taken as a day.
    ///
    /// ```
    /// use std::time::Duration;
    /// let config = pinn::Config::builder().post_idle_timeout(Duration::from_millis(10)).build()?;
    /// assert_eq!(config.post_idle_timeout(), Duration::from_millis(10));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn post_idle_timeout(self, t: Duration) -> Self {
        self.duration("post idle timeout", t, |c, t| c.post_idle_timeout = t)
    }

    /// Replaces how the client waits between retries (default: [`std::thread::sleep`]). Tests
    /// use it to record the waits instead of sleeping.
    ///
    /// ```
    /// use std::sync::{Arc, Mutex};
    /// use std::time::Duration;
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(503));
    /// let waits = Arc::new(Mutex::new(Vec::<Duration>::new()));
    /// let seen = Arc::clone(&waits);
    /// let config = server.config_builder().sleeper(move |wait| seen.lock().unwrap().push(wait));
    /// pinn::Client::new(config.build()?).scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(waits.lock().unwrap().len(), 1); // one retry, and no real sleep
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn sleeper(mut self, sleep: impl Fn(Duration) + Send + Sync + 'static) -> Self {
        self.config.sleep = Arc::new(sleep);
        self
    }

    /// A name for this client, on every log record of its calls (the field `client`) and in
    /// every [`AttemptEvent`]: a tenant's name, say, so that
    /// two tenants' retries read apart. Printable, at most 64 bytes, and never the key.
    ///
    /// ```
    /// let config = pinn::Config::builder().label("tenant-a").build()?;
    /// assert_eq!(config.label(), Some("tenant-a"));
    /// assert!(pinn::Config::builder().label("two\nlines").build().is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.config.label = Some(label.into());
        self
    }

    /// Calls `observe` once per attempt of every call, as the attempt ends, on the thread
    /// that makes the call: for metrics and tracing (see [`crate::observe`]). It should be
    /// quick: the call waits for it.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU32, Ordering};
    /// use std::sync::Arc;
    /// # let server = pinn_mock::MockServer::start();
    /// let attempts = Arc::new(AtomicU32::new(0));
    /// let counter = Arc::clone(&attempts);
    /// let config = server
    ///     .config_builder()
    ///     .observer(move |_| { counter.fetch_add(1, Ordering::Relaxed); })
    ///     .build()?;
    /// pinn::Client::new(config).users().list(&Default::default())?;
    /// assert_eq!(attempts.load(Ordering::Relaxed), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn observer(mut self, observe: impl Fn(&AttemptEvent<'_>) + Send + Sync + 'static) -> Self {
        self.config.observer = Some(Arc::new(observe));
        self
    }

    /// Changes a setting the HTTP agent is built from: this config then gets an agent of
    /// its own, built on first use.
    fn set_transport(&mut self, change: impl FnOnce(&mut Transport)) {
        change(&mut self.config.transport);
        self.config.transport.agent = Arc::default();
    }
}
