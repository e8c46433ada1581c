//! The pod runtime: runs each pod's container as a real server process on the pod's own
//! loopback address, restarts it when it dies, probes readiness, and serves exec and logs.

mod container;
mod env;
mod filesystems;
mod memory;
mod network;
mod probe;
mod rootfs;
mod service_account;
mod status;
mod streams;
mod supervise;
mod volumes;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Notify;

use crate::cluster::Cluster;
use crate::procs::Proc;

pub use env::{exec_command, pod_env};
pub use memory::memory_limit;
pub use rootfs::require_root;
pub use service_account::MOUNT_PATH as SERVICE_ACCOUNT_PATH;
pub use streams::Cuttable;

#[derive(Default)]
pub struct Kubelet {
    pods: Mutex<HashMap<String, Arc<PodRun>>>,
}

pub struct PodRun {
    pub name: String,
    pub namespace: String,
    /// The kubelet's name for the pod: its name in the sandbox's namespace, `ns/name` in
    /// another (see [`run_key`]); also its directory under `pods/`.
    pub key: String,
    /// The StatefulSet that owns it.
    pub statefulset: String,
    pub uid: String,
    /// The pod's address slot (its IP is the sandbox's pod IP of this number): the ordinal in
    /// the sandbox's own StatefulSet, a free slot for the pods of any other.
    pub ordinal: u32,
    /// The pod IP, from the pool when the pod was created.
    pub ip: std::net::Ipv4Addr,
    /// The pause process holding the pod's network and UTS namespaces.
    pause: Mutex<Option<Proc>>,
    proc: Mutex<Option<Proc>>,
    terminating: AtomicBool,
    finished: AtomicBool,
    wake: Notify,
    restarts: AtomicU32,
    /// Bumped to cut the pod's open exec and port-forward streams.
    streams: tokio::sync::watch::Sender<u64>,
    /// The current container is being killed as out of memory: its termination says OOMKilled.
    oom_killed: AtomicBool,
    /// `uid-restart` of the current container, naming its log file.
    container_id: Mutex<String>,
    /// When the projected service-account token is renewed (unix seconds).
    token_renewal: AtomicI64,
}

/// The kubelet's name for pod `name` of namespace `ns`.
pub fn run_key(c: &Cluster, ns: &str, name: &str) -> String {
    if ns == c.ns() {
        name.to_string()
    } else {
        format!("{ns}/{name}")
    }
}

/// The first address slot from which the pods of other StatefulSets than the sandbox's own
/// get theirs (the Vault certificate covers the IPs of slots 0 to 31).
pub const FOREIGN_SLOTS: std::ops::Range<u32> = 16..32;

impl PodRun {
    /// The pod object this run belongs to.
    pub fn object(&self, c: &Cluster) -> Option<Value> {
        c.store.get("pods", &self.namespace, &self.name)
    }

    pub fn current(&self) -> Option<Proc> {
        self.proc
            .lock()
            .ok()?
            .clone()
            .filter(|p| p.exited().is_none())
    }

    /// The pid of the pause process holding the pod's network namespace, while it lives.
    pub fn netns_pid(&self) -> Option<u32> {
        self.pause
            .lock()
            .ok()?
            .as_ref()
            .filter(|p| p.exited().is_none())
            .map(|p| p.pid)
    }

    /// The pause process holding the pod's network namespace.
    pub fn netns_proc(&self) -> Option<Proc> {
        self.pause.lock().ok()?.clone()
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
    /// A free address slot for a pod of another StatefulSet, if any.
    pub fn free_slot(&self) -> Option<u32> {
        let used: Vec<u32> = self.running().iter().map(|r| r.ordinal).collect();
        FOREIGN_SLOTS.clone().find(|s| !used.contains(s))
    }

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

/// Starts the pod described by `pod` (already in the store, its IP from the pool in
/// `status.podIP`) in slot `ordinal`.
pub fn start_pod(c: &Arc<Cluster>, pod: &Value, ordinal: u32) {
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let (name, namespace) = (
        s(&pod["metadata"]["name"]),
        s(&pod["metadata"]["namespace"]),
    );
    let run = Arc::new(PodRun {
        key: run_key(c, &namespace, &name),
        statefulset: s(&pod["metadata"]["ownerReferences"][0]["name"]),
        name,
        namespace,
        uid: pod["metadata"]["uid"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        ordinal,
        ip: pod_ip(c, pod),
        pause: Mutex::new(None),
        proc: Mutex::new(None),
        terminating: AtomicBool::new(false),
        finished: AtomicBool::new(false),
        wake: Notify::new(),
        restarts: AtomicU32::new(0),
        oom_killed: AtomicBool::new(false),
        streams: tokio::sync::watch::Sender::new(0),
        container_id: Mutex::new(String::new()),
        token_renewal: AtomicI64::new(0),
    });
    c.kubelet
        .pods
        .lock()
        .expect("kubelet lock")
        .insert(run.key.clone(), run.clone());
    tokio::spawn(supervise::run_loop(c.clone(), run.clone()));
    tokio::spawn(volumes::sync_loop(c.clone(), run.clone()));
    if c.cfg.enforce_memory_limits {
        tokio::spawn(memory::limit_loop(c.clone(), run.clone()));
    }
    tokio::spawn(probe::probe_loop(c.clone(), run));
}

/// The pod's IP: the one the controller gave it from the pool, or (a pod created otherwise)
/// a new one, recorded in its status.
fn pod_ip(c: &Cluster, pod: &Value) -> std::net::Ipv4Addr {
    if let Some(ip) = pod["status"]["podIP"]
        .as_str()
        .and_then(|ip| ip.parse().ok())
    {
        return ip;
    }
    let Some(ip) = c.ip_pool.lock().ok().and_then(|mut p| p.allocate()) else {
        return std::net::Ipv4Addr::UNSPECIFIED;
    };
    let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
    let _ = c.store.update(
        "pods",
        &s(&pod["metadata"]["namespace"]),
        &s(&pod["metadata"]["name"]),
        |p| {
            p["status"]["podIP"] = serde_json::json!(ip.to_string());
            p["status"]["podIPs"] = serde_json::json!([{"ip": ip.to_string()}]);
            Ok(())
        },
    );
    ip
}

/// Deletes a pod the way the kubelet does: SIGTERM, SIGKILL after the grace period, then the
/// object goes away. Returns at once; the object is removed when the process is gone.
pub fn terminate(c: &Arc<Cluster>, name: &str, grace: Duration) {
    terminate_in(c, c.ns(), name, grace)
}

/// [`terminate`] for pod `name` of namespace `ns`.
pub fn terminate_in(c: &Arc<Cluster>, ns: &str, name: &str, grace: Duration) {
    let Some(run) = c.kubelet.get(&run_key(c, ns, name)) else {
        let _ = c.store.delete("pods", ns, name);
        c.reconcile.notify_one();
        return;
    };
    if run.terminating.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(pod) = run.object(c) {
        c.record(
            &pod,
            "Normal",
            "Killing",
            &format!("Stopping container {}", c.variant().container()),
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

/// Makes pod `name`'s projected service-account token due for renewal now (as if 80% of its
/// lifetime had passed): the kubelet's sync replaces it within about a second.
pub fn renew_service_account_token(c: &Cluster, name: &str) -> Result<(), String> {
    pod_run(c, name)?.token_renewal.store(0, Ordering::SeqCst);
    Ok(())
}

/// Kills the container's process as a crash (or, with `oom`, the kernel's OOM killer) would:
/// the pod stays, the container restarts.
pub fn kill_container(c: &Cluster, name: &str, oom: bool) -> Result<(), String> {
    let (run, proc) = running_container(c, name)?;
    run.oom_killed.store(oom, Ordering::SeqCst);
    proc.signal(libc::SIGKILL);
    Ok(())
}

/// What a new exec or port-forward stream of pod `name` watches: it is cut when this changes
/// (the `drop-streams` fault) or the pod goes away.
pub fn stream_cuts(c: &Cluster, name: &str) -> Option<tokio::sync::watch::Receiver<u64>> {
    Some(c.kubelet.get(name)?.streams.subscribe())
}

/// Cuts every open exec and port-forward stream of pod `name`; returns how many there were.
pub fn drop_streams(c: &Cluster, name: &str) -> Result<usize, String> {
    let run = pod_run(c, name)?;
    let open = run.streams.receiver_count();
    run.streams.send_modify(|n| *n += 1);
    Ok(open)
}

/// Sends `sig` to the server process of pod `name` only (not to the `unshare` that holds its
/// PID namespace, which a SIGHUP would end).
pub fn signal_container(c: &Cluster, name: &str, sig: i32) -> Result<(), String> {
    let (_, proc) = running_container(c, name)?;
    let pid = server_pid(&proc).ok_or_else(|| format!("pod {name} has no server process"))?;
    crate::procs::kill_pid(pid, sig);
    Ok(())
}

/// The host pid of a container's server: the init of the PID namespace its `unshare` made.
pub fn server_pid(proc: &Proc) -> Option<u32> {
    proc.exited()
        .is_none()
        .then(|| crate::procs::first_child(proc.pid))
        .flatten()
}

/// The kubelet's record of pod `name`, or why there is none.
fn pod_run(c: &Cluster, name: &str) -> Result<Arc<PodRun>, String> {
    c.kubelet
        .get(name)
        .ok_or_else(|| format!("pod {name} is not running"))
}

/// Pod `name` and the process of its running container, or why there is none.
fn running_container(c: &Cluster, name: &str) -> Result<(Arc<PodRun>, Proc), String> {
    let run = pod_run(c, name)?;
    let proc = run
        .current()
        .ok_or_else(|| format!("pod {name} has no running container"))?;
    Ok((run, proc))
}

pub use filesystems::{FILLER as DISK_FILLER, Usage as VolumeUsage, can_resize_online};

/// Where the host sees claim `claim` as pod `pod` (of namespace `ns`) has it mounted: through
/// the server's `/proc/<pid>/root`. None unless the container runs with the volume mounted.
pub fn volume_view(c: &Cluster, ns: &str, pod: &str, claim: &str) -> Option<PathBuf> {
    use std::os::unix::fs::MetadataExt;
    let run = c.kubelet.get(&run_key(c, ns, pod))?;
    let pid = server_pid(&run.current()?)?;
    // The pod's root is its own (pivot_root): the claim is where its volumeMount puts it.
    let at = rootfs::volume_mounts(&run.object(c)?)
        .into_iter()
        .find(|m| m.source == rootfs::Source::Claim(claim.to_string()))?
        .path;
    let view = filesystems::view(pid, Path::new(&at));
    // A mount point has a device of its own; until the launch step mounts it, it is the
    // host's directory.
    let dev = |p: &Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    let parent = view.parent()?;
    (dev(&view)? != dev(parent)?).then_some(view)
}

/// The filesystem usage of claim `claim` mounted in pod `pod` (statfs, as the kubelet's
/// volume stats measure it).
pub fn volume_usage(c: &Cluster, ns: &str, pod: &str, claim: &str) -> Option<VolumeUsage> {
    filesystems::statfs(&volume_view(c, ns, pod, claim)?)
}

/// The image file behind claim `claim` of namespace `ns`.
pub fn volume_image(c: &Cluster, ns: &str, claim: &str) -> PathBuf {
    filesystems::image(c, &run_key(c, ns, claim))
}

/// Deletes the volume of claim `claim` of namespace `ns` (its image and mount point).
pub fn remove_volume(c: &Cluster, ns: &str, claim: &str) {
    filesystems::remove(c, &run_key(c, ns, claim))
}

/// Grows the image of claim `claim` to `bytes` (the volume's expansion, by the provisioner);
/// false when the claim has no image yet (its first mount makes it at the claim's size).
pub fn grow_volume(c: &Cluster, ns: &str, claim: &str, bytes: u64) -> Result<bool, String> {
    let image = volume_image(c, ns, claim);
    if !image.exists() {
        return Ok(false);
    }
    filesystems::grow_image(&image, bytes).map(|()| true)
}

/// Grows the filesystem of claim `claim`, mounted in pod `pod`, to its image's size while it
/// stays mounted (the kubelet's part of a resize).
pub async fn expand_mounted_volume(
    c: &Cluster,
    ns: &str,
    pod: &str,
    claim: &str,
) -> Result<(), String> {
    volume_view(c, ns, pod, claim).ok_or_else(|| format!("{claim} is not mounted in {pod}"))?;
    let run = pod_run(c, &run_key(c, ns, pod))?;
    let pid = run
        .current()
        .as_ref()
        .and_then(server_pid)
        .ok_or_else(|| format!("pod {pod} has no running container"))?;
    filesystems::resize_online(pid, &volume_image(c, ns, claim)).await
}

/// Fills the data volume of pod `name` so writes to it fail with ENOSPC; the bytes taken.
pub fn fill_data_volume(c: &Cluster, name: &str) -> Result<u64, String> {
    filesystems::fill(&data_view(c, name)?)
}

/// Removes what [`fill_data_volume`] wrote; whether there was anything.
pub fn free_data_volume(c: &Cluster, name: &str) -> Result<bool, String> {
    filesystems::free(&data_view(c, name)?)
}

/// Copies the data volume of running pod `from` (stopped by the caller) to a new claim
/// `to_claim`'s image, as a volume snapshot restored into a new claim.
pub async fn copy_data_volume(c: &Cluster, from: &str, to_claim: &str) -> Result<(), String> {
    let view = data_view(c, from)?;
    let image = volume_image(c, c.ns(), to_claim);
    filesystems::copy_image(
        &view,
        &volume_image(c, c.ns(), &format!("data-{from}")),
        &image,
    )
    .await
}

/// The mounted data volume (`data-<pod>`) of the sandbox's own pod `name`.
pub fn data_view(c: &Cluster, name: &str) -> Result<PathBuf, String> {
    volume_view(c, c.ns(), name, &format!("data-{name}"))
        .ok_or_else(|| format!("pod {name} has no running container with its data volume mounted"))
}
