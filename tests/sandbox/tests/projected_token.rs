//! Each pod's projected service-account volume, as the kubelet mounts it: `token`, `ca.crt` and
//! `namespace` at /var/run/secrets/kubernetes.io/serviceaccount/ inside the pod's own mount
//! namespace (read-only, invisible to the host and to other pods), the token minted for the
//! pod's service account and bound to the pod, and the API's address in the environment.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::*;
use serde_json::{Value, json};
use std::time::Duration;
use vault_sandbox::{Kubectl, Sandbox};

const DIR: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

fn in_pod(k: &Kubectl, pod: &str, argv: &[&str]) -> String {
    let mut args = vec!["exec", "-n", "vault", pod, "--"];
    args.extend_from_slice(argv);
    k.ok(args)
        .unwrap_or_else(|e| panic!("exec {argv:?} in {pod}: {e}"))
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}

/// A TokenReview of `token` by the admin: its status.
fn review(sb: &Sandbox, k: &Kubectl, token: &str) -> Value {
    let file = sb.dir().join("review.json");
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                      "spec": {"token": token}});
    std::fs::write(&file, body.to_string()).unwrap();
    let out = k
        .ok([
            "create",
            "--raw",
            "/apis/authentication.k8s.io/v1/tokenreviews",
            "-f",
            file.to_str().unwrap(),
        ])
        .expect("create a TokenReview");
    serde_json::from_str::<Value>(&out).unwrap()["status"].clone()
}

/// What the host's mount table says of the service-account path (the pods' mounts are private).
fn host_mounts() -> Vec<String> {
    std::fs::read_to_string("/proc/self/mountinfo")
        .unwrap()
        .lines()
        .filter(|l| l.contains("/secrets"))
        .map(str::to_string)
        .collect()
}

#[test]
fn each_pod_has_its_own_service_account_token_ca_and_namespace() {
    let host_before = (std::path::Path::new(DIR).exists(), host_mounts());
    let sb = sandbox("projected", 2);
    let k = sb.kubectl();
    let api_ca = std::fs::read_to_string(sb.api_ca_path()).unwrap();
    let vault_uid = k.json(["get", "sa", "vault", "-n", "vault"]).unwrap()["metadata"]["uid"]
        .as_str()
        .unwrap()
        .to_string();

    let mut tokens = Vec::new();
    for pod in ["vault-0", "vault-1"] {
        assert_eq!(
            in_pod(&k, pod, &["cat", &format!("{DIR}/namespace")]),
            "vault"
        );
        assert_eq!(in_pod(&k, pod, &["cat", &format!("{DIR}/ca.crt")]), api_ca);
        let token = in_pod(&k, pod, &["cat", &format!("{DIR}/token")]);
        let c = claims(&token);
        let uid = pod_uid(&pod_json(&k, pod).expect("pod"));
        assert_eq!(c["iss"], sb.issuer_url());
        assert_eq!(c["aud"], json!([sb.issuer_url()]));
        assert_eq!(c["sub"], "system:serviceaccount:vault:vault");
        assert_eq!(c["kubernetes.io"]["serviceaccount"]["uid"], vault_uid);
        assert_eq!(c["kubernetes.io"]["pod"], json!({"name": pod, "uid": uid}));
        assert_eq!(
            c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
            3607
        );
        let s = review(&sb, &k, &token);
        assert_eq!(s["authenticated"], true, "{s}");
        assert_eq!(
            s["user"]["extra"]["authentication.kubernetes.io/pod-name"],
            json!([pod])
        );
        // Read-only, as the kubelet mounts it.
        let write = k
            .exec_sh("vault", pod, &format!("echo x > {DIR}/token"))
            .output()
            .unwrap();
        assert!(!write.status.success(), "{}", show(&write));
        assert!(show(&write).contains("Read-only"), "{}", show(&write));
        // The API's address, as the kubelet gives every container.
        let env = in_pod(
            &k,
            pod,
            &[
                "sh",
                "-c",
                "echo https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT",
            ],
        );
        assert_eq!(env.trim(), sb.issuer_url());
        tokens.push(token);
    }
    assert_ne!(tokens[0], tokens[1], "each pod has its own token");

    // Renewal (due at 80% of the lifetime, made due now): the pod sees a new valid token.
    sb.renew_service_account_token("vault-0").unwrap();
    let mut renewed = String::new();
    wait_for("vault-0's token renewed", Duration::from_secs(30), || {
        renewed = in_pod(&k, "vault-0", &["cat", &format!("{DIR}/token")]);
        renewed != tokens[0]
    });
    assert_eq!(review(&sb, &k, &renewed)["authenticated"], true);
    assert_eq!(claims(&renewed)["kubernetes.io"]["pod"]["name"], "vault-0");
    assert!(claims(&renewed)["jti"] != claims(&tokens[0])["jti"]);

    // Neither the host nor the test process sees the pods' mounts.
    assert_eq!(
        (std::path::Path::new(DIR).exists(), host_mounts()),
        host_before
    );

    // A new pod gets a new token; the deleted pod's token no longer authenticates.
    let old_uid = pod_uid(&pod_json(&k, "vault-1").unwrap());
    k.ok(["delete", "pod", "vault-1", "-n", "vault", "--wait=false"])
        .unwrap();
    wait_for(
        "vault-1 recreated and running",
        Duration::from_secs(60),
        || {
            pod_json(&k, "vault-1")
                .is_some_and(|p| pod_uid(&p) != old_uid && p["status"]["phase"] == "Running")
                && k.command(["exec", "-n", "vault", "vault-1", "--", "true"])
                    .output()
                    .is_ok_and(|o| o.status.success())
        },
    );
    let new = in_pod(&k, "vault-1", &["cat", &format!("{DIR}/token")]);
    assert_ne!(new, tokens[1]);
    assert_eq!(
        claims(&new)["kubernetes.io"]["pod"]["uid"],
        pod_uid(&pod_json(&k, "vault-1").unwrap())
    );
    assert_eq!(review(&sb, &k, &new)["authenticated"], true);
    let s = review(&sb, &k, &tokens[1]);
    assert_ne!(s["authenticated"], true, "{s}");
}
