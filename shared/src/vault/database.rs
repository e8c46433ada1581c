//! The database secrets engine: a connection's configuration (never its password), rotating
//! its root credentials and a static role's password, the time of a static role's last
//! rotation, and a dynamic credential issued only to prove the connection works.

use http::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Body, VaultClient, VaultError};

/// `<mount>/config/<name>`, without secrets (Vault never returns the password).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DbConnection {
    #[serde(default)]
    pub plugin_name: String,
    #[serde(default)]
    pub allowed_roles: Vec<String>,
    #[serde(default)]
    pub connection_details: Value,
}

/// `<mount>/static-roles/<name>`.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct DbStaticRole {
    #[serde(default)]
    pub db_name: String,
    #[serde(default)]
    pub username: String,
    #[serde(default)]
    pub last_vault_rotation: String,
}

fn m(mount: &str) -> &str {
    mount.trim_matches('/')
}

impl VaultClient {
    pub async fn db_connection(&self, mount: &str, name: &str) -> Result<DbConnection, VaultError> {
        self.data(
            Method::GET,
            &format!("{}/config/{name}", m(mount)),
            Body::Empty,
        )
        .await
    }

    pub async fn db_static_role(
        &self,
        mount: &str,
        name: &str,
    ) -> Result<DbStaticRole, VaultError> {
        self.data(
            Method::GET,
            &format!("{}/static-roles/{name}", m(mount)),
            Body::Empty,
        )
        .await
    }

    /// The dynamic roles of the mount.
    pub async fn db_roles(&self, mount: &str) -> Result<Vec<String>, VaultError> {
        self.list_keys(&format!("{}/roles", m(mount))).await
    }

    /// The connection a dynamic role uses.
    pub async fn db_role_connection(&self, mount: &str, role: &str) -> Result<String, VaultError> {
        let v: Value = self
            .data(
                Method::GET,
                &format!("{}/roles/{role}", m(mount)),
                Body::Empty,
            )
            .await?;
        Ok(v["db_name"].as_str().unwrap_or_default().to_string())
    }

    /// Rotates the connection's root credentials: Vault sets a new password it alone knows.
    pub async fn db_rotate_root(&self, mount: &str, name: &str) -> Result<(), VaultError> {
        self.no_content(
            Method::POST,
            &format!("{}/rotate-root/{name}", m(mount)),
            Body::Empty,
        )
        .await
    }

    /// Rotates a static role's password now.
    pub async fn db_rotate_role(&self, mount: &str, name: &str) -> Result<(), VaultError> {
        self.no_content(
            Method::POST,
            &format!("{}/rotate-role/{name}", m(mount)),
            Body::Empty,
        )
        .await
    }

    /// Issues a dynamic credential of `role` and revokes it at once, so only whether Vault can
    /// still log in to the database is kept (the answer's password is never read).
    pub async fn db_probe_role(&self, mount: &str, role: &str) -> Result<(), VaultError> {
        let v: Value = self
            .json(
                Method::GET,
                &format!("{}/creds/{role}", m(mount)),
                Body::Empty,
                true,
            )
            .await?;
        let lease = v["lease_id"].as_str().unwrap_or_default().to_string();
        drop(v);
        self.revoke_lease(&lease).await
    }
}
