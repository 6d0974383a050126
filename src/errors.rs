//! Errors, mirroring the Python SDK's `pinn.errors`.
//!
//! Every fallible call returns [`Result<T>`], whose error is the one [`Error`] enum. The
//! Python SDK's exception classes become [`ErrorKind`] values: match on [`Error::kind`] where
//! Python code would catch a class. [`Error::outcome`] says whether the server may have acted
//! on the request, and [`Error::is_retryable`] whether sending it again is both useful and safe.
//!
//! | status or cause | [`ErrorKind`] | [`Outcome`] |
//! |---|---|---|
//! | 400, 404, 405, or an argument rejected before any I/O | [`InvalidRequest`](ErrorKind::InvalidRequest) | `Failed` (`NotSent` before I/O) |
//! | 401 | [`Authentication`](ErrorKind::Authentication) | `Failed` |
//! | 403 | [`Forbidden`](ErrorKind::Forbidden) | `Failed` |
//! | 409, 422 | [`RequestFailed`](ErrorKind::RequestFailed) | `Failed` |
//! | 429 | [`RateLimit`](ErrorKind::RateLimit) | `Failed` |
//! | 500 | [`Api`](ErrorKind::Api) | `MaybeProcessed` |
//! | 502, 504 | [`ApiConnection`](ErrorKind::ApiConnection) | `MaybeProcessed` |
//! | 503 | [`ApiConnection`](ErrorKind::ApiConnection) | `Failed` (the server says it did nothing) |
//! | host not found, connection refused, connect timeout, TLS failure | [`ApiConnection`](ErrorKind::ApiConnection) | `NotSent` |
//! | reset, closed or timed out after the request was written; a reply that is not HTTP | [`ApiConnection`](ErrorKind::ApiConnection) | `MaybeProcessed` |
//! | any other status (a 3xx, 501, another 5xx, or a 2xx other than 200, 201, 202 and 204), an unknown `error.type` | [`Pinn`](ErrorKind::Pinn) | `Failed` for a 4xx, 501 and 505; `MaybeProcessed` otherwise |
//! | a success whose body does not decode | [`Pinn`](ErrorKind::Pinn) | `MaybeProcessed` |
//! | no or unusable secret key, bad host | [`Configuration`](ErrorKind::Configuration) | `NotSent` |
//! | ID token rejected | [`IdTokenVerification`](ErrorKind::IdTokenVerification) | `NotSent` |
//!
//! When a call was retried, its outcome is the least certain of its attempts: once one may
//! have been processed, the error says `MaybeProcessed` whatever the last answer was.
//!
//! Statuses 500 and 502–504 give their kind whatever the body says. Otherwise the kind comes
//! from the body's `error.type`, and from the status when the body is not the error JSON.
//!
//! Every string an error shows that came from a server or a token (messages, types, codes,
//! request IDs, header values, decode details) is cut to a bounded length, has its control
//! characters escaped, and has the secret key replaced by `<redacted>`.

use std::fmt;

/// A `Result` whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The kind of an error: one value per exception class of the Python SDK's `pinn.errors`.
///
/// Its `Display` is a few lowercase words (`invalid request`);
/// [`python_name`](ErrorKind::python_name) gives the Python class.
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
    /// # let server = pinn_mock::MockServer::start(); server.install();
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
    /// A few lowercase words.
    ///
    /// ```
    /// assert_eq!(pinn::ErrorKind::InvalidRequest.to_string(), "invalid request");
    /// assert_eq!(pinn::ErrorKind::ApiConnection.to_string(), "api connection");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::InvalidRequest => "invalid request",
            ErrorKind::Authentication => "authentication",
            ErrorKind::RequestFailed => "request failed",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::RateLimit => "rate limit",
            ErrorKind::Api => "api",
            ErrorKind::ApiConnection => "api connection",
            ErrorKind::Configuration => "configuration",
            ErrorKind::IdTokenVerification => "id token verification",
            ErrorKind::Pinn => "pinn",
        })
    }
}

/// Whether the server may have acted on a request that ended in an error.
///
/// It is what to look at before doing a create again: after `NotSent` and `Failed` nothing
/// was done, after `MaybeProcessed` the object may exist already.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Outcome {
    /// The request never left this process, or never reached the server: an argument or the
    /// configuration was refused, the host was not found, the connection was refused or could
    /// not be opened in time, TLS failed. Nothing was done.
    NotSent,
    /// The request was written to the server and no answer says what became of it: the
    /// connection broke or timed out while waiting, the reply was not HTTP, the server
    /// answered 500, 502, 504 or another status that does not say (a redirect, an unknown
    /// 5xx), or it answered success with a body that could not be read. Or an earlier attempt
    /// of the same call ended that way. The server may have done it.
    MaybeProcessed,
    /// The server answered that it did not do it: a 4xx (429 included), 501, 503 or 505, and
    /// no earlier attempt may have been processed.
    Failed,
}

/// What went wrong below HTTP: no response was received.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportKind {
    /// The host name could not be resolved.
    HostNotFound,
    /// The connection was refused or could not be established.
    ConnectFailed,
    /// No connection could be opened in time (the request was never sent).
    ConnectTimeout,
    /// A timeout elapsed after the connection was open.
    Timeout,
    /// The connection broke: reset, closed, or a body shorter than announced.
    Io,
    /// TLS failed (e.g. an untrusted certificate, or a server that does not speak TLS).
    Tls,
    /// The server spoke something that is not HTTP/1.1.
    Protocol,
}

/// What failed, in a few words: `host not found`, `timed out`, `tls failed`, …
///
/// ```
/// assert_eq!(pinn::errors::TransportKind::HostNotFound.to_string(), "host not found");
/// ```
impl fmt::Display for TransportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportKind::HostNotFound => "host not found",
            TransportKind::ConnectFailed => "could not connect",
            TransportKind::ConnectTimeout => "timed out connecting",
            TransportKind::Timeout => "timed out",
            TransportKind::Io => "connection failed",
            TransportKind::Tls => "tls failed",
            TransportKind::Protocol => "not a valid http response",
        })
    }
}

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
    attempts: u32,
    retryable: bool,
    /// Whether an earlier attempt of the same call may have been processed.
    processed_before: bool,
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
            attempts: 1,
            retryable: false,
            processed_before: false,
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
        self.attempts
    }

    /// Only an answer that says nothing was done is `Failed`: a 4xx, 501 (not implemented),
    /// 503 (unavailable) or 505 (version not supported). Any other status (a 500 or other
    /// 5xx, a redirect, an unexpected 2xx) leaves open that the server acted.
    fn outcome(&self) -> Outcome {
        match self.status {
            _ if self.processed_before => Outcome::MaybeProcessed,
            400..=499 | 501 | 503 | 505 => Outcome::Failed,
            _ => Outcome::MaybeProcessed,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "pinn api error: {} (status {}",
            self.message, self.status
        )?;
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

impl std::error::Error for ApiError {}

/// The request got no response (`APIConnectionError` in the Python SDK). Its `source()` is
/// the transport's own error.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConnectionError {
    kind: TransportKind,
    attempts: u32,
    /// Whether any byte of the request was handed to the connection.
    sent: bool,
    retryable: bool,
    /// Whether an earlier attempt of the same call may have been processed.
    processed_before: bool,
    source: ureq::Error,
}

impl ConnectionError {
    pub(crate) fn new(kind: TransportKind, sent: bool, source: ureq::Error) -> ConnectionError {
        ConnectionError {
            kind,
            attempts: 1,
            sent,
            retryable: false,
            processed_before: false,
            source,
        }
    }

    /// What failed.
    ///
    /// ```
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let config = pinn::Config::builder()
    ///     .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ///     .api_host(format!("http://127.0.0.1:{port}")) // nothing listens there
    ///     .max_retries(0);
    /// let err = pinn::Client::new(config.build()?).scope(|| pinn::User::list(&Default::default()));
    /// let pinn::Error::Connection(c) = err.unwrap_err() else { panic!("a connection error") };
    /// assert_eq!(c.kind(), pinn::errors::TransportKind::ConnectFailed);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn kind(&self) -> TransportKind {
        self.kind
    }

    /// How many attempts were made, retries included.
    ///
    /// ```
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let config = pinn::Config::builder()
    ///     .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ///     .api_host(format!("http://127.0.0.1:{port}")) // nothing listens there
    ///     .sleeper(|_| {});
    /// let err = pinn::Client::new(config.build()?).scope(|| pinn::User::list(&Default::default()));
    /// let pinn::Error::Connection(c) = err.unwrap_err() else { panic!("a connection error") };
    /// assert_eq!(c.attempts(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn attempts(&self) -> u32 {
        self.attempts
    }
}

impl fmt::Display for ConnectionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pinn api connection error: {}", self.kind)?;
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

/// A success response whose body is not what the call expects. Its `source()`, when there
/// is one, is the `serde_json` error (its text made safe to show, like every server string).
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    status: Option<u16>,
    request_id: Option<String>,
    attempts: u32,
    detail: String,
    source: Option<serde_json::Error>,
}

impl DecodeError {
    /// `detail` must already be safe to show.
    pub(crate) fn new(
        status: Option<u16>,
        request_id: Option<String>,
        detail: String,
        source: Option<serde_json::Error>,
    ) -> DecodeError {
        DecodeError {
            status,
            request_id,
            attempts: 1,
            detail,
            source,
        }
    }

    /// The HTTP status of the response; `None` for an object that did not come from one
    /// (the emulator's seeding calls).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::body(200, r#"{"object": "list", "data": 7}"#));
    /// let err = server.client().scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// let pinn::Error::Decode(decode) = &err else { panic!("a decode error") };
    /// assert_eq!(decode.status(), Some(200));
    /// ```
    pub fn status(&self) -> Option<u16> {
        self.status
    }

    /// What was wrong with the body, e.g. which field did not decode.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::body(200, r#"{"object": "list", "url": "/v1/users", "data": 7}"#));
    /// let err = server.client().scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// let pinn::Error::Decode(decode) = &err else { panic!("a decode error") };
    /// assert_eq!(decode.detail(), "the body does not decode at `data` (the body is a \"list\" object)");
    /// ```
    pub fn detail(&self) -> &str {
        &self.detail
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid response from pinn")?;
        let mut sep = " (";
        if let Some(s) = self.status {
            write!(f, "{sep}status {s}")?;
            sep = ", ";
        }
        if let Some(id) = &self.request_id {
            write!(f, "{sep}request {id}")?;
            sep = ", ";
        }
        if self.attempts > 1 {
            write!(f, "{sep}after {} attempts", self.attempts)?;
            sep = ", ";
        }
        if sep == ", " {
            f.write_str(")")?;
        }
        write!(f, ": {}", self.detail)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// An ID token was refused. Its `source()`, when the refusal came from decoding or checking
/// the JWT, is the `jsonwebtoken` error.
#[derive(Debug)]
#[non_exhaustive]
pub struct IdTokenError {
    reason: String,
    source: Option<jsonwebtoken::errors::Error>,
}

impl IdTokenError {
    pub(crate) fn new(
        reason: impl Into<String>,
        source: Option<jsonwebtoken::errors::Error>,
    ) -> IdTokenError {
        IdTokenError {
            reason: reason.into(),
            source,
        }
    }

    /// Why the token was refused, in a few words naming the claim at fault.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let token = server.mint_id_token("usr_123", &["palm"]);
    /// let err = server.client().scope(|| pinn::IdToken::verify(&token, &["face"])).unwrap_err();
    /// let pinn::Error::IdTokenVerification(e) = &err else { panic!("a token error") };
    /// assert_eq!(e.reason(), "claim amr lacks the required method \"face\"");
    /// ```
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

impl fmt::Display for IdTokenError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "id token verification failed: {}", self.reason)
    }
}

impl std::error::Error for IdTokenError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source.as_ref().map(|e| e as _)
    }
}

/// Every error this crate returns.
///
/// Use [`Error::kind`] to branch the way Python code catches `pinn.errors` classes,
/// [`Error::outcome`] to know whether the server may have acted, and
/// [`Error::is_retryable`] to decide whether sending the request again is worthwhile and safe.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The API answered with an error status (any kind: a 404 as well as a 500).
    #[error(transparent)]
    Status(Box<ApiError>),
    /// No response: the network, the connection or a timeout failed.
    #[error(transparent)]
    Connection(Box<ConnectionError>),
    /// A success status whose body is not what the call expects.
    #[error(transparent)]
    Decode(Box<DecodeError>),
    /// An argument was rejected before any I/O (an empty or oversized ID, an unknown app type).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// The library is misconfigured (no secret key, a key that is not a valid header value,
    /// a bad API host, a zero timeout). Raised before any I/O.
    #[error("configuration error: {0}")]
    Configuration(String),
    /// An ID token was rejected.
    #[error(transparent)]
    IdTokenVerification(Box<IdTokenError>),
}

impl Error {
    /// The Python-SDK error class this error corresponds to.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::ErrorKind;
    /// match pinn::User::retrieve("usr_missing") {
    ///     Err(e) if e.kind() == ErrorKind::InvalidRequest => assert_eq!(e.status(), Some(404)),
    ///     other => panic!("expected a 404, got {other:?}"),
    /// }
    /// assert_eq!(pinn::User::retrieve("").unwrap_err().kind(), ErrorKind::InvalidRequest);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Status(e) => e.kind,
            Error::Connection(_) => ErrorKind::ApiConnection,
            Error::Decode(_) => ErrorKind::Pinn,
            Error::InvalidArgument(_) => ErrorKind::InvalidRequest,
            Error::Configuration(_) => ErrorKind::Configuration,
            Error::IdTokenVerification(_) => ErrorKind::IdTokenVerification,
        }
    }

    /// Whether the server may have acted on the request: see [`Outcome`].
    ///
    /// ```
    /// use pinn::errors::Outcome;
    /// use pinn_mock::{Fault, MockServer};
    /// let server = MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// let create = || client.scope(|| pinn::User::create(&Default::default()));
    ///
    /// assert_eq!(client.scope(|| pinn::User::retrieve("")).unwrap_err().outcome(), Outcome::NotSent);
    /// server.inject(Fault::status(409));
    /// assert_eq!(create().unwrap_err().outcome(), Outcome::Failed);
    /// server.inject(Fault::status(500));
    /// assert_eq!(create().unwrap_err().outcome(), Outcome::MaybeProcessed);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn outcome(&self) -> Outcome {
        match self {
            Error::Status(e) => e.outcome(),
            Error::Connection(c) if c.sent || c.processed_before => Outcome::MaybeProcessed,
            Error::Connection(_) => Outcome::NotSent,
            Error::Decode(_) => Outcome::MaybeProcessed,
            Error::InvalidArgument(_) | Error::Configuration(_) | Error::IdTokenVerification(_) => {
                Outcome::NotSent
            }
        }
    }

    /// Whether sending the same request again later may succeed *and* cannot do harm: the
    /// failure is transient (a rate limit, a server error, a connection failure) and either
    /// the request is idempotent (GET, PATCH, DELETE) or it cannot have been processed.
    ///
    /// So a POST whose reply was lost after it was written is **not** retryable: the server
    /// may have created the object, and sending it again could create a second one. Check
    /// first (look the object up, e.g. by its metadata); see `docs/errors.md`. It is the same
    /// rule the client's own retries follow: by the time you see the error, the client has
    /// already retried what it could.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// let not_found = client.scope(|| pinn::User::retrieve("usr_missing")).unwrap_err();
    /// assert!(!not_found.is_retryable());
    /// server.inject(pinn_mock::Fault::status(500));
    /// let read = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert!(read.is_retryable()); // reading again is harmless
    /// server.inject(pinn_mock::Fault::status(500));
    /// let create = client.scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert!(!create.is_retryable()); // the user may exist already
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Status(e) => e.retryable,
            Error::Connection(c) => c.retryable,
            _ => false,
        }
    }

    /// The HTTP status, when a response was received.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert_eq!(err.status(), Some(404));
    /// let no_key = pinn::Client::new(pinn::Config::builder().api_host(server.url()).build()?);
    /// assert_eq!(no_key.scope(|| pinn::User::retrieve("usr_missing")).unwrap_err().status(), None);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Status(e) => Some(e.status),
            Error::Decode(d) => d.status,
            _ => None,
        }
    }

    /// The server's request ID, when a response header gave one.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// assert!(err.request_id().unwrap().starts_with("req_"));
    /// assert_eq!(pinn::User::retrieve("").unwrap_err().request_id(), None); // no request made
    /// ```
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Status(e) => e.request_id.as_deref(),
            Error::Decode(d) => d.request_id.as_deref(),
            _ => None,
        }
    }

    /// The API error details, when the API answered with an error status.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_missing").unwrap_err();
    /// let api = err.api_error().expect("the API answered");
    /// assert_eq!((api.status(), api.error_type()), (404, Some("not_found")));
    /// assert_eq!(api.code(), "not_found");
    /// assert!(pinn::User::retrieve("").unwrap_err().api_error().is_none());
    /// ```
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::Status(e) => Some(e),
            _ => None,
        }
    }

    /// What failed below HTTP, for a connection error.
    ///
    /// ```
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let config = pinn::Config::builder()
    ///     .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ///     .api_host(format!("http://127.0.0.1:{port}")) // nothing listens there
    ///     .max_retries(0);
    /// let err = pinn::Client::new(config.build()?).scope(|| pinn::User::list(&Default::default()));
    /// assert_eq!(err.unwrap_err().transport_kind(), Some(pinn::errors::TransportKind::ConnectFailed));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn transport_kind(&self) -> Option<TransportKind> {
        match self {
            Error::Connection(c) => Some(c.kind),
            _ => None,
        }
    }

    /// How many attempts were made before this error (1 when nothing was retried; 0 when
    /// the error was raised before any I/O).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(500).times(3));
    /// let client = pinn::Client::new(server.config_builder().sleeper(|_| {}).build()?);
    /// let err = client.scope(|| pinn::User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.attempts(), 3); // the first try and the default 2 retries
    /// assert_eq!(client.scope(|| pinn::User::retrieve("")).unwrap_err().attempts(), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn attempts(&self) -> u32 {
        match self {
            Error::Status(e) => e.attempts,
            Error::Connection(c) => c.attempts,
            Error::Decode(d) => d.attempts,
            _ => 0,
        }
    }

    /// Records the number of attempts and whether the request could safely be sent again.
    /// Records how many attempts the call made, whether sending it again is safe and useful,
    /// and whether an earlier attempt may have been processed (which this error's outcome
    /// then says, whatever the last answer was: a retried DELETE that timed out and then got
    /// a 404 may well have deleted).
    pub(crate) fn set_attempt_facts(
        &mut self,
        attempts: u32,
        retryable: bool,
        processed_before: bool,
    ) {
        match self {
            Error::Status(e) => {
                (e.attempts, e.retryable) = (attempts, retryable);
                e.processed_before = processed_before;
            }
            Error::Connection(c) => {
                (c.attempts, c.retryable) = (attempts, retryable);
                c.processed_before = processed_before;
            }
            Error::Decode(d) => d.attempts = attempts,
            _ => {}
        }
    }

    /// Whether any byte of the request reached the connection (for a connection error).
    pub(crate) fn was_sent(&self) -> bool {
        match self {
            Error::Connection(c) => c.sent,
            _ => true,
        }
    }
}
