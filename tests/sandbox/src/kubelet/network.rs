//! The pod's network and UTS namespaces: made before its first container starts, kept across
//! container restarts (as the pod sandbox keeps them), gone with the pod.

use std::sync::Arc;
use std::time::Duration;

use super::PodRun;
use crate::cluster::Cluster;
use crate::network;

/// The pid of the pause process holding the pod's namespaces, making and wiring them first if
/// the pod has none yet.
pub(super) async fn ensure(c: &Arc<Cluster>, run: &PodRun) -> Result<u32, String> {
    if let Some(pid) = run.netns_pid() {
        return Ok(pid);
    }
    if run.ip.is_unspecified() {
        return Err(format!("pod {} has no IP", run.name));
    }
    let pause = network::pause(&run.name).await?;
    let wired = async {
        network::wire_pod(pause.pid, run.ip, c.cfg.node_ip()).await?;
        if c.partitioned.lock().is_ok_and(|p| p.contains(&run.name)) {
            network::partition(pause.pid, c.cfg.pod_net(), true).await?;
        }
        Ok::<(), String>(())
    };
    if let Err(e) = wired.await {
        pause.signal(libc::SIGKILL);
        return Err(format!("set up the pod network: {e}"));
    }
    let pid = pause.pid;
    *run.pause.lock().map_err(|_| "pause lock")? = Some(pause);
    // The container bind-mounts its name files: they must exist before it starts.
    crate::names::refresh(c);
    Ok(pid)
}

/// Ends the pod's namespaces (the veth pair and the host's route go with them) and returns
/// its IP to the pool.
pub(super) async fn teardown(c: &Cluster, run: &PodRun) {
    let pause = run.pause.lock().ok().and_then(|mut p| p.take());
    if let Some(p) = pause {
        p.signal(libc::SIGKILL);
        let _ = tokio::time::timeout(Duration::from_secs(5), p.wait()).await;
    }
    if let Ok(mut pool) = c.ip_pool.lock() {
        pool.release(run.ip);
    }
    crate::names::refresh(c);
}
