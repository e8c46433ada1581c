//! Plain-data clusters for the unit tests of the pure decisions (status findings, the
//! remove-peer guard): pods, what each pod answered, the raft configuration and autopilot's
//! state, built the way Vault's JSON would give them.

use serde_json::json;
use vault_shared::ha::{self, NodeView};
use vault_shared::k8s_openapi::api::core::v1::{Pod, PodStatus};
use vault_shared::vault::autopilot::{AutopilotConfig, AutopilotState};
use vault_shared::vault::raft::RaftConfiguration;

use crate::status::{self, Finding, Gathered, RaftFinding};

/// A pod named `name` with the IP `10.0.0.<n>`, `n` its ordinal.
pub fn pod(name: &str) -> Pod {
    let mut p = Pod::default();
    p.metadata.name = Some(name.into());
    p.status = Some(PodStatus {
        pod_ip: Some(ip(name)),
        ..Default::default()
    });
    p
}

pub fn ip(name: &str) -> String {
    format!("10.0.0.{}", name.rsplit('-').next().unwrap_or("9"))
}

pub fn pods(n: usize) -> Vec<Pod> {
    (0..n).map(|i| pod(&format!("vault-{i}"))).collect()
}

/// An unsealed pod that answered; `leader` is the pod it names as active (itself for the
/// active node).
pub fn unsealed(name: &str, leader: &str) -> NodeView {
    NodeView {
        reachable: true,
        initialized: Some(true),
        sealed: Some(false),
        is_self: name == leader,
        leader_pod: Some(leader.into()),
        leader_address: Some(format!("https://{}:8200", ip(leader))),
        error: None,
        ..NodeView::unknown(name, String::new(), Some(ip(name)))
    }
}

pub fn sealed(name: &str) -> NodeView {
    NodeView {
        reachable: true,
        initialized: Some(true),
        sealed: Some(true),
        error: None,
        ..NodeView::unknown(name, String::new(), Some(ip(name)))
    }
}

pub fn uninitialised(name: &str) -> NodeView {
    NodeView {
        initialized: Some(false),
        ..sealed(name)
    }
}

pub fn unreachable(name: &str) -> NodeView {
    NodeView::unknown(name, "timed out".into(), Some(ip(name)))
}

/// One raft server: node ID, address host (a pod name stands for that pod's IP), leader,
/// voter.
pub type Server<'a> = (&'a str, &'a str, bool, bool);

pub fn config(servers: &[Server]) -> RaftConfiguration {
    let host = |h: &str| match h.strip_prefix("vault-") {
        Some(n) if n.parse::<u8>().is_ok() => ip(h),
        _ => h.to_string(),
    };
    serde_json::from_value(json!({
        "index": 42,
        "servers": servers.iter().map(|(id, h, leader, voter)| json!({
            "node_id": id,
            "address": format!("{}:8201", host(h)),
            "leader": leader,
            "voter": voter,
            "protocol_version": "3",
        })).collect::<Vec<_>>(),
    }))
    .expect("raft configuration")
}

/// The usual three voters, `vault-0` leading, each at its pod's IP.
pub fn three_voters() -> RaftConfiguration {
    config(&[
        ("vault-0", "vault-0", true, true),
        ("vault-1", "vault-1", false, true),
        ("vault-2", "vault-2", false, true),
    ])
}

/// The usual three voters with server `i` replaced by `server` (`i` = 3 adds it as a fourth).
pub fn three_voters_with(i: usize, server: Server) -> RaftConfiguration {
    let mut servers = vec![
        ("vault-0", "vault-0", true, true),
        ("vault-1", "vault-1", false, true),
        ("vault-2", "vault-2", false, true),
    ];
    if i < servers.len() {
        servers[i] = server;
    } else {
        servers.push(server);
    }
    config(&servers)
}

/// Autopilot's state: (node ID, healthy, last index) per server.
pub fn autopilot(servers: &[(&str, bool, u64)]) -> AutopilotState {
    let healthy = servers.iter().all(|(_, h, _)| *h);
    serde_json::from_value(json!({
        "healthy": healthy,
        "failure_tolerance": 0,
        "leader": "vault-0",
        "voters": servers.iter().map(|s| s.0).collect::<Vec<_>>(),
        "non_voters": null,
        "servers": servers.iter().map(|(id, h, index)| (id.to_string(), json!({
            "id": id,
            "healthy": h,
            "last_index": index,
            "last_term": 3,
            "last_contact": "1.5s",
            "status": if *id == "vault-0" { "leader" } else { "voter" },
        }))).collect::<serde_json::Map<_, _>>(),
    }))
    .expect("autopilot state")
}

pub fn all_healthy() -> AutopilotState {
    autopilot(&[
        ("vault-0", true, 100),
        ("vault-1", true, 100),
        ("vault-2", true, 100),
    ])
}

pub fn max_trailing_logs(n: u64) -> AutopilotConfig {
    serde_json::from_value(json!({ "max_trailing_logs": n })).expect("autopilot config")
}

/// What `status::gather` would have read; the leader state is derived from the views as
/// the plugin does.
pub fn gathered(
    views: Vec<NodeView>,
    config: Option<RaftConfiguration>,
    autopilot: Option<AutopilotState>,
) -> Gathered {
    Gathered {
        leader: ha::leader_state(&views),
        views,
        read_from: Some("vault-0".into()),
        raft_error: config.is_none().then(|| "no unsealed pod answers".into()),
        config,
        autopilot,
        autopilot_config: None,
        raft_error_kind: None,
    }
}

/// The healthy three-pod cluster every test starts from and breaks one thing of.
pub fn healthy() -> Gathered {
    gathered(
        vec![
            unsealed("vault-0", "vault-0"),
            unsealed("vault-1", "vault-0"),
            unsealed("vault-2", "vault-0"),
        ],
        Some(three_voters()),
        Some(all_healthy()),
    )
}

/// The findings of `g` over `pods`, as (kind, subject) pairs.
pub fn found(pods: &[Pod], g: &Gathered, partial: bool) -> Vec<(RaftFinding, String)> {
    let pods = vault_shared::cluster::Pods(pods);
    let peers = status::peers(pods, g);
    status::findings(pods, g, &peers, partial)
        .into_iter()
        .map(|f: Finding| (f.kind, f.subject))
        .collect()
}
