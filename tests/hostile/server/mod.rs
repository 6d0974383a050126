//! Misbehaving servers on 127.0.0.1: every case ends in a typed error (or success after a
//! retry where stated) within a bounded time, without a panic and without the secret key in
//! any error or log line. Retries never sleep for real: the clients record their waits.

use std::time::Duration;

use pinn::errors::TransportKind;
use pinn::{Client, Error, User, UserCreateParams};

mod bodies;
mod connections;
mod retries;
mod security;

pub(super) const LIMIT: Duration = Duration::from_secs(5);

pub(super) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `User::retrieve("usr_1")` through `client`.
pub(super) fn get(client: &Client) -> pinn::Result<User> {
    client.scope(|| User::retrieve("usr_1"))
}

/// `User::create` with metadata (a POST with a JSON body) through `client`.
pub(super) fn create(client: &Client) -> pinn::Result<User> {
    client.scope(|| User::create(&UserCreateParams::new().metadata_entry("k", "v")))
}

pub(super) fn transport_kind(e: &Error) -> Option<TransportKind> {
    match e {
        Error::Connection(c) => Some(c.kind()),
        _ => None,
    }
}
