//! Hostile conditions: misbehaving servers on 127.0.0.1, mutated tokens, arbitrary input and
//! extreme settings, real-network transport (TLS roots, proxies, stale connections, names),
//! and threads sharing the process-wide client. Every case ends in a typed result within a
//! bounded time, without a panic, and without the secret key in any error or log line: a
//! logger installed here captures every record of this binary (see `support`).

mod support;

mod concurrency;
mod never_panics;
mod proxies;
mod server;
mod tokens;
mod transport;
