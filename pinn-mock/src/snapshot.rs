//! Snapshots of the store (`GET /_mock/state`), and restoring them (`PUT /_mock/state`).
//!
//! A snapshot shares the store's objects, so taking one copies none of them and the answer is
//! serialized as it is written. A restore is checked whole before it replaces anything: what
//! it would let in must be what the API itself could have made, so that every read of it (a
//! list, an event, the next snapshot) works as it would have.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use serde::Deserialize;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

use super::json::{MAX_DEPTH, object_depth, too_deep};
use super::rng::Rng;
use super::store::{Kind, Obj, Store, str_field};

/// The value of a snapshot's `"format"`.
const SNAPSHOT_FORMAT: &str = "pinn-mock/1";

/// How deep a restored object of `kind` may nest: what the API can make. An object nests as
/// deep as the body that made it; an event holds its object two levels down.
fn max_depth(kind: Kind) -> usize {
    match kind {
        Kind::Event => MAX_DEPTH + 2,
        _ => MAX_DEPTH,
    }
}

/// The objects, the counters and the generator's state: `{"format", "rng", "default_app_id",
/// "created", "objects"}`, each kind's objects oldest first.
pub(crate) struct Snapshot {
    rng: u64,
    default_app_id: String,
    created: Vec<(Kind, usize)>,
    objects: Vec<(Kind, Vec<Arc<Obj>>)>,
}

/// A snapshot of the store now. It holds the objects themselves, not copies.
pub(crate) fn take(store: &Store) -> Snapshot {
    Snapshot {
        rng: store.rng.state(),
        default_app_id: store.default_app_id.clone(),
        created: Kind::ALL.map(|k| (k, store.creates(k))).to_vec(),
        objects: Kind::ALL
            .map(|k| (k, store.rows(k).cloned().collect()))
            .into(),
    }
}

impl Serialize for Snapshot {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        struct Created<'a>(&'a [(Kind, usize)]);
        impl Serialize for Created<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, n)| (k.name(), n)))
            }
        }
        struct Objects<'a>(&'a [(Kind, Vec<Arc<Obj>>)]);
        impl Serialize for Objects<'_> {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let mut map = s.serialize_map(Some(self.0.len()))?;
                for (kind, rows) in self.0 {
                    let rows: Vec<&Obj> = rows.iter().map(|o| &**o).collect();
                    map.serialize_entry(kind.name(), &rows)?;
                }
                map.end()
            }
        }
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("format", SNAPSHOT_FORMAT)?;
        map.serialize_entry("rng", &format!("{:016x}", self.rng))?;
        map.serialize_entry("default_app_id", &self.default_app_id)?;
        map.serialize_entry("created", &Created(&self.created))?;
        map.serialize_entry("objects", &Objects(&self.objects))?;
        map.end()
    }
}

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

/// Replaces the store's objects, counters and generator with a snapshot's, or says what is
/// wrong with it (and changes nothing). The clock is kept.
///
/// Every field is optional, so a hand-written fixture can be as small as
/// `{"objects": {"user": [{"user_id": "usr_1", …}]}}`: objects are listed oldest first,
/// each must carry its kind's ID field, unique within the kind, and `"object"` is filled in
/// when absent. An object nested deeper than the API lets a create make is refused.
pub(crate) fn restore(store: &mut Store, snapshot: Value) -> Result<(), String> {
    let s: SnapshotIn =
        serde_json::from_value(snapshot).map_err(|e| format!("not a pinn-mock snapshot: {e}"))?;
    if let Some(f) = s.format.as_deref().filter(|f| *f != SNAPSHOT_FORMAT) {
        return Err(format!("snapshot format {f:?} is not {SNAPSHOT_FORMAT:?}"));
    }
    let rng = match s.rng.as_deref() {
        Some(hex) => Rng::seeded(
            u64::from_str_radix(hex, 16)
                .map_err(|_| format!("rng must be 16 hex digits, not {hex:?}"))?,
        ),
        None => store.rng.clone(),
    };
    let mut next = Store::new(rng.clone(), store.clock);
    // Store::new drew a default app ID; the snapshot's generator state is the one to keep.
    next.rng = rng;
    next.default_app_id = s.default_app_id.unwrap_or(next.default_app_id);
    for (name, rows) in s.objects.unwrap_or_default() {
        let kind = Kind::from_name(&name).ok_or_else(|| format!("unknown object kind {name:?}"))?;
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
            let what = format!("objects.{name}[{i}] ({id:?})");
            if let Some(m) = too_deep(&what, object_depth(&obj), max_depth(kind)) {
                return Err(m);
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
        let kind = Kind::from_name(&name).ok_or_else(|| format!("unknown object kind {name:?}"))?;
        next.raise_created(kind, n);
    }
    *store = next;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::Clock;
    use crate::store::MAX_EVENTS;
    use serde_json::json;

    fn store() -> Store {
        Store::new(Rng::seeded(1), Clock::Frozen(1_000))
    }

    fn value(store: &Store) -> Value {
        serde_json::to_value(take(store)).unwrap()
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
        let err = restore(&mut s, json!({"objects": {"event": events}})).unwrap_err();
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
        let snap = value(&s);
        let next_id = s.insert(Kind::User, 1_000, Obj::new());
        let mut t = Store::new(Rng::seeded(99), Clock::Frozen(5));
        restore(&mut t, snap.clone()).unwrap();
        assert_eq!(value(&t), snap);
        assert_eq!(
            t.insert(Kind::User, 1_000, Obj::new())["user_id"],
            next_id["user_id"]
        );
        assert_eq!(t.now(), 5, "the clock is not part of a snapshot");

        let fixture = json!({"objects": {"user": [{"user_id": "usr_a"}, {"user_id": "usr_b"}]}});
        restore(&mut t, fixture).unwrap();
        let ids: Vec<&str> = t
            .rows(Kind::User)
            .filter_map(|u| str_field(u, "user_id"))
            .collect();
        assert_eq!(ids, ["usr_a", "usr_b"]);
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
            assert!(restore(&mut t, bad.clone()).is_err(), "{bad}");
        }
        assert_eq!(t.count(Kind::User), 2, "a failed restore changes nothing");
    }

    #[test]
    fn a_restored_object_nests_no_deeper_than_a_create_could_make_it() {
        let nested = |levels: usize| -> Value {
            let mut v = json!(1);
            for _ in 0..levels {
                v = json!([v]);
            }
            v
        };
        let mut s = store();
        // A user is 1 level, its metadata 2: a metadata value of MAX_DEPTH - 2 levels fits.
        let user = |levels| json!({"user_id": "usr_deep", "metadata": {"k": nested(levels)}});
        let event = |levels| json!({"event_id": "evt_deep", "data": {"object": user(levels)}});
        let at_limit =
            json!({"objects": {"user": [user(MAX_DEPTH - 2)], "event": [event(MAX_DEPTH - 2)]}});
        restore(&mut s, at_limit).unwrap();
        let again = value(&s);
        restore(&mut s, again).unwrap();
        for past in [
            json!({"objects": {"user": [user(MAX_DEPTH - 1)]}}),
            json!({"objects": {"event": [event(MAX_DEPTH - 1)]}}),
        ] {
            let err = restore(&mut s, past).unwrap_err();
            assert!(err.contains("_deep\") nests 10"), "{err}");
        }
        assert_eq!(s.count(Kind::User), 1, "unchanged");
    }
}
