//! Apps: `/v1/apps`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{or_default, string_enum, Deletable};
use crate::client::Client;
use crate::errors::{Error, Result};
use crate::http::Request;
use crate::list::{List, ListParams};
use crate::object::{object, Origin};

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

/// An iOS, Android or web app registered with Pinn.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Fields this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The client that fetched it and the response it came in.
    #[serde(skip)]
    origin: Origin,
}

object!(App, "app", app_id);

/// Optional parameters of [`App::create`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct AppCreateParams {
    /// Descriptive text for the app.
    pub description: Option<String>,
}

impl AppCreateParams {
    /// No description.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{App, AppCreateParams, AppType};
    /// let app = App::create(AppType::Ios, "Wallet", &AppCreateParams::new())?;
    /// assert_eq!(app.description, None);
    /// assert_eq!(server.requests()[0].json(), Some(serde_json::json!({"name": "Wallet"})));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the description.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{App, AppCreateParams, AppType};
    /// let params = AppCreateParams::new().description("The checkout page");
    /// let app = App::create(AppType::Web, "Checkout", &params)?;
    /// assert_eq!(app.description.as_deref(), Some("The checkout page"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }
}

#[derive(Serialize)]
struct CreateBody<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
}

impl App {
    /// Registers an app: `POST /v1/apps/{app_type}` with `{"name": …, "description": …}`.
    /// An [`AppType::Other`] is refused before any I/O.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{App, AppCreateParams, AppType};
    /// let app = App::create(AppType::Web, "Checkout", &AppCreateParams::new().description("web shop"))?;
    /// assert_eq!(app.app_type, AppType::Web);
    /// assert!(App::create(AppType::from("windows"), "x", &AppCreateParams::new()).is_err());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(app_type: AppType, name: &str, params: &AppCreateParams) -> Result<App> {
        if let AppType::Other(other) = &app_type {
            return Err(Error::InvalidArgument(format!(
                "app_type must be ios, android or web, not {other:?}"
            )));
        }
        let body = CreateBody {
            name,
            description: params.description.as_deref(),
        };
        let req = Request::post(format!("/v1/apps/{}", app_type.as_str()));
        super::fetch(&Client::current(), req.json(&body)?)
    }

    /// Retrieves an app: `GET /v1/apps/{app_id}`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let app_id = pinn::App::create(pinn::AppType::Ios, "iOS", &Default::default())?.app_id;
    /// let app = pinn::App::retrieve(&app_id)?;
    /// assert_eq!(app.name, "iOS");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(app_id: &str) -> Result<App> {
        super::retrieve(&Client::current(), "/v1/apps", "app_id", app_id)
    }

    /// Deletes an app: `DELETE /v1/apps/{app_id}`. This may break an integration that uses it.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{App, AppType};
    /// let app_id = App::create(AppType::Android, "Android", &Default::default())?.app_id;
    /// App::delete(&app_id)?;
    /// assert_eq!(App::retrieve(&app_id).unwrap_err().status(), Some(404));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delete(app_id: &str) -> Result<()> {
        super::delete(&Client::current(), "/v1/apps", "app_id", app_id)
    }

    /// Lists apps, newest first: `GET /v1/apps`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// pinn::App::create(pinn::AppType::Web, "Web", &Default::default())?;
    /// let apps = pinn::App::list(&Default::default())?;
    /// assert_eq!(apps.data.len(), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(params: &ListParams) -> Result<List<App>> {
        super::list(&Client::current(), "/v1/apps".into(), params)
    }
}

impl Deletable for App {
    /// Deletes this app.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::Deletable;
    /// pinn::App::create(pinn::AppType::Web, "Web", &Default::default())?.delete()?;
    /// assert_eq!(server.count("app"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<()> {
        self.origin.client().scope(|| App::delete(&self.app_id))
    }
}
