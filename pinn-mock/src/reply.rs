//! An answer before it is written: a status, headers, and a body that is either text made
//! already or JSON serialized as it goes out.
//!
//! A streamed body holds what it shows by reference count (the store's objects, the request
//! log's entries), so an answer of any size costs no copy of the data: it is serialized
//! twice, once into a counter for `Content-Length` and once onto the socket. Eight readers of
//! a 186 MB request log then cost the server a buffer each, not 186 MB each.

use std::fmt;
use std::io;

use serde::Serialize;
use serde_json::{Value, json};

use super::json::Counter;
use super::model::Failure;

/// An answer, before it is written.
pub(crate) struct Reply {
    pub status: u16,
    pub body: Body,
    pub content_type: &'static str,
    /// Extra headers, e.g. `Allow` or `Retry-After`.
    pub headers: Vec<(&'static str, String)>,
}

/// The body of an answer.
pub(crate) enum Body {
    /// Text made already: small answers, error bodies, a fault's raw body.
    Text(String),
    /// JSON written to the socket as it is serialized.
    Json(Box<dyn WriteJson + Send>),
}

/// A value that writes itself as JSON: anything serde can serialize, boxed.
pub(crate) trait WriteJson {
    fn write_json(&self, w: &mut dyn io::Write) -> io::Result<()>;
}

impl<T: Serialize> WriteJson for T {
    fn write_json(&self, w: &mut dyn io::Write) -> io::Result<()> {
        serde_json::to_writer(w, self).map_err(io::Error::from)
    }
}

impl Body {
    /// Its length in bytes: for a streamed body, counted by serializing it once.
    pub(crate) fn len(&self) -> usize {
        match self {
            Body::Text(t) => t.len(),
            Body::Json(j) => {
                let mut count = Counter::default();
                let _ = j.write_json(&mut count);
                count.0
            }
        }
    }

    /// Writes it.
    pub(crate) fn write_to(&self, w: &mut dyn io::Write) -> io::Result<()> {
        match self {
            Body::Text(t) => w.write_all(t.as_bytes()),
            Body::Json(j) => j.write_json(w),
        }
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Body::Text(t) => f.debug_tuple("Text").field(t).finish(),
            Body::Json(_) => f.write_str("Json(..)"),
        }
    }
}

impl fmt::Debug for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("status", &self.status)
            .field("body", &self.body)
            .field("headers", &self.headers)
            .finish()
    }
}

impl Reply {
    /// A small JSON answer, printed now.
    pub(crate) fn json(status: u16, value: &Value) -> Reply {
        Reply::text(status, value.to_string(), "application/json")
    }

    /// A JSON answer serialized as it is written: for what may be large.
    pub(crate) fn stream(status: u16, value: impl Serialize + Send + 'static) -> Reply {
        Reply {
            status,
            body: Body::Json(Box::new(value)),
            content_type: "application/json",
            headers: Vec::new(),
        }
    }

    pub(crate) fn text(status: u16, body: String, content_type: &'static str) -> Reply {
        Reply {
            status,
            body: Body::Text(body),
            content_type,
            headers: Vec::new(),
        }
    }

    /// The spec's error body for `status`.
    pub(crate) fn error(status: u16, message: &str) -> Reply {
        let t = error_type(status);
        Reply::json(
            status,
            &json!({"error": {"type": t, "code": t, "message": message}}),
        )
    }

    /// `401`, naming the scheme it wants (`WWW-Authenticate`, RFC 9110, 11.6.1).
    pub(crate) fn unauthorized(message: &str) -> Reply {
        let mut reply = Reply::error(401, message);
        reply.headers.push(("WWW-Authenticate", "Bearer".into()));
        reply
    }

    /// `405` with the `Allow` header.
    pub(crate) fn not_allowed(allowed: &[&str], message: &str) -> Reply {
        Reply::error(405, message).allow(allowed)
    }

    /// `204` to `OPTIONS`, with the `Allow` header.
    pub(crate) fn options(allowed: &[&str]) -> Reply {
        Reply::text(204, String::new(), "application/json").allow(allowed)
    }

    /// Adds `Allow`: the methods given, with `HEAD` after `GET` and `OPTIONS` last, which
    /// every path answers (RFC 9110, section 9.3).
    fn allow(mut self, allowed: &[&str]) -> Reply {
        let mut all: Vec<&str> = Vec::new();
        for m in allowed {
            all.push(m);
            if *m == "GET" {
                all.push("HEAD");
            }
        }
        all.push("OPTIONS");
        self.headers.push(("Allow", all.join(", ")));
        self
    }
}

impl From<Failure> for Reply {
    fn from(f: Failure) -> Reply {
        Reply::error(f.status, &f.message)
    }
}

/// The spec's `error.type` for a status; `"error"` for statuses its table does not name.
pub(crate) fn error_type(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        422 => "unprocessable_entity",
        429 => "rate_limit_exceeded",
        500 => "internal_server_error",
        502 => "bad_gateway",
        503 => "service_unavailable",
        504 => "gateway_timeout",
        _ => "error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_body_counts_what_it_writes() {
        let r = Reply::stream(200, json!({"data": ["é", 1, null]}));
        let mut out = Vec::new();
        r.body.write_to(&mut out).unwrap();
        assert_eq!(r.body.len(), out.len());
        assert_eq!(String::from_utf8(out).unwrap(), r#"{"data":["é",1,null]}"#);
        let allow = Reply::options(&["GET", "POST"]).headers;
        assert_eq!(allow, [("Allow", "GET, HEAD, POST, OPTIONS".to_string())]);
    }
}
