//! Redirects, loopback checks, header injection, an echoed key (escaped, split, in
//! every header and log line), bounded error text and oversized arguments.

use std::io::Write;
use std::net::TcpStream;
use std::thread;
use std::time::Duration;

use pinn::{Client, Error, ErrorKind, ListParams, User, UserCreateParams};

use super::*;
use crate::support::*;

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
    // Line breaks (header injection), and spaces the header would lose on the way.
    for version in [
        "2024-06-01\r\nX-Evil: 1",
        "2024\n",
        "v\r",
        " ",
        "2024-06-01 ",
        " 2024",
    ] {
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
fn an_error_body_echoing_the_key_is_masked_before_the_trace_log_sees_it() {
    install_logger();
    const ROW_KEY: &str = "sk_test_ROWS_9fQ2mLx7RtB4vWc8KpZs3nHd";
    let server = echo_key_server(401, |k| {
        format!(r#"{{"error":{{"type":"unauthorized","message":"invalid key {k}"}}}}"#)
    });
    let url = server.url();
    within(LIMIT, move || {
        let c = Client::new(
            pinn::Config::builder()
                .secret_key(ROW_KEY)
                .api_host(&url)
                .max_retries(0)
                .build()
                .unwrap(),
        );
        let err = c.users().retrieve("usr_1").unwrap_err();
        assert_eq!(err.status(), Some(401));
        assert!(err.to_string().contains("invalid key"), "{err}");
        assert!(!err.to_string().contains("ROWS"), "{err}");
        assert!(
            !wire_log_shows(ROW_KEY),
            "the key can be read across the trace log's rows"
        );
        // The check can fail: this call's rows (the body's included) were captured. (The
        // rows show a space as `.`.)
        assert!(
            wire_log_shows("invalid.key"),
            "the body's rows were captured"
        );
    });
    assert!(!server.seen().is_empty());
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
    // How long it waits, in whole milliseconds: the first backoff is 250 to 500 ms.
    let waited: u64 = failed
        .split("retrying in ")
        .nth(1)
        .and_then(|rest| rest.split(" ms (backoff)").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no wait in {failed}"));
    assert!((250..=500).contains(&waited), "{failed}");
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
/// with the head split inside a copy of the key, percent-encoded in `Location`, and in the
/// body (plainly, escaped, and split across chunks of a chunked body).
fn echo_everywhere(status: u16, body: String) -> Server {
    Server::start(move |_, _, s| {
        let pct = KEY.replace('_', "%5F");
        let head = format!(
            "HTTP/1.1 {status} {KEY}\r\nServer: pinn/{KEY}\r\nContent-Type: application/json; x={KEY}\r\n\
             Date: {KEY}\r\nLocation: https://evil.example/{KEY}?k={KEY}&p={pct}\r\nConnection: close, {KEY}\r\n\
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
fn log_records_name_the_host_and_the_client_and_count_whole_milliseconds() {
    let server = Server::start(|n, _, s| {
        if n == 0 {
            respond(s, 503, &[("Request-Id", "req_labelled_1")], b"")
        } else {
            respond(
                s,
                200,
                &[("Request-Id", "req_labelled_2")],
                user_json("usr_1").as_bytes(),
            )
        }
    });
    let url = server.url();
    let host = url.trim_start_matches("http://").to_string();
    within(LIMIT, move || {
        let client = Client::new(builder(&url).label("tenant-a").build().unwrap());
        get(&client).unwrap();
        take_waits();
    });
    let records = pinn_records();
    for request_id in ["req_labelled_1", "req_labelled_2"] {
        let record = records
            .iter()
            .find(|r| r.contains(request_id))
            .unwrap_or_else(|| panic!("no record of {request_id} in {records:?}"));
        assert!(record.contains(" client=tenant-a"), "{record}");
        assert!(record.contains(&format!(" host={host}")), "{record}");
        assert!(record.contains(&format!("on {host}")), "{record}");
        for field in ["elapsed_ms", "total_ms"] {
            let value = record
                .split(&format!(" {field}="))
                .nth(1)
                .and_then(|rest| rest.split(' ').next())
                .unwrap_or_else(|| panic!("no {field} in {record}"));
            assert!(
                value.bytes().all(|b| b.is_ascii_digit()),
                "{field}={value}: {record}"
            );
        }
    }
}
