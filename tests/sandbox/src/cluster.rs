//! The shared state of one sandbox: configuration, object store, kubelet, controller trigger.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{Notify, watch};

use crate::kubelet::Kubelet;
use crate::objects;
use crate::store::Store;
use crate::vault::{VaultCall, VaultHttp};

#[derive(Debug, Clone)]
pub struct Config {
    pub dir: PathBuf,
    pub namespace: String,
    /// The first three octets of the sandbox's loopback /24 (127.a.b.0).
    pub subnet: [u8; 3],
    pub api_addr: SocketAddr,
    pub replicas: u32,
    pub server_bin: PathBuf,
    pub probe_period: Duration,
    /// The Vault CA (in the `vault-tls` Secret), which the sandbox's own Vault client trusts.
    pub ca_pem: String,
    /// The API server's CA, a different one (as in a real install).
    pub api_ca_pem: String,
    /// The chart the objects follow, and whether the pods' listener serves TLS.
    pub variant: crate::chart::Variant,
    /// The kubelet OOM-kills a container whose working set exceeds its memory limit.
    pub enforce_memory_limits: bool,
}

impl Config {
    /// The node's address in the sandbox's private /24 (10.a.b.1): the in-cluster address of
    /// the API server, reachable from every pod.
    pub fn node_ip(&self) -> Ipv4Addr {
        let [a, b, c] = self.pod_net();
        Ipv4Addr::new(a, b, c, 1)
    }

    /// The sandbox's private /24 for its node and pods (10.a.b.0/24 for 127.a.b.0/24).
    pub fn pod_net(&self) -> [u8; 3] {
        crate::network::private_net(self.subnet)
    }

    /// The pod's own DNS name under the StatefulSet's headless service, which its certificate
    /// carries. Fully qualified: webpki (rustls) refuses a wildcard over a single label such as
    /// `*.vault-internal`, which Go clients accept.
    pub fn pod_dns_name(&self, ordinal: u32) -> String {
        let v = &self.variant;
        format!(
            "{}-{ordinal}.{}.{}.svc.cluster.local",
            v.statefulset(),
            v.internal_service(),
            self.namespace
        )
    }

    /// Every address a pod of this sandbox may have (the pool's).
    pub fn pod_ips(&self) -> Vec<String> {
        crate::network::pool_ips(self.pod_net())
            .iter()
            .map(|ip| ip.to_string())
            .collect()
    }

    pub fn pod_dir(&self, name: &str) -> PathBuf {
        self.dir.join("pods").join(name)
    }

    pub fn volume_dir(&self, claim: &str) -> PathBuf {
        self.dir.join("volumes").join(claim)
    }
}

/// A user of the sandbox API, known by a bearer token: the admin in the kubeconfig, or one a
/// test mints. What a user may do is RBAC's to decide (Roles and bindings in the store); the
/// groups name who the user is for that (`system:masters` may do anything).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub name: String,
    pub uid: String,
    pub token: String,
    pub groups: Vec<String>,
}

/// The name of the sandbox's own admin, the only user its control endpoints serve.
pub const ADMIN: &str = "vault-sandbox-admin";

pub struct Cluster {
    pub cfg: Config,
    pub store: Store,
    pub kubelet: Kubelet,
    pub vault: VaultHttp,
    /// Wakes the StatefulSet controller.
    pub reconcile: Notify,
    /// Wakes the garbage collector (owner references, finalizers, namespace deletion).
    pub gc: Notify,
    pub users: std::sync::Mutex<Vec<User>>,
    /// Flips to true when the sandbox shuts down.
    pub shutdown: watch::Sender<bool>,
    /// Faults that make the API itself misbehave, for tests of the plugins' error handling.
    pub api_faults: std::sync::Mutex<ApiFaults>,
    /// The transit KMS of an auto-unseal sandbox.
    pub kms: std::sync::Mutex<Option<Arc<crate::kms::Kms>>>,
    /// The CA that issues the Vault pods' certificates (kept for the certificate faults).
    pub vault_ca: std::sync::Mutex<Option<Arc<crate::pki::Ca>>>,
    /// Signs and validates service-account tokens.
    pub issuer: crate::tokens::Issuer,
    /// The pod IPs not in use.
    pub ip_pool: std::sync::Mutex<crate::network::IpPool>,
    /// The pause process that holds the node address.
    pub node: std::sync::Mutex<Option<crate::procs::Proc>>,
    /// Pods cut off from the others by a `partition` fault (kept for a re-created pod).
    pub partitioned: std::sync::Mutex<std::collections::BTreeSet<String>>,
    /// Pods whose Vault API answers late (a `slow` fault): the delay per port-forward chunk.
    pub slow: std::sync::Mutex<std::collections::BTreeMap<String, Duration>>,
}

/// Faults that make the API server itself misbehave. Paths match by substring
/// (`/pods` matches every pod request); the sandbox's own endpoints are never affected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ApiFaults {
    /// Requests whose path contains this string get a 500 from the API server.
    pub fail_paths: Vec<String>,
    /// Requests whose path contains this string hang for this long before being served.
    pub delay_paths: Vec<(String, Duration)>,
    /// Requests whose path contains the fault's path get its status code.
    pub errors: Vec<ErrorFault>,
    /// Port-forward streams to pods whose name contains this string (opened while the fault
    /// is set) hold each chunk the client sends this long before passing it on: a slow link,
    /// so another client can act between two of this one's requests.
    pub stream_delays: Vec<(String, Duration)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ErrorFault {
    /// 500, 503 or 429.
    pub status: u16,
    pub path: String,
    /// How many requests fail before the fault clears itself (None: all of them).
    pub count: Option<u32>,
}

/// The status codes an `api-error` fault can answer with.
pub const FAULT_STATUSES: &[u16] = &[500, 503, 429];

impl ApiFaults {
    /// How long a port-forward stream to `pod` holds each chunk sent into it.
    pub fn stream_delay(&self, pod: &str) -> Option<Duration> {
        self.stream_delays
            .iter()
            .find(|(p, _)| pod.contains(p.as_str()))
            .map(|(_, d)| *d)
    }

    /// Requests whose path contains `path` ("" for all) fail with `status`, `count` times
    /// (None: until cleared).
    pub fn add_error(&mut self, status: u16, path: &str, count: Option<u32>) -> Result<(), String> {
        if !FAULT_STATUSES.contains(&status) {
            return Err(format!("--status must be 500, 503 or 429 (got {status})"));
        }
        if count == Some(0) {
            return Err("--count must be at least 1".into());
        }
        self.errors.push(ErrorFault {
            status,
            path: path.into(),
            count,
        });
        Ok(())
    }

    /// Requests whose path contains `path` ("" for all) are answered `seconds` late.
    pub fn add_delay(&mut self, seconds: f64, path: &str) -> Result<(), String> {
        if !(0.0..=3600.0).contains(&seconds) {
            return Err(format!(
                "--seconds must be between 0 and 3600 (got {seconds})"
            ));
        }
        self.delay_paths
            .push((path.into(), Duration::from_secs_f64(seconds)));
        Ok(())
    }

    /// The delay and the error status (if any) for a request to `path`, counting the error
    /// against its fault.
    pub fn take(&mut self, path: &str) -> (Option<Duration>, Option<u16>) {
        let delay = self
            .delay_paths
            .iter()
            .find(|(p, _)| path.contains(p.as_str()))
            .map(|(_, d)| *d);
        if self.fail_paths.iter().any(|p| path.contains(p.as_str())) {
            return (delay, Some(500));
        }
        let Some(i) = self
            .errors
            .iter()
            .position(|e| path.contains(e.path.as_str()))
        else {
            return (delay, None);
        };
        let status = self.errors[i].status;
        if let Some(n) = &mut self.errors[i].count {
            *n = n.saturating_sub(1);
            if *n == 0 {
                self.errors.remove(i);
            }
        }
        (delay, Some(status))
    }
}

impl Cluster {
    pub fn new(cfg: Config, admin_token: String) -> anyhow::Result<Arc<Cluster>> {
        let vault = if cfg.variant.tls {
            VaultHttp::new(&cfg.ca_pem)?
        } else {
            VaultHttp::plain()
        };
        let (shutdown, _) = watch::channel(false);
        let store = Store::new();
        crate::api::policy::seed(&store)?;
        let issuer = crate::tokens::Issuer::generate(format!("https://{}", cfg.api_addr))?;
        let ip_pool = std::sync::Mutex::new(crate::network::IpPool::new(cfg.pod_net()));
        Ok(Arc::new(Cluster {
            cfg,
            store,
            kubelet: Kubelet::default(),
            vault,
            reconcile: Notify::new(),
            gc: Notify::new(),
            users: std::sync::Mutex::new(vec![User {
                name: ADMIN.into(),
                uid: crate::store::new_uid(),
                token: admin_token,
                groups: vec!["system:masters".into(), "system:authenticated".into()],
            }]),
            shutdown,
            api_faults: Default::default(),
            kms: Default::default(),
            vault_ca: Default::default(),
            issuer,
            ip_pool,
            node: Default::default(),
            partitioned: Default::default(),
            slow: Default::default(),
        }))
    }

    pub fn ns(&self) -> &str {
        &self.cfg.namespace
    }

    pub fn user_by_token(&self, token: &str) -> Option<User> {
        self.users
            .lock()
            .ok()?
            .iter()
            .find(|u| !token.is_empty() && u.token == token)
            .cloned()
    }

    pub fn pod(&self, name: &str) -> Option<Value> {
        self.store.get("pods", self.ns(), name)
    }

    /// Records a core/v1 Event about `involved`.
    pub fn record(
        &self,
        involved: &Value,
        event_type: &str,
        reason: &str,
        message: &str,
        component: &str,
    ) {
        let kind = involved["kind"].as_str().unwrap_or("Pod").to_string();
        let ev = objects::event(involved, &kind, event_type, reason, message, component);
        let ns = ev["metadata"]["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let _ = self.store.create("events", &ns, ev);
    }

    /// The chart and listener the sandbox's objects follow.
    pub fn variant(&self) -> &crate::chart::Variant {
        &self.cfg.variant
    }

    /// The name of the sandbox's pod of ordinal `ordinal` (`vault-0`, `openbao-0`).
    pub fn pod_name(&self, ordinal: u32) -> String {
        format!("{}-{ordinal}", self.cfg.variant.statefulset())
    }

    /// One Vault API call to pod `vault-<ordinal>`, verifying its certificate for the pod's own
    /// DNS name (plain HTTP when the listener has TLS disabled).
    pub async fn vault_call(
        &self,
        ordinal: u32,
        call: VaultCall<'_>,
        timeout: Duration,
    ) -> anyhow::Result<(u16, Value)> {
        let ip = self
            .pod_addr(ordinal)
            .ok_or_else(|| anyhow::anyhow!("pod {} is not running", self.pod_name(ordinal)))?;
        self.vault
            .call_as(
                (ip, 8200).into(),
                &self.cfg.pod_dns_name(ordinal),
                call,
                timeout,
            )
            .await
    }

    /// The current IP of pod `vault-<ordinal>` while the kubelet runs it, else of the pod the
    /// kubelet runs in that slot (an impostor's, another StatefulSet's).
    pub fn pod_addr(&self, ordinal: u32) -> Option<Ipv4Addr> {
        if let Some(run) = self.kubelet.get(&self.pod_name(ordinal)) {
            return Some(run.ip);
        }
        let runs = self.kubelet.running();
        runs.iter().find(|r| r.ordinal == ordinal).map(|r| r.ip)
    }

    pub fn kms(&self) -> Option<Arc<crate::kms::Kms>> {
        self.kms.lock().ok()?.clone()
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.shutdown.borrow()
    }

    /// Resolves when the sandbox shuts down.
    pub fn shut_down(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.shutdown.subscribe();
        async move {
            let _ = rx.wait_for(|s| *s).await;
        }
    }
}
