//! The client on the wire, against mockito: for every call, the exact request it sends
//! (method, raw path, query, headers, body) and what it makes of the answer. Each test builds
//! its own server and client; a catch-all fails the test on any request nobody expected.

mod support;

mod apps;
mod attempts;
mod devices;
mod errors;
mod events_logs;
mod explicit;
mod id_token;
mod keys;
mod limits;
mod objects;
mod pagination;
mod paths;
mod raw;
mod redaction;
mod users;
mod webhooks;
