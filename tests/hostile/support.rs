//! Helpers for the hostile-server tests: a raw HTTP/1.1 server on 127.0.0.1 that writes
//! whatever bytes a test wants, a recording sleeper, a deadline guard, and a log capture that
//! fails the suite if the secret key is ever logged.
//!
//! Every connection is served on its own thread, one request per connection; the server
//! stops accepting when dropped.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, Once};
use std::thread;
use std::time::{Duration, Instant};

/// The example key every hostile test uses. It must never appear in an error or a log line.
pub const KEY: &str = "sk_test_HOSTILE_4eC39HqLyjWDarjtT1zdp7dc";

/// One request as the server read it.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Seen {
    /// The first header of that name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(usize, &Seen, &mut TcpStream) + Send + Sync;
type RawHandler = dyn Fn(usize, &mut TcpStream) + Send + Sync;

/// A misbehaving server on 127.0.0.1.
pub struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
    accepted: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Reads each request (head and `Content-Length` body), records it, and lets `handler`
    /// write the reply. `n` counts requests from 0. The connection is closed afterwards.
    pub fn start(handler: impl Fn(usize, &Seen, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let handler: Arc<Handler> = Arc::new(handler);
        Server::spawn(move |n, stream, seen| {
            let Some(req) = read_request(stream) else {
                return;
            };
            seen.lock().unwrap().push(req.clone());
            handler(n, &req, stream);
        })
    }

    /// Like [`start`](Server::start), but keeps each connection open for further requests
    /// (the handler must answer with [`respond_keep_alive`]), so clients reuse pooled
    /// connections.
    pub fn start_keep_alive(
        handler: impl Fn(usize, &Seen, &mut TcpStream) + Send + Sync + 'static,
    ) -> Server {
        let handler: Arc<Handler> = Arc::new(handler);
        let requests = Arc::new(AtomicUsize::new(0));
        Server::spawn(move |_, stream, seen| {
            while let Some(req) = read_request(stream) {
                seen.lock().unwrap().push(req.clone());
                handler(requests.fetch_add(1, Ordering::SeqCst), &req, stream);
            }
        })
    }

    /// Hands each accepted connection to `handler` as is: nothing read, nothing recorded.
    pub fn start_raw(handler: impl Fn(usize, &mut TcpStream) + Send + Sync + 'static) -> Server {
        let handler: Arc<RawHandler> = Arc::new(handler);
        Server::spawn(move |n, stream, _| handler(n, stream))
    }

    fn spawn(
        serve: impl Fn(usize, &mut TcpStream, &Mutex<Vec<Seen>>) + Send + Sync + 'static,
    ) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let accepted = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let serve = Arc::new(serve);
        let (seen2, accepted2, stop2) = (seen.clone(), accepted.clone(), stop.clone());
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stop2.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let n = accepted2.fetch_add(1, Ordering::SeqCst);
                let (serve, seen) = (serve.clone(), seen2.clone());
                thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(3)));
                    let _ = stream.set_write_timeout(Some(Duration::from_secs(3)));
                    serve(n, &mut stream, &seen);
                });
            }
        });
        Server {
            port,
            seen,
            accepted,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every request read so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
    }
}

/// Reads one request head and its `Content-Length` body; `None` if the peer gave up.
pub fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let path = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut seen = Seen {
        method,
        path,
        headers,
        body: buf[head_end + 4..].to_vec(),
    };
    let len: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while seen.body.len() < len {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        seen.body.extend_from_slice(&chunk[..n]);
    }
    Some(seen)
}

/// Writes a whole response with `Content-Length` and `Connection: close`.
pub fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, &str)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(body);
    let _ = stream.write_all(&bytes);
    let _ = stream.flush();
}

/// A JSON response that leaves the connection open for the next request.
pub fn respond_keep_alive(stream: &mut TcpStream, status: u16, body: &str) {
    let head = format!(
        "HTTP/1.1 {status} Whatever\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    // One write: a head and a body in two small writes meet Nagle and delayed ACKs.
    let _ = stream.write_all(format!("{head}{body}").as_bytes());
    let _ = stream.flush();
}

/// A JSON response.
pub fn respond_json(stream: &mut TcpStream, status: u16, body: &str) {
    respond(
        stream,
        status,
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
}

/// Holds the connection open, unanswered, for longer than any test waits.
pub fn hang() {
    thread::sleep(Duration::from_secs(6));
}

/// A user object with this ID.
pub fn user_json(id: &str) -> String {
    format!(
        r#"{{"object":"user","user_id":"{id}","created_at":1700000000,"updated_at":1700000000,
        "authenticated_at":null,"device_enrolled":false,"left_palm_enrolled":false,
        "right_palm_enrolled":false,"metadata":{{}},"status":"active"}}"#
    )
}

/// A port nothing listens on: bind port 0, note it, drop the listener.
pub fn refused_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = l.local_addr().unwrap().port();
    drop(l);
    port
}

thread_local! {
    static WAITS: RefCell<Vec<Duration>> = const { RefCell::new(Vec::new()) };
}

/// The sleeper every test client uses: records the wait on this thread, never sleeps.
pub fn record_sleep(d: Duration) {
    WAITS.with(|w| w.borrow_mut().push(d));
}

/// The waits recorded on this thread since the last call.
pub fn take_waits() -> Vec<Duration> {
    WAITS.with(|w| std::mem::take(&mut *w.borrow_mut()))
}

/// A config builder for `url` with the test key, the recording sleeper and short timeouts.
pub fn builder(url: &str) -> pinn::ConfigBuilder {
    install_logger();
    pinn::Config::builder()
        .secret_key(KEY)
        .api_host(url)
        .sleeper(record_sleep)
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(2))
}

/// A client for `url` (see [`builder`]).
pub fn client(url: &str) -> pinn::Client {
    pinn::Client::new(builder(url).build().unwrap())
}

/// Runs `f` on its own thread and fails the test if it takes longer than `limit`. The
/// recording sleeper is per thread, so `f` should read its own waits.
pub fn within<R: Send + 'static>(limit: Duration, f: impl FnOnce() -> R + Send + 'static) -> R {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let worker = thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(limit) {
        Ok(r) => r,
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => std::panic::resume_unwind(panic),
            Ok(()) => unreachable!("the worker sent nothing but did not panic"),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => {
            panic!("still running after {:?}", started.elapsed())
        }
    }
}

/// Asserts the error shows no secret, in `Display`, `Debug`, or anywhere down its source
/// chain, and that nothing logged so far did either.
pub fn assert_clean(e: &pinn::Error) {
    let mut shown = format!("{e} {e:?}");
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        shown.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!shown.contains(KEY), "the key leaked: {shown}");
    assert!(
        !shown.contains("HOSTILE"),
        "part of the key leaked: {shown}"
    );
    assert_no_key_logged();
}

/// Captures every log record, at every level and from every target (ureq's and ureq_proto's
/// included), and remembers any that shows the key.
///
/// At `trace`, `ureq_proto` writes every byte on the wire as 16-byte hex rows: a row can hold
/// a fragment of a key a server echoes in a body, never the whole key (it is 40 bytes long),
/// so those rows are checked for the whole key; every other line for any telling part of it.
struct Capture;

static LEAKS: Mutex<Vec<String>> = Mutex::new(Vec::new());
static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());
thread_local! {
    /// The text column of the `ureq_proto` hex rows logged on this thread, joined: what a
    /// reader of the trace log can put back together across rows. ureq runs a call on the
    /// calling thread, so a test reads its own calls' rows here, unmixed with other tests'.
    static WIRE_TEXT: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        let mut line = format!("{} {} {}", record.level(), record.target(), record.args());
        let mut kv = KvLine(&mut line);
        let _ = record.key_values().visit(&mut kv);
        let hex_row =
            record.target().starts_with("ureq_proto") && record.level() == log::Level::Trace;
        let leaked = if hex_row {
            line.contains(KEY)
        } else {
            line.contains("HOSTILE")
        };
        if leaked {
            LEAKS.lock().unwrap().push(line.clone());
        }
        if hex_row {
            let row = record.args().to_string();
            let text: String = row
                .chars()
                .rev()
                .take(16)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            WIRE_TEXT.with(|w| w.borrow_mut().push_str(&text));
        }
        if record.target().starts_with("pinn") {
            RECORDS.lock().unwrap().push(line);
        }
    }
    fn flush(&self) {}
}

/// Appends a record's key-values to its line, as `key=value`.
struct KvLine<'a>(&'a mut String);

impl<'kvs> log::kv::VisitSource<'kvs> for KvLine<'_> {
    fn visit_pair(
        &mut self,
        key: log::kv::Key<'kvs>,
        value: log::kv::Value<'kvs>,
    ) -> Result<(), log::kv::Error> {
        self.0.push_str(&format!(" {key}={value}"));
        Ok(())
    }
}

/// Installs the capturing logger, at `Trace`, once per test binary.
pub fn install_logger() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        if log::set_logger(&Capture).is_ok() {
            log::set_max_level(log::LevelFilter::Trace);
        }
    });
}

/// Whether `text` can be read in the trace log's hex rows logged on this thread, put
/// together across rows.
pub fn wire_log_shows(text: &str) -> bool {
    WIRE_TEXT.with(|w| w.borrow().contains(text))
}

/// Fails if any record logged so far (by pinn, ureq or anything else) showed the key.
pub fn assert_no_key_logged() {
    let leaks = LEAKS.lock().unwrap().clone();
    assert!(leaks.is_empty(), "the key was logged: {leaks:?}");
}

/// The pinn log lines captured so far (from every test in this binary).
pub fn pinn_records() -> Vec<String> {
    RECORDS.lock().unwrap().clone()
}
