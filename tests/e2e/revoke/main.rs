//! End-to-end tests of `kubectl vault-revoke`: the real plugin executable through the real
//! kubectl's plugin discovery, against real OpenBao servers writing real audit logs (a file
//! audit device declared in their configuration, on each pod's audit volume). A token is
//! "leaked" after it read two secrets and made a child token; every outcome is checked
//! through the Vault API with the test's own tokens, never through the plugin's report, and
//! no token or secret value may appear in any output.

#[path = "../support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::Output;
use std::time::Duration;

use serde_json::{Value, json};
use support::{Env, assert_exit, assert_fails_with, assert_no_secret, show, stdout};
use vault_sandbox::Options;

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_revoke");

struct Leak {
    e: Env,
    root: String,
    root_file: PathBuf,
    /// Every token and secret value of the test: none may be printed.
    secrets: Vec<String>,
    nodes: u32,
}

impl Leak {
    fn start(name: &str, nodes: u32) -> Leak {
        let e = support::env_with(
            name,
            PLUGIN,
            Options {
                nodes,
                audit: true,
                ..Options::default()
            },
        );
        let root_file = e.token_file();
        Leak {
            nodes,
            secrets: e.secrets(),
            root: e.sb.root_token(),
            root_file,
            e,
        }
    }

    fn vault_as(
        &self,
        pod: u32,
        token: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        self.e
            .sb
            .vault(pod, method, path, Some(token), body.as_ref())
            .expect("Vault API call")
    }

    fn root_ok(&self, method: &str, path: &str, body: Value) -> Value {
        let (status, v) = self.vault_as(0, &self.root, method, path, Some(body));
        assert!(status < 300, "{method} {path}: {status} {v}");
        v
    }

    /// A new token with `policies`, made by `parent` (root: a top-level token).
    fn token(&mut self, parent: &str, pod: u32, policies: &[&str]) -> (String, String) {
        let (status, v) = self.vault_as(
            pod,
            parent,
            "POST",
            "auth/token/create",
            Some(json!({"policies": policies, "ttl": "1h"})),
        );
        assert_eq!(status, 200, "create token: {v}");
        let t = v["auth"]["client_token"].as_str().unwrap().to_string();
        self.secrets.push(t.clone());
        (t, v["auth"]["accessor"].as_str().unwrap().to_string())
    }

    fn valid(&self, token: &str) -> bool {
        let (status, _) = self.vault_as(0, token, "GET", "auth/token/lookup-self", None);
        status == 200
    }

    /// Writes `text` to a 0600 file in the sandbox's directory.
    fn file(&self, name: &str, text: &str) -> PathBuf {
        let p = self.e.sb.dir().join(name);
        support::write_private(&p, text.as_bytes());
        p
    }

    fn run(&self, args: &[&str]) -> Output {
        let mut full = vec!["vault-revoke"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--token-file", self.root_file.to_str().unwrap()]);
        let out = self.e.run(&full, None);
        assert_no_secret("stdout", &stdout(&out), &self.secrets);
        assert_no_secret("stderr", &support::stderr(&out), &self.secrets);
        out
    }

    /// Runs `vault-revoke ARGS` on a terminal, answers `prompt` with `answer` and returns the
    /// exit code and what the terminal showed (no secret in it).
    fn on_terminal(
        &self,
        args: &[&str],
        (prompt, answer): (&str, &str),
        limit: Duration,
    ) -> (Option<i32>, String) {
        let mut full = vec!["vault-revoke"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--token-file", self.root_file.to_str().unwrap()]);
        let mut cmd = self.e.kubectl.command(full);
        cmd.env("TERM", "dumb");
        let mut pty = support::Pty::spawn(cmd);
        pty.expect(prompt, 1);
        pty.type_line(answer);
        let status = pty.wait_within(limit);
        assert_no_secret("the terminal", &pty.output(), &self.secrets);
        (status.code(), pty.output())
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut full = args.to_vec();
        full.extend_from_slice(&["-o", "json"]);
        let out = self.run(&full);
        assert_exit(&out, 0);
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", show(&out)))
    }

    /// KV v2 at secret/ with three secrets, and a policy that reads secret/app/* and may
    /// create child tokens.
    fn setup(&mut self) {
        self.root_ok(
            "POST",
            "sys/mounts/secret",
            json!({"type": "kv", "options": {"version": "2"}}),
        );
        // A new KV v2 mount answers 400 "Upgrading from non-versioned to versioned data" for
        // a moment (longer on a loaded machine): wait until it takes writes.
        let start = std::time::Instant::now();
        loop {
            let body = json!({"data": {"v": "1"}});
            let (status, v) = self.vault_as(0, &self.root, "POST", "secret/data/probe", Some(body));
            if status < 300 {
                break;
            }
            assert!(
                v.to_string().contains("Upgrading")
                    && start.elapsed() < std::time::Duration::from_secs(60),
                "the KV mount does not take writes: {status} {v}"
            );
            std::thread::sleep(std::time::Duration::from_millis(250));
        }
        // A standby serves reads itself, and its KV backend answers 400 "Waiting for the
        // primary to upgrade…" until it sees the upgrade done (it looks once a second). Only
        // vault-1 is asked: a pod no request reaches keeps no audit file.
        if self.nodes > 1 {
            loop {
                let (status, v) = self.vault_as(1, &self.root, "GET", "secret/data/probe", None);
                if status < 300 {
                    break;
                }
                assert!(
                    v.to_string().contains("upgrade")
                        && start.elapsed() < std::time::Duration::from_secs(60),
                    "vault-1 does not serve the KV mount: {status} {v}"
                );
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
        }
        for (path, value) in [
            ("app/db", "db-password-7Qx"),
            ("app/api", "api-key-9Zr"),
            ("other", "other-value-3Kp"),
        ] {
            self.secrets.push(value.to_string());
            self.root_ok(
                "POST",
                &format!("secret/data/{path}"),
                json!({"data": {"value": value}}),
            );
        }
        self.root_ok(
            "PUT",
            "sys/policies/acl/app-read",
            json!({"policy": "path \"secret/data/app/*\" { capabilities = [\"read\"] }\npath \"auth/token/create\" { capabilities = [\"update\"] }"}),
        );
    }
}

/// The timeline's reads of secret data that succeeded, as (path, pod).
fn ok_reads(report: &Value) -> Vec<String> {
    let mut v: Vec<String> = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| {
            r["operation"] == "read"
                && r["result"] == "ok"
                && r["path"].as_str().unwrap().starts_with("secret/data/")
        })
        .map(|r| r["path"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

#[test]
fn a_leaked_token_is_found_by_hmac_revoked_with_its_child_and_bad_input_changes_nothing() {
    // Three pods: vault-2 serves no request, so it has no audit file.
    let mut t = Leak::start("revoke-leak", 3);
    t.setup();
    let (leaked, accessor) = t.token(&t.root.clone(), 0, &["app-read"]);
    let (other, _) = t.token(&t.root.clone(), 0, &["app-read"]);
    // The leaked token reads two secrets, one through the active pod and one through a standby
    // (which serves the read itself and audits it in its own file), makes a child, and is
    // refused elsewhere.
    for (pod, path) in [(0, "secret/data/app/db"), (1, "secret/data/app/api")] {
        let (status, v) = t.vault_as(pod, &leaked, "GET", path, None);
        assert_eq!(status, 200, "{v}");
    }
    let (child, _) = t.token(&leaked, 0, &["app-read"]);
    let (status, _) = t.vault_as(0, &leaked, "GET", "secret/data/other", None);
    assert_eq!(status, 403);
    // Another token's read of the same secret is not the leaked token's.
    let (status, _) = t.vault_as(0, &other, "GET", "secret/data/app/db", None);
    assert_eq!(status, 200);

    let leaked_file = t.file("leaked", &format!("{leaked}\n"));
    let leaked_arg = leaked_file.to_str().unwrap();
    let report = t.json(&["scan", "--leaked-token-file", leaked_arg]);
    assert_eq!(report["timeline_of"], "token", "{report:#}");
    assert_eq!(report["complete"], true, "{report:#}");
    assert_eq!(
        ok_reads(&report),
        ["secret/data/app/api", "secret/data/app/db"],
        "{report:#}"
    );
    let timeline = report["timeline"].as_array().unwrap();
    assert!(
        timeline
            .iter()
            .any(|r| r["path"] == "secret/data/other" && r["result"] == "permission denied"),
        "{report:#}"
    );
    assert!(
        timeline.iter().any(|r| r["path"] == "auth/token/create"),
        "{report:#}"
    );
    assert!(
        report["failures"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["path"] == "secret/data/other"
                && f["error"] == "permission denied"
                && f["count"] == 1),
        "{report:#}"
    );
    // By accessor: the same requests.
    let by_accessor = t.json(&["scan", "--accessor", &accessor]);
    assert_eq!(ok_reads(&by_accessor), ok_reads(&report), "{by_accessor:#}");
    // By path: both tokens' reads of secret/app/db.
    let by_path = t.json(&["scan", "--path", "secret/app/db"]);
    assert_eq!(
        ok_reads(&by_path),
        ["secret/data/app/db", "secret/data/app/db"],
        "{by_path:#}"
    );
    // The table names the failure and the timeline.
    let out = t.run(&["scan", "--leaked-token-file", leaked_arg]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(
        text.contains("permission denied") && text.contains("secret/data/app/api"),
        "{text}"
    );

    // A log that cannot be read (here a directory where the file should be, on the standby
    // that served no request: its device made an empty file) makes the scan incomplete,
    // never "nothing found".
    let standby = report["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["result"] == "read" && s["lines"] == 0)
        .unwrap_or_else(|| panic!("a standby has an empty audit file: {report:#}"))["pod"]
        .as_str()
        .unwrap()
        .to_string();
    t.e.kubectl
        .ok([
            "exec",
            &standby,
            "--",
            "sh",
            "-c",
            "rm /vault/audit/audit.log && mkdir /vault/audit/audit.log",
        ])
        .expect("mkdir");
    let out = t.run(&["scan", "--leaked-token-file", leaked_arg, "-o", "json"]);
    assert_exit(&out, 2);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["complete"], false, "{r:#}");
    assert!(
        r["sources"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["result"] == "unreadable"),
        "{r:#}"
    );

    // Bad input: nothing changes.
    let two = t.file("two-lines", &format!("{leaked}\n{other}\n"));
    let out = t.run(&[
        "token",
        "--leaked-token-file",
        two.to_str().unwrap(),
        "--yes",
    ]);
    assert_fails_with(&out, "2 lines: expected exactly one token");
    let out = t.run(&["token", "--accessor", "doesnotexist123", "--yes"]);
    assert_fails_with(&out, "knows no token");
    let out = t.run(&["token", "--leaked-token-file", leaked_arg, "--dry-run"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains(&accessor), "{}", show(&out));
    let out = t.run(&["token", "--leaked-token-file", leaked_arg]);
    assert_fails_with(&out, "add --yes");
    assert!(t.valid(&leaked) && t.valid(&child) && t.valid(&other));

    // Revoked with its child; the other token stays.
    let out = t.run(&[
        "token",
        "--accessor-file",
        t.file("accessor", &accessor).to_str().unwrap(),
        "--yes",
        "-o",
        "json",
    ]);
    assert_exit(&out, 0);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        r["token"]["policies"],
        json!(["app-read", "default"]),
        "{r:#}"
    );
    assert!(!t.valid(&leaked), "the leaked token still works");
    assert!(!t.valid(&child), "its child still works");
    assert!(t.valid(&other), "another token was revoked too");
    let (status, _) = t.vault_as(
        0,
        &t.root,
        "POST",
        "auth/token/lookup-accessor",
        Some(json!({"accessor": accessor})),
    );
    assert_eq!(status, 400, "the accessor is still known");
    assert!(
        t.e.our_events()
            .iter()
            .any(|e| e["reason"] == "TokenRevoked"
                && e["note"]
                    .as_str()
                    .or(e["message"].as_str())
                    .unwrap_or("")
                    .contains(&accessor)),
        "no TokenRevoked Event"
    );
    let events = serde_json::to_string(&t.e.our_events()).unwrap();
    assert_no_secret("Events", &events, &t.secrets);
    // Gone: a second revoke is a clear error.
    let out = t.run(&["token", "--leaked-token-file", leaked_arg, "--yes"]);
    assert_fails_with(&out, "no such token");

    // --orphan: the token alone; its child stays valid, with a warning.
    let (parent, _) = t.token(&t.root.clone(), 0, &["app-read"]);
    let (kept, _) = t.token(&parent, 0, &["app-read"]);
    let parent_file = t.file("parent", &parent);
    let out = t.run(&[
        "token",
        "--leaked-token-file",
        parent_file.to_str().unwrap(),
        "--orphan",
        "--yes",
    ]);
    assert_exit(&out, 0);
    assert!(
        support::stderr(&out).contains("--orphan keeps the tokens it created"),
        "{}",
        show(&out)
    );
    assert!(!t.valid(&parent) && t.valid(&kept));

    // leases PREFIX: vault-leases' revoke, counted and checked through the API.
    t.e.sb.lease_flood("ci", 30).expect("lease flood");
    let prefix = "auth/token/create/ci";
    let out = t.run(&["leases", prefix, "--dry-run"]);
    assert_exit(&out, 0);
    assert_eq!(
        t.e.sb.count_leases(prefix).unwrap(),
        30,
        "a dry run revoked leases"
    );
    let out = t.run(&["leases", prefix, "--yes"]);
    assert_exit(&out, 0);
    assert_eq!(t.e.sb.count_leases(prefix).unwrap(), 0, "{}", show(&out));
}

#[test]
fn scan_without_a_file_audit_device_says_so() {
    let e = support::env("revoke-no-audit", 1, PLUGIN);
    let token_file = e.token_file();
    let out = e.run(
        &[
            "vault-revoke",
            "scan",
            "--token-file",
            token_file.to_str().unwrap(),
        ],
        None,
    );
    assert_fails_with(&out, "no file audit device");

    // Without the chart's audit volume, audit-enable has nowhere durable to write and says
    // so before anything changes.
    let before = e
        .kubectl
        .json(["get", "configmap", "vault-config"])
        .unwrap();
    let out = e.run(
        &[
            "vault-revoke",
            "audit-enable",
            "--yes",
            "--token-file",
            token_file.to_str().unwrap(),
        ],
        None,
    );
    assert_fails_with(&out, "mounts no audit volume");
    let after = e
        .kubectl
        .json(["get", "configmap", "vault-config"])
        .unwrap();
    assert_eq!(
        after["metadata"]["resourceVersion"],
        before["metadata"]["resourceVersion"]
    );
}

#[test]
fn audit_enable_writes_on_the_openbao_charts_audit_volume() {
    let e = support::env_with(
        "revoke-audit-openbao",
        PLUGIN,
        Options {
            nodes: 1,
            audit: true,
            chart: vault_sandbox::chart::Chart::Openbao,
            ..Options::default()
        },
    );
    let token_file = e.token_file();
    let out = e.run(
        &[
            "vault-revoke",
            "audit-enable",
            "--dry-run",
            "-o",
            "json",
            "--token-file",
            token_file.to_str().unwrap(),
        ],
        None,
    );
    assert_exit(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    // Where the pod spec (read independently) mounts the audit volume.
    let pod = e.kubectl.json(["get", "pod", "openbao-0"]).unwrap();
    let mount = pod["spec"]["containers"][0]["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "audit")
        .expect("an audit mount")["mountPath"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(mount, "/openbao/audit");
    assert_eq!(
        v["file_path"],
        format!("{mount}/audit-detailed.log"),
        "{v:#}"
    );
    assert_eq!(v["dry_run"], true, "{v:#}");
}

#[test]
fn shell_completion_scripts_are_current_and_list_the_subcommands() {
    support::assert_completions_current(PLUGIN, "sc", "scan");
}

impl Leak {
    fn metadata(&self, path: &str) -> (u16, Value) {
        self.vault_as(
            0,
            &self.root,
            "GET",
            &format!("secret/metadata/{path}"),
            None,
        )
    }
}

#[test]
fn kv_versions_are_destroyed_and_histories_deleted_only_when_confirmed() {
    let mut t = Leak::start("revoke-kv", 1);
    t.setup();
    t.root_ok(
        "POST",
        "secret/data/app/db",
        json!({"data": {"value": "db-password-v2-Lm4"}}),
    );
    t.secrets.push("db-password-v2-Lm4".into());
    t.root_ok(
        "POST",
        "sys/mounts/legacy",
        json!({"type": "kv", "options": {"version": "1"}}),
    );
    t.root_ok("POST", "legacy/app", json!({"value": "legacy-value-8Hd"}));
    t.secrets.push("legacy-value-8Hd".into());

    // Bad input: nothing changes.
    assert_fails_with(
        &t.run(&["kv", "secret/nope", "--versions", "all", "--yes"]),
        "does not exist",
    );
    assert_fails_with(
        &t.run(&["kv", "secret/app/db", "--versions", "9", "--yes"]),
        "no version 9",
    );
    assert_fails_with(
        &t.run(&["kv", "secret/app/db", "--yes"]),
        "say what to remove",
    );
    assert_fails_with(
        &t.run(&["kv", "secret/app/db", "--versions", "1"]),
        "add --yes",
    );
    let (_, md) = t.metadata("app/db");
    assert_eq!(md["data"]["versions"]["1"]["destroyed"], false, "{md:#}");

    // Version 1 destroyed, version 2 kept, as the API shows.
    let out = t.run(&["kv", "secret/app/db", "--versions", "1", "--yes"]);
    assert_exit(&out, 0);
    let (_, md) = t.metadata("app/db");
    assert_eq!(md["data"]["versions"]["1"]["destroyed"], true, "{md:#}");
    assert_eq!(md["data"]["versions"]["2"]["destroyed"], false, "{md:#}");
    let (status, v) = t.vault_as(0, &t.root, "GET", "secret/data/app/db?version=1", None);
    assert!(
        status == 404 || v["data"]["data"].is_null(),
        "{status} {v:#}"
    );

    // The whole history: a dry run and a wrong typed answer keep it; the path typed deletes it.
    let out = t.run(&["kv", "secret/app/api", "--delete-metadata", "--dry-run"]);
    assert_exit(&out, 0);
    assert_eq!(t.metadata("app/api").0, 200);
    let typed = |answer: &str| {
        t.on_terminal(
            &["kv", "secret/app/api", "--delete-metadata"],
            ("Type secret/app/api to proceed:", answer),
            Duration::from_secs(120),
        )
    };
    let (code, text) = typed("y");
    assert_eq!(code, Some(1), "{text}");
    assert_eq!(
        t.metadata("app/api").0,
        200,
        "deleted without the path typed"
    );
    let (code, text) = typed("secret/app/api");
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(t.metadata("app/api").0, 404, "the history is still there");

    // KV v1: the secret itself.
    assert_fails_with(
        &t.run(&["kv", "legacy/app", "--versions", "1", "--yes"]),
        "KV v1",
    );
    let out = t.run(&["kv", "legacy/app", "--versions", "all", "--yes"]);
    assert_exit(&out, 0);
    assert_eq!(t.vault_as(0, &t.root, "GET", "legacy/app", None).0, 404);
    let events = serde_json::to_string(&t.e.our_events()).unwrap();
    assert!(events.contains("SecretDestroyed"), "{events}");
    assert_no_secret("Events", &events, &t.secrets);
}

#[test]
fn rotate_kv_fields_writes_a_new_version_never_printed_and_names_the_consumers() {
    let mut t = Leak::start("revoke-rotate-kv", 1);
    t.setup();
    let path = "proxy/api-keys/stripe";
    t.root_ok(
        "POST",
        &format!("secret/data/{path}"),
        json!({"data": {"key": "sk_live_old_4Fq", "account": "acct-17"}}),
    );
    t.secrets.push("sk_live_old_4Fq".into());
    // The consumers: a pod whose injector annotation names it, and a Kubernetes auth role
    // whose policy reads it.
    t.e.sb
        .create(
            "pods",
            "default",
            json!({"apiVersion": "v1", "kind": "Pod",
                   "metadata": {"name": "proxy-api", "namespace": "default", "annotations": {
                       "vault.hashicorp.com/agent-inject": "true",
                       "vault.hashicorp.com/agent-inject-secret-stripe": "secret/data/proxy/api-keys/stripe"}},
                   "spec": {"containers": [{"name": "app", "image": "proxy-api:1"}]}}),
        )
        .expect("create the application pod");
    t.root_ok("POST", "sys/auth/kubernetes", json!({"type": "kubernetes"}));
    t.root_ok(
        "PUT",
        "sys/policies/acl/stripe-read",
        json!({"policy": "path \"secret/data/proxy/*\" { capabilities = [\"read\"] }"}),
    );
    t.root_ok(
        "POST",
        "auth/kubernetes/role/proxy",
        json!({"bound_service_account_names": ["proxy-api"], "bound_service_account_namespaces": ["default"], "token_policies": ["stripe-read"]}),
    );
    t.root_ok(
        "POST",
        "auth/kubernetes/role/unrelated",
        json!({"bound_service_account_names": ["x"], "bound_service_account_namespaces": ["default"], "token_policies": ["app-read"]}),
    );
    let read = |t: &Leak| {
        let (status, v) = t.vault_as(0, &t.root, "GET", &format!("secret/data/{path}"), None);
        assert_eq!(status, 200, "{v}");
        (
            v["data"]["data"]["key"].as_str().unwrap().to_string(),
            v["data"]["data"]["account"].as_str().unwrap().to_string(),
            v["data"]["metadata"]["version"].as_u64().unwrap(),
        )
    };

    // Bad input: nothing changes.
    let cli_path = format!("secret/{path}");
    assert_fails_with(
        &t.run(&["rotate", "--kv", &cli_path, "--field", "nope", "--yes"]),
        "has no field nope",
    );
    assert_fails_with(
        &t.run(&["rotate", "--kv", "secret/none", "--field", "key", "--yes"]),
        "does not exist",
    );
    assert_eq!(read(&t).2, 1);

    let out = t.run(&[
        "rotate", "--kv", &cli_path, "--field", "key", "--yes", "-o", "json",
    ]);
    assert_exit(&out, 0);
    let (key, account, version) = read(&t);
    assert_eq!(version, 2);
    assert_ne!(key, "sk_live_old_4Fq");
    assert_eq!(key.len(), 32);
    assert_eq!(account, "acct-17", "a field not named was changed");
    let all = format!(
        "{}{}{:?}",
        stdout(&out),
        support::stderr(&out),
        t.e.our_events()
    );
    assert!(!all.contains(&key), "the new value was printed");
    t.secrets.push(key.clone());
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["verified"], true, "{r:#}");
    assert_eq!(
        r["consumers"]["pods"],
        json!(["default/proxy-api"]),
        "{r:#}"
    );
    assert_eq!(
        r["consumers"]["roles"],
        json!(["auth/kubernetes/role/proxy"]),
        "{r:#}"
    );

    // --from-file: the value supplied, still never printed.
    let supplied = "sk_live_supplied_Xy7";
    t.secrets.push(supplied.into());
    let f = t.file("new-key", &format!("{supplied}\n"));
    let out = t.run(&[
        "rotate",
        "--kv",
        &cli_path,
        "--field",
        "key",
        "--from-file",
        f.to_str().unwrap(),
        "--yes",
    ]);
    assert_exit(&out, 0);
    assert_eq!(read(&t), (supplied.to_string(), "acct-17".to_string(), 3));

    // policy: shown with its glob flagged and the role that hands it out; tightened, a token
    // with it can no longer read outside the path kept (checked through the API).
    assert_fails_with(
        &t.run(&[
            "policy",
            "nope",
            "--tighten-to",
            "secret/data/x:read",
            "--yes",
        ]),
        "no policy nope",
    );
    let shown = t.json(&["policy", "stripe-read"]);
    assert_eq!(
        shown["roles"],
        json!(["auth/kubernetes/role/proxy"]),
        "{shown:#}"
    );
    assert_eq!(shown["broad"][0]["kind"], "glob", "{shown:#}");
    t.root_ok(
        "POST",
        "secret/data/proxy/other",
        json!({"data": {"value": "proxy-other-2Wn"}}),
    );
    t.secrets.push("proxy-other-2Wn".into());
    let (reader, _) = t.token(&t.root.clone(), 0, &["stripe-read"]);
    let reads = |t: &Leak, p: &str| {
        t.vault_as(0, &reader, "GET", &format!("secret/data/proxy/{p}"), None)
            .0
    };
    assert_eq!(
        (reads(&t, "other"), reads(&t, "api-keys/stripe")),
        (200, 200)
    );
    let keep = "secret/data/proxy/api-keys/stripe:read";
    let out = t.run(&["policy", "stripe-read", "--tighten-to", keep, "--dry-run"]);
    assert_exit(&out, 0);
    assert_eq!(reads(&t, "other"), 200, "a dry run changed the policy");
    let tightened = t.json(&["policy", "stripe-read", "--tighten-to", keep, "--yes"]);
    assert!(
        tightened["previous_text"]
            .as_str()
            .unwrap()
            .contains("secret/data/proxy/*"),
        "{tightened:#}"
    );
    assert_eq!(
        (reads(&t, "other"), reads(&t, "api-keys/stripe")),
        (403, 200)
    );
    let events = serde_json::to_string(&t.e.our_events()).unwrap();
    assert!(
        events.contains("PolicyTightened") && events.contains("secret/data/proxy/*"),
        "{events}"
    );
}

/// `policy NAME` names who holds it — a Kubernetes auth role, an AppRole role, identity
/// entities and a group — exactly as the Vault API shows them, and flags a glob that reaches
/// the audit devices without a deny; a token that cannot list the entities gets an error, not
/// "nobody".
#[test]
fn policy_names_its_holders_and_a_missing_deny() {
    let t = Leak::start("revoke-policy-holders", 1);
    t.root_ok(
        "PUT",
        "sys/policies/acl/ops",
        json!({"policy": "path \"secret/data/ops/*\" { capabilities = [\"read\"] }\npath \"sys/*\" { capabilities = [\"read\", \"update\"] }\npath \"sys/policies/acl/*\" { capabilities = [\"deny\"] }"}),
    );
    t.root_ok("POST", "sys/auth/kubernetes", json!({"type": "kubernetes"}));
    t.root_ok("POST", "sys/auth/approle", json!({"type": "approle"}));
    let k8s_role = |name: &str, policy: &str| {
        t.root_ok(
            "POST",
            &format!("auth/kubernetes/role/{name}"),
            json!({"bound_service_account_names": [name], "bound_service_account_namespaces": ["default"], "token_policies": [policy]}),
        );
    };
    k8s_role("ops-agent", "ops");
    k8s_role("web", "web");
    t.root_ok(
        "POST",
        "auth/approle/role/deployer",
        json!({"token_policies": ["default", "ops"]}),
    );
    let entity = |name: &str, policies: Value| -> String {
        let v = t.root_ok(
            "POST",
            "identity/entity",
            json!({"name": name, "policies": policies}),
        );
        v["data"]["id"].as_str().unwrap().to_string()
    };
    entity("alice", json!(["ops"]));
    let bob = entity("bob", json!(["web"]));
    entity("carol", json!([]));
    entity("dave", json!(["web", "ops"]));
    t.root_ok(
        "POST",
        "identity/group",
        json!({"name": "oncall", "policies": ["ops"], "member_entity_ids": [bob]}),
    );
    t.root_ok(
        "POST",
        "identity/group",
        json!({"name": "readers", "policies": ["web"]}),
    );

    let shown = t.json(&["policy", "ops"]);
    assert_eq!(
        shown["roles"],
        json!([
            "auth/approle/role/deployer",
            "auth/kubernetes/role/ops-agent"
        ]),
        "{shown:#}"
    );
    // The entities and groups holding it, as the API lists and reads them.
    for kind in ["entity", "group"] {
        let (status, list) = t.vault_as(0, &t.root, "LIST", &format!("identity/{kind}/id"), None);
        assert_eq!(status, 200, "{list}");
        let mut expected: Vec<(String, String)> = Vec::new();
        for id in list["data"]["keys"].as_array().unwrap() {
            let id = id.as_str().unwrap();
            let (_, o) = t.vault_as(0, &t.root, "GET", &format!("identity/{kind}/id/{id}"), None);
            if o["data"]["policies"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|p| p == "ops")
            {
                expected.push((
                    id.to_string(),
                    o["data"]["name"].as_str().unwrap().to_string(),
                ));
            }
        }
        expected.sort_by(|a, b| a.1.cmp(&b.1));
        let key = if kind == "entity" {
            "entities"
        } else {
            "groups"
        };
        let got: Vec<(String, String)> = shown[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| {
                (
                    o["id"].as_str().unwrap().to_string(),
                    o["name"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        assert_eq!(got, expected, "{kind}: {shown:#}");
    }
    let names = |key: &str| -> Vec<String> {
        shown[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["name"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("entities"), ["alice", "dave"]);
    assert_eq!(names("groups"), ["oncall"]);
    assert_eq!(shown["groups"][0]["members"], 1, "{shown:#}");
    let missing: Vec<&Value> = shown["broad"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["kind"] == "deny_missing")
        .collect();
    assert_eq!(missing.len(), 1, "{shown:#}");
    assert_eq!(missing[0]["path"], "sys/*");
    let reaches = missing[0]["reaches"].to_string();
    assert!(
        reaches.contains("audit devices") && reaches.contains("auth methods"),
        "{reaches}"
    );
    assert!(
        !reaches.contains("sys/policies/acl"),
        "the deny was ignored: {reaches}"
    );
    let table = t.run(&["policy", "ops"]);
    assert_exit(&table, 0);
    assert!(
        !support::stderr(&table).contains("sys/policies/acl/*: a glob"),
        "a deny is not a broad grant: {}",
        show(&table)
    );
    assert!(stdout(&table).contains("entity alice"), "{}", show(&table));
    assert!(
        support::stderr(&table).contains("deny missing"),
        "{}",
        show(&table)
    );

    // A token that may read the policy and the auth roles but not list the entities: an
    // error naming what it could not read, never an empty list.
    t.root_ok(
        "PUT",
        "sys/policies/acl/half-reader",
        json!({"policy": "path \"sys/policies/acl/*\" { capabilities = [\"read\"] }\npath \"sys/auth\" { capabilities = [\"read\"] }\npath \"auth/*\" { capabilities = [\"read\", \"list\"] }"}),
    );
    let (status, v) = t.vault_as(
        0,
        &t.root,
        "POST",
        "auth/token/create",
        Some(json!({"policies": ["half-reader"], "ttl": "10m"})),
    );
    assert_eq!(status, 200, "{v}");
    let half = t.file("half-token", v["auth"]["client_token"].as_str().unwrap());
    let out = t.e.run(
        &[
            "vault-revoke",
            "policy",
            "ops",
            "--token-file",
            half.to_str().unwrap(),
        ],
        None,
    );
    assert_fails_with(&out, "identity/entity/id");
}

#[test]
fn rotate_database_root_and_static_role_against_a_real_postgres() {
    let t = Leak::start("revoke-rotate-db", 1);
    // Outside the cluster, on the node address the pods reach.
    let pg = vault_sandbox::postgres::Postgres::start_for_pods(
        &t.e.sb.dir().join("postgres"),
        t.e.sb.node_ip(),
    )
    .expect("PostgreSQL");
    pg.psql(
        &pg.superuser,
        &pg.password,
        "CREATE ROLE app_static LOGIN PASSWORD 'initial-static-pw'",
    )
    .unwrap();
    t.root_ok("POST", "sys/mounts/database", json!({"type": "database"}));
    t.root_ok(
        "POST",
        "database/config/pg",
        json!({"plugin_name": "postgresql-database-plugin", "connection_url": pg.connection_url(),
               "username": pg.superuser, "password": pg.password, "allowed_roles": "*", "verify_connection": true}),
    );
    t.root_ok(
        "POST",
        "database/roles/dyn",
        json!({"db_name": "pg", "default_ttl": "1h",
               "creation_statements": "CREATE ROLE \"{{name}}\" WITH LOGIN PASSWORD '{{password}}' VALID UNTIL '{{expiration}}';"}),
    );
    t.root_ok(
        "POST",
        "database/static-roles/st",
        json!({"db_name": "pg", "username": "app_static", "rotation_period": "24h"}),
    );
    let static_password = |t: &Leak| {
        let (status, v) = t.vault_as(0, &t.root, "GET", "database/static-creds/st", None);
        assert_eq!(status, 200, "{v}");
        v["data"]["password"].as_str().unwrap().to_string()
    };
    let mut secrets = t.secrets.clone();
    secrets.push(pg.password.clone());

    // Bad input: an unknown connection or role changes nothing.
    let out = t.run(&["rotate", "--db-connection", "nope", "--yes"]);
    assert_exit(&out, 1);
    assert!(pg.login_works(&pg.superuser, &pg.password));

    // rotate-root: the old root password no longer logs in; Vault still issues credentials
    // that do.
    let out = t.run(&["rotate", "--db-connection", "pg", "--yes", "-o", "json"]);
    assert_exit(&out, 0);
    assert_no_secret(
        "rotate-root output",
        &format!("{}{}", stdout(&out), support::stderr(&out)),
        &secrets,
    );
    assert!(
        !pg.login_works(&pg.superuser, &pg.password),
        "the old root password still works"
    );
    let (status, creds) = t.vault_as(0, &t.root, "GET", "database/creds/dyn", None);
    assert_eq!(status, 200, "{creds}");
    assert!(pg.login_works(
        creds["data"]["username"].as_str().unwrap(),
        creds["data"]["password"].as_str().unwrap()
    ));

    // rotate-role: the old static password fails, the new one (read through the API) works.
    let old = static_password(&t);
    assert!(pg.login_works("app_static", &old));
    secrets.push(old.clone());
    let out = t.run(&["rotate", "--db-static-role", "st", "--yes"]);
    assert_exit(&out, 0);
    assert_no_secret(
        "rotate-role output",
        &format!("{}{}", stdout(&out), support::stderr(&out)),
        &secrets,
    );
    let new = static_password(&t);
    assert_ne!(new, old);
    assert!(
        !out.stdout.windows(new.len()).any(|w| w == new.as_bytes()),
        "the new password was printed"
    );
    assert!(
        !pg.login_works("app_static", &old),
        "the old static password still works"
    );
    assert!(
        pg.login_works("app_static", &new),
        "the new static password does not work"
    );
}

#[test]
fn respond_scans_revokes_destroys_rotates_and_reports_without_a_secret() {
    // Three pods: vault-2 serves no request, so it has no audit file.
    let mut t = Leak::start("revoke-respond", 3);
    t.setup();
    let (leaked, accessor) = t.token(&t.root.clone(), 0, &["app-read"]);
    for (pod, path) in [(0, "secret/data/app/db"), (1, "secret/data/app/api")] {
        assert_eq!(t.vault_as(pod, &leaked, "GET", path, None).0, 200);
    }
    let (child, _) = t.token(&leaked, 1, &["app-read"]);
    let leaked_file = t.file("leaked", &leaked);
    let base = t.e.sb.dir().join("incident");
    let base_arg = base.to_str().unwrap();
    let respond = |t: &Leak| {
        t.run(&[
            "respond",
            "--leaked-token-file",
            leaked_file.to_str().unwrap(),
            "--kv",
            "secret/app/db",
            "--rotate",
            "secret/app/api:value",
            "--report",
            base_arg,
            "--yes",
            "-o",
            "json",
        ])
    };
    let out = respond(&t);
    assert_exit(&out, 0);
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        ok_reads(&r["scan"]),
        ["secret/data/app/api", "secret/data/app/db"],
        "{r:#}"
    );
    assert!(
        !t.valid(&leaked) && !t.valid(&child),
        "the token or its child still works"
    );
    let (status, _) = t.vault_as(
        0,
        &t.root,
        "POST",
        "auth/token/lookup-accessor",
        Some(json!({"accessor": accessor})),
    );
    assert_eq!(status, 400);
    let (_, md) = t.vault_as(0, &t.root, "GET", "secret/metadata/app/db", None);
    assert_eq!(md["data"]["versions"]["1"]["destroyed"], true, "{md:#}");
    let (_, api) = t.vault_as(0, &t.root, "GET", "secret/data/app/api", None);
    assert_eq!(api["data"]["metadata"]["version"], 2, "{api:#}");
    let new_value = api["data"]["data"]["value"].as_str().unwrap().to_string();
    assert_ne!(new_value, "api-key-9Zr");
    t.secrets.push(new_value);

    // The report: JSON and Markdown, 0600, the timeline in it, no secret anywhere.
    use std::os::unix::fs::PermissionsExt;
    for ext in ["json", "md"] {
        let p = PathBuf::from(format!("{base_arg}.{ext}"));
        let text = std::fs::read_to_string(&p).expect("report file");
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(
            text.contains("secret/data/app/api") && text.contains(&accessor),
            "{text}"
        );
        assert_no_secret(&format!("the {ext} report"), &text, &t.secrets);
    }
    assert_no_secret("stdout", &stdout(&out), &t.secrets);
    let events = serde_json::to_string(&t.e.our_events()).unwrap();
    assert_no_secret("Events", &events, &t.secrets);

    // A report that exists is not overwritten, and nothing else happens.
    let out = respond(&t);
    assert_fails_with(&out, "exists: add --force");
}

#[test]
fn audit_enable_on_openbao_adds_the_stanza_and_rolls_the_pods_unsealed() {
    // Three pods: a rolling restart of two would lose the raft quorum with each pod.
    let t = Leak::start("revoke-audit-enable", 3);
    let keys = t.e.sb.init_json_path();
    let config = |t: &Leak| {
        t.e.kubectl
            .json(["get", "configmap", "vault-config"])
            .expect("configmap")["data"]["extraconfig-from-values.hcl"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let before = config(&t);
    // OpenBao refuses the API; restarting Shamir-sealed pods needs keys: nothing changes.
    let out = t.run(&["audit-enable", "--yes"]);
    assert_fails_with(&out, "needs their keys");
    assert_eq!(config(&t), before);

    let keys_arg = keys.to_str().unwrap();
    let pod_uids = |t: &Leak| {
        let v = t.e.kubectl.json(["get", "pods"]).expect("kubectl get pods");
        let mut uids: Vec<String> = v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["metadata"]["uid"].as_str().unwrap().to_string())
            .collect();
        uids.sort();
        uids
    };
    let uids = pod_uids(&t);

    // --log-raw off a terminal and without --yes: refused, nothing changed.
    let out = t.run(&["audit-enable", "--log-raw", "--keys-file", keys_arg]);
    assert_fails_with(&out, "--yes");
    assert_eq!(config(&t), before);
    // On a terminal it asks to type the namespace: anything else refuses and changes nothing.
    let on_terminal = |answer: &str, limit: u64| {
        t.on_terminal(
            &["audit-enable", "--log-raw", "--keys-file", keys_arg],
            ("Type vault to proceed:", answer),
            Duration::from_secs(limit),
        )
    };
    let (code, text) = on_terminal("y", 60);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("in clear"),
        "no warning on the terminal: {text}"
    );
    assert!(text.contains("vault was not typed"), "{text}");
    assert_eq!(config(&t), before, "a wrong answer changed the ConfigMap");
    assert_eq!(pod_uids(&t), uids, "a wrong answer restarted pods");

    // The namespace typed: the raw device is declared and the pods rolled.
    let (code, text) = on_terminal("vault", 600);
    assert_eq!(code, Some(0), "{text}");
    let now = config(&t);
    assert!(
        now.contains("audit \"file\" \"detailed\"") && now.contains("log_raw"),
        "{now}"
    );
    let after = pod_uids(&t);
    assert!(
        after.iter().all(|u| !uids.contains(u)),
        "not every pod was restarted: {uids:?} → {after:?}"
    );
    for i in 0..3 {
        assert_eq!(
            t.e.sb.seal_status(i).unwrap()["sealed"],
            false,
            "vault-{i} sealed"
        );
    }
    // The active node adds the declared device to the audit table; vault-0, a standby that
    // serves reads itself, sees it once raft has brought it the table (a restarted pod's
    // cluster port refuses the leader's TLS for a few seconds first).
    let mut devices = serde_json::Value::Null;
    t.e.sb
        .wait_until(
            "vault-0 lists the new audit device",
            Duration::from_secs(60),
            || {
                let (status, d) = t.vault_as(0, &t.root, "GET", "sys/audit", None);
                devices = d;
                status == 200 && devices["data"]["detailed/"].is_object()
            },
        )
        .unwrap_or_else(|e| panic!("{e}: {devices:#}"));
    assert_eq!(
        devices["data"]["detailed/"]["options"]["log_raw"], "true",
        "{devices:#}"
    );
    // A request now is in the new file of the active pod, its token in clear (log_raw).
    let (_, mounts) = t.vault_as(0, &t.root, "GET", "sys/mounts", None);
    assert!(mounts.is_object());
    let logged = (0..3).any(|i| {
        t.e.kubectl
            .ok([
                "exec",
                &format!("vault-{i}"),
                "--",
                "cat",
                "/vault/audit/audit-detailed.log",
            ])
            .is_ok_and(|log| log.contains("\"path\":\"sys/mounts\"") && log.contains(&t.root))
    });
    assert!(logged, "the request is in no pod's new audit file in clear");
}
