//! The configuration from the environment: `PINN_SECRET_KEY`, `PINN_API_HOST` and
//! `PINN_API_VERSION`.

use super::settings::{Config, Source};

impl Config {
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
        let mut var = |name: &'static str| match std::env::var(name) {
            Ok(v) => Some(v).filter(|v| !v.is_empty()),
            Err(std::env::VarError::NotPresent) => None,
            // Never taken as unset: a host falling back to the default would send the key
            // to production, and a missing key would be reported as never set.
            Err(std::env::VarError::NotUnicode(_)) => {
                problems.push((name, format!("{name} is set but is not valid UTF-8")));
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
        b.unreadable_env(problems);
        let mut config = b.finish();
        config.source = Source::Env;
        config
    }
}
