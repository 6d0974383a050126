//! Events: `/v1/events`. Every change to your account records one.

use serde_json::{Map, Value};

use super::fields::or_default;
use crate::calls::{self, calls};
use crate::list::{List, ListParams};
use crate::model::model;

model! {
    /// Something that happened in your account, e.g. `user.created`.
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
    }
    object "event", id event_id;
}

calls! {
    /// The event calls of one client: `client.events()`.
    Events for Event, via events;

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
        calls::retrieve(self.client, "/v1/events", "event_id", event_id)
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
        calls::list(self.client, "/v1/events".into(), params)
    }
}
