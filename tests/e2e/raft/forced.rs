//! The `--force` paths run to the end: `rejoin --force` past its quorum guard, and `snapshot
//! restore --force` of another cluster's snapshot. Each result is checked through the Vault
//! API and kubectl; each test breaks its own sandbox.

use super::*;

/// The other follower is sealed, so removing this one leaves one healthy voter of two:
/// rejoin refuses, and with --force goes ahead. The operator unseals the sealed follower
/// once the peer is gone (raft needs it for quorum again); the pod comes back a voter, on a
/// new UID, and the cluster is whole.
#[test]
fn rejoin_force_past_the_quorum_guard() {
    let r = start("raft-rejoin-force", 3);
    let all = [0, 1, 2];
    let keys = r.sb().init_json_path();
    let keys = keys.to_str().unwrap();
    let l = r.leader();
    let (f1, f2) = ((l + 1) % 3, (l + 2) % 3);
    let f2pod = format!("vault-{f2}");
    r.e.seal_by(Fault::Kill, &[f1]);
    let uid = r.uid(&f2pod);

    let out = r.run(&["rejoin", &f2pod, "--yes", "--keys-file", keys]);
    assert_exit(&out, 1);
    assert!(one_error_line(&out).contains("quorum"), "{}", show(&out));
    assert_eq!(r.uid(&f2pod), uid, "refused, yet the pod was recreated");

    let tf = r.token_file.to_str().unwrap().to_string();
    let mut cmd = r.command(&[
        "vault-raft",
        "rejoin",
        &f2pod,
        "--force",
        "--yes",
        "--keys-file",
        keys,
        "--token-file",
        &tf,
        "-o",
        "json",
    ]);
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start rejoin --force");
    // The peer is removed (as the leader's configuration shows), then the operator unseals
    // the other follower.
    let token = r.sb().root_token();
    r.sb()
        .wait_until("the peer removed", Duration::from_secs(60), || {
            r.sb()
                .vault(
                    l,
                    "GET",
                    "sys/storage/raft/configuration",
                    Some(&token),
                    None,
                )
                .is_ok_and(|(code, v)| {
                    code == 200
                        && !v["data"]["config"]["servers"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|s| s["node_id"] == f2pod.as_str())
                })
        })
        .expect("rejoin removed the peer");
    r.sb()
        .unseal_directly(f1)
        .expect("unseal the other follower");
    let out = child.wait_with_output().expect("rejoin finished");
    assert_no_secret(
        "rejoin --force",
        &format!("{}{}", stdout(&out), stderr(&out)),
        &r.e.secrets(),
    );
    assert_exit(&out, 0);

    // Through kubectl and the API: a new pod, unsealed, a voter, the cluster healthy.
    assert_ne!(r.uid(&f2pod), uid, "the pod was not recreated");
    r.wait_stable(&all);
    let s = r
        .servers(&all)
        .into_iter()
        .find(|s| s["node_id"] == f2pod.as_str())
        .expect("the pod is a raft peer again");
    assert_eq!(s["voter"], true, "{s}");
}

/// Another cluster's snapshot restored with --force: every pod then needs that cluster's
/// keys (after a restart, as OpenBao keeps the old seal configuration until then), that
/// cluster's root token works and this one's no longer does, and that cluster's data is
/// readable here.
#[test]
fn restore_force_brings_another_clusters_data_and_keys() {
    let r = start("raft-restore-force", 3);
    let all = [0, 1, 2];
    let policy = "path \"from-the-other-cluster/*\" { capabilities = [\"read\"] }";
    let other = r.other_clusters_snapshot("raft-restore-force-other", |o| {
        let (code, v) = o
            .vault(
                0,
                "PUT",
                "sys/policy/from-other",
                Some(&o.root_token()),
                Some(&json!({"policy": policy})),
            )
            .expect("write on the other cluster");
        assert!(code < 300, "{v}");
    });
    let (other_root, other_keys, foreign) = (other.root_token, other.keys, other.file);
    let (out, v) = r.json(&[
        "snapshot",
        "restore",
        foreign.to_str().unwrap(),
        "--force",
        "--yes",
        "--timeout",
        "20s",
    ]);
    // Restored, but the pods sealed themselves under the other cluster's keyring.
    assert_exit(&out, 2);
    assert!(!v["sealed"].as_array().unwrap().is_empty(), "{v:#}");

    // Restarted, each pod takes the other cluster's keys.
    for i in all {
        r.sb()
            .fault(Fault::Kill, &format!("vault-{i}"))
            .expect("restart");
    }
    for i in all {
        r.sb()
            .wait_until(
                "the snapshot's seal configuration",
                Duration::from_secs(60),
                || {
                    r.sb()
                        .seal_status(i)
                        .is_ok_and(|s| s["sealed"] == true && s["n"] == json!(other_keys.len()))
                },
            )
            .expect("restarted sealed under the other keyring");
    }
    for i in all {
        for k in &other_keys {
            let (code, st) = r
                .sb()
                .vault(i, "PUT", "sys/unseal", None, Some(&json!({"key": k})))
                .expect("unseal");
            assert_eq!(code, 200, "vault-{i}: {st}");
            if st["sealed"] == false {
                break;
            }
        }
    }
    let mut read = (0, Value::Null);
    r.sb()
        .wait_until(
            "the other cluster's policy readable",
            Duration::from_secs(60),
            || {
                let Some(l) = r.api_leader(&all) else {
                    return false;
                };
                read = r
                    .sb()
                    .vault(l, "GET", "sys/policy/from-other", Some(&other_root), None)
                    .unwrap_or((0, Value::Null));
                read.0 == 200
            },
        )
        .expect("the other cluster's data");
    assert_eq!(read.1["rules"], policy, "{read:?}");
    for i in all {
        assert_eq!(
            r.sb().seal_status(i).unwrap()["sealed"],
            false,
            "vault-{i} sealed"
        );
    }
    // This cluster's root token is gone with its keyring.
    let l = r.api_leader(&all).expect("a leader");
    let (code, _) = r
        .sb()
        .vault(
            l,
            "GET",
            "sys/policy/from-other",
            Some(&r.sb().root_token()),
            None,
        )
        .unwrap();
    assert_eq!(code, 403, "the old root token still works");
}
