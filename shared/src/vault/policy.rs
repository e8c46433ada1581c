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

/// An identity entity or group, as `identity/<kind>/id/<id>` shows it.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct IdentityObject {
    #[serde(default)]
    pub id: String,
    #[serde(default)]
    pub name: String,
    /// Its own policies (Vault answers null for none).
    #[serde(default)]
    pub policies: Option<Vec<String>>,
    /// A group's member entities.
    #[serde(default)]
    pub member_entity_ids: Option<Vec<String>>,
    #[serde(default)]
    pub disabled: bool,
}

impl VaultClient {
    /// The IDs of every identity `kind` (`entity` or `group`); none is an empty list.
    pub async fn identity_ids(&self, kind: &str) -> Result<Vec<String>, VaultError> {
        self.list_keys(&format!("identity/{kind}/id")).await
    }

    /// One identity entity or group; None when it is gone (deleted since it was listed).
    pub async fn identity_object(
        &self,
        kind: &str,
        id: &str,
    ) -> Result<Option<IdentityObject>, VaultError> {
        match self
            .data(
                Method::GET,
                &format!("identity/{kind}/id/{id}"),
                Body::Empty,
            )
            .await
        {
            Ok(o) => Ok(Some(o)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The names under `auth/<mount>/<collection>` (`role`, `users`, `certs`); none is an
    /// empty list.
    pub async fn auth_entries(
        &self,
        mount: &str,
        collection: &str,
    ) -> Result<Vec<String>, VaultError> {
        self.list_keys(&format!("auth/{}/{collection}", mount.trim_matches('/')))
            .await
    }

    /// The policies an auth method's role (user, certificate) gives its tokens:
    /// `token_policies` and the older `policies`.
    pub async fn auth_entry_policies(
        &self,
        mount: &str,
        collection: &str,
        name: &str,
    ) -> Result<Vec<String>, VaultError> {
        let v: Value = self
            .data(
                Method::GET,
                &format!("auth/{}/{collection}/{name}", mount.trim_matches('/')),
                Body::Empty,
            )
            .await?;
        let mut out: Vec<String> = ["token_policies", "policies"]
            .iter()
            .flat_map(|k| v[*k].as_array().cloned().unwrap_or_default())
            .filter_map(|p| p.as_str().map(str::to_string))
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }
}
