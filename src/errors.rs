//! Errors, mirroring the Python SDK's `pinn.errors`.
//!
//! Every fallible call returns [`Result<T>`], whose error is the one [`Error`] enum. The
//! Python SDK's exception classes become [`ErrorKind`] values: match on [`Error::kind`] where
//! Python code would catch a class.
//!
//! | status or cause | [`ErrorKind`] | [`Error::is_retryable`] |
//! |---|---|---|
//! | 400, 404, 405, or an argument rejected before any I/O | [`InvalidRequest`](ErrorKind::InvalidRequest) | no |
//! | 401 | [`Authentication`](ErrorKind::Authentication) | no |
//! | 403 | [`Forbidden`](ErrorKind::Forbidden) | no |
//! | 409, 422 | [`RequestFailed`](ErrorKind::RequestFailed) | no |
//! | 429 | [`RateLimit`](ErrorKind::RateLimit) | yes, after a while |
//! | 500 | [`Api`](ErrorKind::Api) | yes |
//! | 502, 503, 504, unreachable host, refused or reset connection, timeout | [`ApiConnection`](ErrorKind::ApiConnection) | yes |
//! | TLS failure, or a reply that is not HTTP | [`ApiConnection`](ErrorKind::ApiConnection) | no |
//! | any other status (a 3xx, 501, or a 2xx other than 200, 201, 202 and 204), an unknown `error.type`, or a success that does not decode | [`Pinn`](ErrorKind::Pinn) | no |
//! | no or unusable secret key, bad host | [`Configuration`](ErrorKind::Configuration) | no |
//! | ID token rejected | [`IdTokenVerification`](ErrorKind::IdTokenVerification) | no |
//!
//! Statuses 500 and 502–504 give their kind whatever the body says. Otherwise the kind comes
//! from the body's `error.type`, and from the status when the body is not the error JSON.

use std::fmt;

/// A `Result` whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kind of an error: one value per exception class of the Python SDK's `pinn.errors`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// `InvalidRequestError`: malformed request, unknown resource or wrong method (400, 404, 405).
    InvalidRequest,
    /// `AuthenticationError`: the secret key was refused (401).
    Authentication,
    /// `RequestFailedError`: well formed, but the state forbids it (409, 422).
    RequestFailed,
    /// `ForbiddenError`: the resource belongs to someone else (403).
    Forbidden,
    /// `RateLimitError`: too many requests (429).
    RateLimit,
    /// `APIError`: an internal server error (500).
    Api,
    /// `APIConnectionError`: the API could not be reached (502–504, network failures).
    ApiConnection,
    /// `ConfigurationError`: the library is misconfigured; raised before any I/O.
    Configuration,
    /// `IDTokenVerificationError`: an ID token was rejected.
    IdTokenVerification,
    /// `PinnError`, the base kind: any other status, unknown error type or undecodable reply.
    Pinn,
}

impl ErrorKind {
    /// The kind the spec's error table gives an HTTP status, with no body to go on.
    ///
    /// ```
    /// use pinn::ErrorKind;
    /// assert_eq!(ErrorKind::from_status(404), ErrorKind::InvalidRequest);
    /// assert_eq!(ErrorKind::from_status(503), ErrorKind::ApiConnection);
    /// assert_eq!(ErrorKind::from_status(418), ErrorKind::Pinn);
    /// ```
    pub fn from_status(status: u16) -> ErrorKind {
        match status {
            400 | 404 | 405 => ErrorKind::InvalidRequest,
            401 => ErrorKind::Authentication,
            403 => ErrorKind::Forbidden,
            409 | 422 => ErrorKind::RequestFailed,
            429 => ErrorKind::RateLimit,
            500 => ErrorKind::Api,
            502..=504 => ErrorKind::ApiConnection,
            _ => ErrorKind::Pinn,
        }
    }

    /// The kind the spec gives an `error.type` value, if it is one it names.
    ///
    /// ```
    /// use pinn::ErrorKind;
    /// assert_eq!(ErrorKind::from_error_type("rate_limit_exceeded"), Some(ErrorKind::RateLimit));
    /// assert_eq!(ErrorKind::from_error_type("conflict"), Some(ErrorKind::RequestFailed));
    /// assert_eq!(ErrorKind::from_error_type("teapot"), None);
    /// ```
    pub fn from_error_type(error_type: &str) -> Option<ErrorKind> {
        Some(match error_type {
            "bad_request" | "not_found" | "method_not_allowed" => ErrorKind::InvalidRequest,
            "unauthorized" => ErrorKind::Authentication,
            "forbidden" => ErrorKind::Forbidden,
            "conflict" | "unprocessable_entity" => ErrorKind::RequestFailed,
            "rate_limit_exceeded" => ErrorKind::RateLimit,
            "internal_server_error" => ErrorKind::Api,
            "bad_gateway" | "service_unavailable" | "gateway_timeout" => ErrorKind::ApiConnection,
            _ => return None,
        })
    }

    /// The name of the matching Python exception class.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.kind().python_name(), "InvalidRequestError");
    /// assert_eq!(pinn::ErrorKind::Api.python_name(), "APIError");
    /// ```
    pub fn python_name(self) -> &'static str {
        match self {
            ErrorKind::InvalidRequest => "InvalidRequestError",
            ErrorKind::Authentication => "AuthenticationError",
            ErrorKind::RequestFailed => "RequestFailedError",
            ErrorKind::Forbidden => "ForbiddenError",
            ErrorKind::RateLimit => "RateLimitError",
            ErrorKind::Api => "APIError",
            ErrorKind::ApiConnection => "APIConnectionError",
            ErrorKind::Configuration => "ConfigurationError",
            ErrorKind::IdTokenVerification => "IDTokenVerificationError",
            ErrorKind::Pinn => "PinnError",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.python_name())
    }
}

/// An error response from the API: a status other than the spec's successes (200, 201, 202,
/// 204).
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The kind, from the status and the body's `error.type` (see the module docs).
    pub kind: ErrorKind,
    /// The HTTP status.
    pub status: u16,
    /// `error.type` from the body, or `None` when the body was not the error JSON.
    pub error_type: Option<String>,
    /// `error.code` from the body (any JSON value); the status when the body was not the error JSON.
    pub code: serde_json::Value,
    /// `error.message` from the body, or the status line's reason when there was none.
    pub message: String,
    /// The server's request ID, from the `Request-Id` or `X-Request-Id` header.
    pub request_id: Option<String>,
    /// The `Retry-After` header, when the server sent one, as it was sent.
    pub retry_after: Option<String>,
    /// How many attempts were made, retries included.
    pub attempts: u32,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (status {}", self.message, self.status)?;
        if let Some(t) = &self.error_type {
            write!(f, ", type {t}")?;
        }
        if let Some(id) = &self.request_id {
            write!(f, ", request {id}")?;
        }
        if self.attempts > 1 {
            write!(f, ", after {} attempts", self.attempts)?;
        }
        f.write_str(")")
    }
}

/// What went wrong below HTTP: no response was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransportKind {
    /// The host name could not be resolved.
    HostNotFound,
    /// The connection was refused or could not be established.
    ConnectFailed,
    /// No connection could be opened in time (the request was never sent).
    ConnectTimeout,
    /// A timeout elapsed after the connection was open (the request may have been processed).
    Timeout,
    /// The connection broke after the request was (perhaps) sent: reset, closed, or short body.
    Io,
    /// TLS failed (e.g. an untrusted certificate).
    Tls,
    /// The server spoke something that is not HTTP/1.1.
    Protocol,
}

/// The request never got a response (`APIConnectionError` in the Python SDK).
#[derive(Debug)]
pub struct ConnectionError {
    /// What failed.
    pub kind: TransportKind,
    /// How many attempts were made, retries included.
    pub attempts: u32,
    pub(crate) source: ureq::Error,
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportKind::HostNotFound => "host not found",
            TransportKind::ConnectFailed => "could not connect",
            TransportKind::ConnectTimeout => "timed out connecting",
            TransportKind::Timeout => "timed out",
            TransportKind::Io => "connection failed",
            TransportKind::Tls => "tls failed",
            TransportKind::Protocol => "not a valid http response",
        };
        write!(f, "pinn api connection error: {what}")?;
        if self.attempts > 1 {
            write!(f, " after {} attempts", self.attempts)?;
        }
        Ok(())
    }
}

impl std::error::Error for ConnectionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

/// Every error this crate returns.
///
/// Use [`Error::kind`] to branch the way Python code catches `pinn.errors` classes, and
/// [`Error::is_retryable`] to decide whether trying again can help.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status.
    #[error("pinn api error: {0}")]
    Api(Box<ApiError>),
    /// No response: the network, the connection or a timeout failed. Its `source()` is the
    /// transport's own error.
    #[error(transparent)]
    Connection(Box<ConnectionError>),
    /// A success status whose body is not what the call expects.
    #[error("invalid response from pinn (status {status}): {message}")]
    Decode {
        /// The HTTP status of the response.
        status: u16,
        /// What was wrong with the body.
        message: String,
        /// The server's request ID, when a header gave one.
        request_id: Option<String>,
        /// How many attempts were made, retries included.
        attempts: u32,
    },
    /// An argument was rejected before any I/O (an empty ID, an unknown app type).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The library is misconfigured (no secret key, a key that is not a valid header value,
    /// a bad API host). Raised before any I/O.
    #[error("configuration error: {0}")]
    Configuration(String),
    /// An ID token was rejected; the message names the reason.
    #[error("id token verification failed: {0}")]
    IdTokenVerification(String),
}

impl Error {
    /// The Python-SDK error class this error corresponds to.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::ErrorKind;
    /// match pinn::User::retrieve("usr_missing") {
    ///     Err(e) if e.kind() == ErrorKind::InvalidRequest => assert_eq!(e.status(), Some(404)),
    ///     other => panic!("expected a 404, got {other:?}"),
    /// }
    /// assert_eq!(pinn::User::retrieve("").unwrap_err().kind(), ErrorKind::InvalidRequest);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api(e) => e.kind,
            Error::Connection(_) => ErrorKind::ApiConnection,
            Error::Decode { .. } => ErrorKind::Pinn,
            Error::InvalidArgument(_) => ErrorKind::InvalidRequest,
            Error::Configuration(_) => ErrorKind::Configuration,
            Error::IdTokenVerification(_) => ErrorKind::IdTokenVerification,
        }
    }

    /// Whether the same request may succeed if tried again later, per the spec's error table:
    /// rate limits, server errors and connection failures, but not a TLS failure or a reply
    /// that is not HTTP (the ones [`retry::retryable`](crate::retry::retryable) never retries
    /// either). Whether a retry is *safe* also depends on the method: see `docs/errors.md`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// let not_found = client.scope(|| pinn::User::retrieve("usr_missing")).unwrap_err();
    /// assert!(!not_found.is_retryable());
    /// server.inject(pinn::mock::Fault::status(500));
    /// let server_error = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert!(server_error.is_retryable());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::RateLimit | ErrorKind::Api | ErrorKind::ApiConnection
        ) && !matches!(
            self,
            Error::Connection(c) if matches!(c.kind, TransportKind::Tls | TransportKind::Protocol)
        )
    }

    /// The HTTP status, when a response was received.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.status(), Some(404));
    /// let no_key = pinn::Client::new(pinn::Config::builder().api_host(server.url()).build()?);
    /// assert_eq!(no_key.scope(|| pinn::User::retrieve("usr_missing")).unwrap_err().status(), None);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The server's request ID, when a response header gave one.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert!(err.request_id().unwrap().starts_with("req_"));
    /// assert_eq!(pinn::User::retrieve("").unwrap_err().request_id(), None); // no request made
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Decode { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error details, when the API answered with an error status.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// let api = err.api_error().expect("the API answered");
    /// assert_eq!((api.status, api.error_type.as_deref()), (404, Some("not_found")));
    /// assert_eq!(api.code, "not_found");
    /// assert!(pinn::User::retrieve("").unwrap_err().api_error().is_none());
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// How many attempts were made before this error (1 when nothing was retried; 0 when
    /// the error was raised before any I/O).
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start();
    /// server.inject(pinn::mock::Fault::status(500).times(3));
    /// let client = pinn::Client::new(server.config_builder().sleeper(|_| {}).build()?);
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.attempts(), 3); // the first try and the default 2 retries
    /// assert_eq!(client.scope(|| pinn::User::retrieve("")).unwrap_err().attempts(), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Api(e) => e.attempts,
            Error::Connection(c) => c.attempts,
            Error::Decode { attempts, .. } => *attempts,
            _ => 0,
        }
    }

    pub(crate) fn set_attempts(&mut self, n: u32) {
        match self {
            Error::Api(e) => e.attempts = n,
            Error::Connection(c) => c.attempts = n,
            Error::Decode { attempts, .. } => *attempts = n,
            _ => {}
        }
    }
}
