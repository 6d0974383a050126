//! [`List`]: one page of a list, and the page after it.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::params::ListParams;
use crate::client::Client;
use crate::errors::{Error, Result};
use crate::http::{self, Request, ResponseInfo};
use crate::object::{Object, Origin, fetched, wrong_kind};

/// One page of a list, newest first.
///
/// It iterates its own items (`for user in page`); [`next_page`](List::next_page) fetches the
/// page after it, and [`auto_paging_iter`](List::auto_paging_iter) walks every page lazily.
#[derive(Clone, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Object"))]
pub struct List<T> {
    /// Always `"list"`.
    pub object: String,
    /// The path this list was fetched from, e.g. `/v1/users`.
    pub url: String,
    /// How many items this page holds.
    #[serde(default)]
    pub count: u64,
    /// Whether another page follows.
    #[serde(default)]
    pub has_more: bool,
    /// The ID of this page's last item: the cursor of the next page.
    #[serde(default)]
    pub ended_at: Option<String>,
    /// The items.
    pub data: Vec<T>,
    /// The client that fetched this page and the response it came in.
    #[serde(skip)]
    origin: Origin,
    /// The page size asked for, which the next page asks for too.
    #[serde(skip)]
    limit: Option<u32>,
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("List")
            .field("url", &self.url)
            .field("count", &self.count)
            .field("has_more", &self.has_more)
            .field("ended_at", &self.ended_at)
            .field("data", &self.data)
            .finish()
    }
}

impl<T: Serialize> fmt::Display for List<T> {
    /// The page as pretty JSON, like the Python SDK's `str()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::object::write_json(self, f)
    }
}

impl<T: Object> List<T> {
    /// Fetches the first page at `path` (already encoded) with `params`. A limit out of
    /// range or an unusable cursor is refused before any I/O.
    pub(crate) fn fetch(client: &Client, path: String, params: &ListParams) -> Result<List<T>> {
        if let Some(limit) = params
            .limit
            .filter(|l| !(1..=ListParams::MAX_LIMIT).contains(l))
        {
            return Err(Error::InvalidArgument(format!(
                "limit is {limit}; it must be from 1 to {}",
                ListParams::MAX_LIMIT
            )));
        }
        if let Some(cursor) = &params.starting_after {
            http::require_id("starting_after", cursor)?;
        }
        let req = Request::get(path)
            .query("limit", params.limit)
            .query("starting_after", params.starting_after.as_deref());
        List::fetch_request(client, &req, params.limit)
    }

    fn fetch_request(client: &Client, req: &Request, limit: Option<u32>) -> Result<List<T>> {
        let (list, info) = http::send::<List<T>>(client.config(), req)?.require()?;
        if list.object != "list" {
            return Err(wrong_kind(&info, "list", &list.object, client));
        }
        let mut items = Vec::with_capacity(list.data.len());
        for item in list.data {
            if item.object() != T::OBJECT {
                return Err(wrong_kind(&info, T::OBJECT, item.object(), client));
            }
            items.push(fetched(item, client, &info));
        }
        Ok(List {
            data: items,
            origin: Origin::new(client, info),
            limit,
            ..list
        })
    }

    /// What the response this page came in said: status, request ID, attempts, headers.
    /// `None` for a list that was not fetched.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// let page = pinn::User::list(&pinn::ListParams::new())?;
    /// assert_eq!(page.last_response().unwrap().status(), 200);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn last_response(&self) -> Option<&ResponseInfo> {
        self.origin.response.as_deref()
    }

    /// Fetches the page after this one, or `None` when `has_more` is false: `GET {url}` with
    /// the same limit and `starting_after` set to `ended_at`, through the client that fetched
    /// this page. (A `List` you deserialized yourself knows neither: it uses the current
    /// client and the API's default limit.)
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// for _ in 0..3 {
    ///     pinn::User::create(&Default::default())?;
    /// }
    /// let first = pinn::User::list(&pinn::ListParams::new().limit(2))?;
    /// let second = first.next_page()?.expect("three users make two pages");
    /// assert_eq!(second.data.len(), 1);
    /// assert!(second.next_page()?.is_none());
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn next_page(&self) -> Result<Option<List<T>>> {
        if !self.has_more {
            return Ok(None);
        }
        let Some(cursor) = self.ended_at.as_deref().filter(|c| !c.is_empty()) else {
            return Err(self.invalid("has_more is true but ended_at is missing"));
        };
        if http::require_id("ended_at", cursor).is_err() {
            return Err(self.invalid("its ended_at is too long to be an ID"));
        }
        if !http::is_api_path(&self.url) {
            return Err(self.invalid("its url is not a path on the API host"));
        }
        let (client, limit) = (self.origin.client(), self.limit);
        let req = Request::get(self.url.clone())
            .query("limit", limit)
            .query("starting_after", Some(cursor));
        let next = List::fetch_request(&client, &req, limit)?;
        if next.has_more && next.ended_at.as_deref() == Some(cursor) {
            return Err(next.invalid("the cursor did not advance"));
        }
        Ok(Some(next))
    }

    /// This page's facts without its items: what the page after it is fetched from.
    pub(super) fn header(&self) -> List<T> {
        List {
            object: self.object.clone(),
            url: self.url.clone(),
            count: self.count,
            has_more: self.has_more,
            ended_at: self.ended_at.clone(),
            data: Vec::new(),
            origin: self.origin.clone(),
            limit: self.limit,
        }
    }

    /// The error for a page that cannot be followed: a decode error of the response it came
    /// in, or, for a list that was not fetched, an invalid argument.
    pub(super) fn invalid(&self, why: &str) -> Error {
        let client = self.origin.client();
        let url = client.config().shown(&self.url, crate::text::MAX_SHORT);
        let message = format!("cannot fetch the page after {url}: {why}");
        match &self.origin.response {
            Some(response) => response.invalid(message),
            None => Error::InvalidArgument(message),
        }
    }
}

impl<T> IntoIterator for List<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.into_iter()
    }
}

impl<'a, T> IntoIterator for &'a List<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.data.iter()
    }
}
