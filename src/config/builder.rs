//! [`ConfigBuilder`]: what it holds, what it builds, and the checks [`build`](ConfigBuilder::build)
//! runs on every value (the setters themselves are in `setters`).

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use super::checks;
use super::key::SecretKey;
use super::settings::Config;
use crate::errors::{Error, Result};

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
}

/// Builds a [`Config`] or, from [`Client::builder`](crate::Client::builder), a
/// [`Client`](crate::Client) using one (`T`). [`build`](ConfigBuilder::build) checks every
/// value and reports the first problem as a configuration error; no setting can make a later
/// call panic.
#[must_use]
pub struct ConfigBuilder<T = Config> {
    pub(super) config: Config,
    /// Problems found by the setters themselves, in the order they were called.
    pub(super) problems: Vec<String>,
    built: PhantomData<fn() -> T>,
}

/// What a [`ConfigBuilder`] builds: a [`Config`], or a [`Client`](crate::Client) using one.
/// Implemented by those two only (the trait is sealed).
pub trait Target: private::Sealed {}

impl Target for Config {}

impl private::Sealed for Config {
    fn from_config(config: Config) -> Config {
        config
    }
}

pub(crate) mod private {
    /// How a [`Target`](super::Target) is made from the config built.
    pub trait Sealed: Sized {
        fn from_config(config: super::Config) -> Self;
    }
}

impl<T> Clone for ConfigBuilder<T> {
    fn clone(&self) -> Self {
        ConfigBuilder {
            config: self.config.clone(),
            problems: self.problems.clone(),
            built: PhantomData,
        }
    }
}

impl<T> fmt::Debug for ConfigBuilder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A problem may quote a value, and the key may have been given where it was not meant
        // to go (as the proxy, say): it is redacted, as in the config's own `Debug`.
        let key = self.config.secret_key.as_ref().map(SecretKey::expose);
        let problems: Vec<String> = self
            .problems
            .iter()
            .map(|p| crate::text::shown(p, key, crate::text::MAX_MESSAGE))
            .collect();
        f.debug_struct("ConfigBuilder")
            .field("config", &self.config)
            .field("problems", &problems)
            .finish()
    }
}

impl<T: Target> ConfigBuilder<T> {
    /// A builder of a `T` starting from `config`.
    pub(crate) fn new(config: Config) -> ConfigBuilder<T> {
        ConfigBuilder {
            config,
            problems: Vec::new(),
            built: PhantomData,
        }
    }

    /// Records the environment variables that could not be read, each with its problem.
    pub(super) fn unreadable_env(&mut self, problems: Vec<(&'static str, String)>) {
        self.config.unreadable_env = problems;
    }

    /// Forgets that `var` could not be read: its setting was just set in code.
    pub(super) fn env_replaced(&mut self, var: &str) {
        self.config.unreadable_env.retain(|(name, _)| *name != var);
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
    pub fn build(self) -> Result<T> {
        let config = self.finish();
        match &config.problem {
            Some(p) => Err(Error::Configuration(p.clone())),
            None => Ok(T::from_config(config)),
        }
    }

    /// The config with any problem kept inside it, to be reported at request time.
    pub(crate) fn finish(self) -> Config {
        let ConfigBuilder {
            config: mut c,
            mut problems,
            built: _,
        } = self;
        let unreadable = c.unreadable_env.iter().map(|(_, problem)| problem.clone());
        problems.splice(0..0, unreadable);
        c.authorization = None;
        c.jwt_key = None;
        if let Some(key) = &c.secret_key {
            match checks::header_value("secret key", key.expose(), false) {
                None => {
                    c.authorization = Some(format!("Bearer {}", "*".repeat(key.expose().len())));
                    c.jwt_key = Some(jsonwebtoken::DecodingKey::from_secret(
                        key.expose().as_bytes(),
                    ));
                }
                Some(p) => problems.push(p),
            }
        }
        // Shown in errors, log records and observer events, and looked up in DNS: a key
        // given as the host by mistake (swapped variables) must go nowhere.
        let key_as_host = checks::keyish(&c.api_host, c.secret_key.as_ref(), true);
        let host = match key_as_host {
            true => Err("the api host looks like a secret key".to_string()),
            false => checks::api_host(&c.api_host, c.allow_insecure_http),
        };
        match host {
            Ok(h) => {
                let (scheme, authority) = h.split_once("://").unwrap_or(("", ""));
                c.host_is_loopback = checks::host_name(authority).is_some_and(checks::is_loopback);
                c.authority = Arc::from(authority.to_ascii_lowercase());
                c.host_port = Arc::from(checks::host_port(scheme, &c.authority));
                c.api_host = h;
            }
            Err(p) => {
                problems.push(p);
                // Never keep a refused host as given: it may hold a password or a key.
                c.api_host = match key_as_host {
                    true => "<hidden>".into(),
                    false => checks::shown_host(&c.api_host),
                };
                c.host_is_loopback = false;
            }
        }
        if let Some(v) = &c.api_version {
            problems.extend(checks::header_value("api version", v, true));
            // A header value loses its surrounding spaces on the way: what was set would not
            // be what the server reads (nothing at all, for a blank one).
            if v.trim() != v {
                problems.push("the api version starts or ends with a space".into());
            }
            // Sent in a header ureq logs: a key put here by mistake (swapped variables) would
            // reach the server and the logs.
            if checks::keyish(v, c.secret_key.as_ref(), false) {
                problems.push("the api version looks like a secret key".into());
            }
        }
        if let Some(label) = &c.label {
            problems.extend(checks::label(label, c.secret_key.as_ref()));
        }
        // A problem names a value, never quotes a secret: the key redacted wherever it stands
        // (a key given as the host, say).
        let key = c.secret_key.as_ref().map(|k| k.expose());
        c.problem = problems
            .into_iter()
            .next()
            .map(|p| crate::text::shown(&p, key, crate::text::MAX_MESSAGE));
        c
    }
}
