//! Starting and stopping a sandbox: directory, addresses, certificates, objects, API server,
//! controller, pods, bootstrap. Used in-process by tests and by the detached supervisor that
//! `vault-sandbox up` starts.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::access;
use crate::api;
use crate::bootstrap;
use crate::chart::{Chart, Variant};
use crate::cluster::{ApiFaults, Cluster, Config};
use crate::controller;
use crate::faults::{self, Fault};
use crate::objects;
use crate::pki::{Ca, VaultCert};
use crate::server_bin::{self, FileLock};

/// How the pods seal: Shamir shares (the chart's default), or auto-unseal through a transit
/// KMS the sandbox runs beside the cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Seal {
    #[default]
    Shamir,
    Transit,
}

impl std::str::FromStr for Seal {
    type Err = String;
    fn from_str(s: &str) -> Result<Seal, String> {
        match s {
            "shamir" => Ok(Seal::Shamir),
            "transit" => Ok(Seal::Transit),
            other => Err(format!(
                "unknown seal {other:?}: expected shamir or transit"
            )),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Options {
    pub dir: PathBuf,
    pub nodes: u32,
    pub namespace: String,
    pub initialized: bool,
    pub key_shares: u32,
    pub key_threshold: u32,
    pub server_bin: Option<PathBuf>,
    pub api_addr: Option<SocketAddr>,
    pub subnet: Option<[u8; 3]>,
    pub probe_period: Duration,
    /// Appended to the server configuration template.
    pub extra_config: String,
    pub seal: Seal,
    /// How many days the Vault pods' certificate is valid for.
    pub cert_days: u32,
    /// The chart's audit volume at /vault/audit and a file audit device declared in the
    /// server configuration, writing /vault/audit/audit.log.
    pub audit: bool,
    /// What each claim (data, audit) asks for: a real filesystem of that size per pod.
    pub claim_size: String,
    /// The chart's HA raft `retry_join` stanzas in the server configuration (each pod's
    /// `<pod>.<sts>-internal:8200`, with the Vault CA unless `tls_disable`): a wiped pod rejoins by itself
    /// once unsealed.
    pub retry_join: bool,
    /// The chart the objects follow (`vault`: hashicorp/vault-helm; `openbao`: the OpenBao
    /// chart's names, labels, paths and `BAO_*` environment).
    pub chart: Chart,
    /// The pods' listener serves plain HTTP (`tls_disable = 1`, `VAULT_ADDR=http://…`), the
    /// charts' default; no TLS Secret is created or mounted.
    pub tls_disable: bool,
    /// The kubelet holds each container to its `resources.limits.memory`: every ~200 ms it
    /// compares the working set (what the metrics API serves) with the limit and, above it,
    /// kills the server as the kernel's OOM killer would (the `oom` fault: exit 137,
    /// `OOMKilled`, restarted sealed). Off by default: nothing is killed for its memory.
    pub enforce_memory_limits: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            dir: PathBuf::from(".sandbox"),
            nodes: 3,
            namespace: "vault".into(),
            initialized: true,
            key_shares: 5,
            key_threshold: 3,
            server_bin: None,
            api_addr: None,
            subnet: None,
            probe_period: Duration::from_millis(500),
            extra_config: String::new(),
            seal: Seal::Shamir,
            cert_days: 365,
            audit: false,
            claim_size: objects::PVC_SIZE.into(),
            retry_join: false,
            chart: Chart::Vault,
            tls_disable: false,
            enforce_memory_limits: false,
        }
    }
}

impl Options {
    /// The chart and listener these options ask for.
    pub fn variant(&self) -> Variant {
        Variant {
            chart: self.chart,
            tls: !self.tls_disable,
        }
    }

    pub fn validate(&self) -> Result<()> {
        if self.nodes == 0 || self.nodes > 32 {
            bail!("--nodes must be between 1 and 32 (got {})", self.nodes);
        }
        if self.key_threshold == 0 || self.key_threshold > self.key_shares {
            bail!(
                "--key-threshold must be between 1 and --key-shares (got {} of {})",
                self.key_threshold,
                self.key_shares
            );
        }
        let bytes = crate::api::control::parse_quantity(&self.claim_size).unwrap_or(0);
        if !(16 * 1024 * 1024..=64 * 1024 * 1024 * 1024).contains(&bytes) {
            bail!(
                "--claim-size must be a quantity between 16Mi and 64Gi (got {:?})",
                self.claim_size
            );
        }
        if self.cert_days == 0 || self.cert_days > 36500 {
            bail!(
                "--cert-days must be between 1 and 36500 (got {})",
                self.cert_days
            );
        }
        if self.key_shares > 255 || (self.key_shares > 1 && self.key_threshold < 2) {
            bail!("Shamir needs 2 ≤ threshold ≤ shares ≤ 255, or 1 share with threshold 1");
        }
        let ns_ok = !self.namespace.is_empty()
            && self.namespace.len() <= 63
            && self
                .namespace
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !ns_ok {
            bail!(
                "--namespace {:?} is not a valid namespace name",
                self.namespace
            );
        }
        Ok(())
    }
}

/// The API server's port, on the node address (in-cluster, and in the kubeconfig) and on the
/// sandbox's loopback address.
pub const API_PORT: u16 = 6443;
/// The `kubernetes` Service's port: the API also answers there on the node address.
pub const SERVICE_PORT: u16 = 443;

/// Files a sandbox writes in its directory; `up` clears them (and only them) before starting.
const OWN_ENTRIES: &[&str] = &[
    "pods",
    "volumes",
    "bin",
    "kubeconfig",
    "init.json",
    "ca.crt",
    "api-ca.crt",
    "state.json",
    "kube-cache",
];

pub fn write_private(path: &Path, data: &[u8]) -> Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(path);
    let mut f = std::fs::OpenOptions::new()
        .create_new(true)
        .write(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("write {}", path.display()))?;
    f.write_all(data)?;
    Ok(())
}

/// A running sandbox.
pub struct Running {
    pub cluster: Arc<Cluster>,
    pub kubeconfig: PathBuf,
    pub admin_token: String,
    _lock: FileLock,
}

fn busy(addr: SocketAddr, what: &str) -> anyhow::Error {
    anyhow!("{what} {addr} is already in use")
}

/// Binds the API listener on the sandbox's loopback address (which claims the /24 against
/// other sandboxes), choosing a random 127.x.y.0/24 when no subnet was given, whose private
/// range 10.x.y.0/24 (node and pods) the host must not route already.
async fn claim_addresses(opts: &Options) -> Result<([u8; 3], TcpListener)> {
    let attempts = if opts.subnet.is_some() { 1 } else { 40 };
    let mut last = None;
    for _ in 0..attempts {
        let subnet = opts.subnet.unwrap_or_else(|| {
            [
                127,
                rand::random_range(1..=254),
                rand::random_range(0..=255),
            ]
        });
        let net = crate::network::private_net(subnet);
        if crate::network::overlaps_host_route(net) {
            last = Some(anyhow!(
                "the pods' range {}.{}.{}.0/24 is already routed on this host",
                net[0],
                net[1],
                net[2]
            ));
            continue;
        }
        let api_addr = opts.api_addr.unwrap_or_else(|| {
            SocketAddr::from((Ipv4Addr::new(subnet[0], subnet[1], subnet[2], 1), API_PORT))
        });
        match TcpListener::bind(api_addr).await {
            Ok(l) => return Ok((subnet, l)),
            Err(_) if opts.api_addr.is_some() => return Err(busy(api_addr, "the API address")),
            Err(_) => last = Some(busy(api_addr, "the API address")),
        }
    }
    Err(last.unwrap_or_else(|| anyhow!("no free loopback subnet")))
}

/// Starts the pause process that holds the node address (10.a.b.1) and binds the API's
/// in-cluster listeners there: the API port, and 443, the port of the `kubernetes` Service
/// that `https://kubernetes.default.svc` (the name in pods' /etc/hosts) means.
async fn start_node(subnet: [u8; 3]) -> Result<(crate::procs::Proc, TcpListener, TcpListener)> {
    crate::network::enable_forwarding().map_err(|e| anyhow!(e))?;
    let net = crate::network::private_net(subnet);
    let node = Ipv4Addr::new(net[0], net[1], net[2], 1);
    let pause = crate::network::pause("sandbox-node")
        .await
        .map_err(|e| anyhow!(e))?;
    let wired = async {
        crate::network::wire_node(pause.pid, node)
            .await
            .map_err(|e| anyhow!("the node address {node}: {e}"))?;
        let api = TcpListener::bind((node, API_PORT))
            .await
            .map_err(|_| busy((node, API_PORT).into(), "the API's in-cluster address"))?;
        let service = TcpListener::bind((node, SERVICE_PORT)).await.map_err(|_| {
            busy(
                (node, SERVICE_PORT).into(),
                "the kubernetes Service's address",
            )
        })?;
        Ok((api, service))
    };
    match wired.await {
        Ok((l, s)) => Ok((pause, l, s)),
        Err(e) => {
            pause.signal(libc::SIGKILL);
            Err(e)
        }
    }
}

fn kubeconfig(server: &str, ca_pem: &str, namespace: &str, user: &str, token: &str) -> String {
    use base64::Engine;
    let ca = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    format!(
        "apiVersion: v1
kind: Config
clusters:
- name: vault-sandbox
  cluster:
    server: {server}
    certificate-authority-data: {ca}
users:
- name: {user}
  user:
    token: {token}
contexts:
- name: vault-sandbox
  context:
    cluster: vault-sandbox
    user: {user}
    namespace: {namespace}
current-context: vault-sandbox
"
    )
}

fn random_token() -> String {
    let b: [u8; 24] = rand::random();
    format!("sandbox.{}", hex::encode(b))
}

/// Starts a sandbox in the current tokio runtime and returns once it is ready.
pub async fn start(opts: &Options) -> Result<Running> {
    opts.validate()?;
    crate::kubelet::require_root().map_err(|e| anyhow!(e))?;
    let server_bin = server_bin::resolve(opts.server_bin.as_deref())?;
    std::fs::create_dir_all(&opts.dir).with_context(|| format!("create {}", opts.dir.display()))?;
    let dir = std::fs::canonicalize(&opts.dir)?;
    let lock = FileLock::try_acquire(&dir.join(".lock"))?.ok_or_else(|| {
        anyhow!(
            "a sandbox is already running in {}; stop it first with: vault-sandbox down --dir {}",
            dir.display(),
            opts.dir.display()
        )
    })?;
    for entry in OWN_ENTRIES {
        let p = dir.join(entry);
        let _ = if p.is_dir() {
            std::fs::remove_dir_all(&p)
        } else {
            std::fs::remove_file(&p)
        };
    }
    let (subnet, listener) = claim_addresses(opts).await?;
    let (node, node_listener, service_listener) = start_node(subnet).await?;
    let node_addr = node_listener.local_addr()?;
    // The kubeconfig names the node address, which pods reach too (a host loopback address
    // they cannot), unless an API address was given.
    let api_addr = match opts.api_addr {
        Some(_) => listener.local_addr()?,
        None => node_addr,
    };

    // Certificates: the API server's CA is not Vault's, as in a real install. The Vault CA
    // issues the pods' certificate, kept in the `vault-tls` Secret with its CA.
    let api_ca = Ca::generate("vault-sandbox API CA")?;
    let api_cert = api_ca.issue(
        "vault-sandbox-apiserver",
        &[
            node_addr.ip().to_string(),
            listener.local_addr()?.ip().to_string(),
            "127.0.0.1".into(),
            "localhost".into(),
            "kubernetes".into(),
            "kubernetes.default".into(),
            "kubernetes.default.svc".into(),
            "kubernetes.default.svc.cluster.local".into(),
        ],
        time::Duration::days(365),
    )?;
    let ca = Ca::generate("vault-sandbox Vault CA")?;
    let pod_ips: Vec<String> = crate::network::pool_ips(crate::network::private_net(subnet))
        .iter()
        .map(|ip| ip.to_string())
        .collect();
    let variant = opts.variant();
    let vault_cert = ca.vault_cert(
        &variant,
        &opts.namespace,
        &pod_ips,
        VaultCert::Valid {
            days: i64::from(opts.cert_days),
        },
    )?;
    std::fs::write(dir.join("ca.crt"), &ca.cert_pem)?;
    std::fs::write(dir.join("api-ca.crt"), &api_ca.cert_pem)?;

    let cfg = Config {
        dir: dir.clone(),
        namespace: opts.namespace.clone(),
        subnet,
        api_addr,
        replicas: opts.nodes,
        server_bin,
        probe_period: opts.probe_period,
        ca_pem: ca.cert_pem.clone(),
        api_ca_pem: api_ca.cert_pem.clone(),
        variant,
        enforce_memory_limits: opts.enforce_memory_limits,
    };
    let admin_token = random_token();
    let cluster = Cluster::new(cfg, admin_token.clone())?;
    *cluster.vault_ca.lock().map_err(|_| anyhow!("CA lock"))? = Some(Arc::new(ca));
    *cluster.node.lock().map_err(|_| anyhow!("node lock"))? = Some(node);
    let c = &cluster;
    let ns = opts.namespace.as_str();
    let mut server_config = opts.extra_config.clone();
    if opts.seal == Seal::Transit {
        let kms = crate::kms::start(c).await?;
        server_config.push_str(&kms.seal_stanza());
        *c.kms.lock().map_err(|_| anyhow!("kms lock"))? = Some(kms);
    }
    if opts.audit {
        server_config.push_str(&objects::audit_stanza(&variant));
    }
    let v = &variant;
    let mut seed = vec![
        ("namespaces", "", objects::namespace("default")),
        ("namespaces", "", objects::namespace("kube-system")),
        ("namespaces", "", objects::namespace(ns)),
        ("nodes", "", objects::node(c.cfg.node_ip())),
        ("storageclasses", "", objects::storage_class()),
        ("serviceaccounts", ns, objects::service_account(v, ns)),
        (
            "configmaps",
            ns,
            objects::config_map(
                v,
                ns,
                &objects::server_config_with_raft(
                    v,
                    &server_config,
                    &if opts.retry_join {
                        objects::retry_join_stanzas(v, opts.nodes)
                    } else {
                        String::new()
                    },
                ),
            ),
        ),
    ];
    // Without TLS on the listener the server needs no certificate: no TLS Secret.
    if v.tls {
        seed.push((
            "secrets",
            ns,
            objects::tls_secret(
                v,
                ns,
                &vault_cert.cert_pem,
                &vault_cert.key_pem,
                &c.cfg.ca_pem,
            ),
        ));
    }
    for (res, ns, obj) in seed {
        if res != "namespaces"
            || c.store
                .get(res, ns, obj["metadata"]["name"].as_str().unwrap_or(""))
                .is_none()
        {
            c.store
                .create(res, ns, obj)
                .map_err(|e| anyhow!("seed {res}: {e}"))?;
        }
    }
    for namespace in ["default", "kube-system", ns] {
        api::registry::populate_namespace(c, namespace);
    }
    for svc in objects::services(v, ns) {
        c.store
            .create("services", ns, svc)
            .map_err(|e| anyhow!("seed services: {e}"))?;
    }

    let kubeconfig_path = dir.join("kubeconfig");
    let server = format!("https://{api_addr}");
    write_private(
        &kubeconfig_path,
        kubeconfig(
            &server,
            &c.cfg.api_ca_pem,
            ns,
            "vault-sandbox-admin",
            &admin_token,
        )
        .as_bytes(),
    )?;

    let tls = api_tls(&api_cert.cert_pem, &api_cert.key_pem)?;
    tokio::spawn(api::serve(cluster.clone(), listener, tls.clone()));
    tokio::spawn(api::serve(cluster.clone(), node_listener, tls.clone()));
    tokio::spawn(api::serve(cluster.clone(), service_listener, tls));
    tokio::spawn(crate::names::refresh_loop(cluster.clone()));
    let mut sts = objects::statefulset(v, ns, opts.nodes);
    if opts.audit {
        objects::add_audit_storage(v, &mut sts);
    }
    objects::set_claim_size(&mut sts, &opts.claim_size);
    c.store
        .create("statefulsets", ns, sts)
        .map_err(|e| anyhow!("create statefulset: {e}"))?;
    tokio::spawn(controller::run(cluster.clone()));
    tokio::spawn(crate::gc::run(cluster.clone()));
    tokio::spawn(crate::pvc_resize::run(cluster.clone()));

    let running = Running {
        cluster: cluster.clone(),
        kubeconfig: kubeconfig_path,
        admin_token,
        _lock: lock,
    };
    if opts.initialized {
        let auto = opts.seal != Seal::Shamir;
        if let Err(e) =
            bootstrap::initialize(&cluster, opts.key_shares, opts.key_threshold, auto).await
        {
            running.stop().await;
            return Err(e.context("bootstrap the cluster"));
        }
    } else {
        let wait = wait_all_running(&cluster, opts.nodes).await;
        if let Err(e) = wait {
            running.stop().await;
            return Err(e);
        }
    }
    Ok(running)
}

async fn wait_all_running(c: &Arc<Cluster>, n: u32) -> Result<()> {
    let start = Instant::now();
    loop {
        let up = (0..n)
            .filter(|i| {
                c.kubelet
                    .get(&c.pod_name(*i))
                    .is_some_and(|r| r.current().is_some())
            })
            .count();
        if up as u32 == n {
            return Ok(());
        }
        if start.elapsed() > Duration::from_secs(60) {
            bail!("timed out waiting for {n} pods to run");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn api_tls(cert_pem: &str, key_pem: &str) -> Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs =
        CertificateDer::pem_slice_iter(cert_pem.as_bytes()).collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes())?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut cfg = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(certs, key)?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(cfg)))
}

impl Running {
    /// Stops every pod process and the API; returns when no server process is left.
    pub async fn stop(&self) {
        let _ = self.cluster.shutdown.send(true);
        let deadline = Instant::now() + Duration::from_secs(10);
        if let Some(kms) = self.cluster.kms() {
            kms.proc.signal(libc::SIGKILL);
            let _ = tokio::time::timeout(Duration::from_secs(5), kms.proc.wait()).await;
        }
        for run in self.cluster.kubelet.running() {
            if let Some(p) = run.current() {
                p.signal(libc::SIGKILL);
                let left = deadline.saturating_duration_since(Instant::now());
                let _ = tokio::time::timeout(left, p.wait()).await;
            }
        }
        // The pods' network namespaces, then the node's: their veths and routes go with them.
        let pauses = self
            .cluster
            .kubelet
            .running()
            .into_iter()
            .filter_map(|r| r.netns_proc());
        let node = self.cluster.node.lock().ok().and_then(|mut n| n.take());
        for p in pauses.chain(node) {
            p.signal(libc::SIGKILL);
            let left = deadline.saturating_duration_since(Instant::now());
            let _ = tokio::time::timeout(left, p.wait()).await;
        }
    }

    /// The current IP of pod `vault-<ordinal>`; for a pod that is not running, an address of
    /// the pods' range that no pod has.
    pub fn pod_ip(&self, ordinal: u32) -> Ipv4Addr {
        self.cluster
            .pod_addr(ordinal)
            .unwrap_or_else(|| crate::network::unassigned_ip(self.cluster.cfg.pod_net(), ordinal))
    }

    /// The address `name` resolves to inside the sandbox's pods (`vault-0.vault-internal`,
    /// `vault-active.vault.svc`, …).
    pub fn resolve(&self, name: &str) -> Option<Ipv4Addr> {
        crate::names::resolve(&self.cluster, name)
    }

    /// The `slow` fault: pod `pod`'s Vault API answers `delay` late (zero: on time again).
    pub async fn slow(&self, pod: &str, delay: Duration) -> Result<String> {
        faults::slow(&self.cluster, pod, delay)
            .await
            .map_err(|e| anyhow!(e))
    }

    pub async fn fault(&self, fault: Fault, pod: &str) -> Result<String> {
        faults::inject(&self.cluster, fault, pod)
            .await
            .map_err(|e| anyhow!(e))
    }

    /// Adds a user allowed only `rules` (`(verb, resource)`, `"*"` for any) in the sandbox's
    /// namespace (a Role and RoleBinding) and writes a kubeconfig for it.
    pub fn add_user(&self, name: &str, rules: &[(&str, &str)]) -> Result<PathBuf> {
        let path = self.new_user(name, &[])?;
        access::grant_rules(&self.cluster, name, rules)?;
        Ok(path)
    }

    /// Adds a user in `groups` with no rights of its own and writes a kubeconfig for it
    /// (`kubeconfig-<name>` in the sandbox's directory).
    pub fn new_user(&self, name: &str, groups: &[&str]) -> Result<PathBuf> {
        let token = access::mint_user(&self.cluster, name, groups)?;
        self.token_kubeconfig(name, &token)
    }

    /// Writes `kubeconfig-<name>` in the sandbox's directory: the API with `token` as the
    /// bearer token (a minted user's, or a service account's).
    pub fn token_kubeconfig(&self, name: &str, token: &str) -> Result<PathBuf> {
        let path = self.cluster.cfg.dir.join(format!("kubeconfig-{name}"));
        let server = format!("https://{}", self.cluster.cfg.api_addr);
        write_private(
            &path,
            kubeconfig(
                &server,
                &self.cluster.cfg.api_ca_pem,
                self.cluster.ns(),
                name,
                token,
            )
            .as_bytes(),
        )?;
        Ok(path)
    }

    /// A token for service account `ns/sa`, signed as `TokenRequest` signs them but without
    /// its 10-minute floor: valid for `lifetime` seconds from now, or (negative) expired that
    /// long ago. Empty `audiences`: the API server's own (the issuer).
    pub fn mint_sa_token(
        &self,
        ns: &str,
        sa: &str,
        audiences: &[&str],
        lifetime: i64,
    ) -> Result<String> {
        let audiences = audiences.iter().map(|a| a.to_string()).collect();
        let g = api::tokens::grant(&self.cluster, ns, sa, audiences, lifetime, None)
            .map_err(|e| anyhow!("{e}"))?;
        self.cluster.issuer.mint(&g)
    }

    /// Replaces the API's injected errors and delays.
    pub fn set_api_faults(&self, faults: ApiFaults) {
        if let Ok(mut f) = self.cluster.api_faults.lock() {
            *f = faults;
        }
    }

    /// What `vault-sandbox status` prints: nodes, pods, servers.
    pub fn status(&self) -> Value {
        api::control::status(&self.cluster)
    }

    /// Writes `state.json` for the CLI's other commands.
    pub fn write_state(&self, state: &str) -> Result<()> {
        write_state_file(
            &self.cluster.cfg.dir,
            &json!({
                "state": state,
                "pid": std::process::id(),
                "api": format!("https://{}", self.cluster.cfg.api_addr),
                "token": self.admin_token,
                // Whether the pods' listener speaks TLS: the CLI's own Vault calls follow it.
                "tls": self.cluster.variant().tls,
            }),
        )
    }
}

pub fn write_state_file(dir: &Path, state: &Value) -> Result<()> {
    write_private(&dir.join("state.json"), state.to_string().as_bytes())
}
