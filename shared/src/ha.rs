//! Which pod is the active node: each pod's own view (sys/seal-status, sys/leader), what they
//! agree on, and waiting for an election to settle. The raft configuration says who the raft
//! leader is only when asked through a working leader; these unauthenticated per-pod views
//! work when there is none.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::fanout;
use crate::target::Target;
use crate::vault::{Leader, SealStatus, host_of};

/// One pod's view of the cluster.
#[derive(Debug, Clone, Serialize)]
pub struct NodeView {
    pub pod: String,
    pub pod_ip: Option<String>,
    /// Whether its Vault API answered at all.
    pub reachable: bool,
    pub initialized: Option<bool>,
    pub sealed: Option<bool>,
    /// Unseal threshold (for prompts), from sys/seal-status.
    pub threshold: Option<u32>,
    pub seal_type: Option<String>,
    /// It holds the active lock (sys/leader is_self).
    pub is_self: bool,
    /// When it became active (sys/leader `active_time`), set on the active node: a new term
    /// of the same pod has a new one.
    pub active_time: Option<String>,
    /// The active node's API address as this pod sees it.
    pub leader_address: Option<String>,
    /// The pod behind `leader_address`, when it is one of ours.
    pub leader_pod: Option<String>,
    pub committed_index: Option<u64>,
    pub applied_index: Option<u64>,
    pub error: Option<String>,
    /// What the pod answered, whole, for the columns a verb adds of its own (not part of
    /// this view's JSON).
    #[serde(skip)]
    pub seal_status: Option<SealStatus>,
    #[serde(skip)]
    pub leader: Option<Leader>,
}

impl NodeView {
    /// A pod that could not be read.
    pub fn unknown(pod: &str, error: String, pod_ip: Option<String>) -> NodeView {
        NodeView {
            pod: pod.to_string(),
            pod_ip,
            reachable: false,
            initialized: None,
            sealed: None,
            threshold: None,
            seal_type: None,
            is_self: false,
            active_time: None,
            leader_address: None,
            leader_pod: None,
            committed_index: None,
            applied_index: None,
            error: Some(error),
            seal_status: None,
            leader: None,
        }
    }

    pub fn unsealed(&self) -> bool {
        self.sealed == Some(false)
    }
}

fn pod_ip(t: &Target) -> Option<String> {
    t.pod
        .as_ref()
        .and_then(crate::cluster::pod_ip)
        .map(str::to_string)
}

/// The pod an API or cluster address points at: by pod IP, or by a host name that starts
/// with the pod's name (`vault-0.vault-internal`).
pub fn pod_for_address<'a>(
    addr: &str,
    pods: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Option<String> {
    let host = host_of(addr);
    if host.is_empty() {
        return None;
    }
    pods.into_iter()
        .find(|(name, ip)| {
            *ip == Some(host) || host == *name || host.starts_with(&format!("{name}."))
        })
        .map(|(name, _)| name.to_string())
}

/// How long one pod may take to describe itself: a hung pod must not hold every poll up for
/// the whole Vault timeout.
const PROBE_DEADLINE: Duration = Duration::from_secs(5);

/// Every pod's view, concurrently.
pub async fn observe(targets: &[anyhow::Result<Target>]) -> Vec<NodeView> {
    observe_except(targets, &[]).await
}

/// Every pod's view but those of the pods named in `skip` (known not to answer).
pub async fn observe_except(targets: &[anyhow::Result<Target>], skip: &[String]) -> Vec<NodeView> {
    let known: Vec<(String, Option<String>)> = targets
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|t| (t.name.clone(), pod_ip(t)))
        .collect();
    let known = &known;
    let ip_of = |name: &str| {
        known
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, ip)| ip.clone())
    };
    fanout::each_pod(targets, PROBE_DEADLINE, |t| async move {
        if skip.contains(&t.name) {
            return Ok(NodeView::unknown(
                &t.name,
                "skipped: it did not answer before".into(),
                None,
            ));
        }
        Ok(probe(t, known).await)
    })
    .await
    .into_iter()
    .map(|(pod, view)| {
        view.unwrap_or_else(|e| {
            let ip = ip_of(&pod);
            NodeView::unknown(&pod, format!("{e:#}"), ip)
        })
    })
    .collect()
}

/// One pod's seal status and view of the leader.
async fn probe(t: &Target, known: &[(String, Option<String>)]) -> NodeView {
    let mut v = NodeView::unknown(&t.name, String::new(), pod_ip(t));
    v.error = None;
    match t.client.seal_status().await {
        Ok(s) => {
            v.reachable = true;
            v.initialized = Some(s.initialized);
            v.sealed = Some(s.sealed);
            v.threshold = Some(s.t);
            v.seal_type = Some(s.seal_type.clone());
            v.seal_status = Some(s);
        }
        Err(e) => {
            v.error = Some(e.to_string());
            return v;
        }
    }
    if v.unsealed() {
        match t.client.leader().await {
            Ok(l) => {
                v.leader = Some(l.clone());
                v.is_self = l.is_self;
                v.active_time = l.active_time.filter(|t| !t.is_empty() && l.is_self);
                v.committed_index = l.raft_committed_index;
                v.applied_index = l.raft_applied_index;
                if !l.leader_address.is_empty() {
                    v.leader_pod = pod_for_address(
                        &l.leader_address,
                        known.iter().map(|(n, ip)| (n.as_str(), ip.as_deref())),
                    );
                    v.leader_address = Some(l.leader_address);
                }
            }
            Err(e) => v.error = Some(e.to_string()),
        }
    }
    v
}

/// What the pods agree on about the active node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum LeaderState {
    /// One pod holds the lock and every other unsealed pod that answered names it.
    Active { pod: String },
    /// Standbys name a leader that does not answer as one (hung, partitioned, or gone).
    Unconfirmed { pod: String },
    /// No pod claims it and no standby names one.
    None,
    /// Pods disagree: several claim it, or standbys name different leaders.
    Split { pods: Vec<String> },
}

impl LeaderState {
    pub fn active(&self) -> Option<&str> {
        match self {
            LeaderState::Active { pod } => Some(pod),
            _ => None,
        }
    }
}

pub fn leader_state(views: &[NodeView]) -> LeaderState {
    let claimants: Vec<&str> = views
        .iter()
        .filter(|v| v.unsealed() && v.is_self)
        .map(|v| v.pod.as_str())
        .collect();
    let mut named: Vec<&str> = views
        .iter()
        .filter(|v| v.unsealed() && !v.is_self)
        .filter_map(|v| v.leader_pod.as_deref().or(v.leader_address.as_deref()))
        .collect();
    named.sort_unstable();
    named.dedup();
    // A pod that answered sys/leader unsealed and not active is no leader: a standby naming
    // it has a stale view, not a second leader. OpenBao 2.7.2 shows this after a roll: a
    // standby just unsealed named the active node it knew before its restart for up to
    // 10 s after another had taken over. A name that does not answer so (unreachable,
    // sealed, not one of ours) may still be an active node cut off from us: that stays a split.
    let answers_as_standby = |n: &str| {
        views
            .iter()
            .any(|v| v.pod == n && v.unsealed() && v.leader.is_some() && !v.is_self)
    };
    match claimants.as_slice() {
        [one] => {
            if named.iter().all(|n| n == one || answers_as_standby(n)) {
                LeaderState::Active {
                    pod: one.to_string(),
                }
            } else {
                let mut pods: Vec<String> = named.iter().map(|s| s.to_string()).collect();
                pods.push(one.to_string());
                pods.sort();
                pods.dedup();
                LeaderState::Split { pods }
            }
        }
        [] => match named.as_slice() {
            [] => LeaderState::None,
            [one] => LeaderState::Unconfirmed {
                pod: one.to_string(),
            },
            many => LeaderState::Split {
                pods: many.iter().map(|s| s.to_string()).collect(),
            },
        },
        many => LeaderState::Split {
            pods: many.iter().map(|s| s.to_string()).collect(),
        },
    }
}

/// The active node's identity for one term: the pod and when it became active.
pub fn term_of(views: &[NodeView]) -> Option<(String, Option<String>)> {
    let pod = leader_state(views).active()?.to_string();
    let since = views
        .iter()
        .find(|v| v.pod == pod)
        .and_then(|v| v.active_time.clone());
    Some((pod, since))
}

/// Polls every pod until one is the agreed active node — other than `previous` (a pod and
/// its active time: the same pod elected again counts once its active time changed) — or
/// `timeout` passes. Returns the leader and how long it took, or the last views seen. Pods in
/// `skip` (known not to answer) are not polled: each round would otherwise wait for them.
pub async fn wait_for_leader(
    targets: &[anyhow::Result<Target>],
    skip: &[String],
    timeout: Duration,
    previous: Option<&(String, Option<String>)>,
    step: &(dyn Fn(&str) + Sync),
) -> Result<(String, Duration), Vec<NodeView>> {
    let start = Instant::now();
    loop {
        let views = observe_except(targets, skip).await;
        let state = leader_state(&views);
        if let Some(term) = term_of(&views)
            && previous.is_none_or(|p| *p != term || term.1.is_none())
        {
            return Ok((term.0, start.elapsed()));
        }
        step(&format!(
            "waiting for a leader ({:.1}s): {}",
            start.elapsed().as_secs_f64(),
            match &state {
                LeaderState::Unconfirmed { pod } => format!("{pod} named but not answering"),
                LeaderState::Split { pods } => format!("pods disagree ({})", pods.join(", ")),
                _ => "none yet".to_string(),
            }
        ));
        if start.elapsed() >= timeout {
            return Err(views);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(pod: &str, is_self: bool, leader: Option<&str>) -> NodeView {
        NodeView {
            pod: pod.into(),
            pod_ip: None,
            reachable: true,
            initialized: Some(true),
            sealed: Some(false),
            threshold: Some(3),
            seal_type: Some("shamir".into()),
            is_self,
            active_time: None,
            leader_address: leader.map(|l| format!("https://{l}.vault-internal:8200")),
            leader_pod: leader.map(str::to_string),
            committed_index: None,
            applied_index: None,
            error: None,
            seal_status: None,
            leader: Some(crate::vault::seal::Leader {
                ha_enabled: true,
                is_self,
                leader_address: leader
                    .map(|l| format!("https://{l}.vault-internal:8200"))
                    .unwrap_or_default(),
                leader_cluster_address: String::new(),
                raft_committed_index: None,
                raft_applied_index: None,
                active_time: None,
            }),
        }
    }

    #[test]
    fn a_standby_naming_the_previous_leader_is_a_stale_view_not_a_split() {
        // vault-1 took over; vault-0 (the old leader, now a standby itself) is still named
        // by vault-2, just unsealed.
        let stale = [
            view("vault-0", false, Some("vault-1")),
            view("vault-1", true, Some("vault-1")),
            view("vault-2", false, Some("vault-0")),
        ];
        assert_eq!(
            leader_state(&stale),
            LeaderState::Active {
                pod: "vault-1".into()
            }
        );
        // The named pod does not answer: it may be a second leader cut off from us.
        let mut cut_off = stale.clone();
        cut_off[0] = NodeView::unknown("vault-0", "no answer".into(), None);
        assert!(matches!(leader_state(&cut_off), LeaderState::Split { .. }));
        // Nor does a pod that answered seal-status but not sys/leader.
        let mut unread = stale.clone();
        unread[0].leader = None;
        assert!(matches!(leader_state(&unread), LeaderState::Split { .. }));
        // A name that is none of our pods (another cluster's node) stays a split.
        let mut foreign = stale;
        foreign[2].leader_pod = None;
        foreign[2].leader_address = Some("https://10.9.9.9:8200".into());
        assert!(matches!(leader_state(&foreign), LeaderState::Split { .. }));
    }

    #[test]
    fn a_leader_address_of_null_mid_election_is_read() {
        let l: crate::vault::Leader = serde_json::from_value(serde_json::json!({
            "ha_enabled": true, "is_self": false, "leader_address": null,
            "leader_cluster_address": null, "raft_committed_index": 5
        }))
        .unwrap();
        assert_eq!(l.leader_address, "");
    }

    #[test]
    fn addresses_map_to_pods() {
        let pods = [("vault-0", Some("10.0.0.1")), ("vault-1", Some("10.0.0.2"))];
        assert_eq!(
            pod_for_address("https://10.0.0.2:8200", pods),
            Some("vault-1".into())
        );
        assert_eq!(
            pod_for_address("https://vault-0.vault-internal:8200", pods),
            Some("vault-0".into())
        );
        assert_eq!(pod_for_address("https://10.9.9.9:8200", pods), None);
    }

    #[test]
    fn agreement_on_the_leader() {
        let ok = [
            view("vault-0", true, Some("vault-0")),
            view("vault-1", false, Some("vault-0")),
        ];
        assert_eq!(
            leader_state(&ok),
            LeaderState::Active {
                pod: "vault-0".into()
            }
        );
        let hung = [
            view("vault-1", false, Some("vault-0")),
            view("vault-2", false, Some("vault-0")),
        ];
        assert_eq!(
            leader_state(&hung),
            LeaderState::Unconfirmed {
                pod: "vault-0".into()
            }
        );
        let split = [
            view("vault-0", true, Some("vault-0")),
            view("vault-1", true, Some("vault-1")),
        ];
        assert!(matches!(leader_state(&split), LeaderState::Split { .. }));
        let none = [view("vault-0", false, None)];
        assert_eq!(leader_state(&none), LeaderState::None);
    }
}
