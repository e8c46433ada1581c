//! The readiness probe, and the pod labels Vault's Kubernetes service registration keeps.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

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

async fn probe(c: &Cluster, run: &PodRun, timeout: Duration) -> Result<Health, String> {
    let path = "sys/health?standbycode=200&sealedcode=200&uninitcode=200&perfstandbyok=true&drsecondarycode=200";
    let (_, body) = c
        .vault
        .call_as(
            (run.ip, 8200).into(),
            &c.cfg.pod_dns_name(run.ordinal),
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

/// The container's readinessProbe timings, with the API's defaults for what it leaves out.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ProbeSpec {
    initial_delay: Duration,
    period: Duration,
    timeout: Duration,
    success_threshold: u32,
    failure_threshold: u32,
}

impl ProbeSpec {
    fn of(pod: &Value) -> ProbeSpec {
        let p = &pod["spec"]["containers"][0]["readinessProbe"];
        let secs = |k: &str, default: u64| Duration::from_secs(p[k].as_u64().unwrap_or(default));
        let count = |k: &str, default: u64| p[k].as_u64().unwrap_or(default).max(1) as u32;
        ProbeSpec {
            initial_delay: secs("initialDelaySeconds", 0),
            period: secs("periodSeconds", 10).max(Duration::from_secs(1)),
            timeout: secs("timeoutSeconds", 1).max(Duration::from_secs(1)),
            success_threshold: count("successThreshold", 1),
            failure_threshold: count("failureThreshold", 3),
        }
    }
}

/// Readiness as the kubelet keeps it for one container: not ready until `successThreshold`
/// probes in a row pass (none before `initialDelaySeconds`), ready until `failureThreshold`
/// in a row fail.
#[derive(Debug, Default)]
struct Readiness {
    ready: bool,
    passed: u32,
    failed: u32,
}

impl Readiness {
    fn observe(&mut self, ok: bool, spec: &ProbeSpec) -> bool {
        if ok {
            self.passed += 1;
            self.failed = 0;
            if self.passed >= spec.success_threshold {
                self.ready = true;
            }
        } else {
            self.failed += 1;
            self.passed = 0;
            if self.failed >= spec.failure_threshold {
                self.ready = false;
            }
        }
        self.ready
    }
}

/// The pod's readiness probe (the chart's `vault status`: ready only when unsealed), run on the
/// period and thresholds of the pod spec, and the pod labels Vault's Kubernetes service
/// registration maintains (vault-sealed, vault-active, …), which follow Vault at once: both read
/// `sys/health`, the labels on every tick of the sandbox's own `probe_period`.
pub(super) async fn probe_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let mut ticker = tokio::time::interval(c.cfg.probe_period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut readiness = Readiness::default();
    let mut last_ready: Option<bool> = None;
    let mut last_container = String::new();
    let mut started = Instant::now();
    let mut next_probe = Instant::now();
    while !run.finished.load(Ordering::SeqCst) && !c.is_shutting_down() {
        ticker.tick().await;
        if run.terminating.load(Ordering::SeqCst) {
            continue;
        }
        let Some(_proc) = run.current() else {
            readiness = Readiness::default();
            last_ready = Some(false);
            continue;
        };
        let container = run
            .container_id
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let new_container = container != last_container;
        if new_container {
            // A new container starts not ready, whatever the last one was.
            readiness = Readiness::default();
            started = Instant::now();
            next_probe = started;
        }
        let spec = run
            .object(&c)
            .map(|pod| ProbeSpec::of(&pod))
            .unwrap_or_else(|| ProbeSpec::of(&Value::Null));
        let result = probe(&c, &run, spec.timeout).await;
        let now = Instant::now();
        let probed = now >= next_probe && now >= started + spec.initial_delay;
        if probed {
            readiness.observe(
                matches!(&result, Ok(h) if h.initialized && !h.sealed),
                &spec,
            );
            next_probe = now + spec.period;
        }
        let ready = readiness.ready;
        update_pod(&c, &run, |pod| {
            set_condition(pod, "ContainersReady", ready);
            set_condition(pod, "Ready", ready);
            if pod["status"]["containerStatuses"][0]["state"]["running"].is_object() {
                pod["status"]["containerStatuses"][0]["ready"] = json!(ready);
            }
            if let Ok(h) = &result {
                let v = c.variant();
                let labels = &mut pod["metadata"]["labels"];
                labels[v.registration_label("initialized")] = json!(h.initialized.to_string());
                labels[v.registration_label("sealed")] = json!(h.sealed.to_string());
                labels[v.registration_label("active")] =
                    json!((h.initialized && !h.sealed && !h.standby).to_string());
                labels[v.registration_label("perf-standby")] = json!("false");
                labels[v.registration_label("version")] = json!(h.version);
            }
        });
        let failed_probe = probed && !matches!(&result, Ok(h) if h.initialized && !h.sealed);
        if failed_probe
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
        if probed {
            last_ready = Some(ready);
        }
        last_container = container;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn readiness_follows_the_thresholds() {
        let spec = ProbeSpec::of(&json!({"spec": {"containers": [{"readinessProbe": {
            "periodSeconds": 5, "failureThreshold": 2, "successThreshold": 2,
            "initialDelaySeconds": 5, "timeoutSeconds": 3}}]}}));
        assert_eq!(spec.period, Duration::from_secs(5));
        assert_eq!(spec.initial_delay, Duration::from_secs(5));
        let mut r = Readiness::default();
        assert!(!r.observe(true, &spec), "one success of two");
        assert!(r.observe(true, &spec), "two successes");
        assert!(r.observe(false, &spec), "one failure of two keeps it ready");
        assert!(r.observe(true, &spec), "a success resets the failures");
        assert!(r.observe(false, &spec));
        assert!(!r.observe(false, &spec), "two failures in a row");
        assert!(!r.observe(true, &spec), "needs two successes again");
    }

    #[test]
    fn an_empty_probe_takes_the_api_defaults() {
        let spec = ProbeSpec::of(&json!({"spec": {"containers": [{"readinessProbe": {}}]}}));
        assert_eq!(spec.period, Duration::from_secs(10));
        assert_eq!(spec.timeout, Duration::from_secs(1));
        assert_eq!((spec.success_threshold, spec.failure_threshold), (1, 3));
    }
}
