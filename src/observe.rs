//! Watching every attempt of every call, for metrics and tracing: [`AttemptEvent`], what the
//! observer set with [`ConfigBuilder::observer`](crate::config::ConfigBuilder::observer) is
//! given once per attempt, as the attempt ends (stripe-node's request and response events,
//! aws-sdk's interceptors).
//!
//! ```
//! use std::sync::{Arc, Mutex};
//! # let server = pinn_mock::MockServer::start();
//! server.inject(pinn_mock::Fault::status(503));
//! let seen = Arc::new(Mutex::new(Vec::new()));
//! let log = Arc::clone(&seen);
//! let client = pinn::Client::new(
//!     server
//!         .config_builder()
//!         .label("tenant-a")
//!         .sleeper(|_| {})
//!         .observer(move |a| {
//!             log.lock().unwrap().push((a.attempt, a.status, a.label.map(String::from)))
//!         })
//!         .build()?,
//! );
//! client.users().list(&Default::default())?;
//! let tenant = Some("tenant-a".to_string());
//! assert_eq!(*seen.lock().unwrap(), [(1, Some(503), tenant.clone()), (2, Some(200), tenant)]);
//! # Ok::<(), pinn::Error>(())
//! ```

use std::sync::Arc;
use std::time::Duration;

use crate::errors::{Outcome, TransportKind};

/// One attempt of a call, as it ended.
///
/// Every text in it is safe to show: the path is the request's as sent (the key is never in
/// one), the request ID is bounded and escaped.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AttemptEvent<'a> {
    /// `GET`, `POST`, `PATCH` or `DELETE`.
    pub method: &'a str,
    /// The path, as sent, without its query: `/v1/users`.
    pub path: &'a str,
    /// The API host, as `host:port`.
    pub host: &'a str,
    /// The label of the client's config
    /// ([`ConfigBuilder::label`](crate::config::ConfigBuilder::label)), if it has one.
    pub label: Option<&'a str>,
    /// The attempt's number: 1 for the first, 2 for the first retry, …
    pub attempt: u32,
    /// How long this attempt took.
    pub elapsed: Duration,
    /// The response's status, when a response arrived.
    pub status: Option<u16>,
    /// What failed below HTTP, when no response arrived.
    pub transport: Option<TransportKind>,
    /// The server's request ID, when the response had one.
    pub request_id: Option<&'a str>,
    /// `None` for a success; for a failure, whether the server may have acted on the request
    /// (see [`Outcome`]).
    pub outcome: Option<Outcome>,
    /// For a failure that is retried, the wait before the next attempt.
    pub retry_in: Option<Duration>,
}

/// What an observer is: called on the thread that makes the call, once per attempt.
pub(crate) type Observer = Arc<dyn Fn(&AttemptEvent<'_>) + Send + Sync>;
