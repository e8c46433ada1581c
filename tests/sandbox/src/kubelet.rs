//! The pod runtime: runs each pod's container as a real server process on the pod's own
//! loopback address, restarts it when it dies, probes readiness, and serves exec and logs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::process::Command;
use tokio::sync::Notify;

use crate::cluster::Cluster;
use crate::objects::{self, CONFIG_KEY, CONFIG_MAP, TLS_SECRET};
use crate::procs::{self, Proc};
use crate::time;

/// Delay before a dead container is started again, doubling while it keeps crashing, as the
/// kubelet's CrashLoopBackOff does (10 s up to 5 min there; scaled down so tests do not wait).
const RESTART_DELAY: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(16);
/// A container that ran this long before dying starts the back-off over.
const BACKOFF_RESET: Duration = Duration::from_secs(10);

#[derive(Default)]
pub struct Kubelet {
    pods: Mutex<HashMap<String, Arc<PodRun>>>,
}

pub struct PodRun {
    pub name: String,
    pub uid: String,
    pub ordinal: u32,
    proc: Mutex<Option<Proc>>,
    terminating: AtomicBool,
    finished: AtomicBool,
    wake: Notify,
    restarts: AtomicU32,
    /// `uid-restart` of the current container, naming its log file.
    container_id: Mutex<String>,
}

impl PodRun {
    pub fn current(&self) -> Option<Proc> {
        self.proc
            .lock()
            .ok()?
            .clone()
            .filter(|p| p.exited().is_none())
    }

    pub fn restarts(&self) -> u32 {
        self.restarts.load(Ordering::SeqCst)
    }

    pub fn log_file(&self, dir: &Path, previous: bool) -> Option<PathBuf> {
        let restarts = self.restarts();
        let n = if previous {
            restarts.checked_sub(1)?
        } else {
            restarts
        };
        Some(dir.join("logs").join(format!("{}-{n}.log", self.uid)))
    }
}

impl Kubelet {
    pub fn get(&self, name: &str) -> Option<Arc<PodRun>> {
        self.pods.lock().ok()?.get(name).cloned()
    }

    pub fn running(&self) -> Vec<Arc<PodRun>> {
        self.pods
            .lock()
            .map(|p| p.values().cloned().collect())
            .unwrap_or_default()
    }
}

/// Starts the pod described by `pod` (already in the store).
pub fn start_pod(c: &Arc<Cluster>, pod: &Value, ordinal: u32) {
    let run = Arc::new(PodRun {
        name: pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        uid: pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ordinal,
        proc: Mutex::new(None),
        terminating: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        wake: Notify::new(),
        restarts: AtomicU32::new(0),
        container_id: Mutex::new(String::new()),
    });
    c.kubelet
        .pods
        .lock()
        .expect("kubelet lock")
        .insert(run.name.clone(), run.clone());
    tokio::spawn(run_loop(c.clone(), run.clone()));
    tokio::spawn(probe_loop(c.clone(), run));
}

/// Deletes a pod the way the kubelet does: SIGTERM, SIGKILL after the grace period, then the
/// object goes away. Returns at once; the object is removed when the process is gone.
pub fn terminate(c: &Arc<Cluster>, name: &str, grace: Duration) {
    let Some(run) = c.kubelet.get(name) else {
        let _ = c.store.delete("pods", c.ns(), name);
        c.reconcile.notify_one();
        return;
    };
    if run.terminating.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(pod) = c.pod(name) {
        c.record(
            &pod,
            "Normal",
            "Killing",
            &format!("Stopping container {}", objects::CONTAINER),
            "kubelet",
        );
    }
    run.wake.notify_waiters();
    if let Some(proc) = run.current() {
        if grace.is_zero() {
            proc.signal(libc::SIGKILL);
        } else {
            proc.signal(libc::SIGTERM);
            tokio::spawn(async move {
                if tokio::time::timeout(grace, proc.wait()).await.is_err() {
                    proc.signal(libc::SIGKILL);
                }
            });
        }
    }
}

/// Kills the container's process as an OOM kill or crash would: the pod stays, the container
/// restarts.
pub fn kill_container(c: &Cluster, name: &str) -> Result<(), String> {
    let run = c
        .kubelet
        .get(name)
        .ok_or_else(|| format!("pod {name} is not running"))?;
    let proc = run
        .current()
        .ok_or_else(|| format!("pod {name} has no running container"))?;
    proc.signal(libc::SIGKILL);
    Ok(())
}

pub fn signal_container(c: &Cluster, name: &str, sig: i32) -> Result<(), String> {
    let run = c
        .kubelet
        .get(name)
        .ok_or_else(|| format!("pod {name} is not running"))?;
    let proc = run
        .current()
        .ok_or_else(|| format!("pod {name} has no running container"))?;
    proc.signal(sig);
    Ok(())
}

async fn run_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let mut first = true;
    let mut backoff = RESTART_DELAY;
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    while !run.terminating.load(Ordering::SeqCst) && !c.is_shutting_down() {
        let restart = run.restarts();
        let ran = std::time::Instant::now();
        match start_container(&c, &run, restart).await {
            Ok(proc) => {
                *run.proc.lock().expect("proc lock") = Some(proc.clone());
                let started = time::now();
                set_running(&c, &run, &started);
                if let Some(pod) = c.pod(&run.name) {
                    if first {
                        c.record(
                            &pod,
                            "Normal",
                            "Pulled",
                            &format!(
                                "Container image \"{}\" already present on machine",
                                objects::IMAGE
                            ),
                            "kubelet",
                        );
                        c.record(
                            &pod,
                            "Normal",
                            "Created",
                            "Created container: vault",
                            "kubelet",
                        );
                    }
                    c.record(
                        &pod,
                        "Normal",
                        "Started",
                        "Started container vault",
                        "kubelet",
                    );
                }
                first = false;
                let status = tokio::select! {
                    s = proc.wait() => s,
                    _ = &mut shutdown => {
                        proc.signal(libc::SIGKILL);
                        proc.wait().await
                    }
                };
                if run.terminating.load(Ordering::SeqCst) || c.is_shutting_down() {
                    break;
                }
                let code = procs::exit_code(&status);
                run.restarts.fetch_add(1, Ordering::SeqCst);
                set_terminated(&c, &run, code, &started);
                backoff = if ran.elapsed() > BACKOFF_RESET || restart == 0 {
                    RESTART_DELAY
                } else {
                    (backoff * 2).min(MAX_BACKOFF)
                };
                if let Some(pod) = c.pod(&run.name) {
                    c.record(&pod, "Warning", "BackOff", &format!("Back-off {:?} restarting failed container vault in pod {}_{}(exit code {code})", backoff, run.name, c.ns()), "kubelet");
                }
            }
            Err(e) => {
                if let Some(pod) = c.pod(&run.name) {
                    c.record(&pod, "Warning", "Failed", &format!("Error: {e}"), "kubelet");
                }
                set_waiting(&c, &run, "CreateContainerError", &e);
            }
        }
        tokio::select! {
            _ = tokio::time::sleep(backoff) => {}
            _ = run.wake.notified() => {}
        }
    }
    run.finished.store(true, Ordering::SeqCst);
    {
        let mut pods = c.kubelet.pods.lock().expect("kubelet lock");
        if pods.get(&run.name).is_some_and(|r| r.uid == run.uid) {
            pods.remove(&run.name);
        }
    }
    if run.terminating.load(Ordering::SeqCst) {
        let still_ours = c
            .pod(&run.name)
            .is_some_and(|p| p["metadata"]["uid"].as_str() == Some(&run.uid));
        if still_ours {
            let _ = c.store.delete("pods", c.ns(), &run.name);
        }
        c.reconcile.notify_one();
    }
}

/// Lays out the pod's filesystem and starts the server process.
async fn start_container(c: &Arc<Cluster>, run: &PodRun, restart: u32) -> Result<Proc, String> {
    let pod_dir = c.cfg.pod_dir(&run.name);
    let root = pod_dir.join("root");
    let ip = c.cfg.pod_ip(run.ordinal);
    for d in [
        "vault/logs",
        "vault/config",
        "vault/userconfig/vault-tls",
        "home/vault",
        "tmp",
    ] {
        std::fs::create_dir_all(root.join(d)).map_err(|e| format!("create {d}: {e}"))?;
    }
    std::fs::create_dir_all(pod_dir.join("logs")).map_err(|e| e.to_string())?;
    // The data volume is the PVC's directory; it outlives the pod.
    let claim = format!("data-{}", run.name);
    let volume = c.cfg.volume_dir(&claim);
    std::fs::create_dir_all(&volume).map_err(|e| format!("volume {claim}: {e}"))?;
    let link = root.join("vault/data");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&volume, &link).map_err(|e| format!("mount {claim}: {e}"))?;

    // Mount the TLS Secret and the config ConfigMap as the chart does.
    let secret = c
        .store
        .get("secrets", c.ns(), TLS_SECRET)
        .ok_or_else(|| format!("MountVolume.SetUp failed for volume \"userconfig-vault-tls\": secret \"{TLS_SECRET}\" not found"))?;
    for key in ["tls.crt", "tls.key", "ca.crt"] {
        let data = objects::decode_secret_data(&secret, key)
            .ok_or_else(|| format!("secret {TLS_SECRET} has no key {key}"))?;
        write_private(&root.join("vault/userconfig/vault-tls").join(key), &data)?;
    }
    let cm = c
        .store
        .get("configmaps", c.ns(), CONFIG_MAP)
        .ok_or_else(|| format!("configmap \"{CONFIG_MAP}\" not found"))?;
    let template = cm["data"][CONFIG_KEY].as_str().unwrap_or_default();
    std::fs::write(root.join("vault/config").join(CONFIG_KEY), template)
        .map_err(|e| e.to_string())?;
    let config = rewrite_paths(
        &template
            .replace("POD_IP", &ip.to_string())
            .replace("HOST_IP", &c.cfg.node_ip().to_string())
            .replace("HOSTNAME", &run.name),
        &root,
    );
    let config_path = root.join("tmp/storageconfig.hcl");
    std::fs::write(&config_path, config).map_err(|e| e.to_string())?;

    let container_id = format!("{}-{restart}", run.uid);
    let log_path = pod_dir.join("logs").join(format!("{container_id}.log"));
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&log_path)
        .map_err(|e| format!("open log: {e}"))?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    *run.container_id.lock().expect("container id") = container_id;

    let mut cmd = Command::new(&c.cfg.server_bin);
    cmd.arg("server")
        .arg(format!("-config={}", config_path.display()))
        .current_dir(&root)
        .env_clear()
        .envs(pod_env(c, run.ordinal, &run.name, &root))
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2));
    let child = procs::spawn(cmd)
        .await
        .map_err(|e| format!("start {}: {e}", c.cfg.server_bin.display()))?;
    Ok(Proc::supervise(child))
}

fn write_private(path: &Path, data: &[u8]) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(true)
        .mode(0o600)
        .open(path)
        .map_err(|e| format!("write {}: {e}", path.display()))?;
    f.write_all(data).map_err(|e| e.to_string())
}

/// The container's environment as the pod spec declares it, with the sandbox's addresses and
/// paths substituted: `127.0.0.1` inside a pod is the pod's own address here.
pub fn pod_env(c: &Cluster, ordinal: u32, name: &str, root: &Path) -> Vec<(String, String)> {
    let ip = c.cfg.pod_ip(ordinal).to_string();
    let mut env: Vec<(String, String)> = Vec::new();
    let template = c
        .store
        .get("statefulsets", c.ns(), objects::STS_NAME)
        .map(|s| s["spec"]["template"].clone())
        .unwrap_or_else(objects::pod_template);
    for e in template["spec"]["containers"][0]["env"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let Some(key) = e["name"].as_str() else {
            continue;
        };
        let value = if let Some(v) = e["value"].as_str() {
            v.to_string()
        } else {
            match e["valueFrom"]["fieldRef"]["fieldPath"].as_str() {
                Some("status.podIP") => ip.clone(),
                Some("status.hostIP") => c.cfg.node_ip().to_string(),
                Some("metadata.name") => name.to_string(),
                Some("metadata.namespace") => c.ns().to_string(),
                _ => continue,
            }
        };
        env.push((key.to_string(), value));
    }
    // $(VAR) references, as the kubelet expands them.
    let snapshot = env.clone();
    for (_, v) in env.iter_mut() {
        for (k, val) in &snapshot {
            *v = v.replace(&format!("$({k})"), val);
        }
        *v = rewrite_paths(&v.replace("127.0.0.1", &ip), root);
    }
    let get = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let mut extra = vec![
        (
            "PATH".to_string(),
            format!("{}:/usr/local/bin:/usr/bin:/bin", c.cfg.bin_dir().display()),
        ),
        ("TMPDIR".to_string(), root.join("tmp").display().to_string()),
    ];
    // OpenBao reads BAO_*; Vault reads VAULT_*. Pods of the chart set the VAULT_ ones.
    if let Some(addr) = get("VAULT_ADDR") {
        extra.push(("BAO_ADDR".into(), addr));
    }
    if let Some(ca) = get("VAULT_CACERT") {
        extra.push(("BAO_CACERT".into(), ca.clone()));
        // Outgoing TLS from the server (raft join) trusts the cluster CA, as a CA bundle in
        // the image would make it.
        extra.push(("SSL_CERT_FILE".into(), ca));
    }
    env.retain(|(k, _)| {
        k != "VAULT_CLUSTER_ADDR" && k != "VAULT_API_ADDR" && k != "VAULT_RAFT_NODE_ID"
    });
    env.extend(extra);
    env
}

/// Maps the container's paths (`/vault/...`, `/home/vault`, `/tmp`) onto the pod's directory,
/// wherever a path starts in `s` (at the start, or after whitespace, `=`, `@`, quotes or `:`).
pub fn rewrite_paths(s: &str, root: &Path) -> String {
    const PREFIXES: [&str; 3] = ["/vault", "/home/vault", "/tmp"];
    let root = root.display().to_string();
    let bytes = s.as_bytes();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let at_boundary = i == 0 || b" \t\n=@\"':(>,".contains(&bytes[i - 1]);
        let hit = at_boundary
            .then(|| {
                PREFIXES.iter().find(|p| {
                    s[i..].starts_with(**p)
                        && s[i + p.len()..].chars().next().is_none_or(|c| {
                            c == '/' || !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
                        })
                })
            })
            .flatten();
        match hit {
            Some(p) => {
                out.push_str(&root);
                out.push_str(p);
                i += p.len();
            }
            None => {
                let ch = s[i..].chars().next().expect("char");
                out.push(ch);
                i += ch.len_utf8();
            }
        }
    }
    out
}

/// The command an exec request runs for pod `name`, with the pod's environment and paths.
pub fn exec_command(c: &Cluster, name: &str, argv: &[String]) -> Result<Command, String> {
    let run = c
        .kubelet
        .get(name)
        .filter(|r| r.current().is_some())
        .ok_or_else(|| {
            format!(
                "unable to upgrade connection: container not found (\"{}\")",
                objects::CONTAINER
            )
        })?;
    let root = c.cfg.pod_dir(name).join("root");
    let args: Vec<String> = argv.iter().map(|a| rewrite_paths(a, &root)).collect();
    let (program, rest) = args
        .split_first()
        .ok_or_else(|| "you must specify at least one command for the container".to_string())?;
    let mut cmd = Command::new(program);
    cmd.args(rest)
        .current_dir(&root)
        .env_clear()
        .envs(pod_env(c, run.ordinal, name, &root));
    Ok(cmd)
}

fn update_pod(c: &Cluster, run: &PodRun, change: impl FnOnce(&mut Value)) {
    let _ = c.store.update("pods", c.ns(), &run.name, |pod| {
        if pod["metadata"]["uid"].as_str() == Some(&run.uid) {
            change(pod);
        }
        Ok(())
    });
}

fn set_condition(pod: &mut Value, kind: &str, ok: bool) {
    let status = if ok { "True" } else { "False" };
    let conds = pod["status"]["conditions"]
        .as_array_mut()
        .expect("conditions array");
    match conds.iter_mut().find(|c| c["type"] == kind) {
        Some(cond) if cond["status"] == status => {}
        Some(cond) => {
            cond["status"] = json!(status);
            cond["lastTransitionTime"] = json!(time::now());
        }
        None => conds.push(json!({"type": kind, "status": status, "lastProbeTime": null, "lastTransitionTime": time::now()})),
    }
}

fn container_status(run: &PodRun, state: Value, last: Value, ready: bool) -> Value {
    let id = run
        .container_id
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    json!([{
        "name": objects::CONTAINER,
        "image": objects::IMAGE,
        "imageID": format!("{}@sha256:{}", objects::IMAGE, "0".repeat(64)),
        "containerID": format!("sandbox://{id}"),
        "ready": ready,
        "started": state.get("running").is_some(),
        "restartCount": run.restarts(),
        "state": state,
        "lastState": last,
    }])
}

fn set_running(c: &Cluster, run: &PodRun, started: &str) {
    update_pod(c, run, |pod| {
        let last = pod["status"]["containerStatuses"][0]["lastState"].clone();
        pod["status"]["phase"] = json!("Running");
        if pod["status"]["startTime"].is_null() {
            pod["status"]["startTime"] = json!(started);
        }
        for kind in ["PodReadyToStartContainers", "Initialized"] {
            set_condition(pod, kind, true);
        }
        set_condition(pod, "ContainersReady", false);
        set_condition(pod, "Ready", false);
        let last = if last.is_null() { json!({}) } else { last };
        pod["status"]["containerStatuses"] =
            container_status(run, json!({"running": {"startedAt": started}}), last, false);
    });
}

fn set_terminated(c: &Cluster, run: &PodRun, code: i32, started: &str) {
    update_pod(c, run, |pod| {
        let reason = if code == 0 { "Completed" } else { "Error" };
        let last = json!({"terminated": {"exitCode": code, "reason": reason, "startedAt": started, "finishedAt": time::now(),
                                         "containerID": pod["status"]["containerStatuses"][0]["containerID"]}});
        set_condition(pod, "ContainersReady", false);
        set_condition(pod, "Ready", false);
        pod["status"]["containerStatuses"] = container_status(
            run,
            json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}}),
            last,
            false,
        );
    });
}

fn set_waiting(c: &Cluster, run: &PodRun, reason: &str, message: &str) {
    update_pod(c, run, |pod| {
        let last = pod["status"]["containerStatuses"][0]["lastState"].clone();
        let last = if last.is_null() { json!({}) } else { last };
        pod["status"]["containerStatuses"] = container_status(
            run,
            json!({"waiting": {"reason": reason, "message": message}}),
            last,
            false,
        );
    });
}

/// What the readiness probe learned from `sys/health`.
struct Health {
    initialized: bool,
    sealed: bool,
    standby: bool,
    version: String,
}

async fn probe(c: &Cluster, run: &PodRun) -> Result<Health, String> {
    let addr = (c.cfg.pod_ip(run.ordinal), 8200).into();
    let timeout = c.cfg.probe_period.max(Duration::from_secs(1));
    let path = "sys/health?standbycode=200&sealedcode=200&uninitcode=200&perfstandbyok=true&drsecondarycode=200";
    let (_, body) = c
        .vault
        .call(addr, "GET", path, None, None, timeout)
        .await
        .map_err(|e| format!("{e:#}"))?;
    Ok(Health {
        initialized: body["initialized"].as_bool().unwrap_or(false),
        sealed: body["sealed"].as_bool().unwrap_or(true),
        standby: body["standby"].as_bool().unwrap_or(false),
        version: body["version"].as_str().unwrap_or_default().to_string(),
    })
}

/// The chart's readiness probe (`vault status`: ready only when unsealed) and the pod labels
/// Vault's Kubernetes service registration maintains (vault-sealed, vault-active, …).
async fn probe_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let mut ticker = tokio::time::interval(c.cfg.probe_period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_ready: Option<bool> = None;
    let mut last_container = String::new();
    while !run.finished.load(Ordering::SeqCst) && !c.is_shutting_down() {
        ticker.tick().await;
        if run.terminating.load(Ordering::SeqCst) {
            continue;
        }
        let Some(_proc) = run.current() else {
            last_ready = Some(false);
            continue;
        };
        let container = run
            .container_id
            .lock()
            .map(|s| s.clone())
            .unwrap_or_default();
        let result = probe(&c, &run).await;
        let ready = matches!(&result, Ok(h) if h.initialized && !h.sealed);
        update_pod(&c, &run, |pod| {
            set_condition(pod, "ContainersReady", ready);
            set_condition(pod, "Ready", ready);
            if pod["status"]["containerStatuses"][0]["state"]["running"].is_object() {
                pod["status"]["containerStatuses"][0]["ready"] = json!(ready);
            }
            if let Ok(h) = &result {
                let labels = &mut pod["metadata"]["labels"];
                labels["vault-initialized"] = json!(h.initialized.to_string());
                labels["vault-sealed"] = json!(h.sealed.to_string());
                labels["vault-active"] =
                    json!((h.initialized && !h.sealed && !h.standby).to_string());
                labels["vault-perf-standby"] = json!("false");
                labels["vault-version"] = json!(h.version);
            }
        });
        let new_container = container != last_container;
        if !ready
            && (last_ready != Some(false) || new_container)
            && let Some(pod) = c.pod(&run.name)
        {
            let why = match &result {
                Ok(h) if !h.initialized => "Vault is not initialized".to_string(),
                Ok(_) => "Vault is sealed".to_string(),
                Err(e) => e.clone(),
            };
            c.record(
                &pod,
                "Warning",
                "Unhealthy",
                &format!("Readiness probe failed: {why}"),
                "kubelet",
            );
        }
        last_ready = Some(ready);
        last_container = container;
    }
}
