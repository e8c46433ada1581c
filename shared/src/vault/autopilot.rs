//! Raft autopilot: its view of each server and its configuration.

use std::collections::BTreeMap;

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Body, VaultClient, VaultError};

/// Autopilot's view of one server.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutopilotServer {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    /// alive, left, failed.
    #[serde(default)]
    pub node_status: String,
    /// A Go duration such as `1.5s`.
    #[serde(default)]
    pub last_contact: Option<String>,
    #[serde(default)]
    pub last_term: u64,
    #[serde(default)]
    pub last_index: u64,
    #[serde(default)]
    pub healthy: bool,
    #[serde(default)]
    pub stable_since: Option<String>,
    /// leader, voter, non-voter.
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub node_type: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutopilotState {
    pub healthy: bool,
    pub failure_tolerance: i64,
    #[serde(default)]
    pub optimistic_failure_tolerance: Option<i64>,
    #[serde(default, deserialize_with = "null_default")]
    pub leader: String,
    #[serde(default, deserialize_with = "null_default")]
    pub voters: Vec<String>,
    // Vault sends null rather than [] when there are none.
    #[serde(default, deserialize_with = "null_default")]
    pub non_voters: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub servers: BTreeMap<String, AutopilotServer>,
}

fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// Autopilot's configuration. Fields this suite does not know (Vault Enterprise adds some)
/// are kept in `other`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AutopilotConfig {
    #[serde(default)]
    pub cleanup_dead_servers: bool,
    #[serde(default)]
    pub dead_server_last_contact_threshold: String,
    #[serde(default)]
    pub last_contact_threshold: String,
    #[serde(default)]
    pub max_trailing_logs: u64,
    #[serde(default)]
    pub min_quorum: u64,
    #[serde(default)]
    pub server_stabilization_time: String,
    #[serde(flatten)]
    pub other: BTreeMap<String, Value>,
}

/// A Go duration (`1.5s`, `1m2.5s`, `250ms`) in seconds.
pub fn go_duration_secs(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s == "0" {
        return Some(0.0);
    }
    let mut total = 0.0;
    let mut rest = s;
    while !rest.is_empty() {
        let num_end = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let n: f64 = rest[..num_end].parse().ok()?;
        rest = &rest[num_end..];
        let unit_end = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 1e-3,
            "us" | "µs" => 1e-6,
            "ns" => 1e-9,
            _ => return None,
        };
        total += n * mult;
        rest = &rest[unit_end..];
    }
    Some(total)
}

impl VaultClient {
    pub async fn autopilot_state(&self) -> Result<AutopilotState, VaultError> {
        self.data(Method::GET, "sys/storage/raft/autopilot/state", Body::Empty)
            .await
    }

    pub async fn autopilot_config(&self) -> Result<AutopilotConfig, VaultError> {
        self.data(
            Method::GET,
            "sys/storage/raft/autopilot/configuration",
            Body::Empty,
        )
        .await
    }

    /// Changes the given autopilot settings (others keep their values).
    pub async fn set_autopilot_config(
        &self,
        settings: &serde_json::Map<String, Value>,
    ) -> Result<(), VaultError> {
        self.no_content(
            Method::POST,
            "sys/storage/raft/autopilot/configuration",
            Body::Json(Value::Object(settings.clone())),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn go_durations() {
        assert_eq!(go_duration_secs("0s"), Some(0.0));
        assert_eq!(go_duration_secs("1.5s"), Some(1.5));
        assert_eq!(go_duration_secs("250ms"), Some(0.25));
        assert_eq!(go_duration_secs("1m2.5s"), Some(62.5));
        assert_eq!(go_duration_secs("24h0m0s"), Some(86400.0));
        assert_eq!(go_duration_secs("soon"), None);
    }

    #[test]
    fn autopilot_state_with_nulls() {
        let v = json!({"healthy": true, "failure_tolerance": 1, "leader": "vault-0",
                       "voters": ["vault-0"], "non_voters": null, "servers": {}});
        let s: AutopilotState = serde_json::from_value(v).unwrap();
        assert!(s.non_voters.is_empty());
    }
}
