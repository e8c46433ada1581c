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

const MI: u64 = 1024 * 1024;

/// `df -B1 /vault/data` in the pod through the real kubectl: (size, available) in bytes.
fn df(sb: &Sandbox, pod: &str) -> (u64, u64) {
    let out = sb
        .kubectl()
        .ok(["exec", "-n", "vault", pod, "--", "df", "-B1", "/vault/data"])
        .expect("kubectl exec df");
    let line = out.lines().nth(1).unwrap_or_else(|| panic!("df: {out}"));
    let cols: Vec<u64> = line
        .split_whitespace()
        .filter_map(|c| c.parse().ok())
        .collect();
    assert!(cols.len() >= 3, "df: {out}");
    (cols[0], cols[2])
}

/// `kubectl patch pvc data-vault-0 -n vault` asking for `size`: its output when it should
/// succeed, its error when it should not.
fn patch_data_claim(k: &vault_sandbox::Kubectl, size: &str, ok: bool) -> String {
    let patch = format!(r#"{{"spec":{{"resources":{{"requests":{{"storage":"{size}"}}}}}}}}"#);
    let args = [
        "patch",
        "pvc",
        "data-vault-0",
        "-n",
        "vault",
        "-p",
        patch.as_str(),
    ];
    if ok {
        k.ok(args).expect("kubectl patch pvc")
    } else {
        common::fails(k, &args)
    }
}

fn claim(sb: &Sandbox, name: &str) -> Value {
    sb.kubectl()
        .json(["get", "pvc", name, "-n", "vault"])
        .expect("kubectl get pvc")
}

/// The claim is an ext4 filesystem of the requested size: `df` in the pod and the kubelet's
/// stats summary (statfs) agree; a larger request on an expandable StorageClass grows it
/// (FileSystemResizePending until the filesystem has grown, then the new capacity); a
/// smaller one, or one on a class without expansion, is refused as the API refuses it.
#[test]
fn claims_are_filesystems_that_grow_when_patched() {
    let sb = common::sandbox("volumes-filesystems", 1);
    let k = sb.kubectl();
    let (size, free) = df(&sb, "vault-0");
    // ext4's own metadata takes a little of the 256Mi image.
    assert!(
        (200 * MI..=256 * MI).contains(&size) && free > 150 * MI,
        "df size {size}, free {free}"
    );
    let summary: Value = serde_json::from_str(
        &k.ok([
            "get",
            "--raw",
            "/api/v1/nodes/sandbox-node/proxy/stats/summary",
        ])
        .expect("stats summary"),
    )
    .expect("stats summary JSON");
    let vol = &summary["pods"][0]["volume"][0];
    assert_eq!(vol["pvcRef"]["name"], "data-vault-0", "{summary:#}");
    assert_eq!(vol["capacityBytes"], size, "{summary:#}");
    let used = vol["usedBytes"].as_u64().unwrap();
    assert!(used > 0 && used < 20 * MI, "{vol}");

    // Shrinking is invalid (422), whatever the class allows.
    let err = patch_data_claim(&k, "128Mi", false);
    assert!(
        err.contains("is invalid")
            && err.contains("spec.resources.requests.storage: Forbidden: field can not be less than previous value"),
        "{err}"
    );

    // Growing: the volume grows, then the filesystem, while Vault keeps its data.
    patch_data_claim(&k, "512Mi", true);
    sb.wait_until("the volume expanded", Duration::from_secs(30), || {
        let c = claim(&sb, "data-vault-0");
        c["status"]["allocatedResources"]["storage"] == "512Mi"
    })
    .expect("the resizer grows the volume");
    let c = claim(&sb, "data-vault-0");
    if c["status"]["capacity"]["storage"] != "512Mi" {
        // Without online expansion the filesystem grows when a pod next mounts it.
        let conditions = c["status"]["conditions"].to_string();
        assert!(conditions.contains("FileSystemResizePending"), "{c:#}");
        assert_eq!(df(&sb, "vault-0").0, size, "the filesystem grew early");
        if !vault_sandbox::kubelet::can_resize_online() {
            k.ok(["delete", "pod", "vault-0", "-n", "vault"])
                .expect("restart the pod");
        }
    }
    sb.wait_until("capacity 512Mi", Duration::from_secs(60), || {
        let c = claim(&sb, "data-vault-0");
        c["status"]["capacity"]["storage"] == "512Mi" && c["status"]["conditions"].is_null()
    })
    .expect("the filesystem resize completes");
    let table = k
        .ok(["get", "pvc", "data-vault-0", "-n", "vault"])
        .expect("kubectl get pvc");
    assert!(table.contains("512Mi"), "{table}");
    sb.wait_until("vault-0 runs", Duration::from_secs(60), || {
        sb.seal_status(0).is_ok()
    })
    .expect("vault-0 answers");
    let (grown, _) = df(&sb, "vault-0");
    assert!(
        (450 * MI..=512 * MI).contains(&grown),
        "df size after the resize: {grown}"
    );
    assert_eq!(
        sb.seal_status(0).unwrap()["initialized"],
        true,
        "the data survived the resize"
    );

    // The class as kubectl prints it.
    let sc = common::table(
        &k.ok(["get", "storageclass"])
            .expect("kubectl get storageclass"),
    );
    let standard = common::row(&sc, "standard (default)");
    assert_eq!(
        (
            standard["RECLAIMPOLICY"].as_str(),
            standard["ALLOWVOLUMEEXPANSION"].as_str()
        ),
        ("Delete", "true"),
        "{sc:?}"
    );
    // A class without expansion: the admission plugin refuses (403).
    k.ok([
        "patch",
        "storageclass",
        "standard",
        "-p",
        r#"{"allowVolumeExpansion":false}"#,
    ])
    .expect("patch storageclass");
    let err = patch_data_claim(&k, "1Gi", false);
    assert!(
        err.contains("Forbidden")
            && err.contains("the storageclass that provisions the pvc must support resize"),
        "{err}"
    );
    assert_eq!(
        claim(&sb, "data-vault-0")["spec"]["resources"]["requests"]["storage"],
        "512Mi"
    );
}

/// `disk-full` fills the data volume: Vault's writes fail with ENOSPC (and the server logs
/// it); `free-disk` undoes it and writes work again.
#[test]
fn a_full_data_volume_fails_writes_until_freed() {
    let sb = common::sandbox("volumes-disk-full", 1);
    let k = sb.kubectl();
    let (code, v) = sb
        .vault_active(
            "POST",
            "sys/mounts/kv",
            Some(&serde_json::json!({"type": "kv", "options": {"version": "1"}})),
        )
        .expect("enable kv");
    assert_eq!(code, 204, "{v}");
    let write = |n: u32| {
        let token = sb.root_token();
        sb.vault(
            0,
            "PUT",
            &format!("kv/item{n}"),
            Some(&token),
            Some(&serde_json::json!({"v": "x".repeat(4096)})),
        )
    };
    assert_eq!(write(0).expect("write").0, 204);

    sb.fault(vault_sandbox::Fault::DiskFull, "vault-0")
        .expect("disk-full");
    let (_, free) = df(&sb, "vault-0");
    assert!(free < MI, "{free} bytes still free");
    // The raft log cannot grow: the write fails (an error, or no answer in time).
    let failed = (1..=5).any(|n| !matches!(write(n), Ok((204, _))));
    assert!(failed, "Vault kept accepting writes on a full disk");
    sb.wait_until("the server logs ENOSPC", Duration::from_secs(30), || {
        k.ok(["logs", "vault-0", "-n", "vault"])
            .is_ok_and(|l| l.contains("no space left on device"))
    })
    .expect("the server's log shows the full disk");

    let out = sb
        .fault(vault_sandbox::Fault::FreeDisk, "vault-0")
        .expect("free-disk");
    assert!(out.contains("freed"), "{out}");
    assert!(df(&sb, "vault-0").1 > 100 * MI);
    sb.wait_until("writes work again", Duration::from_secs(60), || {
        matches!(write(100), Ok((204, _)))
    })
    .expect("Vault writes again once the disk has room");
    let token = sb.root_token();
    let (code, v) = sb
        .vault(0, "GET", "kv/item100", Some(&token), None)
        .unwrap();
    assert_eq!(code, 200, "{v}");
}

/// `Options::retry_join` (`vault-sandbox up --retry-join`): the chart's HA raft `retry_join`
/// stanzas in the server configuration. A pod whose volume is wiped finds the leader by
/// itself and, once unsealed with the cluster's keys, is a voter again: no `remove-peer`, no
/// `raft join`.
#[test]
fn a_wiped_pod_rejoins_by_retry_join_once_unsealed() {
    let sb = common::sandbox_with(
        "volumes-retry-join",
        vault_sandbox::Options {
            nodes: 3,
            retry_join: true,
            ..vault_sandbox::Options::default()
        },
    );
    let k = sb.kubectl();
    let root = sb.root_token();
    let config = common::server_config(&k);
    for i in 0..3 {
        assert!(
            config.contains(&format!(
                "leader_api_addr     = \"https://vault-{i}.vault-internal:8200\""
            )),
            "{config}"
        );
    }
    assert_eq!(
        config
            .matches("leader_ca_cert_file = \"/vault/userconfig/vault-tls/ca.crt\"")
            .count(),
        3,
        "{config}"
    );
    let servers = |sb: &Sandbox| -> Vec<Value> {
        let (code, body) = sb
            .vault(
                0,
                "GET",
                "sys/storage/raft/configuration",
                Some(&root),
                None,
            )
            .expect("raft configuration");
        assert_eq!(code, 200, "{body}");
        body["data"]["config"]["servers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(servers(&sb).len(), 3);

    sb.fault(vault_sandbox::Fault::LoseVolume, "vault-2")
        .expect("wipe vault-2's volume");
    // The wiped server keeps trying the leaders it is given, and waits for the unseal keys.
    sb.wait_until(
        "vault-2 to wait for unseal keys",
        Duration::from_secs(60),
        || {
            k.ok(["logs", "-n", "vault", "vault-2"])
                .is_ok_and(|l| l.contains("waiting for unseal keys to be supplied"))
        },
    )
    .expect("vault-2's retry_join");
    // (A server that kept its data logs "returning from raft join as the node is initialized".)
    assert_eq!(sb.seal_status(2).unwrap()["sealed"], true);

    // Only the keys, through the Vault API.
    for key in &sb.unseal_keys()[..3] {
        let (code, body) = sb
            .vault(
                2,
                "PUT",
                "sys/unseal",
                None,
                Some(&serde_json::json!({ "key": key })),
            )
            .expect("unseal vault-2");
        assert_eq!(code, 200, "{body}");
    }
    sb.wait_until("vault-2 unsealed", Duration::from_secs(60), || {
        sb.seal_status(2).is_ok_and(|s| s["sealed"] == false)
    })
    .expect("vault-2 unseals");
    common::kubectl_wait_ready(&k, "vault-2");
    sb.wait_until(
        "autopilot to count vault-2 as a healthy voter",
        Duration::from_secs(60),
        || {
            let Ok((_, body)) = sb.vault(
                0,
                "GET",
                "sys/storage/raft/autopilot/state",
                Some(&root),
                None,
            ) else {
                return false;
            };
            let s = &body["data"]["servers"]["vault-2"];
            s["healthy"] == true && s["status"] == "voter" && body["data"]["failure_tolerance"] == 1
        },
    )
    .expect("vault-2 a healthy voter");
    let servers = servers(&sb);
    assert_eq!(servers.len(), 3, "{servers:#?}");
    assert!(servers.iter().all(|s| s["voter"] == true), "{servers:#?}");
    // vault-2 itself reports the cluster vault-0 belongs to.
    let cluster_id = |i| sb.seal_status(i).unwrap()["cluster_id"].clone();
    assert!(cluster_id(0).is_string(), "{}", cluster_id(0));
    assert_eq!(cluster_id(2), cluster_id(0));
}
