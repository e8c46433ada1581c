//! Reading a KV secret to check that Vault serves data again, without ever returning its value.

use http::Method;
use serde::Serialize;

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
