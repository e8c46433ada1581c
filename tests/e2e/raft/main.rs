//! End-to-end tests of `kubectl vault-raft`: the real plugin executable, reached through the
//! real kubectl's plugin discovery, against the sandbox's real OpenBao pods. Every result is
//! checked through the Vault API (straight to each pod's address, with the root token) or
//! kubectl, not through the plugin's own report. The token reaches the plugin by
//! --token-file (a 0600 file), never argv.
//!
//! Four sandboxes, each shared by the checks that compose on it:
//! - leader failure: status, a hung leader, step-down, storage usage, bad input;
//! - rejoin: a healthy pod rejoined, lost volumes rejoined and joined;
//! - remove-peer guards, confirmation, autopilot, another cluster's snapshot;
//! - snapshot save and restore, truncated and garbage snapshots.

#[path = "../support/mod.rs"]
mod support;

mod network;
mod portable;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use support::{
    Env, Pty, assert_exit, assert_fails_with, assert_no_secret, one_error_line, show, stderr,
    stdout,
};
use vault_sandbox::{Fault, Options, Sandbox};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_raft");

struct Raft {
    e: Env,
    nodes: u32,
    token_file: PathBuf,
    /// An empty HOME, so no ~/.vault-token of the machine's user is picked up.
    home: PathBuf,
}

fn start(name: &str, nodes: u32) -> Raft {
    start_with(
        name,
        Options {
            nodes,
            ..Default::default()
        },
    )
}

/// A sandbox made with `opts` (a chart variant), settled as [`start`] leaves it.
fn start_with(name: &str, opts: Options) -> Raft {
    let nodes = opts.nodes;
    let e = support::env_with(name, PLUGIN, opts);
    let token_file = e.token_file();
    let home = e.sb.dir().join("home");
    std::fs::create_dir_all(&home).expect("home");
    let r = Raft {
        e,
        nodes,
        token_file,
        home,
    };
    r.wait_stable(&(0..nodes).collect::<Vec<_>>());
    r
}

impl Raft {
    fn sb(&self) -> &Sandbox {
        &self.e.sb
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = self.e.kubectl.command(args);
        cmd.env("HOME", &self.home)
            .env_remove("VAULT_TOKEN")
            .env_remove("BAO_TOKEN");
        cmd
    }

    /// `kubectl vault-raft <args> --token-file <root token>` on a terminal, waiting at its
    /// confirmation prompt.
    fn at_the_prompt(&self, args: &[&str]) -> Pty {
        let mut full = vec!["vault-raft"];
        full.extend_from_slice(args);
        full.extend_from_slice(&["--token-file", self.token_file.to_str().unwrap()]);
        let mut cmd = self.command(&full);
        cmd.env("TERM", "dumb");
        let pty = Pty::spawn(cmd);
        pty.expect("Proceed? [y/N]", 1);
        pty
    }

    /// `kubectl vault-raft <args>` without a token; never leaks a secret.
    fn run_bare(&self, args: &[&str]) -> Output {
        let mut full = vec!["vault-raft"];
        full.extend_from_slice(args);
        let out = self
            .command(&full)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("run kubectl vault-raft");
        assert_no_secret(
            &format!("the output of vault-raft {args:?}"),
            &format!("{}{}", stdout(&out), stderr(&out)),
            &self.e.secrets(),
        );
        out
    }

    /// `kubectl vault-raft <args> --token-file <0600 file>`.
    fn run(&self, args: &[&str]) -> Output {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["--token-file", self.token_file.to_str().unwrap()]);
        self.run_bare(&full)
    }

    fn json(&self, args: &[&str]) -> (Output, Value) {
        let mut full: Vec<&str> = args.to_vec();
        full.extend(["-o", "json"]);
        let out = self.run(&full);
        let v = serde_json::from_str(&stdout(&out))
            .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", show(&out)));
        (out, v)
    }

    fn api(&self, i: u32, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        let token = self.sb().root_token();
        self.sb()
            .vault(i, method, path, Some(&token), body)
            .unwrap_or_else(|e| panic!("{method} {path} on vault-{i}: {e:#}"))
    }

    /// The pod that holds the active lock, asking only `among` (a hung pod would stall).
    fn api_leader(&self, among: &[u32]) -> Option<u32> {
        among.iter().copied().find(|&i| {
            self.sb()
                .vault(i, "GET", "sys/leader", None, None)
                .is_ok_and(|(_, v)| v["is_self"] == true)
        })
    }

    fn leader(&self) -> u32 {
        self.api_leader(&(0..self.nodes).collect::<Vec<_>>())
            .expect("a leader")
    }

    /// The raft configuration's servers, asked of the leader among `among`.
    fn servers(&self, among: &[u32]) -> Vec<Value> {
        let l = self.api_leader(among).expect("a leader");
        let (code, v) = self.api(l, "GET", "sys/storage/raft/configuration", None);
        assert_eq!(code, 200, "{v}");
        v["data"]["config"]["servers"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    fn node_ids(&self, among: &[u32]) -> BTreeSet<String> {
        self.servers(among)
            .iter()
            .map(|s| s["node_id"].as_str().unwrap().to_string())
            .collect()
    }

    /// Waits until the pods in `among` are unsealed, one is the leader, and autopilot calls
    /// all `among.len()` voters healthy with the failure tolerance their number gives.
    fn wait_stable(&self, among: &[u32]) {
        let n = among.len();
        self.sb()
            .wait_until("a stable cluster", Duration::from_secs(90), || {
                if !among
                    .iter()
                    .all(|&i| self.sb().seal_status(i).is_ok_and(|s| s["sealed"] == false))
                {
                    return false;
                }
                let Some(l) = self.api_leader(among) else {
                    return false;
                };
                let token = self.sb().root_token();
                let Ok((200, st)) = self.sb().vault(
                    l,
                    "GET",
                    "sys/storage/raft/autopilot/state",
                    Some(&token),
                    None,
                ) else {
                    return false;
                };
                let d = &st["data"];
                let servers = d["servers"].as_object().cloned().unwrap_or_default();
                d["healthy"] == true
                    && d["failure_tolerance"] == json!((n - 1) / 2)
                    && servers.len() == n
                    && servers.values().all(|s| {
                        s["healthy"] == true && (s["status"] == "voter" || s["status"] == "leader")
                    })
            })
            .expect("cluster stable");
    }

    fn uid(&self, pod: &str) -> String {
        let v = self.e.kubectl.json(["get", "pod", pod]).expect("get pod");
        v["metadata"]["uid"].as_str().unwrap().to_string()
    }

    /// Reasons of the Events kubectl-vault recorded on `pod`.
    fn events_on(&self, pod: &str) -> Vec<String> {
        self.e
            .our_events()
            .iter()
            .filter(|e| e["involvedObject"]["name"] == pod)
            .filter_map(|e| e["reason"].as_str().map(str::to_string))
            .collect()
    }

    /// Mounts a KV v2 engine at `secret/` through `vault-<l>` and waits until it takes writes
    /// (a new v2 mount answers 400 until its upgrade has run).
    fn mount_kv(&self, l: u32) {
        let (code, v) = self.api(
            l,
            "POST",
            "sys/mounts/secret",
            Some(&json!({"type": "kv", "options": {"version": "2"}})),
        );
        assert!(code < 300, "{v}");
        self.sb()
            .wait_until("the kv mount ready", Duration::from_secs(20), || {
                let body = json!({"data": {"probe": "1"}});
                self.api(l, "POST", "secret/data/mount-ready", Some(&body))
                    .0
                    == 200
            })
            .expect("the kv mount takes writes");
    }

    /// When `vault-<i>` leads, makes it step down and waits for another leader among `among`.
    /// Says whether it had to.
    fn step_down_if_leader(&self, i: u32, among: &[u32]) -> bool {
        if self.leader() != i {
            return false;
        }
        self.api(i, "PUT", "sys/step-down", None);
        self.sb()
            .wait_until(
                &format!("a leader other than vault-{i}"),
                Duration::from_secs(60),
                || self.api_leader(among).is_some_and(|l| l != i),
            )
            .expect("a new leader");
        true
    }

    /// Loses the volume of `vault-<i>` and checks that status flags its data as lost.
    fn lose_volume_flagged(&self, i: u32) {
        self.e.lose_volume(i);
        let (out, v) = self.json(&["status"]);
        assert_exit(&out, 2);
        assert!(
            findings(&v).contains(&("data_lost".into(), format!("vault-{i}"))),
            "{v:#}"
        );
    }

    /// Who leads, since when, and in which raft term, as the Vault API says (None
    /// mid-election).
    fn try_election(&self) -> Option<Election> {
        let leader = self.api_leader(&(0..self.nodes).collect::<Vec<_>>())?;
        let token = self.sb().root_token();
        let ask = |path: &str| match self.sb().vault(leader, "GET", path, Some(&token), None) {
            Ok((200, v)) => Some(v),
            _ => None,
        };
        let l = ask("sys/leader")?;
        let st = ask("sys/storage/raft/autopilot/state")?;
        Some(Election {
            leader,
            active_time: l["active_time"].as_str()?.to_string(),
            term: st["data"]["servers"][format!("vault-{leader}")]["last_term"].as_u64()?,
        })
    }

    fn election(&self) -> Election {
        let mut now = None;
        self.sb()
            .wait_until("a leader with a raft term", Duration::from_secs(60), || {
                now = self.try_election();
                now.is_some()
            })
            .expect("a leader");
        now.expect("a leader")
    }

    /// Waits until the Vault API shows an election after `before`: a leader that became
    /// active later, in a later raft term.
    fn wait_election_after(&self, before: &Election) -> Election {
        let mut last = None;
        let found = self
            .sb()
            .wait_until("a new election", Duration::from_secs(60), || {
                last = self.try_election();
                last.as_ref().is_some_and(|now| {
                    now.term > before.term && now.active_time != before.active_time
                })
            });
        assert!(
            found.is_ok(),
            "no election: before {before:?}, now {last:?}"
        );
        last.expect("an election")
    }

    fn ip(&self, i: u32) -> String {
        self.sb().pod_ip(i).to_string()
    }

    /// The pod's own name under the headless service, its raft address's host (the chart's
    /// `$(HOSTNAME).vault-internal`).
    fn host(&self, i: u32) -> String {
        format!("vault-{i}.vault-internal")
    }

    /// A one-pod cluster of its own (sandbox `name`), `prepare`d, then saved with the plugin
    /// into a snapshot file beside this cluster's; the other cluster is stopped after.
    fn other_clusters_snapshot(&self, name: &str, prepare: impl FnOnce(&Sandbox)) -> Other {
        let other = Sandbox::start(Options {
            dir: vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), name),
            nodes: 1,
            ..Default::default()
        })
        .expect("second sandbox");
        prepare(&other);
        let file = self.sb().dir().join(format!("{name}.snap"));
        let token = self.sb().dir().join(format!("{name}-token"));
        support::write_private(&token, other.root_token().as_bytes());
        let saved = other
            .kubectl()
            .with_plugins(Path::new(PLUGIN).parent().unwrap())
            .command([
                "vault-raft",
                "snapshot",
                "save",
                file.to_str().unwrap(),
                "--token-file",
                token.to_str().unwrap(),
            ])
            .env("HOME", &self.home)
            .output()
            .expect("save the other cluster's snapshot");
        assert_exit(&saved, 0);
        Other {
            file,
            root_token: other.root_token(),
            keys: other.unseal_keys(),
        }
    }
}

/// Another cluster's snapshot, and what unlocks it.
struct Other {
    file: PathBuf,
    root_token: String,
    keys: Vec<String>,
}

#[derive(Debug)]
struct Election {
    leader: u32,
    active_time: String,
    term: u64,
}

fn ordinal(pod: &str) -> u32 {
    pod.rsplit('-').next().unwrap().parse().unwrap()
}

fn findings(v: &Value) -> Vec<(String, String)> {
    v["findings"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or_default().to_string(),
                f["subject"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// A mounted filesystem's size and the bytes in use, as `stat -f` (statfs) reports them: one that
/// shares no code with the sandbox's stats summary.
fn df(path: &Path) -> (u64, u64) {
    // statfs on the path itself (`stat -f`): `df` would look the path up in this process's
    // mount table, where a pod's mount seen through /proc/PID/root is not listed.
    let out = Command::new("stat")
        .args(["-f", "-c", "%b %f %S"])
        .arg(path)
        .output()
        .expect("run stat -f");
    assert!(
        out.status.success(),
        "stat -f failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let n: Vec<u64> = text
        .split_whitespace()
        .map(|n| n.parse().expect("a number"))
        .collect();
    let (blocks, free, size) = (n[0], n[1], n[2]);
    (blocks * size, (blocks - free) * size)
}

fn sha256_hex(path: &Path) -> String {
    hex::encode(Sha256::digest(std::fs::read(path).expect("read file")))
}

/// A hung leader is reported unreachable and the new leader named;
/// `step-down --all` elects a leader and says which and how long; `storage` matches the data
/// directories' real size. Plus the bad-input cases of status and step-down.
#[test]
fn hung_leader_step_down_and_storage() {
    let r = start("raft-leader", 3);
    let all = [0, 1, 2];

    // Healthy: exit 0, and the plugin's leader is the one the API says.
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 0);
    let leader = r.leader();
    assert_eq!(v["leader"]["pod"], format!("vault-{leader}"), "{v:#}");
    assert_eq!(v["raft"]["voters"], 3);
    assert!(findings(&v).is_empty(), "{v:#}");
    // The default subcommand is status, as a table.
    let table = r.run(&[]);
    assert_exit(&table, 0);
    assert!(
        stdout(&table).contains(&format!("Leader: vault-{leader}")),
        "{}",
        show(&table)
    );

    // Bad input: no token, a token Vault refuses, an unknown pod.
    let no_token = r.run_bare(&["status"]);
    assert_fails_with(&no_token, "no Vault token");
    let bad = r.sb().dir().join("bad-token");
    support::write_private(&bad, b"s.not-a-real-token");
    let denied = r.run_bare(&["status", "--token-file", bad.to_str().unwrap()]);
    assert_fails_with(&denied, "permission denied");
    let unknown = r.run(&["status", "vault-9"]);
    assert_fails_with(&unknown, "\"vault-9\" is not one of the Vault pods");
    // `leader` needs no token.
    let who = r.run_bare(&["leader", "-o", "json"]);
    assert_exit(&who, 0);
    let who: Value = serde_json::from_str(&stdout(&who)).unwrap();
    assert_eq!(who["leader"]["pod"], format!("vault-{leader}"));

    // The leader hangs (SIGSTOP). Once the API shows a new leader, status names it and
    // reports the old one unreachable; exit 2.
    let old = format!("vault-{leader}");
    r.sb().fault(Fault::Stop, &old).expect("stop the leader");
    let others: Vec<u32> = all.iter().copied().filter(|&i| i != leader).collect();
    r.sb()
        .wait_until("a new leader", Duration::from_secs(60), || {
            r.api_leader(&others).is_some()
        })
        .expect("new leader elected");
    let new = r.api_leader(&others).unwrap();
    let (out, v) = r.json(&["status", "--vault-timeout", "3s"]);
    assert_exit(&out, 2);
    assert_eq!(v["leader"]["state"], "active", "{v:#}");
    assert_eq!(v["leader"]["pod"], format!("vault-{new}"), "{v:#}");
    let row = v["pods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["pod"] == old)
        .unwrap()
        .clone();
    assert_eq!(row["reachable"], false, "{row:#}");
    assert_eq!(row["role"], "unreachable");
    assert!(
        findings(&v).contains(&("unreachable".into(), old.clone())),
        "{v:#}"
    );
    // The table says the same to a human.
    let table = r.run(&["status", "--vault-timeout", "3s"]);
    assert_exit(&table, 2);
    assert!(
        stdout(&table).contains(&format!("Leader: vault-{new}")),
        "{}",
        show(&table)
    );

    r.sb().fault(Fault::Resume, &old).expect("resume");
    r.wait_stable(&all);
    let (out, _) = r.json(&["status"]);
    assert_exit(&out, 0);

    // step-down of a pod that is not the leader is refused.
    let leader = r.leader();
    let follower = format!("vault-{}", (leader + 1) % 3);
    let refused = r.run(&["step-down", &follower]);
    assert_fails_with(&refused, "is not the leader");

    // Step-down --all: an election happened, as the Vault API shows (a later raft term and
    // a new active_time); the output names the new leader.
    let before = r.election();
    let (out, v) = r.json(&["step-down", "--all"]);
    assert_exit(&out, 0);
    let named = v["leader"].as_str().expect("leader named").to_string();
    let after = r.wait_election_after(&before);
    assert!(v["seconds"].as_f64().is_some_and(|s| s >= 0.0), "{v:#}");
    assert_eq!(
        v["previous_leader"],
        format!("vault-{}", before.leader),
        "{v:#}"
    );
    let now = after.leader;
    assert_eq!(named, format!("vault-{now}"), "{v:#}");
    for i in all.iter().copied().filter(|&i| i != now) {
        let (_, l) = r.api(i, "GET", "sys/leader", None);
        assert_eq!(
            l["leader_address"],
            format!("https://{}:8200", r.host(now)),
            "vault-{i}: {l}"
        );
    }
    r.wait_stable(&all);
    let before = r.election();
    let table = r.run(&["step-down"]);
    assert_exit(&table, 0);
    r.wait_election_after(&before);
    let line = stdout(&table);
    assert!(
        line.starts_with("New leader: vault-") && line.contains("s after the step-down"),
        "{line}"
    );
    assert!(
        r.e.our_events()
            .iter()
            .any(|e| e["reason"] == "RaftStepDown")
    );

    // Storage: grow the data a little, then compare with the data directories' real size.
    r.wait_stable(&all);
    let l = r.leader();
    r.mount_kv(l);
    let blob = "x".repeat(16 * 1024);
    for n in 0..40 {
        let (code, v) = r.api(
            l,
            "POST",
            &format!("secret/data/blob{n}"),
            Some(&json!({"data": {"v": blob}})),
        );
        assert_eq!(code, 200, "{v}");
    }
    r.wait_stable(&all);
    let (out, v) = r.json(&["storage"]);
    assert_exit(&out, 0);
    let pods = v["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 3);
    for p in pods {
        let pod = p["pod"].as_str().unwrap();
        let view = r
            .sb()
            .volume_view(pod, &format!("data-{pod}"))
            .expect("the data volume is mounted");
        let (size, real) = df(&view);
        let used = p["used_bytes"].as_u64().unwrap() as f64;
        assert!(real > 500_000, "{pod}: only {real} bytes on disk");
        assert!(
            (used - real as f64).abs() <= real as f64 * 0.10,
            "{pod}: storage says {used} bytes, statfs on the volume {real}"
        );
        // The claim's 256Mi, less what ext4 keeps for itself.
        assert_eq!(p["capacity_bytes"], size);
        assert!(
            size > 200 * 1024 * 1024 && size <= 256 * 1024 * 1024,
            "{size}"
        );
        assert_eq!(p["source"], "kubelet_stats");
        assert_eq!(p["raft_errors"], 0.0);
    }
    // Above the threshold: exit 2.
    let over = r.run(&["storage", "--threshold", "0"]);
    assert_exit(&over, 2);
    assert!(stdout(&over).contains("threshold 0%"), "{}", show(&over));
}

/// `rejoin vault-2` on a healthy cluster removes, recreates, joins and
/// unseals it as a voter again; after a lost volume, status flags it and rejoin or join
/// restore three voters.
#[test]
fn rejoin_and_lost_volumes() {
    let r = start("raft-rejoin", 3);
    let all = [0, 1, 2];
    let init = r.sb().init_json_path();
    let keys = init.to_str().unwrap();
    // vault-2 must not be the leader (rejoin refuses the leader).
    if r.step_down_if_leader(2, &all) {
        r.wait_stable(&all);
    }
    let before = r.uid("vault-2");

    // Without keys nothing starts; --dry-run changes nothing.
    let no_keys = r.run(&["rejoin", "vault-2", "--yes"]);
    assert_fails_with(&no_keys, "needs the unseal keys");
    for verb in ["join", "rejoin"] {
        let out = r.run(&[verb, "vault-9", "--keys-file", keys]);
        assert_fails_with(&out, "\"vault-9\" is not one of the Vault pods");
    }
    let dry = r.run(&["rejoin", "vault-2", "--dry-run"]);
    assert_exit(&dry, 0);
    assert!(
        stdout(&dry).contains("clear its raft data"),
        "{}",
        show(&dry)
    );
    assert_eq!(r.uid("vault-2"), before, "the dry run recreated the pod");
    assert_eq!(r.node_ids(&all).len(), 3);
    // The leader cannot be rejoined (it is stepped down first, by hand).
    let leader = format!("vault-{}", r.leader());
    let refused = r.run(&["rejoin", &leader, "--yes", "--keys-file", keys]);
    assert_fails_with(&refused, "is the leader");

    // Rejoin vault-2: removed, recreated, joined, unsealed, a voter again.
    let (out, v) = r.json(&["rejoin", "vault-2", "--yes", "--keys-file", keys]);
    assert_exit(&out, 0);
    assert_eq!(
        v["done"],
        json!([
            "remove_peer",
            "clear_data",
            "delete_pod",
            "wait_recreated",
            "join",
            "unseal",
            "wait_voter"
        ]),
        "{v:#}"
    );
    assert_ne!(r.uid("vault-2"), before, "vault-2 was not recreated");
    assert!(r.e.ready("vault-2"));
    assert!(!r.e.sealed(2));
    r.wait_stable(&all);
    let servers = r.servers(&all);
    assert_eq!(servers.len(), 3, "{servers:#?}");
    for s in &servers {
        let id = s["node_id"].as_str().unwrap();
        assert!(s["voter"] == true, "{s}");
        // No stale entries: every server is a pod, at that pod's address.
        assert_eq!(s["address"], format!("{}:8201", r.host(ordinal(id))), "{s}");
    }
    let trail = r.events_on("vault-2");
    for reason in [
        "RaftRejoin",
        "RaftPeerRemoved",
        "RaftDataCleared",
        "RaftJoined",
        "Unsealed",
    ] {
        assert!(
            trail.iter().any(|e| e == reason),
            "no {reason} Event on vault-2: {trail:?}"
        );
    }
    assert_no_secret(
        "the Events",
        &serde_json::to_string(&r.e.our_events()).unwrap(),
        &r.e.secrets(),
    );

    // The volume of vault-1 is lost: status flags it; rejoin restores three voters.
    let victim = if r.leader() == 1 { 2 } else { 1 };
    let pod = format!("vault-{victim}");
    r.lose_volume_flagged(victim);
    let (out, v) = r.json(&["rejoin", &pod, "--yes", "--keys-file", keys]);
    assert_exit(&out, 0);
    // Nothing to clear on an empty volume.
    assert!(
        !v["done"].as_array().unwrap().contains(&json!("clear_data")),
        "{v:#}"
    );
    r.wait_stable(&all);
    assert_eq!(
        r.node_ids(&all),
        ["vault-0", "vault-1", "vault-2"].map(String::from).into()
    );

    // The volume of vault-2 is lost: join (with keys) brings it back as a voter.
    let victim = if r.leader() == 2 { 1 } else { 2 };
    let pod = format!("vault-{victim}");
    r.lose_volume_flagged(victim);
    let (out, v) = r.json(&["join", &pod, "--keys-file", keys]);
    assert_exit(&out, 0);
    assert_eq!(v["voter"], true, "{v:#}");
    r.wait_stable(&all);
    let servers = r.servers(&all);
    assert_eq!(servers.iter().filter(|s| s["voter"] == true).count(), 3);
    assert!(!r.e.sealed(victim));
    // Joining a member again is a no-op.
    let again = r.run(&["join", &pod]);
    assert_exit(&again, 0);
    assert!(
        stdout(&again).contains("already a raft member"),
        "{}",
        show(&again)
    );

    // A rejoin that fails half-way (keys of the wrong cluster) stops at that step and says
    // what is done and what to run next; finishing by hand gives three voters again.
    let victim = if r.leader() == 2 { 1 } else { 2 };
    let pod = format!("vault-{victim}");
    let wrong = r.sb().dir().join("wrong-keys");
    let fake: Vec<String> = (1..=3u8)
        .map(|n| {
            use base64::Engine;
            base64::engine::general_purpose::STANDARD.encode([n.wrapping_mul(37); 33])
        })
        .collect();
    support::write_private(&wrong, fake.join("\n").as_bytes());
    let out = r.run(&[
        "rejoin",
        &pod,
        "--yes",
        "--keys-file",
        wrong.to_str().unwrap(),
    ]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains(&format!("rejoin {pod} stopped at \"unseal\""))
            && err.contains("not this cluster's")
            && err.contains("Done: remove the raft peer, clear the raft data, delete the pod")
            && err.contains(&format!("Next: `kubectl vault-unseal {pod}")),
        "{err}"
    );
    assert!(r.e.sealed(victim), "{pod} should still be sealed");
    assert!(
        r.events_on(&pod).iter().any(|e| e == "UnsealFailed"),
        "{err}\n{:?}",
        r.events_on(&pod)
    );
    r.sb().unseal_directly(victim).expect("unseal by hand");
    r.wait_stable(&all);
    assert_eq!(
        r.servers(&all)
            .iter()
            .filter(|s| s["voter"] == true)
            .count(),
        3
    );
}

/// remove-peer refuses the leader and quorum loss without --force; --dry-run
/// and a "no" on the terminal change nothing. Also autopilot --set, and another cluster's
/// snapshot refused without --force.
#[test]
fn remove_peer_guards_autopilot_and_foreign_snapshot() {
    let r = start("raft-guards", 3);
    let all = [0, 1, 2];
    let leader = r.leader();
    let lpod = format!("vault-{leader}");
    let f1 = (leader + 1) % 3;
    let f2 = (leader + 2) % 3;
    let f2pod = format!("vault-{f2}");
    let three = r.node_ids(&all);
    assert_eq!(three.len(), 3);

    let out = r.run(&["remove-peer", &lpod, "--yes"]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(err.contains("refusing") && err.contains("leader"), "{err}");
    let out = r.run(&["remove-peer", "vault-9", "--yes"]);
    assert_fails_with(&out, "not a raft peer");
    assert_eq!(r.node_ids(&all), three);

    // With one follower hung, removing the other would leave one healthy voter of two.
    r.sb()
        .fault(Fault::Stop, &format!("vault-{f1}"))
        .expect("stop");
    let out = r.run(&["remove-peer", &f2pod, "--yes", "--vault-timeout", "3s"]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(err.contains("lose quorum"), "{err}");
    let (out, v) = r.json(&[
        "remove-peer",
        &f2pod,
        "--dry-run",
        "--force",
        "--vault-timeout",
        "3s",
    ]);
    assert_exit(&out, 0);
    assert_eq!(v["dry_run"], true);
    assert!(
        v["plan"]["warnings"].to_string().contains("lose quorum"),
        "{v:#}"
    );
    assert_eq!(
        r.node_ids(&[leader, f2]),
        three,
        "--dry-run changed the configuration"
    );
    r.sb()
        .fault(Fault::Resume, &format!("vault-{f1}"))
        .expect("resume");
    r.wait_stable(&all);

    // --dry-run prints the plan and changes nothing.
    let out = r.run(&["remove-peer", &f2pod, "--dry-run"]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("Dry run: nothing was changed"),
        "{}",
        show(&out)
    );
    assert_eq!(r.node_ids(&all), three);
    // No terminal and no --yes: refused.
    let out = r.run(&["remove-peer", &f2pod]);
    assert_fails_with(&out, "add --yes");
    // On a terminal, "n" changes nothing.
    let mut pty = r.at_the_prompt(&["remove-peer", &f2pod]);
    pty.type_line("n");
    let status = pty.wait();
    assert_eq!(status.code(), Some(1), "{}", pty.output());
    assert!(pty.output().contains("not confirmed"), "{}", pty.output());
    assert_eq!(r.node_ids(&all), three);

    // Confirmed: removed, as the API shows; status then flags the pod as not joined. Two
    // voters are left: failure tolerance 0, which needs attention (exit 2).
    let out = r.run(&["remove-peer", &f2pod, "--yes"]);
    assert_exit(&out, 2);
    let left = r.node_ids(&[leader, f1]);
    assert_eq!(left.len(), 2);
    assert!(!left.contains(&f2pod), "{left:?}");
    assert!(r.events_on(&f2pod).iter().any(|e| e == "RaftPeerRemoved"));
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 2);
    assert!(
        findings(&v).contains(&("not_joined".into(), f2pod.clone())),
        "{v:#}"
    );

    // Autopilot: bad settings are refused before anything is sent; --set changes the config.
    let out = r.run(&["autopilot", "--set", "cleanup=true", "--yes"]);
    assert_fails_with(&out, "unknown autopilot setting");
    let out = r.run(&["autopilot", "--set", "min_quorum=two", "--yes"]);
    assert_exit(&out, 1);
    let out = r.run(&["autopilot", "--set", "cleanup_dead_servers=true", "--yes"]);
    assert_fails_with(&out, "min_quorum of at least 3");
    let out = r.run(&[
        "autopilot",
        "--set",
        "cleanup_dead_servers=true,min_quorum=3",
        "--dry-run",
    ]);
    assert_exit(&out, 0);
    let (_, cfg) = r.api(
        leader,
        "GET",
        "sys/storage/raft/autopilot/configuration",
        None,
    );
    assert_eq!(cfg["data"]["cleanup_dead_servers"], false);
    let (out, v) = r.json(&[
        "autopilot",
        "--set",
        "cleanup_dead_servers=true,min_quorum=3,dead_server_last_contact_threshold=10m",
        "--yes",
    ]);
    assert_exit(&out, 0);
    assert_eq!(v["configuration"]["min_quorum"], 3, "{v:#}");
    let (_, cfg) = r.api(
        leader,
        "GET",
        "sys/storage/raft/autopilot/configuration",
        None,
    );
    assert_eq!(cfg["data"]["cleanup_dead_servers"], true, "{cfg}");
    assert_eq!(cfg["data"]["min_quorum"], 3);
    assert_eq!(cfg["data"]["dead_server_last_contact_threshold"], "10m0s");
    assert!(
        r.events_on(&lpod)
            .iter()
            .any(|e| e == "AutopilotConfigured")
    );

    // Another cluster's snapshot is refused without --force, and nothing changes.
    let foreign = r.other_clusters_snapshot("raft-guards-other", |_| {}).file;
    let (code, before) = r.api(leader, "GET", "sys/storage/raft/configuration", None);
    assert_eq!(code, 200);
    let out = r.run(&["snapshot", "restore", foreign.to_str().unwrap(), "--yes"]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("another cluster") && err.contains("--force"),
        "{err}"
    );
    let (_, after) = r.api(leader, "GET", "sys/storage/raft/configuration", None);
    assert_eq!(before["data"], after["data"]);
    let (code, _) = r.api(
        leader,
        "GET",
        "sys/storage/raft/autopilot/configuration",
        None,
    );
    assert_eq!(code, 200, "the root token of this cluster still works");
}

/// Save then restore on the same cluster brings back what was written before
/// the snapshot and drops what came after; the file is 0600 and never overwritten without
/// --force; truncated and garbage snapshots are refused with the cluster unchanged.
#[test]
fn snapshot_save_and_restore() {
    let r = start("raft-snapshot", 3);
    let all = [0, 1, 2];
    let l = r.leader();
    r.mount_kv(l);
    let (code, _) = r.api(
        l,
        "POST",
        "secret/data/before",
        Some(&json!({"data": {"v": "1"}})),
    );
    assert_eq!(code, 200);

    let dir = r.sb().dir().join("backups");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("vault.snap");
    let f = file.to_str().unwrap();
    let (out, v) = r.json(&["snapshot", "save", f]);
    assert_exit(&out, 0);
    let meta = std::fs::metadata(&file).expect("snapshot written");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(v["bytes"], meta.len());
    assert_eq!(v["sha256"], sha256_hex(&file));
    assert_eq!(v["leader"], format!("vault-{l}"));
    let data = std::fs::read(&file).unwrap();
    assert_eq!(&data[..2], &[0x1f, 0x8b], "a raft snapshot is gzip data");
    assert!(
        r.events_on(&format!("vault-{l}"))
            .iter()
            .any(|e| e == "RaftSnapshotSaved")
    );
    // The table form prints size and sha256 too.
    let table_file = dir.join("table.snap");
    let out = r.run(&["snapshot", "save", table_file.to_str().unwrap()]);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains(&sha256_hex(&table_file)),
        "{}",
        show(&out)
    );

    // Never overwritten without --force.
    let sum = sha256_hex(&file);
    let out = r.run(&["snapshot", "save", f]);
    assert_fails_with(&out, "exists: add --force");
    assert_eq!(sha256_hex(&file), sum);

    let (code, _) = r.api(
        l,
        "POST",
        "secret/data/after",
        Some(&json!({"data": {"v": "2"}})),
    );
    assert_eq!(code, 200);
    let secret = |path: &str| {
        r.api(r.leader(), "GET", &format!("secret/data/{path}"), None)
            .0
    };

    // A truncated snapshot and garbage are refused; the cluster is unchanged.
    let truncated = dir.join("truncated.snap");
    std::fs::write(&truncated, &data[..data.len() / 2]).unwrap();
    let out = r.run(&["snapshot", "restore", truncated.to_str().unwrap(), "--yes"]);
    assert_exit(&out, 1);
    let err = one_error_line(&out);
    assert!(
        err.contains("truncated or corrupt") && err.contains("not changed"),
        "{err}"
    );
    let garbage = dir.join("garbage.snap");
    std::fs::write(
        &garbage,
        b"this is not a raft snapshot, just text\n".repeat(50),
    )
    .unwrap();
    let out = r.run(&["snapshot", "restore", garbage.to_str().unwrap(), "--yes"]);
    assert_fails_with(&out, "not a raft snapshot");
    let gz_garbage = dir.join("gz-garbage.snap");
    let mut bytes = vec![0x1f, 0x8b];
    bytes.extend((0..4000u32).map(|i| (i * 7919 % 251) as u8));
    std::fs::write(&gz_garbage, bytes).unwrap();
    let out = r.run(&["snapshot", "restore", gz_garbage.to_str().unwrap(), "--yes"]);
    assert_fails_with(&out, "truncated or corrupt");
    // Without a terminal or --yes, and with --dry-run: nothing happens.
    let out = r.run(&["snapshot", "restore", f]);
    assert_fails_with(&out, "add --yes");
    let out = r.run(&["snapshot", "restore", f, "--dry-run"]);
    assert_exit(&out, 0);
    assert_eq!(secret("after"), 200, "the cluster changed");
    assert_eq!(secret("before"), 200);
    assert_eq!(r.node_ids(&all).len(), 3);

    // Restore: "before" is there, "after" is gone, every pod unsealed, a leader.
    let (out, v) = r.json(&["snapshot", "restore", f, "--yes"]);
    assert_exit(&out, 0);
    assert_eq!(v["sealed"], json!([]), "{v:#}");
    assert_eq!(secret("before"), 200);
    assert_eq!(secret("after"), 404);
    for i in all {
        assert!(!r.e.sealed(i), "vault-{i} sealed after the restore");
    }
    assert_eq!(v["leader"], format!("vault-{}", r.leader()), "{v:#}");
    r.wait_stable(&all);
    assert!(
        r.e.our_events()
            .iter()
            .any(|e| e["reason"] == "RaftSnapshotRestored")
    );

    // A voter whose pod is gone (the StatefulSet scaled down without remove-peer) is a stale
    // peer: status flags it, remove-peer clears it, and two voters are healthy again.
    r.step_down_if_leader(2, &[0, 1]);
    r.e.kubectl
        .ok(["scale", "statefulset", "vault", "--replicas=2"])
        .expect("kubectl scale");
    r.sb()
        .wait_until("vault-2 gone", Duration::from_secs(60), || {
            r.e.kubectl
                .json(["get", "pods"])
                .is_ok_and(|v| v["items"].as_array().is_some_and(|a| a.len() == 2))
        })
        .expect("vault-2 deleted");
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 2);
    assert!(
        findings(&v).contains(&("stale_peer".into(), "vault-2".into())),
        "{v:#}"
    );
    let out = r.run(&["remove-peer", "vault-2", "--yes"]);
    assert_exit(&out, 2); // two voters: failure tolerance 0
    assert_eq!(
        r.node_ids(&[0, 1]),
        ["vault-0", "vault-1"].map(String::from).into()
    );
    r.wait_stable(&[0, 1]);
    let (out, v) = r.json(&["status"]);
    assert_exit(&out, 0);
    assert!(findings(&v).is_empty(), "{v:#}");
}

#[test]
fn shell_completion_scripts_are_current_and_list_the_subcommands() {
    support::assert_completion_scripts_current(PLUGIN);
    // What kubectl_complete-vault_raft answers for `kubectl vault-raft snap<TAB>`.
    let text = support::kubectl_complete(PLUGIN, "snap");
    assert!(
        text.lines()
            .next()
            .is_some_and(|l| l.starts_with("snapshot\t")),
        "{text}"
    );
    assert!(text.trim_end().ends_with(":4"), "{text}");
}
mod coverage;
mod findings;
mod forced;
mod guards;
mod guards2;
mod rbac;
mod variants;
