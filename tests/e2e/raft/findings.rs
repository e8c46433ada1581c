//! `status` findings made real by faults in the sandbox, each asserted in the JSON output and
//! its cause first seen through the Vault API (sys/leader, the raft configuration, autopilot's
//! state, asked of the pods directly): a non-voter, a node whose raft ID or address no longer
//! follows its pod, a split brain, a lagging and unhealthy follower, and a leader the standbys name
//! that does not answer. Each test breaks its own sandbox.

use super::*;

impl Raft {
    /// The raft configuration's entry for `node_id`, asked of the leader among `among`.
    fn server(&self, among: &[u32], node_id: &str) -> Option<Value> {
        self.servers(among)
            .into_iter()
            .find(|s| s["node_id"] == node_id)
    }

    /// Autopilot's state, asked of `vault-<l>`.
    fn autopilot(&self, l: u32) -> Value {
        let (code, v) = self.api(l, "GET", "sys/storage/raft/autopilot/state", None);
        assert_eq!(code, 200, "{v}");
        v["data"].clone()
    }

    /// Joins the uninitialised `vault-<i>` to the leader among `among` through the Vault API
    /// (as a non-voter when asked) and unseals it with the cluster's keys.
    fn join_directly(&self, i: u32, among: &[u32], non_voter: bool) {
        let l = self.api_leader(among).expect("a leader");
        let ca = std::fs::read_to_string(self.sb().ca_path()).expect("the sandbox CA");
        let body = json!({
            "leader_api_addr": format!("https://{}:8200", self.ip(l)),
            "leader_ca_cert": ca,
            "non_voter": non_voter,
        });
        let (code, v) = self
            .sb()
            .vault(i, "POST", "sys/storage/raft/join", None, Some(&body))
            .expect("join");
        assert!(code < 300 && v["joined"] == true, "{code} {v}");
        self.sb().unseal_directly(i).expect("unseal the joined pod");
    }

    /// Removes `node_id` from the raft configuration through the Vault API, on the leader
    /// among `among`.
    fn remove_peer_directly(&self, among: &[u32], node_id: &str) {
        let l = self.api_leader(among).expect("a leader");
        let body = json!({"server_id": node_id});
        let (code, resp) = self.api(l, "POST", "sys/storage/raft/remove-peer", Some(&body));
        assert!(code < 300, "{resp}");
    }

    /// The server configuration the pods start with (the chart's ConfigMap), and a way to
    /// replace it; pods read it when they (re)start.
    fn server_config(&self) -> String {
        let cm = self
            .e
            .kubectl
            .json(["get", "configmap", "vault-config"])
            .unwrap();
        cm["data"]["extraconfig-from-values.hcl"]
            .as_str()
            .unwrap()
            .to_string()
    }

    fn set_server_config(&self, hcl: &str) {
        let patch = json!({"data": {"extraconfig-from-values.hcl": hcl}});
        let out = self
            .e
            .kubectl
            .command([
                "patch",
                "configmap",
                "vault-config",
                "--type",
                "merge",
                "-p",
                &patch.to_string(),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", show(&out));
    }

    /// Status as JSON; exit 2 (needs attention) and `want` among its findings.
    fn flags(&self, args: &[&str], want: &[(&str, &str)]) -> Value {
        let mut full = vec!["status"];
        full.extend_from_slice(args);
        let (out, v) = self.json(&full);
        assert_exit(&out, 2);
        let found = findings(&v);
        for (kind, subject) in want {
            assert!(
                found.contains(&(kind.to_string(), subject.to_string())),
                "{kind} on {subject} not in {v:#}"
            );
        }
        v
    }
}

/// A follower joined as a non-voter, then the same pod back under another raft node ID, then
/// at an address that is not its IP, then initialised as a cluster of its own: non_voter,
/// node_id_drift, address_drift, split_brain.
#[test]
fn status_flags_a_non_voter_drift_and_a_split_brain() {
    let r = start("raft-findings-split", 3);
    let all = [0, 1, 2];
    let l = r.leader();
    let v = if l == 2 { 1 } else { 2 };
    let pod = format!("vault-{v}");
    let others: Vec<u32> = all.iter().copied().filter(|&i| i != v).collect();

    // Non-voter: its volume lost, the pod joins back. OpenBao's autopilot promotes a new
    // node (even one that asked to be a non-voter) once it has been stable for
    // server_stabilization_time; at 5 minutes the pod stays a non-voter through the check.
    let stabilization = |t: &str| {
        let (code, resp) = r.api(
            r.api_leader(&others).expect("a leader"),
            "POST",
            "sys/storage/raft/autopilot/configuration",
            Some(&json!({"server_stabilization_time": t})),
        );
        assert!(code < 300, "{resp}");
    };
    stabilization("5m");
    r.e.lose_volume(v);
    r.remove_peer_directly(&others, &pod);
    r.join_directly(v, &others, true);
    r.sb()
        .wait_until(
            "the pod back as a non-voter",
            Duration::from_secs(60),
            || r.server(&others, &pod).is_some_and(|s| s["voter"] == false),
        )
        .expect("a non-voter");
    r.flags(&[], &[("non_voter", &pod)]);
    // As the finding says, autopilot promotes it once stable.
    stabilization("2s");
    r.sb()
        .wait_until("the pod promoted", Duration::from_secs(60), || {
            r.server(&others, &pod).is_some_and(|s| s["voter"] == true)
        })
        .expect("promoted to voter");

    // Node-ID drift: the server configuration's node_id no longer follows the pod name (as a
    // values change would make it); the pod, its volume lost, restarts with it and joins
    // under that ID, at the pod's own address.
    r.remove_peer_directly(&others, &pod);
    let original = r.server_config();
    assert!(original.contains("node_id = \"HOSTNAME\""), "{original}");
    r.set_server_config(&original.replace("node_id = \"HOSTNAME\"", "node_id = \"node-HOSTNAME\""));
    let renamed = format!("node-{pod}");
    r.e.lose_volume(v);
    r.join_directly(v, &others, false);
    r.sb()
        .wait_until(
            "the renamed node in the configuration",
            Duration::from_secs(60),
            || {
                r.server(&others, &renamed).is_some_and(|s| {
                    s["address"]
                        .as_str()
                        .is_some_and(|a| a.starts_with(&format!("{}:", r.host(v))))
                })
            },
        )
        .expect("the pod joined as another node");
    r.flags(&[], &[("node_id_drift", &renamed)]);

    // Address drift: the pod advertises a cluster address that is not its own (as a wrong
    // cluster_addr would); it joins under its own name, and raft
    // lists it at that address. It never gets the keyring there, so it stays sealed.
    r.remove_peer_directly(&others, &renamed);
    let elsewhere = r.sb().pod_ip(9).to_string();
    let line = "cluster_addr = \"https://HOSTNAME.vault-internal:8201\"";
    assert!(original.contains(line), "{original}");
    r.set_server_config(&original.replace(
        line,
        &format!("cluster_addr = \"https://{elsewhere}:8201\""),
    ));
    r.e.lose_volume(v);
    let l = r.api_leader(&others).expect("a leader");
    let ca = std::fs::read_to_string(r.sb().ca_path()).unwrap();
    let body =
        json!({"leader_api_addr": format!("https://{}:8200", r.ip(l)), "leader_ca_cert": ca});
    let (code, resp) = r
        .sb()
        .vault(v, "POST", "sys/storage/raft/join", None, Some(&body))
        .expect("join");
    assert!(code < 300 && resp["joined"] == true, "{code} {resp}");
    for k in r.e.keys() {
        let _ = r
            .sb()
            .vault(v, "PUT", "sys/unseal", None, Some(&json!({"key": k})));
    }
    r.sb()
        .wait_until(
            "the pod listed at the other address",
            Duration::from_secs(60),
            || {
                r.server(&others, &pod)
                    .is_some_and(|s| s["address"] == format!("{elsewhere}:8201").as_str())
            },
        )
        .expect("the pod joined at the advertised address");
    r.flags(&[], &[("address_drift", &pod)]);
    r.remove_peer_directly(&others, &pod);
    r.set_server_config(&original);

    // Split brain: the pod's volume lost again, and it is initialised and unsealed as a
    // cluster of its own. The API shows two active nodes.
    r.e.lose_volume(v);
    let (code, init) = r
        .sb()
        .vault(
            v,
            "PUT",
            "sys/init",
            None,
            Some(&json!({"secret_shares": 1, "secret_threshold": 1})),
        )
        .expect("init");
    assert_eq!(code, 200, "{init}");
    let key = init["keys_base64"][0].as_str().unwrap().to_string();
    let (code, st) = r
        .sb()
        .vault(v, "PUT", "sys/unseal", None, Some(&json!({"key": key})))
        .expect("unseal its own cluster");
    assert_eq!((code, &st["sealed"]), (200, &json!(false)), "{st}");
    let is_active = |i: u32| {
        r.sb()
            .vault(i, "GET", "sys/leader", None, None)
            .is_ok_and(|(_, b)| b["is_self"] == true)
    };
    r.sb()
        .wait_until("two active nodes", Duration::from_secs(60), || {
            is_active(v) && others.iter().any(|&i| is_active(i))
        })
        .expect("a split brain");
    r.flags(&[], &[("split_brain", "cluster")]);
    // With two leaders, a verb that acts refuses rather than pick one.
    let out = r.run(&["step-down"]);
    assert_exit(&out, 1);
    assert!(
        one_error_line(&out).contains("disputed (vault-"),
        "{}",
        show(&out)
    );
    assert!(
        is_active(v) && others.iter().any(|&i| is_active(i)),
        "both still active"
    );
}

/// A follower sealed while the leader writes: lagging, unhealthy and sealed; healthy again once
/// unsealed. Then the leader hangs with the other follower sealed, so no election can replace
/// it: leader_unreachable.
#[test]
fn status_flags_a_lagging_unhealthy_follower_and_an_unreachable_leader() {
    let r = start("raft-findings-lag", 3);
    let all = [0, 1, 2];
    let l = r.leader();
    let f1 = (l + 1) % 3;
    let f1pod = format!("vault-{f1}");

    // Autopilot tolerates 10 trailing entries; the follower is killed (it restarts sealed)
    // and the leader writes 40 policies.
    let (code, v) = r.api(
        l,
        "POST",
        "sys/storage/raft/autopilot/configuration",
        Some(&json!({"max_trailing_logs": 10})),
    );
    assert!(code < 300, "{v}");
    r.e.seal_by(Fault::Kill, &[f1]);
    for n in 0..40 {
        let body = json!({"policy": format!("path \"lag/{n}/*\" {{ capabilities = [\"read\"] }}")});
        let (code, v) = r.api(l, "PUT", &format!("sys/policy/lag-{n}"), Some(&body));
        assert!(code < 300, "{v}");
    }
    let mut state = Value::Null;
    r.sb()
        .wait_until(
            "autopilot sees the follower behind and unhealthy",
            Duration::from_secs(30),
            || {
                state = r.autopilot(l);
                let index = |p: &str| state["servers"][p]["last_index"].as_u64().unwrap_or(0);
                let leader = state["leader"].as_str().unwrap_or_default().to_string();
                index(&leader).saturating_sub(index(&f1pod)) > 10
                    && state["servers"][&f1pod]["healthy"] == false
            },
        )
        .expect("a lagging follower");
    r.flags(
        &[],
        &[
            ("lagging", &f1pod),
            ("unhealthy", &f1pod),
            ("sealed", &f1pod),
        ],
    );
    // Unsealed, it catches up: no finding left (autopilot's default tolerance back, so an
    // idle moment of a loaded machine cannot read as lag).
    let (code, v) = r.api(
        l,
        "POST",
        "sys/storage/raft/autopilot/configuration",
        Some(&json!({"max_trailing_logs": 1000})),
    );
    assert!(code < 300, "{v}");
    r.sb().unseal_directly(f1).expect("unseal");
    r.wait_stable(&all);
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 0);
    assert!(findings(&v).is_empty(), "{v:#}");

    // The leader hangs while the other follower is sealed: the one standby left still names
    // the hung leader and cannot elect another.
    let l = r.leader();
    let (f1, f2) = ((l + 1) % 3, (l + 2) % 3);
    let lpod = format!("vault-{l}");
    r.e.seal_by(Fault::Kill, &[f1]);
    r.sb().fault(Fault::Stop, &lpod).expect("hang the leader");
    let named = |b: &Value| {
        b["is_self"] == false
            && b["leader_address"]
                .as_str()
                .is_some_and(|a| a.contains(&format!("//{}:", r.host(l))))
    };
    r.sb()
        .wait_until(
            "the standby names the hung leader",
            Duration::from_secs(30),
            || {
                r.sb()
                    .vault(f2, "GET", "sys/leader", None, None)
                    .is_ok_and(|(_, b)| named(&b))
            },
        )
        .expect("the standby names the leader");
    let v = r.flags(
        &["--vault-timeout", "10s"],
        &[("leader_unreachable", &lpod), ("unreachable", &lpod)],
    );
    assert_eq!(v["leader"]["state"], "unconfirmed", "{v:#}");
    // Still no other leader, and the standby still names the hung one.
    let (_, b) = r
        .sb()
        .vault(f2, "GET", "sys/leader", None, None)
        .expect("the standby answers");
    assert!(named(&b), "{b}");
    r.sb().fault(Fault::Resume, &lpod).expect("resume");
}
