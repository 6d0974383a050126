//! The emulator's memory: one table per object kind, ordered by a sequence number and
//! indexed by ID, with the generator of its IDs and secrets and the clock of its timestamps.
//! Snapshots of it, and restoring them, are here too.
//!
//! Objects are kept as JSON maps built from the spec's object table, not as the crate's model
//! types, so the emulator says what the spec says even where the client's models are lenient.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Bound;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::clock::Clock;
use super::rng::Rng;

/// The most events the store keeps: every change records one, so a loop that updates one
/// user, or creates and deletes one, would otherwise grow the store without end. The oldest
/// go first, as in the request log.
pub(crate) const MAX_EVENTS: usize = 10_000;
/// The most bytes of events (as JSON) the store keeps, whatever their number: each holds a
/// copy of the object it is about, whose metadata may be a megabyte. (Smaller in unit tests,
/// which would otherwise push 64 MiB through an unoptimized serializer.)
#[cfg(not(test))]
pub(crate) const MAX_EVENT_BYTES: usize = 64 << 20;
#[cfg(test)]
pub(crate) const MAX_EVENT_BYTES: usize = 4 << 20;

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
    /// Draws every ID, publishable key and secret.
    pub(crate) rng: Rng,
    /// Gives every timestamp.
    pub(crate) clock: Clock,
    /// The size of the kept events as JSON, within [`MAX_EVENT_BYTES`].
    event_bytes: usize,
}

impl Store {
    pub(crate) fn new(mut rng: Rng, clock: Clock) -> Store {
        Store {
            seq: 0,
            event_bytes: 0,
            tables: Default::default(),
            default_app_id: rng.id("app"),
            rng,
            clock,
        }
    }

    /// Unix seconds now, by the emulator's clock.
    pub(crate) fn now(&self) -> i64 {
        self.clock.now()
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
        let id = self.rng.id(kind.prefix());
        let mut obj = Obj::new();
        obj.insert("object".into(), kind.name().into());
        obj.insert(kind.id_field().into(), id.into());
        obj.insert("created_at".into(), now.into());
        obj.extend(fields);
        self.put(kind, obj.clone());
        obj
    }

    /// Files a whole object (its ID already in it) as the newest of its kind. Events beyond
    /// [`MAX_EVENTS`] or [`MAX_EVENT_BYTES`] are dropped, the oldest first.
    fn put(&mut self, kind: Kind, obj: Obj) {
        let id = str_field(&obj, kind.id_field())
            .unwrap_or_default()
            .to_owned();
        if kind == Kind::Event {
            self.event_bytes = self.event_bytes.saturating_add(json_size(&obj));
        }
        self.seq += 1;
        let seq = self.seq;
        let t = self.table_mut(kind);
        t.rows.insert(seq, obj);
        t.index.insert(id, seq);
        // A restored snapshot may say any count, `usize::MAX` included.
        t.created = t.created.saturating_add(1);
        if kind == Kind::Event {
            self.drop_old_events();
        }
    }

    /// Forgets the oldest events until the rest are within both bounds (the newest is kept
    /// whatever its size).
    fn drop_old_events(&mut self) {
        loop {
            let t = self.table(Kind::Event);
            let over = t.rows.len() > MAX_EVENTS || self.event_bytes > MAX_EVENT_BYTES;
            if !over || t.rows.len() <= 1 {
                return;
            }
            let t = self.table_mut(Kind::Event);
            let Some((seq, oldest)) = t.rows.pop_first() else {
                return;
            };
            if let Some(id) = str_field(&oldest, Kind::Event.id_field())
                && t.index.get(id) == Some(&seq)
            {
                t.index.remove(id);
            }
            self.event_bytes = self.event_bytes.saturating_sub(json_size(&oldest));
        }
    }

    pub(crate) fn remove(&mut self, kind: Kind, id: &str) -> Option<Obj> {
        let t = self.table_mut(kind);
        let seq = t.index.remove(id)?;
        let gone = t.rows.remove(&seq)?;
        if kind == Kind::Event {
            self.event_bytes = self.event_bytes.saturating_sub(json_size(&gone));
        }
        Some(gone)
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
    ///
    /// The cursor is found through the ID index and the walk starts right below it, so a page
    /// deep in a long list costs what the first page costs (for a filtered sub-list, plus the
    /// rows skipped by the filter).
    pub(crate) fn page(
        &self,
        kind: Kind,
        keep: impl Fn(&Obj) -> bool,
        limit: usize,
        starting_after: Option<&str>,
    ) -> Option<Page> {
        let t = self.table(kind);
        let below = match starting_after {
            None => Bound::Unbounded,
            Some(cursor) => {
                let seq = *t.index.get(cursor)?;
                if !t.rows.get(&seq).is_some_and(&keep) {
                    return None;
                }
                Bound::Excluded(seq)
            }
        };
        let mut rest = t
            .rows
            .range((Bound::Unbounded, below))
            .rev()
            .map(|(_, o)| o)
            .filter(|o| keep(o))
            .peekable();
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
        let fields = json!({
            "type": event_type,
            "data": {"object": object},
            "request": request_id,
            "livemode": false,
        });
        if let Value::Object(fields) = fields {
            self.insert(Kind::Event, self.now(), fields);
        }
    }

    /// The objects, the counters and the generator's state, as JSON: see `restore`.
    pub(crate) fn snapshot(&self) -> Value {
        let mut objects = Map::new();
        let mut created = Map::new();
        for kind in Kind::ALL {
            let t = self.table(kind);
            let rows: Vec<Value> = t.rows.values().cloned().map(Value::Object).collect();
            objects.insert(kind.name().into(), rows.into());
            created.insert(kind.name().into(), t.created.into());
        }
        json!({
            "format": SNAPSHOT_FORMAT,
            "rng": format!("{:016x}", self.rng.state()),
            "default_app_id": self.default_app_id,
            "created": created,
            "objects": objects,
        })
    }

    /// Replaces the objects, counters and generator with a snapshot's, or says what is wrong
    /// with it (and changes nothing). The clock is kept.
    ///
    /// Every field is optional, so a hand-written fixture can be as small as
    /// `{"objects": {"user": [{"user_id": "usr_1", …}]}}`: objects are listed oldest first,
    /// each must carry its kind's ID field (unique), and `"object"` is filled in when absent.
    pub(crate) fn restore(&mut self, snapshot: Value) -> Result<(), String> {
        let s: SnapshotIn = serde_json::from_value(snapshot)
            .map_err(|e| format!("not a pinn-mock snapshot: {e}"))?;
        if let Some(f) = s.format.as_deref().filter(|f| *f != SNAPSHOT_FORMAT) {
            return Err(format!("snapshot format {f:?} is not {SNAPSHOT_FORMAT:?}"));
        }
        let rng = match s.rng.as_deref() {
            Some(hex) => Rng::seeded(
                u64::from_str_radix(hex, 16)
                    .map_err(|_| format!("rng must be 16 hex digits, not {hex:?}"))?,
            ),
            None => self.rng.clone(),
        };
        let mut next = Store::new(rng.clone(), self.clock);
        // Store::new drew a default app ID; the snapshot's generator state is the one to keep.
        next.rng = rng;
        next.default_app_id = s.default_app_id.unwrap_or(next.default_app_id);
        for (name, rows) in s.objects.unwrap_or_default() {
            let kind =
                Kind::from_name(&name).ok_or_else(|| format!("unknown object kind {name:?}"))?;
            // The IDs seen, not the store: it forgets old events as it takes new ones.
            let mut seen = HashSet::new();
            for (i, mut obj) in rows.into_iter().enumerate() {
                let id = str_field(&obj, kind.id_field()).unwrap_or_default();
                if id.is_empty() {
                    return Err(format!(
                        "objects.{name}[{i}] has no string {:?}",
                        kind.id_field()
                    ));
                }
                if !seen.insert(id.to_owned()) {
                    return Err(format!("objects.{name}[{i}]: {id:?} appears twice"));
                }
                match obj.get("object") {
                    None => {
                        obj.insert("object".into(), name.clone().into());
                    }
                    Some(o) if o.as_str() == Some(name.as_str()) => {}
                    Some(o) => {
                        return Err(format!("objects.{name}[{i}] says it is an {o} object"));
                    }
                }
                next.put(kind, obj);
            }
        }
        for (name, n) in s.created.unwrap_or_default() {
            let kind =
                Kind::from_name(&name).ok_or_else(|| format!("unknown object kind {name:?}"))?;
            let t = next.table_mut(kind);
            t.created = t.created.max(n);
        }
        *self = next;
        Ok(())
    }
}

/// The value of a snapshot's `"format"`.
const SNAPSHOT_FORMAT: &str = "pinn-mock/1";

/// A snapshot as `restore` reads it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SnapshotIn {
    format: Option<String>,
    rng: Option<String>,
    default_app_id: Option<String>,
    created: Option<BTreeMap<String, usize>>,
    objects: Option<BTreeMap<String, Vec<Obj>>>,
}

/// The length of an object as JSON, counted without building the text.
fn json_size(obj: &Obj) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 = self.0.saturating_add(buf.len());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    let _ = serde_json::to_writer(&mut count, obj);
    count.0
}

/// A string field of an object.
pub(crate) fn str_field<'a>(obj: &'a Obj, name: &str) -> Option<&'a str> {
    obj.get(name).and_then(Value::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(v: Value) -> Obj {
        v.as_object().cloned().unwrap_or_default()
    }

    fn store() -> Store {
        Store::new(Rng::seeded(1), Clock::Frozen(1_000))
    }

    fn user_ids(page: Option<Page>) -> Vec<String> {
        let items = page.map(|p| p.items).unwrap_or_default();
        let id = |v: &Value| v["user_id"].as_str().map(str::to_owned);
        items.iter().filter_map(id).collect()
    }

    #[test]
    fn pages_walk_newest_first() {
        let mut s = store();
        let ids: Vec<String> = (0..5)
            .map(|_| {
                let o = s.insert(Kind::User, 1_000, Obj::new());
                str_field(&o, "user_id")
                    .map(str::to_owned)
                    .unwrap_or_default()
            })
            .collect();
        let first = s.page(Kind::User, |_| true, 2, None);
        assert_eq!(user_ids(first), [ids[4].clone(), ids[3].clone()]);
        let middle = s.page(Kind::User, |_| true, 2, Some(&ids[3]));
        assert_eq!(user_ids(middle), [ids[2].clone(), ids[1].clone()]);
        let last = s
            .page(Kind::User, |_| true, 2, Some(&ids[1]))
            .map(|p| p.has_more);
        assert_eq!(last, Some(false));
        assert!(s.page(Kind::User, |_| true, 2, Some("usr_nope")).is_none());
        // A cursor the filter rejects is not an item of that list.
        let not_ids3 = |o: &Obj| str_field(o, "user_id") != Some(ids[3].as_str());
        assert!(s.page(Kind::User, not_ids3, 2, Some(&ids[3])).is_none());
        let skipping = s.page(Kind::User, not_ids3, 2, Some(&ids[4]));
        assert_eq!(user_ids(skipping), [ids[2].clone(), ids[1].clone()]);
        assert_eq!((s.count(Kind::User), s.creates(Kind::User)), (5, 5));
        s.remove(Kind::User, &ids[0]);
        assert_eq!((s.count(Kind::User), s.creates(Kind::User)), (4, 5));
        assert_eq!(
            s.get(Kind::User, &ids[1]).and_then(|u| u.get("created_at")),
            Some(&json!(1_000))
        );
    }

    #[test]
    fn events_are_kept_within_a_count_and_a_byte_budget() {
        let mut s = store();
        let first = s.insert(Kind::Event, 1_000, Obj::new());
        for _ in 0..MAX_EVENTS {
            s.insert(Kind::Event, 1_000, Obj::new());
        }
        assert_eq!(s.count(Kind::Event), MAX_EVENTS);
        assert_eq!(s.creates(Kind::Event), MAX_EVENTS + 1);
        let first_id = str_field(&first, "event_id").unwrap_or_default();
        assert!(s.get(Kind::Event, first_id).is_none());
        assert!(s.page(Kind::Event, |_| true, 1, Some(first_id)).is_none());

        // Events that copy a big object each: only as many as the budget holds are kept.
        let big = MAX_EVENT_BYTES / 64;
        let blob = obj(json!({"data": {"object": {"metadata": {"blob": "x".repeat(big)}}}}));
        for _ in 0..80 {
            s.insert(Kind::Event, 1_000, blob.clone());
        }
        let kept = s.count(Kind::Event);
        assert!((60..64).contains(&kept), "{kept}");
        assert!(s.event_bytes <= MAX_EVENT_BYTES, "{}", s.event_bytes);
        let measured: usize = s.table(Kind::Event).rows.values().map(json_size).sum();
        assert_eq!(s.event_bytes, measured, "the running total is exact");
        // One event over the budget on its own is still kept, alone.
        let huge = obj(json!({"blob": "x".repeat(MAX_EVENT_BYTES)}));
        s.insert(Kind::Event, 1_000, huge);
        assert_eq!(s.count(Kind::Event), 1);
    }

    #[test]
    fn a_snapshot_with_an_id_twice_is_refused_even_past_the_events_kept() {
        // The first and the last event share an ID; by the last, the first has been dropped
        // from the store to keep it within MAX_EVENTS.
        let mut events: Vec<Value> = (0..=MAX_EVENTS)
            .map(|i| json!({"event_id": format!("evt_{i}")}))
            .collect();
        events.push(json!({"event_id": "evt_0"}));
        let mut s = store();
        let err = s
            .restore(json!({"objects": {"event": events}}))
            .unwrap_err();
        assert!(err.contains("\"evt_0\" appears twice"), "{err}");
        assert_eq!(
            s.count(Kind::Event),
            0,
            "a refused snapshot changes nothing"
        );
    }

    #[test]
    fn a_snapshot_restores_objects_counters_and_the_generator() {
        let mut s = store();
        s.insert(Kind::User, 1_000, Obj::new());
        s.insert(Kind::User, 1_000, Obj::new());
        let snap = s.snapshot();
        let next_id = s.insert(Kind::User, 1_000, Obj::new());
        let mut t = Store::new(Rng::seeded(99), Clock::Frozen(5));
        t.restore(snap.clone()).unwrap();
        assert_eq!(t.snapshot(), snap);
        assert_eq!(
            t.insert(Kind::User, 1_000, Obj::new())["user_id"],
            next_id["user_id"]
        );
        assert_eq!(t.now(), 5, "the clock is not part of a snapshot");

        let fixture = json!({"objects": {"user": [{"user_id": "usr_a"}, {"user_id": "usr_b"}]}});
        t.restore(fixture).unwrap();
        let page = t.page(Kind::User, |_| true, 10, None);
        assert_eq!(user_ids(page), ["usr_b", "usr_a"]);
        assert_eq!(
            t.get(Kind::User, "usr_a")
                .and_then(|u| str_field(u, "object")),
            Some("user")
        );
        for bad in [
            json!([]),
            json!({"objects": {"unicorn": []}}),
            json!({"objects": {"user": [{"id": "x"}]}}),
            json!({"objects": {"user": [{"user_id": "a"}, {"user_id": "a"}]}}),
            json!({"objects": {"user": [{"user_id": "a", "object": "app"}]}}),
            json!({"rng": "xyz"}),
            json!({"format": "pinn-mock/0"}),
            json!({"extra": 1}),
        ] {
            assert!(t.restore(bad.clone()).is_err(), "{bad}");
        }
        assert_eq!(t.count(Kind::User), 2, "a failed restore changes nothing");
    }
}
