//! `join POD`: the runbook's "If Node is Not Joined", through the Vault API instead of
//! `kubectl exec … vault operator raft join`: the leader's address and the cluster's CA are
//! found, not typed (field notes #3), and with keys the pod is unsealed and watched until it
//! is a healthy voter. `rejoin` reuses these steps.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::cli::KeyArgs;
use vault_shared::cluster;
use vault_shared::ha::NodeView;
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::keys::{self, Share};
use vault_shared::output::{self, Format, Progress, Task};
use vault_shared::target::Target;
use vault_shared::transport;
use vault_shared::unseal::{self, Outcome};
use vault_shared::vault::ErrorKind;
use vault_shared::vault::raft::JoinRequest;

use crate::status;
use crate::{Cli, JoinArgs};
use vault_shared::events::Note;
use vault_shared::session::Session;

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
                "RaftJoined",
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
    let outcome = match unseal::unseal(&t.client, shares, unseal::Options::default(), &step).await {
        Ok(o) => o,
        Err(e) => {
            // Vault's message passes redaction before anyone sees it.
            let mut msg = keys::redact(&e.to_string(), shares);
            // A joining node checks the keys by decrypting the leader's raft challenge.
            if e.kind() == ErrorKind::SharesOfAnotherCluster {
                msg.push_str(" (the unseal keys given are not this cluster's)");
            }
            session
                .record_on(
                    pod,
                    Note::warning(
                        "UnsealFailed",
                        "UnsealFailed",
                        &format!("kubectl-vault could not unseal Vault after joining raft: {msg}"),
                    ),
                )
                .await;
            bail!("{msg}");
        }
    };
    match &outcome {
        Outcome::Unsealed { shares_used, .. } => {
            session
                .record_on(
                    pod,
                    Note::normal(
                        "Unsealed",
                        "Unsealed",
                        &format!(
                            "Vault unsealed by kubectl-vault with shares {} after joining raft",
                            vault_shared::unseal::labels(shares_used)
                        ),
                    ),
                )
                .await;
        }
        Outcome::AlreadyUnsealed => {}
        other => {
            session
                .record_on(
                    pod,
                    Note::warning(
                        "UnsealFailed",
                        "UnsealFailed",
                        &format!(
                            "kubectl-vault could not unseal Vault after joining raft: {other:?}"
                        ),
                    ),
                )
                .await;
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
                                .is_some_and(|ip| vault_shared::vault::host_of(&s.address) == ip)
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

#[derive(Serialize)]
struct Report {
    namespace: String,
    pod: String,
    leader: String,
    leader_api_addr: String,
    joined: bool,
    unseal: Option<Outcome>,
    voter: bool,
    seconds: f64,
    exit_code: u8,
}

pub async fn run(cli: &Cli, args: &JoinArgs) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("join (it checks the raft configuration)")?;
    let pod = session.known_pod(&args.pod)?.clone();
    let t = session.target(&args.pod)?;
    let g = status::gather(&session).await;
    let view = g
        .views
        .iter()
        .find(|v| v.pod == args.pod)
        .ok_or_else(|| anyhow!("no view of pod {}", args.pod))?;
    if !view.reachable {
        bail!(
            "{} does not answer: {} (check `kubectl get pod {}` and its logs)",
            args.pod,
            view.error.as_deref().unwrap_or("no answer"),
            args.pod
        );
    }
    let member = status::peers(&session, &g)
        .iter()
        .any(|p| p.pod.as_deref() == Some(&args.pod));
    match (view.initialized, view.sealed, member) {
        (Some(true), Some(false), true) => {
            match session.format {
                Format::Table => println!(
                    "{} is already a raft member and unsealed: nothing to do.",
                    args.pod
                ),
                f => output::print_data(
                    f,
                    &serde_json::json!({
                        "namespace": session.kube.namespace, "pod": args.pod,
                        "joined": true, "already_member": true, "exit_code": 0,
                    }),
                )?,
            }
            return Ok(Exit::Healthy);
        }
        (Some(true), _, true) => bail!(
            "{0} is already a raft member, but sealed: unseal it (`kubectl vault-unseal {0}`)",
            args.pod
        ),
        (Some(true), _, false) => bail!(
            "{0} holds raft data from an earlier membership but is not in the raft configuration: a join would not take effect; `kubectl vault-raft rejoin {0}` clears that data and joins it",
            args.pod
        ),
        _ => {}
    }
    let leader = session.leader(&g.views);
    let (leader_name, leader_addr) = match (&args.leader, &leader) {
        (Some(url), _) => (url.clone(), url.clone()),
        (None, Ok(l)) => {
            let addr = g
                .views
                .iter()
                .find(|v| v.pod == l.name)
                .and_then(|v| v.leader_address.clone())
                .ok_or_else(|| {
                    anyhow!(
                        "the leader {} does not say its API address; give --leader URL",
                        l.name
                    )
                })?;
            (l.name.clone(), addr)
        }
        (None, Err(e)) => bail!("{e:#} (or give --leader URL)"),
    };
    let shares = shares(&session, &args.keys, threshold(&g.views)).await?;
    let progress = Progress::new();
    let task = progress.task(&args.pod);
    let start = Instant::now();
    task.step(&format!("joining the raft cluster at {leader_addr}"));
    join(
        &session,
        t,
        &pod,
        &leader_addr,
        args.leader_tls_server_name.as_deref(),
    )
    .await?;
    let mut unseal = None;
    let mut voter = false;
    if let Some(shares) = &shares {
        unseal = Some(unseal_joined(&session, t, &pod, shares, &task).await?);
        wait_voter(&session, &args.pod, args.timeout, &task).await?;
        voter = true;
        task.finish(&format!(
            "joined, unsealed and a healthy voter ({:.1}s)",
            start.elapsed().as_secs_f64()
        ));
    } else {
        task.finish("joined; still sealed");
    }
    let exit = if voter {
        Exit::Healthy
    } else {
        Exit::Attention
    };
    let seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    match session.format {
        Format::Table => {
            if voter {
                println!(
                    "{} joined the raft cluster (leader {leader_name}), was unsealed, and is a healthy voter ({seconds:.1}s).",
                    args.pod
                );
            } else {
                println!(
                    "{0} joined the raft cluster (leader {leader_name}); it stays sealed until unsealed: kubectl vault-unseal {0} --keys-file …",
                    args.pod
                );
            }
        }
        f => output::print_data(
            f,
            &Report {
                namespace: session.kube.namespace.clone(),
                pod: args.pod.clone(),
                leader: leader_name,
                leader_api_addr: leader_addr,
                joined: true,
                unseal,
                voter,
                seconds,
                exit_code: exit.code(),
            },
        )?,
    }
    Ok(exit)
}
