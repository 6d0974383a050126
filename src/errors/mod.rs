//! Errors, mirroring the Python SDK's `pinn.errors`.
//!
//! Every fallible call returns [`Result<T>`], whose error is the one [`Error`] enum. The
//! Python SDK's exception classes become [`ErrorKind`] values: match on [`Error::kind`] where
//! Python code would catch a class. [`Error::outcome`] says whether the server may have acted
//! on the request, and [`Error::is_retryable`] whether sending it again is both useful and safe.
//!
//! | status or cause | [`ErrorKind`] | [`Outcome`] |
//! |---|---|---|
//! | 400, 404, 405, or an argument rejected before any I/O | [`InvalidRequest`](ErrorKind::InvalidRequest) | `Failed` (`NotSent` before I/O) |
//! | 401 | [`Authentication`](ErrorKind::Authentication) | `Failed` |
//! | 403 | [`Forbidden`](ErrorKind::Forbidden) | `Failed` |
//! | 409, 422 | [`RequestFailed`](ErrorKind::RequestFailed) | `Failed` |
//! | 429 | [`RateLimit`](ErrorKind::RateLimit) | `Failed` |
//! | 500 | [`Api`](ErrorKind::Api) | `MaybeProcessed` |
//! | 502, 504 | [`ApiConnection`](ErrorKind::ApiConnection) | `MaybeProcessed` |
//! | 503 | [`ApiConnection`](ErrorKind::ApiConnection) | `Failed` (the server says it did nothing) |
//! | host not found, connection refused, connect timeout, TLS failure | [`ApiConnection`](ErrorKind::ApiConnection) | `NotSent` |
//! | reset, closed or timed out after the request was written; a reply that is not HTTP | [`ApiConnection`](ErrorKind::ApiConnection) | `MaybeProcessed` |
//! | any other status (a 3xx, 501, another 5xx, or a 2xx other than 200, 201, 202 and 204), an unknown `error.type` | [`Pinn`](ErrorKind::Pinn) | `Failed` for a 4xx, 501 and 505; `MaybeProcessed` otherwise |
//! | a success whose body does not decode | [`Pinn`](ErrorKind::Pinn) | `MaybeProcessed` |
//! | no or unusable secret key, bad host | [`Configuration`](ErrorKind::Configuration) | `NotSent` |
//! | ID token rejected | [`IdTokenVerification`](ErrorKind::IdTokenVerification) | `NotSent` |
//!
//! When a call was retried, its outcome is the least certain of its attempts: once one may
//! have been processed, the error says `MaybeProcessed` whatever the last answer was.
//!
//! Statuses 500 and 502–504 give their kind whatever the body says. Otherwise the kind comes
//! from the body's `error.type`, and from the status when the body is not the error JSON.
//!
//! Every string an error shows that came from a server or a token (messages, types, codes,
//! request IDs, header values, decode details) is cut to a bounded length, has its control
//! characters escaped, and has the secret key replaced by `<redacted>`.

mod api;
mod call;
mod connection;
mod decode;
mod error;
mod kind;

pub use api::ApiError;
pub(crate) use api::{ApiErrorParts, status_line};
pub(crate) use call::{Call, write_facts};
pub use connection::ConnectionError;
pub use decode::{DecodeError, IdTokenError};
pub use error::{Error, Result};
pub use kind::{ErrorKind, Outcome, TransportKind};
