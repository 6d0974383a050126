//! The HTTP layer: requests (`request`), the one send loop (`send`), and what a response
//! tells (`response`).
//!
//! - `request`: a request before it is sent, refused before any I/O when it cannot be sent.
//! - `agent`: the ureq agent and one exchange on it (where a request gets its headers).
//! - `parse`: the one place a status becomes an error.
//! - `retry`: the one place that decides what is retried, and when.
//! - `send`: the loop of attempts, and its log records.
//! - `guard`: keeps the secret key out of everything ureq can log.
//! - `resolver`: host names looked up once per TTL.

mod agent;
mod guard;
mod parse;
mod request;
mod resolver;
mod response;
pub(crate) mod retry;
mod send;

pub use agent::USER_AGENT;
pub(crate) use parse::safe_json_error;
pub use request::MAX_ID_BYTES;
pub use request::Method;
pub(crate) use request::{Request, is_api_path, require_id, segment};
pub use response::ResponseInfo;
pub(crate) use send::{healthy, send};

#[cfg(test)]
mod tests;
