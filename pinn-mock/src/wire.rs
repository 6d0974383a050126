//! Writing answers to a socket: the head with the headers every answer carries, then the body,
//! whole, cut short (a fault), or not at all (HEAD, and statuses without a body).
//!
//! Answers go out through one buffer: a small answer leaves in a single write (a head and a
//! body written apart could wait on Nagle's algorithm and the client's delayed ACK), and a
//! large one streams in buffer-sized writes, never held whole in memory.

use std::io::{self, BufWriter, Write};
use std::net::TcpStream;

use super::http::{Head, bodiless};
use super::reply::Reply;

/// The buffer an answer is written through.
const WRITE_BUFFER: usize = 64 * 1024;

/// How an answer is framed on the wire.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Framing {
    /// HEAD: the head alone, with the length of the body not sent.
    pub head_only: bool,
    /// Say `Connection: close` (and close after).
    pub close: bool,
    /// Say `Connection: keep-alive`, to an HTTP/1.0 client that asked for it.
    pub keep_alive_10: bool,
}

/// An answer after which the connection closes.
pub(crate) const CLOSE: Framing = Framing {
    head_only: false,
    close: true,
    keep_alive_10: false,
};

/// The head of a reply whose body is `len` bytes.
fn head(reply: &Reply, request_id: &str, framing: Framing, len: usize) -> Vec<u8> {
    let mut headers: Vec<(&str, &str)> = vec![
        ("Content-Type", reply.content_type),
        ("Request-Id", request_id),
    ];
    headers.extend(reply.headers.iter().map(|(n, v)| (*n, v.as_str())));
    Head {
        status: reply.status,
        headers: &headers,
        content_length: len,
        close: framing.close,
        keep_alive_10: framing.keep_alive_10,
    }
    .to_bytes()
}

/// Writes a reply.
pub(crate) fn send(
    stream: &TcpStream,
    reply: &Reply,
    request_id: &str,
    framing: Framing,
) -> io::Result<()> {
    let has_body = !bodiless(reply.status);
    let len = if has_body { reply.body.len() } else { 0 };
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, stream);
    out.write_all(&head(reply, request_id, framing, len))?;
    if has_body && !framing.head_only {
        reply.body.write_to(&mut out)?;
    }
    out.flush()
}

/// Writes a reply's head and less than half of its body (a `truncated_body` fault after the
/// commit); the caller then closes the connection.
pub(crate) fn send_cut_short(stream: &TcpStream, reply: &Reply, request_id: &str) {
    let len = reply.body.len();
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, stream);
    let _ = out.write_all(&head(reply, request_id, CLOSE, len));
    let mut limited = Limited {
        inner: &mut out,
        left: (len - len / 2).saturating_sub(1),
    };
    // Stops with an error once the limit is written: that is the point.
    let _ = reply.body.write_to(&mut limited);
    let _ = out.flush();
}

/// A writer that passes on `left` bytes, then fails.
struct Limited<'a, W: Write> {
    inner: &'a mut W,
    left: usize,
}

impl<W: Write> Write for Limited<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::Error::other("cut short on purpose"));
        }
        let n = buf.len().min(self.left);
        self.inner.write_all(&buf[..n])?;
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
