//! [`Fault`], what a test injects, and [`FaultKind`], what it does: how a test makes one,
//! aims it, and limits it.

use std::time::Duration;

/// A failure to inject into the emulator's next matching requests, with
/// [`MockServer::inject`](crate::MockServer::inject) or `POST /_mock/faults`.
///
/// A fault applies to the next request by default; [`times`](Fault::times) makes it apply to
/// more, and [`on_path`](Fault::on_path) and [`on_method`](Fault::on_method) narrow which
/// requests it matches. Each request takes the first injected fault that matches it, in the
/// order they were injected, and a request that hits a fault is still recorded in
/// [`requests`](crate::MockServer::requests).
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
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Fault {
    pub(super) kind: FaultKind,
    /// How many more times it fires; `None`: once, or without end when it has a probability.
    pub(super) times: Option<usize>,
    pub(super) path: Option<String>,
    pub(super) method: Option<String>,
    pub(super) after_commit: bool,
    pub(super) probability: Option<f64>,
    pub(super) seed: Option<u64>,
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
    /// (a status must be from 200 to 999: over HTTP another is refused, and from Rust it is
    /// answered `500`, saying why).
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
    /// [`seed`](crate::MockServerBuilder::seed) draws from that seed; otherwise at random.
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

    pub(super) fn matches(&self, method: &str, path: &str) -> bool {
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
