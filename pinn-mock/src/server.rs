//! The emulator's threads and sockets: one thread accepting connections, one thread per
//! connection reading requests in turn (keep-alive, closed when idle), and what a request goes
//! through: the control API, or the request log, the faults and the API.
//!
//! Owning the sockets is what lets a fault cut a connection or an answer, and lets dropping the
//! server close every connection, so a client's keep-alive pool never holds one to a server
//! that is gone.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::control;
use super::faults::{self, FaultKind, Taken};
use super::http::{self, Answer, Conn, Next, Rejection};
use super::requests::RecordedRequest;
use super::routes::{self, Reply};
use super::state::{Settings, Shared, lock};

/// The accept queue asked of the kernel (which caps it at `net.core.somaxconn`, 4096 on
/// current Linux). std listens with 128, and a burst of a thousand connections overflows that:
/// the kernel then drops handshakes, and clients wait a second or more to retry.
const BACKLOG: i32 = 4096;
/// Connections served at once; more are answered `503` and closed.
const MAX_CONNECTIONS: usize = 4096;
/// The stack of a connection thread, a quarter of std's default. The deepest JSON serde_json
/// accepts (128 levels), parsed, copied, printed, signed and dropped, needs between 160 and
/// 256 KiB in a debug build (`json_nested_as_deep_as_the_parser_allows_is_stored_and_served`);
/// this leaves twice that. Only the pages a thread touches cost memory.
const STACK_SIZE: usize = 512 * 1024;
/// How long a lingering close drains what a refused client still sends.
const LINGER: Duration = Duration::from_secs(2);
/// How much a lingering close drains at most.
const LINGER_BYTES: usize = 128 << 20;
/// The least time a write may wait on a client that reads nothing; the idle timeout, if
/// longer, is the limit.
const MIN_WRITE_STALL: Duration = Duration::from_secs(1);

/// A running emulator: its address and its threads, stopped and joined on drop.
pub(crate) struct Running {
    pub addr: SocketAddr,
    pub shared: Arc<Shared>,
    acceptor: Option<JoinHandle<()>>,
}

/// Binds `127.0.0.1:port` (0: any free port) and starts serving.
pub(crate) fn start(settings: Settings) -> io::Result<Running> {
    let listener = listen(settings.port)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared::new(settings, format!("http://{addr}")));
    let accepting = Arc::clone(&shared);
    let acceptor = thread::Builder::new()
        .name("pinn-mock-accept".into())
        .spawn(move || accept(&listener, &accepting))?;
    Ok(Running {
        addr,
        shared,
        acceptor: Some(acceptor),
    })
}

/// A listener on loopback with a long accept queue (see [`BACKLOG`]). socket2 is the one way
/// to choose the backlog without unsafe code; std's `bind` always asks for 128.
fn listen(port: u16) -> io::Result<TcpListener> {
    use socket2::{Domain, Socket, Type};
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None)?;
    // What std's bind does too: a restarted server can take its port back from TIME_WAIT.
    socket.set_reuse_address(true)?;
    socket.bind(&SocketAddr::from(([127, 0, 0, 1], port)).into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}

impl Drop for Running {
    fn drop(&mut self) {
        let shared = &self.shared;
        *lock(&shared.stopping) = true;
        shared.wake.notify_all();
        // Wake the acceptor out of accept(); it sees `stopping` and returns.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.acceptor.take() {
            let _ = t.join();
        }
        let mut conns = lock(&shared.conns);
        for stream in conns.values() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        // Each connection thread leaves the map as it ends; wait for them all, a while.
        let deadline = Instant::now() + Duration::from_secs(5);
        while !conns.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            conns = match shared.all_closed.wait_timeout(conns, left) {
                Ok((g, _)) => g,
                Err(poisoned) => poisoned.into_inner().0,
            };
        }
    }
}

/// Accepts connections until the server stops, each served on a thread of its own.
fn accept(listener: &TcpListener, shared: &Arc<Shared>) {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(_) if shared.is_stopping() => return,
            Err(_) => {
                // Out of file descriptors, say: let it pass rather than spin.
                thread::sleep(Duration::from_millis(5));
                continue;
            }
        };
        if shared.is_stopping() {
            return;
        }
        let _ = stream.set_nodelay(true);
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let stream = Arc::new(stream);
        {
            let mut conns = lock(&shared.conns);
            if conns.len() >= MAX_CONNECTIONS {
                drop(conns);
                refuse(&stream, 503, "too many connections to the emulator");
                continue;
            }
            conns.insert(id, Arc::clone(&stream));
        }
        let serving = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("pinn-mock-conn".into())
            .stack_size(STACK_SIZE)
            .spawn(move || {
                serve_connection(&serving, &stream);
                let mut conns = lock(&serving.conns);
                conns.remove(&id);
                if conns.is_empty() {
                    serving.all_closed.notify_all();
                }
            });
        if spawned.is_err()
            && let Some(stream) = lock(&shared.conns).remove(&id)
        {
            refuse(&stream, 503, "the emulator cannot start another thread");
        }
    }
}

/// Answers an error on a connection that will not be served, and closes it. This runs on the
/// accepting thread, so it neither waits on a slow client nor lingers.
fn refuse(stream: &TcpStream, status: u16, message: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let reply = Reply::error(status, message);
    let _ = send(stream, &reply, "req_refused", CLOSE);
    let _ = stream.shutdown(Shutdown::Write);
}

/// Serves requests on one connection until it closes, goes idle or must be cut.
fn serve_connection(shared: &Shared, stream: &TcpStream) {
    // A client that sends requests and never reads the answers would otherwise block this
    // thread in a write until it disconnects: a write that makes no progress for this long
    // fails, and the connection closes.
    let _ = stream.set_write_timeout(Some(shared.idle_timeout.max(MIN_WRITE_STALL)));
    let mut conn = Conn::new(stream, shared.idle_timeout);
    loop {
        let request = match conn.next_request() {
            Next::Request(r) => r,
            Next::Gone => return,
            Next::Reject(Rejection { status, message }) => {
                let reply = Reply::error(status, &message);
                let _ = send(conn.io, &reply, &shared.request_id(), CLOSE);
                linger(conn.io);
                return;
            }
        };
        // The handlers never panic on what a client sends; if one did anyway, the client gets
        // a 500 and the connection closes, and the server carries on.
        let served = panic::catch_unwind(AssertUnwindSafe(|| handle(shared, &mut conn, request)));
        let keep_open = served.unwrap_or_else(|_| {
            let reply = Reply::error(500, "the emulator failed on this request");
            let _ = send(conn.io, &reply, &shared.request_id(), CLOSE);
            false
        });
        if !keep_open || shared.is_stopping() {
            let _ = conn.io.shutdown(Shutdown::Write);
            return;
        }
    }
}

/// What happens to a request's answer.
enum Outcome {
    Answer(Reply),
    /// Close the connection, answering nothing.
    Cut,
    /// Write these bytes, then close.
    Partial(Vec<u8>),
}

/// Handles one request; returns whether the connection stays open.
fn handle(shared: &Shared, conn: &mut Conn<&TcpStream>, request: http::Request) -> bool {
    let close = !request.keep_alive || shared.is_stopping();
    let framing = Framing {
        head_only: request.method == "HEAD",
        close,
        keep_alive_10: request.http10 && !close,
    };
    let recorded = RecordedRequest {
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        body: String::from_utf8_lossy(&request.body).into_owned(),
    };
    let (outcome, request_id) = if control::owns(&recorded.path) {
        // Control calls draw no request ID from the seeded stream: they would shift the IDs
        // of the API's answers.
        let id = format!(
            "req_mock_{}",
            shared.control_ids.fetch_add(1, Ordering::Relaxed)
        );
        (Outcome::Answer(control::handle(shared, &recorded)), id)
    } else {
        let id = shared.request_id();
        (answer(shared, recorded, &id), id)
    };
    match outcome {
        Outcome::Answer(reply) => send(conn.io, &reply, &request_id, framing).is_ok() && !close,
        Outcome::Cut => {
            let _ = conn.io.shutdown(Shutdown::Both);
            false
        }
        Outcome::Partial(bytes) => {
            let _ = conn.io.write_all(&bytes).and_then(|()| conn.io.flush());
            let _ = conn.io.shutdown(Shutdown::Both);
            false
        }
    }
}

/// An API request: recorded, then faulted or answered.
fn answer(shared: &Shared, recorded: RecordedRequest, request_id: &str) -> Outcome {
    let fault = lock(&shared.faults).take(&recorded.method, &recorded.path);
    lock(&shared.requests).push(recorded.clone());
    let api =
        |r: &RecordedRequest| routes::handle(&shared.store, &shared.secret_key, r, request_id);
    let Some(Taken { kind, after_commit }) = fault else {
        return Outcome::Answer(api(&recorded));
    };
    if !after_commit {
        return match kind {
            FaultKind::Close => Outcome::Cut,
            FaultKind::Truncated => Outcome::Partial(faults::truncated_response(request_id)),
            // A delay cut short by the server stopping answers nothing.
            FaultKind::Delay(d) if !shared.pause(d) => Outcome::Cut,
            FaultKind::Delay(_) => Outcome::Answer(api(&recorded)),
            kind => Outcome::Answer(faults::reply(&kind).unwrap_or_else(|| api(&recorded))),
        };
    }
    // After the commit: the API acts, then its answer is spoiled.
    let reply = api(&recorded);
    match kind {
        FaultKind::Close => Outcome::Cut,
        FaultKind::Truncated => {
            let whole = answer_bytes(&reply, request_id, CLOSE);
            let cut = whole.len() - reply.body.len() / 2 - 1;
            Outcome::Partial(whole.get(..cut).unwrap_or_default().to_vec())
        }
        FaultKind::Delay(d) if !shared.pause(d) => Outcome::Cut,
        FaultKind::Delay(_) => Outcome::Answer(reply),
        kind => Outcome::Answer(faults::reply(&kind).unwrap_or(reply)),
    }
}

/// How an answer is framed on the wire.
#[derive(Debug, Clone, Copy)]
struct Framing {
    /// HEAD: the head alone.
    head_only: bool,
    /// Say `Connection: close` (and close after).
    close: bool,
    /// Say `Connection: keep-alive`, to an HTTP/1.0 client that asked for it.
    keep_alive_10: bool,
}

/// An answer after which the connection closes.
const CLOSE: Framing = Framing {
    head_only: false,
    close: true,
    keep_alive_10: false,
};

/// The bytes of a reply, with the headers every answer carries.
fn answer_bytes(reply: &Reply, request_id: &str, framing: Framing) -> Vec<u8> {
    let mut headers: Vec<(&str, &str)> = vec![
        ("Content-Type", reply.content_type),
        ("Request-Id", request_id),
    ];
    headers.extend(reply.headers.iter().map(|(n, v)| (*n, v.as_str())));
    Answer {
        status: reply.status,
        headers: &headers,
        body: reply.body.as_bytes(),
        head_only: framing.head_only,
        close: framing.close,
        keep_alive_10: framing.keep_alive_10,
    }
    .to_bytes()
}

/// Writes a reply in one write.
fn send(
    mut stream: &TcpStream,
    reply: &Reply,
    request_id: &str,
    framing: Framing,
) -> io::Result<()> {
    stream.write_all(&answer_bytes(reply, request_id, framing))?;
    stream.flush()
}

/// Closes a connection after an error answer without losing the answer: stop writing, then
/// read and drop what the client still sends, a while. Closing a socket with unread input
/// resets the connection, and a reset can discard the answer before the client reads it.
fn linger(mut stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut scratch = [0u8; 8192];
    let mut drained = 0;
    while drained < LINGER_BYTES {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() || stream.set_read_timeout(Some(left)).is_err() {
            return;
        }
        match stream.read(&mut scratch) {
            Ok(0) | Err(_) => return,
            Ok(n) => drained += n,
        }
    }
}
