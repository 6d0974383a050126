//! The emulator's threads: tiny_http serving requests, and a byte relay in front of it.
//!
//! Clients connect to the relay, which copies bytes both ways between each client socket and
//! its own connection to tiny_http; it never looks inside them. The relay exists because
//! tiny_http cannot close a connection on demand: it keeps each one open for the next request.
//! Holding the client sockets lets the emulator cut one (the `close` and `truncated_body`
//! faults, found by the address tiny_http reports as the request's peer) and cut them all when
//! it stops, so a client's keep-alive pool never holds a connection to a server that is gone.

use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::faults::{self, Fault, FaultKind};
use super::routes::{self, Reply};
use super::store::{random_id, Store};
use super::{lock, RecordedRequest};

/// Threads taking requests from tiny_http. More than one, so a delayed request does not hold
/// up the others.
const WORKERS: usize = 4;
/// The largest request body read; a larger one is answered `400`.
const MAX_BODY_BYTES: u64 = 1 << 20;

/// What the server threads and the [`MockServer`](super::MockServer) handle share.
pub(crate) struct Shared {
    pub secret_key: String,
    pub store: Mutex<Store>,
    pub faults: Mutex<Vec<Fault>>,
    pub requests: Mutex<Vec<RecordedRequest>>,
    conns: Mutex<Conns>,
    stopping: Mutex<bool>,
    wake: Condvar,
}

/// The relay's open connections, keyed by the local address of the relay's socket to
/// tiny_http (which tiny_http reports as the request's peer address).
#[derive(Default)]
struct Conns {
    open: HashMap<SocketAddr, (TcpStream, TcpStream)>,
    pumps: Vec<JoinHandle<()>>,
}

impl Shared {
    fn is_stopping(&self) -> bool {
        *lock(&self.stopping)
    }

    /// Sleeps `d`, or less if the server stops meanwhile: then returns false.
    fn pause(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        let mut stopping = lock(&self.stopping);
        while !*stopping {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return true;
            }
            stopping = match self.wake.wait_timeout(stopping, left) {
                Ok((g, _)) => g,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
        false
    }

    /// Cuts the client connection that `peer` (tiny_http's view) belongs to, after sending
    /// `last_words` to the client.
    fn sever(&self, peer: Option<&SocketAddr>, last_words: &[u8]) {
        let Some(peer) = peer else { return };
        let streams = lock(&self.conns)
            .open
            .get(peer)
            .and_then(|(c, u)| Some((c.try_clone().ok()?, u.try_clone().ok()?)));
        if let Some((mut client, upstream)) = streams {
            if !last_words.is_empty() {
                let _ = client.write_all(last_words).and_then(|()| client.flush());
                let _ = client.shutdown(Shutdown::Write);
            } else {
                let _ = client.shutdown(Shutdown::Both);
            }
            let _ = upstream.shutdown(Shutdown::Both);
        }
    }
}

/// A running emulator: its address and its threads, stopped and joined on drop.
pub(crate) struct Running {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    http: Arc<tiny_http::Server>,
    threads: Vec<JoinHandle<()>>,
}

/// Binds `127.0.0.1:port` (0: any free port) and starts serving.
pub(crate) fn start(port: u16, secret_key: String) -> io::Result<Running> {
    let listener = TcpListener::bind(("127.0.0.1", port))?;
    let addr = listener.local_addr()?;
    let http = tiny_http::Server::http("127.0.0.1:0").map_err(io::Error::other)?;
    let inner = http
        .server_addr()
        .to_ip()
        .ok_or_else(|| io::Error::other("tiny_http did not bind an IP address"))?;
    let http = Arc::new(http);
    let shared = Arc::new(Shared {
        secret_key,
        store: Mutex::new(Store::new()),
        faults: Mutex::default(),
        requests: Mutex::default(),
        conns: Mutex::default(),
        stopping: Mutex::new(false),
        wake: Condvar::new(),
    });
    let mut threads = Vec::with_capacity(WORKERS + 1);
    for i in 0..WORKERS {
        let (http, shared) = (Arc::clone(&http), Arc::clone(&shared));
        let t = thread::Builder::new()
            .name(format!("pinn-mock-worker-{i}"))
            .spawn(move || {
                while let Ok(rq) = http.recv() {
                    serve(&shared, rq);
                }
            })?;
        threads.push(t);
    }
    let relay_shared = Arc::clone(&shared);
    let t = thread::Builder::new()
        .name("pinn-mock-relay".into())
        .spawn(move || relay(&listener, inner, &relay_shared))?;
    threads.push(t);
    Ok(Running {
        addr,
        shared,
        http,
        threads,
    })
}

impl Drop for Running {
    fn drop(&mut self) {
        *lock(&self.shared.stopping) = true;
        self.shared.wake.notify_all();
        // Wake the relay out of accept(); it sees `stopping` and returns.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        let relay = self.threads.pop();
        if let Some(t) = relay {
            let _ = t.join();
        }
        let (open, pumps) = {
            let mut conns = lock(&self.shared.conns);
            (
                std::mem::take(&mut conns.open),
                std::mem::take(&mut conns.pumps),
            )
        };
        for (client, upstream) in open.values() {
            let _ = client.shutdown(Shutdown::Both);
            let _ = upstream.shutdown(Shutdown::Both);
        }
        for t in pumps {
            let _ = t.join();
        }
        for _ in 0..self.threads.len() {
            self.http.unblock();
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

/// Accepts clients, connects each to tiny_http and starts copying both ways.
fn relay(listener: &TcpListener, inner: SocketAddr, shared: &Arc<Shared>) {
    for client in listener.incoming() {
        if shared.is_stopping() {
            return;
        }
        let Ok(client) = client else {
            // Out of file descriptors, say: let it pass rather than spin.
            thread::sleep(Duration::from_millis(5));
            continue;
        };
        let Ok(upstream) = TcpStream::connect(inner) else {
            continue;
        };
        let _ = client.set_nodelay(true);
        let _ = upstream.set_nodelay(true);
        let Ok(key) = upstream.local_addr() else {
            continue;
        };
        let clones = || -> io::Result<[TcpStream; 6]> {
            Ok([
                client.try_clone()?,
                client.try_clone()?,
                client.try_clone()?,
                upstream.try_clone()?,
                upstream.try_clone()?,
                upstream.try_clone()?,
            ])
        };
        let Ok([c_read, c_write, c_keep, u_read, u_write, u_keep]) = clones() else {
            continue;
        };
        let mut conns = lock(&shared.conns);
        conns.pumps.retain(|t| !t.is_finished());
        conns.open.insert(key, (c_keep, u_keep));
        let to_server = thread::Builder::new()
            .name("pinn-mock-pump".into())
            .spawn(move || pump(c_read, u_write));
        let back_shared = Arc::clone(shared);
        let to_client = thread::Builder::new()
            .name("pinn-mock-pump".into())
            .spawn(move || {
                pump(u_read, c_write);
                lock(&back_shared.conns).open.remove(&key);
            });
        for t in [to_server, to_client] {
            match t {
                Ok(t) => conns.pumps.push(t),
                Err(_) => {
                    let _ = client.shutdown(Shutdown::Both);
                    let _ = upstream.shutdown(Shutdown::Both);
                }
            }
        }
    }
}

/// Copies `from` to `to` until the end, then passes the end on (or, after an error, cuts
/// both).
fn pump(mut from: TcpStream, mut to: TcpStream) {
    match io::copy(&mut from, &mut to) {
        Ok(_) => {
            let _ = to.shutdown(Shutdown::Write);
        }
        Err(_) => {
            let _ = from.shutdown(Shutdown::Both);
            let _ = to.shutdown(Shutdown::Both);
        }
    }
}

/// Handles one request from tiny_http: record it, apply a fault or answer it.
fn serve(shared: &Shared, mut rq: tiny_http::Request) {
    let request_id = random_id("req");
    let (recorded, too_large) = read_request(&mut rq);
    lock(&shared.requests).push(recorded.clone());
    let fault = faults::take(&mut lock(&shared.faults), &recorded.method, &recorded.path);
    let mut reply = None;
    match fault {
        Some(FaultKind::Close) => {
            shared.sever(rq.remote_addr(), b"");
            drop(rq.into_writer());
            return;
        }
        Some(FaultKind::Truncated) => {
            shared.sever(rq.remote_addr(), &faults::truncated_response(&request_id));
            drop(rq.into_writer());
            return;
        }
        // A delay cut short by the server stopping answers nothing (dropping `rq` itself
        // would answer 500); else it answers normally.
        Some(FaultKind::Delay(d)) if !shared.pause(d) => {
            drop(rq.into_writer());
            return;
        }
        Some(kind) => reply = faults::reply(&kind),
        None => {}
    }
    let reply = reply.unwrap_or_else(|| {
        if too_large {
            Reply::error(400, "the request body is larger than 1 MiB")
        } else {
            routes::handle(&shared.store, &shared.secret_key, &recorded, &request_id)
        }
    });
    respond(rq, reply, &request_id);
}

/// The request as recorded, and whether its body was cut at [`MAX_BODY_BYTES`].
fn read_request(rq: &mut tiny_http::Request) -> (RecordedRequest, bool) {
    let url = rq.url().to_string();
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (url, None),
    };
    let headers = rq
        .headers()
        .iter()
        .map(|h| (h.field.as_str().to_string(), h.value.to_string()))
        .collect();
    let mut body = Vec::new();
    // A client that goes away mid-body leaves what arrived.
    let _ = rq
        .as_reader()
        .take(MAX_BODY_BYTES + 1)
        .read_to_end(&mut body);
    let too_large = body.len() as u64 > MAX_BODY_BYTES;
    body.truncate(MAX_BODY_BYTES as usize);
    let recorded = RecordedRequest {
        method: rq.method().as_str().to_string(),
        path,
        query,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    (recorded, too_large)
}

fn respond(rq: tiny_http::Request, reply: Reply, request_id: &str) {
    let mut response = tiny_http::Response::from_string(reply.body)
        .with_status_code(reply.status)
        .with_chunked_threshold(usize::MAX);
    let fixed = [
        ("Content-Type", reply.content_type.to_string()),
        ("Request-Id", request_id.to_string()),
    ];
    for (name, value) in fixed.into_iter().chain(reply.headers) {
        if let Ok(h) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
            response.add_header(h);
        }
    }
    // tiny_http's `respond` writes the head and the body separately, and Nagle's algorithm
    // then holds the body back until the client's delayed ACK: 40 ms per large answer. So
    // tiny_http prints the answer into memory and it goes out in one write.
    let mut bytes = Vec::with_capacity(256 + response.data_length().unwrap_or(0));
    let head_only = rq.method() == &tiny_http::Method::Head;
    let printed = response.raw_print(
        &mut bytes,
        rq.http_version().clone(),
        rq.headers(),
        head_only,
        None,
    );
    if printed.is_ok() {
        let mut writer = rq.into_writer();
        // The client may have given up (a delay fault); nothing to do about it.
        let _ = writer.write_all(&bytes).and_then(|()| writer.flush());
    }
}
