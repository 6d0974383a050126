//! The HTTP layer: the one agent, the one place requests are sent ([`Client::send`]), and the
//! one place responses become results ([`parse_response`]).

use std::borrow::Cow;
use std::time::{Duration, Instant, SystemTime};

use once_cell::sync::Lazy;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::client::Client;
use crate::errors::{ApiError, ConnectionError, Error, ErrorKind, Result, TransportKind};
use crate::retry::{self, Attempt, Decision, Failure, Method};

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("pinn-rust/", env!("CARGO_PKG_VERSION"));

/// The longest error message kept from a response body, in bytes.
const MAX_MESSAGE_BYTES: usize = 1024;

/// The crate's one agent: one keep-alive pool for every client. Error statuses are returned
/// as responses (so their bodies can be read) and redirects are not followed at all, so the
/// `Authorization` header can never be carried to another host.
static AGENT: Lazy<ureq::Agent> = Lazy::new(|| {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .user_agent(USER_AGENT)
        .accept("application/json")
        .timeout_connect(Some(crate::config::DEFAULT_CONNECT_TIMEOUT))
        .timeout_global(Some(crate::config::DEFAULT_TIMEOUT))
        .build()
        .new_agent()
});

/// The crate's agent, for the benchmark's raw-ureq baseline. Not part of the stable API.
#[doc(hidden)]
pub fn __agent() -> &'static ureq::Agent {
    &AGENT
}

/// Everything in a path segment except unreserved characters (`-`, `_`, `~`) is encoded,
/// dots included, so no ID can become `.` or `..`.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'~');

/// An ID as one percent-encoded path segment. An empty ID is refused before any I/O.
pub(crate) fn segment<'a>(what: &str, id: &'a str) -> Result<Cow<'a, str>> {
    require_id(what, id)?;
    Ok(utf8_percent_encode(id, SEGMENT).into())
}

/// Refuses an empty ID before any I/O.
pub(crate) fn require_id(what: &str, id: &str) -> Result<()> {
    if id.is_empty() {
        return Err(Error::InvalidArgument(format!("{what} is empty")));
    }
    Ok(())
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
    pub fn new(method: Method, path: String) -> Request {
        Request {
            method,
            path,
            query: Vec::new(),
            body: None,
        }
    }

    pub fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Request {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }

    pub fn json(mut self, body: &impl serde::Serialize) -> Result<Request> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidArgument(format!("body does not serialize: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }

    fn url(&self, host: &str) -> String {
        let mut url = String::with_capacity(host.len() + self.path.len() + 32);
        url.push_str(host);
        url.push_str(&self.path);
        for (i, (k, v)) in self.query.iter().enumerate() {
            url.push(if i == 0 { '?' } else { '&' });
            url.push_str(k);
            url.push('=');
            url.extend(utf8_percent_encode(v, SEGMENT));
        }
        url
    }
}

/// The success statuses of the spec: any other status, 2xx included, is an error.
pub(crate) fn is_success(status: u16) -> bool {
    matches!(status, 200 | 201 | 202 | 204)
}

/// A response as read off the wire, body capped.
#[derive(Debug)]
pub(crate) struct RawResponse {
    pub status: u16,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
    pub body: Vec<u8>,
}

/// What replaces the secret key wherever a server sends it back.
const REDACTED: &str = "<redacted>";

impl RawResponse {
    /// Replaces every copy of `secret` the server sent back (in the body, the request ID or
    /// `Retry-After`) before anything is decoded, so an echoing server cannot make an error
    /// message, a decode error or a log line show the key. `key` is the key's searcher, built
    /// once per config.
    pub(crate) fn scrub(&mut self, key: &memchr::memmem::Finder<'_>) {
        let needle = key.needle();
        let Ok(secret) = std::str::from_utf8(needle) else {
            return;
        };
        if secret.is_empty() {
            return;
        }
        for header in [&mut self.request_id, &mut self.retry_after]
            .into_iter()
            .flatten()
        {
            if header.contains(secret) {
                *header = header.replace(secret, REDACTED);
            }
        }
        if key.find(&self.body).is_some() {
            let mut out = Vec::with_capacity(self.body.len());
            let mut last = 0;
            for at in key.find_iter(&self.body) {
                out.extend_from_slice(self.body.get(last..at).unwrap_or_default());
                out.extend_from_slice(REDACTED.as_bytes());
                last = at + needle.len();
            }
            out.extend_from_slice(self.body.get(last..).unwrap_or_default());
            self.body = out;
        }
    }
}

/// A success: its status, request ID and decoded body (`None` when it had none).
#[derive(Debug, Clone)]
pub(crate) struct Reply<T> {
    pub status: u16,
    pub request_id: Option<String>,
    /// Attempts made, retries included.
    pub attempts: u32,
    pub body: Option<T>,
}

impl<T> Reply<T> {
    /// The error for a success whose body is not what the call expects.
    pub(crate) fn invalid(&self, message: impl Into<String>) -> Error {
        Error::Decode {
            status: self.status,
            message: message.into(),
            request_id: self.request_id.clone(),
            attempts: self.attempts,
        }
    }

    /// The body, or the error for a success that has none.
    pub(crate) fn require(self) -> Result<(T, Reply<()>)> {
        let meta = Reply {
            status: self.status,
            request_id: self.request_id,
            attempts: self.attempts,
            body: None,
        };
        match self.body {
            Some(body) => Ok((body, meta)),
            None => Err(meta.invalid("the response has no body")),
        }
    }
}

impl Client {
    /// Sends `req`, retrying as [`retry::decide`] says, and decodes a success body as `T`
    /// (`None` for an empty one).
    pub(crate) fn send<T: DeserializeOwned>(&self, req: &Request) -> Result<Reply<T>> {
        let config = self.config();
        config.check()?;
        let url = req.url(&config.api_host);
        let started = Instant::now();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let remaining = config.deadline.saturating_sub(started.elapsed());
            let result = self.send_once(req, &url, remaining).and_then(|mut raw| {
                if let Some(key) = &config.key_finder {
                    raw.scrub(key);
                }
                let body = parse_response::<T>(&raw)?;
                Ok(Reply {
                    status: raw.status,
                    request_id: raw.request_id,
                    attempts: attempt,
                    body,
                })
            });
            let mut err = match result {
                Ok(reply) => {
                    log::debug!(
                        "pinn: {} {} {} (request {:?}), attempt {attempt}, {:?}",
                        req.method.as_str(),
                        req.path,
                        reply.status,
                        reply.request_id,
                        started.elapsed()
                    );
                    return Ok(reply);
                }
                Err(e) => e,
            };
            err.set_attempts(attempt);
            let failure = match &err {
                Error::Api(e) => Failure::Status {
                    status: e.status,
                    retry_after: e.retry_after.as_deref(),
                },
                Error::Connection(c) => Failure::Transport(c.kind),
                _ => return Err(err),
            };
            let decision = retry::decide(
                failure,
                Attempt {
                    method: req.method,
                    attempt,
                    max_retries: config.max_retries,
                    elapsed: started.elapsed(),
                    deadline: config.deadline,
                    now: SystemTime::now(),
                    jitter: retry::jitter(),
                },
            );
            log::info!(
                "pinn: {} {} failed: {} (status {:?}, request {:?}), attempt {attempt}, {:?}, {:?}",
                req.method.as_str(),
                req.path,
                err.kind(),
                err.status(),
                err.request_id(),
                started.elapsed(),
                decision
            );
            match decision {
                Decision::RetryAfter(wait) => (config.sleep)(wait),
                Decision::Stop => return Err(err),
            }
        }
    }

    /// `GET /health` once, with no retries: true on a 2xx, false on anything else.
    pub(crate) fn healthy(&self) -> bool {
        if self.config().check().is_err() {
            return false;
        }
        let req = Request::new(Method::Get, "/health".into());
        let url = req.url(&self.config().api_host);
        matches!(self.send_once(&req, &url, self.config().timeout), Ok(r) if (200..300).contains(&r.status))
    }

    /// One attempt: send, and read the response with the body capped.
    fn send_once(&self, req: &Request, url: &str, remaining: Duration) -> Result<RawResponse> {
        let config = self.config();
        if remaining.is_zero() {
            return Err(transport_error(ureq::Error::Timeout(ureq::Timeout::Global)));
        }
        let agent = &*AGENT;
        let body = &req.body;
        let sent = match req.method {
            Method::Get => prepare(agent.get(url), config, remaining).call(),
            Method::Delete => prepare(agent.delete(url), config, remaining).call(),
            Method::Post => send_json(prepare(agent.post(url), config, remaining), body),
            Method::Patch => send_json(prepare(agent.patch(url), config, remaining), body),
        };
        let mut response = sent.map_err(transport_error)?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = header("request-id").or_else(|| header("x-request-id"));
        let retry_after = header("retry-after");
        let body = response
            .body_mut()
            .with_config()
            .limit(config.max_response_bytes)
            .read_to_vec();
        let body = match body {
            Ok(b) => b,
            // An error page too large to read (a proxy's HTML, say): the status alone decides
            // the error, and whether it is retried, as for any body that is not the error JSON.
            Err(ureq::Error::BodyExceedsLimit(_)) if !is_success(status) => Vec::new(),
            Err(ureq::Error::BodyExceedsLimit(limit)) => {
                return Err(Error::Decode {
                    status,
                    message: format!("response body is larger than the {limit}-byte limit"),
                    request_id,
                    attempts: 1,
                })
            }
            Err(e) => return Err(transport_error(e)),
        };
        Ok(RawResponse {
            status,
            request_id,
            retry_after,
            body,
        })
    }
}

/// Adds the headers every request carries (`User-Agent` and `Accept` come from the agent), and
/// this attempt's timeouts where they differ from the agent's.
fn prepare<B>(
    builder: ureq::RequestBuilder<B>,
    config: &crate::config::Config,
    remaining: Duration,
) -> ureq::RequestBuilder<B> {
    let mut b = builder.header(
        "Authorization",
        config.authorization.as_deref().unwrap_or(""),
    );
    if let Some(v) = &config.api_version {
        b = b.header("Pinn-Version", v);
    }
    let timeout = config.timeout.min(remaining);
    if config.connect_timeout != crate::config::DEFAULT_CONNECT_TIMEOUT
        || timeout != crate::config::DEFAULT_TIMEOUT
    {
        b = b
            .config()
            .timeout_connect(Some(config.connect_timeout))
            .timeout_global(Some(timeout))
            .build();
    }
    b
}

/// Sends a JSON body with its content type, or an empty body.
fn send_json(
    builder: ureq::RequestBuilder<ureq::typestate::WithBody>,
    body: &Option<Vec<u8>>,
) -> std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error> {
    match body {
        Some(body) => builder
            .header("Content-Type", "application/json")
            .send(body.as_slice()),
        None => builder.send_empty(),
    }
}

/// Classifies a failure with no usable response.
pub(crate) fn transport_error(e: ureq::Error) -> Error {
    use std::io::ErrorKind as Io;
    let kind = match &e {
        ureq::Error::HostNotFound => TransportKind::HostNotFound,
        ureq::Error::ConnectionFailed => TransportKind::ConnectFailed,
        ureq::Error::Io(io) if io.kind() == Io::ConnectionRefused => TransportKind::ConnectFailed,
        ureq::Error::Io(io) if matches!(io.kind(), Io::TimedOut | Io::WouldBlock) => {
            TransportKind::Timeout
        }
        ureq::Error::Timeout(ureq::Timeout::Connect | ureq::Timeout::Resolve) => {
            TransportKind::ConnectTimeout
        }
        ureq::Error::Timeout(_) => TransportKind::Timeout,
        ureq::Error::Tls(_) | ureq::Error::Rustls(_) | ureq::Error::TlsRequired => {
            TransportKind::Tls
        }
        ureq::Error::Protocol(_)
        | ureq::Error::LargeResponseHeader(..)
        | ureq::Error::BadUri(_)
        | ureq::Error::Http(_) => TransportKind::Protocol,
        _ => TransportKind::Io,
    };
    Error::Connection(Box::new(ConnectionError {
        kind,
        attempts: 1,
        source: e,
    }))
}

/// The error body: `{"error": {"type": ..., "code": ..., "message": ...}}`, every part optional.
#[derive(Deserialize)]
struct ErrorBody {
    error: ErrorFields,
}

#[derive(Deserialize)]
struct ErrorFields {
    #[serde(rename = "type")]
    error_type: Option<String>,
    code: Option<serde_json::Value>,
    message: Option<String>,
}

/// Turns a response into the decoded body (`None` when a success has no body) or the error
/// the spec's table gives it. Never panics, whatever the status and bytes.
pub(crate) fn parse_response<T: DeserializeOwned>(raw: &RawResponse) -> Result<Option<T>> {
    if is_success(raw.status) {
        if raw.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        return serde_json::from_slice(&raw.body).map(Some).map_err(|e| {
            // Name the object the server sent, when it says: "a user was expected" is
            // clearer as "got an app" than as "missing field user_id".
            #[derive(Deserialize)]
            struct Tagged {
                object: String,
            }
            let sent = match serde_json::from_slice::<Tagged>(&raw.body) {
                Ok(t) => format!(" (the body is a {:?} object)", t.object),
                Err(_) => String::new(),
            };
            Error::Decode {
                status: raw.status,
                message: format!("body does not decode: {e}{sent}"),
                request_id: raw.request_id.clone(),
                attempts: 1,
            }
        });
    }
    let fields = serde_json::from_slice::<ErrorBody>(&raw.body)
        .ok()
        .map(|b| b.error);
    let (error_type, code, message) = match fields {
        Some(f) => (f.error_type, f.code, f.message),
        None => (None, None, None),
    };
    let kind = match raw.status {
        500 | 502..=504 => ErrorKind::from_status(raw.status),
        _ => match &error_type {
            Some(t) => ErrorKind::from_error_type(t).unwrap_or(ErrorKind::Pinn),
            None => ErrorKind::from_status(raw.status),
        },
    };
    let message = match message {
        Some(m) if !m.is_empty() => truncate(m, MAX_MESSAGE_BYTES),
        _ => status_line(raw.status),
    };
    Err(Error::Api(Box::new(ApiError {
        kind,
        status: raw.status,
        error_type,
        code: code.unwrap_or_else(|| raw.status.into()),
        message,
        request_id: raw.request_id.clone(),
        retry_after: raw.retry_after.clone(),
        attempts: 1,
    })))
}

/// `404 Not Found`, or just the number for a status with no standard reason.
fn status_line(status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => format!("{status} {r}"),
        None => format!("status {status}"),
    }
}

/// Cuts `s` to at most `max` bytes, on a character boundary.
fn truncate(mut s: String, max: usize) -> String {
    if s.len() > max {
        let mut end = max;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests;
