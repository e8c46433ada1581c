//! What every verb starts from: the Kubernetes client, the Vault pods (each with a Vault client
//! over its own port-forward, or the one `--vault-addr`), the token — loaded only when a verb
//! asks for it, so a missing or unreadable `~/.vault-token` never breaks a verb that needs
//! none — the leader, what a Vault refusal means, and the Events the verb records.

use std::sync::{Arc, OnceLock};

use anyhow::{Result, anyhow, bail};
use k8s_openapi::api::core::v1::Pod;

use crate::cli::{CommonArgs, VaultArgs};
use crate::cluster::{self, Kube};
use crate::events::{self, Note};
use crate::ha::{self, LeaderState, NodeView};
use crate::keys::{self, Token};
use crate::output::{self, Format};
use crate::target::{self, Target};
use crate::transport::CaReads;
use crate::vault::{ErrorKind, Redirects, TokenCell, VaultError};

pub struct Session {
    pub kube: Kube,
    /// Every Vault pod, whatever the selection: raft peers are matched against all of them.
    /// Empty with `--vault-addr`.
    pub all_pods: Vec<Pod>,
    /// The selected pods (or the `--vault-addr`), each with its Vault client or why it has none.
    pub targets: Vec<Result<Target>>,
    pub format: Format,
    args: CommonArgs,
    token: TokenCell,
    redirects: Redirects,
    /// Where the token came from, once loaded (None: there is none).
    token_source: OnceLock<Option<String>>,
    /// The Secrets and ConfigMaps read while setting up (the CAs), kept for the verb.
    reads: Arc<CaReads>,
}

impl Session {
    /// Connects to the cluster and sets up a Vault client per selected pod (`only`, or all),
    /// or for `--vault-addr`. Fails when no pod can be reached at all.
    pub async fn connect(args: &CommonArgs, only: &[String]) -> Result<Session> {
        Self::connect_early(args, only, |_, _, _| ())
            .await
            .map(|(session, _)| session)
    }

    /// [`Session::connect`], and `early` called on the selected pods as soon as they are
    /// listed, before their StatefulSet is read (with the cluster and the session's object
    /// reads, see [`Session::reads`]), to start work that sends the pods nothing (a TLS
    /// handshake to look at their certificate, reads of what they mount) while the session is
    /// set up. Its result (None with `--vault-addr`) is the caller's to use only for the pods
    /// of [`Session::targets`]: a pod the StatefulSet turns out not to own is not there.
    pub async fn connect_early<T>(
        args: &CommonArgs,
        only: &[String],
        early: impl FnOnce(&Kube, &Arc<CaReads>, &[Pod]) -> T,
    ) -> Result<(Session, Option<T>)> {
        let kube = cluster::connect(&args.kube).await?;
        let token = TokenCell::default();
        let redirects = Redirects::default();
        let mut started = None;
        let cas = Arc::new(CaReads::default());
        let (all_pods, targets) = match &args.vault.vault_addr {
            Some(addr) => (Vec::new(), vec![target::direct(addr, &args.vault, &token)]),
            None => {
                // The CAs the selected pods mount are read while their StatefulSet is (one
                // wait on the API, not two in a row); they are used only for the pods that
                // StatefulSet owns.
                let (all, early) = kube
                    .vault_pods_alongside(&[], |pods| {
                        let (kube, cas) = (&kube, &cas);
                        async move {
                            let wanted: Vec<Pod> = pods
                                .into_iter()
                                .filter(|p| cluster::is_selected(p, only))
                                .collect();
                            let early = early(kube, cas, &wanted);
                            cas.prefetch(kube, &wanted, &args.vault).await;
                            early
                        }
                    })
                    .await?;
                crate::timing::mark("StatefulSet and CAs read");
                let selected = kube.select(&all, only)?;
                let targets = target::for_pods_with_cas(
                    &kube,
                    selected,
                    &args.vault,
                    &token,
                    &redirects,
                    &cas,
                )
                .await;
                let _ = redirects.set(target::peers(&targets));
                started = Some(early);
                (all, targets)
            }
        };
        if let Some(Err(first)) = targets.first()
            && targets.iter().all(|t| t.is_err())
        {
            bail!("{first:#}");
        }
        let session = Session {
            kube,
            all_pods,
            targets,
            format: args.out.format(),
            args: args.clone(),
            token,
            redirects,
            token_source: OnceLock::new(),
            reads: cas,
        };
        Ok((session, started))
    }

    /// The Secrets and ConfigMaps of the Vault namespace as this run read them (each once):
    /// what setting up read (the CAs the pods trust) is not read again.
    pub fn reads(&self) -> &CaReads {
        &self.reads
    }

    pub fn vault_args(&self) -> &VaultArgs {
        &self.args.vault
    }

    /// Loads the token (once) and hands it to every client; None when there is none.
    /// Returns where it came from.
    pub fn token(&self) -> Result<Option<&str>> {
        if let Some(source) = self.token_source.get() {
            return Ok(source.as_deref());
        }
        let loaded: Option<(Token, String)> = keys::token(self.args.token.token_file.as_deref())?;
        let source = loaded.map(|(t, source)| {
            let _ = self.token.set(t);
            source
        });
        Ok(self.token_source.get_or_init(|| source).as_deref())
    }

    /// Hands every client a token the verb obtained itself (a new cluster's root token),
    /// described as `source` in messages. Fails when a token is already in use.
    pub fn use_token(&self, token: Token, source: &str) -> Result<()> {
        if self.token_source.get().is_some() || self.token.set(token).is_err() {
            bail!("a Vault token is already in use: {source} cannot replace it");
        }
        let _ = self.token_source.set(Some(source.to_string()));
        Ok(())
    }

    /// Loads the token, or fails with the one-line "missing token" error naming `what` needs it.
    pub fn require_token(&self, what: &str) -> Result<&str> {
        self.token()?.ok_or_else(|| {
            anyhow!(
                "no Vault token: {what} needs one; give --token-file PATH (- for stdin), or set VAULT_TOKEN, or write ~/.vault-token"
            )
        })
    }

    /// The selected pods' clients that could be set up.
    pub fn reachable(&self) -> impl Iterator<Item = &Target> {
        self.targets.iter().filter_map(|t| t.as_ref().ok())
    }

    pub fn target(&self, pod: &str) -> Result<&Target> {
        self.reachable().find(|t| t.name == pod).ok_or_else(|| {
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
        target::for_pods(
            &self.kube,
            vec![pod],
            &self.args.vault,
            &self.token,
            &self.redirects,
        )
        .await
        .pop()
        .unwrap_or_else(|| Err(anyhow!("no target")))
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
        self.pods().get(name)
    }

    /// Every Vault pod, as plain data.
    pub fn pods(&self) -> cluster::Pods<'_> {
        cluster::Pods(&self.all_pods)
    }

    /// (name, pod IP) of every Vault pod.
    pub fn pod_refs(&self) -> Vec<(&str, Option<&str>)> {
        self.pods().refs()
    }

    /// The pod behind a raft node: by node ID (the chart sets it to the pod name), else by
    /// the address's host.
    pub fn pod_of_node(&self, node_id: &str, address: &str) -> Option<String> {
        self.pods().of_node(node_id, address)
    }

    /// Every selected pod's view, probed concurrently.
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

    /// Where the token came from, for messages ("no token" when none was loaded).
    fn token_origin(&self) -> String {
        self.token_source
            .get()
            .cloned()
            .flatten()
            .unwrap_or_else(|| "no token".into())
    }

    /// A Vault error as the one-line message the user needs (permission, sealed, or as is);
    /// its kind stays readable with [`Explained::kind`].
    pub fn explain(&self, e: VaultError, what: &str) -> anyhow::Error {
        let source = self.token_origin();
        let kind = e.kind();
        let message = match (&e, kind) {
            (VaultError::Api { target, .. }, ErrorKind::PermissionDenied) => format!(
                "{target}: permission denied: the Vault token from {source} may not {what} (use a token whose policy allows it)"
            ),
            (VaultError::Api { target, .. }, ErrorKind::Sealed) => format!(
                "{target}: Vault is sealed, so it cannot {what}: unseal it first (`kubectl vault-unseal {target}`)"
            ),
            _ => format!("{what}: {e}"),
        };
        Explained { kind, message }.into()
    }

    /// Asks `via` (an unsealed pod, usually the leader) whether the token may call each
    /// `(path, capability)` that `what` will call, before anything changes. An unreadable
    /// answer refuses too: what could not be checked is not allowed. The error names the
    /// policy rules to add.
    pub async fn require_capabilities(
        &self,
        via: &Target,
        what: &str,
        needed: &[(&str, &str)],
    ) -> Result<()> {
        let paths: Vec<String> = needed.iter().map(|(p, _)| p.to_string()).collect();
        let caps = via.client.capabilities_self(&paths).await.map_err(|e| {
            anyhow!(
                "{:#}; nothing was changed",
                self.explain(e, &format!("check its own capabilities before {what}"))
            )
        })?;
        let missing: Vec<String> = needed
            .iter()
            .zip(&caps)
            .filter(|((_, c), have)| !crate::vault::token::allows(have, c))
            .map(|(need, _)| need)
            .map(|(p, c)| format!("path \"{p}\" {{ capabilities = [\"{c}\"] }}"))
            .collect();
        if !missing.is_empty() {
            let source = self.token_origin();
            bail!(
                "the Vault token from {source} may not do all that {what} needs; nothing was changed. Add to its policy: {}",
                missing.join(" ")
            );
        }
        Ok(())
    }

    /// Records an Event on the Vault pod named `pod`; a failure to record is a warning, never
    /// an undo.
    pub async fn record(&self, pod: &str, note: Note<'_>) {
        if let Some(p) = self.pod(pod) {
            self.record_on(p, note).await;
        }
    }

    /// Records an Event on `object` (a recreated pod is a new object; a StatefulSet, PVC,
    /// Secret or namespace works too); a failure to record is a warning.
    pub async fn record_on<K>(&self, object: &K, note: Note<'_>)
    where
        K: kube::Resource<DynamicType = ()>,
    {
        if let Err(e) = events::record(&self.kube, object, &note).await {
            output::warn(&format!(
                "{}: not recorded as an Event: {e:#}",
                object.meta().name.as_deref().unwrap_or("?")
            ));
        }
    }

    /// Records the same Event on several pods at once.
    pub async fn record_all(&self, pods: &[String], note: Note<'_>) {
        crate::fanout::each(pods, |p| self.record(p, note.clone())).await;
    }
}

/// A Vault error explained for the user, keeping what kind of failure it was.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Explained {
    pub kind: ErrorKind,
    pub message: String,
}

impl Explained {
    /// The kind of an explained Vault error anywhere in `e`'s chain.
    pub fn kind(e: &anyhow::Error) -> Option<ErrorKind> {
        e.chain()
            .find_map(|c| c.downcast_ref::<Explained>())
            .map(|x| x.kind)
    }
}
