//! The pod's root filesystem, assembled inside the pod's own mount namespace before the
//! server starts: a tmpfs root holding read-only bind mounts of the host's system directories
//! (what the server and the runbook's commands need), the server binary at
//! `/usr/local/bin/{bao,vault}`, a fresh `/proc` of the pod's PID namespace, a minimal `/dev`,
//! and the pod's own writable paths (`/tmp`, `/vault/logs`, and every volume of the pod spec)
//! bound from the pod's directories on the host. Then `pivot_root` makes it the root, so the
//! server, and every `kubectl exec` (which enters the same root), see the container's paths
//! and nothing else of the host.
//!
//! Every mount is made inside the pod's mount namespace: the kernel drops them all when the
//! pod's last process dies, so nothing is left behind after `down` or a SIGKILL of the
//! sandbox.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::PodRun;
use crate::cluster::Cluster;

/// The host's directories every pod sees read-only (those that exist; a symlink such as
/// `/bin -> usr/bin` is copied as the symlink).
const SYSTEM_DIRS: [&str; 9] = [
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
];
/// Device nodes a container gets (bound from the host's).
const DEVICES: [&str; 6] = ["null", "zero", "full", "random", "urandom", "tty"];
/// Where the server binary appears in the pod, under both names the runbook uses.
pub const BIN_DIR: &str = "/usr/local/bin";
/// The container's PATH (that of the OpenBao image).
pub const PATH: &str = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/// The image's writable paths that are not volumes (`/tmp`, the server's logs directory
/// `/vault/logs` or `/openbao/logs`): the container's own, kept across a container restart
/// and gone with the pod.
fn image_dirs(c: &Cluster) -> [(&'static str, String); 2] {
    [
        ("tmp", "/tmp".into()),
        ("vault-logs", c.variant().logs_dir()),
    ]
}

/// The shell variable holding the new root while the launch script assembles it.
pub const ROOT_VAR: &str = "R";

/// The empty host directory the pod's root is mounted on (inside the pod's mount namespace
/// only: from the host it stays empty).
pub(super) fn mount_point(c: &Cluster, run: &PodRun) -> PathBuf {
    c.cfg.pod_dir(&run.key).join("rootfs")
}

/// The host directory holding this pod's own paths (emptyDirs, projected Secret and
/// ConfigMap volumes, `/tmp`): one per pod UID, so a re-created pod starts empty.
pub(super) fn own_dir(c: &Cluster, run: &PodRun) -> PathBuf {
    c.cfg.pod_dir(&run.key).join("own").join(&run.uid)
}

/// The host directory behind volume `volume` of the pod (emptyDir, Secret, ConfigMap).
pub(super) fn own_volume_dir(c: &Cluster, run: &PodRun, volume: &str) -> PathBuf {
    own_dir(c, run).join("volumes").join(volume)
}

/// Removes what earlier pods of this name left (their emptyDirs, `/tmp`): the kubelet deletes
/// a pod's emptyDirs with the pod.
pub(super) fn forget_earlier_pods(c: &Cluster, run: &PodRun) {
    let own = c.cfg.pod_dir(&run.key).join("own");
    for entry in std::fs::read_dir(&own).into_iter().flatten().flatten() {
        if entry.file_name().to_str() != Some(run.uid.as_str()) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// Removes the pod's own paths once the pod is gone.
pub(super) fn forget(c: &Cluster, run: &PodRun) {
    let _ = std::fs::remove_dir_all(own_dir(c, run));
}

/// Where a volume's data comes from.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Source {
    /// A PersistentVolumeClaim (its volume directory outlives the pod).
    Claim(String),
    EmptyDir,
    ConfigMap(String),
    Secret(String),
}

/// One volume mount of the container.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct VolumeMount {
    pub volume: String,
    pub source: Source,
    pub path: String,
    pub read_only: bool,
}

/// The container's volume mounts as the pod spec declares them (volumes of kinds the sandbox
/// does not run are left out).
pub(super) fn volume_mounts(pod: &Value) -> Vec<VolumeMount> {
    let spec = &pod["spec"];
    let source_of = |name: &str| {
        let v = spec["volumes"]
            .as_array()?
            .iter()
            .find(|v| v["name"] == name)?;
        let s = |p: &Value| p.as_str().map(str::to_string);
        if let Some(claim) = s(&v["persistentVolumeClaim"]["claimName"]) {
            Some(Source::Claim(claim))
        } else if v["emptyDir"].is_object() {
            Some(Source::EmptyDir)
        } else if let Some(cm) = s(&v["configMap"]["name"]) {
            Some(Source::ConfigMap(cm))
        } else {
            s(&v["secret"]["secretName"]).map(Source::Secret)
        }
    };
    spec["containers"][0]["volumeMounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|m| {
            let volume = m["name"].as_str()?.to_string();
            Some(VolumeMount {
                source: source_of(&volume)?,
                volume,
                path: m["mountPath"].as_str()?.to_string(),
                read_only: m["readOnly"].as_bool().unwrap_or(false),
            })
        })
        .collect()
}

/// `s` quoted for the shell.
pub(super) fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}

fn q(p: &Path) -> String {
    quote(&p.display().to_string())
}

/// A bind mount of host path `from` at `to` inside the new root (a directory, or a file when
/// `file`), read-only when asked.
fn bind(from: &Path, to: &str, read_only: bool, file: bool) -> String {
    let target = format!("\"${ROOT_VAR}\"{}", quote(to));
    let make = if file {
        format!("mkdir -p \"$(dirname {target})\"; touch {target}")
    } else {
        format!("mkdir -p {target}")
    };
    let ro = if read_only {
        format!("; mount -o remount,bind,ro {target}")
    } else {
        String::new()
    };
    format!("{make}; mount --bind {} {target}{ro}\n", q(from))
}

/// The launch script's first step: mounts a tmpfs root at the pod's mount point (its path in
/// `$R` from then on) with the host's system directories, the server binary, `/dev` and
/// `/proc`.
pub(super) fn assemble(c: &Cluster, run: &PodRun) -> String {
    let mut s = format!(
        "{ROOT_VAR}={}\nmount -t tmpfs -o mode=0755 rootfs \"${ROOT_VAR}\"\n",
        q(&mount_point(c, run))
    );
    for dir in SYSTEM_DIRS {
        let host = Path::new(dir);
        match std::fs::symlink_metadata(host) {
            Ok(m) if m.file_type().is_symlink() => {
                if let Ok(target) = std::fs::read_link(host) {
                    s += &format!("ln -s {} \"${ROOT_VAR}\"{dir}\n", q(&target));
                }
            }
            Ok(m) if m.is_dir() => s += &bind(host, dir, true, false),
            _ => {}
        }
    }
    // The image's binary: a tmpfs over /usr/local/bin (the host's tools there are not the
    // image's) with the server under both names.
    s += &format!("mount -t tmpfs -o mode=0755 bin \"${ROOT_VAR}\"{BIN_DIR}\n",);
    for name in ["bao", "vault"] {
        s += &bind(&c.cfg.server_bin, &format!("{BIN_DIR}/{name}"), true, true);
    }
    s += &format!("mount -o remount,bind,ro \"${ROOT_VAR}\"{BIN_DIR}\n");
    // A minimal /dev, as a container runtime makes it.
    s += &format!(
        "mkdir -p \"${ROOT_VAR}/dev\"; mount -t tmpfs -o mode=0755,nosuid dev \"${ROOT_VAR}/dev\"\n"
    );
    for dev in DEVICES {
        s += &bind(
            &Path::new("/dev").join(dev),
            &format!("/dev/{dev}"),
            false,
            true,
        );
    }
    s += &format!(
        "mkdir -p \"${ROOT_VAR}/dev/shm\" \"${ROOT_VAR}/dev/pts\"; \
         mount -t tmpfs -o mode=1777,nosuid,nodev shm \"${ROOT_VAR}/dev/shm\"; \
         ln -s /proc/self/fd \"${ROOT_VAR}/dev/fd\"; ln -s /proc/self/fd/0 \"${ROOT_VAR}/dev/stdin\"; \
         ln -s /proc/self/fd/1 \"${ROOT_VAR}/dev/stdout\"; ln -s /proc/self/fd/2 \"${ROOT_VAR}/dev/stderr\"\n\
         mkdir -p \"${ROOT_VAR}/proc\"; mount -t proc -o nosuid,nodev,noexec proc \"${ROOT_VAR}/proc\"\n\
         mkdir -p \"${ROOT_VAR}/run\" \"${ROOT_VAR}/var\"; ln -s ../run \"${ROOT_VAR}/var/run\"\n"
    );
    s
}

/// The launch script's step for the pod's own paths: the image's writable directories and
/// every volume of the pod spec, bound from the host directories behind them. Creates those
/// directories.
pub(super) fn own_paths(
    c: &Cluster,
    run: &PodRun,
    mounts: &[VolumeMount],
) -> Result<String, String> {
    let mut s = String::new();
    let own = own_dir(c, run);
    for (name, path) in image_dirs(c) {
        let dir = own.join(name);
        create(&dir)?;
        s += &bind(&dir, &path, false, false);
    }
    // /tmp is world-writable with the sticky bit, as in an image.
    set_mode(&own.join("tmp"), 0o1777)?;
    for m in mounts {
        let dir = match &m.source {
            Source::Claim(claim) => c.cfg.volume_dir(&super::run_key(c, &run.namespace, claim)),
            _ => own_volume_dir(c, run, &m.volume),
        };
        create(&dir)?;
        // Secret and ConfigMap volumes are read-only whatever the mount says, as the kubelet
        // makes them.
        let api_data = matches!(m.source, Source::Secret(_) | Source::ConfigMap(_));
        s += &bind(&dir, &m.path, m.read_only || api_data, false);
    }
    Ok(s)
}

fn create(dir: &Path) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))
}

fn set_mode(path: &Path, mode: u32) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
        .map_err(|e| format!("chmod {}: {e}", path.display()))
}

/// The launch script's last step before the server: `$R` becomes the root (the host's is
/// detached from the pod's mount namespace) and the working directory is `/`.
pub(super) fn pivot() -> String {
    format!(
        "mkdir \"${ROOT_VAR}/.host\"; cd \"${ROOT_VAR}\"; pivot_root . .host; cd /; \
         umount -l /.host; rmdir /.host\n"
    )
}

/// Refuses to start a sandbox when not root: pods need mount and PID namespaces of their own
/// and mounts in them.
pub fn require_root() -> Result<(), String> {
    // SAFETY: geteuid has no preconditions.
    #[allow(unsafe_code)]
    let euid = unsafe { libc::geteuid() };
    if euid == 0 {
        Ok(())
    } else {
        Err(format!(
            "vault-sandbox must run as root (running as uid {euid}): each pod runs in mount and PID \
             namespaces of its own (unshare), with a root assembled from bind mounts (mount, \
             pivot_root), and kubectl exec enters them (nsenter)"
        ))
    }
}
