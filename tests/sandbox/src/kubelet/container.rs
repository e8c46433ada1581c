//! Starting a container: the pod's filesystem, its mounted Secret and ConfigMap, and the
//! server process.

use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use tokio::process::Command;

use super::env::pod_env;
use super::rootfs::{self, Source};
use super::{PodRun, filesystems};
use crate::cluster::Cluster;
use crate::objects::CONFIG_KEY;
use crate::procs::{self, Proc};

/// Lays out the pod's filesystem and starts the server process.
pub(super) async fn start_container(
    c: &Arc<Cluster>,
    run: &PodRun,
    restart: u32,
) -> Result<Proc, String> {
    let pod_dir = c.cfg.pod_dir(&run.key);
    if restart == 0 {
        rootfs::forget_earlier_pods(c, run);
    }
    for dir in [pod_dir.join("logs"), rootfs::mount_point(c, run)] {
        std::fs::create_dir_all(&dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    let pod = run
        .object(c)
        .ok_or_else(|| format!("pod {} not found", run.name))?;
    let mounts = rootfs::volume_mounts(&pod);
    // A claim volume (data, audit) is the PVC's filesystem, loop-mounted at the PVC's directory
    // inside the pod's mount namespace (see `claim_filesystems`), then bound into the root.
    let filesystems = claim_filesystems(c, run, &mounts).await?;
    // Mount the Secret and ConfigMap volumes as the chart does.
    super::volumes::write_projected(c, run, &mut Vec::new())?;
    let own_paths = rootfs::own_paths(c, run, &mounts)?;
    // The chart's entrypoint copies the configuration to /tmp with the pod's addresses in it.
    std::fs::write(
        rootfs::own_dir(c, run).join("tmp/storageconfig.hcl"),
        server_config(c, run)?,
    )
    .map_err(|e| e.to_string())?;

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

    // The pod's network and UTS namespaces (kept across container restarts).
    let netns = super::network::ensure(c, run).await?;
    let (hosts, resolv) = crate::names::files(c, run);

    // The server runs in the pod's network and UTS namespaces, and in PID and mount namespaces
    // of its own, in the pod's own root: a process search or `kill` in `kubectl exec` sees
    // only this pod's processes, and its paths and listeners are the container's.
    let script = [
        "set -e\n".to_string(),
        filesystems::mount_step(&filesystems),
        rootfs::assemble(c, run),
        own_paths,
        names_step(&hosts, &resolv),
        super::service_account::mount_step(&super::service_account::dir(c, run)),
        rootfs::pivot(),
        "exec \"$@\"\n".to_string(),
    ]
    .concat();
    let mut cmd = Command::new("nsenter");
    cmd.arg(format!("--target={netns}"))
        .args(["--net", "--uts", "--", "unshare"])
        .args(["--pid", "--fork", "--mount", "--kill-child", "--"])
        .args(["/bin/sh", "-c", &script, "sh"])
        .arg(format!("{}/bao", rootfs::BIN_DIR))
        .args(["server", "-config=/tmp/storageconfig.hcl"])
        .env_clear()
        .envs(pod_env(c, run))
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
                "the container's launch (unshare, mount, pivot_root: root needed) ended: {status}; see {}",
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

/// The launch step for the pod's names: its /etc/hosts and /etc/resolv.conf (rewritten in
/// place as addresses change) bound over the image's.
fn names_step(hosts: &std::path::Path, resolv: &std::path::Path) -> String {
    let r = rootfs::ROOT_VAR;
    let q = |p: &std::path::Path| rootfs::quote(&p.display().to_string());
    format!(
        "mount --bind {} \"${r}\"/etc/hosts\nmount --bind {} \"${r}\"/etc/resolv.conf\n",
        q(hosts),
        q(resolv)
    )
}

/// The server configuration: the ConfigMap's, with the pod's addresses and name in it.
fn server_config(c: &Cluster, run: &PodRun) -> Result<String, String> {
    let name = c.variant().config_map();
    let cm = c
        .store
        .get("configmaps", &run.namespace, &name)
        .ok_or_else(|| format!("configmap \"{name}\" not found"))?;
    let template = cm["data"][CONFIG_KEY].as_str().unwrap_or_default();
    Ok(template
        .replace("POD_IP", &run.ip.to_string())
        .replace("HOST_IP", &c.cfg.node_ip().to_string())
        .replace("HOSTNAME", &run.name))
}

/// Each claim of the pod as an `(image, mount point)` pair for the launch: the image made (or
/// grown) as the provisioner and kubelet would, mounted at the PVC's directory.
async fn claim_filesystems(
    c: &Arc<Cluster>,
    run: &PodRun,
    mounts: &[rootfs::VolumeMount],
) -> Result<Vec<(std::path::PathBuf, std::path::PathBuf)>, String> {
    let mut out = Vec::new();
    for m in mounts {
        let Source::Claim(claim) = &m.source else {
            continue;
        };
        let key = super::run_key(c, &run.namespace, claim);
        let pvc = c.store.get("persistentvolumeclaims", &run.namespace, claim);
        let bytes = pvc
            .as_ref()
            .map(filesystems::requested_bytes)
            .unwrap_or(crate::objects::PVC_BYTES);
        let image = filesystems::image(c, &key);
        filesystems::provision(&image, bytes)
            .await
            .map_err(|e| format!("volume {claim}: {e}"))?;
        // A grown volume whose filesystem waits for a pod to mount it: grow it now.
        if let Some(pvc) = pvc.filter(crate::pvc_resize::fs_resize_pending) {
            filesystems::resize_offline(&image)
                .await
                .map_err(|e| format!("volume {claim}: {e}"))?;
            crate::pvc_resize::filesystem_grown(c, &pvc, run.object(c).as_ref());
        }
        out.push((image, c.cfg.volume_dir(&key)));
    }
    Ok(out)
}
