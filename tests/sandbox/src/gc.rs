//! The garbage collector and the namespace controller, as kube-controller-manager runs them:
//! dependents whose owners (by `ownerReferences`) are gone are deleted; an owner deleted with
//! `propagationPolicy=Foreground` waits (finalizer `foregroundDeletion`) until its blocking
//! dependents are gone, one deleted with `Orphan` (finalizer `orphan`) first releases them;
//! a deleted namespace is emptied, then goes.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::api::registry::{self, DeleteOptions, FOREGROUND, ORPHAN};
use crate::api::resources;
use crate::cluster::Cluster;
use crate::store::Key;

pub async fn run(c: Arc<Cluster>) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        collect(&c);
        crate::pvc_protection::release(&c);
        tokio::select! {
            _ = c.gc.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = &mut shutdown => return,
        }
    }
}

fn uid(o: &Value) -> &str {
    o["metadata"]["uid"].as_str().unwrap_or("")
}

fn deleting(o: &Value) -> bool {
    !o["metadata"]["deletionTimestamp"].is_null()
}

fn has_finalizer(o: &Value, f: &str) -> bool {
    o["metadata"]["finalizers"]
        .as_array()
        .is_some_and(|a| a.iter().any(|x| x == f))
}

fn owner_uids(o: &Value) -> Vec<&str> {
    o["metadata"]["ownerReferences"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["uid"].as_str())
        .collect()
}

/// Deletes an object as a client would (pods gracefully), ignoring one already gone.
fn delete(c: &Arc<Cluster>, k: &Key) {
    let Some(res) = resources::by_plural(&k.resource) else {
        return;
    };
    let opts = DeleteOptions::default();
    let _ = registry::delete(c, res, &k.namespace, &k.name, &opts, false);
}

fn remove_finalizer(c: &Cluster, k: &Key, f: &str) {
    let _ = c.store.update(&k.resource, &k.namespace, &k.name, |o| {
        if let Some(a) = o["metadata"]["finalizers"].as_array_mut() {
            a.retain(|x| x != f);
        }
        Ok(())
    });
}

/// Drops the references to owners in `gone` from an object.
fn drop_owner_refs(c: &Cluster, k: &Key, gone: &HashSet<String>) {
    let _ = c.store.update(&k.resource, &k.namespace, &k.name, |o| {
        if let Some(refs) = o["metadata"]["ownerReferences"].as_array_mut() {
            refs.retain(|r| !gone.contains(r["uid"].as_str().unwrap_or("")));
            if refs.is_empty()
                && let Some(m) = o["metadata"].as_object_mut()
            {
                m.remove("ownerReferences");
            }
        }
        Ok(())
    });
}

/// One pass over the store.
pub fn collect(c: &Arc<Cluster>) {
    let mut uids: HashSet<String> = HashSet::new();
    let mut dependents: Vec<(Key, Arc<Value>)> = Vec::new();
    let mut owners_deleting: Vec<(Key, Arc<Value>)> = Vec::new();
    let mut terminating_ns: Vec<Key> = Vec::new();
    c.store.visit(None, |k, o| {
        uids.insert(uid(o).to_string());
        if !owner_uids(o).is_empty() {
            dependents.push((k.clone(), o.clone()));
        }
        if deleting(o) && (has_finalizer(o, ORPHAN) || has_finalizer(o, FOREGROUND)) {
            owners_deleting.push((k.clone(), o.clone()));
        }
        if k.resource == "namespaces" && deleting(o) {
            terminating_ns.push(k.clone());
        }
    });
    if dependents.is_empty() && owners_deleting.is_empty() && terminating_ns.is_empty() {
        return;
    }
    let mut by_owner: HashMap<&str, Vec<&(Key, Arc<Value>)>> = HashMap::new();
    for d in &dependents {
        for o in owner_uids(&d.1) {
            by_owner.entry(o).or_default().push(d);
        }
    }

    for (k, owner) in &owners_deleting {
        let deps = by_owner.get(uid(owner)).cloned().unwrap_or_default();
        if has_finalizer(owner, ORPHAN) {
            let gone = HashSet::from([uid(owner).to_string()]);
            for (dk, _) in &deps {
                drop_owner_refs(c, dk, &gone);
            }
            remove_finalizer(c, k, ORPHAN);
        } else {
            let blocking: Vec<_> = deps
                .iter()
                .filter(|(_, d)| {
                    d["metadata"]["ownerReferences"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .any(|r| r["uid"] == json!(uid(owner)) && r["blockOwnerDeletion"] == true)
                })
                .collect();
            for (dk, d) in &deps {
                if !deleting(d) {
                    delete(c, dk);
                }
            }
            if blocking.is_empty() {
                remove_finalizer(c, k, FOREGROUND);
            }
        }
    }

    // Dependents whose owners are all gone are deleted; references to the gone ones among
    // several are dropped. Owners of kinds the sandbox does not serve cannot be checked.
    for (k, d) in &dependents {
        if deleting(d) {
            continue;
        }
        let refs = d["metadata"]["ownerReferences"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let verifiable = refs.iter().all(|r| {
            resources::by_kind(
                r["apiVersion"].as_str().unwrap_or(""),
                r["kind"].as_str().unwrap_or(""),
            )
            .is_some()
        });
        if !verifiable {
            continue;
        }
        let gone: HashSet<String> = refs
            .iter()
            .filter_map(|r| r["uid"].as_str())
            .filter(|u| !uids.contains(*u))
            .map(str::to_string)
            .collect();
        if gone.is_empty() {
            continue;
        }
        if gone.len() == refs.len() {
            delete(c, k);
        } else {
            drop_owner_refs(c, k, &gone);
        }
    }

    for ns in &terminating_ns {
        let mut left = Vec::new();
        c.store.visit(None, |k, o| {
            if k.namespace == ns.name && !k.resource.is_empty() {
                left.push((k.clone(), deleting(o)));
            }
        });
        for (k, marked) in &left {
            if !marked {
                delete(c, k);
            }
        }
        if left.is_empty() {
            let _ = c.store.update("namespaces", "", &ns.name, |n| {
                n["spec"]["finalizers"] = json!([]);
                Ok(())
            });
        }
    }
}
