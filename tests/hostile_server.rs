//! Misbehaving servers on 127.0.0.1: every case ends in a typed error (or success after a
//! retry where stated) within a bounded time, without a panic and without the secret key in
//! any error or log line. Retries never sleep for real: the clients record their waits.

mod hostile;

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use hostile::*;
use pinn::errors::TransportKind;
use pinn::{
    App, AppType, AuthType, Client, Device, Error, ErrorKind, ListParams, Log, Platform, User,
    UserCreateParams,
};

const LIMIT: Duration = Duration::from_secs(5);

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

/// `User::retrieve("usr_1")` through `client`.
fn get(client: &Client) -> pinn::Result<User> {
    client.scope(|| User::retrieve("usr_1"))
}

/// `User::create` with metadata (a POST with a JSON body) through `client`.
fn create(client: &Client) -> pinn::Result<User> {
    client.scope(|| User::create(&UserCreateParams::new().metadata_entry("k", "v")))
}

fn transport_kind(e: &Error) -> Option<TransportKind> {
    match e {
        Error::Connection(c) => Some(c.kind()),
        _ => None,
    }
}

// ---------------------------------------------------------------------------------------------
// Connection faults

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

// ---------------------------------------------------------------------------------------------
// Bad bodies

const PROXY_PAGE: &str = "<html><head><title>502 Bad Gateway</title></head>\
    <body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>";

#[test]
fn a_proxy_html_page_on_502_and_503_is_an_api_connection_error() {
    for status in [502u16, 503] {
        let server = Server::start(move |_, _, s| {
            respond(
                s,
                status,
                &[("Content-Type", "text/html"), ("X-Request-Id", "req_proxy")],
                PROXY_PAGE.as_bytes(),
            )
        });
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::ApiConnection);
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.request_id(), Some("req_proxy"));
            assert_eq!(err.attempts(), 3);
            let api = err.api_error().unwrap();
            assert_eq!(*api.code(), status);
            assert_eq!(api.error_type(), None);
            assert!(api.message().starts_with(&status.to_string()), "{api:?}");
            assert!(!api.message().contains("nginx"));
            take_waits();
        });
        assert_eq!(server.seen().len(), 3);
    }
}

#[test]
fn a_4xx_with_an_empty_body_takes_its_kind_from_the_status() {
    for (status, kind) in [
        (400u16, ErrorKind::InvalidRequest),
        (401, ErrorKind::Authentication),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::InvalidRequest),
        (409, ErrorKind::RequestFailed),
        (422, ErrorKind::RequestFailed),
        (418, ErrorKind::Pinn),
    ] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], b""));
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), kind, "{status}");
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.attempts(), 1, "4xx is never retried");
            assert!(!err.is_retryable());
            assert!(take_waits().is_empty());
        });
    }
}

#[test]
fn a_4xx_with_a_json_error_missing_fields_still_gives_a_typed_error() {
    let cases: &[(&str, ErrorKind, &str)] = &[
        (
            r#"{"error":{}}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":{"message":"no such user"}}"#,
            ErrorKind::InvalidRequest,
            "no such user",
        ),
        (
            r#"{"error":{"type":"forbidden"}}"#,
            ErrorKind::Forbidden,
            "404 Not Found",
        ),
        (
            r#"{"error":{"type":"not_found","message":""}}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":{"type":7,"message":["x"]}}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":"oops"}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"message":"x"}"#,
            ErrorKind::InvalidRequest,
            "404 Not Found",
        ),
        (
            r#"{"error":{"type":"brand_new"}}"#,
            ErrorKind::Pinn,
            "404 Not Found",
        ),
    ];
    for &(body, kind, message) in cases {
        let server = Server::start(move |_, _, s| respond_json(s, 404, body));
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), kind, "{body}");
            assert_eq!(err.api_error().unwrap().message(), message, "{body}");
            assert_eq!(err.attempts(), 1);
        });
    }
}

/// A 200 whose body is not a user: each must be a decode error (kind `Pinn`), not retried.
fn assert_bad_success_body(body: &'static [u8]) {
    let server = Server::start(move |_, _, s| {
        respond(s, 200, &[("Content-Type", "application/json")], body)
    });
    let url = server.url();
    within(LIMIT, move || {
        let err = get(&client(&url)).unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Pinn);
        assert_eq!(err.attempts(), 1);
        assert!(take_waits().is_empty());
    });
    assert_eq!(server.seen().len(), 1);
}

#[test]
fn a_200_with_a_non_json_body() {
    assert_bad_success_body(b"<html><body>Welcome to nginx!</body></html>");
    assert_bad_success_body(b"\xff\xfe\x00garbage");
}

#[test]
fn a_200_with_truncated_json() {
    assert_bad_success_body(br#"{"object":"user","user_id":"usr_1","metad"#);
}

#[test]
fn a_200_with_valid_json_of_the_wrong_shape() {
    for body in [
        &b"42"[..],
        b"null",
        b"[]",
        b"\"usr_1\"",
        br#"{"object":"user","user_id":5}"#,
        br#"{"object":"user","user_id":"usr_1","metadata":7}"#,
        br#"{"object":"user","user_id":"usr_1","created_at":"yesterday"}"#,
        br#"{"object":"device","device_id":"dev_1","platform":"ios"}"#,
        br#"{"user_id":"usr_1"}"#,
    ] {
        assert_bad_success_body(body);
    }
}

#[test]
fn a_list_holding_an_object_of_another_kind() {
    let body = format!(
        r#"{{"object":"list","url":"/v1/users","count":2,"has_more":false,"data":[{},
        {{"object":"device","device_id":"dev_1","user_id":"usr_1","platform":"ios"}}]}}"#,
        user_json("usr_1")
    );
    let server = Server::start(move |_, _, s| respond_json(s, 200, &body));
    let url = server.url();
    within(LIMIT, move || {
        let err = client(&url)
            .scope(|| User::list(&ListParams::new()))
            .unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains("device"), "{err}");
    });
}

#[test]
fn a_200_over_the_size_cap_is_refused() {
    let server = Server::start(|_, _, s| {
        let mut body = user_json("usr_1").into_bytes();
        body.truncate(body.len() - 1);
        body.extend_from_slice(b",\"padding\":\"");
        body.resize(10 * 1024, b'x');
        body.extend_from_slice(b"\"}");
        respond(s, 200, &[], &body)
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        let err = get(&c).unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(err.to_string().contains("1024"), "{err}");
        assert_eq!(err.attempts(), 1);
        // The same body fits under the default cap.
        assert_eq!(get(&client(&url)).unwrap().user_id, "usr_1");
    });
}

#[test]
fn an_error_page_over_the_size_cap_still_gives_the_status_kind() {
    // A proxy's 503 page can be larger than a small cap: the status alone must decide, and a
    // retryable status must still be retried.
    let page = format!("<html>{}</html>", "busy ".repeat(2000));
    let server = Server::start(move |n, _, s| match n {
        0 => respond(s, 503, &[("Content-Type", "text/html")], page.as_bytes()),
        1 => respond(s, 429, &[("Retry-After", "1")], page.as_bytes()),
        _ => respond_json(s, 200, &user_json("usr_1")),
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        assert_eq!(get(&c).unwrap().user_id, "usr_1");
        let waits = take_waits();
        assert_eq!(waits.len(), 2, "{waits:?}");
        assert_eq!(waits[1], Duration::from_secs(1));
    });
    for status in [404u16, 500, 503] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], &[b'x'; 5000]));
        let url = server.url();
        within(LIMIT, move || {
            let c = Client::new(
                builder(&url)
                    .max_response_bytes(1024)
                    .max_retries(0)
                    .build()
                    .unwrap(),
            );
            let err = get(&c).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::from_status(status), "{err:?}");
            assert_eq!(err.status(), Some(status));
        });
    }
}

#[test]
fn an_endless_body_is_cut_off_not_buffered() {
    let written = Arc::new(AtomicUsize::new(0));
    let server = Server::start({
        let written = written.clone();
        move |_, _, s| {
            // No Content-Length: the body runs until the connection closes. Stop at 1 GiB
            // at the latest, or when the client hangs up.
            let _ = s.write_all(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n[");
            let chunk = [b' '; 64 * 1024];
            while written.load(Ordering::SeqCst) < 1 << 30 {
                match s.write(&chunk) {
                    Ok(n) if n > 0 => written.fetch_add(n, Ordering::SeqCst),
                    _ => break,
                };
            }
        }
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_response_bytes(1024).build().unwrap());
        let started = Instant::now();
        let err = get(&c).unwrap_err();
        assert_clean(&err);
        assert!(matches!(err, Error::Decode(_)), "{err:?}");
        assert!(started.elapsed() < ms(3000), "{:?}", started.elapsed());
    });
    thread::sleep(ms(100));
    let n = written.load(Ordering::SeqCst);
    // What the server got out before the client hung up is what the socket buffers held,
    // far below what it would have sent to a client that kept reading.
    assert!(n < 64 << 20, "the server wrote {n} bytes");
}

// ---------------------------------------------------------------------------------------------
// Retries

/// Answers the first request with 429 and `Retry-After: value`, the next ones with a user.
fn rate_limited_once(value: String) -> Server {
    Server::start(move |n, _, s| {
        if n == 0 {
            let body = r#"{"error":{"type":"rate_limit_exceeded","message":"slow down"}}"#;
            respond(s, 429, &[("Retry-After", &value)], body.as_bytes());
        } else {
            respond_json(s, 200, &user_json("usr_1"));
        }
    })
}

#[test]
fn retry_after_in_seconds_is_honoured() {
    let server = rate_limited_once("2".into());
    let url = server.url();
    within(LIMIT, move || {
        assert_eq!(get(&client(&url)).unwrap().user_id, "usr_1");
        assert_eq!(take_waits(), [Duration::from_secs(2)]);
    });
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn retry_after_as_an_http_date_is_honoured() {
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(5));
    let server = rate_limited_once(date);
    let url = server.url();
    within(LIMIT, move || {
        assert_eq!(create(&client(&url)).unwrap().user_id, "usr_1");
        let waits = take_waits();
        assert_eq!(waits.len(), 1);
        // The date has whole seconds: between 4 and 5 s from now, minus the time spent.
        assert!(
            (Duration::from_secs(3)..=Duration::from_secs(5)).contains(&waits[0]),
            "{waits:?}"
        );
    });
    assert_eq!(server.seen().len(), 2);
}

/// A `Retry-After` the client cannot read, or one too large to honour, ends the call at once:
/// the longer or stranger the server's ask, never the sooner the retry.
#[test]
fn unreadable_or_huge_retry_after_is_never_retried_sooner() {
    for value in [
        "soon",
        "-5",
        "inf",
        "NaN",
        "1e10",
        "1e20",
        "1e999",
        "18446744073709551616",
        "Mon, 99 Foo 2024 99:99:99 GMT",
        "２",
    ] {
        let server = rate_limited_once(value.into());
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(
                (err.kind(), err.attempts()),
                (ErrorKind::RateLimit, 1),
                "{value}"
            );
            assert_eq!(err.api_error().unwrap().retry_after(), Some(value));
            assert!(take_waits().is_empty(), "{value}");
        });
        assert_eq!(server.seen().len(), 1, "{value}");
    }
}

#[test]
fn retry_after_over_the_cap_returns_the_error_at_once() {
    let far = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3600));
    for value in ["61".to_string(), "86400".into(), far] {
        let server = rate_limited_once(value.clone());
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::RateLimit, "{value}");
            assert_eq!(err.attempts(), 1, "{value}");
            assert_eq!(err.api_error().unwrap().retry_after(), Some(&*value));
            assert!(err.is_retryable());
            assert!(take_waits().is_empty(), "{value}");
        });
        assert_eq!(server.seen().len(), 1);
    }
}

#[test]
fn the_final_error_counts_every_attempt() {
    let server = Server::start(|_, _, s| {
        respond_json(
            s,
            503,
            r#"{"error":{"type":"service_unavailable","message":"down"}}"#,
        )
    });
    let url = server.url();
    within(LIMIT, move || {
        for (retries, attempts) in [(0u32, 1u32), (2, 3), (5, 6)] {
            let c = Client::new(builder(&url).max_retries(retries).build().unwrap());
            let err = get(&c).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.kind(), ErrorKind::ApiConnection);
            assert_eq!(err.attempts(), attempts);
            let shown = err.to_string();
            assert_eq!(
                shown.contains(&format!("after {attempts} attempts")),
                attempts > 1,
                "{shown}"
            );
            let waits = take_waits();
            assert_eq!(waits.len() as u32, retries);
            assert!(
                waits.iter().all(|w| *w <= Duration::from_secs(8)),
                "{waits:?}"
            );
        }
    });
    assert_eq!(server.seen().len(), 1 + 3 + 6);
}

#[test]
fn a_post_that_got_a_500_502_or_504_is_not_retried() {
    for status in [500u16, 502, 504] {
        let server = Server::start(move |_, _, s| respond(s, status, &[], b"oops"));
        let url = server.url();
        within(LIMIT, move || {
            let err = create(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.attempts(), 1);
            assert!(take_waits().is_empty());
        });
        assert_eq!(server.seen().len(), 1, "status {status}: sent twice");
    }
}

/// Fails every third request (n = 2, 5, 8, …) the way `fail` says; serves the rest like a
/// tiny user store, counting creates.
fn flaky(
    fail: impl Fn(usize, &mut TcpStream) + Send + Sync + 'static,
) -> (Server, Arc<AtomicUsize>) {
    let created = Arc::new(AtomicUsize::new(0));
    let count = created.clone();
    // Keep-alive, so the client's pool is exercised too; a failure closes its connection.
    let server = Server::start_keep_alive(move |n, req, s| {
        if n % 3 == 2 {
            return fail(n, s);
        }
        match (req.method.as_str(), req.path.as_str()) {
            ("POST", "/v1/users") => {
                let id = count.fetch_add(1, Ordering::SeqCst);
                respond_keep_alive(s, 200, &user_json(&format!("usr_{id}")));
            }
            ("GET", path) if path.starts_with("/v1/users/") => {
                respond_keep_alive(s, 200, &user_json(&path["/v1/users/".len()..]));
            }
            _ => respond_keep_alive(s, 404, ""),
        }
    });
    (server, created)
}

#[test]
fn five_hundred_gets_against_a_flaky_server_all_succeed() {
    // Every third request is a 503, a 500 or a dropped connection, in turn.
    let (server, _) = flaky(|n, s| match (n / 3) % 3 {
        0 => respond(s, 503, &[], b"<html>busy</html>"),
        1 => respond(s, 500, &[], b""),
        _ => {
            let _ = s.shutdown(Shutdown::Both);
        }
    });
    let url = server.url();
    within(Duration::from_secs(20), move || {
        let c = client(&url);
        for i in 0..500 {
            let id = format!("usr_{i}");
            let user = c
                .scope(|| User::retrieve(&id))
                .unwrap_or_else(|e| panic!("get {i}: {e:?}"));
            assert_eq!(user.user_id, id);
        }
        assert!(take_waits().len() >= 200);
    });
    let total = server.seen().len();
    assert_eq!(total - total / 3, 500, "{total} requests");
}

#[test]
fn a_hundred_creates_against_a_flaky_server_create_exactly_a_hundred_users() {
    // The failures a POST may retry: 503, and 429 with a Retry-After.
    let (server, created) = flaky(|n, s| {
        if n % 2 == 0 {
            respond(s, 503, &[], b"");
        } else {
            respond(s, 429, &[("Retry-After", "1")], b"");
        }
    });
    let url = server.url();
    let ids = within(Duration::from_secs(20), move || {
        let c = client(&url);
        let ids: Vec<String> = (0..100)
            .map(|i| {
                create(&c)
                    .unwrap_or_else(|e| panic!("create {i}: {e:?}"))
                    .user_id
            })
            .collect();
        assert!(take_waits().len() >= 40);
        ids
    });
    assert_eq!(created.load(Ordering::SeqCst), 100);
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), 100);
    let posts = server.seen().iter().filter(|r| r.method == "POST").count();
    assert!(posts >= 140, "{posts} posts");
}

// ---------------------------------------------------------------------------------------------
// Security

#[test]
fn a_redirect_is_not_followed_and_the_key_never_reaches_the_other_host() {
    let mut other = mockito::Server::new();
    let anything = other
        .mock("GET", mockito::Matcher::Any)
        .with_status(200)
        .with_body(user_json("usr_evil"))
        .expect(0)
        .create();
    let target = format!("{}/v1/users/usr_1", other.url());
    for status in [301u16, 302, 303, 307, 308] {
        let target = target.clone();
        let server =
            Server::start(move |_, _, s| respond(s, status, &[("Location", &target)], b""));
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            assert_eq!(err.status(), Some(status));
            assert_eq!(err.kind(), ErrorKind::Pinn);
            assert_eq!(err.attempts(), 1);
        });
        assert_eq!(server.seen().len(), 1);
        assert_eq!(
            server.seen()[0].header("authorization"),
            Some(&*format!("Bearer {KEY}"))
        );
    }
    thread::sleep(ms(100));
    anything.assert();
}

#[test]
fn plain_http_off_loopback_is_refused_before_any_io() {
    for host in [
        "http://api.example.com",
        "http://pinnapis.com/",
        "http://10.0.0.1:8080",
        "http://0.0.0.0:12111",
        "http://127.0.0.1.nip.io",
        "http://localhost.example.com",
        "http://[::ffff:8.8.8.8]",
        "http://127.0.0.1@evil.example",
        "http://evil.example#@127.0.0.1",
        "http://evil.example\\@127.0.0.1",
    ] {
        let err = pinn::Config::builder()
            .secret_key(KEY)
            .api_host(host)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{host}");
        assert_clean(&err);
        assert_eq!(err.attempts(), 0);
    }
    // Opting in works, for a trusted private network.
    assert!(
        pinn::Config::builder()
            .secret_key(KEY)
            .api_host("http://10.0.0.1:8080")
            .allow_insecure_http(true)
            .build()
            .is_ok()
    );
}

#[test]
fn hosts_that_only_look_like_loopback_are_refused() {
    // The loopback check must read the host exactly as the HTTP stack will, so anything but
    // `host[:port]` is refused up front instead of being guessed at.
    for host in [
        "http://[::1]evil.example",
        "http://[::1]:1@evil.example",
        "http://127.0.0.1:80:evil.example",
        "http://localhost:evil.example",
        "http://127.0.0.1:99999",
        "http://127.0.0.1:",
        "http://[::1",
        "http://[::1]]",
        "http://[evil.example]",
        "http://127.0.0.1 .evil.example",
        "http://127.0.0.1%2f@evil.example",
    ] {
        let err = pinn::Config::builder()
            .secret_key(KEY)
            .api_host(host)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{host}");
        assert_clean(&err);
    }
    for host in [
        "http://127.0.0.1:8080",
        "http://localhost",
        "http://LOCALHOST:1/",
        "http://[::1]:9",
        "http://127.1.2.3",
        "https://pinnapis.com",
        "https://api-eu.pinnapis.com:8443",
    ] {
        let config = pinn::Config::builder()
            .secret_key(KEY)
            .api_host(host)
            .build();
        assert!(config.is_ok(), "{host}: {config:?}");
    }
}

#[test]
fn line_breaks_in_header_values_are_configuration_errors() {
    for key in [
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc\r\nX-Evil: 1",
        "sk_test_4eC39HqLyjWDarjtT1zdp7dc\n",
        "\rsk_test_4eC39HqLyjWDarjtT1zdp7dc",
        "sk_test_HOSTILE\0zdp7dc",
        "sk_test_HOSTILE zdp7dc",
    ] {
        let err = pinn::Config::builder()
            .secret_key(key)
            .api_host("http://127.0.0.1:9")
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{key:?}");
        let shown = format!("{err} {err:?}");
        assert!(
            !shown.contains("4eC39") && !shown.contains("HOSTILE"),
            "{shown}"
        );
    }
    for version in ["2024-06-01\r\nX-Evil: 1", "2024\n", "v\r"] {
        let err = pinn::Config::builder()
            .secret_key(KEY)
            .api_host("http://127.0.0.1:9")
            .api_version(version)
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Configuration, "{version:?}");
        assert_clean(&err);
    }
}

/// A server that echoes the key it was sent into every field of its reply.
fn echo_key_server(status: u16, body: fn(&str) -> String) -> Server {
    Server::start(move |_, req, s| {
        let key = req
            .header("authorization")
            .and_then(|a| a.strip_prefix("Bearer "))
            .unwrap_or("")
            .to_string();
        respond(
            s,
            status,
            &[("Request-Id", &key), ("Retry-After", &key)],
            body(&key).as_bytes(),
        )
    })
}

#[test]
fn a_server_echoing_the_key_cannot_put_it_in_an_error() {
    type Case = (u16, fn(&str) -> String);
    let cases: &[Case] = &[
        (400, |k| {
            format!(r#"{{"error":{{"type":"{k}","code":"{k}","message":"bad key {k}"}}}}"#)
        }),
        (401, |k| {
            format!(r#"{{"error":{{"type":"unauthorized","message":"{k}"}}}}"#)
        }),
        (429, |k| {
            format!(r#"{{"error":{{"code":["{k}"],"message":"{k}"}}}}"#)
        }),
        (503, |k| format!("<html>{k}</html>")),
        (200, |k| {
            format!(r#"{{"object":"user","user_id":"usr_1","created_at":"{k}"}}"#)
        }),
        (200, |k| {
            format!(r#"{{"object":"user","user_id":"usr_1","status":{{"{k}":1}}}}"#)
        }),
        (200, |k| format!(r#"{{"object":"user","user_id":"{k}""#)),
        (200, |k| k.to_string()),
        (200, |k| format!(r#"{{"object":"{k}","user_id":"usr_1"}}"#)),
    ];
    for &(status, body) in cases {
        let server = echo_key_server(status, body);
        let url = server.url();
        within(LIMIT, move || {
            let err = get(&client(&url)).unwrap_err();
            assert_clean(&err);
            take_waits();
        });
        assert!(!server.seen().is_empty());
    }
}

#[test]
fn every_request_carries_the_expected_headers() {
    let server = Server::start(|_, _, s| respond_json(s, 200, &user_json("usr_1")));
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).api_version("2024-06-01").build().unwrap());
        get(&c).unwrap();
        create(&c).unwrap();
    });
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    for r in &seen {
        assert_eq!(r.header("authorization"), Some(&*format!("Bearer {KEY}")));
        assert_eq!(r.header("pinn-version"), Some("2024-06-01"));
        assert_eq!(r.header("user-agent"), Some(pinn::USER_AGENT));
    }
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/users/usr_1")
    );
    assert_eq!(seen[1].method, "POST");
    assert_eq!(seen[1].header("content-type"), Some("application/json"));
    assert_eq!(seen[1].body, br#"{"metadata":{"k":"v"}}"#);
}

// ---------------------------------------------------------------------------------------------
// Forgiving where it should be

fn extras(n: usize) -> String {
    (0..n)
        .map(|i| format!(r#""x_field_{i}":{{"nested":[{i},"v",null,true]}},"#))
        .collect()
}

#[test]
fn unknown_fields_and_enum_values_still_decode() {
    let server = Server::start(|_, req, s| {
        let x = extras(50);
        let body = match req.path.as_str() {
            "/v1/users/usr_1" => format!(
                r#"{{{x}"object":"user","user_id":"usr_1","status":"quarantined","brand_new":{{}}}}"#
            ),
            "/v1/apps/app_1" => format!(
                r#"{{{x}"object":"app","app_id":"app_1","app_type":"windows","name":"W","description":null}}"#
            ),
            "/v1/devices/dev_1" => format!(
                r#"{{{x}"object":"device","device_id":"dev_1","user_id":"usr_1","platform":"harmonyos"}}"#
            ),
            "/v1/logs/log_1" => format!(
                r#"{{{x}"object":"log","log_id":"log_1","auth_type":"kiosk","success":true,"score":0.97}}"#
            ),
            _ => format!(
                r#"{{"object":"list","url":"/v1/apps","count":1,"has_more":false,"next_thing":1,
                "data":[{{{x}"object":"app","app_id":"app_2","app_type":"tv"}}]}}"#
            ),
        };
        respond_json(s, 200, &body)
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = client(&url);
        c.scope(|| {
            let user = User::retrieve("usr_1").unwrap();
            assert_eq!(
                user.status.as_ref().map(|s| s.as_str()),
                Some("quarantined")
            );
            assert_eq!(user.extra.len(), 51);
            assert_eq!(user.extra["x_field_3"]["nested"][0], 3);

            let app = App::retrieve("app_1").unwrap();
            assert_eq!(app.app_type, AppType::Other("windows".into()));
            assert_eq!(app.extra.len(), 50);

            let device = Device::retrieve("dev_1").unwrap();
            assert_eq!(device.platform, Platform::Other("harmonyos".into()));

            let log = Log::retrieve("log_1").unwrap();
            assert_eq!(log.auth_type, AuthType::Other("kiosk".into()));
            assert!(log.success);

            let apps = App::list(&ListParams::new()).unwrap();
            assert_eq!(apps.data[0].app_type.as_str(), "tv");
        });
    });
}

// ---------------------------------------------------------------------------------------------
// Logging

#[test]
fn each_attempt_is_logged_without_the_key() {
    let server = Server::start(|n, _, s| {
        if n == 0 {
            respond(s, 503, &[("Request-Id", "req_logged_1")], b"")
        } else {
            respond_json(s, 200, &user_json("usr_1"))
        }
    });
    let url = server.url();
    within(LIMIT, move || {
        get(&client(&url)).unwrap();
        take_waits();
    });
    let records = pinn_records();
    let failed = records
        .iter()
        .find(|r| r.contains("req_logged_1"))
        .unwrap_or_else(|| panic!("no record of the failed attempt in {records:?}"));
    assert!(failed.contains("GET /v1/users/usr_1"), "{failed}");
    assert!(failed.contains("attempt 1"), "{failed}");
    assert!(failed.contains("503"), "{failed}");
    assert!(
        records
            .iter()
            .any(|r| r.contains("GET /v1/users/usr_1") && r.contains("attempt 2")),
        "{records:?}"
    );
    assert_no_key_logged();
}

// ---------------------------------------------------------------------------------------------
// The key, escaped, split and everywhere

/// The key with one character written as a JSON `\uXXXX` escape: it decodes to the key.
fn escaped_key(at: usize) -> String {
    let c = KEY.as_bytes()[at] as u32;
    format!("{}\\u{c:04x}{}", &KEY[..at], &KEY[at + 1..])
}

#[test]
fn a_key_echoed_through_json_escapes_never_shows() {
    for at in [2, 7, 15, 30] {
        let k = escaped_key(at);
        let cases = [
            (
                400,
                format!(r#"{{"error":{{"type":"t","code":"c","message":"bad key {k}"}}}}"#),
            ),
            (
                400,
                format!(r#"{{"error":{{"type":"{k}","message":"m"}}}}"#),
            ),
            (
                400,
                format!(r#"{{"error":{{"code":"{k}","message":"m"}}}}"#),
            ),
            (
                429,
                format!(r#"{{"error":{{"code":[["{k}"],{{"x":"{k}"}}],"message":"m"}}}}"#),
            ),
            (
                200,
                format!(r#"{{"object":"user","user_id":"usr_1","created_at":"{k}"}}"#),
            ),
            (
                200,
                format!(r#"{{"object":"user","user_id":"usr_1","device_enrolled":"{k}"}}"#),
            ),
            (200, format!(r#"{{"object":"{k}","user_id":"usr_1"}}"#)),
            (
                200,
                format!(
                    r#"{{"object":"user","user_id":"usr_1","metadata":{{"{k}":[1,{{"{k}":x}}]}}}}"#
                ),
            ),
        ];
        for (status, body) in cases {
            let server = Server::start(move |_, _, s| respond_json(s, status, &body));
            let url = server.url();
            within(LIMIT, move || {
                let err = get(&client(&url)).unwrap_err();
                assert_clean(&err);
                take_waits();
            });
        }
    }
}

/// Writes `bytes` in two writes cut in the middle of the first copy of the key (a pause
/// between them), so a reader sees the key split across reads.
fn write_split(s: &mut TcpStream, bytes: &[u8]) {
    let cut = bytes
        .windows(KEY.len())
        .position(|w| w == KEY.as_bytes())
        .map_or(bytes.len() / 2, |i| i + KEY.len() / 2);
    let _ = s.write_all(&bytes[..cut]);
    let _ = s.flush();
    thread::sleep(ms(20));
    let _ = s.write_all(&bytes[cut..]);
    let _ = s.flush();
}

/// A server that echoes the key in every header ureq logs or reads (the reason phrase,
/// `Server`, `Content-Type`, `Date`, `Location`, `Connection`, `Request-Id`, `Retry-After`, …),
/// with the head split inside a copy of the key, and in the body (plainly, escaped, and split
/// across chunks of a chunked body).
fn echo_everywhere(status: u16, body: String) -> Server {
    Server::start(move |_, _, s| {
        let head = format!(
            "HTTP/1.1 {status} {KEY}\r\nServer: pinn/{KEY}\r\nContent-Type: application/json; x={KEY}\r\n\
             Date: {KEY}\r\nLocation: https://evil.example/{KEY}?k={KEY}\r\nConnection: close, {KEY}\r\n\
             Request-Id: {KEY}\r\nRetry-After: {KEY}\r\nX-Echo: {KEY}\r\nWWW-Authenticate: Bearer {KEY}\r\n\
             Transfer-Encoding: chunked\r\n\r\n"
        );
        write_split(s, head.as_bytes());
        let half = body.find(KEY).map_or(body.len() / 2, |i| i + KEY.len() / 2);
        for chunk in [&body[..half], &body[half..]] {
            let _ = s.write_all(format!("{:x}\r\n{chunk}\r\n", chunk.len()).as_bytes());
            let _ = s.flush();
            thread::sleep(ms(5));
        }
        let _ = s.write_all(b"0\r\n\r\n");
    })
}

#[test]
fn an_echoing_server_never_gets_the_key_into_any_log_line() {
    install_logger();
    let k = escaped_key(11);
    // Errors: the key in every field, plain and escaped.
    for status in [400, 401, 429, 500, 503] {
        let body = format!(
            r#"{{"error":{{"type":"{KEY}","code":"{k}","message":"bad key {KEY} or {k}"}}}}"#
        );
        let server = echo_everywhere(status, body);
        let url = server.url();
        within(LIMIT, move || {
            let c = client(&url);
            let err = get(&c).unwrap_err();
            assert_clean(&err);
            let err = create(&c).unwrap_err();
            assert_clean(&err);
            take_waits();
        });
    }
    // A success that carries the key as data: the data arrives as sent, the logs never show it.
    let body = format!(
        r#"{{"object":"user","user_id":"usr_1","metadata":{{"note":"{KEY}","escaped":"{k}"}}}}"#
    );
    let server = echo_everywhere(200, body);
    let url = server.url();
    within(LIMIT, move || {
        let user = get(&client(&url)).unwrap();
        assert_eq!(user.metadata["note"], KEY);
        assert_eq!(user.metadata["escaped"], KEY);
        let response = pinn::Object::last_response(&user).unwrap();
        assert!(!format!("{response:?}").contains("HOSTILE"));
    });
    assert_no_key_logged();
    // The log did record these calls: the capture saw them.
    assert!(
        pinn_records()
            .iter()
            .any(|r| r.contains("GET /v1/users/usr_1"))
    );
}

#[test]
fn error_text_from_a_server_is_bounded_and_escaped() {
    let huge_type = "t".repeat(1 << 20);
    // 200k numbers: 1.3 MB of JSON, whose Debug would be megabytes if it were kept whole.
    let huge_code: Vec<u32> = (0..200_000).collect();
    let cases = [
        format!(r#"{{"error":{{"type":"{huge_type}","message":"m"}}}}"#),
        format!(r#"{{"error":{{"type":"t","code":{},"message":"m"}}}}"#, serde_json::to_string(&huge_code).unwrap()),
        r#"{"error":{"type":"t\nINFO pinn: forged","code":"c\u001b[31mred","message":"line1\nERROR forged\r\n\u202eevil"}}"#.to_string(),
        format!(r#"{{"error":{{"message":"{}"}}}}"#, "m".repeat(1 << 20)),
    ];
    for body in cases {
        let server = Server::start(move |_, _, s| {
            respond(
                s,
                400,
                &[("Request-Id", &"r".repeat(20_000))],
                body.as_bytes(),
            )
        });
        let url = server.url();
        // Megabytes of JSON take a debug build a while on a loaded machine: what is under
        // test is what the error keeps, not how fast it is read.
        within(Duration::from_secs(30), move || {
            let c = Client::new(
                builder(&url)
                    .max_response_bytes(16 << 20)
                    .timeout(Duration::from_secs(20))
                    .build()
                    .unwrap(),
            );
            let err = get(&c).unwrap_err();
            let display = err.to_string();
            let debug = format!("{err:?}");
            assert!(display.len() < 4096, "Display is {} bytes", display.len());
            assert!(debug.len() < 8192, "Debug is {} bytes", debug.len());
            for shown in [&display, &debug] {
                assert!(
                    !shown.contains(['\n', '\r', '\u{1b}', '\u{202e}']),
                    "{shown}"
                );
            }
        });
    }
}

#[test]
fn oversized_arguments_are_refused_before_any_io() {
    let server = Server::start(|_, _, s| respond_json(s, 200, &user_json("usr_1")));
    let url = server.url();
    within(LIMIT, move || {
        let c = client(&url);
        let long = "a".repeat(100_000);
        let big = serde_json::Value::String("x".repeat(2 << 20));
        let errors = [
            c.scope(|| User::retrieve(&long)).map(drop).unwrap_err(),
            c.scope(|| User::delete(&long)).unwrap_err(),
            c.scope(|| User::list(&ListParams::new().starting_after(long.clone())))
                .map(drop)
                .unwrap_err(),
            c.scope(|| User::create(&UserCreateParams::new().metadata_entry("blob", big.clone())))
                .map(drop)
                .unwrap_err(),
        ];
        for err in errors {
            assert_eq!(err.kind(), ErrorKind::InvalidRequest, "{err}");
            assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
            assert_eq!((err.attempts(), err.outcome()), (0, pinn::Outcome::NotSent));
            assert!(err.to_string().len() < 200, "{err}");
        }
    });
    assert_eq!(server.accepted(), 0, "nothing reached the server");
}

#[test]
fn a_lost_reply_to_a_post_is_maybe_processed_and_not_retryable() {
    // The server reads the request, then drops the connection without a word.
    let server = Server::start(|_, _, s| {
        let _ = s.shutdown(Shutdown::Both);
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(builder(&url).max_retries(0).build().unwrap());
        let post = create(&c).unwrap_err();
        assert_eq!(post.kind(), ErrorKind::ApiConnection);
        assert_eq!(post.outcome(), pinn::Outcome::MaybeProcessed);
        assert!(
            !post.is_retryable(),
            "sending the create again could duplicate it"
        );
        let read = get(&c).unwrap_err();
        assert_eq!(read.outcome(), pinn::Outcome::MaybeProcessed);
        assert!(read.is_retryable(), "reading again is harmless");
    });
    let refused = format!("http://127.0.0.1:{}", refused_port());
    within(LIMIT, move || {
        let c = Client::new(builder(&refused).max_retries(0).build().unwrap());
        let post = create(&c).unwrap_err();
        assert_eq!(post.outcome(), pinn::Outcome::NotSent);
        assert!(post.is_retryable(), "nothing was sent");
    });
    // A 500 to a POST: the server may have created it.
    let server = Server::start(|_, _, s| respond_json(s, 500, "{}"));
    let url = server.url();
    within(LIMIT, move || {
        let err = create(&client(&url)).unwrap_err();
        assert_eq!(
            (err.outcome(), err.is_retryable()),
            (pinn::Outcome::MaybeProcessed, false)
        );
        let err = get(&client(&url)).unwrap_err();
        assert!(err.is_retryable());
        take_waits();
    });
}
