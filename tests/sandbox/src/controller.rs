//! The StatefulSet controller: one pod per ordinal with its PVC, recreated when deleted,
//! rolled one at a time (highest ordinal first, waiting for Ready) when the template changes,
//! and the StatefulSet's status kept current — for every StatefulSet, in any namespace, whose
//! pods run the Vault (or OpenBao) server image: the sandbox's own, and copies of it.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use crate::cluster::Cluster;
use crate::kubelet;
use crate::objects::{self, PodIdentity};

pub async fn run(c: Arc<Cluster>) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        reconcile(&c);
        tokio::select! {
            _ = c.reconcile.notified() => {}
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
            _ = &mut shutdown => return,
        }
    }
}

fn ordinal_of(pod: &Value, sts: &str) -> Option<u32> {
    pod["metadata"]["name"]
        .as_str()?
        .strip_prefix(&format!("{sts}-"))?
        .parse()
        .ok()
}

/// Whether a StatefulSet's pods run a Vault server: its first container's image names Vault
/// or OpenBao.
pub fn runs_vault(sts: &Value) -> bool {
    sts["spec"]["template"]["spec"]["containers"][0]["image"]
        .as_str()
        .is_some_and(|i| i.contains("openbao") || i.contains("vault"))
}

fn is_ready(pod: &Value) -> bool {
    pod["status"]["conditions"].as_array().is_some_and(|cs| {
        cs.iter()
            .any(|c| c["type"] == "Ready" && c["status"] == "True")
    })
}

fn terminating(pod: &Value) -> bool {
    !pod["metadata"]["deletionTimestamp"].is_null()
}

pub fn reconcile(c: &Arc<Cluster>) {
    let (all, _) = c.store.list("statefulsets", None, runs_vault);
    for sts in &all {
        reconcile_one(c, sts);
    }
}

fn reconcile_one(c: &Arc<Cluster>, sts: &Value) {
    let ns = sts["metadata"]["namespace"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let sts_name = sts["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let own = ns == c.ns() && sts_name == c.variant().statefulset();
    let ordinal_of = |p: &Value| ordinal_of(p, &sts_name);
    let sts = sts.clone();
    // A StatefulSet being deleted creates no pods (the garbage collector is removing them).
    if !sts["metadata"]["deletionTimestamp"].is_null() {
        return;
    }
    let replicas = sts["spec"]["replicas"].as_u64().unwrap_or(1) as u32;
    let template = sts["spec"]["template"].clone();
    let update_revision = objects::revision_of(&sts_name, &template);
    let subdomain = sts["spec"]["serviceName"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let sts_uid = sts["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let (pods, _) = c.store.list("pods", Some(&ns), |p| ordinal_of(p).is_some());

    // Missing ordinals get a new pod (and a PVC from the claim template the first time).
    for ordinal in 0..replicas {
        let name = format!("{sts_name}-{ordinal}");
        let exists = pods.iter().any(|p| p["metadata"]["name"] == name);
        if exists || c.kubelet.get(&kubelet::run_key(c, &ns, &name)).is_some() {
            continue;
        }
        // The sandbox's own pods have the address of their ordinal; others take a free one.
        let slot = if own {
            Some(ordinal)
        } else {
            c.kubelet.free_slot()
        };
        let Some(slot) = slot else {
            continue;
        };
        let templates = objects::claim_templates(&sts);
        let claims: Vec<String> = templates.iter().map(|t| format!("{t}-{name}")).collect();
        // As the StatefulSet controller does: no pod on a claim being deleted; the pod is
        // made once the claim is gone, with a new one.
        if claims.iter().any(|claim| {
            c.store
                .get("persistentvolumeclaims", &ns, claim)
                .is_some_and(|pvc| !pvc["metadata"]["deletionTimestamp"].is_null())
        }) {
            continue;
        }
        for (template, claim) in templates.iter().zip(&claims) {
            if c.store.get("persistentvolumeclaims", &ns, claim).is_some() {
                continue;
            }
            let storage = objects::template_storage(&sts, template);
            let pvc = objects::pvc(
                &sts["spec"]["selector"]["matchLabels"],
                &ns,
                claim,
                ordinal,
                &storage,
            );
            if c.store.create("persistentvolumeclaims", &ns, pvc).is_ok() {
                c.record(
                    &sts,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("create Claim {claim} Pod {name} in StatefulSet {sts_name} success"),
                    "statefulset-controller",
                );
            }
        }
        // A new pod gets a new IP from the pool, as from a real cluster's IPAM.
        let Some(ip) = c.ip_pool.lock().ok().and_then(|mut p| p.allocate()) else {
            c.record(
                &sts,
                "Warning",
                "FailedCreate",
                &format!("create Pod {name} in StatefulSet {sts_name} failed: no free pod IP"),
                "statefulset-controller",
            );
            continue;
        };
        let id = PodIdentity {
            namespace: &ns,
            statefulset: &sts_name,
            ordinal,
            ip,
            host_ip: c.cfg.node_ip(),
            sts_uid: &sts_uid,
            revision: &update_revision,
            subdomain: &subdomain,
        };
        match c
            .store
            .create("pods", &ns, objects::pod(&id, &template, &templates))
        {
            Ok(pod) => {
                c.record(
                    &sts,
                    "Normal",
                    "SuccessfulCreate",
                    &format!("create Pod {name} in StatefulSet {sts_name} successful"),
                    "statefulset-controller",
                );
                c.record(
                    &pod,
                    "Normal",
                    "Scheduled",
                    &format!(
                        "Successfully assigned {ns}/{name} to {}",
                        objects::NODE_NAME
                    ),
                    "default-scheduler",
                );
                kubelet::start_pod(c, &pod, slot);
            }
            Err(e) => {
                if let Ok(mut pool) = c.ip_pool.lock() {
                    pool.release(ip);
                }
                c.record(
                    &sts,
                    "Warning",
                    "FailedCreate",
                    &format!("create Pod {name} in StatefulSet {sts_name} failed error: {e}"),
                    "statefulset-controller",
                );
            }
        }
    }

    let (pods, _) = c.store.list("pods", Some(&ns), |p| ordinal_of(p).is_some());
    let grace = Duration::from_secs(
        template["spec"]["terminationGracePeriodSeconds"]
            .as_u64()
            .unwrap_or(30),
    );
    // Scale down: highest ordinal first.
    let mut extra: Vec<&Value> = pods
        .iter()
        .filter(|p| ordinal_of(p).is_some_and(|o| o >= replicas) && !terminating(p))
        .collect();
    extra.sort_by_key(|p| std::cmp::Reverse(ordinal_of(p)));
    if let Some(pod) = extra.first() {
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        mark_deleting_in(c, &ns, &name, grace);
        c.record(
            &sts,
            "Normal",
            "SuccessfulDelete",
            &format!("delete Pod {name} in StatefulSet {sts_name} successful"),
            "statefulset-controller",
        );
    }

    // Rolling update: once every pod is Ready, replace the highest outdated one.
    let revision = |p: &Value| {
        p["metadata"]["labels"]["controller-revision-hash"]
            .as_str()
            .map(str::to_string)
    };
    let current: Vec<&Value> = pods
        .iter()
        .filter(|p| ordinal_of(p).is_some_and(|o| o < replicas))
        .collect();
    let all_settled = current.len() == replicas as usize
        && current.iter().all(|p| is_ready(p) && !terminating(p));
    let partition = sts["spec"]["updateStrategy"]["rollingUpdate"]["partition"]
        .as_u64()
        .unwrap_or(0) as u32;
    if all_settled && sts["spec"]["updateStrategy"]["type"] != "OnDelete" {
        let mut outdated: Vec<&&Value> = current
            .iter()
            .filter(|p| {
                revision(p).as_deref() != Some(update_revision.as_str())
                    && ordinal_of(p).is_some_and(|o| o >= partition)
            })
            .collect();
        outdated.sort_by_key(|p| std::cmp::Reverse(ordinal_of(p)));
        if let Some(pod) = outdated.first() {
            let name = pod["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            mark_deleting_in(c, &ns, &name, grace);
        }
    }

    // Status.
    let ready = current.iter().filter(|p| is_ready(p)).count();
    let updated = current
        .iter()
        .filter(|p| revision(p).as_deref() == Some(update_revision.as_str()))
        .count();
    let generation = sts["metadata"]["generation"].as_i64().unwrap_or(1);
    let current_revision = if updated == current.len() && current.len() == replicas as usize {
        update_revision.clone()
    } else {
        sts["status"]["currentRevision"]
            .as_str()
            .map(str::to_string)
            .unwrap_or_else(|| update_revision.clone())
    };
    let current_replicas = current
        .iter()
        .filter(|p| revision(p).as_deref() == Some(current_revision.as_str()))
        .count();
    let _ = c.store.update("statefulsets", &ns, &sts_name, |s| {
        s["status"] = json!({
            "replicas": pods.len(),
            "readyReplicas": ready,
            "availableReplicas": ready,
            "currentReplicas": current_replicas,
            "updatedReplicas": updated,
            "currentRevision": current_revision,
            "updateRevision": update_revision,
            "observedGeneration": generation,
            "collisionCount": 0,
        });
        Ok(())
    });
}

/// Marks a pod for deletion (deletionTimestamp) and asks the kubelet to stop it.
pub fn mark_deleting(c: &Arc<Cluster>, name: &str, grace: Duration) {
    mark_deleting_in(c, c.ns(), name, grace)
}

/// [`mark_deleting`] for pod `name` of namespace `ns`.
pub fn mark_deleting_in(c: &Arc<Cluster>, ns: &str, name: &str, grace: Duration) {
    let _ = c.store.update("pods", ns, name, |p| {
        if p["metadata"]["deletionTimestamp"].is_null() {
            p["metadata"]["deletionTimestamp"] = json!(crate::time::now());
            p["metadata"]["deletionGracePeriodSeconds"] = json!(grace.as_secs());
        }
        Ok(())
    });
    kubelet::terminate_in(c, ns, name, grace);
}
