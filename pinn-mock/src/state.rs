//! What the server's threads and the [`MockServer`](crate::MockServer) handle share: the
//! settings it started with, what a reset returns to, and the state behind locks.

use std::collections::HashMap;
use std::fmt;
use std::io::ErrorKind;
use std::net::TcpStream;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use super::clock::{Clock, SEEDED_START};
use super::faults::{Queue, Taken};
use super::requests::RequestLog;
use super::rng::{self, Rng, Stream};
use super::store::Store;

/// Locks a mutex, carrying on past a panic elsewhere: the state is still usable.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// How often a delay looks whether its client is still there.
const CLIENT_CHECK: Duration = Duration::from_millis(500);

/// How a server starts, and what a reset returns it to.
#[derive(Clone)]
pub(crate) struct Settings {
    pub port: u16,
    pub secret_key: Option<String>,
    pub seed: Option<u64>,
    pub clock: Option<i64>,
    pub request_log_capacity: usize,
    pub idle_timeout: Duration,
    pub max_connections: usize,
}

/// Everything but the key, which may be a real one (`pinn mock --secret-key-file`): it shows
/// as `<redacted>`.
impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Settings")
            .field("port", &self.port)
            .field(
                "secret_key",
                &self.secret_key.as_ref().map(|_| "<redacted>"),
            )
            .field("seed", &self.seed)
            .field("clock", &self.clock)
            .field("request_log_capacity", &self.request_log_capacity)
            .field("idle_timeout", &self.idle_timeout)
            .field("max_connections", &self.max_connections)
            .finish()
    }
}

/// The counts of fault clears and resets when a request took its fault: a delay ends when
/// either has moved since.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Epoch {
    clears: u64,
    resets: u64,
}

/// How a delay ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waited {
    /// It lasted its time, the faults were cleared or the client went away: go on with the
    /// request, as a server that took that long would (its answer may find no one).
    Done,
    /// The emulator was reset, or it is stopping: the request belongs to a state that is
    /// gone, and is neither acted on nor answered.
    Cut,
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
    /// Connections served at once for the API; a few more are kept for the control API.
    pub max_connections: usize,
    /// Counts the clears of the fault queue, and the resets: a delay ends at either.
    pub fault_clears: AtomicU64,
    pub resets: AtomicU64,
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
        let secret_key = settings.secret_key.unwrap_or_else(|| made_up_key(&origin));
        Shared {
            url,
            secret_key,
            store: Mutex::new(origin.store()),
            faults: Mutex::new(origin.faults()),
            requests: Mutex::new(RequestLog::new(settings.request_log_capacity)),
            request_ids: Mutex::new(Rng::stream(origin.seed, Stream::Requests)),
            origin: Mutex::new(origin),
            idle_timeout: settings.idle_timeout.max(Duration::from_millis(1)),
            max_connections: settings.max_connections.max(1),
            fault_clears: AtomicU64::new(0),
            resets: AtomicU64::new(0),
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

    /// Wakes every delay to look again at why it might end (a clear, a reset, a stop).
    pub(crate) fn wake_delays(&self) {
        let _stopping = lock(&self.stopping);
        self.wake.notify_all();
    }

    /// A delay fault's wait on `client`'s request: `d`, or until the faults are cleared or
    /// the client closes its connection (then [`Waited::Done`]), or until the emulator is
    /// reset or stops ([`Waited::Cut`]). A `d` past what an `Instant` can hold
    /// (`Duration::MAX`, a test's way to say "hang") lasts until one of those. No delay holds
    /// its thread past any of them.
    pub(crate) fn delay(&self, d: Duration, client: &TcpStream, since: Epoch) -> Waited {
        let deadline = Instant::now().checked_add(d);
        let Epoch { clears, resets } = since;
        // Non-blocking while it waits, so that a look at the client never blocks.
        let _ = client.set_nonblocking(true);
        let end = loop {
            {
                // What ends the wait is read under the lock its wakers take to notify, so
                // that no wake-up falls between the look and the wait.
                let stopping = lock(&self.stopping);
                if *stopping || self.resets.load(Ordering::SeqCst) != resets {
                    break Waited::Cut;
                }
                if self.fault_clears.load(Ordering::SeqCst) != clears {
                    break Waited::Done;
                }
                let left = deadline.map_or(CLIENT_CHECK, |t| {
                    t.saturating_duration_since(Instant::now())
                });
                if left.is_zero() {
                    break Waited::Done;
                }
                let _ = self.wake.wait_timeout(stopping, left.min(CLIENT_CHECK));
            }
            if gone(client) {
                break Waited::Done;
            }
        };
        let _ = client.set_nonblocking(false);
        end
    }

    /// Takes the first fault that applies to a request, with the counts of clears and
    /// resets at that moment, read under the same lock as the clears and resets change
    /// them: a clear or reset after the take is seen by the delay, however soon it comes.
    pub(crate) fn take_fault(&self, method: &str, path: &str) -> (Option<Taken>, Epoch) {
        let mut faults = lock(&self.faults);
        let epoch = Epoch {
            clears: self.fault_clears.load(Ordering::SeqCst),
            resets: self.resets.load(Ordering::SeqCst),
        };
        (faults.take(method, path), epoch)
    }

    pub(crate) fn request_id(&self) -> String {
        lock(&self.request_ids).id("req")
    }
}

/// The key of a server given none. Seeded, it follows from the seed, like every ID, so a
/// seeded run repeats it. Unseeded, it owes nothing to the seed: the request IDs every
/// answer carries come from the seed, and the seed must not lead to the key. Its two
/// halves come from two draws of entropy, so the key has more than the seed's 64 bits.
fn made_up_key(origin: &Origin) -> String {
    let half = |seed| Rng::stream(seed, Stream::SecretKey).alnum(12);
    match origin.seeded {
        true => format!(
            "sk_test_{}",
            Rng::stream(origin.seed, Stream::SecretKey).alnum(24)
        ),
        false => format!(
            "sk_test_{}{}",
            half(rng::entropy_seed()),
            half(rng::entropy_seed())
        ),
    }
}

/// Whether the client closed (or reset) its connection, seen by a peek on the non-blocking
/// socket. A client that sent more (a pipelined request) is still there.
fn gone(client: &TcpStream) -> bool {
    match client.peek(&mut [0u8; 1]) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted),
    }
}
