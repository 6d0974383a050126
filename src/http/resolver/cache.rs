//! The cache: each name's last answer and the lookups running for it, bounded in size; and
//! this thread's record of the answer it last used, to forget after a failed connect.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

/// More names than an API client talks to (the API host and a proxy); past this, names with
/// nothing fresh and nobody waiting are dropped.
pub(super) const MAX_ENTRIES: usize = 64;

/// The names, and the signal that a lookup ended.
#[derive(Default)]
pub(super) struct Shared {
    pub(super) names: Mutex<Names>,
    pub(super) done: Condvar,
}

#[derive(Default)]
pub(super) struct Names {
    pub(super) entries: HashMap<String, Entry>,
    /// Lookups running, for every name.
    pub(super) running: usize,
    /// The number the next lookup gets: a later lookup has a greater one.
    pub(super) next: u64,
}

/// One name: its last answer, and the lookups running for it.
#[derive(Default)]
pub(super) struct Entry {
    pub(super) ready: Option<Ready>,
    /// Oldest first.
    pub(super) running: Vec<Running>,
    /// Callers waiting on this name: it is kept while there are any.
    pub(super) waiters: usize,
}

pub(super) struct Ready {
    pub(super) addrs: Vec<SocketAddr>,
    pub(super) until: Instant,
    /// The lookup that found them.
    pub(super) seq: u64,
}

pub(super) struct Running {
    pub(super) seq: u64,
    pub(super) started: Instant,
}

thread_local! {
    /// The answer the last resolve on this thread used: ureq resolves on the calling thread,
    /// just before it connects, so after a failed connect this names the addresses that
    /// failed.
    pub(super) static USED: RefCell<Option<(Arc<Shared>, String, u64)>> = const { RefCell::new(None) };
}

/// Forgets the addresses this thread's last resolve returned, so the next connection to that
/// name looks it up again. Called when connecting to them failed.
pub(crate) fn forget_used() {
    if let Some((shared, key, seq)) = USED.with(|u| u.borrow_mut().take()) {
        let mut names = lock(&shared.names);
        if let Some(ready) = names.entries.get_mut(&key).and_then(|e| e.ready.as_mut())
            && ready.seq == seq
        {
            // Expired rather than dropped: a caller waiting for this very lookup still reads it.
            ready.until = Instant::now();
        }
    }
}

/// Clears this thread's record of the last resolve (at the start of an attempt).
pub(crate) fn clear_used() {
    USED.with(|u| *u.borrow_mut() = None);
}

pub(super) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Makes room among `entries`: drops the names nobody waits on or looks up, the ones with
/// nothing fresh first.
pub(super) fn evict(entries: &mut HashMap<String, Entry>) {
    let now = Instant::now();
    let idle = |e: &Entry| e.waiters == 0 && e.running.is_empty();
    entries.retain(|_, e| !idle(e) || e.ready.as_ref().is_some_and(|r| now < r.until));
    if entries.len() >= MAX_ENTRIES {
        entries.retain(|_, e| !idle(e));
    }
}
