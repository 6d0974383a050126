//! [`MockServer`] itself: starting one (dropping it stops it), where it listens, the key it
//! accepts, and clients for it.

use std::io;

use pinn::{Client, Config, ConfigBuilder};

use crate::server;

/// A running emulator. It serves until dropped; dropping it stops its threads and closes every
/// connection to it.
///
/// Tests running in parallel each start their own and call the API through
/// [`client`](MockServer::client) in a [`Client::scope`]. A program's own code that uses the
/// process-wide client can be pointed at it with [`install`](MockServer::install).
///
/// ```
/// let server = pinn_mock::MockServer::start();
/// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
/// assert_eq!(server.count("user"), 1);
/// drop(server); // stops it
/// # let _ = user;
/// # Ok::<(), pinn::Error>(())
/// ```
pub struct MockServer {
    pub(super) running: server::Running,
}

impl std::fmt::Debug for MockServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MockServer")
            .field("url", &self.running.shared.url)
            .finish()
    }
}

impl MockServer {
    /// Starts an emulator on a free loopback port.
    ///
    /// # Panics
    ///
    /// When no port can be bound (the only way it can fail). Use
    /// [`try_start`](MockServer::try_start) to handle that.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// assert!(server.url().starts_with("http://127.0.0.1:"));
    /// ```
    pub fn start() -> MockServer {
        match MockServer::try_start() {
            Ok(s) => s,
            Err(e) => panic!("pinn_mock::MockServer could not bind a port on 127.0.0.1: {e}"),
        }
    }

    /// Starts an emulator on a free loopback port, or says why it could not.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::try_start()?;
    /// assert!(server.secret_key().starts_with("sk_test_"));
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn try_start() -> io::Result<MockServer> {
        MockServer::builder().start()
    }

    /// Starts an emulator on `127.0.0.1:port` (0: any free port) with a random secret key.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start_on(0)?;
    /// assert!(pinn_mock::MockServer::start_on(server.port()).is_err()); // taken
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_on(port: u16) -> io::Result<MockServer> {
        MockServer::builder().port(port).start()
    }

    /// Starts an emulator on `127.0.0.1:port` (0: any free port) that accepts `secret_key`.
    /// The key must be printable ASCII without spaces (it travels in a header); ID tokens
    /// need at least 16 bytes of it.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start_with_key(0, "sk_test_4eC39HqLyjWDarjtT1zdp7dc")?;
    /// assert_eq!(server.secret_key(), "sk_test_4eC39HqLyjWDarjtT1zdp7dc");
    /// assert!(pinn_mock::MockServer::start_with_key(0, "two words").is_err());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_with_key(port: u16, secret_key: &str) -> io::Result<MockServer> {
        MockServer::builder()
            .port(port)
            .secret_key(secret_key)
            .start()
    }

    /// The base URL, `http://127.0.0.1:PORT`, with no trailing slash: the API host.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// assert_eq!(server.url(), format!("http://127.0.0.1:{}", server.port()));
    /// let config = pinn::Config::builder().api_host(server.url()).secret_key(server.secret_key());
    /// assert!(pinn::Client::new(config.build()?).scope(pinn::healthy));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn url(&self) -> String {
        self.running.shared.url.clone()
    }

    /// The port it listens on.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// assert_ne!(server.port(), 0);
    /// std::net::TcpStream::connect(("127.0.0.1", server.port()))?;
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn port(&self) -> u16 {
        self.running.addr.port()
    }

    /// The secret key it accepts (`sk_test_` and 24 random characters unless chosen).
    ///
    /// ```
    /// use pinn::{Client, Config, ErrorKind, User};
    /// let server = pinn_mock::MockServer::start();
    /// let with_key = |key: &str| Config::builder().secret_key(key).api_host(server.url()).build();
    /// let right = Client::new(with_key(server.secret_key())?);
    /// let wrong = Client::new(with_key("sk_test_wrong")?);
    /// assert!(right.scope(|| User::list(&Default::default())).is_ok());
    /// let err = wrong.scope(|| User::list(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), ErrorKind::Authentication);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn secret_key(&self) -> &str {
        &self.running.shared.secret_key
    }

    /// A config builder preset with this server's key and URL, to add settings to, such as
    /// retries or timeouts.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// assert_eq!(client.config().api_host(), server.url());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn config_builder(&self) -> ConfigBuilder {
        Config::builder()
            .secret_key(self.secret_key())
            .api_host(self.url())
    }

    /// A client for this server, to use in [`Client::scope`].
    ///
    /// # Panics
    ///
    /// When the server's key is one the crate cannot send: longer than
    /// [`pinn::config::MAX_SECRET_KEY_BYTES`] (the emulator takes keys of up to 4,096 bytes,
    /// for other languages' clients). [`config_builder`](MockServer::config_builder) then
    /// builds the configuration error instead.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let users = server.client().scope(|| pinn::User::list(&Default::default()))?;
    /// assert!(users.data.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn client(&self) -> Client {
        match self.config_builder().build() {
            Ok(config) => Client::new(config),
            Err(e) => panic!("no client can use this emulator's key: {e}"),
        }
    }

    /// Makes [`client`](MockServer::client) the process-wide client, for code that calls the
    /// static functions outside any scope. Tests that run in parallel should use scopes
    /// instead: the process-wide client is shared by every test thread.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.install();
    /// assert!(pinn::User::create(&Default::default())?.user_id.starts_with("usr_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn install(&self) {
        pinn::set_client(self.client());
    }
}
