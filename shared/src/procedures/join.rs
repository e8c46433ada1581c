//! Joining a node to the raft cluster: find the leader's CA, ask the node to join, unseal it,
//! and wait until autopilot calls it a healthy voter and Kubernetes calls it Ready — the
//! steps of `vault-raft join` and `rejoin`, and of rebuilding a cluster.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use k8s_openapi::api::core::v1::Pod;

use crate::cli::KeyArgs;
use crate::cluster;
use crate::events::Note;
use crate::ha::NodeView;
use crate::keys::{self, Share};
use crate::output::{Format, Task};
use crate::session::Session;
use crate::target::Target;
use crate::transport;
use crate::unseal::{self, Outcome};
use crate::vault::ErrorKind;
use crate::vault::raft::JoinRequest;

/// The CA the joining node verifies the leader with: `--ca-cert`, else the one the pod
/// itself trusts (its VAULT_CACERT, from the Secret mounted there).
pub async fn cluster_ca(session: &Session, pod: &Pod) -> Result<Option<String>> {
    if let Some(path) = &session.vault_args().ca_cert {
        return std::fs::read_to_string(path)
            .map(Some)
            .with_context(|| format!("read --ca-cert {}", path.display()));
    }
    let ep = transport::endpoint(pod, session.vault_args());
    match &ep.ca_path {
        Some(path) => transport::discover_ca(&session.kube, pod, path)
            .await
            .map(Some)
            .with_context(|| {
                format!(
                    "find the cluster's CA for pod {} (give --ca-cert)",
                    cluster::name(pod)
                )
            }),
        // No CA in the pod spec: the joining node falls back to its system roots.
        None => Ok(None),
    }
}

/// Unseal shares from `--keys-file`/`--keys-secret`, else from a prompt when there is a
/// terminal; None when neither.
pub async fn shares(
    session: &Session,
    args: &KeyArgs,
    threshold: Option<u32>,
) -> Result<Option<Vec<Share>>> {
    if let Some(s) = keys::load(args, Some(&session.kube)).await? {
        return Ok(Some(s));
    }
    let interactive = std::io::stdin().is_terminal() && session.format == Format::Table;
    match (interactive, threshold) {
        (true, Some(t)) if t > 0 => {
            eprintln!("Enter {t} unseal key shares (input hidden), or Ctrl-C to stop.");
            Ok(Some(keys::prompt(t as usize, &[])?))
        }
        _ => Ok(None),
    }
}

/// The unseal threshold of the cluster, from any initialised pod.
pub fn threshold(views: &[NodeView]) -> Option<u32> {
    views
        .iter()
        .filter(|v| v.initialized == Some(true))
        .find_map(|v| v.threshold)
}

/// Joins the node behind `t` to the leader at `leader_api_addr`.
pub async fn join(
    session: &Session,
    t: &Target,
    pod: &Pod,
    leader_api_addr: &str,
    tls_server_name: Option<&str>,
) -> Result<()> {
    let ca = cluster_ca(session, pod).await?;
    let req = JoinRequest {
        leader_api_addr: leader_api_addr.to_string(),
        leader_ca_cert: ca,
        leader_tls_servername: tls_server_name.map(str::to_string),
    };
    let joined =
        t.client.raft_join(&req).await.map_err(|e| {
            session.explain(e, &format!("join the raft cluster at {leader_api_addr}"))
        })?;
    if !joined {
        bail!(
            "{}: Vault answered joined=false for {leader_api_addr} (check the pod's log: `kubectl logs {}`)",
            t.name,
            t.name
        );
    }
    session
        .record_on(
            pod,
            Note::normal(
                "RaftJoined",
                "RaftJoin",
                &format!("kubectl-vault joined this node to the raft cluster at {leader_api_addr}"),
            ),
        )
        .await;
    Ok(())
}

/// Unseals the joined node; the outcome must leave it unsealed.
pub async fn unseal_joined(
    session: &Session,
    t: &Target,
    pod: &Pod,
    shares: &[Share],
    task: &Task,
) -> Result<Outcome> {
    let step = |m: &str| task.step(m);
    let failed = |why: String| async move {
        let note = format!("kubectl-vault could not unseal Vault after joining raft: {why}");
        session
            .record_on(pod, Note::warning("UnsealFailed", "Unseal", &note))
            .await;
    };
    let outcome = match unseal::unseal(&t.client, shares, unseal::Options::default(), &step).await {
        Ok(o) => o,
        Err(e) => {
            // Vault's message passes redaction before anyone sees it.
            let mut msg = keys::redact(&e.to_string(), shares);
            // A joining node checks the keys by decrypting the leader's raft challenge.
            if e.kind() == ErrorKind::SharesOfAnotherCluster {
                msg.push_str(" (the unseal keys given are not this cluster's)");
            }
            failed(msg.clone()).await;
            bail!("{msg}");
        }
    };
    match &outcome {
        Outcome::Unsealed { shares_used, .. } => {
            let note = format!(
                "Vault unsealed by kubectl-vault with shares {} after joining raft",
                unseal::labels(shares_used)
            );
            session
                .record_on(pod, Note::normal("Unsealed", "Unseal", &note))
                .await;
        }
        Outcome::AlreadyUnsealed => {}
        other => {
            failed(format!("{other:?}")).await;
            bail!(
                "{}: not unsealed after joining: {}",
                t.name,
                match other {
                    Outcome::NotEnoughShares { have, need } =>
                        format!("{need} shares needed, {have} given; nothing sent"),
                    Outcome::Failed { .. } =>
                        "the shares given do not unseal this cluster (wrong keys, or another cluster's)"
                            .into(),
                    Outcome::InProgress { .. } =>
                        "someone else's unseal is in progress (run `kubectl vault-unseal --reset`)"
                            .into(),
                    Outcome::NotInitialized => "the join did not take (still uninitialised)".into(),
                    o => format!("{o:?}"),
                }
            );
        }
    }
    Ok(outcome)
}

/// Waits until the pod is a healthy voter in autopilot's view (asked through the leader)
/// and Ready in Kubernetes.
pub async fn wait_voter(
    session: &Session,
    pod: &str,
    timeout: Duration,
    task: &Task,
) -> Result<Duration> {
    let start = Instant::now();
    let ip = |p: &Pod| p.status.as_ref().and_then(|s| s.pod_ip.clone());
    let mut last = String::from("not checked yet");
    while start.elapsed() < timeout {
        let fresh = session
            .kube
            .pod(pod)
            .await?
            .ok_or_else(|| anyhow!("pod {pod} is gone"))?;
        let views = session.views().await;
        if let Ok(leader) = session.leader(&views) {
            match leader.client.autopilot_state().await {
                Ok(state) => {
                    let ip = ip(&fresh);
                    let server = state.servers.values().find(|s| {
                        s.id == pod
                            || ip
                                .as_deref()
                                .is_some_and(|ip| crate::vault::host_of(&s.address) == ip)
                    });
                    match server {
                        Some(s) if s.healthy && matches!(s.status.as_str(), "voter" | "leader") => {
                            if cluster::is_ready(&fresh) {
                                return Ok(start.elapsed());
                            }
                            last = "a healthy voter, waiting for the pod to be Ready".into();
                        }
                        Some(s) => {
                            last = format!(
                                "{} in raft, {} (autopilot promotes a new node once stable)",
                                s.status,
                                if s.healthy {
                                    "healthy"
                                } else {
                                    "not healthy yet"
                                }
                            )
                        }
                        None => last = "not in the raft configuration yet".into(),
                    }
                }
                Err(e) => last = format!("{:#}", session.explain(e, "read the autopilot state")),
            }
        } else {
            last = "no leader to ask".into();
        }
        task.step(&format!(
            "waiting to be a healthy voter ({:.0}s): {last}",
            start.elapsed().as_secs_f64()
        ));
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    bail!("{pod} did not become a healthy voter within {timeout:?}: {last}")
}

/// Joins the node behind `t` to the leader at `leader_api_addr`, unseals it with `shares`,
/// and waits (up to `timeout`) until it is a healthy voter and Ready.
#[allow(clippy::too_many_arguments)]
pub async fn join_unseal_await_voter(
    session: &Session,
    t: &Target,
    pod: &Pod,
    leader_api_addr: &str,
    tls_server_name: Option<&str>,
    shares: &[Share],
    timeout: Duration,
    task: &Task,
) -> Result<Outcome> {
    join(session, t, pod, leader_api_addr, tls_server_name).await?;
    let outcome = unseal_joined(session, t, pod, shares, task).await?;
    wait_voter(session, cluster::name(pod), timeout, task).await?;
    Ok(outcome)
}
