//! Starting a container: the pod's filesystem, its mounted Secret and ConfigMap, and the
//! server process.

use std::process::Stdio;
use std::sync::Arc;

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
    // The data volume is the PVC's directory; it outlives the pod.
    let claim = format!("data-{}", run.name);
    let volume = c.cfg.volume_dir(&super::run_key(c, &run.namespace, &claim));
    std::fs::create_dir_all(&volume).map_err(|e| format!("volume {claim}: {e}"))?;
    let link = root.join("vault/data");
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&volume, &link).map_err(|e| format!("mount {claim}: {e}"))?;

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

    let mut cmd = Command::new(&c.cfg.server_bin);
    cmd.arg("server")
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
    Ok(Proc::supervise(child))
}
