//! A request before it is sent: its method, its path (IDs as single encoded segments), its
//! query and its JSON body, each refused before any I/O when it is oversized or would carry
//! the secret key.

use std::borrow::Cow;
use std::fmt;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

use crate::config::Config;
use crate::errors::{Error, Result};

/// The longest ID (or list cursor) accepted, in bytes: far more than any Pinn ID, far less
/// than servers accept in a URL. A longer one is an
/// [`InvalidArgument`](crate::Error::InvalidArgument) error, before any I/O.
///
/// ```
/// let long = "u".repeat(pinn::MAX_ID_BYTES + 1);
/// assert_eq!(pinn::User::retrieve(&long).unwrap_err().kind(), pinn::ErrorKind::InvalidRequest);
/// ```
pub const MAX_ID_BYTES: usize = 1024;
/// The longest URL sent, in bytes (8 KiB is what common servers and proxies accept).
pub(crate) const MAX_URL_BYTES: usize = 8 * 1024;
/// The largest request body sent, in bytes.
pub(crate) const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The HTTP methods the crate sends, and a [raw request](crate::Client::raw_request) may.
///
/// Which are retried after which failures depends on the method: see `docs/errors.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Method {
    /// Reads; retried after any transient failure.
    Get,
    /// Creates; retried only when it cannot have been processed.
    Post,
    /// Updates (sets fields to values); retried like a read.
    Patch,
    /// Deletes; retried like a read, and a `404` after an attempt that may have deleted is
    /// a success.
    Delete,
}

impl Method {
    /// The method as sent: `GET`, `POST`, `PATCH`, `DELETE`.
    ///
    /// ```
    /// assert_eq!(pinn::Method::Patch.as_str(), "PATCH");
    /// assert_eq!(pinn::Method::Delete.to_string(), "DELETE");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything in a path segment except unreserved characters (`-`, `_`, `~`) is encoded,
/// dots included, so no ID can become `.` or `..`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// An ID as one percent-encoded path segment. An empty or oversized ID is refused before
/// any I/O.
pub(crate) fn segment<'a>(what: &str, id: &'a str) -> Result<Cow<'a, str>> {
    require_id(what, id)?;
    Ok(utf8_percent_encode(id, SEGMENT).into())
}

/// Refuses an empty or oversized ID before any I/O.
pub(crate) fn require_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} is empty")));
    }
    if id.len() > MAX_ID_BYTES {
        return Err(Error::InvalidArgument(format!(
            "{what} is {} bytes long; IDs are at most {MAX_ID_BYTES}",
            id.len()
        )));
    }
    Ok(())
}

/// Whether `url` is a plain absolute path: `/v1/...`, no scheme, host, query, fragment, dot
/// segment or odd character. What a list's `url` must be for its next page to be fetched
/// (a server cannot point it elsewhere), and the path part of a raw request.
pub(crate) fn is_api_path(url: &str) -> bool {
    url.starts_with('/')
        && !url.starts_with("//")
        && url
            .bytes()
            .all(|b| b.is_ascii_graphic() && !b"?#\\".contains(&b))
        && url.split('/').all(|s| s != "." && s != "..")
}

/// One request, before it is sent.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: Method,
    /// The path, already encoded, starting with `/`.
    pub path: String,
    /// Query parameters; absent ones are simply not pushed.
    pub query: Vec<(&'static str, String)>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
}

impl Request {
    pub(crate) fn new(method: Method, path: String) -> Request {
        Request {
            method,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn get(path: String) -> Request {
        Request::new(Method::Get, path)
    }

    pub(crate) fn post(path: String) -> Request {
        Request::new(Method::Post, path)
    }

    pub(crate) fn patch(path: String) -> Request {
        Request::new(Method::Patch, path)
    }

    pub(crate) fn delete(path: String) -> Request {
        Request::new(Method::Delete, path)
    }

    pub(crate) fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Request {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }

    /// Sets a JSON body. One that does not serialize or is over [`MAX_BODY_BYTES`] is an
    /// invalid argument, before any I/O.
    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Result<Request> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidArgument(format!("the body does not serialize: {e}")))?;
        if bytes.len() > MAX_BODY_BYTES {
            return Err(Error::InvalidArgument(format!(
                "the request body is {} bytes; at most {MAX_BODY_BYTES} are sent",
                bytes.len()
            )));
        }
        self.body = Some(bytes);
        Ok(self)
    }

    /// The full URL. An oversized one, or one that would carry the secret key (a cursor a
    /// server set to it, say), is an invalid argument, before any I/O.
    pub(crate) fn url(&self, config: &Config) -> Result<String> {
        let host = config.api_host();
        let mut url = String::with_capacity(host.len() + self.path.len() + 32);
        url.push_str(host);
        url.push_str(&self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.extend(utf8_percent_encode(v, SEGMENT));
        }
        if url.len() > MAX_URL_BYTES {
            return Err(Error::InvalidArgument(format!(
                "the request URL would be {} bytes; at most {MAX_URL_BYTES} are sent",
                url.len()
            )));
        }
        if let Some(key) = config.secret_key().filter(|k| k.is_distinctive())
            && url[host.len()..].contains(key.expose())
        {
            return Err(Error::InvalidArgument(
                "the request URL would contain the secret key; it is never sent in a URL".into(),
            ));
        }
        Ok(url)
    }

    /// Refuses a body that holds the secret key (as a metadata value, in a webhook URL, an
    /// app's name): the key goes in the `Authorization` header only, never into data the
    /// account keeps and shows to whoever reads it. Checked as the JSON carries it.
    pub(crate) fn check_body(&self, config: &Config) -> Result<()> {
        let (Some(body), Some(key)) = (&self.body, config.secret_key()) else {
            return Ok(());
        };
        if !key.is_distinctive() {
            return Ok(());
        }
        let plain = key.expose();
        let holds = |needle: &str| memchr::memmem::find(body, needle.as_bytes()).is_some();
        // In a JSON string the key is written as is, unless it has a `"` or `\` to escape.
        let holds_escaped = || {
            let quoted = serde_json::to_string(plain).unwrap_or_default();
            quoted
                .get(1..quoted.len().saturating_sub(1))
                .is_some_and(holds)
        };
        if holds(plain) || (plain.contains(['"', '\\']) && holds_escaped()) {
            return Err(Error::InvalidArgument(
                "the request body would contain the secret key; it is only ever sent in the \
                 Authorization header"
                    .into(),
            ));
        }
        Ok(())
    }
}
