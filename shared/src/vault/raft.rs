//! Integrated storage (raft): sys/storage/raft/configuration, autopilot state and
//! configuration, join, remove-peer, snapshots; sys/step-down; the raft counters of sys/metrics.
//!
//! Leader-only calls (snapshots, remove-peer, autopilot changes) are meant for the active node:
//! a standby forwards some and answers others with a 307 to whatever it believes is active,
//! which fails over a port-forward (field notes #7). Callers find the leader first.

use std::collections::BTreeMap;
use std::time::Duration;

use bytes::Bytes;
use http::{Method, Request, header};
use http_body_util::{BodyExt, Full};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::{AsyncWrite, AsyncWriteExt};

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

    /// How many voters can fail without losing quorum: the configuration's voters that are
    /// healthy (by autopilot's per-server view, when there is one) beyond quorum. Autopilot's
    /// own figure lags the configuration by an update round after a promotion, so the
    /// configuration is the authority on who votes.
    pub fn failure_tolerance(&self, autopilot: Option<&AutopilotState>) -> i64 {
        let healthy = self
            .servers
            .iter()
            .filter(|s| s.voter)
            .filter(|s| {
                autopilot.is_none_or(|a| a.servers.get(&s.node_id).is_none_or(|p| p.healthy))
            })
            .count();
        (healthy as i64 - quorum(self.voters()) as i64).max(0)
    }
}

/// Votes needed for a majority of `voters`.
pub fn quorum(voters: usize) -> usize {
    voters / 2 + 1
}

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

/// The type of each settable autopilot field, to check `key=value` before sending it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingKind {
    Bool,
    Count,
    Duration,
}

pub const AUTOPILOT_SETTINGS: &[(&str, SettingKind)] = &[
    ("cleanup_dead_servers", SettingKind::Bool),
    ("dead_server_last_contact_threshold", SettingKind::Duration),
    ("last_contact_threshold", SettingKind::Duration),
    ("max_trailing_logs", SettingKind::Count),
    ("min_quorum", SettingKind::Count),
    ("server_stabilization_time", SettingKind::Duration),
];

/// Parses `key=value` into the JSON autopilot takes, or says what is wrong with it.
pub fn autopilot_setting(key: &str, value: &str) -> Result<Value, String> {
    let key = key.trim().replace('-', "_");
    let Some((_, kind)) = AUTOPILOT_SETTINGS.iter().find(|(k, _)| *k == key) else {
        let known: Vec<&str> = AUTOPILOT_SETTINGS.iter().map(|(k, _)| *k).collect();
        return Err(format!(
            "unknown autopilot setting {key:?} (settable: {})",
            known.join(", ")
        ));
    };
    let value = value.trim();
    match kind {
        SettingKind::Bool => match value {
            "true" => Ok(json!(true)),
            "false" => Ok(json!(false)),
            _ => Err(format!("{key} takes true or false, not {value:?}")),
        },
        SettingKind::Count => value
            .parse::<u64>()
            .map(|n| json!(n))
            .map_err(|_| format!("{key} takes a whole number, not {value:?}")),
        SettingKind::Duration => {
            let ok = !value.is_empty()
                && value.starts_with(|c: char| c.is_ascii_digit())
                && value
                    .trim_start_matches(|c: char| c.is_ascii_digit() || c == '.')
                    .split(|c: char| c.is_ascii_digit() || c == '.')
                    .all(|u| matches!(u, "" | "ns" | "us" | "ms" | "s" | "m" | "h"))
                && !value.ends_with(|c: char| c.is_ascii_digit() || c == '.');
            if ok {
                Ok(json!(value))
            } else {
                Err(format!(
                    "{key} takes a duration such as 10s, 5m or 24h, not {value:?}"
                ))
            }
        }
    }
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

/// What `sys/storage/raft/join` takes.
#[derive(Debug, Clone, Serialize)]
pub struct JoinRequest {
    pub leader_api_addr: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_ca_cert: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub leader_tls_servername: Option<String>,
}

/// The size and digest of a snapshot as written.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotDigest {
    pub bytes: u64,
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("write the snapshot: {0}")]
    Write(#[from] std::io::Error),
    #[error("{target}: the answer is not a raft snapshot (expected gzip data, got {got})")]
    NotSnapshot { target: String, got: String },
}

/// A raft storage counter from sys/metrics.
#[derive(Debug, Clone, Serialize)]
pub struct RaftCounter {
    pub name: String,
    pub count: f64,
}

/// Counters and samples of the latest metrics interval whose name says they count raft or
/// raft-storage errors or failures (Vault and OpenBao name them differently across versions).
pub fn raft_errors(metrics: &Value) -> Vec<RaftCounter> {
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    for (section, field) in [("Counters", "Sum"), ("Samples", "Count")] {
        for m in metrics[section].as_array().into_iter().flatten() {
            let name = m["Name"].as_str().unwrap_or_default();
            let lower = name.to_lowercase();
            let raft = lower.contains("raft");
            let error = lower.contains("error") || lower.contains("fail");
            // failure_tolerance is a gauge, but guard against it anyway.
            if raft && error && !lower.contains("failure_tolerance") {
                *out.entry(name.to_string()).or_default() += m[field].as_f64().unwrap_or(0.0);
            }
        }
    }
    out.into_iter()
        .map(|(name, count)| RaftCounter { name, count })
        .collect()
}

/// Vault's multi-error text (`1 error occurred:\n\t* failed …\n\n`) as one line.
fn tidy(msg: &str) -> String {
    let one = msg.split_whitespace().collect::<Vec<_>>().join(" ");
    let rest = match one.split_once(" occurred: ") {
        Some((head, rest)) if head.ends_with("error") || head.ends_with("errors") => rest,
        _ => &one,
    };
    rest.trim_start_matches("* ").replace(" * ", "; ")
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Whether `data` starts like a raft snapshot (a gzip stream).
pub fn looks_like_snapshot(data: &[u8]) -> bool {
    data.len() >= 18 && data[..2] == GZIP_MAGIC
}

impl VaultClient {
    /// The data of a JSON answer, or a Protocol error naming `path`. A standby's redirect is
    /// reported as such rather than as "not JSON".
    async fn data<T: serde::de::DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Body,
    ) -> Result<T, VaultError> {
        let v = self.json(method, path, body, true).await?;
        if v.is_null() {
            return Err(self.redirected(path));
        }
        self.decode(v["data"].clone(), path)
    }

    fn redirected(&self, path: &str) -> VaultError {
        VaultError::Protocol {
            target: self.target.clone(),
            status: 307,
            message: format!(
                "{path}: this node is a standby and redirected the request to the active node; send it to the leader"
            ),
        }
    }

    /// A request that does not return JSON: Ok for 2xx, Api for 4xx/5xx, Protocol for a 3xx.
    async fn no_content(&self, method: Method, path: &str, body: Body) -> Result<(), VaultError> {
        let (status, bytes) = self.send(method, path, body, true).await?;
        self.check(status, &bytes, path)
    }

    fn check(&self, status: u16, bytes: &[u8], path: &str) -> Result<(), VaultError> {
        match status {
            200..=299 => Ok(()),
            300..=399 => Err(self.redirected(path)),
            _ => Err(VaultError::Api {
                target: self.target.clone(),
                status,
                errors: serde_json::from_slice::<Value>(bytes)
                    .ok()
                    .and_then(|v| {
                        v["errors"]
                            .as_array()
                            .map(|a| a.iter().filter_map(|e| e.as_str()).map(tidy).collect())
                    })
                    .unwrap_or_default(),
            }),
        }
    }

    pub async fn raft_configuration(&self) -> Result<RaftConfiguration, VaultError> {
        let v: Value = self
            .data(Method::GET, "sys/storage/raft/configuration", Body::Empty)
            .await?;
        self.decode(v["config"].clone(), "sys/storage/raft/configuration")
    }

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

    /// sys/metrics in its JSON form (the default of both Vault and OpenBao; OpenBao rejects
    /// an explicit `format=json`).
    pub async fn metrics(&self) -> Result<Value, VaultError> {
        let v = self
            .json(Method::GET, "sys/metrics", Body::Empty, true)
            .await?;
        if v.is_null() {
            return Err(self.redirected("sys/metrics"));
        }
        Ok(v)
    }

    /// A request built like `send` builds it. `send` collects the whole answer under one
    /// timeout; snapshots can be large, so they stream and build their requests here.
    fn raw_request(
        &self,
        method: Method,
        path: &str,
        body: Bytes,
    ) -> Result<Request<Full<Bytes>>, VaultError> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("/v1/{}", path.trim_start_matches('/')))
            .header(header::HOST, "vault")
            .header("X-Vault-Request", "true");
        if let Some(t) = self.token.get() {
            let mut value = http::HeaderValue::from_str(t.expose()).map_err(|_| {
                self.unreachable("the Vault token holds characters a header cannot carry")
            })?;
            value.set_sensitive(true);
            req = req.header("X-Vault-Token", value);
        }
        if !body.is_empty() {
            req = req.header(header::CONTENT_TYPE, "application/octet-stream");
        }
        req.body(Full::new(body))
            .map_err(|e| self.unreachable(format!("build request: {e}")))
    }

    fn timed_out(&self, d: Duration) -> VaultError {
        VaultError::Timeout {
            target: self.target.clone(),
            secs: d.as_secs(),
        }
    }

    /// Streams a snapshot of the raft data (`GET sys/storage/raft/snapshot`) into `out`,
    /// hashing it on the way. `idle` bounds the wait for each chunk, not the whole transfer.
    pub async fn snapshot_save<W: AsyncWrite + Unpin>(
        &self,
        out: &mut W,
        idle: Duration,
    ) -> Result<SnapshotDigest, SnapshotError> {
        let path = "sys/storage/raft/snapshot";
        let req = self.raw_request(Method::GET, path, Bytes::new())?;
        let resp = tokio::time::timeout(self.timeout, async {
            let mut guard = self.sender().await?;
            let sender = guard.as_mut().expect("connected");
            sender.send_request(req).await.map_err(|e| {
                *guard = None;
                self.unreachable(format!("GET {path}: {e}"))
            })
        })
        .await
        .map_err(|_| self.timed_out(self.timeout))??;
        let status = resp.status().as_u16();
        let mut body = resp.into_body();
        if status >= 300 {
            let bytes = tokio::time::timeout(self.timeout, body.collect())
                .await
                .map_err(|_| self.timed_out(self.timeout))?
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            self.check(status, &bytes, path)?;
            return Err(self.redirected(path).into());
        }
        let mut hasher = Sha256::new();
        let mut total: u64 = 0;
        let mut head: Vec<u8> = Vec::new();
        loop {
            let frame = match tokio::time::timeout(idle, body.frame()).await {
                Err(_) => return Err(self.timed_out(idle).into()),
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    return Err(self
                        .unreachable(format!(
                            "the snapshot stream broke after {total} bytes: {e}"
                        ))
                        .into());
                }
                Ok(Some(Ok(f))) => f,
            };
            let Ok(chunk) = frame.into_data() else {
                continue;
            };
            if head.len() < 2 {
                head.extend_from_slice(&chunk[..chunk.len().min(2 - head.len())]);
                if head.len() == 2 && head[..] != GZIP_MAGIC {
                    return Err(SnapshotError::NotSnapshot {
                        target: self.target.clone(),
                        got: format!("bytes {:02x} {:02x}", head[0], head[1]),
                    });
                }
            }
            hasher.update(&chunk);
            out.write_all(&chunk).await?;
            total += chunk.len() as u64;
        }
        out.flush().await?;
        if total < 18 {
            return Err(SnapshotError::NotSnapshot {
                target: self.target.clone(),
                got: format!("{total} bytes"),
            });
        }
        Ok(SnapshotDigest {
            bytes: total,
            sha256: hex::encode(hasher.finalize()),
        })
    }

    /// Restores a snapshot (`POST sys/storage/raft/snapshot`, or `snapshot-force` for one
    /// taken on another cluster, whose keys differ). `timeout` bounds the whole upload.
    pub async fn snapshot_restore(
        &self,
        data: Bytes,
        force: bool,
        timeout: Duration,
    ) -> Result<(), VaultError> {
        let path = if force {
            "sys/storage/raft/snapshot-force"
        } else {
            "sys/storage/raft/snapshot"
        };
        let req = self.raw_request(Method::POST, path, data)?;
        let (status, bytes) = tokio::time::timeout(timeout, async {
            let mut guard = self.sender().await?;
            let sender = guard.as_mut().expect("connected");
            let resp = sender.send_request(req).await.map_err(|e| {
                *guard = None;
                self.unreachable(format!("POST {path}: {e}"))
            })?;
            let status = resp.status().as_u16();
            let bytes = resp
                .into_body()
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            Ok::<_, VaultError>((status, bytes))
        })
        .await
        .map_err(|_| self.timed_out(timeout))??;
        self.check(status, &bytes, path)
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
    fn multi_errors_become_one_line() {
        assert_eq!(
            tidy("1 error occurred:\n\t* failed to read snapshot file: unexpected EOF\n\n"),
            "failed to read snapshot file: unexpected EOF"
        );
        assert_eq!(tidy("permission denied"), "permission denied");
        assert_eq!(tidy("2 errors occurred:\n\t* a\n\t* b\n"), "a; b");
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
        assert_eq!(config.failure_tolerance(None), 1);
    }

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
    fn autopilot_settings_are_checked() {
        assert_eq!(
            autopilot_setting("cleanup_dead_servers", "true"),
            Ok(json!(true))
        );
        assert_eq!(autopilot_setting("min-quorum", "3"), Ok(json!(3)));
        assert_eq!(
            autopilot_setting("dead_server_last_contact_threshold", "1m30s"),
            Ok(json!("1m30s"))
        );
        assert!(autopilot_setting("min_quorum", "three").is_err());
        assert!(autopilot_setting("last_contact_threshold", "10").is_err());
        assert!(autopilot_setting("last_contact_threshold", "10 parsecs").is_err());
        let err = autopilot_setting("cleanup", "true").unwrap_err();
        assert!(err.contains("settable: cleanup_dead_servers"), "{err}");
    }

    #[test]
    fn raft_error_counters_from_metrics() {
        let m = json!({
            "Gauges": [{"Name": "vault.autopilot.failure_tolerance", "Value": 1}],
            "Counters": [
                {"Name": "vault.raft_storage.error", "Count": 2, "Sum": 3},
                {"Name": "vault.cache.hit", "Count": 20, "Sum": 20}
            ],
            "Samples": [{"Name": "vault.raft-storage.put.failed", "Count": 1, "Sum": 0.2}]
        });
        let errors = raft_errors(&m);
        let names: Vec<&str> = errors.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["vault.raft-storage.put.failed", "vault.raft_storage.error"]
        );
        assert_eq!(errors[1].count, 3.0);
    }

    #[test]
    fn autopilot_state_with_nulls() {
        let v = json!({"healthy": true, "failure_tolerance": 1, "leader": "vault-0",
                       "voters": ["vault-0"], "non_voters": null, "servers": {}});
        let s: AutopilotState = serde_json::from_value(v).unwrap();
        assert!(s.non_voters.is_empty());
    }

    #[test]
    fn snapshots_are_gzip() {
        assert!(looks_like_snapshot(&[
            0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0
        ]));
        assert!(!looks_like_snapshot(b"hello world, not a snapshot"));
        assert!(!looks_like_snapshot(&[0x1f, 0x8b]));
    }
}
