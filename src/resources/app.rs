//! Apps: `/v1/apps`.

use serde::Serialize;

use super::fields::{or_default, string_enum};
use crate::calls::{self, calls};
use crate::errors::{Error, Result};
use crate::http::{Request, ResponseInfo};
use crate::list::{List, ListParams};
use crate::model::model;
use crate::object::Deletable;

string_enum! {
    /// The platform of an app.
    AppType {
        /// An iOS app.
        Ios = "ios",
        /// An Android app.
        Android = "android",
        /// A web app.
        Web = "web",
    }
}

model! {
    /// An iOS, Android or web app registered with Pinn.
    pub struct App {
        /// Always `"app"`.
        pub object: String,
        /// Unique ID (`app_…`).
        pub app_id: String,
        /// Unix seconds when the app was created.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Unix seconds when the app was last updated.
        #[serde(default, deserialize_with = "or_default")]
        pub updated_at: i64,
        /// Non-secret key embedded in the app to configure the Pinn SDK.
        #[serde(default, deserialize_with = "or_default")]
        pub publishable_key: String,
        /// `ios`, `android` or `web`.
        pub app_type: AppType,
        /// Human-readable name.
        #[serde(default, deserialize_with = "or_default")]
        pub name: String,
        /// Optional description.
        #[serde(default)]
        pub description: Option<String>,
    }
    object "app", id app_id;
}

/// What [`App::create`] sends: the type (in the path), and the name and optional
/// description (the body).
///
/// ```
/// let params = pinn::AppCreateParams::new(pinn::AppType::Web, "Checkout").description("web shop");
/// assert_eq!((params.name.as_str(), params.description.as_deref()), ("Checkout", Some("web shop")));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct AppCreateParams {
    /// `ios`, `android` or `web`: the path, `POST /v1/apps/{app_type}`.
    #[serde(skip)]
    pub app_type: AppType,
    /// Human-readable name.
    pub name: String,
    /// Descriptive text for the app.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl AppCreateParams {
    /// An app of this type and name, with no description.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{App, AppCreateParams, AppType};
    /// let app = App::create(&AppCreateParams::new(AppType::Ios, "Wallet"))?;
    /// assert_eq!(app.description, None);
    /// assert_eq!(server.requests()[0].json(), Some(serde_json::json!({"name": "Wallet"})));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new(app_type: AppType, name: impl Into<String>) -> Self {
        AppCreateParams {
            app_type,
            name: name.into(),
            description: None,
        }
    }

    /// Sets the description.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{App, AppCreateParams, AppType};
    /// let params = AppCreateParams::new(AppType::Web, "Checkout").description("The checkout page");
    /// let app = App::create(&params)?;
    /// assert_eq!(app.description.as_deref(), Some("The checkout page"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

calls! {
    /// The app calls of one client: `client.apps()`.
    Apps for App, via apps;

    /// Registers an app: `POST /v1/apps/{app_type}` with `{"name": …, "description": …}`.
    /// An [`AppType::Other`] is refused before any I/O.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{AppCreateParams, AppType};
    /// let client = server.client();
    /// let app = client.apps().create(&AppCreateParams::new(AppType::Web, "Checkout"))?;
    /// assert_eq!(app.app_type, AppType::Web);
    /// let windows = AppCreateParams::new(AppType::from("windows"), "x");
    /// assert!(client.apps().create(&windows).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(&self, params: &AppCreateParams) -> Result<App> {
        if let AppType::Other(other) = &params.app_type {
            let other = self.client.config().shown(other, crate::text::MAX_SHORT);
            return Err(Error::InvalidArgument(format!(
                "app_type must be ios, android or web, not \"{other}\""
            )));
        }
        let req = Request::post(format!("/v1/apps/{}", params.app_type.as_str()));
        calls::fetch(self.client, req.json(params)?)
    }

    /// Retrieves an app: `GET /v1/apps/{app_id}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{AppCreateParams, AppType};
    /// let client = server.client();
    /// let app_id = client.apps().create(&AppCreateParams::new(AppType::Ios, "iOS"))?.app_id;
    /// assert_eq!(client.apps().retrieve(&app_id)?.name, "iOS");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(&self, app_id: &str) -> Result<App> {
        calls::retrieve(self.client, "/v1/apps", "app_id", app_id)
    }

    /// Deletes an app: `DELETE /v1/apps/{app_id}`. This may break an integration that uses it.
    /// Returns what the response said: its status and request ID.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{AppCreateParams, AppType};
    /// let client = server.client();
    /// let app_id = client.apps().create(&AppCreateParams::new(AppType::Android, "Android"))?.app_id;
    /// client.apps().delete(&app_id)?;
    /// assert_eq!(server.count("app"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delete(&self, app_id: &str) -> Result<ResponseInfo> {
        calls::delete(self.client, "/v1/apps", "app_id", app_id)
    }

    /// Lists apps, newest first: `GET /v1/apps`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{AppCreateParams, AppType};
    /// let client = server.client();
    /// client.apps().create(&AppCreateParams::new(AppType::Web, "Web"))?;
    /// assert_eq!(client.apps().list(&Default::default())?.data.len(), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(&self, params: &ListParams) -> Result<List<App>> {
        calls::list(self.client, "/v1/apps".into(), params)
    }
}

impl Deletable for App {
    /// Deletes this app, through the client that fetched it.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{App, AppCreateParams, AppType, Deletable};
    /// App::create(&AppCreateParams::new(AppType::Web, "Web"))?.delete()?;
    /// assert_eq!(server.count("app"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<ResponseInfo> {
        self.state.origin.client().apps().delete(&self.app_id)
    }
}
