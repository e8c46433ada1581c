//! vault-sandbox: a local Kubernetes API serving a StatefulSet of real OpenBao servers.
//!
//! Layers, kept apart so later features slot in: `api` (the Kubernetes API server), `store`
//! (objects and watches), `controller` (the StatefulSet controller), `kubelet` (the pod
//! runtime: processes, probes, exec, logs), `bootstrap` (init/unseal/join), `faults`.
//!
//! Tests use [`Sandbox`], which runs everything in-process on its own runtime; the
//! `vault-sandbox` executable runs the same code in a detached supervisor process.

pub mod access;
pub mod api;
pub mod bootstrap;
pub mod chart;
pub mod cluster;
pub mod controller;
pub mod faults;
pub mod gc;
pub mod impostor;
pub mod kms;
pub mod kubectl;
pub mod kubelet;
pub mod leaks;
pub mod leases;
pub mod names;
pub mod network;
pub mod objects;
pub mod pki;
pub mod postgres;
pub mod procs;
pub mod pvc_protection;
pub mod pvc_resize;
pub mod sandbox;
pub mod selector;
pub mod server_bin;
pub mod status;
pub mod store;
pub mod time;
pub mod tokens;
pub mod vault;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use serde_json::Value;

pub use access::RoleRef;
pub use cluster::{ApiFaults, ErrorFault};
pub use faults::Fault;
pub use kubectl::Kubectl;
pub use sandbox::{Options, Seal};

/// An in-process sandbox for tests; stopped (no process left) when dropped.
pub struct Sandbox {
    rt: tokio::runtime::Runtime,
    running: Option<sandbox::Running>,
    dir: PathBuf,
}

/// The running cluster's own calls (users, tokens, addresses, API faults) are the sandbox's.
impl std::ops::Deref for Sandbox {
    type Target = sandbox::Running;

    fn deref(&self) -> &sandbox::Running {
        self.running()
    }
}

impl Sandbox {
    pub fn start(opts: Options) -> Result<Sandbox> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sandbox")
            .enable_all()
            .build()?;
        let running = rt.block_on(sandbox::start(&opts))?;
        let dir = running.cluster.cfg.dir.clone();
        Ok(Sandbox {
            rt,
            running: Some(running),
            dir,
        })
    }

    fn running(&self) -> &sandbox::Running {
        self.running.as_ref().expect("sandbox is running")
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The node address (the API's in-cluster address), which the pods reach.
    pub fn node_ip(&self) -> std::net::Ipv4Addr {
        self.running().cluster.cfg.node_ip()
    }

    /// The address `name` resolves to inside the pods (`vault-0.vault-internal`, `vault-active`,
    /// `vault.vault.svc.cluster.local`, …).
    pub fn resolve(&self, name: &str) -> Option<std::net::Ipv4Addr> {
        self.running().resolve(name)
    }

    pub fn kubeconfig(&self) -> &Path {
        &self.running().kubeconfig
    }

    pub fn namespace(&self) -> &str {
        self.running().cluster.ns()
    }

    pub fn init_json_path(&self) -> PathBuf {
        self.dir.join("init.json")
    }

    /// The Vault CA (what the pods' `vault-tls` Secret holds as `ca.crt`).
    pub fn ca_path(&self) -> PathBuf {
        self.dir.join("ca.crt")
    }

    /// The API server's CA (also in the kubeconfig): not the Vault CA.
    pub fn api_ca_path(&self) -> PathBuf {
        self.dir.join("api-ca.crt")
    }

    /// The parsed `init.json` (unseal keys and root token).
    pub fn init(&self) -> Result<Value> {
        let s = std::fs::read_to_string(self.init_json_path()).context("read init.json")?;
        Ok(serde_json::from_str(&s)?)
    }

    pub fn unseal_keys(&self) -> Vec<String> {
        self.init()
            .ok()
            .and_then(|v| v["unseal_keys_b64"].as_array().cloned())
            .unwrap_or_default()
            .iter()
            .filter_map(|k| k.as_str().map(str::to_string))
            .collect()
    }

    pub fn root_token(&self) -> String {
        self.init()
            .ok()
            .and_then(|v| v["root_token"].as_str().map(str::to_string))
            .unwrap_or_default()
    }

    pub fn kubectl(&self) -> Kubectl {
        Kubectl::new(self.kubeconfig(), &self.dir.join("kube-cache"))
    }

    pub fn fault(&self, fault: Fault, pod: &str) -> Result<String> {
        self.rt.block_on(self.running().fault(fault, pod))
    }

    /// The `slow` fault: pod `pod`'s Vault API answers `delay` late (zero: on time again).
    pub fn slow(&self, pod: &str, delay: Duration) -> Result<String> {
        self.rt.block_on(self.running().slow(pod, delay))
    }

    /// Starts an impostor: pod `name` with the Vault pods' labels but no StatefulSet owner,
    /// running a real server initialised as `model` (a copy of its volume), sealed.
    pub fn start_impostor(&self, name: &str, model: &str) -> Result<()> {
        self.rt
            .block_on(impostor::start(&self.running().cluster, name, model))
    }

    /// The host directory behind pod `pod`'s service-account volume (what the pod sees at
    /// /var/run/secrets/kubernetes.io/serviceaccount): a test may plant a stale file there.
    pub fn service_account_dir(&self, pod: &str) -> PathBuf {
        self.running()
            .cluster
            .cfg
            .pod_dir(&kubelet::run_key(
                &self.running().cluster,
                self.namespace(),
                pod,
            ))
            .join("serviceaccount")
    }

    /// Renews pod `pod`'s projected service-account token now instead of at 80% of its
    /// lifetime; the new token is in the pod within about a second.
    pub fn renew_service_account_token(&self, pod: &str) -> Result<()> {
        kubelet::renew_service_account_token(&self.running().cluster, pod).map_err(|e| anyhow!(e))
    }

    /// Sends `sig` to the server process of pod `pod` (as `kill -HUP` in the pod would).
    pub fn signal(&self, pod: &str, sig: i32) -> Result<()> {
        kubelet::signal_container(&self.running().cluster, pod, sig).map_err(|e| anyhow!(e))
    }

    /// The service-account issuer (`iss` of its tokens; also the API's URL).
    pub fn issuer_url(&self) -> String {
        self.running().cluster.issuer.url.clone()
    }

    /// A user bound to `role` (a Role, a ClusterRole everywhere, or a ClusterRole in one
    /// namespace); returns its kubeconfig.
    pub fn add_user_with_role(&self, name: &str, role: RoleRef) -> Result<PathBuf> {
        let path = self.new_user(name, &[])?;
        self.bind(name, role)?;
        Ok(path)
    }

    /// Binds an existing user to one more role.
    pub fn bind(&self, user: &str, role: RoleRef) -> Result<()> {
        access::bind(&self.running().cluster, user, role)
    }

    /// Creates an object as the admin would through the API (validated, in a namespace that
    /// exists); returns it as stored.
    pub fn create(&self, resource: &str, namespace: &str, obj: Value) -> Result<Value> {
        let res = api::resources::by_plural(resource)
            .ok_or_else(|| anyhow!("the sandbox does not serve {resource}"))?;
        api::registry::create(&self.running().cluster, res, namespace, obj, false)
            .map_err(|e| anyhow!("{e}"))
    }

    /// Requests whose path contains `path` ("" for all) are answered with `status` (500, 503
    /// or 429), `count` times or, with None, until [`Sandbox::clear_api_faults`].
    pub fn api_error(&self, status: u16, path: &str, count: Option<u32>) -> Result<()> {
        self.edit_api_faults(|f| f.add_error(status, path, count))
    }

    /// Requests whose path contains `path` ("" for all) are answered `seconds` late.
    pub fn api_delay(&self, seconds: f64, path: &str) -> Result<()> {
        self.edit_api_faults(|f| f.add_delay(seconds, path))
    }

    /// Ends every API fault.
    pub fn clear_api_faults(&self) {
        self.set_api_faults(ApiFaults::default())
    }

    /// The API faults in force (an error fault with a count shrinks as requests meet it).
    pub fn api_faults(&self) -> ApiFaults {
        self.running()
            .cluster
            .api_faults
            .lock()
            .map(|f| f.clone())
            .unwrap_or_default()
    }

    fn edit_api_faults(&self, f: impl FnOnce(&mut ApiFaults) -> Result<(), String>) -> Result<()> {
        let mut faults = self
            .running()
            .cluster
            .api_faults
            .lock()
            .map_err(|_| anyhow!("API faults lock"))?;
        f(&mut faults).map_err(|e| anyhow!(e))
    }

    /// Drops the API's history, as the API server's periodic compaction does: watches and
    /// list continuations from an older resourceVersion get 410 Gone.
    pub fn compact_history(&self) {
        self.running().cluster.store.compact()
    }

    /// Where the host sees claim `claim` as the sandbox's pod `pod` has it mounted (its
    /// filesystem, inside the pod's mount namespace); None unless the pod runs.
    pub fn volume_view(&self, pod: &str, claim: &str) -> Option<PathBuf> {
        let c = &self.running().cluster;
        kubelet::volume_view(c, c.ns(), pod, claim)
    }

    /// PIDs of the pods' server processes.
    pub fn server_pids(&self) -> Vec<u32> {
        self.running()
            .cluster
            .kubelet
            .running()
            .iter()
            .filter_map(|r| r.current().map(|p| p.pid))
            .collect()
    }

    /// A Vault API call to pod `vault-<ordinal>` straight to its address (not through the
    /// Kubernetes API): the independent path tests check results through.
    pub fn vault(
        &self,
        ordinal: u32,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Result<(u16, Value)> {
        let c = &self.running().cluster;
        let call = vault::VaultCall {
            method,
            path,
            token,
            body,
        };
        self.rt
            .block_on(c.vault_call(ordinal, call, Duration::from_secs(30)))
    }

    /// A Vault API call with the root token to the active node (found through the Vault API).
    pub fn vault_active(
        &self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Value)> {
        let c = &self.running().cluster;
        let token = self.root_token();
        self.rt.block_on(async {
            let addr = leases::active_node(&c.vault, &self.node_addrs()).await?;
            let mut call = vault::VaultCall::new(method, path).token(&token);
            if let Some(b) = body {
                call = call.body(b);
            }
            c.vault.call(addr, call, Duration::from_secs(30)).await
        })
    }

    /// The Vault CA's certificate and private key (PEM), for a test that keeps them in a CA
    /// Secret or imports them into Vault's PKI engine.
    pub fn vault_ca_pem(&self) -> Result<(String, String)> {
        let ca = self
            .running()
            .cluster
            .vault_ca
            .lock()
            .map_err(|_| anyhow!("CA lock"))?
            .clone()
            .ok_or_else(|| anyhow!("no Vault CA"))?;
        Ok((ca.cert_pem.clone(), ca.key_pem.clone()))
    }

    /// Mounts Vault's PKI engine at `mount` with the sandbox's Vault CA as its issuer, so what
    /// it issues verifies against `ca.crt` of the `vault-tls` Secret (roles are the test's).
    pub fn enable_pki(&self, mount: &str) -> Result<()> {
        let (cert_pem, key_pem) = self.vault_ca_pem()?;
        let steps = [
            (
                format!("sys/mounts/{mount}"),
                serde_json::json!({"type": "pki", "config": {"max_lease_ttl": "87600h"}}),
            ),
            (
                format!("{mount}/config/ca"),
                serde_json::json!({"pem_bundle": format!("{key_pem}\n{cert_pem}")}),
            ),
        ];
        for (path, body) in steps {
            let (code, v) = self.vault_active("POST", &path, Some(&body))?;
            if !(200..300).contains(&code) {
                bail!("POST {path}: {code} {v}");
            }
        }
        Ok(())
    }

    /// Creates `count` real token leases (TTL one hour) under `auth/token/create/<role>/`,
    /// concurrently on the active node.
    pub fn lease_flood(&self, role: &str, count: usize) -> Result<usize> {
        let c = &self.running().cluster;
        let token = self.root_token();
        self.rt.block_on(async {
            let addr = leases::active_node(&c.vault, &self.node_addrs()).await?;
            leases::flood(&c.vault, addr, &token, role, count, "1h").await
        })
    }

    /// Makes `count` AppRole logins (leases under `auth/<mount>/login/`) on the active node.
    pub fn lease_flood_approle(&self, mount: &str, count: usize) -> Result<usize> {
        let c = &self.running().cluster;
        let token = self.root_token();
        self.rt.block_on(async {
            let addr = leases::active_node(&c.vault, &self.node_addrs()).await?;
            leases::flood_approle(&c.vault, addr, &token, mount, count, "1h").await
        })
    }

    /// Creates `count` real leases (TTL one hour) under the lease path `path`, setting up what
    /// it needs: `auth/token/create/ROLE` (tokens under a role), `auth/MOUNT/login` (AppRole
    /// logins) or `MOUNT/issue/ROLE` (PKI certificates with `generate_lease`).
    pub fn lease_flood_path(&self, path: &str, count: usize) -> Result<usize> {
        let c = &self.running().cluster;
        let token = self.root_token();
        self.rt.block_on(async {
            let addr = leases::active_node(&c.vault, &self.node_addrs()).await?;
            leases::flood_path(&c.vault, addr, &token, path, count, "1h").await
        })
    }

    /// How many leases are under `prefix`, counted on the active node through the Vault API.
    pub fn count_leases(&self, prefix: &str) -> Result<u64> {
        let c = &self.running().cluster;
        let token = self.root_token();
        self.rt.block_on(async {
            let addr = leases::active_node(&c.vault, &self.node_addrs()).await?;
            leases::count(&c.vault, addr, &token, prefix).await
        })
    }

    fn node_addrs(&self) -> Vec<std::net::SocketAddr> {
        let c = &self.running().cluster;
        (0..c.cfg.replicas)
            .filter_map(|o| Some((c.pod_addr(o)?, 8200).into()))
            .collect()
    }

    /// `sys/seal-status` of pod `vault-<ordinal>`.
    pub fn seal_status(&self, ordinal: u32) -> Result<Value> {
        let (code, v) = self.vault(ordinal, "GET", "sys/seal-status", None, None)?;
        if code != 200 {
            return Err(anyhow!("seal-status of vault-{ordinal}: {code} {v}"));
        }
        Ok(v)
    }

    /// Unseals pod `vault-<ordinal>` directly with the sandbox's own keys.
    pub fn unseal_directly(&self, ordinal: u32) -> Result<()> {
        let c = self.running().cluster.clone();
        let keys = self.unseal_keys();
        self.rt.block_on(bootstrap::unseal(&c, ordinal, &keys))
    }

    /// Polls `f` every 200 ms until it returns true.
    pub fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        mut f: impl FnMut() -> bool,
    ) -> Result<()> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if f() {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        Err(anyhow!("timed out after {timeout:?} waiting for {what}"))
    }

    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(r) = self.running.take() {
            self.rt.block_on(r.stop());
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Summary of a benchmark's repeated measurements.
#[derive(Debug, Clone, Copy)]
pub struct Stats {
    pub min: f64,
    pub median: f64,
    pub max: f64,
}

impl Stats {
    pub fn of(mut xs: Vec<f64>) -> Stats {
        assert!(!xs.is_empty(), "no measurements");
        xs.sort_by(f64::total_cmp);
        Stats {
            min: xs[0],
            median: xs[xs.len() / 2],
            max: xs[xs.len() - 1],
        }
    }
}

/// Prints a benchmark's runs as a Markdown table on a `nodes`-pod sandbox: a row a command
/// (its name, how many runs, min/median/max seconds).
pub fn print_runs_table<const N: usize>(nodes: u32, rows: [(&str, Vec<f64>); N]) {
    println!("| operation ({nodes}-pod sandbox) | runs | min s | median s | max s |");
    println!("|---|---|---|---|---|");
    for (name, xs) in rows {
        let n = xs.len();
        let s = Stats::of(xs);
        println!(
            "| {name} | {n} | {:.3} | {:.3} | {:.3} |",
            s.min, s.median, s.max
        );
    }
}

/// Runs `cmd` (output discarded) and returns how long it took in seconds; fails unless it
/// exits with one of `ok_codes`.
pub fn timed(mut cmd: std::process::Command, ok_codes: &[i32]) -> f64 {
    let start = Instant::now();
    let out = cmd
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .expect("run the benchmarked command");
    let secs = start.elapsed().as_secs_f64();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        ok_codes.contains(&code),
        "exit {code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    secs
}

/// The peak memory (max RSS, KiB) of `program args…` run under `/usr/bin/time -f %M` with
/// `envs` set; fails unless that reading is there.
pub fn max_rss_kib<'a>(
    program: impl AsRef<std::ffi::OsStr>,
    args: impl IntoIterator<Item = &'a std::ffi::OsStr>,
    envs: &[(&str, &std::path::Path)],
) -> f64 {
    let out = std::process::Command::new("/usr/bin/time")
        .arg("-f")
        .arg("%M")
        .arg(program)
        .args(args)
        .envs(envs.iter().copied())
        .output()
        .expect("/usr/bin/time");
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .expect("max RSS in KiB")
}

/// `openssl ARGS` with `input` on stdin; its whole output (status, stdout, stderr).
pub fn openssl(args: &[&str], input: &[u8]) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = std::process::Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run openssl");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input)
        .expect("write openssl stdin");
    child.wait_with_output().expect("wait for openssl")
}

/// A sandbox of `nodes` pods for a benchmark (in `CARGO_TARGET_TMPDIR`/sandboxes/`name`),
/// and the real kubectl with the plugin executable `plugin` on its PATH.
pub fn bench_sandbox(base: &str, name: &str, nodes: u32, plugin: &str) -> (Sandbox, Kubectl) {
    let sb = Sandbox::start(Options {
        dir: test_dir(base, name),
        nodes,
        ..Default::default()
    })
    .expect("start the sandbox");
    let kubectl = sb
        .kubectl()
        .with_plugins(Path::new(plugin).parent().expect("the plugin's directory"));
    (sb, kubectl)
}

/// The runbook's status check as it is written: `kubectl exec vault-<i> -- vault status`, one
/// pod after another, for `nodes` pods. Returns how long the loop took in seconds.
pub fn runbook_status_loop(kubectl: &Kubectl, nodes: u32) -> f64 {
    let start = Instant::now();
    for i in 0..nodes {
        let out = kubectl
            .command(["exec", &format!("vault-{i}"), "--", "vault", "status"])
            .output()
            .expect("exec");
        // `vault status` exits 2 while sealed.
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    start.elapsed().as_secs_f64()
}

/// Logs the runbook in inside pods `vault-0` … `vault-<nodes - 1>`: the root token in each
/// pod's /tmp/bench-token, where [`runbook_vault`]'s shell reads it.
pub fn runbook_login(sb: &Sandbox, nodes: u32) {
    use std::io::Write;
    // Through `kubectl exec`: each pod's /tmp is its own (its mount namespace).
    for i in 0..nodes {
        let mut child = sb
            .kubectl()
            .command([
                "exec",
                "-i",
                &format!("vault-{i}"),
                "--",
                "sh",
                "-c",
                "umask 077 && cat > /tmp/bench-token",
            ])
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("kubectl exec");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(sb.root_token().as_bytes())
            .expect("pod token file");
        assert!(
            child.wait().expect("kubectl exec").success(),
            "pod token file"
        );
    }
}

/// One `vault <args>` in pod vault-0 through `kubectl exec`, as the runbook types it, with
/// the token [`runbook_login`] left there. Returns its stdout; fails unless it succeeds.
pub fn runbook_vault(kubectl: &Kubectl, args: &str) -> Vec<u8> {
    try_runbook_vault(kubectl, args).unwrap_or_else(|e| panic!("{e}"))
}

/// [`runbook_vault`] that returns the CLI's complaint instead of panicking, for walks that
/// retry as an operator would when a command meets an election.
pub fn try_runbook_vault(kubectl: &Kubectl, args: &str) -> std::result::Result<Vec<u8>, String> {
    let script = format!(
        "VAULT_TOKEN=$(cat /tmp/bench-token) BAO_TOKEN=$(cat /tmp/bench-token) vault {args}"
    );
    let out = kubectl
        .command(["exec", "vault-0", "--", "sh", "-c", &script])
        .output()
        .map_err(|e| format!("kubectl exec: {e}"))?;
    if out.status.success() {
        Ok(out.stdout)
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// A fresh directory for one test's sandbox under `base` (usually `CARGO_TARGET_TMPDIR`).
pub fn test_dir(base: &str, name: &str) -> PathBuf {
    let dir = Path::new(base).join("sandboxes").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("create test dir");
    dir
}
