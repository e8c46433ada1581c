//! Benchmark: `kubectl vault-certs` (status) over all 5 pods of one 5-pod sandbox, against
//! the same command limited to one pod and against the runbook's loop — per pod,
//! `kubectl exec … openssl s_client … | openssl x509 -noout -dates` — in the same run,
//! interleaved so drift on the shared machine hits all alike. A fourth row is the ceiling:
//! kubectl dispatching a plugin executable that does nothing (`true` under a plugin's name),
//! what any plugin pays for kubectl's start-up and plugin discovery before its own first
//! instruction; runbook / that is the most any plugin could reach.
//!
//! Run: `cargo bench -p kubectl-vault-certs --bench status`
//! It prints a Markdown table for BENCHMARKS.md.

use std::process::{Command, Stdio};
use std::time::Instant;

use vault_sandbox::{Kubectl, Sandbox, Stats};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_certs");
const RUNS: usize = 10;
const NODES: u32 = 5;

/// The runbook's certificate check, one pod after another. The pods listen on their own
/// address (the sandbox's `localhost` is the host's), so the loop connects to that; the
/// `openssl x509` half of the pipe runs locally, as in the runbook.
fn runbook_loop(sb: &Sandbox, kubectl: &Kubectl) -> f64 {
    let start = Instant::now();
    for i in 0..NODES {
        let connect = format!("{}:8200", sb.pod_ip(i));
        let mut exec = kubectl
            .command([
                "exec",
                &format!("vault-{i}"),
                "--",
                "openssl",
                "s_client",
                "-connect",
                &connect,
                "-servername",
                "vault.vault.svc",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("kubectl exec");
        let out = Command::new("openssl")
            .args(["x509", "-noout", "-dates"])
            .stdin(exec.stdout.take().expect("exec stdout"))
            .output()
            .expect("openssl x509");
        let _ = exec.wait();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("notAfter="), "vault-{i}: {text}");
    }
    start.elapsed().as_secs_f64()
}

fn main() {
    let (sb, kubectl) = vault_sandbox::bench_sandbox(
        env!("CARGO_TARGET_TMPDIR"),
        "bench-certs-status",
        NODES,
        PLUGIN,
    );
    // The do-nothing plugin, in a directory of its own put first on kubectl's PATH.
    let noop_dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-certs-noop");
    std::fs::create_dir_all(&noop_dir).expect("create the no-op plugin's directory");
    std::fs::copy(which_true(), noop_dir.join("kubectl-vault_noop")).expect("copy true");
    let noop = || {
        let mut cmd = kubectl.command(["vault-noop"]);
        let mut path = vec![noop_dir.clone()];
        path.extend(std::env::split_paths(&kubectl.path_env()));
        cmd.env("PATH", std::env::join_paths(path).expect("PATH"));
        cmd
    };
    let status = |pods: &[&str]| {
        let mut args = vec!["vault-certs", "status"];
        args.extend_from_slice(pods);
        kubectl.command(args)
    };
    // Warm up discovery caches once.
    vault_sandbox::timed(status(&[]), &[0]);
    runbook_loop(&sb, &kubectl);
    vault_sandbox::timed(noop(), &[0]);

    let (mut all, mut one, mut runbook, mut dispatch) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        all.push(vault_sandbox::timed(status(&[]), &[0]));
        one.push(vault_sandbox::timed(status(&["vault-0"]), &[0]));
        runbook.push(runbook_loop(&sb, &kubectl));
        dispatch.push(vault_sandbox::timed(noop(), &[0]));
    }
    let median = |xs: &[f64]| Stats::of(xs.to_vec()).median;
    let ratio_runbook = median(&runbook) / median(&all);
    let ratio_one = median(&all) / median(&one);
    let ceiling = median(&runbook) / median(&dispatch);
    vault_sandbox::print_runs_table(
        NODES,
        [
            ("`kubectl vault-certs` (5 pods)", all),
            ("`kubectl vault-certs status vault-0` (1 pod)", one),
            (
                "runbook: `kubectl exec … openssl s_client … \\| openssl x509 -noout -dates` on each of 5 pods",
                runbook,
            ),
            (
                "ceiling: `kubectl vault-noop` (kubectl dispatching a plugin that does nothing)",
                dispatch,
            ),
        ],
    );
    println!(
        "\nrunbook / plugin (5 pods): {ratio_runbook:.1}×; 5 pods / 1 pod: {ratio_one:.2}×; \
         runbook / do-nothing plugin (the ceiling): {ceiling:.1}×"
    );
}

/// The `true` executable, to run under a plugin's name.
fn which_true() -> std::path::PathBuf {
    ["/usr/bin/true", "/bin/true"]
        .into_iter()
        .map(std::path::PathBuf::from)
        .find(|p| p.is_file())
        .expect("no true executable in /usr/bin or /bin")
}
