//! The real `kubectl` against a sandbox, running the runbook's commands as written, one test
//! per section ("Vault is Sealed" with "Vault Leader Election Failure", "High Memory Usage",
//! "Secret Leak Response", "Storage Backend Issues", "Complete Cluster Failure"). Results are
//! checked through kubectl and through the Vault API at the pods' addresses.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;
use vault_sandbox::{Fault, Kubectl, Sandbox};

fn start(name: &str) -> Sandbox {
    sandbox(name, 3)
}

/// The runbook's three `kubectl exec -n vault POD -- vault operator unseal <key-N>` (the keys
/// are in argv because the runbook puts them there). Returns the last output.
fn unseal_through_exec(sb: &Sandbox, k: &Kubectl, pod: &str) -> String {
    let keys = sb.unseal_keys();
    assert!(keys.len() >= 3, "init.json holds {} keys", keys.len());
    let mut last = String::new();
    for key in &keys[..3] {
        last = exec_ok(k, pod, &["vault", "operator", "unseal", key]);
    }
    last
}

/// The runbook's `vault lease revoke -prefix -force PREFIX` through exec on vault-0.
fn force_revoke_prefix(k: &Kubectl, prefix: &str) {
    let text = exec_ok(
        k,
        "vault-0",
        &["vault", "lease", "revoke", "-prefix", "-force", prefix],
    );
    assert!(text.contains("Force revoked"), "{text}");
}

/// The raft servers as vault-0 reports them through the Vault API (root token).
fn raft_servers(sb: &Sandbox) -> Vec<Value> {
    let (code, body) = sb
        .vault(
            0,
            "GET",
            "sys/storage/raft/configuration",
            Some(&sb.root_token()),
            None,
        )
        .expect("raft configuration");
    assert_eq!(code, 200, "raft configuration: {body}");
    body["data"]["config"]["servers"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn is_voter(sb: &Sandbox, node: &str) -> bool {
    raft_servers(sb)
        .iter()
        .any(|s| s["node_id"] == node && s["voter"] == true)
}

fn sealed(sb: &Sandbox, ordinal: u32) -> Option<bool> {
    sb.seal_status(ordinal).ok()?["sealed"].as_bool()
}

fn assert_all_running_ready(k: &Kubectl) {
    let pods = pods_table(k);
    let names: Vec<&str> = pods.iter().map(|r| r["NAME"].as_str()).collect();
    assert_eq!(names, ["vault-0", "vault-1", "vault-2"], "{pods:#?}");
    for p in &pods {
        assert_eq!(
            (p["READY"].as_str(), p["STATUS"].as_str()),
            ("1/1", "Running"),
            "{pods:#?}"
        );
    }
}

/// The cluster as `kubectl get` shows it, then the runbook's commands
/// for a sealed Vault and a failed leader election, in order, on one cluster.
#[test]
fn runbook_sealed_and_leader_election() {
    let sb = start("runbook");
    let k = sb.kubectl();

    // 1. `kubectl get pods -n vault`: three pods 1/1 Running, with the table's columns.
    let pods = pods_table(&k);
    assert_eq!(pods.len(), 3, "{pods:#?}");
    assert_all_running_ready(&k);
    for p in &pods {
        assert_eq!(p["RESTARTS"], "0", "{pods:#?}");
        assert!(!p["AGE"].is_empty(), "{pods:#?}");
    }
    // `kubectl get statefulset,pvc -n vault`: sts/vault 3/3 and three Bound claims.
    let text = k
        .ok(["get", "statefulset,pvc", "-n", "vault"])
        .expect("get sts,pvc");
    let t = tables(&text);
    assert_eq!(t.len(), 2, "{text}");
    assert_eq!(t[0].len(), 1, "{text}");
    assert_eq!(
        row(&t[0], "statefulset.apps/vault")["READY"],
        "3/3",
        "{text}"
    );
    assert_eq!(t[1].len(), 3, "{text}");
    for i in 0..3 {
        let pvc = row(&t[1], &format!("persistentvolumeclaim/data-vault-{i}"));
        assert_eq!(pvc["STATUS"], "Bound", "{text}");
        assert!(!pvc["CAPACITY"].is_empty(), "{text}");
    }

    // Vault is Sealed, step 1: `kubectl exec -n vault vault-0 -- vault status`.
    let status = exec_ok(&k, "vault-0", &["vault", "status"]);
    assert_eq!(field(&status, "Sealed"), Some("false"), "{status}");
    assert_eq!(field(&status, "Initialized"), Some("true"), "{status}");
    // `kubectl logs -n vault vault-0 --tail=100 | grep -i seal`.
    let logs = k
        .ok(["logs", "-n", "vault", "vault-0", "--tail=100"])
        .expect("kubectl logs");
    let lines = logs.lines().count();
    assert!((1..=100).contains(&lines), "{lines} log lines:\n{logs}");
    assert!(
        logs.lines().any(|l| l.to_lowercase().contains("seal")),
        "no line matching /seal/i in:\n{logs}"
    );

    // Step 3 (Shamir): seal vault-1, then three `vault operator unseal <key>` through exec.
    sb.fault(Fault::Seal, "vault-1").expect("seal vault-1");
    assert_eq!(sealed(&sb, 1), Some(true), "vault-1 after sys/seal");
    wait_for("vault-1 to show 0/1", Duration::from_secs(20), || {
        row(&pods_table(&k), "vault-1")["READY"] == "0/1"
    });
    let sealed_status = exec(&k, "vault-1", &["vault", "status"]);
    assert_eq!(
        sealed_status.status.code(),
        Some(2),
        "`vault status` exits 2 on a sealed node: {}",
        show(&sealed_status)
    );
    assert_eq!(field(&stdout(&sealed_status), "Sealed"), Some("true"));
    let last = unseal_through_exec(&sb, &k, "vault-1");
    assert_eq!(field(&last, "Sealed"), Some("false"), "{last}");
    kubectl_wait_ready(&k, "vault-1");
    assert_eq!(row(&pods_table(&k), "vault-1")["READY"], "1/1");
    assert_eq!(
        sealed(&sb, 1),
        Some(false),
        "vault-1 seal-status after unseal"
    );

    // Leader Election Failure, step 1: the `for pod in vault-0 vault-1 vault-2` loop of
    // `vault operator raft list-peers`, as written, after a `vault login` on each pod.
    for pod in ["vault-0", "vault-1", "vault-2"] {
        login(&sb, &k, pod);
    }
    let script = r#"
for pod in vault-0 vault-1 vault-2; do
  echo "=== $pod ==="
  kubectl exec -n vault $pod -- vault operator raft list-peers 2>/dev/null || echo "Failed"
done
"#;
    let out = host_sh(&sb, script);
    let text = stdout(&out);
    assert!(out.status.success(), "the list-peers loop: {}", show(&out));
    assert!(!text.contains("Failed"), "{text}");
    let sections: Vec<&str> = text.split("=== ").skip(1).collect();
    assert_eq!(sections.len(), 3, "{text}");
    for (i, section) in sections.iter().enumerate() {
        assert!(section.starts_with(&format!("vault-{i} ===")), "{text}");
        let peers: Vec<&str> = section
            .lines()
            .filter(|l| l.starts_with("vault-") && l.trim_end().ends_with("true"))
            .collect();
        assert_eq!(peers.len(), 3, "vault-{i} lists 3 voters:\n{text}");
        assert_eq!(
            section.lines().filter(|l| l.contains(" leader ")).count(),
            1,
            "one leader:\n{text}"
        );
    }

    // Step 5: `kubectl delete pod -n vault vault-2`; unseal it; `kubectl wait … ready`.
    let old_uid = pod_uid(&pod_json(&k, "vault-2").expect("vault-2"));
    let out = k
        .ok(["delete", "pod", "-n", "vault", "vault-2"])
        .expect("delete vault-2");
    assert!(out.contains("pod \"vault-2\" deleted"), "{out}");
    wait_for("vault-2 to be recreated", Duration::from_secs(30), || {
        pod_json(&k, "vault-2").is_some_and(|p| pod_uid(&p) != old_uid)
    });
    wait_for(
        "vault-2's server to answer",
        Duration::from_secs(30),
        || sealed(&sb, 2).is_some(),
    );
    assert_eq!(
        sealed(&sb, 2),
        Some(true),
        "a recreated pod comes back sealed"
    );
    unseal_through_exec(&sb, &k, "vault-2");
    kubectl_wait_ready(&k, "vault-2");
    assert_eq!(sealed(&sb, 2), Some(false));

    // `vault operator raft join`: vault-2 loses its volume, the leader drops its peer, and
    // vault-2 joins again at vault-0's pod address (cluster DNS names cannot resolve here).
    sb.fault(Fault::LoseVolume, "vault-2")
        .expect("lose vault-2's volume");
    wait_for(
        "vault-2 to come back uninitialised",
        Duration::from_secs(30),
        || {
            sb.seal_status(2)
                .is_ok_and(|s| s["initialized"] == false && s["sealed"] == true)
        },
    );
    let out = exec_ok(
        &k,
        "vault-0",
        &["vault", "operator", "raft", "remove-peer", "vault-2"],
    );
    assert!(out.contains("Peer removed successfully"), "{out}");
    assert!(
        !raft_servers(&sb).iter().any(|s| s["node_id"] == "vault-2"),
        "vault-2 still in the raft configuration"
    );
    let vault0 = pod_json(&k, "vault-0").expect("vault-0");
    let ip = vault0["status"]["podIP"].as_str().expect("vault-0's podIP");
    let join = format!("https://{ip}:8200");
    let out = exec_ok(&k, "vault-2", &["vault", "operator", "raft", "join", &join]);
    assert_eq!(field(&out, "Joined"), Some("true"), "{out}");
    unseal_through_exec(&sb, &k, "vault-2");
    kubectl_wait_ready(&k, "vault-2");
    wait_for(
        "vault-2 to be a raft voter again",
        Duration::from_secs(60),
        || is_voter(&sb, "vault-2"),
    );
    let servers = raft_servers(&sb);
    assert_eq!(servers.len(), 3, "{servers:#?}");
    assert!(servers.iter().all(|s| s["voter"] == true), "{servers:#?}");
    assert_all_running_ready(&k);
}

/// A deleted pod comes back with a new UID, sealed (0/1); unsealing it through
/// exec makes it 1/1 and it is back in the raft configuration.
#[test]
fn deleted_pod_is_recreated_sealed_and_rejoins() {
    let sb = start("delete-pod");
    let k = sb.kubectl();
    let old = pod_json(&k, "vault-1").expect("vault-1");
    let old_uid = pod_uid(&old);
    assert!(!old_uid.is_empty());

    let out = k
        .ok(["delete", "pod", "-n", "vault", "vault-1"])
        .expect("delete vault-1");
    assert!(out.contains("pod \"vault-1\" deleted"), "{out}");
    wait_for(
        "vault-1 to be recreated with a new UID",
        Duration::from_secs(30),
        || pod_json(&k, "vault-1").is_some_and(|p| pod_uid(&p) != old_uid),
    );
    wait_for("the new vault-1 to answer", Duration::from_secs(30), || {
        sealed(&sb, 1).is_some()
    });
    assert_eq!(
        sealed(&sb, 1),
        Some(true),
        "sys/seal-status of the new vault-1"
    );
    let pod = pod_json(&k, "vault-1").expect("vault-1");
    assert!(!pod_ready(&pod), "a sealed pod is not Ready: {pod:#}");
    let r = row(&pods_table(&k), "vault-1").clone();
    assert_eq!(
        (r["READY"].as_str(), r["STATUS"].as_str()),
        ("0/1", "Running"),
        "{r:?}"
    );
    let sts_ready = || {
        let sts = table(
            &k.ok(["get", "statefulset", "-n", "vault"])
                .expect("get sts"),
        );
        row(&sts, "vault")["READY"].clone()
    };
    wait_for("sts/vault 2/3", Duration::from_secs(10), || {
        sts_ready() == "2/3"
    });

    let last = unseal_through_exec(&sb, &k, "vault-1");
    assert_eq!(field(&last, "Sealed"), Some("false"), "{last}");
    kubectl_wait_ready(&k, "vault-1");
    assert_eq!(row(&pods_table(&k), "vault-1")["READY"], "1/1");
    assert_eq!(sealed(&sb, 1), Some(false));
    wait_for(
        "vault-1 in the raft configuration as a voter",
        Duration::from_secs(30),
        || is_voter(&sb, "vault-1"),
    );
    wait_for("sts/vault 3/3", Duration::from_secs(10), || {
        sts_ready() == "3/3"
    });
    assert_all_running_ready(&k);
}

#[test]
fn parses_kubectl_tables() {
    let text = "NAME      READY   STATUS    RESTARTS     AGE\n\
                vault-0   1/1     Running   0            32s\n\
                vault-2   0/1     Running   1 (8s ago)   11s\n\
                \n\
                NAME                                 STATUS   ACCESS MODES   AGE\n\
                persistentvolumeclaim/data-vault-0   Bound    RWO            7s\n";
    let t = tables(text);
    assert_eq!(t.len(), 2);
    assert_eq!(row(&t[0], "vault-2")["RESTARTS"], "1 (8s ago)");
    assert_eq!(row(&t[0], "vault-0")["READY"], "1/1");
    assert_eq!(
        row(&t[1], "persistentvolumeclaim/data-vault-0")["ACCESS MODES"],
        "RWO"
    );
}

/// kubectl 1.30 and later (WebSocket exec) all read the sandbox: the versions that sit beside
/// the `kubectl` on PATH on these machines.
#[test]
fn kubectl_versions_1_30_to_1_33_get_and_exec() {
    let sb = sandbox("kubectl-versions", 1);
    let kubectl = which("kubectl").expect("kubectl on PATH");
    let dir = std::fs::canonicalize(&kubectl).expect("resolve kubectl");
    let dir = dir.parent().expect("kubectl's directory");
    for version in ["1.30", "1.31", "1.32", "1.33"] {
        let bin = dir.join(format!("kubectl.{version}"));
        assert!(bin.exists(), "{} is missing", bin.display());
        let k = sb.kubectl().with_binary(bin.to_str().unwrap());
        let rows = pods_table(&k);
        assert_eq!(
            row(&rows, "vault-0")["READY"],
            "1/1",
            "kubectl {version}: {rows:?}"
        );
        let status = exec_ok(&k, "vault-0", &["vault", "status"]);
        assert_eq!(
            field(&status, "Sealed"),
            Some("false"),
            "kubectl {version}:\n{status}"
        );
    }
}

fn which(name: &str) -> Option<std::path::PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.exists())
}

/// The chart's `updateStrategy: OnDelete`: the runbook's `kubectl rollout restart` changes the
/// template but restarts nothing, `kubectl rollout status` refuses, and a deleted pod comes
/// back from the new template.
#[test]
fn on_delete_update_strategy_restarts_nothing_until_pods_are_deleted() {
    let sb = sandbox("on-delete", 1);
    let k = sb.kubectl();
    let sts = || {
        k.json(["get", "statefulset", "vault", "-n", "vault"])
            .expect("get sts")
    };
    assert_eq!(sts()["spec"]["updateStrategy"]["type"], "OnDelete");
    let before = pod_json(&k, "vault-0").expect("vault-0");
    let old_revision = before["metadata"]["labels"]["controller-revision-hash"].clone();

    let out = k
        .ok(["rollout", "restart", "statefulset/vault", "-n", "vault"])
        .expect("kubectl rollout restart");
    assert!(out.contains("restarted"), "{out}");
    wait_for("a new update revision", Duration::from_secs(10), || {
        let s = sts();
        s["status"]["updateRevision"] != old_revision && s["status"]["updatedReplicas"] == 0
    });
    // Give the controller a few rounds (it reconciles every 500 ms): nothing restarts.
    std::thread::sleep(Duration::from_secs(2));
    let same = pod_json(&k, "vault-0").expect("vault-0");
    assert_eq!(pod_uid(&same), pod_uid(&before), "OnDelete restarted a pod");
    let status = k.run(["rollout", "status", "statefulset/vault", "-n", "vault"]);
    assert!(!status.status.success(), "{}", show(&status));
    assert!(
        String::from_utf8_lossy(&status.stderr).contains("only available for RollingUpdate"),
        "{}",
        show(&status)
    );

    k.ok(["delete", "pod", "-n", "vault", "vault-0"])
        .expect("delete vault-0");
    wait_for(
        "vault-0 recreated from the new template",
        Duration::from_secs(30),
        || {
            pod_json(&k, "vault-0").is_some_and(|p| {
                pod_uid(&p) != pod_uid(&before)
                    && p["metadata"]["labels"]["controller-revision-hash"]
                        == sts()["status"]["updateRevision"]
            })
        },
    );
    wait_for("updatedReplicas 1", Duration::from_secs(10), || {
        sts()["status"]["updatedReplicas"] == 1
    });
}

/// Readiness follows the probe in the pod spec: with the chart's own timings (every 5 s, two
/// failures in a row before not ready), a sealed pod still shows 1/1 for more than one period,
/// then 0/1; the sandbox's own template (every second) reports it within a few seconds.
#[test]
fn readiness_follows_the_probe_in_the_pod_spec() {
    let sb = start("probe-spec");
    let k = sb.kubectl();
    let ready_column = |pod: &str| row(&pods_table(&k), pod)["READY"].clone();

    // The sandbox's template: sealed → 0/1 within a few seconds.
    let t = Instant::now();
    sb.fault(Fault::Seal, "vault-2").expect("seal vault-2");
    wait_for("vault-2 to show 0/1", Duration::from_secs(20), || {
        ready_column("vault-2") == "0/1"
    });
    let fast = t.elapsed();
    assert!(fast < Duration::from_secs(6), "took {fast:?}");

    // The chart's timings, through the StatefulSet (OnDelete: the re-created pod takes them).
    let patch = r#"[{"op":"replace","path":"/spec/template/spec/containers/0/readinessProbe/periodSeconds","value":5},
                    {"op":"replace","path":"/spec/template/spec/containers/0/readinessProbe/initialDelaySeconds","value":5}]"#;
    json_patch_sts(&k, patch);
    let old = pod_uid(&pod_json(&k, "vault-1").expect("vault-1"));
    k.ok(["delete", "pod", "-n", "vault", "vault-1"])
        .expect("delete vault-1");
    wait_for("vault-1 re-created", Duration::from_secs(30), || {
        pod_json(&k, "vault-1").is_some_and(|p| pod_uid(&p) != old)
    });
    let pod = pod_json(&k, "vault-1").expect("vault-1");
    assert_eq!(
        pod["spec"]["containers"][0]["readinessProbe"]["periodSeconds"], 5,
        "{pod:#}"
    );
    wait_for("the new vault-1 to answer", Duration::from_secs(30), || {
        sealed(&sb, 1).is_some()
    });
    unseal_through_exec(&sb, &k, "vault-1");
    kubectl_wait_ready(&k, "vault-1");
    let t = Instant::now();
    sb.fault(Fault::Seal, "vault-1").expect("seal vault-1");
    wait_for("vault-1 to show 0/1", Duration::from_secs(30), || {
        ready_column("vault-1") == "0/1"
    });
    let slow = t.elapsed();
    assert!(
        slow > Duration::from_secs(4),
        "two failed probes 5 s apart cannot take {slow:?}"
    );
}

/// The runbook's "Secret Leak Response", command by command, on one pod with the chart's audit
/// volume. Where a command as written cannot work on the chart or on OpenBao, the test pins how
/// it fails (as it would on a real cluster) and then runs the form that works.
#[test]
fn runbook_secret_leak_response() {
    let sb = sandbox_with(
        "runbook-leak",
        vault_sandbox::Options {
            nodes: 1,
            audit: true,
            ..vault_sandbox::Options::default()
        },
    );
    let k = sb.kubectl();
    let root = sb.root_token();
    login(&sb, &k, "vault-0");
    exec_ok(
        &k,
        "vault-0",
        &["vault", "secrets", "enable", "-path=secret", "kv-v2"],
    );
    // A new KV v2 mount refuses writes for a moment while it upgrades its storage.
    wait_for(
        "a write to the new KV mount",
        Duration::from_secs(30),
        || {
            exec(
                &k,
                "vault-0",
                &[
                    "vault",
                    "kv",
                    "put",
                    "secret/proxy/credentials/compromised",
                    "api_key=leaked",
                ],
            )
            .status
            .success()
        },
    );
    // The leaked token, probing where its policy does not reach: the audit log records it.
    let created = exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "token",
            "create",
            "-policy=default",
            "-format=json",
        ],
    );
    let created: Value = serde_json::from_str(&created).expect("token create JSON");
    let leaked = created["auth"]["client_token"].as_str().expect("a token");
    let path = "secret/data/proxy/credentials/compromised";
    let (code, _) = sb.vault(0, "GET", path, Some(leaked), None).unwrap();
    assert_eq!(code, 403);

    // 1. The audit log, as the runbook greps it: the chart's audit volume is /vault/audit, not
    //    /vault/logs, so the runbook's path finds nothing; the chart's path holds the denial.
    let grep = |file: &str| {
        host_sh(
            &sb,
            &format!(
                r#"kubectl exec -n vault vault-0 -- cat {file} | grep -i "error\|unauthorized""#
            ),
        )
    };
    let out = grep("/vault/logs/audit.log");
    assert!(!out.status.success(), "{}", show(&out));
    assert!(stderr(&out).contains("No such file"), "{}", show(&out));
    let out = grep("/vault/audit/audit.log");
    assert!(out.status.success(), "{}", show(&out));
    assert!(stdout(&out).contains("permission denied"), "{}", show(&out));
    // `vault read sys/metrics | jq '.data.token'`: the CLI prints a table, which jq cannot
    // parse; with -format=json the metrics are there.
    let out = host_sh(
        &sb,
        "kubectl exec -n vault vault-0 -- vault read sys/metrics | jq '.data.token'",
    );
    assert!(!out.status.success(), "{}", show(&out));
    assert!(stderr(&out).contains("parse error"), "{}", show(&out));
    let out = host_sh(
        &sb,
        "kubectl exec -n vault vault-0 -- vault read -format=json sys/metrics \
         | jq -e '.data | (.Gauges | type == \"array\") and (.Counters | type == \"array\")'",
    );
    // The shape, not a count: a fresh server has emitted few gauges yet (one, on a loaded
    // CI machine).
    assert!(out.status.success(), "{}", show(&out));

    // 2. Revoke: the secret's metadata (all versions), the leases under the path, the token.
    exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "kv",
            "metadata",
            "delete",
            "secret/proxy/credentials/compromised",
        ],
    );
    let (code, body) = sb
        .vault(
            0,
            "GET",
            "secret/metadata/proxy/credentials/compromised",
            Some(&root),
            None,
        )
        .unwrap();
    assert_eq!(code, 404, "{body}");
    force_revoke_prefix(&k, "secret/proxy/credentials/");
    exec_ok(&k, "vault-0", &["vault", "token", "revoke", leaked]);
    let (code, _) = sb
        .vault(0, "GET", "auth/token/lookup-self", Some(leaked), None)
        .unwrap();
    assert_eq!(code, 403, "the revoked token still works");

    // 4. `vault policy write proxy-api - <<EOF` through `kubectl exec` without -i: kubectl
    //    never passes the here-document on, so the policy is empty and refused; with -i it works.
    let write = |flags: &str| {
        host_sh(
            &sb,
            &format!(
                r#"kubectl exec {flags}-n vault vault-0 -- vault policy write proxy-api - <<EOF
path "secret/data/proxy/database/main-db" {{
  capabilities = ["read"]
}}
EOF"#
            ),
        )
    };
    let out = write("");
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        stderr(&out).contains("'policy' parameter not supplied or empty"),
        "{}",
        show(&out)
    );
    let out = write("-i ");
    assert!(out.status.success(), "{}", show(&out));
    let text = exec_ok(&k, "vault-0", &["vault", "policy", "read", "proxy-api"]);
    assert!(
        text.contains("secret/data/proxy/database/main-db"),
        "{text}"
    );
    let (code, body) = sb
        .vault(0, "GET", "sys/policies/acl/proxy-api", Some(&root), None)
        .unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(
        body["data"]["policy"]
            .as_str()
            .unwrap_or_default()
            .contains("main-db"),
        "{body}"
    );

    // 5. `vault audit enable file …`: OpenBao refuses audit devices through the API (they are
    //    declared in the server configuration: `kubectl vault-revoke audit-enable`).
    let out = exec(
        &k,
        "vault-0",
        &[
            "vault",
            "audit",
            "enable",
            "file",
            "file_path=/vault/logs/audit-detailed.log",
            "log_raw=true",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        stderr(&out).contains("cannot enable audit device via API"),
        "{}",
        show(&out)
    );
    let (_, devices) = sb.vault(0, "GET", "sys/audit", Some(&root), None).unwrap();
    assert_eq!(
        devices["data"].as_object().map(|d| d.len()),
        Some(1),
        "{devices:#}"
    );
}

/// The runbook's "High Memory Usage", command by command, on one pod. Where a command as
/// written cannot work on the chart or on OpenBao, the test pins how it fails (as it would on
/// a real cluster) and runs the form that works.
#[test]
fn runbook_high_memory_usage() {
    let sb = sandbox("runbook-memory", 1);
    let k = sb.kubectl();
    let root = sb.root_token();
    login(&sb, &k, "vault-0");

    // 1. `kubectl top pod -n vault`: the pod's working set from the metrics API.
    let top = table(&k.ok(["top", "pod", "-n", "vault"]).expect("kubectl top"));
    let memory = row(&top, "vault-0")["MEMORY(bytes)"].clone();
    assert!(memory.ends_with("Mi"), "{top:?}");
    // `vault debug -output=/tmp/debug` (shortened from its 2-minute default): it writes a
    // compressed bundle, /tmp/debug.tar.gz, so the runbook's `kubectl cp …:/tmp/debug` has
    // nothing to copy.
    let text = exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "debug",
            "-output=/tmp/debug",
            "-duration=5s",
            "-interval=5s",
        ],
    );
    assert!(text.contains("/tmp/debug.tar.gz"), "{text}");
    exec_ok(&k, "vault-0", &["ls", "/tmp/debug.tar.gz"]);
    let dest = sb.dir().join("vault-debug");
    // kubectl's exit code races here (the remote tar's failure may come after the local
    // extraction ended), so what counts is that nothing arrives.
    let out = k.run(["cp", "vault/vault-0:/tmp/debug", dest.to_str().unwrap()]);
    assert!(!dest.exists(), "{}", show(&out));
    let bundle = sb.dir().join("vault-debug.tar.gz");
    k.ok([
        "cp",
        "vault/vault-0:/tmp/debug.tar.gz",
        bundle.to_str().unwrap(),
    ])
    .expect("kubectl cp the bundle");
    let listing = std::process::Command::new("tar")
        .arg("tzf")
        .arg(&bundle)
        .output()
        .expect("tar tzf");
    assert!(
        stdout(&listing).contains("index.json"),
        "{}",
        show(&listing)
    );

    // 2. `wget -qO- http://localhost:9090/metrics`: the chart's configuration has no metrics
    //    listener on 9090, so nothing answers; the same gauges come from sys/metrics.
    let out = exec(
        &k,
        "vault-0",
        &["wget", "-qO-", "http://localhost:9090/metrics"],
    );
    assert!(!out.status.success(), "{}", show(&out));
    // The expiration manager reports its gauge some seconds after the server starts.
    let gauges = || -> Vec<String> {
        let (_, metrics) = sb
            .vault(0, "GET", "sys/metrics", Some(&root), None)
            .unwrap();
        metrics["Gauges"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|g| g["Name"].as_str().map(str::to_string))
            .collect()
    };
    wait_for("the runbook's two gauges", Duration::from_secs(60), || {
        let names = gauges();
        ["vault.runtime.num_goroutines", "vault.expire.num_leases"]
            .iter()
            .all(|n| names.iter().any(|g| g == n))
    });

    // 3. `vault lease revoke -prefix -force auth/token/`: every token lease goes.
    for _ in 0..5 {
        exec_ok(
            &k,
            "vault-0",
            &["vault", "token", "create", "-ttl=1h", "-format=json"],
        );
    }
    let leases = |sb: &Sandbox| {
        let (code, body) = sb
            .vault(
                0,
                "LIST",
                "sys/leases/lookup/auth/token/create/",
                Some(&root),
                None,
            )
            .unwrap();
        if code == 404 {
            0
        } else {
            body["data"]["keys"].as_array().map_or(0, Vec::len)
        }
    };
    assert_eq!(leases(&sb), 5);
    force_revoke_prefix(&k, "auth/token/");
    assert_eq!(leases(&sb), 0);
    // `vault debug -force-gc`: no such flag.
    let out = exec(&k, "vault-0", &["vault", "debug", "-force-gc"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stderr(&out).contains("flag provided but not defined: -force-gc"),
        "{}",
        show(&out)
    );

    // 4. The runbook's JSON patch replaces a limit the chart never sets (`resources: {}`): the
    //    API refuses it. Adding the limits works, and on the chart's OnDelete strategy
    //    `kubectl rollout status` refuses to wait and the running pod keeps its resources.
    let uid = pod_uid(&pod_json(&k, "vault-0").expect("vault-0"));
    let out = host_sh(
        &sb,
        r#"kubectl patch statefulset vault -n vault --type='json' -p='[{
  "op": "replace",
  "path": "/spec/template/spec/containers/0/resources/limits/memory",
  "value": "4Gi"
}]'"#,
    );
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        stderr(&out).contains("doc is missing path"),
        "{}",
        show(&out)
    );
    json_patch_sts(
        &k,
        r#"[{"op":"add","path":"/spec/template/spec/containers/0/resources/limits","value":{"memory":"4Gi"}}]"#,
    );
    let out = k.run(["rollout", "status", "statefulset/vault", "-n", "vault"]);
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        stderr(&out).contains("only available for RollingUpdate strategy type"),
        "{}",
        show(&out)
    );
    let pod = pod_json(&k, "vault-0").expect("vault-0");
    assert_eq!(pod_uid(&pod), uid, "OnDelete restarted the pod");
    assert!(
        pod["spec"]["containers"][0]["resources"]["limits"].is_null(),
        "{pod:#}"
    );
}

/// The runbook's `vault operator raft join LEADER` on vault-2 (it answers `Joined: true`),
/// then its three unseal commands, until vault-2 reports unsealed.
fn join_and_unseal_vault_2(sb: &Sandbox, k: &Kubectl, leader: &str) {
    let out = exec_ok(k, "vault-2", &["vault", "operator", "raft", "join", leader]);
    assert_eq!(field(&out, "Joined"), Some("true"), "{out}");
    unseal_through_exec(sb, k, "vault-2");
    wait_for("vault-2 unsealed", Duration::from_secs(60), || {
        sealed(sb, 2) == Some(false)
    });
}

/// The data row of `df -h PATH` in the pod: (filesystem, size, use%).
fn df_h(k: &Kubectl, pod: &str, path: &str) -> (String, String, String) {
    let text = exec_ok(k, pod, &["df", "-h", path]);
    let line = text.lines().nth(1).unwrap_or_else(|| panic!("{text}"));
    let cols: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(cols.len(), 6, "{text}");
    assert_eq!(cols[5], path, "{text}");
    (cols[0].into(), cols[1].into(), cols[4].into())
}

fn claim_json(k: &Kubectl, name: &str) -> Value {
    k.json(["get", "pvc", name, "-n", "vault"])
        .unwrap_or_else(|e| panic!("get pvc {name}: {e:#}"))
}

/// `kubectl wait --for=condition=ready pod/POD -n vault` as the runbook writes it (with a short
/// timeout): a sealed or uninitialised pod never becomes Ready, so it times out.
fn wait_ready_times_out(k: &Kubectl, pod: &str) {
    let out = k.run([
        "wait",
        "--for=condition=ready",
        &format!("pod/{pod}"),
        "-n",
        "vault",
        "--timeout=15s",
    ]);
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        stderr(&out).contains("timed out waiting for the condition"),
        "{}",
        show(&out)
    );
}

fn recreated(k: &Kubectl, pod: &str, old_uid: &str) {
    wait_for(
        &format!("{pod} re-created"),
        Duration::from_secs(60),
        || pod_json(k, pod).is_some_and(|p| pod_uid(&p) != old_uid),
    );
}

/// The runbook's "Storage Backend Issues", command by command, on three pods. Where a command
/// as written cannot work on the chart, the test pins how it fails (as it would on a real
/// cluster) and runs the form that works.
#[test]
fn runbook_storage_backend_issues() {
    let sb = start("runbook-storage");
    let k = sb.kubectl();
    let root = sb.root_token();
    login(&sb, &k, "vault-0");

    // 1. `vault operator raft list-peers` and `vault operator raft autopilot state`.
    let peers = exec_ok(&k, "vault-0", &["vault", "operator", "raft", "list-peers"]);
    let voters = peers
        .lines()
        .filter(|l| l.starts_with("vault-") && l.trim_end().ends_with("true"))
        .count();
    assert_eq!(voters, 3, "{peers}");
    assert_eq!(
        peers.lines().filter(|l| l.contains(" leader ")).count(),
        1,
        "{peers}"
    );
    let state = exec_ok(
        &k,
        "vault-0",
        &["vault", "operator", "raft", "autopilot", "state"],
    );
    assert_eq!(field(&state, "Healthy:"), Some("true"), "{state}");
    assert_eq!(field(&state, "Failure Tolerance:"), Some("1"), "{state}");

    // 2. `kubectl get pvc -n vault`: the chart's claims are data-vault-N, so the runbook's
    //    `kubectl describe pvc vault-storage` finds nothing; data-vault-0 is the one.
    let pvcs = table(&k.ok(["get", "pvc", "-n", "vault"]).expect("get pvc"));
    assert_eq!(pvcs.len(), 3, "{pvcs:#?}");
    for i in 0..3 {
        let r = row(&pvcs, &format!("data-vault-{i}"));
        assert_eq!(
            (r["STATUS"].as_str(), r["CAPACITY"].as_str()),
            ("Bound", "256Mi"),
            "{pvcs:#?}"
        );
    }
    let err = fails(&k, &["describe", "pvc", "vault-storage", "-n", "vault"]);
    assert!(
        err.contains("persistentvolumeclaims \"vault-storage\" not found"),
        "{err}"
    );
    let describe = k
        .ok(["describe", "pvc", "data-vault-0", "-n", "vault"])
        .expect("describe data-vault-0");
    assert!(
        describe.contains("256Mi") && describe.contains("vault-0"),
        "{describe}"
    );
    // `df -h /vault/data`: the claim's own filesystem.
    let (data_fs, size, used) = df_h(&k, "vault-0", "/vault/data");
    assert!(data_fs.starts_with("/dev/loop"), "{data_fs}");
    assert_ne!(used, "100%");

    // 3. The disk fills up. The runbook's cleanup of /vault/logs runs, but that directory is
    //    not on the data volume (the chart mounts nothing there), so it frees nothing.
    sb.fault(Fault::DiskFull, "vault-0")
        .expect("fill vault-0's disk");
    assert_eq!(df_h(&k, "vault-0", "/vault/data").2, "100%");
    exec_ok(
        &k,
        "vault-0",
        &[
            "find",
            "/vault/logs",
            "-name",
            "*.log",
            "-mtime",
            "+7",
            "-delete",
        ],
    );
    let (logs_fs, _, _) = df_h(&k, "vault-0", "/vault/logs");
    assert_ne!(logs_fs, data_fs, "/vault/logs is on the data volume");
    assert_eq!(df_h(&k, "vault-0", "/vault/data").2, "100%");
    // The runbook's patch names a claim that does not exist.
    let out = host_sh(
        &sb,
        r#"kubectl patch pvc vault-storage -n vault -p '{"spec":{"resources":{"requests":{"storage":"100Gi"}}}}'"#,
    );
    assert!(!out.status.success(), "{}", show(&out));
    assert!(
        stderr(&out).contains("persistentvolumeclaims \"vault-storage\" not found"),
        "{}",
        show(&out)
    );
    // The same patch on data-vault-0, at a size for the sandbox's machine (512Mi, not 100Gi):
    // the volume grows; without online expansion the filesystem waits for a pod restart
    // (FileSystemResizePending) and df shows the old size until then.
    let out = host_sh(
        &sb,
        r#"kubectl patch pvc data-vault-0 -n vault -p '{"spec":{"resources":{"requests":{"storage":"512Mi"}}}}'"#,
    );
    assert!(out.status.success(), "{}", show(&out));
    wait_for("the volume expanded", Duration::from_secs(30), || {
        claim_json(&k, "data-vault-0")["status"]["allocatedResources"]["storage"] == "512Mi"
    });
    let c = claim_json(&k, "data-vault-0");
    if c["status"]["capacity"]["storage"] != "512Mi" {
        assert!(
            c["status"]["conditions"]
                .to_string()
                .contains("FileSystemResizePending"),
            "{c:#}"
        );
        if !vault_sandbox::kubelet::can_resize_online() {
            // (With online expansion the kubelet may be growing it right now.)
            assert_eq!(df_h(&k, "vault-0", "/vault/data").1, size);
            let uid = pod_uid(&pod_json(&k, "vault-0").expect("vault-0"));
            k.ok(["delete", "pod", "-n", "vault", "vault-0"])
                .expect("restart vault-0");
            recreated(&k, "vault-0", &uid);
            wait_for(
                "vault-0's server to answer",
                Duration::from_secs(60),
                || sealed(&sb, 0).is_some(),
            );
            unseal_through_exec(&sb, &k, "vault-0");
            kubectl_wait_ready(&k, "vault-0");
            login(&sb, &k, "vault-0");
        }
    }
    wait_for("capacity 512Mi", Duration::from_secs(60), || {
        let c = claim_json(&k, "data-vault-0");
        c["status"]["capacity"]["storage"] == "512Mi" && c["status"]["conditions"].is_null()
    });
    let (_, grown, used) = df_h(&k, "vault-0", "/vault/data");
    assert_ne!(grown, size, "df after the resize");
    assert_ne!(used, "100%", "df after the resize");

    // 4. The snapshot, copied out with `kubectl cp`: a gzipped archive of the raft state.
    //    OpenBao takes it on the pod asked (vault-0 may be a standby now). Observed: a server
    //    that has just restarted from its own snapshot and applied nothing since answers 500
    //    "nothing new to snapshot", and right after the leader's restart a standby may answer
    //    "active cluster node not found" for a moment; a write through vault-0 (forwarded to
    //    the active node) settles both.
    let write = |n: u32| {
        let body = serde_json::json!({"policy": format!("# write {n}")});
        sb.vault(0, "PUT", "sys/policies/acl/nudge", Some(&root), Some(&body))
            .is_ok_and(|(code, _)| code < 300)
    };
    let mut n = 0;
    wait_for("a write through vault-0", Duration::from_secs(60), || {
        n += 1;
        write(n)
    });
    wait_for(
        "a raft snapshot on vault-0",
        Duration::from_secs(60),
        || {
            let out = exec(
                &k,
                "vault-0",
                &[
                    "vault",
                    "operator",
                    "raft",
                    "snapshot",
                    "save",
                    "/tmp/emergency-backup.snap",
                ],
            );
            if out.status.success() {
                return true;
            }
            assert!(
                stderr(&out).contains("nothing new to snapshot"),
                "{}",
                show(&out)
            );
            n += 1;
            write(n);
            false
        },
    );
    let out = host_sh(
        &sb,
        "kubectl cp vault/vault-0:/tmp/emergency-backup.snap ./emergency-backup.snap",
    );
    assert!(out.status.success(), "{}", show(&out));
    let listing = std::process::Command::new("tar")
        .arg("tzf")
        .arg(sb.dir().join("emergency-backup.snap"))
        .output()
        .expect("tar tzf");
    let names = stdout(&listing);
    assert!(
        ["meta.json", "state.bin", "SHA256SUMS"]
            .iter()
            .all(|n| names.lines().any(|l| l == *n)),
        "{}",
        show(&listing)
    );

    // Remove vault-2, delete its pod: the runbook's `kubectl wait … ready` times out (the
    // re-created pod is sealed).
    let out = exec_ok(
        &k,
        "vault-0",
        &["vault", "operator", "raft", "remove-peer", "vault-2"],
    );
    assert!(out.contains("Peer removed successfully"), "{out}");
    assert!(!raft_servers(&sb).iter().any(|s| s["node_id"] == "vault-2"));
    let uid = pod_uid(&pod_json(&k, "vault-2").expect("vault-2"));
    k.ok(["delete", "pod", "-n", "vault", "vault-2"])
        .expect("delete vault-2");
    recreated(&k, "vault-2", &uid);
    wait_ready_times_out(&k, "vault-2");
    // `vault operator raft join https://vault-0.vault.svc.cluster.local:8200`: no such name
    // (pods have DNS names only under the headless service, vault-0.vault-internal), yet the
    // node, which kept its volume and so is initialised, answers `Joined: true` and does
    // nothing. Unsealed, it even turns Ready, while raft does not count it.
    let dns = exec(
        &k,
        "vault-2",
        &["getent", "hosts", "vault-0.vault.svc.cluster.local"],
    );
    assert!(!dns.status.success(), "{}", show(&dns));
    exec_ok(
        &k,
        "vault-2",
        &["getent", "hosts", "vault-0.vault-internal"],
    );
    join_and_unseal_vault_2(&sb, &k, "https://vault-0.vault.svc.cluster.local:8200");
    kubectl_wait_ready(&k, "vault-2");
    // The leader's configuration does not take it back (looked at for some seconds: a join
    // that had done anything would show within one autopilot round, 1 s here).
    for _ in 0..10 {
        let servers = raft_servers(&sb);
        assert!(
            !servers.iter().any(|s| s["node_id"] == "vault-2"),
            "{servers:#?}"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    // What works: vault-2's volume goes with its claim (`--wait=false`: pvc-protection holds
    // it while the pod runs), the pod is deleted, and the fresh node joins at vault-0's name
    // under the headless service, then is unsealed.
    let claim_uid = claim_json(&k, "data-vault-2")["metadata"]["uid"].clone();
    k.ok([
        "delete",
        "pvc",
        "data-vault-2",
        "-n",
        "vault",
        "--wait=false",
    ])
    .expect("delete data-vault-2");
    let uid = pod_uid(&pod_json(&k, "vault-2").expect("vault-2"));
    k.ok(["delete", "pod", "-n", "vault", "vault-2"])
        .expect("delete vault-2");
    recreated(&k, "vault-2", &uid);
    wait_for(
        "vault-2 to come back uninitialised",
        Duration::from_secs(60),
        || {
            sb.seal_status(2)
                .is_ok_and(|s| s["initialized"] == false && s["sealed"] == true)
        },
    );
    assert_ne!(claim_json(&k, "data-vault-2")["metadata"]["uid"], claim_uid);
    join_and_unseal_vault_2(&sb, &k, "https://vault-0.vault-internal:8200");
    kubectl_wait_ready(&k, "vault-2");
    wait_for(
        "vault-2 to be a raft voter again",
        Duration::from_secs(60),
        || is_voter(&sb, "vault-2"),
    );
    let servers = raft_servers(&sb);
    assert_eq!(servers.len(), 3, "{servers:#?}");
    assert_all_running_ready(&k);
}

fn claim_uids(k: &Kubectl) -> Vec<String> {
    k.json(["get", "pvc", "-n", "vault"]).expect("get pvc")["items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["metadata"]["uid"].as_str().unwrap_or("").to_string())
        .collect()
}

/// The runbook's "Complete Cluster Failure", the "complete data loss" path, command by command
/// on three pods. Where a command as written cannot work on the chart, the test pins how it
/// fails (as it would on a real cluster) and runs the form that works.
#[test]
fn runbook_complete_cluster_failure() {
    let sb = start("runbook-cluster-failure");
    let k = sb.kubectl();
    let old_root = sb.root_token();

    // 1. Assess: pods, claims (no `vault-storage` claim on the chart), events by time.
    assert_all_running_ready(&k);
    let pvcs = table(&k.ok(["get", "pvc", "-n", "vault"]).expect("get pvc"));
    assert_eq!(pvcs.len(), 3, "{pvcs:#?}");
    assert!(pvcs.iter().all(|r| r["STATUS"] == "Bound"), "{pvcs:#?}");
    let err = fails(&k, &["describe", "pvc", "vault-storage", "-n", "vault"]);
    assert!(
        err.contains("persistentvolumeclaims \"vault-storage\" not found"),
        "{err}"
    );
    let out = host_sh(
        &sb,
        "kubectl get events -n vault --sort-by='.lastTimestamp'",
    );
    assert!(out.status.success(), "{}", show(&out));
    let events = table(&stdout(&out));
    assert!(
        events
            .iter()
            .any(|e| e["OBJECT"] == "statefulset/vault" && e["REASON"] == "SuccessfulCreate"),
        "{events:#?}"
    );

    // 3. `kubectl delete pvc -n vault --all` as written waits for ever: pvc-protection keeps
    //    the claims Terminating while the pods use them.
    let pods_before: Vec<String> = (0..3)
        .map(|i| pod_uid(&pod_json(&k, &format!("vault-{i}")).expect("pod")))
        .collect();
    let claims_before = claim_uids(&k);
    let out = host_sh(&sb, "timeout 20 kubectl delete pvc -n vault --all");
    assert_eq!(out.status.code(), Some(124), "{}", show(&out));
    assert_eq!(
        stdout(&out).matches("\" deleted").count(),
        3,
        "{}",
        show(&out)
    );
    let text = k.ok(["get", "pvc", "-n", "vault"]).expect("get pvc");
    assert_eq!(text.matches("Terminating").count(), 3, "{text}");
    // `kubectl apply -f k8s/vault/storage.yaml`: there is no such file (the chart's claims
    // come from the StatefulSet's volumeClaimTemplates).
    let out = host_sh(&sb, "kubectl apply -f k8s/vault/storage.yaml");
    assert!(!out.status.success(), "{}", show(&out));
    assert!(stderr(&out).contains("does not exist"), "{}", show(&out));
    // `kubectl rollout restart`: accepted, but the chart's OnDelete strategy restarts nothing,
    // so the pods keep their claims and the claims stay Terminating.
    let out = k
        .ok(["rollout", "restart", "statefulset/vault", "-n", "vault"])
        .expect("rollout restart");
    assert!(out.contains("restarted"), "{out}");
    let sts = k
        .json(["get", "statefulset", "vault", "-n", "vault"])
        .expect("get sts");
    assert!(
        !sts["spec"]["template"]["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"]
            .is_null(),
        "{sts:#}"
    );
    // A real controller would have acted within a few seconds.
    std::thread::sleep(Duration::from_secs(5));
    let pods_now: Vec<String> = (0..3)
        .map(|i| pod_uid(&pod_json(&k, &format!("vault-{i}")).expect("pod")))
        .collect();
    assert_eq!(pods_now, pods_before, "OnDelete restarted a pod");
    let text = k.ok(["get", "pvc", "-n", "vault"]).expect("get pvc");
    assert_eq!(text.matches("Terminating").count(), 3, "{text}");
    // What works: delete the pods. The claims go with their data; the StatefulSet makes new
    // pods and new, empty claims; the servers come up uninitialised.
    k.ok(["delete", "pod", "-n", "vault", "--all"])
        .expect("delete the pods");
    for (i, uid) in pods_before.iter().enumerate() {
        recreated(&k, &format!("vault-{i}"), uid);
    }
    wait_for("three new claims", Duration::from_secs(60), || {
        let uids = claim_uids(&k);
        uids.len() == 3 && uids.iter().all(|u| !claims_before.contains(u))
    });
    wait_for(
        "three uninitialised servers",
        Duration::from_secs(60),
        || {
            (0..3).all(|i| {
                sb.seal_status(i)
                    .is_ok_and(|s| s["initialized"] == false && s["sealed"] == true)
            })
        },
    );
    // `kubectl wait … pod/vault-0`: an uninitialised pod is not Ready; it times out.
    wait_ready_times_out(&k, "vault-0");

    // Reinitialise, as written: the keys land in vault-init-new.json.
    let out = host_sh(
        &sb,
        "kubectl exec -n vault vault-0 -- vault operator init \\\n  -key-shares=5 -key-threshold=3 \\\n  -format=json > vault-init-new.json",
    );
    assert!(out.status.success(), "{}", show(&out));
    let init: Value = serde_json::from_str(
        &std::fs::read_to_string(sb.dir().join("vault-init-new.json")).expect("read init"),
    )
    .expect("init JSON");
    let keys: Vec<String> = init["unseal_keys_b64"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|k| k.as_str().expect("key").to_string())
        .collect();
    assert_eq!(
        (keys.len(), init["unseal_threshold"].as_u64()),
        (5, Some(3))
    );
    let root = init["root_token"].as_str().expect("root token").to_string();
    assert_ne!(root, old_root);
    // The runbook's unseal loop gives each pod one key: vault-0 reaches 1 of 3, and vault-1
    // and vault-2, never joined to vault-0, are not initialised at all.
    let out = host_sh(
        &sb,
        r#"for i in 0 1 2; do
  kubectl exec -n vault vault-$i -- vault operator unseal $(cat vault-init-new.json | jq -r ".unseal_keys_b64[$i]")
done"#,
    );
    assert!(!out.status.success(), "{}", show(&out));
    assert_eq!(
        stderr(&out).matches("Vault is not initialized").count(),
        2,
        "{}",
        show(&out)
    );
    let s0 = sb.seal_status(0).expect("vault-0 seal status");
    assert_eq!(
        (s0["sealed"].as_bool(), s0["progress"].as_u64()),
        (Some(true), Some(1)),
        "{s0}"
    );
    for i in 1..3 {
        assert_eq!(
            sb.seal_status(i).expect("seal status")["initialized"],
            false
        );
    }
    // What works: vault-0 gets the threshold; the others join it at its name under the headless
    // service, then each gets three keys.
    for key in &keys[1..3] {
        exec_ok(&k, "vault-0", &["vault", "operator", "unseal", key]);
    }
    wait_for("vault-0 to be active", Duration::from_secs(60), || {
        sb.vault(0, "GET", "sys/leader", None, None)
            .is_ok_and(|(_, l)| l["is_self"] == true)
    });
    for pod in ["vault-1", "vault-2"] {
        let out = exec_ok(
            &k,
            pod,
            &[
                "vault",
                "operator",
                "raft",
                "join",
                "https://vault-0.vault-internal:8200",
            ],
        );
        assert_eq!(field(&out, "Joined"), Some("true"), "{out}");
        for key in &keys[..3] {
            exec_ok(&k, pod, &["vault", "operator", "unseal", key]);
        }
    }
    for i in 0..3 {
        wait_for(
            &format!("vault-{i} unsealed"),
            Duration::from_secs(60),
            || sealed(&sb, i) == Some(false),
        );
        kubectl_wait_ready(&k, &format!("vault-{i}"));
    }
    wait_for("three raft voters", Duration::from_secs(60), || {
        sb.vault(
            0,
            "GET",
            "sys/storage/raft/configuration",
            Some(&root),
            None,
        )
        .is_ok_and(|(code, b)| {
            code == 200
                && b["data"]["config"]["servers"]
                    .as_array()
                    .is_some_and(|s| s.len() == 3 && s.iter().all(|s| s["voter"] == true))
        })
    });
    // The old root token died with the data; the new one works.
    let (code, _) = sb
        .vault(0, "GET", "auth/token/lookup-self", Some(&old_root), None)
        .unwrap();
    assert_eq!(code, 403);
    let (code, _) = sb
        .vault(0, "GET", "auth/token/lookup-self", Some(&root), None)
        .unwrap();
    assert_eq!(code, 200);

    // Reconfigure: `./k8s/vault/setup.sh` is not there; the KV mount it would make is made by
    // hand. Then the runbook's `vault kv put` with `openssl rand` run on the operator's machine.
    let out = host_sh(
        &sb,
        "export VAULT_NAMESPACE=vault\nexport PROXY_API_NAMESPACE=default\n./k8s/vault/setup.sh",
    );
    assert_eq!(out.status.code(), Some(127), "{}", show(&out));
    let out = host_sh(
        &sb,
        "jq -r .root_token vault-init-new.json | kubectl exec -i -n vault vault-0 -- vault login -",
    );
    assert!(out.status.success(), "{}", show(&out));
    exec_ok(
        &k,
        "vault-0",
        &["vault", "secrets", "enable", "-path=secret", "kv-v2"],
    );
    // A new KV v2 mount refuses writes for a moment while it upgrades its storage.
    wait_for("the runbook's kv put", Duration::from_secs(30), || {
        host_sh(
            &sb,
            r#"kubectl exec -n vault vault-0 -- vault kv put secret/proxy/credentials/proxy-api \
  api_key="$(openssl rand -hex 32)" \
  secret="$(openssl rand -hex 32)""#,
        )
        .status
        .success()
    });

    // 4. Verify: `vault status`, `vault kv get`, checked against the Vault API.
    let status = exec_ok(&k, "vault-0", &["vault", "status"]);
    assert_eq!(field(&status, "Initialized"), Some("true"), "{status}");
    assert_eq!(field(&status, "Sealed"), Some("false"), "{status}");
    let text = exec_ok(
        &k,
        "vault-0",
        &["vault", "kv", "get", "secret/proxy/credentials/proxy-api"],
    );
    let api_key = field(&text, "api_key")
        .expect("api_key in kv get")
        .to_string();
    assert_eq!(api_key.len(), 64, "{api_key}");
    assert!(api_key.chars().all(|c| c.is_ascii_hexdigit()), "{api_key}");
    let (code, body) = sb
        .vault(
            0,
            "GET",
            "secret/data/proxy/credentials/proxy-api",
            Some(&root),
            None,
        )
        .unwrap();
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["data"]["api_key"], api_key.as_str());
    // `kubectl logs -n default deployment/proxy-api`: the application is not part of the chart
    // (a real cluster would say `deployments.apps "proxy-api" not found`; the sandbox serves no
    // Deployments at all).
    let out = k.run(["logs", "-n", "default", "deployment/proxy-api", "--tail=50"]);
    assert!(!out.status.success(), "{}", show(&out));
    assert!(stderr(&out).contains("deployment"), "{}", show(&out));
}
