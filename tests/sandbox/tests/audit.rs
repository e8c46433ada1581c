//! The chart's audit volume and a file audit device declared in the server configuration
//! (OpenBao's way: it refuses audit devices enabled through the API).

mod common;

use common::*;
use serde_json::json;
use vault_sandbox::Options;

#[test]
fn a_declared_file_audit_device_writes_to_the_audit_volume() {
    let sb = sandbox_with(
        "audit-device",
        Options {
            nodes: 2,
            audit: true,
            ..Options::default()
        },
    );
    let k = sb.kubectl();
    let root = sb.root_token();

    // One audit claim per pod, mounted at /vault/audit, as the chart's auditStorage makes them.
    let pvcs = k.json(["get", "pvc", "-n", "vault"]).expect("list pvcs");
    let names: Vec<&str> = pvcs["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["metadata"]["name"].as_str())
        .collect();
    for claim in [
        "data-vault-0",
        "data-vault-1",
        "audit-vault-0",
        "audit-vault-1",
    ] {
        assert!(names.contains(&claim), "{claim} missing from {names:?}");
    }
    let pod = k.json(["get", "pod", "vault-0", "-n", "vault"]).unwrap();
    assert!(
        pod["spec"]["containers"][0]["volumeMounts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "audit" && m["mountPath"] == "/vault/audit"),
        "{pod:#}"
    );

    let (status, devices) = sb.vault(0, "GET", "sys/audit", Some(&root), None).unwrap();
    assert_eq!(status, 200, "{devices:#}");
    assert_eq!(devices["data"]["file/"]["type"], "file", "{devices:#}");
    // The server runs in the pod's own root: the path is the container's.
    assert_eq!(
        devices["data"]["file/"]["options"]["file_path"], "/vault/audit/audit.log",
        "{devices:#}"
    );
    // Enabling another through the API stays refused, as on OpenBao.
    let (status, body) = sb
        .vault(
            0,
            "PUT",
            "sys/audit/other",
            Some(&root),
            Some(&json!({"type": "file", "options": {"file_path": "/vault/audit/other.log"}})),
        )
        .unwrap();
    assert!(status >= 400, "API-enabled audit device accepted: {body:#}");

    // A request on each pod is in that pod's own log, its token as an HMAC, never in clear.
    let (status, hash) = sb
        .vault(
            0,
            "PUT",
            "sys/audit-hash/file",
            Some(&root),
            Some(&json!({"input": root})),
        )
        .unwrap();
    assert_eq!(status, 200, "{hash:#}");
    let hmac = hash["data"]["hash"].as_str().unwrap().to_string();
    assert!(hmac.starts_with("hmac-sha256:"), "{hmac}");
    // A standby forwards requests to the active node, which audits them: the requests sent to
    // both pods are in the logs, once each, and no log holds the token in clear.
    for ordinal in [0, 1] {
        let (status, _) = sb
            .vault(ordinal, "GET", "sys/mounts", Some(&root), None)
            .unwrap();
        assert_eq!(status, 200);
    }
    let mut found = 0;
    for pod in ["vault-0", "vault-1"] {
        let out = k.run([
            "exec",
            pod,
            "-n",
            "vault",
            "--",
            "cat",
            "/vault/audit/audit.log",
        ]);
        let log = String::from_utf8_lossy(&out.stdout);
        assert!(!log.contains(&root), "{pod}: the token in clear");
        found += log
            .lines()
            .filter(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["type"] == "response"
                    && v["request"]["path"] == "sys/mounts"
                    && v["auth"]["client_token"] == hmac.as_str()
            })
            .count();
    }
    assert_eq!(
        found, 2,
        "the two sys/mounts requests with the root token's HMAC"
    );
}
