//! Process supervision: runs the pod's container, restarts it with a back-off when it dies,
//! and removes the pod once it has been terminated.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::PodRun;
use super::container::start_container;
use super::status::{set_running, set_terminated, set_waiting};
use crate::cluster::Cluster;
use crate::objects;
use crate::procs;
use crate::time;

/// Delay before a dead container is started again, doubling while it keeps crashing, as the
/// kubelet's CrashLoopBackOff does (10 s up to 5 min there; scaled down so tests do not wait).
const RESTART_DELAY: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(16);
/// A container that ran this long before dying starts the back-off over.
const BACKOFF_RESET: Duration = Duration::from_secs(10);
/// How often the kubelet's generic PLEG relists the containers (`relistPeriod`).
const RELIST: Duration = Duration::from_secs(1);

pub(super) async fn run_loop(c: Arc<Cluster>, run: Arc<PodRun>) {
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
                if let Some(pod) = run.object(&c) {
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
                if let Some(pod) = run.object(&c) {
                    c.record(&pod, "Warning", "BackOff", &format!("Back-off {:?} restarting failed container vault in pod {}_{}(exit code {code})", backoff, run.name, run.namespace), "kubelet");
                }
            }
            Err(e) => {
                if let Some(pod) = run.object(&c) {
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
    if run.terminating.load(Ordering::SeqCst) && !c.is_shutting_down() && still_ours(&c, &run) {
        // The kubelet learns that a container has stopped on its next relist (the generic
        // PLEG's, every second) and only then tears the pod down and deletes it. Deleting it
        // the moment the server exits let the StatefulSet re-create the pod within
        // milliseconds of a `kubectl delete pod`, before kubectl's wait had listed the old
        // one: kubectl then waited for the new pod to be deleted, for ever.
        tokio::time::sleep(RELIST).await;
    }
    run.finished.store(true, Ordering::SeqCst);
    {
        let mut pods = c.kubelet.pods.lock().expect("kubelet lock");
        if pods.get(&run.key).is_some_and(|r| r.uid == run.uid) {
            pods.remove(&run.key);
        }
    }
    super::network::teardown(&c, &run).await;
    if run.terminating.load(Ordering::SeqCst) {
        // The pod is gone: so are its emptyDirs and its container's files.
        super::rootfs::forget(&c, &run);
        if still_ours(&c, &run) {
            let _ = c.store.delete("pods", &run.namespace, &run.name);
        }
        c.reconcile.notify_one();
    }
}

/// Whether the API still holds this run's pod (not one re-created under its name).
fn still_ours(c: &Cluster, run: &PodRun) -> bool {
    run.object(c)
        .is_some_and(|p| p["metadata"]["uid"].as_str() == Some(&run.uid))
}
