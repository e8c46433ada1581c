//! Benchmark: counting leases with `kubectl vault-leases top` against the runbook's walk
//! (`kubectl exec vault-0 -- vault list sys/leases/lookup/<dir>` for every directory, one
//! after another), on one 3-pod sandbox in the same run; and the plugin's peak memory (max
//! RSS, from /usr/bin/time, the highest of three runs) as the number of leases grows.
//!
//! Run: `cargo bench -p kubectl-vault-leases --bench leases`
//! Sizes: VAULT_LEASES_BENCH_SIZES=10000,20000 (cumulative lease counts; default as shown),
//! spread over VAULT_LEASES_BENCH_ROLES token roles (default 40).
//! It prints a Markdown table for BENCHMARKS.md.

use std::path::Path;

use serde_json::Value;
use vault_sandbox::{Kubectl, Options, Sandbox, Stats};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_leases");
const RUNS: usize = 3;

fn env_list(name: &str, default: &str) -> Vec<u64> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

/// The runbook's walk: one `kubectl exec … vault list` per directory, depth first. A command
/// that fails (the CLI met a raft election on the loaded machine) is run again after a pause,
/// as an operator would; the retries are counted. Returns the leases found and the retries.
fn runbook_walk(kubectl: &Kubectl) -> (u64, u32) {
    let mut stack = vec![String::new()];
    let (mut total, mut retries) = (0, 0);
    while let Some(dir) = stack.pop() {
        let args = format!("list -format=json sys/leases/lookup/{dir}");
        let listing = loop {
            match vault_sandbox::try_runbook_vault(kubectl, &args) {
                Ok(out) => break out,
                Err(e) if retries < 20 => {
                    eprintln!("runbook walk: {dir}: {}; again in 1 s", e.trim());
                    retries += 1;
                    std::thread::sleep(std::time::Duration::from_secs(1));
                }
                Err(e) => panic!("runbook walk: {dir}: {e}"),
            }
        };
        let keys: Vec<String> = serde_json::from_slice(&listing).expect("vault list json");
        for k in keys {
            if k.ends_with('/') {
                stack.push(format!("{dir}{k}"));
            } else {
                total += 1;
            }
        }
    }
    (total, retries)
}

fn main() {
    let sizes = env_list("VAULT_LEASES_BENCH_SIZES", "10000,20000");
    let roles = env_list("VAULT_LEASES_BENCH_ROLES", "40")[0];
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "bench-leases");
    let sb = Sandbox::start(Options {
        dir: dir.clone(),
        nodes: 3,
        // 100 000 leases fill the default 256Mi data volumes (raft's log and snapshots).
        claim_size: "3Gi".into(),
        ..Default::default()
    })
    .expect("sandbox");
    let kubectl = sb
        .kubectl()
        .with_plugins(Path::new(PLUGIN).parent().expect("dir"));
    let token_file = dir.join("root-token");
    vault_sandbox::sandbox::write_private(&token_file, sb.root_token().as_bytes())
        .expect("token file");
    // The runbook logs in inside the pod; the exec'd shell reads the token from the pod's /tmp.
    vault_sandbox::runbook_login(&sb, 3);
    let tf = token_file.to_str().expect("utf-8");
    let top = || kubectl.command(["vault-leases", "top", "--token-file", tf, "-o", "json"]);

    println!(
        "| leases | `kubectl vault-leases top` s (min/median/max) | runbook `kubectl exec … vault list` walk s | speed-up | plugin max RSS MiB |"
    );
    println!("|---|---|---|---|---|");
    let mut made = 0;
    for size in sizes {
        let per_role = (size - made).div_ceil(roles);
        for r in 0..roles {
            sb.lease_flood(&format!("bench-{r}"), per_role as usize)
                .expect("lease flood");
        }
        made += per_role * roles;
        let expected = sb.count_leases("").expect("count through the API");
        // The plugin's count is checked against the API's before anything is timed.
        let out = top().output().expect("top");
        let v: Value = serde_json::from_slice(&out.stdout).expect("top json");
        assert_eq!(v["total"], expected, "{v:#}");
        assert_eq!(runbook_walk(&kubectl).0, expected);

        let plugin = Stats::of(
            (0..RUNS)
                .map(|_| vault_sandbox::timed(top(), &[0]))
                .collect(),
        );
        let mut retried = 0;
        let runbook = Stats::of(
            (0..RUNS)
                .map(|_| {
                    let start = std::time::Instant::now();
                    retried += runbook_walk(&kubectl).1;
                    start.elapsed().as_secs_f64()
                })
                .collect(),
        );
        if retried > 0 {
            eprintln!("{expected} leases: the runbook walk retried {retried} command(s)");
        }
        // Peak memory of the plugin process itself (kubectl would add its own): the highest
        // of three runs.
        let kib = (0..RUNS)
            .map(|_| {
                vault_sandbox::max_rss_kib(
                    PLUGIN,
                    ["top", "--token-file", tf, "-o", "json"].map(std::ffi::OsStr::new),
                    &[("KUBECONFIG", sb.kubeconfig())],
                )
            })
            .fold(0.0, f64::max);
        println!(
            "| {expected} | {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} | {:.1}× | {:.1} |",
            plugin.min,
            plugin.median,
            plugin.max,
            runbook.min,
            runbook.median,
            runbook.max,
            runbook.median / plugin.median,
            kib / 1024.0
        );
    }
}
