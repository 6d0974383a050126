//! [`MockServerBuilder`]: the settings a [`MockServer`] starts with, and the checks of the
//! key before it does.

use std::io;
use std::time::Duration;

use super::start::MockServer;
use crate::requests::DEFAULT_CAPACITY;
use crate::server;
use crate::state::Settings;

/// The longest secret key the emulator accepts.
const MAX_SECRET_KEY: usize = 4096;

/// How long an idle keep-alive connection stays open, unless chosen.
pub(crate) const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(5);

/// How many connections the API is served on at once, unless chosen.
pub(crate) const DEFAULT_MAX_CONNECTIONS: usize = 4096;

/// Settings for a [`MockServer`]: [`MockServer::builder`], the settings, then
/// [`start`](MockServerBuilder::start). Its `Debug` output shows a chosen secret key as
/// `<redacted>`: it may be a real one.
///
/// ```
/// use std::time::Duration;
/// let server = pinn_mock::MockServer::builder()
///     .seed(7)
///     .clock(1_700_000_000)
///     .request_log_capacity(50)
///     .idle_timeout(Duration::from_secs(1))
///     .start()?;
/// assert_eq!(server.now(), 1_700_000_000);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct MockServerBuilder {
    settings: Settings,
}

impl MockServerBuilder {
    /// Listens on `127.0.0.1:port`; 0 (the default) picks a free port.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().port(0).start()?;
    /// assert_ne!(server.port(), 0);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(mut self, port: u16) -> MockServerBuilder {
        self.settings.port = port;
        self
    }

    /// Accepts this secret key instead of a random `sk_test_…` one. It must be printable
    /// ASCII without spaces, at most 4,096 bytes (it travels in a header); ID tokens need at
    /// least 16 bytes of it.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder()
    ///     .secret_key("sk_test_4eC39HqLyjWDarjtT1zdp7dc")
    ///     .start()?;
    /// assert_eq!(server.secret_key(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn secret_key(mut self, key: impl Into<String>) -> MockServerBuilder {
        self.settings.secret_key = Some(key.into());
        self
    }

    /// Makes the run repeat: the same calls get the same IDs, keys, secrets and request IDs,
    /// the secret key (unless chosen) is drawn from the seed, probabilistic faults roll the
    /// same way, and the clock is frozen (at [`clock`](MockServerBuilder::clock), else at
    /// 2100-01-01T00:00:00Z, in the future so that minted ID tokens still verify).
    ///
    /// ```
    /// use pinn_mock::MockServer;
    /// let run = || -> pinn::Result<(String, String, i64)> {
    ///     let server = MockServer::builder().seed(42).start().unwrap();
    ///     let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    ///     Ok((server.secret_key().to_string(), user.user_id, user.created_at))
    /// };
    /// assert_eq!(run()?, run()?);
    /// assert_eq!(run()?.2, 4_102_444_800);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn seed(mut self, seed: u64) -> MockServerBuilder {
        self.settings.seed = Some(seed);
        self
    }

    /// Starts the clock frozen at `unix_secs`; it moves only when set or advanced (see
    /// [`MockServer::set_clock`]).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().clock(1_700_000_000).start()?;
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// assert_eq!(user.created_at, 1_700_000_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn clock(mut self, unix_secs: i64) -> MockServerBuilder {
        self.settings.clock = Some(unix_secs);
        self
    }

    /// Keeps the newest `n` requests in [`requests`](MockServer::requests) (default 1,000; 0
    /// keeps none). Older ones are dropped first, and the log never holds more than 32 MiB.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().request_log_capacity(2).start()?;
    /// let client = server.client();
    /// for _ in 0..3 {
    ///     client.scope(pinn::healthy);
    /// }
    /// assert_eq!(server.requests().len(), 2);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn request_log_capacity(mut self, n: usize) -> MockServerBuilder {
        self.settings.request_log_capacity = n;
        self
    }

    /// Closes a keep-alive connection after `d` without a request (default 5 seconds).
    ///
    /// ```
    /// use std::io::Read;
    /// use std::time::Duration;
    /// let server = pinn_mock::MockServer::builder()
    ///     .idle_timeout(Duration::from_millis(50))
    ///     .start()?;
    /// let mut idle = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// assert_eq!(idle.read(&mut [0; 1])?, 0); // closed by the server
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn idle_timeout(mut self, d: Duration) -> MockServerBuilder {
        self.settings.idle_timeout = d;
        self
    }

    /// Serves the API on at most `n` connections at once (default 4,096; at least 1). Past
    /// those, 16 more are taken for the control API alone (any other request on them is
    /// answered `503` and the connection closed), so that a test can still clear faults or
    /// reset an emulator whose connections are all held; past those, a connection is answered
    /// `503` and closed.
    ///
    /// ```
    /// use std::io::{Read, Write};
    /// let server = pinn_mock::MockServer::builder().max_connections(1).start()?;
    /// let held = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// # std::thread::sleep(std::time::Duration::from_millis(50));
    /// let mut second = std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// write!(second, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")?;
    /// let mut answer = String::new();
    /// second.read_to_string(&mut answer)?;
    /// assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
    /// # drop(held);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn max_connections(mut self, n: usize) -> MockServerBuilder {
        self.settings.max_connections = n;
        self
    }

    /// Starts the server, or says why it could not: a bad key (`InvalidInput`), or a port that
    /// cannot be bound.
    ///
    /// ```
    /// let builder = pinn_mock::MockServer::builder();
    /// assert!(builder.clone().secret_key("two words").start().is_err());
    /// assert!(builder.clone().secret_key("k".repeat(4097)).start().is_err());
    /// assert!(builder.start().is_ok());
    /// ```
    pub fn start(self) -> io::Result<MockServer> {
        if let Some(key) = &self.settings.secret_key {
            let invalid =
                |message: String| Err(io::Error::new(io::ErrorKind::InvalidInput, message));
            if key.is_empty() || !key.bytes().all(|b| b.is_ascii_graphic()) {
                return invalid(
                    "the secret key must be non-empty printable ASCII without spaces".into(),
                );
            }
            // It travels in a request head, which the emulator takes up to 16 KiB: a longer
            // key could never be sent.
            if key.len() > MAX_SECRET_KEY {
                return invalid(format!(
                    "the secret key may be {MAX_SECRET_KEY} bytes, not {}",
                    key.len()
                ));
            }
        }
        Ok(MockServer {
            running: server::start(self.settings)?,
        })
    }
}

impl MockServer {
    /// Settings beyond the port and the key: a seed, a clock, the request log's capacity,
    /// the idle timeout. See [`MockServerBuilder`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().seed(1).start()?;
    /// assert_eq!(server.seed(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn builder() -> MockServerBuilder {
        MockServerBuilder {
            settings: Settings {
                port: 0,
                secret_key: None,
                seed: None,
                clock: None,
                request_log_capacity: DEFAULT_CAPACITY,
                idle_timeout: DEFAULT_IDLE_TIMEOUT,
                max_connections: DEFAULT_MAX_CONNECTIONS,
            },
        }
    }
}
