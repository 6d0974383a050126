//! What kind of error, what may have happened, and what failed below HTTP: [`ErrorKind`],
//! [`Outcome`] and [`TransportKind`].

use std::fmt;

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
    /// assert_eq!(ErrorKind::from_error_type("internal_server_error"), Some(ErrorKind::Api));
    /// assert_eq!(ErrorKind::from_error_type("gateway_timeout"), Some(ErrorKind::ApiConnection));
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

impl fmt::Display for Outcome {
    /// A few lowercase words: `not sent`, `may have been processed`, `failed`.
    ///
    /// ```
    /// assert_eq!(pinn::Outcome::MaybeProcessed.to_string(), "may have been processed");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::NotSent => "not sent",
            Outcome::MaybeProcessed => "may have been processed",
            Outcome::Failed => "failed",
        })
    }
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
