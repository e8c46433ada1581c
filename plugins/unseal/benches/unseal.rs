//! Benchmark: `kubectl vault-unseal` against the runbook's loop of
//! `kubectl exec … vault operator unseal <key>`, on the same 5-pod sandbox in the same run.
//!
//! Run: `cargo bench -p kubectl-vault-unseal --bench unseal`
//! It prints a Markdown table for BENCHMARKS.md.

use std::process::Command;
use std::time::{Duration, Instant};

use vault_sandbox::{Fault, Sandbox, Stats};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_unseal");
/// Runs per row: `VAULT_UNSEAL_BENCH_RUNS` (default 5).
fn runs() -> usize {
    std::env::var("VAULT_UNSEAL_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
}
/// An older build of the plugin to time beside this one, in the same run (optional):
/// `VAULT_UNSEAL_BENCH_BASELINE=/path/to/kubectl-vault_unseal`.
const BASELINE: &str = "VAULT_UNSEAL_BENCH_BASELINE";
const NODES: u32 = 5;

/// Status exits 2 while pods are sealed; anything else but 0 is a failure.
fn timed(cmd: Command) -> f64 {
    vault_sandbox::timed(cmd, &[0, 2])
}

fn seal_all(sb: &Sandbox) {
    for i in 0..NODES {
        sb.fault(Fault::Seal, &format!("vault-{i}")).expect("seal");
    }
    sb.wait_until("all sealed", Duration::from_secs(30), || {
        (0..NODES).all(|i| sb.seal_status(i).is_ok_and(|s| s["sealed"] == true))
    })
    .expect("sealed");
}

fn wait_ready(sb: &Sandbox) {
    let k = sb.kubectl();
    for i in 0..NODES {
        k.ok([
            "wait",
            "--for=condition=ready",
            &format!("pod/vault-{i}"),
            "--timeout=120s",
        ])
        .expect("ready");
    }
}

fn main() {
    let runs = runs();
    let (sb, kubectl) =
        vault_sandbox::bench_sandbox(env!("CARGO_TARGET_TMPDIR"), "bench-unseal", NODES, PLUGIN);
    let init = sb.init_json_path();
    let keys = sb.unseal_keys();
    let threshold = 3;
    // Warm up discovery caches and connections once.
    timed(kubectl.command(["vault-unseal"]));

    let status_all: Vec<f64> = (0..runs)
        .map(|_| timed(kubectl.command(["vault-unseal"])))
        .collect();
    let status_one: Vec<f64> = (0..runs)
        .map(|_| timed(kubectl.command(["vault-unseal", "vault-0"])))
        .collect();
    let runbook_status: Vec<f64> = (0..runs)
        .map(|_| vault_sandbox::runbook_status_loop(&kubectl, NODES))
        .collect();

    let baseline = std::env::var_os(BASELINE).map(|bin| {
        let dir = std::path::PathBuf::from(bin);
        sb.kubectl()
            .with_plugins(dir.parent().expect("the baseline's directory"))
    });
    let mut baseline_unseal = Vec::new();
    let mut plugin_unseal = Vec::new();
    let mut plugin_unseal_nowait = Vec::new();
    let mut runbook_unseal = Vec::new();
    for _ in 0..runs {
        seal_all(&sb);
        plugin_unseal.push(timed(kubectl.command([
            "vault-unseal",
            "--keys-file",
            init.to_str().unwrap(),
        ])));
        wait_ready(&sb);

        if let Some(old) = &baseline {
            seal_all(&sb);
            baseline_unseal.push(timed(old.command([
                "vault-unseal",
                "--keys-file",
                init.to_str().unwrap(),
            ])));
            wait_ready(&sb);
        }

        seal_all(&sb);
        plugin_unseal_nowait.push(timed(kubectl.command([
            "vault-unseal",
            "--no-wait",
            "--keys-file",
            init.to_str().unwrap(),
        ])));
        wait_ready(&sb);

        seal_all(&sb);
        // The runbook, as written: three execs per pod, one pod after the other.
        let start = Instant::now();
        for i in 0..NODES {
            for key in keys.iter().take(threshold) {
                let out = kubectl
                    .command([
                        "exec",
                        &format!("vault-{i}"),
                        "--",
                        "vault",
                        "operator",
                        "unseal",
                        key,
                    ])
                    .output()
                    .expect("exec");
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
        runbook_unseal.push(start.elapsed().as_secs_f64());
        wait_ready(&sb);
    }

    println!("| operation ({NODES} pods, {runs} runs) | min s | median s | max s |");
    println!("|---|---|---|---|");
    let rows = [
        ("`kubectl vault-unseal` status, 5 pods", status_all),
        ("`kubectl vault-unseal vault-0` status, 1 pod", status_one),
        (
            "runbook: `kubectl exec … vault status` per pod",
            runbook_status,
        ),
        (
            "`kubectl vault-unseal --keys-file` (unseal + wait Ready)",
            plugin_unseal,
        ),
        (
            "`kubectl vault-unseal --no-wait --keys-file` (unseal only)",
            plugin_unseal_nowait,
        ),
        (
            "runbook: 3 × `kubectl exec … vault operator unseal` per pod",
            runbook_unseal,
        ),
        (
            "baseline build: `kubectl vault-unseal --keys-file` (unseal + wait Ready)",
            baseline_unseal,
        ),
    ];
    for (name, xs) in rows.into_iter().filter(|(_, xs)| !xs.is_empty()) {
        let s = Stats::of(xs);
        println!("| {name} | {:.2} | {:.2} | {:.2} |", s.min, s.median, s.max);
    }
}
