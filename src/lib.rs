//! A blocking client for the [Pinn](https://pinn.ai) biometric authentication API.
//!
//! The crate mirrors Pinn's Python SDK: one process-wide configuration, filled from
//! `PINN_SECRET_KEY`, `PINN_API_HOST` and `PINN_API_VERSION` or set with
//! [`set_secret_key`] and friends, and resource types with static calls
//! ([`User::create`], [`User::retrieve`], [`User::list`], …) and ActiveRecord methods
//! ([`User::save`], [`Deletable::delete`]).
//!
//! ```
//! # let server = pinn::mock::MockServer::start(); server.install();
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
//! - With the `mock` feature, [`mock`] is a stateful emulator of the whole API for tests.
//!
//! The guides in `docs/` cover configuration, errors, pagination, ID tokens, testing and
//! moving from the Python SDK.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The process-wide client, explicit clients, and scoped overrides.
pub mod client;
/// Settings: the secret key, the API host and version, timeouts and limits.
pub mod config;
/// Errors, mirroring the Python SDK's `pinn.errors`.
pub mod errors;
mod http;
/// ID-token verification.
pub mod id_token;
/// Lists, list parameters and auto-pagination.
pub mod list;
/// A stateful in-process emulator of the Pinn API (feature `mock`).
#[cfg(feature = "mock")]
pub mod mock;
mod object;
/// The resources, one module each.
pub mod resources;
mod text;

pub use client::{
    set_api_host, set_api_version, set_client, set_max_retries, set_secret_key, set_timeouts,
    Client,
};
pub use config::{Config, ConfigBuilder, SecretKey};
pub use errors::{ApiError, Error, ErrorKind, Outcome, Result};
pub use http::{ResponseInfo, USER_AGENT};
pub use id_token::{IdToken, IdTokenClaims};
pub use list::{AutoPaging, List, ListParams};
pub use object::Object;
pub use resources::app::{App, AppCreateParams, AppType};
pub use resources::device::{Device, Platform};
pub use resources::enrollment_key::{EnrollmentKey, EnrollmentKeyCreateParams};
pub use resources::event::Event;
pub use resources::log::{AuthType, Log};
pub use resources::recovery_key::{RecoveryKey, RecoveryKeyCreateParams};
pub use resources::user::{User, UserCreateParams, UserStatus, UserUpdateParams};
pub use resources::webhook_endpoint::{
    WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointStatus,
    WebhookEndpointUpdateParams,
};
pub use resources::Deletable;
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
/// let server = pinn::mock::MockServer::start();
/// server.install();
/// assert!(pinn::healthy());
/// drop(server);
/// assert!(!pinn::healthy());
/// ```
pub fn healthy() -> bool {
    Client::current().healthy()
}

/// The README's and the guides' examples, run as doctests.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../README.md")]
    struct Readme;
    #[doc = include_str!("../docs/configuration.md")]
    struct Configuration;
    #[doc = include_str!("../docs/pagination.md")]
    struct Pagination;
    #[doc = include_str!("../docs/id-tokens.md")]
    struct IdTokens;
    #[doc = include_str!("../docs/errors.md")]
    struct Errors;
    #[doc = include_str!("../docs/testing.md")]
    struct Testing;
}
