//! What every subcommand starts from: the Kubernetes client, the Vault pods (each with a Vault
//! client over its port-forward), the token, and which pod is the leader.

use anyhow::{Result, anyhow, bail};
use vault_shared::cluster::{self, Kube};
use vault_shared::ha::{self, LeaderState, NodeView};
use vault_shared::k8s_openapi::api::core::v1::Pod;
use vault_shared::keys;
use vault_shared::output::{self, Format};
use vault_shared::target::{self, Target};
use vault_shared::vault::VaultError;
use vault_shared::{audit, fanout};

use vault_shared::cli::VaultArgs;

use crate::Cli;

pub struct Ctx {
    pub kube: Kube,
    /// Every Vault pod, whatever the selection: raft peers are matched against all of them.
    pub all_pods: Vec<Pod>,
    /// The selected pods, each with its Vault client (or why it has none).
    pub targets: Vec<Result<Target>>,
    token: Option<keys::Token>,
    token_source: Option<String>,
    vault_args: VaultArgs,
    pub format: Format,
}

impl Ctx {
    /// Connects to the cluster and sets up a Vault client per selected pod (`only`, or all).
    pub async fn connect(cli: &Cli, only: &[String]) -> Result<Ctx> {
        let token = keys::token(cli.token.token_file.as_deref())?;
        let kube = cluster::connect(&cli.kube).await?;
        let all_pods = kube.vault_pods(&[]).await?;
        let selected = kube.select(&all_pods, only)?;
        let targets =
            target::for_pods(&kube, selected, &cli.vault, token.as_ref().map(|(t, _)| t)).await;
        if let Some(Err(first)) = targets.first()
            && targets.iter().all(|t| t.is_err())
        {
            bail!("{first:#}");
        }
        Ok(Ctx {
            kube,
            all_pods,
            targets,
            token_source: token.as_ref().map(|(_, s)| s.clone()),
            token: token.map(|(t, _)| t),
            vault_args: cli.vault.clone(),
            format: cli.out.format(),
        })
    }

    /// Fails with the one-line "missing token" error when no token was found.
    pub fn require_token(&self, what: &str) -> Result<()> {
        if self.token_source.is_none() {
            bail!(
                "no Vault token: {what} needs one; give --token-file PATH (- for stdin), or set VAULT_TOKEN, or write ~/.vault-token"
            );
        }
        Ok(())
    }

    pub fn target(&self, pod: &str) -> Result<&Target> {
        self.targets
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .find(|t| t.name == pod)
            .ok_or_else(|| {
                let why = self
                    .targets
                    .iter()
                    .find(|t| target::name_of(t) == pod)
                    .and_then(|t| t.as_ref().err())
                    .map(|e| format!("{e:#}"));
                anyhow!(
                    "pod {pod} cannot be reached{}",
                    why.map(|w| format!(": {w}")).unwrap_or_default()
                )
            })
    }

    /// A new client for `pod` (after it was recreated: a new object, maybe a new address).
    pub async fn fresh_target(&self, pod: Pod) -> Result<Target> {
        target::for_pods(&self.kube, vec![pod], &self.vault_args, self.token.as_ref())
            .await
            .pop()
            .unwrap_or_else(|| Err(anyhow!("no target")))
    }

    pub fn vault_args(&self) -> &VaultArgs {
        &self.vault_args
    }

    /// The pod named on the command line, or the one-line "unknown pod" error.
    pub fn known_pod(&self, name: &str) -> Result<&Pod> {
        self.pod(name).ok_or_else(|| {
            let known: Vec<&str> = self.all_pods.iter().map(cluster::name).collect();
            anyhow!(
                "pod {name:?} is not one of the Vault pods in namespace {:?} ({})",
                self.kube.namespace,
                known.join(", ")
            )
        })
    }

    pub fn pod(&self, name: &str) -> Option<&Pod> {
        self.all_pods.iter().find(|p| cluster::name(p) == name)
    }

    /// (name, pod IP) of every Vault pod.
    pub fn pod_refs(&self) -> Vec<(&str, Option<&str>)> {
        self.all_pods
            .iter()
            .map(|p| {
                (
                    cluster::name(p),
                    p.status.as_ref().and_then(|s| s.pod_ip.as_deref()),
                )
            })
            .collect()
    }

    /// The pod behind a raft node: by node ID (the chart sets it to the pod name), else by
    /// the address's host.
    pub fn pod_of_node(&self, node_id: &str, address: &str) -> Option<String> {
        let refs = self.pod_refs();
        if refs.iter().any(|(n, _)| *n == node_id) {
            return Some(node_id.to_string());
        }
        ha::pod_for_address(address, refs)
    }

    pub async fn views(&self) -> Vec<NodeView> {
        ha::observe(&self.targets).await
    }

    /// The active node's client, or why there is none to act through.
    pub fn leader(&self, views: &[NodeView]) -> Result<&Target> {
        match ha::leader_state(views) {
            LeaderState::Active { pod } => self.target(&pod),
            LeaderState::Unconfirmed { pod } => bail!(
                "no leader answers: the pods name {pod}, which does not answer as the active node (hung or partitioned?); see `kubectl vault-raft status`, or force an election with `kubectl vault-raft step-down --all`"
            ),
            LeaderState::None => bail!(
                "no leader: no unsealed pod is the active node and none names one; see `kubectl vault-raft status` (sealed pods: `kubectl vault-unseal`)"
            ),
            LeaderState::Split { pods } => bail!(
                "the pods disagree about the leader ({}); refusing to act until they agree: see `kubectl vault-raft status`, or force an election with `kubectl vault-raft step-down --all`",
                pods.join(", ")
            ),
        }
    }

    /// A Vault error as the one-line message the user needs: permission, sealed, or as is.
    pub fn explain(&self, e: VaultError, what: &str) -> anyhow::Error {
        let source = self.token_source.as_deref().unwrap_or("no token");
        match &e {
            VaultError::Api {
                target,
                status: 403,
                ..
            } => anyhow!(
                "{target}: permission denied: the Vault token from {source} may not {what} (use a token whose policy allows it)"
            ),
            VaultError::Api {
                target,
                status: 503,
                errors,
            } if errors.iter().any(|m| m.contains("sealed")) => anyhow!(
                "{target}: Vault is sealed, so it cannot {what}: unseal it first (`kubectl vault-unseal {target}`)"
            ),
            _ => anyhow!("{what}: {e}"),
        }
    }

    /// Records an Event on `pod`; a failure to record is a warning, never an undo.
    pub async fn record(&self, pod: &str, warning: bool, reason: &str, message: &str) {
        if let Some(p) = self.pod(pod) {
            self.record_on(p, warning, reason, message).await;
        }
    }

    /// Records an Event on this pod object (a recreated pod is a new object).
    pub async fn record_on(&self, pod: &Pod, warning: bool, reason: &str, message: &str) {
        if let Err(e) = audit::record(&self.kube, pod, warning, reason, reason, message).await {
            output::warn(&format!(
                "{}: not recorded as an Event: {e:#}",
                cluster::name(pod)
            ));
        }
    }

    /// Records the same Event on several pods at once.
    pub async fn record_all(&self, pods: &[String], warning: bool, reason: &str, message: &str) {
        fanout::each(pods, |p| self.record(p, warning, reason, message)).await;
    }
}
