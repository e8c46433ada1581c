//! Service-account tokens as a real cluster issues and checks them, driven by the real
//! kubectl: every namespace has its `default` account and `kube-root-ca.crt`;
//! `kubectl create token` mints signed JWTs; a TokenReview verifies signature, expiry,
//! audience and that the account still exists; the issuer's discovery documents verify the
//! tokens independently; and a token is a bearer credential for the API, with RBAC deciding
//! what its account may do.

mod common;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use common::*;
use serde_json::{Value, json};
use vault_sandbox::{Kubectl, Sandbox};

const TOKENREVIEWS: &str = "/apis/authentication.k8s.io/v1/tokenreviews";

/// Creates a TokenReview of `token` for `audiences` as `k`'s user; the review's status.
fn review(sb: &Sandbox, k: &Kubectl, token: &str, audiences: &[&str]) -> Value {
    let file = sb.dir().join("review.json");
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
                      "spec": {"token": token, "audiences": audiences}});
    std::fs::write(&file, body.to_string()).unwrap();
    // POSTed as runbooks do it (`kubectl create --raw`), the way OpenBao's auth method sends it.
    let out = k
        .ok([
            "create",
            "--raw",
            TOKENREVIEWS,
            "-f",
            file.to_str().unwrap(),
        ])
        .expect("create a TokenReview");
    let out: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(out["kind"], "TokenReview");
    out["status"].clone()
}

fn raw(k: &Kubectl, path: &str) -> Value {
    serde_json::from_str(&k.ok(["get", "--raw", path]).unwrap()).unwrap()
}

fn claims(token: &str) -> Value {
    let payload = token.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(&B64.decode(payload).unwrap()).unwrap()
}

/// Verifies a token's ES256 signature with the key set the API publishes.
fn signed_by(jwks: &Value, token: &str) -> bool {
    let header: Value =
        serde_json::from_slice(&B64.decode(token.split('.').next().unwrap()).unwrap()).unwrap();
    let Some(key) = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == header["kid"])
    else {
        return false;
    };
    let coord = |c: &str| B64.decode(key[c].as_str().unwrap()).unwrap();
    let point = [vec![4u8], coord("x"), coord("y")].concat();
    let (signed, sig) = token.rsplit_once('.').unwrap();
    ring::signature::UnparsedPublicKey::new(&ring::signature::ECDSA_P256_SHA256_FIXED, point)
        .verify(signed.as_bytes(), &B64.decode(sig).unwrap())
        .is_ok()
}

#[test]
fn service_account_tokens_reviews_and_bearer_auth() {
    let sb = sandbox("tokens", 1);
    let k = sb.kubectl();
    let ca = std::fs::read_to_string(sb.api_ca_path()).unwrap();

    // Every namespace, including one created later, has `default` and the root CA.
    k.ok(["create", "namespace", "later"]).expect("create ns");
    for ns in ["default", "kube-system", "vault", "later"] {
        let sa = k
            .json(["get", "serviceaccount", "default", "-n", ns])
            .unwrap_or_else(|e| panic!("default account in {ns}: {e}"));
        assert!(!sa["metadata"]["uid"].as_str().unwrap().is_empty());
        let cm = k
            .json(["get", "configmap", "kube-root-ca.crt", "-n", ns])
            .unwrap_or_else(|e| panic!("kube-root-ca.crt in {ns}: {e}"));
        assert_eq!(cm["data"]["ca.crt"], ca.as_str(), "{ns}");
    }
    let vault_sa = k.json(["get", "sa", "vault", "-n", "vault"]).unwrap();
    let vault_uid = vault_sa["metadata"]["uid"].as_str().unwrap().to_string();

    // Discovery advertises what is served.
    let core = raw(&k, "/api/v1");
    let token_sub = core["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "serviceaccounts/token")
        .expect("serviceaccounts/token in discovery");
    assert_eq!(token_sub["kind"], "TokenRequest");
    assert_eq!(token_sub["group"], "authentication.k8s.io");
    let resources = k
        .ok(["api-resources", "--api-group=authentication.k8s.io"])
        .unwrap();
    assert!(resources.contains("tokenreviews"), "{resources}");

    // The runbook's reviewer: the vault account, bound to system:auth-delegator.
    k.ok([
        "create",
        "clusterrolebinding",
        "vault-tokenreview",
        "--clusterrole=system:auth-delegator",
        "--serviceaccount=vault:vault",
    ])
    .unwrap();
    let token = k
        .ok(["create", "token", "vault", "-n", "vault"])
        .expect("kubectl create token")
        .trim()
        .to_string();
    let c = claims(&token);
    assert_eq!(c["iss"], sb.issuer_url());
    assert_eq!(c["sub"], "system:serviceaccount:vault:vault");
    assert_eq!(c["aud"], json!([sb.issuer_url()]));
    assert_eq!(c["kubernetes.io"]["serviceaccount"]["uid"], vault_uid);
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600
    );
    let reviewer = k.with_kubeconfig(&sb.token_kubeconfig("vault-reviewer", &token).unwrap());
    let s = review(&sb, &reviewer, &token, &[]);
    assert_eq!(s["authenticated"], true, "{s}");
    assert_eq!(s["user"]["username"], "system:serviceaccount:vault:vault");
    assert_eq!(s["user"]["uid"], vault_uid);
    assert_eq!(
        s["user"]["groups"],
        json!([
            "system:serviceaccounts",
            "system:serviceaccounts:vault",
            "system:authenticated"
        ])
    );
    assert_eq!(s["audiences"], json!([sb.issuer_url()]));

    // Audiences and duration from kubectl's flags; a review for another audience fails.
    let vault_aud = k
        .ok([
            "create",
            "token",
            "vault",
            "-n",
            "vault",
            "--audience",
            "vault",
            "--duration",
            "15m",
        ])
        .unwrap()
        .trim()
        .to_string();
    let c = claims(&vault_aud);
    assert_eq!(c["aud"], json!(["vault"]));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 900);
    let s = review(&sb, &reviewer, &vault_aud, &["vault"]);
    assert_eq!(s["authenticated"], true, "{s}");
    assert_eq!(s["audiences"], json!(["vault"]));
    let s = review(&sb, &reviewer, &vault_aud, &["https://elsewhere"]);
    assert_ne!(s["authenticated"], true, "{s}");
    assert_eq!(
        s["error"],
        "[invalid bearer token, token audiences [\"vault\"] is invalid for the target audiences [\"https://elsewhere\"]]"
    );
    let err = fails(
        &k,
        &[
            "create",
            "token",
            "vault",
            "-n",
            "vault",
            "--duration",
            "5m",
        ],
    );
    assert!(
        err.contains("may not specify a duration less than 10 minutes"),
        "{err}"
    );

    // An expired token fails review and is no credential.
    let expired = sb.mint_sa_token("vault", "vault", &[], -120).unwrap();
    let s = review(&sb, &reviewer, &expired, &[]);
    assert_eq!(
        s["error"],
        "[invalid bearer token, service account token has expired]"
    );
    let stale = k.with_kubeconfig(&sb.token_kubeconfig("stale", &expired).unwrap());
    let err = fails(&stale, &["get", "pods"]);
    assert!(
        err.contains("Unauthorized") || err.contains("must be logged in"),
        "{err}"
    );

    // Reviews need `create tokenreviews`: a user without it is refused.
    let nobody = k.with_kubeconfig(&sb.new_user("nobody", &[]).unwrap());
    let file = sb.dir().join("review.json");
    let err = fails(
        &nobody,
        &[
            "create",
            "--raw",
            TOKENREVIEWS,
            "-f",
            file.to_str().unwrap(),
        ],
    );
    assert!(
        err.contains("User \"nobody\" cannot create resource \"tokenreviews\" in API group \"authentication.k8s.io\" at the cluster scope"),
        "{err}"
    );

    // A token is its account's credential; RBAC decides what the account may do.
    k.ok(["create", "serviceaccount", "reader", "-n", "vault"])
        .unwrap();
    apply(
        &sb,
        &k,
        "reader",
        &[
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                   "metadata": {"name": "pod-getter", "namespace": "vault"},
                   "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]}),
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                   "metadata": {"name": "reader-gets-pods", "namespace": "vault"},
                   "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pod-getter"},
                   "subjects": [{"kind": "ServiceAccount", "name": "reader", "namespace": "vault"}]}),
        ],
    );
    let reader_token = k
        .ok(["create", "token", "reader", "-n", "vault"])
        .unwrap()
        .trim()
        .to_string();
    let reader = k.with_kubeconfig(&sb.token_kubeconfig("reader", &reader_token).unwrap());
    let me = reader.json(["auth", "whoami"]).unwrap();
    assert_eq!(
        me["status"]["userInfo"]["username"],
        "system:serviceaccount:vault:reader"
    );
    let pod = reader.json(["get", "pod", "vault-0"]).unwrap();
    assert_eq!(pod["metadata"]["name"], "vault-0");
    let err = fails(&reader, &["get", "secrets"]);
    assert!(
        err.contains(
            "User \"system:serviceaccount:vault:reader\" cannot list resource \"secrets\""
        ),
        "{err}"
    );

    // Deleting the account invalidates its tokens, for reviews and for the API.
    k.ok(["delete", "serviceaccount", "reader", "-n", "vault"])
        .unwrap();
    let s = review(&sb, &reviewer, &reader_token, &[]);
    assert_eq!(
        s["error"],
        "[invalid bearer token, service account token has been invalidated]"
    );
    let err = fails(&reader, &["get", "pod", "vault-0"]);
    assert!(
        err.contains("Unauthorized") || err.contains("must be logged in"),
        "{err}"
    );

    // The issuer's discovery documents, readable without credentials, verify the tokens.
    let anonymous = |path: &str| -> Value {
        let out = std::process::Command::new("curl")
            .args(["-sf", "--cacert", sb.api_ca_path().to_str().unwrap()])
            .arg(format!("{}{path}", sb.issuer_url()))
            .output()
            .unwrap();
        assert!(out.status.success(), "GET {path}: {}", show(&out));
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let oidc = anonymous("/.well-known/openid-configuration");
    assert_eq!(oidc["issuer"], claims(&token)["iss"]);
    assert_eq!(
        oidc["jwks_uri"],
        format!("{}/openid/v1/jwks", sb.issuer_url())
    );
    let jwks = anonymous("/openid/v1/jwks");
    assert_eq!(jwks, raw(&k, "/openid/v1/jwks"));
    assert!(
        signed_by(&jwks, &token),
        "the published key verifies the token"
    );
    // This token's claims under another token's signature.
    let (signed, _) = token.rsplit_once('.').unwrap();
    let forged = format!("{signed}.{}", vault_aud.rsplit_once('.').unwrap().1);
    assert!(!signed_by(&jwks, &forged));
    let s = review(&sb, &reviewer, &forged, &[]);
    assert_ne!(s["authenticated"], true, "{s}");
    assert!(
        s["error"]
            .as_str()
            .unwrap()
            .contains("error in cryptographic primitive"),
        "{s}"
    );
    sb.stop();
}
