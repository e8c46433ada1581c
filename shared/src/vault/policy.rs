//! ACL policies: their text, written back, and the auth methods that may hand them out.

use http::Method;
use serde_json::Value;

use super::{Body, VaultClient, VaultError};

impl VaultClient {
    /// The HCL text of ACL policy `name`; None when there is no such policy.
    pub async fn policy_text(&self, name: &str) -> Result<Option<String>, VaultError> {
        match self
            .data::<Value>(
                Method::GET,
                &format!("sys/policies/acl/{name}"),
                Body::Empty,
            )
            .await
        {
            Ok(v) => Ok(Some(v["policy"].as_str().unwrap_or_default().to_string())),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn write_policy(&self, name: &str, text: &str) -> Result<(), VaultError> {
        self.no_content(
            Method::PUT,
            &format!("sys/policies/acl/{name}"),
            Body::Json(serde_json::json!({ "policy": text })),
        )
        .await
    }

    /// The enabled auth methods: (mount path without slashes, type).
    pub async fn auth_mounts(&self) -> Result<Vec<(String, String)>, VaultError> {
        let v = self
            .json(Method::GET, "sys/auth", Body::Empty, true)
            .await?;
        Ok(super::audit::mount_table(v)
            .iter()
            .filter_map(|(k, d)| {
                Some((
                    k.trim_matches('/').to_string(),
                    d.get("type")?.as_str()?.to_string(),
                ))
            })
            .collect())
    }
}
