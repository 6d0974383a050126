//! How a call is written once: the [`calls!`] macro, which declares a resource's handle
//! (`client.users()`), its calls as the handle's methods, and the same calls as static
//! functions on the model (`User::create`) that run on the current client; and the generic
//! paths every resource's calls share (fetch an object, retrieve, delete, list).

use std::sync::Arc;

use crate::client::Client;
use crate::errors::Result;
use crate::http::{self, Request, ResponseInfo, segment};
use crate::list::{List, ListParams};
use crate::object::{Object, fetched, wrong_kind};

/// Declares the calls of one resource, each written once:
///
/// - the handle, `$handle<'a>`, holding the client it was reached from;
/// - its accessor on [`Client`], `client.$accessor()`;
/// - each call as a method of the handle, as written here (docs and body);
/// - each call again as a static function of `$model`, running the handle's method on the
///   current client ([`Client::current`]), documented by a link to it.
macro_rules! calls {
    (
        $(#[$handle_meta:meta])*
        $handle:ident for $model:ident, via $accessor:ident;
        $(
            $(#[$meta:meta])*
            pub fn $name:ident(&$self_:ident $(, $arg:ident: $ty:ty)* $(,)?) -> Result<$ret:ty>
            $body:block
        )*
    ) => {
        $(#[$handle_meta])*
        #[derive(Debug, Clone, Copy)]
        pub struct $handle<'a> {
            client: &'a crate::client::Client,
        }

        impl crate::client::Client {
            #[doc = concat!(
                "The calls of [`", stringify!($model), "`] through this client: [`",
                stringify!($handle), "`]."
            )]
            pub fn $accessor(&self) -> $handle<'_> {
                $handle { client: self }
            }
        }

        impl $handle<'_> {
            $(
                $(#[$meta])*
                pub fn $name(&$self_ $(, $arg: $ty)*) -> crate::errors::Result<$ret> $body
            )*
        }

        impl $model {
            $(
                #[doc = concat!(
                    "[`", stringify!($handle), "::", stringify!($name), "`], on the current ",
                    "client: the innermost [`Client::scope`](crate::Client::scope) of this ",
                    "thread, else the process-wide client (a configuration error once it is ",
                    "switched off by [`disable_global_client`](crate::disable_global_client))."
                )]
                pub fn $name($($arg: $ty),*) -> crate::errors::Result<$ret> {
                    crate::client::Client::current().$accessor().$name($($arg),*)
                }
            )*
        }
    };
}
pub(crate) use calls;

/// Sends `req` with `client` and decodes an object of kind `T`, checking its `"object"`.
pub(crate) fn fetch<T: Object>(client: &Client, req: Request) -> Result<T> {
    let (value, info) = http::send::<T>(client.config(), &req)?.require()?;
    if value.object() != T::OBJECT {
        return Err(wrong_kind(&info, T::OBJECT, value.object(), client));
    }
    Ok(fetched(value, client, &info))
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
