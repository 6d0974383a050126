//! [`ListParams`]: the optional parameters of every list call.

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
