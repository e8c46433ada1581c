//! The least-privilege Role the README lists (`rbac/kubectl-vault.yaml`), applied with kubectl:
//! every verb of every plugin runs under it through impersonation (`--as`, `--as-group`), and
//! each action is checked through the Vault API or kubectl.

use super::*;

const GROUP: &str = "kubectl-vault-operators";

/// `rbac/kubectl-vault.yaml` as shipped.
fn manifest() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rbac/kubectl-vault.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The other plugins' executables beside this one: `cargo nextest run --workspace` builds
/// them all into the same directory.
fn require_plugins() {
    let dir = Path::new(PLUGIN).parent().unwrap();
    for p in ["unseal", "leases", "certs", "auth", "reinit", "revoke"] {
        let bin = dir.join(format!("kubectl-vault_{p}"));
        assert!(
            bin.exists(),
            "{} is missing: build the plugins first (cargo build --workspace --bins)",
            bin.display()
        );
    }
}

impl Raft {
    /// `kubectl <verb> <args> --as alice --as-group <GROUP> --token-file …`: must not be
    /// refused anything by Kubernetes; returns the output.
    fn as_operator(&self, args: &[&str]) -> Output {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--as", "alice", "--as-group", GROUP]);
        full.extend(["--token-file", self.token_file.to_str().unwrap()]);
        let out = self
            .command(&full)
            .stdin(Stdio::null())
            .output()
            .expect("run kubectl");
        assert_no_secret(
            &format!("{args:?}"),
            &format!("{}{}", stdout(&out), stderr(&out)),
            &self.e.secrets(),
        );
        let err = stderr(&out).to_lowercase();
        assert!(
            !err.contains("permission denied") && !err.contains("forbidden"),
            "{args:?} under the Role: {}",
            show(&out)
        );
        out
    }

    fn kubectl_ok(&self, args: &[&str]) -> String {
        self.e
            .kubectl
            .ok(args.iter().copied())
            .unwrap_or_else(|e| panic!("kubectl {args:?}: {e}"))
    }

    /// Vault's Kubernetes auth method as the runbook sets it up (a reviewer bound to
    /// system:auth-delegator), with a role `app` for the namespace's `default` account.
    fn setup_kubernetes_auth(&self, l: u32) {
        let ns = self.sb().namespace().to_string();
        self.kubectl_ok(&["create", "serviceaccount", "reviewer", "-n", &ns]);
        self.kubectl_ok(&[
            "create",
            "clusterrolebinding",
            "reviewer",
            "--clusterrole=system:auth-delegator",
            &format!("--serviceaccount={ns}:reviewer"),
        ]);
        let jwt = self
            .sb()
            .mint_sa_token(&ns, "reviewer", &[], 3600)
            .expect("reviewer token");
        let host = self.kubectl_ok(&[
            "config",
            "view",
            "--minify",
            "-o",
            "jsonpath={.clusters[0].cluster.server}",
        ]);
        let ca = std::fs::read_to_string(self.sb().api_ca_path()).unwrap();
        for (path, body) in [
            ("sys/auth/kubernetes", json!({"type": "kubernetes"})),
            (
                "auth/kubernetes/config",
                json!({"kubernetes_host": host, "kubernetes_ca_cert": ca, "token_reviewer_jwt": jwt}),
            ),
            (
                "auth/kubernetes/role/app",
                json!({"bound_service_account_names": ["default"],
                       "bound_service_account_namespaces": [ns], "token_ttl": "20m"}),
            ),
        ] {
            let (code, v) = self.api(l, "POST", path, Some(&body));
            assert!(code < 300, "{path}: {v}");
        }
    }
}

#[test]
fn the_least_privilege_role_runs_every_verb() {
    require_plugins();
    let r = start("raft-rbac", 3);
    let ns = r.sb().namespace().to_string();
    let file = r.sb().dir().join("kubectl-vault-rbac.yaml");
    std::fs::write(&file, manifest()).unwrap();
    r.kubectl_ok(&["apply", "-n", &ns, "-f", file.to_str().unwrap()]);
    // The identity is really the impersonated one: without the group, nothing is allowed.
    let out = r.run(&["status", "--as", "alice"]);
    assert_fails_with(&out, "permission denied");

    let init = r.sb().init_json_path();
    let keys = init.to_str().unwrap();
    let leader = r.leader();
    let other = (leader + 1) % 3;
    let other_pod = format!("vault-{other}");

    // vault-unseal: status, unseal a killed pod, why.
    assert_exit(&r.as_operator(&["vault-unseal"]), 0);
    r.e.seal_by(Fault::Kill, &[other]);
    assert_exit(&r.as_operator(&["vault-unseal", "--why"]), 2);
    assert_exit(&r.as_operator(&["vault-unseal", "--keys-file", keys]), 0);
    assert!(!r.e.sealed(other), "vault-{other} unsealed");
    r.wait_stable(&[0, 1, 2]);

    // vault-raft: every read, then each action.
    for verb in ["status", "peers", "leader", "autopilot", "storage"] {
        assert_exit(&r.as_operator(&["vault-raft", verb]), 0);
    }
    let snap = r.sb().dir().join("rbac.snap");
    let snap = snap.to_str().unwrap();
    assert_exit(&r.as_operator(&["vault-raft", "snapshot", "save", snap]), 0);
    assert!(Path::new(snap).metadata().unwrap().len() > 0);
    assert_exit(
        &r.as_operator(&["vault-raft", "remove-peer", &other_pod, "--dry-run"]),
        0,
    );
    assert_exit(&r.as_operator(&["vault-raft", "step-down"]), 0);
    r.sb()
        .wait_until("a new leader", Duration::from_secs(60), || {
            r.api_leader(&[0, 1, 2]).is_some_and(|l| l != leader)
        })
        .expect("a new leader after step-down");
    r.wait_stable(&[0, 1, 2]);
    let follower = (r.leader() + 1) % 3;
    let follower_pod = format!("vault-{follower}");
    let uid = r.uid(&follower_pod);
    assert_exit(
        &r.as_operator(&[
            "vault-raft",
            "rejoin",
            &follower_pod,
            "--yes",
            "--keys-file",
            keys,
        ]),
        0,
    );
    assert_ne!(r.uid(&follower_pod), uid, "rejoin recreated the pod");
    r.wait_stable(&[0, 1, 2]);
    assert!(r.node_ids(&[0, 1, 2]).contains(&follower_pod));
    assert_exit(
        &r.as_operator(&["vault-raft", "snapshot", "restore", snap, "--yes"]),
        0,
    );

    // vault-leases, vault-certs, vault-auth.
    let l = r.leader();
    let bundle = r.e.sb.dir().join("rbac-debug.tar.gz");
    for args in [
        vec!["vault-leases"],
        vec!["vault-leases", "top"],
        vec!["vault-leases", "tidy", "--yes"],
        vec!["vault-leases", "debug", "-f", bundle.to_str().unwrap()],
        vec!["vault-leases", "resize", "--memory", "600Mi", "--dry-run"],
        vec!["vault-certs"],
        vec!["vault-reinit"],
    ] {
        let out = r.as_operator(&args);
        assert!(
            matches!(out.status.code(), Some(0 | 2)),
            "{args:?}: {}",
            show(&out)
        );
    }
    r.setup_kubernetes_auth(l);
    let out = r.as_operator(&[
        "vault-auth",
        "check",
        "--reviewer",
        &format!("{ns}/reviewer"),
    ]);
    assert_exit(&out, 0);
    let out = r.as_operator(&[
        "vault-auth",
        "login",
        "app",
        "--service-account",
        &format!("{ns}/default"),
    ]);
    assert_exit(&out, 0);
}
