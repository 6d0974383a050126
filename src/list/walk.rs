//! Walking a list lazily: page by page ([`Pages`]) or item by item ([`AutoPaging`]), each
//! page fetched only when it is reached, and a server that misbehaves ending the walk with an
//! error instead of a loop.

use std::collections::HashSet;
use std::fmt;
use std::hash::{Hash, Hasher};

use super::page::List;
use crate::errors::Result;
use crate::object::Object;

impl<T: Object> List<T> {
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
