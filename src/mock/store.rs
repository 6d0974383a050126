//! The emulator's memory: one table per object kind, ordered by a sequence number, plus the
//! random IDs and secrets its objects carry.
//!
//! Objects are kept as JSON maps built from the spec's object table, not as the crate's model
//! types, so the emulator says what the spec says even where the client's models are lenient.

use std::collections::hash_map::RandomState;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Map, Value};

/// One stored object: its JSON fields.
pub(crate) type Obj = Map<String, Value>;

/// The kinds of object the API has, each with its `"object"` name, ID field and ID prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    App,
    Device,
    Event,
    Log,
    WebhookEndpoint,
    EnrollmentKey,
    RecoveryKey,
}

impl Kind {
    pub(crate) const ALL: [Kind; 8] = [
        Kind::User,
        Kind::App,
        Kind::Device,
        Kind::Event,
        Kind::Log,
        Kind::WebhookEndpoint,
        Kind::EnrollmentKey,
        Kind::RecoveryKey,
    ];

    /// The `"object"` value, e.g. `"user"`.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::User => "user",
            Kind::App => "app",
            Kind::Device => "device",
            Kind::Event => "event",
            Kind::Log => "log",
            Kind::WebhookEndpoint => "webhook_endpoint",
            Kind::EnrollmentKey => "enrollment_key",
            Kind::RecoveryKey => "recovery_key",
        }
    }

    /// The ID field, e.g. `"user_id"`.
    pub(crate) fn id_field(self) -> &'static str {
        match self {
            Kind::User => "user_id",
            Kind::App => "app_id",
            Kind::Device => "device_id",
            Kind::Event => "event_id",
            Kind::Log => "log_id",
            Kind::WebhookEndpoint => "webhook_endpoint_id",
            Kind::EnrollmentKey => "enrollment_key_id",
            Kind::RecoveryKey => "recovery_key_id",
        }
    }

    /// The ID prefix, e.g. `"usr"`.
    fn prefix(self) -> &'static str {
        match self {
            Kind::User => "usr",
            Kind::App => "app",
            Kind::Device => "dev",
            Kind::Event => "evt",
            Kind::Log => "log",
            Kind::WebhookEndpoint => "we",
            Kind::EnrollmentKey => "ek",
            Kind::RecoveryKey => "rk",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// The live objects of one kind, by sequence number (creation order) and by ID.
#[derive(Default)]
struct Table {
    rows: BTreeMap<u64, Obj>,
    index: HashMap<String, u64>,
    created: usize,
}

/// One page of a list: the items and whether more follow.
pub(crate) struct Page {
    pub items: Vec<Value>,
    pub has_more: bool,
}

/// The whole state of one emulator.
pub(crate) struct Store {
    /// Increases with every insert, so objects made in the same second still sort.
    seq: u64,
    tables: [Table; 8],
    /// The `app_id` of logs recorded while no mobile app exists.
    pub(crate) default_app_id: String,
}

impl Store {
    pub(crate) fn new() -> Store {
        Store {
            seq: 0,
            tables: Default::default(),
            default_app_id: random_id("app"),
        }
    }

    fn table(&self, kind: Kind) -> &Table {
        &self.tables[kind as usize]
    }

    fn table_mut(&mut self, kind: Kind) -> &mut Table {
        &mut self.tables[kind as usize]
    }

    /// Live objects of this kind.
    pub(crate) fn count(&self, kind: Kind) -> usize {
        self.table(kind).rows.len()
    }

    /// Objects of this kind ever created.
    pub(crate) fn creates(&self, kind: Kind) -> usize {
        self.table(kind).created
    }

    pub(crate) fn get(&self, kind: Kind, id: &str) -> Option<&Obj> {
        let t = self.table(kind);
        t.index.get(id).and_then(|seq| t.rows.get(seq))
    }

    pub(crate) fn get_mut(&mut self, kind: Kind, id: &str) -> Option<&mut Obj> {
        let t = self.table_mut(kind);
        match t.index.get(id) {
            Some(seq) => t.rows.get_mut(seq),
            None => None,
        }
    }

    /// Stores a new object of `kind` made of `fields`, giving it `object`, a fresh ID and
    /// `created_at`, and returns a copy.
    pub(crate) fn insert(&mut self, kind: Kind, now: i64, fields: Obj) -> Obj {
        let id = random_id(kind.prefix());
        let mut obj = Obj::new();
        obj.insert("object".into(), kind.name().into());
        obj.insert(kind.id_field().into(), id.clone().into());
        obj.insert("created_at".into(), now.into());
        obj.extend(fields);
        self.seq += 1;
        let seq = self.seq;
        let t = self.table_mut(kind);
        t.rows.insert(seq, obj.clone());
        t.index.insert(id, seq);
        t.created += 1;
        obj
    }

    pub(crate) fn remove(&mut self, kind: Kind, id: &str) -> Option<Obj> {
        let t = self.table_mut(kind);
        let seq = t.index.remove(id)?;
        t.rows.remove(&seq)
    }

    /// The IDs of the objects of `kind` that `keep` accepts, newest first.
    pub(crate) fn ids_where(&self, kind: Kind, keep: impl Fn(&Obj) -> bool) -> Vec<String> {
        self.table(kind)
            .rows
            .values()
            .rev()
            .filter(|o| keep(o))
            .filter_map(|o| str_field(o, kind.id_field()).map(str::to_owned))
            .collect()
    }

    /// A page of the objects of `kind` that `keep` accepts, newest first: up to `limit` items
    /// after the one with ID `starting_after`. `None` when that ID is not in this list.
    pub(crate) fn page(
        &self,
        kind: Kind,
        keep: impl Fn(&Obj) -> bool,
        limit: usize,
        starting_after: Option<&str>,
    ) -> Option<Page> {
        let mut rest = self
            .table(kind)
            .rows
            .values()
            .rev()
            .filter(|o| keep(o))
            .peekable();
        if let Some(cursor) = starting_after {
            rest.find(|o| str_field(o, kind.id_field()) == Some(cursor))?;
        }
        let items: Vec<Value> = rest
            .by_ref()
            .take(limit)
            .map(|o| Value::Object(o.clone()))
            .collect();
        let has_more = rest.peek().is_some();
        Some(Page { items, has_more })
    }

    /// Records an event of `event_type` about `object`, caused by request `request_id`.
    pub(crate) fn record_event(&mut self, event_type: &str, object: &Obj, request_id: &str) {
        let now = now();
        let fields = json!({
            "type": event_type,
            "data": {"object": object},
            "request": request_id,
            "livemode": false,
        });
        if let Value::Object(fields) = fields {
            self.insert(Kind::Event, now, fields);
        }
    }
}

/// A string field of an object.
pub(crate) fn str_field<'a>(obj: &'a Obj, name: &str) -> Option<&'a str> {
    obj.get(name).and_then(Value::as_str)
}

/// Unix seconds now.
pub(crate) fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// 64 unpredictable-enough bits for a test double: std's randomly keyed hasher over a
/// process-wide counter and the clock. Not for real secrets.
fn random_u64() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.write_u128(nanos);
    h.finish()
}

/// `n` random characters from `[0-9A-Za-z]`.
pub(crate) fn random_alnum(n: usize) -> String {
    const ALPHABET: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut s = String::with_capacity(n);
    let (mut bits, mut left) = (0u64, 0);
    while s.len() < n {
        if left == 0 {
            // 62^10 < 2^64: ten characters per draw.
            (bits, left) = (random_u64(), 10);
        }
        s.push(char::from(ALPHABET[(bits % 62) as usize]));
        bits /= 62;
        left -= 1;
    }
    s
}

/// A prefixed random ID such as `usr_` and 24 alphanumerics.
pub(crate) fn random_id(prefix: &str) -> String {
    format!("{prefix}_{}", random_alnum(24))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_prefixed_and_distinct() {
        let a = random_id("usr");
        let b = random_id("usr");
        assert!(a.starts_with("usr_") && a.len() == 28, "{a}");
        assert!(a[4..].bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_ne!(a, b);
    }

    #[test]
    fn pages_walk_newest_first() {
        let mut s = Store::new();
        let ids: Vec<String> = (0..5)
            .map(|_| {
                let o = s.insert(Kind::User, 1, Obj::new());
                str_field(&o, "user_id")
                    .map(str::to_owned)
                    .unwrap_or_default()
            })
            .collect();
        let first = s.page(Kind::User, |_| true, 2, None).map(|p| p.items);
        let id = |v: &Value| v["user_id"].as_str().map(str::to_owned);
        let got: Vec<_> = first.unwrap_or_default().iter().filter_map(id).collect();
        assert_eq!(got, [ids[4].clone(), ids[3].clone()]);
        let last = s
            .page(Kind::User, |_| true, 2, Some(&ids[1]))
            .map(|p| p.has_more);
        assert_eq!(last, Some(false));
        assert!(s.page(Kind::User, |_| true, 2, Some("usr_nope")).is_none());
        assert_eq!((s.count(Kind::User), s.creates(Kind::User)), (5, 5));
        s.remove(Kind::User, &ids[0]);
        assert_eq!((s.count(Kind::User), s.creates(Kind::User)), (4, 5));
    }
}
