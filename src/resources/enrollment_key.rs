//! Enrollment keys: `POST /v1/enrollment_keys`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::fields::or_default;
use crate::calls::{self, calls};
use crate::http::{Request, require_id};
use crate::object::{Origin, object};

/// A one-off key that authorizes a user to enroll with the Pinn mobile SDK.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Fields this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The client that fetched it and the response it came in.
    #[serde(skip)]
    origin: Origin,
}

object!(EnrollmentKey, "enrollment_key", enrollment_key_id);

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
        require_id("user_id", &params.user_id)?;
        let req = Request::post("/v1/enrollment_keys".into());
        calls::fetch(self.client, req.json(params)?)
    }
}
