//! An impostor pod for tests of who gets keys: a pod with the Vault pods' labels and spec but
//! no StatefulSet owner, running a real OpenBao server. Its volume is a copy of a real pod's,
//! so it is initialised with the cluster's keys and comes up sealed: a share sent to it would
//! unseal it, which a test can see.

use std::sync::Arc;

use anyhow::{Context, Result, anyhow};
use serde_json::Value;

use crate::api::{registry, resources};
use crate::cluster::Cluster;
use crate::kubelet;

/// The ordinal whose address the impostor takes: the last the pods' certificate carries, far
/// above any StatefulSet the tests scale to.
const IMPOSTOR_ORDINAL: u32 = 31;

/// Creates pod `name` like `model` (a Vault pod) without its owner, copies `model`'s data
/// volume (its server paused meanwhile, so the copy is whole) and starts its server.
pub async fn start(c: &Arc<Cluster>, name: &str, model: &str) -> Result<()> {
    let ns = c.ns().to_string();
    let mut pod: Value = c
        .store
        .get("pods", &ns, model)
        .ok_or_else(|| anyhow!("pod {model} not found"))?;
    let meta = &mut pod["metadata"];
    let labels = meta["labels"].clone();
    *meta = serde_json::json!({ "name": name, "namespace": ns, "labels": labels });
    if let Some(o) = pod.as_object_mut() {
        o.remove("status");
    }
    pod["spec"]["hostname"] = Value::String(name.to_string());
    // Its own claims (copies made below), not the model's: the kubelet mounts what the spec
    // names.
    for v in pod["spec"]["volumes"].as_array_mut().into_iter().flatten() {
        if let Some(claim) = v["persistentVolumeClaim"]["claimName"].as_str()
            && let Some(template) = claim.strip_suffix(&format!("-{model}"))
        {
            v["persistentVolumeClaim"]["claimName"] = Value::String(format!("{template}-{name}"));
        }
    }
    let res = resources::by_plural("pods").ok_or_else(|| anyhow!("pods are served"))?;
    let created =
        registry::create(c, res, &ns, pod, false).map_err(|e| anyhow!("create pod {name}: {e}"))?;

    kubelet::signal_container(c, model, libc::SIGSTOP).map_err(|e| anyhow!(e))?;
    let copied = kubelet::copy_data_volume(c, model, &format!("data-{name}")).await;
    kubelet::signal_container(c, model, libc::SIGCONT).map_err(|e| anyhow!(e))?;
    copied
        .map_err(|e| anyhow!(e))
        .with_context(|| format!("copy the data volume of {model} to {name}"))?;
    kubelet::start_pod(c, &created, IMPOSTOR_ORDINAL);
    Ok(())
}
