//! The object store behind the API (the sandbox's etcd): objects as JSON under one
//! resourceVersion counter, and an event log that watches replay from and paged lists read
//! their consistent snapshot from. Deletion here is the storage half of the API's: an object
//! that still carries finalizers is only marked (deletionTimestamp) and goes once an update
//! removes the last one.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::status::ApiError;
use crate::time;

/// How many events the log keeps; older history is compacted away (410 Gone for a watch or a
/// list continuation that needs it).
const LOG_CAPACITY: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    pub resource: String,
    pub namespace: String,
    pub name: String,
}

impl Key {
    pub fn new(resource: &str, namespace: &str, name: &str) -> Key {
        Key {
            resource: resource.into(),
            namespace: namespace.into(),
            name: name.into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Added,
    Modified,
    Deleted,
}

impl EventType {
    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Added => "ADDED",
            EventType::Modified => "MODIFIED",
            EventType::Deleted => "DELETED",
        }
    }
}

#[derive(Debug)]
pub struct Event {
    pub rv: u64,
    pub kind: EventType,
    pub key: Key,
    /// The object after the change (for DELETED: its last state).
    pub object: Arc<Value>,
    /// The object before the change (None for ADDED), so that a watch can tell when an
    /// object starts or stops matching its selector.
    pub prev: Option<Arc<Value>>,
}

struct Inner {
    rv: u64,
    objects: BTreeMap<Key, Arc<Value>>,
    log: VecDeque<Arc<Event>>,
    /// History at or before this resourceVersion is gone.
    compacted: u64,
}

pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<Event>>,
}

/// What a watch starts from: the events after its resourceVersion, then the live feed.
pub struct WatchStart {
    pub backlog: Vec<Arc<Event>>,
    pub live: broadcast::Receiver<Arc<Event>>,
    /// The store's resourceVersion when the watch started.
    pub rv: u64,
}

/// Which part of a list to read.
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    /// At most this many items.
    pub limit: Option<usize>,
    /// Read the list as it was at this resourceVersion (a continuation, or an exact read);
    /// None: now.
    pub at: Option<u64>,
    /// Start after this (namespace, name).
    pub after: Option<(String, String)>,
}

/// One page of a list.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Arc<Value>>,
    /// The resourceVersion the page was read at.
    pub rv: u64,
    /// The (namespace, name) of the last item, when more objects follow it.
    pub more_after: Option<(String, String)>,
    /// How many objects of the listed range follow the page.
    pub remaining: usize,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

pub fn gone(message: String) -> ApiError {
    ApiError::new(410, "Expired", message)
}

/// Finalizers still to run: `metadata.finalizers`, and a namespace's `spec.finalizers` (the
/// namespace controller's, removed once the namespace is empty).
fn finalizers(obj: &Value) -> usize {
    let count = |v: &Value| v.as_array().map_or(0, Vec::len);
    let spec = if obj["kind"] == "Namespace" {
        count(&obj["spec"]["finalizers"])
    } else {
        0
    };
    count(&obj["metadata"]["finalizers"]) + spec
}

/// Marked for deletion, no finalizer left and no grace period to wait for: the object goes.
fn done_finalizing(obj: &Value) -> bool {
    !obj["metadata"]["deletionTimestamp"].is_null()
        && finalizers(obj) == 0
        && obj["metadata"]["deletionGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(0)
            == 0
}

impl Store {
    pub fn new() -> Store {
        let (tx, _) = broadcast::channel(8192);
        Store {
            inner: Mutex::new(Inner {
                rv: 1,
                objects: BTreeMap::new(),
                log: VecDeque::new(),
                compacted: 0,
            }),
            tx,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The stored object a write or delete acts on, with its key (404 when there is none).
    fn existing(
        inner: &Inner,
        resource: &str,
        namespace: &str,
        name: &str,
    ) -> Result<(Key, Arc<Value>), ApiError> {
        let key = Key::new(resource, namespace, name);
        let current = inner
            .objects
            .get(&key)
            .cloned()
            .ok_or_else(|| ApiError::not_found(resource, name))?;
        Ok((key, current))
    }

    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Value> {
        self.get_shared(resource, namespace, name)
            .map(|o| (*o).clone())
    }

    pub fn get_shared(&self, resource: &str, namespace: &str, name: &str) -> Option<Arc<Value>> {
        self.lock()
            .objects
            .get(&Key::new(resource, namespace, name))
            .cloned()
    }

    /// Objects of a resource, in one namespace or all (`None`), with the list's resourceVersion.
    pub fn list(
        &self,
        resource: &str,
        namespace: Option<&str>,
        mut keep: impl FnMut(&Value) -> bool,
    ) -> (Vec<Value>, u64) {
        let mut items = Vec::new();
        let rv = self.visit(Some(resource), |k, v| {
            if namespace.is_none_or(|ns| k.namespace == ns) && keep(v) {
                items.push((**v).clone());
            }
        });
        (items, rv)
    }

    /// Calls `f` with every object (of one resource, or all) without copying them; returns
    /// the resourceVersion they were read at.
    pub fn visit(&self, resource: Option<&str>, mut f: impl FnMut(&Key, &Arc<Value>)) -> u64 {
        let inner = self.lock();
        match resource {
            Some(r) => {
                for (k, v) in range(&inner.objects, r) {
                    f(k, v);
                }
            }
            None => inner.objects.iter().for_each(|(k, v)| f(k, v)),
        }
        inner.rv
    }

    /// One page of a list, read at the page request's resourceVersion: the objects as they
    /// were then (rebuilt from the event log), so that the pages of one list are consistent.
    pub fn list_page(
        &self,
        resource: &str,
        namespace: Option<&str>,
        keep: impl Fn(&Value) -> bool,
        page: &PageRequest,
    ) -> Result<Page, ApiError> {
        let inner = self.lock();
        let rv = page.at.unwrap_or(inner.rv).min(inner.rv);
        let snapshot = snapshot_at(&inner, resource, rv)?;
        let in_range = |k: &Key| {
            namespace.is_none_or(|ns| k.namespace == ns)
                && page
                    .after
                    .as_ref()
                    .is_none_or(|(ns, name)| (&k.namespace, &k.name) > (ns, name))
        };
        let mut keys = snapshot.iter().filter(|(k, _)| in_range(k)).peekable();
        let mut items = Vec::new();
        let mut last = None;
        let limit = page.limit.unwrap_or(usize::MAX);
        while items.len() < limit {
            let Some((k, v)) = keys.next() else { break };
            if keep(v) {
                items.push(v.clone());
                last = Some((k.namespace.clone(), k.name.clone()));
            }
        }
        let remaining = keys.count();
        Ok(Page {
            items,
            rv,
            more_after: last.filter(|_| remaining > 0),
            remaining,
        })
    }

    fn emit(
        &self,
        inner: &mut Inner,
        kind: EventType,
        key: Key,
        object: Arc<Value>,
        prev: Option<Arc<Value>>,
    ) {
        let event = Arc::new(Event {
            rv: inner.rv,
            kind,
            key,
            object,
            prev,
        });
        if inner.log.len() >= LOG_CAPACITY
            && let Some(old) = inner.log.pop_front()
        {
            inner.compacted = old.rv;
        }
        inner.log.push_back(event.clone());
        // Sent under the lock so that every watcher sees events in resourceVersion order.
        let _ = self.tx.send(event);
    }

    /// Creates an object; fills in uid, creationTimestamp, resourceVersion (and a name from
    /// `generateName`).
    pub fn create(
        &self,
        resource: &str,
        namespace: &str,
        mut obj: Value,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let meta = obj
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| ApiError::bad_request("metadata is required"))?;
        let name = match meta.get("name").and_then(Value::as_str) {
            Some(n) if !n.is_empty() => n.to_string(),
            _ => match meta.get("generateName").and_then(Value::as_str) {
                Some(prefix) => format!("{prefix}{}", random_suffix()),
                None => return Err(ApiError::bad_request("name or generateName is required")),
            },
        };
        let key = Key::new(resource, namespace, &name);
        if inner.objects.contains_key(&key) {
            return Err(ApiError::already_exists(resource, &name));
        }
        inner.rv += 1;
        meta.insert("name".into(), json!(name));
        if !namespace.is_empty() {
            meta.insert("namespace".into(), json!(namespace));
        }
        meta.insert("uid".into(), json!(new_uid()));
        meta.insert("resourceVersion".into(), json!(inner.rv.to_string()));
        meta.insert("creationTimestamp".into(), json!(time::now()));
        meta.remove("deletionTimestamp");
        let obj = Arc::new(obj);
        inner.objects.insert(key.clone(), obj.clone());
        self.emit(&mut inner, EventType::Added, key, obj.clone(), None);
        Ok((*obj).clone())
    }

    /// Changes an object in place. Emits MODIFIED only when something changed; an object
    /// being deleted whose last finalizer the change removes is deleted (DELETED).
    pub fn update(
        &self,
        resource: &str,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let (key, current) = Self::existing(&inner, resource, namespace, name)?;
        let mut next = (*current).clone();
        change(&mut next)?;
        // Identity fields are the server's, whatever the change says.
        for field in ["name", "namespace", "uid", "creationTimestamp"] {
            next["metadata"][field] = current["metadata"][field].clone();
        }
        next["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"].clone();
        if next == *current {
            return Ok(next);
        }
        inner.rv += 1;
        next["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
        let next = Arc::new(next);
        if done_finalizing(&next) {
            inner.objects.remove(&key);
            self.emit(
                &mut inner,
                EventType::Deleted,
                key,
                next.clone(),
                Some(current),
            );
        } else {
            inner.objects.insert(key.clone(), next.clone());
            self.emit(
                &mut inner,
                EventType::Modified,
                key,
                next.clone(),
                Some(current),
            );
        }
        Ok((*next).clone())
    }

    pub fn delete(&self, resource: &str, namespace: &str, name: &str) -> Result<Value, ApiError> {
        self.delete_with(resource, namespace, name, |_| Ok(()))
    }

    /// Deletes an object after `prepare` has checked it (preconditions) and changed it (say,
    /// added the finalizers a propagation policy asks for). An object with finalizers is only
    /// marked (deletionTimestamp) and returned with them; otherwise it is gone.
    pub fn delete_with(
        &self,
        resource: &str,
        namespace: &str,
        name: &str,
        prepare: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let (key, current) = Self::existing(&inner, resource, namespace, name)?;
        let mut obj = (*current).clone();
        prepare(&mut obj)?;
        let kind = if finalizers(&obj) > 0 {
            if obj["metadata"]["deletionTimestamp"].is_null() {
                obj["metadata"]["deletionTimestamp"] = json!(time::now());
            }
            obj["metadata"]["deletionGracePeriodSeconds"] = json!(0);
            if obj == *current {
                return Ok(obj);
            }
            EventType::Modified
        } else {
            EventType::Deleted
        };
        inner.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
        let obj = Arc::new(obj);
        if kind == EventType::Deleted {
            inner.objects.remove(&key);
        } else {
            inner.objects.insert(key.clone(), obj.clone());
        }
        self.emit(&mut inner, kind, key, obj.clone(), Some(current));
        Ok((*obj).clone())
    }

    /// Starts a watch after `rv`. `None` means "from now", with the current objects replayed as
    /// ADDED by the caller. Errors when `rv` is older than the log holds (410 Gone).
    pub fn watch_from(&self, rv: Option<u64>) -> Result<WatchStart, ApiError> {
        let inner = self.lock();
        let live = self.tx.subscribe();
        let backlog = match rv {
            None => Vec::new(),
            Some(rv) => {
                if rv < inner.compacted {
                    return Err(gone(format!(
                        "too old resource version: {rv} ({})",
                        inner.compacted + 1
                    )));
                }
                inner.log.iter().filter(|e| e.rv > rv).cloned().collect()
            }
        };
        Ok(WatchStart {
            backlog,
            live,
            rv: inner.rv,
        })
    }

    /// Drops the whole history, as the API server's periodic etcd compaction does: watches
    /// and list continuations from before now get 410 Gone.
    pub fn compact(&self) {
        let mut inner = self.lock();
        inner.log.clear();
        inner.compacted = inner.rv;
    }
}

fn range<'a>(
    objects: &'a BTreeMap<Key, Arc<Value>>,
    resource: &str,
) -> impl Iterator<Item = (&'a Key, &'a Arc<Value>)> + 'a {
    let start = Key::new(resource, "", "");
    let resource = resource.to_string();
    objects
        .range(start..)
        .take_while(move |(k, _)| k.resource == resource)
}

/// The objects of `resource` as they were at `rv`: today's, with every key changed since
/// then put back to its state before its first later event.
fn snapshot_at(
    inner: &Inner,
    resource: &str,
    rv: u64,
) -> Result<BTreeMap<Key, Arc<Value>>, ApiError> {
    let current = range(&inner.objects, resource).map(|(k, v)| (k.clone(), v.clone()));
    if rv >= inner.rv {
        return Ok(current.collect());
    }
    if rv < inner.compacted {
        return Err(gone(format!(
            "too old resource version: {rv} ({})",
            inner.compacted + 1
        )));
    }
    let mut then: HashMap<&Key, Option<&Arc<Value>>> = HashMap::new();
    for e in inner
        .log
        .iter()
        .filter(|e| e.rv > rv && e.key.resource == resource)
    {
        then.entry(&e.key).or_insert(e.prev.as_ref());
    }
    let mut out: BTreeMap<Key, Arc<Value>> =
        current.filter(|(k, _)| !then.contains_key(k)).collect();
    for (k, v) in then {
        if let Some(v) = v {
            out.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}

pub fn new_uid() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn random_suffix() -> String {
    const CHARS: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    (0..5)
        .map(|_| CHARS[rand::random_range(0..CHARS.len())] as char)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(p: &Page) -> Vec<String> {
        p.items
            .iter()
            .map(|o| o["metadata"]["name"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn create_update_delete_and_watch() {
        let store = Store::new();
        let start_rv = store.resource_version();
        let obj = store
            .create("pods", "ns", json!({"metadata": {"name": "p"}, "spec": {}}))
            .unwrap();
        assert!(obj["metadata"]["uid"].is_string());
        assert!(
            store
                .create("pods", "ns", json!({"metadata": {"name": "p"}}))
                .is_err()
        );
        let same = store
            .update("pods", "ns", "p", |o| {
                o["spec"] = json!({});
                Ok(())
            })
            .unwrap();
        assert_eq!(
            same["metadata"]["resourceVersion"],
            obj["metadata"]["resourceVersion"]
        );
        store
            .update("pods", "ns", "p", |o| {
                o["spec"]["x"] = json!(1);
                Ok(())
            })
            .unwrap();
        store.delete("pods", "ns", "p").unwrap();
        let w = store.watch_from(Some(start_rv)).unwrap();
        let kinds: Vec<_> = w.backlog.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [EventType::Added, EventType::Modified, EventType::Deleted]
        );
        assert_eq!(w.backlog[1].prev.as_ref().unwrap()["spec"], json!({}));
        store.compact();
        assert_eq!(store.watch_from(Some(start_rv)).err().unwrap().code, 410);
    }

    #[test]
    fn finalizers_keep_a_deleted_object_until_removed() {
        let store = Store::new();
        store
            .create(
                "pvcs",
                "ns",
                json!({"metadata": {"name": "d", "finalizers": ["x/y"]}}),
            )
            .unwrap();
        let marked = store.delete("pvcs", "ns", "d").unwrap();
        assert!(marked["metadata"]["deletionTimestamp"].is_string());
        assert!(store.get("pvcs", "ns", "d").is_some());
        store
            .update("pvcs", "ns", "d", |o| {
                o["metadata"]["finalizers"] = json!([]);
                Ok(())
            })
            .unwrap();
        assert!(store.get("pvcs", "ns", "d").is_none());
    }

    #[test]
    fn pages_read_one_snapshot() {
        let store = Store::new();
        for i in 0..5 {
            store
                .create(
                    "cms",
                    "ns",
                    json!({"metadata": {"name": format!("c{i}")}, "v": 0}),
                )
                .unwrap();
        }
        let first = store
            .list_page(
                "cms",
                Some("ns"),
                |_| true,
                &PageRequest {
                    limit: Some(2),
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(names(&first), ["c0", "c1"]);
        assert_eq!(first.remaining, 3);
        // Changes after the first page do not show in the next ones.
        store.delete("cms", "ns", "c2").unwrap();
        store
            .update("cms", "ns", "c3", |o| {
                o["v"] = json!(1);
                Ok(())
            })
            .unwrap();
        store
            .create("cms", "ns", json!({"metadata": {"name": "c9"}}))
            .unwrap();
        let next = store
            .list_page(
                "cms",
                Some("ns"),
                |_| true,
                &PageRequest {
                    limit: Some(10),
                    at: Some(first.rv),
                    after: first.more_after.clone(),
                },
            )
            .unwrap();
        assert_eq!(names(&next), ["c2", "c3", "c4"]);
        assert_eq!(next.items[1]["v"], 0);
        assert!(next.more_after.is_none());
        store.compact();
        let expired = store.list_page(
            "cms",
            Some("ns"),
            |_| true,
            &PageRequest {
                limit: Some(1),
                at: Some(first.rv),
                after: first.more_after.clone(),
            },
        );
        assert_eq!(expired.err().unwrap().code, 410);
    }
}
