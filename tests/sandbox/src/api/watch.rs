//! Watches: one JSON event per line, replayed from the store's log after the client's
//! resourceVersion and then followed live.

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
use crate::store::Event;

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
}

impl WatchParams {
    fn matches(&self, e: &Event) -> bool {
        e.key.resource == self.resource.plural
            && self
                .namespace
                .as_ref()
                .is_none_or(|ns| &e.key.namespace == ns)
            && self.labels.matches(e.object["metadata"].get("labels"))
            && self.fields.matches(&e.object)
    }

    fn line(&self, kind: &str, obj: &Value) -> Bytes {
        let mut object = match self.table {
            Some(include) => table::table(
                self.resource.plural,
                std::slice::from_ref(obj),
                None,
                include,
            ),
            None => super::events_v1::outbound(self.resource, obj.clone()),
        };
        if self.table.is_none() {
            object["kind"] = json!(self.resource.kind);
            object["apiVersion"] = json!(self.resource.api_version());
        }
        let mut line = json!({"type": kind, "object": object}).to_string();
        line.push('\n');
        Bytes::from(line)
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
        let mut last_rv = p.rv.unwrap_or(0);
        if p.rv.is_none() {
            let (items, rv) = c
                .store
                .list(p.resource.plural, p.namespace.as_deref(), |o| {
                    p.labels.matches(o["metadata"].get("labels")) && p.fields.matches(o)
                });
            for item in &items {
                if tx.send(p.line("ADDED", item)).await.is_err() {
                    return;
                }
            }
            if p.send_initial_events {
                let bookmark = json!({"kind": p.resource.kind, "apiVersion": p.resource.api_version(),
                    "metadata": {"resourceVersion": rv.to_string(), "annotations": {"k8s.io/initial-events-end": "true"}}});
                let line = format!("{}\n", json!({"type": "BOOKMARK", "object": bookmark}));
                if tx.send(Bytes::from(line)).await.is_err() {
                    return;
                }
            }
            last_rv = rv;
        }
        for e in &start.backlog {
            if e.rv > last_rv && p.matches(e) {
                if tx.send(p.line(e.kind.as_str(), &e.object)).await.is_err() {
                    return;
                }
                last_rv = e.rv;
            }
        }
        let mut live = start.live;
        let shutdown = c.shut_down();
        tokio::pin!(shutdown);
        let deadline = tokio::time::sleep(p.timeout);
        tokio::pin!(deadline);
        loop {
            tokio::select! {
                ev = live.recv() => match ev {
                    Ok(e) => {
                        if e.rv <= last_rv || !p.matches(&e) {
                            continue;
                        }
                        last_rv = e.rv;
                        if tx.send(p.line(e.kind.as_str(), &e.object)).await.is_err() {
                            return;
                        }
                    }
                    // A watcher that fell behind ends; the client re-watches from its last RV.
                    Err(RecvError::Lagged(_)) | Err(RecvError::Closed) => return,
                },
                _ = tx.closed() => return,
                _ = &mut deadline => return,
                _ = &mut shutdown => return,
            }
        }
    });
    body
}
