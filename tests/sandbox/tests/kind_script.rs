//! The steps of `scripts/e2e-kind.sh`, which sets up a real cluster for the portable
//! end-to-end tests in the e2e-kind workflow, run against an uninitialised sandbox: the
//! certificates verify and carry the chart's names, the Helm values hold HA raft with TLS, and
//! init + unseal bring every pod up unsealed in one raft cluster (checked through the Vault
//! API), with the init file private and never overwritten.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use vault_sandbox::{Options, Sandbox};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn script(kubeconfig: &Path, args: &[&str]) -> Output {
    Command::new("bash")
        .arg(root().join("scripts/e2e-kind.sh"))
        .args(args)
        .env("KUBECONFIG", kubeconfig)
        .output()
        .expect("run scripts/e2e-kind.sh")
}

fn ok(o: Output) -> String {
    assert!(
        o.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn certs_and_values_are_what_the_chart_needs() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "kind-certs");
    let certs = dir.join("certs");
    ok(script(
        Path::new("/nonexistent"),
        &["certs", certs.to_str().unwrap(), "vault"],
    ));
    let verify = Command::new("openssl")
        .args(["verify", "-CAfile"])
        .arg(certs.join("ca.crt"))
        .arg(certs.join("tls.crt"))
        .output()
        .expect("openssl verify");
    assert!(verify.status.success(), "{verify:?}");
    let text = Command::new("openssl")
        .args(["x509", "-noout", "-ext", "subjectAltName", "-in"])
        .arg(certs.join("tls.crt"))
        .output()
        .expect("openssl x509");
    let sans = String::from_utf8_lossy(&text.stdout);
    for name in [
        "*.vault-internal",
        "vault.vault.svc",
        "*.vault-internal.vault.svc.cluster.local",
        "127.0.0.1",
    ] {
        assert!(sans.contains(name), "{name} missing from {sans}");
    }
    let key_mode = std::fs::metadata(certs.join("tls.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(key_mode & 0o077, 0, "the key is private");
    for chart in ["vault", "openbao"] {
        let values = ok(script(Path::new("/nonexistent"), &["values", chart]));
        assert!(
            values.contains("retry_join") && values.contains("tls_cert_file"),
            "{values}"
        );
        assert!(values.contains(&format!("https://{chart}-0.{chart}-internal:8200")));
    }
}

#[test]
fn init_and_unseal_bring_an_uninitialised_cluster_up() {
    let dir = vault_sandbox::test_dir(env!("CARGO_TARGET_TMPDIR"), "kind-init");
    let sb = Sandbox::start(Options {
        dir: dir.clone(),
        nodes: 3,
        initialized: false,
        ..Default::default()
    })
    .expect("start the sandbox");
    let kc = sb.kubeconfig().to_path_buf();
    let init = dir.join("e2e-init.json");
    let init_arg = init.to_str().unwrap();
    ok(script(&kc, &["init", "vault", init_arg]));
    let mode = std::fs::metadata(&init).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600, "the init file is private");
    let keys: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&init).unwrap()).expect("init JSON");
    assert_eq!(keys["unseal_keys_b64"].as_array().map(Vec::len), Some(5));
    // Never overwritten.
    let again = script(&kc, &["init", "vault", init_arg]);
    assert!(!again.status.success());
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&std::fs::read(&init).unwrap()).unwrap(),
        keys
    );

    ok(script(&kc, &["unseal", "vault", init_arg]));
    for i in 0..3 {
        sb.wait_until(
            &format!("vault-{i} unsealed"),
            Duration::from_secs(60),
            || sb.seal_status(i).is_ok_and(|s| s["sealed"] == false),
        )
        .expect("unsealed");
    }
    let token = keys["root_token"].as_str().expect("root token");
    let (status, config) = sb
        .vault(
            0,
            "GET",
            "sys/storage/raft/configuration",
            Some(token),
            None,
        )
        .expect("raft configuration");
    assert_eq!(status, 200, "{config}");
    let servers = config["data"]["config"]["servers"]
        .as_array()
        .expect("servers");
    assert_eq!(servers.len(), 3, "{config}");
    ok(script(&kc, &["wait-ready", "vault", "3"]));
}
