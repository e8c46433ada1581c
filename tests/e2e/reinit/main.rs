//! End-to-end tests of `kubectl vault-reinit`: the real plugin executable, reached through the
//! real kubectl's plugin discovery, against the sandbox's real OpenBao pods. What the plugin
//! did is checked with kubectl (PVC UIDs, Events) and straight through the Vault API (seal
//! status, tokens), never through its own report; no new key share may appear in clear in
//! any output, journal or Event.

#[path = "../support/mod.rs"]
mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use support::{Env, assert_exit, assert_fails_with, assert_no_secret, show, stderr, stdout};
use vault_sandbox::{Fault, Options};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_reinit");

fn reinit(e: &Env, args: &[&str]) -> Output {
    let mut full = vec!["vault-reinit"];
    full.extend_from_slice(args);
    e.run(&full, None)
}

fn reinit_json(e: &Env, args: &[&str]) -> (Output, Value) {
    let mut full = args.to_vec();
    full.extend(["-o", "json"]);
    let out = reinit(e, &full);
    let v = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|err| panic!("not JSON ({err}):\n{}", show(&out)));
    (out, v)
}

/// `reinit_json` that must exit `code` with the verdict `verdict`.
fn reinit_verdict(e: &Env, args: &[&str], code: i32, verdict: &str) -> Value {
    let (out, v) = reinit_json(e, args);
    assert_exit(&out, code);
    assert_eq!(v["verdict"], verdict, "{v}");
    v
}

/// The report's next step names `text`.
fn next_says(v: &Value, text: &str) {
    assert!(v["next"].as_str().unwrap_or("").contains(text), "{v}");
}

/// name → UID of every PVC, as kubectl lists them.
fn pvc_uids(e: &Env) -> Vec<(String, String)> {
    let v = e.kubectl.json(["get", "pvc"]).expect("kubectl get pvc");
    let mut out: Vec<(String, String)> = v["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            (
                p["metadata"]["name"].as_str().unwrap_or("").to_string(),
                p["metadata"]["uid"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// The reasons and notes of every Event kubectl lists, as one text.
fn events_text(e: &Env) -> String {
    e.kubectl
        .ok(["get", "events", "-o", "json"])
        .expect("kubectl get events")
}

/// Mounts KV v2 at secret/ and writes `password` at each path, waiting out the mount's
/// upgrade to versioned data (the first writes are refused for a moment).
fn write_secrets(e: &Env, root: &str, secrets: &[(&str, &str)]) {
    let (code, body) =
        e.sb.vault(
            0,
            "POST",
            "sys/mounts/secret",
            Some(root),
            Some(&json!({"type": "kv", "options": {"version": "2"}})),
        )
        .expect("mount kv");
    assert!(code < 300, "{code} {body}");
    for (path, value) in secrets {
        let mut last = String::new();
        e.sb.wait_until(
            &format!("write {path}"),
            Duration::from_secs(30),
            || match e.sb.vault(
                0,
                "POST",
                &format!("secret/data/{path}"),
                Some(root),
                Some(&json!({"data": {"password": value}})),
            ) {
                Ok((code, _)) if code < 300 => true,
                Ok((code, body)) => {
                    last = format!("{code} {body}");
                    false
                }
                Err(err) => {
                    last = err.to_string();
                    false
                }
            },
        )
        .unwrap_or_else(|err| panic!("{err}: {last}"));
    }
}

fn token_valid(e: &Env, ordinal: u32, token: &str) -> bool {
    let (code, _) =
        e.sb.vault(ordinal, "GET", "auth/token/lookup-self", Some(token), None)
            .expect("lookup-self");
    code == 200
}

fn unsealed_and_initialised(e: &Env, ordinal: u32) -> bool {
    e.sb.seal_status(ordinal)
        .is_ok_and(|s| s["initialized"] == true && s["sealed"] == false)
}

/// `assess` on a healthy cluster, one sealed pod, one lost volume.
#[test]
fn assess_names_the_road_back() {
    let e = support::env("reinit-assess", 3, PLUGIN);
    let v = reinit_verdict(&e, &["assess"], 0, "healthy");
    assert_eq!(v["pods"].as_array().map(Vec::len), Some(3), "{v}");
    let pvcs = v["pvcs"].as_array().cloned().unwrap_or_default();
    assert_eq!(pvcs.len(), 3, "{v}");
    assert!(
        pvcs.iter()
            .all(|p| p["phase"] == "Bound" && p["capacity"] == "256Mi"),
        "{v}"
    );
    assert!(v["events"].as_array().is_some_and(|a| !a.is_empty()), "{v}");
    // The table says the same, with exit 0.
    let out = reinit(&e, &[]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Verdict: Healthy"), "{}", show(&out));

    e.seal_by(Fault::Seal, &[1]);
    let v = reinit_verdict(&e, &["assess"], 2, "unseal");
    next_says(&v, "kubectl vault-unseal");
    e.sb.unseal_directly(1).expect("unseal vault-1 again");
    e.sb.wait_until("vault-1 Ready", Duration::from_secs(30), || {
        e.ready("vault-1")
    })
    .expect("vault-1 Ready");

    e.lose_volume(2);
    let v = reinit_verdict(&e, &["assess"], 2, "rejoin");
    next_says(&v, "kubectl vault-raft rejoin vault-2");
    let pod2 = &v["pods"][2];
    assert_eq!(pod2["initialized"], false, "{v}");
}

/// Every volume lost: with a readable snapshot the road is a restore; without one, or with a
/// file that is no snapshot, it is a re-initialisation.
#[test]
fn assess_after_every_volume_is_lost() {
    let e = support::env("reinit-wiped", 3, PLUGIN);
    let root = e.sb.root_token();
    write_secrets(&e, &root, &[("app/db", "before-the-fire")]);
    let snap = e.sb.dir().join("backup.snap");
    save_snapshot(&e, &snap);

    for i in 0..3 {
        e.lose_volume(i);
    }
    let snap_arg = snap.to_str().unwrap();
    let v = reinit_verdict(&e, &["assess", "--snapshot", snap_arg], 2, "restore");
    let s = &v["snapshots"][0];
    assert_eq!(s["readable"], true, "{v}");
    assert!(s["index"].as_u64().is_some_and(|i| i > 0), "{v}");
    assert_eq!(
        s["bytes"].as_u64(),
        Some(std::fs::metadata(&snap).unwrap().len()),
        "{v}"
    );
    assert!(
        s["servers"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x == "vault-0")),
        "{v}"
    );
    next_says(&v, "vault-reinit restore");

    reinit_verdict(&e, &["assess"], 2, "reinitialize");

    let garbage = e.sb.dir().join("garbage.snap");
    std::fs::write(&garbage, b"this is not a raft snapshot at all").unwrap();
    let v = reinit_verdict(
        &e,
        &["assess", "--snapshot", garbage.to_str().unwrap()],
        2,
        "reinitialize",
    );
    assert_eq!(v["snapshots"][0]["readable"], false, "{v}");
    assert!(
        v["snapshots"][0]["error"]
            .as_str()
            .unwrap_or("")
            .contains("not a raft snapshot"),
        "{v}"
    );
}

/// A snapshot saved by `kubectl vault-raft snapshot save`, the verb operators use.
fn save_snapshot(e: &Env, path: &Path) {
    let raft = Path::new(PLUGIN).with_file_name("kubectl-vault_raft");
    assert!(
        raft.exists(),
        "{} is not built: run the workspace's tests (cargo nextest run --workspace)",
        raft.display()
    );
    let token = e.token_file();
    let out = e.run(
        &[
            "vault-raft",
            "snapshot",
            "save",
            path.to_str().unwrap(),
            "--token-file",
            token.to_str().unwrap(),
        ],
        None,
    );
    assert_exit(&out, 0);
}

/// `init --output-file`: refuses an existing file, refuses without --yes off a terminal,
/// changes nothing with --dry-run; with --wipe --yes it deletes the volumes, initialises,
/// keeps the keys in a new 0600 file, unseals and joins every pod, revokes the root token.
#[test]
fn init_with_a_key_file_and_wipe() {
    let e = support::env("reinit-init-file", 3, PLUGIN);
    let dir = e.sb.dir().to_path_buf();
    let old_root = e.sb.root_token();
    let uids = pvc_uids(&e);
    assert_eq!(uids.len(), 3);
    // `init FLAGS… --output-file OUTPUT --journal JOURNAL`.
    let init_to = |flags: &[&str], output: &str, journal: &str| {
        let mut args = vec!["init"];
        args.extend_from_slice(flags);
        args.extend(["--output-file", output, "--journal", journal]);
        reinit(&e, &args)
    };

    // An existing file is never overwritten.
    let existing = dir.join("existing.json");
    std::fs::write(&existing, b"keep me").unwrap();
    let journal = dir.join("refused.jsonl");
    let out = init_to(
        &["--wipe", "--yes"],
        existing.to_str().unwrap(),
        journal.to_str().unwrap(),
    );
    assert_fails_with(&out, "exists");
    assert_eq!(std::fs::read(&existing).unwrap(), b"keep me");

    // An initialised cluster holds data: only --wipe may delete it.
    let keys = dir.join("new-keys.json");
    let keys_arg = keys.to_str().unwrap();
    let journal_arg = journal.to_str().unwrap();
    let out = init_to(&["--yes"], keys_arg, journal_arg);
    assert_fails_with(&out, "already initialised");

    // Off a terminal, without --yes, nothing happens.
    let out = init_to(&["--wipe"], keys_arg, journal_arg);
    assert_fails_with(&out, "--yes");

    // --dry-run prints the plan and changes nothing.
    let out = init_to(&["--wipe", "--dry-run"], keys_arg, journal_arg);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("Dry run"), "{}", show(&out));
    assert!(stdout(&out).contains("delete PVCs"), "{}", show(&out));
    assert_eq!(pvc_uids(&e), uids, "a refused or dry run changed the PVCs");
    assert!(!keys.exists() && !journal.exists());
    assert!(token_valid(&e, 0, &old_root), "the old cluster was changed");

    // The real thing.
    let out = init_to(&["--wipe", "--yes"], keys_arg, journal_arg);
    assert_exit(&out, 0);
    let after = pvc_uids(&e);
    assert_eq!(after.len(), 3, "{after:?}");
    for ((name, old), (name2, new)) in uids.iter().zip(&after) {
        assert_eq!(name, name2);
        assert_ne!(old, new, "{name} was not recreated");
    }
    for i in 0..3 {
        assert!(unsealed_and_initialised(&e, i), "vault-{i} not unsealed");
        assert!(e.ready(&format!("vault-{i}")), "vault-{i} not Ready");
    }
    assert!(!token_valid(&e, 0, &old_root), "the old data survived");

    let mode = std::fs::metadata(&keys).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let doc: Value = serde_json::from_slice(&std::fs::read(&keys).unwrap()).unwrap();
    let shares: Vec<String> = doc["unseal_keys_b64"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k.as_str().unwrap().to_string())
        .collect();
    assert_eq!(shares.len(), 5);
    let new_root = doc["root_token"].as_str().unwrap().to_string();
    assert!(
        !token_valid(&e, 0, &new_root),
        "the initial root token was not revoked"
    );
    // The new shares unseal a pod that restarts.
    e.seal_by(Fault::Kill, &[2]);
    for s in &shares[..3] {
        e.sb.vault(2, "PUT", "sys/unseal", None, Some(&json!({"key": s})))
            .expect("unseal");
    }
    assert!(unsealed_and_initialised(&e, 2));

    let jmode = std::fs::metadata(&journal).unwrap().permissions().mode() & 0o777;
    assert_eq!(jmode, 0o600);
    let jtext = std::fs::read_to_string(&journal).unwrap();
    for line in jtext.lines() {
        serde_json::from_str::<Value>(line).expect("a journal line is JSON");
    }
    assert!(jtext.contains("\"step\":\"init\""), "{jtext}");
    let mut secrets = shares.clone();
    secrets.extend(
        doc["unseal_keys_hex"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_string()),
    );
    secrets.push(new_root);
    let events = events_text(&e);
    for (what, text) in [
        ("stdout", stdout(&out)),
        ("stderr", stderr(&out)),
        ("the journal", jtext),
        ("the Events", events.clone()),
    ] {
        assert_no_secret(what, &text, &secrets);
    }
    assert!(events.contains("DataWiped"), "no DataWiped Event");
    assert!(
        events.contains("VaultInitialized"),
        "no VaultInitialized Event"
    );
    assert!(
        events.contains("RootTokenRevoked"),
        "no RootTokenRevoked Event"
    );
}

/// A GnuPG home with one RSA key pair for `holder`; returns its ASCII-armoured public key.
fn gpg_holder(dir: &Path, holder: &str) -> (PathBuf, PathBuf) {
    let home = dir.join(format!("gnupg-{holder}"));
    std::fs::create_dir_all(&home).unwrap();
    std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o700)).unwrap();
    let params = format!(
        "Key-Type: RSA\nKey-Length: 2048\nSubkey-Type: RSA\nSubkey-Length: 2048\nName-Real: {holder}\nName-Email: {holder}@example.org\nExpire-Date: 0\n%no-protection\n%commit\n"
    );
    let out = gpg(&home, &["--gen-key"], params.as_bytes());
    assert!(out.status.success(), "gpg --gen-key: {}", show(&out));
    let out = gpg(&home, &["--export", "--armor"], b"");
    assert!(out.status.success(), "gpg --export: {}", show(&out));
    let public = dir.join(format!("{holder}.asc"));
    std::fs::write(&public, &out.stdout).unwrap();
    (home, public)
}

/// Runs `gpg --batch --homedir HOME ARGS` with `input` on its stdin.
fn gpg(home: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new("gpg")
        .args(["--batch", "--homedir"])
        .arg(home)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run gpg");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// Decrypts a base64 share with the key in `home`; None when that key cannot.
fn gpg_decrypt(home: &Path, share_b64: &str) -> Option<String> {
    use base64::Engine;
    let cipher = base64::engine::general_purpose::STANDARD
        .decode(share_b64)
        .expect("an encrypted share is base64");
    let out = gpg(home, &["--quiet", "--decrypt"], &cipher);
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// A sandbox of one pod whose Vault is not initialised yet.
fn uninitialised_pod(name: &str) -> Env {
    support::env_with(
        name,
        PLUGIN,
        Options {
            nodes: 1,
            initialized: false,
            ..Default::default()
        },
    )
}

/// `init --pgp-keys`: each share is encrypted by Vault to its holder, decrypts with that
/// holder's key only, the decrypted shares unseal a killed pod, and no share is in clear in
/// any output or file.
#[test]
fn init_with_pgp_keys() {
    let e = uninitialised_pod("reinit-init-pgp");
    let dir = e.sb.dir().to_path_buf();
    let holders: Vec<(PathBuf, PathBuf)> = ["alice", "bob", "carol"]
        .iter()
        .map(|h| gpg_holder(&dir, h))
        .collect();
    let keys_arg = holders
        .iter()
        .map(|(_, p)| p.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join(",");
    let journal = dir.join("pgp.jsonl");
    let (out, v) = reinit_json(
        &e,
        &[
            "init",
            "--pgp-keys",
            &keys_arg,
            "--key-shares",
            "3",
            "--key-threshold",
            "2",
            "--yes",
            "--journal",
            journal.to_str().unwrap(),
        ],
    );
    // Initialised, and sealed until the holders unseal it.
    assert_exit(&out, 2);
    let st = e.sb.seal_status(0).unwrap();
    assert_eq!(st["initialized"], true, "{st}");
    assert_eq!(st["sealed"], true, "{st}");
    assert_eq!(st["t"], 2, "{st}");
    assert_eq!(st["n"], 3, "{st}");

    let encrypted: Vec<String> = v["encrypted_shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["share"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(encrypted.len(), 3, "{v}");
    let mut clear = Vec::new();
    for (i, (home, _)) in holders.iter().enumerate() {
        let mine = gpg_decrypt(home, &encrypted[i])
            .unwrap_or_else(|| panic!("holder {i} cannot decrypt their share"));
        let other = &encrypted[(i + 1) % 3];
        assert!(
            gpg_decrypt(home, other).is_none(),
            "holder {i} decrypted someone else's share"
        );
        clear.push(mine);
    }

    // The decrypted shares unseal the pod, and again after it is killed.
    let unseal = |shares: &[String]| {
        for s in shares {
            let (code, body) =
                e.sb.vault(0, "PUT", "sys/unseal", None, Some(&json!({"key": s})))
                    .expect("unseal");
            assert_eq!(code, 200, "{body}");
        }
    };
    unseal(&clear[..2]);
    assert!(unsealed_and_initialised(&e, 0));
    e.seal_by(Fault::Kill, &[0]);
    unseal(&clear[1..]);
    assert!(unsealed_and_initialised(&e, 0));

    // No share in clear anywhere the plugin wrote.
    let mut secrets = clear.clone();
    for c in &clear {
        use base64::Engine;
        if let Ok(raw) = hex_decode(c) {
            secrets.push(base64::engine::general_purpose::STANDARD.encode(raw));
        }
    }
    let jtext = std::fs::read_to_string(&journal).unwrap();
    for (what, text) in [
        ("stdout", stdout(&out)),
        ("stderr", stderr(&out)),
        ("the journal", jtext),
        ("the Events", events_text(&e)),
    ] {
        assert_no_secret(what, &text, &secrets);
    }
    assert!(events_text(&e).contains("VaultInitialized"));
}

fn hex_decode(s: &str) -> Result<Vec<u8>, ()> {
    if !s.len().is_multiple_of(2) {
        return Err(());
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).map_err(|_| ()))
        .collect()
}

#[test]
fn shell_completion_scripts_are_current_and_list_the_subcommands() {
    support::assert_completions_current(PLUGIN, "ass", "assess");
}

/// Secrets written, a snapshot saved with `kubectl vault-raft snapshot save`, every volume
/// wiped: a drill with the right keys passes and leaves nothing behind; one with another
/// cluster's keys fails and names why; `restore --wipe` brings back three pods in which the
/// secrets read back through the Vault API with the old root token.
#[test]
fn drill_and_restore_bring_back_the_secrets() {
    let e = support::env("reinit-restore", 3, PLUGIN);
    let dir = e.sb.dir().to_path_buf();
    let root = e.sb.root_token();
    let vault = |i: u32, method: &str, path: &str, body: Option<Value>| {
        e.sb.vault(i, method, path, Some(&root), body.as_ref())
            .expect("Vault API call")
    };
    write_secrets(
        &e,
        &root,
        &[("app/db", "s3cret-db"), ("app/api", "s3cret-api")],
    );
    let snap = dir.join("backup.snap");
    save_snapshot(&e, &snap);
    for i in 0..3 {
        e.lose_volume(i);
    }
    let token = e.token_file();
    let keys = e.sb.init_json_path();
    let (snap_arg, token_arg, keys_arg) = (
        snap.to_str().unwrap(),
        token.to_str().unwrap(),
        keys.to_str().unwrap(),
    );
    let namespaces = || {
        e.kubectl
            .ok(["get", "namespaces", "-o", "name"])
            .expect("kubectl get namespaces")
    };
    let before = namespaces();
    // `VERB SNAPSHOT --keys-file KEYS --token-file T EXTRA… --journal FILE --timeout 90s`.
    let from_snapshot = |verb: &str, keys: &str, extra: &[&str], journal: &Path| {
        let mut args = vec![
            verb,
            snap_arg,
            "--keys-file",
            keys,
            "--token-file",
            token_arg,
        ];
        args.extend_from_slice(extra);
        args.extend(["--journal", journal.to_str().unwrap(), "--timeout", "90s"]);
        reinit(&e, &args)
    };

    // The right keys: the drill passes, and its namespace is gone afterwards.
    let journal = dir.join("drill.jsonl");
    let extra = [
        "--verify",
        "secret/app/db",
        "--namespace-for-drill",
        "drill-ok",
    ];
    let out = from_snapshot("drill", keys_arg, &extra, &journal);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("PASSED"), "{}", show(&out));
    assert!(
        e.kubectl.ok(["get", "namespace", "drill-ok"]).is_err(),
        "the drill's namespace is still there"
    );
    assert_eq!(namespaces(), before, "the drill left a namespace behind");
    let pods = e.kubectl.ok(["get", "pods", "-A", "-o", "name"]).unwrap();
    assert_eq!(pods.lines().count(), 3, "{pods}");
    for i in 0..3 {
        assert_eq!(
            e.sb.seal_status(i).unwrap()["initialized"],
            false,
            "the drill touched vault-{i}"
        );
    }

    // Another cluster's keys (shares of the right form that are not this snapshot's).
    let other = dir.join("other-keys.json");
    let shares: Vec<String> = (0..5u8)
        .map(|n| {
            use base64::Engine;
            let bytes: Vec<u8> = (0..33u8)
                .map(|b| b.wrapping_mul(31).wrapping_add(n * 7 + 1))
                .collect();
            base64::engine::general_purpose::STANDARD.encode(bytes)
        })
        .collect();
    support::write_private(
        &other,
        json!({"unseal_keys_b64": shares}).to_string().as_bytes(),
    );
    let out = from_snapshot(
        "drill",
        other.to_str().unwrap(),
        &["--namespace-for-drill", "drill-bad"],
        &dir.join("drill-bad.jsonl"),
    );
    assert_exit(&out, 1);
    assert!(
        stderr(&out).contains("not the keys of the cluster it was taken from"),
        "{}",
        show(&out)
    );
    assert_eq!(
        namespaces(),
        before,
        "the failed drill left a namespace behind"
    );

    // The restore, with its own drill first.
    let journal = dir.join("restore.jsonl");
    let extra = ["--wipe", "--yes", "--verify", "secret/app/api"];
    let out = from_snapshot("restore", keys_arg, &extra, &journal);
    assert_exit(&out, 0);
    for i in 0..3 {
        assert!(unsealed_and_initialised(&e, i), "vault-{i} not unsealed");
        assert!(e.ready(&format!("vault-{i}")), "vault-{i} not Ready");
        for (path, value) in [("app/db", "s3cret-db"), ("app/api", "s3cret-api")] {
            let (code, body) = vault(i, "GET", &format!("secret/data/{path}"), None);
            assert_eq!(code, 200, "vault-{i} {path}: {body}");
            assert_eq!(body["data"]["data"]["password"], value, "vault-{i} {path}");
        }
    }
    let (code, conf) = vault(0, "GET", "sys/storage/raft/configuration", None);
    assert_eq!(code, 200, "{conf}");
    let servers = conf["data"]["config"]["servers"].as_array().unwrap();
    assert_eq!(servers.len(), 3, "{conf}");
    assert!(servers.iter().all(|s| s["voter"] == true), "{conf}");
    assert_eq!(
        namespaces(),
        before,
        "the restore's drill left a namespace behind"
    );
    let secrets = e.secrets();
    for (what, text) in [
        ("stdout", stdout(&out)),
        ("stderr", stderr(&out)),
        ("the journal", std::fs::read_to_string(&journal).unwrap()),
        ("the Events", events_text(&e)),
    ] {
        assert_no_secret(what, &text, &secrets);
    }
    let events = events_text(&e);
    assert!(events.contains("RestoreDrillPassed"), "no drill Event");
    assert!(events.contains("SnapshotRestored"), "no restore Event");
}

/// Bad input is refused with a clear error before any cluster is contacted: a PGP key count
/// that does not match the shares, a threshold of one among several shares, a private key
/// where a public one belongs, a file that is not a snapshot, a snapshot that is not there.
#[test]
fn bad_input_is_refused_before_anything_happens() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "reinit-bad-input");
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        Command::new(PLUGIN)
            .args(args)
            // Nothing to connect to: each refusal must come first.
            .env("KUBECONFIG", dir.join("no-kubeconfig"))
            .current_dir(&dir)
            .output()
            .expect("run the plugin")
    };
    let public = dir.join("a.asc");
    std::fs::write(
        &public,
        "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQENBGV=\n=abcd\n-----END PGP PUBLIC KEY BLOCK-----\n",
    )
    .unwrap();
    let private = dir.join("secret.asc");
    std::fs::write(
        &private,
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQOYBGV=\n-----END PGP PRIVATE KEY BLOCK-----\n",
    )
    .unwrap();
    let p = public.to_str().unwrap();
    let keys = format!("{p},{p}");
    let out = run(&["init", "--pgp-keys", &keys, "--key-shares", "3", "--yes"]);
    assert_fails_with(&out, "one key per share");
    let out = run(&[
        "init",
        "--output-file",
        "k.json",
        "--key-shares",
        "3",
        "--key-threshold",
        "1",
        "--yes",
    ]);
    assert_fails_with(&out, "at least 2");
    let out = run(&[
        "init",
        "--pgp-keys",
        private.to_str().unwrap(),
        "--key-shares",
        "1",
        "--key-threshold",
        "1",
        "--yes",
    ]);
    assert_fails_with(&out, "is a PGP private key");
    // --setup needs the root token in clear.
    let out = run(&[
        "init",
        "--output-file",
        "k.json",
        "--root-token-pgp-key",
        p,
        "--setup",
        "setup.sh",
        "--yes",
    ]);
    assert_fails_with(&out, "--setup with --root-token-pgp-key");
    let out = run(&["init", "--key-shares", "3", "--yes"]);
    assert_exit(&out, 1);
    assert!(stderr(&out).contains("--pgp-keys"), "{}", show(&out));
    let garbage = dir.join("garbage.snap");
    std::fs::write(&garbage, b"not a snapshot").unwrap();
    let out = run(&[
        "restore",
        garbage.to_str().unwrap(),
        "--keys-file",
        "k",
        "--yes",
    ]);
    assert_fails_with(&out, "not a raft snapshot");
    let out = run(&["restore", "missing.snap", "--keys-file", "k", "--yes"]);
    assert_fails_with(&out, "cannot read it");
    assert!(!dir.join("k.json").exists());
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vault-reinit-"))
        .collect();
    assert!(left.is_empty(), "a refused run wrote a journal: {left:?}");
}

/// The setup script of the tests: writes a KV secret with curl (trusting only $VAULT_CACERT,
/// asking for $VAULT_TLS_SERVER_NAME) and a policy with the `bao` CLI (which reads the same
/// environment), and notes where its CA file was and its mode. `fail` makes it exit 3 after
/// its first write.
fn setup_script(dir: &Path, name: &str, fail: bool) -> PathBuf {
    let bao = vault_sandbox::server_bin::resolve(None).expect("the bao binary");
    let policy = dir.join("app-read.hcl");
    std::fs::write(
        &policy,
        "path \"secret/data/app/*\" { capabilities = [\"read\"] }\n",
    )
    .unwrap();
    let seen = dir.join(format!("{name}.seen"));
    let script = dir.join(format!("{name}.sh"));
    let text = format!(
        r#"#!/bin/sh
set -eu
port=${{VAULT_ADDR##*:}}
base="https://$VAULT_TLS_SERVER_NAME:$port/v1"
api() {{
  printf 'X-Vault-Token: %s\n' "$VAULT_TOKEN" |
    curl -sS --fail-with-body --cacert "$VAULT_CACERT" \
      --resolve "$VAULT_TLS_SERVER_NAME:$port:127.0.0.1" -H @- "$@"
}}
echo "ca=$VAULT_CACERT mode=$(stat -c %a "$VAULT_CACERT") name=$VAULT_TLS_SERVER_NAME" > {seen}
# The token's accessor (not the token), for the test to look it up after the run.
api "$base/auth/token/lookup-self" | grep -o '"accessor":"[^"]*"' | head -1 | cut -d'"' -f4 > {seen}.accessor
api -X POST -d '{{"type":"kv","options":{{"version":"2"}}}}' "$base/sys/mounts/secret"
echo "setup: secret/ mounted"
{fail}
# Right after the mount, KV v2 refuses writes for a moment.
i=0
until api -X POST -d '{{"data":{{"password":"set-up"}}}}' "$base/secret/data/app/db" >/dev/null; do
  i=$((i+1)); [ $i -lt 60 ] || exit 4; sleep 1
done
{bao} policy write app-read {policy}
# A token for the test to check the result with (the root token is revoked after the script).
api -X POST -d '{{"policies":["root"],"ttl":"10m"}}' "$base/auth/token/create-orphan" > {check}
chmod 600 {check}
echo "setup: done"
"#,
        seen = seen.display(),
        check = dir.join(format!("{name}.check-token.json")).display(),
        bao = bao.display(),
        policy = policy.display(),
        fail = if fail {
            "echo 'setup: giving up' >&2; exit 3"
        } else {
            ""
        },
    );
    std::fs::write(&script, text).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// The secret the setup script `name` wrote, read through the Vault API with the token the
/// script left for the test; returns that token.
fn setup_wrote_the_secret(e: &Env, dir: &Path, name: &str) -> String {
    let file = dir.join(format!("{name}.check-token.json"));
    let check: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let token = check["auth"]["client_token"].as_str().unwrap().to_string();
    let (code, body) =
        e.sb.vault(0, "GET", "secret/data/app/db", Some(&token), None)
            .unwrap();
    assert_eq!(code, 200, "{body}");
    assert_eq!(body["data"]["data"]["password"], "set-up");
    token
}

/// `init` with a setup script, a threshold of 2, the key file and the journal: what both
/// setup-script tests run.
fn init_with_setup<'a>(
    shares: &'a str,
    keys: &'a str,
    journal: &'a str,
    script: &'a str,
) -> Vec<&'a str> {
    vec![
        "init",
        "--key-shares",
        shares,
        "--key-threshold",
        "2",
        "--output-file",
        keys,
        "--journal",
        journal,
        "--setup",
        script,
    ]
}

/// `init --setup`: a failing script stops the run with the step log (exit 1) and the root
/// token revoked; a working one configures the new cluster (a KV secret and a policy, read
/// back through the Vault API) before the root token is revoked; the token appears in no
/// output, journal or Event, and the script's CA file is 0600 and gone afterwards.
#[test]
fn init_runs_the_setup_script_before_revoking_the_root_token() {
    let e = uninitialised_pod("reinit-setup");
    let dir = e.sb.dir().to_path_buf();
    let arg = |p: &Path| p.to_str().unwrap().to_string();
    let init = |script: &Path, keys: &str, journal: &str, extra: &[&str]| {
        let script = arg(script);
        let mut args = init_with_setup("3", keys, journal, &script);
        args.push("--yes");
        args.extend_from_slice(extra);
        reinit(&e, &args)
    };
    let root_of = |keys: &Path| -> String {
        let doc: Value = serde_json::from_slice(&std::fs::read(keys).unwrap()).unwrap();
        doc["root_token"].as_str().unwrap().to_string()
    };
    // A script that cannot run is refused before anything happens.
    let not_exec = dir.join("not-executable.sh");
    std::fs::write(&not_exec, "#!/bin/sh\n").unwrap();
    let keys0 = dir.join("keys0.json");
    let out = init(&not_exec, &arg(&keys0), &arg(&dir.join("j0.jsonl")), &[]);
    assert_fails_with(&out, "not executable");
    let out = init(
        &dir.join("missing.sh"),
        &arg(&keys0),
        &arg(&dir.join("j0.jsonl")),
        &[],
    );
    assert_fails_with(&out, "cannot read it");
    assert!(!keys0.exists());
    e.sb.wait_until("vault-0 answers", Duration::from_secs(60), || {
        e.sb.seal_status(0).is_ok()
    })
    .unwrap();
    assert_eq!(e.sb.seal_status(0).unwrap()["initialized"], false);

    // A failing script: exit 1, the step log says where and what next, the token is revoked.
    let failing = setup_script(&dir, "failing", true);
    let keys1 = dir.join("keys1.json");
    let journal1 = dir.join("j1.jsonl");
    let out = init(&failing, &arg(&keys1), &arg(&journal1), &[]);
    assert_exit(&out, 1);
    let err = stderr(&out);
    assert!(
        err.contains("stopped at \"run the setup script\"") && err.contains("exited with code 3"),
        "{}",
        show(&out)
    );
    assert!(err.contains("--wipe --setup SCRIPT"), "{}", show(&out));
    assert!(
        err.contains("setup: giving up"),
        "the script's stderr: {}",
        show(&out)
    );
    assert!(
        stdout(&out).contains("setup: secret/ mounted"),
        "{}",
        show(&out)
    );
    let root1 = root_of(&keys1);
    assert!(
        !token_valid(&e, 0, &root1),
        "the root token outlived the failed script"
    );
    assert!(unsealed_and_initialised(&e, 0));

    // A working script, on a wiped cluster, in JSON mode (its stdout goes to stderr).
    let working = setup_script(&dir, "working", false);
    let keys2 = dir.join("keys2.json");
    let journal2 = dir.join("j2.jsonl");
    let script2 = arg(&working);
    let out = init(
        &working,
        &arg(&keys2),
        &arg(&journal2),
        &["--wipe", "-o", "json"],
    );
    assert_exit(&out, 0);
    let report: Value = serde_json::from_str(&stdout(&out))
        .unwrap_or_else(|err| panic!("not JSON ({err}):\n{}", show(&out)));
    assert_eq!(report["setup"], script2.as_str(), "{report}");
    assert!(stderr(&out).contains("setup: done"), "{}", show(&out));
    let root2 = root_of(&keys2);
    assert!(
        !token_valid(&e, 0, &root2),
        "the root token was not revoked"
    );

    // What the script wrote, read through the Vault API with the orphan token it made (OpenBao
    // 2.7.2 refuses the unauthenticated sys/generate-root by default: 405).
    let token = setup_wrote_the_secret(&e, &dir, "working");
    let (code, body) =
        e.sb.vault(0, "GET", "sys/policies/acl/app-read", Some(&token), None)
            .unwrap();
    assert_eq!(code, 200, "{body}");
    assert!(
        body["data"]["policy"]
            .as_str()
            .unwrap_or("")
            .contains("secret/data/app/*"),
        "{body}"
    );

    // The CA file was 0600 while the script ran, and is gone.
    let seen = std::fs::read_to_string(dir.join("working.seen")).unwrap();
    assert!(seen.contains("mode=600"), "{seen}");
    assert!(seen.contains("name=vault.vault.svc"), "{seen}");
    let ca = seen
        .split_whitespace()
        .find_map(|w| w.strip_prefix("ca="))
        .unwrap();
    assert!(!Path::new(ca).exists(), "{ca} was left behind");

    let events = events_text(&e);
    assert!(events.contains("SetupScriptRan"), "no SetupScriptRan Event");
    assert!(
        events.contains("SetupScriptFailed"),
        "no SetupScriptFailed Event"
    );
    let secrets = vec![root1, root2];
    for (what, text) in [
        ("stdout", stdout(&out)),
        ("stderr", stderr(&out)),
        (
            "the first journal",
            std::fs::read_to_string(&journal1).unwrap(),
        ),
        (
            "the second journal",
            std::fs::read_to_string(&journal2).unwrap(),
        ),
        ("the Events", events),
    ] {
        assert_no_secret(what, &text, &secrets);
    }
}

/// `init --pgp-keys --setup`: the plugin cannot unseal, so it waits for the key holders; once
/// they unseal the pod with their decrypted shares (here through the Vault API), the script
/// configures the cluster and the root token is revoked (its accessor no longer looks up).
#[test]
fn init_with_pgp_keys_waits_for_the_holders_then_runs_the_setup_script() {
    let e = uninitialised_pod("reinit-setup-pgp");
    let dir = e.sb.dir().to_path_buf();
    let holders: Vec<(PathBuf, PathBuf)> = ["alice", "bob"]
        .iter()
        .map(|h| gpg_holder(&dir, h))
        .collect();
    let pgp_keys = holders
        .iter()
        .map(|(_, public)| public.to_str().unwrap())
        .collect::<Vec<_>>()
        .join(",");
    let script = setup_script(&dir, "pgp", false);
    let keys = dir.join("encrypted.json");
    let journal = dir.join("pgp.jsonl");
    e.sb.wait_until("vault-0 answers", Duration::from_secs(60), || {
        e.sb.seal_status(0).is_ok()
    })
    .unwrap();
    let child = e
        .kubectl
        .command(
            ["vault-reinit"]
                .into_iter()
                .chain(init_with_setup(
                    "2",
                    keys.to_str().unwrap(),
                    journal.to_str().unwrap(),
                    script.to_str().unwrap(),
                ))
                .chain(["--pgp-keys", &pgp_keys, "--timeout", "3m", "--yes"]),
        )
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the plugin");
    // The holders: their encrypted shares from the file, decrypted each with their own key.
    let mut doc = Value::Null;
    e.sb.wait_until(
        "the encrypted shares",
        Duration::from_secs(120),
        || match std::fs::read(&keys)
            .ok()
            .map(|b| serde_json::from_slice::<Value>(&b))
        {
            Some(Ok(v)) => {
                doc = v;
                true
            }
            _ => false,
        },
    )
    .unwrap();
    assert_eq!(doc["pgp_encrypted"], true, "{doc}");
    assert!(doc.get("root_token").is_none(), "{doc}");
    let shares: Vec<String> = doc["unseal_keys_b64"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&holders)
        .map(|(s, (home, _))| gpg_decrypt(home, s.as_str().unwrap()).expect("decrypt the share"))
        .collect();
    for s in &shares {
        let (code, body) =
            e.sb.vault(0, "PUT", "sys/unseal", None, Some(&json!({"key": s})))
                .unwrap();
        assert_eq!(code, 200, "{body}");
    }
    let out = child.wait_with_output().expect("the plugin ends");
    assert_exit(&out, 0);
    let err = stderr(&out);
    assert!(
        err.contains("Waiting up to 180s for the key holders"),
        "{}",
        show(&out)
    );
    assert!(stdout(&out).contains("setup: done"), "{}", show(&out));
    assert!(
        stdout(&out).contains("Initial root token: revoked."),
        "{}",
        show(&out)
    );

    // What the script did, through the Vault API with the token it made for the test.
    let token = setup_wrote_the_secret(&e, &dir, "pgp");
    // The root token the script was given is gone.
    let accessor = std::fs::read_to_string(dir.join("pgp.seen.accessor")).unwrap();
    assert!(!accessor.trim().is_empty());
    let (code, body) =
        e.sb.vault(
            0,
            "POST",
            "auth/token/lookup-accessor",
            Some(&token),
            Some(&json!({"accessor": accessor.trim()})),
        )
        .unwrap();
    assert_eq!(code, 400, "the root token was not revoked: {body}");
    let events = events_text(&e);
    assert!(events.contains("SetupScriptRan") && events.contains("RootTokenRevoked"));
    for (what, text) in [
        ("stdout", stdout(&out)),
        ("stderr", err),
        ("the journal", std::fs::read_to_string(&journal).unwrap()),
        ("the Events", events),
        ("the key file", std::fs::read_to_string(&keys).unwrap()),
    ] {
        assert_no_secret(what, &text, &shares);
    }
}
