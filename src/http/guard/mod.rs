//! The secret key's guard on the wire, the last link of the agent's connector chain (above
//! TLS, so the request's connection shows it plain HTTP).
//!
//! ureq logs what it handles: response headers at `debug`, the full URL and `Location` at
//! `trace`, and every byte in 16-byte hex rows at `trace` (`ureq_proto`). So ureq is never
//! given the key:
//!
//! - **Out.** The request carries `Authorization: Bearer ***…` (one `*` per byte of the key).
//!   When ureq hands the request head to the connection, this guard writes the key over the
//!   stars, in place, after ureq has logged the head.
//! - **In.** A server may echo the key in a response header, or in an error's body ("invalid
//!   key sk_…"). Before ureq parses (and logs) a response head, the guard overwrites every
//!   copy of the key in it with `*`s; and, while ureq's wire dump is logged, in the body of
//!   a response that is not a `2xx`, as it arrives (a copy split between two reads of the
//!   socket is missed). A success body is never touched: data reaches its model exactly as
//!   sent. Keys shorter than 16 bytes are not searched for (they could match ordinary text).
//!
//! **Which write is the request head.** Every connection ureq makes runs through the chain,
//! a `CONNECT` proxy's too (its connection is made, and its `CONNECT` written, before the
//! request's connection is wrapped around it), so the guard wraps them all and finds the
//! head by what it is, not by which connection it is on or which write it is: the first write
//! of the attempt that starts with a request line (`GET /v1/… HTTP/1.1`, or an absolute-form
//! `GET http://host/v1/… HTTP/1.1` naming the API's own host). ureq hands the head to the
//! outermost connection, which passes it down, so the connection that claims it is the one
//! carrying the request, wherever a proxy listens (on the API's own host and port
//! included). A connection that wrote a `CONNECT` (ureq writes one in pieces) is a proxy's:
//! what it carries before the head is claimed (the tunnel's TLS handshake) is not the
//! request. A head spread over several writes (ureq writes each line whole) is followed to
//! its blank line, and the key goes into whichever write holds its placeholder; nothing after
//! the head (the body) is touched.
//!
//! The guard also notes whether any byte of the request reached a connection: an error
//! before that point means the server cannot have acted on the request. A proxy's `CONNECT`,
//! and the tunnel's handshake, are not the request; any other bytes written before the head
//! would count, to be safe. And it keeps a POST off a pooled connection that has been idle
//! too long (`Config::post_idle_timeout`): when the pool offers one, [`Guarded::is_open`]
//! says it is closed, so ureq drops it and connects afresh. A server that closes idle
//! connections may have closed that one already, and a POST sent into it could neither be
//! retried safely nor known to have failed. Doing this in the transport, rather than with a
//! request-level ureq config, keeps a POST on the agent's own settings (its pool and its
//! cached TLS configuration).
//!
//! The key and those facts live in a thread-local for the duration of one attempt: ureq runs
//! a request on the calling thread, so the transport sees the attempt's own state.
//!
//! Its parts, a file each:
//!
//! - `state`: the attempt's thread-local state, and what each write means for it.
//! - `transport`: the connector, and the guarded transport with its own input buffer.
//! - `head`: finding the request head, and writing the key over its placeholder.
//! - `mask`: masking the key in what comes back.
//!
//! [`Guarded::is_open`]: transport::Guarded#method.is_open

mod head;
mod mask;
mod state;
mod transport;

pub(crate) use state::Attempt;
pub(crate) use transport::GuardConnector;

#[cfg(test)]
mod tests;
