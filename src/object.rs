//! What every API object has: its kind and ID ([`Object`]), and where it came from: the
//! client that fetched it (so `save()`, `delete()` and the next page go to the same key and
//! host, on any thread) and the response it came in ([`Object::last_response`]).

use std::fmt;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::client::Client;
use crate::errors::{DecodeError, Error, Result};
use crate::http::ResponseInfo;
use crate::text::{self, MAX_SHORT};

/// A kind of API object, named by its `"object"` field. Implemented by the crate's models
/// only (the trait is sealed).
pub trait Object: DeserializeOwned + Serialize + private::Sealed {
    /// The `"object"` value of this kind, e.g. `"user"`.
    const OBJECT: &'static str;

    /// The `"object"` value this instance carries.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{Object, User};
    /// let user = User::create(&Default::default())?;
    /// assert_eq!(user.object(), "user");
    /// assert_eq!(user.object(), User::OBJECT);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn object(&self) -> &str;

    /// The object's ID.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let app = pinn::App::create(&pinn::AppCreateParams::new(pinn::AppType::Web, "Web"))?;
    /// assert_eq!(app.id(), app.app_id);
    /// assert!(app.id().starts_with("app_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn id(&self) -> &str;

    /// The whole object as JSON, unknown fields included (the Python SDK's `.response`).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&pinn::UserCreateParams::new().metadata_entry("plan", "pro"))?;
    /// let value = user.to_value();
    /// assert_eq!(value["user_id"], user.user_id.as_str());
    /// assert_eq!(value["metadata"], serde_json::json!({"plan": "pro"}));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn to_value(&self) -> serde_json::Value {
        serde_json::to_value(self).unwrap_or(serde_json::Value::Null)
    }

    /// An object of this kind from its JSON: what [`to_value`](Object::to_value) gave, kept
    /// in a cache or a queue message, say. A value of another kind (its `"object"`), or one
    /// that does not decode, is a [`Decode`](crate::Error::Decode) error naming the field.
    ///
    /// Like one deserialized with serde, the object remembers no client and no response, and
    /// its `save()` sends only what changes after this.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{Object, User};
    /// let user = User::create(&Default::default())?;
    /// let cached = user.to_value();
    /// assert_eq!(User::from_value(cached)?, user); // equal: the same fields
    /// let err = pinn::App::from_value(user.to_value()).unwrap_err();
    /// assert_eq!(err.to_string(), r#"invalid object: expected a "app" object, got "user""#);
    /// // No request was made: no attempt, nothing sent.
    /// assert_eq!((err.attempts(), err.outcome()), (0, pinn::errors::Outcome::NotSent));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn from_value(value: serde_json::Value) -> Result<Self>
    where
        Self: Sized,
    {
        decode_value(value)
    }

    /// What the response this object came in said: status, request ID, attempts, headers.
    /// `None` for an object that was not fetched (built by hand, or deserialized).
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let user = pinn::User::create(&Default::default())?;
    /// let response = user.last_response().expect("it came from the API");
    /// assert_eq!(response.status(), 200);
    /// assert!(response.request_id().unwrap().starts_with("req_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn last_response(&self) -> Option<&ResponseInfo> {
        self.origin().response.as_deref()
    }
}

/// Deleting an object you hold: `user.delete()`.
///
/// The static form, `User::delete("usr_…")`, is an inherent function; Rust cannot also have an
/// inherent *method* of that name, so the method lives in this trait. Bring it into scope with
/// `use pinn::Deletable;` (or `use pinn::prelude::*;`).
pub trait Deletable {
    /// Deletes this object by its own ID, through the client that fetched it (one that came
    /// from no client, deserialized say, goes through the current client: the rule of
    /// [`User::save`](crate::User::save)); returns what the response said (its status and
    /// request ID, and whether it was [already gone](ResponseInfo::already_gone)). To name the
    /// client, delete by ID through it: `client.users().delete(&user.user_id)`.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::Deletable;
    /// fn delete_all(items: &[impl Deletable]) -> pinn::Result<()> {
    ///     items.iter().try_for_each(|item| item.delete().map(drop))
    /// }
    /// let users = [pinn::User::create(&Default::default())?, pinn::User::create(&Default::default())?];
    /// delete_all(&users)?;
    /// assert_eq!(server.count("user"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<ResponseInfo>;
}

pub(crate) mod private {
    /// The crate's side of [`Object`](super::Object): where an object came from. Nameable
    /// only inside the crate, which seals `Object`.
    pub trait Sealed {
        fn origin(&self) -> &super::Origin;
        fn origin_mut(&mut self) -> &mut super::Origin;
    }
}

/// What a model knows besides its fields: where it came from, and `loaded`, its updatable
/// fields as last read, restored or saved (what `save()` compares against; `()` for a model
/// without `save()`). Never serialized, and never part of equality: two objects with the
/// same fields are equal whoever fetched them.
#[derive(Clone, Default)]
pub(crate) struct State<S> {
    pub(crate) origin: Origin,
    pub(crate) loaded: S,
}

impl<S> PartialEq for State<S> {
    fn eq(&self, _: &State<S>) -> bool {
        true
    }
}

impl<S> fmt::Debug for State<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

/// Where an object came from: the client that fetched it and the response it came in.
#[derive(Clone, Default)]
pub struct Origin {
    pub(crate) client: Option<Client>,
    pub(crate) response: Option<Arc<ResponseInfo>>,
}

impl Origin {
    pub(crate) fn new(client: &Client, response: Arc<ResponseInfo>) -> Origin {
        Origin {
            client: Some(client.clone()),
            response: Some(response),
        }
    }

    /// The client that fetched the object, or the current one for an object that was not
    /// fetched.
    pub(crate) fn client(&self) -> Client {
        self.client.clone().unwrap_or_else(Client::current)
    }
}

/// Records where `value` came from.
pub(crate) fn fetched<T: Object>(mut value: T, client: &Client, response: &Arc<ResponseInfo>) -> T {
    *value.origin_mut() = Origin::new(client, Arc::clone(response));
    value
}

/// `value` as an object of kind `T`, or the decode error: of the wrong kind (its `"object"`,
/// checked first), or naming the field at fault.
fn decode_value<T: Object>(value: serde_json::Value) -> Result<T> {
    let decode = |detail: String, source| {
        Error::Decode(Box::new(DecodeError::new(None, None, detail, source)))
    };
    if let Some(kind) = value.get("object").and_then(|k| k.as_str())
        && kind != T::OBJECT
    {
        return Err(decode(wrong_kind_detail(T::OBJECT, kind, None), None));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = text::shown(&e.path().to_string(), None, MAX_SHORT);
        let detail = match path.as_str() {
            "." | "" => "the value does not decode".to_string(),
            at => format!("the value does not decode at `{at}`"),
        };
        decode(
            detail,
            Some(crate::http::safe_json_error(e.into_inner(), None)),
        )
    })
}

/// What an object of the wrong kind is told: `expected a "user" object, got "app"`.
fn wrong_kind_detail(expected: &str, got: &str, key: Option<&str>) -> String {
    let got = text::shown(got, key, MAX_SHORT);
    format!("expected a \"{expected}\" object, got \"{got}\"")
}

/// The error for an object of the wrong kind where another was expected.
pub(crate) fn wrong_kind(
    response: &ResponseInfo,
    expected: &str,
    got: &str,
    client: &Client,
) -> Error {
    let key = client.config().secret_key().map(|k| k.expose());
    response.invalid(wrong_kind_detail(expected, got, key))
}

/// Writes `value` as pretty JSON: the `Display` of every object.
pub(crate) fn write_json(value: &impl Serialize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let s = serde_json::to_string_pretty(value).map_err(|_| fmt::Error)?;
    f.write_str(&s)
}
