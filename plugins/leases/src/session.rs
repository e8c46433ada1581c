//! What every subcommand starts from: the Kubernetes client, the Vault pods (each with a Vault
//! client over its port-forward), the token, and the active node.

use anyhow::{Result, anyhow, bail};
use vault_common::cluster::{self, Kube};
use vault_common::ha::{self, LeaderState};
use vault_common::k8s_openapi::api::core::v1::Pod;
use vault_common::output::{self, Format};
use vault_common::target::{self, Target};
use vault_common::vault::VaultError;
use vault_common::{audit, keys};

use crate::Cli;

pub struct Session {
    pub kube: Kube,
    pub pods: Vec<Pod>,
    pub targets: Vec<Result<Target>>,
    token_source: Option<String>,
    pub format: Format,
}

impl Session {
    pub async fn connect(cli: &Cli) -> Result<Session> {
        if cli.vault.vault_addr.is_some() {
            bail!(
                "--vault-addr is not supported by vault-leases: it reads each pod's metrics and status through Kubernetes"
            );
        }
        let token = keys::token(cli.token.token_file.as_deref())?;
        let kube = cluster::connect(&cli.kube).await?;
        let pods = kube.vault_pods(&[]).await?;
        let targets = target::for_pods(
            &kube,
            pods.clone(),
            &cli.vault,
            token.as_ref().map(|(t, _)| t),
        )
        .await;
        if let Some(Err(first)) = targets.first()
            && targets.iter().all(|t| t.is_err())
        {
            bail!("{first:#}");
        }
        Ok(Session {
            kube,
            pods,
            targets,
            token_source: token.map(|(_, s)| s),
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

    /// The active node's target, or why there is none to act through (fail closed: no
    /// leader means no lease operation, never "no leases").
    pub async fn leader(&self) -> Result<&Target> {
        let views = ha::observe(&self.targets).await;
        let pod = match ha::leader_state(&views) {
            LeaderState::Active { pod } => pod,
            LeaderState::Unconfirmed { pod } => bail!(
                "no leader answers: the pods name {pod}, which does not answer as the active node; see `kubectl vault-raft status`"
            ),
            LeaderState::None => bail!(
                "no leader: no unsealed pod is the active node; see `kubectl vault-raft status` (sealed pods: `kubectl vault-unseal`)"
            ),
            LeaderState::Split { pods } => bail!(
                "the pods disagree about the leader ({}); refusing to act until they agree: see `kubectl vault-raft status`",
                pods.join(", ")
            ),
        };
        self.targets
            .iter()
            .filter_map(|t| t.as_ref().ok())
            .find(|t| t.name == pod)
            .ok_or_else(|| anyhow!("the active node {pod} cannot be reached"))
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
                "{target}: permission denied: the Vault token from {source} may not {what} (it needs a policy with sudo on sys/leases)"
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

    /// Records an Event on the pod `name`; a failure to record is a warning, never an undo.
    pub async fn record(&self, name: &str, warning: bool, reason: &str, message: &str) {
        let Some(pod) = self.pods.iter().find(|p| cluster::name(p) == name) else {
            return;
        };
        if let Err(e) = audit::record(&self.kube, pod, warning, reason, reason, message).await {
            output::warn(&format!("{name}: not recorded as an Event: {e:#}"));
        }
    }
}
