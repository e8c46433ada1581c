//! Guards of the connection itself: kubectl's connection flags with kubectl's meanings, and
//! kubeconfig errors reported rather than silently replaced by another cluster.

use super::*;

/// The sandbox's kubeconfig with the API server's CA replaced by `ca_pem` (a CA that did not
/// sign the API server's certificate).
fn kubeconfig_trusting(e: &Env, ca_pem: &str, name: &str) -> std::path::PathBuf {
    use base64::Engine;
    let text = std::fs::read_to_string(e.sb.kubeconfig()).unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(ca_pem);
    let changed: String = text
        .lines()
        .map(|l| match l.split_once("certificate-authority-data:") {
            Some((indent, _)) => format!("{indent}certificate-authority-data: {b64}\n"),
            None => format!("{l}\n"),
        })
        .collect();
    let path = e.sb.dir().join(name);
    support::write_private(&path, changed.as_bytes());
    path
}

#[test]
fn kubectl_connection_flags_and_kubeconfig_errors() {
    let e = env("unseal-kubeflags", 1);
    let ok = e.run(&["vault-unseal", "-o", "json"], None);
    assert_exit(&ok, 0);

    // A typo in --context is an error naming it, never another cluster.
    let out = e.run(&["vault-unseal", "--context", "vault-sandbx"], None);
    assert_fails_with(&out, "vault-sandbx");

    // A broken $KUBECONFIG is reported, not replaced by ~/.kube/config or in-cluster.
    let broken = e.sb.dir().join("broken-kubeconfig");
    std::fs::write(&broken, "apiVersion: v1\nkind: Config\nclusters: [ {\n").unwrap();
    for path in [broken.clone(), e.sb.dir().join("no-such-kubeconfig")] {
        let out = e
            .kubectl
            .command(["vault-unseal"])
            .env("KUBECONFIG", &path)
            .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
            .output()
            .unwrap();
        assert_exit_saying(&out, 1, "KUBECONFIG");
    }

    // --certificate-authority and --insecure-skip-tls-verify: a kubeconfig trusting the wrong
    // CA fails; either flag fixes it; both at once is a usage error.
    let vault_ca = std::fs::read_to_string(e.sb.ca_path()).unwrap();
    let wrong = kubeconfig_trusting(&e, &vault_ca, "wrong-ca-kubeconfig");
    let wrong = wrong.to_str().unwrap();
    let api_ca = e.sb.api_ca_path();
    let api_ca = api_ca.to_str().unwrap();
    let out = e.run(&["vault-unseal", "--kubeconfig", wrong], None);
    assert_exit(&out, 1);
    for flags in [
        vec!["--certificate-authority", api_ca],
        vec!["--insecure-skip-tls-verify"],
    ] {
        let mut args = vec!["vault-unseal", "--kubeconfig", wrong, "-o", "json"];
        args.extend(&flags);
        let out = e.run(&args, None);
        assert_exit(&out, 0);
        let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert_eq!(v["summary"]["unsealed"], 1, "{flags:?}: {v:#}");
    }
    let out = e.run(
        &[
            "vault-unseal",
            "--certificate-authority",
            api_ca,
            "--insecure-skip-tls-verify",
        ],
        None,
    );
    assert_exit_saying(&out, 1, "cannot be used with");

    // --server overrides the kubeconfig's address.
    let out = e.run(&["vault-unseal", "--server", "https://127.0.0.1:1"], None);
    assert_fails_with(&out, "127.0.0.1:1");

    // Impersonation: a user with no rights is refused by RBAC; the same user in the
    // system:masters group is allowed (the groups reach the API server).
    let out = e.run(&["vault-unseal", "--as", "nobody"], None);
    assert_fails_with(&out, "permission denied");
    let out = e.run(
        &[
            "vault-unseal",
            "--as",
            "nobody",
            "--as-group",
            "system:masters",
            "-o",
            "json",
        ],
        None,
    );
    assert_exit(&out, 0);
    let out = e.run(&["vault-unseal", "--as-group", "system:masters"], None);
    assert_exit_saying(&out, 1, "--as");

    // Vault's TLS: skipping verification and naming a CA at once is a usage error; plain
    // http to another machine warns as --tls-skip-verify does, to this machine it does not.
    let ca = e.sb.ca_path();
    let out = e.run(
        &[
            "vault-unseal",
            "--tls-skip-verify",
            "--ca-cert",
            ca.to_str().unwrap(),
        ],
        None,
    );
    assert_exit_saying(&out, 1, "cannot be used with");
    for (addr, warned) in [
        ("http://192.0.2.1:8200", true),
        ("http://127.0.0.1:1", false),
    ] {
        let out = e.run(
            &[
                "vault-unseal",
                "--vault-addr",
                addr,
                "--status",
                "--vault-timeout",
                "1s",
            ],
            None,
        );
        assert_eq!(
            stderr(&out).contains("plain http to another machine"),
            warned,
            "{addr}: {}",
            show(&out)
        );
    }
}

/// A pipe whose reading end is already closed, as `| head` leaves stdout once it has its lines.
fn closed_pipe() -> std::process::Stdio {
    use std::os::fd::{FromRawFd, OwnedFd};
    let mut fds = [0; 2];
    // SAFETY: pipe fills two new descriptors; each is owned once below.
    #[allow(unsafe_code)]
    let (read, write) = unsafe {
        assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
        (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1]))
    };
    drop(read);
    std::process::Stdio::from(write)
}

/// With stdout closed (`| head`), the unseal still happens whole and the exit code is its own:
/// no SIGPIPE death, no panic.
#[test]
fn a_closed_stdout_does_not_interrupt_the_unseal() {
    let e = env("unseal-closed-stdout", 2);
    e.seal_by(Fault::Kill, &[0, 1]);
    let init = e.sb.init_json_path();
    let out = e
        .kubectl
        .command(["vault-unseal", "--keys-file", init.to_str().unwrap()])
        .stdout(closed_pipe())
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", show(&out));
    assert!(!stderr(&out).contains("panicked"), "{}", show(&out));
    assert!(!e.sealed(0) && !e.sealed(1));
    assert!(e.ready("vault-0") && e.ready("vault-1"));
}

/// The shipped least-privilege manifest, changed by `edit`, applied for group `group`.
fn apply_role(e: &Env, group: &str, edit: impl Fn(String) -> String) {
    let text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rbac/kubectl-vault.yaml"),
    )
    .unwrap();
    let text = edit(text).replace("kubectl-vault-operators", group);
    let file = e.sb.dir().join(format!("{group}.yaml"));
    std::fs::write(&file, text).unwrap();
    e.kubectl
        .ok([
            "apply",
            "-n",
            e.sb.namespace(),
            "-f",
            file.to_str().unwrap(),
        ])
        .expect("kubectl apply");
}

fn uid(e: &Env, pod: &str) -> String {
    e.kubectl.json(["get", "pod", pod]).expect("get pod")["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_string()
}

/// `--restart` acts on evidence only: pods the plugin cannot reach while Kubernetes calls
/// them Ready are not restarted (exit 1, nothing changed), and a pod that recovered while
/// the plugin waited at its prompt is left alone.
#[test]
fn restart_acts_on_evidence_and_rechecks_after_the_prompt() {
    let e = support::env_with(
        "unseal-restart-guards",
        PLUGIN,
        vault_sandbox::Options {
            nodes: 2,
            seal: vault_sandbox::Seal::Transit,
            ..Default::default()
        },
    );
    let before = [uid(&e, "vault-0"), uid(&e, "vault-1")];

    // An identity without pods/portforward: every pod unreachable, all Ready.
    apply_role(&e, "no-portforward", |t| {
        t.replace("\"pods/portforward\", \"pods/exec\"", "\"pods/exec\"")
    });
    let out = e.run(
        &[
            "vault-unseal",
            "--restart",
            "--yes",
            "--as",
            "carol",
            "--as-group",
            "no-portforward",
        ],
        None,
    );
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("nothing was restarted") && err.contains("Kubernetes reports the pod Ready"),
        "{err}"
    );
    assert_eq!([uid(&e, "vault-0"), uid(&e, "vault-1")], before);

    // vault-1 sealed through the API: the plan restarts it. While the prompt waits, its
    // server restarts and auto-unseals; confirmed, the plugin reads it again and leaves it.
    e.seal_by(Fault::Seal, &[1]);
    let cmd = e.kubectl.command(["vault-unseal", "--restart"]);
    let mut pty = Pty::spawn(cmd);
    pty.expect("Proceed? [y/N]", 1);
    e.sb.fault(Fault::Kill, "vault-1").expect("kill");
    e.sb.wait_until(
        "vault-1 unsealed and Ready",
        Duration::from_secs(60),
        || e.sb.seal_status(1).is_ok_and(|s| s["sealed"] == false) && e.ready("vault-1"),
    )
    .expect("vault-1 back by itself");
    pty.type_line("y");
    let status = pty.wait();
    assert_eq!(status.code(), Some(0), "{}", pty.output());
    assert!(pty.output().contains("not restarted"), "{}", pty.output());
    assert_eq!(
        uid(&e, "vault-1"),
        before[1],
        "a recovered pod was restarted"
    );
}

/// A Vault initialised with one key share (`-key-shares=1`) has a whole 32-byte key: it
/// unseals a killed pod; a 33-byte share is refused before anything is sent.
#[test]
fn a_single_share_cluster_unseals_a_killed_pod() {
    let e = support::env_with(
        "unseal-one-of-one",
        PLUGIN,
        vault_sandbox::Options {
            nodes: 2,
            key_shares: 1,
            key_threshold: 1,
            ..Default::default()
        },
    );
    e.seal_by(Fault::Kill, &[1]);
    let file = e.sb.dir().join("one-share-of-five");
    support::write_private(&file, format!("{}\n", foreign_share(9)).as_bytes());
    let out = e.run(
        &["vault-unseal", "--keys-file", file.to_str().unwrap()],
        None,
    );
    assert_fails_with(&out, "does not fit this Vault");
    let st = e.sb.seal_status(1).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&json!(true), &json!(0)),
        "{st}"
    );

    let out = unseal_with_init_json(&e);
    assert_exit(&out, 0);
    assert_no_secret(
        "unseal output",
        &format!("{}{}", stdout(&out), stderr(&out)),
        &e.secrets(),
    );
    assert!(!e.sealed(1), "{}", show(&out));
    assert!(e.ready("vault-1"));
}

/// A pod with the chart's labels that no StatefulSet owns, running a real OpenBao server
/// initialised with the cluster's own keys: it is listed and refused, and receives no share
/// (a share would unseal it, as the direct check at the end shows).
#[test]
fn an_impostor_pod_receives_no_share() {
    const IMPOSTOR: u32 = 31; // the address the sandbox gives an impostor
    let e = env("unseal-impostor", 3);
    e.sb.start_impostor("vault-impostor", "vault-1")
        .expect("start the impostor");
    e.sb.wait_until(
        "the impostor answers sealed",
        Duration::from_secs(60),
        || {
            e.sb.seal_status(IMPOSTOR)
                .is_ok_and(|s| s["sealed"] == true && s["initialized"] == true)
        },
    )
    .expect("impostor up");
    e.seal_by(Fault::Seal, &[1]);

    let init = e.sb.init_json_path();
    let init = init.to_str().unwrap();
    let out = e.run(&["vault-unseal", "--keys-file", init, "-o", "json"], None);
    assert_exit_saying(&out, 0, "refusing pods vault-impostor");
    let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
    assert!(!v.to_string().contains("vault-impostor"), "{v:#}");
    assert!(!e.sealed(1));
    let st = e.sb.seal_status(IMPOSTOR).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&json!(true), &json!(0)),
        "{st}"
    );
    // Named on the command line it is refused too.
    let out = e.run(
        &["vault-unseal", "vault-impostor", "--keys-file", init],
        None,
    );
    assert_exit(&out, 1);

    // A forged owner reference (the real StatefulSet's name and UID) does not make it ours:
    // the StatefulSet is read, and it never made a pod of that name.
    let uid = e
        .kubectl
        .ok([
            "get",
            "statefulset",
            "vault",
            "-o",
            "jsonpath={.metadata.uid}",
        ])
        .expect("the StatefulSet's UID");
    e.kubectl
        .ok([
            "patch",
            "pod",
            "vault-impostor",
            "--type",
            "merge",
            "-p",
            &format!(
                r#"{{"metadata":{{"ownerReferences":[{{"apiVersion":"apps/v1","kind":"StatefulSet","name":"vault","uid":"{uid}","controller":true}}]}}}}"#
            ),
        ])
        .expect("forge the owner reference");
    let out = e.run(
        &["vault-unseal", "vault-impostor", "--keys-file", init],
        None,
    );
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("does not own"), "{}", show(&out));
    let out = e.run(&["vault-unseal", "--keys-file", init], None);
    assert_exit(&out, 0);
    assert!(
        stderr(&out).contains("refusing pods vault-impostor"),
        "{}",
        show(&out)
    );
    let st = e.sb.seal_status(IMPOSTOR).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&json!(true), &json!(0)),
        "the impostor with a forged owner got a share: {st}"
    );

    // The impostor takes the cluster's shares: had any reached it, it would be unsealed.
    for key in e.keys().iter().take(3) {
        let (code, v) =
            e.sb.vault(
                IMPOSTOR,
                "PUT",
                "sys/unseal",
                None,
                Some(&json!({ "key": key })),
            )
            .unwrap();
        assert_eq!(code, 200, "{v}");
    }
    assert_eq!(e.sb.seal_status(IMPOSTOR).unwrap()["sealed"], false);
}

/// Whether process `pid` waits in a read of its stdin (the plugin has read the seal status
/// and waits for `--keys-file -`).
fn reads_stdin(pid: u32) -> bool {
    let Ok(tasks) = std::fs::read_dir(format!("/proc/{pid}/task")) else {
        return false;
    };
    tasks.flatten().any(|t| {
        std::fs::read_to_string(t.path().join("syscall")).is_ok_and(|s| s.starts_with("0 0x0 "))
    })
}

/// `vault-unseal --keys-file - <extra>` with vault-2 hung once the plugin has read the seal
/// status and waits for the keys; `cut` is done to vault-2 while the plugin talks to it.
fn unseal_while(e: &Env, cut: Fault, extra: &[&str]) -> std::process::Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut args = vec!["vault-unseal", "--keys-file", "-", "-o", "json"];
    args.extend(extra);
    let mut child = e
        .kubectl
        .command(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    e.sb.wait_until("the plugin waits for keys", Duration::from_secs(60), || {
        reads_stdin(pid)
    })
    .expect("the plugin reads stdin");
    e.sb.fault(Fault::Stop, "vault-2").expect("stop");
    let keys = e.keys().join("\n");
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(keys.as_bytes()).unwrap();
    drop(stdin);
    // vault-1 is done while vault-2's request hangs; then the cut.
    e.sb.wait_until("vault-1 unsealed", Duration::from_secs(60), || !e.sealed(1))
        .expect("vault-1 unsealed meanwhile");
    std::thread::sleep(Duration::from_millis(500));
    e.sb.fault(cut, "vault-2").expect("cut");
    let out = child.wait_with_output().unwrap();
    if cut == Fault::DropStreams {
        e.sb.fault(Fault::Resume, "vault-2").expect("resume");
    }
    out
}

/// A port-forward cut, and a pod deleted, while vault-unseal talks to it: that pod's error is
/// clear, no share is blamed, the other pods are unsealed, and a rerun finishes the job.
#[test]
fn a_cut_stream_or_a_deleted_pod_mid_unseal_blames_no_share() {
    let e = env("unseal-mid-cut", 3);
    for (cut, what) in [
        (Fault::DropStreams, "drop-streams"),
        (Fault::Delete, "delete"),
    ] {
        e.seal_by(Fault::Seal, &[1, 2]);
        let out = unseal_while(&e, cut, &["--vault-timeout", "20s"]);
        assert_exit(&out, 1);
        assert_no_secret(
            what,
            &format!("{}{}", stdout(&out), stderr(&out)),
            &e.secrets(),
        );
        let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON");
        assert!(
            v["bad_shares"].as_array().is_none_or(|a| a.is_empty()),
            "{what}: {v:#}"
        );
        assert!(!stderr(&out).contains("is wrong"), "{what}: {}", show(&out));
        let failed: Vec<&Value> = v["unseal"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["error"].is_string())
            .collect();
        assert_eq!(failed.len(), 1, "{what}: {v:#}");
        assert_eq!(failed[0]["pod"], "vault-2", "{what}: {v:#}");
        assert!(stderr(&out).contains("vault-2"), "{what}: {}", show(&out));
        assert!(!e.sealed(1), "{what}: vault-1 unsealed regardless");
        // The rerun finishes; --no-wait judges by the unseal results alone.
        e.wait_sealed(2);
        let init = e.sb.init_json_path();
        let out = e.run(
            &[
                "vault-unseal",
                "--keys-file",
                init.to_str().unwrap(),
                "--no-wait",
            ],
            None,
        );
        assert_exit(&out, 0);
        assert!(!e.sealed(2), "{what}: {}", show(&out));
        e.sb.wait_until("vault-2 Ready", Duration::from_secs(30), || {
            e.ready("vault-2")
        })
        .expect("Ready");
    }
}
