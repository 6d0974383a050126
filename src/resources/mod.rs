//! The API's resources, one file each: model, parameters and calls.

use std::fmt;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::Deserializer;

use crate::client::Client;
use crate::errors::Result;
use crate::http::{self, Request, ResponseInfo, segment};
use crate::list::{List, ListParams};
use crate::object::{Object, loaded, wrong_kind};

pub mod app;
pub mod device;
pub mod enrollment_key;
pub mod event;
pub mod log;
pub mod recovery_key;
pub mod user;
pub mod webhook_endpoint;

/// What an object's updatable fields were when it was last read from the API: `save()` sends
/// only the fields that differ. Empty for an object built by hand, which then sends them all.
#[derive(Clone, Default, PartialEq)]
pub(crate) struct Loaded<T>(pub(crate) Option<T>);

impl<T> fmt::Debug for Loaded<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("..")
    }
}

/// Adds `key: value` to a metadata parameter, creating it if needed.
pub(crate) fn insert_entry(
    metadata: &mut Option<serde_json::Map<String, serde_json::Value>>,
    key: String,
    value: serde_json::Value,
) {
    metadata
        .get_or_insert_with(Default::default)
        .insert(key, value);
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
    /// Deletes this object by its own ID; returns what the response said (its status and
    /// request ID).
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

/// Sends `req` with `client` and decodes an object of kind `T`, checking its `"object"`.
pub(crate) fn fetch<T: Object>(client: &Client, req: Request) -> Result<T> {
    let (value, info) = http::send::<T>(client.config(), &req)?.require()?;
    if value.object() != T::OBJECT {
        return Err(wrong_kind(&info, T::OBJECT, value.object(), client));
    }
    Ok(loaded(value, client, &info))
}

/// `GET {collection}/{id}` for an object of kind `T`.
pub(crate) fn retrieve<T: Object>(
    client: &Client,
    collection: &str,
    what: &str,
    id: &str,
) -> Result<T> {
    let path = format!("{collection}/{}", segment(what, id)?);
    fetch(client, Request::get(path))
}

/// `DELETE {collection}/{id}`: what the response said. A JSON body, if any, must at least be
/// JSON.
pub(crate) fn delete(
    client: &Client,
    collection: &str,
    what: &str,
    id: &str,
) -> Result<ResponseInfo> {
    let path = format!("{collection}/{}", segment(what, id)?);
    let reply = http::send::<serde::de::IgnoredAny>(client.config(), &Request::delete(path))?;
    Ok(Arc::unwrap_or_clone(reply.info))
}

/// `GET {path}` as a list of `T`.
pub(crate) fn list<T: Object>(
    client: &Client,
    path: String,
    params: &ListParams,
) -> Result<List<T>> {
    List::fetch(client, path, params)
}
