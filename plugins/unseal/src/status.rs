//! The status table: one row per Vault pod, from the Vault API (seal status, health, leader)
//! and the Kubernetes API (Ready).

use anyhow::Result;
use serde::Serialize;
use vault_shared::cluster::{self, Kube};
use vault_shared::ha::{self, NodeView};
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::output::{self, Format, Styled, Tone};
use vault_shared::session::Session;
use vault_shared::target::Target;
use vault_shared::{Exit, fanout, findings};

#[derive(Debug, Clone, Serialize)]
pub struct PodStatus {
    pub pod: String,
    /// The Kubernetes Ready condition (null with --vault-addr).
    pub ready: Option<bool>,
    pub restarts: Option<i32>,
    pub initialized: Option<bool>,
    pub sealed: Option<bool>,
    /// Shares submitted in the unseal in progress.
    pub progress: Option<u32>,
    pub threshold: Option<u32>,
    pub shares: Option<u32>,
    pub seal_type: Option<String>,
    pub version: Option<String>,
    /// "vault" or "openbao".
    pub flavor: Option<String>,
    /// active, standby or null while sealed.
    pub ha_role: Option<String>,
    pub raft_index: Option<u64>,
    /// Why the pod could not be read, if it could not.
    pub error: Option<String>,
}

impl PodStatus {
    fn empty(pod: &str) -> PodStatus {
        PodStatus {
            pod: pod.to_string(),
            ready: None,
            restarts: None,
            initialized: None,
            sealed: None,
            progress: None,
            threshold: None,
            shares: None,
            seal_type: None,
            version: None,
            flavor: None,
            ha_role: None,
            raft_index: None,
            error: None,
        }
    }

    /// Unsealed and (when it is a pod) Ready.
    pub fn healthy(&self) -> bool {
        self.sealed == Some(false) && self.ready != Some(false) && self.error.is_none()
    }
}

#[derive(Serialize)]
pub struct Summary {
    pub total: usize,
    pub unsealed: usize,
    pub sealed: usize,
    pub unreachable: usize,
}

pub fn summary(statuses: &[PodStatus]) -> Summary {
    Summary {
        total: statuses.len(),
        unsealed: statuses.iter().filter(|s| s.sealed == Some(false)).count(),
        sealed: statuses.iter().filter(|s| s.sealed == Some(true)).count(),
        unreachable: statuses.iter().filter(|s| s.sealed.is_none()).count(),
    }
}

/// A pod's row: the shared probe of the pod (seal status, its view of the leader) with
/// this verb's columns, and the pod's readiness fresh from the API (it changes while we work).
fn row(view: NodeView, pod: Option<&Pod>) -> PodStatus {
    let mut s = PodStatus::empty(&view.pod);
    if let Some(pod) = pod {
        s.ready = Some(cluster::is_ready(pod));
        s.restarts = Some(cluster::restarts(pod));
    }
    let Some(st) = view.seal_status else {
        // Only a pod whose seal status could not be read is an error here.
        s.error = view.error;
        return s;
    };
    s.flavor = Some(st.flavor().to_string());
    s.initialized = Some(st.initialized);
    s.sealed = Some(st.sealed);
    s.progress = Some(st.progress);
    s.threshold = Some(st.t);
    s.shares = Some(st.n);
    s.seal_type = Some(st.seal_type.clone());
    s.version = Some(st.version.clone());
    if let Some(l) = view.leader {
        let active = l.is_self || !l.ha_enabled;
        s.ha_role = Some(if active { "active" } else { "standby" }.to_string());
        s.raft_index = l.raft_applied_index;
    }
    s
}

/// Every target's status: the shared probe of each pod and its fresh pod object, all at once.
pub async fn gather(kube: Option<&Kube>, targets: &[anyhow::Result<Target>]) -> Vec<PodStatus> {
    let fresh = fanout::each(targets, |t| async move {
        let t = t.as_ref().ok()?;
        let listed = t.pod.as_ref()?;
        let fresh = match kube {
            Some(k) => k.pod(&t.name).await.ok().flatten(),
            None => None,
        };
        Some(fresh.unwrap_or_else(|| listed.clone()))
    });
    let (views, pods) = tokio::join!(ha::observe(targets), fresh);
    views
        .into_iter()
        .zip(pods)
        .map(|(v, p)| row(v, p.as_ref()))
        .collect()
}

vault_shared::finding_kinds! {
    /// What the seal status flags about a pod.
    pub enum UnsealFinding {
        Unreachable => "unreachable",
        NotInitialized => "not_initialized",
        Sealed => "sealed",
        NotReady => "not_ready",
    }
}

pub type Finding = findings::Finding<UnsealFinding>;

/// A finding for every pod that is not unsealed and Ready, with what to run next.
pub fn findings(statuses: &[PodStatus]) -> Vec<Finding> {
    statuses
        .iter()
        .filter_map(|s| {
            let pod = &s.pod;
            let (kind, message, next) = if let Some(e) = &s.error {
                (
                    UnsealFinding::Unreachable,
                    format!("its Vault API does not answer: {e}"),
                    format!("kubectl logs {pod}"),
                )
            } else if s.initialized == Some(false) {
                (
                    UnsealFinding::NotInitialized,
                    format!("{pod} is not initialised"),
                    format!("kubectl vault-raft join {pod} (or initialise a new cluster)"),
                )
            } else if s.sealed != Some(false) {
                (
                    UnsealFinding::Sealed,
                    format!("{pod} is sealed"),
                    format!("kubectl vault-unseal {pod} --keys-file …"),
                )
            } else if s.ready == Some(false) {
                (
                    UnsealFinding::NotReady,
                    format!("{pod} is unsealed but not Ready"),
                    format!("kubectl describe pod {pod}"),
                )
            } else {
                return None;
            };
            Some(Finding::new(kind, pod, message, Some(next)))
        })
        .collect()
}

/// 0 when every pod is unsealed and Ready, 2 otherwise (sealed, not Ready, or not answering:
/// the state is reported, the cluster needs attention). Runs that were asked to unseal turn an
/// unreachable pod into 1 with [`exit_when_acting`]: that pod could not be done.
pub fn exit_of(statuses: &[PodStatus]) -> Exit {
    findings::exit(&findings(statuses))
}

/// The seal status of the session's pods as a library call: one row per pod, and the typed
/// findings.
pub async fn status(session: &Session) -> (Vec<PodStatus>, Vec<Finding>) {
    let pods = gather(Some(&session.kube), &session.targets).await;
    let found = findings(&pods);
    (pods, found)
}

/// As [`exit_when_acting`], but readiness is not judged (`--no-wait`): 0 when every pod is
/// unsealed.
pub fn exit_unsealed(statuses: &[PodStatus]) -> Exit {
    if statuses.iter().any(|s| s.error.is_some()) {
        return Exit::Failed;
    }
    let found: Vec<Finding> = findings(statuses)
        .into_iter()
        .filter(|f| f.kind != UnsealFinding::NotReady)
        .collect();
    findings::exit(&found)
}

pub fn exit_when_acting(statuses: &[PodStatus]) -> Exit {
    if statuses.iter().any(|s| s.error.is_some()) {
        Exit::Failed
    } else {
        exit_of(statuses)
    }
}

pub fn table(statuses: &[PodStatus]) -> String {
    let opt = |v: Option<String>| v.unwrap_or_else(|| "-".into());
    let rows = statuses
        .iter()
        .map(|s| {
            let sealed = match (s.sealed, s.initialized) {
                (_, Some(false)) => Styled::new("uninitialized", Tone::Bad),
                (Some(true), _) => Styled::new("true", Tone::Bad),
                (Some(false), _) => Styled::new("false", Tone::Good),
                (None, _) => Styled::new("unknown", Tone::Warn),
            };
            let progress = match (s.progress, s.threshold, s.sealed) {
                (Some(p), Some(t), Some(true)) => format!("{p}/{t}"),
                _ => "-".into(),
            };
            let seal = match (&s.seal_type, s.threshold, s.shares) {
                (Some(t), Some(th), Some(n)) if t == "shamir" => format!("shamir {th}/{n}"),
                (Some(t), _, _) => t.clone(),
                _ => "-".into(),
            };
            let row: Vec<Styled> = vec![
                s.pod.clone().into(),
                output::ready_cell(s.ready),
                sealed,
                progress.into(),
                seal.into(),
                opt(s.version.clone().map(|v| match &s.flavor {
                    Some(f) if f == "openbao" => format!("{v} (openbao)"),
                    _ => v,
                }))
                .into(),
                opt(s.ha_role.clone()).into(),
                opt(s.raft_index.map(|i| i.to_string())).into(),
            ];
            (row, s.error.clone())
        })
        .collect();
    output::table_with_errors(
        &[
            "pod",
            "ready",
            "sealed",
            "progress",
            "seal",
            "version",
            "ha role",
            "raft index",
        ],
        rows,
    )
}

/// What the plugin prints: JSON/YAML as is (a stable schema, documented in the README), or
/// the status table followed by one line per extra finding.
#[derive(Serialize)]
pub struct Report {
    pub namespace: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unseal: Option<Vec<crate::unsealing::PodResult>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bad_shares: Vec<usize>,
    pub pods: Vec<PodStatus>,
    pub summary: Summary,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verify: Option<crate::verify::Verified>,
    pub exit_code: u8,
}

impl Report {
    pub fn new(kube: &Kube, pods: Vec<PodStatus>, exit: Exit) -> Report {
        Report {
            namespace: kube.namespace.clone(),
            unseal: None,
            bad_shares: Vec::new(),
            summary: summary(&pods),
            pods,
            verify: None,
            exit_code: exit.code(),
        }
    }

    pub fn print(&self, format: Format) -> Result<()> {
        match format {
            Format::Table => {
                println!("{}", table(&self.pods));
                if let Some(v) = &self.verify {
                    println!("\nverify {}: {}", v.path, v.line());
                }
                Ok(())
            }
            f => output::print_data(f, self),
        }
    }
}

/// `kubectl vault-unseal` without keys: the status of every pod.
pub async fn collect(kube: &Kube, targets: &[anyhow::Result<Target>]) -> (Report, Exit) {
    let statuses = gather(Some(kube), targets).await;
    let exit = exit_of(&statuses);
    (Report::new(kube, statuses, exit), exit)
}
