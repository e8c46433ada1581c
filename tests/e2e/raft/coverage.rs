//! The verbs and flags the scenario tests do not reach: where the token comes from, `peers`,
//! `autopilot` without `--set`, `step-down POD`, `storage POD` and its df fallback,
//! `snapshot save --force`, status findings made real by faults, `join` without keys and
//! with `--leader`, "y" at the prompt, and rejoin's quorum refusal. Each is checked through
//! the Vault API or kubectl.

use super::*;

/// `kubectl vault-raft <args> -o json` with the environment `envs` and HOME holding
/// `home_token` in ~/.vault-token (no token file).
fn with_token_env(r: &Raft, args: &[&str], env_token: Option<&str>, home_token: &str) -> Output {
    let home = r.sb().dir().join("token-home");
    std::fs::create_dir_all(&home).unwrap();
    support::write_private(&home.join(".vault-token"), home_token.as_bytes());
    let mut full = vec!["vault-raft"];
    full.extend_from_slice(args);
    let mut cmd = r.command(&full);
    cmd.env("HOME", &home);
    if let Some(t) = env_token {
        cmd.env("VAULT_TOKEN", t);
    }
    cmd.output().expect("run kubectl vault-raft")
}

#[test]
fn token_sources_read_verbs_and_status_findings() {
    let r = start("raft-coverage", 3);
    let all = [0, 1, 2];
    let root = r.sb().root_token();
    let bogus = "s.not-a-real-token";

    // VAULT_TOKEN wins over ~/.vault-token; ~/.vault-token is used without it; --token-file
    // wins over both.
    let out = with_token_env(&r, &["status"], Some(&root), bogus);
    assert_exit(&out, 0);
    let out = with_token_env(&r, &["status"], Some(bogus), &root);
    assert_fails_with(&out, "permission denied");
    let out = with_token_env(&r, &["status"], None, &root);
    assert_exit(&out, 0);
    let tf = r.token_file.to_str().unwrap();
    let out = with_token_env(&r, &["status", "--token-file", tf], Some(bogus), bogus);
    assert_exit(&out, 0);

    // peers: the raft configuration as the API gives it, each peer with its pod.
    let (out, v) = r.json(&["peers"]);
    assert_exit(&out, 0);
    let servers = r.servers(&all);
    let peers = v["peers"]
        .as_array()
        .unwrap_or_else(|| panic!("no peers: {v:#}"));
    assert_eq!(peers.len(), servers.len(), "{v:#}");
    for s in &servers {
        let id = s["node_id"].as_str().unwrap();
        let p = peers
            .iter()
            .find(|p| p["node_id"] == id)
            .unwrap_or_else(|| panic!("{id} missing: {v:#}"));
        assert_eq!(
            (&p["address"], &p["leader"], &p["voter"], &p["pod"]),
            (&s["address"], &s["leader"], &s["voter"], &json!(id)),
            "{v:#}"
        );
    }

    // autopilot without --set: the state and configuration the API reports.
    let leader = r.leader();
    let (out, v) = r.json(&["autopilot"]);
    assert_exit(&out, 0);
    let (_, st) = r.api(leader, "GET", "sys/storage/raft/autopilot/state", None);
    let (_, cfg) = r.api(
        leader,
        "GET",
        "sys/storage/raft/autopilot/configuration",
        None,
    );
    let text = v.to_string();
    assert!(
        text.contains(&format!(
            "\"failure_tolerance\":{}",
            st["data"]["failure_tolerance"]
        )) && text.contains(&format!(
            "\"max_trailing_logs\":{}",
            cfg["data"]["max_trailing_logs"]
        )),
        "{v:#}\n{st:#}\n{cfg:#}"
    );

    // step-down POD (the leader, by name): an election, as the API shows.
    let before = r.election();
    let out = r.run(&["step-down", &format!("vault-{}", before.leader)]);
    assert_exit(&out, 0);
    r.wait_election_after(&before);
    r.wait_stable(&all);

    // storage POD: only that pod. Without the kubelet's stats (refused), df in the pod.
    let (out, v) = r.json(&["storage", "vault-1"]);
    assert_exit(&out, 0);
    let pods = v["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 1, "{v:#}");
    assert_eq!(
        (&pods[0]["pod"], &pods[0]["source"]),
        (&json!("vault-1"), &json!("kubelet_stats")),
        "{v:#}"
    );
    r.sb().set_api_faults(vault_sandbox::ApiFaults {
        fail_paths: vec!["stats/summary".into()],
        ..Default::default()
    });
    let (out, v) = r.json(&["storage", "vault-1"]);
    r.sb().set_api_faults(vault_sandbox::ApiFaults::default());
    assert_exit(&out, 0);
    let p = &v["pods"][0];
    assert_eq!(p["source"], "df", "{v:#}");
    // The claim is a filesystem of its own, mounted in the pod: df on it as the pod has it.
    let view = r
        .sb()
        .volume_view("vault-1", "data-vault-1")
        .expect("vault-1's data volume is mounted");
    let (size, used) = df(&view);
    assert_eq!(p["capacity_bytes"], size, "{v:#}");
    let said = p["used_bytes"].as_u64().unwrap() as f64;
    assert!(
        (said - used as f64).abs() <= used as f64 * 0.05 + 64.0 * 1024.0 * 1024.0,
        "storage says {said} used, df {used}"
    );

    // snapshot save --force overwrites, with a new snapshot, still 0600.
    let file = r.sb().dir().join("forced.snap");
    support::write_private(&file, b"an older file");
    let f = file.to_str().unwrap();
    let out = r.run(&["snapshot", "save", f]);
    assert_fails_with(&out, "exists: add --force");
    assert_eq!(std::fs::read(&file).unwrap(), b"an older file");
    let (out, v) = r.json(&["snapshot", "save", f, "--force"]);
    assert_exit(&out, 0);
    let data = std::fs::read(&file).unwrap();
    assert_eq!(&data[..2], &[0x1f, 0x8b], "a raft snapshot is gzip data");
    assert_eq!(v["sha256"], sha256_hex(&file));
    let mode = std::fs::metadata(&file).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);

    // Findings made real: a sealed follower lowers failure tolerance.
    let leader = r.leader();
    let f1 = (leader + 1) % 3;
    r.e.seal_by(Fault::Seal, &[f1]);
    r.sb()
        .wait_until(
            "autopilot sees the sealed node",
            Duration::from_secs(30),
            || {
                let (_, st) = r.api(leader, "GET", "sys/storage/raft/autopilot/state", None);
                st["data"]["failure_tolerance"] == 0
            },
        )
        .expect("failure tolerance 0");
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 2);
    let found = findings(&v);
    for want in [
        ("sealed".to_string(), format!("vault-{f1}")),
        ("failure_tolerance".into(), "cluster".into()),
    ] {
        assert!(found.contains(&want), "{want:?} not in {v:#}");
    }
    // Both followers sealed (the second by a restart): the leader loses quorum and steps
    // down; no leader.
    let f2 = (leader + 2) % 3;
    r.e.seal_by(Fault::Kill, &[f2]);
    r.sb()
        .wait_until("no active node", Duration::from_secs(60), || {
            r.api_leader(&all).is_none()
        })
        .expect("the leader stepped down");
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 2);
    assert!(
        findings(&v).contains(&("no_leader".into(), "cluster".into())),
        "{v:#}"
    );
    // Every pod sealed: raft cannot be read at all.
    r.e.seal_by(Fault::Kill, &[leader]);
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 2);
    assert!(
        findings(&v).contains(&("raft_unavailable".into(), "cluster".into())),
        "{v:#}"
    );
    for i in all {
        r.sb().unseal_directly(i).expect("unseal");
    }
    r.wait_stable(&all);
}

#[test]
fn join_without_keys_and_with_leader() {
    let r = start("raft-coverage-join", 3);
    let all = [0, 1, 2];
    let init = r.sb().init_json_path();
    let keys = init.to_str().unwrap();

    // A lost volume joined without keys: joined, left sealed for the operator to unseal.
    let victim = if r.leader() == 2 { 1 } else { 2 };
    let pod = format!("vault-{victim}");
    r.lose_volume_flagged(victim);
    let (out, v) = r.json(&["join", &pod]);
    assert!(
        matches!(out.status.code(), Some(0) | Some(2)),
        "{}",
        show(&out)
    );
    assert_eq!(v["joined"], true, "{v:#}");
    let st = r.sb().seal_status(victim).unwrap();
    assert_eq!(
        (&st["initialized"], &st["sealed"]),
        (&json!(true), &json!(true)),
        "joined and sealed: {st}"
    );
    r.sb().unseal_directly(victim).expect("unseal by hand");
    r.wait_stable(&all);

    // --leader: joined to the address given, unsealed, a voter.
    let victim = if r.leader() == 2 { 1 } else { 2 };
    let pod = format!("vault-{victim}");
    let leader = r.leader();
    r.lose_volume_flagged(victim);
    let addr = format!("https://{}:8200", r.ip(leader));
    let (out, v) = r.json(&["join", &pod, "--leader", &addr, "--keys-file", keys]);
    assert_exit(&out, 0);
    assert_eq!(v["voter"], true, "{v:#}");
    r.wait_stable(&all);
    assert!(r.node_ids(&all).contains(&pod));
}

#[test]
fn confirmation_force_and_rejoin_quorum() {
    let r = start("raft-coverage-force", 3);
    let all = [0, 1, 2];
    let init = r.sb().init_json_path();
    let keys = init.to_str().unwrap();

    // "y" on the terminal removes the peer, as the API then shows; failure tolerance 0 is
    // left, so the exit code says the cluster needs attention.
    let leader = r.leader();
    let f1 = (leader + 1) % 3;
    let f2 = (leader + 2) % 3;
    let f2pod = format!("vault-{f2}");
    let mut pty = r.at_the_prompt(&["remove-peer", &f2pod]);
    pty.type_line("y");
    let status = pty.wait();
    assert_eq!(status.code(), Some(2), "{}", pty.output());
    let left = r.node_ids(&[leader, f1]);
    assert!(!left.contains(&f2pod) && left.len() == 2, "{left:?}");

    // Rejoin brings it back; with the other follower hung, rejoin refuses to remove a
    // voter that quorum needs, and --force --dry-run only warns.
    let (out, _) = r.json(&["rejoin", &f2pod, "--yes", "--keys-file", keys]);
    assert_exit(&out, 0);
    r.wait_stable(&all);
    let leader = r.leader();
    let f1 = (leader + 1) % 3;
    let f2pod = format!("vault-{}", (leader + 2) % 3);
    let uid = r.uid(&f2pod);
    r.sb()
        .fault(Fault::Stop, &format!("vault-{f1}"))
        .expect("stop");
    let out = r.run(&[
        "rejoin",
        &f2pod,
        "--yes",
        "--keys-file",
        keys,
        "--vault-timeout",
        "3s",
    ]);
    assert_exit(&out, 1);
    assert!(one_error_line(&out).contains("quorum"), "{}", show(&out));
    let out = r.run(&[
        "rejoin",
        &f2pod,
        "--force",
        "--dry-run",
        "--keys-file",
        keys,
        "--vault-timeout",
        "3s",
    ]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("quorum"), "{}", show(&out));
    assert_eq!(r.uid(&f2pod), uid, "the pod was recreated");
    assert_eq!(r.node_ids(&[leader, (leader + 2) % 3]).len(), 3);
    r.sb()
        .fault(Fault::Resume, &format!("vault-{f1}"))
        .expect("resume");
    r.wait_stable(&all);

    // remove-peer --force removes even the leader: the others elect a new one without it;
    // rejoin brings it back as a voter.
    let leader = r.leader();
    let lpod = format!("vault-{leader}");
    let others: Vec<u32> = all.iter().copied().filter(|&i| i != leader).collect();
    let out = r.run(&["remove-peer", &lpod, "--force", "--yes"]);
    // Done, but failure tolerance is 0 with two voters left: attention.
    assert_exit(&out, 2);
    r.sb()
        .wait_until("a leader among the others", Duration::from_secs(60), || {
            r.api_leader(&others).is_some()
        })
        .expect("a new leader");
    let left = r.node_ids(&others);
    assert!(!left.contains(&lpod) && left.len() == 2, "{left:?}");
    let (out, _) = r.json(&["rejoin", &lpod, "--yes", "--keys-file", keys]);
    assert_exit(&out, 0);
    r.wait_stable(&all);
    assert!(r.node_ids(&all).contains(&lpod));
}
