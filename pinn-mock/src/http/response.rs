//! The head of an answer, printed: the status line and the headers every answer carries.

use crate::clock::{http_date, system_now};

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
fn reason(status: u16) -> &'static str {
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
