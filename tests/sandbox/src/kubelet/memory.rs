//! The enforced memory limit (`Options::enforce_memory_limits`): the kernel's cgroup would
//! OOM-kill a container whose memory grows past `resources.limits.memory`; the sandbox's pods
//! have no cgroup of their own, so the kubelet polls each container's working set and kills it
//! the way the `oom` fault does (exit 137, `OOMKilled`, restarted sealed).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::Value;

use super::PodRun;
use crate::cluster::Cluster;

/// How often the working set is compared with the limit (a cgroup acts at once; this is
/// close enough for a server that grows over seconds).
const PERIOD: Duration = Duration::from_millis(200);

/// The memory limit (bytes) of the pod's (only) container, if it has one.
pub fn memory_limit(pod: &Value) -> Option<u64> {
    let q = pod["spec"]["containers"][0]["resources"]["limits"]["memory"].as_str()?;
    crate::api::control::parse_quantity(q).filter(|b| *b > 0)
}

pub(super) async fn limit_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
    let shutdown = c.shut_down();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(PERIOD) => {}
            _ = &mut shutdown => return,
        }
        if run.finished.load(Ordering::SeqCst) || run.terminating.load(Ordering::SeqCst) {
            return;
        }
        // A kill already on its way: the container is being reaped.
        if run.oom_killed.load(Ordering::SeqCst) {
            continue;
        }
        let Some(limit) = run.object(&c).as_ref().and_then(memory_limit) else {
            continue;
        };
        let Some(proc) = run.current() else {
            continue;
        };
        let used = crate::procs::working_set(proc.pid);
        if used > limit {
            eprintln!(
                "vault-sandbox: {}: working set {used} bytes over its memory limit {limit}: OOMKilled",
                run.key
            );
            let _ = super::kill_container(&c, &run.key, true);
        }
    }
}
