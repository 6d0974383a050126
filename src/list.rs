//! Lists: one page ([`List`]), its parameters ([`ListParams`]), and lazy auto-pagination
//! ([`AutoPaging`]).

use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::errors::{Error, Result};
use crate::http::{self, Request, ResponseInfo};
use crate::object::{Object, Origin, fetched, wrong_kind};

/// Optional parameters of every list call.
///
/// ```
/// let params = pinn::ListParams::new().limit(25).starting_after("usr_123");
/// assert_eq!(params.limit, Some(25));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
#[must_use]
pub struct ListParams {
    /// Items per page, 1 to [`MAX_LIMIT`](ListParams::MAX_LIMIT) (the API's default is 10).
    pub limit: Option<u32>,
    /// Start after the item with this ID (a cursor: the previous page's `ended_at`).
    pub starting_after: Option<String>,
}

impl ListParams {
    /// The largest page the API gives, and the largest `limit` sent: a limit outside
    /// 1 to 100 is an [`InvalidArgument`](crate::Error::InvalidArgument) error, before any I/O.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{ListParams, User};
    /// assert!(User::list(&ListParams::new().limit(ListParams::MAX_LIMIT)).is_ok());
    /// for limit in [0, ListParams::MAX_LIMIT + 1] {
    ///     let err = User::list(&ListParams::new().limit(limit)).unwrap_err();
    ///     assert_eq!(err.kind(), pinn::ErrorKind::InvalidRequest);
    /// }
    /// assert_eq!(server.requests().len(), 1); // the refused ones sent nothing
    /// ```
    pub const MAX_LIMIT: u32 = 100;

    /// No limit, no cursor: the first page at the API's default size.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// for _ in 0..12 {
    ///     pinn::User::create(&Default::default())?;
    /// }
    /// let page = pinn::User::list(&pinn::ListParams::new())?;
    /// assert_eq!(page.data.len(), 10); // the API's default page size
    /// assert!(page.has_more);
    /// assert_eq!(server.requests().last().unwrap().query, None);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn new() -> ListParams {
        ListParams::default()
    }

    /// Items per page.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// for _ in 0..3 {
    ///     pinn::User::create(&Default::default())?;
    /// }
    /// let page = pinn::User::list(&pinn::ListParams::new().limit(2))?;
    /// assert_eq!(page.data.len(), 2);
    /// assert_eq!(server.requests().last().unwrap().query.as_deref(), Some("limit=2"));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn limit(mut self, limit: u32) -> ListParams {
        self.limit = Some(limit);
        self
    }

    /// Start after the item with this ID.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// use pinn::{ListParams, User};
    /// for _ in 0..3 {
    ///     User::create(&Default::default())?;
    /// }
    /// let all = User::list(&ListParams::new())?;
    /// let rest = User::list(&ListParams::new().starting_after(&all.data[0].user_id))?;
    /// assert_eq!(rest.data, all.data[1..]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn starting_after(mut self, id: impl Into<String>) -> ListParams {
        self.starting_after = Some(id.into());
        self
    }
}

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

    /// Every item of this page and the pages after it, fetching each page only when it is
    /// reached. It keeps one page in memory and stops at the first error.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// for _ in 0..25 {
    ///     pinn::User::create(&Default::default())?;
    /// }
    /// let mut n = 0;
    /// for user in pinn::User::list(&pinn::ListParams::new().limit(10))?.auto_paging_iter() {
    ///     let user = user?;
    ///     assert!(user.user_id.starts_with("usr_"));
    ///     n += 1;
    /// }
    /// assert_eq!(n, 25);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn auto_paging_iter(self) -> AutoPaging<T> {
        AutoPaging {
            pages: self.pages(),
            items: Vec::new().into_iter(),
        }
    }

    /// This page and every page after it, each fetched only when it is reached: for batch
    /// jobs that work a page at a time (write a batch, commit, checkpoint the cursor). It
    /// stops at the first error, as [`auto_paging_iter`](List::auto_paging_iter) does.
    ///
    /// ```
    /// # let server = pinn_mock::MockServer::start(); server.install();
    /// for _ in 0..25 {
    ///     pinn::User::create(&Default::default())?;
    /// }
    /// let first = pinn::User::list(&pinn::ListParams::new().limit(10))?;
    /// let mut sizes = Vec::new();
    /// for page in first.pages() {
    ///     let page = page?;
    ///     sizes.push(page.data.len());
    ///     // A checkpoint: where a job stopped here would resume.
    ///     let _resume_after = page.ended_at.clone();
    /// }
    /// assert_eq!(sizes, [10, 10, 5]);
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn pages(self) -> Pages<T> {
        let mut seen = HashSet::new();
        seen.extend(self.ended_at.as_deref().map(cursor_hash));
        Pages {
            state: Walk::First(self),
            seen,
            fetched: 0,
        }
    }

    /// This page's facts without its items: what the page after it is fetched from.
    fn header(&self) -> List<T> {
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
    fn invalid(&self, why: &str) -> Error {
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

/// A lazy iterator over every page of a list, this one first. See [`List::pages`].
///
/// After an error it yields `None`.
pub struct Pages<T> {
    state: Walk<T>,
    /// A hash of every cursor met so far (8 bytes a page), so a server that cycles through
    /// cursors ends the walk with an error instead of looping forever.
    seen: HashSet<u64>,
    /// Pages fetched after the first.
    fetched: u64,
}

/// Where a walk of pages stands.
enum Walk<T> {
    /// The first page, not handed out yet.
    First(List<T>),
    /// The last page handed out, its items moved out: what the next is fetched from.
    After(List<T>),
    /// The last page had no successor, or an error ended the walk.
    Done,
}

fn cursor_hash(cursor: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    cursor.hash(&mut h);
    h.finish()
}

impl<T: Object> Iterator for Pages<T> {
    type Item = Result<List<T>>;

    fn next(&mut self) -> Option<Result<List<T>>> {
        let previous = match std::mem::replace(&mut self.state, Walk::Done) {
            Walk::First(page) => {
                self.state = Walk::After(page.header());
                return Some(Ok(page));
            }
            Walk::After(previous) => previous,
            Walk::Done => return None,
        };
        let page = match previous.next_page() {
            Ok(Some(page)) => page,
            Ok(None) => return None,
            Err(e) => return Some(Err(e)),
        };
        self.fetched += 1;
        if page.data.is_empty() && page.has_more {
            return Some(Err(page.invalid("an empty page claims has_more")));
        }
        if let Some(cursor) = page.ended_at.as_deref().filter(|_| page.has_more)
            && !self.seen.insert(cursor_hash(cursor))
        {
            return Some(Err(page.invalid("the cursor repeats an earlier page's")));
        }
        self.state = Walk::After(page.header());
        Some(Ok(page))
    }
}

impl<T> fmt::Debug for Pages<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (at, page) = match &self.state {
            Walk::First(page) => ("first", Some(page)),
            Walk::After(page) => ("after", Some(page)),
            Walk::Done => ("done", None),
        };
        f.debug_struct("Pages")
            .field("at", &at)
            .field("url", &page.map(|p| p.url.as_str()))
            .field("ended_at", &page.and_then(|p| p.ended_at.as_deref()))
            .field("has_more", &page.map(|p| p.has_more))
            .field("pages_fetched", &self.fetched)
            .finish()
    }
}

/// A lazy iterator over every item of a list, across pages. See [`List::auto_paging_iter`].
///
/// After an error it yields `None`.
pub struct AutoPaging<T> {
    pages: Pages<T>,
    /// The items of the current page not handed out yet.
    items: std::vec::IntoIter<T>,
}

impl<T: Object> Iterator for AutoPaging<T> {
    type Item = Result<T>;

    fn next(&mut self) -> Option<Result<T>> {
        loop {
            if let Some(item) = self.items.next() {
                return Some(Ok(item));
            }
            match self.pages.next()? {
                Ok(page) => self.items = page.data.into_iter(),
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

impl<T> fmt::Debug for AutoPaging<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AutoPaging")
            .field("pages", &self.pages)
            .field("items_left_in_page", &self.items.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use crate::http::is_api_path;

    #[test]
    fn only_plain_paths_are_followed() {
        assert!(is_api_path("/v1/users"));
        assert!(is_api_path("/v1/users/usr_1/devices"));
        for bad in [
            "",
            "v1/users",
            "//evil.example/v1",
            "https://evil.example/v1/users",
            "/v1/users?limit=1",
            "/v1/users#x",
            "/v1/../apps",
            "/v1/./users",
            "/v1/us ers",
            "/v1\\users",
            "/v1/é",
        ] {
            assert!(!is_api_path(bad), "{bad:?}");
        }
    }
}
