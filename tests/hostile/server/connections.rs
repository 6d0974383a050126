//! Connections that fail: refused, never answered, reset, cut short, trickled, not HTTP.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::thread;
use std::time::{Duration, Instant};

use pinn::errors::TransportKind;
use pinn::{Client, ErrorKind};

use super::*;
use crate::support::*;

#[test]
fn connection_refused_is_retried_then_reported_with_its_attempts() {
    within(LIMIT, || {
        let url = format!("http://127.0.0.1:{}", refused_port());
        let err = get(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert_eq!(err.kind(), ErrorKind::ApiConnection);
        assert_eq!(transport_kind(&err), Some(TransportKind::ConnectFailed));
        assert!(err.is_retryable());
        assert_eq!(err.attempts(), 3);
        assert!(err.to_string().contains("after 3 attempts"), "{err}");
        let waits = take_waits();
        assert_eq!(waits.len(), 2, "{waits:?}");
        assert!((ms(250)..=ms(500)).contains(&waits[0]), "{waits:?}");
        assert!((ms(500)..=ms(1000)).contains(&waits[1]), "{waits:?}");
    });
}

#[test]
fn a_refused_post_is_retried_because_nothing_was_sent() {
    within(LIMIT, || {
        let url = format!("http://127.0.0.1:{}", refused_port());
        let err = create(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert_eq!(transport_kind(&err), Some(TransportKind::ConnectFailed));
        assert_eq!(err.attempts(), 3);
    });
}

#[test]
fn accepted_but_never_answered_hits_the_timeout() {
    let server = Server::start_raw(|_, _| hang());
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).timeout(ms(300)).build().unwrap());
        let started = Instant::now();
        let err = get(&c).unwrap_err();
        let took = started.elapsed();
        assert_clean(&err);
        assert_eq!(err.kind(), ErrorKind::ApiConnection);
        assert_eq!(transport_kind(&err), Some(TransportKind::Timeout));
        assert_eq!(err.attempts(), 3);
        assert!(took >= ms(850) && took < ms(3000), "{took:?}");
        assert_eq!(take_waits().len(), 2);
    });
    assert_eq!(server.accepted(), 3);
}

#[test]
fn a_post_that_times_out_is_not_retried() {
    let server = Server::start(|_, _, _| hang());
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).timeout(ms(300)).build().unwrap());
        let err = create(&c).unwrap_err();
        assert_clean(&err);
        assert_eq!(transport_kind(&err), Some(TransportKind::Timeout));
        assert_eq!(err.attempts(), 1);
        assert!(take_waits().is_empty());
    });
    assert_eq!(server.seen().len(), 1, "a create must never be sent twice");
}

#[test]
fn one_deadline_covers_every_attempt() {
    let server = Server::start_raw(|_, _| hang());
    let url = server.url();
    within(LIMIT, move || {
        // Each attempt may take 5 s, but the whole call only 400 ms.
        let c = Client::new(
            builder(&url)
                .timeout(Duration::from_secs(5))
                .deadline(ms(400))
                .build()
                .unwrap(),
        );
        let started = Instant::now();
        let err = get(&c).unwrap_err();
        let took = started.elapsed();
        assert_clean(&err);
        assert_eq!(err.kind(), ErrorKind::ApiConnection);
        assert!(took < ms(2500), "{took:?}");
        // `healthy()` is one call too: the deadline bounds it, not only the attempt timeout.
        let started = Instant::now();
        assert!(!c.healthy());
        let took = started.elapsed();
        assert!(took < ms(2500), "healthy() waited {took:?}");
    });
}

/// Reads only the start of the request, sends a status line, headers and half a body, then
/// closes with unread input: Linux answers with a TCP reset.
fn reset_mid_body(_: usize, stream: &mut TcpStream) {
    let mut start = [0u8; 8];
    let _ = stream.read_exact(&mut start);
    let _ = stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"object\":\"user\",\"user_",
    );
    let _ = stream.flush();
    thread::sleep(ms(50));
}

#[test]
fn reset_mid_body_is_a_connection_error_and_a_get_is_retried() {
    let server = Server::start_raw(reset_mid_body);
    let url = server.url();
    within(LIMIT, move || {
        let err = get(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert_eq!(err.kind(), ErrorKind::ApiConnection, "{err:?}");
        assert_eq!(transport_kind(&err), Some(TransportKind::Io), "{err:?}");
        assert_eq!(err.attempts(), 3);
    });
    assert_eq!(server.accepted(), 3);
}

#[test]
fn a_post_reset_after_sending_is_not_retried() {
    let server = Server::start_raw(reset_mid_body);
    let url = server.url();
    within(LIMIT, move || {
        let err = create(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert_eq!(transport_kind(&err), Some(TransportKind::Io), "{err:?}");
        assert_eq!(err.attempts(), 1);
    });
    assert_eq!(server.accepted(), 1, "a create must never be sent twice");
}

#[test]
fn content_length_larger_than_what_is_sent_then_closed() {
    let server = Server::start(|_, _, s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{\"object\":\"user\"");
    });
    let url = server.url();
    within(LIMIT, move || {
        let err = get(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert_eq!(err.kind(), ErrorKind::ApiConnection, "{err:?}");
        assert_eq!(transport_kind(&err), Some(TransportKind::Io), "{err:?}");
        assert_eq!(err.attempts(), 3);
    });
}

#[test]
fn content_length_larger_than_what_is_sent_then_silence() {
    let server = Server::start(|_, _, s| {
        let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n{\"object\":\"user\"");
        let _ = s.flush();
        hang();
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(
            builder(&url)
                .timeout(ms(300))
                .max_retries(0)
                .build()
                .unwrap(),
        );
        let err = get(&c).unwrap_err();
        assert_clean(&err);
        assert_eq!(
            transport_kind(&err),
            Some(TransportKind::Timeout),
            "{err:?}"
        );
        assert_eq!(err.attempts(), 1);
    });
}

/// Writes `bytes` one at a time, 20 ms apart, for at most 3 s.
fn trickle(s: &mut TcpStream, bytes: &[u8]) {
    for b in bytes.iter().cycle().take(150) {
        if s.write_all(&[*b]).is_err() {
            return;
        }
        thread::sleep(ms(20));
    }
}

#[test]
fn a_trickled_response_hits_the_per_attempt_timeout() {
    // Headers one byte at a time, then a body one byte at a time: each attempt as a whole
    // is bounded, not each read.
    let heads = [
        &b"HTTP/1.1 200 OK\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"[..],
        b"",
    ];
    for (i, head) in heads.into_iter().enumerate() {
        let server = Server::start(move |_, _, s| {
            if i == 1 {
                let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
                trickle(s, b" ");
            } else {
                trickle(s, head);
            }
        });
        let url = server.url();
        within(LIMIT, move || {
            let c = Client::new(
                builder(&url)
                    .timeout(ms(300))
                    .max_retries(0)
                    .build()
                    .unwrap(),
            );
            let started = Instant::now();
            let err = get(&c).unwrap_err();
            let took = started.elapsed();
            assert_clean(&err);
            assert_eq!(
                transport_kind(&err),
                Some(TransportKind::Timeout),
                "{err:?}"
            );
            assert!(took < ms(2000), "{took:?}");
        });
    }
}

#[test]
fn garbage_instead_of_http_is_a_typed_error() {
    let garbage: [&[u8]; 11] = [
        b"SSH-2.0-OpenSSH_9.6\r\n",
        b"\x00\x01\x02\x03\xff\xfe\r\n\r\n",
        b"HTTP/1.1 999999 Huge\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\nab",
        b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\n\x1f\x8b\x08\x00",
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n",
        b"HTTP/1.0 200 OK\r\n\r\n{\"object\":",
        b"",
    ];
    // And a header block far larger than any real one.
    let huge_headers = [
        format!("HTTP/1.1 200 OK\r\nX-Big: {}\r\n\r\n", "a".repeat(200_000)).into_bytes(),
        format!("HTTP/1.1 200 OK\r\n{}\r\n", "X-Many: 1\r\n".repeat(20_000)).into_bytes(),
    ];
    let replies = garbage.iter().map(|r| r.to_vec()).chain(huge_headers);
    for reply in replies {
        let server = Server::start(move |_, _, s| {
            let _ = s.write_all(&reply);
        });
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert!(
                matches!(err.kind(), ErrorKind::ApiConnection | ErrorKind::Pinn),
                "{err:?}"
            );
            // What the client retried on its own is exactly what it calls retryable.
            assert_eq!(err.is_retryable(), err.attempts() > 1, "{err:?}");
            take_waits();
        });
    }
}
