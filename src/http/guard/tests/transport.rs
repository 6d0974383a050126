//! Tests of the guarded transport: the key in the head of the request only, whichever
//! connection and writes carry it; and the timeouts passed down.

use std::time::Duration;

use ureq::unversioned::transport::NextTimeout;

use super::fixtures::{KEY, begin, recording_wire, send, text};
use crate::http::guard::transport::{Guarded, coarse};

#[test]
fn behind_a_connect_on_the_same_connection_chain_the_head_gets_the_key_once() {
    let key = std::str::from_utf8(KEY).unwrap();
    let stars = "*".repeat(KEY.len());
    let head = format!(
        "POST /v1/users HTTP/1.1\r\nhost: api.example:8443\r\nauthorization: Bearer {stars}\r\ncontent-length: 60\r\n\r\n"
    );
    // A body that looks like the head's placeholder line is still a body.
    let body = format!("\r\nauthorization: Bearer {stars}\r\n\r\n");
    let (wire, writes) = recording_wire();
    let attempt = begin();
    // The proxy's connection: its `CONNECT`, in ureq's pieces, is not the request.
    let mut proxy = Guarded::new(wire);
    for piece in [
        "CONNECT ",
        "api.example",
        ":",
        "8443",
        " HTTP/1.1\r\n",
        "\r\n",
    ] {
        send(&mut proxy, piece.as_bytes());
    }
    assert!(!attempt.sent(), "a CONNECT is not the request");
    // The tunnel's TLS handshake, say, is not either.
    send(&mut proxy, b"\x16\x03\x01\x00\x05hello");
    assert!(!attempt.sent());
    // The request's connection, wrapped around the proxy's, carries the head and body.
    let mut request = Guarded::new(proxy);
    send(&mut request, head.as_bytes());
    assert!(attempt.sent());
    send(&mut request, body.as_bytes());
    let got = text(&writes);
    assert_eq!(got.concat().matches(key).count(), 1, "{got:?}");
    assert!(!got[..7].concat().contains(key), "not in the CONNECT");
    assert_eq!(got[7], head.replace(&stars, key));
    assert_eq!(got[8], body, "the body untouched");
    drop(attempt);

    // The next attempt on the pooled connection: its head is claimed afresh.
    let attempt = begin();
    send(&mut request, head.as_bytes());
    assert!(attempt.sent());
    assert_eq!(text(&writes)[9], head.replace(&stars, key));
}

#[test]
fn a_head_over_several_writes_gets_the_key_in_the_write_that_holds_the_placeholder() {
    let key = std::str::from_utf8(KEY).unwrap();
    let stars = "*".repeat(KEY.len());
    let pieces = [
        "GET http://api.example:8443/v1/users HTTP/1.1\r\nhost: api.example:8443\r\n".to_string(),
        format!("accept: */*\r\nauthorization: Bearer {stars}\r\n"),
        "user-agent: x\r\n\r\n".to_string(),
    ];
    let (wire, writes) = recording_wire();
    let attempt = begin();
    let mut request = Guarded::new(wire);
    for piece in &pieces {
        send(&mut request, piece.as_bytes());
    }
    assert!(attempt.sent());
    let got = text(&writes);
    assert_eq!(got[0], pieces[0]);
    assert_eq!(got[1], pieces[1].replace(&stars, key));
    assert_eq!(got[2], pieces[2]);
    drop(attempt);

    // An absolute-form request to another host never gets the key, in any of its writes.
    let (wire, writes) = recording_wire();
    let attempt = begin();
    let mut request = Guarded::new(wire);
    send(&mut request, b"GET http://other.example/v1 HTTP/1.1\r\n");
    let rest = format!("authorization: Bearer {stars}\r\n\r\n");
    send(&mut request, rest.as_bytes());
    assert_eq!(text(&writes)[1], rest);
    drop(attempt);
    let (wire, writes) = recording_wire();
    let _attempt = begin();
    let head =
        format!("GET http://other.example/v1 HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n");
    send(&mut Guarded::new(wire), head.as_bytes());
    assert_eq!(text(&writes), [head]);
}

#[test]
fn without_an_attempt_nothing_is_written_or_claimed() {
    let stars = "*".repeat(KEY.len());
    let head = format!("GET / HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n");
    let (wire, writes) = recording_wire();
    send(&mut Guarded::new(wire), head.as_bytes());
    assert_eq!(text(&writes), [head]);
}

#[test]
fn deadlines_are_rounded_down_to_a_step_that_repeats() {
    let after = |ms: u64, ns: u32| {
        let t = NextTimeout {
            after: (Duration::from_millis(ms) + Duration::from_nanos(u64::from(ns))).into(),
            ..NextTimeout::default()
        };
        *coarse(t).after
    };
    assert_eq!(after(29_999, 870_123), Duration::from_millis(29_900));
    assert_eq!(after(29_950, 5), Duration::from_millis(29_900));
    assert_eq!(after(1_234, 999_999), Duration::from_millis(1_230));
    assert_eq!(after(100, 700_000), Duration::from_millis(100));
    assert_eq!(
        after(63, 999),
        Duration::from_nanos(63_000_999),
        "short: exact"
    );
    for ms in [64, 100, 639, 640, 6_399, 6_400, 30_000, 86_400_000] {
        let left = Duration::from_millis(ms) + Duration::from_nanos(987_654);
        let got = after(ms, 987_654);
        assert!(got <= left && left - got <= left / 64, "{ms}: {got:?}");
    }
    let never = NextTimeout::default();
    assert!(coarse(never).after.is_not_happening());
}

#[test]
fn once_an_attempt_ends_its_key_is_gone_from_the_thread() {
    let stars = "*".repeat(KEY.len());
    let head = format!("GET / HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n");
    let written = |head: &str| {
        let (wire, writes) = recording_wire();
        send(&mut Guarded::new(wire), head.as_bytes());
        text(&writes)
    };
    let attempt = begin();
    let with_key = head.replace(&stars, std::str::from_utf8(KEY).unwrap());
    assert_eq!(written(&head), [with_key]);
    drop(attempt);
    assert_eq!(written(&head), std::slice::from_ref(&head));
    // An attempt that ended before writing anything leaves nothing to claim either.
    drop(begin());
    assert_eq!(written(&head), std::slice::from_ref(&head));
}

#[test]
fn a_connect_written_whole_is_a_proxys_and_only_a_request_line_or_other_bytes_count_as_sent() {
    let key = std::str::from_utf8(KEY).unwrap();
    let stars = "*".repeat(KEY.len());
    let head = format!("GET / HTTP/1.1\r\nauthorization: Bearer {stars}\r\n\r\n");
    // A `CONNECT` in one write: the connection is a proxy's, nothing of it is the request.
    let attempt = begin();
    let (wire, writes) = recording_wire();
    let mut proxy = Guarded::new(wire);
    let connect = format!(
        "CONNECT api.example:8443 HTTP/1.1\r\n{}\r\n\r\n",
        &head[16..]
    );
    send(&mut proxy, connect.as_bytes());
    send(&mut proxy, b"\x16\x03\x01");
    assert!(!attempt.sent());
    assert!(!text(&writes).concat().contains(key));
    drop(attempt);
    // An empty write is nothing: the head after it is the request, and gets the key.
    let attempt = begin();
    let (wire, writes) = recording_wire();
    let mut direct = Guarded::new(wire);
    send(&mut direct, b"");
    assert!(!attempt.sent(), "nothing went out");
    send(&mut direct, head.as_bytes());
    assert!(attempt.sent());
    assert_eq!(text(&writes)[1], head.replace(&stars, key));
    drop(attempt);
    // Any other bytes before a head may be part of the request: counted as sent.
    let attempt = begin();
    let (wire, _) = recording_wire();
    send(&mut Guarded::new(wire), b"\x16\x03\x01");
    assert!(attempt.sent());
}
