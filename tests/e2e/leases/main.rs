//! End-to-end tests of `kubectl vault-leases`: the real plugin executable, reached through the
//! real kubectl's plugin discovery, against the sandbox's real OpenBao pods holding real token
//! leases. Every count is checked through the Vault API (a recursive LIST straight to the
//! active node's address, with the root token), never through the plugin's own report.

#[path = "../support/mod.rs"]
mod support;

mod debug;
mod resize;

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Env, assert_exit, assert_fails_with, assert_no_secret, show, stdout};
use vault_sandbox::Fault;

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_leases");

const A: &str = "auth/token/create/flood-a";
const B: &str = "auth/token/create/flood-b";
const OTHER: &str = "auth/token/create/other";
const N_A: u64 = 1500;
const N_B: u64 = 1000;
const N_OTHER: u64 = 300;

struct Leases {
    e: Env,
    token_file: PathBuf,
    home: PathBuf,
}

impl Leases {
    fn start(name: &str) -> Leases {
        let e = support::env(name, 3, PLUGIN);
        for (role, n) in [("flood-a", N_A), ("flood-b", N_B), ("other", N_OTHER)] {
            e.sb.lease_flood(role, n as usize).expect("create leases");
        }
        Leases::on(e)
    }

    /// The plugin run against `e` with the root token and a HOME of its own.
    fn on(e: Env) -> Leases {
        let token_file = e.token_file();
        let home = e.sb.dir().join("home");
        std::fs::create_dir_all(&home).expect("home");
        Leases {
            e,
            token_file,
            home,
        }
    }

    fn command(&self, token_file: &std::path::Path, args: &[&str]) -> Command {
        let mut full = vec!["vault-leases", "--token-file"];
        full.push(token_file.to_str().expect("utf-8 path"));
        full.extend_from_slice(args);
        let mut cmd = self.e.kubectl.command(&full);
        cmd.env("HOME", &self.home)
            .env_remove("VAULT_TOKEN")
            .env_remove("BAO_TOKEN")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd
    }

    /// `kubectl vault-leases <args>` with the root token; never leaks a secret.
    fn run(&self, args: &[&str]) -> Output {
        self.run_as(&self.token_file, args)
    }

    fn run_as(&self, token_file: &std::path::Path, args: &[&str]) -> Output {
        let out = self
            .command(token_file, args)
            .output()
            .expect("run kubectl vault-leases");
        let secrets = self.e.secrets();
        assert_no_secret(&format!("vault-leases {args:?}"), &show(&out), &secrets);
        out
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend_from_slice(&["-o", "json"]);
        let out = self.run(&full);
        assert!(matches!(out.status.code(), Some(0 | 2)), "{}", show(&out));
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&out)))
    }

    /// `status -o json` once the active node's lease gauge (refreshed periodically) shows
    /// `total`; it must then exit 0.
    fn status_with_lease_total(&self, total: u64) -> Value {
        let start = Instant::now();
        loop {
            let out = self.run(&["status", "-o", "json"]);
            let s: Value = serde_json::from_slice(&out.stdout)
                .unwrap_or_else(|e| panic!("{e}: {}", show(&out)));
            if s["leases"]["leases"].as_f64() == Some(total as f64) {
                assert_exit(&out, 0);
                return s;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "lease total never {total}: {}",
                show(&out)
            );
            std::thread::sleep(Duration::from_secs(2));
        }
    }

    /// Leases under `prefix`, counted straight through the Vault API.
    fn count(&self, prefix: &str) -> u64 {
        self.e
            .sb
            .count_leases(prefix)
            .expect("count leases through the API")
    }

    fn counts(&self) -> [u64; 3] {
        [self.count(A), self.count(B), self.count(OTHER)]
    }

    /// A 0600 token file for a token with `policy` (HCL) and nothing else.
    fn token_with(&self, name: &str, policy: &str) -> PathBuf {
        let root = self.e.sb.root_token();
        let (code, v) = self
            .e
            .sb
            .vault(
                0,
                "PUT",
                &format!("sys/policies/acl/{name}"),
                Some(&root),
                Some(&json!({"policy": policy})),
            )
            .expect("write policy");
        assert!(code < 300, "{code} {v}");
        let (code, v) = self
            .e
            .sb
            .vault(
                0,
                "POST",
                "auth/token/create-orphan",
                Some(&root),
                Some(&json!({"policies": [name], "ttl": "1h"})),
            )
            .expect("create token");
        assert!(code < 300, "{code} {v}");
        let path = self.e.sb.dir().join(format!("{name}-token"));
        support::write_token(&path, &v);
        path
    }
}

fn group<'a>(report: &'a Value, list: &str, prefix: &str) -> Option<&'a Value> {
    report[list]
        .as_array()?
        .iter()
        .find(|g| g["prefix"] == prefix)
}

/// One sandbox with three roles' leases: top counts match the API, the budget gives a lower
/// bound, status reports the total; then the refusals (unknown prefix, a token without sudo,
/// a token that may list but not revoke) change nothing; a dry run changes nothing; a
/// batched revoke interrupted by SIGINT and rerun removes exactly one role's leases; a small
/// prefix goes in one revoke-prefix; tidy runs.
#[test]
fn count_then_revoke_safely() {
    let l = Leases::start("leases-count-revoke");
    let before = l.counts();
    assert_eq!(before, [N_A, N_B, N_OTHER], "the flood made what it said");
    let total = l.count("");

    // top: the whole tree, by mount and by role, against the API's own count.
    let top = l.json(&["top"]);
    assert_eq!(top["total"], total, "{top:#}");
    assert_eq!(top["complete"], true, "{top:#}");
    assert_eq!(
        group(&top, "mounts", "auth/token/").expect("auth/token/ mount")["leases"],
        total
    );
    for (p, n) in [(A, N_A), (B, N_B), (OTHER, N_OTHER)] {
        let g =
            group(&top, "prefixes", &format!("{p}/")).unwrap_or_else(|| panic!("{p} in {top:#}"));
        assert_eq!(g["leases"], n, "{top:#}");
        assert!(
            g["soonest_expiry"].is_string() && g["max_ttl_seconds"].as_i64().unwrap_or(0) > 3000,
            "{g}"
        );
    }
    // Under a prefix, and with a table.
    let top_a = l.json(&["top", A]);
    assert_eq!(top_a["total"], N_A, "{top_a:#}");
    let table = l.run(&["top", "--limit", "2"]);
    assert_exit(&table, 0);
    assert!(
        stdout(&table).contains(&format!("{A}/")),
        "{}",
        show(&table)
    );

    // A budget too small for the tree: a lower bound, and said so.
    let small = l.json(&["top", "--max-requests", "3", "--sample", "0"]);
    assert_eq!(small["complete"], false, "{small:#}");
    assert!(small["total"].as_u64().expect("total") < total, "{small:#}");
    let small_table = l.run(&["top", "--max-requests", "3", "--sample", "0"]);
    assert!(
        stdout(&small_table).contains("Lower bound"),
        "{}",
        show(&small_table)
    );

    // status: the active node's lease total (the gauge is refreshed periodically).
    let s = l.status_with_lease_total(total);
    assert_eq!(s["pods"].as_array().map(Vec::len), Some(3), "{s:#}");
    for p in s["pods"].as_array().into_iter().flatten() {
        let ratio = p["alloc_sys_ratio"]
            .as_f64()
            .unwrap_or_else(|| panic!("{s:#}"));
        assert!(ratio > 0.0 && ratio < 1.0, "{s:#}");
        assert!(p["goroutines"].as_f64().unwrap_or(0.0) > 10.0, "{s:#}");
    }
    // The metrics API: the real `kubectl top pod` reads it, and status puts each pod's working
    // set beside its Go memory (the sandbox's pods have no memory limit, so no percentage).
    let top_pods =
        l.e.kubectl
            .ok(["top", "pod", "--no-headers"])
            .expect("kubectl top pod");
    for pod in ["vault-0", "vault-1", "vault-2"] {
        let line = top_pods
            .lines()
            .find(|line| line.starts_with(&format!("{pod} ")))
            .unwrap_or_else(|| panic!("{pod} in kubectl top pod:\n{top_pods}"));
        let mib: u64 = line
            .split_whitespace()
            .nth(2)
            .and_then(|m| m.strip_suffix("Mi")?.parse().ok())
            .unwrap_or_else(|| panic!("memory column: {line}"));
        assert!((10..4096).contains(&mib), "{line}");
    }
    let s = l.json(&["status"]);
    for p in s["pods"].as_array().into_iter().flatten() {
        assert_eq!(p["metrics_api"], true, "{s:#}");
        assert!(
            p["working_set_bytes"].as_u64().unwrap_or(0) > 10 << 20,
            "{s:#}"
        );
        assert!(p["percent_of_limit"].is_null(), "{s:#}");
    }
    // --interval: two samples, growth per minute for each pod and for the leases.
    let start = Instant::now();
    let grown = l.json(&["status", "--interval", "2s"]);
    assert!(start.elapsed() >= Duration::from_secs(2));
    for p in grown["pods"].as_array().into_iter().flatten() {
        assert!(p["growth_bytes_per_minute"].is_f64(), "{grown:#}");
    }
    assert!(grown["leases"]["growth_per_minute"].is_f64(), "{grown:#}");
    let status = l.run(&[]);
    assert_exit(&status, 0);
    assert!(
        stdout(&status).contains("Leases on vault-"),
        "{}",
        show(&status)
    );

    // Refusals: each a clear error, exit 1, nothing revoked.
    assert_fails_with(
        &l.run(&["revoke", "auth/token/create/nobody", "--yes"]),
        "no leases under",
    );
    assert_fails_with(
        &l.run(&["revoke", "/", "--yes"]),
        "refusing to revoke every lease",
    );
    let no_sudo = l.token_with(
        "no-sudo",
        r#"path "sys/leases/*" { capabilities = ["read", "list", "update"] }"#,
    );
    assert_fails_with(
        &l.run_as(&no_sudo, &["revoke", A, "--yes"]),
        "permission denied",
    );
    let list_only = l.token_with(
        "list-only",
        r#"path "sys/leases/lookup/*" { capabilities = ["list", "sudo"] }
path "sys/leases/lookup" { capabilities = ["update"] }"#,
    );
    assert_fails_with(
        &l.run_as(&list_only, &["revoke", A, "--yes"]),
        "permission denied",
    );
    assert_fails_with(&l.run(&["revoke", A]), "add --yes");
    assert_eq!(l.counts(), before, "a refused revoke changed nothing");

    // Dry run: the plan with the count, nothing changed.
    let dry = l.run(&["revoke", A, "--dry-run", "--batch", "100"]);
    assert_exit(&dry, 0);
    let text = stdout(&dry);
    assert!(
        text.contains(&format!("revoke {N_A} leases under {A}/")),
        "{text}"
    );
    assert!(
        text.contains("lease by lease") && text.contains("Dry run: nothing was changed."),
        "{text}"
    );
    assert_eq!(l.counts(), before, "a dry run changed nothing");

    // Batched revoke, interrupted half-way by SIGINT, then rerun: exactly flood-a goes.
    let child = l
        .command(
            &l.token_file,
            &["revoke", A, "--yes", "--batch", "50", "--rate", "150"],
        )
        .spawn()
        .expect("spawn revoke");
    let pid = child.id() as i32;
    let start = Instant::now();
    while l.count(A) > N_A / 2 {
        assert!(
            start.elapsed() < Duration::from_secs(90),
            "the revoke made no progress"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // SAFETY: signalling the child we spawned (kubectl exec()s the plugin in its place).
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(pid, libc::SIGINT);
    }
    let interrupted = child.wait_with_output().expect("wait for revoke");
    assert_exit(&interrupted, 1);
    assert!(
        support::stderr(&interrupted).contains("rerun"),
        "{}",
        show(&interrupted)
    );
    let left = l.count(A);
    assert!(left > 0 && left < N_A, "interrupted half-way: {left} left");
    assert_eq!(
        [l.count(B), l.count(OTHER)],
        [N_B, N_OTHER],
        "only flood-a was touched"
    );

    let rerun = l.run(&[
        "revoke", A, "--yes", "--batch", "50", "--rate", "0", "-o", "json",
    ]);
    assert_exit(&rerun, 0);
    let outcome: Value = serde_json::from_slice(&rerun.stdout).expect("json");
    assert_eq!(outcome["counted"], left, "{outcome:#}");
    assert_eq!(outcome["left"], 0, "{outcome:#}");
    assert_eq!(
        l.counts(),
        [0, N_B, N_OTHER],
        "exactly flood-a's leases were revoked"
    );
    let events = l.e.our_events();
    assert!(
        events.iter().any(|e| e["reason"] == "LeasesRevoked"
            && e["message"].as_str().is_some_and(|m| m.contains(A))),
        "{events:#?}"
    );

    // A small prefix: one revoke-prefix.
    let small = l.run(&["revoke", OTHER, "--yes", "--batch", "500"]);
    assert_exit(&small, 0);
    assert!(stdout(&small).contains("RevokePrefix"), "{}", show(&small));
    assert_eq!(l.counts(), [0, N_B, 0]);

    // --force: the plan carries the runbook's warning; a large prefix is force-revoked lease by
    // lease (one revoke-force over 1000 leases outlasts the client's timeout on a busy machine).
    let dry = l.run(&["revoke", B, "--force", "--dry-run"]);
    assert_exit(&dry, 0);
    let text = stdout(&dry);
    assert!(
        text.contains("lease by lease through sys/leases/revoke-force/<lease>")
            && text.contains("warning: revoke-force deletes the leases"),
        "{text}"
    );
    assert_eq!(l.count(B), N_B, "a dry run changed nothing");
    let forced = l.run(&["revoke", B, "--force", "--yes", "--rate", "0", "-o", "json"]);
    assert_exit(&forced, 0);
    let outcome: Value = serde_json::from_slice(&forced.stdout).expect("json");
    assert_eq!(outcome["method"], "force-lease-by-lease", "{outcome:#}");
    assert_eq!(l.counts(), [0, 0, 0]);

    let tidy = l.run(&["tidy", "--yes"]);
    assert_exit(&tidy, 0);
    assert!(
        stdout(&tidy).contains("lease tidy started"),
        "{}",
        show(&tidy)
    );
}

/// A sealed standby cannot report its memory: status says so for that pod and exits 2, while
/// the lease total still comes from the active node. An OOM-killed standby is named; a window
/// that excludes the kill shows it without flagging it.
#[test]
fn status_names_a_sealed_standby_and_an_oom_killed_pod() {
    let l = Leases::on(support::env("leases-status-faults", 3, PLUGIN));
    // A sealed standby cannot report its memory: status says so for that pod and exits 2,
    // while the lease total still comes from the active node.
    let active = (0..3)
        .find(|&i| {
            l.e.sb
                .vault(i, "GET", "sys/leader", None, None)
                .is_ok_and(|(_, v)| v["is_self"] == true)
        })
        .map(|i| format!("vault-{i}"))
        .expect("an active node, through the API");
    let standby = ["vault-0", "vault-1", "vault-2"]
        .into_iter()
        .find(|p| *p != active)
        .expect("a standby");
    l.e.sb.fault(Fault::Seal, standby).expect("seal a standby");
    l.e.wait_sealed(
        standby
            .trim_start_matches("vault-")
            .parse()
            .expect("ordinal"),
    );
    let out = l.run(&["status", "-o", "json"]);
    assert_exit(&out, 2);
    let s: Value = serde_json::from_slice(&out.stdout).expect("status json");
    let row = s["pods"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["pod"] == standby))
        .expect("the sealed pod's row");
    assert!(row["error"].is_string(), "{s:#}");
    assert!(s["leases"]["leases"].as_f64().is_some(), "{s:#}");

    // The other standby is OOM-killed: kubectl sees the last state, status names the pod, and
    // a window that excludes the kill shows it without flagging it.
    let oomed = ["vault-0", "vault-1", "vault-2"]
        .into_iter()
        .find(|p| *p != active && *p != standby)
        .expect("the other standby");
    l.e.sb.fault(Fault::Oom, oomed).expect("oom");
    let reason = support::jsonpath(
        &l.e.kubectl,
        &["pod", oomed],
        "{.status.containerStatuses[0].lastState.terminated.reason}",
    )
    .expect("kubectl get pod");
    assert_eq!(reason.trim(), "OOMKilled");
    let oom_findings = |s: &Value| -> Vec<String> {
        s["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|f| f["kind"] == "oom_killed")
            .map(|f| f["subject"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let out = l.run(&["status", "-o", "json"]);
    assert_exit(&out, 2);
    let s: Value = serde_json::from_slice(&out.stdout).expect("status json");
    assert_eq!(oom_findings(&s), [oomed], "{s:#}");
    let row = s["pods"]
        .as_array()
        .and_then(|ps| ps.iter().find(|p| p["pod"] == oomed))
        .expect("the OOM-killed pod's row");
    assert!(
        row["oom_killed"].is_string() && row["oom_recent"] == true,
        "{s:#}"
    );
    let table = l.run(&["status"]);
    assert!(stdout(&table).contains(oomed), "{}", show(&table));
    std::thread::sleep(Duration::from_secs(2));
    let out = l.run(&["status", "-o", "json", "--oom-window", "1s"]);
    let s: Value = serde_json::from_slice(&out.stdout).expect("status json");
    assert!(
        oom_findings(&s).is_empty(),
        "an older kill is not flagged: {s:#}"
    );
}

/// At scale: 20 000 token leases under two roles and 2 000 AppRole logins on a second mount.
/// `top` counts each mount and role as the Vault API does, and `status` shows the total.
#[test]
fn top_counts_twenty_two_thousand_leases_on_two_mounts() {
    const ROLES: [(&str, u64); 2] = [("big-a", 12_000), ("big-b", 8_000)];
    const LOGINS: u64 = 2000;
    let e = support::env("leases-scale", 3, PLUGIN);
    for (role, n) in ROLES {
        e.sb.lease_flood(role, n as usize).expect("create leases");
    }
    e.sb.lease_flood_approle("approle", LOGINS as usize)
        .expect("create AppRole logins");
    let total = e.sb.count_leases("").expect("count through the API");
    assert_eq!(total, 20_000 + LOGINS, "the floods made what they said");
    let l = Leases::on(e);
    let top = l.json(&["top"]);
    assert_eq!(top["total"], total, "{top:#}");
    assert_eq!(top["complete"], true, "{top:#}");
    for (mount, n) in [("auth/token/", 20_000), ("auth/approle/", LOGINS)] {
        let g = group(&top, "mounts", mount).unwrap_or_else(|| panic!("{mount} in {top:#}"));
        assert_eq!(g["leases"], n, "{top:#}");
        assert_eq!(g["leases"], l.count(mount), "{top:#}");
    }
    for (role, n) in ROLES {
        let p = format!("auth/token/create/{role}/");
        let g = group(&top, "prefixes", &p).unwrap_or_else(|| panic!("{p} in {top:#}"));
        assert_eq!(g["leases"], n, "{top:#}");
    }
    let logins = group(&top, "prefixes", "auth/approle/login/").expect("the AppRole logins");
    assert_eq!(logins["leases"], LOGINS, "{top:#}");

    // status: the active node's lease gauge reaches the same total (refreshed periodically).
    l.status_with_lease_total(total);
}

#[test]
fn shell_completion_scripts_are_current_and_list_the_subcommands() {
    support::assert_completions_current(PLUGIN, "rev", "revoke");
}
