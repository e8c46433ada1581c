//! A pod is a pod: checked with the real kubectl, each pod's processes see its own root (the
//! container's paths, none of the host's sandbox directories), its own processes only, its own
//! `/tmp` and emptyDirs (kept across a container restart, gone with the pod), Secret and
//! ConfigMap volumes that follow their objects, and `kubectl cp` works both ways.

mod common;

use std::time::Duration;

use vault_sandbox::{Fault, Kubectl, Sandbox};

fn exec(k: &Kubectl, pod: &str, script: &str) -> Result<String, String> {
    // A deadline of its own: an exec that hangs fails with a process snapshot (see
    // `output_within`) rather than stalling the test until the runner kills it.
    let out = vault_sandbox::kubectl::output_within(
        k.exec_sh("vault", pod, script),
        Duration::from_secs(45),
    )
    .map_err(|e| format!("{e:#}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "exit {:?}: {}{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn pod_uid(k: &Kubectl, pod: &str) -> String {
    k.json(["get", "pod", pod, "-n", "vault"]).expect("get pod")["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Waits until pod `pod` runs a container that answers exec.
fn wait_exec(sb: &Sandbox, k: &Kubectl, pod: &str) {
    sb.wait_until(
        "the container answers exec",
        Duration::from_secs(60),
        || exec(k, pod, "true").is_ok(),
    )
    .expect("container running");
}

#[test]
fn each_pod_sees_its_own_root_and_processes_only() {
    let sb = common::sandbox("pods-own-root", 2);
    let k = sb.kubectl();
    let data = exec(&k, "vault-0", "ls /vault/data").expect("ls /vault/data");
    assert!(data.contains("raft") && data.contains("vault.db"), "{data}");
    // The host's sandbox directory (volumes, other pods) is not there.
    let host = sb.dir().display().to_string();
    let err = exec(&k, "vault-0", &format!("ls {host}")).expect_err("host path hidden");
    assert!(err.contains("No such file"), "{err}");
    assert!(
        exec(&k, "vault-0", "ls /vault/data/../../..")
            .unwrap()
            .contains("usr")
    );
    // Its own PID namespace: the server is pid 1, `ps` shows it and the exec'd command only.
    let ps = exec(&k, "vault-0", "ps -eo pid,comm --no-headers").expect("ps");
    let procs: Vec<&str> = ps.lines().map(str::trim).collect();
    assert_eq!(procs.first().copied(), Some("1 bao"), "{ps}");
    assert!(
        procs[1..]
            .iter()
            .all(|p| p.ends_with(" sh") || p.ends_with(" ps")),
        "{ps}"
    );
    let ns = |pod: &str| {
        let pid = exec(&k, pod, "pidof bao").expect("pidof bao");
        assert_eq!(pid.trim(), "1", "{pod}: {pid}");
        exec(&k, pod, "readlink /proc/1/ns/pid /proc/1/ns/mnt").expect("namespaces")
    };
    assert_ne!(
        ns("vault-0"),
        ns("vault-1"),
        "each pod has its own namespaces"
    );

    // SIGHUP through exec reaches only that pod's server.
    let reloads = |pod: &str| {
        k.ok(["logs", "-n", "vault", pod])
            .expect("kubectl logs")
            .matches("reload triggered")
            .count()
    };
    let (before0, before1) = (reloads("vault-0"), reloads("vault-1"));
    exec(&k, "vault-0", "kill -HUP $(pidof bao)").expect("kill -HUP");
    sb.wait_until("vault-0 reloads", Duration::from_secs(10), || {
        reloads("vault-0") > before0
    })
    .expect("the signal reached vault-0's server");
    std::thread::sleep(Duration::from_secs(1));
    assert_eq!(
        reloads("vault-1"),
        before1,
        "vault-1's server got no signal"
    );
    let status = sb.seal_status(1).expect("vault-1 answers");
    assert_eq!(status["sealed"], false);
}

#[test]
fn tmp_and_empty_dirs_survive_a_container_restart_but_not_the_pod() {
    let sb = common::sandbox("pods-tmp-lifecycle", 1);
    let k = sb.kubectl();
    exec(
        &k,
        "vault-0",
        "echo kept > /tmp/marker && echo kept > /home/vault/marker",
    )
    .expect("write markers");
    let uid = pod_uid(&k, "vault-0");
    sb.fault(Fault::Kill, "vault-0").expect("fault kill");
    sb.wait_until("the container restarted", Duration::from_secs(60), || {
        k.json(["get", "pod", "vault-0", "-n", "vault"])
            .is_ok_and(|p| p["status"]["containerStatuses"][0]["restartCount"] == 1)
    })
    .expect("restart counted");
    wait_exec(&sb, &k, "vault-0");
    assert_eq!(pod_uid(&k, "vault-0"), uid, "the same pod");
    assert_eq!(
        exec(&k, "vault-0", "cat /tmp/marker /home/vault/marker").unwrap(),
        "kept\nkept\n"
    );

    // The restarted server is sealed, and exits within milliseconds of SIGTERM; the pod still
    // stays until the kubelet's next relist (1 s), so `kubectl delete` (which waits) lists the
    // old pod before the StatefulSet replaces it, and returns.
    let started = std::time::Instant::now();
    let out = k
        .run_within(
            ["delete", "pod", "vault-0", "-n", "vault"],
            Duration::from_secs(60),
        )
        .expect("kubectl delete pod returns");
    assert!(out.status.success(), "{out:?}");
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "deleted in {:?}: before one kubelet relist",
        started.elapsed()
    );
    sb.wait_until("a new vault-0", Duration::from_secs(60), || {
        k.json(["get", "pod", "vault-0", "-n", "vault"])
            .is_ok_and(|p| p["metadata"]["uid"] != uid.as_str())
    })
    .expect("pod re-created");
    wait_exec(&sb, &k, "vault-0");
    let ls = exec(&k, "vault-0", "ls -A /tmp /home/vault").unwrap();
    assert!(
        !ls.contains("marker"),
        "a re-created pod starts empty: {ls}"
    );
    // The claim volume is not an emptyDir: the data is still there.
    assert!(
        exec(&k, "vault-0", "ls /vault/data")
            .unwrap()
            .contains("raft")
    );
}

#[test]
fn config_map_changes_reach_the_pod_and_kubectl_cp_works_both_ways() {
    let sb = common::sandbox("pods-configmap-cp", 1);
    let k = sb.kubectl();
    let path = "/vault/config/extraconfig-from-values.hcl";
    let before = exec(&k, "vault-0", &format!("cat {path}")).expect("read config");
    assert!(before.contains("storage \"raft\""), "{before}");
    let mut cm = k
        .json(["get", "configmap", "vault-config", "-n", "vault"])
        .expect("get configmap");
    let changed = format!("{before}\n# changed by the test\n");
    cm["data"]["extraconfig-from-values.hcl"] = changed.clone().into();
    let file = sb.dir().join("cm.json");
    std::fs::write(&file, cm.to_string()).unwrap();
    k.ok(["replace", "-f", file.to_str().unwrap()])
        .expect("kubectl replace configmap");
    sb.wait_until(
        "the pod sees the new config",
        Duration::from_secs(10),
        || exec(&k, "vault-0", &format!("cat {path}")).is_ok_and(|c| c == changed),
    )
    .expect("the ConfigMap volume follows the object");
    // The volume is read-only, as the kubelet mounts it.
    assert!(exec(&k, "vault-0", &format!("echo x >> {path}")).is_err());

    // kubectl cp runs tar in the pod through exec, streaming stdin and stdout.
    let payload: Vec<u8> = (0..300_000u32).map(|i| (i * 7919 % 251) as u8).collect();
    let local = sb.dir().join("cp-in.bin");
    std::fs::write(&local, &payload).unwrap();
    k.ok(["cp", local.to_str().unwrap(), "vault/vault-0:/tmp/cp.bin"])
        .expect("kubectl cp to the pod");
    let sum = exec(&k, "vault-0", "sha256sum /tmp/cp.bin").unwrap();
    let local_sum = String::from_utf8(
        std::process::Command::new("sha256sum")
            .arg(&local)
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        sum.split_whitespace().next(),
        local_sum.split_whitespace().next()
    );
    let back = sb.dir().join("cp-out.bin");
    k.ok(["cp", "vault/vault-0:/tmp/cp.bin", back.to_str().unwrap()])
        .expect("kubectl cp from the pod");
    assert_eq!(std::fs::read(&back).unwrap(), payload);
}
