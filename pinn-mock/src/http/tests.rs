//! Reading requests (one after another, framing, limits, Host, `100 Continue`) and printing
//! heads.

use std::io::{self, Cursor, Read, Write};
use std::time::Duration;

use super::read::{Conn, MAX_HEAD, MAX_HEADERS, Transport};
use super::request::Next;
use super::response::Head;

/// Bytes to read, and what was written back.
struct Fake(Cursor<Vec<u8>>, Vec<u8>);

impl Read for Fake {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf)
    }
}
impl Write for Fake {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.1.write(buf)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
impl Transport for Fake {
    fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
        Ok(())
    }
}

fn conn(bytes: &[u8]) -> Conn<Fake> {
    Conn::new(
        Fake(Cursor::new(bytes.to_vec()), Vec::new()),
        Duration::from_secs(1),
    )
}

fn status_of(bytes: &[u8]) -> u16 {
    match conn(bytes).next_request() {
        Next::Request(_) => 200,
        Next::Gone => 0,
        Next::Reject(r) => r.status,
    }
}

#[test]
fn requests_are_read_one_after_another() {
    let mut c = conn(
        b"\r\nPOST /v1/users?limit=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}\
          POST http://h:1/v1/x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n\
          3;ext=1\r\nabc\r\n1\r\nd\r\n0\r\nTrailer: t\r\n\r\n",
    );
    let Next::Request(first) = c.next_request() else {
        panic!("first")
    };
    assert_eq!(
        (first.path.as_str(), first.query.as_deref()),
        ("/v1/users", Some("limit=1"))
    );
    assert_eq!(
        (first.body.as_slice(), first.keep_alive),
        (&b"{}"[..], true)
    );
    let Next::Request(second) = c.next_request() else {
        panic!("second")
    };
    assert_eq!(
        (second.path.as_str(), second.body.as_slice()),
        ("/v1/x", &b"abcd"[..])
    );
    assert!(second.http10 && !second.keep_alive);
    assert!(matches!(c.next_request(), Next::Gone));
}

#[test]
fn framing_that_cannot_be_trusted_is_refused() {
    let head = |h: &str| format!("POST / HTTP/1.1\r\nHost: x\r\n{h}\r\n\r\n").into_bytes();
    for (headers, want) in [
        ("Content-Length: -1", 400),
        ("Content-Length: 1180591620717411303424", 400),
        ("Content-Length: 0x10", 400),
        ("Content-Length: 1 2", 400),
        ("Content-Length:", 400),
        ("Content-Length: 1\r\nContent-Length: 2", 400),
        ("Content-Length: 3, 4", 400),
        ("Content-Length: 2\r\nTransfer-Encoding: chunked", 400),
        ("Transfer-Encoding: gzip", 400),
        ("Transfer-Encoding: gzip, chunked", 400),
        ("Transfer-Encoding: ", 400),
        ("Content-Length: 1048577", 413),
        ("Content-Length: 99999999999", 413),
    ] {
        assert_eq!(status_of(&head(headers)), want, "{headers}");
    }
    assert_eq!(status_of(&head("Content-Length: 0, 0")), 200);
    let chunked = |body: &str| {
        format!("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n{body}")
            .into_bytes()
    };
    for (body, want) in [
        ("zz\r\n", 400),
        ("\r\n\r\n", 400),
        (";x\r\n", 400),
        ("-1\r\n", 400),
        ("fffffffffffffffff\r\n", 400),
        ("2\r\nabcd\r\n0\r\n\r\n", 400),
        ("100001\r\n", 413),
        ("0\r\n\r\n", 200),
    ] {
        assert_eq!(status_of(&chunked(body)), want, "{body:?}");
    }
    assert_eq!(status_of(&chunked(&"f".repeat(2000))), 400);
}

#[test]
fn limits_garbage_and_tls() {
    let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
    assert_eq!(status_of(long.as_bytes()), 431);
    let endless = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD));
    assert_eq!(status_of(endless.as_bytes()), 431);
    let many: String = (0..=MAX_HEADERS).map(|i| format!("H{i}: v\r\n")).collect();
    assert_eq!(
        status_of(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
        431
    );
    assert_eq!(
        status_of(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
        400
    );
    for junk in [
        &b"\x00\xff garbage\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET /v1/users HTTP/9.9\r\n\r\n",
        b"GET users HTTP/1.1\r\n\r\n",
        b"GET /\x01 HTTP/1.1\r\n\r\n",
    ] {
        assert_eq!(status_of(junk), 400, "{junk:?}");
    }
    assert_eq!(status_of(b""), 0);
    assert_eq!(
        status_of(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"),
        0
    );
}

#[test]
fn host_asterisk_and_http_1_0_framing() {
    assert_eq!(status_of(b"GET / HTTP/1.1\r\n\r\n"), 400, "no Host");
    assert_eq!(
        status_of(b"GET / HTTP/1.0\r\n\r\n"),
        200,
        "HTTP/1.0 needs none"
    );
    assert_eq!(
        status_of(b"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"),
        400
    );
    assert_eq!(
        status_of(b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),
        400
    );
    assert_eq!(status_of(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
    assert_eq!(status_of(b"GET * HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
    let Next::Request(star) = conn(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").next_request() else {
        panic!("OPTIONS *")
    };
    assert_eq!((star.path.as_str(), star.query), ("*", None));
    let Next::Request(abs) =
        conn(b"GET http://evil.example:80/_mock/state?x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            .next_request()
    else {
        panic!("absolute form")
    };
    assert_eq!(abs.authority.as_deref(), Some("evil.example:80"));
    assert_eq!(abs.path, "/_mock/state");
    // HTTP/1.0 with a Transfer-Encoding, even one that asks to be kept alive: answered,
    // then closed.
    let Next::Request(old) = conn(
        b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n\
          0\r\n\r\n",
    )
    .next_request() else {
        panic!("HTTP/1.0 chunked")
    };
    assert!(old.http10 && !old.keep_alive);
}

#[test]
fn expect_100_continue_is_answered_before_the_body() {
    let mut c =
        conn(b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
    // The body is not there yet: the client waits for the 100.
    assert!(matches!(c.next_request(), Next::Gone));
    assert_eq!(c.io.1, b"HTTP/1.1 100 Continue\r\n\r\n");
}

#[test]
fn heads_print_whole_with_a_date() {
    let h = Head {
        status: 599,
        headers: &[("Request-Id", "req_1"), ("Retry-After", "1\r\nX: y")],
        content_length: 2,
        close: true,
        keep_alive_10: false,
    };
    let text = String::from_utf8(h.to_bytes()).unwrap();
    let (first, rest) = text.split_once("\r\n").unwrap();
    assert_eq!(first, "HTTP/1.1 599 ");
    let (date, rest) = rest.split_once("\r\n").unwrap();
    let date = date.strip_prefix("Date: ").unwrap();
    assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
    assert_eq!(
        rest,
        "Request-Id: req_1\r\nRetry-After: 1  X: y\r\nContent-Length: 2\r\n\
         Connection: close\r\n\r\n"
    );
    let no_content = Head { status: 204, ..h };
    assert!(
        !String::from_utf8(no_content.to_bytes())
            .unwrap()
            .contains("Content-Length")
    );
}
