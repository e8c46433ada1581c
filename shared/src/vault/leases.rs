//! Leases: listing the lease tree (`sys/leases/lookup/…`), one lease's times, revoking (one
//! lease, a prefix, or a prefix by force), tidying, and sys/metrics in Prometheus form.
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
        VaultClient {
            target: self.target.clone(),
            connector: self.connector.clone(),
            conn: tokio::sync::Mutex::new(None),
            token: self.token.clone(),
            timeout: self.timeout,
        }
    }

    /// The keys directly under `prefix`: sub-prefixes end in `/`, the rest are lease IDs
    /// relative to `prefix`. An empty or unknown prefix is an empty list (Vault answers 404).
    pub async fn list_leases(&self, prefix: &str) -> Result<Vec<String>, VaultError> {
        let path = format!("sys/leases/lookup/{}", lease_dir(prefix));
        let v = match self
            .json(
                Method::from_bytes(b"LIST").expect("method"),
                &path,
                Body::Empty,
                true,
            )
            .await
        {
            Ok(v) => v,
            Err(VaultError::Api {
                status: 404,
                errors,
                ..
            }) if errors.is_empty() => return Ok(Vec::new()),
            Err(e) => return Err(e),
        };
        self.redirect_guard(&v, &path)?;
        Ok(v["data"]["keys"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect())
    }

    /// One lease's issue and expiry times.
    pub async fn lookup_lease(&self, lease_id: &str) -> Result<LeaseInfo, VaultError> {
        let v = self
            .json(
                Method::PUT,
                "sys/leases/lookup",
                Body::Json(json!({ "lease_id": lease_id })),
                true,
            )
            .await?;
        self.redirect_guard(&v, "sys/leases/lookup")?;
        serde_json::from_value(v["data"].clone()).map_err(|e| VaultError::Protocol {
            target: self.target.clone(),
            status: 200,
            message: format!("sys/leases/lookup: {e}"),
        })
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
        let v = self
            .json(
                Method::POST,
                "sys/capabilities-self",
                Body::Json(json!({ "paths": paths })),
                true,
            )
            .await?;
        self.redirect_guard(&v, "sys/capabilities-self")?;
        let caps = |p: &str| -> Vec<String> {
            let c = if v["data"][p].is_array() {
                &v["data"][p]
            } else {
                &v[p]
            };
            c.as_array()
                .into_iter()
                .flatten()
                .filter_map(|c| c.as_str().map(str::to_string))
                .collect()
        };
        Ok(paths.iter().map(|p| caps(p)).collect())
    }

    /// Starts the lease tidy (it runs in the background on the active node).
    pub async fn tidy_leases(&self) -> Result<(), VaultError> {
        self.lease_write("sys/leases/tidy".into(), json!({})).await
    }

    /// sys/metrics in Prometheus text form; needs `prometheus_retention_time` in the
    /// server's telemetry stanza (else Vault answers 400).
    pub async fn metrics_prometheus(&self) -> Result<String, VaultError> {
        let path = "sys/metrics?format=prometheus";
        let (status, bytes) = self.send(Method::GET, path, Body::Empty, true).await?;
        self.lease_status(status, &bytes, path)?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    async fn lease_write(&self, path: String, body: Value) -> Result<(), VaultError> {
        let (status, bytes) = self
            .send(Method::PUT, &path, Body::Json(body), true)
            .await?;
        self.lease_status(status, &bytes, &path)
    }

    /// 2xx is done; a 3xx is a standby's redirect (not done); 4xx/5xx carry Vault's errors.
    fn lease_status(&self, status: u16, bytes: &[u8], path: &str) -> Result<(), VaultError> {
        match status {
            200..=299 => Ok(()),
            300..=399 => Err(self.standby_redirect(path)),
            _ => Err(VaultError::Api {
                target: self.target.clone(),
                status,
                errors: serde_json::from_slice::<Value>(bytes)
                    .ok()
                    .and_then(|v| {
                        v["errors"].as_array().map(|a| {
                            a.iter()
                                .filter_map(|e| e.as_str().map(str::to_string))
                                .collect()
                        })
                    })
                    .unwrap_or_default(),
            }),
        }
    }

    fn redirect_guard(&self, v: &Value, path: &str) -> Result<(), VaultError> {
        if v.is_null() {
            return Err(self.standby_redirect(path));
        }
        Ok(())
    }

    fn standby_redirect(&self, path: &str) -> VaultError {
        VaultError::Protocol {
            target: self.target.clone(),
            status: 307,
            message: format!(
                "{path}: this node is a standby and redirected the request; send it to the active node"
            ),
        }
    }
}

/// The value of a Prometheus sample (`name{labels} value`), summed over its label sets.
pub fn prometheus_value(text: &str, name: &str) -> Option<f64> {
    let mut found = None;
    for line in text.lines() {
        if line.starts_with('#') {
            continue;
        }
        let Some(rest) = line.strip_prefix(name) else {
            continue;
        };
        if !(rest.starts_with(' ') || rest.starts_with('{')) {
            continue;
        }
        let value = rest.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok());
        if let Some(v) = value {
            found = Some(found.unwrap_or(0.0) + v);
        }
    }
    found
}

/// The samples of `name` with their labels (`name{a="x",b="y"} v` → ([(a,x),(b,y)], v)).
pub fn prometheus_samples(text: &str, name: &str) -> Vec<(Vec<(String, String)>, f64)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(name).and_then(|r| r.strip_prefix('{')) else {
            continue;
        };
        let Some((labels, value)) = rest.rsplit_once("} ") else {
            continue;
        };
        let Ok(value) = value.trim().parse::<f64>() else {
            continue;
        };
        let labels = labels
            .split(',')
            .filter_map(|kv| kv.split_once('='))
            .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
            .collect();
        out.push((labels, value));
    }
    out
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

    #[test]
    fn prometheus_samples_are_read_by_name_and_labels() {
        let text = "# HELP vault_expire_num_leases x\n# TYPE vault_expire_num_leases gauge\n\
vault_expire_num_leases 2500\nvault_expire_num_leases_other 7\n\
vault_token_count_by_ttl{creation_ttl=\"1h\",namespace=\"root\"} 12\n\
vault_token_count_by_ttl{creation_ttl=\"+Inf\",namespace=\"root\"} 1\n";
        assert_eq!(
            prometheus_value(text, "vault_expire_num_leases"),
            Some(2500.0)
        );
        assert_eq!(
            prometheus_value(text, "vault_token_count_by_ttl"),
            Some(13.0)
        );
        assert_eq!(prometheus_value(text, "vault_missing"), None);
        let s = prometheus_samples(text, "vault_token_count_by_ttl");
        assert_eq!(s[0].0[0], ("creation_ttl".to_string(), "1h".to_string()));
        assert_eq!(s[0].1, 12.0);
    }
}
