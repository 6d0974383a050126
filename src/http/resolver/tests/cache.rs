//! Tests of the cache: what is kept, for how long, how much, and what is forgotten.

use std::sync::Arc;
use std::time::Duration;

use super::fixtures::{Dns, FakeDns, NEW, OLD, at, eventually};
use crate::http::resolver::cache::{MAX_ENTRIES, clear_used, forget_used, lock};
use crate::http::resolver::lookup::CachingResolver;

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

#[test]
fn eviction_drops_stale_idle_names_first_then_any_idle_one_never_a_busy_one() {
    use crate::http::resolver::cache::{Entry, Ready, Running, evict};
    use std::collections::HashMap;
    use std::time::Instant;
    let now = Instant::now();
    let ready = |until| {
        Some(Ready {
            addrs: at(NEW),
            until,
            seq: 1,
        })
    };
    let fresh = || Entry {
        ready: ready(now + Duration::from_secs(60)),
        ..Entry::default()
    };
    let stale = || Entry {
        ready: ready(now),
        ..Entry::default()
    };
    let waited = || Entry {
        waiters: 1,
        ..stale()
    };
    let looking = || Entry {
        running: vec![Running {
            seq: 2,
            started: now,
        }],
        ..stale()
    };
    let build = |fill: usize| {
        let mut m = HashMap::from([
            ("fresh".to_string(), fresh()),
            ("stale".to_string(), stale()),
            ("empty".to_string(), Entry::default()),
            ("waited".to_string(), waited()),
            ("looking".to_string(), looking()),
        ]);
        m.extend((0..fill).map(|i| (format!("busy{i}"), waited())));
        m
    };
    let kept = |m: HashMap<String, Entry>| {
        let mut k: Vec<String> = m.into_keys().filter(|k| !k.starts_with("busy")).collect();
        k.sort();
        k
    };
    // Room enough after the stale ones go: the fresh idle name stays.
    let mut m = build(0);
    evict(&mut m);
    assert_eq!(kept(m), ["fresh", "looking", "waited"]);
    // Still full: every idle name goes, fresh or not; the busy ones never.
    let mut m = build(MAX_ENTRIES);
    evict(&mut m);
    assert_eq!(kept(m), ["looking", "waited"]);
    // At the bound exactly: 5 + 60 names, 2 of them stale, leave 63; 5 + 61 leave 64.
    let mut m = build(MAX_ENTRIES - 4);
    evict(&mut m);
    assert_eq!(kept(m), ["fresh", "looking", "waited"]);
    let mut m = build(MAX_ENTRIES - 3);
    evict(&mut m);
    assert_eq!(kept(m), ["looking", "waited"]);
}
