//! The emulator's memory: one table per object kind, ordered by a sequence number and
//! indexed by ID, with the generator of its IDs and secrets and the clock of its timestamps.
//!
//! Objects are kept as JSON maps built from the spec's object table, not as the crate's model
//! types, so the emulator says what the spec says even where the client's models are lenient.
//! Each is reference counted: an answer being written holds the objects it shows without
//! copying them, and a change made meanwhile copies the one object it changes.
//!
//! Two rules hold whatever was restored: no two objects of a kind share an ID (a drawn ID that
//! is taken, or was deleted lately, is drawn again), and the position of the newest deleted
//! IDs is remembered, so a list cursor naming one still pages (see [`Store::page`]).

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::ops::Bound;
use std::sync::Arc;

use serde_json::{Map, Value, json};

use super::clock::Clock;
use super::json::json_len;
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

/// How many deleted IDs of each kind keep their place in the list order, the newest first.
pub(crate) const MAX_GONE: usize = 10_000;

/// The fields a deleted object keeps with its place: those the sub-lists filter by.
const GONE_FIELDS: [&str; 2] = ["user_id", "device_id"];

/// The live objects of one kind, by sequence number (creation order) and by ID, and the
/// places of the newest deleted ones.
#[derive(Default)]
struct Table {
    rows: BTreeMap<u64, Arc<Obj>>,
    index: HashMap<String, u64>,
    created: usize,
    /// A deleted ID: its sequence number and the fields of [`GONE_FIELDS`] it had.
    gone: HashMap<String, (u64, Obj)>,
    /// The deleted IDs in `gone`, oldest first, to forget beyond [`MAX_GONE`].
    gone_order: VecDeque<String>,
}

impl Table {
    fn taken(&self, id: &str) -> bool {
        self.index.contains_key(id) || self.gone.contains_key(id)
    }

    fn remember_gone(&mut self, id: &str, seq: u64, obj: &Obj) {
        let kept: Obj = GONE_FIELDS
            .iter()
            .filter_map(|f| obj.get(*f).map(|v| (f.to_string(), v.clone())))
            .collect();
        if self.gone.insert(id.to_owned(), (seq, kept)).is_none() {
            self.gone_order.push_back(id.to_owned());
        }
        while self.gone_order.len() > MAX_GONE {
            if let Some(old) = self.gone_order.pop_front() {
                self.gone.remove(&old);
            }
        }
    }
}

/// One page of a list: the items and whether more follow.
pub(crate) struct Page {
    pub items: Vec<Arc<Obj>>,
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
        self.get_shared(kind, id).map(|o| &**o)
    }

    /// The object itself, shared: what an answer holds while it is written.
    pub(crate) fn get_shared(&self, kind: Kind, id: &str) -> Option<&Arc<Obj>> {
        let t = self.table(kind);
        t.index.get(id).and_then(|seq| t.rows.get(seq))
    }

    /// The object, to change: copied first if an answer still holds it.
    pub(crate) fn get_mut(&mut self, kind: Kind, id: &str) -> Option<&mut Obj> {
        let t = self.table_mut(kind);
        match t.index.get(id) {
            Some(seq) => t.rows.get_mut(seq).map(Arc::make_mut),
            None => None,
        }
    }

    /// The live objects of a kind, oldest first.
    pub(crate) fn rows(&self, kind: Kind) -> impl Iterator<Item = &Arc<Obj>> {
        self.table(kind).rows.values()
    }

    /// Raises the count of objects of `kind` ever created to at least `n`.
    pub(crate) fn raise_created(&mut self, kind: Kind, n: usize) {
        let t = self.table_mut(kind);
        t.created = t.created.max(n);
    }

    /// Stores a new object of `kind` made of `fields`, giving it `object`, a fresh ID and
    /// `created_at`, and returns a copy. The ID is one no object of the kind has, and none
    /// deleted lately had: a restored fixture may hold the IDs the generator draws next.
    pub(crate) fn insert(&mut self, kind: Kind, now: i64, fields: Obj) -> Obj {
        let mut id = self.rng.id(kind.prefix());
        while self.table(kind).taken(&id) {
            id = self.rng.id(kind.prefix());
        }
        let mut obj = Obj::new();
        obj.insert("object".into(), kind.name().into());
        obj.insert(kind.id_field().into(), id.into());
        obj.insert("created_at".into(), now.into());
        obj.extend(fields);
        self.put(kind, obj.clone());
        obj
    }

    /// Files a whole object (its ID already in it, one no live object of the kind has: the
    /// callers see to that) as the newest of its kind. Events beyond [`MAX_EVENTS`] or
    /// [`MAX_EVENT_BYTES`] are dropped, the oldest first.
    pub(crate) fn put(&mut self, kind: Kind, obj: Obj) {
        let id = str_field(&obj, kind.id_field())
            .unwrap_or_default()
            .to_owned();
        if kind == Kind::Event {
            self.event_bytes = self.event_bytes.saturating_add(json_len(&obj));
        }
        self.seq += 1;
        let seq = self.seq;
        let t = self.table_mut(kind);
        debug_assert!(!t.index.contains_key(&id), "{id} twice");
        t.rows.insert(seq, Arc::new(obj));
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
            self.event_bytes = self.event_bytes.saturating_sub(json_len(&*oldest));
        }
    }

    /// Deletes an object, remembering its place in the list order.
    pub(crate) fn remove(&mut self, kind: Kind, id: &str) -> Option<Obj> {
        let t = self.table_mut(kind);
        let seq = t.index.remove(id)?;
        let gone = t.rows.remove(&seq)?;
        t.remember_gone(id, seq, &gone);
        if kind == Kind::Event {
            self.event_bytes = self.event_bytes.saturating_sub(json_len(&*gone));
        }
        Some(Arc::unwrap_or_clone(gone))
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
    /// A deleted object is still a cursor of the lists it was in, as long as its place is
    /// remembered (the newest [`MAX_GONE`] deletions of each kind): a client paging through a
    /// list, or resuming later, is not stopped by a deletion meanwhile. Events dropped by
    /// retention leave no place behind.
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
                let seq = match t.index.get(cursor) {
                    Some(seq) if t.rows.get(seq).is_some_and(|o| keep(o)) => *seq,
                    Some(_) => return None,
                    None => match t.gone.get(cursor) {
                        Some((seq, fields)) if keep(fields) => *seq,
                        _ => return None,
                    },
                };
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
        let items: Vec<Arc<Obj>> = rest.by_ref().take(limit).cloned().collect();
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
        let id = |o: &Arc<Obj>| str_field(o, "user_id").map(str::to_owned);
        items.iter().filter_map(id).collect()
    }

    fn new_user(s: &mut Store, fields: Value) -> String {
        let o = s.insert(Kind::User, 1_000, obj(fields));
        str_field(&o, "user_id").unwrap_or_default().to_owned()
    }

    #[test]
    fn pages_walk_newest_first() {
        let mut s = store();
        let ids: Vec<String> = (0..5).map(|_| new_user(&mut s, json!({}))).collect();
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
    fn a_deleted_cursor_keeps_its_place_in_the_lists_it_was_in() {
        let mut s = store();
        let ids: Vec<String> = (0..4)
            .map(|i| new_user(&mut s, json!({"device_id": format!("dev_{}", i % 2)})))
            .collect();
        s.remove(Kind::User, &ids[2]);
        let after = s.page(Kind::User, |_| true, 10, Some(&ids[2]));
        assert_eq!(user_ids(after), [ids[1].clone(), ids[0].clone()]);
        // In a sub-list it was part of, and not in one it was not.
        let of = |dev: &'static str| move |o: &Obj| str_field(o, "device_id") == Some(dev);
        assert_eq!(
            user_ids(s.page(Kind::User, of("dev_0"), 10, Some(&ids[2]))),
            [ids[0].clone()]
        );
        assert!(s.page(Kind::User, of("dev_1"), 10, Some(&ids[2])).is_none());
        assert!(s.get(Kind::User, &ids[2]).is_none(), "deleted all the same");
        // The place of the newest MAX_GONE deletions is kept, no more.
        let many: Vec<String> = (0..=MAX_GONE)
            .map(|_| new_user(&mut s, json!({})))
            .collect();
        for id in &many {
            s.remove(Kind::User, id);
        }
        assert!(s.page(Kind::User, |_| true, 1, Some(&many[0])).is_none());
        assert!(s.page(Kind::User, |_| true, 1, Some(&many[1])).is_some());
        let t = s.table(Kind::User);
        assert_eq!((t.gone.len(), t.gone_order.len()), (MAX_GONE, MAX_GONE));
    }

    #[test]
    fn a_drawn_id_that_is_taken_or_was_deleted_is_drawn_again() {
        let mut s = store();
        // The next two IDs the generator will draw: one live, one deleted.
        let mut ahead = s.rng.clone();
        let (first, second) = (ahead.id("usr"), ahead.id("usr"));
        s.put(Kind::User, obj(json!({"user_id": first})));
        s.put(Kind::User, obj(json!({"user_id": second})));
        s.remove(Kind::User, &second);
        let made = new_user(&mut s, json!({}));
        assert!(made != first && made != second, "{made}");
        assert_eq!(s.count(Kind::User), 2);
        assert_eq!(
            s.table(Kind::User).index.len(),
            s.table(Kind::User).rows.len()
        );
    }

    #[test]
    fn an_answer_holding_an_object_does_not_see_a_later_change() {
        let mut s = store();
        let id = new_user(&mut s, json!({"status": "active"}));
        let held = Arc::clone(s.get_shared(Kind::User, &id).unwrap());
        if let Some(u) = s.get_mut(Kind::User, &id) {
            u.insert("status".into(), "disabled".into());
        }
        assert_eq!(held["status"], "active");
        assert_eq!(s.get(Kind::User, &id).unwrap()["status"], "disabled");
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
        let measured: usize = s.rows(Kind::Event).map(|o| json_len(&**o)).sum();
        assert_eq!(s.event_bytes, measured, "the running total is exact");
        // One event over the budget on its own is still kept, alone.
        let huge = obj(json!({"blob": "x".repeat(MAX_EVENT_BYTES)}));
        s.insert(Kind::Event, 1_000, huge);
        assert_eq!(s.count(Kind::Event), 1);
    }
}
