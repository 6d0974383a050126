//! The HTTP layer: requests ([`Request`]), the one send loop ([`send`]), and what a response
//! tells ([`ResponseInfo`]).
//!
//! - `agent`: the ureq agent and one exchange on it (where a request gets its headers).
//! - `parse`: the one place a status becomes an error.
//! - `retry`: the one place that decides what is retried, and when.
//! - `guard`: keeps the secret key out of everything ureq can log.
//! - `resolver`: host names looked up once per TTL.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::errors::{DecodeError, Error, Result};
use crate::text;

mod agent;
mod guard;
mod parse;
mod resolver;
pub(crate) mod retry;

use retry::{Decision, Failure};

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("pinn-rust/", env!("CARGO_PKG_VERSION"));

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

/// The HTTP methods the crate sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    Get,
    Post,
    Patch,
    Delete,
}

impl Method {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
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
    fn url(&self, config: &Config) -> Result<String> {
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
    fn check_body(&self, config: &Config) -> Result<()> {
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

/// The success statuses of the spec: any other status, 2xx included, is an error.
pub(crate) fn is_success(status: u16) -> bool {
    matches!(status, 200 | 201 | 202 | 204)
}

/// What the response that produced an object or a list page said about itself: its status,
/// the server's request ID, the attempts the call took and the headers (Stripe's
/// `last_response`).
///
/// Its `Debug` shows the header names, not their values.
#[derive(Clone)]
pub struct ResponseInfo {
    status: u16,
    request_id: Option<String>,
    attempts: u32,
    headers: ureq::http::HeaderMap,
}

impl ResponseInfo {
    pub(crate) fn new(
        status: u16,
        request_id: Option<String>,
        headers: ureq::http::HeaderMap,
    ) -> ResponseInfo {
        ResponseInfo {
            status,
            request_id,
            attempts: 1,
            headers,
        }
    }

    /// The HTTP status (200, 201, 202 or 204).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&Default::default())?;
    /// assert_eq!(user.last_response().unwrap().status(), 200);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The server's request ID (`Request-Id`, else `X-Request-Id`): quote it to Pinn support.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&Default::default())?;
    /// let id = user.last_response().unwrap().request_id().unwrap();
    /// assert!(id.starts_with("req_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// How many attempts the call took (1 unless it was retried).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(503));
    /// let client = pinn::Client::new(server.config_builder().sleeper(|_| {}).build()?);
    /// let page = client.scope(|| pinn::User::list(&Default::default()))?;
    /// assert_eq!(page.last_response().unwrap().attempts(), 2);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// A response header's value, by name (any case); `None` when absent or not text.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&Default::default())?;
    /// assert_eq!(user.last_response().unwrap().header("content-type"), Some("application/json"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The names of the response's headers, lowercase.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&Default::default())?;
    /// let names: Vec<&str> = user.last_response().unwrap().header_names().collect();
    /// assert!(names.contains(&"request-id"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn header_names(&self) -> impl Iterator<Item = &str> {
        self.headers.keys().map(|k| k.as_str())
    }

    /// The error for a success whose body is not what the call expects.
    pub(crate) fn invalid(&self, detail: String) -> Error {
        let decode = DecodeError::new(Some(self.status), self.request_id.clone(), detail, None);
        let mut err = Error::Decode(Box::new(decode));
        err.set_attempt_facts(self.attempts, false, false);
        err
    }
}

impl fmt::Debug for ResponseInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseInfo")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("attempts", &self.attempts)
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// A success: what the response said, and its decoded body (`None` when it had none).
#[derive(Debug)]
pub(crate) struct Reply<T> {
    pub info: Arc<ResponseInfo>,
    pub body: Option<T>,
}

impl<T> Reply<T> {
    /// The body, or the error for a success that has none.
    pub(crate) fn require(self) -> Result<(T, Arc<ResponseInfo>)> {
        match self.body {
            Some(body) => Ok((body, self.info)),
            None => Err(self.info.invalid("the response has no body".into())),
        }
    }
}

/// Sends `req` with `config`, retrying as [`retry::decide`] says, and decodes a success body
/// as `T` (`None` for an empty one).
pub(crate) fn send<T: DeserializeOwned>(config: &Config, req: &Request) -> Result<Reply<T>> {
    config.check()?;
    let url = req.url(config)?;
    req.check_body(config)?;
    let started = Instant::now();
    let mut attempt: u32 = 0;
    // Whether an earlier attempt may have been processed.
    let mut processed_before = false;
    loop {
        attempt = attempt.saturating_add(1);
        let remaining = config.deadline.saturating_sub(started.elapsed());
        let result = agent::exchange(config, req, &url, remaining)
            .and_then(|raw| parse::response::<T>(raw, config));
        let mut err = match result {
            Ok((mut info, body)) => {
                info.attempts = attempt;
                log_success(req, &info, started.elapsed());
                return Ok(Reply {
                    info: Arc::new(info),
                    body,
                });
            }
            Err(e) => e,
        };
        let failure = match &err {
            Error::Status(e) => Failure::Status {
                status: e.status(),
                retry_after: e.retry_after(),
            },
            Error::Connection(c) => Failure::Transport {
                kind: c.kind(),
                sent: err.was_sent(),
            },
            _ => {
                err.set_attempt_facts(attempt, false, processed_before);
                log_failure(req, &err, attempt, started.elapsed(), Decision::Stop);
                return Err(err);
            }
        };
        let retryable = retry::retryable(req.method, failure);
        let decision = retry::decide(
            failure,
            retry::Attempt {
                method: req.method,
                attempt,
                max_retries: config.max_retries,
                elapsed: started.elapsed(),
                deadline: config.deadline,
                now: SystemTime::now(),
                jitter: retry::jitter(),
            },
        );
        err.set_attempt_facts(attempt, retryable, processed_before);
        processed_before = err.outcome() == crate::errors::Outcome::MaybeProcessed;
        log_failure(req, &err, attempt, started.elapsed(), decision);
        match decision {
            Decision::Retry(wait) => (config.sleep)(wait.duration()),
            Decision::Stop => return Err(err),
        }
    }
}

/// `GET /health` once, with no retries: true on a 2xx, false on anything else.
pub(crate) fn healthy(config: &Config) -> bool {
    if config.check().is_err() {
        return false;
    }
    let req = Request::get("/health".into());
    let Ok(url) = req.url(config) else {
        return false;
    };
    // One attempt, so bounded by the attempt's timeout and by the whole call's deadline alike.
    let within = config.timeout.min(config.deadline);
    matches!(agent::exchange(config, &req, &url, within), Ok(r) if (200..300).contains(&r.status))
}

/// A success, at `debug`, with its facts as key-values (target `pinn::http`).
fn log_success(req: &Request, info: &ResponseInfo, elapsed: Duration) {
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    let request_id = info.request_id().unwrap_or("-");
    log::debug!(
        method = req.method.as_str(), path = req.path.as_str(), status = info.status,
        request_id = request_id, attempt = info.attempts, elapsed_ms = elapsed_ms;
        "{} {} -> {} (request {request_id}, attempt {}, {elapsed_ms:.1} ms)",
        req.method.as_str(), req.path, info.status, info.attempts
    );
}

/// A failed attempt, at `info`, with its facts and the retry decision as key-values. The
/// wait is named for what set it: the backoff, or the server's `Retry-After`.
fn log_failure(req: &Request, err: &Error, attempt: u32, elapsed: Duration, decision: Decision) {
    let elapsed_ms = elapsed.as_secs_f64() * 1000.0;
    let request_id = err.request_id().unwrap_or("-");
    let status = err
        .status()
        .map_or_else(|| "-".to_string(), |s| s.to_string());
    let kind = format!("{:?}", err.kind());
    let (retry, wait_ms, wait_reason) = match decision {
        Decision::Retry(w) => (true, w.duration().as_secs_f64() * 1000.0, w.reason()),
        Decision::Stop => (false, 0.0, "-"),
    };
    let next = if retry {
        format!("retrying in {wait_ms:.0} ms ({wait_reason})")
    } else {
        "giving up".to_string()
    };
    log::info!(
        method = req.method.as_str(), path = req.path.as_str(), status = status.as_str(),
        kind = kind.as_str(), request_id = request_id, attempt = attempt,
        elapsed_ms = elapsed_ms, retry = retry, wait_ms = wait_ms, wait_reason = wait_reason;
        "{} {} failed: {kind}, status {status} (request {request_id}), attempt {attempt}, \
         {elapsed_ms:.1} ms; {next}",
        req.method.as_str(), req.path
    );
}

/// Makes a text safe to show; re-exported for the modules that build errors from other
/// sources (tokens, lists).
pub(crate) fn shown(raw: &str, config: &Config, max: usize) -> String {
    text::shown(raw, config.secret_key().map(|k| k.expose()), max)
}

pub(crate) use parse::safe_json_error;

#[cfg(test)]
mod tests;
