//! What a list page costs the emulator at the top of a long list and deep inside it:
//! `cargo run --release -p pinn-mock --example mock_bench [-- --users N]`.
//!
//! It starts a `MockServer`, creates N users (default 100,000) with plain `POST /v1/users`
//! over one keep-alive connection, then times `GET /v1/users?limit=100` at depth 0 and
//! `…&starting_after=<cursor>` at depth N − 1,000 (99,000 by default): the median of many
//! rounds each, interleaved. It prints microseconds per page and their ratio. Nothing is
//! asserted: timings are read off the output (see docs/performance.md).
//!
//! The client is a raw HTTP/1.1 loop over a `TcpStream`, so the figures are the server's cost
//! plus one loopback round trip, not a client library's.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use pinn_mock::MockServer;

/// One keep-alive connection to the emulator.
struct Conn {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    auth: String,
}

impl Conn {
    fn open(server: &MockServer) -> Conn {
        let stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect");
        stream.set_nodelay(true).expect("nodelay");
        Conn {
            writer: stream.try_clone().expect("clone"),
            reader: BufReader::new(stream),
            auth: format!("Bearer {}", server.secret_key()),
        }
    }

    /// Sends one request and returns the status and the body.
    fn call(&mut self, method: &str, target: &str) -> (u16, String) {
        let request = format!(
            "{method} {target} HTTP/1.1\r\nHost: bench\r\nAuthorization: {}\r\n\
             Content-Length: 0\r\n\r\n",
            self.auth
        );
        self.writer.write_all(request.as_bytes()).expect("write");
        let mut line = String::new();
        self.reader.read_line(&mut line).expect("status line");
        let status = line
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .expect("a status");
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).expect("header");
            if line == "\r\n" {
                break;
            }
            let lower = line.to_ascii_lowercase();
            if let Some(v) = lower.strip_prefix("content-length:") {
                length = v.trim().parse().expect("a length");
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).expect("body");
        (status, String::from_utf8(body).expect("UTF-8"))
    }
}

/// The value of `"field":"…"` in a JSON text (enough for IDs).
fn field<'a>(json: &'a str, field: &str) -> &'a str {
    let key = format!("\"{field}\":\"");
    let start = json.find(&key).expect("the field") + key.len();
    let len = json[start..].find('"').expect("its end");
    &json[start..start + len]
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mut users = 100_000usize;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--users" => users = args.next().and_then(|n| n.parse().ok()).expect("--users N"),
            other => panic!("unknown argument {other:?}; usage: mock_bench [--users N]"),
        }
    }
    let depth = users.saturating_sub(1000);
    let server = MockServer::start();
    let mut conn = Conn::open(&server);

    let started = Instant::now();
    let ids: Vec<String> = (0..users)
        .map(|_| {
            let (status, body) = conn.call("POST", "/v1/users");
            assert_eq!(status, 200, "{body}");
            field(&body, "user_id").to_string()
        })
        .collect();
    println!(
        "created {users} users in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Newest first: position p from the top is the user created (users - 1 - p)th.
    let cursor = &ids[users - 1 - depth];
    let top = "/v1/users?limit=100".to_string();
    let deep = format!("/v1/users?limit=100&starting_after={cursor}");
    let (status, body) = conn.call("GET", &deep);
    assert_eq!(status, 200, "{body}");
    let expected_first = users.saturating_sub(depth + 2);
    assert_eq!(
        field(&body, "user_id"),
        ids[expected_first],
        "the page after the cursor"
    );

    let rounds = 200;
    let (mut at_top, mut at_depth) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        for (target, times) in [(&top, &mut at_top), (&deep, &mut at_depth)] {
            let t = Instant::now();
            let (status, _) = conn.call("GET", target);
            times.push(t.elapsed());
            assert_eq!(status, 200);
        }
    }
    let (top_us, deep_us) = (
        median(at_top).as_secs_f64() * 1e6,
        median(at_depth).as_secs_f64() * 1e6,
    );
    println!("page of 100 at depth 0:        {top_us:>9.1} µs (median of {rounds})");
    println!("page of 100 at depth {depth:<9} {deep_us:>9.1} µs (median of {rounds})");
    println!("ratio deep/top:                {:>9.2}", deep_us / top_us);
}
