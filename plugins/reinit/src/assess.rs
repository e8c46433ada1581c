//! `assess`: the damage after a cluster failure, in one view — pods, their volumes, recent
//! Events, what each reachable Vault says about itself, the snapshots at hand — and which
//! road leads back: nothing to do, unseal, rejoin, restore from a snapshot, or re-initialise.
//! It never concludes "no data" from a pod it could not read.

use std::path::PathBuf;

use anyhow::Result;
use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod};
use kube::api::{Api, ListParams};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::cli::CommonArgs;
use vault_shared::cluster::{self, Kube, Termination};
use vault_shared::ha::NodeView;
use vault_shared::output::{self, Styled, Tone};
use vault_shared::session::Session;
use vault_shared::volumes;

use crate::snapshot_file::{self, SnapshotInfo};

/// How many of the newest Events are shown.
const EVENTS_SHOWN: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Healthy,
    Unseal,
    Rejoin,
    Restore,
    Reinitialize,
    /// Pods that cannot be read, or a state none of the roads fits: look before acting.
    Investigate,
}

#[derive(Debug, Clone, Serialize)]
pub struct PodState {
    pub pod: String,
    pub phase: String,
    pub ready: bool,
    pub restarts: i32,
    pub last_termination: Option<Termination>,
    pub claim: Option<String>,
    pub reachable: bool,
    pub initialized: Option<bool>,
    pub sealed: Option<bool>,
    /// active, standby, or none known.
    pub ha_role: Option<String>,
    pub raft_applied_index: Option<u64>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClaimState {
    pub name: String,
    /// Bound, Pending, Lost, or Terminating (deleted, held by the pvc-protection finalizer).
    pub phase: String,
    pub capacity: Option<String>,
    pub created: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EventLine {
    pub time: Option<String>,
    #[serde(rename = "type")]
    pub type_: String,
    pub reason: String,
    pub object: String,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub namespace: String,
    pub pods: Vec<PodState>,
    pub pvcs: Vec<ClaimState>,
    pub events: Vec<EventLine>,
    pub snapshots: Vec<SnapshotInfo>,
    pub verdict: Verdict,
    pub reason: String,
    pub next: Option<String>,
    pub exit_code: u8,
}

/// Reads everything `assess` shows.
pub async fn assess(common: &CommonArgs, snapshots: &[PathBuf]) -> Result<Report> {
    let kube = cluster::connect(&common.kube).await?;
    let ns = kube.namespace.clone();
    let pods = vault_pods(&kube).await?;
    let (pvcs, events) = tokio::try_join!(claims(&kube, &pods), recent_events(&kube))?;
    let views = if pods.is_empty() {
        Vec::new()
    } else {
        match Session::connect(common, &[]).await {
            Ok(session) => session.views().await,
            Err(e) => pods
                .iter()
                .map(|p| NodeView::unknown(cluster::name(p), format!("{e:#}"), None))
                .collect(),
        }
    };
    let pods: Vec<PodState> = pods.iter().map(|p| pod_state(p, &views)).collect();
    let snapshots: Vec<SnapshotInfo> = snapshots
        .iter()
        .map(|p| snapshot_file::inspect(p))
        .collect();
    let (verdict, reason, next) = verdict(&ns, &pods, &pvcs, &snapshots);
    let exit = if verdict == Verdict::Healthy {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    Ok(Report {
        namespace: ns,
        pods,
        pvcs,
        events,
        snapshots,
        verdict,
        reason,
        next,
        exit_code: exit.code(),
    })
}

pub async fn run(common: &CommonArgs, snapshots: &[PathBuf]) -> Result<Exit> {
    let report = assess(common, snapshots).await?;
    output::print(common.out.format(), &report, print_table)?;
    Ok(if report.verdict == Verdict::Healthy {
        Exit::Healthy
    } else {
        Exit::Attention
    })
}

/// The Vault pods by the selector; none at all is a finding here, not an error.
async fn vault_pods(kube: &Kube) -> Result<Vec<Pod>> {
    let lp = ListParams::default().labels(&kube.selector);
    let mut pods: Vec<Pod> = kube
        .call(
            &format!("list pods in namespace {}", kube.namespace),
            kube.pods().list(&lp),
        )
        .await?
        .items
        .into_iter()
        .filter(cluster::looks_like_vault)
        .collect();
    pods.sort_by_key(|p| ordinal(cluster::name(p)));
    Ok(pods)
}

fn ordinal(name: &str) -> (String, u64) {
    match name.rsplit_once('-') {
        Some((base, n)) => (base.to_string(), n.parse().unwrap_or(0)),
        None => (name.to_string(), 0),
    }
}

/// The Vault pods' PVCs: those the selector matches (the StatefulSet gives its claims its
/// selector's labels) and those the pods mount.
async fn claims(kube: &Kube, pods: &[Pod]) -> Result<Vec<ClaimState>> {
    let api: Api<PersistentVolumeClaim> = Api::namespaced(kube.client.clone(), &kube.namespace);
    let what = format!("list PVCs in namespace {}", kube.namespace);
    let all = kube.call(&what, api.list(&ListParams::default())).await?;
    let labelled = kube
        .call(
            &what,
            api.list(&ListParams::default().labels(&kube.selector)),
        )
        .await?;
    let mounted: Vec<String> = pods
        .iter()
        .filter_map(volumes::data_volume)
        .map(|v| v.claim)
        .collect();
    let mut out: Vec<ClaimState> = all
        .items
        .iter()
        .filter(|c| {
            let name = c.metadata.name.as_deref().unwrap_or("");
            mounted.iter().any(|m| m == name)
                || labelled
                    .items
                    .iter()
                    .any(|l| l.metadata.name.as_deref() == Some(name))
        })
        .map(claim_state)
        .collect();
    out.sort_by_key(|c| ordinal(&c.name));
    Ok(out)
}

pub fn claim_state(c: &PersistentVolumeClaim) -> ClaimState {
    let status = c.status.as_ref();
    let phase = if c.metadata.deletion_timestamp.is_some() {
        "Terminating".to_string()
    } else {
        status
            .and_then(|s| s.phase.clone())
            .unwrap_or_else(|| "Pending".into())
    };
    ClaimState {
        name: c.metadata.name.clone().unwrap_or_default(),
        phase,
        capacity: status
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone()),
        created: c
            .metadata
            .creation_timestamp
            .as_ref()
            .map(|t| t.0.to_string()),
    }
}

/// The namespace's newest Events, oldest first.
async fn recent_events(kube: &Kube) -> Result<Vec<EventLine>> {
    let api: Api<Event> = Api::namespaced(kube.client.clone(), &kube.namespace);
    let mut items = kube
        .call(
            &format!("list events in namespace {}", kube.namespace),
            api.list(&ListParams::default()),
        )
        .await?
        .items;
    items.sort_by_key(cluster::event_time);
    let skip = items.len().saturating_sub(EVENTS_SHOWN);
    Ok(items
        .into_iter()
        .skip(skip)
        .map(|e| EventLine {
            time: cluster::event_time(&e).map(|t| t.to_string()),
            type_: e.type_.clone().unwrap_or_default(),
            reason: e.reason.clone().unwrap_or_default(),
            object: format!(
                "{}/{}",
                e.involved_object
                    .kind
                    .as_deref()
                    .unwrap_or("")
                    .to_lowercase(),
                e.involved_object.name.as_deref().unwrap_or("")
            ),
            message: output::printable(e.message.as_deref().unwrap_or("")),
        })
        .collect())
}

fn pod_state(pod: &Pod, views: &[NodeView]) -> PodState {
    let name = cluster::name(pod);
    let view = views.iter().find(|v| v.pod == name);
    let ha_role = view.and_then(|v| {
        v.unsealed()
            .then(|| if v.is_self { "active" } else { "standby" }.to_string())
    });
    PodState {
        pod: name.to_string(),
        phase: if pod.metadata.deletion_timestamp.is_some() {
            "Terminating".into()
        } else {
            cluster::phase(pod).to_string()
        },
        ready: cluster::is_ready(pod),
        restarts: cluster::restarts(pod),
        last_termination: cluster::last_termination(pod),
        claim: volumes::data_volume(pod).map(|v| v.claim),
        reachable: view.is_some_and(|v| v.reachable),
        initialized: view.and_then(|v| v.initialized),
        sealed: view.and_then(|v| v.sealed),
        ha_role,
        raft_applied_index: view.and_then(|v| v.applied_index),
        error: view.and_then(|v| v.error.clone()),
    }
}

/// Which road leads back, why, and the command to run next.
pub fn verdict(
    ns: &str,
    pods: &[PodState],
    pvcs: &[ClaimState],
    snapshots: &[SnapshotInfo],
) -> (Verdict, String, Option<String>) {
    let names = |f: &dyn Fn(&PodState) -> bool| -> Vec<String> {
        pods.iter()
            .filter(|p| f(p))
            .map(|p| p.pod.clone())
            .collect()
    };
    let holding_data = names(&|p| p.initialized == Some(true));
    let sealed = names(&|p| p.initialized == Some(true) && p.sealed == Some(true));
    let empty = names(&|p| p.initialized == Some(false));
    let unread = names(&|p| !p.reachable);
    let bad_claims: Vec<String> = pvcs
        .iter()
        .filter(|c| c.phase != "Bound")
        .map(|c| format!("{} ({})", c.name, c.phase))
        .collect();
    let snapshot = snapshots.iter().find(|s| s.readable);
    let restore = |why: String| match snapshot {
        Some(s) => (
            Verdict::Restore,
            why,
            Some(format!(
                "kubectl vault-reinit drill {} -n {ns} --keys-file OLD_KEYS, then kubectl vault-reinit restore {} -n {ns} --keys-file OLD_KEYS --wipe",
                s.path, s.path
            )),
        ),
        None => (
            Verdict::Reinitialize,
            format!(
                "{why}, and no readable snapshot was given{}",
                if snapshots.is_empty() {
                    " (name your backups with --snapshot FILE to check them)"
                } else {
                    ""
                }
            ),
            Some(format!(
                "kubectl vault-reinit init -n {ns} --pgp-keys KEY1,KEY2,KEY3 (or --output-file FILE)"
            )),
        ),
    };
    let healthy = !pods.is_empty()
        && pods
            .iter()
            .all(|p| p.initialized == Some(true) && p.sealed == Some(false) && p.ready)
        && bad_claims.is_empty();
    if healthy {
        return (
            Verdict::Healthy,
            format!(
                "all {} pods are initialised, unsealed and Ready",
                pods.len()
            ),
            None,
        );
    }
    if holding_data.is_empty() {
        if !unread.is_empty() {
            return (
                Verdict::Investigate,
                format!(
                    "no pod answers as initialised, and {} cannot be read: their data may still be there",
                    unread.join(", ")
                ),
                Some(format!(
                    "kubectl get pods,pvc -n {ns}; kubectl describe pod {} -n {ns}",
                    unread[0]
                )),
            );
        }
        let why = if pods.is_empty() {
            "no Vault pods run".to_string()
        } else {
            format!(
                "every pod is uninitialised ({}): the data is gone",
                empty.join(", ")
            )
        };
        return restore(why);
    }
    if holding_data.len() * 2 <= pods.len() {
        return match restore(format!(
            "only {} of {} pods hold data ({}): raft has lost its quorum",
            holding_data.len(),
            pods.len(),
            holding_data.join(", ")
        )) {
            (Verdict::Restore, why, next) => (Verdict::Restore, why, next),
            // The data on the survivors is the only copy: never re-initialise over it.
            (_, why, _) => (
                Verdict::Investigate,
                why,
                Some(format!(
                    "kubectl vault-raft status -n {ns} (recover the survivors' raft with peers.json, or find a snapshot)"
                )),
            ),
        };
    }
    if !sealed.is_empty() {
        return (
            Verdict::Unseal,
            format!("sealed: {}", sealed.join(", ")),
            Some(format!("kubectl vault-unseal -n {ns} --keys-file KEYS")),
        );
    }
    if !empty.is_empty() {
        return (
            Verdict::Rejoin,
            format!(
                "{} lost {} data (uninitialised while the others hold it)",
                empty.join(", "),
                if empty.len() == 1 { "its" } else { "their" }
            ),
            Some(format!(
                "kubectl vault-raft rejoin {} -n {ns} --keys-file KEYS",
                empty[0]
            )),
        );
    }
    let mut why = Vec::new();
    if !unread.is_empty() {
        why.push(format!("cannot read {}", unread.join(", ")));
    }
    if !bad_claims.is_empty() {
        why.push(format!("PVCs not Bound: {}", bad_claims.join(", ")));
    }
    let not_ready = names(&|p| !p.ready);
    if !not_ready.is_empty() {
        why.push(format!("not Ready: {}", not_ready.join(", ")));
    }
    (
        Verdict::Investigate,
        why.join("; "),
        Some(format!("kubectl vault-raft status -n {ns}")),
    )
}

fn print_table(r: &Report) {
    let rows: Vec<(Vec<Styled>, Option<String>)> = r
        .pods
        .iter()
        .map(|p| {
            (
                vec![
                    Styled::from(&p.pod),
                    Styled::from(&p.phase),
                    output::ready_cell(Some(p.ready)),
                    Styled::from(p.restarts.to_string()),
                    Styled::from(
                        p.last_termination
                            .as_ref()
                            .map(|t| format!("{} ({})", t.reason, t.exit_code))
                            .unwrap_or_else(|| "-".into()),
                    ),
                    output::bool_cell(p.initialized),
                    match p.sealed {
                        Some(true) => Styled::new("true", Tone::Bad),
                        Some(false) => Styled::new("false", Tone::Good),
                        None => Styled::new("-", Tone::Dim),
                    },
                    Styled::from(p.ha_role.as_deref().unwrap_or("-")),
                    Styled::from(
                        p.raft_applied_index
                            .map(|i| i.to_string())
                            .unwrap_or_else(|| "-".into()),
                    ),
                ],
                p.error.clone(),
            )
        })
        .collect();
    println!("Namespace {}", r.namespace);
    println!(
        "{}",
        output::table_with_errors(
            &[
                "POD",
                "PHASE",
                "READY",
                "RESTARTS",
                "LAST EXIT",
                "INIT",
                "SEALED",
                "ROLE",
                "APPLIED",
            ],
            rows
        )
    );
    let claims: Vec<Vec<Styled>> = r
        .pvcs
        .iter()
        .map(|c| {
            vec![
                Styled::from(&c.name),
                Styled::new(
                    c.phase.clone(),
                    if c.phase == "Bound" {
                        Tone::Good
                    } else {
                        Tone::Bad
                    },
                ),
                Styled::from(c.capacity.as_deref().unwrap_or("-")),
            ]
        })
        .collect();
    println!();
    println!("{}", output::table(&["PVC", "STATUS", "CAPACITY"], claims));
    if !r.events.is_empty() {
        println!("\nRecent events (oldest first):");
        for e in &r.events {
            println!(
                "  {} {} {} {}: {}",
                e.time.as_deref().unwrap_or("-"),
                e.type_,
                e.reason,
                e.object,
                e.message
            );
        }
    }
    if !r.snapshots.is_empty() {
        println!();
        for s in &r.snapshots {
            match (&s.error, s.readable) {
                (None, true) => println!(
                    "snapshot {}: {} bytes, {} old, raft index {}, term {}, servers {}",
                    s.path,
                    s.bytes.unwrap_or(0),
                    age(s.age_seconds),
                    s.index.map(|i| i.to_string()).unwrap_or_else(|| "?".into()),
                    s.term.map(|i| i.to_string()).unwrap_or_else(|| "?".into()),
                    s.servers.join(", ")
                ),
                (e, _) => println!(
                    "snapshot {}: unusable: {}",
                    s.path,
                    e.as_deref().unwrap_or("unreadable")
                ),
            }
        }
    }
    println!("\nVerdict: {:?} — {}", r.verdict, r.reason);
    if let Some(n) = &r.next {
        println!("Next: {n}");
    }
}

fn age(secs: Option<u64>) -> String {
    match secs {
        None => "?".into(),
        Some(s) if s < 120 => format!("{s}s"),
        Some(s) if s < 7200 => format!("{}m", s / 60),
        Some(s) if s < 172_800 => format!("{}h", s / 3600),
        Some(s) => format!("{}d", s / 86_400),
    }
}
