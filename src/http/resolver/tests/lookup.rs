//! Tests of lookups that hang: overtaken once DNS answers, and bounded in number.

use std::sync::atomic::Ordering;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use super::fixtures::{Dns, FakeDns, NEW, OLD, at, eventually};
use crate::http::resolver::cache::lock;
use crate::http::resolver::lookup::CachingResolver;

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
