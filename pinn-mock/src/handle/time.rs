//! The emulator's clock: reading it, stopping it, moving it, and putting it back on the
//! system's time.

use super::start::MockServer;
use crate::clock::Clock;
use crate::control;
use crate::state::lock;

impl MockServer {
    /// The emulator's clock, in Unix seconds (`GET /_mock/clock`): the system's unless set,
    /// advanced, seeded or started elsewhere.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let system = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
    /// assert!((server.now() - system.as_secs() as i64).abs() <= 1);
    /// ```
    pub fn now(&self) -> i64 {
        lock(&self.running.shared.store).now()
    }

    /// Stops the clock at `unix_secs` (`PUT /_mock/clock`): every timestamp the emulator
    /// writes from now on, and the `iat` of minted ID tokens, is that instant until the clock
    /// is set or advanced again.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.set_clock(1_700_000_000);
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// assert_eq!((user.created_at, user.updated_at), (1_700_000_000, 1_700_000_000));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn set_clock(&self, unix_secs: i64) {
        control::set_clock(&self.running.shared, Clock::Frozen(unix_secs));
    }

    /// Moves the clock by `seconds` (negative: back), frozen or not (`POST
    /// /_mock/clock/advance`): how a test lets a key or an ID token expire.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// let key = client.enrollment_keys().create(&pinn::EnrollmentKeyCreateParams::new(&user.user_id))?;
    /// server.set_clock(key.expires_at);
    /// server.advance_clock(1);
    /// assert!(server.now() > key.expires_at); // the key has expired
    /// // A token minted two hours ago has expired too.
    /// server.advance_clock(-7200);
    /// let old = server.mint_id_token(&user.user_id, &["palm"]);
    /// assert!(client.scope(|| pinn::IdToken::verify(&old, &[])).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn advance_clock(&self, seconds: i64) {
        control::advance_clock(&self.running.shared, seconds);
    }

    /// Puts the clock back on the system's time (`DELETE /_mock/clock`).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::builder().clock(0).start()?;
    /// server.use_system_clock();
    /// assert!(server.now() > 1_700_000_000);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn use_system_clock(&self) {
        control::set_clock(&self.running.shared, Clock::system());
    }
}
