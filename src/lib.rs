//! A blocking client for the [Pinn](https://pinn.ai) biometric authentication API.
//!
//! The crate mirrors Pinn's Python SDK: one process-wide configuration, filled from
//! `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION` or set with
//! [`set_secret_key`] and friends, and resource types with static calls
//! ([`User::create`], [`User::retrieve`], [`User::list`], …) and ActiveRecord methods
//! ([`User::save`], [`Deletable::delete`]).
//!
//! ```
//! # let server = pinn_mock::MockServer::start(); server.install();
//! use pinn::{Deletable, ListParams, User, UserCreateParams};
//!
//! let mut user = User::create(&UserCreateParams::new().metadata_entry("external_id", "ypf3JZpTB5"))?;
//! user.status = Some("disabled".into());
//! user.save()?;
//!
//! for user in User::list(&ListParams::new().limit(100))?.auto_paging_iter() {
//!     println!("{}", user?.user_id);
//! }
//! user.delete()?;
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! - Requests go through one `ureq` agent (keep-alive), with timeouts, a response size cap,
//!   retries of what is safe to retry, and no redirects.
//! - Errors are one enum, [`Error`], whose [`kind`](Error::kind) mirrors `pinn.errors`.
//! - Every call also has an explicit form on a [`Client`] (`client.users().create(…)`), for
//!   several keys at once, multi-tenant servers and tests; what a client fetches remembers it.
//! - [`pinn-mock`](https://docs.rs/pinn-mock), a package of its own, is a stateful emulator
//!   of the whole API for your tests (a dev-dependency), and a server for other languages'.
//!
//! The guides (also in the repository's `docs/`):
//! [configuration](guides::configuration) (keys, hosts, timeouts, proxies, TLS roots,
//! explicit clients), [errors and retries](guides::errors), [pagination](guides::pagination),
//! [ID tokens](guides::id_tokens), [testing with the emulator](guides::testing),
//! [coming from the Python SDK](guides::python_migration), and [the `pinn` command
//! line](guides::cli) (the package `pinn-cli`).

#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod calls;
pub mod client;
pub mod config;
pub mod errors;
mod http;
pub mod id_token;
pub mod list;
mod model;
mod object;
pub mod observe;
pub mod resources;
pub mod text;

pub use client::{
    Client, disable_global_client, set_api_host, set_api_version, set_client, set_max_retries,
    set_secret_key, set_timeouts,
};
pub use config::{Config, ConfigBuilder, SecretKey};
pub use errors::{ApiError, Error, ErrorKind, Outcome, Result};
pub use http::{MAX_ID_BYTES, Method, ResponseInfo, USER_AGENT};
pub use id_token::{IdToken, IdTokenClaims};
pub use list::{AutoPaging, List, ListParams, Pages};
pub use object::Object;
pub use resources::Deletable;
pub use resources::app::{App, AppCreateParams, AppType};
pub use resources::device::{Device, Platform};
pub use resources::event::Event;
pub use resources::keys::{
    EnrollmentKey, EnrollmentKeyCreateParams, RecoveryKey, RecoveryKeyCreateParams,
};
pub use resources::log::{AuthType, Log};
pub use resources::user::{User, UserCreateParams, UserStatus, UserUpdateParams};
pub use resources::webhook_endpoint::{
    WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointStatus,
    WebhookEndpointUpdateParams,
};
/// The JSON types in the models' public fields (`metadata`, `extra`, `factors`, …) come from
/// this crate, re-exported so a caller need not depend on a matching version.
pub use serde_json;

/// The traits that give objects their methods: `use pinn::prelude::*;`.
pub mod prelude {
    pub use crate::object::Object;
    pub use crate::resources::Deletable;
}

/// Checks that the API host answers: `GET /health`, one attempt. True on a 2xx; false on any
/// failure, including no secret key. Never an error.
///
/// ```
/// let server = pinn_mock::MockServer::start();
/// server.install();
/// assert!(pinn::healthy());
/// drop(server);
/// assert!(!pinn::healthy());
/// ```
pub fn healthy() -> bool {
    Client::current().healthy()
}

/// The guides, as pages of these docs; the same files are `docs/*.md` in the repository.
/// Every example in them runs as a doctest.
#[cfg(any(doc, doctest))]
pub mod guides {
    #[doc = include_str!("../docs/configuration.md")]
    pub mod configuration {}
    #[doc = include_str!("../docs/errors.md")]
    pub mod errors {}
    #[doc = include_str!("../docs/pagination.md")]
    pub mod pagination {}
    #[doc = include_str!("../docs/id-tokens.md")]
    pub mod id_tokens {}
    #[doc = include_str!("../docs/testing.md")]
    pub mod testing {}
    #[doc = include_str!("../docs/python-migration.md")]
    pub mod python_migration {}
    #[doc = include_str!("../docs/cli.md")]
    pub mod cli {}
}

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct Readme;
