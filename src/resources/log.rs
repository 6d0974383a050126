//! Authentication logs: `/v1/logs`. Logs are written by Pinn when users authenticate.

use serde_json::{Map, Value};

use super::fields::{or_default, string_enum};
use crate::calls::{self, calls};
use crate::errors::Result;
use crate::list::{List, ListParams};
use crate::model::model;

string_enum! {
    /// How an authentication was made.
    AuthType {
        /// Through a web app.
        Web = "web",
        /// Through a mobile app.
        Mobile = "mobile",
    }
}

model! {
    /// One authentication attempt.
    pub struct Log {
        /// Always `"log"`.
        pub object: String,
        /// Unique ID (`log_…`).
        pub log_id: String,
        /// The user who authenticated.
        #[serde(default, deserialize_with = "or_default")]
        pub user_id: String,
        /// The device that authenticated.
        #[serde(default, deserialize_with = "or_default")]
        pub device_id: String,
        /// The mobile app involved.
        #[serde(default, deserialize_with = "or_default")]
        pub app_id: String,
        /// The web app involved, if any.
        #[serde(default)]
        pub web_app_id: Option<String>,
        /// Unix seconds when it happened.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Whether the authentication succeeded.
        #[serde(default, deserialize_with = "or_default")]
        pub success: bool,
        /// Combined score of all scorable biometrics.
        #[serde(default, deserialize_with = "or_default")]
        pub score: f64,
        /// Each factor used and its score.
        #[serde(default, deserialize_with = "or_default")]
        pub factors: Map<String, Value>,
        /// `web` or `mobile`.
        pub auth_type: AuthType,
    }
    object "log", id log_id;
}

calls! {
    /// The authentication-log calls of one client: `client.logs()`.
    Logs for Log, via logs;

    /// Retrieves a log: `GET /v1/logs/{log_id}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let log_id = server.record_log(&device.device_id, true)?.log_id;
    /// assert_eq!(client.logs().retrieve(&log_id)?.user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(&self, log_id: &str) -> Result<Log> {
        calls::retrieve(self.client, "/v1/logs", "log_id", log_id)
    }

    /// Lists logs, newest first: `GET /v1/logs`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// server.record_log(&device.device_id, true)?;
    /// assert_eq!(client.logs().list(&Default::default())?.data.len(), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(&self, params: &ListParams) -> Result<List<Log>> {
        calls::list(self.client, "/v1/logs".into(), params)
    }
}
