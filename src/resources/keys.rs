//! Enrollment and recovery keys: `POST /v1/enrollment_keys` and `POST /v1/recovery_keys`.
//! One-off keys that let a user enroll with the Pinn mobile SDK, the first time or again after
//! losing their device. Both are only ever created, for a user, and differ in a recovery
//! key's `flow`.

use serde::Serialize;
use serde_json::Value;

use super::fields::or_default;
use crate::calls::{self, calls};
use crate::client::Client;
use crate::errors::Result;
use crate::http::{Request, require_id};
use crate::model::model;
use crate::object::Object;

/// `POST {path}` with `params`, for the user `user_id` (refused before any I/O when empty).
fn create<K: Object>(
    client: &Client,
    path: &str,
    user_id: &str,
    params: &impl Serialize,
) -> Result<K> {
    require_id("user_id", user_id)?;
    calls::fetch(client, Request::post(path.into()).json(params)?)
}

model! {
    /// A one-off key that authorizes a user to enroll with the Pinn mobile SDK.
    pub struct EnrollmentKey {
        /// Always `"enrollment_key"`.
        pub object: String,
        /// Unique ID (`ek_…`).
        pub enrollment_key_id: String,
        /// The user it was issued for.
        #[serde(default, deserialize_with = "or_default")]
        pub user_id: String,
        /// Unix seconds when it was created.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Unix seconds when it expires.
        #[serde(default, deserialize_with = "or_default")]
        pub expires_at: i64,
        /// Whether it is a live (not sandbox) key.
        #[serde(default, deserialize_with = "or_default")]
        pub livemode: bool,
        /// The secret handed to the mobile SDK.
        #[serde(default, deserialize_with = "or_default")]
        pub secret: String,
    }
    object "enrollment_key", id enrollment_key_id;
}

/// What [`EnrollmentKey::create`] sends: `{"user_id": …}`.
///
/// ```
/// let params = pinn::EnrollmentKeyCreateParams::new("usr_4x8TXkN2pQ7vLm3Z9bYcR1dW");
/// assert_eq!(params.user_id, "usr_4x8TXkN2pQ7vLm3Z9bYcR1dW");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct EnrollmentKeyCreateParams {
    /// The user the key is for.
    pub user_id: String,
}

impl EnrollmentKeyCreateParams {
    /// A key for this user.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{EnrollmentKey, EnrollmentKeyCreateParams, User};
    /// let user = User::create(&Default::default())?;
    /// EnrollmentKey::create(&EnrollmentKeyCreateParams::new(&user.user_id))?;
    /// let sent = server.requests()[1].json().unwrap();
    /// assert_eq!(sent, serde_json::json!({"user_id": user.user_id}));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new(user_id: impl Into<String>) -> Self {
        EnrollmentKeyCreateParams {
            user_id: user_id.into(),
        }
    }
}

calls! {
    /// The enrollment-key calls of one client: `client.enrollment_keys()`.
    EnrollmentKeys for EnrollmentKey, via enrollment_keys;

    /// Issues an enrollment key for a user: `POST /v1/enrollment_keys` with `{"user_id": …}`.
    /// An empty user ID is refused before any I/O.
    ///
    /// Only issue one once the user has proven who they are in your own system.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::EnrollmentKeyCreateParams;
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let key = client.enrollment_keys().create(&EnrollmentKeyCreateParams::new(&user.user_id))?;
    /// assert_eq!(key.user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(&self, params: &EnrollmentKeyCreateParams) -> Result<EnrollmentKey> {
        create(self.client, "/v1/enrollment_keys", &params.user_id, params)
    }
}

model! {
    /// A one-off key that authorizes a user to re-enroll after losing their device.
    pub struct RecoveryKey {
        /// Always `"recovery_key"`.
        pub object: String,
        /// Unique ID (`rk_…`).
        pub recovery_key_id: String,
        /// The user it was issued for.
        #[serde(default, deserialize_with = "or_default")]
        pub user_id: String,
        /// Unix seconds when it was created.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Unix seconds when it expires.
        #[serde(default, deserialize_with = "or_default")]
        pub expires_at: i64,
        /// Whether it is a live (not sandbox) key.
        #[serde(default, deserialize_with = "or_default")]
        pub livemode: bool,
        /// The secret handed to the mobile SDK.
        #[serde(default, deserialize_with = "or_default")]
        pub secret: String,
        /// The remote factors checked before re-enrollment.
        #[serde(default, deserialize_with = "or_default")]
        pub flow: Vec<Value>,
    }
    object "recovery_key", id recovery_key_id;
}

/// What [`RecoveryKey::create`] sends: `{"user_id": …, "flow": [...]}`, the flow only when
/// given.
///
/// ```
/// let params = pinn::RecoveryKeyCreateParams::new("usr_4x8TXkN2pQ7vLm3Z9bYcR1dW").flow(["email"]);
/// assert_eq!(params.flow.as_deref(), Some(&["email".to_string()][..]));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct RecoveryKeyCreateParams {
    /// The user the key is for.
    pub user_id: String,
    /// Remote factors to check before re-enrollment.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow: Option<Vec<String>>,
}

impl RecoveryKeyCreateParams {
    /// A key for this user, with no flow: the API's default.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{RecoveryKey, RecoveryKeyCreateParams, User};
    /// let user = User::create(&Default::default())?;
    /// let key = RecoveryKey::create(&RecoveryKeyCreateParams::new(&user.user_id))?;
    /// assert!(key.flow.is_empty());
    /// assert_eq!(server.requests()[1].json().unwrap().get("flow"), None); // not sent
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new(user_id: impl Into<String>) -> Self {
        RecoveryKeyCreateParams {
            user_id: user_id.into(),
            flow: None,
        }
    }

    /// Sets the flow.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{RecoveryKey, RecoveryKeyCreateParams, User};
    /// let user = User::create(&Default::default())?;
    /// let params = RecoveryKeyCreateParams::new(&user.user_id).flow(["email", "sms"]);
    /// let key = RecoveryKey::create(&params)?;
    /// assert_eq!(key.flow, ["email", "sms"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn flow<S: Into<String>>(mut self, flow: impl IntoIterator<Item = S>) -> Self {
        self.flow = Some(flow.into_iter().map(Into::into).collect());
        self
    }
}

calls! {
    /// The recovery-key calls of one client: `client.recovery_keys()`.
    RecoveryKeys for RecoveryKey, via recovery_keys;

    /// Issues a recovery key: `POST /v1/recovery_keys` with `{"user_id": …, "flow": [...]}`.
    /// An empty user ID is refused before any I/O.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::RecoveryKeyCreateParams;
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let params = RecoveryKeyCreateParams::new(&user.user_id).flow(["email"]);
    /// assert_eq!(client.recovery_keys().create(&params)?.flow, ["email"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(&self, params: &RecoveryKeyCreateParams) -> Result<RecoveryKey> {
        create(self.client, "/v1/recovery_keys", &params.user_id, params)
    }
}
