//! Growing a claim as a real cluster does. The PersistentVolumeClaimResize admission plugin
//! lets a claim's request grow only when its StorageClass has `allowVolumeExpansion`; the
//! external resizer then grows the volume (the image file) and leaves the claim
//! `FileSystemResizePending`; the kubelet grows the mounted filesystem online (`resize2fs`)
//! and the claim's `status.capacity` becomes the new size, the condition gone. With no pod
//! using the claim, it stays pending until one mounts it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::api::control::parse_quantity;
use crate::cluster::Cluster;
use crate::status::ApiError;
use crate::{kubelet, time};

const CLAIMS: &str = "persistentvolumeclaims";
pub const FS_RESIZE_PENDING: &str = "FileSystemResizePending";

fn bytes(q: &Value) -> Option<u64> {
    q.as_str().and_then(parse_quantity)
}

fn request(pvc: &Value) -> &Value {
    &pvc["spec"]["resources"]["requests"]["storage"]
}

/// The StorageClasses that allow expansion, read before an update takes the store's lock.
pub fn expandable_classes(c: &Cluster) -> Vec<String> {
    let (classes, _) = c.store.list("storageclasses", None, |sc| {
        sc["allowVolumeExpansion"] == true
    });
    classes.iter().map(|sc| name(sc).to_string()).collect()
}

/// The admission check of an update of claim `new` (was `old`): a larger request needs a
/// StorageClass that allows expansion (one of `expandable`).
pub fn admit(expandable: &[String], old: &Value, new: &Value) -> Result<(), ApiError> {
    let grows = matches!((bytes(request(new)), bytes(request(old))), (Some(n), Some(o)) if n > o);
    let class = new["spec"]["storageClassName"].as_str().unwrap_or("");
    if !grows || expandable.iter().any(|c| c == class) {
        return Ok(());
    }
    Err(ApiError::forbidden(
        CLAIMS,
        "",
        new["metadata"]["name"].as_str().unwrap_or(""),
        "only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize",
    ))
}

/// Runs the resizer and the kubelet's part until the sandbox shuts down.
pub async fn run(c: Arc<Cluster>) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        resize(&c).await;
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            _ = &mut shutdown => return,
        }
    }
}

fn name(o: &Value) -> &str {
    o["metadata"]["name"].as_str().unwrap_or("")
}

async fn resize(c: &Arc<Cluster>) {
    let (claims, _) = c.store.list(CLAIMS, None, |o| {
        o["metadata"]["deletionTimestamp"].is_null()
            && matches!((bytes(request(o)), bytes(&o["status"]["capacity"]["storage"])),
                        (Some(want), Some(have)) if want > have)
    });
    for claim in &claims {
        let ns = claim["metadata"]["namespace"].as_str().unwrap_or("");
        let want = request(claim).clone();
        if claim["status"]["allocatedResources"]["storage"] != want {
            expand_volume(c, ns, claim, &want);
            continue;
        }
        if !kubelet::can_resize_online() {
            // Offline expansion: the kubelet grows the filesystem when a pod next mounts it.
            continue;
        }
        let (users, _) = c.store.list("pods", Some(ns), |p| {
            crate::pvc_protection::uses(p, name(claim))
        });
        for pod in &users {
            let pod_name = name(pod);
            if kubelet::volume_view(c, ns, pod_name, name(claim)).is_none() {
                continue;
            }
            match kubelet::expand_mounted_volume(c, ns, pod_name, name(claim)).await {
                Ok(()) => filesystem_grown(c, claim, Some(pod)),
                Err(e) => c.record(
                    pod,
                    "Warning",
                    "VolumeResizeFailed",
                    &format!("MountVolume.NodeExpandVolume failed: {e}"),
                    "kubelet",
                ),
            }
            break;
        }
    }
}

/// Whether claim `pvc` waits for its filesystem to grow.
pub fn fs_resize_pending(pvc: &Value) -> bool {
    pvc["status"]["conditions"]
        .as_array()
        .is_some_and(|cs| cs.iter().any(|c| c["type"] == FS_RESIZE_PENDING))
}

/// The kubelet's part done (by pod `pod`): the claim reports the new capacity, no condition.
pub fn filesystem_grown(c: &Cluster, claim: &Value, pod: Option<&Value>) {
    let ns = claim["metadata"]["namespace"].as_str().unwrap_or("");
    let want = request(claim).clone();
    let _ = c.store.update(CLAIMS, ns, name(claim), |o| {
        o["status"]["capacity"] = json!({"storage": want});
        if let Some(s) = o["status"].as_object_mut() {
            s.remove("conditions");
            s.remove("allocatedResourceStatuses");
        }
        Ok(())
    });
    if let Some(pod) = pod {
        c.record(
            pod,
            "Normal",
            "FileSystemResizeSuccessful",
            &format!(
                "MountVolume.NodeExpandVolume succeeded for volume \"{}\" {}",
                claim["spec"]["volumeName"].as_str().unwrap_or(""),
                name(pod)
            ),
            "kubelet",
        );
    }
}

/// The external resizer's part: the volume grows, the claim waits for the filesystem.
fn expand_volume(c: &Cluster, ns: &str, claim: &Value, want: &Value) {
    let volume = claim["spec"]["volumeName"].as_str().unwrap_or("");
    let Some(size) = bytes(want) else { return };
    let grown = match kubelet::grow_volume(c, ns, name(claim), size) {
        Ok(grown) => grown,
        Err(e) => {
            c.record(
                claim,
                "Warning",
                "VolumeResizeFailed",
                &e,
                "external-resizer",
            );
            return;
        }
    };
    c.record(
        claim,
        "Normal",
        "Resizing",
        &format!("External resizer is resizing volume {volume}"),
        "external-resizer",
    );
    let updated = c.store.update(CLAIMS, ns, name(claim), |o| {
        o["status"]["allocatedResources"] = json!({"storage": want});
        if grown {
            o["status"]["allocatedResourceStatuses"] = json!({"storage": "NodeResizePending"});
            o["status"]["conditions"] = json!([{
                "type": FS_RESIZE_PENDING, "status": "True",
                "lastProbeTime": null, "lastTransitionTime": time::now(),
                "message": "Waiting for user to (re-)start a pod to finish file system resize of volume on node.",
            }]);
        } else {
            // No filesystem yet: the first mount makes it at the new size.
            o["status"]["capacity"] = json!({"storage": want});
        }
        Ok(())
    });
    if updated.is_ok() {
        c.record(
            claim,
            "Normal",
            "VolumeResizeSuccessful",
            "resize volume succeeded",
            "external-resizer",
        );
    }
}
