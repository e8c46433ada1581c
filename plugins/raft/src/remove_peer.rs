//! `remove-peer NODE_ID`: the runbook's "Remove unhealthy node (from leader)", with the
//! guards the runbook lacks: the node must be a peer, it must not be the leader, and the
//! voters left must still hold a healthy quorum — unless `--force`. Over-eager
//! cleanup loses quorum.

use anyhow::{Result, bail};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::cluster::Pods;
use vault_shared::confirm::Plan;
use vault_shared::output::{self, Format};
use vault_shared::vault::raft::{RaftServer, quorum};

use crate::status::{self, Gathered};
use crate::{Cli, RemovePeerArgs};
use vault_shared::events::Note;
use vault_shared::session::Session;
use vault_shared::target::Target;

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
    let now = check(session.pods(), &g, node_id, force, &mut plan).map_err(|e| {
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
    pods: Pods,
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
    let peers = status::peers(pods, g);
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
        pod: pods.of_node(&server.node_id, &server.address),
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

/// Removes `node_id` through `leader`. Vault may answer an error after the change was
/// applied (500 "leadership lost while committing log": the leader stepped down with the
/// removal in its log), so an error is only a failure when the configuration, read again
/// through whichever pod then leads, still lists the node; when it cannot be read, the error
/// says the removal may have happened.
pub async fn remove(session: &Session, leader: &Target, node_id: &str) -> Result<()> {
    let Err(e) = leader.client.remove_peer(node_id).await else {
        return Ok(());
    };
    let e = session.explain(e, &format!("remove raft peer {node_id}"));
    match listed(session, node_id).await {
        Some(false) => {
            output::warn(&format!(
                "{e:#}; but the raft configuration read again no longer lists {node_id}: it was removed"
            ));
            Ok(())
        }
        Some(true) => Err(e),
        None => bail!(
            "{e:#}; the removal may still have been applied (no leader answered afterwards): check `kubectl vault-raft peers` before retrying"
        ),
    }
}

/// Whether the raft configuration still lists `node_id`, read through whichever pod leads
/// until it no longer does or 30 s have passed (removing the leader itself makes the others
/// elect a new one first). None: no leader answered.
async fn listed(session: &Session, node_id: &str) -> Option<bool> {
    let start = std::time::Instant::now();
    let mut last = None;
    loop {
        let views = session.views().await;
        if let Ok(l) = session.leader(&views)
            && let Ok(c) = l.client.raft_configuration().await
        {
            last = Some(c.server(node_id).is_some());
            if last == Some(false) {
                return last;
            }
        }
        if start.elapsed() > std::time::Duration::from_secs(30) {
            return last;
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
    let impact = check(session.pods(), &g, &args.node_id, args.force, &mut plan)?;
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
        remove(&session, leader, &args.node_id).await?;
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
        verified = Some(listed(&session, &args.node_id).await == Some(false));
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixture::*;

    /// The guard's verdict on removing `node` from `g` over three pods.
    fn judge(g: &Gathered, node: &str, force: bool) -> (Result<Impact>, Plan) {
        let pods = pods(3);
        let mut plan = Plan::new("test");
        let r = check(Pods(&pods), g, node, force, &mut plan);
        (r, plan)
    }

    fn refusal(g: &Gathered, node: &str, force: bool) -> String {
        match judge(g, node, force).0 {
            Ok(i) => panic!("removing {node} was allowed: {i:?}"),
            Err(e) => format!("{e:#}"),
        }
    }

    #[test]
    fn a_healthy_follower_may_go_and_the_impact_says_what_is_left() {
        let (r, plan) = judge(&healthy(), "vault-2", false);
        let i = r.expect("allowed");
        assert_eq!(i.pod.as_deref(), Some("vault-2"));
        assert!(i.voter);
        assert_eq!((i.voters_before, i.voters_after), (3, 2));
        assert_eq!((i.quorum_after, i.healthy_after), (2, 2));
        assert_eq!(i.failure_tolerance_after, 0);
        assert_eq!(i.leader.as_deref(), Some("vault-0"));
        assert_eq!(i.address, format!("{}:8201", ip("vault-2")));
        assert_eq!(
            plan.warnings,
            vec!["failure tolerance drops to 0 until a voter is added back"]
        );
    }

    #[test]
    fn an_unknown_node_is_refused_with_the_peers_named() {
        let e = refusal(&healthy(), "vault-7", true);
        assert!(e.contains("\"vault-7\" is not a raft peer"), "{e}");
        assert!(e.contains("vault-0, vault-1, vault-2"), "{e}");
    }

    #[test]
    fn an_unreadable_configuration_refuses() {
        let mut g = healthy();
        g.config = None;
        let e = refusal(&g, "vault-2", true);
        assert!(e.contains("cannot read the raft configuration"), "{e}");
    }

    #[test]
    fn the_leader_only_with_force_and_then_with_a_warning() {
        let e = refusal(&healthy(), "vault-0", false);
        assert!(e.contains("vault-0 is the raft leader"), "{e}");
        assert!(e.contains("--force"), "{e}");
        let (r, plan) = judge(&healthy(), "vault-0", true);
        r.expect("forced");
        assert!(
            plan.warnings[0].starts_with("vault-0 is the raft leader"),
            "{plan:?}"
        );
    }

    #[test]
    fn removing_a_voter_that_would_cost_quorum_is_refused_unless_forced() {
        // vault-1 is unhealthy: removing vault-2 leaves 2 voters, 1 healthy, quorum 2.
        let mut g = healthy();
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", false, 100),
            ("vault-2", true, 100),
        ]));
        let e = refusal(&g, "vault-2", false);
        assert!(e.contains("of which 1 healthy; quorum needs 2"), "{e}");
        let (r, plan) = judge(&g, "vault-2", true);
        assert_eq!(r.expect("forced").healthy_after, 1);
        assert!(plan.warnings[0].contains("would lose quorum"), "{plan:?}");
        // The unhealthy one itself may go: the two left are healthy.
        assert_eq!(
            judge(&g, "vault-1", false)
                .0
                .expect("allowed")
                .healthy_after,
            2
        );
    }

    #[test]
    fn health_is_taken_only_on_evidence() {
        // No autopilot state: no voter counts as healthy, so nothing passes the quorum guard.
        let mut g = healthy();
        g.autopilot = None;
        let e = refusal(&g, "vault-2", false);
        assert!(e.contains("of which 0 healthy"), "{e}");
        // Autopilot says healthy but the pod is sealed: not healthy.
        let mut g = healthy();
        g.views[1] = sealed("vault-1");
        let e = refusal(&g, "vault-2", false);
        assert!(e.contains("of which 1 healthy"), "{e}");
        // A voter with no pod behind it is not healthy either.
        g = healthy();
        g.config = Some(config(&[
            ("vault-0", "vault-0", true, true),
            ("vault-1", "vault-1", false, true),
            ("vault-9", "10.9.9.9", false, true),
        ]));
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", true, 100),
            ("vault-9", true, 100),
        ]));
        let e = refusal(&g, "vault-1", false);
        assert!(e.contains("of which 1 healthy"), "{e}");
    }

    #[test]
    fn a_non_voter_leaves_the_voters_alone() {
        let mut g = healthy();
        g.config = Some(config(&[
            ("vault-0", "vault-0", true, true),
            ("vault-1", "vault-1", false, false),
            ("vault-2", "vault-2", false, true),
        ]));
        let (r, plan) = judge(&g, "vault-1", false);
        let i = r.expect("allowed");
        assert!(!i.voter);
        assert_eq!((i.voters_before, i.voters_after), (2, 2));
        assert!(plan.warnings.is_empty(), "{plan:?}");
    }

    #[test]
    fn the_last_voter_is_refused_even_with_force() {
        let mut g = healthy();
        g.config = Some(config(&[("vault-0", "vault-0", true, true)]));
        let e = refusal(&g, "vault-0", true);
        assert!(e.contains("it is the last voter"), "{e}");
    }

    #[test]
    fn two_readings_agree_only_when_the_guarded_facts_do() {
        let before = judge(&healthy(), "vault-2", false).0.unwrap();
        assert!(same_impact(
            &before,
            &judge(&healthy(), "vault-2", false).0.unwrap()
        ));
        let mut g = healthy();
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", false, 100),
            ("vault-2", true, 100),
        ]));
        let after = judge(&g, "vault-2", true).0.unwrap();
        assert!(!same_impact(&before, &after));
    }
}
