//! The pods' network through the real kubectl: each pod has its own network and UTS
//! namespaces (`hostname` is the pod's name, `127.0.0.1:8200` is its own server), the chart's
//! names resolve inside every pod and in the sandbox library, raft runs on those names, and a
//! re-created pod gets a new IP from the pool while the cluster heals.

mod common;

use std::time::Duration;

use common::{pod_json, sandbox};
use serde_json::Value;
use vault_sandbox::{Kubectl, Sandbox};

fn pod_ip(k: &Kubectl, pod: &str) -> String {
    pod_json(k, pod)
        .and_then(|p| p["status"]["podIP"].as_str().map(str::to_string))
        .unwrap_or_default()
}

/// `sh -c script` in `pod` through kubectl exec; its stdout.
fn exec(k: &Kubectl, pod: &str, script: &str) -> String {
    let out = k
        .exec_sh("vault", pod, script)
        .output()
        .expect("kubectl exec");
    assert!(
        out.status.success(),
        "{pod}: {script}: {}",
        common::show(&out)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// The first address `getent hosts name` gives inside `pod`.
fn getent(k: &Kubectl, pod: &str, name: &str) -> String {
    let line = exec(k, pod, &format!("getent hosts {name}"));
    line.split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string()
}

fn raft_addresses(sb: &Sandbox) -> Vec<(String, String)> {
    let token = sb.root_token();
    let (code, v) = sb
        .vault(
            0,
            "GET",
            "sys/storage/raft/configuration",
            Some(&token),
            None,
        )
        .expect("raft configuration");
    assert_eq!(code, 200, "{v}");
    let mut servers: Vec<(String, String)> = v["data"]["config"]["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| {
            let f = |k: &str| s[k].as_str().unwrap_or_default().to_string();
            (f("node_id"), f("address"))
        })
        .collect();
    servers.sort();
    servers
}

#[test]
fn pods_have_their_own_network_names_and_new_ips_when_recreated() {
    let sb = sandbox("network", 3);
    let k = sb.kubectl();

    // Own UTS and network namespace: hostname, localhost and the pod's one interface.
    assert_eq!(exec(&k, "vault-1", "hostname"), "vault-1");
    let own = |pod: &str| -> Value {
        let body = exec(
            &k,
            pod,
            "curl -sk https://127.0.0.1:8200/v1/sys/health?standbyok=true",
        );
        serde_json::from_str(&body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    let leader = (0..3u32)
        .find(|&i| own(&format!("vault-{i}"))["standby"] == false)
        .expect("an active pod answers on its localhost");
    let standby = (leader + 1) % 3;
    assert_eq!(
        own(&format!("vault-{standby}"))["standby"],
        true,
        "127.0.0.1 in a standby pod reaches that pod's own server"
    );
    let ips = exec(&k, "vault-1", "ip -4 -o addr show | awk '{print $2, $4}'");
    let vault1_ip = pod_ip(&k, "vault-1");
    assert!(
        ips.contains("lo 127.0.0.1/8") && ips.contains(&format!("eth0 {vault1_ip}/32")),
        "{ips}"
    );
    assert!(
        vault1_ip.starts_with("10."),
        "pod IPs come from the sandbox's private range: {vault1_ip}"
    );
    // Its cluster port too.
    exec(
        &k,
        "vault-1",
        "curl -sk -o /dev/null https://127.0.0.1:8201/; [ $? -ne 7 ]",
    );

    // The chart's names, inside a pod and in the sandbox library.
    let vault0_ip = pod_ip(&k, "vault-0");
    for name in [
        "vault-0.vault-internal",
        "vault-0.vault-internal.vault.svc.cluster.local",
    ] {
        assert_eq!(getent(&k, "vault-2", name), vault0_ip, "{name}");
    }
    let leader_ip = pod_ip(&k, &format!("vault-{leader}"));
    sb.wait_until(
        "vault-active to name the active pod",
        Duration::from_secs(10),
        || getent(&k, "vault-2", "vault-active.vault.svc") == leader_ip,
    )
    .unwrap();
    for name in [
        "vault",
        "vault-internal",
        "vault.vault",
        "kubernetes.default.svc",
    ] {
        assert!(!getent(&k, "vault-1", name).is_empty(), "{name} resolves");
    }
    assert_eq!(
        sb.resolve("vault-0.vault-internal")
            .map(|ip| ip.to_string()),
        Some(vault0_ip.clone())
    );
    assert_eq!(
        sb.resolve("vault-active.vault.svc.cluster.local")
            .map(|ip| ip.to_string()),
        Some(leader_ip)
    );
    // The API's in-cluster address answers from inside a pod, by address and by name, with
    // the pod's service-account token and CA.
    let sa = "/var/run/secrets/kubernetes.io/serviceaccount";
    let version = exec(
        &k,
        "vault-1",
        &format!(
            "curl -sf --cacert {sa}/ca.crt -H \"Authorization: Bearer $(cat {sa}/token)\" \
             https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/version && \
             curl -sf --cacert {sa}/ca.crt -H \"Authorization: Bearer $(cat {sa}/token)\" \
             https://kubernetes.default.svc:$KUBERNETES_SERVICE_PORT/version"
        ),
    );
    assert!(version.contains("gitVersion"), "{version}");

    // Raft runs on the pods' names.
    let servers = raft_addresses(&sb);
    assert_eq!(
        servers,
        (0..3)
            .map(|i| (
                format!("vault-{i}"),
                format!("vault-{i}.vault-internal:8201")
            ))
            .collect::<Vec<_>>()
    );

    // A re-created pod gets a new IP; the names follow it and the cluster heals.
    let old = pod_ip(&k, "vault-2");
    let old_uid = pod_json(&k, "vault-2").unwrap()["metadata"]["uid"].clone();
    k.ok(["delete", "pod", "vault-2", "-n", "vault", "--wait=false"])
        .expect("kubectl delete pod");
    let mut new = String::new();
    sb.wait_until(
        "vault-2 re-created and running",
        Duration::from_secs(60),
        || {
            let Some(p) = pod_json(&k, "vault-2") else {
                return false;
            };
            new = p["status"]["podIP"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            p["metadata"]["uid"] != old_uid && p["status"]["phase"] == "Running"
        },
    )
    .unwrap();
    assert_ne!(new, old, "a re-created pod gets a new IP");
    sb.wait_until(
        "the names follow the new IP",
        Duration::from_secs(10),
        || getent(&k, "vault-0", "vault-2.vault-internal") == new,
    )
    .unwrap();
    // Running is the container started: its server listens a moment later.
    sb.wait_until("the new vault-2 answers", Duration::from_secs(30), || {
        sb.seal_status(2).is_ok()
    })
    .unwrap();
    sb.unseal_directly(2).expect("unseal the re-created pod");
    let token = sb.root_token();
    sb.wait_until(
        "vault-2 healthy again in autopilot",
        Duration::from_secs(60),
        || {
            sb.vault(
                leader,
                "GET",
                "sys/storage/raft/autopilot/state",
                Some(&token),
                None,
            )
            .is_ok_and(|(_, v)| v["data"]["servers"]["vault-2"]["healthy"] == true)
        },
    )
    .unwrap();
    assert_eq!(raft_addresses(&sb), servers, "the raft addresses are names");
}
