//! `kubectl vault-leases debug`: one archive with each pod's metrics, logs and objects, read
//! back with the system's `tar` and checked against kubectl and the manifest's checksums; no
//! unseal key, token, Secret value or secret-looking env value inside.

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::PLUGIN;
use super::support::{self, assert_exit, assert_no_secret, show, stderr};

#[test]
fn debug_archive_holds_each_pods_metrics_and_logs_and_no_secret() {
    let e = support::env("leases-debug", 3, PLUGIN);
    // A secret-looking value in the StatefulSet's environment (as a careless chart value would
    // put it): the archive must not carry it.
    let planted = "planted-s3cr3t-value-7f3a9c";
    e.patch_statefulset(&format!(
                r#"[{{"op":"add","path":"/spec/template/spec/containers/0/env/-","value":{{"name":"DB_PASSWORD","value":"{planted}"}}}}]"#
            ));
    let token = e.token_file();
    let dir = e.sb.dir().join("debug");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("bundle.tar.gz");
    let debug = |extra: &[&str]| {
        let mut args = vec![
            "vault-leases",
            "--token-file",
            token.to_str().expect("path"),
            "debug",
            "--pprof",
            "--file",
            file.to_str().expect("path"),
        ];
        args.extend_from_slice(extra);
        let out = e.run(&args, None);
        assert_no_secret("debug", &show(&out), &e.secrets());
        out
    };
    let o = debug(&[]);
    assert_exit(&o, 0);
    let mode = std::fs::metadata(&file)
        .expect("archive")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the archive is private");

    // Read back with the system's tar, not the plugin.
    let x = dir.join("x");
    std::fs::create_dir_all(&x).expect("x");
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(&file)
        .arg("-C")
        .arg(&x)
        .output()
        .expect("tar");
    assert!(tar.status.success(), "{tar:?}");
    let top = std::fs::read_dir(&x)
        .expect("extracted")
        .next()
        .expect("one top directory")
        .expect("entry")
        .path();
    let read = |rel: &str| std::fs::read(top.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    let manifest: Value = serde_json::from_slice(&read("manifest.json")).expect("manifest");
    for i in 0..3 {
        let pod = format!("vault-{i}");
        for f in [
            "metrics.json",
            "health.json",
            "seal-status.json",
            "host-info.json",
            "logs.txt",
            "events.json",
            "pod.json",
            "heap.pprof",
            "goroutine.pprof",
        ] {
            let rel = format!("{pod}/{f}");
            let bytes = read(&rel);
            assert!(!bytes.is_empty(), "{rel} is empty");
            let listed = manifest["files"]
                .as_array()
                .expect("files")
                .iter()
                .find(|l| l["path"] == rel.as_str())
                .unwrap_or_else(|| panic!("{rel} not in the manifest"));
            assert_eq!(
                listed["sha256"].as_str(),
                Some(hex::encode(Sha256::digest(&bytes)).as_str()),
                "{rel}: the manifest's checksum"
            );
        }
        let metrics: Value =
            serde_json::from_slice(&read(&format!("{pod}/metrics.json"))).expect("metrics JSON");
        assert!(metrics["Gauges"].is_array(), "{pod}: {metrics}");
        // The logs are the pod's: a line kubectl shows is in the file.
        let logs = String::from_utf8_lossy(&read(&format!("{pod}/logs.txt"))).to_string();
        let first = e
            .kubectl
            .ok(["logs", &pod, "--tail=2000"])
            .expect("kubectl logs");
        let line = first
            .lines()
            .find(|l| !l.trim().is_empty())
            .expect("a log line");
        assert!(logs.contains(line), "{pod}: {line:?} not in logs.txt");
    }
    assert!(read("statefulset-vault.json").len() > 100);

    // No secret anywhere in the archive.
    let tls_key = support::jsonpath(&e.kubectl, &["secret", "vault-tls"], "{.data.tls\\.key}")
        .expect("the TLS key");
    let mut secrets = e.secrets();
    secrets.push(planted.to_string());
    secrets.push(tls_key);
    let mut all = String::new();
    for entry in walk(&top) {
        all.push_str(&String::from_utf8_lossy(
            &std::fs::read(&entry).expect("file"),
        ));
    }
    assert_no_secret("the archive", &all, &secrets);
    assert!(!all.contains("PRIVATE KEY"), "a private key in the archive");

    // Never overwritten silently.
    let sum = Sha256::digest(std::fs::read(&file).expect("archive"));
    let o = debug(&[]);
    assert_exit(&o, 1);
    assert!(stderr(&o).contains("exists"), "{}", show(&o));
    assert_eq!(Sha256::digest(std::fs::read(&file).expect("archive")), sum);
    assert_exit(&debug(&["--force"]), 0);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
