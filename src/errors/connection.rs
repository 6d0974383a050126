//! [`ConnectionError`]: no response at all.

use std::fmt;

use super::call::{Call, write_facts};
use super::kind::TransportKind;

/// The request got no response (`APIConnectionError` in the Python SDK). Its `source()` is
/// the transport's own error.
#[derive(Debug)]
#[non_exhaustive]
pub struct ConnectionError {
    kind: TransportKind,
    /// Whether any byte of the request was handed to the connection.
    pub(crate) sent: bool,
    /// Whether the attempt's time limit was what was left of the call's deadline (rather
    /// than the attempt timeout): the transport says only "the limit passed".
    at_deadline: bool,
    pub(crate) call: Call,
    source: ureq::Error,
}

impl ConnectionError {
    pub(crate) fn new(
        kind: TransportKind,
        sent: bool,
        at_deadline: bool,
        source: ureq::Error,
    ) -> ConnectionError {
        ConnectionError {
            kind,
            sent,
            at_deadline,
            call: Call::one(),
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
        self.call.attempts
    }

    /// The API host it tried to reach, as `host:port`.
    ///
    /// ```
    /// # let port = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
    /// let client = pinn::Client::builder()
    ///     .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ///     .api_host(format!("http://127.0.0.1:{port}")) // nothing listens there
    ///     .max_retries(0)
    ///     .build()?;
    /// let err = client.users().list(&Default::default()).unwrap_err();
    /// let pinn::Error::Connection(c) = &err else { panic!("a connection error") };
    /// assert_eq!(c.host(), format!("127.0.0.1:{port}"));
    /// assert_eq!(err.to_string(), format!("connection refused: GET /v1/users on 127.0.0.1:{port}"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn host(&self) -> &str {
        &self.call.host
    }

    /// What happened, in a few words: the kind, made precise by the transport's own error
    /// where it says more (refused, reset, which phase timed out).
    fn what(&self) -> &'static str {
        use std::io::ErrorKind as Io;
        use ureq::Timeout as T;
        match (&self.source, self.kind) {
            (ureq::Error::Io(e), _) if e.kind() == Io::ConnectionRefused => "connection refused",
            (ureq::Error::Io(e), _) if e.kind() == Io::ConnectionReset => "connection reset",
            (ureq::Error::Io(e), _) if e.kind() == Io::UnexpectedEof => "connection closed early",
            (ureq::Error::Timeout(T::Connect | T::Resolve), _) => "timed out while connecting",
            (ureq::Error::Timeout(T::SendRequest | T::SendBody | T::PerWrite), _) => {
                "timed out while sending the request"
            }
            (ureq::Error::Timeout(T::RecvResponse | T::RecvBody | T::PerRead), _) => {
                "timed out while reading the response"
            }
            // The limit of the whole attempt: the call's deadline, or the attempt timeout
            // while connecting (nothing sent yet) or while the answer was awaited.
            (ureq::Error::Timeout(_), _) if self.at_deadline => {
                "timed out: the call's deadline passed"
            }
            (ureq::Error::Timeout(_), _) if self.sent => "timed out while reading the response",
            (ureq::Error::Timeout(_), _) => "timed out while connecting",
            (_, TransportKind::HostNotFound) => "host not found",
            (_, TransportKind::ConnectFailed) => "could not connect",
            (_, TransportKind::ConnectTimeout) => "timed out while connecting",
            (_, TransportKind::Timeout) => "timed out while reading the response",
            (_, TransportKind::Io) => "connection failed",
            (_, TransportKind::Tls) => "tls failed",
            (_, TransportKind::Protocol) => "not a valid http response",
        }
    }
}

impl fmt::Display for ConnectionError {
    /// What happened, the request and the host it was for, then how many attempts:
    /// `connection refused: GET /v1/users on 127.0.0.1:12111 (after 3 attempts)`. The
    /// transport's own error is the `source()`, not repeated here.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())?;
        if let Some(request) = self.call.request() {
            write!(f, ": {request}")?;
        }
        if !self.call.host.is_empty() {
            write!(f, " on {}", self.call.host)?;
        }
        write_facts(f, self.call.attempts_fact())
    }
}

impl std::error::Error for ConnectionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Error as IoError, ErrorKind as Io};

    fn line(source: ureq::Error, kind: TransportKind, sent: bool, at_deadline: bool) -> String {
        ConnectionError::new(kind, sent, at_deadline, source).to_string()
    }

    #[test]
    fn the_words_come_from_the_transports_error_then_the_kind() {
        let io = |k: Io| ureq::Error::Io(IoError::new(k, "x"));
        let timeout = |t| ureq::Error::Timeout(t);
        use TransportKind as K;
        use ureq::Timeout as T;
        for (source, kind, sent, at_deadline, words) in [
            (
                io(Io::ConnectionRefused),
                K::ConnectFailed,
                false,
                false,
                "connection refused",
            ),
            (
                io(Io::ConnectionReset),
                K::Io,
                true,
                false,
                "connection reset",
            ),
            (
                io(Io::UnexpectedEof),
                K::Io,
                true,
                false,
                "connection closed early",
            ),
            (io(Io::BrokenPipe), K::Io, true, false, "connection failed"),
            (
                io(Io::TimedOut),
                K::Timeout,
                true,
                false,
                "timed out while reading the response",
            ),
            (
                timeout(T::Connect),
                K::ConnectTimeout,
                false,
                false,
                "timed out while connecting",
            ),
            (
                timeout(T::Resolve),
                K::ConnectTimeout,
                false,
                false,
                "timed out while connecting",
            ),
            (
                timeout(T::SendBody),
                K::Timeout,
                true,
                false,
                "timed out while sending the request",
            ),
            (
                timeout(T::RecvBody),
                K::Timeout,
                true,
                false,
                "timed out while reading the response",
            ),
            (
                timeout(T::Global),
                K::Timeout,
                true,
                true,
                "timed out: the call's deadline passed",
            ),
            (
                timeout(T::Global),
                K::Timeout,
                true,
                false,
                "timed out while reading the response",
            ),
            (
                timeout(T::Global),
                K::Timeout,
                false,
                false,
                "timed out while connecting",
            ),
            (
                ureq::Error::HostNotFound,
                K::HostNotFound,
                false,
                false,
                "host not found",
            ),
            (
                ureq::Error::ConnectionFailed,
                K::ConnectFailed,
                false,
                false,
                "could not connect",
            ),
            (ureq::Error::TlsRequired, K::Tls, false, false, "tls failed"),
            (
                ureq::Error::BadUri("x".into()),
                K::Protocol,
                true,
                false,
                "not a valid http response",
            ),
        ] {
            assert_eq!(line(source, kind, sent, at_deadline), words, "{kind:?}");
        }
    }
}
