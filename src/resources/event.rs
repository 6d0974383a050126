//! Events: `/v1/events`. Every change to your account records one.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::or_default;
use crate::client::Client;
use crate::errors::Result;
use crate::list::{List, ListParams};
use crate::object::{Origin, object};

/// Something that happened in your account, e.g. `user.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Always `"event"`.
    pub object: String,
    /// Unique ID (`evt_…`).
    pub event_id: String,
    /// Unix seconds when the event happened.
    #[serde(default, deserialize_with = "or_default")]
    pub created_at: i64,
    /// The event's data, e.g. the object it concerns.
    #[serde(default, deserialize_with = "or_default")]
    pub data: Map<String, Value>,
    /// The ID of the request that caused it.
    #[serde(default)]
    pub request: Option<String>,
    /// The event type, e.g. `user.created` (`type` on the wire, `event_type` in Python).
    #[serde(rename = "type", default, deserialize_with = "or_default")]
    pub event_type: String,
    /// Whether it happened outside the sandbox.
    #[serde(default, deserialize_with = "or_default")]
    pub livemode: bool,
    /// Fields this crate does not know, kept as sent.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
    /// The client that fetched it and the response it came in.
    #[serde(skip)]
    origin: Origin,
}

object!(Event, "event", event_id);

/// The event calls of one client: `client.events()`.
#[derive(Debug, Clone, Copy)]
pub struct Events<'a> {
    client: &'a Client,
}

impl<'a> Events<'a> {
    pub(crate) fn new(client: &'a Client) -> Events<'a> {
        Events { client }
    }

    /// Retrieves an event: `GET /v1/events/{event_id}`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// client.users().create(&Default::default())?; // records a user.created event
    /// let newest = &client.events().list(&Default::default())?.data[0];
    /// assert_eq!(client.events().retrieve(&newest.event_id)?.event_type, "user.created");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(&self, event_id: &str) -> Result<Event> {
        super::retrieve(self.client, "/v1/events", "event_id", event_id)
    }

    /// Lists events, newest first: `GET /v1/events`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start();
    /// let client = server.client();
    /// let user = client.users().create(&Default::default())?;
    /// client.users().delete(&user.user_id)?;
    /// let events = client.events().list(&Default::default())?;
    /// assert_eq!(events.data.len(), 2);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(&self, params: &ListParams) -> Result<List<Event>> {
        super::list(self.client, "/v1/events".into(), params)
    }
}

impl Event {
    /// Retrieves an event on the current client ([`Events::retrieve`]).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// pinn::User::create(&Default::default())?; // records a user.created event
    /// let newest = &pinn::Event::list(&Default::default())?.data[0];
    /// let event = pinn::Event::retrieve(&newest.event_id)?;
    /// assert_eq!(event.event_type, "user.created");
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn retrieve(event_id: &str) -> Result<Event> {
        Client::current().events().retrieve(event_id)
    }

    /// Lists events on the current client, newest first ([`Events::list`]).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let user = pinn::User::create(&Default::default())?;
    /// pinn::User::delete(&user.user_id)?;
    /// let events = pinn::Event::list(&Default::default())?;
    /// let types: Vec<_> = events.data.iter().map(|e| e.event_type.as_str()).collect();
    /// assert_eq!(types, ["user.deleted", "user.created"]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn list(params: &ListParams) -> Result<List<Event>> {
        Client::current().events().list(params)
    }
}
