//! Kubernetes access: the client from kubectl's flags, the Vault pods, readiness, waiting,
//! logs, Secrets. Every API call carries the request timeout (watches, which wait by design,
//! carry the caller's timeout instead) and fails with a message that says what was asked of
//! which object and what to check.

use std::future::Future;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use k8s_openapi::api::apps::v1::StatefulSet;
use k8s_openapi::api::core::v1::{ConfigMap, Container, ContainerStatus, Event, Pod, Secret};
use kube::api::{Api, DeleteParams, ListParams, LogParams, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::wait::await_condition;
use kube::{Client, Config};

use crate::cli::KubeArgs;

#[derive(Clone)]
pub struct Kube {
    pub client: Client,
    /// Where the Events this run records go.
    pub events: kube::runtime::events::Recorder,
    pub namespace: String,
    pub selector: String,
    statefulset: Option<String>,
    timeout: Duration,
    server: String,
}

/// Connects with kubectl's semantics: `--kubeconfig`, else $KUBECONFIG, else ~/.kube/config;
/// the in-cluster service account only when there is no kubeconfig at all and the process
/// runs in a pod. An unreadable kubeconfig or an unknown `--context`/`--cluster`/`--user` is
/// an error, never a silent switch to another cluster. Then kubectl's overrides: `--server`,
/// `--certificate-authority`, `--insecure-skip-tls-verify`, `--as`, `--as-group`, `--as-uid`.
pub async fn connect(args: &KubeArgs) -> Result<Kube> {
    let mut config = load_config(args).await?;
    crate::timing::mark("kubeconfig loaded");
    apply_overrides(&mut config, args)?;
    if !args.request_timeout.is_zero() {
        config.connect_timeout = Some(args.request_timeout.min(Duration::from_secs(30)));
    }
    let server = config.cluster_url.to_string();
    let namespace = args
        .namespace
        .clone()
        .unwrap_or_else(|| config.default_namespace.clone());
    let client = Client::try_from(config).context("create the Kubernetes client")?;
    crate::timing::mark("Kubernetes client built");
    Ok(Kube {
        events: crate::events::recorder(client.clone()),
        client,
        namespace,
        selector: args.selector.clone(),
        statefulset: args.statefulset.clone(),
        timeout: args.request_timeout,
        server,
    })
}

/// Where the kubeconfig comes from, as kubectl finds it; None when there is none at all.
fn find_kubeconfig(args: &KubeArgs) -> Result<Option<(Kubeconfig, String)>> {
    if let Some(path) = &args.kubeconfig {
        let kc = Kubeconfig::read_from(path)
            .with_context(|| format!("read kubeconfig {} (--kubeconfig)", path.display()))?;
        return Ok(Some((kc, path.display().to_string())));
    }
    if let Some(value) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        let shown = value.to_string_lossy().to_string();
        return Kubeconfig::from_env()
            .with_context(|| format!("read kubeconfig from KUBECONFIG={shown}"))
            .map(|kc| kc.map(|kc| (kc, format!("KUBECONFIG={shown}"))));
    }
    let home = std::env::var_os("HOME").map(std::path::PathBuf::from);
    match home.map(|h| h.join(".kube").join("config")) {
        Some(path) if path.exists() => {
            let kc = Kubeconfig::read_from(&path)
                .with_context(|| format!("read kubeconfig {}", path.display()))?;
            Ok(Some((kc, path.display().to_string())))
        }
        _ => Ok(None),
    }
}

/// The Kubernetes API the flags and kubeconfig name.
async fn load_config(args: &KubeArgs) -> Result<Config> {
    let opts = KubeConfigOptions {
        context: args.context.clone(),
        cluster: args.cluster.clone(),
        user: args.user.clone(),
    };
    if let Some((kc, origin)) = find_kubeconfig(args)? {
        return Config::from_custom_kubeconfig(kc, &opts)
            .await
            .with_context(|| format!("kubeconfig {origin}"));
    }
    let named = [
        ("--context", &args.context),
        ("--cluster", &args.cluster),
        ("--user", &args.user),
    ];
    if let Some((flag, _)) = named.iter().find(|(_, v)| v.is_some()) {
        bail!(
            "{flag} names a kubeconfig entry, but there is no kubeconfig (set --kubeconfig or KUBECONFIG)"
        );
    }
    if let Some(server) = &args.server {
        let url = server
            .parse()
            .with_context(|| format!("--server {server:?} is not a URL"))?;
        return Ok(Config::new(url));
    }
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() {
        return Config::incluster().context("use the pod's service account (in-cluster config)");
    }
    bail!("no kubeconfig: set --kubeconfig or KUBECONFIG, or write ~/.kube/config")
}

/// kubectl's connection flags over what the kubeconfig says.
fn apply_overrides(config: &mut Config, args: &KubeArgs) -> Result<()> {
    if let Some(server) = &args.server {
        config.cluster_url = server
            .parse()
            .with_context(|| format!("--server {server:?} is not a URL"))?;
    }
    if let Some(path) = &args.certificate_authority {
        use rustls::pki_types::{CertificateDer, pem::PemObject};
        let pem = std::fs::read(path)
            .with_context(|| format!("read --certificate-authority {}", path.display()))?;
        let certs: Vec<Vec<u8>> = CertificateDer::pem_slice_iter(&pem)
            .map(|c| c.map(|c| c.to_vec()))
            .collect::<Result<_, _>>()
            .map_err(|e| anyhow!("--certificate-authority {}: {e}", path.display()))?;
        if certs.is_empty() {
            bail!(
                "--certificate-authority {}: no PEM certificate in it",
                path.display()
            );
        }
        config.root_cert = Some(certs);
        config.accept_invalid_certs = false;
    }
    if args.insecure_skip_tls_verify {
        // As kubectl: the flag drops the kubeconfig's CA rather than clash with it.
        config.root_cert = None;
        config.accept_invalid_certs = true;
    }
    if let Some(user) = &args.as_user {
        config.auth_info.impersonate = Some(user.clone());
        config.auth_info.impersonate_groups =
            (!args.as_group.is_empty()).then(|| args.as_group.clone());
        config.auth_info.impersonate_uid = args.as_uid.clone();
    }
    Ok(())
}

pub fn name(pod: &Pod) -> &str {
    pod.metadata.name.as_deref().unwrap_or("")
}

/// Whether the pod is one of `only` (the pods named on the command line; none named: all).
pub fn is_selected(pod: &Pod, only: &[String]) -> bool {
    only.is_empty() || only.iter().any(|w| w == name(pod))
}

/// The pod's IP, once it has one.
pub fn pod_ip(pod: &Pod) -> Option<&str> {
    pod.status.as_ref()?.pod_ip.as_deref()
}

/// The Vault pods as plain data: what raft peers and node IDs are matched against. Pure
/// decisions take this rather than a whole session, so they can be tested without a cluster.
#[derive(Debug, Clone, Copy)]
pub struct Pods<'a>(pub &'a [Pod]);

impl<'a> Pods<'a> {
    pub fn get(&self, name: &str) -> Option<&'a Pod> {
        self.0.iter().find(|p| self::name(p) == name)
    }

    /// (name, pod IP) of every pod.
    pub fn refs(&self) -> Vec<(&'a str, Option<&'a str>)> {
        self.0.iter().map(|p| (self::name(p), pod_ip(p))).collect()
    }

    /// The pod behind a raft node: by node ID (the chart sets it to the pod name), else by
    /// the address's host.
    pub fn of_node(&self, node_id: &str, address: &str) -> Option<String> {
        let refs = self.refs();
        if refs.iter().any(|(n, _)| *n == node_id) {
            return Some(node_id.to_string());
        }
        crate::ha::pod_for_address(address, refs)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

pub fn uid(pod: &Pod) -> &str {
    pod.metadata.uid.as_deref().unwrap_or("")
}

/// When an Event last happened, whichever API recorded it: the series' last sighting, the
/// core API's last timestamp, or the events.k8s.io event time.
pub fn event_time(e: &Event) -> Option<jiff::Timestamp> {
    e.series
        .as_ref()
        .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
        .or(e.last_timestamp.as_ref().map(|t| t.0))
        .or(e.event_time.as_ref().map(|t| t.0))
}

/// The Kubernetes Ready condition (a sealed Vault pod is Running but not Ready).
pub fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

pub fn phase(pod: &Pod) -> &str {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or("Unknown")
}

pub fn restarts(pod: &Pod) -> i32 {
    pod.status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref())
        .map(|cs| cs.iter().map(|c| c.restart_count).sum())
        .unwrap_or(0)
}

/// Whether a container runs a Vault (or OpenBao) server: VAULT_ADDR/BAO_ADDR in its
/// environment, an image named like one, or Vault's API port.
fn runs_vault(c: &Container) -> bool {
    let image = c.image.as_deref().unwrap_or("").to_lowercase();
    let env = c
        .env
        .iter()
        .flatten()
        .any(|e| e.name == "VAULT_ADDR" || e.name == "BAO_ADDR");
    let port = c.ports.iter().flatten().any(|p| p.container_port == 8200);
    env || port || image.contains("vault") || image.contains("openbao")
}

/// Whether a pod runs a Vault (or OpenBao) server in one of its containers.
pub fn looks_like_vault(pod: &Pod) -> bool {
    pod.spec
        .as_ref()
        .is_some_and(|s| s.containers.iter().any(runs_vault))
}

/// The container that runs Vault (else the first).
pub fn vault_container(pod: &Pod) -> Option<&Container> {
    let containers = &pod.spec.as_ref()?.containers;
    containers
        .iter()
        .find(|c| runs_vault(c))
        .or(containers.first())
}

/// The status of the container that runs Vault.
pub fn vault_container_status(pod: &Pod) -> Option<&ContainerStatus> {
    let name = vault_container(pod).map(|c| c.name.as_str());
    let statuses = pod.status.as_ref()?.container_statuses.as_ref()?;
    statuses
        .iter()
        .find(|cs| Some(cs.name.as_str()) == name)
        .or(statuses.first())
}

/// How the Vault container last ended, before its current start.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Termination {
    pub reason: String,
    pub exit_code: i32,
    pub finished_at: Option<String>,
}

pub fn last_termination(pod: &Pod) -> Option<Termination> {
    let t = vault_container_status(pod)?
        .last_state
        .as_ref()?
        .terminated
        .as_ref()?;
    Some(Termination {
        reason: t.reason.clone().unwrap_or_else(|| "Unknown".into()),
        exit_code: t.exit_code,
        finished_at: t.finished_at.as_ref().map(|f| f.0.to_string()),
    })
}

/// The Vault container's state in a line: `waiting (CrashLoopBackOff), 4 restart(s), last
/// exit 1 (Error)`.
pub fn container_state(pod: &Pod) -> Option<String> {
    let cs = vault_container_status(pod)?;
    let state = cs.state.as_ref()?;
    let now = if let Some(w) = &state.waiting {
        format!("waiting ({})", w.reason.as_deref().unwrap_or("unknown"))
    } else if state.running.is_some() {
        "running".to_string()
    } else {
        "terminated".to_string()
    };
    let last = last_termination(pod)
        .map(|t| format!(", last exit {} ({})", t.exit_code, t.reason))
        .unwrap_or_default();
    Some(format!("{now}, {} restart(s){last}", cs.restart_count))
}

/// When the pod object was created.
pub fn created(pod: &Pod) -> Option<String> {
    pod.metadata
        .creation_timestamp
        .as_ref()
        .map(|t| t.0.to_string())
}

/// The node the pod is scheduled on.
pub fn node_name(pod: &Pod) -> Option<&str> {
    pod.spec.as_ref()?.node_name.as_deref()
}

/// The StatefulSet that owns the pod.
pub fn owner_statefulset(pod: &Pod) -> Option<&str> {
    pod.metadata
        .owner_references
        .as_ref()?
        .iter()
        .find(|o| o.kind == "StatefulSet")
        .map(|o| o.name.as_str())
}

/// The value of the first of `names` set in the environment of the pod's containers.
pub fn env_value(pod: &Pod, names: &[&str]) -> Option<String> {
    pod.spec.as_ref()?.containers.iter().find_map(|c| {
        c.env.as_ref()?.iter().find_map(|e| {
            names
                .contains(&e.name.as_str())
                .then(|| e.value.clone())
                .flatten()
        })
    })
}

/// `NAME = value` of each variable in `names` set in the pod's containers (for what is not
/// secret, such as where a KMS is).
pub fn env_settings(pod: &Pod, names: &[&str]) -> Vec<String> {
    pod.spec
        .iter()
        .flat_map(|s| &s.containers)
        .flat_map(|c| c.env.iter().flatten())
        .filter(|e| names.contains(&e.name.as_str()))
        .filter_map(|e| Some(format!("{} = {}", e.name, e.value.as_ref()?)))
        .collect()
}

/// The ConfigMaps mounted into the pod, by name.
pub fn config_maps(pod: &Pod) -> Vec<&str> {
    pod.spec
        .iter()
        .flat_map(|s| s.volumes.iter().flatten())
        .filter_map(|v| v.config_map.as_ref())
        .map(|cm| cm.name.as_str())
        .collect()
}

/// `vault-10` sorts after `vault-2`.
fn ordinal_key(name: &str) -> (String, u64) {
    match name.rsplit_once('-') {
        Some((base, n)) if n.chars().all(|c| c.is_ascii_digit()) => {
            (base.to_string(), n.parse().unwrap_or(0))
        }
        _ => (name.to_string(), 0),
    }
}

impl Kube {
    /// The API server's URL, as the kubeconfig names it.
    pub fn server(&self) -> &str {
        &self.server
    }

    pub fn pods(&self) -> Api<Pod> {
        Api::namespaced(self.client.clone(), &self.namespace)
    }

    /// Runs one API call with the request timeout and a readable error.
    pub async fn call<T>(
        &self,
        what: &str,
        fut: impl Future<Output = kube::Result<T>>,
    ) -> Result<T> {
        let result = if self.timeout.is_zero() {
            fut.await
        } else {
            tokio::time::timeout(self.timeout, fut).await.map_err(|_| {
                anyhow!(
                    "{what}: the Kubernetes API at {} did not answer within {:?} (--request-timeout)",
                    self.server,
                    self.timeout
                )
            })?
        };
        result.map_err(|e| self.explain(what, e))
    }

    fn explain(&self, what: &str, e: kube::Error) -> anyhow::Error {
        match e {
            kube::Error::Api(status) if status.code == 403 => anyhow!(
                "{what}: permission denied: {} (ask for this RBAC permission in namespace {})",
                status.message,
                self.namespace
            ),
            kube::Error::Api(status) => anyhow!(
                "{what}: {} ({} {})",
                status.message,
                status.code,
                status.reason
            ),
            kube::Error::HyperError(_) | kube::Error::Service(_) => {
                let mut chain = Vec::new();
                let mut src: Option<&dyn std::error::Error> = Some(&e);
                while let Some(s) = src {
                    chain.push(s.to_string());
                    src = s.source();
                }
                let detail = chain.last().cloned().unwrap_or_default();
                anyhow!(
                    "{what}: cannot reach the Kubernetes API at {}: {detail} (check --context, --kubeconfig and that the cluster is up)",
                    self.server
                )
            }
            other => anyhow!("{what}: {other}"),
        }
    }

    /// The Vault server pods: those matching the selector (and StatefulSet) in the namespace,
    /// narrowed to `only` when names are given, in ordinal order.
    pub async fn vault_pods(&self, only: &[String]) -> Result<Vec<Pod>> {
        self.vault_pods_alongside(only, |_| async {})
            .await
            .map(|(pods, ())| pods)
    }

    /// [`Kube::vault_pods`], and `alongside` run on the listed candidates (those of `only`,
    /// before their StatefulSet is read) while the StatefulSet is read: work that needs the
    /// pod specs but not yet the proof of ownership (reading the CAs they mount) waits on the
    /// API at the same time as that proof, not after it. Whatever `alongside` yields is the
    /// caller's to use only for the pods returned.
    pub async fn vault_pods_alongside<F, Fut, T>(
        &self,
        only: &[String],
        alongside: F,
    ) -> Result<(Vec<Pod>, T)>
    where
        F: FnOnce(Vec<Pod>) -> Fut,
        Fut: std::future::Future<Output = T>,
    {
        let lp = ListParams::default().labels(&self.selector);
        let list = self
            .call(
                &format!("list pods in namespace {}", self.namespace),
                self.pods().list(&lp),
            )
            .await?;
        crate::timing::mark("pods listed");
        let mut pods: Vec<Pod> = list
            .items
            .into_iter()
            .filter(|p| match &self.statefulset {
                None => true,
                Some(sts) => owner_statefulset(p) == Some(sts.as_str()),
            })
            .collect();
        pods.sort_by_key(|p| ordinal_key(name(p)));
        if pods.is_empty() {
            bail!(
                "no Vault pods in namespace {:?} match selector {:?}{} (use -n for the namespace, -l for the pods' labels)",
                self.namespace,
                self.selector,
                self.statefulset
                    .as_ref()
                    .map(|s| format!(" and StatefulSet {s}"))
                    .unwrap_or_default()
            );
        }
        let (vault, other): (Vec<Pod>, Vec<Pod>) = pods.into_iter().partition(looks_like_vault);
        if vault.is_empty() {
            let names: Vec<&str> = other.iter().map(name).collect();
            bail!(
                "selector {:?} matches pods that do not run Vault ({}: no container with VAULT_ADDR, a vault/openbao image or port 8200); select the Vault pods with -l",
                self.selector,
                names.join(", ")
            );
        }
        if !other.is_empty() {
            let names: Vec<&str> = other.iter().map(name).collect();
            crate::output::warn(&format!(
                "skipping pods that do not run Vault: {}",
                names.join(", ")
            ));
        }
        let vault = self.owned_by_one_statefulset(vault)?;
        let candidates: Vec<Pod> = vault
            .iter()
            .filter(|p| is_selected(p, only))
            .cloned()
            .collect();
        let (vault, beside) = tokio::join!(self.owned_for_real(vault), alongside(candidates));
        Ok((self.select(&vault?, only)?, beside))
    }

    /// Keys and tokens go only to the pods of one StatefulSet: pods that carry the labels but
    /// no StatefulSet owns are listed and left out (an impostor gets nothing), and pods of
    /// several StatefulSets need `--statefulset` to say which is Vault.
    fn owned_by_one_statefulset(&self, pods: Vec<Pod>) -> Result<Vec<Pod>> {
        let (owned, orphans): (Vec<Pod>, Vec<Pod>) = pods
            .into_iter()
            .partition(|p| owner_statefulset(p).is_some());
        let orphan_names: Vec<&str> = orphans.iter().map(name).collect();
        if owned.is_empty() {
            bail!(
                "pods {} match selector {:?} but no StatefulSet owns them: refusing to send keys or tokens to them (Vault runs as a StatefulSet; check -l and -n)",
                orphan_names.join(", "),
                self.selector
            );
        }
        if !orphans.is_empty() {
            crate::output::warn(&format!(
                "refusing pods {}: they carry the Vault labels but no StatefulSet owns them; they get no keys or tokens",
                orphan_names.join(", ")
            ));
        }
        let mut owners: Vec<&str> = owned.iter().filter_map(owner_statefulset).collect();
        owners.sort_unstable();
        owners.dedup();
        if owners.len() > 1 {
            bail!(
                "pods of several StatefulSets match selector {:?} ({}): name the Vault one with --statefulset",
                self.selector,
                owners.join(", ")
            );
        }
        Ok(owned)
    }

    /// An owner reference is only words on the pod: the StatefulSet is read, and a pod is kept
    /// only if the reference carries that StatefulSet's UID, the pod has the labels its
    /// selector asks for, and its name is one the controller gives (`<name>-<ordinal>` below
    /// the replica count, a name no other pod can hold while the real one exists).
    async fn owned_for_real(&self, pods: Vec<Pod>) -> Result<Vec<Pod>> {
        let Some(owner) = pods.first().and_then(owner_statefulset).map(str::to_string) else {
            return Ok(pods);
        };
        let sts = self.statefulset(&owner).await.map_err(|e| {
            anyhow!("{e:#}; the pods' owner must be read before keys or tokens go to them")
        })?;
        let uid = sts.metadata.uid.clone().unwrap_or_default();
        let wanted = sts
            .spec
            .as_ref()
            .and_then(|s| s.selector.match_labels.clone())
            .unwrap_or_default();
        let replicas = sts
            .spec
            .as_ref()
            .and_then(|s| s.replicas)
            .unwrap_or(1)
            .max(0) as u32;
        let ordinal_name = |p: &Pod| {
            name(p)
                .strip_prefix(&format!("{owner}-"))
                .and_then(|o| o.parse::<u32>().ok())
                .is_some_and(|o| o < replicas)
        };
        let (real, forged): (Vec<Pod>, Vec<Pod>) = pods.into_iter().partition(|p| {
            let by_uid = p
                .metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == "StatefulSet" && o.name == owner && o.uid == uid);
            let labels = p.metadata.labels.clone().unwrap_or_default();
            by_uid && ordinal_name(p) && wanted.iter().all(|(k, v)| labels.get(k) == Some(v))
        });
        if !forged.is_empty() {
            let names: Vec<&str> = forged.iter().map(name).collect();
            if real.is_empty() {
                bail!(
                    "pods {} name StatefulSet {owner} as their owner, but it does not own them (UID, labels or name differ): refusing to send keys or tokens to them",
                    names.join(", ")
                );
            }
            crate::output::warn(&format!(
                "refusing pods {}: they name StatefulSet {owner} as their owner, but it does not own them (UID, labels or name differ); they get no keys or tokens",
                names.join(", ")
            ));
        }
        Ok(real)
    }

    /// The pods named in `only` (all of them when it is empty); an unknown name is an error
    /// that lists the Vault pods there are.
    pub fn select(&self, pods: &[Pod], only: &[String]) -> Result<Vec<Pod>> {
        for wanted in only {
            if !pods.iter().any(|p| name(p) == wanted) {
                let known: Vec<&str> = pods.iter().map(name).collect();
                bail!(
                    "pod {wanted:?} is not one of the Vault pods in namespace {:?} ({})",
                    self.namespace,
                    known.join(", ")
                );
            }
        }
        Ok(pods
            .iter()
            .filter(|p| is_selected(p, only))
            .cloned()
            .collect())
    }

    pub async fn pod(&self, pod: &str) -> Result<Option<Pod>> {
        self.call(&format!("get pod {pod}"), self.pods().get_opt(pod))
            .await
    }

    /// Waits until the pod is Ready (the Kubernetes condition), watching rather than polling.
    pub async fn wait_ready(&self, pod: &str, timeout: Duration) -> Result<()> {
        let cond = |p: Option<&Pod>| p.is_some_and(is_ready);
        tokio::time::timeout(timeout, await_condition(self.pods(), pod, cond))
            .await
            .map_err(|_| anyhow!("pod {pod} did not become Ready within {timeout:?}"))?
            .map_err(|e| anyhow!("watch pod {pod}: {e}"))?;
        Ok(())
    }

    /// Waits until `pod` exists again with a UID other than `old_uid` and is Running.
    pub async fn wait_recreated(&self, pod: &str, old_uid: &str, timeout: Duration) -> Result<Pod> {
        let old = old_uid.to_string();
        let cond = move |p: Option<&Pod>| p.is_some_and(|p| uid(p) != old && phase(p) == "Running");
        let found = tokio::time::timeout(timeout, await_condition(self.pods(), pod, cond))
            .await
            .map_err(|_| anyhow!("pod {pod} was not recreated and Running within {timeout:?}"))?
            .map_err(|e| anyhow!("watch pod {pod}: {e}"))?;
        found.ok_or_else(|| anyhow!("pod {pod} disappeared"))
    }

    pub async fn delete_pod(&self, pod: &str) -> Result<()> {
        self.call(
            &format!("delete pod {pod}"),
            self.pods().delete(pod, &DeleteParams::default()),
        )
        .await
        .map(|_| ())
    }

    /// The last `tail` lines of the pod's log (of the previous container with `previous`).
    pub async fn logs(&self, pod: &str, tail: i64, previous: bool) -> Result<String> {
        let lp = LogParams {
            tail_lines: Some(tail),
            previous,
            ..LogParams::default()
        };
        self.call(
            &format!("read logs of pod {pod}"),
            self.pods().logs(pod, &lp),
        )
        .await
    }

    pub async fn secret(&self, secret: &str) -> Result<Secret> {
        let api: Api<Secret> = Api::namespaced(self.client.clone(), &self.namespace);
        self.call(
            &format!("get secret {secret} in namespace {}", self.namespace),
            api.get(secret),
        )
        .await
    }

    /// Events about a pod, oldest first.
    pub async fn events_for(&self, pod: &str) -> Result<Vec<Event>> {
        let api: Api<Event> = Api::namespaced(self.client.clone(), &self.namespace);
        let lp = ListParams::default().fields(&format!("involvedObject.name={pod}"));
        let mut events = self
            .call(&format!("list events of pod {pod}"), api.list(&lp))
            .await?
            .items;
        events.sort_by_key(event_time);
        Ok(events)
    }

    /// Whether the user may `verb` the `resource` (`pods/exec`: resource/subresource) named
    /// `name` in the namespace, by a SelfSubjectAccessReview. An unreadable answer is an error:
    /// a guard that cannot ask refuses.
    pub async fn can_i(&self, verb: &str, resource: &str, name: Option<&str>) -> Result<bool> {
        self.can_i_in_group("", verb, resource, name).await
    }

    /// [`Kube::can_i`] for a resource of API group `group` (e.g. `cert-manager.io`).
    pub async fn can_i_in_group(
        &self,
        group: &str,
        verb: &str,
        resource: &str,
        name: Option<&str>,
    ) -> Result<bool> {
        use k8s_openapi::api::authorization::v1::{
            ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec,
        };
        let (resource, sub) = match resource.split_once('/') {
            Some((r, s)) => (r, Some(s.to_string())),
            None => (resource, None),
        };
        let review = SelfSubjectAccessReview {
            spec: SelfSubjectAccessReviewSpec {
                resource_attributes: Some(ResourceAttributes {
                    namespace: Some(self.namespace.clone()),
                    group: (!group.is_empty()).then(|| group.to_string()),
                    verb: Some(verb.to_string()),
                    resource: Some(resource.to_string()),
                    subresource: sub,
                    name: name.map(str::to_string),
                    ..ResourceAttributes::default()
                }),
                ..SelfSubjectAccessReviewSpec::default()
            },
            ..SelfSubjectAccessReview::default()
        };
        let api: Api<SelfSubjectAccessReview> = Api::all(self.client.clone());
        let answer = self
            .call(
                &format!("ask whether it may {verb} {resource}"),
                api.create(&Default::default(), &review),
            )
            .await?;
        Ok(answer.status.is_some_and(|s| s.allowed))
    }

    pub async fn config_map(&self, cm: &str) -> Result<Option<ConfigMap>> {
        let api: Api<ConfigMap> = Api::namespaced(self.client.clone(), &self.namespace);
        self.call(&format!("get configmap {cm}"), api.get_opt(cm))
            .await
    }

    pub async fn statefulset(&self, name: &str) -> Result<StatefulSet> {
        let api: Api<StatefulSet> = Api::namespaced(self.client.clone(), &self.namespace);
        self.call(&format!("get statefulset {name}"), api.get(name))
            .await
    }

    /// A strategic merge patch of StatefulSet `name` (containers merge by name). A
    /// `metadata.resourceVersion` in the patch makes it conditional: 409 if the object changed.
    pub async fn patch_statefulset(
        &self,
        name: &str,
        patch: &serde_json::Value,
    ) -> Result<StatefulSet> {
        let api: Api<StatefulSet> = Api::namespaced(self.client.clone(), &self.namespace);
        self.call(
            &format!("patch statefulset {name}"),
            api.patch(name, &PatchParams::default(), &Patch::Strategic(patch)),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ordinals_sort_numerically() {
        let mut names = vec!["vault-10", "vault-2", "vault-0"];
        names.sort_by_key(|n| super::ordinal_key(n));
        assert_eq!(names, ["vault-0", "vault-2", "vault-10"]);
    }
}
