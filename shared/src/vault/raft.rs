//! Integrated storage (raft): the configuration, join, remove-peer; and sys/step-down.
//!
//! Leader-only calls are meant for the active node: a standby forwards some and answers
//! others with a redirect, which the request path follows to the active node when it is one
//! of the cluster's pods.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::autopilot::AutopilotState;
use super::{Body, VaultClient, VaultError};

/// One server of the raft configuration, as the leader holds it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RaftServer {
    pub node_id: String,
    /// The cluster address, `host:port` (port 8201 in the chart).
    pub address: String,
    #[serde(default)]
    pub leader: bool,
    #[serde(default)]
    pub voter: bool,
    #[serde(default)]
    pub protocol_version: String,
}

impl RaftServer {
    /// The host part of the cluster address.
    pub fn host(&self) -> &str {
        host_of(&self.address)
    }
}

/// The host of `host:port`, `[v6]:port`, or a URL.
pub fn host_of(addr: &str) -> &str {
    let rest = addr.split_once("://").map_or(addr, |(_, r)| r);
    let rest = rest.split('/').next().unwrap_or(rest);
    if let Some(v6) = rest.strip_prefix('[') {
        return v6.split(']').next().unwrap_or(v6);
    }
    rest.rsplit_once(':').map_or(rest, |(h, _)| h)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RaftConfiguration {
    pub servers: Vec<RaftServer>,
    #[serde(default)]
    pub index: u64,
}

impl RaftConfiguration {
    pub fn server(&self, node_id: &str) -> Option<&RaftServer> {
        self.servers.iter().find(|s| s.node_id == node_id)
    }

    pub fn voters(&self) -> usize {
        self.servers.iter().filter(|s| s.voter).count()
    }

    pub fn leader(&self) -> Option<&RaftServer> {
        self.servers.iter().find(|s| s.leader)
    }

    /// How many voters can fail without losing quorum: the configuration's voters that
    /// autopilot reports healthy, beyond quorum. A voter counts as healthy only on that
    /// evidence, so without autopilot's view the tolerance is unknown (None), not assumed.
    /// Autopilot's own figure lags the configuration by an update round after a promotion,
    /// so the configuration is the authority on who votes.
    pub fn failure_tolerance(&self, autopilot: Option<&AutopilotState>) -> Option<i64> {
        let autopilot = autopilot?;
        let healthy = self
            .servers
            .iter()
            .filter(|s| s.voter)
            .filter(|s| autopilot.servers.get(&s.node_id).is_some_and(|p| p.healthy))
            .count();
        Some((healthy as i64 - quorum(self.voters()) as i64).max(0))
    }
}

/// Votes needed for a majority of `voters`.
pub fn quorum(voters: usize) -> usize {
    voters / 2 + 1
}

/// What `sys/storage/raft/join` takes.
#[derive(Debug, Clone, Serialize)]
pub struct JoinRequest {
    pub leader_api_addr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_ca_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_tls_servername: Option<String>,
}

impl VaultClient {
    pub async fn raft_configuration(&self) -> Result<RaftConfiguration, VaultError> {
        let v: Value = self
            .data(Method::GET, "sys/storage/raft/configuration", Body::Empty)
            .await?;
        self.decode(v["config"].clone(), "sys/storage/raft/configuration")
    }

    /// Removes `node_id` from the raft configuration. Vault answers 204 even for an unknown
    /// ID, so callers check the configuration first.
    pub async fn remove_peer(&self, node_id: &str) -> Result<(), VaultError> {
        self.no_content(
            Method::POST,
            "sys/storage/raft/remove-peer",
            Body::Json(json!({ "server_id": node_id })),
        )
        .await
    }

    /// Asks this (uninitialised, sealed) node to join the cluster at `req.leader_api_addr`.
    /// Unauthenticated: the node has no token store yet. Returns Vault's `joined`.
    pub async fn raft_join(&self, req: &JoinRequest) -> Result<bool, VaultError> {
        let body = serde_json::to_value(req).unwrap_or(Value::Null);
        let v = self
            .json(
                Method::POST,
                "sys/storage/raft/join",
                Body::Json(body),
                false,
            )
            .await?;
        Ok(v["joined"].as_bool().unwrap_or(false))
    }

    /// Makes the active node give up leadership.
    pub async fn step_down(&self) -> Result<(), VaultError> {
        self.no_content(Method::PUT, "sys/step-down", Body::Empty)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_of_addresses() {
        assert_eq!(host_of("10.0.0.5:8201"), "10.0.0.5");
        assert_eq!(
            host_of("https://vault-0.vault-internal:8200"),
            "vault-0.vault-internal"
        );
        assert_eq!(host_of("[fd00::1]:8201"), "fd00::1");
        assert_eq!(host_of("vault-1"), "vault-1");
    }

    #[test]
    fn quorum_is_a_majority() {
        assert_eq!(quorum(1), 1);
        assert_eq!(quorum(2), 2);
        assert_eq!(quorum(3), 2);
        assert_eq!(quorum(5), 3);
        let config: RaftConfiguration = serde_json::from_value(serde_json::json!({"servers": [
            {"node_id": "a", "address": "a:8201", "leader": true, "voter": true},
            {"node_id": "b", "address": "b:8201", "leader": false, "voter": true},
            {"node_id": "c", "address": "c:8201", "leader": false, "voter": true},
        ]}))
        .unwrap();
        // Without autopilot's view no voter is known to be healthy.
        assert_eq!(config.failure_tolerance(None), None);
    }
}
