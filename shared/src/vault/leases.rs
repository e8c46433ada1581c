//! Leases: listing the lease tree (`sys/leases/lookup/…`), one lease's times, revoking (one
//! lease, a prefix, or a prefix by force), tidying, and the token's own capabilities.
//!
//! Lease listing and prefix revocation need a `sudo` token. Every call goes to the active node:
//! a standby redirects some of them, which fails over a port-forward.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::{Body, VaultClient, VaultError};

/// One lease's times, from `sys/leases/lookup`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LeaseInfo {
    pub id: String,
    #[serde(default)]
    pub issue_time: Option<String>,
    #[serde(default)]
    pub expire_time: Option<String>,
    /// Seconds left.
    #[serde(default)]
    pub ttl: i64,
    #[serde(default)]
    pub renewable: bool,
}

/// The path a lease lives under, as `sys/leases/lookup/<prefix>` wants it: no leading slash,
/// one trailing slash (the empty prefix is the root of the tree).
pub fn lease_dir(prefix: &str) -> String {
    let p = prefix.trim_matches('/');
    if p.is_empty() {
        String::new()
    } else {
        format!("{p}/")
    }
}

impl VaultClient {
    /// A second client for the same node with the same token, on a connection of its own:
    /// one client sends one request at a time, so concurrent walks take several.
    pub fn another_connection(&self) -> VaultClient {
        VaultClient::new(self.target.clone(), self.connector.clone(), self.timeout)
            .with_token(self.token.clone())
            .with_redirects(self.redirects.clone())
    }

    /// The keys directly under `prefix`: sub-prefixes end in `/`, the rest are lease IDs
    /// relative to `prefix`. An empty or unknown prefix is an empty list (Vault answers 404).
    pub async fn list_leases(&self, prefix: &str) -> Result<Vec<String>, VaultError> {
        let path = format!("sys/leases/lookup/{}", lease_dir(prefix));
        self.list_keys(&path).await
    }

    /// One lease's issue and expiry times.
    pub async fn lookup_lease(&self, lease_id: &str) -> Result<LeaseInfo, VaultError> {
        self.data(
            Method::PUT,
            "sys/leases/lookup",
            Body::Json(json!({ "lease_id": lease_id })),
        )
        .await
    }

    /// Revokes one lease (and, for a token lease, the token).
    pub async fn revoke_lease(&self, lease_id: &str) -> Result<(), VaultError> {
        self.lease_write("sys/leases/revoke".into(), json!({ "lease_id": lease_id }))
            .await
    }

    /// Revokes every lease under `prefix` in one request (Vault reads a prefix without its
    /// trailing slash as a directory, or as one lease ID when one matches exactly; it works through them before it
    /// answers: large prefixes run into client and proxy timeouts).
    pub async fn revoke_prefix(&self, prefix: &str) -> Result<(), VaultError> {
        self.lease_write(
            format!("sys/leases/revoke-prefix/{}", prefix.trim_matches('/')),
            json!({}),
        )
        .await
    }

    /// Deletes every lease under `prefix` from storage, whatever the backend says: secrets
    /// the backend could not revoke stay valid where they live.
    pub async fn revoke_force(&self, prefix: &str) -> Result<(), VaultError> {
        self.lease_write(
            format!("sys/leases/revoke-force/{}", prefix.trim_matches('/')),
            json!({}),
        )
        .await
    }

    /// The token's own capabilities on each of `paths` (`sys/capabilities-self`), so a
    /// command can refuse before its first change instead of failing half-way.
    pub async fn capabilities_self(
        &self,
        paths: &[String],
    ) -> Result<Vec<Vec<String>>, VaultError> {
        let v: Value = self
            .data(
                Method::POST,
                "sys/capabilities-self",
                Body::Json(json!({ "paths": paths })),
            )
            .await?;
        Ok(paths
            .iter()
            .map(|p| {
                v[p.as_str()]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|c| c.as_str().map(str::to_string))
                    .collect()
            })
            .collect())
    }

    /// Starts the lease tidy (it runs in the background on the active node).
    pub async fn tidy_leases(&self) -> Result<(), VaultError> {
        self.lease_write("sys/leases/tidy".into(), json!({})).await
    }

    async fn lease_write(&self, path: String, body: Value) -> Result<(), VaultError> {
        self.no_content(Method::PUT, &path, Body::Json(body)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lease_dirs_have_one_trailing_slash() {
        assert_eq!(lease_dir(""), "");
        assert_eq!(lease_dir("/"), "");
        assert_eq!(lease_dir("auth/token/create/a"), "auth/token/create/a/");
        assert_eq!(lease_dir("/auth/token/"), "auth/token/");
    }
}
