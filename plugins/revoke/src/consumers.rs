//! Who is likely to use a rotated secret, so the operator knows what to restart: pods whose
//! Vault Agent injector annotations name it, and Kubernetes auth roles whose policies grant
//! read on it. Both are hints: a lookup that fails is reported, never read as "nobody".

use anyhow::Result;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use serde::Serialize;
use vault_shared::session::Session;
use vault_shared::target::Target;

use crate::policy::grants_read;

#[derive(Debug, Default, Serialize)]
pub struct Consumers {
    /// `namespace/name` of pods whose agent-inject-secret annotations name the path.
    pub pods: Vec<String>,
    /// `auth/<mount>/role/<name>` whose policies read the path.
    pub roles: Vec<String>,
    /// What could not be looked at.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unknown: Vec<String>,
}

/// The pods (any namespace) with `vault.hashicorp.com/agent-inject-secret-*` naming one of
/// `paths` (the CLI path, and the API path).
async fn annotated_pods(session: &Session, paths: &[String]) -> Result<Vec<String>> {
    let pods: Api<Pod> = Api::all(session.kube.client.clone());
    let list = session
        .kube
        .call(
            "list pods in all namespaces",
            pods.list(&ListParams::default()),
        )
        .await?;
    let mut out = Vec::new();
    for p in list {
        let named = p.metadata.annotations.iter().flatten().any(|(k, v)| {
            k.starts_with("vault.hashicorp.com/agent-inject-secret-")
                && paths.iter().any(|want| v.trim_matches('/') == want)
        });
        if named {
            out.push(format!(
                "{}/{}",
                p.metadata.namespace.unwrap_or_default(),
                p.metadata.name.unwrap_or_default()
            ));
        }
    }
    out.sort();
    Ok(out)
}

/// The Kubernetes auth roles whose token policies grant read on `api_path`.
async fn reading_roles(via: &Target, api_path: &str) -> Result<Vec<String>, String> {
    let c = &via.client;
    let mounts = c.auth_mounts().await.map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    let mut policies = std::collections::HashMap::new();
    for mount in mounts
        .iter()
        .filter(|(_, kind)| kind == "kubernetes")
        .map(|(m, _)| m)
    {
        for role in c.kubernetes_roles(mount).await.map_err(|e| e.to_string())? {
            let r = c
                .kubernetes_role(mount, &role)
                .await
                .map_err(|e| e.to_string())?;
            for name in &r.token_policies {
                if !policies.contains_key(name) {
                    let text = c.policy_text(name).await.map_err(|e| e.to_string())?;
                    policies.insert(name.clone(), text.unwrap_or_default());
                }
                if grants_read(&policies[name], api_path) {
                    out.push(format!("auth/{mount}/role/{role}"));
                    break;
                }
            }
        }
    }
    Ok(out)
}

pub async fn find(session: &Session, via: &Target, cli_path: &str, api_path: &str) -> Consumers {
    let mut c = Consumers::default();
    let paths = vec![cli_path.to_string(), api_path.to_string()];
    match annotated_pods(session, &paths).await {
        Ok(p) => c.pods = p,
        Err(e) => c.unknown.push(format!("pods: {e:#}")),
    }
    match reading_roles(via, api_path).await {
        Ok(r) => c.roles = r,
        Err(e) => c.unknown.push(format!("auth roles: {e}")),
    }
    c
}
