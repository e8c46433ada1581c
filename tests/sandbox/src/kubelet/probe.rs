//! The readiness probe, and the pod labels Vault's Kubernetes service registration keeps.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::json;

use super::PodRun;
use super::status::{set_condition, update_pod};
use crate::cluster::Cluster;

/// What the readiness probe learned from `sys/health`.
struct Health {
    initialized: bool,
    sealed: bool,
    standby: bool,
    version: String,
}

async fn probe(c: &Cluster, run: &PodRun) -> Result<Health, String> {
    let timeout = c.cfg.probe_period.max(Duration::from_secs(1));
    let path = "sys/health?standbycode=200&sealedcode=200&uninitcode=200&perfstandbyok=true&drsecondarycode=200";
    let (_, body) = c
        .vault_call(
            run.ordinal,
            crate::vault::VaultCall::new("GET", path),
            timeout,
        )
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(Health {
        initialized: body["initialized"].as_bool().unwrap_or(false),
        sealed: body["sealed"].as_bool().unwrap_or(true),
        standby: body["standby"].as_bool().unwrap_or(false),
        version: body["version"].as_str().unwrap_or_default().to_string(),
    })
}

/// The chart's readiness probe (`vault status`: ready only when unsealed) and the pod labels
/// Vault's Kubernetes service registration maintains (vault-sealed, vault-active, …).
pub(super) async fn probe_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let mut ticker = tokio::time::interval(c.cfg.probe_period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_ready: Option<bool> = None;
    let mut last_container = String::new();
    while !run.finished.load(Ordering::SeqCst) && !c.is_shutting_down() {
        ticker.tick().await;
        if run.terminating.load(Ordering::SeqCst) {
            continue;
        }
        let Some(_proc) = run.current() else {
            last_ready = Some(false);
            continue;
        };
        let container = run
            .container_id
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let result = probe(&c, &run).await;
        let ready = matches!(&result, Ok(h) if h.initialized && !h.sealed);
        update_pod(&c, &run, |pod| {
            set_condition(pod, "ContainersReady", ready);
            set_condition(pod, "Ready", ready);
            if pod["status"]["containerStatuses"][0]["state"]["running"].is_object() {
                pod["status"]["containerStatuses"][0]["ready"] = json!(ready);
            }
            if let Ok(h) = &result {
                let labels = &mut pod["metadata"]["labels"];
                labels["vault-initialized"] = json!(h.initialized.to_string());
                labels["vault-sealed"] = json!(h.sealed.to_string());
                labels["vault-active"] =
                    json!((h.initialized && !h.sealed && !h.standby).to_string());
                labels["vault-perf-standby"] = json!("false");
                labels["vault-version"] = json!(h.version);
            }
        });
        let new_container = container != last_container;
        if !ready
            && (last_ready != Some(false) || new_container)
            && let Some(pod) = run.object(&c)
        {
            let why = match &result {
                Ok(h) if !h.initialized => "Vault is not initialized".to_string(),
                Ok(_) => "Vault is sealed".to_string(),
                Err(e) => e.clone(),
            };
            c.record(
                &pod,
                "Warning",
                "Unhealthy",
                &format!("Readiness probe failed: {why}"),
                "kubelet",
            );
        }
        last_ready = Some(ready);
        last_container = container;
    }
}
