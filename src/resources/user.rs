//! Users: `/v1/users`.

use serde::Serialize;
use serde_json::{Map, Value};

use super::fields::{metadata_setters, or_default, string_enum};
use crate::calls::{self, calls};
use crate::errors::Result;
use crate::http::{Request, ResponseInfo, segment};
use crate::list::{List, ListParams};
use crate::model::model;
use crate::object::Deletable;
use crate::resources::device::Device;
use crate::resources::log::Log;

string_enum! {
    /// A user's status.
    UserStatus {
        /// The user may authenticate (every new user starts here).
        Active = "active",
        /// The user may not authenticate.
        Disabled = "disabled",
    }
}

model! {
    /// A Pinn user.
    pub struct User {
        /// Always `"user"`.
        pub object: String,
        /// Unique ID (`usr_…`).
        pub user_id: String,
        /// Unix seconds when the user was created.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Unix seconds when the user was last updated.
        #[serde(default, deserialize_with = "or_default")]
        pub updated_at: i64,
        /// Unix seconds when the user last authenticated, if ever.
        #[serde(default)]
        pub authenticated_at: Option<i64>,
        /// Whether the user has at least one enrolled device.
        #[serde(default, deserialize_with = "or_default")]
        pub device_enrolled: bool,
        /// Whether the user has enrolled their left palm.
        #[serde(default, deserialize_with = "or_default")]
        pub left_palm_enrolled: bool,
        /// Whether the user has enrolled their right palm.
        #[serde(default, deserialize_with = "or_default")]
        pub right_palm_enrolled: bool,
        /// Arbitrary key/value data attached to the user. Updatable.
        #[serde(default, deserialize_with = "or_default")]
        pub metadata: Map<String, Value>,
        /// The user's status. Updatable.
        #[serde(default)]
        pub status: Option<UserStatus>,
    }
    object "user", id user_id;
    saves (Map<String, Value>, Option<UserStatus>) = |user| (user.metadata.clone(), user.status.clone());
}

/// The body of [`User::create`]: everything is optional.
///
/// ```
/// # let server = pinn_mock::MockServer::start(); server.install();
/// let params = pinn::UserCreateParams::new().metadata_entry("external_id", "ypf3JZpTB5");
/// let user = pinn::User::create(&params)?;
/// assert_eq!(user.metadata["external_id"], "ypf3JZpTB5");
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct UserCreateParams {
    /// Arbitrary key/value data to attach.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
}

impl UserCreateParams {
    /// No metadata.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let user = pinn::User::create(&pinn::UserCreateParams::new())?;
    /// assert!(user.metadata.is_empty());
    /// assert_eq!(server.requests()[0].body, ""); // no metadata, no body
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }
}

metadata_setters!(UserCreateParams);

/// The body of [`User::update`]: only the fields set are sent. Metadata, when sent, replaces
/// the old metadata as a whole: an entry left out is gone.
///
/// ```
/// # let server = pinn_mock::MockServer::start(); server.install();
/// use pinn::{User, UserCreateParams, UserUpdateParams};
/// let id = User::create(&UserCreateParams::new().metadata_entry("old", 1))?.user_id;
/// let user = User::update(&id, &UserUpdateParams::new().metadata_entry("new", 2))?;
/// assert_eq!(user.metadata.get("old"), None);
/// assert_eq!(user.metadata["new"], 2);
/// let params = pinn::UserUpdateParams::new().status(pinn::UserStatus::Disabled);
/// assert_eq!(params.metadata, None); // not sent: the metadata stays
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct UserUpdateParams {
    /// New metadata (replaces the old).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Map<String, Value>>,
    /// New status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<UserStatus>,
}

impl UserUpdateParams {
    /// Changes nothing.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let user_id = pinn::User::create(&Default::default())?.user_id;
    /// let user = pinn::User::update(&user_id, &pinn::UserUpdateParams::new())?;
    /// assert_eq!(user.status, Some(pinn::UserStatus::Active));
    /// assert_eq!(server.requests().last().unwrap().body, "{}");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the status (a [`UserStatus`], or its wire name).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{User, UserStatus, UserUpdateParams};
    /// let user_id = User::create(&Default::default())?.user_id;
    /// let user = User::update(&user_id, &UserUpdateParams::new().status(UserStatus::Disabled))?;
    /// assert_eq!(user.status, Some(UserStatus::Disabled));
    /// let err = User::update(&user_id, &UserUpdateParams::new().status("asleep")).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::RequestFailed); // 422
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(mut self, status: impl Into<UserStatus>) -> Self {
        self.status = Some(status.into());
        self
    }
}

metadata_setters!(UserUpdateParams);

calls! {
    /// The user calls of one client: `client.users()`.
    Users for User, via users;

    /// Creates a user: `POST /v1/users`, with `{"metadata": …}` only when metadata is given
    /// and non-empty.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let params = pinn::UserCreateParams::new().metadata_entry("external_id", "ypf3JZpTB5");
    /// let user = client.users().create(&params)?;
    /// assert_eq!(user.metadata["external_id"], "ypf3JZpTB5");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(&self, params: &UserCreateParams) -> Result<User> {
        let mut req = Request::post("/v1/users".into());
        if params.metadata.as_ref().is_some_and(|m| !m.is_empty()) {
            req = req.json(params)?;
        }
        calls::fetch(self.client, req)
    }

    /// Retrieves a user: `GET /v1/users/{user_id}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user_id = client.users().create(&Default::default())?.user_id;
    /// assert_eq!(client.users().retrieve(&user_id)?.user_id, user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(&self, user_id: &str) -> Result<User> {
        calls::retrieve(self.client, "/v1/users", "user_id", user_id)
    }

    /// Updates a user: `PATCH /v1/users/{user_id}` with only the fields set in `params`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{UserStatus, UserUpdateParams};
    /// let client = server.client();
    /// let user_id = client.users().create(&Default::default())?.user_id;
    /// let user = client.users().update(&user_id, &UserUpdateParams::new().status(UserStatus::Disabled))?;
    /// assert_eq!(user.status, Some(UserStatus::Disabled));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn update(&self, user_id: &str, params: &UserUpdateParams) -> Result<User> {
        let path = format!("/v1/users/{}", segment("user_id", user_id)?);
        calls::fetch(self.client, Request::patch(path).json(params)?)
    }

    /// Deletes a user: `DELETE /v1/users/{user_id}`. Returns what the response said: its
    /// status and request ID, for your logs.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user_id = client.users().create(&Default::default())?.user_id;
    /// let response = client.users().delete(&user_id)?;
    /// assert!(response.request_id().unwrap().starts_with("req_"));
    /// assert_eq!(client.users().retrieve(&user_id).unwrap_err().status(), Some(404));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delete(&self, user_id: &str) -> Result<ResponseInfo> {
        calls::delete(self.client, "/v1/users", "user_id", user_id)
    }

    /// Lists users, newest first: `GET /v1/users`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// client.users().create(&Default::default())?;
    /// assert_eq!(client.users().list(&pinn::ListParams::new().limit(5))?.data.len(), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(&self, params: &ListParams) -> Result<List<User>> {
        calls::list(self.client, "/v1/users".into(), params)
    }

    /// Lists a user's devices: `GET /v1/users/{user_id}/devices`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// server.enroll_device(&user.user_id, Default::default())?; // what the mobile SDK does
    /// let devices = client.users().list_devices(&user.user_id, &Default::default())?;
    /// assert_eq!(devices.data[0].user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list_devices(&self, user_id: &str, params: &ListParams) -> Result<List<Device>> {
        let path = format!("/v1/users/{}/devices", segment("user_id", user_id)?);
        calls::list(self.client, path, params)
    }

    /// Lists a user's authentication logs: `GET /v1/users/{user_id}/logs`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// // Devices and logs come from the mobile SDK; the emulator seeds them.
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// server.record_log(&device.device_id, true)?;
    /// let logs = client.users().list_logs(&user.user_id, &Default::default())?;
    /// assert!(logs.data[0].success);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list_logs(&self, user_id: &str, params: &ListParams) -> Result<List<Log>> {
        let path = format!("/v1/users/{}/logs", segment("user_id", user_id)?);
        calls::list(self.client, path, params)
    }
}

impl User {
    /// Saves the updatable fields (`metadata`, `status`) that differ from when this user was
    /// read, restored or last saved, then refreshes `self` from the reply: [`Users::save`],
    /// through the client that fetched the user, on any thread.
    ///
    /// A user that came from no client (deserialized from a cache or a queue message) goes
    /// through the current client: the innermost [`Client::scope`](crate::Client::scope) of
    /// this thread, else the process-wide client, which is an error once it is switched off
    /// ([`disable_global_client`](crate::disable_global_client)). To name the client, call
    /// `client.users().save(&mut user)`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let mut user = pinn::User::create(&Default::default())?;
    /// user.metadata.insert("external_id".into(), "ypf3JZpTB5".into());
    /// user.save()?;
    /// assert_eq!(pinn::User::retrieve(&user.user_id)?.metadata["external_id"], "ypf3JZpTB5");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn save(&mut self) -> Result<()> {
        let client = self.state.origin.client();
        client.users().save(self)
    }
}

impl Users<'_> {
    /// Saves `user` through this client: `PATCH /v1/users/{user_id}` with the updatable
    /// fields (`metadata`, `status`) that differ from when it was read, restored or last
    /// saved, then refreshes it from the reply. A field it was merely given is never sent, so
    /// a user kept as JSON and restored later cannot undo what others changed meanwhile.
    /// `metadata`, when sent, replaces the whole map. With nothing changed, no request is
    /// made.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{User, UserStatus, UserUpdateParams};
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// let cached = serde_json::to_string(&user)?; // kept in a cache, a session, a queue
    ///
    /// // Meanwhile, an admin disables the user.
    /// let off = UserUpdateParams::new().status(UserStatus::Disabled);
    /// client.users().update(&user.user_id, &off)?;
    ///
    /// let mut restored: User = serde_json::from_str(&cached)?;
    /// restored.metadata.insert("plan".into(), "pro".into());
    /// client.users().save(&mut restored)?; // sends the metadata only
    /// assert_eq!(restored.status, Some(UserStatus::Disabled));
    /// assert_eq!(server.requests().last().unwrap().body, r#"{"metadata":{"plan":"pro"}}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, user: &mut User) -> Result<()> {
        let (metadata, status) = &user.state.loaded;
        let params = UserUpdateParams {
            metadata: (user.metadata != *metadata).then(|| user.metadata.clone()),
            status: user
                .status
                .clone()
                .filter(|now| Some(now) != status.as_ref()),
        };
        if params == UserUpdateParams::default() {
            return Ok(());
        }
        *user = self.update(&user.user_id, &params)?;
        Ok(())
    }
}

impl Deletable for User {
    /// Deletes this user: `DELETE /v1/users/{user_id}`, through the client that fetched it.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Deletable;
    /// let user = pinn::User::create(&Default::default())?;
    /// user.delete()?;
    /// assert_eq!(pinn::User::retrieve(&user.user_id).unwrap_err().status(), Some(404));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<ResponseInfo> {
        self.state.origin.client().users().delete(&self.user_id)
    }
}
