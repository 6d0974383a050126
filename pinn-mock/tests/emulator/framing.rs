//! The emulator on the wire under abuse, over raw sockets: framing it cannot trust, input over
//! its limits, garbage, a TLS handshake. Each refusal has its status, closes the connection and
//! creates nothing; and no bytes a client sends make a server thread panic.

use std::io::{Read, Write};
use std::sync::Once;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::raw::{Conn, api, call, exchange, parse, send_raw};
use pinn_mock::MockServer;
use proptest::prelude::*;

/// POST /v1/users with the server's key, these extra header lines and this body: a user is
/// created unless the framing is refused.
fn post_users(s: &MockServer, headers: &str, body: &[u8]) -> Vec<u8> {
    let head = format!(
        "POST /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n{headers}\r\n\r\n",
        s.secret_key()
    );
    [head.as_bytes(), body].concat()
}

/// Sends the request and checks the refusal: its status and type, `Connection: close`, the
/// connection closed after it, and no user.
fn refused(headers: &str, body: &[u8], status: u16) {
    let s = MockServer::start();
    let got = exchange(s.port(), post_users(&s, headers, body));
    let (reply, used) = parse(&got).unwrap_or_else(|| {
        panic!(
            "{headers:?}: no answer: {:?}",
            String::from_utf8_lossy(&got)
        )
    });
    assert_eq!(reply.status, status, "{headers:?}: {reply:?}");
    let want = match status {
        413 | 431 => "error",
        _ => "bad_request",
    };
    assert_eq!(reply.error_type(), want, "{reply:?}");
    assert_eq!(reply.header("connection"), Some("close"), "{reply:?}");
    assert_eq!(
        used,
        got.len(),
        "nothing after the answer: the connection closed"
    );
    assert_eq!(s.count("user"), 0, "{headers:?} created a user");
    assert!(s.requests().is_empty(), "a refused request reaches no log");
}

macro_rules! refusals {
    ($($name:ident: $headers:expr, $body:expr => $status:expr;)*) => {$(
        #[test]
        fn $name() {
            refused($headers, $body.as_ref(), $status);
        }
    )*};
}

refusals! {
    negative_content_length: "Content-Length: -1", b"{}" => 400;
    content_length_of_2_to_the_70: "Content-Length: 1180591620717411303424", b"{}" => 400;
    content_length_not_a_number: "Content-Length: 2abc", b"{}" => 400;
    content_length_in_hex: "Content-Length: 0x2", b"{}" => 400;
    content_lengths_that_disagree: "Content-Length: 2\r\nContent-Length: 3", b"{} " => 400;
    content_length_list_that_disagrees: "Content-Length: 2, 3", b"{} " => 400;
    content_length_and_chunked: "Content-Length: 7\r\nTransfer-Encoding: chunked",
        b"2\r\n{}\r\n0\r\n\r\n" => 400;
    unsupported_transfer_encoding: "Transfer-Encoding: gzip", b"{}" => 400;
    chunked_then_gzip: "Transfer-Encoding: chunked, gzip", b"2\r\n{}\r\n0\r\n\r\n" => 400;
    bad_chunk_size: "Transfer-Encoding: chunked", b"zz\r\n{}\r\n0\r\n\r\n" => 400;
    empty_chunk_size: "Transfer-Encoding: chunked", b"\r\n{}\r\n0\r\n\r\n" => 400;
    negative_chunk_size: "Transfer-Encoding: chunked", b"-2\r\n{}\r\n0\r\n\r\n" => 400;
    chunk_size_over_64_bits: "Transfer-Encoding: chunked", b"10000000000000000\r\n{}\r\n0\r\n\r\n" => 400;
    chunk_without_its_crlf: "Transfer-Encoding: chunked", b"2\r\n{}XX0\r\n\r\n" => 400;
    body_over_1_mib: "Content-Length: 1048577", vec![b' '; 1_048_577] => 413;
    declared_body_of_10_gib: "Content-Length: 10737418240", b"{}" => 413;
    chunks_over_1_mib: "Transfer-Encoding: chunked",
        [&b"80000\r\n"[..], &[b' '; 0x80000], b"\r\n80001\r\n", &[b' '; 0x80001], b"\r\n0\r\n\r\n"].concat() => 413;
    head_over_16_kib: &format!("X-Padding: {}", "a".repeat(16 * 1024)), b"" => 431;
    over_100_headers: &(0..101).map(|i| format!("X-H{i}: v")).collect::<Vec<_>>().join("\r\n"), b"" => 431;
    header_without_colon: "Content-Length 2", b"{}" => 400;
    header_name_with_space: "Content Length: 2", b"{}" => 400;
}

#[test]
fn garbage_request_lines_are_400_and_closed() {
    let s = MockServer::start();
    for junk in [
        &b"\x00\xff\xfe garbage\r\n\r\n"[..],
        b"GET\r\n\r\n",
        b"GET /v1/users HTTP/9.9\r\n\r\n",
        b"GET v1/users HTTP/1.1\r\n\r\n",
        b"POST /v1/users\x7f HTTP/1.1\r\n\r\n",
        b"GET /health HTTP/1.1\r\nHost: x\r\n X-Folded: obs-fold\r\n\r\n",
    ] {
        let reply = send_raw(s.port(), junk.to_vec());
        assert_eq!(
            (reply.status, reply.header("connection")),
            (400, Some("close")),
            "{:?}: {reply:?}",
            String::from_utf8_lossy(junk)
        );
    }
    assert_eq!(s.count("user"), 0);
}

#[test]
fn a_64_mib_header_is_431_without_reading_it_all() {
    let s = MockServer::start();
    let mut bytes = post_users(&s, "X-Huge: ", b"").to_vec();
    bytes.truncate(bytes.len() - 4); // keep the header line open
    bytes.resize(bytes.len() + (64 << 20), b'a');
    let started = Instant::now();
    let reply = send_raw(s.port(), bytes);
    assert_eq!(reply.status, 431, "{reply:?}");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(s.count("user"), 0);
}

#[test]
fn a_tls_client_hello_is_400_at_once() {
    let s = MockServer::start();
    // The first bytes of a TLS 1.2/1.3 ClientHello record.
    let hello = b"\x16\x03\x01\x00\xc8\x01\x00\x00\xc4\x03\x03".to_vec();
    let started = Instant::now();
    let mut conn = Conn::open(s.port());
    conn.send(&hello); // and keep the connection open, as a TLS client waiting would
    let reply = conn.read_reply().expect("an answer, not a hang");
    assert_eq!(reply.status, 400);
    assert!(
        reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .contains("http://")
    );
    assert!(conn.rest().is_empty(), "then the connection closes");
    assert!(started.elapsed() < Duration::from_secs(1));

    // A real TLS client (ureq with rustls) pointed at https:// fails fast with a TLS error.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .proxy(None)
        .timeout_global(Some(Duration::from_secs(5)))
        .build()
        .into();
    let started = Instant::now();
    let err = agent
        .get(format!("https://127.0.0.1:{}/health", s.port()))
        .call()
        .unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2), "{err}");
    assert!(!matches!(err, ureq::Error::Timeout(_)), "{err}");
}

#[test]
fn framing_that_is_fine_is_served() {
    let s = MockServer::start();
    // One length said twice, a chunked body with an extension and a trailer, and a body
    // announced with Expect: 100-continue.
    let twice = send_raw(
        s.port(),
        post_users(&s, "Content-Length: 2, 2\r\nConnection: close", b"{}"),
    );
    assert_eq!(twice.status, 200, "{twice:?}");
    let chunked = send_raw(
        s.port(),
        post_users(
            &s,
            "Transfer-Encoding: chunked\r\nConnection: close",
            b"d;ext=1\r\n{\"metadata\": \r\n10\r\n{\"plan\": \"pro\"}}\r\n0\r\nX-Trailer: t\r\n\r\n",
        ),
    );
    assert_eq!(chunked.status, 200, "{chunked:?}");
    assert_eq!(chunked.json()["metadata"]["plan"], "pro");

    let mut conn = Conn::open(s.port());
    let body = br#"{"metadata": {"k": "v"}}"#;
    let head = format!("Expect: 100-continue\r\nContent-Length: {}", body.len());
    conn.send(&post_users(&s, &head, b""));
    let mut interim = [0u8; 25];
    conn.stream.read_exact(&mut interim).unwrap();
    assert_eq!(&interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    conn.send(body);
    let created = conn.read_reply().unwrap();
    assert_eq!(
        (created.status, &created.json()["metadata"]["k"]),
        (200, &serde_json::json!("v"))
    );
    assert_eq!(s.count("user"), 3);
}

#[test]
fn keep_alive_pipelining_head_and_http_1_0() {
    let s = MockServer::start();
    let mut conn = Conn::open(s.port());
    // Three requests in one write: three answers, in order, on one connection.
    let one = crate::raw::request("GET", "/health", &[], "");
    conn.send(&[one.clone(), one.clone(), one].concat());
    for _ in 0..3 {
        let r = conn.read_reply().expect("an answer");
        assert_eq!((r.status, r.header("connection")), (200, None), "{r:?}");
    }
    // HEAD: GET's head, with the length of the body it does not send.
    let head = exchange(
        s.port(),
        b"HEAD /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".to_vec(),
    );
    let head = String::from_utf8_lossy(&head);
    assert!(
        head.starts_with("HTTP/1.1 200 ") && head.ends_with("\r\n\r\n"),
        "{head}"
    );
    let body_length = r#"{"status":"ok"}"#.len();
    assert!(
        head.contains(&format!("Content-Length: {body_length}\r\n")),
        "{head}"
    );

    // HTTP/1.0 closes unless asked to keep alive, and says so when it does.
    let closed = exchange(s.port(), b"GET /health HTTP/1.0\r\n\r\n".to_vec());
    let (r, used) = parse(&closed).unwrap();
    assert_eq!((r.status, used), (200, closed.len()));
    let mut kept = Conn::open(s.port());
    kept.send(b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
    let r = kept.read_reply().unwrap();
    assert_eq!(r.header("connection"), Some("keep-alive"));
    kept.send(b"GET /health HTTP/1.0\r\n\r\n");
    assert_eq!(kept.read_reply().map(|r| r.status), Some(200));

    // The absolute form a client talking to a proxy sends.
    let absolute = call(
        s.port(),
        "GET",
        &format!("http://127.0.0.1:{}/health", s.port()),
        "",
    );
    assert_eq!(absolute.status, 200);
}

#[test]
fn idle_connections_close_after_the_timeout() {
    let s = MockServer::builder()
        .idle_timeout(Duration::from_millis(200))
        .start()
        .unwrap();
    let mut conn = Conn::open(s.port());
    conn.send(&crate::raw::request("GET", "/health", &[], ""));
    assert_eq!(conn.read_reply().map(|r| r.status), Some(200));
    let started = Instant::now();
    assert!(conn.rest().is_empty());
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(150) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
}

#[test]
fn dropping_the_server_closes_idle_connections() {
    let s = MockServer::start();
    let mut conn = Conn::open(s.port());
    conn.send(&crate::raw::request("GET", "/health", &[], ""));
    assert!(conn.read_reply().is_some());
    let started = Instant::now();
    drop(s);
    assert!(conn.rest().is_empty());
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_body_that_stops_short_is_never_acted_on() {
    let s = MockServer::start();
    let got = exchange(
        s.port(),
        post_users(&s, "Content-Length: 100", br#"{"metadata": {"#),
    );
    assert!(got.is_empty(), "{:?}", String::from_utf8_lossy(&got));
    assert_eq!(s.count("user"), 0);
    // Still serving.
    assert_eq!(
        api(s.port(), s.secret_key(), "GET", "/v1/users", "").status,
        200
    );
}

/// Panics on the emulator's own threads, seen by a hook installed once for this binary.
pub(crate) static SERVER_PANICS: AtomicUsize = AtomicUsize::new(0);

pub(crate) fn count_server_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let name = std::thread::current().name().unwrap_or("").to_string();
            if name.starts_with("pinn-mock") {
                SERVER_PANICS.fetch_add(1, Ordering::SeqCst);
            }
            default(info);
        }));
    });
}

fn shared_server() -> &'static MockServer {
    static SERVER: std::sync::OnceLock<MockServer> = std::sync::OnceLock::new();
    SERVER.get_or_init(|| {
        MockServer::builder()
            .secret_key("sk_test_garbage_4eC39HqLyjWDarjtT1")
            .start()
            .unwrap()
    })
}

/// Bytes shaped like a request, some of the way: a request line, headers with hostile values,
/// and a body, each part sometimes replaced by noise.
fn requestish() -> impl Strategy<Value = Vec<u8>> {
    let method = prop::sample::select(vec![
        "GET", "POST", "PATCH", "DELETE", "HEAD", "PUT", "OPTIONS", "_",
    ]);
    let target = prop::sample::select(vec![
        "/v1/users",
        "/v1/users/%ZZ",
        "/_mock/state",
        "/_mock/requests",
        "/_mock/id_tokens",
        "/_mock/faults",
        "/_mock/clock/advance",
        "/health",
        "*",
        "http://x/v1/apps",
    ]);
    let header = prop::sample::select(vec![
        "Content-Length: 5",
        "Content-Length: -5",
        "Content-Length: 99999999999999999999999",
        "Transfer-Encoding: chunked",
        "Transfer-Encoding: identity",
        "Expect: 100-continue",
        "Connection: close",
        "Authorization: Bearer sk_test_garbage_4eC39HqLyjWDarjtT1",
        "Authorization: bearer sk_test_garbage_4eC39HqLyjWDarjtT1",
        "Content-Type: application/json",
        "Content-Type: text/plain",
        "Host: localhost",
        "X: \u{0}",
    ]);
    let body = prop_oneof![
        Just(Vec::new()),
        Just(b"{\"kind\":\"close\"}".to_vec()),
        Just(b"5\r\nhello\r\n0\r\n\r\n".to_vec()),
        prop::collection::vec(any::<u8>(), 0..300),
    ];
    (
        method,
        target,
        prop::collection::vec(header, 0..4),
        body,
        prop::collection::vec(any::<u8>(), 0..40),
        any::<bool>(),
        prop::sample::select(vec!["Host: 127.0.0.1\r\n", "Host: evil.example\r\n", ""]),
    )
        .prop_map(|(m, t, headers, body, noise, noisy, host)| {
            let mut out =
                format!("{m} {t} HTTP/1.1\r\n{host}{}\r\n\r\n", headers.join("\r\n")).into_bytes();
            if noisy {
                let at = noise.len() % out.len().max(1);
                out.splice(at..at, noise);
            }
            out.extend(body);
            out
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn no_bytes_make_the_server_panic_or_stop(
        bytes in prop_oneof![prop::collection::vec(any::<u8>(), 0..2048), requestish()],
    ) {
        count_server_panics();
        let s = shared_server();
        let got = exchange(s.port(), bytes);
        // Whatever came back starts like HTTP, or nothing did.
        prop_assert!(got.is_empty() || got.starts_with(b"HTTP/1.1 "), "{:?}", String::from_utf8_lossy(&got));
        let mut rest = got.as_slice();
        while let Some((reply, used)) = parse(rest) {
            prop_assert_ne!(reply.status, 500, "{:?}", reply);
            rest = &rest[used..];
        }
        prop_assert_eq!(SERVER_PANICS.load(Ordering::SeqCst), 0);
        let health = call(s.port(), "GET", "/health", "");
        prop_assert_eq!(health.status, 200);
    }
}

#[test]
fn a_client_that_writes_and_never_reads_does_not_hold_the_server() {
    let s = MockServer::start();
    // Requests pipelined without reading any answer: the server's writes block on a full
    // socket buffer, on that connection's thread only.
    let mut greedy = crate::raw::connect(s.port());
    let one = crate::raw::request("GET", "/health", &[], "");
    let _ = greedy.set_write_timeout(Some(Duration::from_millis(500)));
    for _ in 0..2000 {
        if greedy.write_all(&one).is_err() {
            break;
        }
    }
    let started = Instant::now();
    assert_eq!(call(s.port(), "GET", "/health", "").status, 200);
    assert!(started.elapsed() < Duration::from_secs(1));
}
