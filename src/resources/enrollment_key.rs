//! Enrollment keys: `POST /v1/enrollment_keys`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::or_default;
use crate::client::Client;
use crate::errors::Result;
use crate::http::{require_id, Request};
use crate::object::{object, Origin};

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

#[derive(Serialize)]
struct CreateBody<'a> {
    user_id: &'a str,
}

impl EnrollmentKey {
    /// Issues an enrollment key for a user: `POST /v1/enrollment_keys` with `{"user_id": …}`.
    ///
    /// Only issue one once the user has proven who they are in your own system.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let user = pinn::User::create(&Default::default())?;
    /// let key = pinn::EnrollmentKey::create(&user.user_id)?;
    /// assert_eq!(key.user_id, user.user_id);
    /// assert!(key.expires_at > key.created_at);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(user_id: &str) -> Result<EnrollmentKey> {
        require_id("user_id", user_id)?;
        let req = Request::post("/v1/enrollment_keys".into());
        super::fetch(&Client::current(), req.json(&CreateBody { user_id })?)
    }
}
