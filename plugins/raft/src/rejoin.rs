//! `rejoin POD`: the runbook's "If Node is Unhealthy" (and "If Data is Corrupted") as one
//! verb: remove the peer through the leader, clear the pod's raft data, delete the pod, wait
//! until it is recreated and Running, join it, unseal it, wait until it is a healthy voter.
//!
//! Clearing the data is the step the runbook leaves out: a removed node that restarts with its
//! old raft data accepts the join request but never rejoins — it comes back unsealed, alone,
//! serving stale data. So the data directory is emptied (through exec) after
//! the peer is removed and before the pod is recreated.
//!
//! Each step checks its own result; on failure the command stops and says which steps are
//! done and what to run next.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::access::{self, Right};
use vault_shared::cluster;
use vault_shared::confirm::Plan;
use vault_shared::exec;
use vault_shared::keys;
use vault_shared::output::{self, Format, Progress};
use vault_shared::volumes;

use crate::remove_peer;
use crate::status;
use crate::{Cli, RejoinArgs};
use vault_shared::events::Note;
use vault_shared::procedures::join;
use vault_shared::procedures::steps::{self, StepLog};
use vault_shared::session::Session;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Step {
    RemovePeer,
    ClearData,
    DeletePod,
    WaitRecreated,
    Join,
    Unseal,
    WaitVoter,
}

impl steps::Step for Step {
    fn label(self) -> &'static str {
        match self {
            Step::RemovePeer => "remove the raft peer",
            Step::ClearData => "clear the raft data",
            Step::DeletePod => "delete the pod",
            Step::WaitRecreated => "wait until the pod is recreated and Running",
            Step::Join => "join the raft cluster",
            Step::Unseal => "unseal",
            Step::WaitVoter => "wait until it is a healthy voter",
        }
    }

    fn next(self, pod: &str) -> String {
        match self {
            Step::RemovePeer => format!(
                "see `kubectl vault-raft status`; once it shows a leader, retry `kubectl vault-raft rejoin {pod}` (it skips the removal if the peer is already gone)"
            ),
            Step::ClearData => format!(
                "the peer is removed but {pod} still holds its old raft data and must not be unsealed with it: clear it (delete the PVC data-{pod} and the pod), then `kubectl vault-raft join {pod} --keys-file …`; or retry `kubectl vault-raft rejoin {pod}`"
            ),
            Step::DeletePod => format!(
                "the peer is removed and its data cleared: `kubectl delete pod {pod}`, then `kubectl vault-raft join {pod} --keys-file …`"
            ),
            Step::WaitRecreated => format!(
                "check `kubectl get pod {pod}` and `kubectl get events --field-selector involvedObject.name={pod}`; once it runs: `kubectl vault-raft join {pod} --keys-file …`"
            ),
            Step::Join => {
                format!("fix the cause, then `kubectl vault-raft join {pod} --keys-file …`")
            }
            Step::Unseal => format!("`kubectl vault-unseal {pod} --keys-file …`"),
            Step::WaitVoter => "it is joined and unsealed; watch `kubectl vault-raft status` (autopilot promotes it once stable)".to_string(),
        }
    }

    fn number(self) -> usize {
        self as usize + 1
    }
}

/// What rejoin does in Kubernetes: clear the data (exec; WebSocket exec is authorised as `get`,
/// SPDY as `create`), delete the pod, record Events.
const RIGHTS: &[Right] = &[
    Right::new("", "pods/exec", "create"),
    Right::new("", "pods/exec", "get"),
    Right::new("", "pods", "delete"),
    Right::new("events.k8s.io", "events", "create"),
];

/// A rejoin that cannot unseal stops half-way, with the peer removed and its data gone: too
/// few shares (or a threshold no pod reports) refuses before anything changes.
fn enough_shares(given: usize, threshold: Option<u32>, pod: &str) -> Result<()> {
    let Some(t) = threshold else {
        bail!(
            "no pod reports the unseal threshold, so the keys given cannot be checked before {pod} is wiped; nothing was changed"
        );
    };
    if given < t as usize {
        bail!(
            "rejoin needs {t} unseal key shares to unseal {pod} afterwards, {given} given; nothing was changed"
        );
    }
    Ok(())
}

#[derive(Debug, Serialize)]
struct Report {
    namespace: String,
    pod: String,
    dry_run: bool,
    plan: Plan,
    done: Vec<Step>,
    seconds: f64,
    exit_code: u8,
}

pub async fn run(cli: &Cli, args: &RejoinArgs) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("rejoin")?;
    let pod_name = args.pod.as_str();
    let pod = session.known_pod(pod_name)?.clone();
    let g = status::gather(&session).await;
    let leader = session.leader(&g.views)?;
    if leader.name == pod_name {
        bail!(
            "{pod_name} is the leader: step it down first (`kubectl vault-raft step-down`), then rejoin it"
        );
    }
    let leader_name = leader.name.clone();
    // What it could not read it does not guess: an unreadable configuration is not "not a
    // member", and a token that cannot remove the peer must not get as far as the wipe.
    g.require_config()?;
    session
        .require_capabilities(leader, "rejoin", remove_peer::CAPABILITIES)
        .await?;
    access::require(&session.kube, "rejoin", RIGHTS).await?;
    let view = g.views.iter().find(|v| v.pod == pod_name);
    let peers = status::peers(session.pods(), &g);
    let member = peers
        .iter()
        .find(|p| p.pod.as_deref() == Some(pod_name))
        .map(|p| p.server.node_id.clone());
    let mut plan = Plan::new(format!("rejoin {pod_name}"));
    let mut impact = None;
    if let Some(node) = &member {
        impact = Some(remove_peer::check(
            session.pods(),
            &g,
            node,
            args.force,
            &mut plan,
        )?);
        plan.step(format!(
            "remove raft peer {node} through the leader {leader_name}"
        ));
    } else {
        plan.step(format!(
            "(skip) {pod_name} is not in the raft configuration: nothing to remove"
        ));
    }
    let data_dir = args
        .data_dir
        .clone()
        .or_else(|| volumes::data_volume(&pod).map(|v| v.mount_path))
        .unwrap_or_else(|| volumes::DEFAULT_DATA_DIR.to_string());
    let data_dir = data_dir.trim_end_matches('/').to_string();
    // An uninitialised pod (lost volume) has nothing to clear.
    let clear = view.is_none_or(|v| v.initialized != Some(false));
    if clear {
        plan.step(format!(
            "clear its raft data: {data_dir}/raft and {data_dir}/vault.db (exec rm in {pod_name})"
        ));
        plan.warn(format!(
            "{pod_name}'s raft data is deleted; the other voters hold the same data"
        ));
    } else {
        plan.step(format!(
            "(skip) {pod_name} is uninitialised: no raft data to clear"
        ));
    }
    plan.step(format!(
        "delete pod {pod_name}; the StatefulSet recreates it"
    ));
    plan.step(format!(
        "wait until {pod_name} is recreated and Running (timeout {:?})",
        args.timeout
    ));
    plan.step(format!("join it to the leader {leader_name}"));
    plan.step("unseal it with the keys given");
    plan.step("wait until it is a healthy voter and Ready");
    // Keys before anything changes, since a rejoin that cannot unseal stops half-way: a key
    // file is read (and checked) first; a prompt comes after the plan is confirmed.
    let interactive = std::io::stdin().is_terminal() && session.format == Format::Table;
    let mut shares = if args.confirm.dry_run {
        None
    } else {
        keys::load(&args.keys, Some(&session.kube)).await?
    };
    if let Some(given) = &shares {
        enough_shares(given.len(), join::threshold(&g.views), pod_name)?;
    }
    if !args.confirm.dry_run && shares.is_none() && !interactive {
        bail!(
            "rejoin needs the unseal keys to unseal {pod_name} after it rejoins: give --keys-file PATH (- for stdin) or --keys-secret NAME; nothing was changed"
        );
    }
    let go = args.confirm.confirm(&plan)?;
    let start = Instant::now();
    let mut done = Vec::new();
    if go && let (Some(node), Some(before)) = (&member, &impact) {
        // A prompt may have waited long: leader, configuration and quorum read again.
        remove_peer::recheck(&session, node, args.force, &leader_name, before).await?;
    }
    if go {
        if shares.is_none() {
            shares = join::shares(&session, &args.keys, join::threshold(&g.views)).await?;
        }
        let Some(shares) = shares else {
            bail!("no unseal keys were given; nothing was changed");
        };
        let progress = Progress::new();
        let mut r = StepLog::new("rejoin", pod_name, 7, progress.task(pod_name));
        session.record_on(&pod, Note::normal("RaftRejoin", "RaftRejoin", &format!(
                "kubectl-vault starts rejoining this pod to the raft cluster (leader {leader_name})"
            ),
        ))
        .await;

        if let Some(node) = &member {
            r.start(Step::RemovePeer);
            let removed = async {
                remove_peer::remove(&session, leader, node).await?;
                let config = leader
                    .client
                    .raft_configuration()
                    .await
                    .map_err(|e| session.explain(e, "read the raft configuration"))?;
                if config.server(node).is_some() {
                    bail!("the leader still lists {node} after remove-peer");
                }
                session.record_on(&pod, Note::normal("RaftPeerRemoved", "RaftPeerRemoved", &format!("kubectl-vault removed raft peer {node} through leader {leader_name}"),
                ))
                .await;
                Ok(())
            }
            .await;
            removed.map_err(|e| r.failed(Step::RemovePeer, e))?;
            r.done.push(Step::RemovePeer);
        }

        if clear {
            r.start(Step::ClearData);
            let raft = format!("{data_dir}/raft");
            let db = format!("{data_dir}/vault.db");
            let cleared = async {
                let out = exec::run(
                    &session.kube,
                    pod_name,
                    None,
                    &["rm", "-rf", "--", &raft, &db],
                    Duration::from_secs(60),
                )
                .await?;
                if !out.success {
                    bail!(
                        "rm in {pod_name} failed: {}",
                        out.stderr
                            .lines()
                            .next()
                            .or(out.message.as_deref())
                            .unwrap_or("no message")
                    );
                }
                session
                    .record_on(
                        &pod,
                        Note::warning(
                            "RaftDataCleared",
                            "RaftDataCleared",
                            &format!(
                                "kubectl-vault deleted {raft} and {db} so the node can rejoin raft"
                            ),
                        ),
                    )
                    .await;
                Ok(())
            }
            .await;
            cleared.map_err(|e| r.failed(Step::ClearData, e))?;
            r.done.push(Step::ClearData);
        }

        r.start(Step::DeletePod);
        session
            .kube
            .delete_pod(pod_name)
            .await
            .map_err(|e| r.failed(Step::DeletePod, e))?;
        r.done.push(Step::DeletePod);

        r.start(Step::WaitRecreated);
        let recreated = async {
            let new_pod = session
                .kube
                .wait_recreated(pod_name, cluster::uid(&pod), args.timeout)
                .await?;
            let t = session.fresh_target(new_pod.clone()).await?;
            // The server needs a moment to listen; it must come up without raft data.
            let deadline = Instant::now() + args.timeout;
            let st = loop {
                match t.client.seal_status().await {
                    Ok(st) => break st,
                    Err(e) if Instant::now() > deadline => return Err(anyhow!("{e}")),
                    Err(_) => tokio::time::sleep(Duration::from_millis(300)).await,
                }
            };
            if st.initialized {
                bail!(
                    "{pod_name} came back with raft data (initialised); the data was not cleared from {data_dir} (give --data-dir if it lives elsewhere)"
                );
            }
            Ok((new_pod, t))
        }
        .await;
        let (new_pod, t) = recreated.map_err(|e| r.failed(Step::WaitRecreated, e))?;
        r.done.push(Step::WaitRecreated);

        r.start(Step::Join);
        let joined = async {
            // The leader may have changed while the pod was away.
            let views = session.views().await;
            let l = session.leader(&views)?;
            let addr = views
                .iter()
                .find(|v| v.pod == l.name)
                .and_then(|v| v.leader_address.clone())
                .ok_or_else(|| anyhow!("the leader {} does not say its API address", l.name))?;
            join::join(&session, &t, &new_pod, &addr, None).await
        }
        .await;
        joined.map_err(|e| r.failed(Step::Join, e))?;
        r.done.push(Step::Join);

        r.start(Step::Unseal);
        join::unseal_joined(&session, &t, &new_pod, &shares, &r.task)
            .await
            .map_err(|e| r.failed(Step::Unseal, e))?;
        r.done.push(Step::Unseal);

        r.start(Step::WaitVoter);
        join::wait_voter(&session, pod_name, args.timeout, &r.task)
            .await
            .map_err(|e| r.failed(Step::WaitVoter, e))?;
        r.done.push(Step::WaitVoter);
        r.task.finish(&format!(
            "rejoined: a healthy voter again ({:.1}s)",
            start.elapsed().as_secs_f64()
        ));
        done = r.done;
    }
    let seconds = (start.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    match session.format {
        Format::Table => {
            if go {
                println!(
                    "{pod_name} rejoined the raft cluster and is a healthy voter again ({seconds:.1}s)."
                );
            } else {
                plan.print_dry_run();
            }
        }
        f => output::print_data(
            f,
            &Report {
                namespace: session.kube.namespace.clone(),
                pod: pod_name.to_string(),
                dry_run: !go,
                plan,
                done,
                seconds,
                exit_code: 0,
            },
        )?,
    }
    Ok(Exit::Healthy)
}
