//! Watches: one JSON event per line, replayed from the store's log after the client's
//! resourceVersion and then followed live. As the API server's watch cache does, an object
//! that starts matching the watch's selectors arrives as ADDED and one that stops matching as
//! DELETED; a watch that allows bookmarks gets a BOOKMARK with the resourceVersion it has
//! seen up to, periodically.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use serde_json::{Value, json};
use tokio::sync::broadcast::error::RecvError;

use super::resources::Resource;
use super::table::{self, Include};
use super::{Body, channel_body};
use crate::cluster::Cluster;
use crate::selector::{FieldSelector, LabelSelector};
use crate::store::{Event, EventType};

/// How often a watch that allows bookmarks gets one. The API server sends one about every
/// minute; the sandbox, whose clocks run fast for tests, every two seconds.
pub const BOOKMARK_EVERY: Duration = Duration::from_secs(2);

pub struct WatchParams {
    pub resource: &'static Resource,
    pub namespace: Option<String>,
    pub labels: LabelSelector,
    pub fields: FieldSelector,
    /// None: start with the current objects as ADDED ("0" or unset).
    pub rv: Option<u64>,
    pub timeout: Duration,
    pub table: Option<Include>,
    pub send_initial_events: bool,
    pub bookmarks: bool,
}

impl WatchParams {
    fn selects(&self, obj: &Value) -> bool {
        self.labels.matches(obj["metadata"].get("labels")) && self.fields.matches(obj)
    }

    /// What the watcher sees of a store event: nothing, or the event type and object.
    fn translate<'e>(&self, e: &'e Event) -> Option<(&'static str, &'e Value)> {
        if e.key.resource != self.resource.plural
            || self
                .namespace
                .as_ref()
                .is_some_and(|ns| &e.key.namespace != ns)
        {
            return None;
        }
        let now = e.kind != EventType::Deleted && self.selects(&e.object);
        let before = e.prev.as_ref().is_some_and(|p| self.selects(p));
        match (before, now) {
            (false, true) => Some(("ADDED", &e.object)),
            (true, true) => Some(("MODIFIED", &e.object)),
            (true, false) => Some(("DELETED", &e.object)),
            (false, false) => None,
        }
    }

    fn line(&self, kind: &str, obj: &Value) -> Bytes {
        let object = match self.table {
            Some(include) => table::table(
                self.resource.plural,
                std::slice::from_ref(obj),
                &Default::default(),
                include,
            ),
            None => {
                let mut o = super::events_v1::outbound(self.resource, obj.clone());
                o["kind"] = json!(self.resource.kind);
                o["apiVersion"] = json!(self.resource.api_version());
                o
            }
        };
        let mut line = json!({"type": kind, "object": object}).to_string();
        line.push('\n');
        Bytes::from(line)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Bytes {
        let mut meta = json!({"resourceVersion": rv.to_string(), "creationTimestamp": null});
        if initial_end {
            meta["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({"kind": self.resource.kind, "apiVersion": self.resource.api_version(), "metadata": meta});
        Bytes::from(format!(
            "{}\n",
            json!({"type": "BOOKMARK", "object": object})
        ))
    }
}

pub fn watch(c: Arc<Cluster>, p: WatchParams) -> Body {
    let (tx, body) = channel_body();
    tokio::spawn(async move {
        let start = match c.store.watch_from(p.rv) {
            Ok(s) => s,
            Err(e) => {
                let line = format!("{}\n", json!({"type": "ERROR", "object": e.to_json()}));
                let _ = tx.send(Bytes::from(line)).await;
                return;
            }
        };
        // The resourceVersion this watcher has seen everything up to.
        let mut seen = p.rv.unwrap_or(start.rv);
        if p.rv.is_none() {
            let (items, rv) = c
                .store
                .list(p.resource.plural, p.namespace.as_deref(), |o| p.selects(o));
            for item in &items {
                if tx.send(p.line("ADDED", item)).await.is_err() {
                    return;
                }
            }
            if p.send_initial_events && tx.send(p.bookmark(rv, true)).await.is_err() {
                return;
            }
            seen = rv;
        }
        for e in &start.backlog {
            if e.rv <= seen {
                continue;
            }
            seen = e.rv;
            if let Some((kind, obj)) = p.translate(e)
                && tx.send(p.line(kind, obj)).await.is_err()
            {
                return;
            }
        }
        let mut live = start.live;
        let shutdown = c.shut_down();
        tokio::pin!(shutdown);
        let deadline = tokio::time::sleep(p.timeout);
        tokio::pin!(deadline);
        let mut bookmarks = tokio::time::interval(BOOKMARK_EVERY);
        bookmarks.tick().await;
        loop {
            tokio::select! {
                ev = live.recv() => match ev {
                    Ok(e) => {
                        if e.rv <= seen {
                            continue;
                        }
                        seen = e.rv;
                        if let Some((kind, obj)) = p.translate(&e)
                            && tx.send(p.line(kind, obj)).await.is_err()
                        {
                            return;
                        }
                    }
                    // A watcher that fell behind ends; the client re-watches from its last RV.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return,
                },
                _ = bookmarks.tick(), if p.bookmarks && p.table.is_none() => {
                    if tx.send(p.bookmark(seen, false)).await.is_err() {
                        return;
                    }
                }
                _ = tx.closed() => return,
                _ = &mut deadline => return,
                _ = &mut shutdown => return,
            }
        }
    });
    body
}
