//! A pod's memory as Kubernetes sees it: the working set from the metrics API
//! (`metrics.k8s.io`, what `kubectl top` reads, served only where metrics-server runs), the
//! container's memory request and limit.

use std::collections::BTreeMap;

use anyhow::Result;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde_json::Value;

use crate::cluster::{self, Kube};

/// A Kubernetes quantity in bytes (`512Mi`, `4Gi`, `1G`, `1500000`, `1.5Gi`).
pub fn parse_quantity(s: &str) -> Option<u64> {
    let s = s.trim();
    let split = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult: f64 = match unit {
        "" => 1.0,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "m" => 1e-3,
        _ => return None,
    };
    Some((n * mult).round() as u64)
}

/// The memory (request, limit) of the pod's Vault container, in bytes.
pub fn memory_resources(pod: &Pod) -> (Option<u64>, Option<u64>) {
    let resources = cluster::vault_container(pod).and_then(|c| c.resources.as_ref());
    let memory = |m: Option<&BTreeMap<String, Quantity>>| {
        m.and_then(|m| m.get("memory"))
            .and_then(|q| parse_quantity(&q.0))
    };
    (
        memory(resources.and_then(|r| r.requests.as_ref())),
        memory(resources.and_then(|r| r.limits.as_ref())),
    )
}

/// The pod's memory working set in bytes (summed over its containers), or None when the
/// cluster does not serve the metrics API.
pub async fn working_set(kube: &Kube, pod: &Pod) -> Result<Option<u64>> {
    let name = cluster::name(pod);
    let url = format!(
        "/apis/metrics.k8s.io/v1beta1/namespaces/{}/pods/{name}",
        kube.namespace
    );
    let req = http::Request::get(url).body(Vec::new())?;
    let answer = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        kube.client.request::<Value>(req),
    )
    .await
    .map_err(|_| anyhow::anyhow!("read the metrics of pod {name}: no answer within 10s"))?;
    let v = match answer {
        Ok(v) => v,
        // No metrics-server: the group is not served (404), or its APIService has no backend (503).
        Err(kube::Error::Api(s)) if s.code == 404 || s.code == 503 => return Ok(None),
        Err(e) => anyhow::bail!("read the metrics of pod {name}: {e}"),
    };
    Ok(Some(
        v["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["usage"]["memory"].as_str().and_then(parse_quantity))
            .sum(),
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_quantity;

    #[test]
    fn quantities_in_bytes() {
        assert_eq!(parse_quantity("512Mi"), Some(512 * 1024 * 1024));
        assert_eq!(parse_quantity("1G"), Some(1_000_000_000));
        assert_eq!(parse_quantity("1.5Gi"), Some(1_610_612_736));
        assert_eq!(parse_quantity("2048"), Some(2048));
        assert_eq!(parse_quantity("12Xi"), None);
    }
}
