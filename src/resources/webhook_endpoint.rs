//! Webhook endpoints: `/v1/webhook_endpoints`.

use serde::Serialize;

use super::fields::{or_default, string_enum};
use crate::calls::{self, calls};
use crate::errors::Result;
use crate::http::{Request, ResponseInfo, segment};
use crate::list::{List, ListParams};
use crate::model::model;
use crate::object::Deletable;

string_enum! {
    /// A webhook endpoint's status.
    WebhookEndpointStatus {
        /// Events are delivered (every new endpoint starts here).
        Enabled = "enabled",
        /// Nothing is delivered.
        Disabled = "disabled",
    }
}

model! {
    /// A URL that Pinn delivers events to.
    pub struct WebhookEndpoint {
        /// Always `"webhook_endpoint"`.
        pub object: String,
        /// Unique ID (`we_…`).
        pub webhook_endpoint_id: String,
        /// Unix seconds when it was created.
        #[serde(default, deserialize_with = "or_default")]
        pub created_at: i64,
        /// Unix seconds when it was last updated.
        #[serde(default, deserialize_with = "or_default")]
        pub updated_at: i64,
        /// Its status. Updatable.
        #[serde(default)]
        pub status: Option<WebhookEndpointStatus>,
        /// Where events are delivered. Updatable.
        #[serde(default, deserialize_with = "or_default")]
        pub url: String,
        /// The event types it is subscribed to. Updatable.
        #[serde(default, deserialize_with = "or_default")]
        pub events: Vec<String>,
        /// Whether it is live (not sandbox).
        #[serde(default, deserialize_with = "or_default")]
        pub livemode: bool,
        /// The secret that signs deliveries.
        #[serde(default, deserialize_with = "or_default")]
        pub secret: String,
    }
    object "webhook_endpoint", id webhook_endpoint_id;
    saves (String, Vec<String>, Option<WebhookEndpointStatus>) = |hook| (
        hook.url.clone(),
        hook.events.clone(),
        hook.status.clone(),
    );
}

/// What [`WebhookEndpoint::create`] sends: `{"url": …, "events": [...]}`.
///
/// ```
/// let params = pinn::WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
/// assert_eq!(params.events, ["user.created"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct WebhookEndpointCreateParams {
    /// Where events are delivered.
    pub url: String,
    /// The event types to deliver, e.g. `user.created`.
    pub events: Vec<String>,
}

impl WebhookEndpointCreateParams {
    /// An endpoint at `url` for these event types.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams};
    /// let params = WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
    /// WebhookEndpoint::create(&params)?;
    /// let sent = server.requests()[0].json().unwrap();
    /// assert_eq!(sent, serde_json::json!({"url": "https://example.com/hooks", "events": ["user.created"]}));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new<S: Into<String>>(
        url: impl Into<String>,
        events: impl IntoIterator<Item = S>,
    ) -> Self {
        WebhookEndpointCreateParams {
            url: url.into(),
            events: events.into_iter().map(Into::into).collect(),
        }
    }
}

/// What [`WebhookEndpoint::update`] sends: only the fields set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
#[must_use]
pub struct WebhookEndpointUpdateParams {
    /// New delivery URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// New event subscriptions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<String>>,
    /// New status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<WebhookEndpointStatus>,
}

impl WebhookEndpointUpdateParams {
    /// Changes nothing.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]))?;
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &WebhookEndpointUpdateParams::new())?;
    /// assert_eq!(hook.url, "https://example.com/hooks");
    /// assert_eq!(server.requests().last().unwrap().body, "{}");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the URL.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]))?;
    /// let params = WebhookEndpointUpdateParams::new().url("https://example.com/v2/hooks");
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!(hook.url, "https://example.com/v2/hooks");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Sets the event subscriptions.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]))?;
    /// let params = WebhookEndpointUpdateParams::new().events(["user.created", "user.deleted"]);
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!(hook.events, ["user.created", "user.deleted"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn events<S: Into<String>>(mut self, events: impl IntoIterator<Item = S>) -> Self {
        self.events = Some(events.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the status (a [`WebhookEndpointStatus`], or its wire name).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams, WebhookEndpointStatus, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]))?;
    /// let params = WebhookEndpointUpdateParams::new().status(WebhookEndpointStatus::Disabled);
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!(hook.status, Some(WebhookEndpointStatus::Disabled));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(mut self, status: impl Into<WebhookEndpointStatus>) -> Self {
        self.status = Some(status.into());
        self
    }
}

calls! {
    /// The webhook-endpoint calls of one client: `client.webhook_endpoints()`.
    WebhookEndpoints for WebhookEndpoint, via webhook_endpoints;

    /// Creates an endpoint: `POST /v1/webhook_endpoints` with `{"url": …, "events": [...]}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::WebhookEndpointCreateParams;
    /// let client = server.client();
    /// let params = WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
    /// let hook = client.webhook_endpoints().create(&params)?;
    /// assert!(!hook.secret.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create(&self, params: &WebhookEndpointCreateParams) -> Result<WebhookEndpoint> {
        let req = Request::post("/v1/webhook_endpoints".into());
        calls::fetch(self.client, req.json(params)?)
    }

    /// Retrieves an endpoint: `GET /v1/webhook_endpoints/{webhook_endpoint_id}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::WebhookEndpointCreateParams;
    /// let client = server.client();
    /// let params = WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
    /// let id = client.webhook_endpoints().create(&params)?.webhook_endpoint_id;
    /// assert_eq!(client.webhook_endpoints().retrieve(&id)?.url, "https://example.com/hooks");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(&self, webhook_endpoint_id: &str) -> Result<WebhookEndpoint> {
        calls::retrieve(
            self.client,
            "/v1/webhook_endpoints",
            "webhook_endpoint_id",
            webhook_endpoint_id,
        )
    }

    /// Updates an endpoint: `PATCH /v1/webhook_endpoints/{webhook_endpoint_id}` with only
    /// the fields set in `params`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{WebhookEndpointCreateParams, WebhookEndpointStatus, WebhookEndpointUpdateParams};
    /// let client = server.client();
    /// let params = WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
    /// let id = client.webhook_endpoints().create(&params)?.webhook_endpoint_id;
    /// let off = WebhookEndpointUpdateParams::new().status(WebhookEndpointStatus::Disabled);
    /// let hook = client.webhook_endpoints().update(&id, &off)?;
    /// assert_eq!(hook.status, Some(WebhookEndpointStatus::Disabled));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn update(
        &self,
        webhook_endpoint_id: &str,
        params: &WebhookEndpointUpdateParams,
    ) -> Result<WebhookEndpoint> {
        let path = format!(
            "/v1/webhook_endpoints/{}",
            segment("webhook_endpoint_id", webhook_endpoint_id)?
        );
        calls::fetch(self.client, Request::patch(path).json(params)?)
    }

    /// Deletes an endpoint: `DELETE /v1/webhook_endpoints/{webhook_endpoint_id}`.
    /// Returns what the response said: its status and request ID.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::WebhookEndpointCreateParams;
    /// let client = server.client();
    /// let params = WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
    /// let id = client.webhook_endpoints().create(&params)?.webhook_endpoint_id;
    /// client.webhook_endpoints().delete(&id)?;
    /// assert_eq!(server.count("webhook_endpoint"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delete(&self, webhook_endpoint_id: &str) -> Result<ResponseInfo> {
        calls::delete(
            self.client,
            "/v1/webhook_endpoints",
            "webhook_endpoint_id",
            webhook_endpoint_id,
        )
    }

    /// Lists endpoints, newest first: `GET /v1/webhook_endpoints`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::WebhookEndpointCreateParams;
    /// let client = server.client();
    /// let params = WebhookEndpointCreateParams::new("https://example.com/hooks", ["user.created"]);
    /// client.webhook_endpoints().create(&params)?;
    /// assert_eq!(client.webhook_endpoints().list(&Default::default())?.data.len(), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(&self, params: &ListParams) -> Result<List<WebhookEndpoint>> {
        calls::list(self.client, "/v1/webhook_endpoints".into(), params)
    }
}

impl WebhookEndpoint {
    /// Saves the updatable fields (`url`, `events`, `status`) that differ from when this
    /// endpoint was read, restored or last saved, then refreshes `self` from the reply:
    /// [`WebhookEndpoints::save`], through the client that fetched it. One that came from no
    /// client goes through the current client, as [`User::save`](crate::User::save) says.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams};
    /// let mut hook = WebhookEndpoint::create(&WebhookEndpointCreateParams::new("https://example.com/h", ["user.created"]))?;
    /// hook.events.push("user.deleted".into());
    /// hook.save()?;
    /// assert_eq!(hook.events, ["user.created", "user.deleted"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn save(&mut self) -> Result<()> {
        let client = self.state.origin.client();
        client.webhook_endpoints().save(self)
    }
}

impl WebhookEndpoints<'_> {
    /// Saves `hook` through this client: `PATCH /v1/webhook_endpoints/{id}` with the
    /// updatable fields (`url`, `events`, `status`) that differ from when it was read,
    /// restored or last saved, then refreshes it from the reply. With nothing changed, no
    /// request is made.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// use pinn::{WebhookEndpoint, WebhookEndpointCreateParams};
    /// let client = server.client();
    /// let params = WebhookEndpointCreateParams::new("https://example.com/h", ["user.created"]);
    /// let cached = client.webhook_endpoints().create(&params)?.to_string();
    /// let mut hook: WebhookEndpoint = serde_json::from_str(&cached)?;
    /// hook.url = "https://example.com/hooks".into();
    /// client.webhook_endpoints().save(&mut hook)?;
    /// assert_eq!(server.requests().last().unwrap().body, r#"{"url":"https://example.com/hooks"}"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn save(&self, hook: &mut WebhookEndpoint) -> Result<()> {
        let (url, events, status) = &hook.state.loaded;
        let params = WebhookEndpointUpdateParams {
            url: (hook.url != *url).then(|| hook.url.clone()),
            events: (hook.events != *events).then(|| hook.events.clone()),
            status: hook
                .status
                .clone()
                .filter(|now| Some(now) != status.as_ref()),
        };
        if params == WebhookEndpointUpdateParams::default() {
            return Ok(());
        }
        *hook = self.update(&hook.webhook_endpoint_id, &params)?;
        Ok(())
    }
}

impl Deletable for WebhookEndpoint {
    /// Deletes this endpoint, through the client that fetched it.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{Deletable, WebhookEndpoint, WebhookEndpointCreateParams};
    /// WebhookEndpoint::create(&WebhookEndpointCreateParams::new("https://example.com/h", ["user.created"]))?.delete()?;
    /// assert_eq!(server.count("webhook_endpoint"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<ResponseInfo> {
        let client = self.state.origin.client();
        client.webhook_endpoints().delete(&self.webhook_endpoint_id)
    }
}
