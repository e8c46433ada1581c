//! `remove-peer NODE_ID`: the runbook's "Remove unhealthy node (from leader)", with the
//! guards the runbook lacks: the node must be a peer, it must not be the leader, and the
//! voters left must still hold a healthy quorum — unless `--force`. Over-eager
//! cleanup loses quorum.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::confirm::Plan;
use vault_shared::output::{self, Format};
use vault_shared::vault::raft::{RaftServer, quorum};

use crate::status::{self, Gathered};
use crate::{Cli, RemovePeerArgs};
use vault_shared::events::Note;
use vault_shared::session::Session;

/// What removing one peer does to the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct Impact {
    pub node_id: String,
    pub address: String,
    pub voter: bool,
    pub pod: Option<String>,
    pub voters_before: usize,
    pub voters_after: usize,
    pub quorum_after: usize,
    /// Voters left that are healthy (autopilot) and whose pod answers.
    pub healthy_after: usize,
    /// How many more voters could be lost afterwards without losing quorum.
    pub failure_tolerance_after: usize,
    pub leader: Option<String>,
}

/// What a token needs to remove a peer the guarded way: read the configuration and
/// autopilot's view of health, then remove.
pub const CAPABILITIES: &[(&str, &str)] = &[
    ("sys/storage/raft/configuration", "read"),
    ("sys/storage/raft/autopilot/state", "read"),
    ("sys/storage/raft/remove-peer", "update"),
];

/// Whether two readings of the same removal agree on what matters to its guards.
fn same_impact(a: &Impact, b: &Impact) -> bool {
    (a.voter, a.voters_before, a.healthy_after, &a.leader, &a.pod)
        == (b.voter, b.voters_before, b.healthy_after, &b.leader, &b.pod)
}

/// Reads leader, configuration and quorum again right before acting (a prompt may have
/// waited long): if any changed since `before` was planned, stops and shows the new plan.
pub async fn recheck(
    session: &Session,
    node_id: &str,
    force: bool,
    leader_before: &str,
    before: &Impact,
) -> Result<()> {
    let g = status::gather(session).await;
    let leader = session.leader(&g.views).map_err(|e| {
        anyhow::anyhow!("the cluster changed after the plan: {e:#}; nothing was changed")
    })?;
    let mut plan = Plan::new(format!("remove raft peer {node_id} (state read again)"));
    let now = check(session, &g, node_id, force, &mut plan).map_err(|e| {
        anyhow::anyhow!("the cluster changed after the plan: {e:#}; nothing was changed")
    })?;
    if leader.name != leader_before || !same_impact(before, &now) {
        plan.step(format!(
            "remove {node_id} through the leader {}: voters {} → {}, {} healthy left, quorum {}",
            leader.name, now.voters_before, now.voters_after, now.healthy_after, now.quorum_after
        ));
        plan.print_dry_run();
        bail!(
            "the cluster changed between the plan and the confirmation (leader {leader_before} → {}, healthy voters left {} → {}): nothing was changed; review the new plan above and run the command again",
            leader.name,
            before.healthy_after,
            now.healthy_after
        );
    }
    Ok(())
}

/// Checks that `node_id` may be removed; returns its impact, or the refusal. `force` turns the
/// leader and quorum refusals into warnings on the plan.
pub fn check(
    session: &Session,
    g: &Gathered,
    node_id: &str,
    force: bool,
    plan: &mut Plan,
) -> Result<Impact> {
    let config = g.require_config()?;
    let Some(server) = config.server(node_id) else {
        let known: Vec<&str> = config.servers.iter().map(|s| s.node_id.as_str()).collect();
        bail!(
            "node {node_id:?} is not a raft peer (peers: {}); see `kubectl vault-raft peers`",
            known.join(", ")
        );
    };
    let peers = status::peers(session, g);
    let healthy = |s: &RaftServer| {
        let p = peers.iter().find(|p| p.server.node_id == s.node_id);
        // Healthy only on autopilot's word: an unreadable autopilot state is no evidence.
        let ap_ok = p.and_then(|p| p.healthy).unwrap_or(false);
        let reachable = p
            .and_then(|p| p.pod.as_ref())
            .is_none_or(|pod| g.views.iter().any(|v| v.pod == *pod && v.unsealed()));
        ap_ok && reachable && p.is_some_and(|p| p.pod.is_some())
    };
    let voters_before = config.voters();
    let voters_after = voters_before - usize::from(server.voter);
    let healthy_after = config
        .servers
        .iter()
        .filter(|s| s.voter && s.node_id != node_id && healthy(s))
        .count();
    let impact = Impact {
        node_id: node_id.to_string(),
        address: server.address.clone(),
        voter: server.voter,
        pod: session.pod_of_node(&server.node_id, &server.address),
        voters_before,
        voters_after,
        quorum_after: quorum(voters_after.max(1)),
        healthy_after,
        failure_tolerance_after: healthy_after.saturating_sub(quorum(voters_after.max(1))),
        leader: config.leader().map(|l| l.node_id.clone()),
    };
    if server.leader {
        let msg = format!(
            "{node_id} is the raft leader; removing it forces an election mid-request: step it down first (`kubectl vault-raft step-down`)"
        );
        if !force {
            bail!("refusing to remove {node_id}: {msg}, or add --force");
        }
        plan.warn(msg);
    }
    if voters_after == 0 {
        bail!("refusing to remove {node_id}: it is the last voter; nothing would be left");
    }
    if server.voter && healthy_after < impact.quorum_after {
        let msg = format!(
            "removing {node_id} leaves {voters_after} voter(s), of which {healthy_after} healthy; quorum needs {}: the cluster would lose quorum",
            impact.quorum_after
        );
        if !force {
            bail!(
                "refusing to remove {node_id}: {msg} (fix the unhealthy voters first, or add --force)"
            );
        }
        plan.warn(msg);
    }
    if server.voter && impact.failure_tolerance_after == 0 {
        plan.warn("failure tolerance drops to 0 until a voter is added back".to_string());
    }
    Ok(impact)
}

/// Whether the raft configuration, read through whichever pod leads, no longer lists
/// `node_id`. Removing the leader itself (--force) makes the others elect a new one first, so
/// the read is retried for a while through the new leader.
async fn gone_from_config(session: &Session, node_id: &str) -> bool {
    let start = std::time::Instant::now();
    loop {
        let views = session.views().await;
        if let Ok(l) = session.leader(&views)
            && let Ok(c) = l.client.raft_configuration().await
            && c.server(node_id).is_none()
        {
            return true;
        }
        if start.elapsed() > std::time::Duration::from_secs(30) {
            return false;
        }
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    }
}

#[derive(Serialize)]
struct Report<'a> {
    namespace: &'a str,
    dry_run: bool,
    plan: &'a Plan,
    impact: &'a Impact,
    removed: bool,
    /// Whether the configuration read back afterwards no longer lists the node.
    verified: Option<bool>,
    exit_code: u8,
}

pub async fn run(cli: &Cli, args: &RemovePeerArgs) -> Result<Exit> {
    let session = Session::connect(&cli.common, &[]).await?;
    session.require_token("remove-peer")?;
    let g = status::gather(&session).await;
    let leader = session.leader(&g.views)?;
    let mut plan = Plan::new(format!("remove raft peer {}", args.node_id));
    let impact = check(&session, &g, &args.node_id, args.force, &mut plan)?;
    session
        .require_capabilities(leader, "remove-peer", CAPABILITIES)
        .await?;
    plan.step(format!(
        "remove {} ({}{}) from the raft configuration through the leader {}",
        impact.node_id,
        impact.address,
        if impact.voter {
            ", voter"
        } else {
            ", non-voter"
        },
        leader.name
    ));
    plan.step(format!(
        "voters {} → {}; quorum {}",
        impact.voters_before, impact.voters_after, impact.quorum_after
    ));
    if let Some(pod) = &impact.pod {
        plan.warn(format!(
            "pod {pod} keeps its raft data and cannot rejoin with it: use `kubectl vault-raft rejoin {pod}` to bring it back"
        ));
    }
    let go = args.confirm.confirm(&plan)?;
    let mut verified = None;
    if go {
        recheck(&session, &args.node_id, args.force, &leader.name, &impact).await?;
        leader
            .client
            .remove_peer(&args.node_id)
            .await
            .map_err(|e| session.explain(e, &format!("remove raft peer {}", args.node_id)))?;
        let subject = impact.pod.clone().unwrap_or_else(|| leader.name.clone());
        session
            .record(
                &subject,
                Note::normal(
                    "RaftPeerRemoved",
                    "RaftPeerRemoved",
                    &format!(
                        "kubectl-vault removed raft peer {} ({}) through leader {}",
                        impact.node_id, impact.address, leader.name
                    ),
                ),
            )
            .await;
        // Vault answers 204 whatever happened: read the configuration back.
        verified = Some(gone_from_config(&session, &args.node_id).await);
    }
    // Done, but one more lost voter would now cost quorum: that needs attention.
    let fragile = verified == Some(true) && impact.voter && impact.failure_tolerance_after == 0;
    let exit = match verified {
        Some(false) => Exit::Attention,
        _ if fragile => Exit::Attention,
        _ => Exit::Healthy,
    };
    if fragile {
        output::warn(&format!(
            "failure tolerance is now 0: losing one more voter loses quorum; add a voter back ({})",
            impact.pod.as_ref().map_or_else(
                || "`kubectl vault-raft join POD`".to_string(),
                |p| format!("`kubectl vault-raft rejoin {p}`")
            )
        ));
    }
    match session.format {
        Format::Table => {
            if !go {
                plan.print_dry_run();
            } else if verified == Some(true) {
                println!(
                    "Removed raft peer {} (voters now {}).",
                    impact.node_id, impact.voters_after
                );
            } else {
                println!(
                    "Asked the leader to remove {}, but the configuration still lists it: check `kubectl vault-raft peers`.",
                    impact.node_id
                );
            }
        }
        f => output::print_data(
            f,
            &Report {
                namespace: &session.kube.namespace,
                dry_run: !go,
                plan: &plan,
                impact: &impact,
                removed: go,
                verified,
                exit_code: exit.code(),
            },
        )?,
    }
    Ok(exit)
}
