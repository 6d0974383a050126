//! What the server's threads and the [`MockServer`](crate::MockServer) handle share: the
//! settings it started with, what a reset returns to, and the state behind locks.

use std::collections::HashMap;
use std::net::TcpStream;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::clock::{Clock, SEEDED_START};
use super::faults::Queue;
use super::requests::RequestLog;
use super::rng::{self, Rng, Stream};
use super::store::Store;

/// Locks a mutex, carrying on past a panic elsewhere: the state is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How a server starts, and what a reset returns it to.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub port: u16,
    pub secret_key: Option<String>,
    pub seed: Option<u64>,
    pub clock: Option<i64>,
    pub request_log_capacity: usize,
    pub idle_timeout: Duration,
}

/// What a reset returns the state to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin {
    pub seed: u64,
    pub seeded: bool,
    pub clock: Option<i64>,
}

impl Origin {
    /// The clock a (re)started server begins with: as given, else frozen at
    /// [`SEEDED_START`] when seeded, else the system's.
    pub(crate) fn clock(&self) -> Clock {
        match (self.clock, self.seeded) {
            (Some(t), _) => Clock::Frozen(t),
            (None, true) => Clock::Frozen(SEEDED_START),
            (None, false) => Clock::system(),
        }
    }

    pub(crate) fn store(&self) -> Store {
        Store::new(Rng::stream(self.seed, Stream::Objects), self.clock())
    }

    pub(crate) fn faults(&self) -> Queue {
        Queue::new(Rng::stream(self.seed, Stream::Faults))
    }
}

/// What the server threads and the [`MockServer`](super::MockServer) handle share.
pub(crate) struct Shared {
    pub url: String,
    pub secret_key: String,
    pub origin: Mutex<Origin>,
    pub store: Mutex<Store>,
    pub faults: Mutex<Queue>,
    pub requests: Mutex<RequestLog>,
    pub request_ids: Mutex<Rng>,
    /// Numbers the answers of control calls.
    pub control_ids: AtomicU64,
    pub idle_timeout: Duration,
    /// The open connections, shared with their threads (one file descriptor each).
    pub conns: Mutex<HashMap<u64, Arc<TcpStream>>>,
    pub all_closed: Condvar,
    pub next_conn: AtomicU64,
    pub stopping: Mutex<bool>,
    pub wake: Condvar,
}

impl Shared {
    /// The state of a server starting with `settings`, serving at `url`.
    pub(crate) fn new(settings: Settings, url: String) -> Shared {
        let origin = Origin {
            seed: settings.seed.unwrap_or_else(rng::entropy_seed),
            seeded: settings.seed.is_some(),
            clock: settings.clock,
        };
        let secret_key = settings.secret_key.unwrap_or_else(|| {
            let mut rng = Rng::stream(origin.seed, Stream::SecretKey);
            format!("sk_test_{}", rng.alnum(24))
        });
        Shared {
            url,
            secret_key,
            store: Mutex::new(origin.store()),
            faults: Mutex::new(origin.faults()),
            requests: Mutex::new(RequestLog::new(settings.request_log_capacity)),
            request_ids: Mutex::new(Rng::stream(origin.seed, Stream::Requests)),
            origin: Mutex::new(origin),
            idle_timeout: settings.idle_timeout.max(Duration::from_millis(1)),
            conns: Mutex::default(),
            all_closed: Condvar::new(),
            next_conn: AtomicU64::new(0),
            control_ids: AtomicU64::new(0),
            stopping: Mutex::new(false),
            wake: Condvar::new(),
        }
    }

    pub(crate) fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    /// Sleeps `d`, or less if the server stops meanwhile: then returns false. A `d` past what
    /// an `Instant` can hold (`Duration::MAX`, a test's way to say "hang") lasts until then.
    pub(crate) fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now().checked_add(d);
        let mut stopping = lock(&self.stopping);
        while !*stopping {
            let Some(deadline) = deadline else {
                stopping = self
                    .wake
                    .wait(stopping)
                    .unwrap_or_else(PoisonError::into_inner);
                continue;
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            stopping = match self.wake.wait_timeout(stopping, left) {
                Ok((g, _)) => g,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        false
    }

    pub(crate) fn request_id(&self) -> String {
        lock(&self.request_ids).id("req")
    }
}
