//! The object store behind the API: objects as JSON, one resourceVersion counter, and an
//! event log that watches replay from.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::sync::broadcast;

use crate::status::ApiError;
use crate::time;

/// How many events a watch can be behind before it gets "410 Gone".
const LOG_CAPACITY: usize = 20_000;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
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
    pub object: Value,
}

struct Inner {
    rv: u64,
    objects: BTreeMap<Key, Value>,
    log: VecDeque<Arc<Event>>,
}

pub struct Store {
    inner: Mutex<Inner>,
    tx: broadcast::Sender<Arc<Event>>,
}

/// What a watch starts from: the events after its resourceVersion, then the live feed.
pub struct WatchStart {
    pub backlog: Vec<Arc<Event>>,
    pub live: broadcast::Receiver<Arc<Event>>,
}

impl Default for Store {
    fn default() -> Self {
        Self::new()
    }
}

impl Store {
    pub fn new() -> Store {
        let (tx, _) = broadcast::channel(8192);
        Store {
            inner: Mutex::new(Inner {
                rv: 1,
                objects: BTreeMap::new(),
                log: VecDeque::new(),
            }),
            tx,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn resource_version(&self) -> u64 {
        self.lock().rv
    }

    pub fn get(&self, resource: &str, namespace: &str, name: &str) -> Option<Value> {
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
        let inner = self.lock();
        let items = inner
            .objects
            .iter()
            .filter(|(k, _)| k.resource == resource && namespace.is_none_or(|ns| k.namespace == ns))
            .map(|(_, v)| v)
            .filter(|v| keep(v))
            .cloned()
            .collect();
        (items, inner.rv)
    }

    fn emit(&self, inner: &mut Inner, kind: EventType, key: Key, object: Value) {
        let event = Arc::new(Event {
            rv: inner.rv,
            kind,
            key,
            object,
        });
        if inner.log.len() >= LOG_CAPACITY {
            inner.log.pop_front();
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
        inner.objects.insert(key.clone(), obj.clone());
        self.emit(&mut inner, EventType::Added, key, obj.clone());
        Ok(obj)
    }

    /// Changes an object in place. Emits MODIFIED only when something changed.
    pub fn update(
        &self,
        resource: &str,
        namespace: &str,
        name: &str,
        change: impl FnOnce(&mut Value) -> Result<(), ApiError>,
    ) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let key = Key::new(resource, namespace, name);
        let current = inner
            .objects
            .get(&key)
            .ok_or_else(|| ApiError::not_found(resource, name))?;
        let mut next = current.clone();
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
        inner.objects.insert(key.clone(), next.clone());
        self.emit(&mut inner, EventType::Modified, key, next.clone());
        Ok(next)
    }

    /// Replaces an object (PUT), refusing a stale resourceVersion.
    pub fn replace(
        &self,
        resource: &str,
        namespace: &str,
        name: &str,
        obj: Value,
    ) -> Result<Value, ApiError> {
        let wanted_rv = obj["metadata"]["resourceVersion"]
            .as_str()
            .map(str::to_string);
        self.update(resource, namespace, name, |cur| {
            if let Some(rv) = wanted_rv
                && cur["metadata"]["resourceVersion"].as_str() != Some(rv.as_str())
            {
                return Err(ApiError::conflict(resource, name));
            }
            *cur = obj;
            Ok(())
        })
    }

    pub fn delete(&self, resource: &str, namespace: &str, name: &str) -> Result<Value, ApiError> {
        let mut inner = self.lock();
        let key = Key::new(resource, namespace, name);
        let mut obj = inner
            .objects
            .remove(&key)
            .ok_or_else(|| ApiError::not_found(resource, name))?;
        inner.rv += 1;
        obj["metadata"]["resourceVersion"] = json!(inner.rv.to_string());
        self.emit(&mut inner, EventType::Deleted, key, obj.clone());
        Ok(obj)
    }

    /// Starts a watch after `rv`. `None` means "from now", with the current objects replayed as
    /// ADDED by the caller. Errors when `rv` is older than the log holds (410 Gone).
    pub fn watch_from(&self, rv: Option<u64>) -> Result<WatchStart, ApiError> {
        let inner = self.lock();
        let live = self.tx.subscribe();
        let backlog = match rv {
            None => Vec::new(),
            Some(rv) => {
                let oldest = inner.log.front().map(|e| e.rv).unwrap_or(inner.rv + 1);
                if rv + 1 < oldest && rv < inner.rv {
                    return Err(ApiError::new(
                        410,
                        "Expired",
                        format!("too old resource version: {rv} ({})", oldest - 1),
                    ));
                }
                inner.log.iter().filter(|e| e.rv > rv).cloned().collect()
            }
        };
        Ok(WatchStart { backlog, live })
    }
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
    }
}
