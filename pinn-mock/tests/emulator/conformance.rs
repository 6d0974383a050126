//! HTTP/1.1 as a real client meets it, on raw sockets: HEAD and OPTIONS (`curl -I`,
//! `requests.head`, `OPTIONS *`), a `Date` on every answer, the auth scheme in any case,
//! `Host` required once, and an HTTP/1.0 request with a `Transfer-Encoding` closed after its
//! answer.

use pinn_mock::{Fault, MockServer};

use crate::raw::{Conn, Reply, exchange, parse, request, send_raw};

fn auth(s: &MockServer) -> String {
    format!("Bearer {}", s.secret_key())
}

/// One request with the key (and `Connection: close`); every byte that came back.
fn raw(s: &MockServer, method: &str, target: &str) -> Vec<u8> {
    let auth = auth(s);
    let headers = [("Authorization", auth.as_str()), ("Connection", "close")];
    exchange(s.port(), request(method, target, &headers, ""))
}

/// The head lines of an answer but the ones that differ from call to call.
fn stable_head(head: &str) -> Vec<String> {
    head.lines()
        .filter(|l| {
            let name = l.split(':').next().unwrap_or_default().to_ascii_lowercase();
            name != "date" && name != "request-id"
        })
        .map(str::to_owned)
        .collect()
}

/// The answer's `Date`: an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`), its weekday right,
/// within a minute of now.
fn assert_dated(r: &Reply) {
    const DAYS: [&str; 7] = ["Thu,", "Fri,", "Sat,", "Sun,", "Mon,", "Tue,", "Wed,"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let date = r.header("date").unwrap_or_else(|| panic!("no Date: {r:?}"));
    let parts: Vec<&str> = date.split(' ').collect();
    let [weekday, day, month, year, time, "GMT"] = parts[..] else {
        panic!("{date:?}")
    };
    let number = |s: &str, digits: usize| {
        assert!(
            s.len() == digits && s.bytes().all(|b| b.is_ascii_digit()),
            "{date:?}"
        );
        s.parse::<i64>().unwrap()
    };
    let (d, y) = (number(day, 2), number(year, 4));
    let m = MONTHS.iter().position(|n| *n == month).expect("a month") as i64 + 1;
    let hms: Vec<i64> = time.split(':').map(|t| number(t, 2)).collect();
    // Days since 1970-01-01 (Howard Hinnant's days_from_civil).
    let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
    let doe = (y % 400) * 365 + (y % 400) / 4 - (y % 400) / 100 + (153 * m + 2) / 5 + d - 1;
    let days = (y / 400) * 146_097 + doe - 719_468;
    assert_eq!(DAYS[days.rem_euclid(7) as usize], weekday, "{date:?}");
    let secs = days * 86_400 + hms[0] * 3600 + hms[1] * 60 + hms[2];
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((secs - now).abs() < 60, "{date:?} is not now");
}

#[test]
fn head_is_get_without_the_body() {
    let s = MockServer::start();
    for target in [
        "/health",
        "/v1/users",
        "/v1/users/usr_missing",
        "/_mock/counts",
        "/_mock/state",
    ] {
        let got = raw(&s, "GET", target);
        let (get, _) = parse(&got).unwrap();
        let head_bytes = raw(&s, "HEAD", target);
        let text = String::from_utf8_lossy(&head_bytes);
        let (head, rest) = text.split_once("\r\n\r\n").expect("a whole head");
        assert_eq!(rest, "", "{target}: HEAD sent a body");
        assert_eq!(stable_head(head), stable_head(&get.head), "{target}");
        assert_eq!(
            head.lines().find(|l| l.starts_with("Content-Length: ")),
            Some(format!("Content-Length: {}", get.body.len()).as_str()),
            "{target}"
        );
    }
    // On one connection, a HEAD leaves the next answer where it belongs.
    let mut c = Conn::open(s.port());
    let a = auth(&s);
    c.send(
        &[
            request("HEAD", "/v1/users", &[("Authorization", &a)], ""),
            request("GET", "/health", &[], ""),
        ]
        .concat(),
    );
    let mut head = vec![0u8; 0];
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        std::io::Read::read_exact(&mut c.stream, &mut byte).unwrap();
        head.push(byte[0]);
    }
    assert!(
        head.starts_with(b"HTTP/1.1 200 "),
        "{}",
        String::from_utf8_lossy(&head)
    );
    let next = c.read_reply().unwrap();
    assert_eq!(
        (next.status, next.json()["status"].as_str()),
        (200, Some("ok"))
    );
}

#[test]
fn options_says_what_a_path_allows() {
    let s = MockServer::start();
    for (target, allow) in [
        ("/v1/users", "GET, HEAD, POST, OPTIONS"),
        ("/v1/users/usr_x", "GET, HEAD, PATCH, DELETE, OPTIONS"),
        ("/v1/enrollment_keys", "POST, OPTIONS"),
        ("/_mock/faults", "GET, HEAD, POST, DELETE, OPTIONS"),
        ("/health", "GET, HEAD, OPTIONS"),
        ("*", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"),
    ] {
        let got = raw(&s, "OPTIONS", target);
        let (r, used) = parse(&got).unwrap();
        assert_eq!(
            (r.status, r.header("allow")),
            (204, Some(allow)),
            "{target}: {r:?}"
        );
        assert_eq!(used, got.len(), "{target}: no body");
        assert_dated(&r);
    }
    // OPTIONS * and /health need no key; the API's paths do.
    let star = send_raw(
        s.port(),
        b"OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n".to_vec(),
    );
    assert_eq!(star.status, 204);
    let bare = send_raw(
        s.port(),
        request("OPTIONS", "/v1/users", &[("Connection", "close")], "x"),
    );
    assert_eq!(bare.status, 401);
    let get_star = send_raw(
        s.port(),
        b"GET * HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".to_vec(),
    );
    assert_eq!(get_star.status, 400);
}

#[test]
fn every_answer_carries_a_date() {
    let s = MockServer::start();
    let a = auth(&s);
    let mut answers: Vec<Reply> = Vec::new();
    for (method, target, key) in [
        ("GET", "/health", false),
        ("GET", "/v1/users", true),
        ("GET", "/v1/users", false),
        ("GET", "/v1/nothing", true),
        ("PUT", "/v1/users", true),
        ("GET", "/_mock/counts", true),
        ("GET", "/_mock/counts", false),
    ] {
        let mut headers = vec![("Connection", "close")];
        if key {
            headers.push(("Authorization", &a));
        }
        answers.push(send_raw(s.port(), request(method, target, &headers, "")));
    }
    // Refused before any routing, faulted, and cut short.
    answers.push(send_raw(s.port(), b"GET / HTTP/1.1\r\n\r\n".to_vec()));
    answers.push(send_raw(
        s.port(),
        format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(20_000)),
    ));
    s.inject(Fault::status(503));
    s.inject(Fault::rate_limit("1"));
    for _ in 0..2 {
        answers.push(send_raw(
            s.port(),
            request(
                "GET",
                "/v1/users",
                &[("Authorization", &a), ("Connection", "close")],
                "",
            ),
        ));
    }
    let statuses: Vec<u16> = answers.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [200, 200, 401, 404, 405, 200, 401, 400, 431, 503, 429]
    );
    for r in &answers {
        assert_dated(r);
    }
    s.inject(Fault::truncated_body());
    let cut = raw(&s, "GET", "/v1/users");
    let cut = String::from_utf8_lossy(&cut);
    assert!(
        cut.contains("\r\nDate: ") && cut.contains(" GMT\r\n"),
        "{cut}"
    );
}

#[test]
fn the_auth_scheme_is_any_case() {
    let s = MockServer::start();
    for (value, status) in [
        (format!("bearer {}", s.secret_key()), 200),
        (format!("BEARER {}", s.secret_key()), 200),
        (format!("Bearer   {}", s.secret_key()), 200),
        (format!("Bearer{}", s.secret_key()), 401),
        (format!("Basic {}", s.secret_key()), 401),
        (format!("Bearer {}x", s.secret_key()), 401),
    ] {
        let headers = [("Authorization", value.as_str()), ("Connection", "close")];
        let r = send_raw(s.port(), request("GET", "/v1/users", &headers, ""));
        assert_eq!(r.status, status, "{value:?}");
        let challenge = (status == 401).then_some("Bearer");
        assert_eq!(r.header("WWW-Authenticate"), challenge, "{value:?}");
    }
}

#[test]
fn host_is_required_once() {
    let s = MockServer::start();
    for head in [
        "GET /health HTTP/1.1\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: 127.0.0.1\r\n\r\n",
        "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nhost: evil.example\r\n\r\n",
        "GET /health HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n",
    ] {
        let got = exchange(s.port(), head.as_bytes().to_vec());
        let (r, used) = parse(&got).unwrap();
        assert_eq!(
            (r.status, r.header("connection")),
            (400, Some("close")),
            "{head:?}"
        );
        assert_eq!(used, got.len(), "{head:?}: closed after the answer");
    }
    let old = send_raw(s.port(), b"GET /health HTTP/1.0\r\n\r\n".to_vec());
    assert_eq!(old.status, 200, "HTTP/1.0 needs no Host");
}

#[test]
fn http_1_0_with_a_transfer_encoding_is_closed_after_its_answer() {
    let s = MockServer::start();
    let a = auth(&s);
    let first = format!(
        "POST /v1/users HTTP/1.0\r\nAuthorization: {a}\r\nConnection: keep-alive\r\n\
         Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
    );
    let second =
        format!("GET /v1/users HTTP/1.0\r\nAuthorization: {a}\r\nConnection: keep-alive\r\n\r\n");
    let got = exchange(s.port(), [first, second].concat().into_bytes());
    let (r, used) = parse(&got).unwrap();
    assert_eq!(
        (r.status, r.header("connection")),
        (200, Some("close")),
        "{r:?}"
    );
    assert_eq!(used, got.len(), "one answer, then the connection closed");
    assert_eq!(s.count("user"), 1);
}
