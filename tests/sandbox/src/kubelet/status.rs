//! The pod's status as the kubelet reports it: phase, conditions and container states.

use serde_json::{Value, json};

use super::PodRun;
use crate::cluster::Cluster;
use crate::{objects, time};

pub(super) fn update_pod(c: &Cluster, run: &PodRun, change: impl FnOnce(&mut Value)) {
    let _ = c.store.update("pods", &run.namespace, &run.name, |pod| {
        if pod["metadata"]["uid"].as_str() == Some(&run.uid) {
            change(pod);
        }
        Ok(())
    });
}

pub(super) fn set_condition(pod: &mut Value, kind: &str, ok: bool) {
    let status = if ok { "True" } else { "False" };
    // A pod the kubelet did not start (a copy someone patched) may have no conditions yet.
    if !pod["status"]["conditions"].is_array() {
        pod["status"]["conditions"] = json!([]);
    }
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

/// The name of the pod's (only) container, as its spec has it.
fn container_name(pod: &Value) -> String {
    pod["spec"]["containers"][0]["name"]
        .as_str()
        .unwrap_or("vault")
        .to_string()
}

fn container_status(
    container: &str,
    run: &PodRun,
    state: Value,
    last: Value,
    ready: bool,
) -> Value {
    let id = run
        .container_id
        .lock()
        .map(|s| s.clone())
        .unwrap_or_default();
    json!([{
        "name": container,
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

pub(super) fn set_running(c: &Cluster, run: &PodRun, started: &str) {
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
        pod["status"]["containerStatuses"] = container_status(
            &container_name(pod),
            run,
            json!({"running": {"startedAt": started}}),
            last,
            false,
        );
    });
}

pub(super) fn set_terminated(c: &Cluster, run: &PodRun, code: i32, started: &str) {
    update_pod(c, run, |pod| {
        let oom = run
            .oom_killed
            .swap(false, std::sync::atomic::Ordering::SeqCst);
        let reason = match code {
            0 => "Completed",
            _ if oom => "OOMKilled",
            _ => "Error",
        };
        let last = json!({"terminated": {"exitCode": code, "reason": reason, "startedAt": started, "finishedAt": time::now(),
                                         "containerID": pod["status"]["containerStatuses"][0]["containerID"]}});
        set_condition(pod, "ContainersReady", false);
        set_condition(pod, "Ready", false);
        pod["status"]["containerStatuses"] = container_status(
            &container_name(pod),
            run,
            json!({"waiting": {"reason": "CrashLoopBackOff", "message": "back-off restarting failed container"}}),
            last,
            false,
        );
    });
}

pub(super) fn set_waiting(c: &Cluster, run: &PodRun, reason: &str, message: &str) {
    update_pod(c, run, |pod| {
        let last = pod["status"]["containerStatuses"][0]["lastState"].clone();
        let last = if last.is_null() { json!({}) } else { last };
        pod["status"]["containerStatuses"] = container_status(
            &container_name(pod),
            run,
            json!({"waiting": {"reason": reason, "message": message}}),
            last,
            false,
        );
    });
}
