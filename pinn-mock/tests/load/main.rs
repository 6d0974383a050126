//! The standalone `pinn-mock` under load and abuse, measured from outside: its memory over
//! 100,000 requests with the request log bounded, its memory after oversized and malformed
//! input, its memory while eight clients read answers of tens of megabytes at once (the
//! request log, the state, a list), and a burst of 1,000 connections, every one answered.
//!
//! Memory is the child's VmRSS from /proc, so these run on Linux only.
#![cfg(target_os = "linux")]

#[path = "../emulator/raw.rs"]
mod raw;

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

use raw::{Conn, api, control, parse, send_raw};

/// A `pinn-mock` process, killed on drop.
struct Mock {
    child: Child,
    port: u16,
    key: String,
}

impl Mock {
    fn spawn(extra: &[&str]) -> Mock {
        let mut child = Command::new(env!("CARGO_BIN_EXE_pinn-mock"))
            .args(["--port", "0"])
            .args(extra)
            .stdout(Stdio::piped())
            .spawn()
            .expect("start pinn-mock");
        let stdout = child.stdout.take().expect("its stdout");
        let mut lines = BufReader::new(stdout).lines();
        let mut setting = |name: &str| loop {
            let line = lines.next().expect("a line").expect("UTF-8");
            if let Some(v) = line.strip_prefix(name) {
                return v.to_string();
            }
        };
        let host = setting("PINN_API_HOST=");
        let key = setting("PINN_SECRET_KEY=");
        let port = host.rsplit(':').next().unwrap().parse().unwrap();
        Mock { child, port, key }
    }

    /// Resident memory, in KiB.
    fn rss_kib(&self) -> u64 {
        self.status_kib("VmRSS:")
    }

    /// A size from /proc/PID/status, in KiB: `VmRSS:` now, `VmHWM:` at its peak.
    fn status_kib(&self, field: &str) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap();
        status
            .lines()
            .find_map(|l| l.strip_prefix(field))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect(field)
    }

    /// The most resident memory while `work` runs, in KiB: the kernel's peak (reset first
    /// through /proc/PID/clear_refs), else the largest of samples taken every 5 ms.
    fn peak_rss_kib(&self, work: impl FnOnce() + Send) -> u64 {
        let reset = std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5").is_ok();
        let done = std::sync::atomic::AtomicBool::new(false);
        let sampled = thread::scope(|s| {
            let sampler = s.spawn(|| {
                let mut most = 0;
                while !done.load(std::sync::atomic::Ordering::SeqCst) {
                    most = most.max(self.rss_kib());
                    thread::sleep(Duration::from_millis(5));
                }
                most
            });
            work();
            done.store(true, std::sync::atomic::Ordering::SeqCst);
            sampler.join().unwrap()
        });
        if reset {
            sampled.max(self.status_kib("VmHWM:"))
        } else {
            sampled
        }
    }

    fn users(&self) -> u64 {
        control(self.port, &self.key, "GET", "/_mock/counts", "").json()["user"]["created"]
            .as_u64()
            .unwrap()
    }
}

impl Drop for Mock {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends `n` requests over one keep-alive connection, `batch` per write, reading every answer.
fn hammer(port: u16, key: &str, n: usize) {
    const BATCH: usize = 100;
    let auth = format!("Bearer {key}");
    let kinds = [
        crate::raw::request("GET", "/health", &[], ""),
        crate::raw::request("GET", "/v1/users?limit=1", &[("Authorization", &auth)], ""),
        crate::raw::request(
            "GET",
            "/v1/users/usr_missing",
            &[("Authorization", &auth)],
            "",
        ),
        crate::raw::request(
            "PATCH",
            "/v1/users/usr_missing",
            &[
                ("Authorization", &auth),
                ("Content-Type", "application/json"),
            ],
            r#"{"metadata": {"external_id": "cust_8842", "plan": "premium"}}"#,
        ),
    ];
    let mut conn = Conn::open(port);
    let mut sent = 0;
    while sent < n {
        let batch: Vec<u8> = (sent..sent + BATCH)
            .flat_map(|i| kinds[i % kinds.len()].clone())
            .collect();
        conn.send(&batch);
        for _ in 0..BATCH {
            let r = conn.read_reply().expect("an answer");
            assert!(matches!(r.status, 200 | 404), "{r:?}");
        }
        sent += BATCH;
    }
}

#[test]
fn memory_stays_flat_over_100k_requests() {
    let mock = Mock::spawn(&[]);
    // Warm up: the log fills to its 1,000 and the allocator settles.
    hammer(mock.port, &mock.key, 10_000);
    let before = mock.rss_kib();
    let started = Instant::now();
    // Two connections at once, 50,000 requests each.
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| hammer(mock.port, &mock.key, 50_000));
        }
    });
    let after = mock.rss_kib();
    eprintln!(
        "pinn-mock RSS: {before} KiB after 10k requests, {after} KiB after 100k more ({:+} KiB) in {:.1} s",
        after as i64 - before as i64,
        started.elapsed().as_secs_f64()
    );
    assert!(
        after <= before + 4096,
        "RSS grew from {before} to {after} KiB"
    );
    let log = control(mock.port, &mock.key, "GET", "/_mock/requests", "").json();
    assert_eq!(
        (&log["total"], log["data"].as_array().map(Vec::len)),
        (&110_000.into(), Some(1000))
    );
    assert_eq!(mock.users(), 0);
}

#[test]
fn oversized_and_malformed_input_is_refused_and_costs_no_memory() {
    let mock = Mock::spawn(&[]);
    hammer(mock.port, &mock.key, 2_000);
    let before = mock.rss_kib();
    let post = |headers: &str, body: &[u8]| {
        let head = format!(
            "POST /v1/users HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\n{headers}\r\n\r\n",
            mock.key
        );
        send_raw(mock.port, [head.as_bytes(), body].concat())
    };
    let huge_header = format!("X-Huge: {}", "a".repeat(64 << 20));
    for _ in 0..3 {
        assert_eq!(post(&huge_header, b"").status, 431);
        assert_eq!(
            post("Content-Length: 2097152", &vec![b' '; 2 << 20]).status,
            413
        );
        let half = vec![b' '; 0x80000];
        let chunks = [&b"80000\r\n"[..], &half, b"\r\n80001\r\n", &half, b"\r\n"].concat();
        assert_eq!(post("Transfer-Encoding: chunked", &chunks).status, 413);
        for framing in [
            "Content-Length: -1",
            "Content-Length: 1180591620717411303424",
            "Content-Length: 2\r\nContent-Length: 3",
            "Content-Length: 2\r\nTransfer-Encoding: chunked",
            "Transfer-Encoding: gzip",
        ] {
            assert_eq!(post(framing, b"{}").status, 400, "{framing}");
        }
    }
    let after = mock.rss_kib();
    eprintln!(
        "pinn-mock RSS: {before} KiB before abuse, {after} KiB after ({:+} KiB)",
        after as i64 - before as i64
    );
    assert!(
        after <= before + 4096,
        "RSS grew from {before} to {after} KiB"
    );
    assert_eq!(mock.users(), 0, "nothing malformed created anything");
    assert_eq!(
        api(mock.port, &mock.key, "GET", "/v1/users", "").status,
        200
    );
}

/// Reads `target` with the key on `readers` connections at once, each answer whole; checks
/// each is 200 and as long as its `Content-Length` said. Returns the bytes of one answer.
fn read_at_once(mock: &Mock, target: &str, readers: usize) -> usize {
    let auth = format!("Bearer {}", mock.key);
    let request = crate::raw::request(
        "GET",
        target,
        &[("Authorization", &auth), ("Connection", "close")],
        "",
    );
    let sizes: Vec<usize> = thread::scope(|s| {
        let all: Vec<_> = (0..readers)
            .map(|_| {
                s.spawn(|| {
                    let got = crate::raw::exchange(mock.port, request.clone());
                    let (reply, used) = parse(&got).expect("a whole answer");
                    assert_eq!((reply.status, used), (200, got.len()), "{}", reply.head);
                    reply.body.len()
                })
            })
            .collect();
        all.into_iter().map(|r| r.join().unwrap()).collect()
    });
    sizes[0]
}

#[test]
fn answers_of_any_size_cost_no_copy_of_what_they_show() {
    let mock = Mock::spawn(&["--request-log", "6"]);
    let auth = format!("Bearer {}", mock.key);
    // The request log holds 6 bodies of 1 MiB, and the store 6 users of 1 MiB of metadata
    // each (and an event holding a copy of each): answers of 6 to 12 MiB, which a debug
    // build serializes slowly enough. Eight copies would be 48 MiB or more, three times
    // what the check below lets the server grow by.
    let blob = "x".repeat((1 << 20) - 64);
    let post = crate::raw::request(
        "POST",
        "/v1/users",
        &[("Authorization", &auth), ("Connection", "close")],
        &blob,
    );
    for _ in 0..6 {
        assert_eq!(send_raw(mock.port, post.clone()).status, 400);
    }
    let user = format!(r#"{{"metadata": {{"blob": "{blob}"}}}}"#);
    let headers = [("Authorization", auth.as_str()), ("Connection", "close")];
    let create = crate::raw::request("POST", "/v1/users", &headers, &user);
    for _ in 0..6 {
        assert_eq!(send_raw(mock.port, create.clone()).status, 200);
    }
    thread::sleep(Duration::from_millis(200));
    let before = mock.rss_kib();
    let mut shown = Vec::new();
    for target in [
        "/_mock/requests",
        "/_mock/state",
        "/v1/users?limit=100",
        "/v1/events?limit=100",
    ] {
        let mut size = 0;
        let peak = mock.peak_rss_kib(|| size = read_at_once(&mock, target, 8));
        eprintln!(
            "pinn-mock RSS: {before} KiB before eight readers of {target} ({} MiB each), \
             {peak} KiB at most while they read ({:+} KiB)",
            size >> 20,
            peak as i64 - before as i64
        );
        assert!(size > 5 << 20, "{target}: {size} bytes");
        shown.push((target, peak));
    }
    // Eight copies of each answer would be 48 to 96 MiB.
    for (target, peak) in shown {
        assert!(
            peak <= before + 16 * 1024,
            "{target}: RSS went from {before} to {peak} KiB"
        );
    }
}

#[test]
fn every_request_of_a_1000_connection_burst_is_answered() {
    const THREADS: usize = 10;
    const PER_THREAD: usize = 100;
    let mock = Mock::spawn(&[]);
    let start = Arc::new(Barrier::new(THREADS));
    let started = Instant::now();
    let results: Vec<(usize, Duration)> = thread::scope(|s| {
        let workers: Vec<_> = (0..THREADS)
            .map(|_| {
                let (start, key) = (Arc::clone(&start), mock.key.clone());
                s.spawn(move || {
                    start.wait();
                    let request = crate::raw::request(
                        "GET",
                        "/v1/users?limit=1",
                        &[("Authorization", &format!("Bearer {key}"))],
                        "",
                    );
                    // Open all of this thread's connections and send on each before reading any.
                    let mut conns: Vec<Conn> =
                        (0..PER_THREAD).map(|_| Conn::open(mock.port)).collect();
                    for c in &mut conns {
                        c.stream.write_all(&request).expect("send");
                    }
                    let mut answered = 0;
                    let mut slowest = Duration::ZERO;
                    for c in &mut conns {
                        if c.read_reply().is_some_and(|r| r.status == 200) {
                            answered += 1;
                        }
                        slowest = slowest.max(started.elapsed());
                    }
                    (answered, slowest)
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).collect()
    });
    let answered: usize = results.iter().map(|r| r.0).sum();
    let slowest = results.iter().map(|r| r.1).max().unwrap_or_default();
    eprintln!(
        "burst: {answered} of {} answered, the last after {slowest:?}",
        THREADS * PER_THREAD
    );
    assert_eq!(answered, THREADS * PER_THREAD);
    // Still serving afterwards, and the connections are gone.
    let again = parse(&crate::raw::exchange(
        mock.port,
        crate::raw::request("GET", "/health", &[("Connection", "close")], "").to_vec(),
    ));
    assert_eq!(again.map(|(r, _)| r.status), Some(200));
}
