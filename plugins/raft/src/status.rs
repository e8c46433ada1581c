//! `status`: the cluster as every pod sees it (sealed, its leader, indexes), the raft
//! configuration and autopilot state from the leader, and what needs attention: no leader,
//! split views, stale voters, pods not joined, node-ID drift, lagging followers, lowered
//! failure tolerance. The runbook's steps 1–2 of "Leader Election Failure" and step 1 of
//! "Storage Backend Issues", for every pod at once.

use anyhow::{Result, anyhow};
use serde::Serialize;
use vault_shared::Exit;
use vault_shared::cluster::{self, Pods};
use vault_shared::findings;
use vault_shared::ha::{self, LeaderState, NodeView};
use vault_shared::output::{self, Format, Styled, Tone};
use vault_shared::target::Target;
use vault_shared::vault::ErrorKind;
use vault_shared::vault::autopilot::{AutopilotConfig, AutopilotState, go_duration_secs};
use vault_shared::vault::raft::{RaftConfiguration, RaftServer, quorum};

use crate::{Cli, StatusArgs};
use vault_shared::session::Session;

#[derive(Debug, Clone, Serialize)]
pub struct PodRow {
    pub pod: String,
    pub ip: Option<String>,
    pub ready: Option<bool>,
    pub reachable: bool,
    pub initialized: Option<bool>,
    pub sealed: Option<bool>,
    /// leader, standby, sealed, uninitialized or unreachable.
    pub role: String,
    /// The leader as this pod sees it (a pod name, else the address).
    pub sees_leader: Option<String>,
    /// The raft node this pod is, from the configuration.
    pub node_id: Option<String>,
    pub voter: Option<bool>,
    pub term: Option<u64>,
    pub commit_index: Option<u64>,
    pub applied_index: Option<u64>,
    /// Autopilot's verdict on this node.
    pub healthy: Option<bool>,
    pub last_contact: Option<String>,
    pub error: Option<String>,
}

/// A raft server with the pod behind it.
#[derive(Debug, Clone, Serialize)]
pub struct Peer {
    #[serde(flatten)]
    pub server: RaftServer,
    pub pod: Option<String>,
    pub healthy: Option<bool>,
    pub status: Option<String>,
    pub last_contact: Option<String>,
    pub last_index: Option<u64>,
    pub last_term: Option<u64>,
}

vault_shared::finding_kinds! {
    /// What `status` flags; serialised to the names the README documents.
    pub enum RaftFinding {
        NoLeader => "no_leader",
        LeaderUnreachable => "leader_unreachable",
        SplitBrain => "split_brain",
        Unreachable => "unreachable",
        Sealed => "sealed",
        DataLost => "data_lost",
        NotJoined => "not_joined",
        StalePeer => "stale_peer",
        NodeIdDrift => "node_id_drift",
        AddressDrift => "address_drift",
        Lagging => "lagging",
        Unhealthy => "unhealthy",
        NonVoter => "non_voter",
        FailureTolerance => "failure_tolerance",
        RaftUnavailable => "raft_unavailable",
    }
}

pub type Finding = findings::Finding<RaftFinding>;

#[derive(Debug, Clone, Serialize)]
pub struct Raft {
    /// The pod the configuration was read through.
    pub read_from: String,
    pub peers: Vec<Peer>,
    pub voters: usize,
    pub quorum: usize,
    pub failure_tolerance: Option<i64>,
    pub autopilot_healthy: Option<bool>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub namespace: String,
    pub leader: LeaderState,
    pub pods: Vec<PodRow>,
    pub raft: Option<Raft>,
    pub findings: Vec<Finding>,
    pub exit_code: u8,
}

/// Everything status gathers; `peers` and the other subcommands reuse it.
pub struct Gathered {
    pub views: Vec<NodeView>,
    pub leader: LeaderState,
    pub read_from: Option<String>,
    pub config: Option<RaftConfiguration>,
    pub autopilot: Option<AutopilotState>,
    pub autopilot_config: Option<AutopilotConfig>,
    /// Why the raft configuration could not be read.
    pub raft_error: Option<String>,
    /// What kind of failure that was, when Vault refused.
    pub raft_error_kind: Option<ErrorKind>,
}

impl Gathered {
    /// The raft configuration, or why it could not be read: a guard never reads an
    /// unreadable configuration as "no peers".
    pub fn require_config(&self) -> Result<&RaftConfiguration> {
        self.config.as_ref().ok_or_else(|| {
            anyhow!(
                "cannot read the raft configuration, so refusing to act on it: {}; nothing was changed",
                self.raft_error.as_deref().unwrap_or("unknown reason")
            )
        })
    }
}

/// Per-pod views, then the raft configuration and autopilot state through the leader (or,
/// without one, through any unsealed pod: a standby forwards while it still has a leader).
pub async fn gather(session: &Session) -> Gathered {
    let views = session.views().await;
    let leader = ha::leader_state(&views);
    let via: Option<&Target> = leader
        .active()
        .and_then(|p| session.target(p).ok())
        .or_else(|| {
            views
                .iter()
                .filter(|v| v.unsealed())
                .find_map(|v| session.target(&v.pod).ok())
        });
    let mut g = Gathered {
        views,
        leader,
        read_from: via.map(|t| t.name.clone()),
        config: None,
        autopilot: None,
        autopilot_config: None,
        raft_error: None,
        raft_error_kind: None,
    };
    let Some(t) = via else {
        g.raft_error = Some("no unsealed pod answers, so nothing can be read from raft".into());
        return g;
    };
    let (config, state, ap_config) = tokio::join!(
        t.client.raft_configuration(),
        t.client.autopilot_state(),
        t.client.autopilot_config()
    );
    match config {
        Ok(c) => g.config = Some(c),
        Err(e) => {
            g.raft_error_kind = Some(e.kind());
            g.raft_error = Some(format!(
                "{:#}",
                session.explain(e, "read the raft configuration")
            ))
        }
    }
    g.autopilot = state.ok();
    g.autopilot_config = ap_config.ok();
    g
}

/// The peers with the pod behind each and autopilot's view of it.
pub fn peers(pods: Pods, g: &Gathered) -> Vec<Peer> {
    let Some(config) = &g.config else {
        return Vec::new();
    };
    config
        .servers
        .iter()
        .map(|s| {
            let ap = g.autopilot.as_ref().and_then(|a| a.servers.get(&s.node_id));
            Peer {
                server: s.clone(),
                pod: pods.of_node(&s.node_id, &s.address),
                healthy: ap.map(|a| a.healthy),
                status: ap.map(|a| a.status.clone()),
                last_contact: ap.and_then(|a| a.last_contact.clone()),
                last_index: ap.map(|a| a.last_index),
                last_term: ap.map(|a| a.last_term),
            }
        })
        .collect()
}

fn rows(session: &Session, g: &Gathered, peers: &[Peer]) -> Vec<PodRow> {
    g.views
        .iter()
        .map(|v| {
            let peer = peers.iter().find(|p| p.pod.as_deref() == Some(&v.pod));
            let role = if !v.reachable {
                "unreachable"
            } else if v.initialized == Some(false) {
                "uninitialized"
            } else if v.sealed == Some(true) {
                "sealed"
            } else if v.is_self {
                "leader"
            } else {
                "standby"
            };
            PodRow {
                pod: v.pod.clone(),
                ip: v.pod_ip.clone(),
                ready: session.pod(&v.pod).map(cluster::is_ready),
                reachable: v.reachable,
                initialized: v.initialized,
                sealed: v.sealed,
                role: role.into(),
                sees_leader: v.leader_pod.clone().or(v.leader_address.clone()),
                node_id: peer.map(|p| p.server.node_id.clone()),
                voter: peer.map(|p| p.server.voter),
                term: peer.and_then(|p| p.last_term),
                commit_index: v.committed_index,
                applied_index: v.applied_index,
                healthy: peer.and_then(|p| p.healthy),
                last_contact: peer.and_then(|p| p.last_contact.clone()),
                error: v.error.clone(),
            }
        })
        .collect()
}

/// What needs attention. `partial` is set when only some pods were selected: then pods not
/// selected are not reported missing, and a leader outside the selection is not suspect.
pub fn findings(pods: Pods, g: &Gathered, peers: &[Peer], partial: bool) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut add = |kind: RaftFinding, subject: &str, message: String, next: Option<String>| {
        out.push(Finding::new(kind, subject, message, next))
    };
    let config_leader = g
        .config
        .as_ref()
        .and_then(|c| c.leader())
        .and_then(|s| pods.of_node(&s.node_id, &s.address));
    match &g.leader {
        LeaderState::Active { .. } => {}
        LeaderState::Unconfirmed { pod } if partial && config_leader.as_deref() == Some(pod) => {}
        LeaderState::Unconfirmed { pod } => add(
            RaftFinding::LeaderUnreachable,
            pod,
            format!("the pods name {pod} as leader, but it does not answer as the active node"),
            Some(format!(
                "wait for an election, or force one: kubectl vault-raft step-down --all; if {pod} stays hung: kubectl vault-raft rejoin {pod}"
            )),
        ),
        LeaderState::None => add(
            RaftFinding::NoLeader,
            "cluster",
            "no unsealed pod is the active node".into(),
            Some(
                "kubectl vault-raft step-down --all (after unsealing: kubectl vault-unseal)".into(),
            ),
        ),
        LeaderState::Split { pods } => add(
            RaftFinding::SplitBrain,
            "cluster",
            format!("the pods disagree about the leader: {}", pods.join(", ")),
            Some("kubectl vault-raft step-down --all".into()),
        ),
    }
    for v in &g.views {
        if !v.reachable {
            add(
                RaftFinding::Unreachable,
                &v.pod,
                format!(
                    "its Vault API does not answer: {}",
                    v.error.as_deref().unwrap_or("no answer")
                ),
                Some(format!(
                    "kubectl logs {0}; if it stays unhealthy: kubectl vault-raft rejoin {0}",
                    v.pod
                )),
            );
        }
    }
    let Some(config) = &g.config else {
        add(
            RaftFinding::RaftUnavailable,
            "cluster",
            format!(
                "the raft configuration could not be read: {}",
                g.raft_error.as_deref().unwrap_or("unknown reason")
            ),
            None,
        );
        return out;
    };
    // Peers: is there a pod behind each, and is it the right one?
    for p in peers {
        let s = &p.server;
        let at = ha::pod_for_address(&s.address, pods.refs());
        if pods.get(&s.node_id).is_some() {
            // The chart names raft nodes after their pods: the address must be that pod's.
            let drift = match (&at, pods.get(&s.node_id).and_then(cluster::pod_ip)) {
                (Some(other), _) if *other != s.node_id => {
                    Some(format!("which is pod {other}'s address"))
                }
                (None, Some(ip)) if s.host().parse::<std::net::IpAddr>().is_ok() => {
                    Some(format!("but pod {}'s IP is {ip}", s.node_id))
                }
                _ => None,
            };
            if let Some(why) = drift {
                add(
                    RaftFinding::AddressDrift,
                    &s.node_id,
                    format!("raft lists node {} at {}, {why}", s.node_id, s.address),
                    Some(format!("kubectl vault-raft rejoin {}", s.node_id)),
                );
            }
        } else if let Some(pod) = at {
            add(
                RaftFinding::NodeIdDrift,
                &s.node_id,
                format!(
                    "pod {pod} is raft node {:?}, not {pod:?}: node IDs no longer follow pod names (check the raft node_id / VAULT_RAFT_NODE_ID setting)",
                    s.node_id
                ),
                None,
            );
        } else {
            add(
                RaftFinding::StalePeer,
                &s.node_id,
                format!(
                    "raft peer {} ({}) has no pod behind it: a stale {} lowering failure tolerance",
                    s.node_id,
                    s.address,
                    if s.voter { "voter" } else { "peer" }
                ),
                Some(format!("kubectl vault-raft remove-peer {}", s.node_id)),
            );
        }
        if p.healthy == Some(false)
            && p.pod
                .as_ref()
                .is_none_or(|pod| g.views.iter().any(|v| v.pod == *pod && v.reachable))
        {
            add(
                RaftFinding::Unhealthy,
                &s.node_id,
                format!(
                    "autopilot reports node {} unhealthy (last contact {})",
                    s.node_id,
                    p.last_contact.as_deref().unwrap_or("unknown")
                ),
                p.pod
                    .as_ref()
                    .map(|pod| format!("if it does not recover: kubectl vault-raft rejoin {pod}")),
            );
        }
        // The configuration decides who votes; autopilot's status lags it after a promotion.
        if !s.voter {
            add(
                RaftFinding::NonVoter,
                &s.node_id,
                format!(
                    "node {} is not a voter yet (autopilot promotes it once it is stable)",
                    s.node_id
                ),
                None,
            );
        }
    }
    // Lagging followers: further behind the leader than autopilot tolerates.
    let max_lag = g
        .autopilot_config
        .as_ref()
        .map(|c| c.max_trailing_logs)
        .filter(|n| *n > 0)
        .unwrap_or(1000);
    let leader_index = peers
        .iter()
        .find(|p| p.server.leader)
        .and_then(|p| p.last_index);
    if let Some(li) = leader_index {
        for p in peers.iter().filter(|p| !p.server.leader) {
            if let Some(i) = p.last_index
                && li.saturating_sub(i) > max_lag
            {
                add(
                    RaftFinding::Lagging,
                    &p.server.node_id,
                    format!(
                        "node {} is {} entries behind the leader (autopilot tolerates {max_lag})",
                        p.server.node_id,
                        li - i
                    ),
                    None,
                );
            }
        }
    }
    // Pods: sealed, joined, data lost.
    for v in g.views.iter().filter(|v| v.reachable) {
        let member = peers.iter().any(|p| p.pod.as_deref() == Some(&v.pod));
        match (v.initialized, v.sealed, member) {
            (Some(false), _, true) => add(
                RaftFinding::DataLost,
                &v.pod,
                format!(
                    "{} is uninitialised but raft still lists it: its data is gone (lost volume?)",
                    v.pod
                ),
                Some(format!(
                    "kubectl vault-raft rejoin {0} (or: kubectl vault-raft join {0})",
                    v.pod
                )),
            ),
            (Some(false), _, false) => add(
                RaftFinding::NotJoined,
                &v.pod,
                format!(
                    "{} is uninitialised and not in the raft configuration",
                    v.pod
                ),
                Some(format!("kubectl vault-raft join {}", v.pod)),
            ),
            (_, Some(false), false) => add(
                RaftFinding::NotJoined,
                &v.pod,
                format!(
                    "{} is unsealed but not in the raft configuration (removed earlier? it serves stale data)",
                    v.pod
                ),
                Some(format!("kubectl vault-raft rejoin {}", v.pod)),
            ),
            (_, Some(true), _) => add(
                RaftFinding::Sealed,
                &v.pod,
                format!("{} is sealed", v.pod),
                Some(format!("kubectl vault-unseal {}", v.pod)),
            ),
            _ => {}
        }
    }
    // Failure tolerance: what autopilot says against what this many pods should give.
    if !partial {
        let expected = (pods.len().saturating_sub(1) / 2) as i64;
        if let Some(tolerance) = config.failure_tolerance(g.autopilot.as_ref())
            && tolerance < expected
        {
            add(
                RaftFinding::FailureTolerance,
                "cluster",
                format!(
                    "failure tolerance is {tolerance} with {} pods (expected {expected}) and {} voter(s) in the raft configuration",
                    pods.len(),
                    config.voters()
                ),
                None,
            );
        }
    }
    out
}

pub fn build(session: &Session, g: &Gathered, partial: bool) -> Report {
    let peers = peers(session.pods(), g);
    let findings = findings(session.pods(), g, &peers, partial);
    let raft = g.config.as_ref().map(|c| Raft {
        read_from: g.read_from.clone().unwrap_or_default(),
        voters: c.voters(),
        quorum: quorum(c.voters()),
        failure_tolerance: c.failure_tolerance(g.autopilot.as_ref()),
        autopilot_healthy: g.autopilot.as_ref().map(|a| a.healthy),
        peers: peers.clone(),
    });
    let exit = findings::exit(&findings);
    Report {
        namespace: session.kube.namespace.clone(),
        leader: g.leader.clone(),
        pods: rows(session, g, &peers),
        raft,
        findings,
        exit_code: exit.code(),
    }
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|x| x.to_string()).unwrap_or_else(|| "-".into())
}

/// A Go duration shortened for a table: `4.602801039s` → `4.6s`.
pub fn short_duration(d: &str) -> String {
    match go_duration_secs(d) {
        Some(s) if s < 60.0 => format!("{s:.1}s"),
        Some(s) => format!("{:.0}m", s / 60.0),
        None => d.to_string(),
    }
}

pub fn pods_table(rows: &[PodRow]) -> String {
    let table_rows = rows
        .iter()
        .map(|r| {
            let sealed = match r.sealed {
                Some(true) => Styled::new("true", Tone::Bad),
                Some(false) => Styled::new("false", Tone::Good),
                None => Styled::new("-", Tone::Warn),
            };
            let role = Styled::new(
                r.role.clone(),
                match r.role.as_str() {
                    "leader" => Tone::Good,
                    "standby" => Tone::Plain,
                    _ => Tone::Bad,
                },
            );
            let healthy = output::bool_cell(r.healthy);
            let row: Vec<Styled> = vec![
                r.pod.clone().into(),
                output::ready_cell(r.ready),
                sealed,
                role,
                opt(r.sees_leader.clone()).into(),
                opt(r.voter).into(),
                opt(r.term).into(),
                opt(r.commit_index).into(),
                opt(r.applied_index).into(),
                healthy,
                opt(r.last_contact.as_deref().map(short_duration)).into(),
            ];
            (row, r.error.clone())
        })
        .collect();
    output::table_with_errors(
        &[
            "pod",
            "ready",
            "sealed",
            "role",
            "leader",
            "voter",
            "term",
            "commit",
            "applied",
            "healthy",
            "last contact",
        ],
        table_rows,
    )
}

pub fn leader_line(state: &LeaderState) -> String {
    match state {
        LeaderState::Active { pod } => format!("Leader: {pod}"),
        LeaderState::Unconfirmed { pod } => {
            format!("Leader: none confirmed ({pod} is named but does not answer as active)")
        }
        LeaderState::None => "Leader: none".into(),
        LeaderState::Split { pods } => format!("Leader: disputed ({})", pods.join(", ")),
    }
}

pub fn raft_line(raft: &Raft) -> String {
    format!(
        "Raft: {} peers, {} voters, quorum {}; failure tolerance {}; autopilot {} (read through {})",
        raft.peers.len(),
        raft.voters,
        raft.quorum,
        opt(raft.failure_tolerance),
        match raft.autopilot_healthy {
            Some(true) => "healthy",
            Some(false) => "unhealthy",
            None => "unknown",
        },
        raft.read_from
    )
}

pub fn print_findings(found: &[Finding]) {
    findings::print(found)
}

impl Report {
    pub fn print(&self, format: Format) -> Result<()> {
        match format {
            Format::Table => {
                println!("{}", pods_table(&self.pods));
                println!();
                println!("{}", leader_line(&self.leader));
                if let Some(r) = &self.raft {
                    println!("{}", raft_line(r));
                }
                print_findings(&self.findings);
                Ok(())
            }
            f => output::print_data(f, self),
        }
    }

    pub fn exit(&self) -> Exit {
        findings::exit(&self.findings)
    }
}

/// The raft status of the cluster as a library call: every selected pod's view, the raft
/// configuration and autopilot's verdict, and the typed findings. `pods` narrows the
/// selection (then pods outside it are not reported missing).
pub async fn status(session: &Session, pods: &[String]) -> Result<Report> {
    session.require_token("status (it reads the raft configuration)")?;
    let g = gather(session).await;
    // A token the leader refuses makes the whole report meaningless: say so plainly.
    if let Some(e) = &g.raft_error
        && g.raft_error_kind == Some(ErrorKind::PermissionDenied)
    {
        anyhow::bail!("{e}");
    }
    Ok(build(session, &g, !pods.is_empty()))
}

pub async fn run(cli: &Cli, args: &StatusArgs) -> Result<Exit> {
    let session = Session::connect(&cli.common, &args.pods).await?;
    let report = status(&session, &args.pods).await?;
    report.print(session.format)?;
    Ok(report.exit())
}

#[cfg(test)]
mod tests {
    use super::RaftFinding::*;
    use super::*;
    use crate::fixture::*;

    fn kinds(found: &[(RaftFinding, String)]) -> Vec<RaftFinding> {
        found.iter().map(|(k, _)| *k).collect()
    }

    #[test]
    fn a_healthy_cluster_has_no_findings() {
        assert_eq!(found(&pods(3), &healthy(), false), vec![]);
    }

    #[test]
    fn every_pod_sealed_is_no_leader_and_no_raft() {
        let g = gathered(
            vec![sealed("vault-0"), sealed("vault-1"), sealed("vault-2")],
            None,
            None,
        );
        let f = found(&pods(3), &g, false);
        assert_eq!(f[0], (NoLeader, "cluster".into()));
        assert_eq!(f[1], (RaftUnavailable, "cluster".into()));
        // Without a configuration nothing else can be judged: the sealed pods are not
        // reported until raft answers.
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn two_active_nodes_are_a_split_brain() {
        let mut g = healthy();
        g.views[2] = unsealed("vault-2", "vault-2");
        g.leader = ha::leader_state(&g.views);
        let f = found(&pods(3), &g, false);
        assert_eq!(kinds(&f), vec![SplitBrain], "{f:?}");
        // Standbys naming different leaders are a split too.
        g.views[2] = unsealed("vault-2", "vault-1");
        g.leader = ha::leader_state(&g.views);
        assert_eq!(kinds(&found(&pods(3), &g, false)), vec![SplitBrain]);
    }

    #[test]
    fn a_named_leader_that_does_not_answer_is_leader_unreachable() {
        let mut g = healthy();
        g.views[0] = unreachable("vault-0");
        g.leader = ha::leader_state(&g.views);
        let f = found(&pods(3), &g, false);
        assert_eq!(f[0], (LeaderUnreachable, "vault-0".into()));
        assert_eq!(f[1], (Unreachable, "vault-0".into()));
        // Autopilot's healthy verdict on it is not repeated as a second finding, and the
        // failure tolerance is autopilot's (still healthy): two findings only.
        assert_eq!(f.len(), 2, "{f:?}");
        // With a pod filter that leaves the leader out, the raft leader being the pod the
        // others name is not suspect.
        let partial = gathered(
            vec![
                unsealed("vault-1", "vault-0"),
                unsealed("vault-2", "vault-0"),
            ],
            Some(three_voters()),
            Some(all_healthy()),
        );
        assert_eq!(found(&pods(3), &partial, true), vec![]);
        // Without the filter it is: nobody confirmed it.
        assert_eq!(
            kinds(&found(&pods(3), &partial, false)),
            vec![LeaderUnreachable]
        );
    }

    #[test]
    fn node_ids_and_addresses_that_no_longer_follow_the_pods_are_drift() {
        // A node ID that is no pod's name, at vault-2's address: node-ID drift.
        let mut g = healthy();
        g.config = Some(three_voters_with(2, ("3f1c-uuid", "vault-2", false, true)));
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", true, 100),
            ("3f1c-uuid", true, 100),
        ]));
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(NodeIdDrift, "3f1c-uuid".into())]
        );
        // vault-1's node at vault-2's address: address drift, named after the node.
        g.autopilot = Some(all_healthy());
        g.config = Some(three_voters_with(1, ("vault-1", "vault-2", false, true)));
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(AddressDrift, "vault-1".into())]
        );
        // An IP that is no pod's (the pod came back with a new IP).
        g.config = Some(three_voters_with(1, ("vault-1", "10.9.9.9", false, true)));
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(AddressDrift, "vault-1".into())]
        );
        // A DNS name that does not resolve here is not drift.
        g.config = Some(three_voters_with(
            1,
            ("vault-1", "vault-1.vault-internal", false, true),
        ));
        assert_eq!(found(&pods(3), &g, false), vec![]);
    }

    #[test]
    fn a_peer_with_no_pod_behind_it_is_stale() {
        let mut g = healthy();
        g.config = Some(three_voters_with(3, ("vault-3", "10.0.0.3", false, true)));
        let f = found(&pods(3), &g, false);
        assert_eq!(f[0], (StalePeer, "vault-3".into()));
        // Four voters of which three healthy: tolerance 0, below the 1 three pods give.
        assert_eq!(f[1], (FailureTolerance, "cluster".into()));
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn unhealthy_only_for_a_pod_that_answers() {
        let mut g = healthy();
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", false, 100),
            ("vault-2", true, 100),
        ]));
        let f = found(&pods(3), &g, false);
        assert_eq!(
            f,
            vec![
                (Unhealthy, "vault-1".into()),
                (FailureTolerance, "cluster".into())
            ]
        );
        // Unreachable already says it: no second finding for the same pod.
        g.views[1] = unreachable("vault-1");
        let f = found(&pods(3), &g, false);
        assert!(!kinds(&f).contains(&Unhealthy), "{f:?}");
        assert!(f.contains(&(Unreachable, "vault-1".into())), "{f:?}");
    }

    #[test]
    fn a_non_voter_is_named_from_the_configuration() {
        let mut g = healthy();
        g.config = Some(three_voters_with(2, ("vault-2", "vault-2", false, false)));
        let f = found(&pods(3), &g, false);
        assert_eq!(f[0], (NonVoter, "vault-2".into()));
        // Two voters, both healthy: tolerance 0 where three pods give 1.
        assert_eq!(f[1], (FailureTolerance, "cluster".into()));
        assert_eq!(f.len(), 2, "{f:?}");
    }

    #[test]
    fn lagging_is_more_entries_behind_than_autopilot_tolerates() {
        let mut g = healthy();
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 5000),
            ("vault-1", true, 4000),
            ("vault-2", true, 3999),
        ]));
        // The default tolerance is 1000 entries: exactly 1000 behind is not lagging.
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(Lagging, "vault-2".into())]
        );
        // A configured max_trailing_logs replaces it.
        g.autopilot_config = Some(max_trailing_logs(10));
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(Lagging, "vault-1".into()), (Lagging, "vault-2".into())]
        );
        // Zero (unset) falls back to the default.
        g.autopilot_config = Some(max_trailing_logs(0));
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(Lagging, "vault-2".into())]
        );
    }

    #[test]
    fn sealed_lost_and_unjoined_pods() {
        let mut g = healthy();
        g.views[1] = sealed("vault-1");
        assert_eq!(found(&pods(3), &g, false), vec![(Sealed, "vault-1".into())]);
        // Uninitialised but still a peer: its data is gone.
        g.views[1] = uninitialised("vault-1");
        assert_eq!(
            found(&pods(3), &g, false),
            vec![(DataLost, "vault-1".into())]
        );
        // Pods the configuration does not list: uninitialised, or unsealed on its own.
        g.config = Some(config(&[
            ("vault-0", "vault-0", true, true),
            ("vault-1", "vault-1", false, true),
        ]));
        g.autopilot = Some(autopilot(&[("vault-0", true, 100), ("vault-1", true, 100)]));
        g.views[1] = unsealed("vault-1", "vault-0");
        g.views[2] = uninitialised("vault-2");
        // (Two voters for three pods also lower the failure tolerance.)
        let expected = vec![
            (NotJoined, "vault-2".into()),
            (FailureTolerance, "cluster".into()),
        ];
        assert_eq!(found(&pods(3), &g, false), expected);
        g.views[2] = unsealed("vault-2", "vault-0");
        assert_eq!(found(&pods(3), &g, false), expected);
    }

    #[test]
    fn failure_tolerance_is_judged_against_the_pod_count_only_when_all_are_selected() {
        let mut g = healthy();
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", true, 100),
            ("vault-2", false, 100),
        ]));
        g.views[2] = unreachable("vault-2");
        assert_eq!(
            found(&pods(3), &g, false),
            vec![
                (Unreachable, "vault-2".into()),
                (FailureTolerance, "cluster".into())
            ]
        );
        assert_eq!(
            found(&pods(3), &g, true),
            vec![(Unreachable, "vault-2".into())]
        );
        // Five pods expect a tolerance of 2; three healthy voters of five give 0.
        let five = pods(5);
        let mut g = healthy();
        g.views.push(unsealed("vault-3", "vault-0"));
        g.views.push(unsealed("vault-4", "vault-0"));
        let servers: Vec<(String, String)> = (0..5)
            .map(|i| (format!("vault-{i}"), ip(&format!("vault-{i}"))))
            .collect();
        let list: Vec<Server> = servers
            .iter()
            .enumerate()
            .map(|(i, (id, host))| (id.as_str(), host.as_str(), i == 0, true))
            .collect();
        g.config = Some(config(&list));
        g.autopilot = Some(autopilot(&[
            ("vault-0", true, 100),
            ("vault-1", true, 100),
            ("vault-2", true, 100),
            ("vault-3", false, 100),
            ("vault-4", false, 100),
        ]));
        let f = found(&five, &g, false);
        assert!(f.contains(&(FailureTolerance, "cluster".into())), "{f:?}");
    }
}
