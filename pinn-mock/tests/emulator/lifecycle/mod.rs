//! The emulator through the crate's own API: the full lifecycle of every resource, pagination
//! over hundreds of objects, each error status the emulator produces mapped to its kind, and
//! the events every change records. Each test starts its own emulator and scopes a client to
//! it, so the tests run in parallel without sharing anything.

use pinn::{Event, ListParams};
use pinn_mock::MockServer;

mod across;
mod cursors;
mod ids;
mod resources;

pub(super) type Result<T = ()> = pinn::Result<T>;

/// The error of a call that must fail.
pub(super) fn fails<T: std::fmt::Debug>(r: Result<T>) -> pinn::Error {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => e,
    }
}

pub(super) fn event_types(s: &MockServer) -> Vec<String> {
    let events = s
        .client()
        .scope(|| Event::list(&ListParams::new().limit(100)));
    events
        .unwrap()
        .data
        .into_iter()
        .map(|e| e.event_type)
        .collect()
}

/// Unix seconds now, as the emulator stamps them.
pub(super) fn pinn_time() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}
