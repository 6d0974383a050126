//! Recovery keys: `POST /v1/recovery_keys`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::or_default;
use crate::client::Client;
use crate::errors::Result;
use crate::http::{require_id, Request};
use crate::object::{object, Origin};

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

/// Optional parameters of [`RecoveryKey::create`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct RecoveryKeyCreateParams {
    /// Remote factors to check before re-enrollment.
    pub flow: Option<Vec<String>>,
}

impl RecoveryKeyCreateParams {
    /// No flow: the API's default.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{RecoveryKey, RecoveryKeyCreateParams, User};
    /// let user = User::create(&Default::default())?;
    /// let key = RecoveryKey::create(&user.user_id, &RecoveryKeyCreateParams::new())?;
    /// assert!(key.flow.is_empty());
    /// assert_eq!(server.requests()[1].json().unwrap().get("flow"), None); // not sent
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the flow.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{RecoveryKey, RecoveryKeyCreateParams, User};
    /// let user = User::create(&Default::default())?;
    /// let params = RecoveryKeyCreateParams::new().flow(["email", "sms"]);
    /// let key = RecoveryKey::create(&user.user_id, &params)?;
    /// assert_eq!(key.flow, ["email", "sms"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn flow<S: Into<String>>(mut self, flow: impl IntoIterator<Item = S>) -> Self {
        self.flow = Some(flow.into_iter().map(Into::into).collect());
        self
    }
}

#[derive(Serialize)]
struct CreateBody<'a> {
    user_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    flow: Option<&'a [String]>,
}

impl RecoveryKey {
    /// Issues a recovery key: `POST /v1/recovery_keys` with `{"user_id": …, "flow": [...]}`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{RecoveryKey, RecoveryKeyCreateParams};
    /// let user = pinn::User::create(&Default::default())?;
    /// let key = RecoveryKey::create(&user.user_id, &RecoveryKeyCreateParams::new().flow(["email"]))?;
    /// assert_eq!(key.flow, ["email"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(user_id: &str, params: &RecoveryKeyCreateParams) -> Result<RecoveryKey> {
        require_id("user_id", user_id)?;
        let body = CreateBody {
            user_id,
            flow: params.flow.as_deref(),
        };
        let req = Request::post("/v1/recovery_keys".into());
        super::fetch(&Client::current(), req.json(&body)?)
    }
}
