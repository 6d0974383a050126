//! HTTP/1.1 on the emulator's sockets: reading one request at a time within limits, and
//! printing answers.
//!
//! Request heads are parsed by `httparse` (the parser under hyper), so what counts as a valid
//! request line and header is what the rest of the Rust ecosystem accepts. Framing is decided
//! here, strictly, because a lenient reading of it is how one request turns into another:
//!
//! - The head (request line and headers) may be 16 KiB, with 100 headers: more is `431`.
//! - A body may be 1 MiB: a larger `Content-Length`, or chunks adding up to more, is `413`.
//! - `400`: a request line or header `httparse` rejects, a `Content-Length` that is not a
//!   plain decimal number or overflows, several that disagree, both `Content-Length` and
//!   `Transfer-Encoding`, a `Transfer-Encoding` other than `chunked`, a bad chunk size or
//!   chunk ending, and a TLS handshake (a client pointed at `https://`).
//! - `400` too: an HTTP/1.1 request without a `Host` header, any request with two, and a
//!   request target of `*` on a method other than `OPTIONS`.
//! - Each of those is answered and the connection closed: after a framing error, nothing
//!   that follows on the connection can be trusted to start a request.
//! - An HTTP/1.0 request with a `Transfer-Encoding` is read and answered, then the connection
//!   closes (RFC 9112, section 6.1: its framing is suspect).

mod parse;
mod read;
mod request;
mod response;
#[cfg(test)]
mod tests;

pub(crate) use read::Conn;
pub(crate) use request::{Next, Rejection, Request};
pub(crate) use response::{Head, bodiless};
