//! Reading requests off a connection, one at a time, within the limits: the head, then the
//! body, by its length or in chunks.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::parse::{Framing, framing, header_has_token, owned};
use super::request::{Next, Request, Stop, reject};

/// The largest request head (request line and headers), in bytes.
pub(super) const MAX_HEAD: usize = 16 * 1024;
/// The most headers a request may have.
pub(super) const MAX_HEADERS: usize = 100;
/// The largest request body, in bytes.
const MAX_BODY: usize = 1 << 20;
/// The longest chunk-size line (with extensions) of a chunked body.
const MAX_CHUNK_LINE: usize = 1024;
/// How long a request may take to arrive once its first byte has.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// Bytes read from the socket at a time.
const READ_SIZE: usize = 8 * 1024;

/// A byte stream with a read timeout: a socket, or a buffer in tests.
pub(crate) trait Transport: Read + Write {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()>;
}

/// A shared socket: the server keeps one handle to every connection, to close them all when
/// it stops, without a second file descriptor each.
impl Transport for &TcpStream {
    fn set_read_timeout(&self, timeout: Option<Duration>) -> io::Result<()> {
        TcpStream::set_read_timeout(self, timeout)
    }
}

/// One connection: the transport and the bytes read from it but not used yet.
pub(crate) struct Conn<T> {
    pub io: T,
    buf: Vec<u8>,
    idle: Duration,
}

impl<T: Transport> Conn<T> {
    /// `idle`: how long to wait for the next request before closing.
    pub(crate) fn new(io: T, idle: Duration) -> Conn<T> {
        Conn {
            io,
            buf: Vec::new(),
            idle,
        }
    }

    /// Reads the next request.
    pub(crate) fn next_request(&mut self) -> Next {
        // A big body leaves a big buffer behind; an idle connection should not keep it.
        if self.buf.capacity() > 4 * READ_SIZE && self.buf.len() <= READ_SIZE {
            self.buf.shrink_to(READ_SIZE);
        }
        match self.read_request() {
            Ok(r) => Next::Request(r),
            Err(Stop::Gone) => Next::Gone,
            Err(Stop::Reject(r)) => Next::Reject(r),
        }
    }

    fn read_request(&mut self) -> Result<Request, Stop> {
        if self.buf.is_empty() {
            self.fill(None)?;
        }
        let deadline = Instant::now() + REQUEST_DEADLINE;
        if self.buf.first() == Some(&0x16) {
            return reject(
                400,
                "this is a plain-HTTP server and the client started a TLS handshake: use http://",
            );
        }
        let mut request = self.read_head(deadline)?;
        let framing = framing(&request.headers)?;
        if request.http10 && framing == Framing::Chunked {
            request.keep_alive = false;
        }
        let expects_continue = !request.http10
            && header_has_token(&request.headers, "expect", "100-continue")
            && !matches!(framing, Framing::Length(0));
        if let Framing::Length(n) = framing
            && n > MAX_BODY as u64
        {
            return reject(413, format!("the body may be {MAX_BODY} bytes, not {n}"));
        }
        if expects_continue && self.buf.is_empty() {
            // The client waits for this before sending the body (curl does, for a second).
            self.io
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .map_err(|_| Stop::Gone)?;
        }
        request.body = match framing {
            Framing::Length(n) => {
                // n <= MAX_BODY, checked above.
                let n = n as usize;
                self.want(n, deadline)?;
                self.take(n)
            }
            Framing::Chunked => self.read_chunked(deadline)?,
        };
        Ok(request)
    }

    /// Reads and parses the head, leaving what follows it in the buffer.
    fn read_head(&mut self, deadline: Instant) -> Result<Request, Stop> {
        loop {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let mut parsed = httparse::Request::new(&mut headers);
            match parsed.parse(&self.buf) {
                Ok(httparse::Status::Complete(len)) if len <= MAX_HEAD => {
                    let request = owned(&parsed)?;
                    self.buf.drain(..len);
                    return Ok(request);
                }
                Ok(httparse::Status::Complete(_)) => return too_large_head(),
                Ok(httparse::Status::Partial) if self.buf.len() >= MAX_HEAD => {
                    return too_large_head();
                }
                Ok(httparse::Status::Partial) => {}
                Err(httparse::Error::TooManyHeaders) => {
                    return reject(431, format!("a request may have {MAX_HEADERS} headers"));
                }
                Err(e) => return reject(400, format!("malformed request head: {e}")),
            }
            self.fill(Some(deadline))?;
        }
    }

    /// Reads a chunked body, trailers included (and dropped).
    fn read_chunked(&mut self, deadline: Instant) -> Result<Vec<u8>, Stop> {
        let mut body = Vec::new();
        loop {
            let (line, size) = match httparse::parse_chunk_size(&self.buf) {
                Ok(httparse::Status::Complete(found)) => found,
                Ok(httparse::Status::Partial) if self.buf.len() > MAX_CHUNK_LINE => {
                    return reject(400, "a chunk-size line that never ends");
                }
                Ok(httparse::Status::Partial) => {
                    self.fill(Some(deadline))?;
                    continue;
                }
                Err(_) => return reject(400, "malformed chunk size"),
            };
            // httparse reads an empty size as 0; HTTP says a size has at least one digit.
            if !self.buf.first().is_some_and(u8::is_ascii_hexdigit) {
                return reject(400, "malformed chunk size");
            }
            if size > (MAX_BODY - body.len()) as u64 {
                return reject(413, format!("the body may be {MAX_BODY} bytes"));
            }
            self.buf.drain(..line);
            if size == 0 {
                self.skip_trailers(deadline)?;
                return Ok(body);
            }
            // size fits: it is at most MAX_BODY.
            let size = size as usize;
            self.want(size + 2, deadline)?;
            if self.buf.get(size..size + 2) != Some(b"\r\n") {
                return reject(400, "chunk data not followed by CRLF");
            }
            body.extend(self.buf.drain(..size + 2).take(size));
        }
    }

    /// Reads the trailer section after the last chunk, up to its empty line.
    fn skip_trailers(&mut self, deadline: Instant) -> Result<(), Stop> {
        let mut seen = 0;
        loop {
            match self.buf.iter().position(|&b| b == b'\n') {
                Some(i) => {
                    let line = self.take(i + 1);
                    if line == b"\r\n" || line == b"\n" {
                        return Ok(());
                    }
                    seen += line.len();
                }
                None => self.fill(Some(deadline))?,
            }
            if seen + self.buf.len() > MAX_HEAD {
                return too_large_head();
            }
        }
    }

    /// Reads until the buffer holds `n` bytes.
    fn want(&mut self, n: usize, deadline: Instant) -> Result<(), Stop> {
        while self.buf.len() < n {
            self.fill(Some(deadline))?;
        }
        Ok(())
    }

    fn take(&mut self, n: usize) -> Vec<u8> {
        self.buf.drain(..n.min(self.buf.len())).collect()
    }

    /// Reads once more into the buffer. With no deadline it waits up to the idle timeout.
    fn fill(&mut self, deadline: Option<Instant>) -> Result<(), Stop> {
        let wait = match deadline {
            None => self.idle,
            Some(d) => d.saturating_duration_since(Instant::now()),
        };
        if wait.is_zero() {
            return Err(Stop::Gone);
        }
        self.io
            .set_read_timeout(Some(wait))
            .map_err(|_| Stop::Gone)?;
        let mut chunk = [0u8; READ_SIZE];
        loop {
            match self.io.read(&mut chunk) {
                Ok(0) => return Err(Stop::Gone),
                Ok(n) => {
                    self.buf
                        .extend_from_slice(chunk.get(..n).unwrap_or_default());
                    return Ok(());
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return Err(Stop::Gone),
            }
        }
    }
}

fn too_large_head<T>() -> Result<T, Stop> {
    reject(
        431,
        format!("the request line and headers may be {MAX_HEAD} bytes"),
    )
}
