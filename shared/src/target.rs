//! The Vault nodes a plugin acts on: each Vault pod through its own port-forward, or one
//! address given with `--vault-addr`.

use anyhow::Result;
use k8s_openapi::api::core::v1::Pod;

use crate::cli::VaultArgs;
use crate::cluster::{self, Kube};
use crate::transport::{CaReads, Connector};
use crate::vault::{Peer, Redirects, TokenCell, VaultClient};

pub struct Target {
    /// The pod name, or the address for `--vault-addr`.
    pub name: String,
    pub pod: Option<Pod>,
    pub client: VaultClient,
}

/// Why a pod has no Vault client; keeps the pod's name for tables and next steps.
#[derive(Debug, thiserror::Error)]
#[error("{pod}: {error:#}")]
pub struct TargetError {
    pub pod: String,
    error: anyhow::Error,
}

impl TargetError {
    pub fn new(pod: &str, error: anyhow::Error) -> TargetError {
        TargetError {
            pod: pod.to_string(),
            error,
        }
    }
}

/// The pod (or address) a target is for, whether it could be set up or not.
pub fn name_of(t: &Result<Target>) -> &str {
    match t {
        Ok(t) => &t.name,
        Err(e) => e
            .downcast_ref::<TargetError>()
            .map_or("?", |e| e.pod.as_str()),
    }
}

/// One target per pod, built concurrently; a pod whose transport cannot be set up (its CA
/// cannot be found, …) yields a [`TargetError`] in its place.
pub async fn for_pods(
    kube: &Kube,
    pods: Vec<Pod>,
    args: &VaultArgs,
    token: &TokenCell,
    redirects: &Redirects,
) -> Vec<Result<Target>> {
    for_pods_with_cas(kube, pods, args, token, redirects, &CaReads::default()).await
}

/// [`for_pods`] with the CA reads shared with (and maybe already started by) the caller:
/// see [`CaReads::prefetch`].
pub async fn for_pods_with_cas(
    kube: &Kube,
    pods: Vec<Pod>,
    args: &VaultArgs,
    token: &TokenCell,
    redirects: &Redirects,
    cas: &CaReads,
) -> Vec<Result<Target>> {
    let futs = pods.into_iter().map(|pod| async move {
        let name = cluster::name(&pod).to_string();
        let connector = Connector::for_pod(kube, &pod, args, cas)
            .await
            .map_err(|error| TargetError {
                pod: name.clone(),
                error,
            })?;
        let client = VaultClient::new(name.clone(), connector, args.vault_timeout)
            .with_token(token.clone())
            .with_redirects(redirects.clone());
        Ok(Target {
            name,
            pod: Some(pod),
            client,
        })
    });
    futures::future::join_all(futs).await
}

/// The single target of `--vault-addr`.
pub fn direct(addr: &str, args: &VaultArgs, token: &TokenCell) -> Result<Target> {
    let client = VaultClient::new(addr, Connector::direct(addr, args)?, args.vault_timeout)
        .with_token(token.clone());
    Ok(Target {
        name: addr.to_string(),
        pod: None,
        client,
    })
}

/// The nodes a standby's redirect may be followed to: every target that has a client.
pub fn peers(targets: &[Result<Target>]) -> Vec<Peer> {
    targets
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|t| Peer {
            name: t.name.clone(),
            ip: t.pod.as_ref().and_then(cluster::pod_ip).map(str::to_string),
            connector: t.client.connector().clone(),
        })
        .collect()
}
