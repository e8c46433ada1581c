//! `status`: what uses Vault's memory, per pod, and how many leases the active node holds —
//! with findings that name the next command.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::Result;
use serde::Serialize;
use vault_shared::findings::{self, Finding};
use vault_shared::output::{self, Format, Styled, Tone};
use vault_shared::target::Target;
use vault_shared::vault::metrics::{prometheus_samples, prometheus_value};
use vault_shared::{Exit, cluster, fanout, podmetrics};

use crate::StatusArgs;
use vault_shared::session::Session;

/// The runbook's symptom: the Go heap holds most of what the runtime took from the system.
const ALLOC_RATIO_THRESHOLD: f64 = 0.8;

/// How long one pod may take to serve its metrics.
const METRICS_DEADLINE: Duration = Duration::from_secs(10);

vault_shared::finding_kinds! {
    /// What `status` flags; serialised to the names the README documents.
    pub enum LeaseFinding {
        MemoryNearLimit => "memory_near_limit",
        HeapPressure => "heap_pressure",
        OomKilled => "oom_killed",
        MetricsUnreadable => "metrics_unreadable",
        IrrevocableLeases => "irrevocable_leases",
    }
}

#[derive(Debug, Default, Serialize)]
pub struct PodMemory {
    pub pod: String,
    pub active: bool,
    pub alloc_bytes: Option<f64>,
    pub sys_bytes: Option<f64>,
    pub alloc_sys_ratio: Option<f64>,
    pub heap_objects: Option<f64>,
    pub goroutines: Option<f64>,
    pub restarts: i32,
    /// When the container was last OOM-killed, if its last state says so.
    pub oom_killed: Option<String>,
    /// That OOM kill ended within `--oom-window` (or at a time that cannot be read).
    pub oom_recent: bool,
    /// Working set from the metrics API; None with `metrics_api: false`.
    pub working_set_bytes: Option<u64>,
    pub memory_request_bytes: Option<u64>,
    pub memory_limit_bytes: Option<u64>,
    pub percent_of_limit: Option<f64>,
    pub metrics_api: bool,
    /// With `--interval`: growth of the working set (else of the memory the Go runtime took
    /// from the system) per minute between the two samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_bytes_per_minute: Option<f64>,
    /// With `--interval` and a memory limit: at that growth, roughly when the limit is hit.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minutes_to_limit: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl PodMemory {
    /// What the growth is measured on: the working set where the metrics API serves it.
    fn measure(&self) -> Option<f64> {
        self.working_set_bytes.map(|w| w as f64).or(self.sys_bytes)
    }
}

#[derive(Debug, Default, Serialize)]
pub struct Leases {
    pub active_node: Option<String>,
    pub leases: Option<f64>,
    pub irrevocable: Option<f64>,
    pub tokens_by_auth: BTreeMap<String, f64>,
    pub tokens_by_ttl: BTreeMap<String, f64>,
    /// With `--interval`: leases created (less those expired or revoked) per minute.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub growth_per_minute: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct Status {
    pub pods: Vec<PodMemory>,
    pub leases: Leases,
    pub findings: Vec<Finding<LeaseFinding>>,
}

/// A pod's memory as Kubernetes sees it (its facts and, where served, the metrics API) and as
/// its Vault reports it (`vault`: its sys/metrics, or why they could not be read).
async fn pod_memory(
    session: &Session,
    name: String,
    vault: Result<String>,
    active: Option<&str>,
    oom_window: Duration,
) -> PodMemory {
    let mut m = PodMemory {
        active: active == Some(name.as_str()),
        ..PodMemory::default()
    };
    if let Some(p) = session.pod(&name) {
        m.restarts = cluster::restarts(p);
        if let Some(t) = cluster::last_termination(p).filter(|t| t.reason == "OOMKilled") {
            m.oom_recent = ended_within(t.finished_at.as_deref(), oom_window);
            m.oom_killed = Some(t.finished_at.unwrap_or_else(|| "unknown time".into()));
        }
        (m.memory_request_bytes, m.memory_limit_bytes) = podmetrics::memory_resources(p);
        match podmetrics::working_set(&session.kube, p).await {
            Ok(ws) => {
                m.metrics_api = ws.is_some();
                m.working_set_bytes = ws;
            }
            Err(e) => m.error = Some(format!("{e:#}")),
        }
        if let (Some(ws), Some(limit)) = (m.working_set_bytes, m.memory_limit_bytes)
            && limit > 0
        {
            m.percent_of_limit = Some(100.0 * ws as f64 / limit as f64);
        }
    }
    m.pod = name;
    match vault {
        Ok(text) => {
            m.alloc_bytes = prometheus_value(&text, "vault_runtime_alloc_bytes");
            m.sys_bytes = prometheus_value(&text, "vault_runtime_sys_bytes");
            m.heap_objects = prometheus_value(&text, "vault_runtime_heap_objects");
            m.goroutines = prometheus_value(&text, "vault_runtime_num_goroutines");
            if let (Some(a), Some(s)) = (m.alloc_bytes, m.sys_bytes)
                && s > 0.0
            {
                m.alloc_sys_ratio = Some(a / s);
            }
        }
        Err(e) => m.error = Some(format!("{e:#}")),
    }
    m
}

async fn leases(session: &Session, active: Option<&Target>) -> Leases {
    let Some(t) = active else {
        return Leases {
            error: Some("no active node: the lease count comes from the active node".into()),
            ..Leases::default()
        };
    };
    let mut l = Leases {
        active_node: Some(t.name.clone()),
        ..Leases::default()
    };
    match t.client.metrics_prometheus().await {
        Ok(text) => {
            l.leases = prometheus_value(&text, "vault_expire_num_leases");
            l.irrevocable = prometheus_value(&text, "vault_expire_num_irrevocable_leases");
            let by = |name: &str, label: &str| {
                let mut out = BTreeMap::new();
                for (labels, v) in prometheus_samples(&text, name) {
                    if let Some((_, k)) = labels.iter().find(|(k, _)| k == label) {
                        *out.entry(k.clone()).or_insert(0.0) += v;
                    }
                }
                out
            };
            l.tokens_by_auth = by("vault_token_count_by_auth", "auth_method");
            l.tokens_by_ttl = by("vault_token_count_by_ttl", "creation_ttl");
        }
        Err(e) => l.error = Some(session.explain(e, "read sys/metrics").to_string()),
    }
    l
}

fn findings(s: &Status, args: &StatusArgs) -> Vec<Finding<LeaseFinding>> {
    let mut out = Vec::new();
    for p in &s.pods {
        if p.alloc_bytes.is_none() {
            out.push(Finding::new(
                LeaseFinding::MetricsUnreadable,
                &p.pod,
                format!(
                    "its memory metrics cannot be read: {}",
                    p.error
                        .as_deref()
                        .unwrap_or("sys/metrics has no vault_runtime_alloc_bytes")
                ),
                Some(format!(
                    "kubectl vault-unseal {}   # a sealed or hung pod serves no metrics",
                    p.pod
                )),
            ));
        }
        if let Some(pct) = p.percent_of_limit
            && pct > args.memory_threshold
        {
            out.push(Finding::new(
                LeaseFinding::MemoryNearLimit,
                &p.pod,
                format!(
                    "working set at {pct:.0}% of the memory limit (threshold {:.0}%)",
                    args.memory_threshold
                ),
                Some(
                    "kubectl vault-leases top   # what holds the memory: leases by prefix"
                        .to_string(),
                ),
            ));
        }
        if let Some(r) = p.alloc_sys_ratio
            && r > ALLOC_RATIO_THRESHOLD
        {
            out.push(Finding::new(
                LeaseFinding::HeapPressure,
                &p.pod,
                format!(
                    "Go heap in use is {r:.2} of the memory taken from the system (above {ALLOC_RATIO_THRESHOLD})"
                ),
                Some("kubectl vault-leases top".to_string()),
            ));
        }
        if let Some(when) = p.oom_killed.as_ref().filter(|_| p.oom_recent) {
            out.push(Finding::new(
                LeaseFinding::OomKilled,
                &p.pod,
                format!("the container was OOM-killed (last state, finished {when})"),
                Some(format!(
                    "kubectl vault-leases top; then raise the memory limit of the StatefulSet (pod {})",
                    p.pod
                )),
            ));
        }
    }
    if s.leases.leases.is_none() {
        out.push(Finding::new(
            LeaseFinding::MetricsUnreadable,
            s.leases.active_node.as_deref().unwrap_or("cluster"),
            format!(
                "the lease count cannot be read: {}",
                s.leases
                    .error
                    .as_deref()
                    .unwrap_or("no vault_expire_num_leases in the active node's metrics")
            ),
            Some("kubectl vault-raft status".to_string()),
        ));
    }
    if let Some(n) = s.leases.leases
        && n > 0.0
        && let Some(irrevocable) = s.leases.irrevocable
        && irrevocable > 0.0
    {
        out.push(Finding::new(
                LeaseFinding::IrrevocableLeases,
                &s.leases.active_node.clone().unwrap_or_default(),
                format!("{irrevocable} of {n} leases could not be revoked by their backend"),
                Some("kubectl vault-leases top; kubectl vault-leases revoke PREFIX --force (after reading the warning)".to_string()),
            ));
    }
    out
}

/// Whether a termination that finished at `finished_at` (RFC 3339) ended within `window`.
/// A time that is missing or cannot be read counts as recent: the finding is kept, not lost.
fn ended_within(finished_at: Option<&str>, window: Duration) -> bool {
    let Some(t) = finished_at.and_then(|f| f.parse::<jiff::Timestamp>().ok()) else {
        return true;
    };
    let age = jiff::Timestamp::now().duration_since(t);
    age.as_secs_f64() <= window.as_secs_f64()
}

/// One sample of every pod's memory and of the active node's leases.
async fn sample(session: &Session, oom_window: Duration) -> (Vec<PodMemory>, Leases) {
    let leader = crate::active_node(session).await.ok();
    let active = leader.map(|t| t.name.as_str());
    let metrics = fanout::each_pod(&session.targets, METRICS_DEADLINE, |t| async move {
        t.client
            .metrics_prometheus()
            .await
            .map_err(|e| session.explain(e, "read sys/metrics"))
    })
    .await;
    let pods = futures::future::join_all(
        metrics
            .into_iter()
            .map(|(name, vault)| pod_memory(session, name, vault, active, oom_window)),
    )
    .await;
    (pods, leases(session, leader).await)
}

/// Growth between two samples, per minute, and when each pod reaches its limit at that pace.
fn growth(first: &(Vec<PodMemory>, Leases), now: &mut (Vec<PodMemory>, Leases), minutes: f64) {
    for p in &mut now.0 {
        let before = first
            .0
            .iter()
            .find(|b| b.pod == p.pod)
            .and_then(PodMemory::measure);
        if let (Some(b), Some(n)) = (before, p.measure()) {
            let per_minute = (n - b) / minutes;
            p.growth_bytes_per_minute = Some(per_minute);
            if let (Some(limit), Some(ws)) = (p.memory_limit_bytes, p.working_set_bytes)
                && per_minute > 0.0
            {
                p.minutes_to_limit = Some((limit as f64 - ws as f64).max(0.0) / per_minute);
            }
        }
    }
    if let (Some(b), Some(n)) = (first.1.leases, now.1.leases) {
        now.1.growth_per_minute = Some((n - b) / minutes);
    }
}

pub async fn run(session: &Session, args: &StatusArgs) -> Result<Exit> {
    session.require_token("reading sys/metrics")?;
    let mut now = sample(session, args.oom_window).await;
    if let Some(interval) = args.interval.filter(|i| !i.is_zero()) {
        let first = now;
        let start = std::time::Instant::now();
        tokio::time::sleep(interval).await;
        now = sample(session, args.oom_window).await;
        growth(&first, &mut now, start.elapsed().as_secs_f64() / 60.0);
    }
    let (pods, leases) = now;
    let mut status = Status {
        pods,
        leases,
        findings: Vec::new(),
    };
    status.findings = findings(&status, args);
    if session.format != Format::Table {
        output::print_data(session.format, &status)?;
    } else {
        print_table(&status);
    }
    Ok(findings::exit(&status.findings))
}

fn bytes(b: Option<f64>) -> String {
    b.map_or_else(|| "-".into(), |b| format!("{:.0}Mi", b / 1048576.0))
}

fn print_table(s: &Status) {
    let rows = s
        .pods
        .iter()
        .map(|p| {
            let memory = match (p.metrics_api, p.working_set_bytes, p.percent_of_limit) {
                (false, _, _) => Styled::new("metrics API not available", Tone::Dim),
                (true, Some(ws), Some(pct)) => {
                    format!("{} ({pct:.0}% of limit)", bytes(Some(ws as f64))).into()
                }
                (true, ws, None) => format!("{} (no limit)", bytes(ws.map(|w| w as f64))).into(),
                (true, None, Some(_)) => "-".into(),
            };
            let ratio = match p.alloc_sys_ratio {
                Some(r) if r > ALLOC_RATIO_THRESHOLD => Styled::new(format!("{r:.2}"), Tone::Bad),
                Some(r) => format!("{r:.2}").into(),
                None => "-".into(),
            };
            let cells = vec![
                format!("{}{}", p.pod, if p.active { " (active)" } else { "" }).into(),
                bytes(p.alloc_bytes).into(),
                bytes(p.sys_bytes).into(),
                ratio,
                p.heap_objects
                    .map_or_else(|| "-".into(), |v| format!("{v:.0}"))
                    .into(),
                p.goroutines
                    .map_or_else(|| "-".into(), |v| format!("{v:.0}"))
                    .into(),
                p.restarts.to_string().into(),
                match &p.oom_killed {
                    Some(_) if p.oom_recent => Styled::new("yes", Tone::Bad),
                    Some(when) => format!("earlier ({when})").into(),
                    None => "no".into(),
                },
                memory,
            ];
            (cells, p.error.clone())
        })
        .collect();
    print!(
        "{}",
        output::table_with_errors(
            &[
                "pod",
                "alloc",
                "sys",
                "alloc/sys",
                "heap objects",
                "goroutines",
                "restarts",
                "oom killed",
                "memory"
            ],
            rows
        )
    );
    let l = &s.leases;
    match (&l.active_node, l.leases) {
        (Some(node), Some(n)) => {
            print!("\nLeases on {node}: {n:.0}");
            if let Some(i) = l.irrevocable {
                print!(" ({i:.0} irrevocable)");
            }
            println!();
        }
        _ => println!(
            "\nLeases: unknown ({})",
            l.error
                .as_deref()
                .unwrap_or("the active node did not report vault_expire_num_leases")
        ),
    }
    for (what, m) in [
        ("auth method", &l.tokens_by_auth),
        ("creation TTL", &l.tokens_by_ttl),
    ] {
        if !m.is_empty() {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}={v:.0}")).collect();
            println!("Tokens by {what}: {}", parts.join(" "));
        }
    }
    for p in &s.pods {
        if let Some(g) = p.growth_bytes_per_minute {
            let when = p
                .minutes_to_limit
                .map(|m| format!(", about {m:.0} min to its memory limit"))
                .unwrap_or_default();
            println!("{}: memory grows {:+.1}Mi/min{when}", p.pod, g / 1048576.0);
        }
    }
    if let Some(g) = l.growth_per_minute {
        println!("Leases grow {g:+.0}/min");
    }
    println!();
    findings::print(&s.findings);
}

#[cfg(test)]
mod tests {
    use super::ended_within;
    use std::time::Duration;

    #[test]
    fn only_recent_or_undated_oom_kills_are_recent() {
        let day = Duration::from_secs(24 * 3600);
        let now = jiff::Timestamp::now();
        let hour_ago = (now - jiff::SignedDuration::from_hours(1)).to_string();
        let week_ago = (now - jiff::SignedDuration::from_hours(24 * 7)).to_string();
        assert!(ended_within(Some(&hour_ago), day));
        assert!(!ended_within(Some(&week_ago), day));
        assert!(ended_within(None, day), "no time: kept");
        assert!(ended_within(Some("yesterday-ish"), day), "unreadable: kept");
    }
}
