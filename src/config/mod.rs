//! Settings: the secret key, the API host and version, timeouts, limits, and the transport
//! (proxies, TLS roots, DNS caching, connection reuse).
//!
//! A [`Config`] is an immutable value. The process-wide one is filled on first use from
//! `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION`; the setters in the crate root
//! ([`set_secret_key`](crate::set_secret_key), …) build a new value and swap the whole of it in,
//! so a request never sees half of an old config. To run with several configs at once, build a
//! [`Client`](crate::Client) from a [`ConfigBuilder`].

mod builder;
mod checks;
mod defaults;
mod env;
mod key;
mod setters;
mod settings;

pub(crate) use builder::private::Sealed as BuildTarget;
pub use builder::{ConfigBuilder, Target};
pub use checks::MAX_SECRET_KEY_BYTES;
pub use defaults::{
    DEFAULT_API_HOST, DEFAULT_CONNECT_TIMEOUT, DEFAULT_DEADLINE, DEFAULT_DNS_CACHE_TTL,
    DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES, DEFAULT_MAX_RETRIES,
    DEFAULT_POST_IDLE_TIMEOUT, DEFAULT_TIMEOUT, MAX_DURATION,
};
pub use key::SecretKey;
pub use settings::Config;
pub(crate) use settings::{ProxySetting, Source, TlsRoots, Transport};
