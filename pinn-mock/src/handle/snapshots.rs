//! The emulator's state as a whole: its seed, resets, snapshots and restores, and how many
//! objects of a kind it holds or ever made.

use serde_json::Value;

use super::start::MockServer;
use crate::control;
use crate::json::value_depth;
use crate::state::lock;
use crate::store::Kind;
use pinn::{Error, Result};

/// The deepest value [`MockServer::restore`] takes: what serde_json reads over HTTP.
const MAX_SNAPSHOT_DEPTH: usize = 128;

impl MockServer {
    /// The seed in use: the one given, or the one drawn at random (or at the last
    /// [`reset`](MockServer::reset)). Starting a server with it repeats this run's IDs.
    /// The key of a server started without seed or key does not follow from its seed (the
    /// request IDs it hands out do, and they must not lead to the key); a seeded server's
    /// made-up key does, so a run with the same seed repeats it.
    ///
    /// ```
    /// use pinn_mock::MockServer;
    /// let server = MockServer::start();
    /// let again = MockServer::builder().seed(server.seed()).start()?;
    /// let user = |s: &MockServer| s.client().scope(|| pinn::User::create(&Default::default()));
    /// assert_eq!(user(&again)?.user_id, user(&server)?.user_id);
    /// assert_ne!(again.secret_key(), server.secret_key());
    /// let seeded = MockServer::builder().seed(again.seed()).start()?;
    /// assert_eq!(seeded.secret_key(), again.secret_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seed(&self) -> u64 {
        lock(&self.running.shared.origin).seed
    }

    /// Empties the emulator: objects, faults and the request log, and puts the clock and the
    /// ID generators back where they started (`POST /_mock/reset`). A seeded server then
    /// repeats its IDs; an unseeded one draws a new seed, so no ID from before comes back.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// server.reset();
    /// assert_eq!((server.count("user"), server.creates("user")), (0, 0));
    /// assert!(server.requests().is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn reset(&self) {
        control::reset(&self.running.shared, None);
    }

    /// Resets as if the server had been started with [`seed`](crate::MockServerBuilder::seed):
    /// `POST /_mock/reset` with `{"seed": …}`.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let mut ids = Vec::new();
    /// for _ in 0..2 {
    ///     server.reset_with_seed(9);
    ///     ids.push(client.scope(|| pinn::User::create(&Default::default()))?.user_id);
    /// }
    /// assert_eq!(ids[0], ids[1]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn reset_with_seed(&self, seed: u64) {
        control::reset(&self.running.shared, Some(seed));
    }

    /// The whole state as JSON (`GET /_mock/state`): every object of every kind, oldest
    /// first, the creation counters and the ID generator. [`restore`](MockServer::restore)
    /// takes it back; the clock, the faults and the request log are not part of it.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// let state = server.snapshot();
    /// assert_eq!(state["objects"]["user"].as_array().map(Vec::len), Some(1));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn snapshot(&self) -> Value {
        control::snapshot(&self.running.shared)
    }

    /// Replaces the state with a [`snapshot`](MockServer::snapshot) (`PUT /_mock/state`), or
    /// says what is wrong with it and changes nothing. Every field of a snapshot is optional,
    /// so a fixture can be as small as `{"objects": {"user": [{"user_id": "usr_1"}]}}`:
    /// objects are listed oldest first, each with its kind's ID field.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let saved = server.snapshot();
    /// client.scope(|| pinn::User::create(&Default::default()))?;
    /// server.restore(&saved)?;
    /// assert_eq!(server.count("user"), 0);
    ///
    /// server.restore(&serde_json::json!({"objects": {"user": [
    ///     {"user_id": "usr_fixture", "created_at": 1, "metadata": {"plan": "pro"}},
    /// ]}}))?;
    /// let user = client.scope(|| pinn::User::retrieve("usr_fixture"))?;
    /// assert_eq!(user.metadata["plan"], "pro");
    /// assert!(server.restore(&serde_json::json!({"objects": {"unicorn": []}})).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn restore(&self, snapshot: &Value) -> Result<()> {
        // Deeper than any snapshot could be, and than a copy could be made without
        // recursing that deep.
        if value_depth(snapshot) > MAX_SNAPSHOT_DEPTH {
            return Err(Error::InvalidArgument(format!(
                "a snapshot nests at most {MAX_SNAPSHOT_DEPTH} levels"
            )));
        }
        control::restore(&self.running.shared, snapshot.clone())
            .map_err(|f| Error::InvalidArgument(f.message))
    }

    /// How many objects of a kind exist now, by their `"object"` name: `count("user")`.
    /// Unknown kinds count 0. (`GET /_mock/counts` gives every kind.)
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// client.enrollment_keys().create(&pinn::EnrollmentKeyCreateParams::new(&user.user_id))?;
    /// assert_eq!((server.count("user"), server.count("enrollment_key")), (1, 1));
    /// assert_eq!(server.count("unicorn"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn count(&self, object: &str) -> usize {
        Kind::from_name(object).map_or(0, |k| lock(&self.running.shared.store).count(k))
    }

    /// How many objects of a kind were ever created, deleted ones included: a test can prove
    /// that a retried call created nothing twice.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// server.client().scope(|| pinn::User::delete(&user.user_id))?;
    /// assert_eq!((server.count("user"), server.creates("user")), (0, 1));
    /// assert_eq!(server.creates("event"), 2);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn creates(&self, object: &str) -> usize {
        Kind::from_name(object).map_or(0, |k| lock(&self.running.shared.store).creates(k))
    }
}
