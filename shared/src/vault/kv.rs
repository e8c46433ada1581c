//! Reading a KV secret to check that Vault serves data again, without ever returning its value.

use http::Method;
use serde::Serialize;

use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KvRead {
    Found,
    NotFound,
    PermissionDenied,
}

impl VaultClient {
    /// Whether the KV secret at `path` (as the CLI names it: `secret/app/db`) can be read.
    /// Finds the mount and its KV version first, then reads the data path for that version.
    pub async fn kv_readable(&self, path: &str) -> Result<KvRead, VaultError> {
        let path = path.trim_matches('/');
        let mounts = self
            .json(
                Method::GET,
                &format!("sys/internal/ui/mounts/{path}"),
                Body::Empty,
                true,
            )
            .await;
        let (mount, version) = match mounts {
            Ok(v) => (
                v["data"]["path"]
                    .as_str()
                    .unwrap_or("")
                    .trim_end_matches('/')
                    .to_string(),
                v["data"]["options"]["version"]
                    .as_str()
                    .unwrap_or("1")
                    .to_string(),
            ),
            Err(e) if e.status() == Some(403) => return Ok(KvRead::PermissionDenied),
            Err(e) if e.status() == Some(404) => return Ok(KvRead::NotFound),
            Err(e) => return Err(e),
        };
        let rest = path
            .strip_prefix(&mount)
            .unwrap_or(path)
            .trim_start_matches('/');
        let read_path = if version == "2" && !mount.is_empty() {
            format!("{mount}/data/{rest}")
        } else {
            path.to_string()
        };
        // The answer holds the secret's value: keep only its status.
        match self
            .send(Method::GET, &read_path, Body::Empty, true)
            .await?
            .0
        {
            200 => Ok(KvRead::Found),
            403 => Ok(KvRead::PermissionDenied),
            404 => Ok(KvRead::NotFound),
            status => Err(VaultError::Api {
                target: self.target.clone(),
                status,
                errors: vec![format!("reading {path} failed")],
            }),
        }
    }
}

/// Where a KV path lives: its mount, the KV version of the mount, and the rest of the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KvMount {
    pub mount: String,
    /// 1 or 2.
    pub version: u8,
    pub rest: String,
}

impl KvMount {
    /// The API path of `kind` (`data`, `metadata`, `destroy`) for KV v2, the path itself for v1.
    pub fn api(&self, kind: &str) -> String {
        if self.version == 2 {
            format!("{}/{kind}/{}", self.mount, self.rest)
        } else {
            format!("{}/{}", self.mount, self.rest)
        }
    }
}

/// One version of a KV v2 secret, as its metadata lists it.
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct KvVersion {
    #[serde(default)]
    pub created_time: String,
    #[serde(default)]
    pub deletion_time: String,
    #[serde(default)]
    pub destroyed: bool,
}

/// A KV v2 secret's metadata (never its data).
#[derive(Debug, Clone, Default, serde::Deserialize, Serialize)]
pub struct KvMetadata {
    #[serde(default)]
    pub current_version: u64,
    #[serde(default)]
    pub versions: std::collections::BTreeMap<String, KvVersion>,
}

impl VaultClient {
    /// The KV mount `path` is under (`sys/internal/ui/mounts`); an error when it is not KV.
    pub async fn kv_mount(&self, path: &str) -> Result<KvMount, VaultError> {
        let path = path.trim_matches('/');
        let v = self
            .json(
                Method::GET,
                &format!("sys/internal/ui/mounts/{path}"),
                Body::Empty,
                true,
            )
            .await?;
        let data = &v["data"];
        let mount = data["path"].as_str().unwrap_or("").trim_end_matches('/');
        let kind = data["type"].as_str().unwrap_or("");
        if mount.is_empty() || !matches!(kind, "kv" | "generic") {
            return Err(VaultError::Api {
                target: self.target.clone(),
                status: 400,
                errors: vec![format!(
                    "{path} is not under a KV mount ({})",
                    if kind.is_empty() { "no mount" } else { kind }
                )],
            });
        }
        Ok(KvMount {
            mount: mount.to_string(),
            version: if data["options"]["version"].as_str() == Some("2") {
                2
            } else {
                1
            },
            rest: path
                .strip_prefix(mount)
                .unwrap_or(path)
                .trim_start_matches('/')
                .to_string(),
        })
    }

    /// A KV v2 secret's metadata; None when there is no such secret.
    pub async fn kv_metadata(&self, m: &KvMount) -> Result<Option<KvMetadata>, VaultError> {
        match self
            .data(Method::GET, &m.api("metadata"), Body::Empty)
            .await
        {
            Ok(md) => Ok(Some(md)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Destroys versions of a KV v2 secret (their data is gone for good).
    pub async fn kv_destroy(&self, m: &KvMount, versions: &[u64]) -> Result<(), VaultError> {
        self.no_content(
            Method::PUT,
            &m.api("destroy"),
            Body::Json(serde_json::json!({ "versions": versions })),
        )
        .await
    }

    /// Deletes a KV v2 secret's metadata and every version, or a KV v1 secret.
    pub async fn kv_delete_all(&self, m: &KvMount) -> Result<(), VaultError> {
        self.no_content(Method::DELETE, &m.api("metadata"), Body::Empty)
            .await
    }

    /// The secret's data (its values: kept in a wiped buffer, never printed) and, on KV v2,
    /// its version; None when there is none.
    pub async fn kv_read_secret(
        &self,
        m: &KvMount,
    ) -> Result<Option<(Zeroizing<Vec<u8>>, u64)>, VaultError> {
        let path = m.api("data");
        let (status, bytes) = self.send(Method::GET, &path, Body::Empty, true).await?;
        if status == 404 {
            return Ok(None);
        }
        self.check(status, &bytes, &path)?;
        let v: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|_| VaultError::Protocol {
                target: self.target.clone(),
                status,
                message: format!("{path}: not JSON"),
            })?;
        let (data, version) = if m.version == 2 {
            (
                &v["data"]["data"],
                v["data"]["metadata"]["version"].as_u64().unwrap_or(0),
            )
        } else {
            (&v["data"], 0)
        };
        if data.is_null() {
            // A v2 secret whose current version is deleted or destroyed.
            return Ok(None);
        }
        Ok(Some((
            Zeroizing::new(serde_json::to_vec(data).expect("JSON")),
            version,
        )))
    }

    /// Writes the secret's data (a JSON object in a wiped buffer) as a new version; on KV v2
    /// only if the current version is still `cas`. Returns the new version (0 on v1).
    pub async fn kv_write_secret(
        &self,
        m: &KvMount,
        data_json: &[u8],
        cas: u64,
    ) -> Result<u64, VaultError> {
        let mut body = Zeroizing::new(Vec::with_capacity(data_json.len() + 64));
        if m.version == 2 {
            body.extend_from_slice(format!("{{\"options\":{{\"cas\":{cas}}},\"data\":").as_bytes());
            body.extend_from_slice(data_json);
            body.push(b'}');
        } else {
            body.extend_from_slice(data_json);
        }
        let path = m.api("data");
        let (status, bytes) = self
            .send(Method::POST, &path, Body::Secret(body), true)
            .await?;
        self.check(status, &bytes, &path)?;
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        Ok(v["data"]["version"].as_u64().unwrap_or(0))
    }
}
