//! Benchmark: bringing a 3-pod cluster whose volumes are lost back from a snapshot, with
//! `kubectl vault-reinit restore --wipe --yes` (drill included) against the runbook's steps
//! done by hand, scripted as an operator types them (`kubectl delete pvc --all`, `kubectl
//! exec … vault operator init/unseal`, `kubectl cp` of the snapshot, `vault operator raft
//! snapshot restore -force`, a restart, unseals with the old keys, `vault operator raft
//! join` and unseals on every other pod, `kubectl wait` for Ready), on one sandbox in the
//! same run. Each run starts from the same state: the data written, the snapshot saved,
//! every volume lost; each ends when all three pods are unsealed voters and Ready (checked
//! with kubectl and the Vault API: the secret reads back with the old root token).
//!
//! Run: `cargo bench -p kubectl-vault-reinit --bench restore` (VAULT_REINIT_BENCH_RUNS=3).
//! It prints a Markdown table for BENCHMARKS.md.

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use vault_sandbox::{Fault, Kubectl, Options, Sandbox, Stats};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_reinit");

fn ok(k: &Kubectl, args: &[&str]) -> String {
    let out = k.command(args.iter().copied()).output().expect("kubectl");
    assert!(
        out.status.success(),
        "kubectl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `vault …` in pod `pod` with the token in the pod's /tmp/bench-token (as an operator who
/// logged in there).
fn vault(k: &Kubectl, pod: &str, args: &str) -> String {
    let script = format!("VAULT_TOKEN=$(cat /tmp/bench-token 2>/dev/null) vault {args}");
    ok(k, &["exec", pod, "--", "sh", "-c", &script])
}

fn wait(what: &str, mut f: impl FnMut() -> bool) {
    let start = Instant::now();
    while !f() {
        assert!(
            start.elapsed() < Duration::from_secs(180),
            "timed out: {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn status(k: &Kubectl, pod: &str) -> Option<Value> {
    let out = k
        .command(["exec", pod, "--", "vault", "status", "-format=json"])
        .output()
        .ok()?;
    serde_json::from_slice(&out.stdout).ok()
}

/// Every volume lost: each pod restarts uninitialised.
fn lose_everything(sb: &Sandbox) {
    for i in 0..3 {
        sb.fault(Fault::LoseVolume, &format!("vault-{i}"))
            .expect("lose volume");
    }
    sb.wait_until("uninitialised", Duration::from_secs(60), || {
        (0..3).all(|i| sb.seal_status(i).is_ok_and(|s| s["initialized"] == false))
    })
    .expect("pods uninitialised");
}

/// The runbook's restore, step by step as typed.
fn runbook(k: &Kubectl, snapshot: &Path, old_keys: &[String]) {
    ok(k, &["delete", "pvc", "--all", "--wait=false"]);
    ok(k, &["delete", "pods", "--all"]);
    wait("pods answer", || {
        (0..3).all(|i| status(k, &format!("vault-{i}")).is_some_and(|s| s["initialized"] == false))
    });
    let init: Value = serde_json::from_str(&vault(
        k,
        "vault-0",
        "operator init -key-shares=1 -key-threshold=1 -format=json",
    ))
    .expect("init json");
    let key = init["unseal_keys_b64"][0].as_str().unwrap().to_string();
    let temp_root = init["root_token"].as_str().unwrap().to_string();
    vault(k, "vault-0", &format!("operator unseal {key}"));
    wait("vault-0 active", || {
        status(k, "vault-0").is_some_and(|s| s["sealed"] == false && s["is_self"] == true)
    });
    ok(
        k,
        &[
            "cp",
            snapshot.to_str().unwrap(),
            "vault/vault-0:/tmp/backup.snap",
        ],
    );
    ok(
        k,
        &[
            "exec",
            "vault-0",
            "--",
            "sh",
            "-c",
            &format!(
                "VAULT_TOKEN={temp_root} vault operator raft snapshot restore -force /tmp/backup.snap"
            ),
        ],
    );
    wait("vault-0 sealed", || {
        status(k, "vault-0").is_some_and(|s| s["sealed"] == true)
    });
    ok(k, &["delete", "pod", "vault-0"]);
    wait("vault-0 back", || {
        status(k, "vault-0").is_some_and(|s| s["initialized"] == true)
    });
    for key in &old_keys[..3] {
        vault(k, "vault-0", &format!("operator unseal {key}"));
    }
    wait("vault-0 active", || {
        status(k, "vault-0").is_some_and(|s| s["sealed"] == false && s["is_self"] == true)
    });
    let ip0 = ok(
        k,
        &["get", "pod", "vault-0", "-o", "jsonpath={.status.podIP}"],
    );
    for pod in ["vault-1", "vault-2"] {
        vault(
            k,
            pod,
            &format!(
                "operator raft join -leader-ca-cert=@/vault/userconfig/vault-tls/ca.crt https://{ip0}:8200"
            ),
        );
        for key in &old_keys[..3] {
            vault(k, pod, &format!("operator unseal {key}"));
        }
    }
    ok(
        k,
        &[
            "wait",
            "--for=condition=Ready",
            "pod",
            "--all",
            "--timeout=180s",
        ],
    );
}

fn check_restored(sb: &Sandbox, k: &Kubectl, token: &str) {
    for i in 0..3 {
        let (code, body) = sb
            .vault(i, "GET", "secret/data/app/db", Some(token), None)
            .expect("read the secret");
        assert_eq!(code, 200, "vault-{i}: {body}");
        assert_eq!(body["data"]["data"]["password"], "bench");
    }
    let pods = ok(k, &["get", "pods", "--no-headers"]);
    assert_eq!(pods.matches("1/1").count(), 3, "{pods}");
}

fn main() {
    let runs: usize = std::env::var("VAULT_REINIT_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "bench-reinit");
    let sb = Sandbox::start(Options {
        dir: dir.clone(),
        nodes: 3,
        ..Default::default()
    })
    .expect("start the sandbox");
    let k = sb
        .kubectl()
        .with_plugins(Path::new(PLUGIN).parent().unwrap());
    let root = sb.root_token();
    let old_keys = sb.unseal_keys();
    vault_sandbox::runbook_login(&sb, 3);
    let (code, body) = sb
        .vault(
            0,
            "POST",
            "sys/mounts/secret",
            Some(&root),
            Some(&json!({"type": "kv", "options": {"version": "2"}})),
        )
        .expect("mount");
    assert!(code < 300, "{body}");
    // The mount upgrades to versioned data first: writes are refused for a moment.
    sb.wait_until("the secret written", Duration::from_secs(30), || {
        sb.vault(
            0,
            "POST",
            "secret/data/app/db",
            Some(&root),
            Some(&json!({"data": {"password": "bench"}})),
        )
        .is_ok_and(|(code, _)| code < 300)
    })
    .expect("write the secret");
    vault(
        &k,
        "vault-0",
        "operator raft snapshot save /tmp/backup.snap",
    );
    let snapshot = dir.join("backup.snap");
    // Out of the pod's own /tmp as the runbook would take it.
    k.ok(["cp", "vault-0:/tmp/backup.snap", snapshot.to_str().unwrap()])
        .expect("kubectl cp the snapshot");
    let token_file = dir.join("root-token");
    vault_sandbox::sandbox::write_private(&token_file, root.as_bytes()).unwrap();

    let mut plugin = Vec::new();
    let mut by_hand = Vec::new();
    for run in 0..runs {
        lose_everything(&sb);
        let journal = dir.join(format!("restore-{run}.jsonl"));
        let mut cmd = k.command([
            "vault-reinit",
            "restore",
            snapshot.to_str().unwrap(),
            "--keys-file",
            sb.init_json_path().to_str().unwrap(),
            "--token-file",
            token_file.to_str().unwrap(),
            "--wipe",
            "--yes",
            "--journal",
            journal.to_str().unwrap(),
        ]);
        cmd.current_dir(&dir);
        plugin.push(vault_sandbox::timed(cmd, &[0]));
        check_restored(&sb, &k, &root);

        lose_everything(&sb);
        let start = Instant::now();
        runbook(&k, &snapshot, &old_keys);
        by_hand.push(start.elapsed().as_secs_f64());
        check_restored(&sb, &k, &root);
        eprintln!(
            "run {}: plugin {:.1}s, by hand {:.1}s",
            run + 1,
            plugin[run],
            by_hand[run]
        );
    }
    let (p, h) = (Stats::of(plugin), Stats::of(by_hand));
    println!("| restore, 3 pods, every volume lost ({runs} runs) | min | median | max |");
    println!("|---|---|---|---|");
    println!(
        "| `kubectl vault-reinit restore --wipe --yes` (drill included) (s) | {:.1} | {:.1} | {:.1} |",
        p.min, p.median, p.max
    );
    println!(
        "| the runbook's steps by hand, scripted (no drill) (s) | {:.1} | {:.1} | {:.1} |",
        h.min, h.median, h.max
    );
}
