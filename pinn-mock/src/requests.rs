//! The record of the requests the emulator received: what each looked like, and a log that
//! keeps the newest ones within a count and a byte budget. The control API's view of the log
//! shares its entries (reference counted) and is serialized as it is written.

use std::collections::VecDeque;
use std::sync::Arc;

use serde::ser::{Serialize, SerializeStruct, Serializer};
use serde_json::Value;

/// The default number of requests the log keeps.
pub(crate) const DEFAULT_CAPACITY: usize = 1000;
/// The most bytes of requests the log keeps, whatever its capacity: 1,000 requests with
/// 1 MiB bodies would otherwise hold a gigabyte.
pub(crate) const MAX_BYTES: usize = 32 << 20;

/// A request as the emulator received it.
///
/// Its `Debug` output shows `Authorization` as `<redacted>`, in case a real key was sent to
/// the emulator by mistake; [`header`](RecordedRequest::header) gives the value itself.
///
/// ```
/// let server = pinn_mock::MockServer::start();
/// server.client().scope(|| pinn::User::list(&pinn::ListParams::new().limit(3)))?;
/// let sent = &server.requests()[0];
/// assert_eq!((sent.method.as_str(), sent.path.as_str()), ("GET", "/v1/users"));
/// assert_eq!((sent.query.as_deref(), sent.body.as_str()), (Some("limit=3"), ""));
/// assert!(format!("{sent:?}").contains("<redacted>"));
/// # Ok::<(), pinn::Error>(())
/// ```
#[derive(Clone, PartialEq)]
pub struct RecordedRequest {
    /// The method, e.g. `"POST"`.
    pub method: String,
    /// The path as sent, still percent-encoded, without the query: `/v1/users/usr_%2E%2E`.
    pub path: String,
    /// The raw query string, without the `?`, if there was one.
    pub query: Option<String>,
    /// Every header, names as sent.
    pub headers: Vec<(String, String)>,
    /// The body (invalid UTF-8 replaced); empty when there was none.
    pub body: String,
}

impl std::fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| {
                let shown = if n.eq_ignore_ascii_case("authorization") {
                    "<redacted>"
                } else {
                    v.as_str()
                };
                (n.as_str(), shown)
            })
            .collect();
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("headers", &headers)
            .field("body", &self.body)
            .finish()
    }
}

impl RecordedRequest {
    /// The first header called `name` (any case).
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// server.client().scope(|| pinn::App::list(&Default::default()))?;
    /// let sent = &server.requests()[0];
    /// assert_eq!(sent.header("user-agent"), Some(pinn::USER_AGENT));
    /// # Ok::<(), pinn::Error>(())
    /// ```
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON; `None` when it is empty or not JSON.
    ///
    /// ```
    /// let server = pinn_mock::MockServer::start();
    /// let params = pinn::EnrollmentKeyCreateParams::new("usr_unknown");
    /// server.client().enrollment_keys().create(&params).unwrap_err();
    /// assert_eq!(server.requests()[0].json(), Some(serde_json::json!({"user_id": "usr_unknown"})));
    /// ```
    pub fn json(&self) -> Option<Value> {
        serde_json::from_str(&self.body).ok()
    }

    /// Whether it carries `key` as its bearer key. The comparison takes as long whichever
    /// byte differs, so that timing answers does not spell the key out to a local process.
    pub(crate) fn carries_key(&self, key: &str) -> bool {
        let Some(sent) = self.bearer() else {
            return false;
        };
        let differ = sent
            .bytes()
            .zip(key.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        sent.len() == key.len() && differ == 0
    }

    /// The key of an `Authorization: Bearer <key>` header: the scheme in any case (RFC 9110,
    /// section 11.1), then one or more spaces. `None` without such a header.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?;
        let (scheme, key) = value.split_once(' ')?;
        let key = key.trim_matches([' ', '\t']);
        (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
    }

    /// Roughly the bytes it holds.
    fn size(&self) -> usize {
        let headers: usize = self
            .headers
            .iter()
            .map(|(n, v)| n.len() + v.len() + 48)
            .sum();
        let query = self.query.as_ref().map_or(0, String::len);
        128 + self.method.len() + self.path.len() + query + headers + self.body.len()
    }
}

/// The newest requests, within a count and [`MAX_BYTES`]; the oldest go first.
#[derive(Debug)]
pub(crate) struct RequestLog {
    kept: VecDeque<Arc<RecordedRequest>>,
    capacity: usize,
    bytes: usize,
    /// Requests received since the last clear, kept or not.
    total: u64,
}

impl RequestLog {
    pub(crate) fn new(capacity: usize) -> RequestLog {
        RequestLog {
            kept: VecDeque::new(),
            capacity,
            bytes: 0,
            total: 0,
        }
    }

    pub(crate) fn push(&mut self, r: Arc<RecordedRequest>) {
        self.total += 1;
        let size = r.size();
        if self.capacity == 0 || size > MAX_BYTES {
            return;
        }
        self.bytes += size;
        self.kept.push_back(r);
        while self.kept.len() > self.capacity || self.bytes > MAX_BYTES {
            match self.kept.pop_front() {
                Some(old) => self.bytes = self.bytes.saturating_sub(old.size()),
                None => break,
            }
        }
    }

    /// Forgets every request; returns how many were kept.
    pub(crate) fn clear(&mut self) -> usize {
        let n = self.kept.len();
        self.kept = VecDeque::new();
        (self.bytes, self.total) = (0, 0);
        n
    }

    pub(crate) fn to_vec(&self) -> Vec<RecordedRequest> {
        self.kept
            .iter()
            .map(|r| RecordedRequest::clone(r))
            .collect()
    }

    /// The control API's view: the kept requests, oldest first, and the counters. It shares
    /// the entries, so taking it copies none of them.
    pub(crate) fn view(&self, secret_key: &str) -> LogView {
        LogView {
            data: self.kept.iter().cloned().collect(),
            secret_key: secret_key.to_string(),
            total: self.total,
            capacity: self.capacity,
        }
    }
}

/// The request log as `GET /_mock/requests` shows it: `{"data": [...], "total", "dropped",
/// "capacity"}`, each request `{"method", "path", "query", "headers": [[name, value], ...],
/// "body"}`.
pub(crate) struct LogView {
    data: Vec<Arc<RecordedRequest>>,
    secret_key: String,
    total: u64,
    capacity: usize,
}

impl Serialize for LogView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let shown: Vec<Shown<'_>> = self
            .data
            .iter()
            .map(|r| Shown(r, &self.secret_key))
            .collect();
        let mut log = s.serialize_struct("LogView", 4)?;
        log.serialize_field("data", &shown)?;
        log.serialize_field("total", &self.total)?;
        log.serialize_field("dropped", &(self.total - self.data.len() as u64))?;
        log.serialize_field("capacity", &self.capacity)?;
        log.end()
    }
}

/// A request as the control API shows it. An `Authorization` header is shown as sent only
/// when it carries this server's own key: any other key, perhaps a real one sent by mistake,
/// is `<redacted>`.
struct Shown<'a>(&'a RecordedRequest, &'a str);

impl Serialize for Shown<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Shown(r, key) = *self;
        let own = r.carries_key(key);
        let headers: Vec<(&str, &str)> = r
            .headers
            .iter()
            .map(|(n, v)| {
                let redacted = n.eq_ignore_ascii_case("authorization") && !own;
                (n.as_str(), if redacted { "<redacted>" } else { v.as_str() })
            })
            .collect();
        let mut out = s.serialize_struct("RecordedRequest", 5)?;
        out.serialize_field("method", &r.method)?;
        out.serialize_field("path", &r.path)?;
        out.serialize_field("query", &r.query)?;
        out.serialize_field("headers", &headers)?;
        out.serialize_field("body", &r.body)?;
        out.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn get(path: &str, body: usize) -> RecordedRequest {
        RecordedRequest {
            method: "GET".into(),
            path: path.into(),
            query: None,
            headers: vec![("Authorization".into(), "Bearer sk_test_x".into())],
            body: "x".repeat(body),
        }
    }

    fn json(log: &RequestLog, key: &str) -> Value {
        serde_json::to_value(log.view(key)).unwrap()
    }

    #[test]
    fn the_log_keeps_the_newest_within_its_count_and_bytes() {
        let mut log = RequestLog::new(3);
        for i in 0..5 {
            log.push(Arc::new(get(&format!("/{i}"), 0)));
        }
        let paths: Vec<String> = log.to_vec().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/2", "/3", "/4"]);
        let j = json(&log, "sk_test_x");
        assert_eq!((&j["total"], &j["dropped"]), (&json!(5), &json!(2)));
        assert_eq!(
            j["data"][0]["headers"][0],
            json!(["Authorization", "Bearer sk_test_x"])
        );
        assert_eq!(
            json(&log, "sk_test_other")["data"][0]["headers"][0][1],
            "<redacted>"
        );
        assert_eq!(log.clear(), 3);
        assert_eq!(json(&log, "k")["total"], 0);

        let mut big = RequestLog::new(1000);
        for _ in 0..40 {
            big.push(Arc::new(get("/", 1 << 20)));
        }
        assert!(
            big.kept.len() < 32 && big.bytes <= MAX_BYTES,
            "{}",
            big.kept.len()
        );
        let mut none = RequestLog::new(0);
        none.push(Arc::new(get("/", 0)));
        assert_eq!((none.kept.len(), none.total), (0, 1));
    }

    #[test]
    fn the_bearer_scheme_is_any_case() {
        let with = |v: &str| RecordedRequest {
            headers: vec![("authorization".into(), v.into())],
            ..get("/", 0)
        };
        for (value, key) in [
            ("Bearer sk_test_x", Some("sk_test_x")),
            ("bearer sk_test_x", Some("sk_test_x")),
            ("BEARER   sk_test_x", Some("sk_test_x")),
            ("Basic sk_test_x", None),
            ("Bearer", None),
            ("Bearer ", None),
            ("sk_test_x", None),
        ] {
            assert_eq!(with(value).bearer(), key, "{value:?}");
            assert_eq!(
                with(value).carries_key("sk_test_x"),
                key.is_some(),
                "{value:?}"
            );
        }
        assert!(!with("Bearer sk_test_y").carries_key("sk_test_x"));
        assert!(!with("Bearer sk_test_xx").carries_key("sk_test_x"));
        assert!(!with("Bearer sk_test_").carries_key("sk_test_x"));
    }
}
