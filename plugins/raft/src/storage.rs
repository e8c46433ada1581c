//! `storage`: the runbook's "Check Disk Space" (`kubectl describe pvc`, `exec … df -h`) and
//! "vault_raft_storage_error_count increasing", per pod: the data PVC's capacity, bytes used
//! and percent from the kubelet's stats summary (node proxy; `df` through exec when that is
//! not allowed), and the raft storage error counters of each pod's metrics.

use anyhow::Result;
use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;
use vault_shared::output::{self, Format, Styled, Tone};
use vault_shared::volumes::{self, UsageSource};
use vault_shared::{Exit, fanout};

use crate::{Cli, StorageArgs};
use vault_shared::session::Session;

#[derive(Debug, Serialize)]
pub struct Row {
    pub pod: String,
    pub pvc: Option<String>,
    pub mount_path: Option<String>,
    pub capacity_bytes: Option<u64>,
    pub used_bytes: Option<u64>,
    pub percent: Option<f64>,
    pub source: Option<UsageSource>,
    /// Raft storage error counters in the latest metrics interval (null without a token or
    /// when the pod is sealed).
    pub raft_errors: Option<f64>,
    pub raft_error_counters: Vec<String>,
    pub over_threshold: bool,
    pub error: Option<String>,
}

#[derive(Serialize)]
struct Report {
    namespace: String,
    threshold_percent: f64,
    pods: Vec<Row>,
    exit_code: u8,
}

/// A raft storage counter from sys/metrics.
#[derive(Debug, Clone, Serialize)]
pub struct RaftCounter {
    pub name: String,
    pub count: f64,
}

/// Counters and samples of the latest metrics interval whose name says they count raft or
/// raft-storage errors or failures (Vault and OpenBao name them differently across versions).
pub fn raft_errors(metrics: &Value) -> Vec<RaftCounter> {
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    for (section, field) in [("Counters", "Sum"), ("Samples", "Count")] {
        for m in metrics[section].as_array().into_iter().flatten() {
            let name = m["Name"].as_str().unwrap_or_default();
            let lower = name.to_lowercase();
            let raft = lower.contains("raft");
            let error = lower.contains("error") || lower.contains("fail");
            // failure_tolerance is a gauge, but guard against it anyway.
            if raft && error && !lower.contains("failure_tolerance") {
                *out.entry(name.to_string()).or_default() += m[field].as_f64().unwrap_or(0.0);
            }
        }
    }
    out.into_iter()
        .map(|(name, count)| RaftCounter { name, count })
        .collect()
}

/// 10737418240 → `10.0Gi`.
pub fn human(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["B", "Ki", "Mi", "Gi", "Ti", "Pi"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit < UNITS.len() - 1 {
        v /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes}B")
    } else {
        format!("{v:.1}{}", UNITS[unit])
    }
}

pub async fn run(cli: &Cli, args: &StorageArgs) -> Result<Exit> {
    if !(0.0..=100.0).contains(&args.threshold) {
        anyhow::bail!(
            "--threshold {} is not a percentage between 0 and 100",
            args.threshold
        );
    }
    let session = Session::connect(&cli.common, &args.pods).await?;
    let with_token = session.token()?.is_some();
    if !with_token {
        output::warn(
            "no Vault token: raft storage errors are not read from metrics (give --token-file)",
        );
    }
    let pods: Vec<_> = session
        .all_pods
        .iter()
        .filter(|p| {
            args.pods.is_empty()
                || args
                    .pods
                    .iter()
                    .any(|w| w == vault_shared::cluster::name(p))
        })
        .cloned()
        .collect();
    let session = &session;
    let (usage, metrics) = tokio::join!(
        volumes::data_usage(&session.kube, &pods),
        fanout::each(&session.targets, |t| async move {
            let t = t.as_ref().ok()?;
            if !with_token {
                return None;
            }
            // A sealed pod serves no metrics; its volume is still reported.
            match t.client.metrics().await {
                Ok(m) => Some(Ok(raft_errors(&m))),
                Err(e) if e.status() == Some(503) => None,
                Err(e) => Some(Err(format!("{:#}", session.explain(e, "read metrics")))),
            }
        })
    );
    let mut rows = Vec::new();
    for (i, (pod, (vol, used))) in pods.iter().zip(usage).enumerate() {
        let mut row = Row {
            pod: vault_shared::cluster::name(pod).to_string(),
            pvc: vol.as_ref().map(|v| v.claim.clone()),
            mount_path: vol.as_ref().map(|v| v.mount_path.clone()),
            capacity_bytes: None,
            used_bytes: None,
            percent: None,
            source: None,
            raft_errors: None,
            raft_error_counters: Vec::new(),
            over_threshold: false,
            error: None,
        };
        match used {
            Ok(u) => {
                row.capacity_bytes = Some(u.capacity_bytes);
                row.used_bytes = Some(u.used_bytes);
                row.percent = Some((u.percent() * 100.0).round() / 100.0);
                row.source = Some(u.source);
                row.over_threshold = u.percent() > args.threshold;
            }
            Err(e) => row.error = Some(format!("{e:#}")),
        }
        match metrics.get(i).cloned().flatten() {
            Some(Ok(counters)) => {
                row.raft_errors = Some(counters.iter().fold(0.0, |n, c| n + c.count));
                row.raft_error_counters = counters
                    .iter()
                    .filter(|c| c.count > 0.0)
                    .map(|c| format!("{}={}", c.name, c.count))
                    .collect();
            }
            Some(Err(e)) => {
                row.error = Some(match row.error.take() {
                    Some(prev) => format!("{prev}; {e}"),
                    None => e,
                })
            }
            None => {}
        }
        rows.push(row);
    }
    // A volume that cannot be read needs a look, as an unreachable pod does in status: never
    // "fine", and not a failure of the verb.
    let unreadable = rows.iter().any(|r| r.percent.is_none());
    let attention = rows
        .iter()
        .any(|r| r.over_threshold || r.raft_errors.is_some_and(|n| n > 0.0));
    let exit = if unreadable || attention {
        Exit::Attention
    } else {
        Exit::Healthy
    };
    match session.format {
        Format::Table => {
            let table_rows = rows
                .iter()
                .map(|r| {
                    let pct = match r.percent {
                        Some(p) if r.over_threshold => Styled::new(format!("{p:.2}%"), Tone::Bad),
                        Some(p) => Styled::new(format!("{p:.2}%"), Tone::Good),
                        None => Styled::new("-", Tone::Warn),
                    };
                    let errors = match r.raft_errors {
                        Some(n) if n > 0.0 => Styled::new(format!("{n}"), Tone::Bad),
                        Some(n) => Styled::new(format!("{n}"), Tone::Good),
                        None => Styled::new("-", Tone::Dim),
                    };
                    let row: Vec<Styled> = vec![
                        r.pod.clone().into(),
                        r.pvc.clone().unwrap_or_else(|| "-".into()).into(),
                        r.capacity_bytes
                            .map(human)
                            .unwrap_or_else(|| "-".into())
                            .into(),
                        r.used_bytes.map(human).unwrap_or_else(|| "-".into()).into(),
                        pct,
                        match r.source {
                            Some(UsageSource::KubeletStats) => "kubelet",
                            Some(UsageSource::Df) => "df",
                            None => "-",
                        }
                        .into(),
                        errors,
                    ];
                    (row, r.error.clone())
                })
                .collect();
            let headers = [
                "pod",
                "pvc",
                "capacity",
                "used",
                "use%",
                "source",
                "raft errors",
            ];
            println!("{}", output::table_with_errors(&headers, table_rows));
            for r in rows.iter().filter(|r| r.over_threshold) {
                println!(
                    "\n{}: {} is {:.2}% full (threshold {}%): expand the PVC or clean up (runbook: Storage Backend Issues, step 3)",
                    r.pod,
                    r.pvc.as_deref().unwrap_or("the data volume"),
                    r.percent.unwrap_or_default(),
                    args.threshold
                );
            }
            for r in rows
                .iter()
                .filter(|r| r.raft_errors.is_some_and(|n| n > 0.0))
            {
                println!(
                    "\n{}: raft storage errors: {}",
                    r.pod,
                    r.raft_error_counters.join(", ")
                );
            }
        }
        f => output::print_data(
            f,
            &Report {
                namespace: session.kube.namespace.clone(),
                threshold_percent: args.threshold,
                pods: rows,
                exit_code: exit.code(),
            },
        )?,
    }
    Ok(exit)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn raft_error_counters_from_metrics() {
        let m = json!({
            "Gauges": [{"Name": "vault.autopilot.failure_tolerance", "Value": 1}],
            "Counters": [
                {"Name": "vault.raft_storage.error", "Count": 2, "Sum": 3},
                {"Name": "vault.cache.hit", "Count": 20, "Sum": 20}
            ],
            "Samples": [{"Name": "vault.raft-storage.put.failed", "Count": 1, "Sum": 0.2}]
        });
        let errors = super::raft_errors(&m);
        let names: Vec<&str> = errors.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["vault.raft-storage.put.failed", "vault.raft_storage.error"]
        );
        assert_eq!(errors[1].count, 3.0);
    }

    #[test]
    fn human_sizes() {
        assert_eq!(super::human(512), "512B");
        assert_eq!(super::human(10 * 1024 * 1024 * 1024), "10.0Gi");
        assert_eq!(super::human(16_921), "16.5Ki");
    }
}
