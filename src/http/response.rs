//! What a response told: [`ResponseInfo`] (status, request ID, attempts, headers), and a
//! success's decoded body ([`Reply`]).

use std::fmt;
use std::sync::Arc;

use crate::errors::{DecodeError, Error, Result};

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
    pub(super) status: u16,
    request_id: Option<String>,
    pub(super) attempts: u32,
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
