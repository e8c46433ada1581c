//! Benchmark: `kubectl vault-raft status` over all 5 pods against the same command limited
//! to one pod, on one 5-pod sandbox in the same run (per-pod work is concurrent,
//! so 5 pods should cost about what one does). The runbook's loop of `kubectl exec … vault
//! status` per pod is measured alongside for scale.
//!
//! Run: `cargo bench -p kubectl-vault-raft --bench status`
//! It prints a Markdown table for BENCHMARKS.md.

use std::process::Command;
use std::time::Duration;

use vault_sandbox::Sandbox;

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_raft");
const RUNS: usize = 10;
const NODES: u32 = 5;

fn timed(cmd: Command) -> f64 {
    vault_sandbox::timed(cmd, &[0])
}

/// Until autopilot calls all voters healthy (status exits 0 from then on).
fn wait_stable(sb: &Sandbox) {
    let token = sb.root_token();
    sb.wait_until("a stable cluster", Duration::from_secs(120), || {
        (0..NODES).any(|i| {
            sb.vault(
                i,
                "GET",
                "sys/storage/raft/autopilot/state",
                Some(&token),
                None,
            )
            .is_ok_and(|(code, v)| {
                code == 200
                    && v["data"]["healthy"] == true
                    && v["data"]["failure_tolerance"] == (NODES as u64 - 1) / 2
            })
        })
    })
    .expect("stable");
}

fn main() {
    let (sb, kubectl) = vault_sandbox::bench_sandbox(
        env!("CARGO_TARGET_TMPDIR"),
        "bench-raft-status",
        NODES,
        PLUGIN,
    );
    let token_file = sb.dir().join("root-token");
    {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = std::fs::OpenOptions::new()
            .create_new(true)
            .write(true)
            .mode(0o600)
            .open(&token_file)
            .expect("token file");
        f.write_all(sb.root_token().as_bytes())
            .expect("write token");
    }
    let tf = token_file.to_str().unwrap();
    wait_stable(&sb);
    let status = |pods: &[&str]| {
        let mut args = vec!["vault-raft", "status"];
        args.extend_from_slice(pods);
        args.extend(["--token-file", tf]);
        kubectl.command(args)
    };
    // Warm up discovery caches once.
    timed(status(&[]));

    let mut all = Vec::new();
    let mut one = Vec::new();
    // Interleaved, so drift on the shared machine hits both alike.
    for _ in 0..RUNS {
        all.push(timed(status(&[])));
        one.push(timed(status(&["vault-0"])));
    }
    let runbook: Vec<f64> = (0..RUNS / 2)
        .map(|_| vault_sandbox::runbook_status_loop(&kubectl, NODES))
        .collect();

    vault_sandbox::print_runs_table(
        NODES,
        [
            ("`kubectl vault-raft status` (5 pods)", all),
            ("`kubectl vault-raft status vault-0` (1 pod)", one),
            (
                "runbook: `kubectl exec … vault status` on each of 5 pods",
                runbook,
            ),
        ],
    );
}
