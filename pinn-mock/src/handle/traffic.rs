//! What reaches the emulator: the faults injected into the next requests, and the requests
//! it received.

use super::start::MockServer;
use crate::control;
use crate::faults::Fault;
use crate::requests::RecordedRequest;
use crate::state::lock;

impl MockServer {
    /// Injects a fault into the next matching requests (`POST /_mock/faults`). See
    /// [`Fault`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.inject(pinn_mock::Fault::status(409).on_method("POST"));
    /// let err = server.client().scope(|| pinn::User::create(&Default::default())).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::RequestFailed);
    /// assert_eq!(server.count("user"), 0); // the fault answered instead of the API
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn inject(&self, fault: Fault) {
        lock(&self.running.shared.faults).push(fault);
    }

    /// The faults still installed, in order, each with the uses it has left as its
    /// [`times`](Fault::times) (`GET /_mock/faults`).
    ///
    /// ```
    /// use pinn_mock::{Fault, MockServer};
    /// let server = MockServer::start();
    /// server.inject(Fault::status(503).times(2));
    /// let client = pinn::Client::new(server.config_builder().max_retries(0).build()?);
    /// assert!(client.scope(|| pinn::User::list(&Default::default())).is_err());
    /// assert_eq!(server.faults(), [Fault::status(503).times(1)]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.running.shared.faults).list()
    }

    /// Removes every installed fault (`DELETE /_mock/faults`).
    ///
    /// ```
    /// use pinn_mock::{Fault, MockServer};
    /// let server = MockServer::start();
    /// server.inject(Fault::close().times(100));
    /// server.clear_faults();
    /// assert!(server.faults().is_empty());
    /// assert!(server.client().scope(pinn::healthy));
    /// ```
    pub fn clear_faults(&self) {
        control::clear_faults(&self.running.shared);
    }

    /// The requests received, oldest first, faulted ones included (`GET /_mock/requests`);
    /// the newest 1,000 unless the
    /// [capacity](crate::MockServerBuilder::request_log_capacity) was changed. Calls to the
    /// control API are not recorded.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let params = pinn::UserCreateParams::new().metadata_entry("k", "v");
    /// let user = client.scope(|| pinn::User::create(&params))?;
    /// client.scope(|| pinn::User::retrieve(&user.user_id))?;
    /// let sent = server.requests();
    /// assert_eq!(sent[0].json(), Some(serde_json::json!({"metadata": {"k": "v"}})));
    /// assert_eq!(sent[1].method, "GET");
    /// assert_eq!(sent[1].path, format!("/v1/users/{}", user.user_id));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.running.shared.requests).to_vec()
    }

    /// Forgets the requests received so far (`DELETE /_mock/requests`).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// assert!(server.client().scope(pinn::healthy));
    /// server.clear_requests();
    /// assert!(server.requests().is_empty());
    /// ```
    pub fn clear_requests(&self) {
        lock(&self.running.shared.requests).clear();
    }
}
