//! End-to-end tests of `kubectl vault-auth`: the real plugin executable, reached through the
//! real kubectl's plugin discovery, against a real OpenBao whose built-in Kubernetes auth
//! method sends real TokenReviews to the sandbox's API. The auth method is set up as the
//! runbook does (a reviewer service account bound to system:auth-delegator, an application
//! service account `proxy-api` in `default`), each failure is made real, and every outcome is
//! checked through the Vault API with a token the test mints itself, never through the
//! plugin's report. No token may appear in the plugin's output or Events.

#[path = "../support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::process::{Output, Stdio};

use serde_json::{Value, json};
use support::{Env, assert_exit, assert_no_secret, show, stdout};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_auth");
const REVIEWER: &str = "vault-reviewer";

struct Auth {
    e: Env,
    token_file: PathBuf,
    home: PathBuf,
    root: String,
    reviewer_jwt: String,
    /// Every token this test minted or made: none may be printed.
    secrets: Vec<String>,
}

impl Auth {
    fn start(name: &str) -> Auth {
        let e = support::env(name, 1, PLUGIN);
        let token_file = e.token_file();
        let home = e.sb.dir().join("home");
        std::fs::create_dir_all(&home).expect("home");
        let root = e.sb.root_token();
        let mut a = Auth {
            secrets: e.secrets(),
            e,
            token_file,
            home,
            root,
            reviewer_jwt: String::new(),
        };
        a.setup();
        a
    }

    fn ns(&self) -> String {
        self.e.sb.namespace().to_string()
    }

    fn kubectl_ok(&self, args: &[&str]) -> String {
        self.e
            .kubectl
            .ok(args.iter().copied())
            .unwrap_or_else(|err| panic!("kubectl {args:?}: {err}"))
    }

    fn vault(&self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.e
            .sb
            .vault(0, method, path, Some(&self.root), body)
            .expect("Vault API call")
    }

    fn vault_ok(&self, method: &str, path: &str, body: Value) {
        let (status, v) = self.vault(method, path, Some(&body));
        assert!(status < 300, "{method} {path}: {status} {v}");
    }

    /// The runbook's setup: accounts, the reviewer's binding, the method, its config, a role.
    fn setup(&mut self) {
        let ns = self.ns();
        self.kubectl_ok(&["create", "serviceaccount", "proxy-api", "-n", "default"]);
        self.kubectl_ok(&["create", "serviceaccount", "other-app", "-n", "default"]);
        self.kubectl_ok(&["create", "serviceaccount", REVIEWER, "-n", &ns]);
        self.bind_reviewer();
        self.vault_ok("POST", "sys/auth/kubernetes", json!({"type": "kubernetes"}));
        let reviewer_jwt = self
            .e
            .sb
            .mint_sa_token(&ns, REVIEWER, &[], 3600)
            .expect("reviewer token");
        self.secrets.push(reviewer_jwt.clone());
        self.reviewer_jwt = reviewer_jwt;
        self.configure(&self.api_url(), &self.api_ca());
        self.vault_ok(
            "POST",
            "sys/policies/acl/proxy-api",
            json!({"policy": "path \"secret/data/proxy-api/*\" { capabilities = [\"read\"] }"}),
        );
        self.role("default", "proxy-api");
    }

    fn bind_reviewer(&self) {
        let ns = self.ns();
        self.kubectl_ok(&[
            "create",
            "clusterrolebinding",
            "vault-reviewer",
            "--clusterrole=system:auth-delegator",
            &format!("--serviceaccount={ns}:{REVIEWER}"),
        ]);
    }

    /// What the chart's `server.authDelegator` creates: the Vault pods' own account may
    /// review tokens (the reviewer in local-token mode).
    fn bind_pods_account(&self) {
        let ns = self.ns();
        self.kubectl_ok(&[
            "create",
            "clusterrolebinding",
            "vault-server-binding",
            "--clusterrole=system:auth-delegator",
            &format!("--serviceaccount={ns}:vault"),
        ]);
    }

    /// `fix <how> --yes --ca-from-cluster` refuses a reviewer that may not review tokens,
    /// prints the RBAC binding to add, and writes nothing.
    fn assert_fix_refused_for_rbac(&self, how: &[&str]) {
        let before = self.config();
        let mut args = vec!["fix"];
        args.extend_from_slice(how);
        args.extend_from_slice(&["--yes", "--ca-from-cluster"]);
        let o = self.run(&args);
        assert_exit(&o, 1);
        assert!(
            support::stderr(&o).contains("system:auth-delegator"),
            "{}",
            show(&o)
        );
        assert_eq!(self.config(), before, "nothing was written");
    }

    /// Whether `fix` recorded its Event.
    fn fix_recorded(&self) -> bool {
        self.e
            .our_events()
            .iter()
            .any(|ev| ev["reason"] == "AuthConfigFixed")
    }

    fn api_url(&self) -> String {
        self.kubectl_ok(&[
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.clusters[0].cluster.server}",
        ])
    }

    fn api_ca(&self) -> String {
        std::fs::read_to_string(self.e.sb.api_ca_path()).expect("the API's CA")
    }

    /// Writes the whole config (a write replaces it), always with the reviewer's JWT.
    fn configure(&self, host: &str, ca: &str) {
        self.vault_ok(
            "POST",
            "auth/kubernetes/config",
            json!({"kubernetes_host": host, "kubernetes_ca_cert": ca,
                   "token_reviewer_jwt": self.reviewer_jwt}),
        );
    }

    /// The config as Vault holds it (read through the API).
    fn config(&self) -> Value {
        let (status, v) = self.vault("GET", "auth/kubernetes/config", None);
        assert_eq!(status, 200, "{v}");
        v["data"].clone()
    }

    fn role(&self, ns: &str, sa: &str) {
        self.vault_ok(
            "POST",
            "auth/kubernetes/role/proxy-api",
            json!({"bound_service_account_names": [sa], "bound_service_account_namespaces": [ns],
                   "token_policies": ["proxy-api"], "token_ttl": "20m"}),
        );
    }

    /// `kubectl vault-auth <args>` with the root token, not yet started.
    fn command(&self, args: &[&str]) -> std::process::Command {
        let mut full = vec!["vault-auth", "--token-file"];
        full.push(self.token_file.to_str().expect("utf-8 path"));
        full.extend_from_slice(args);
        let mut cmd = self.e.kubectl.command(&full);
        cmd.env("HOME", &self.home)
            .env_remove("VAULT_TOKEN")
            .env_remove("BAO_TOKEN");
        cmd
    }

    /// `kubectl vault-auth <args>` with the root token; checked for leaked tokens.
    fn run(&self, args: &[&str]) -> Output {
        let out = self
            .command(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("run kubectl vault-auth");
        let text = show(&out);
        assert_no_secret(&format!("vault-auth {args:?}"), &text, &self.secrets);
        // Any service-account JWT (the plugin mints its own) starts with this header.
        assert!(
            !text.contains("eyJ"),
            "a JWT appears in the output:\n{text}"
        );
        out
    }

    fn login(&self) -> Output {
        self.run(&[
            "login",
            "proxy-api",
            "--service-account",
            "default/proxy-api",
        ])
    }

    /// A login through the Vault API with a token minted by the test: the independent check.
    fn real_login(&mut self, ns: &str, sa: &str, lifetime: i64) -> (u16, Value) {
        let jwt = self
            .e
            .sb
            .mint_sa_token(ns, sa, &[], lifetime)
            .expect("mint a token");
        self.secrets.push(jwt.clone());
        let out = self.e.sb.vault(
            0,
            "POST",
            "auth/kubernetes/login",
            None,
            Some(&json!({"role": "proxy-api", "jwt": jwt})),
        );
        let (status, v) = out.expect("login call");
        if let Some(t) = v["auth"]["client_token"].as_str() {
            self.secrets.push(t.to_string());
        }
        (status, v)
    }

    fn token_count(&self) -> usize {
        let (status, v) = self.vault("LIST", "auth/token/accessors", None);
        assert_eq!(status, 200, "{v}");
        v["data"]["keys"].as_array().map_or(0, Vec::len)
    }

    /// A real login through the Vault API fails; the plugin's `login` exits 1 and `check`
    /// exits 2, both naming `kind`.
    fn assert_named(&mut self, kind: &str, extra: &[&str]) {
        assert_ne!(
            self.real_login("default", "proxy-api", 600).0,
            200,
            "an independent login fails"
        );
        let mut login = vec![
            "login",
            "proxy-api",
            "--service-account",
            "default/proxy-api",
        ];
        login.extend_from_slice(extra);
        expect(&self.run(&login), 1, kind);
        let mut check = vec!["check"];
        check.extend_from_slice(extra);
        expect(&self.run(&check), 2, kind);
    }

    fn assert_events_clean(&self) {
        let events = serde_json::to_string(&self.e.our_events()).expect("events");
        assert_no_secret("Events", &events, &self.secrets);
        assert!(!events.contains("eyJ"), "a JWT appears in an Event");
    }
}

/// Exit `code` and `needle` on stdout.
fn expect(o: &Output, code: i32, needle: &str) {
    assert_exit(o, code);
    assert!(
        stdout(o).contains(needle),
        "expected {needle:?} in the output\n{}",
        show(o)
    );
}

#[test]
fn working_login_and_role_binding_failures() {
    let mut a = Auth::start("auth-roles");

    // The runbook's setup works: check is clean, login succeeds and its token is revoked.
    let before = a.token_count();
    let o = a.run(&["check", "--reviewer", &format!("{}/{REVIEWER}", a.ns())]);
    expect(&o, 0, "No problems found.");
    let o = a.login();
    expect(&o, 0, "succeeded");
    assert!(stdout(&o).contains("proxy-api"), "{}", show(&o));
    assert_eq!(a.token_count(), before, "the login's token is revoked");
    let (status, v) = a.real_login("default", "proxy-api", 600);
    assert_eq!(status, 200, "an independent login succeeds: {v}");
    assert!(
        v["auth"]["policies"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x == "proxy-api"))
    );

    // The runbook's own commands work against the sandbox too: `kubectl create token`, then
    // `vault write auth/kubernetes/login` through `kubectl exec`, with the JWT on a command
    // line as the runbook writes it (the plugin never does that).
    let jwt =
        a.e.kubectl
            .ok(["create", "token", "proxy-api", "-n", "default"])
            .expect("kubectl create token")
            .trim()
            .to_string();
    a.secrets.push(jwt.clone());
    let jwt_arg = format!("jwt={jwt}");
    let out =
        a.e.kubectl
            .command([
                "exec",
                "vault-0",
                "--",
                "vault",
                "write",
                "-format=json",
                "auth/kubernetes/login",
                "role=proxy-api",
                &jwt_arg,
            ])
            .output()
            .expect("kubectl exec vault write");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).expect("vault write -format=json");
    if let Some(t) = v["auth"]["client_token"].as_str() {
        a.secrets.push(t.to_string());
    }
    assert!(
        v["auth"]["policies"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x == "proxy-api")),
        "the runbook's login through kubectl exec: {v}"
    );

    // --keep leaves the token.
    let before = a.token_count();
    expect(
        &a.run(&[
            "login",
            "proxy-api",
            "--service-account",
            "default/proxy-api",
            "--keep",
        ]),
        0,
        "kept",
    );
    assert_eq!(a.token_count(), before + 1);

    // Bound to another service account.
    a.role("default", "other-app");
    let o = a.login();
    expect(&o, 1, "service_account_not_bound");
    assert!(stdout(&o).contains("other-app"), "{}", show(&o));
    assert_ne!(
        a.real_login("default", "proxy-api", 600).0,
        200,
        "an independent login fails"
    );
    // other-app exists, so the role itself binds something: check is clean of role findings.
    let o = a.run(&["check"]);
    assert!(!stdout(&o).contains("binds_nothing"), "{}", show(&o));

    // Bound to an account that exists nowhere.
    a.role("default", "proxy-apj");
    let o = a.run(&["check"]);
    expect(&o, 2, "binds_nothing");
    assert!(stdout(&o).contains("proxy-apj"), "{}", show(&o));

    // Bound to another namespace.
    a.role("staging", "proxy-api");
    let o = a.login();
    expect(&o, 1, "namespace_not_bound");
    assert!(stdout(&o).contains("staging"), "{}", show(&o));
    assert_ne!(
        a.real_login("default", "proxy-api", 600).0,
        200,
        "an independent login fails"
    );
    let o = a.run(&["check"]);
    expect(&o, 2, "namespace_missing");

    // An expired token (as a pod's stale file would hold).
    a.role("default", "proxy-api");
    let expired =
        a.e.sb
            .mint_sa_token("default", "proxy-api", &[], -120)
            .expect("an expired token");
    a.secrets.push(expired.clone());
    let file = a.e.sb.dir().join("expired.jwt");
    support::write_private(&file, expired.as_bytes());
    let o = a.run(&[
        "login",
        "proxy-api",
        "--service-account",
        "default/proxy-api",
        "--jwt-file",
        file.to_str().expect("path"),
    ]);
    expect(&o, 1, "token_expired");
    assert_ne!(
        a.real_login("default", "proxy-api", -120).0,
        200,
        "an independent login fails"
    );
    a.assert_events_clean();
}

#[test]
fn config_failures() {
    let mut a = Auth::start("auth-config");
    let reviewer = format!("{}/{REVIEWER}", a.ns());
    let (host, ca) = (a.api_url(), a.api_ca());

    // A CA that did not sign the API's certificate (Vault's own CA). First, before any login:
    // OpenBao keeps using a connection to the API it has already verified.
    let wrong_ca = std::fs::read_to_string(a.e.sb.ca_path()).expect("Vault's CA");
    a.configure(&host, &wrong_ca);
    a.assert_named("ca_mismatch", &[]);
    a.configure(&host, &ca);
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);

    // kube-root-ca.crt holding the wrong CA beside the right one (as during a CA rotation):
    // the ConfigMap agrees with the config, the API server's own handshake does not.
    let ns = a.ns();
    let bundle = a.e.sb.dir().join("ca-bundle.pem");
    std::fs::write(&bundle, format!("{ca}{wrong_ca}")).expect("bundle");
    let set_root_ca = |a: &Auth, path: &str| {
        a.kubectl_ok(&["delete", "configmap", "kube-root-ca.crt", "-n", &ns]);
        a.kubectl_ok(&[
            "create",
            "configmap",
            "kube-root-ca.crt",
            "-n",
            &ns,
            &format!("--from-file=ca.crt={path}"),
        ]);
    };
    set_root_ca(&a, bundle.to_str().expect("path"));
    a.configure(&host, &wrong_ca);
    let o = a.run(&["check"]);
    expect(&o, 2, "ca_mismatch");
    assert!(stdout(&o).contains("TLS handshake"), "{}", show(&o));
    // Independently: curl with that CA refuses the API server's certificate (OpenBao itself
    // keeps its already-verified connection to the API, so a login would not tell).
    let curl = std::process::Command::new("curl")
        .args(["-sS", "-o", "/dev/null", "--cacert"])
        .arg(a.e.sb.ca_path())
        .arg(format!("{host}/version"))
        .output()
        .expect("run curl");
    assert_eq!(curl.status.code(), Some(60), "curl: {curl:?}");
    set_root_ca(&a, a.e.sb.api_ca_path().to_str().expect("path"));
    a.configure(&host, &ca);
    expect(&a.run(&["check"]), 0, "No problems found.");

    // kubernetes_host pointing elsewhere.
    a.configure("https://127.0.0.1:1", &ca);
    a.assert_named("host_mismatch", &[]);
    a.configure(&host, &ca);
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);

    // The reviewer without the tokenreviews permission.
    a.kubectl_ok(&["delete", "clusterrolebinding", "vault-reviewer"]);
    a.assert_named("reviewer_forbidden", &["--reviewer", &reviewer]);
    a.bind_reviewer();
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);

    // The reviewer's service account deleted.
    a.kubectl_ok(&["delete", "serviceaccount", REVIEWER, "-n", &a.ns()]);
    a.assert_named("reviewer_missing", &["--reviewer", &reviewer]);
    a.assert_events_clean();
}

#[test]
fn fix_rewrites_a_broken_config_and_a_real_login_works_again() {
    let mut a = Auth::start("auth-fix");
    let reviewer = format!("{}/{REVIEWER}", a.ns());
    let (host, ca) = (a.api_url(), a.api_ca());
    let issuer = a.kubectl_ok(&["get", "--raw", "/.well-known/openid-configuration"]);
    let issuer: Value = serde_json::from_str(&issuer).expect("discovery JSON");
    let issuer = issuer["issuer"].as_str().expect("issuer").to_string();

    // Everything wrong at once: another host, Vault's CA instead of the API's, a foreign
    // issuer that the method validates.
    let wrong_ca = std::fs::read_to_string(a.e.sb.ca_path()).expect("Vault's CA");
    a.vault_ok(
        "POST",
        "auth/kubernetes/config",
        json!({"kubernetes_host": "https://127.0.0.1:1", "kubernetes_ca_cert": wrong_ca,
               "issuer": "https://issuer.example", "disable_iss_validation": false,
               "token_reviewer_jwt": a.reviewer_jwt}),
    );
    let broken = a.config();
    assert_ne!(a.real_login("default", "proxy-api", 600).0, 200);
    let o = a.run(&["check", "--reviewer", &reviewer]);
    expect(&o, 2, "host_mismatch");
    for kind in ["ca_mismatch", "issuer_mismatch"] {
        assert!(stdout(&o).contains(kind), "{kind}\n{}", show(&o));
    }

    // A reviewer JWT is set and cannot be read back: without --reviewer, fix refuses.
    let o = a.run(&["fix", "--yes"]);
    assert_exit(&o, 1);
    assert!(support::stderr(&o).contains("--reviewer"), "{}", show(&o));
    assert_eq!(a.config(), broken, "nothing was written");
    // Off a terminal without --yes: refused, nothing written.
    assert_exit(&a.run(&["fix", "--reviewer", &reviewer]), 1);
    assert_eq!(a.config(), broken, "nothing was written");
    // --dry-run shows the plan and writes nothing.
    let o = a.run(&["fix", "--reviewer", &reviewer, "--dry-run"]);
    expect(&o, 0, "Dry run: nothing was changed.");
    for field in [
        "kubernetes_host",
        "kubernetes_ca_cert",
        "issuer",
        "token_reviewer_jwt",
    ] {
        assert!(stdout(&o).contains(field), "{field}\n{}", show(&o));
    }
    assert_eq!(a.config(), broken, "nothing was written");

    // The fix: afterwards the config holds the cluster's values and a real login succeeds.
    let o = a.run(&["fix", "--reviewer", &reviewer, "--yes"]);
    expect(&o, 0, "Rewrote auth/kubernetes/config");
    let fixed = a.config();
    assert_eq!(fixed["kubernetes_host"], json!(host), "{fixed}");
    assert_eq!(fixed["issuer"], json!(issuer), "{fixed}");
    assert_eq!(fixed["disable_iss_validation"], json!(false), "{fixed}");
    assert_eq!(fixed["token_reviewer_jwt_set"], json!(true), "{fixed}");
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(
        norm(fixed["kubernetes_ca_cert"].as_str().expect("CA")),
        norm(&ca)
    );
    let (status, v) = a.real_login("default", "proxy-api", 600);
    assert_eq!(status, 200, "an independent login succeeds after fix: {v}");
    assert!(a.fix_recorded(), "fix is recorded as an Event");
    expect(
        &a.run(&["check", "--reviewer", &reviewer]),
        0,
        "No problems found.",
    );

    // A reviewer that may not review tokens is the cluster's to fix: refused, nothing written.
    a.kubectl_ok(&["delete", "clusterrolebinding", "vault-reviewer"]);
    a.assert_fix_refused_for_rbac(&["--reviewer", &reviewer]);
    a.assert_events_clean();
}

/// Local-token mode: Vault reviews tokens with its pods' own projected service-account token
/// and trusts their ca.crt. A stale ca.crt is named; a reviewer JWT whose account was deleted
/// is replaced by local-token mode (`fix --local-token`), after which a real login works; once
/// the pods' account loses tokenreviews, both verbs name it.
#[test]
fn local_token_mode_fixes_a_dead_reviewer_and_names_a_forbidden_pod_account() {
    let mut a = Auth::start("auth-local");
    let ns = a.ns();
    let pods_account = format!("{ns}/vault");
    a.bind_pods_account();

    // Local-token mode with the pods' ca.crt not the API's CA (a stale file after a CA
    // rotation): OpenBao cannot reach the API; login and check name it. First, before any
    // login: OpenBao keeps using a connection to the API it has already verified.
    let pod_ca = a.e.sb.service_account_dir("vault-0").join("ca.crt");
    let wrong_ca = std::fs::read_to_string(a.e.sb.ca_path()).expect("Vault's CA");
    std::fs::write(&pod_ca, &wrong_ca).expect("plant a stale ca.crt");
    assert_eq!(
        a.kubectl_ok(&[
            "exec",
            "-n",
            &ns,
            "vault-0",
            "--",
            "cat",
            "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"
        ]),
        wrong_ca,
        "the pod sees the stale ca.crt"
    );
    a.vault_ok(
        "POST",
        "auth/kubernetes/config",
        json!({"kubernetes_host": a.api_url()}),
    );
    a.assert_named("ca_mismatch", &[]);
    let o = a.run(&["check"]);
    assert!(
        stdout(&o).contains("service-account ca.crt"),
        "{}",
        show(&o)
    );
    std::fs::write(&pod_ca, a.api_ca()).expect("restore ca.crt");
    // Back to the runbook's reviewer JWT.
    a.configure(&a.api_url(), &a.api_ca());
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);

    // The reviewer's account is deleted: every login fails.
    a.kubectl_ok(&["delete", "serviceaccount", REVIEWER, "-n", &ns]);
    assert_ne!(a.real_login("default", "proxy-api", 600).0, 200);
    let broken = a.config();
    assert_eq!(broken["token_reviewer_jwt_set"], json!(true), "{broken}");

    // --dry-run shows the change and writes nothing; --local-token excludes --reviewer.
    let o = a.run(&["fix", "--local-token", "--dry-run"]);
    expect(&o, 0, "Dry run: nothing was changed.");
    assert!(stdout(&o).contains("local-token mode"), "{}", show(&o));
    assert!(stdout(&o).contains(&pods_account), "{}", show(&o));
    assert_eq!(a.config(), broken, "nothing was written");
    let o = a.run(&[
        "fix",
        "--local-token",
        "--reviewer",
        &format!("{ns}/{REVIEWER}"),
        "--yes",
    ]);
    assert_exit(&o, 1);
    assert_eq!(a.config(), broken, "nothing was written");

    // The fix: no reviewer JWT, the local token and CA in use, and a real login works.
    let o = a.run(&["fix", "--local-token", "--yes"]);
    expect(&o, 0, "Rewrote auth/kubernetes/config");
    let fixed = a.config();
    assert_eq!(fixed["token_reviewer_jwt_set"], json!(false), "{fixed}");
    assert_eq!(fixed["disable_local_ca_jwt"], json!(false), "{fixed}");
    assert_eq!(fixed["kubernetes_host"], json!(a.api_url()), "{fixed}");
    let (status, v) = a.real_login("default", "proxy-api", 600);
    assert_eq!(status, 200, "an independent login succeeds after fix: {v}");
    assert!(a.fix_recorded(), "fix is recorded as an Event");
    expect(&a.run(&["check"]), 0, "No problems found.");

    // Without kubernetes_ca_cert Vault trusts the pods' ca.crt, and so does check.
    a.vault_ok(
        "POST",
        "auth/kubernetes/config",
        json!({"kubernetes_host": a.api_url()}),
    );
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);
    expect(&a.run(&["check"]), 0, "No problems found.");

    // The pods' account loses tokenreviews: login and check name it.
    a.kubectl_ok(&["delete", "clusterrolebinding", "vault-server-binding"]);
    a.assert_named("reviewer_forbidden", &[]);
    let o = a.run(&["check"]);
    assert!(stdout(&o).contains(&pods_account), "{}", show(&o));
    assert!(stdout(&o).contains("local-token"), "{}", show(&o));
    // fix cannot cure that from Vault's side: refused, nothing written.
    a.assert_fix_refused_for_rbac(&["--local-token"]);
    a.bind_pods_account();
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);
    a.assert_events_clean();
}

/// `fix` reads the config again after its prompt: a change made while the prompt waited stops
/// it, and the config keeps that change.
#[test]
fn fix_stops_when_the_config_changes_at_the_prompt() {
    let mut a = Auth::start("auth-race");
    a.bind_pods_account();
    let (host, ca) = (a.api_url(), a.api_ca());
    a.configure("https://127.0.0.1:1", &ca);
    let mut cmd = a.command(&["fix", "--local-token"]);
    cmd.env("TERM", "dumb");
    let mut pty = support::Pty::spawn(cmd);
    pty.expect("Proceed? [y/N]", 1);
    // While fix waits for the answer, someone else rewrites the config.
    a.vault_ok(
        "POST",
        "auth/kubernetes/config",
        json!({"kubernetes_host": host, "kubernetes_ca_cert": ca,
               "token_reviewer_jwt": a.reviewer_jwt}),
    );
    let raced = a.config();
    pty.type_line("y");
    let status = pty.wait();
    let text = pty.output();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(text.contains("changed since it was read"), "{text}");
    assert!(text.contains("nothing was written"), "{text}");
    assert_no_secret("fix on a terminal", &text, &a.secrets);
    assert!(
        !text.contains("eyJ"),
        "a JWT appears in the output:\n{text}"
    );
    assert_eq!(a.config(), raced, "fix wrote after all");
    // The reviewer JWT the other writer set is still the one in use.
    assert_eq!(a.real_login("default", "proxy-api", 600).0, 200);
    assert!(!a.fix_recorded(), "no fix was recorded");
    a.assert_events_clean();
}

#[test]
fn a_token_for_another_audience_is_named() {
    let mut a = Auth::start("auth-audience");
    a.vault_ok(
        "POST",
        "auth/kubernetes/role/proxy-api",
        json!({"bound_service_account_names": ["proxy-api"],
               "bound_service_account_namespaces": ["default"],
               "audience": "vault", "token_policies": ["proxy-api"], "token_ttl": "20m"}),
    );
    // Independently: a token for the API's own audience is refused, one for "vault" accepted.
    assert_ne!(a.real_login("default", "proxy-api", 600).0, 200);
    let jwt =
        a.e.sb
            .mint_sa_token("default", "proxy-api", &["vault"], 600)
            .expect("mint");
    a.secrets.push(jwt.clone());
    let (status, v) =
        a.e.sb
            .vault(
                0,
                "POST",
                "auth/kubernetes/login",
                None,
                Some(&json!({"role": "proxy-api", "jwt": jwt})),
            )
            .expect("login");
    if let Some(t) = v["auth"]["client_token"].as_str() {
        a.secrets.push(t.to_string());
    }
    assert_eq!(status, 200, "{v}");

    let o = a.run(&[
        "login",
        "proxy-api",
        "--service-account",
        "default/proxy-api",
        "--audience",
        "other",
    ]);
    expect(&o, 1, "audience_mismatch");
    assert!(stdout(&o).contains("vault"), "{}", show(&o));
    // Without --audience the plugin mints for the role's audience, and the login works.
    expect(&a.login(), 0, "succeeded");
    a.assert_events_clean();
}

#[test]
fn shell_completion_scripts_are_current_and_list_the_subcommands() {
    support::assert_completions_current(PLUGIN, "log", "login");
}
