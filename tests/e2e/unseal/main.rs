//! End-to-end tests of `kubectl vault-unseal`: the real plugin executable, reached through the
//! real kubectl's plugin discovery, against the sandbox's real OpenBao pods. Results are
//! checked through kubectl and the Vault API (straight to each pod), not the plugin's output.

#[path = "../support/mod.rs"]
mod support;

mod portable;

use std::process::Command;
use std::time::Duration;

use serde_json::{Value, json};
use support::{
    Env, Pty, assert_exit, assert_exit_saying, assert_fails_with, assert_no_secret, one_error_line,
    pod_row, show, stderr, stdout,
};
use vault_sandbox::{ApiFaults, Fault};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_unseal");

fn env(name: &str, nodes: u32) -> Env {
    support::env(name, nodes, PLUGIN)
}

/// `kubectl vault-unseal --keys-file <the sandbox's init JSON> -o json`.
fn unseal_with_init_json(e: &Env) -> std::process::Output {
    let init = e.sb.init_json_path();
    e.run(
        &[
            "vault-unseal",
            "--keys-file",
            init.to_str().unwrap(),
            "-o",
            "json",
        ],
        None,
    )
}

/// A well-formed share that belongs to no cluster (`seed` makes distinct ones).
fn foreign_share(seed: u8) -> String {
    use base64::Engine;
    let bytes: Vec<u8> = (0..33u8)
        .map(|i| i.wrapping_mul(37).wrapping_add(seed) ^ 0x5a)
        .collect();
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

#[test]
fn killed_pods_are_reported_sealed_then_unsealed_from_the_init_file() {
    let e = env("unseal-killed", 3);
    e.seal_by(Fault::Kill, &[1, 2]);

    let status = e.run(&["vault-unseal", "-o", "json"], None);
    assert_exit(&status, 2);
    let v: Value = serde_json::from_str(&stdout(&status)).expect("JSON output");
    let pod = |name: &str| {
        v["pods"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["pod"] == name))
            .cloned()
            .unwrap_or_else(|| panic!("no {name} in {v:#}"))
    };
    assert_eq!(pod("vault-0")["sealed"], false, "{v:#}");
    for name in ["vault-1", "vault-2"] {
        let p = pod(name);
        assert_eq!(
            (&p["ready"], &p["sealed"]),
            (&json!(false), &json!(true)),
            "{v:#}"
        );
    }
    // The table says the same to a human.
    let table = stdout(&e.run(&["vault-unseal"], None));
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("vault-1") && l.contains("0/1")),
        "{table}"
    );

    // A ~/.vault-token that cannot be read does not matter to a verb that needs no token.
    let home = e.sb.dir().join("home-with-unreadable-token");
    std::fs::create_dir_all(home.join(".vault-token")).unwrap();
    let out = e
        .kubectl
        .command(["vault-unseal", "-o", "json"])
        .env("HOME", &home)
        .env_remove("VAULT_TOKEN")
        .env_remove("BAO_TOKEN")
        .output()
        .unwrap();
    assert_exit(&out, 2);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("JSON output");
    assert_eq!(v["summary"]["sealed"], 2, "{v:#}");

    let init = e.sb.init_json_path();
    let unseal = e.run(
        &["vault-unseal", "--keys-file", init.to_str().unwrap()],
        None,
    );
    assert_exit(&unseal, 0);
    assert_no_secret(
        "the plugin's output",
        &format!("{}{}", stdout(&unseal), stderr(&unseal)),
        &e.secrets(),
    );

    // Independent checks: every pod Ready in kubectl, unsealed in the Vault API.
    for i in 0..3 {
        assert!(
            e.ready(&format!("vault-{i}")),
            "vault-{i} not Ready\n{}",
            show(&unseal)
        );
        assert!(!e.sealed(i), "vault-{i} still sealed");
    }
    let get = e.kubectl.ok(["get", "pods"]).expect("kubectl get pods");
    assert_eq!(get.matches("1/1").count(), 3, "{get}");

    let json = e.run(&["vault-unseal", "-o", "json"], None);
    assert_exit(&json, 0);
    let v: Value = serde_json::from_str(&stdout(&json)).expect("JSON output");
    let pods = v["pods"].as_array().expect("pods");
    assert_eq!(pods.len(), 3);
    assert!(
        pods.iter()
            .all(|p| p["sealed"] == false && p["ready"] == true),
        "{v:#}"
    );
    assert_eq!(v["summary"]["sealed"], 0);

    let yaml = e.run(&["vault-unseal", "-o", "yaml"], None);
    assert_exit(&yaml, 0);
    let y: Value = serde_saphyr::from_str(&stdout(&yaml)).expect("YAML output");
    let brief = |doc: &Value| -> Vec<(Value, Value)> {
        doc["pods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p["pod"].clone(), p["sealed"].clone()))
            .collect()
    };
    assert_eq!(
        brief(&y),
        brief(&v),
        "YAML and JSON say the same\n{}",
        stdout(&yaml)
    );
    assert_eq!(y["summary"]["unsealed"], 3, "{}", stdout(&yaml));

    // The trail: one Unsealed Event per pod unsealed, naming shares by position only.
    let events = e.our_events();
    let unsealed: Vec<&Value> = events
        .iter()
        .filter(|ev| ev["reason"] == "Unsealed")
        .collect();
    let mut names: Vec<&str> = unsealed
        .iter()
        .filter_map(|ev| ev["involvedObject"]["name"].as_str())
        .collect();
    names.sort();
    assert_eq!(names, ["vault-1", "vault-2"], "{events:#?}");
    // Recorded through events.k8s.io/v1, and listed by `kubectl events` too.
    assert!(
        unsealed
            .iter()
            .all(|ev| ev["reportingComponent"] == "kubectl-vault" && ev["action"] == "Unseal"),
        "{events:#?}"
    );
    let listed = e
        .kubectl
        .ok(["events", "-n", "vault"])
        .expect("kubectl events");
    for pod in ["vault-1", "vault-2"] {
        assert!(
            listed
                .lines()
                .any(|l| l.contains("Unsealed") && l.contains(&format!("Pod/{pod}"))),
            "kubectl events does not list the unseal of {pod}:\n{listed}"
        );
    }
    assert_no_secret(
        "the Events",
        &serde_json::to_string(&events).unwrap(),
        &e.secrets(),
    );
}

#[test]
fn keys_from_stdin_and_from_the_prompt_never_leak() {
    let e = env("unseal-inputs", 3);
    let secrets = e.secrets();
    let keys = e.keys();

    // stdin
    e.seal_by(Fault::Seal, &[1]);
    let input = format!("{}\n{}\n{}\n", keys[0], keys[1], keys[2]);
    let out = e.run(
        &["vault-unseal", "--keys-file", "-"],
        Some(input.as_bytes()),
    );
    assert_exit(&out, 0);
    assert!(!e.sealed(1));
    assert_no_secret(
        "output (stdin)",
        &format!("{}{}", stdout(&out), stderr(&out)),
        &secrets,
    );

    // the prompt, on a pseudo-terminal, with hex keys this time
    e.seal_by(Fault::Seal, &[2]);
    let hex: Vec<String> = e.sb.init().unwrap()["unseal_keys_hex"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    let mut cmd = e.kubectl.command(["vault-unseal"]);
    cmd.env("TERM", "dumb");
    let mut pty = Pty::spawn(cmd);
    pty.expect("Unseal key share 1 of 3", 1);
    pty.type_line(&hex[3]);
    pty.expect("Unseal key share 2 of 3", 1);
    pty.type_line(&hex[1]);
    pty.expect("Unseal key share 3 of 3", 1);
    // Two keys are in the plugin's memory now: none may be visible from outside.
    let pid = pty.child.id();
    for (p, cmdline, environ) in support::process_tree_texts(pid) {
        assert_no_secret(&format!("/proc/{p}/cmdline"), &cmdline, &secrets);
        assert_no_secret(&format!("/proc/{p}/environ"), &environ, &secrets);
    }
    pty.type_line(&hex[4]);
    let status = pty.wait();
    assert!(status.success(), "prompt run failed:\n{}", pty.output());
    assert!(!e.sealed(2), "vault-2 still sealed:\n{}", pty.output());
    // No echo: the terminal never showed a key.
    assert_no_secret("the terminal", &pty.output(), &secrets);
    assert_no_secret(
        "the Events",
        &serde_json::to_string(&e.our_events()).unwrap(),
        &secrets,
    );

    // Keys are never taken from argv: there is no such option.
    let argv = e.run(&["vault-unseal", "--key", &keys[0]], None);
    assert_exit(&argv, 1);
}

#[test]
fn a_wrong_share_is_named_by_position_and_wrong_shares_leave_no_progress() {
    let e = env("unseal-wrong", 3);
    let keys = e.keys();
    e.seal_by(Fault::Seal, &[1, 2]);

    // Four shares for a threshold of 3, the second one wrong.
    let four = format!(
        "{}\n{}\n{}\n{}\n",
        keys[0],
        foreign_share(1),
        keys[1],
        keys[2]
    );
    let out = e.run(
        &["vault-unseal", "--keys-file", "-", "-o", "json"],
        Some(four.as_bytes()),
    );
    assert_exit(&out, 0);
    let v = json_of(&out);
    assert_eq!(v["bad_shares"], json!([2]), "{v:#}");
    for pod in ["vault-1", "vault-2"] {
        let r = unseal_result(&v, pod);
        // {1,2,3} and {1,2,4} fail before {1,3,4} works.
        assert_eq!(
            (
                &r["result"],
                &r["shares_used"],
                &r["bad_shares"],
                &r["failed_attempts"]
            ),
            (
                &json!("unsealed"),
                &json!([1, 3, 4]),
                &json!([2]),
                &json!(2)
            ),
            "{v:#}"
        );
    }
    assert!(stderr(&out).contains("share #2 "), "{}", show(&out));
    assert_no_secret(
        "output",
        &format!("{}{}", stdout(&out), stderr(&out)),
        &e.secrets(),
    );
    for i in 0..3 {
        assert!(!e.sealed(i), "vault-{i} still sealed\n{}", show(&out));
    }

    // Only wrong shares: exit 1, one clear message, and no half-finished unseal anywhere.
    e.seal_by(Fault::Seal, &[1]);
    let wrong = format!("{}\n{}\n{}\n", foreign_share(1), foreign_share(2), keys[3]);
    let out = e.run(
        &["vault-unseal", "--keys-file", "-"],
        Some(wrong.as_bytes()),
    );
    assert_exit(&out, 1);
    let line = stderr(&out);
    assert!(
        line.contains("vault-1") && line.contains("do not unseal"),
        "{}",
        show(&out)
    );
    let st = e.sb.seal_status(1).unwrap();
    assert_eq!(
        (st["sealed"].clone(), st["progress"].clone()),
        (json!(true), json!(0)),
        "{st}"
    );
    let failed: Vec<Value> = e
        .our_events()
        .into_iter()
        .filter(|ev| ev["reason"] == "UnsealFailed")
        .collect();
    assert_eq!(failed.len(), 1, "{failed:#?}");
    assert_eq!(failed[0]["type"], "Warning");
}

/// Another operator submits one share to `vault-<i>`; their `sys/unseal` answer and the seal
/// status read afterwards both say 1 of 3, so the plugin starts from a known half-finished
/// unseal.
fn another_operator_submits(e: &Env, i: u32, key: &str) {
    let (code, v) =
        e.sb.vault(i, "PUT", "sys/unseal", None, Some(&json!({"key": key})))
            .unwrap();
    assert_eq!(code, 200, "{v}");
    assert_eq!(
        (&v["sealed"], &v["progress"], &v["t"]),
        (&json!(true), &json!(1), &json!(3)),
        "their sys/unseal: {v}"
    );
    let st = e.sb.seal_status(i).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&json!(true), &json!(1)),
        "{st}"
    );
}

/// The plugin's result for `pod` in its JSON report.
fn unseal_result(v: &Value, pod: &str) -> Value {
    v["unseal"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["pod"] == pod))
        .cloned()
        .unwrap_or_else(|| panic!("no unseal result for {pod}: {v:#}"))
}

fn json_of(out: &std::process::Output) -> Value {
    serde_json::from_str(&stdout(out)).unwrap_or_else(|e| panic!("not JSON ({e}): {}", show(out)))
}

/// `vault-unseal MODE… --keys-file FILE -o json`, with `input` on stdin.
fn unseal_json(
    e: &Env,
    mode: &[&str],
    keys_file: &str,
    input: Option<&[u8]>,
) -> std::process::Output {
    let mut args = vec!["vault-unseal"];
    args.extend_from_slice(mode);
    args.extend(["--keys-file", keys_file, "-o", "json"]);
    e.run(&args, input)
}

#[test]
fn an_unseal_in_progress_is_reported_and_reset_on_request() {
    let e = env("unseal-in-progress", 3);
    let keys = e.keys();
    e.seal_by(Fault::Seal, &[2]);
    // Someone else has started: one share in (their fifth).
    another_operator_submits(&e, 2, &keys[4]);

    let init = e.sb.init_json_path();
    let init = init.to_str().unwrap();
    let out = e.run(&["vault-unseal", "--keys-file", init], None);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("in progress (1/3)"), "{}", show(&out));
    let st = e.sb.seal_status(2).unwrap();
    assert_eq!(
        (st["sealed"].clone(), st["progress"].clone()),
        (json!(true), json!(1)),
        "nothing may be sent: {st}"
    );

    // Two of our shares, not enough alone. --reset discards their share: the pod is left
    // sealed with no progress at all.
    let two = format!("{}\n{}\n", keys[0], keys[1]);
    let out = unseal_json(&e, &["--reset", "--yes"], "-", Some(two.as_bytes()));
    assert_exit(&out, 1);
    assert_eq!(
        unseal_result(&json_of(&out), "vault-2")["result"],
        "not_enough_shares",
        "{}",
        show(&out)
    );
    let st = e.sb.seal_status(2).unwrap();
    assert_eq!(
        (&st["sealed"], &st["progress"]),
        (&json!(true), &json!(0)),
        "--reset kept the other operator's share: {st}"
    );

    // --continue keeps it: their share plus our two unseal the pod, and the report says two
    // of ours were used.
    another_operator_submits(&e, 2, &keys[4]);
    let out = unseal_json(&e, &["--continue"], "-", Some(two.as_bytes()));
    assert_exit(&out, 0);
    assert!(!e.sealed(2), "{}", show(&out));
    let r = unseal_result(&json_of(&out), "vault-2");
    assert_eq!(
        (&r["result"], &r["shares_used"]),
        (&json!("unsealed"), &json!([1, 2])),
        "{r:#}"
    );

    // --reset with enough shares: theirs is gone, three of ours unseal it.
    e.seal_by(Fault::Seal, &[2]);
    another_operator_submits(&e, 2, &keys[4]);
    let out = unseal_json(&e, &["--reset", "--yes"], init, None);
    assert_exit(&out, 0);
    assert!(!e.sealed(2), "{}", show(&out));
    let r = unseal_result(&json_of(&out), "vault-2");
    assert_eq!(r["shares_used"], json!([1, 2, 3]), "{r:#}");

    // Someone else's attempt holds a wrong share: it fails, and the operator's good keys
    // are not blamed — the unseal starts over with them.
    e.seal_by(Fault::Seal, &[2]);
    let (code, v) =
        e.sb.vault(
            2,
            "PUT",
            "sys/unseal",
            None,
            Some(&json!({"key": foreign_share(7)})),
        )
        .unwrap();
    assert_eq!((code, &v["progress"]), (200, &json!(1)), "{v}");
    let out = unseal_json(&e, &["--continue"], init, None);
    assert_exit(&out, 0);
    assert!(!e.sealed(2), "{}", show(&out));
    let r = unseal_result(&json_of(&out), "vault-2");
    assert_eq!(
        (&r["shares_used"], &r["bad_shares"]),
        (&json!([1, 2, 3]), &json!([])),
        "{r:#}"
    );
    assert!(
        e.our_events()
            .iter()
            .all(|ev| ev["reason"] != "UnsealFailed")
    );
}

#[test]
fn keys_from_a_secret_and_the_why_and_verify_reports() {
    let e = env("unseal-secret", 3);
    let keys = e.keys();
    // Shares stored one per key, as bank-vaults does.
    let mut args = vec![
        "create".to_string(),
        "secret".into(),
        "generic".into(),
        "vault-unseal-keys".into(),
    ];
    for (i, k) in keys.iter().take(3).enumerate() {
        args.push(format!("--from-literal=vault-unseal-{i}={k}"));
    }
    e.kubectl.ok(&args).expect("create secret");
    e.seal_by(Fault::Kill, &[0]);

    let why = e.run(&["vault-unseal", "--why"], None);
    assert_exit(&why, 2);
    let text = stdout(&why);
    assert!(
        text.lines()
            .any(|l| l.starts_with("vault-0: sealed") && l.contains("killed")),
        "{}",
        show(&why)
    );

    // A seal through the API is told apart from a restart.
    e.seal_by(Fault::Seal, &[2]);
    let why = e.run(&["vault-unseal", "--why", "-o", "json"], None);
    let v: Value = serde_json::from_str(&stdout(&why)).expect("json");
    let why_of = |pod: &str| pod_row(&v, pod).clone();
    let cause = why_of("vault-2")["cause"].clone();
    assert!(
        cause.as_str().unwrap().starts_with("sealed while running"),
        "{cause}"
    );
    // vault-0 was killed: the cause is the SIGKILL kubectl shows as its last termination.
    let killed = why_of("vault-0");
    assert!(
        killed["cause"]
            .as_str()
            .unwrap()
            .starts_with("the container was killed (SIGKILL, exit 137) and restarted"),
        "{killed:#}"
    );
    let pod0 = e.kubectl.json(["get", "pod", "vault-0"]).unwrap();
    assert_eq!(
        pod0["status"]["containerStatuses"][0]["lastState"]["terminated"]["exitCode"], 137,
        "{pod0:#}"
    );

    let out = e.run(
        &["vault-unseal", "--keys-secret", "vault-unseal-keys"],
        None,
    );
    assert_exit(&out, 0);
    for i in [0, 2] {
        assert!(!e.sealed(i), "vault-{i} still sealed\n{}", show(&out));
        assert!(e.ready(&format!("vault-{i}")), "vault-{i} not Ready");
    }

    // --verify: a KV v2 secret written through the Vault API, read back by the plugin.
    let token = e.sb.root_token();
    // vault-0 was the leader before it was killed: wait for the election.
    let leader_now = || {
        (0..3).find(|&i| {
            e.sb.vault(i, "GET", "sys/leader", None, None)
                .is_ok_and(|(_, v)| v["is_self"] == true)
        })
    };
    e.sb.wait_until("a leader", Duration::from_secs(30), || {
        leader_now().is_some()
    })
    .unwrap();
    let leader = leader_now().expect("a leader");
    let (code, _) =
        e.sb.vault(
            leader,
            "POST",
            "sys/mounts/secret",
            Some(&token),
            Some(&json!({"type": "kv", "options": {"version": "2"}})),
        )
        .unwrap();
    assert!(code < 300, "mount kv: {code}");
    e.sb.wait_until("kv mount ready", Duration::from_secs(20), || {
        e.sb.vault(
            leader,
            "POST",
            "secret/data/proxy/credentials/proxy-api",
            Some(&token),
            Some(&json!({"data": {"api_key": "hunter2"}})),
        )
        .is_ok_and(|(c, _)| c < 300)
    })
    .unwrap();
    let token_file = e.token_file();
    let tf = token_file.to_str().unwrap();
    let found = e.run(
        &[
            "vault-unseal",
            "--token-file",
            tf,
            "--verify",
            "secret/proxy/credentials/proxy-api",
        ],
        None,
    );
    assert_exit(&found, 0);
    assert!(
        stdout(&found).contains("found") && !stdout(&found).contains("not found"),
        "{}",
        show(&found)
    );
    assert!(
        !stdout(&found).contains("hunter2"),
        "the secret's value was printed"
    );
    let verify_json = |token_file: &str, path: &str| {
        let out = e.run(
            &[
                "vault-unseal",
                "--token-file",
                token_file,
                "--verify",
                path,
                "-o",
                "json",
            ],
            None,
        );
        assert_exit(&out, 2);
        let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
        v
    };
    let v = verify_json(tf, "secret/nope");
    assert_eq!(v["verify"]["result"], "not_found");
    let bad_token = e.sb.dir().join("bad-token");
    support::write_private(&bad_token, b"s.not-a-token");
    let v = verify_json(
        bad_token.to_str().unwrap(),
        "secret/proxy/credentials/proxy-api",
    );
    assert_eq!(v["verify"]["result"], "permission_denied", "{v:#}");
}

#[test]
fn a_hung_pod_times_out_without_holding_back_the_others() {
    let e = env("unseal-hung", 3);
    e.seal_by(Fault::Seal, &[1, 2]);
    e.sb.fault(Fault::Stop, "vault-2").expect("stop");
    // Status only: a pod that does not answer is reported (exit 2, a warning), not a failure.
    let out = e.run(&["vault-unseal", "--vault-timeout", "3s"], None);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("warning: vault-2"), "{}", show(&out));
    e.sb.fault(Fault::Resume, "vault-2").expect("resume");

    // vault-0 hangs once shares are flowing to it. Two wrong shares first make every pod go
    // through nine failed combinations (27 shares) before the tenth works, which leaves time
    // to see vault-0's progress move and stop it mid-unseal.
    let keys = e.keys();
    let input = format!(
        "{}\n{}\n{}\n{}\n{}\n",
        foreign_share(1),
        foreign_share(2),
        keys[0],
        keys[1],
        keys[2]
    );
    const HUNG_TIMEOUT: Duration = Duration::from_secs(10);
    let mut caught = None;
    for attempt in 1..=3 {
        let sealed: Vec<u32> = (0..3).filter(|&i| !e.sealed(i)).collect();
        e.seal_by(Fault::Seal, &sealed);
        let mut child = e
            .kubectl
            .command([
                "vault-unseal",
                "--keys-file",
                "-",
                "--vault-timeout",
                "10s",
                "-o",
                "json",
            ])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawn the plugin");
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(input.as_bytes()).unwrap();
        }
        // Stop vault-0 as soon as the Vault API shows a share of ours in it.
        let mut stopped_at = None;
        while child.try_wait().unwrap().is_none() {
            if let Ok(st) = e.sb.seal_status(0) {
                if st["sealed"] == false {
                    break;
                }
                if st["progress"].as_u64() >= Some(1) {
                    e.sb.fault(Fault::Stop, "vault-0").expect("stop vault-0");
                    stopped_at = Some(std::time::Instant::now());
                    break;
                }
            }
        }
        // The other two are unsealed, as the Vault API says, while vault-0 still hangs.
        let others_done = stopped_at.map(|t| {
            e.sb.wait_until("vault-1 and vault-2 unsealed", HUNG_TIMEOUT * 3, || {
                [1, 2].iter().all(|&i| !e.sealed(i))
            })
            .expect("the others unsealed");
            t.elapsed()
        });
        let out = child.wait_with_output().expect("the plugin ends");
        let v = json_of(&out);
        let hung = unseal_result(&v, "vault-0");
        if hung["error"].is_null() {
            // vault-0 finished before the stop took effect: try again.
            eprintln!("attempt {attempt}: vault-0 was unsealed before it was stopped");
            if stopped_at.is_some() {
                e.sb.fault(Fault::Resume, "vault-0").expect("resume");
            }
            continue;
        }
        caught = Some((out, v, others_done.expect("vault-0 was stopped")));
        break;
    }
    let (out, v, others_done) = caught.expect("vault-0 hung mid-unseal in one of three attempts");
    // While it hangs, the kubelet's readiness probe (an independent path) has not seen it
    // unsealed. Only then is it resumed: the share that was in flight when it stopped is
    // still in its socket and may land (on a loaded CI machine it was once the last share of
    // the right combination), so its seal state after the resume proves nothing about us.
    assert!(!e.ready("vault-0"), "vault-0 Ready while it hung");
    e.sb.fault(Fault::Resume, "vault-0").expect("resume");
    assert_exit(&out, 1);
    let hung = unseal_result(&v, "vault-0");
    assert!(
        hung["error"].as_str().unwrap().contains("did not answer"),
        "{v:#}"
    );
    assert!(
        stderr(&out).contains("vault-0") && stderr(&out).contains("did not answer"),
        "{}",
        show(&out)
    );
    // One at a time, the others could not start before vault-0's request timed out.
    assert!(
        others_done < HUNG_TIMEOUT,
        "vault-1 and vault-2 were unsealed {others_done:?} after vault-0 hung: not concurrently"
    );
    for pod in ["vault-1", "vault-2"] {
        let r = unseal_result(&v, pod);
        assert_eq!(
            (&r["result"], &r["shares_used"], &r["bad_shares"]),
            (&json!("unsealed"), &json!([3, 4, 5]), &json!([1, 2])),
            "{v:#}"
        );
        assert!(e.ready(pod), "{pod} not Ready");
    }
}

#[test]
fn bad_input_gives_one_clear_line_and_exit_1() {
    let e = env("unseal-bad-input", 1);
    let dir = e.sb.dir().to_path_buf();

    // A namespace without Vault pods.
    let out = e.run(&["vault-unseal", "-n", "default"], None);
    assert_fails_with(&out, "no Vault pods");

    // A selector matching pods that are not Vault.
    let web = json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web-0", "labels": {"app": "web"}},
                     "spec": {"containers": [{"name": "web", "image": "nginx:1.27", "ports": [{"containerPort": 80}]}]}});
    let manifest = dir.join("web.json");
    std::fs::write(&manifest, web.to_string()).unwrap();
    e.kubectl
        .ok(["create", "-f", manifest.to_str().unwrap()])
        .expect("create web pod");
    let out = e.run(&["vault-unseal", "-l", "app=web"], None);
    assert_fails_with(&out, "do not run Vault");

    // A keys file that holds no keys, and one that is not keys at all.
    let empty = dir.join("empty-keys");
    std::fs::write(&empty, "# nothing here\n\n").unwrap();
    e.seal_by(Fault::Seal, &[0]);
    let out = e.run(
        &["vault-unseal", "--keys-file", empty.to_str().unwrap()],
        None,
    );
    assert_fails_with(&out, "no unseal keys");
    let junk = dir.join("junk-keys");
    std::fs::write(&junk, "{\"root_token\": \"s.x\"}").unwrap();
    let out = e.run(
        &["vault-unseal", "--keys-file", junk.to_str().unwrap()],
        None,
    );
    assert_fails_with(&out, "holds no unseal keys");
    let dup = format!("{}\n{}\n", e.keys()[0], e.keys()[0]);
    let out = e.run(&["vault-unseal", "--keys-file", "-"], Some(dup.as_bytes()));
    assert_fails_with(&out, "same share");
    assert_eq!(
        e.sb.seal_status(0).unwrap()["progress"],
        0,
        "nothing may be sent for bad input"
    );

    // A Secret that does not exist.
    let out = e.run(&["vault-unseal", "--keys-secret", "no-such-secret"], None);
    assert_fails_with(&out, "not found");

    // A user who may not read Secrets.
    let limited =
        e.sb.add_user(
            "oncall",
            &[
                ("list", "pods"),
                // The pods' StatefulSet is read before keys go anywhere.
                ("get", "statefulsets"),
                ("get", "pods"),
                // kube-rs port-forwards over a WebSocket, a GET: authorized as `get`
                // (and `create` for clients that use SPDY).
                ("get", "pods/portforward"),
                ("create", "pods/portforward"),
                ("create", "events"),
            ],
        )
        .unwrap();
    let k = e.kubectl.with_kubeconfig(&limited);
    let ca = e.sb.ca_path();
    let out = k
        .command([
            "vault-unseal",
            "--ca-cert",
            ca.to_str().unwrap(),
            "--keys-secret",
            "vault-unseal-keys",
        ])
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let line = one_error_line(&out);
    assert!(
        line.contains("permission denied") && line.contains("secrets"),
        "{}",
        show(&out)
    );

    // The Kubernetes API failing, hanging, or unreachable.
    e.sb.set_api_faults(ApiFaults {
        fail_paths: vec!["/pods".into()],
        ..Default::default()
    });
    let out = e.run(&["vault-unseal"], None);
    assert_fails_with(&out, "list pods");
    e.sb.set_api_faults(ApiFaults {
        delay_paths: vec![("/pods".into(), Duration::from_secs(5))],
        ..Default::default()
    });
    let out = e.run(&["vault-unseal", "--request-timeout", "1s"], None);
    assert_fails_with(&out, "did not answer");
    e.sb.set_api_faults(ApiFaults::default());

    let dead = dir.join("kubeconfig-dead");
    let text = std::fs::read_to_string(e.sb.kubeconfig()).unwrap();
    let server = text
        .lines()
        .find(|l| l.trim_start().starts_with("server:"))
        .unwrap()
        .trim()
        .trim_start_matches("server: ")
        .to_string();
    std::fs::write(&dead, text.replace(&server, "https://127.0.0.1:1")).unwrap();
    let out = Command::new(PLUGIN)
        .args(["--kubeconfig", dead.to_str().unwrap()])
        .output()
        .unwrap();
    assert_fails_with(&out, "cannot reach the Kubernetes API");

    // --restart is for auto-unseal clusters only: a restarted Shamir pod comes back sealed.
    let out = e.run(&["vault-unseal", "--restart", "--yes"], None);
    assert_fails_with(&out, "Shamir");

    // An output format that does not exist.
    let out = e.run(&["vault-unseal", "-o", "xml"], None);
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("allowed formats are"),
        "{}",
        show(&out)
    );
}

#[test]
fn shell_completion_scripts_are_current_and_kubectl_completes_pod_names() {
    support::assert_completion_scripts_current(PLUGIN);
    let completions = support::completions_dir();

    // kubectl's plugin completion: `kubectl vault-unseal <TAB>` runs kubectl_complete-vault_unseal.
    let e = env("unseal-completion", 2);
    let k = e.kubectl.clone().with_plugins(&completions);
    let out = k.run(["__complete", "vault-unseal", "vault-"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    for pod in ["vault-0", "vault-1"] {
        assert!(
            text.lines().any(|l| l.starts_with(pod)),
            "{pod} not offered:\n{}",
            show(&out)
        );
    }
    assert!(text.trim_end().ends_with(":4"), "{text}");
    let out = k.run(["__complete", "vault-unseal", "--keys-f"]);
    assert!(stdout(&out).contains("--keys-file"), "{}", show(&out));
    let out = k.run(["__complete", "vault-unseal", "-o", ""]);
    assert!(
        stdout(&out).contains("json") && stdout(&out).contains("yaml"),
        "{}",
        show(&out)
    );
}

#[test]
fn auto_unseal_clusters_get_a_kms_diagnosis_and_a_rolling_restart() {
    let e = support::env_with(
        "unseal-auto",
        PLUGIN,
        vault_sandbox::Options {
            nodes: 3,
            seal: vault_sandbox::Seal::Transit,
            ..Default::default()
        },
    );
    let out = e.run(&["vault-unseal"], None);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("transit"), "{}", show(&out));

    // The KMS goes away; vault-1 and vault-2 restart and cannot configure their seal.
    e.sb.fault(Fault::KmsDown, "").expect("kms down");
    e.sb.fault(Fault::Kill, "vault-1").expect("kill");
    e.sb.fault(Fault::Kill, "vault-2").expect("kill");
    // As an operator finds it: the pods crash-looping.
    for pod in ["vault-1", "vault-2"] {
        e.sb.wait_until(
            &format!("{pod} crash-looping"),
            Duration::from_secs(60),
            || {
                e.kubectl.json(["get", "pod", pod]).is_ok_and(|p| {
                    p["status"]["containerStatuses"][0]["restartCount"].as_u64() >= Some(3)
                })
            },
        )
        .unwrap();
    }
    // The pods' configuration, as the ConfigMap volume holds it.
    let config = e
        .kubectl
        .json(["get", "configmap", "vault-config"])
        .unwrap();
    let kms_token = config["data"]["extraconfig-from-values.hcl"]
        .as_str()
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.trim().strip_prefix("token").map(|t| {
                t.trim()
                    .trim_start_matches('=')
                    .trim()
                    .trim_matches('"')
                    .to_string()
            })
        })
        .expect("the KMS token in the config");
    let mut secrets = e.secrets();
    secrets.push(kms_token);

    let init = e.sb.init_json_path();
    let out = e.run(
        &["vault-unseal", "--keys-file", init.to_str().unwrap()],
        None,
    );
    assert_exit(&out, 2);
    let text = stdout(&out);
    assert!(
        text.contains("vault-1") && text.contains("auto-unseal: transit"),
        "{}",
        show(&out)
    );
    assert!(
        text.contains("KMS: address = http://"),
        "the KMS endpoint is named\n{}",
        show(&out)
    );
    assert!(
        text.contains("Error configuring seal"),
        "the crash reason is shown\n{}",
        show(&out)
    );
    assert!(
        stderr(&out).contains("keys given are not used"),
        "{}",
        show(&out)
    );
    assert_no_secret(
        "the diagnosis",
        &format!("{text}{}", stderr(&out)),
        &secrets,
    );

    let uid = |pod: &str| {
        e.kubectl.json(["get", "pod", pod]).unwrap()["metadata"]["uid"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let uids = || ["vault-0", "vault-1", "vault-2"].map(uid);
    // --dry-run shows the plan and restarts nothing.
    let before = uids();
    let out = e.run(&["vault-unseal", "--restart", "--dry-run"], None);
    assert_exit(&out, 2);
    assert!(
        stdout(&out).contains("Plan: restart pods vault-1, vault-2"),
        "{}",
        show(&out)
    );
    assert_eq!(uids(), before, "--dry-run deleted a pod");

    // --restart while the KMS is still down stops at the first pod that does not come back:
    // vault-1 is recreated, vault-2 and the healthy vault-0 are not touched.
    let out = e.run(
        &["vault-unseal", "--restart", "--yes", "--timeout", "6s"],
        None,
    );
    assert_fails_with(&out, "KMS may still be unreachable");
    assert!(
        one_error_line(&out).contains("not restarted: vault-2"),
        "{}",
        show(&out)
    );
    let after = uids();
    assert_ne!(after[1], before[1], "vault-1 was not restarted");
    assert_eq!(
        (&after[0], &after[2]),
        (&before[0], &before[2]),
        "a pod after the first failure was restarted"
    );

    // The KMS is back. The crash-looping pod may recover by itself once its back-off ends;
    // sealed through the API it stays sealed (auto-unseal happens at start-up only), and a
    // rolling restart brings it back unsealed.
    e.sb.fault(Fault::KmsUp, "").expect("kms up");
    e.sb.wait_until(
        "vault-1 and vault-2 up again",
        Duration::from_secs(120),
        || {
            [1, 2]
                .iter()
                .all(|&i| e.sb.seal_status(i).is_ok_and(|s| s["sealed"] == false))
        },
    )
    .unwrap();
    e.seal_by(Fault::Seal, &[1, 2]);
    let before = uids();
    let out = e.run(&["vault-unseal", "--restart", "--yes", "-o", "json"], None);
    assert_exit(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).expect("json");
    assert_eq!(v["restarted"], json!(["vault-1", "vault-2"]), "{v:#}");
    let after = uids();
    assert_eq!(after[0], before[0], "the healthy vault-0 was restarted");
    for i in [1, 2] {
        let pod = format!("vault-{i}");
        assert_ne!(after[i], before[i], "{pod}: a restarted pod has a new UID");
        assert!(
            e.our_events()
                .iter()
                .any(|ev| ev["reason"] == "Restart" && ev["involvedObject"]["name"] == pod)
        );
        e.sb.wait_until(&format!("{pod} unsealed"), Duration::from_secs(30), || {
            e.sb.seal_status(i as u32)
                .is_ok_and(|s| s["sealed"] == false)
        })
        .unwrap();
        assert!(e.ready(&pod));
    }
}

#[test]
fn a_direct_address_and_the_tls_options() {
    let e = env("unseal-direct", 1);
    e.seal_by(Fault::Seal, &[0]);
    let addr = format!("https://{}:8200", e.sb.pod_ip(0));
    let ca = e.sb.ca_path();
    let init = e.sb.init_json_path();
    let (ca, init) = (ca.to_str().unwrap(), init.to_str().unwrap());

    // `kubectl vault-unseal --vault-addr ADDR <extra…>`.
    let direct = |extra: &[&str]| {
        let mut args = vec!["vault-unseal", "--vault-addr", &addr];
        args.extend_from_slice(extra);
        e.run(&args, None)
    };
    // Refused before any key is sent: nothing in progress.
    let refused_on_the_certificate = |out: &std::process::Output| {
        assert_exit(out, 1);
        assert!(stderr(out).contains("certificate"), "{}", show(out));
        assert_eq!(e.sb.seal_status(0).unwrap()["progress"], 0);
    };

    // A server name the certificate does not carry.
    refused_on_the_certificate(&direct(&[
        "--ca-cert",
        ca,
        "--tls-server-name",
        "vault.example.com",
        "--keys-file",
        init,
    ]));
    // Without --ca-cert a direct address is checked against the system's CAs, which do not
    // know the sandbox's.
    refused_on_the_certificate(&direct(&["--keys-file", init]));

    // --tls-skip-verify works, and says what it costs: the pod is really read (sealed, with
    // its threshold, no error), which a refused certificate would not give.
    let out = direct(&["--tls-skip-verify", "--status", "-o", "json"]);
    assert_exit(&out, 2);
    assert!(
        stderr(&out).contains("warning: --tls-skip-verify"),
        "{}",
        show(&out)
    );
    let v = json_of(&out);
    let pods = v["pods"].as_array().expect("pods");
    assert_eq!(pods.len(), 1, "{v:#}");
    assert_eq!(
        (
            &pods[0]["sealed"],
            &pods[0]["initialized"],
            &pods[0]["threshold"],
            &pods[0]["error"]
        ),
        (&json!(true), &json!(true), &json!(3), &Value::Null),
        "{v:#}"
    );
    assert_eq!(v["summary"]["sealed"], 1, "{v:#}");

    // The certificate names the pod and the Services: an operator reaching a pod by address
    // names the Service it serves.
    let out = direct(&[
        "--ca-cert",
        ca,
        "--tls-server-name",
        "vault.vault.svc",
        "--keys-file",
        init,
    ]);
    assert_exit(&out, 0);
    assert!(!e.sealed(0));
}
mod flags;
mod guards;
mod mixing;
mod variants;
