//! [`Error`], every error this crate returns, and [`Result`].

use super::api::ApiError;
use super::call::Call;
use super::connection::ConnectionError;
use super::decode::{DecodeError, IdTokenError};
use super::kind::{ErrorKind, Outcome, TransportKind};

/// A `Result` whose error defaults to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
            Error::Status(e) => e.kind(),
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
            Error::Connection(c) if c.sent || c.call.processed_before => Outcome::MaybeProcessed,
            Error::Connection(_) => Outcome::NotSent,
            // Not from a response (`Object::from_value`): no request was made.
            Error::Decode(d) if d.call.request().is_none() => Outcome::NotSent,
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
            Error::Status(e) => e.call.retryable,
            Error::Connection(c) => c.call.retryable,
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
            Error::Status(e) => Some(e.status()),
            Error::Decode(d) => d.status(),
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
            Error::Status(e) => e.request_id(),
            Error::Decode(d) => d.request_id(),
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
            Error::Connection(c) => Some(c.kind()),
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
        self.call().map_or(0, |c| c.attempts)
    }

    /// The method of the request this error ended (`"GET"`, …); `None` when none was made.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let err = pinn::User::retrieve("usr_nope").unwrap_err();
    /// assert_eq!((err.method(), err.path()), (Some("GET"), Some("/v1/users/usr_nope")));
    /// assert_eq!(err.to_string(), format!(
    ///     "not found: GET /v1/users/usr_nope: no such user: \"usr_nope\" (status 404, type \
    ///      not_found, request {})", err.request_id().unwrap()
    /// ));
    /// assert_eq!(pinn::User::retrieve("").unwrap_err().method(), None); // refused before
    /// ```
    pub fn method(&self) -> Option<&str> {
        self.call()
            .filter(|c| !c.method.is_empty())
            .map(|c| c.method)
    }

    /// The path of the request this error ended, as sent, without its query; `None` when
    /// none was made. See [`method`](Error::method).
    pub fn path(&self) -> Option<&str> {
        self.call()
            .filter(|c| !c.method.is_empty())
            .map(|c| c.path.as_str())
    }

    /// The facts of the call, for the errors that came from one.
    fn call(&self) -> Option<&Call> {
        match self {
            Error::Status(e) => Some(&e.call),
            Error::Connection(c) => Some(&c.call),
            Error::Decode(d) => Some(&d.call),
            _ => None,
        }
    }

    /// Records the facts of the call this error ended: its request, how many attempts it
    /// made, whether sending it again is safe and useful (for a status or a connection
    /// error), and whether an earlier attempt may have been processed (which the error's
    /// outcome then says, whatever the last answer was: a retried DELETE that timed out and
    /// then got a 404 may well have deleted).
    pub(crate) fn set_call(&mut self, call: Call) {
        match self {
            Error::Status(e) => e.call = call,
            Error::Connection(c) => c.call = call,
            // `is_retryable` is false for a decode error whatever its call says.
            Error::Decode(d) => d.call = call,
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
