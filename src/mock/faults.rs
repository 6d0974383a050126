//! Fault injection: what the next matching requests get instead of a normal answer.

use std::time::Duration;

use super::routes::Reply;

/// A failure to inject into the emulator's next matching requests, with
/// [`MockServer::inject`](super::MockServer::inject).
///
/// A fault applies to the next request by default; [`times`](Fault::times) makes it apply to
/// more, and [`on_path`](Fault::on_path) and [`on_method`](Fault::on_method) narrow which
/// requests it matches. Each request takes the first injected fault that matches it, in the
/// order they were injected, and a request that hits a fault is still recorded in
/// [`requests`](super::MockServer::requests).
///
/// ```
/// use pinn::mock::{Fault, MockServer};
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
#[derive(Debug, Clone, PartialEq)]
#[must_use]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) times: usize,
    pub(crate) path: Option<String>,
    pub(crate) method: Option<String>,
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
            times: 1,
            path: None,
            method: None,
        }
    }

    /// Answers `status` with the spec's error body for it, e.g. 500 gives
    /// `{"error": {"type": "internal_server_error", …}}`. Statuses the spec's table does not
    /// name get the type `"error"`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::status(500));
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
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::rate_limit("7"));
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::RateLimit);
    /// assert_eq!(err.api_error().unwrap().retry_after(), Some("7"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn rate_limit(retry_after: &str) -> Fault {
        Fault::new(FaultKind::RateLimit(retry_after.to_string()))
    }

    /// Waits `d`, then handles the request normally. Longer than the client's timeout, it is
    /// a hang: the client gives up while the emulator still acts on the request. Dropping the
    /// server cuts the wait short.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// # let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::delay(Duration::from_millis(50)));
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
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::close());
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
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::truncated_body());
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
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::body(502, "<html>Bad Gateway</html>"));
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
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::status(503).times(2));
    /// let list = || client.scope(|| pinn::User::list(&Default::default()));
    /// assert!(list().is_err() && list().is_err());
    /// assert!(list().is_ok());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn times(mut self, n: usize) -> Fault {
        self.times = n;
        self
    }

    /// Matches only requests whose raw path (still percent-encoded, without the query)
    /// equals `path`, e.g. `/v1/users`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// server.inject(pinn::mock::Fault::status(500).on_path("/v1/apps"));
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
    /// # let server = pinn::mock::MockServer::start();
    /// let client = server.client();
    /// server.inject(pinn::mock::Fault::status(500).on_method("post"));
    /// assert!(client.scope(|| pinn::User::list(&Default::default())).is_ok());
    /// let err = client.scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert_eq!((err.status(), err.attempts()), (Some(500), 1)); // a POST is not retried after a 500
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn on_method(mut self, method: &str) -> Fault {
        self.method = Some(method.to_ascii_uppercase());
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.path.as_deref().is_none_or(|p| p == path)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
    }
}

/// Takes one use of the first fault in `queue` that matches (used-up faults are dropped on
/// the next call).
pub(crate) fn take(queue: &mut Vec<Fault>, method: &str, path: &str) -> Option<FaultKind> {
    queue.retain(|f| f.times > 0);
    let i = queue.iter().position(|f| f.matches(method, path))?;
    let fault = queue.get_mut(i)?;
    fault.times -= 1;
    Some(fault.kind.clone())
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
            Some(Reply {
                status: *status,
                body: body.clone(),
                content_type,
                headers: Vec::new(),
            })
        }
        FaultKind::Delay(_) | FaultKind::Close | FaultKind::Truncated => None,
    }
}

/// The bytes a truncated answer sends before the connection closes.
pub(crate) fn truncated_response(request_id: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nRequest-Id: {request_id}\r\n\
         Content-Length: 1000\r\n\r\n{{\"object\""
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_taken_in_order_and_used_up() {
        let mut q = vec![
            Fault::status(500).times(2).on_path("/v1/users"),
            Fault::close().on_method("post"),
            Fault::status(0).times(0),
        ];
        assert_eq!(take(&mut q, "GET", "/v1/apps"), None);
        assert_eq!(take(&mut q, "POST", "/v1/apps"), Some(FaultKind::Close));
        assert_eq!(
            take(&mut q, "POST", "/v1/users"),
            Some(FaultKind::Status(500))
        );
        assert_eq!(
            take(&mut q, "GET", "/v1/users"),
            Some(FaultKind::Status(500))
        );
        assert_eq!(take(&mut q, "GET", "/v1/users"), None);
        assert!(q.is_empty(), "{q:?}");
    }
}
