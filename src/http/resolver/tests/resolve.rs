//! Tests of ureq's entry point: IP addresses, the system's lookup, and a caller's wait.

use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use ureq::http::Uri;
use ureq::unversioned::resolver::Resolver;
use ureq::unversioned::transport::NextTimeout;

use super::fixtures::{Dns, FakeDns, eventually, no_timeout};
use crate::http::resolver::cache::lock;
use crate::http::resolver::lookup::{CachingResolver, MAX_LOOKUPS};

#[test]
fn ip_addresses_need_no_lookup() {
    let dns = FakeDns::new(Dns::Fail);
    let r = CachingResolver::with_lookup(Duration::from_secs(60), &dns);
    let config = ureq::config::Config::default();
    for (uri, want) in [
        ("http://127.0.0.1:8080/x", "127.0.0.1:8080"),
        ("https://[::1]/x", "[::1]:443"),
        ("http://10.0.0.7/", "10.0.0.7:80"),
        // A proxy without a port: SOCKS's own.
        ("socks5://127.0.0.1", "127.0.0.1:1080"),
        ("socks4a://10.0.0.7", "10.0.0.7:1080"),
        ("socks5h://127.0.0.1:9050", "127.0.0.1:9050"),
    ] {
        let got = r
            .resolve(&uri.parse().unwrap(), &config, no_timeout())
            .unwrap();
        assert_eq!(got[0].to_string(), want);
    }
    let err = r
        .resolve(&"ftp://127.0.0.1/x".parse().unwrap(), &config, no_timeout())
        .unwrap_err();
    assert!(
        matches!(&err, ureq::Error::BadUri(m) if m.contains("ftp")),
        "{err:?}"
    );
    assert_eq!(dns.calls(), 0, "nothing was looked up");
    assert!(lock(&r.shared.names).entries.is_empty());
}

#[test]
fn names_are_cached_and_failures_are_host_not_found() {
    // The system's own lookup, on names that resolve (or fail) locally.
    let r = CachingResolver::new(Duration::from_secs(60));
    assert_eq!(format!("{r:?}"), "CachingResolver { ttl: 60s, .. }");
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
