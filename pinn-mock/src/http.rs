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

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use super::clock::{http_date, system_now};

/// The largest request head (request line and headers), in bytes.
pub(crate) const MAX_HEAD: usize = 16 * 1024;
/// The most headers a request may have.
const MAX_HEADERS: usize = 100;
/// The largest request body, in bytes.
pub(crate) const MAX_BODY: usize = 1 << 20;
/// The longest chunk-size line (with extensions) of a chunked body.
const MAX_CHUNK_LINE: usize = 1024;
/// How long a request may take to arrive once its first byte has.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// Bytes read from the socket at a time.
const READ_SIZE: usize = 8 * 1024;

/// A request, read whole.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The path, still percent-encoded.
    pub path: String,
    pub query: Option<String>,
    /// The host of an absolute-form target (`GET http://host/path`), which overrides `Host`.
    pub authority: Option<String>,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// Whether the client will send another request on this connection.
    pub keep_alive: bool,
    /// HTTP/1.0, which needs `Connection: keep-alive` said out loud.
    pub http10: bool,
}

/// A request refused before it reached the API: answer this, then close.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Rejection {
    pub status: u16,
    pub message: String,
}

fn reject<T>(status: u16, message: impl Into<String>) -> Result<T, Stop> {
    Err(Stop::Reject(Rejection {
        status,
        message: message.into(),
    }))
}

/// Why reading stopped short of a request: [`Next`] without the request.
#[derive(Debug)]
enum Stop {
    Gone,
    Reject(Rejection),
}

/// What came next on a connection.
#[derive(Debug)]
pub(crate) enum Next {
    Request(Request),
    /// The client closed, stayed idle past the timeout, or stopped mid-request: close without
    /// a word.
    Gone,
    Reject(Rejection),
}

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

/// How the body is delimited.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Framing {
    Length(u64),
    Chunked,
}

/// The framing the headers declare, or why it cannot be trusted.
fn framing(headers: &[(String, String)]) -> Result<Framing, Stop> {
    let mut length: Option<u64> = None;
    let mut codings: Option<Vec<String>> = None;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("content-length") {
            // `Content-Length: 5, 5` is one length said twice (RFC 9110, section 8.6).
            for part in value.split(',') {
                let part = part.trim_matches([' ', '\t']);
                if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
                    return reject(
                        400,
                        format!("Content-Length must be a number, not {value:?}"),
                    );
                }
                let Ok(n) = part.parse::<u64>() else {
                    return reject(400, format!("Content-Length {part} does not fit 64 bits"));
                };
                if length.is_some_and(|l| l != n) {
                    return reject(400, "Content-Length headers that disagree");
                }
                length = Some(n);
            }
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            let list = codings.get_or_insert_with(Vec::new);
            list.extend(
                value
                    .split(',')
                    .map(|c| c.trim_matches([' ', '\t']).to_ascii_lowercase())
                    .filter(|c| !c.is_empty()),
            );
        }
    }
    match (length, codings) {
        (None, None) => Ok(Framing::Length(0)),
        (Some(n), None) => Ok(Framing::Length(n)),
        (Some(_), Some(_)) => reject(400, "both Content-Length and Transfer-Encoding"),
        (None, Some(c)) if c == ["chunked"] => Ok(Framing::Chunked),
        (None, Some(c)) => reject(
            400,
            format!("Transfer-Encoding {c:?} is not supported: send chunked or a Content-Length"),
        ),
    }
}

/// Whether a comma-separated header holds a token (any case).
fn header_has_token(headers: &[(String, String)], name: &str, token: &str) -> bool {
    headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(','))
        .any(|t| t.trim().eq_ignore_ascii_case(token))
}

/// The parsed head as owned values, its target split into path and query.
fn owned(parsed: &httparse::Request<'_, '_>) -> Result<Request, Stop> {
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return reject(400, "malformed request line");
    };
    let mut authority = None;
    let target = match target.as_bytes().first() {
        Some(b'/') => target,
        // The asterisk form, which asks about the server rather than a resource.
        _ if target == "*" && method == "OPTIONS" => target,
        // The absolute form `http://host/path`, which a client talking to a proxy sends.
        _ => match target.split_once("://") {
            Some((scheme, rest))
                if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") =>
            {
                let at = rest.find(['/', '?']).unwrap_or(rest.len());
                authority = Some(rest[..at].to_string());
                rest.get(at..).filter(|p| !p.is_empty()).unwrap_or("/")
            }
            _ => {
                return reject(
                    400,
                    format!("the request target must be a path, not {target:?}"),
                );
            }
        },
    };
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (if p.is_empty() { "/" } else { p }, Some(q.to_string())),
        None => (target, None),
    };
    let headers: Vec<(String, String)> = parsed
        .headers
        .iter()
        .map(|h| {
            let value = String::from_utf8_lossy(h.value).into_owned();
            (h.name.to_string(), value)
        })
        .collect();
    let http10 = version == 0;
    // RFC 9112, section 3.2: a server must answer 400 to an HTTP/1.1 request without a Host,
    // and to any request with more than one.
    match headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("host"))
        .count()
    {
        0 if !http10 => return reject(400, "an HTTP/1.1 request needs a Host header"),
        0 | 1 => {}
        _ => return reject(400, "a request may have one Host header, not several"),
    }
    let keep_alive = if http10 {
        header_has_token(&headers, "connection", "keep-alive")
    } else {
        !header_has_token(&headers, "connection", "close")
    };
    Ok(Request {
        method: method.to_string(),
        path: path.to_string(),
        query,
        authority,
        headers,
        body: Vec::new(),
        keep_alive,
        http10,
    })
}

/// The head of an answer: the status line and headers, with the `Date`, `Content-Length` and
/// `Connection` every answer carries.
pub(crate) struct Head<'a> {
    pub status: u16,
    pub headers: &'a [(&'a str, &'a str)],
    /// The length of the body (for HEAD, of the body not sent).
    pub content_length: usize,
    /// Says `Connection: close`.
    pub close: bool,
    /// Says `Connection: keep-alive` (to an HTTP/1.0 client that asked).
    pub keep_alive_10: bool,
}

impl Head<'_> {
    pub(crate) fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(256);
        let status = self.status;
        out.extend_from_slice(format!("HTTP/1.1 {status} {}\r\n", reason(status)).as_bytes());
        // RFC 9110, section 6.6.1: an origin server with a clock sends Date on every answer.
        let date = http_date(system_now());
        out.extend_from_slice(format!("Date: {date}\r\n").as_bytes());
        for (name, value) in self.headers {
            // A line break in a value (a Retry-After a test chose, say) would end the header
            // and start another: keep it on one line.
            let value = value.replace(['\r', '\n'], " ");
            out.extend_from_slice(format!("{name}: {value}\r\n").as_bytes());
        }
        if !bodiless(status) {
            out.extend_from_slice(
                format!("Content-Length: {}\r\n", self.content_length).as_bytes(),
            );
        }
        if self.close {
            out.extend_from_slice(b"Connection: close\r\n");
        } else if self.keep_alive_10 {
            out.extend_from_slice(b"Connection: keep-alive\r\n");
        }
        out.extend_from_slice(b"\r\n");
        out
    }
}

/// Whether answers of this status end at their head whatever their headers say: 1xx, 204 and
/// 304 (RFC 9112, section 6.3). A body sent after one would be read as the next answer.
pub(crate) fn bodiless(status: u16) -> bool {
    matches!(status, 100..=199 | 204 | 304)
}

/// The reason phrase of a status; empty for statuses without one (which HTTP allows).
pub(crate) fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        418 => "I'm a teapot",
        422 => "Unprocessable Entity",
        425 => "Too Early",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    /// Bytes to read, and what was written back.
    struct Fake(Cursor<Vec<u8>>, Vec<u8>);

    impl Read for Fake {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            self.0.read(buf)
        }
    }
    impl Write for Fake {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.1.write(buf)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Transport for Fake {
        fn set_read_timeout(&self, _: Option<Duration>) -> io::Result<()> {
            Ok(())
        }
    }

    fn conn(bytes: &[u8]) -> Conn<Fake> {
        Conn::new(
            Fake(Cursor::new(bytes.to_vec()), Vec::new()),
            Duration::from_secs(1),
        )
    }

    fn status_of(bytes: &[u8]) -> u16 {
        match conn(bytes).next_request() {
            Next::Request(_) => 200,
            Next::Gone => 0,
            Next::Reject(r) => r.status,
        }
    }

    #[test]
    fn requests_are_read_one_after_another() {
        let mut c = conn(
            b"\r\nPOST /v1/users?limit=1 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}\
              POST http://h:1/v1/x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n\
              3;ext=1\r\nabc\r\n1\r\nd\r\n0\r\nTrailer: t\r\n\r\n",
        );
        let Next::Request(first) = c.next_request() else {
            panic!("first")
        };
        assert_eq!(
            (first.path.as_str(), first.query.as_deref()),
            ("/v1/users", Some("limit=1"))
        );
        assert_eq!(
            (first.body.as_slice(), first.keep_alive),
            (&b"{}"[..], true)
        );
        let Next::Request(second) = c.next_request() else {
            panic!("second")
        };
        assert_eq!(
            (second.path.as_str(), second.body.as_slice()),
            ("/v1/x", &b"abcd"[..])
        );
        assert!(second.http10 && !second.keep_alive);
        assert!(matches!(c.next_request(), Next::Gone));
    }

    #[test]
    fn framing_that_cannot_be_trusted_is_refused() {
        let head = |h: &str| format!("POST / HTTP/1.1\r\nHost: x\r\n{h}\r\n\r\n").into_bytes();
        for (headers, want) in [
            ("Content-Length: -1", 400),
            ("Content-Length: 1180591620717411303424", 400),
            ("Content-Length: 0x10", 400),
            ("Content-Length: 1 2", 400),
            ("Content-Length:", 400),
            ("Content-Length: 1\r\nContent-Length: 2", 400),
            ("Content-Length: 3, 4", 400),
            ("Content-Length: 2\r\nTransfer-Encoding: chunked", 400),
            ("Transfer-Encoding: gzip", 400),
            ("Transfer-Encoding: gzip, chunked", 400),
            ("Transfer-Encoding: ", 400),
            ("Content-Length: 1048577", 413),
            ("Content-Length: 99999999999", 413),
        ] {
            assert_eq!(status_of(&head(headers)), want, "{headers}");
        }
        assert_eq!(status_of(&head("Content-Length: 0, 0")), 200);
        let chunked = |body: &str| {
            format!("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n{body}")
                .into_bytes()
        };
        for (body, want) in [
            ("zz\r\n", 400),
            ("\r\n\r\n", 400),
            (";x\r\n", 400),
            ("-1\r\n", 400),
            ("fffffffffffffffff\r\n", 400),
            ("2\r\nabcd\r\n0\r\n\r\n", 400),
            ("100001\r\n", 413),
            ("0\r\n\r\n", 200),
        ] {
            assert_eq!(status_of(&chunked(body)), want, "{body:?}");
        }
        assert_eq!(status_of(&chunked(&"f".repeat(2000))), 400);
    }

    #[test]
    fn limits_garbage_and_tls() {
        let long = format!("GET / HTTP/1.1\r\nX: {}\r\n\r\n", "a".repeat(MAX_HEAD));
        assert_eq!(status_of(long.as_bytes()), 431);
        let endless = format!("GET / HTTP/1.1\r\nX: {}", "a".repeat(MAX_HEAD));
        assert_eq!(status_of(endless.as_bytes()), 431);
        let many: String = (0..=MAX_HEADERS).map(|i| format!("H{i}: v\r\n")).collect();
        assert_eq!(
            status_of(format!("GET / HTTP/1.1\r\n{many}\r\n").as_bytes()),
            431
        );
        assert_eq!(
            status_of(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03"),
            400
        );
        for junk in [
            &b"\x00\xff garbage\r\n\r\n"[..],
            b"GET\r\n\r\n",
            b"GET /v1/users HTTP/9.9\r\n\r\n",
            b"GET users HTTP/1.1\r\n\r\n",
            b"GET /\x01 HTTP/1.1\r\n\r\n",
        ] {
            assert_eq!(status_of(junk), 400, "{junk:?}");
        }
        assert_eq!(status_of(b""), 0);
        assert_eq!(
            status_of(b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nab"),
            0
        );
    }

    #[test]
    fn host_asterisk_and_http_1_0_framing() {
        assert_eq!(status_of(b"GET / HTTP/1.1\r\n\r\n"), 400, "no Host");
        assert_eq!(
            status_of(b"GET / HTTP/1.0\r\n\r\n"),
            200,
            "HTTP/1.0 needs none"
        );
        assert_eq!(
            status_of(b"GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n"),
            400
        );
        assert_eq!(
            status_of(b"GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n"),
            400
        );
        assert_eq!(status_of(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 200);
        assert_eq!(status_of(b"GET * HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
        let Next::Request(star) = conn(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n").next_request()
        else {
            panic!("OPTIONS *")
        };
        assert_eq!((star.path.as_str(), star.query), ("*", None));
        let Next::Request(abs) =
            conn(b"GET http://evil.example:80/_mock/state?x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
                .next_request()
        else {
            panic!("absolute form")
        };
        assert_eq!(abs.authority.as_deref(), Some("evil.example:80"));
        assert_eq!(abs.path, "/_mock/state");
        // HTTP/1.0 with a Transfer-Encoding, even one that asks to be kept alive: answered,
        // then closed.
        let Next::Request(old) = conn(
            b"POST / HTTP/1.0\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n\
              0\r\n\r\n",
        )
        .next_request() else {
            panic!("HTTP/1.0 chunked")
        };
        assert!(old.http10 && !old.keep_alive);
    }

    #[test]
    fn expect_100_continue_is_answered_before_the_body() {
        let mut c =
            conn(b"PUT / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n");
        // The body is not there yet: the client waits for the 100.
        assert!(matches!(c.next_request(), Next::Gone));
        assert_eq!(c.io.1, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn heads_print_whole_with_a_date() {
        let h = Head {
            status: 599,
            headers: &[("Request-Id", "req_1"), ("Retry-After", "1\r\nX: y")],
            content_length: 2,
            close: true,
            keep_alive_10: false,
        };
        let text = String::from_utf8(h.to_bytes()).unwrap();
        let (first, rest) = text.split_once("\r\n").unwrap();
        assert_eq!(first, "HTTP/1.1 599 ");
        let (date, rest) = rest.split_once("\r\n").unwrap();
        let date = date.strip_prefix("Date: ").unwrap();
        assert!(date.ends_with(" GMT") && date.len() == 29, "{date}");
        assert_eq!(
            rest,
            "Request-Id: req_1\r\nRetry-After: 1  X: y\r\nContent-Length: 2\r\n\
             Connection: close\r\n\r\n"
        );
        let no_content = Head { status: 204, ..h };
        assert!(
            !String::from_utf8(no_content.to_bytes())
                .unwrap()
                .contains("Content-Length")
        );
    }
}
