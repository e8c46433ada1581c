//! sys/seal-status, sys/unseal, sys/health, sys/leader.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;
use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};
use crate::keys::Share;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SealStatus {
    /// shamir, awskms, gcpckms, azurekeyvault, transit, pkcs11, …
    #[serde(rename = "type")]
    pub seal_type: String,
    pub initialized: bool,
    pub sealed: bool,
    /// Threshold.
    pub t: u32,
    /// Shares.
    pub n: u32,
    pub progress: u32,
    #[serde(default)]
    pub nonce: String,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub migration: bool,
    #[serde(default)]
    pub recovery_seal: bool,
    #[serde(default)]
    pub cluster_name: Option<String>,
    #[serde(default)]
    pub storage_type: Option<String>,
    /// Vault reports `build_date`, OpenBao `commit_date`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commit_date: Option<String>,
}

impl SealStatus {
    /// "openbao" or "vault".
    pub fn flavor(&self) -> &'static str {
        if self.commit_date.is_some() || self.version.starts_with("2.") && self.build_date.is_none()
        {
            "openbao"
        } else {
            "vault"
        }
    }

    /// Whether unsealing takes key shares (a Shamir seal) rather than a KMS.
    pub fn needs_shares(&self) -> bool {
        self.seal_type == "shamir"
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Health {
    pub initialized: bool,
    pub sealed: bool,
    pub standby: bool,
    #[serde(default)]
    pub performance_standby: bool,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub cluster_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Leader {
    pub ha_enabled: bool,
    pub is_self: bool,
    // null while an election is under way.
    #[serde(default, deserialize_with = "null_as_empty")]
    pub leader_address: String,
    #[serde(default, deserialize_with = "null_as_empty")]
    pub leader_cluster_address: String,
    #[serde(default)]
    pub raft_committed_index: Option<u64>,
    #[serde(default)]
    pub raft_applied_index: Option<u64>,
    #[serde(default)]
    pub active_time: Option<String>,
}

fn null_as_empty<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(Option::<String>::deserialize(d)?.unwrap_or_default())
}

impl VaultClient {
    pub async fn seal_status(&self) -> Result<SealStatus, VaultError> {
        self.get("sys/seal-status", false).await
    }

    /// sys/health with every state answering 200, so the body is always there to read.
    pub async fn health(&self) -> Result<Health, VaultError> {
        self.get(
            "sys/health?standbyok=true&perfstandbyok=true&sealedcode=200&uninitcode=200&standbycode=200&drsecondarycode=200&performancestandbycode=200",
            false,
        )
        .await
    }

    pub async fn leader(&self) -> Result<Leader, VaultError> {
        self.get("sys/leader", false).await
    }

    /// Submits one share; the body that carries it is wiped after sending.
    pub async fn submit_share(&self, share: &Share) -> Result<SealStatus, VaultError> {
        let key = share.to_base64();
        // Built in place so no unzeroized copy of the key is left behind by formatting.
        let mut body = Zeroizing::new(Vec::with_capacity(key.len() + 12));
        body.extend_from_slice(b"{\"key\":\"");
        body.extend_from_slice(key.as_bytes());
        body.extend_from_slice(b"\"}");
        let v = self
            .json(Method::PUT, "sys/unseal", Body::Secret(body), false)
            .await?;
        self.decode(v, "sys/unseal")
    }

    /// Discards the unseal attempt in progress (its nonce and shares).
    pub async fn reset_unseal(&self) -> Result<SealStatus, VaultError> {
        let v = self
            .json(
                Method::PUT,
                "sys/unseal",
                Body::Json(json!({"reset": true})),
                false,
            )
            .await?;
        self.decode(v, "sys/unseal")
    }
}
