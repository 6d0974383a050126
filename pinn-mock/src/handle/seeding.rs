//! Seeding what only Pinn itself or its mobile SDK makes: users with a status, enrolled
//! devices, authentication logs, events of any type, and ID tokens.

use serde_json::Value;

use super::start::MockServer;
use crate::control::{self, ID_TOKEN_LIFETIME_SECS};
use crate::model::Failure;
use crate::seeds::{DeviceSeed, UserSeed};
use crate::store::Obj;
use pinn::{Device, Error, Event, Log, Object, Result, User};

impl MockServer {
    /// Creates a user with a status of choice (`POST /_mock/users`), recording
    /// `user.created`. A status other than `active` or `disabled` is an
    /// [`Error::InvalidArgument`].
    ///
    /// ```
    /// use pinn_mock::{MockServer, UserSeed};
    /// let server = MockServer::start();
    /// let user = server.seed_user(UserSeed { status: "disabled".into(), ..Default::default() })?;
    /// assert_eq!(user.status, Some(pinn::UserStatus::Disabled));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn seed_user(&self, seed: UserSeed) -> Result<User> {
        typed(control::seed_user(
            &self.running.shared,
            seed.metadata,
            Some(seed.status),
        ))
    }

    /// Enrolls a device for a user, as Pinn's mobile SDK would (`POST /_mock/devices`): the
    /// user gets `device_enrolled` and the palm flags of `seed`, and a `device.created` event
    /// is recorded. An unknown user is an [`Error::InvalidArgument`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.scope(|| pinn::User::create(&Default::default()))?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let user = client.scope(|| pinn::User::retrieve(&user.user_id))?;
    /// assert!(user.device_enrolled && user.left_palm_enrolled && !user.right_palm_enrolled);
    /// assert_eq!(device.user_id, user.user_id);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn enroll_device(&self, user_id: &str, seed: DeviceSeed) -> Result<Device> {
        typed(control::seed_device(&self.running.shared, user_id, &seed))
    }

    /// Records an authentication by a device's user (`POST /_mock/logs`): `auth_type`
    /// `mobile`, a palm score of 0.97 on success and 0.12 on failure, and the newest mobile
    /// app's ID. A success sets the user's `authenticated_at`. An unknown device is an
    /// [`Error::InvalidArgument`].
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let user = server.client().scope(|| pinn::User::create(&Default::default()))?;
    /// let device = server.enroll_device(&user.user_id, Default::default())?;
    /// let log = server.record_log(&device.device_id, true)?;
    /// assert!(log.success && log.score > 0.9);
    /// assert!(server.record_log("dev_unknown", true).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn record_log(&self, device_id: &str, success: bool) -> Result<Log> {
        typed(control::seed_log(&self.running.shared, device_id, success))
    }

    /// Records an event of any type, with `data` (a JSON object, or null for `{}`), as if the
    /// API had (`POST /_mock/events`): for testing how a program handles event types its own
    /// calls never cause.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let data = serde_json::json!({"object": {"object": "log", "log_id": "log_1"}});
    /// let event = server.record_event("log.created", data)?;
    /// let fetched = server.client().scope(|| pinn::Event::retrieve(&event.event_id))?;
    /// assert_eq!(fetched.event_type, "log.created");
    /// assert!(server.record_event("x", serde_json::json!([1])).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn record_event(&self, event_type: &str, data: Value) -> Result<Event> {
        let data = match data {
            Value::Object(m) => m,
            Value::Null => serde_json::Map::new(),
            _ => {
                return Err(Error::InvalidArgument(
                    "event data must be an object".into(),
                ));
            }
        };
        typed(control::seed_event(&self.running.shared, event_type, data))
    }

    /// An ID token for `user_id` such as Pinn's front-end SDKs hand over (`POST
    /// /_mock/id_tokens`): HS256, keyed by the secret key, with claims `sub`, `iss` (this
    /// server's URL), `amr`, `iat` (the emulator's [clock](MockServer::now)) and `exp` (five
    /// minutes later). [`IdToken::verify`](pinn::IdToken::verify) accepts it from a client of
    /// this server.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let token = server.mint_id_token("usr_123", &["palm"]);
    /// let claims = server.client().scope(|| pinn::IdToken::verify(&token, &["palm"]))?;
    /// assert_eq!(claims.sub, "usr_123");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn mint_id_token(&self, user_id: &str, amr: &[&str]) -> String {
        self.mint_id_token_with(user_id, amr, ID_TOKEN_LIFETIME_SECS, &Value::Null)
    }

    /// An ID token like [`mint_id_token`](MockServer::mint_id_token)'s that expires
    /// `expires_in` seconds after the emulator's clock (negative: already expired), with the
    /// claims of `extra` (a JSON object) added last: they override the standard ones, and a
    /// `null` removes one.
    ///
    /// ```
    /// use serde_json::json;
    /// let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let expired = server.mint_id_token_with("usr_1", &["palm"], -60, &json!({}));
    /// let err = client.scope(|| pinn::IdToken::verify(&expired, &[])).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    /// let extra = json!({"email": "ada@example.com", "iss": "https://elsewhere"});
    /// let foreign = server.mint_id_token_with("usr_1", &["palm"], 300, &extra);
    /// assert!(client.scope(|| pinn::IdToken::verify(&foreign, &[])).is_err());
    /// ```
    pub fn mint_id_token_with(
        &self,
        user_id: &str,
        amr: &[&str],
        expires_in: i64,
        extra: &Value,
    ) -> String {
        let amr: Vec<String> = amr.iter().map(|m| m.to_string()).collect();
        let extra = extra.as_object().cloned().unwrap_or_default();
        let shared = &self.running.shared;
        let claims = control::id_token_claims(shared, user_id, &amr, expires_in, &extra);
        self.sign_id_token(&claims)
    }

    /// Signs any claims as an ID token (HS256, keyed by the secret key): for testing how a
    /// program handles an expired token, a wrong issuer or a missing claim.
    ///
    /// # Panics
    ///
    /// When `claims` is not a JSON object.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let expired = server.sign_id_token(&serde_json::json!({
    ///     "sub": "usr_123", "iss": server.url(), "amr": ["palm"], "exp": 1_000_000_000,
    /// }));
    /// let err = server.client().scope(|| pinn::IdToken::verify(&expired, &[])).unwrap_err();
    /// assert_eq!(err.kind(), pinn::ErrorKind::IdTokenVerification);
    /// ```
    pub fn sign_id_token(&self, claims: &Value) -> String {
        assert!(claims.is_object(), "ID token claims must be a JSON object");
        match control::sign(self.secret_key(), claims) {
            Ok(token) => token,
            Err(e) => panic!("signing an HS256 token cannot fail, but did: {e}"),
        }
    }
}

/// A stored object as one of the crate's model types, or the seeding failure as an error.
fn typed<T: Object>(r: std::result::Result<Obj, Failure>) -> Result<T> {
    let obj = r.map_err(|f| Error::InvalidArgument(f.message))?;
    T::from_value(serde_json::Value::Object(obj))
}
