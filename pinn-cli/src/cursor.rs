//! Where a list starts: after the first of the `--starting-after` IDs that still exists.
//!
//! An interrupted walk names the last IDs it wrote, newest first. Should the newest be
//! deleted before the resume, a server may refuse it as a cursor (the emulator answers 400;
//! others 404). Then the ID written before it gives exactly the rest: in a list, newest
//! first, the only item between the two was the deleted one. So when a list call is refused
//! and a `GET` of its cursor answers 404, the next ID is tried; a cursor refused while it
//! still exists is the error, as is the last one given. A walk whose own cursor (the last
//! item of a page) is deleted between two pages goes on the same way.

use pinn::{App, Client, Device, ErrorKind, Event, List, ListParams, Log, User, WebhookEndpoint};

/// A kind of object that can be looked up by its ID.
pub trait Lookup: Sized {
    fn lookup(client: &Client, id: &str) -> pinn::Result<Self>;
}

impl Lookup for User {
    fn lookup(client: &Client, id: &str) -> pinn::Result<User> {
        client.users().retrieve(id)
    }
}

impl Lookup for App {
    fn lookup(client: &Client, id: &str) -> pinn::Result<App> {
        client.apps().retrieve(id)
    }
}

impl Lookup for Device {
    fn lookup(client: &Client, id: &str) -> pinn::Result<Device> {
        client.devices().retrieve(id)
    }
}

impl Lookup for Event {
    fn lookup(client: &Client, id: &str) -> pinn::Result<Event> {
        client.events().retrieve(id)
    }
}

impl Lookup for Log {
    fn lookup(client: &Client, id: &str) -> pinn::Result<Log> {
        client.logs().retrieve(id)
    }
}

impl Lookup for WebhookEndpoint {
    fn lookup(client: &Client, id: &str) -> pinn::Result<WebhookEndpoint> {
        client.webhook_endpoints().retrieve(id)
    }
}

/// A list call: the page of these parameters, through this client.
pub type Fetch<T> = dyn Fn(&Client, &ListParams) -> pinn::Result<List<T>> + Send + Sync;

/// The first page of a list.
pub struct Start<T> {
    pub page: List<T>,
    /// The cursors skipped because they no longer exist, in the order tried.
    pub gone: Vec<String>,
}

/// Every cursor given no longer exists (`gone`), or the call failed otherwise (`gone` holds
/// the cursors skipped before it).
pub struct Refused {
    pub error: pinn::Error,
    pub gone: Vec<String>,
}

/// The page of `params` after the first of `cursors` that still exists (from the start when
/// there is none).
pub fn start<T: Lookup>(
    client: &Client,
    params: &ListParams,
    cursors: &[String],
    fetch: &Fetch<T>,
) -> Result<Start<T>, Refused> {
    let Some((newest, _)) = cursors.split_first() else {
        let page = fetch(client, params).map_err(|error| Refused {
            error,
            gone: Vec::new(),
        })?;
        return Ok(Start {
            page,
            gone: Vec::new(),
        });
    };
    let mut gone = Vec::new();
    let mut first_error = None;
    for cursor in cursors {
        match fetch(client, &params.clone().starting_after(cursor)) {
            Ok(page) => return Ok(Start { page, gone }),
            Err(error) if refused(&error) && is_gone::<T>(client, cursor) => {
                gone.push(cursor.clone());
                first_error.get_or_insert(error);
            }
            Err(error) => return Err(Refused { error, gone }),
        }
    }
    // Every cursor is gone: the error is the refusal of the newest.
    let error = first_error.unwrap_or_else(|| {
        pinn::Error::InvalidArgument(format!("no cursor after {newest} exists"))
    });
    Err(Refused { error, gone })
}

/// The page of `params` after the first of `cursors` that still exists, once a call with
/// the first of them was refused: `None` unless that one is gone. So a walk whose cursor
/// was deleted between two pages goes on after the item before it.
pub fn after_refusal<T: Lookup>(
    client: &Client,
    params: &ListParams,
    cursors: &[String],
    fetch: &Fetch<T>,
) -> Option<List<T>> {
    let (refused, rest) = cursors.split_first()?;
    if rest.is_empty() || !is_gone::<T>(client, refused) {
        return None;
    }
    start(client, params, rest, fetch).ok().map(|s| s.page)
}

/// Whether a list call was refused for what it asked (its cursor, say), not for the key,
/// the rate or the server's health: an invalid request, or a 400, 404, 410 or 422 of an
/// error type the crate does not know (another server's).
pub fn refused(e: &pinn::Error) -> bool {
    e.kind() == ErrorKind::InvalidRequest || matches!(e.status(), Some(400 | 404 | 410 | 422))
}

/// Whether `id` is not there: a `GET` of it answers 404 (or 410). Any other answer, an
/// object or a failure, is no proof.
pub fn is_gone<T: Lookup>(client: &Client, id: &str) -> bool {
    match T::lookup(client, id) {
        Ok(_) => false,
        Err(e) => matches!(e.status(), Some(404 | 410)),
    }
}
