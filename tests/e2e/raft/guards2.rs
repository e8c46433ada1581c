//! More guards that fail closed: rejoin checks its shares and the Kubernetes identity's rights
//! before its first change; step-down wants a healthy standby; a removal that leaves failure
//! tolerance 0 says so (exit 2); a volume that cannot be read needs attention (exit 2). Each
//! checked through the Vault API and kubectl.

use super::*;

impl Raft {
    /// A policy `name` with `rules`, and a 0600 file holding a token of it.
    fn token_with_policy(&self, l: u32, name: &str, rules: &str) -> PathBuf {
        let (code, v) = self.api(
            l,
            "PUT",
            &format!("sys/policies/acl/{name}"),
            Some(&json!({ "policy": rules })),
        );
        assert!(code < 300, "{v}");
        let (code, v) = self.api(
            l,
            "POST",
            "auth/token/create",
            Some(&json!({ "policies": [name], "ttl": "1h" })),
        );
        assert!(code < 300, "{v}");
        let path = self.sb().dir().join(format!("{name}-token"));
        support::write_token(&path, &v);
        path
    }
}

#[test]
fn rejoin_preflight_step_down_standby_and_failure_tolerance() {
    let r = start("raft-guards2", 3);
    let all = [0, 1, 2];
    let leader = r.leader();
    let follower = format!("vault-{}", (leader + 1) % 3);
    let before = (r.uid(&follower), r.node_ids(&all));

    // Too few shares for the threshold: refused before the peer is removed or data wiped.
    let keys = r.e.keys();
    let two = r.sb().dir().join("two-keys");
    support::write_private(&two, format!("{}\n{}\n", keys[0], keys[1]).as_bytes());
    let out = r.run(&[
        "rejoin",
        &follower,
        "--yes",
        "--keys-file",
        two.to_str().unwrap(),
    ]);
    assert_fails_with(&out, "needs 3 unseal key shares");
    assert!(stderr(&out).contains("2 given"), "{}", show(&out));
    assert_eq!((r.uid(&follower), r.node_ids(&all)), before);

    // An identity without pods/exec (and nodes/proxy): rejoin names the missing rule and
    // changes nothing; storage cannot read the volumes and says the cluster needs a look.
    let ns = r.sb().namespace().to_string();
    let manifest = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rbac/kubectl-vault.yaml"),
    )
    .unwrap()
    .replace(
        "\"pods/portforward\", \"pods/exec\"",
        "\"pods/portforward\"",
    )
    .replace("resources: [\"nodes/proxy\"]", "resources: [\"nodes\"]")
    .replace("kubectl-vault-operators", "no-exec");
    let file = r.sb().dir().join("no-exec.yaml");
    std::fs::write(&file, manifest).unwrap();
    r.e.kubectl
        .ok(["apply", "-n", &ns, "-f", file.to_str().unwrap()])
        .expect("kubectl apply");
    let init = r.sb().init_json_path();
    let as_no_exec = ["--as", "bob", "--as-group", "no-exec"];
    let mut args = vec![
        "rejoin",
        &follower,
        "--yes",
        "--keys-file",
        init.to_str().unwrap(),
    ];
    args.extend(as_no_exec);
    let out = r.run(&args);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("resources: [\"pods/exec\"], verbs: [\"create\"]")
            && err.contains("nothing was changed"),
        "{err}"
    );
    assert!(!err.contains("\"pods\"], verbs: [\"delete\"]"), "{err}");
    assert_eq!((r.uid(&follower), r.node_ids(&all)), before);
    let mut args = vec!["storage", "-o", "json"];
    args.extend(as_no_exec);
    let out = r.run(&args);
    assert_exit(&out, 2);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert!(
        v["pods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["error"].is_string() && p["percent"].is_null()),
        "{v:#}"
    );

    // rejoin reads leader, configuration and quorum again after its prompt: a leader that
    // changed meanwhile stops it before the peer is removed or the data wiped.
    let mut pty = r.at_the_prompt(&["rejoin", &follower, "--keys-file", init.to_str().unwrap()]);
    assert!(r.step_down_if_leader(leader, &all));
    r.wait_stable(&all);
    pty.type_line("y");
    let status = pty.wait();
    assert_eq!(status.code(), Some(1), "{}", pty.output());
    assert!(
        pty.output().contains("the cluster changed"),
        "{}",
        pty.output()
    );
    assert_eq!((r.uid(&follower), r.node_ids(&all)), before);
    let leader = r.leader();

    // step-down --dry-run asks nobody; a token that may step down but cannot read autopilot
    // cannot confirm a standby, so it is refused unless --force.
    let out = r.run(&["step-down", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Dry run: nothing was changed"),
        "{}",
        show(&out)
    );
    assert_eq!(r.leader(), leader);
    let blind = r.token_with_policy(
        leader,
        "step-down-only",
        "path \"sys/step-down\" { capabilities = [\"update\", \"sudo\"] }",
    );
    let out = r.run_bare(&["step-down", "--token-file", blind.to_str().unwrap()]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("refusing to step down") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(r.leader(), leader, "a refused step-down changed the leader");
    let out = r.run_bare(&[
        "step-down",
        "--force",
        "--token-file",
        blind.to_str().unwrap(),
    ]);
    assert_exit(&out, 0);
    r.sb()
        .wait_until("a new leader", Duration::from_secs(60), || {
            r.api_leader(&all).is_some_and(|l| l != leader)
        })
        .expect("--force stepped down");
    r.wait_stable(&all);

    // Removing a healthy follower from three voters leaves failure tolerance 0: done, exit 2.
    let leader = r.leader();
    let follower = format!("vault-{}", (leader + 1) % 3);
    let out = r.run(&["remove-peer", &follower, "--yes"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("failure tolerance is now 0"),
        "{}",
        show(&out)
    );
    assert!(!r.node_ids(&[leader, (leader + 2) % 3]).contains(&follower));
}

#[test]
fn step_down_without_a_standby_needs_force() {
    let r = start("raft-lone", 1);
    let out = r.run(&["step-down"]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("no healthy standby") && err.contains("--force"),
        "{err}"
    );
    assert!(r.events_on("vault-0").iter().all(|e| e != "RaftStepDown"));
    let out = r.run(&["step-down", "--force"]);
    assert_exit(&out, 0);
    assert!(r.events_on("vault-0").iter().any(|e| e == "RaftStepDown"));
    r.wait_stable(&[0]);

    // A restore whose answer does not come in time may have been applied: it says so, and
    // how to check.
    let dir = r.sb().dir().join("snapshots");
    std::fs::create_dir_all(&dir).unwrap();
    let snap = dir.join("lone.snap");
    let snap = snap.to_str().unwrap();
    assert_exit(&r.run(&["snapshot", "save", snap]), 0);
    let out = r.run(&["snapshot", "restore", snap, "--yes", "--timeout", "1ms"]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("may have been applied") && err.contains("kubectl vault-raft status"),
        "{err}"
    );
    r.wait_stable(&[0]);

    // Ctrl-C during a save leaves no file and no partial file behind.
    r.sb().fault(Fault::Stop, "vault-0").expect("stop");
    let target = dir.join("interrupted.snap");
    let mut child = r
        .command(&[
            "vault-raft",
            "snapshot",
            "save",
            target.to_str().unwrap(),
            "--token-file",
            r.token_file.to_str().unwrap(),
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let partial = || {
        std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .any(|f| f.file_name().to_string_lossy().contains("partial"))
    };
    r.sb()
        .wait_until("the partial file", Duration::from_secs(30), partial)
        .expect("the save started");
    // SAFETY: a signal to the child this test started.
    #[allow(unsafe_code)]
    unsafe {
        libc::kill(child.id() as i32, libc::SIGINT);
    }
    let status = child.wait().unwrap();
    r.sb().fault(Fault::Resume, "vault-0").expect("resume");
    assert_eq!(status.code(), Some(130));
    assert!(!target.exists() && !partial(), "a file was left behind");
}
