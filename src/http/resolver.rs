//! Host names, looked up once per TTL instead of once per call.
//!
//! ureq resolves the host before it looks in its connection pool, and with a timeout set its
//! default resolver runs every lookup on a new thread, even for an IP address: a thread and
//! a DNS query per API call. This resolver:
//!
//! - returns an IP address at once, with no lookup and no thread;
//! - keeps a host name's addresses for a TTL, so a call on a pooled connection does no
//!   lookup at all;
//! - looks a name up on a thread of its own, with no lock held while it runs; calls that miss
//!   on the same name meanwhile wait for that lookup instead of starting their own;
//! - never lets a stuck lookup hold the name: a caller waits no longer than the connect
//!   timeout (and what is left of the call), and while a lookup has run for
//!   [`HEDGE_AFTER`] without an answer (a DNS server that does not answer, which the system
//!   resolver waits out for up to 30 s), the next caller, or one still waiting, starts
//!   another: whichever answers first answers every caller waiting on the name. Once DNS
//!   works again (a fixed `/etc/hosts`, a server back), calls recover within about
//!   [`HEDGE_AFTER`], not when the stuck lookup gives up. At most [`MAX_LOOKUPS`] lookups
//!   run at once, so a resolver that hangs for good costs a bounded number of threads;
//! - reports a lookup that fails or finds nothing as [`ureq::Error::HostNotFound`], which the
//!   crate retries even for a POST (nothing was sent). A failure is never cached: the next
//!   call looks the name up again, and a lookup that fails after a newer one succeeded
//!   changes nothing (nor does an older lookup's late success replace a newer answer);
//! - forgets a name's addresses when a connection to them fails ([`forget_used`]): after a
//!   failover, DNS may already point elsewhere, and the retry should find out.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// More names than an API client talks to (the API host and a proxy); past this, names with
/// nothing fresh and nobody waiting are dropped.
const MAX_ENTRIES: usize = 64;

/// How long a lookup runs before another may start beside it. A healthy lookup takes
/// milliseconds; one still running after a second is usually waiting out a DNS server that
/// does not answer (the system resolver's retry timeout is whole seconds).
const HEDGE_AFTER: Duration = Duration::from_secs(1);

/// How many lookups one resolver runs at once, at most: enough to start one a second through
/// the system resolver's longest wait (30 s: three servers, two tries, 5 s each).
const MAX_LOOKUPS: usize = 32;

/// Looks a name up: the addresses, or `None` when it did not resolve.
type Lookup = Arc<dyn Fn(&str, u16) -> Option<Vec<SocketAddr>> + Send + Sync>;

pub(crate) struct CachingResolver {
    ttl: Duration,
    shared: Arc<Shared>,
    lookup: Lookup,
    hedge_after: Duration,
    max_lookups: usize,
}

impl fmt::Debug for CachingResolver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachingResolver")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// The names, and the signal that a lookup ended.
#[derive(Default)]
struct Shared {
    names: Mutex<Names>,
    done: Condvar,
}

#[derive(Default)]
struct Names {
    entries: HashMap<String, Entry>,
    /// Lookups running, for every name.
    running: usize,
    /// The number the next lookup gets: a later lookup has a greater one.
    next: u64,
}

/// One name: its last answer, and the lookups running for it.
#[derive(Default)]
struct Entry {
    ready: Option<Ready>,
    /// Oldest first.
    running: Vec<Running>,
    /// Callers waiting on this name: it is kept while there are any.
    waiters: usize,
}

struct Ready {
    addrs: Vec<SocketAddr>,
    until: Instant,
    /// The lookup that found them.
    seq: u64,
}

struct Running {
    seq: u64,
    started: Instant,
}

thread_local! {
    /// The answer the last resolve on this thread used: ureq resolves on the calling thread,
    /// just before it connects, so after a failed connect this names the addresses that
    /// failed.
    static USED: RefCell<Option<(Arc<Shared>, String, u64)>> = const { RefCell::new(None) };
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
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
    fn addresses(
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
                // A TTL past what a clock can hold: a year is as good as forever.
                let year = Duration::from_secs(365 * 24 * 3600);
                let until = now
                    .checked_add(ttl)
                    .or_else(|| now.checked_add(year))
                    .unwrap_or(now);
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

/// Makes room among `entries`: drops the names nobody waits on or looks up, the ones with
/// nothing fresh first.
fn evict(entries: &mut HashMap<String, Entry>) {
    let now = Instant::now();
    let idle = |e: &Entry| e.waiters == 0 && e.running.is_empty();
    entries.retain(|_, e| !idle(e) || e.ready.as_ref().is_some_and(|r| now < r.until));
    if entries.len() >= MAX_ENTRIES {
        entries.retain(|_, e| !idle(e));
    }
}

impl Resolver for CachingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
            return Err(ureq::Error::BadUri(format!("{uri}")));
        };
        let port = match (authority.port_u16(), scheme) {
            (Some(p), _) => p,
            (None, "https") => 443,
            (None, "http") => 80,
            (None, s) if s.starts_with("socks") => 1080,
            (None, s) => return Err(ureq::Error::BadUri(format!("unknown scheme {s}"))),
        };
        let host = authority.host();
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        let mut out = self.empty();
        if let Ok(ip) = bare.parse::<IpAddr>() {
            out.push(SocketAddr::new(ip, port));
            return Ok(out);
        }
        let connect = config.timeouts().connect.unwrap_or(Duration::MAX);
        let wait = (*timeout.after).min(connect);
        for addr in self.addresses(host, port, wait)?.into_iter().take(16) {
            out.push(addr);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use std::net::Ipv4Addr;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::mpsc;

    use super::*;

    fn no_timeout() -> NextTimeout {
        NextTimeout::default()
    }

    impl CachingResolver {
        /// A resolver that looks names up with `lookup`.
        fn with_lookup(ttl: Duration, dns: &Arc<FakeDns>) -> CachingResolver {
            let dns = Arc::clone(dns);
            CachingResolver {
                lookup: Arc::new(move |_: &str, port| dns.lookup(port)),
                ..CachingResolver::new(ttl)
            }
        }

        /// The fresh addresses cached for `key`.
        fn cached(&self, key: &str) -> Option<Vec<SocketAddr>> {
            let names = lock(&self.shared.names);
            let ready = names.entries.get(key)?.ready.as_ref()?;
            (Instant::now() < ready.until).then(|| ready.addrs.clone())
        }

        /// The last answer for `key`, fresh or not.
        fn last_answer(&self, key: &str) -> Option<Vec<SocketAddr>> {
            let names = lock(&self.shared.names);
            Some(names.entries.get(key)?.ready.as_ref()?.addrs.clone())
        }

        fn running(&self) -> usize {
            lock(&self.shared.names).running
        }
    }

    /// What the fake DNS does with a lookup that starts now.
    #[derive(Debug, Clone, Copy, PartialEq)]
    enum Dns {
        Answer(Ipv4Addr),
        Fail,
        /// Hangs until released (as the system resolver waits out a server that does not
        /// answer), then answers what it is released with. Never longer than 20 s.
        Hang,
    }

    /// A DNS a test steers: it counts lookups, and the most that ran at once.
    struct FakeDns {
        mode: Mutex<(Dns, u64, Option<Ipv4Addr>)>,
        changed: Condvar,
        calls: AtomicUsize,
        running: AtomicUsize,
        most_running: AtomicUsize,
    }

    impl FakeDns {
        fn new(mode: Dns) -> Arc<FakeDns> {
            Arc::new(FakeDns {
                mode: Mutex::new((mode, 0, None)),
                changed: Condvar::new(),
                calls: AtomicUsize::new(0),
                running: AtomicUsize::new(0),
                most_running: AtomicUsize::new(0),
            })
        }

        fn set(&self, mode: Dns) {
            lock(&self.mode).0 = mode;
        }

        /// Ends every hung lookup, with this answer (`None`: it fails).
        fn release(&self, answer: Option<Ipv4Addr>) {
            let mut m = lock(&self.mode);
            m.1 += 1;
            m.2 = answer;
            self.changed.notify_all();
        }

        fn calls(&self) -> usize {
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

    const NEW: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 7);
    const OLD: Ipv4Addr = Ipv4Addr::new(127, 0, 0, 6);

    fn at(ip: Ipv4Addr) -> Vec<SocketAddr> {
        vec![SocketAddr::from((ip, 443))]
    }

    /// Waits (at most 10 s) until `done` holds.
    fn eventually(what: &str, done: impl Fn() -> bool) {
        let until = Instant::now() + Duration::from_secs(10);
        while !done() {
            assert!(Instant::now() < until, "never: {what}");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    #[test]
    fn ip_addresses_need_no_lookup() {
        let dns = FakeDns::new(Dns::Fail);
        let r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        let config = ureq::config::Config::default();
        for (uri, want) in [
            ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
            ("https://[::1]/x", "[::1]:443"),
            ("http://10.0.0.7/", "10.0.0.7:80"),
        ] {
            let got = r
                .resolve(&uri.parse().unwrap(), &config, no_timeout())
                .unwrap();
            assert_eq!(got[0].to_string(), want);
        }
        assert_eq!(dns.calls(), 0, "nothing was looked up");
        assert!(lock(&r.shared.names).entries.is_empty());
    }

    #[test]
    fn names_are_cached_and_failures_are_host_not_found() {
        // The system's own lookup, on names that resolve (or fail) locally.
        let r = CachingResolver::new(Duration::from_secs(60));
        let config = ureq::config::Config::default();
        let uri: Uri = "http://localhost:9/".parse().unwrap();
        let first = r.resolve(&uri, &config, no_timeout()).unwrap();
        assert!(first.iter().all(|a| a.ip().is_loopback() && a.port() == 9));
        assert!(r.cached("localhost:9").is_some());
        let again = r.resolve(&uri, &config, no_timeout()).unwrap();
        assert_eq!(first.len(), again.len());

        let missing: Uri = "https://nonexistent.invalid/".parse().unwrap();
        let err = r.resolve(&missing, &config, no_timeout()).unwrap_err();
        assert!(matches!(err, ureq::Error::HostNotFound), "{err:?}");
        assert!(
            !lock(&r.shared.names)
                .entries
                .contains_key("nonexistent.invalid:443"),
            "failures are not cached"
        );
    }

    #[test]
    fn addresses_that_failed_to_connect_are_forgotten() {
        let dns = FakeDns::new(Dns::Answer(NEW));
        let r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        let wait = Duration::from_secs(10);
        clear_used();
        forget_used();
        r.addresses("api.example", 443, wait).unwrap();
        r.addresses("api.example", 443, wait).unwrap();
        assert_eq!(
            (r.cached("api.example:443"), dns.calls()),
            (Some(at(NEW)), 1)
        );
        forget_used();
        assert_eq!(
            r.cached("api.example:443"),
            None,
            "the next connection looks the name up again"
        );
        r.addresses("api.example", 443, wait).unwrap();
        assert_eq!(dns.calls(), 2);

        clear_used();
        forget_used();
        assert!(
            r.cached("api.example:443").is_some(),
            "a new attempt forgets nothing it did not resolve"
        );
    }

    #[test]
    fn a_failing_lookup_is_not_cached_and_the_next_one_answers() {
        let dns = FakeDns::new(Dns::Fail);
        let r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        let wait = Duration::from_secs(10);
        for _ in 0..3 {
            let err = r.addresses("api.example", 443, wait).unwrap_err();
            assert!(matches!(err, ureq::Error::HostNotFound), "{err:?}");
        }
        assert_eq!(dns.calls(), 3, "each call looked again");
        dns.set(Dns::Answer(NEW));
        assert_eq!(r.addresses("api.example", 443, wait).unwrap(), at(NEW));
        assert_eq!(r.addresses("api.example", 443, wait).unwrap(), at(NEW));
        assert_eq!(dns.calls(), 4, "then cached");
    }

    #[test]
    fn a_hung_lookup_is_overtaken_once_dns_answers_again() {
        let dns = FakeDns::new(Dns::Hang);
        let mut r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        r.hedge_after = Duration::from_millis(50);
        let r = Arc::new(r);
        // A caller with a long connect timeout waits on the hung lookup...
        let (tx, rx) = mpsc::channel();
        let waiting = Arc::clone(&r);
        std::thread::spawn(move || {
            let _ = tx.send(waiting.addresses("api.example", 443, Duration::from_secs(15)));
        });
        eventually("a lookup hangs", || dns.running.load(Ordering::SeqCst) >= 1);
        // ... when DNS is fixed. A lookup started from now on answers.
        let fixed = Instant::now();
        dns.set(Dns::Answer(NEW));
        let answer = rx.recv_timeout(Duration::from_secs(10)).unwrap();
        let recovered = fixed.elapsed();
        assert_eq!(
            answer.unwrap(),
            at(NEW),
            "answered long before its 15 s wait ended"
        );
        eprintln!("recovered {recovered:?} after the fix (hedge_after 50 ms)");
        assert!(
            dns.running.load(Ordering::SeqCst) >= 1,
            "the first lookup still hangs"
        );

        // The hung lookups end, failing, or with an older answer: the newer one stands.
        let calls = dns.calls();
        dns.release(Some(OLD));
        eventually("the hung lookups end", || r.running() == 0);
        assert_eq!(
            r.addresses("api.example", 443, Duration::from_secs(1))
                .unwrap(),
            at(NEW)
        );
        assert_eq!(r.cached("api.example:443"), Some(at(NEW)));
        assert_eq!(dns.calls(), calls, "answered from the cache");
    }

    #[test]
    fn a_hung_lookup_that_ends_in_failure_changes_nothing_after_a_success() {
        let dns = FakeDns::new(Dns::Hang);
        let mut r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        r.hedge_after = Duration::from_millis(20);
        let short = Duration::from_millis(50);
        let err = r.addresses("api.example", 443, short).unwrap_err();
        assert!(
            matches!(err, ureq::Error::Timeout(ureq::Timeout::Resolve)),
            "a caller waits no longer than it may: {err:?}"
        );
        dns.set(Dns::Answer(NEW));
        // The hung lookup is over `hedge_after` old: this caller starts another at once.
        assert_eq!(
            r.addresses("api.example", 443, Duration::from_secs(10))
                .unwrap(),
            at(NEW)
        );
        dns.release(None);
        eventually("the hung lookups end", || r.running() == 0);
        assert_eq!(r.cached("api.example:443"), Some(at(NEW)));
    }

    #[test]
    fn many_callers_under_a_hung_resolver_start_a_bounded_number_of_lookups() {
        let dns = FakeDns::new(Dns::Hang);
        let mut r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        r.hedge_after = Duration::from_millis(10);
        r.max_lookups = 4;
        let r = Arc::new(r);
        let (tx, rx) = mpsc::channel();
        for i in 0..64 {
            let (r, tx) = (Arc::clone(&r), tx.clone());
            std::thread::spawn(move || {
                // Two names, three calls each: hedges are due many times over.
                let name = if i % 2 == 0 {
                    "api.example"
                } else {
                    "proxy.example"
                };
                for _ in 0..3 {
                    let started = Instant::now();
                    let got = r.addresses(name, 443, Duration::from_millis(150));
                    let _ = tx.send((got, started.elapsed()));
                }
            });
        }
        drop(tx);
        let mut answers = 0;
        while let Ok((got, took)) = rx.recv_timeout(Duration::from_secs(10)) {
            answers += 1;
            assert!(
                matches!(got, Err(ureq::Error::Timeout(ureq::Timeout::Resolve))),
                "{got:?}"
            );
            assert!(took < Duration::from_secs(5), "waited {took:?}");
        }
        assert_eq!(answers, 64 * 3, "every caller came back");
        assert!(
            lock(&r.shared.names)
                .entries
                .values()
                .all(|e| e.waiters == 0),
            "no caller left registered"
        );
        assert!(dns.calls() <= 4, "{} lookups started", dns.calls());
        assert!(dns.most_running.load(Ordering::SeqCst) <= 4);
        eventually("every lookup started hangs", || {
            dns.running.load(Ordering::SeqCst) == r.running()
        });

        // Fixed: the hung lookups hold every slot until they end; then the next call answers.
        dns.set(Dns::Answer(NEW));
        dns.release(None);
        eventually("the hung lookups end", || r.running() == 0);
        assert_eq!(
            r.addresses("api.example", 443, Duration::from_secs(10))
                .unwrap(),
            at(NEW)
        );
        let names = lock(&r.shared.names);
        assert_eq!(
            names.entries.keys().collect::<Vec<_>>(),
            ["api.example:443"],
            "the names that failed, with no caller or lookup left, are gone"
        );
    }

    #[test]
    fn through_ureq_a_caller_waits_no_longer_than_its_connect_timeout() {
        // The resolver as ureq calls it, with its own tuning, 64 threads at once.
        let dns = FakeDns::new(Dns::Hang);
        let r = Arc::new(CachingResolver::with_lookup(Duration::from_secs(60), &dns));
        let config = Arc::new(
            ureq::config::Config::builder()
                .timeout_connect(Some(Duration::from_millis(200)))
                .build(),
        );
        let (tx, rx) = mpsc::channel();
        for i in 0..64 {
            let (r, config, tx) = (Arc::clone(&r), Arc::clone(&config), tx.clone());
            std::thread::spawn(move || {
                let uri: Uri = "https://api.example/v1/users".parse().unwrap();
                // Half have less of the call left than the connect timeout.
                let timeout = NextTimeout {
                    after: Duration::from_millis(if i % 2 == 0 { 100 } else { 5_000 }).into(),
                    ..NextTimeout::default()
                };
                let started = Instant::now();
                let got = r.resolve(&uri, &config, timeout).map(|a| a.len());
                let _ = tx.send((got, started.elapsed()));
            });
        }
        drop(tx);
        for _ in 0..64 {
            let (got, took) = rx.recv_timeout(Duration::from_secs(10)).unwrap();
            assert!(
                matches!(got, Err(ureq::Error::Timeout(ureq::Timeout::Resolve))),
                "{got:?}"
            );
            assert!(took < Duration::from_secs(5), "waited {took:?}");
        }
        assert!(dns.calls() <= MAX_LOOKUPS, "{} lookups", dns.calls());
        dns.release(None);
        eventually("the hung lookups end", || r.running() == 0);
        assert!(
            lock(&r.shared.names).entries.is_empty(),
            "nothing left behind"
        );
    }

    #[test]
    fn the_cache_holds_a_bounded_number_of_names() {
        let dns = FakeDns::new(Dns::Answer(NEW));
        let r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        for i in 0..3 * MAX_ENTRIES {
            let name = format!("host{i}.example");
            assert_eq!(
                r.addresses(&name, 443, Duration::from_secs(10)).unwrap(),
                at(NEW)
            );
            assert!(lock(&r.shared.names).entries.len() <= MAX_ENTRIES);
        }
        assert!(
            r.cached(&format!("host{}.example:443", 3 * MAX_ENTRIES - 1))
                .is_some()
        );
    }

    #[test]
    fn callers_share_a_lookup_and_an_answer_lasts_its_ttl() {
        let dns = FakeDns::new(Dns::Answer(NEW));
        let r = CachingResolver::with_lookup(Duration::from_millis(200), &dns);
        let wait = Duration::from_secs(10);
        assert_eq!(r.addresses("api.example", 443, wait).unwrap(), at(NEW));
        std::thread::sleep(Duration::from_millis(250));
        assert!(r.cached("api.example:443").is_none(), "expired");
        dns.set(Dns::Answer(OLD));
        assert_eq!(r.addresses("api.example", 443, wait).unwrap(), at(OLD));
        assert_eq!(dns.calls(), 2);

        // An expired answer is not used while the new lookup hangs: the caller times out.
        std::thread::sleep(Duration::from_millis(250));
        dns.set(Dns::Hang);
        let err = r
            .addresses("api.example", 443, Duration::from_millis(50))
            .unwrap_err();
        assert!(
            matches!(err, ureq::Error::Timeout(ureq::Timeout::Resolve)),
            "{err:?}"
        );
        dns.release(Some(NEW));
        eventually("the lookup ends", || r.running() == 0);
        assert_eq!(
            r.last_answer("api.example:443"),
            Some(at(NEW)),
            "its late answer is kept"
        );

        // Concurrent callers of a slow lookup share it.
        let dns = FakeDns::new(Dns::Hang);
        let mut r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
        r.hedge_after = Duration::from_secs(60);
        let r = Arc::new(r);
        let callers: Vec<_> = (0..8)
            .map(|_| {
                let r = Arc::clone(&r);
                std::thread::spawn(move || r.addresses("api.example", 443, Duration::from_secs(10)))
            })
            .collect();
        eventually("one lookup runs", || dns.calls() == 1);
        dns.release(Some(NEW));
        for c in callers {
            assert_eq!(c.join().unwrap().unwrap(), at(NEW));
        }
        assert_eq!(dns.calls(), 1, "one lookup for all");

        // A zero TTL looks the name up for every caller.
        let dns = FakeDns::new(Dns::Answer(NEW));
        let r = CachingResolver::with_lookup(Duration::ZERO, &dns);
        for _ in 0..3 {
            assert_eq!(r.addresses("api.example", 443, wait).unwrap(), at(NEW));
        }
        assert_eq!(dns.calls(), 3);
    }
}
