//! Recovery keys: `POST /v1/recovery_keys`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::or_default;
use crate::calls::{self, calls};
use crate::http::{Request, require_id};
use crate::object::{Origin, object};

/// A one-off key that authorizes a user to re-enroll after losing their device.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Fields this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The client that fetched it and the response it came in.
    #[serde(skip)]
    origin: Origin,
}

object!(RecoveryKey, "recovery_key", recovery_key_id);

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
        require_id("user_id", &params.user_id)?;
        let req = Request::post("/v1/recovery_keys".into());
        calls::fetch(self.client, req.json(params)?)
    }
}
