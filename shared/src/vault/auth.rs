//! The Kubernetes auth method: a mount's config, its roles, and a login with a service-account
//! token. The reviewer JWT in the config is never returned by Vault (only whether one is set),
//! and the login's client token is never kept: only its accessor, policies and TTL.

use http::Method;
use serde::Deserialize;
use zeroize::Zeroizing;

use super::{Body, VaultClient, VaultError};

/// `auth/<mount>/config`, as Vault shows it.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KubernetesConfig {
    #[serde(default)]
    pub kubernetes_host: String,
    #[serde(default)]
    pub kubernetes_ca_cert: String,
    #[serde(default)]
    pub issuer: String,
    #[serde(default)]
    pub disable_iss_validation: bool,
    #[serde(default)]
    pub disable_local_ca_jwt: bool,
    /// Whether a reviewer JWT is configured (Vault never returns the JWT itself).
    #[serde(default)]
    pub token_reviewer_jwt_set: bool,
    #[serde(default)]
    pub pem_keys: Vec<String>,
}

/// One role of the method, `auth/<mount>/role/<name>`.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct KubernetesRole {
    #[serde(default)]
    pub bound_service_account_names: Vec<String>,
    #[serde(default)]
    pub bound_service_account_namespaces: Vec<String>,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub token_policies: Vec<String>,
}

/// What a successful login returned, without the client token.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct LoginInfo {
    #[serde(default)]
    pub accessor: String,
    #[serde(default)]
    pub policies: Vec<String>,
    #[serde(default)]
    pub lease_duration: i64,
}

#[derive(Deserialize)]
struct LoginAnswer {
    auth: LoginInfo,
}

fn mount_path(mount: &str) -> String {
    format!("auth/{}", mount.trim_matches('/'))
}

impl VaultClient {
    pub async fn kubernetes_config(&self, mount: &str) -> Result<KubernetesConfig, VaultError> {
        self.data(
            Method::GET,
            &format!("{}/config", mount_path(mount)),
            Body::Empty,
        )
        .await
    }

    /// The role names; none is an empty list (Vault answers 404).
    pub async fn kubernetes_roles(&self, mount: &str) -> Result<Vec<String>, VaultError> {
        self.list_keys(&format!("{}/role", mount_path(mount))).await
    }

    pub async fn kubernetes_role(
        &self,
        mount: &str,
        role: &str,
    ) -> Result<KubernetesRole, VaultError> {
        self.data(
            Method::GET,
            &format!("{}/role/{role}", mount_path(mount)),
            Body::Empty,
        )
        .await
    }

    /// Logs in with a service-account token (sent without a Vault token, in a body wiped
    /// after sending). The answer's client token is dropped unread.
    pub async fn kubernetes_login(
        &self,
        mount: &str,
        role: &str,
        jwt: &str,
    ) -> Result<LoginInfo, VaultError> {
        let body = Zeroizing::new(
            serde_json::to_vec(&serde_json::json!({ "role": role, "jwt": jwt }))
                .expect("JSON of strings"),
        );
        let path = format!("{}/login", mount_path(mount));
        let (status, bytes) = self
            .send(Method::POST, &path, Body::Secret(body), false)
            .await?;
        self.check(status, &bytes, &path)?;
        let answer: LoginAnswer =
            serde_json::from_slice(&bytes).map_err(|e| VaultError::Protocol {
                target: self.target.clone(),
                status,
                message: format!("{path}: {e}"),
            })?;
        Ok(answer.auth)
    }

    /// Writes the whole config. A write replaces every field (OpenBao 2.7 drops an omitted
    /// reviewer JWT and clears an omitted issuer), so the caller passes them all; the body
    /// carrying the reviewer JWT is wiped after sending.
    pub async fn write_kubernetes_config(
        &self,
        mount: &str,
        config: &KubernetesConfig,
        reviewer_jwt: Option<&str>,
    ) -> Result<(), VaultError> {
        // Serialised from borrowed fields so the JWT's only copy is the wiped body.
        #[derive(serde::Serialize)]
        struct Write<'a> {
            kubernetes_host: &'a str,
            kubernetes_ca_cert: &'a str,
            issuer: &'a str,
            disable_iss_validation: bool,
            disable_local_ca_jwt: bool,
            pem_keys: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            token_reviewer_jwt: Option<&'a str>,
        }
        let bytes = Zeroizing::new(
            serde_json::to_vec(&Write {
                kubernetes_host: &config.kubernetes_host,
                kubernetes_ca_cert: &config.kubernetes_ca_cert,
                issuer: &config.issuer,
                disable_iss_validation: config.disable_iss_validation,
                disable_local_ca_jwt: config.disable_local_ca_jwt,
                pem_keys: &config.pem_keys,
                token_reviewer_jwt: reviewer_jwt,
            })
            .expect("JSON of strings"),
        );
        let path = format!("{}/config", mount_path(mount));
        let (status, answer) = self
            .send(Method::POST, &path, Body::Secret(bytes), true)
            .await?;
        self.check(status, &answer, &path)
    }

    /// Revokes a token by its accessor (with this client's token).
    pub async fn revoke_accessor(&self, accessor: &str) -> Result<(), VaultError> {
        self.no_content(
            Method::POST,
            "auth/token/revoke-accessor",
            Body::Json(serde_json::json!({ "accessor": accessor })),
        )
        .await
    }
}
