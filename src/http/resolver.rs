//! Host names, looked up once per TTL instead of once per call.
//!
//! ureq resolves the host before it looks in its connection pool, and with a timeout set its
//! default resolver runs every lookup on a new thread, even for an IP address: a thread and
//! a DNS query per API call. This resolver:
//!
//! - returns an IP address at once, with no lookup and no thread;
//! - keeps a host name's addresses for a TTL, so a call on a pooled connection does no
//!   lookup at all;
//! - looks a name up on a thread of its own, waited for no longer than the connect timeout
//!   (and what is left of the call), with no lock held while it runs; calls that miss on the
//!   same name meanwhile wait for that one lookup instead of starting their own;
//! - reports a lookup that fails or finds nothing as [`ureq::Error::HostNotFound`], which the
//!   crate retries even for a POST (nothing was sent);
//! - forgets a name's addresses when a connection to them fails ([`forget_used`]): after a
//!   failover, DNS may already point elsewhere, and the retry should find out.

use std::cell::RefCell;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::{ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// More names than an API client talks to (the API host and a proxy); past this, expired
/// entries are dropped, then all of them.
const MAX_ENTRIES: usize = 64;

#[derive(Debug)]
pub(crate) struct CachingResolver {
    ttl: Duration,
    cache: Cache,
}

type Cache = Arc<Mutex<HashMap<String, Slot>>>;

thread_local! {
    /// The cache entry the last resolve on this thread answered from: ureq resolves on the
    /// calling thread, just before it connects, so after a failed connect this names the
    /// addresses that failed.
    static USED: RefCell<Option<(Cache, String)>> = const { RefCell::new(None) };
}

/// Forgets the addresses this thread's last resolve returned, so the next connection to that
/// name looks it up again. Called when connecting to them failed.
pub(crate) fn forget_used() {
    if let Some((cache, key)) = USED.with(|u| u.borrow_mut().take()) {
        let mut cache = lock(&cache);
        if matches!(cache.get(&key), Some(Slot::Ready { .. })) {
            cache.remove(&key);
        }
    }
}

/// Clears this thread's record of the last resolve (at the start of an attempt).
pub(crate) fn clear_used() {
    USED.with(|u| *u.borrow_mut() = None);
}

#[derive(Debug)]
enum Slot {
    Ready {
        addrs: Vec<SocketAddr>,
        until: Instant,
    },
    Pending(Arc<Lookup>),
}

/// One lookup in flight, which every caller that needs it waits on.
#[derive(Debug, Default)]
struct Lookup {
    /// `Some` once done: the addresses, or `None` when the name did not resolve.
    result: Mutex<Option<Option<Vec<SocketAddr>>>>,
    done: Condvar,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl CachingResolver {
    pub(crate) fn new(ttl: Duration) -> CachingResolver {
        CachingResolver {
            ttl,
            cache: Cache::default(),
        }
    }

    /// The addresses of `host:port`, from the cache or from one shared lookup.
    fn addresses(
        &self,
        host: &str,
        port: u16,
        wait: Duration,
    ) -> Result<Vec<SocketAddr>, ureq::Error> {
        let key = format!("{}:{port}", host.to_ascii_lowercase());
        // Decided under the lock; the lookup itself starts after the lock is released.
        let (lookup, first) = {
            let mut cache = lock(&self.cache);
            match cache.get(&key) {
                Some(Slot::Ready { addrs, until }) if Instant::now() < *until => {
                    let addrs = addrs.clone();
                    drop(cache);
                    USED.with(|u| *u.borrow_mut() = Some((Arc::clone(&self.cache), key)));
                    return Ok(addrs);
                }
                Some(Slot::Pending(lookup)) => (Arc::clone(lookup), false),
                _ => {
                    if cache.len() >= MAX_ENTRIES {
                        let now = Instant::now();
                        cache.retain(|_, s| {
                            matches!(s, Slot::Ready { until, .. } if now < *until)
                                || matches!(s, Slot::Pending(_))
                        });
                        if cache.len() >= MAX_ENTRIES {
                            cache.retain(|_, s| matches!(s, Slot::Pending(_)));
                        }
                    }
                    let lookup = Arc::new(Lookup::default());
                    cache.insert(key.clone(), Slot::Pending(Arc::clone(&lookup)));
                    (lookup, true)
                }
            }
        };
        if first {
            self.start(key.clone(), host.to_string(), port, Arc::clone(&lookup));
        }
        let deadline = Instant::now().checked_add(wait);
        let mut result = lock(&lookup.result);
        loop {
            if let Some(done) = result.as_ref() {
                let addrs = done.clone().ok_or(ureq::Error::HostNotFound)?;
                drop(result);
                USED.with(|u| *u.borrow_mut() = Some((Arc::clone(&self.cache), key)));
                return Ok(addrs);
            }
            let left = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            if left.is_zero() {
                return Err(ureq::Error::Timeout(ureq::Timeout::Resolve));
            }
            result = match lookup.done.wait_timeout(result, left) {
                Ok((r, _)) => r,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }

    /// Runs the lookup on its own thread, then records the result for the waiters and, on
    /// success, in the cache. If no thread can be made, it runs on this one (no lock is held
    /// here), bounded only by the system's own lookup timeout.
    fn start(&self, key: String, host: String, port: u16, lookup: Arc<Lookup>) {
        let cache = Arc::clone(&self.cache);
        let ttl = self.ttl;
        let run = move || {
            let found = (host.as_str(), port)
                .to_socket_addrs()
                .ok()
                .map(|a| a.collect::<Vec<_>>())
                .filter(|a| !a.is_empty());
            {
                let mut cache = lock(&cache);
                match (&found, Instant::now().checked_add(ttl)) {
                    (Some(addrs), Some(until)) if !ttl.is_zero() => {
                        cache.insert(
                            key,
                            Slot::Ready {
                                addrs: addrs.clone(),
                                until,
                            },
                        );
                    }
                    _ => {
                        cache.remove(&key);
                    }
                }
            }
            *lock(&lookup.result) = Some(found);
            lookup.done.notify_all();
        };
        let spawned = std::thread::Builder::new()
            .name("pinn-dns".into())
            .spawn(run.clone());
        if spawned.is_err() {
            run();
        }
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
    use super::*;

    fn no_timeout() -> NextTimeout {
        NextTimeout::default()
    }

    #[test]
    fn ip_addresses_need_no_lookup() {
        let r = CachingResolver::new(Duration::from_secs(60));
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
        assert!(lock(&r.cache).is_empty(), "nothing was looked up");
    }

    #[test]
    fn names_are_cached_and_failures_are_host_not_found() {
        let r = CachingResolver::new(Duration::from_secs(60));
        let config = ureq::config::Config::default();
        let uri: Uri = "http://localhost:9/".parse().unwrap();
        let first = r.resolve(&uri, &config, no_timeout()).unwrap();
        assert!(first.iter().all(|a| a.ip().is_loopback() && a.port() == 9));
        assert!(matches!(
            lock(&r.cache).get("localhost:9"),
            Some(Slot::Ready { .. })
        ));
        let again = r.resolve(&uri, &config, no_timeout()).unwrap();
        assert_eq!(first.len(), again.len());

        let missing: Uri = "https://nonexistent.invalid/".parse().unwrap();
        let err = r.resolve(&missing, &config, no_timeout()).unwrap_err();
        assert!(matches!(err, ureq::Error::HostNotFound), "{err:?}");
        assert!(
            lock(&r.cache).get("nonexistent.invalid:443").is_none(),
            "failures are not cached"
        );
    }

    #[test]
    fn addresses_that_failed_to_connect_are_forgotten() {
        let r = CachingResolver::new(Duration::from_secs(60));
        let config = ureq::config::Config::default();
        let uri: Uri = "http://localhost:9/".parse().unwrap();
        clear_used();
        forget_used();
        r.resolve(&uri, &config, no_timeout()).unwrap();
        r.resolve(&uri, &config, no_timeout()).unwrap();
        assert!(lock(&r.cache).contains_key("localhost:9"));
        forget_used();
        assert!(
            !lock(&r.cache).contains_key("localhost:9"),
            "the next connection looks the name up again"
        );

        r.resolve(&uri, &config, no_timeout()).unwrap();
        clear_used();
        forget_used();
        assert!(
            lock(&r.cache).contains_key("localhost:9"),
            "a new attempt forgets nothing it did not resolve"
        );
    }
}
