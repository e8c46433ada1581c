//! Starting a container: the pod's filesystem, its mounted Secret and ConfigMap, and the
//! server process.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::process::Command;

use super::PodRun;
use super::env::{pod_env, rewrite_paths};
use crate::cluster::Cluster;
use crate::objects::{CONFIG_KEY, CONFIG_MAP};
use crate::procs::{self, Proc};

/// Lays out the pod's filesystem and starts the server process.
pub(super) async fn start_container(
    c: &Arc<Cluster>,
    run: &PodRun,
    restart: u32,
) -> Result<Proc, String> {
    let pod_dir = c.cfg.pod_dir(&run.key);
    let root = pod_dir.join("root");
    let ip = c.cfg.pod_ip(run.ordinal);
    for d in ["vault/logs", "vault/config", "home/vault", "tmp"] {
        std::fs::create_dir_all(root.join(d)).map_err(|e| format!("create {d}: {e}"))?;
    }
    std::fs::create_dir_all(pod_dir.join("logs")).map_err(|e| e.to_string())?;
    // A claim volume (data, audit) is the PVC's directory; it outlives the pod.
    for (claim, mount) in claim_mounts(c, &run.namespace, &run.name) {
        let volume = c.cfg.volume_dir(&super::run_key(c, &run.namespace, &claim));
        std::fs::create_dir_all(&volume).map_err(|e| format!("volume {claim}: {e}"))?;
        let link = root.join(mount.trim_start_matches('/'));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&volume, &link).map_err(|e| format!("mount {claim}: {e}"))?;
    }

    // Mount the TLS Secret and the config ConfigMap as the chart does.
    super::volumes::write_tls_secret(c, run)?;
    let cm = c
        .store
        .get("configmaps", &run.namespace, CONFIG_MAP)
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

    let renewal = super::service_account::write(c, run)?;
    run.token_renewal.store(renewal, Ordering::SeqCst);

    // The server runs in a PID namespace of its own (with its own /proc), so a process search
    // or `kill` in `kubectl exec` sees only this pod's processes, as in a real container; its
    // mount namespace (private, as unshare makes it) holds the service-account volume.
    let mut cmd = Command::new("unshare");
    cmd.args(["--pid", "--fork", "--mount-proc", "--kill-child", "--"])
        .args(super::service_account::mount_then_exec(
            &super::service_account::dir(c, run),
        ))
        .arg(&c.cfg.server_bin)
        .arg("server")
        .arg(format!("-config={}", config_path.display()))
        .current_dir(&root)
        .env_clear()
        .envs(pod_env(c, run, &root))
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log2));
    let child = procs::spawn(cmd)
        .await
        .map_err(|e| format!("start {}: {e}", c.cfg.server_bin.display()))?;
    let proc = Proc::supervise(child);
    // Exec and signals enter the namespace through the server's pid: wait until it exists.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while super::server_pid(&proc).is_none() {
        if let Some(status) = proc.exited() {
            return Err(format!(
                "unshare --pid --fork --mount-proc (root needed) ended: {status}; see {}",
                log_path.display()
            ));
        }
        if std::time::Instant::now() > deadline {
            return Err("the server did not start in its PID namespace within 10s".into());
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    Ok(proc)
}

/// The pod's claim volumes and where its container mounts them; the data volume at
/// /vault/data when the pod object is gone.
fn claim_mounts(c: &Cluster, ns: &str, pod: &str) -> Vec<(String, String)> {
    let Some(obj) = c.store.get("pods", ns, pod) else {
        return vec![(format!("data-{pod}"), "/vault/data".into())];
    };
    let spec = &obj["spec"];
    let claim_of = |volume: &str| {
        spec["volumes"].as_array()?.iter().find_map(|v| {
            (v["name"] == volume)
                .then(|| v["persistentVolumeClaim"]["claimName"].as_str())
                .flatten()
                .map(str::to_string)
        })
    };
    spec["containers"][0]["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let claim = claim_of(m["name"].as_str()?)?;
            Some((claim, m["mountPath"].as_str()?.to_string()))
        })
        .collect()
}
