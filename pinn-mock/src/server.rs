//! The emulator's threads and sockets: one thread accepting connections, one thread per
//! connection reading requests in turn (keep-alive, closed when idle), each request handed to
//! `dispatch`.
//!
//! Owning the sockets is what lets a fault cut a connection or an answer, and lets dropping the
//! server close every connection, so a client's keep-alive pool never holds one to a server
//! that is gone.
//!
//! At most [`Shared::max_connections`] connections are served for the API at once. A few more
//! ([`CONTROL_RESERVE`]) are accepted for the control API alone, so that a test can still
//! clear faults or reset an emulator whose connections are all held (by delayed requests,
//! say); past those, a connection is answered `503` and closed.

use std::io::{self, Read};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::dispatch;
use super::http::{Conn, Next, Rejection};
use super::reply::Reply;
use super::state::{Settings, Shared, lock};
use super::wire::{self, CLOSE};

/// The accept queue asked of the kernel (which caps it at `net.core.somaxconn`, 4096 on
/// current Linux). std listens with 128, and a burst of a thousand connections overflows that:
/// the kernel then drops handshakes, and clients wait a second or more to retry.
const BACKLOG: i32 = 4096;
/// Connections accepted past the API's, for the control API only.
pub(crate) const CONTROL_RESERVE: usize = 16;
/// The stack of a connection thread, a quarter of std's default. The deepest JSON a body may
/// hold ([`MAX_DEPTH`](super::json::MAX_DEPTH) levels, 128 in a snapshot restored), parsed,
/// copied, printed, signed and dropped, needs well under 256 KiB in a debug build
/// (`bodies_nested_at_the_limit_are_read_back_everywhere`); this leaves twice that. Only the
/// pages a thread touches cost memory.
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
        let reserved = {
            let mut conns = lock(&shared.conns);
            let open = conns.len();
            if open >= shared.max_connections.saturating_add(CONTROL_RESERVE) {
                drop(conns);
                refuse(&stream, 503, "too many connections to the emulator");
                continue;
            }
            conns.insert(id, Arc::clone(&stream));
            open >= shared.max_connections
        };
        let serving = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("pinn-mock-conn".into())
            .stack_size(STACK_SIZE)
            .spawn(move || {
                serve_connection(&serving, &stream, reserved);
                let mut conns = lock(&serving.conns);
                conns.remove(&id);
                if conns.is_empty() {
                    serving.all_closed.notify_all();
                }
            });
        if spawned.is_err() {
            // Taken out first: the lock is not held while the refusal is written.
            let stream = lock(&shared.conns).remove(&id);
            if let Some(stream) = stream {
                refuse(&stream, 503, "the emulator cannot start another thread");
            }
        }
    }
}

/// Answers an error on a connection that will not be served, and closes it. This runs on the
/// accepting thread, so it neither waits on a slow client nor lingers.
fn refuse(stream: &TcpStream, status: u16, message: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(100)));
    let _ = wire::send(stream, &Reply::error(status, message), "req_refused", CLOSE);
    let _ = stream.shutdown(Shutdown::Write);
}

/// Serves requests on one connection until it closes, goes idle or must be cut. A `reserved`
/// connection serves the control API only.
fn serve_connection(shared: &Shared, stream: &TcpStream, reserved: bool) {
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
                let _ = wire::send(conn.io, &reply, &shared.request_id(), CLOSE);
                linger(conn.io);
                return;
            }
        };
        // The handlers never panic on what a client sends; if one did anyway, the client gets
        // a 500 and the connection closes, and the server carries on.
        let served = panic::catch_unwind(AssertUnwindSafe(|| {
            dispatch::handle(shared, &mut conn, request, reserved)
        }));
        let keep_open = served.unwrap_or_else(|_| {
            let reply = Reply::error(500, "the emulator failed on this request");
            let _ = wire::send(conn.io, &reply, &shared.request_id(), CLOSE);
            false
        });
        if !keep_open || shared.is_stopping() {
            let _ = conn.io.shutdown(Shutdown::Write);
            return;
        }
    }
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
