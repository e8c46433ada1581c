//! PVCs and StatefulSets as a real cluster treats them, checked with the real kubectl and the
//! Vault API: `kubectl delete pvc --all` while the pods run leaves the claims Terminating
//! (pvc-protection) until the pods go; then the claims and their data are gone, and the
//! recreated pods start on fresh, empty volumes. A copy of the Vault StatefulSet in another
//! namespace runs real servers of its own.

mod common;

use std::time::Duration;

use serde_json::Value;
use vault_sandbox::Sandbox;

fn claims(sb: &Sandbox, ns: &str) -> Vec<Value> {
    sb.kubectl()
        .json(["get", "pvc", "-n", ns])
        .expect("kubectl get pvc")["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn uid(o: &Value) -> String {
    o["metadata"]["uid"].as_str().unwrap_or("").to_string()
}

#[test]
fn deleted_claims_wait_for_their_pods_then_take_the_data_with_them() {
    let sb = common::sandbox("volumes-pvc-protection", 3);
    let k = sb.kubectl();
    let before: Vec<String> = claims(&sb, "vault").iter().map(uid).collect();
    assert_eq!(before.len(), 3);
    k.ok(["delete", "pvc", "--all", "-n", "vault", "--wait=false"])
        .expect("kubectl delete pvc --all");
    // Held by pvc-protection while the pods run: kubectl shows them Terminating.
    std::thread::sleep(Duration::from_secs(2));
    let table = k
        .ok(["get", "pvc", "-n", "vault"])
        .expect("kubectl get pvc");
    assert_eq!(table.matches("Terminating").count(), 3, "{table}");
    for i in 0..3 {
        assert_eq!(
            sb.seal_status(i).unwrap()["initialized"],
            true,
            "vault-{i} lost its data while its claim was only Terminating"
        );
    }
    // Once the pods go, so do the claims and their data; the new pods get fresh volumes.
    k.ok(["delete", "pods", "--all", "-n", "vault", "--wait=false"])
        .expect("kubectl delete pods");
    sb.wait_until("fresh claims", Duration::from_secs(60), || {
        let now = claims(&sb, "vault");
        now.len() == 3
            && now.iter().all(|c| {
                !before.contains(&uid(c))
                    && c["metadata"]["deletionTimestamp"].is_null()
                    && c["status"]["phase"] == "Bound"
            })
    })
    .expect("claims recreated");
    sb.wait_until("empty servers", Duration::from_secs(60), || {
        (0..3).all(|i| sb.seal_status(i).is_ok_and(|s| s["initialized"] == false))
    })
    .expect("every recreated pod starts uninitialised on an empty volume");
}

#[test]
fn a_copy_of_the_statefulset_in_another_namespace_runs_its_own_servers() {
    let sb = common::sandbox("volumes-copy", 1);
    let k = sb.kubectl();
    k.ok(["create", "namespace", "copy"])
        .expect("create namespace");
    // The copy mounts the same ConfigMap and TLS Secret, copied as a drill would.
    for (kind, name) in [("configmap", "vault-config"), ("secret", "vault-tls")] {
        let mut obj = k
            .json(["get", kind, name, "-n", "vault"])
            .expect("get object");
        let meta = obj["metadata"].clone();
        obj["metadata"] = serde_json::json!({"name": meta["name"], "namespace": "copy"});
        sb.create(&format!("{kind}s"), "copy", obj)
            .expect("copy object");
    }
    let mut sts = k
        .json(["get", "statefulset", "vault", "-n", "vault"])
        .expect("get statefulset");
    sts["metadata"] = serde_json::json!({"name": "vault", "namespace": "copy"});
    sts["spec"]["replicas"] = serde_json::json!(1);
    sts.as_object_mut().unwrap().remove("status");
    sb.create("statefulsets", "copy", sts)
        .expect("copy the StatefulSet");

    sb.wait_until("the copy's pod Running", Duration::from_secs(60), || {
        k.json(["get", "pod", "vault-0", "-n", "copy"])
            .is_ok_and(|p| p["status"]["phase"] == "Running" && p["status"]["podIP"].is_string())
    })
    .expect("the copy's pod runs");
    let copy = k.json(["get", "pod", "vault-0", "-n", "copy"]).unwrap();
    let own = k.json(["get", "pod", "vault-0", "-n", "vault"]).unwrap();
    assert_ne!(
        copy["status"]["podIP"], own["status"]["podIP"],
        "one address for two pods"
    );
    // A real server of its own: uninitialised, while the sandbox's own stays initialised.
    let out = k
        .ok([
            "exec",
            "-n",
            "copy",
            "vault-0",
            "--",
            "vault",
            "status",
            "-format=json",
        ])
        .unwrap_or_else(|e| e.to_string());
    assert!(out.contains("\"initialized\": false"), "{out}");
    assert_eq!(sb.seal_status(0).unwrap()["initialized"], true);

    // Deleting the namespace stops the copy's server and leaves the sandbox's own alone.
    k.ok(["delete", "namespace", "copy", "--wait=false"])
        .expect("delete namespace");
    sb.wait_until("namespace gone", Duration::from_secs(60), || {
        k.ok(["get", "namespace", "copy"]).is_err()
    })
    .expect("the namespace goes");
    assert_eq!(sb.seal_status(0).unwrap()["initialized"], true);
    assert_eq!(sb.server_pids().len(), 1, "the copy's server still runs");
}
