//! Benchmark: `kubectl vault-revoke scan --leaked-token-file` over large audit logs spread
//! over the 3 pods of one sandbox, against the runbook's `kubectl exec vault-N -- cat
//! /vault/audit/audit.log | grep HMAC` (one per pod, all at once) on the same files: wall
//! time, throughput, and the plugin's peak memory (max RSS from /usr/bin/time).
//!
//! Run: `cargo bench -p kubectl-vault-revoke --bench scan`
//! Sizes: VAULT_REVOKE_BENCH_MB=256,1024 (the total over the three pods, cumulative).
//! It prints a Markdown table for BENCHMARKS.md.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::{Value, json};
use vault_sandbox::{Options, Sandbox, Stats};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_revoke");
const RUNS: usize = 3;
/// One line in this many uses the leaked token.
const EVERY: u64 = 10_000;

/// Appends about `bytes` of audit entries shaped as the file device writes them to `file`;
/// returns how many use the leaked token.
fn fill(file: &Path, bytes: u64, leaked: &str, other: &str, seed: u64) -> u64 {
    let mut f = std::io::BufWriter::with_capacity(
        1 << 20,
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(file)
            .expect("open the audit file"),
    );
    let (mut written, mut n, mut hits) = (0u64, seed, 0u64);
    while written < bytes {
        n += 1;
        let token = if n % EVERY == 0 {
            hits += 1;
            leaked
        } else {
            other
        };
        let line = format!(
            r#"{{"time":"2026-12-01T00:{:02}:{:02}.{:06}Z","type":"response","auth":{{"client_token":"{token}","accessor":"hmac-sha256:5f0c0a64e7c5d6f5b1f0b8f2d2a7b6c94c2b7a1f0e9d8c7b6a5f4e3d2c1b0a99","display_name":"kubernetes-default-app","policies":["app-read","default"],"token_policies":["app-read","default"],"metadata":{{"role":"app","service_account_name":"app","service_account_namespace":"default"}},"entity_id":"2d6a4c1e-6a0c-4b9e-9b1d-0c2f3e4d5a6b","token_type":"service"}},"request":{{"id":"{n:08x}-0000-4000-8000-000000000000","operation":"read","mount_type":"kv","client_token":"{token}","client_token_accessor":"hmac-sha256:5f0c0a64e7c5d6f5b1f0b8f2d2a7b6c94c2b7a1f0e9d8c7b6a5f4e3d2c1b0a99","namespace":{{"id":"root"}},"path":"secret/data/app/{}","remote_address":"10.0.{}.{}","remote_port":51234}},"response":{{"mount_type":"kv","data":{{"data":{{"value":"hmac-sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"}}}}}}}}"#,
            (n / 60) % 60,
            n % 60,
            n % 1_000_000,
            n % 500,
            n % 7,
            n % 250
        );
        f.write_all(line.as_bytes()).expect("write");
        f.write_all(b"\n").expect("write");
        written += line.len() as u64 + 1;
    }
    f.flush().expect("flush");
    hits
}

/// Pod `vault-<i>`'s audit log, as the host sees it in the pod's mounted audit volume.
fn audit_log(sb: &Sandbox, i: u64) -> std::path::PathBuf {
    sb.volume_view(&format!("vault-{i}"), &format!("audit-vault-{i}"))
        .expect("the audit volume is mounted")
        .join("audit.log")
}

fn main() {
    let sizes: Vec<u64> = std::env::var("VAULT_REVOKE_BENCH_MB")
        .unwrap_or_else(|_| "256,1024".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "bench-revoke-scan");
    let sb = Sandbox::start(Options {
        dir: dir.clone(),
        nodes: 3,
        audit: true,
        // Room for the largest logs: each claim is a real filesystem of this size.
        claim_size: "2Gi".into(),
        ..Default::default()
    })
    .expect("sandbox");
    let root = sb.root_token();
    let token_file = dir.join("root-token");
    vault_sandbox::sandbox::write_private(&token_file, root.as_bytes()).expect("token file");
    let (_, t) = sb
        .vault(
            0,
            "POST",
            "auth/token/create",
            Some(&root),
            Some(&json!({"policies": ["default"]})),
        )
        .expect("create the leaked token");
    let leaked = t["auth"]["client_token"]
        .as_str()
        .expect("token")
        .to_string();
    let leaked_file = dir.join("leaked");
    vault_sandbox::sandbox::write_private(&leaked_file, leaked.as_bytes()).expect("leaked file");
    let hash = |input: &str| -> String {
        let (_, v) = sb
            .vault(
                0,
                "PUT",
                "sys/audit-hash/file",
                Some(&root),
                Some(&json!({"input": input})),
            )
            .expect("audit-hash");
        v["data"]["hash"].as_str().expect("hash").to_string()
    };
    let (leaked_hmac, other_hmac) = (hash(&leaked), hash("another-token"));
    let kubectl = sb.kubectl();
    let scan = || {
        let mut c = Command::new(PLUGIN);
        c.args(["scan", "--leaked-token-file", leaked_file.to_str().unwrap()])
            .args(["--token-file", token_file.to_str().unwrap(), "-o", "json"])
            .env("KUBECONFIG", sb.kubeconfig());
        c
    };
    // The runbook: one `kubectl exec … cat | grep` per pod, all at once.
    let runbook = || -> u64 {
        let children: Vec<_> = (0..3)
            .map(|i| {
                let mut c = kubectl.command([
                    "exec",
                    &format!("vault-{i}"),
                    "--",
                    "cat",
                    "/vault/audit/audit.log",
                ]);
                c.stdout(Stdio::piped()).stderr(Stdio::null());
                let mut cat = c.spawn().expect("kubectl exec");
                let grep = Command::new("grep")
                    .args(["-c", "-F", &leaked_hmac])
                    .stdin(cat.stdout.take().expect("stdout"))
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("grep");
                (cat, grep)
            })
            .collect();
        children
            .into_iter()
            .map(|(mut cat, grep)| {
                let out = grep.wait_with_output().expect("grep");
                let _ = cat.wait();
                // Lines that name the token (the synthetic log holds response entries only).
                String::from_utf8_lossy(&out.stdout)
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0)
            })
            .sum()
    };

    println!(
        "| total log MB (3 pods) | `kubectl vault-revoke scan` s (min/median/max) | MB/s | plugin max RSS MiB | `kubectl exec … cat \\| grep` s (min/median/max) | MB/s |"
    );
    println!("|---|---|---|---|---|---|");
    let mut expected = 0;
    let mut made = 0;
    for total in sizes {
        let per_pod = (total - made) * 1_000_000 / 3;
        for i in 0..3u64 {
            let file = audit_log(&sb, i);
            expected += fill(
                &file,
                per_pod,
                &leaked_hmac,
                &other_hmac,
                (made + i) * 1_000_000_000,
            );
        }
        made = total;
        let bytes: u64 = (0..3)
            .map(|i| {
                std::fs::metadata(audit_log(&sb, i))
                    .map(|m| m.len())
                    .unwrap_or(0)
            })
            .sum();
        let mb = bytes as f64 / 1e6;
        // Both are checked against what was written before anything is timed.
        let out = scan().output().expect("scan");
        let v: Value = serde_json::from_slice(&out.stdout).expect("scan json");
        assert_eq!(
            v["timeline"].as_array().map(|a| a.len() as u64),
            Some(expected),
            "scan found another count"
        );
        // grep also matches the lines that only mention the value (its creation, the
        // audit-hash call: request data is hashed with the same key), not just its uses.
        let grepped = runbook();
        assert!(
            grepped >= expected,
            "grep found {grepped}, fewer than {expected}"
        );
        let plugin = Stats::of(
            (0..RUNS)
                .map(|_| vault_sandbox::timed(scan(), &[0]))
                .collect(),
        );
        let grep = Stats::of(
            (0..RUNS)
                .map(|_| {
                    let start = Instant::now();
                    runbook();
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        let kib = vault_sandbox::max_rss_kib(
            PLUGIN,
            scan().get_args(),
            &[("KUBECONFIG", sb.kubeconfig())],
        );
        println!(
            "| {mb:.0} | {:.2} / {:.2} / {:.2} | {:.0} | {:.1} | {:.2} / {:.2} / {:.2} | {:.0} |",
            plugin.min,
            plugin.median,
            plugin.max,
            mb / plugin.median,
            kib / 1024.0,
            grep.min,
            grep.median,
            grep.max,
            mb / grep.median
        );
    }
}
