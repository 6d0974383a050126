//! The resolver and its lookups: a lookup on a thread of its own, callers that wait for it
//! (no longer than they may), another started when one hangs, and at most so many at once.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::cache::{MAX_ENTRIES, Names, Ready, Running, Shared, USED, evict, lock};

/// How long a lookup runs before another may start beside it. A healthy lookup takes
/// milliseconds; one still running after a second is usually waiting out a DNS server that
/// does not answer (the system resolver's retry timeout is whole seconds).
pub(super) const HEDGE_AFTER: Duration = Duration::from_secs(1);

/// How many lookups one resolver runs at once, at most: enough to start one a second through
/// the system resolver's longest wait (30 s: three servers, two tries, 5 s each).
pub(super) const MAX_LOOKUPS: usize = 32;

/// Looks a name up: the addresses, or `None` when it did not resolve.
type Lookup = Arc<dyn Fn(&str, u16) -> Option<Vec<SocketAddr>> + Send + Sync>;

pub(crate) struct CachingResolver {
    pub(super) ttl: Duration,
    pub(super) shared: Arc<Shared>,
    pub(super) lookup: Lookup,
    pub(super) hedge_after: Duration,
    pub(super) max_lookups: usize,
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingResolver")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// The system's lookup (`getaddrinfo`).
fn system_lookup(host: &str, port: u16) -> Option<Vec<SocketAddr>> {
    (host, port).to_socket_addrs().ok().map(|a| a.collect())
}

/// What a caller does next, decided under the lock.
enum Step {
    Done(Result<(Vec<SocketAddr>, u64), ureq::Error>),
    /// Start lookup `seq`, then look again.
    Start(u64),
    /// Wait for a lookup to end, or this long (to start another, or to give up).
    Wait(Duration),
}

impl CachingResolver {
    pub(crate) fn new(ttl: Duration) -> CachingResolver {
        CachingResolver {
            ttl,
            shared: Arc::default(),
            lookup: Arc::new(system_lookup),
            hedge_after: HEDGE_AFTER,
            max_lookups: MAX_LOOKUPS,
        }
    }

    /// The addresses of `host:port`, from the cache or from a lookup, waiting at most `wait`.
    pub(super) fn addresses(
        &self,
        host: &str,
        port: u16,
        wait: Duration,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        let key = format!("{}:{port}", host.to_ascii_lowercase());
        let deadline = Instant::now().checked_add(wait);
        // The lookup this caller waits for: it fails when that one fails (and no newer one
        // runs), and takes any answer at least as new.
        let mut following: Option<u64> = None;
        let mut names = lock(&self.shared.names);
        if !names.entries.contains_key(&key) && names.entries.len() >= MAX_ENTRIES {
            evict(&mut names.entries);
        }
        names.entries.entry(key.clone()).or_default().waiters += 1;
        let answer = loop {
            match self.step(&mut names, &key, &mut following, deadline) {
                Step::Done(answer) => break answer,
                Step::Start(seq) => {
                    drop(names);
                    self.start(key.clone(), host.to_string(), port, seq);
                    names = lock(&self.shared.names);
                }
                Step::Wait(left) => {
                    names = match self.shared.done.wait_timeout(names, left) {
                        Ok((n, _)) => n,
                        Err(poisoned) => poisoned.into_inner().0,
                    };
                }
            }
        };
        if let Some(entry) = names.entries.get_mut(&key) {
            entry.waiters -= 1;
            if entry.waiters == 0 && entry.running.is_empty() && entry.ready.is_none() {
                names.entries.remove(&key);
            }
        }
        drop(names);
        let (addrs, seq) = answer?;
        USED.with(|u| *u.borrow_mut() = Some((Arc::clone(&self.shared), key, seq)));
        Ok(addrs)
    }

    fn step(
        &self,
        names: &mut Names,
        key: &str,
        following: &mut Option<u64>,
        deadline: Option<Instant>,
    ) -> Step {
        let now = Instant::now();
        let can_start = names.running < self.max_lookups;
        let Some(entry) = names.entries.get_mut(key) else {
            return Step::Done(Err(ureq::Error::HostNotFound));
        };
        if let Some(r) = &entry.ready
            && (now < r.until || following.is_some_and(|s| r.seq >= s))
        {
            return Step::Done(Ok((r.addrs.clone(), r.seq)));
        }
        if let Some(s) = *following
            && !entry.running.iter().any(|l| l.seq == s)
        {
            // It ended with no answer as new as itself: it failed. A newer one may yet answer.
            match entry.running.last() {
                Some(newer) if newer.seq > s => *following = Some(newer.seq),
                _ => return Step::Done(Err(ureq::Error::HostNotFound)),
            }
        }
        let left = deadline.map_or(Duration::MAX, |d| d.saturating_duration_since(now));
        if left.is_zero() {
            return Step::Done(Err(ureq::Error::Timeout(ureq::Timeout::Resolve)));
        }
        // Another lookup is due when none runs, or the newest has run for `hedge_after`.
        let due_in = entry.running.last().map_or(Duration::ZERO, |l| {
            (l.started + self.hedge_after).saturating_duration_since(now)
        });
        if due_in.is_zero() && can_start {
            let seq = names.next;
            names.next += 1;
            names.running += 1;
            if let Some(entry) = names.entries.get_mut(key) {
                entry.running.push(Running { seq, started: now });
            }
            *following = Some(seq);
            return Step::Start(seq);
        }
        if following.is_none() {
            *following = entry.running.last().map(|l| l.seq);
        }
        // Wake to start one when it is due; at the limit, only when a lookup ends.
        let wake = if due_in.is_zero() {
            left
        } else {
            due_in.min(left)
        };
        Step::Wait(wake.min(Duration::from_secs(3600)))
    }

    /// Runs lookup `seq` on its own thread, then records its answer and wakes the waiters. If
    /// no thread can be made, it runs on this one (no lock is held here), bounded only by the
    /// system's own lookup timeout.
    fn start(&self, key: String, host: String, port: u16, seq: u64) {
        let shared = Arc::clone(&self.shared);
        let lookup = Arc::clone(&self.lookup);
        let ttl = self.ttl;
        let run = move || {
            let found = lookup(&host, port).filter(|a| !a.is_empty());
            let mut names = lock(&shared.names);
            names.running -= 1;
            let now = Instant::now();
            let entry = names.entries.entry(key.clone()).or_default();
            entry.running.retain(|l| l.seq != seq);
            // A newer lookup's answer stands; an older one's, or a failure, changes nothing.
            if let Some(addrs) = found
                && entry.ready.as_ref().is_none_or(|r| r.seq < seq)
            {
                // The config holds the TTL to a day, which an `Instant` always has room for.
                let until = now.checked_add(ttl).unwrap_or(now);
                entry.ready = Some(Ready { addrs, until, seq });
            }
            // A failure nobody waits for any more leaves nothing behind.
            if entry.waiters == 0 && entry.running.is_empty() && entry.ready.is_none() {
                names.entries.remove(&key);
            }
            drop(names);
            shared.done.notify_all();
        };
        let spawned = std::thread::Builder::new()
            .name("pinn-dns".into())
            .spawn(run.clone());
        if spawned.is_err() {
            run();
        }
    }
}
