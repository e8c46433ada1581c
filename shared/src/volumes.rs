//! The Vault pods' persistent volumes: which PVC holds the data and where it is mounted, and
//! how full it is — from the kubelet's stats summary through the node proxy API (no exec
//! needed), or from `df` run in the pod when the proxy is not allowed.

use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;
use serde_json::Value;

use crate::cluster::{self, Kube};
use crate::exec;

/// Where Vault's raft data lives in the chart (`server.dataStorage.mountPath`).
pub const DEFAULT_DATA_DIR: &str = "/vault/data";
/// Where the OpenBao chart mounts it (its `server.dataStorage.mountPath`).
pub const OPENBAO_DATA_DIR: &str = "/openbao/data";

/// A PVC mounted into the Vault container.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DataVolume {
    pub claim: String,
    /// The volume's name in the pod spec.
    pub volume: String,
    pub mount_path: String,
}

/// The pod's data volume: the PVC mounted at either chart's data path (/vault/data,
/// /openbao/data), else the one from the `data` claim template, else the first PVC mounted
/// into the Vault container. (The OpenBao chart mounts its audit volume first: "the first"
/// alone would pick the audit claim.)
pub fn data_volume(pod: &Pod) -> Option<DataVolume> {
    let spec = pod.spec.as_ref()?;
    let claims: Vec<(String, String)> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| {
            let c = v.persistent_volume_claim.as_ref()?;
            Some((v.name.clone(), c.claim_name.clone()))
        })
        .collect();
    let mounts: Vec<DataVolume> = cluster::vault_container(pod)?
        .volume_mounts
        .iter()
        .flatten()
        .filter_map(|m| {
            let (volume, claim) = claims.iter().find(|(v, _)| *v == m.name)?;
            Some(DataVolume {
                claim: claim.clone(),
                volume: volume.clone(),
                mount_path: m.mount_path.clone(),
            })
        })
        .collect();
    let at_data_dir = |m: &&DataVolume| {
        let path = m.mount_path.trim_end_matches('/');
        path == DEFAULT_DATA_DIR || path == OPENBAO_DATA_DIR
    };
    mounts
        .iter()
        .find(at_data_dir)
        .or_else(|| mounts.iter().find(|m| m.volume == "data"))
        .or(mounts.first())
        .cloned()
}

/// Where the Vault container mounts the chart's audit volume (`server.auditStorage`: the
/// `audit` claim at /vault/audit, or /openbao/audit on the OpenBao chart).
pub fn audit_volume(pod: &Pod) -> Option<String> {
    let mounts = cluster::vault_container(pod)?.volume_mounts.as_ref()?;
    mounts
        .iter()
        .find(|m| m.name == "audit")
        .or_else(|| {
            mounts
                .iter()
                .find(|m| m.mount_path.trim_end_matches('/').ends_with("/audit"))
        })
        .map(|m| m.mount_path.clone())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UsageSource {
    /// The kubelet's stats summary, through the node proxy API.
    KubeletStats,
    /// `df` run in the pod.
    Df,
}

#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    pub capacity_bytes: u64,
    pub used_bytes: u64,
    pub source: UsageSource,
}

impl Usage {
    pub fn percent(&self) -> f64 {
        if self.capacity_bytes == 0 {
            return 0.0;
        }
        self.used_bytes as f64 * 100.0 / self.capacity_bytes as f64
    }
}

/// `GET /api/v1/nodes/{node}/proxy/stats/summary`.
pub async fn stats_summary(kube: &Kube, node: &str) -> Result<Value> {
    let req = http::Request::get(format!("/api/v1/nodes/{node}/proxy/stats/summary"))
        .body(Vec::new())
        .context("build the stats summary request")?;
    let text = kube
        .call(
            &format!("read the kubelet stats summary of node {node} (nodes/proxy)"),
            kube.client.request_text(req),
        )
        .await?;
    serde_json::from_str(&text)
        .with_context(|| format!("the stats summary of node {node} is not JSON"))
}

/// The usage of `claim` as mounted in `pod`, from a stats summary.
pub fn usage_in_summary(summary: &Value, pod: &str, namespace: &str, claim: &str) -> Option<Usage> {
    summary["pods"].as_array()?.iter().find_map(|p| {
        let r = &p["podRef"];
        if r["name"] != pod || r["namespace"] != namespace {
            return None;
        }
        p["volume"].as_array()?.iter().find_map(|v| {
            (v["pvcRef"]["name"] == claim).then_some(())?;
            Some(Usage {
                capacity_bytes: v["capacityBytes"].as_u64()?,
                used_bytes: v["usedBytes"].as_u64()?,
                source: UsageSource::KubeletStats,
            })
        })
    })
}

/// Parses `df -P -k PATH`: (capacity, used) in bytes of the filesystem holding PATH.
pub fn parse_df(out: &str) -> Option<(u64, u64)> {
    let line = out.lines().skip(1).find(|l| !l.trim().is_empty())?;
    let cols: Vec<&str> = line.split_whitespace().collect();
    // A long device name may wrap onto its own line in non-POSIX output; -P prevents that,
    // but take the numbers from the end to be safe.
    if cols.len() < 5 {
        return None;
    }
    let n = cols.len();
    let total: u64 = cols[n - 5].parse().ok()?;
    let used: u64 = cols[n - 4].parse().ok()?;
    Some((total * 1024, used * 1024))
}

/// The usage of `path` in `pod`, from `df` run in the pod.
pub async fn df(kube: &Kube, pod: &str, path: &str) -> Result<Usage> {
    let out = exec::run(
        kube,
        pod,
        None,
        &["df", "-P", "-k", path],
        Duration::from_secs(20),
    )
    .await?;
    if !out.success {
        return Err(anyhow!(
            "df {path} in pod {pod} failed: {}",
            out.stderr
                .trim()
                .lines()
                .next()
                .or(out.message.as_deref())
                .unwrap_or("no message")
        ));
    }
    let (capacity_bytes, used_bytes) = parse_df(&out.stdout)
        .ok_or_else(|| anyhow!("df {path} in pod {pod}: unexpected output"))?;
    Ok(Usage {
        capacity_bytes,
        used_bytes,
        source: UsageSource::Df,
    })
}

/// Usage of each pod's data volume: the stats summary of each pod's node (fetched once per
/// node), falling back to `df` in the pod. The error says why neither worked.
pub async fn data_usage(kube: &Kube, pods: &[Pod]) -> Vec<(Option<DataVolume>, Result<Usage>)> {
    let mut nodes: Vec<String> = pods
        .iter()
        .filter_map(|p| cluster::node_name(p).map(str::to_string))
        .collect();
    nodes.sort();
    nodes.dedup();
    let summaries: Vec<(String, Result<Value>)> = futures::future::join_all(
        nodes
            .iter()
            .map(|n| async move { (n.clone(), stats_summary(kube, n).await) }),
    )
    .await;
    futures::future::join_all(pods.iter().map(|p| usage_of(kube, p, &summaries))).await
}

async fn usage_of(
    kube: &Kube,
    pod: &Pod,
    summaries: &[(String, Result<Value>)],
) -> (Option<DataVolume>, Result<Usage>) {
    let name = cluster::name(pod);
    let Some(vol) = data_volume(pod) else {
        return (
            None,
            Err(anyhow!("pod {name} mounts no PersistentVolumeClaim")),
        );
    };
    let node = cluster::node_name(pod).map(str::to_string);
    let from_stats = match summaries.iter().find(|(n, _)| Some(n) == node.as_ref()) {
        Some((_, Ok(s))) => usage_in_summary(s, name, &kube.namespace, &vol.claim)
            .ok_or_else(|| anyhow!("the stats summary has no entry for {}", vol.claim)),
        Some((_, Err(e))) => Err(anyhow!("{e:#}")),
        None => Err(anyhow!("pod {name} is not scheduled on a node")),
    };
    let usage = match from_stats {
        Ok(u) => Ok(u),
        Err(stats_err) => df(kube, name, &vol.mount_path)
            .await
            .map_err(|df_err| anyhow!("{stats_err}; and the fallback failed: {df_err:#}")),
    };
    (Some(vol), usage)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn df_output() {
        let out = "Filesystem     1024-blocks     Used Available Capacity Mounted on\n/dev/sdb          10255636   512000   9727252       6% /vault/data\n";
        assert_eq!(parse_df(out), Some((10255636 * 1024, 512000 * 1024)));
        assert_eq!(parse_df("garbage"), None);
    }

    fn pod_with(mounts: Value, volumes: Value) -> Pod {
        serde_json::from_value(json!({
            "metadata": {"name": "openbao-0"},
            "spec": {"containers": [{"name": "openbao", "volumeMounts": mounts}], "volumes": volumes},
        }))
        .unwrap()
    }

    #[test]
    fn data_volume_on_either_chart_not_the_audit_claim() {
        // The OpenBao chart mounts its audit volume first.
        let volumes = json!([
            {"name": "audit", "persistentVolumeClaim": {"claimName": "audit-openbao-0"}},
            {"name": "data", "persistentVolumeClaim": {"claimName": "data-openbao-0"}},
        ]);
        let pod = pod_with(
            json!([{"name": "audit", "mountPath": "/openbao/audit"}, {"name": "data", "mountPath": "/openbao/data"}]),
            volumes.clone(),
        );
        let v = data_volume(&pod).unwrap();
        assert_eq!(
            (v.claim.as_str(), v.mount_path.as_str()),
            ("data-openbao-0", "/openbao/data")
        );
        // Elsewhere: the `data` claim template's volume.
        let pod = pod_with(
            json!([{"name": "audit", "mountPath": "/srv/audit"}, {"name": "data", "mountPath": "/srv/raft"}]),
            volumes,
        );
        assert_eq!(data_volume(&pod).unwrap().claim, "data-openbao-0");
    }

    #[test]
    fn audit_volume_on_either_chart_or_none() {
        let volumes =
            json!([{"name": "audit", "persistentVolumeClaim": {"claimName": "audit-openbao-0"}}]);
        let pod = pod_with(
            json!([{"name": "audit", "mountPath": "/openbao/audit"}, {"name": "data", "mountPath": "/openbao/data"}]),
            volumes.clone(),
        );
        assert_eq!(audit_volume(&pod).as_deref(), Some("/openbao/audit"));
        let pod = pod_with(
            json!([{"name": "logs", "mountPath": "/vault/audit/"}]),
            volumes.clone(),
        );
        assert_eq!(audit_volume(&pod).as_deref(), Some("/vault/audit/"));
        let pod = pod_with(
            json!([{"name": "data", "mountPath": "/vault/data"}]),
            volumes,
        );
        assert_eq!(audit_volume(&pod), None);
    }

    #[test]
    fn usage_from_the_summary() {
        let s = json!({"pods": [{
            "podRef": {"name": "vault-0", "namespace": "vault"},
            "volume": [{"name": "data", "capacityBytes": 1000, "usedBytes": 250, "pvcRef": {"name": "data-vault-0"}}]
        }]});
        let u = usage_in_summary(&s, "vault-0", "vault", "data-vault-0").unwrap();
        assert_eq!((u.capacity_bytes, u.used_bytes), (1000, 250));
        assert_eq!(u.percent(), 25.0);
        assert!(usage_in_summary(&s, "vault-1", "vault", "data-vault-1").is_none());
    }
}
