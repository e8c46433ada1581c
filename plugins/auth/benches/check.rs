//! Benchmark: `kubectl vault-auth check` on a mount with many roles, against the runbook's way
//! of reading the same (`kubectl exec vault-0 -- vault read auth/kubernetes/config`, then
//! `vault list` and one `vault read` per role, one after another), on one sandbox in the same
//! run.
//!
//! Run: `cargo bench -p kubectl-vault-auth --bench check`
//! Roles: VAULT_AUTH_BENCH_ROLES (default 50). It prints a Markdown table for BENCHMARKS.md.

use std::path::Path;

use serde_json::{Value, json};
use vault_sandbox::{Kubectl, Options, Sandbox, Stats, runbook_vault};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_auth");
const RUNS: usize = 5;

/// The runbook: the config, the role list, then each role. Returns how many roles it read.
fn runbook(kubectl: &Kubectl) -> usize {
    runbook_vault(kubectl, "read -format=json auth/kubernetes/config");
    let roles: Vec<String> = serde_json::from_slice(&runbook_vault(
        kubectl,
        "list -format=json auth/kubernetes/role",
    ))
    .expect("role list");
    for r in &roles {
        runbook_vault(
            kubectl,
            &format!("read -format=json auth/kubernetes/role/{r}"),
        );
    }
    roles.len()
}

fn main() {
    let roles: usize = std::env::var("VAULT_AUTH_BENCH_ROLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(50);
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "bench-auth");
    let sb = Sandbox::start(Options {
        dir: dir.clone(),
        nodes: 1,
        ..Default::default()
    })
    .expect("sandbox");
    let root = sb.root_token();
    let kubectl = sb
        .kubectl()
        .with_plugins(Path::new(PLUGIN).parent().expect("dir"));
    let token_file = dir.join("root-token");
    vault_sandbox::sandbox::write_private(&token_file, root.as_bytes()).expect("token file");
    vault_sandbox::runbook_login(&sb, 1);

    // The runbook's set-up: the method, its config, and `roles` roles, each bound to its own
    // service account in `default`.
    let vault = |method: &str, path: &str, body: Value| {
        let (status, v) = sb
            .vault(0, method, path, Some(&root), Some(&body))
            .expect("Vault API");
        assert!(status < 300, "{method} {path}: {status} {v}");
    };
    vault("POST", "sys/auth/kubernetes", json!({"type": "kubernetes"}));
    let server = kubectl
        .ok([
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.clusters[0].cluster.server}",
        ])
        .expect("server");
    let ca = std::fs::read_to_string(sb.api_ca_path()).expect("API CA");
    vault(
        "POST",
        "auth/kubernetes/config",
        json!({"kubernetes_host": server, "kubernetes_ca_cert": ca}),
    );
    for i in 0..roles {
        kubectl
            .ok([
                "create",
                "serviceaccount",
                &format!("app-{i}"),
                "-n",
                "default",
            ])
            .expect("service account");
        vault(
            "POST",
            &format!("auth/kubernetes/role/app-{i}"),
            json!({"bound_service_account_names": [format!("app-{i}")],
                   "bound_service_account_namespaces": ["default"],
                   "token_policies": ["default"]}),
        );
    }
    let tf = token_file.to_str().expect("utf-8");
    let check = || kubectl.command(["vault-auth", "check", "--token-file", tf, "-o", "json"]);
    // The plugin's answer is checked before anything is timed: every role read, none flagged.
    let out = check().output().expect("check");
    let v: Value = serde_json::from_slice(&out.stdout).expect("check json");
    assert_eq!(v["roles"].as_array().map(Vec::len), Some(roles), "{v:#}");
    assert_eq!(v["findings"], json!([]), "{v:#}");
    assert_eq!(runbook(&kubectl), roles);

    let plugin = Stats::of(
        (0..RUNS)
            .map(|_| vault_sandbox::timed(check(), &[0]))
            .collect(),
    );
    let by_hand = Stats::of(
        (0..RUNS.min(3))
            .map(|_| {
                let start = std::time::Instant::now();
                runbook(&kubectl);
                start.elapsed().as_secs_f64()
            })
            .collect(),
    );
    println!(
        "| roles | `kubectl vault-auth check` s (min/median/max) | runbook `kubectl exec … vault read` per role s | speed-up |"
    );
    println!("|---|---|---|---|");
    println!(
        "| {roles} | {:.2} / {:.2} / {:.2} | {:.2} / {:.2} / {:.2} | {:.0}× |",
        plugin.min,
        plugin.median,
        plugin.max,
        by_hand.min,
        by_hand.median,
        by_hand.max,
        by_hand.median / plugin.median
    );
}
