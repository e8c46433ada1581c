//! The flags the scenario tests do not reach, each checked through kubectl or the Vault API:
//! kubeconfig selection (`--context`, `--cluster`, `--user`), `--statefulset`,
//! `--vault-port`, colour (`NO_COLOR`, `--no-color`) and `--status` on a terminal, `-v`,
//! positional pod names with `--no-wait`, `--timeout`, `--keys-secret NAME/KEY`, and a pod
//! that is not initialised.

use super::*;

/// The kubeconfig's user name (the sandbox names cluster and context `vault-sandbox`).
fn kubeconfig_user(e: &Env) -> String {
    let text = std::fs::read_to_string(e.sb.kubeconfig()).unwrap();
    let users = text.split("users:").nth(1).expect("users");
    users
        .lines()
        .find_map(|l| l.trim().strip_prefix("- name: "))
        .expect("a user")
        .to_string()
}

/// Runs `kubectl vault-unseal <args>` on a terminal; returns what it showed and its exit code.
fn on_terminal(e: &Env, args: &[&str], envs: &[(&str, &str)]) -> (String, Option<i32>) {
    let mut full = vec!["vault-unseal"];
    full.extend_from_slice(args);
    let mut cmd = e.kubectl.command(&full);
    cmd.env("TERM", "xterm-256color").env_remove("NO_COLOR");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut pty = Pty::spawn(cmd);
    let status = pty.wait();
    (pty.output(), status.code())
}

#[test]
fn connection_output_and_selection_flags() {
    let e = env("unseal-flags", 2);
    e.seal_by(Fault::Seal, &[1]);
    let total = |out: &std::process::Output| json_of(out)["summary"]["total"].clone();

    // The kubeconfig's context, cluster and user by name; a context that does not exist.
    let user = kubeconfig_user(&e);
    let out = e.run(
        &[
            "vault-unseal",
            "--context",
            "vault-sandbox",
            "--cluster",
            "vault-sandbox",
            "--user",
            &user,
            "-o",
            "json",
        ],
        None,
    );
    assert_exit(&out, 2);
    assert_eq!(total(&out), 2, "{}", show(&out));
    let out = e.run(&["vault-unseal", "--context", "no-such-context"], None);
    assert_fails_with(&out, "no-such-context");
    let out = e.run(&["vault-unseal", "--user", "no-such-user"], None);
    assert_exit(&out, 1);

    // --statefulset: the pods it owns, as kubectl lists them; another name has none.
    let listed = e.kubectl.json(["get", "pods"]).unwrap()["items"]
        .as_array()
        .unwrap()
        .len();
    let out = e.run(
        &["vault-unseal", "--statefulset", "vault", "-o", "json"],
        None,
    );
    assert_exit(&out, 2);
    assert_eq!(total(&out), listed, "{}", show(&out));
    let out = e.run(&["vault-unseal", "--statefulset", "other"], None);
    assert_fails_with(&out, "other");

    // --vault-port: the pods' own port works; a port nothing listens on reaches no pod.
    let out = e.run(
        &["vault-unseal", "--vault-port", "8200", "-o", "json"],
        None,
    );
    assert_exit(&out, 2);
    assert_eq!(json_of(&out)["summary"]["sealed"], 1, "{}", show(&out));
    let out = e.run(
        &["vault-unseal", "--vault-port", "8299", "-o", "json"],
        None,
    );
    let v = json_of(&out);
    assert_eq!(v["summary"]["unreachable"], 2, "{}", show(&out));
    assert!(
        v["pods"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["error"].is_string()),
        "{v:#}"
    );

    // On a terminal: --status shows the status and asks for nothing (exit 2: a pod is
    // sealed); the table is coloured unless NO_COLOR or --no-color says otherwise.
    let (shown, code) = on_terminal(&e, &["--status"], &[]);
    assert_eq!(code, Some(2), "{shown}");
    assert!(!shown.contains("Unseal key share"), "{shown}");
    assert!(
        shown.contains("\u{1b}["),
        "no colour on a terminal:\n{shown}"
    );
    let (shown, code) = on_terminal(&e, &["--status"], &[("NO_COLOR", "1")]);
    assert_eq!(code, Some(2), "{shown}");
    assert!(
        !shown.contains('\u{1b}'),
        "colour with NO_COLOR:\n{shown:?}"
    );
    let (shown, code) = on_terminal(&e, &["--status", "--no-color"], &[]);
    assert_eq!(code, Some(2), "{shown}");
    assert!(
        !shown.contains('\u{1b}'),
        "colour with --no-color:\n{shown:?}"
    );
    // Off a terminal: CLICOLOR_FORCE colours the output, unless NO_COLOR says otherwise.
    let piped = |env: &[(&str, &str)]| {
        let out = e
            .kubectl
            .command(["vault-unseal", "--status"])
            .env_remove("NO_COLOR")
            .envs(env.iter().copied())
            .output()
            .expect("run the plugin");
        assert_eq!(out.status.code(), Some(2), "{}", show(&out));
        stdout(&out)
    };
    assert!(piped(&[("CLICOLOR_FORCE", "1")]).contains("\u{1b}["));
    assert!(!piped(&[("CLICOLOR_FORCE", "1"), ("NO_COLOR", "1")]).contains('\u{1b}'));

    // Positional pod names: only vault-1 is unsealed; --no-wait returns without waiting for
    // Ready; -v says what it does on stderr.
    // Killed, not sealed through sys/seal: OpenBao 2.7.2 sometimes answers a sys/seal with 500
    // right after another pod of the cluster was sealed that way.
    e.seal_by(Fault::Kill, &[0]);
    let init = e.sb.init_json_path();
    let init = init.to_str().unwrap();
    let out = e.run(
        &[
            "vault-unseal",
            "vault-1",
            "--keys-file",
            init,
            "--no-wait",
            "-v",
            "-o",
            "json",
        ],
        None,
    );
    // The one selected pod is unsealed; --no-wait exits by that result, not by a readiness
    // it was told not to wait for (vault-0, still sealed, was not selected).
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("debug: ") && stderr(&out).contains("unsealing 1 pod(s)"),
        "{}",
        show(&out)
    );
    let v = json_of(&out);
    let r = unseal_result(&v, "vault-1");
    assert_eq!(r["ready"], Value::Null, "--no-wait waited: {v:#}");
    assert_eq!(v["unseal"].as_array().unwrap().len(), 1, "{v:#}");
    assert!(!e.sealed(1));
    assert!(e.sealed(0), "vault-0 was not named but was unsealed");
    let quiet = e.run(&["vault-unseal", "vault-1"], None);
    assert!(!stderr(&quiet).contains("debug:"), "{}", show(&quiet));

    // --timeout bounds every wait, Vault's answers included: too short, the pod's unseal fails
    // with its name and no share is blamed; a rerun with time finishes it.
    let out = e.run(
        &[
            "vault-unseal",
            "vault-0",
            "--keys-file",
            init,
            "--timeout",
            "1ms",
            "-o",
            "json",
        ],
        None,
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("vault-0"), "{}", show(&out));
    let st = e.sb.seal_status(0).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&serde_json::json!(true), &serde_json::json!(0)),
        "nothing half-done: {st}"
    );
    let out = e.run(&["vault-unseal", "vault-0", "--keys-file", init], None);
    assert_exit(&out, 0);
    assert!(!e.sealed(0));
    e.sb.wait_until("vault-0 Ready", Duration::from_secs(30), || {
        e.ready("vault-0")
    })
    .unwrap();

    // --keys-secret NAME/KEY: only that key of the Secret is read.
    let init_text = std::fs::read_to_string(e.sb.init_json_path()).unwrap();
    let json_file = e.sb.dir().join("init-copy.json");
    support::write_private(&json_file, init_text.as_bytes());
    e.kubectl
        .ok([
            "create",
            "secret",
            "generic",
            "vault-init",
            &format!("--from-file=init.json={}", json_file.display()),
            "--from-literal=notes=not keys at all",
        ])
        .expect("create secret");
    e.seal_by(Fault::Seal, &[1]);
    let out = e.run(&["vault-unseal", "--keys-secret", "vault-init/notes"], None);
    assert_exit(&out, 1);
    assert!(e.sealed(1));
    assert_eq!(e.sb.seal_status(1).unwrap()["progress"], 0);
    let out = e.run(
        &["vault-unseal", "--keys-secret", "vault-init/init.json"],
        None,
    );
    assert_exit(&out, 0);
    assert!(!e.sealed(1));
    assert!(e.ready("vault-1"));
}

#[test]
fn a_pod_that_is_not_initialised_is_reported_and_left_alone() {
    let e = env("unseal-uninit", 2);
    e.lose_volume(1);
    let out = unseal_with_init_json(&e);
    // Nothing to unseal, but a pod needs attention.
    assert_exit(&out, 2);
    let v = json_of(&out);
    let pod = v["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pod"] == "vault-1")
        .cloned()
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(pod["initialized"], false, "{v:#}");
    // Nothing was sent to it: still uninitialised, no progress.
    let st = e.sb.seal_status(1).unwrap();
    assert_eq!(
        (&st["initialized"], &st["progress"]),
        (&json!(false), &json!(0)),
        "{st}"
    );
    assert!(
        format!("{}{}", stdout(&out), stderr(&out)).contains("vault-1"),
        "{}",
        show(&out)
    );
    let table = e.run(&["vault-unseal"], None);
    assert_exit(&table, 2);
    assert!(
        stdout(&table)
            .lines()
            .any(|l| l.starts_with("vault-1") && l.contains("uninitialized")),
        "{}",
        show(&table)
    );
}
