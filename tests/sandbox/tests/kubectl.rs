//! The real `kubectl` against a sandbox, running the runbook's
//! commands for "Vault is Sealed" and "Vault Leader Election Failure" as written. Results are
//! checked through kubectl and through the Vault API at the pods' addresses.

mod common;

use std::io::Write;
use std::process::Stdio;
use std::time::Duration;

use common::*;
use serde_json::Value;
use vault_sandbox::{Fault, Kubectl, Options, Sandbox};

fn start(name: &str) -> Sandbox {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), name);
    Sandbox::start(Options {
        dir,
        ..Options::default()
    })
    .expect("start the sandbox")
}

/// `kubectl exec -n vault POD -- ARGS…`, returning the whole output whatever the exit code.
fn exec(k: &Kubectl, pod: &str, args: &[&str]) -> std::process::Output {
    let mut argv = vec!["exec", "-n", "vault", pod, "--"];
    argv.extend_from_slice(args);
    k.run(&argv)
}

fn exec_ok(k: &Kubectl, pod: &str, args: &[&str]) -> String {
    let out = exec(k, pod, args);
    assert!(
        out.status.success(),
        "kubectl exec {pod} -- {args:?}: {}",
        show(&out)
    );
    stdout(&out)
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

/// `vault login -` on POD with the root token on stdin (never in argv).
fn login(sb: &Sandbox, k: &Kubectl, pod: &str) {
    let mut child = k
        .command([
            "exec", "-i", "-n", "vault", pod, "--", "vault", "login", "-",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kubectl exec");
    let mut stdin = child.stdin.take().expect("stdin");
    writeln!(stdin, "{}", sb.root_token()).expect("write the token");
    drop(stdin);
    let out = child.wait_with_output().expect("kubectl exec");
    assert!(out.status.success(), "vault login on {pod}: {}", show(&out));
}

/// A line `KEY   VALUE` of `vault status`-style output.
fn field<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    text.lines().find_map(|l| {
        let rest = l.strip_prefix(key)?;
        rest.starts_with(char::is_whitespace).then(|| rest.trim())
    })
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
    let out = std::process::Command::new("sh")
        .args(["-c", script])
        .env("KUBECONFIG", sb.kubeconfig())
        .env("KUBECACHEDIR", sb.dir().join("kube-cache"))
        .output()
        .expect("run the loop");
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
    let sb = Sandbox::start(Options {
        dir: vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "kubectl-versions"),
        nodes: 1,
        ..Default::default()
    })
    .expect("sandbox");
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
