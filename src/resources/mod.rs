//! The API's resources, one file each: model, parameters and calls.

use std::fmt;

use serde::de::{DeserializeOwned, Deserializer};
use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::errors::{Error, Result};
use crate::http::{segment, Reply, Request};
use crate::list::{List, ListParams};
use crate::retry::Method;

pub mod app;
pub mod device;
pub mod enrollment_key;
pub mod event;
pub mod log;
pub mod recovery_key;
pub mod user;
pub mod webhook_endpoint;

/// A kind of API object, named by its `"object"` field.
pub trait Object: DeserializeOwned + Serialize {
    /// The `"object"` value of this kind, e.g. `"user"`.
    const OBJECT: &'static str;

    /// The `"object"` value this instance carries.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
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
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::Object;
    /// let app = pinn::App::create(pinn::AppType::Web, "Web", &Default::default())?;
    /// assert_eq!(app.id(), app.app_id);
    /// assert!(app.id().starts_with("app_"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn id(&self) -> &str;

    /// The whole object as JSON, unknown fields included (the Python SDK's `.response`).
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
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

    /// Called on every object read from the API, so `save()` can later send only what
    /// changed. Not part of the stable API.
    #[doc(hidden)]
    fn mark_loaded(&mut self) {}
}

/// What an object's updatable fields were when it was last read from the API: `save()` sends
/// only the fields that differ. Empty for an object built by hand, which then sends them all.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Loaded<T>(pub(crate) Option<T>);

impl<T> fmt::Debug for Loaded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

/// `now` where it differs from `before` (or where there is no `before`), else `None`.
pub(crate) fn changed<T: PartialEq>(before: Option<&T>, now: T) -> Option<T> {
    match before {
        Some(b) if *b == now => None,
        _ => Some(now),
    }
}

/// Deleting an object you hold: `user.delete()`.
///
/// The static form, `User::delete("usr_…")`, is an inherent function; Rust cannot also have an
/// inherent *method* of that name, so the method lives in this trait. Bring it into scope with
/// `use pinn::Deletable;` (or `use pinn::prelude::*;`).
pub trait Deletable {
    /// Deletes this object by its own ID.
    ///
    /// ```
    /// # let server = pinn::mock::MockServer::start(); server.install();
    /// use pinn::Deletable;
    /// fn delete_all(items: &[impl Deletable]) -> pinn::Result<()> {
    ///     items.iter().try_for_each(Deletable::delete)
    /// }
    /// let users = [pinn::User::create(&Default::default())?, pinn::User::create(&Default::default())?];
    /// delete_all(&users)?;
    /// assert_eq!(server.count("user"), 0);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    fn delete(&self) -> Result<()>;
}

/// Writes `value` as pretty JSON: the `Display` of every object.
pub(crate) fn write_json(value: &impl Serialize, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    let s = serde_json::to_string_pretty(value).map_err(|_| fmt::Error)?;
    f.write_str(&s)
}

/// Implements `Display` (pretty JSON) and [`Object`] for a model.
macro_rules! object {
    ($ty:ty, $kind:literal, $id:ident) => {
        crate::resources::object!($ty, $kind, $id, |_this| {});
    };
    ($ty:ty, $kind:literal, $id:ident, |$this:ident| $loaded:block) => {
        impl std::fmt::Display for $ty {
            /// The object as pretty JSON, like the Python SDK's `str()`.
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                crate::resources::write_json(self, f)
            }
        }

        impl crate::resources::Object for $ty {
            const OBJECT: &'static str = $kind;
            fn object(&self) -> &str {
                &self.object
            }
            fn id(&self) -> &str {
                &self.$id
            }
            fn mark_loaded(&mut self) {
                let $this = self;
                $loaded
            }
        }
    };
}
pub(crate) use object;

/// A string enum with a fallback for values this crate does not know yet.
macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version of the crate does not know.
            Other(String),
        }

        impl $name {
            /// The value as sent on the wire.
            ///
            /// ```
            #[doc = concat!("use pinn::", stringify!($name), ";")]
            $(#[doc = concat!(
                "assert_eq!(", stringify!($name), "::", stringify!($variant), ".as_str(), ",
                stringify!($value), ");"
            )])+
            #[doc = concat!("assert_eq!(", stringify!($name), "::from(\"beta\").as_str(), \"beta\");")]
            /// ```
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)+
                    $name::Other(s) => s,
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s {
                    $($value => $name::$variant,)+
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = std::borrow::Cow::<'de, str>::deserialize(d)?;
                Ok($name::from(&*s))
            }
        }
    };
}
pub(crate) use string_enum;

/// Deserializes `null` as the type's default, so a field the server sends as `null` decodes.
pub(crate) fn or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The error for an object of the wrong kind where another was expected.
pub(crate) fn wrong_kind(reply: &Reply<()>, expected: &str, got: &str) -> Error {
    reply.invalid(format!("expected a {expected} object, got {got:?}"))
}

/// Sends `req` and decodes an object of kind `T`, checking its `"object"`.
pub(crate) fn fetch<T: Object>(req: Request) -> Result<T> {
    let (mut value, reply) = Client::current().send::<T>(&req)?.require()?;
    if value.object() != T::OBJECT {
        return Err(wrong_kind(&reply, T::OBJECT, value.object()));
    }
    value.mark_loaded();
    Ok(value)
}

/// `GET {collection}/{id}` for an object of kind `T`.
pub(crate) fn retrieve<T: Object>(collection: &str, what: &str, id: &str) -> Result<T> {
    fetch(Request::new(
        Method::Get,
        format!("{collection}/{}", segment(what, id)?),
    ))
}

/// `DELETE {collection}/{id}`. A JSON body, if any, must at least be JSON.
pub(crate) fn delete(collection: &str, what: &str, id: &str) -> Result<()> {
    let req = Request::new(
        Method::Delete,
        format!("{collection}/{}", segment(what, id)?),
    );
    Client::current().send::<serde::de::IgnoredAny>(&req)?;
    Ok(())
}

/// `GET {path}` as a list of `T`.
pub(crate) fn list<T: Object>(path: String, params: &ListParams) -> Result<List<T>> {
    List::fetch(&Client::current(), path, params)
}
