//! Fault injection: what the next matching requests get instead of a normal answer, before
//! the request is acted on or after.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::http::Head;
use super::reply::Reply;
use super::rng::Rng;

/// A failure to inject into the emulator's next matching requests, with
/// [`MockServer::inject`](super::MockServer::inject) or `POST /_mock/faults`.
///
/// A fault applies to the next request by default; [`times`](Fault::times) makes it apply to
/// more, and [`on_path`](Fault::on_path) and [`on_method`](Fault::on_method) narrow which
/// requests it matches. Each request takes the first injected fault that matches it, in the
/// order they were injected, and a request that hits a fault is still recorded in
/// [`requests`](super::MockServer::requests).
///
/// Authentication comes first: a request without the right key gets its `401` and takes no
/// fault. A fault without a path fires on the API's paths only, never on `/health` (nor on
/// `OPTIONS *`): aim one there with `on_path("/health")`.
///
/// By default a fault answers *instead of* the API: the request changes nothing.
/// [`after_commit`](Fault::after_commit) lets the API act first (a create creates) and then
/// spoils the answer, which is how a client learns what it does when a write succeeded but its
/// reply was lost. [`probability`](Fault::probability) makes a fault fire at random, from a
/// [`seed`](Fault::seed) when the run must repeat.
///
/// ```
/// use pinn_mock::{Fault, MockServer};
/// use pinn::{Config, Client, ErrorKind, User};
///
/// let server = MockServer::start();
/// server.inject(Fault::status(503).times(2).on_path("/v1/users").on_method("GET"));
/// let client = Client::new(Config::builder()
///     .secret_key(server.secret_key()).api_host(server.url())
///     .max_retries(0).build()?);
/// let err = client.scope(|| User::list(&Default::default())).unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ApiConnection);
/// # Ok::<(), pinn::Error>(())
/// ```
///
/// Over HTTP a fault is a JSON object: `kind` is one of `status`, `rate_limit`, `delay`,
/// `close`, `truncated_body` and `body`, with the kind's own fields (`status`, `retry_after`,
/// `delay_ms`, `body`) and any of `times`, `path`, `method`, `after_commit`, `probability` and
/// `seed`. At most 10,000 faults can be installed over HTTP at once: a `POST` that would pass
/// that is `422` and installs none. The type serializes to that shape:
///
/// ```
/// use pinn_mock::Fault;
/// let fault = Fault::status(503).probability(0.3).seed(7);
/// let json = serde_json::json!({"kind": "status", "status": 503, "probability": 0.3, "seed": 7});
/// assert_eq!(serde_json::to_value(&fault)?, json);
/// assert_eq!(serde_json::from_value::<Fault>(json)?, fault);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "FaultJson", into = "FaultJson")]
#[must_use]
pub struct Fault {
    pub(crate) kind: FaultKind,
    /// How many more times it fires; `None`: once, or without end when it has a probability.
    pub(crate) times: Option<usize>,
    pub(crate) path: Option<String>,
    pub(crate) method: Option<String>,
    pub(crate) after_commit: bool,
    pub(crate) probability: Option<f64>,
    pub(crate) seed: Option<u64>,
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum FaultKind {
    /// Answer this status with the spec's error body.
    Status(u16),
    /// 429 with this `Retry-After`.
    RateLimit(String),
    /// Wait, then answer normally.
    Delay(Duration),
    /// Close the connection, answering nothing.
    Close,
    /// Start a 200 whose body is cut short, then close.
    Truncated,
    /// Answer this status and raw body.
    Body(u16, String),
}

impl Fault {
    fn new(kind: FaultKind) -> Fault {
        Fault {
            kind,
            times: None,
            path: None,
            method: None,
            after_commit: false,
            probability: None,
            seed: None,
        }
    }

    /// Answers `status` with the spec's error body for it, e.g. 500 gives
    /// `{"error": {"type": "internal_server_error", …}}`. Statuses the spec's table does not
    /// name get the type `"error"`. A `204` or `304` goes without a body, as HTTP requires
    /// (over HTTP, a fault's status must be from 200 to 999).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::status(500));
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (pinn::ErrorKind::Api, Some(500)));
    /// assert_eq!(err.api_error().unwrap().error_type(), Some("internal_server_error"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(status: u16) -> Fault {
        Fault::new(FaultKind::Status(status))
    }

    /// Answers `429 rate_limit_exceeded` with the header `Retry-After: <retry_after>`, sent
    /// as given (seconds, an HTTP date, or anything else a test needs).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::rate_limit("7"));
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::RateLimit);
    /// assert_eq!(err.api_error().unwrap().retry_after(), Some("7"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn rate_limit(retry_after: &str) -> Fault {
        Fault::new(FaultKind::RateLimit(retry_after.to_string()))
    }

    /// Waits `d`, then handles the request normally. Longer than the client's timeout, it is
    /// a hang: the client gives up while the emulator still acts on the request.
    ///
    /// No wait outlives its purpose. Clearing the faults, or the client closing its
    /// connection, ends it at once, and the request goes on as if the time had passed (acted
    /// on, and answered if anyone still listens). A reset, or dropping the server, ends it
    /// with no answer, and a request waiting before the commit is then never acted on: it
    /// belongs to a state that is gone.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::delay(Duration::from_millis(50)));
    /// let started = Instant::now();
    /// let users = server.client().scope(|| pinn::User::list(&Default::default()))?;
    /// assert!(users.data.is_empty() && started.elapsed() >= Duration::from_millis(50));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delay(d: Duration) -> Fault {
        Fault::new(FaultKind::Delay(d))
    }

    /// Closes the connection without sending any response.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::close());
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (pinn::ErrorKind::ApiConnection, None));
    /// assert!(err.is_retryable());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn close() -> Fault {
        Fault::new(FaultKind::Close)
    }

    /// Sends `200` headers with a `Content-Length` of 1000, then 9 bytes of JSON, then closes
    /// the connection.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::truncated_body());
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (pinn::ErrorKind::ApiConnection, None));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn truncated_body() -> Fault {
        Fault::new(FaultKind::Truncated)
    }

    /// Answers `status` with `body` as it is: an HTML error page from a proxy, a JSON body
    /// of the wrong shape, an empty body. The `Content-Type` is `application/json` when the
    /// body parses as JSON, `text/html` when it starts with `<`, `text/plain` otherwise.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::body(502, "<html>Bad Gateway</html>"));
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!((err.kind(), err.status()), (pinn::ErrorKind::ApiConnection, Some(502)));
    /// assert_eq!(err.api_error().unwrap().error_type(), None); // not the error JSON
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn body(status: u16, body: &str) -> Fault {
        Fault::new(FaultKind::Body(status, body.to_string()))
    }

    /// Applies to the next `n` matching requests instead of one.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::status(503).times(2));
    /// let list = || client.scope(|| pinn::User::list(&Default::default()));
    /// assert!(list().is_err() && list().is_err());
    /// assert!(list().is_ok());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn times(mut self, n: usize) -> Fault {
        self.times = Some(n);
        self
    }

    /// Matches only requests whose raw path (still percent-encoded, without the query)
    /// equals `path`, e.g. `/v1/users`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn_mock::Fault::status(500).on_path("/v1/apps"));
    /// assert!(client.scope(|| pinn::User::list(&Default::default())).is_ok());
    /// let err = client.scope(|| pinn::App::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.status(), Some(500));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn on_path(mut self, path: &str) -> Fault {
        self.path = Some(path.to_string());
        self
    }

    /// Matches only requests with this method (any case), e.g. `"POST"`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// server.inject(pinn_mock::Fault::status(500).on_method("post"));
    /// assert!(client.scope(|| pinn::User::list(&Default::default())).is_ok());
    /// let err = client.scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert_eq!((err.status(), err.attempts()), (Some(500), 1)); // a POST is not retried after a 500
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn on_method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    /// Lets the API handle the request first, then spoils the answer: a create creates, an
    /// update updates, and then the connection closes, the body is cut, the status is
    /// replaced or the answer comes late. The one fault that makes a retried POST a
    /// duplicate: the server did the work, the client never heard.
    ///
    /// With `truncated_body`, the real answer's head goes out with half of its body; with
    /// `delay`, the change is made at once and the answer waits.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(2).build()?);
    /// server.inject(pinn_mock::Fault::close().after_commit().on_method("POST"));
    /// let err = client.scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::ApiConnection);
    /// // The client could not know, but the user exists; it did not retry the POST.
    /// assert_eq!((server.count("user"), server.requests().len()), (1, 1));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn after_commit(mut self) -> Fault {
        self.after_commit = true;
        self
    }

    /// Fires on each matching request with probability `p` (0 to 1; outside that range, the
    /// nearest end). A request it spares goes on to the next fault in the queue. A fault with
    /// a probability fires without end unless [`times`](Fault::times) limits it.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn_mock::Fault;
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(Fault::status(503).probability(0.5).seed(7));
    /// let failed = (0..100)
    ///     .filter(|_| client.scope(|| pinn::User::list(&Default::default())).is_err())
    ///     .count();
    /// assert!((30..70).contains(&failed), "{failed}");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn probability(mut self, p: f64) -> Fault {
        self.probability = Some(if p.is_nan() { 0.0 } else { p.clamp(0.0, 1.0) });
        self
    }

    /// Seeds the rolls of [`probability`](Fault::probability), so the same requests fail on
    /// every run. Without it, a fault on a server built with a
    /// [`seed`](super::MockServerBuilder::seed) draws from that seed; otherwise at random.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn_mock::Fault;
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// let mut runs = Vec::new();
    /// for _ in 0..2 {
    ///     server.clear_faults();
    ///     server.inject(Fault::status(500).probability(0.3).seed(42).on_path("/health"));
    ///     let failed: Vec<bool> = (0..20)
    ///         .map(|_| client.scope(pinn::healthy))
    ///         .collect();
    ///     runs.push(failed);
    /// }
    /// assert_eq!(runs[0], runs[1]);
    /// assert!(runs[0].contains(&false), "it fired");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn seed(mut self, seed: u64) -> Fault {
        self.seed = Some(seed);
        self
    }

    /// Roughly the bytes it holds.
    pub(crate) fn size(&self) -> usize {
        let text = match &self.kind {
            FaultKind::RateLimit(after) => after.len(),
            FaultKind::Body(_, body) => body.len(),
            _ => 0,
        };
        let field = |f: &Option<String>| f.as_ref().map_or(0, String::len);
        64 + text + field(&self.path) + field(&self.method)
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let aimed = match self.path.as_deref() {
            Some(p) => p == path,
            // Health checks and `OPTIONS *` ask about the server, not the API.
            None => path != "/health" && path != "*",
        };
        aimed
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// A fault taken by a request: what to do, and when.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Taken {
    pub kind: FaultKind,
    pub after_commit: bool,
}

/// An installed fault, with the uses it has left and the generator of its rolls.
#[derive(Debug)]
struct Armed {
    fault: Fault,
    /// `None`: without end.
    left: Option<usize>,
    rng: Rng,
}

/// The most faults the control API lets be installed at once. Every request walks the queue,
/// and a client posting lists of faults in a loop would otherwise grow it without end.
pub(crate) const MAX_FAULTS: usize = 10_000;
/// The most bytes of faults (their bodies, paths and headers) installed at once over HTTP:
/// 10,000 faults of a megabyte each would otherwise hold ten gigabytes.
pub(crate) const MAX_FAULT_BYTES: usize = 16 << 20;

/// The installed faults, in order.
#[derive(Debug)]
pub(crate) struct Queue {
    armed: Vec<Armed>,
    /// Seeds the rolls of faults that bring no seed.
    rng: Rng,
}

impl Queue {
    pub(crate) fn new(rng: Rng) -> Queue {
        Queue {
            armed: Vec::new(),
            rng,
        }
    }

    pub(crate) fn push(&mut self, fault: Fault) {
        let left = match (fault.times, fault.probability) {
            (Some(n), _) => Some(n),
            (None, Some(_)) => None,
            (None, None) => Some(1),
        };
        let seed = fault.seed.unwrap_or_else(|| self.rng.next_u64());
        self.armed.push(Armed {
            fault,
            left,
            rng: Rng::seeded(seed),
        });
    }

    /// Takes one use of the first fault that matches and fires (used-up faults are dropped).
    pub(crate) fn take(&mut self, method: &str, path: &str) -> Option<Taken> {
        self.armed.retain(|a| a.left != Some(0));
        for a in &mut self.armed {
            if !a.fault.matches(method, path) {
                continue;
            }
            if let Some(p) = a.fault.probability
                && a.rng.unit() >= p
            {
                continue;
            }
            if let Some(n) = &mut a.left {
                *n -= 1;
            }
            return Some(Taken {
                kind: a.fault.kind.clone(),
                after_commit: a.fault.after_commit,
            });
        }
        None
    }

    /// The faults still installed, each with the uses it has left.
    pub(crate) fn list(&self) -> Vec<Fault> {
        self.armed
            .iter()
            .filter(|a| a.left != Some(0))
            .map(|a| Fault {
                times: a.left,
                ..a.fault.clone()
            })
            .collect()
    }

    /// How many faults are installed and not used up.
    pub(crate) fn len(&self) -> usize {
        self.armed.iter().filter(|a| a.left != Some(0)).count()
    }

    /// Roughly the bytes of the faults installed and not used up.
    pub(crate) fn bytes(&self) -> usize {
        let live = self.armed.iter().filter(|a| a.left != Some(0));
        live.map(|a| a.fault.size()).sum()
    }

    /// Removes every fault; returns how many there were.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.len();
        self.armed.clear();
        n
    }
}

/// The answer of a fault that answers (status, rate limit or raw body).
pub(crate) fn reply(kind: &FaultKind) -> Option<Reply> {
    match kind {
        FaultKind::Status(s) => Some(Reply::error(*s, &format!("injected fault: status {s}"))),
        FaultKind::RateLimit(after) => {
            let mut r = Reply::error(429, "injected fault: too many requests");
            r.headers.push(("Retry-After", after.clone()));
            Some(r)
        }
        FaultKind::Body(status, body) => {
            let content_type = if serde_json::from_str::<serde_json::Value>(body).is_ok() {
                "application/json"
            } else if body.trim_start().starts_with('<') {
                "text/html"
            } else {
                "text/plain"
            };
            Some(Reply::text(*status, body.clone(), content_type))
        }
        FaultKind::Delay(_) | FaultKind::Close | FaultKind::Truncated => None,
    }
}

/// The bytes a truncated answer sends before the connection closes: a head promising 1000
/// bytes, and 9 of them.
pub(crate) fn truncated_response(request_id: &str) -> Vec<u8> {
    let head = Head {
        status: 200,
        headers: &[
            ("Content-Type", "application/json"),
            ("Request-Id", request_id),
        ],
        content_length: 1000,
        close: false,
        keep_alive_10: false,
    };
    [head.to_bytes(), b"{\"object\"".to_vec()].concat()
}

/// A fault as JSON: the control API's shape, and serde's.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FaultJson {
    kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delay_ms: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    times: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    method: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    after_commit: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    probability: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

impl From<Fault> for FaultJson {
    fn from(f: Fault) -> FaultJson {
        let mut j = FaultJson {
            kind: String::new(),
            status: None,
            retry_after: None,
            delay_ms: None,
            body: None,
            times: f.times,
            path: f.path,
            method: f.method,
            after_commit: f.after_commit,
            probability: f.probability,
            seed: f.seed,
        };
        j.kind = match f.kind {
            FaultKind::Status(s) => {
                j.status = Some(s);
                "status"
            }
            FaultKind::RateLimit(after) => {
                j.retry_after = Some(after);
                "rate_limit"
            }
            FaultKind::Delay(d) => {
                j.delay_ms = Some(u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
                "delay"
            }
            FaultKind::Close => "close",
            FaultKind::Truncated => "truncated_body",
            FaultKind::Body(s, body) => {
                (j.status, j.body) = (Some(s), Some(body));
                "body"
            }
        }
        .to_string();
        j
    }
}

impl TryFrom<FaultJson> for Fault {
    type Error = String;

    fn try_from(j: FaultJson) -> Result<Fault, String> {
        let kind = j.kind.as_str();
        let status = || match j.status {
            // A 1xx is not a final answer: the client would wait on for one.
            Some(s) if (200..=999).contains(&s) => Ok(s),
            Some(s) => Err(format!("status must be from 200 to 999, not {s}")),
            None => Err(format!("a {kind} fault needs a status")),
        };
        let (fault, own): (Fault, &[&str]) = match kind {
            "status" => (Fault::status(status()?), &["status"]),
            "rate_limit" => {
                let after = j
                    .retry_after
                    .as_deref()
                    .ok_or("a rate_limit fault needs retry_after")?;
                if after.chars().any(char::is_control) {
                    return Err("retry_after must not hold control characters".into());
                }
                (Fault::rate_limit(after), &["retry_after"])
            }
            "delay" => {
                let ms = j.delay_ms.ok_or("a delay fault needs delay_ms")?;
                (Fault::delay(Duration::from_millis(ms)), &["delay_ms"])
            }
            "close" => (Fault::close(), &[]),
            "truncated_body" => (Fault::truncated_body(), &[]),
            "body" => {
                let body = j.body.as_deref().ok_or("a body fault needs a body")?;
                (Fault::body(status()?, body), &["status", "body"])
            }
            other => {
                return Err(format!(
                    "kind must be one of status, rate_limit, delay, close, truncated_body, \
                     body, not {other:?}"
                ));
            }
        };
        let given = [
            ("status", j.status.is_some()),
            ("retry_after", j.retry_after.is_some()),
            ("delay_ms", j.delay_ms.is_some()),
            ("body", j.body.is_some()),
        ];
        if let Some((field, _)) = given.iter().find(|(f, set)| *set && !own.contains(f)) {
            return Err(format!("{field} is not a field of a {kind} fault"));
        }
        if j.times == Some(0) {
            return Err("times must be at least 1".into());
        }
        if let Some(p) = j.probability.filter(|p| !(0.0..=1.0).contains(p)) {
            return Err(format!("probability must be from 0 to 1, not {p}"));
        }
        let mut fault = Fault {
            times: j.times,
            path: j.path,
            after_commit: j.after_commit,
            seed: j.seed,
            ..fault
        };
        if let Some(m) = j.method {
            fault = fault.on_method(&m);
        }
        if let Some(p) = j.probability {
            fault = fault.probability(p);
        }
        Ok(fault)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn take(q: &mut Queue, method: &str, path: &str) -> Option<FaultKind> {
        q.take(method, path).map(|t| t.kind)
    }

    #[test]
    fn faults_are_taken_in_order_and_used_up() {
        let mut q = Queue::new(Rng::seeded(1));
        q.push(Fault::status(500).times(2).on_path("/v1/users"));
        q.push(Fault::close().on_method("post"));
        q.push(Fault::status(0).times(0));
        assert_eq!(take(&mut q, "GET", "/v1/apps"), None);
        assert_eq!(take(&mut q, "POST", "/v1/apps"), Some(FaultKind::Close));
        assert_eq!(
            take(&mut q, "POST", "/v1/users"),
            Some(FaultKind::Status(500))
        );
        assert_eq!(q.list(), [Fault::status(500).times(1).on_path("/v1/users")]);
        assert_eq!(
            take(&mut q, "GET", "/v1/users"),
            Some(FaultKind::Status(500))
        );
        assert_eq!(take(&mut q, "GET", "/v1/users"), None);
        assert!(q.list().is_empty(), "{q:?}");
    }

    #[test]
    fn a_fault_without_a_path_spares_health_checks() {
        let mut q = Queue::new(Rng::seeded(1));
        q.push(Fault::status(503).times(10));
        assert_eq!(take(&mut q, "GET", "/health"), None);
        assert_eq!(take(&mut q, "OPTIONS", "*"), None);
        assert_eq!(
            take(&mut q, "GET", "/nowhere"),
            Some(FaultKind::Status(503))
        );
        q.push(Fault::status(500).on_path("/health"));
        assert_eq!(take(&mut q, "GET", "/health"), Some(FaultKind::Status(500)));
    }

    #[test]
    fn probabilistic_faults_repeat_from_their_seed_and_never_run_out() {
        let rolls = |seed| {
            let mut q = Queue::new(Rng::seeded(seed));
            q.push(Fault::status(503).probability(0.3).seed(7));
            (0..1000)
                .map(|_| q.take("GET", "/").is_some())
                .collect::<Vec<_>>()
        };
        let (a, b) = (rolls(1), rolls(2));
        assert_eq!(a, b, "the fault's own seed decides, not the queue's");
        let fired = a.iter().filter(|f| **f).count();
        assert!((230..370).contains(&fired), "{fired}");
        let mut q = Queue::new(Rng::seeded(1));
        q.push(Fault::status(503).probability(0.0));
        q.push(Fault::status(429));
        assert_eq!(
            take(&mut q, "GET", "/"),
            Some(FaultKind::Status(429)),
            "spared: next fault"
        );
        assert_eq!(q.list().len(), 1);
        let mut q = Queue::new(Rng::seeded(1));
        q.push(Fault::close().probability(1.0).times(2).after_commit());
        let taken = q.take("GET", "/");
        assert_eq!(
            taken,
            Some(Taken {
                kind: FaultKind::Close,
                after_commit: true
            })
        );
        assert_eq!(q.list()[0].times, Some(1));
        assert_eq!(Fault::close().probability(7.0).probability, Some(1.0));
        assert_eq!(Fault::close().probability(f64::NAN).probability, Some(0.0));
    }

    #[test]
    fn json_round_trips_and_checks() {
        for fault in [
            Fault::status(503)
                .times(2)
                .on_path("/v1/users")
                .on_method("post"),
            Fault::rate_limit("7"),
            Fault::delay(Duration::from_millis(1500)).after_commit(),
            Fault::close().after_commit(),
            Fault::truncated_body().probability(0.25).seed(9),
            Fault::body(502, "<html>"),
        ] {
            let j = serde_json::to_value(&fault).unwrap();
            assert_eq!(
                serde_json::from_value::<Fault>(j.clone()).ok(),
                Some(fault),
                "{j}"
            );
        }
        assert_eq!(
            serde_json::to_value(Fault::close().after_commit().on_method("post")).unwrap(),
            json!({"kind": "close", "after_commit": true, "method": "POST"})
        );
        for bad in [
            json!({"kind": "teapot"}),
            json!({"kind": "status"}),
            json!({"kind": "status", "status": 42}),
            json!({"kind": "status", "status": 100}),
            json!({"kind": "body", "status": 199, "body": ""}),
            json!({"kind": "close", "status": 500}),
            json!({"kind": "rate_limit"}),
            json!({"kind": "rate_limit", "retry_after": "1\r\nX: y"}),
            json!({"kind": "delay"}),
            json!({"kind": "body", "status": 500}),
            json!({"kind": "close", "times": 0}),
            json!({"kind": "close", "probability": 1.5}),
            json!({"kind": "close", "colour": "red"}),
            json!({"status": 500}),
        ] {
            assert!(
                serde_json::from_value::<Fault>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }
}
