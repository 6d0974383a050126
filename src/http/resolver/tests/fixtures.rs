//! What the resolver's tests share: a DNS they steer, a resolver that uses it, and waiting
//! for what happens on other threads.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use ureq::unversioned::transport::NextTimeout;

use crate::http::resolver::cache::lock;
use crate::http::resolver::lookup::CachingResolver;

pub(super) fn no_timeout() -> NextTimeout {
    NextTimeout::default()
}

impl CachingResolver {
    /// A resolver that looks names up with `lookup`.
    pub(super) fn with_lookup(ttl: Duration, dns: &Arc<FakeDns>) -> CachingResolver {
        let dns = Arc::clone(dns);
        CachingResolver {
            lookup: Arc::new(move |_: &str, port| dns.lookup(port)),
            ..CachingResolver::new(ttl)
        }
    }

    /// The fresh addresses cached for `key`.
    pub(super) fn cached(&self, key: &str) -> Option<Vec<SocketAddr>> {
        let names = lock(&self.shared.names);
        let ready = names.entries.get(key)?.ready.as_ref()?;
        (Instant::now() < ready.until).then(|| ready.addrs.clone())
    }

    /// The last answer for `key`, fresh or not.
    pub(super) fn last_answer(&self, key: &str) -> Option<Vec<SocketAddr>> {
        let names = lock(&self.shared.names);
        Some(names.entries.get(key)?.ready.as_ref()?.addrs.clone())
    }

    pub(super) fn running(&self) -> usize {
        lock(&self.shared.names).running
    }
}

/// What the fake DNS does with a lookup that starts now.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Dns {
    Answer(Ipv4Addr),
    Fail,
    /// Hangs until released (as the system resolver waits out a server that does not
    /// answer), then answers what it is released with. Never longer than 20 s.
    Hang,
}

/// A DNS a test steers: it counts lookups, and the most that ran at once.
pub(super) struct FakeDns {
    mode: Mutex<(Dns, u64, Option<Ipv4Addr>)>,
    changed: Condvar,
    calls: AtomicUsize,
    pub(super) running: AtomicUsize,
    pub(super) most_running: AtomicUsize,
}

impl FakeDns {
    pub(super) fn new(mode: Dns) -> Arc<FakeDns> {
        Arc::new(FakeDns {
            mode: Mutex::new((mode, 0, None)),
            changed: Condvar::new(),
            calls: AtomicUsize::new(0),
            running: AtomicUsize::new(0),
            most_running: AtomicUsize::new(0),
        })
    }

    pub(super) fn set(&self, mode: Dns) {
        lock(&self.mode).0 = mode;
    }

    /// Ends every hung lookup, with this answer (`None`: it fails).
    pub(super) fn release(&self, answer: Option<Ipv4Addr>) {
        let mut m = lock(&self.mode);
        m.1 += 1;
        m.2 = answer;
        self.changed.notify_all();
    }

    pub(super) fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }

    fn lookup(&self, port: u16) -> Option<Vec<SocketAddr>> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.most_running.fetch_max(now, Ordering::SeqCst);
        let mut m = lock(&self.mode);
        let answer = match m.0 {
            Dns::Answer(ip) => Some(ip),
            Dns::Fail => None,
            Dns::Hang => {
                let (released, until) = (m.1, Instant::now() + Duration::from_secs(20));
                while m.1 == released && Instant::now() < until {
                    m = self
                        .changed
                        .wait_timeout(m, Duration::from_millis(100))
                        .unwrap()
                        .0;
                }
                m.2.filter(|_| m.1 != released)
            }
        };
        drop(m);
        self.running.fetch_sub(1, Ordering::SeqCst);
        answer.map(|ip| vec![SocketAddr::from((ip, port))])
    }
}

pub(super) const NEW: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 7);
pub(super) const OLD: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 6);

pub(super) fn at(ip: Ipv4Addr) -> Vec<SocketAddr> {
    vec![SocketAddr::from((ip, 443))]
}

/// Waits (at most 10 s) until `done` holds.
pub(super) fn eventually(what: &str, done: impl Fn() -> bool) {
    let until = Instant::now() + Duration::from_secs(10);
    while !done() {
        assert!(Instant::now() < until, "never: {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}
