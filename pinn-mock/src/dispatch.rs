//! What one request goes through once it is read: the control API, or the request log, the
//! key, the faults and the API, and then the wire.
//!
//! Authentication comes before the faults: a request without the right key gets its `401`
//! and uses up no fault, as the docs promise ("authentication first"). A delay fault waits
//! on the connection's own thread, and ends early when its client goes away or the faults
//! are cleared (the request then goes on), or the emulator is reset or stops (it is then
//! dropped): see [`Shared::delay`].

use std::io::Write;
use std::net::{Shutdown, TcpStream};
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::control;
use super::faults::{self, FaultKind, Taken};
use super::http::{self, Conn};
use super::reply::Reply;
use super::requests::RecordedRequest;
use super::routes;
use super::state::{Shared, Waited, lock};
use super::wire::{self, CLOSE, Framing};

/// What happens to a request's answer.
enum Outcome {
    Answer(Reply),
    /// Close the connection, answering nothing.
    Cut,
    /// Write these bytes, then close.
    Partial(Vec<u8>),
    /// Write this answer's head and part of its body, then close.
    CutShort(Reply),
}

/// Handles one request; returns whether the connection stays open. `reserved`: the
/// connection is one of those kept for the control API while the API's are all in use.
pub(crate) fn handle(
    shared: &Shared,
    conn: &mut Conn<&TcpStream>,
    request: http::Request,
    reserved: bool,
) -> bool {
    let close = !request.keep_alive || shared.is_stopping();
    let framing = Framing {
        head_only: request.method == "HEAD",
        close,
        keep_alive_10: request.http10 && !close,
    };
    let authority = request.authority;
    let recorded = RecordedRequest {
        method: request.method,
        path: request.path,
        query: request.query,
        headers: request.headers,
        // Without a copy when it is UTF-8, as JSON is.
        body: String::from_utf8(request.body)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
    };
    if control::owns(&recorded.path) {
        // Control calls draw no request ID from the seeded stream: they would shift the IDs
        // of the API's answers.
        let id = format!(
            "req_mock_{}",
            shared.control_ids.fetch_add(1, Ordering::Relaxed)
        );
        let reply = control::handle(shared, &recorded, authority.as_deref());
        return wire::send(conn.io, &reply, &id, framing).is_ok() && !close;
    }
    if reserved {
        let message = format!(
            "the emulator is serving its most connections ({}); this one was kept for the \
             control API (/_mock/)",
            shared.max_connections
        );
        let _ = wire::send(conn.io, &Reply::error(503, &message), "req_refused", CLOSE);
        return false;
    }
    let request_id = shared.request_id();
    match answer(shared, conn.io, recorded, &request_id) {
        Outcome::Answer(reply) => {
            wire::send(conn.io, &reply, &request_id, framing).is_ok() && !close
        }
        Outcome::Cut => {
            let _ = conn.io.shutdown(Shutdown::Both);
            false
        }
        Outcome::Partial(bytes) => {
            let mut io = conn.io;
            let _ = io.write_all(&bytes).and_then(|()| io.flush());
            let _ = conn.io.shutdown(Shutdown::Both);
            false
        }
        Outcome::CutShort(reply) => {
            wire::send_cut_short(conn.io, &reply, &request_id);
            let _ = conn.io.shutdown(Shutdown::Both);
            false
        }
    }
}

/// An API request: recorded, authenticated, then faulted or answered.
fn answer(
    shared: &Shared,
    client: &TcpStream,
    recorded: RecordedRequest,
    request_id: &str,
) -> Outcome {
    let recorded = Arc::new(recorded);
    lock(&shared.requests).push(Arc::clone(&recorded));
    if let Some(refused) = routes::unauthorized(&recorded, &shared.secret_key) {
        return Outcome::Answer(refused);
    }
    let (fault, epoch) = shared.take_fault(&recorded.method, &recorded.path);
    let api = || routes::handle(&shared.store, &shared.secret_key, &recorded, request_id);
    let Some(Taken { kind, after_commit }) = fault else {
        return Outcome::Answer(api());
    };
    if !after_commit {
        return match kind {
            FaultKind::Close => Outcome::Cut,
            FaultKind::Truncated => Outcome::Partial(faults::truncated_response(request_id)),
            FaultKind::Delay(d) => match shared.delay(d, client, epoch) {
                Waited::Done => Outcome::Answer(api()),
                Waited::Cut => Outcome::Cut,
            },
            kind => Outcome::Answer(faults::reply(&kind).unwrap_or_else(api)),
        };
    }
    // After the commit: the API acts, then its answer is spoiled.
    let reply = api();
    match kind {
        FaultKind::Close => Outcome::Cut,
        FaultKind::Truncated => Outcome::CutShort(reply),
        FaultKind::Delay(d) => match shared.delay(d, client, epoch) {
            Waited::Done => Outcome::Answer(reply),
            Waited::Cut => Outcome::Cut,
        },
        kind => Outcome::Answer(faults::reply(&kind).unwrap_or(reply)),
    }
}
