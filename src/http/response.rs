//! What a response told: [`ResponseInfo`] (status, request ID, attempts, headers), and a
//! success's decoded body ([`Reply`]).

use std::fmt;
use std::sync::Arc;

use crate::errors::{Call, DecodeError, Error, Result, write_facts};

/// The success statuses of the spec: any other status, 2xx included, is an error.
pub(crate) fn is_success(status: u16) -> bool {
    matches!(status, 200 | 201 | 202 | 204)
}

/// What the response that produced an object or a list page said about itself: its status,
/// the server's request ID, the attempts the call took and the headers (Stripe's
/// `last_response`), and the request it answered.
///
/// Its `Display` is one line for a log, `200: GET /v1/users (request req_…)`; its `Debug`
/// shows the header names, not their values.
#[derive(Clone)]
pub struct ResponseInfo {
    pub(super) status: u16,
    request_id: Option<String>,
    headers: ureq::http::HeaderMap,
    /// The call's facts: the request, and the attempts it took.
    pub(super) call: Call,
    /// Whether a DELETE found its object already gone (see [`ResponseInfo::already_gone`]).
    pub(super) already_gone: bool,
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
            headers,
            call: Call::one(),
            already_gone: false,
        }
    }

    /// The HTTP status: 200, 201, 202 or 204; or 404 for a DELETE that found its object
    /// [`already_gone`](ResponseInfo::already_gone).
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
        self.call.attempts
    }

    /// The method of the request it answered: `GET`, `POST`, `PATCH` or `DELETE`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&Default::default())?;
    /// let response = user.last_response().unwrap();
    /// assert_eq!((response.method(), response.path()), ("POST", "/v1/users"));
    /// assert_eq!(response.to_string(), format!("200: POST /v1/users (request {})", response.request_id().unwrap()));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn method(&self) -> &str {
        self.call.method
    }

    /// The path of the request it answered, as sent, without its query.
    pub fn path(&self) -> &str {
        &self.call.path
    }

    /// Whether a DELETE found its object already gone: an earlier attempt of the same call
    /// may have deleted it (its reply was lost: the connection broke, a 500, 502 or 504 came
    /// back), and the retry was answered `404`. The call succeeded: the object is gone,
    /// which is what was asked. Always false for a call that was not retried.
    ///
    /// ```
    /// use pinn_mock::Fault;
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().sleeper(|_| {}).build()?);
    /// let user = client.users().create(&Default::default())?;
    /// // The delete lands, and its reply is lost on the way back.
    /// server.inject(Fault::status(502).after_commit().on_method("DELETE"));
    /// let response = client.users().delete(&user.user_id)?;
    /// assert!(response.already_gone());
    /// assert_eq!((response.status(), response.attempts()), (404, 2));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn already_gone(&self) -> bool {
        self.already_gone
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
        err.set_call(self.call.clone());
        err
    }
}

impl fmt::Display for ResponseInfo {
    /// `200: GET /v1/users (request req_…, after 2 attempts)`; `404, already gone: DELETE …`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if self.already_gone {
            f.write_str(", already gone")?;
        }
        if let Some(request) = self.call.request() {
            write!(f, ": {request}")?;
        }
        let facts = [
            self.request_id.as_ref().map(|id| format!("request {id}")),
            self.call.attempts_fact(),
        ];
        write_facts(f, facts.into_iter().flatten())
    }
}

impl fmt::Debug for ResponseInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseInfo")
            .field("status", &self.status)
            .field("request_id", &self.request_id)
            .field("method", &self.call.method)
            .field("path", &self.call.path)
            .field("attempts", &self.call.attempts)
            .field("already_gone", &self.already_gone)
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
