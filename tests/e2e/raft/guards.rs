//! Guards that fail closed: with a token Vault rejects, or one whose policy lacks the paths a
//! verb will call, every destructive verb refuses with the cause and exit 1 before changing
//! anything — checked through the Vault API (raft configuration, leader, seal state) and
//! kubectl (pod UIDs).

use super::*;

/// The pods' UIDs, the raft configuration and the leader: what must not change.
fn state(r: &Raft, all: &[u32]) -> (Vec<String>, BTreeSet<String>, u32) {
    let uids = all.iter().map(|i| r.uid(&format!("vault-{i}"))).collect();
    (uids, r.node_ids(all), r.leader())
}

#[test]
fn bogus_and_underprivileged_tokens_change_nothing() {
    let r = start("raft-guards", 3);
    let all = [0, 1, 2];
    let leader = r.leader();
    let pod = format!("vault-{}", (leader + 1) % 3);
    let init = r.sb().init_json_path();
    let keys = init.to_str().unwrap();
    let snap = r.sb().dir().join("guards.snap");
    let saved = r.run(&["snapshot", "save", snap.to_str().unwrap()]);
    assert_exit(&saved, 0);

    // A token file holding garbage: Vault answers 403 to everything it asks.
    let bogus = r.sb().dir().join("bogus-token");
    support::write_private(&bogus, b"hvs.this-is-not-a-token");
    // A real token that may read the configuration but not change it (the default policy
    // lets it ask sys/capabilities-self).
    let policy = "path \"sys/storage/raft/configuration\" { capabilities = [\"read\"] }\n\
                  path \"sys/storage/raft/autopilot/state\" { capabilities = [\"read\"] }";
    let (code, v) = r.api(
        leader,
        "PUT",
        "sys/policies/acl/raft-read",
        Some(&json!({ "policy": policy })),
    );
    assert!(code < 300, "{v}");
    let (code, v) = r.api(
        leader,
        "POST",
        "auth/token/create",
        Some(&json!({ "policies": ["raft-read"], "ttl": "1h" })),
    );
    assert!(code < 300, "{v}");
    let limited = r.sb().dir().join("limited-token");
    support::write_token(&limited, &v);

    let before = state(&r, &all);
    let snap = snap.to_str().unwrap();
    let bogus_runs: Vec<Vec<&str>> = vec![
        vec!["rejoin", &pod, "--dry-run"],
        vec!["rejoin", &pod, "--yes", "--keys-file", keys],
        vec!["remove-peer", &pod, "--yes"],
        vec!["join", &pod, "--keys-file", keys],
        vec!["step-down"],
        vec!["snapshot", "restore", snap, "--yes"],
    ];
    for args in &bogus_runs {
        let mut full = args.clone();
        full.extend(["--token-file", bogus.to_str().unwrap()]);
        let out = r.run_bare(&full);
        assert_exit(&out, 1);
        let err = stderr(&out).to_lowercase();
        assert!(
            err.contains("permission denied"),
            "{args:?}: {}",
            show(&out)
        );
        assert!(
            !stdout(&out).contains("not in the raft configuration"),
            "{args:?} read an unreadable configuration as empty: {}",
            show(&out)
        );
    }
    // The limited token reads the configuration; `join` of a member has nothing to do, so
    // only the verbs that would change something are asked.
    for (args, rule) in [
        (
            vec!["rejoin", pod.as_str(), "--dry-run"],
            "sys/storage/raft/remove-peer",
        ),
        (
            vec!["rejoin", pod.as_str(), "--yes", "--keys-file", keys],
            "sys/storage/raft/remove-peer",
        ),
        (
            vec!["remove-peer", pod.as_str(), "--yes"],
            "sys/storage/raft/remove-peer",
        ),
        (vec!["step-down"], "sys/step-down"),
        (
            vec!["snapshot", "restore", snap, "--yes"],
            "sys/storage/raft/snapshot",
        ),
    ] {
        let mut full = args.clone();
        full.extend(["--token-file", limited.to_str().unwrap()]);
        let out = r.run_bare(&full);
        assert_exit(&out, 1);
        let err = stderr(&out);
        assert!(
            err.contains("Add to its policy") && err.contains(rule),
            "{args:?}: {}",
            show(&out)
        );
    }
    assert_eq!(
        state(&r, &all),
        before,
        "a refused verb changed the cluster"
    );
    for i in all {
        assert!(!r.e.sealed(i), "vault-{i} was sealed by a refused verb");
    }
}

/// remove-peer reads leader, configuration and quorum again after the prompt: a leader that
/// changed while the prompt waited stops it with the new plan, and nothing is removed.
#[test]
fn remove_peer_stops_when_the_leader_changes_at_the_prompt() {
    let r = start("raft-recheck", 3);
    let all = [0, 1, 2];
    let leader = r.leader();
    // The peer to remove is neither the leader now nor the one after the step-down below.
    let pod = format!("vault-{}", (leader + 1) % 3);
    let before = r.node_ids(&all);
    let mut pty = r.at_the_prompt(&["remove-peer", &pod]);
    // While the plugin waits at the prompt, the leader changes.
    assert!(r.step_down_if_leader(leader, &all));
    r.wait_stable(&all);
    pty.type_line("y");
    let status = pty.wait();
    let text = pty.output();
    assert_eq!(status.code(), Some(1), "{text}");
    assert!(text.contains("the cluster changed"), "{text}");
    assert!(text.contains("nothing was changed"), "{text}");
    assert_eq!(r.node_ids(&all), before, "a peer was removed after all");
}
