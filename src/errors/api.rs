//! [`ApiError`]: the API answered with an error status.

use std::fmt;

use super::call::{Call, write_facts};
use super::kind::{ErrorKind, Outcome};

/// An error response from the API: a status other than the spec's successes (200, 201, 202,
/// 204).
///
/// Every string in it came from the server and is bounded, escaped and redacted (see the
/// module docs).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    kind: ErrorKind,
    status: u16,
    error_type: Option<String>,
    code: serde_json::Value,
    message: String,
    request_id: Option<String>,
    retry_after: Option<String>,
    pub(crate) call: Call,
}

/// The parts of an [`ApiError`], already made safe to show.
pub(crate) struct ApiErrorParts {
    pub kind: ErrorKind,
    pub status: u16,
    pub error_type: Option<String>,
    pub code: serde_json::Value,
    pub message: String,
    pub request_id: Option<String>,
    pub retry_after: Option<String>,
}

impl ApiError {
    pub(crate) fn new(p: ApiErrorParts) -> ApiError {
        ApiError {
            kind: p.kind,
            status: p.status,
            error_type: p.error_type,
            code: p.code,
            message: p.message,
            request_id: p.request_id,
            retry_after: p.retry_after,
            call: Call::one(),
        }
    }

    /// The kind, from the status and the body's `error.type` (see the module docs).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.api_error().unwrap().kind(), pinn::ErrorKind::InvalidRequest);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The HTTP status.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.api_error().unwrap().status(), 404);
    /// ```
    pub fn status(&self) -> u16 {
        self.status
    }

    /// `error.type` from the body, or `None` when the body was not the error JSON.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.api_error().unwrap().error_type(), Some("not_found"));
    /// ```
    pub fn error_type(&self) -> Option<&str> {
        self.error_type.as_deref()
    }

    /// `error.code` from the body; the status when the body was not the error JSON. A code
    /// that is not a string, a number, a boolean or null is given as its JSON text.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.api_error().unwrap().code(), "not_found");
    /// ```
    pub fn code(&self) -> &serde_json::Value {
        &self.code
    }

    /// `error.message` from the body (at most 1 KiB), or the status line's reason when there
    /// was none.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert!(err.api_error().unwrap().message().contains("usr_missing"));
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The server's request ID, from the `Request-Id` or `X-Request-Id` header.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert!(err.api_error().unwrap().request_id().unwrap().starts_with("req_"));
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The `Retry-After` header, when the server sent one, as it was sent.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::rate_limit("3600"));
    /// let err = server.client().scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.api_error().unwrap().retry_after(), Some("3600"));
    /// ```
    pub fn retry_after(&self) -> Option<&str> {
        self.retry_after.as_deref()
    }

    /// How many attempts were made, retries included.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.api_error().unwrap().attempts(), 1);
    /// ```
    pub fn attempts(&self) -> u32 {
        self.call.attempts
    }

    /// Only an answer that says nothing was done is `Failed`: a 4xx, 501 (not implemented),
    /// 503 (unavailable) or 505 (version not supported). Any other status (a 500 or other
    /// 5xx, a redirect, an unexpected 2xx) leaves open that the server acted.
    pub(crate) fn outcome(&self) -> Outcome {
        match self.status {
            _ if self.call.processed_before => Outcome::MaybeProcessed,
            400..=499 | 501 | 503 | 505 => Outcome::Failed,
            _ => Outcome::MaybeProcessed,
        }
    }
}

impl fmt::Display for ApiError {
    /// What happened, the request, the server's message, then the facts:
    /// `not found: GET /v1/users/usr_nope: no such user (status 404, type not_found,
    /// request req_…)`. The message is left out when the server sent none (it would only
    /// repeat the status).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&status_words(self.status))?;
        if let Some(request) = self.call.request() {
            write!(f, ": {request}")?;
        }
        if self.message != status_line(self.status) {
            write!(f, ": {}", self.message)?;
        }
        let facts = [
            Some(format!("status {}", self.status)),
            self.error_type.as_ref().map(|t| format!("type {t}")),
            self.request_id.as_ref().map(|id| format!("request {id}")),
            self.call.attempts_fact(),
        ];
        write_facts(f, facts.into_iter().flatten())
    }
}

/// What a status says happened, in a few lowercase words: its reason phrase (`not found`,
/// `service unavailable`, …), or plainer words where the phrase says less (`rate limited`).
fn status_words(status: u16) -> String {
    let plainer = match status {
        422 => "unprocessable",
        429 => "rate limited",
        500 => "server error",
        _ => "",
    };
    if !plainer.is_empty() {
        return plainer.to_string();
    }
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => r.to_ascii_lowercase(),
        None => format!("status {status}"),
    }
}

/// `404 Not Found`, or `status 599` for a status with no standard reason: the message of an
/// error whose body said none.
pub(crate) fn status_line(status: u16) -> String {
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match reason {
        Some(r) => format!("{status} {r}"),
        None => format!("status {status}"),
    }
}

impl std::error::Error for ApiError {}
