//! Webhook endpoints: `/v1/webhook_endpoints`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{changed, or_default, Deletable, Loaded};
use crate::client::Client;
use crate::errors::Result;
use crate::http::{segment, Request};
use crate::list::{List, ListParams};
use crate::object::{object, Origin};

/// A URL that Pinn delivers events to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    /// Its status, e.g. `enabled`. Updatable.
    #[serde(default, deserialize_with = "or_default")]
    pub status: String,
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
    /// Fields this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The client that fetched it and the response it came in.
    #[serde(skip)]
    origin: Origin,
    /// The updatable fields as last read, for `save()`.
    #[serde(skip)]
    loaded: Loaded<(String, Vec<String>, String)>,
}

object!(
    WebhookEndpoint,
    "webhook_endpoint",
    webhook_endpoint_id,
    |this| {
        this.loaded = Loaded(Some((
            this.url.clone(),
            this.events.clone(),
            this.status.clone(),
        )));
    }
);

/// Optional parameters of [`WebhookEndpoint::update`]: only the fields set are sent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
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
    pub status: Option<String>,
}

impl WebhookEndpointUpdateParams {
    /// Changes nothing.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// let params = WebhookEndpointUpdateParams::new();
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!((hook.url.as_str(), hook.status.as_str()), ("https://example.com/hooks", "enabled"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the URL.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
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
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// let params = WebhookEndpointUpdateParams::new().events(["user.created", "user.deleted"]);
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!(hook.events, ["user.created", "user.deleted"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn events<S: Into<String>>(mut self, events: impl IntoIterator<Item = S>) -> Self {
        self.events = Some(events.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the status.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// let params = WebhookEndpointUpdateParams::new().status("disabled");
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!(hook.status, "disabled");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn status(mut self, status: impl Into<String>) -> Self {
        self.status = Some(status.into());
        self
    }
}

#[derive(Serialize)]
struct CreateBody<'a, S: AsRef<str>> {
    url: &'a str,
    #[serde(serialize_with = "as_strs")]
    events: &'a [S],
}

fn as_strs<S: AsRef<str>, Z: serde::Serializer>(v: &&[S], s: Z) -> Result<Z::Ok, Z::Error> {
    s.collect_seq(v.iter().map(AsRef::as_ref))
}

impl WebhookEndpoint {
    /// Creates an endpoint: `POST /v1/webhook_endpoints` with `{"url": …, "events": [...]}`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let hook = pinn::WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// assert_eq!(hook.events, ["user.created"]);
    /// assert!(!hook.secret.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn create<S: AsRef<str>>(url: &str, events: &[S]) -> Result<WebhookEndpoint> {
        let req = Request::post("/v1/webhook_endpoints".into());
        super::fetch(&Client::current(), req.json(&CreateBody { url, events })?)
    }

    /// Retrieves an endpoint: `GET /v1/webhook_endpoints/{webhook_endpoint_id}`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::WebhookEndpoint;
    /// let created = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// let hook = WebhookEndpoint::retrieve(&created.webhook_endpoint_id)?;
    /// assert_eq!(hook.url, "https://example.com/hooks");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(webhook_endpoint_id: &str) -> Result<WebhookEndpoint> {
        super::retrieve(
            &Client::current(),
            "/v1/webhook_endpoints",
            "webhook_endpoint_id",
            webhook_endpoint_id,
        )
    }

    /// Updates an endpoint: `PATCH /v1/webhook_endpoints/{webhook_endpoint_id}` with only the
    /// fields set in `params`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::{WebhookEndpoint, WebhookEndpointUpdateParams};
    /// let hook = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// let params = WebhookEndpointUpdateParams::new().status("disabled");
    /// let hook = WebhookEndpoint::update(&hook.webhook_endpoint_id, &params)?;
    /// assert_eq!(hook.status, "disabled");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn update(
        webhook_endpoint_id: &str,
        params: &WebhookEndpointUpdateParams,
    ) -> Result<WebhookEndpoint> {
        let path = format!(
            "/v1/webhook_endpoints/{}",
            segment("webhook_endpoint_id", webhook_endpoint_id)?
        );
        super::fetch(&Client::current(), Request::patch(path).json(params)?)
    }

    /// Deletes an endpoint: `DELETE /v1/webhook_endpoints/{webhook_endpoint_id}`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::WebhookEndpoint;
    /// let hook = WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// WebhookEndpoint::delete(&hook.webhook_endpoint_id)?;
    /// assert!(WebhookEndpoint::list(&Default::default())?.data.is_empty());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn delete(webhook_endpoint_id: &str) -> Result<()> {
        super::delete(
            &Client::current(),
            "/v1/webhook_endpoints",
            "webhook_endpoint_id",
            webhook_endpoint_id,
        )
    }

    /// Lists endpoints, newest first: `GET /v1/webhook_endpoints`.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// pinn::WebhookEndpoint::create("https://example.com/hooks", &["user.created"])?;
    /// let hooks = pinn::WebhookEndpoint::list(&Default::default())?;
    /// assert_eq!(hooks.data.len(), 1);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(params: &ListParams) -> Result<List<WebhookEndpoint>> {
        super::list(&Client::current(), "/v1/webhook_endpoints".into(), params)
    }

    /// Sends this endpoint's changed updatable fields (`url`, `events`, `status`) with
    /// [`WebhookEndpoint::update`], then refreshes `self` from the reply.
    ///
    /// "Changed" means different from when the endpoint was last read from the API; one built
    /// by hand sends all three (`status` when not empty). With nothing changed, no request is
    /// made.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// let mut hook = pinn::WebhookEndpoint::create("https://example.com/h", &["user.created"])?;
    /// hook.events.push("user.deleted".into());
    /// hook.save()?;
    /// assert_eq!(hook.events, ["user.created", "user.deleted"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn save(&mut self) -> Result<()> {
        let before = self.loaded.0.as_ref();
        let params = WebhookEndpointUpdateParams {
            url: changed(before.map(|b| &b.0), self.url.clone()),
            events: changed(before.map(|b| &b.1), self.events.clone()),
            status: Some(self.status.clone())
                .filter(|s| !s.is_empty())
                .and_then(|s| changed(before.map(|b| &b.2), s)),
        };
        if params == WebhookEndpointUpdateParams::default() {
            return Ok(());
        }
        let client = self.origin.client();
        *self = client.scope(|| WebhookEndpoint::update(&self.webhook_endpoint_id, &params))?;
        Ok(())
    }
}

impl Deletable for WebhookEndpoint {
    /// Deletes this endpoint.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::Deletable;
    /// pinn::WebhookEndpoint::create("https://example.com/h", &["user.created"])?.delete()?;
    /// assert_eq!(server.count("webhook_endpoint"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<()> {
        let client = self.origin.client();
        client.scope(|| WebhookEndpoint::delete(&self.webhook_endpoint_id))
    }
}
