//! The queue's order, aim and rolls, and the JSON shape's round trips and checks.

use std::time::Duration;

use serde_json::json;

use super::fault::{Fault, FaultKind};
use super::queue::{Queue, Taken};
use crate::rng::Rng;

fn take(q: &mut Queue, method: &str, path: &str) -> Option<FaultKind> {
    q.take(method, path).map(|t| t.kind)
}

#[test]
fn faults_are_taken_in_order_and_used_up() {
    let mut q = Queue::new(Rng::seeded(1));
    q.push(Fault::status(500).times(2).on_path("/v1/users"));
    q.push(Fault::close().on_method("post"));
    q.push(Fault::status(0).times(0));
    assert_eq!(take(&mut q, "GET", "/v1/apps"), None);
    assert_eq!(take(&mut q, "POST", "/v1/apps"), Some(FaultKind::Close));
    assert_eq!(
        take(&mut q, "POST", "/v1/users"),
        Some(FaultKind::Status(500))
    );
    assert_eq!(q.list(), [Fault::status(500).times(1).on_path("/v1/users")]);
    assert_eq!(
        take(&mut q, "GET", "/v1/users"),
        Some(FaultKind::Status(500))
    );
    assert_eq!(take(&mut q, "GET", "/v1/users"), None);
    assert!(q.list().is_empty(), "{q:?}");
}

#[test]
fn a_fault_without_a_path_spares_health_checks() {
    let mut q = Queue::new(Rng::seeded(1));
    q.push(Fault::status(503).times(10));
    assert_eq!(take(&mut q, "GET", "/health"), None);
    assert_eq!(take(&mut q, "OPTIONS", "*"), None);
    assert_eq!(
        take(&mut q, "GET", "/nowhere"),
        Some(FaultKind::Status(503))
    );
    q.push(Fault::status(500).on_path("/health"));
    assert_eq!(take(&mut q, "GET", "/health"), Some(FaultKind::Status(500)));
}

#[test]
fn probabilistic_faults_repeat_from_their_seed_and_never_run_out() {
    let rolls = |seed| {
        let mut q = Queue::new(Rng::seeded(seed));
        q.push(Fault::status(503).probability(0.3).seed(7));
        (0..1000)
            .map(|_| q.take("GET", "/").is_some())
            .collect::<Vec<_>>()
    };
    let (a, b) = (rolls(1), rolls(2));
    assert_eq!(a, b, "the fault's own seed decides, not the queue's");
    let fired = a.iter().filter(|f| **f).count();
    assert!((230..370).contains(&fired), "{fired}");
    let mut q = Queue::new(Rng::seeded(1));
    q.push(Fault::status(503).probability(0.0));
    q.push(Fault::status(429));
    assert_eq!(
        take(&mut q, "GET", "/"),
        Some(FaultKind::Status(429)),
        "spared: next fault"
    );
    assert_eq!(q.list().len(), 1);
    let mut q = Queue::new(Rng::seeded(1));
    q.push(Fault::close().probability(1.0).times(2).after_commit());
    let taken = q.take("GET", "/");
    assert_eq!(
        taken,
        Some(Taken {
            kind: FaultKind::Close,
            after_commit: true
        })
    );
    assert_eq!(q.list()[0].times, Some(1));
    assert_eq!(Fault::close().probability(7.0).probability, Some(1.0));
    assert_eq!(Fault::close().probability(f64::NAN).probability, Some(0.0));
}

#[test]
fn json_round_trips_and_checks() {
    for fault in [
        Fault::status(503)
            .times(2)
            .on_path("/v1/users")
            .on_method("post"),
        Fault::rate_limit("7"),
        Fault::delay(Duration::from_millis(1500)).after_commit(),
        Fault::close().after_commit(),
        Fault::truncated_body().probability(0.25).seed(9),
        Fault::body(502, "<html>"),
    ] {
        let j = serde_json::to_value(&fault).unwrap();
        assert_eq!(
            serde_json::from_value::<Fault>(j.clone()).ok(),
            Some(fault),
            "{j}"
        );
    }
    assert_eq!(
        serde_json::to_value(Fault::close().after_commit().on_method("post")).unwrap(),
        json!({"kind": "close", "after_commit": true, "method": "POST"})
    );
    for bad in [
        json!({"kind": "teapot"}),
        json!({"kind": "status"}),
        json!({"kind": "status", "status": 42}),
        json!({"kind": "status", "status": 100}),
        json!({"kind": "body", "status": 199, "body": ""}),
        json!({"kind": "close", "status": 500}),
        json!({"kind": "rate_limit"}),
        json!({"kind": "rate_limit", "retry_after": "1\r\nX: y"}),
        json!({"kind": "delay"}),
        json!({"kind": "body", "status": 500}),
        json!({"kind": "close", "times": 0}),
        json!({"kind": "close", "probability": 1.5}),
        json!({"kind": "close", "colour": "red"}),
        json!({"status": 500}),
    ] {
        assert!(
            serde_json::from_value::<Fault>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn a_status_no_server_can_send_is_answered_500_saying_why() {
    use super::answer::reply;
    for s in [0, 100, 199, 1000, u16::MAX] {
        for kind in [FaultKind::Status(s), FaultKind::Body(s, "x".into())] {
            let r = reply(&kind).unwrap();
            assert_eq!(r.status, 500, "{kind:?}");
        }
    }
    for s in [200, 999] {
        assert_eq!(reply(&FaultKind::Status(s)).unwrap().status, s);
        assert_eq!(reply(&FaultKind::Body(s, "x".into())).unwrap().status, s);
    }
}
