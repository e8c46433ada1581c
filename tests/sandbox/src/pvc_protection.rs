//! The pvc-protection controller, as kube-controller-manager runs it: a deleted claim stays
//! Terminating (finalizer `kubernetes.io/pvc-protection`) while a pod uses it; once no pod
//! does, the finalizer goes, the claim goes, and its volume with it (the provisioner's
//! `Delete` reclaim policy), so a claim made again under the same name starts empty.

use std::sync::Arc;

use serde_json::Value;

use crate::cluster::Cluster;

pub const PROTECTION: &str = "kubernetes.io/pvc-protection";

const CLAIMS: &str = "persistentvolumeclaims";

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

/// Whether `pod` mounts the claim `claim`.
pub fn uses(pod: &Value, claim: &str) -> bool {
    pod["spec"]["volumes"]
        .as_array()
        .into_iter()
        .flatten()
        .any(|v| v["persistentVolumeClaim"]["claimName"] == claim)
}

/// Releases every deleted claim no pod uses any more, and empties its volume.
pub fn release(c: &Arc<Cluster>) {
    let (doomed, _) = c.store.list(CLAIMS, None, |o| {
        !o["metadata"]["deletionTimestamp"].is_null()
            && o["metadata"]["finalizers"]
                .as_array()
                .is_some_and(|f| f.iter().any(|x| x == PROTECTION))
    });
    for claim in &doomed {
        let ns = claim["metadata"]["namespace"].as_str().unwrap_or("");
        let (users, _) = c.store.list("pods", Some(ns), |p| uses(p, name(claim)));
        if !users.is_empty() {
            continue;
        }
        let released = c.store.update(CLAIMS, ns, name(claim), |o| {
            if let Some(f) = o["metadata"]["finalizers"].as_array_mut() {
                f.retain(|x| x != PROTECTION);
            }
            Ok(())
        });
        if released.is_ok() {
            crate::kubelet::remove_volume(c, ns, name(claim));
            c.reconcile.notify_one();
        }
    }
}
