//! `vault-raft` across the sandbox's pod network: a partitioned standby (autopilot marks it
//! unhealthy while port-forward still reaches it), a re-created pod with a new IP, and a pod
//! whose API answers late.

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vault_sandbox::Fault;

use super::start;
use crate::support::{assert_exit, show};

fn autopilot_healthy(r: &super::Raft, leader: u32, pod: &str) -> Option<bool> {
    let token = r.sb().root_token();
    let (_, v) = r
        .sb()
        .vault(
            leader,
            "GET",
            "sys/storage/raft/autopilot/state",
            Some(&token),
            None,
        )
        .ok()?;
    v["data"]["servers"][pod]["healthy"].as_bool()
}

fn status_row(v: &Value, pod: &str) -> Value {
    v["pods"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["pod"] == pod)
        .cloned()
        .unwrap_or_else(|| panic!("no {pod} in {v:#}"))
}

#[test]
fn partition_recreated_pod_and_slow_api() {
    let r = start("raft-network", 3);
    let leader = r.leader();
    let standby = (leader + 1) % 3;
    let pod = format!("vault-{standby}");
    // A standby without contact for 3 s is unhealthy (autopilot's default: 10 s).
    let (code, body) = r.api(
        leader,
        "POST",
        "sys/storage/raft/autopilot/configuration",
        Some(&json!({"last_contact_threshold": "3s"})),
    );
    assert!(code < 300, "{code} {body}");

    // Partition: the leader's autopilot loses the standby; port-forward still reaches it.
    r.sb().fault(Fault::Partition, &pod).expect("partition");
    r.sb()
        .wait_until(
            "autopilot marks the standby unhealthy",
            Duration::from_secs(60),
            || autopilot_healthy(&r, leader, &pod) == Some(false),
        )
        .unwrap();
    let (out, v) = r.json(&["status", "--vault-timeout", "5s"]);
    let row = status_row(&v, &pod);
    assert_eq!(row["reachable"], true, "{row:#}\n{}", show(&out));
    assert_eq!(v["leader"]["pod"], format!("vault-{leader}"), "{v:#}");

    r.sb().fault(Fault::Heal, &pod).expect("heal");
    r.sb()
        .wait_until(
            "autopilot calls it healthy again",
            Duration::from_secs(60),
            || autopilot_healthy(&r, leader, &pod) == Some(true),
        )
        .unwrap();
    // Autopilot's default again, so a loaded machine's slow heartbeat is not a finding.
    let (code, body) = r.api(
        leader,
        "POST",
        "sys/storage/raft/autopilot/configuration",
        Some(&json!({"last_contact_threshold": "10s"})),
    );
    assert!(code < 300, "{code} {body}");

    // A re-created pod gets a new IP; raft (on names) takes it back once unsealed.
    let ip = |p: &str| -> String {
        r.e.kubectl
            .json(["get", "pod", p])
            .ok()
            .and_then(|v| v["status"]["podIP"].as_str().map(str::to_string))
            .unwrap_or_default()
    };
    let old_ip = ip(&pod);
    let old_uid = r.uid(&pod);
    r.e.kubectl
        .ok(["delete", "pod", &pod, "--wait=false"])
        .expect("kubectl delete pod");
    r.sb()
        .wait_until("the pod re-created", Duration::from_secs(60), || {
            r.sb().seal_status(standby).is_ok()
                && r.e
                    .kubectl
                    .json(["get", "pod", &pod])
                    .is_ok_and(|v| v["metadata"]["uid"] != old_uid.as_str())
        })
        .unwrap();
    let new_ip = ip(&pod);
    assert_ne!(new_ip, old_ip, "a re-created pod gets a new IP");
    r.sb().unseal_directly(standby).expect("unseal");
    r.wait_stable(&[0, 1, 2]);
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 0);
    assert_eq!(status_row(&v, &pod)["reachable"], true, "{v:#}");

    // Slow: every request through port-forward to the pod waits.
    let delay = Duration::from_millis(400);
    let msg = r.sb().slow(&pod, delay).expect("slow");
    assert!(msg.contains("late"), "{msg}");
    let t = Instant::now();
    let (out, _) = r.json(&["status", &pod, "--vault-timeout", "10s"]);
    let took = t.elapsed();
    assert!(
        took >= delay,
        "status of a slow pod took {took:?}:\n{}",
        show(&out)
    );
    r.sb().slow(&pod, Duration::ZERO).expect("on time again");
}
