//! A stateful emulator of the whole Pinn API, running in-process on loopback: for the tests of
//! code that uses the [`pinn`] crate (add `pinn-mock` to `[dev-dependencies]`), and, as the
//! `pinn-mock` server, for any language's.
//!
//! [`MockServer::start`](crate::MockServer::start) binds a free port on `127.0.0.1`,
//! with a random secret key, typically in well under a millisecond; dropping the handle stops
//! it. It keeps users, apps, devices, keys, logs, events and webhook endpoints in memory, so
//! an object you create is there when you fetch it, and it answers every endpoint of the API
//! with the spec's shapes, errors and pagination.
//!
//! ```
//! use pinn_mock::{DeviceSeed, MockServer};
//!
//! let server = MockServer::start();
//! let user = server.client().scope(|| {
//!     pinn::User::create(&pinn::UserCreateParams::new().metadata_entry("external_id", "42"))
//! })?;
//! // Seed what only Pinn's mobile SDK can create.
//! let device = server.enroll_device(&user.user_id, DeviceSeed::default())?;
//! server.record_log(&device.device_id, true)?;
//! // Check what was sent.
//! let sent = server.requests();
//! assert_eq!((sent[0].method.as_str(), sent[0].path.as_str()), ("POST", "/v1/users"));
//! assert_eq!(server.count("user"), 1);
//! # Ok::<(), pinn::Error>(())
//! ```
//!
//! Everything a [`MockServer`] method does, a test in any language
//! can do over HTTP through the control API under `/_mock/` (reset, snapshot and restore,
//! seeding, ID tokens, faults, the request log, the clock), with the emulator's key, from
//! loopback, in JSON: see `docs/testing.md`. A
//! [`seed`](crate::MockServerBuilder::seed) makes IDs, keys and timestamps repeat from
//! run to run.
//!
//! What the spec leaves open, the emulator decides like this:
//! - User statuses are `active` (the initial one) and `disabled`; webhook endpoint statuses
//!   are `enabled` (the initial one) and `disabled`. Any other value is `422`.
//! - A body that is not a JSON object, has an unknown field, lacks a required one (an app's
//!   `name`, a key's `user_id`, a webhook endpoint's `url` and `events`), gives a field the
//!   wrong JSON type or nests deeper than 100 levels is `400 bad_request`. `null` counts as
//!   absent. The depth leaves room for every read of what a body makes (a list, an event, a
//!   snapshot) within the 128 levels of serde_json and other parsers.
//! - `422 unprocessable_entity`: a key for a user that does not exist, an `app_type` other
//!   than `ios`, `android` or `web`, an empty app name, a bad status, a webhook URL that is
//!   not `http(s)://host…`, an empty `events` list.
//! - Lists: `limit` must be an integer from 1 to 100 (default 10), and `starting_after` must
//!   be an item of that list, or have been one until deleted (the place of the newest 10,000
//!   deletions of each kind is kept), else `400 bad_request`.
//! - IDs are unique within a kind whatever was restored: a drawn ID that is taken, or was
//!   deleted lately, is drawn again; a restore holding an ID twice is refused whole.
//! - Authentication is checked before the path and before any fault: without the right key
//!   (`Bearer`, in any case), every path but `/health` is `401`. A wrong method on a known
//!   path is `405` with an `Allow` header. A fault without a path spares `/health`.
//! - Deleting a user deletes their devices; deleting a user's last device clears their
//!   `device_enrolled` and palm flags. A recovery key's `flow` defaults to `[]`. Keys expire
//!   an hour after they are made.
//! - Events record the object as it was after the change (before, for deletes), with the ID
//!   of the request that caused it. Seeding calls record `device.created` for a new device
//!   (with a request ID of its own) and nothing for a log. The newest 10,000 events are kept
//!   (and at most 64 MiB of them): older ones leave `/v1/events`, as from a real account's
//!   retention, while `created` still counts them.
//!
//! And on the wire, whatever a client sends:
//! - A request head over 16 KiB (or with over 100 headers) is `431`, a body over 1 MiB is
//!   `413`, and framing that cannot be trusted (a bad or conflicting `Content-Length`, a bad
//!   chunk, a `Transfer-Encoding` other than `chunked`, garbage, a TLS handshake) is `400`.
//!   Each creates nothing and closes the connection after the answer.
//! - So is an HTTP/1.1 request without a `Host`, or any with two; an HTTP/1.0 request with a
//!   `Transfer-Encoding` is answered, then closed. `HEAD` answers as `GET` does without the
//!   body, `OPTIONS` with `204` and `Allow`, and every answer has a `Date`.
//! - Connections are kept alive and closed after an idle timeout (5 seconds by default). A
//!   client that reads none of its answers for that long (at least a second) is disconnected.
//!   The API is served on at most 4,096 at once; 16 more serve the control API alone.
//! - Answers are written as they are serialized, from the data the emulator holds: their
//!   size costs no memory. The request log keeps the newest 1,000 requests (and at most 32 MiB
//!   of them).
//!
//! The same emulator runs standalone for other languages: `cargo run -p pinn-mock --
//! --port 12111`, or `cargo install pinn-mock`. See `docs/testing.md`. Its flags are in
//! [`flags`], for any command that serves the emulator (`pinn mock` takes them too).

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod clock;
mod control;
mod dispatch;
mod faults;
/// The flags of a command that serves the emulator, such as `pinn-mock --port N`.
pub mod flags;
mod guard;
mod handle;
mod http;
mod json;
mod model;
mod reply;
mod requests;
mod rng;
mod routes;
mod seeds;
mod server;
mod snapshot;
mod state;
mod store;
mod wire;

pub use faults::Fault;
pub use handle::{MockServer, MockServerBuilder};
pub use requests::RecordedRequest;
pub use seeds::{DeviceSeed, UserSeed};

/// The README's examples, run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct Readme;
