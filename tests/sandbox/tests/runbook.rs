//! The runbook's "Authentication Failures" and "Certificate Expiry", command by command, with
//! the real `kubectl` against a one-pod sandbox. Where a command as written cannot work on the
//! chart or on OpenBao, the test pins how it fails (as it would on a real cluster, with a
//! comment saying why) and then runs the form that works. Results are checked through an
//! independent path: the Vault API, the Secret through kubectl, openssl on the host.

mod common;

use std::process::Output;
use std::time::Duration;

use base64::Engine;
use common::*;
use serde_json::{Value, json};
use vault_sandbox::{Fault, Kubectl, Sandbox};

fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).expect("a JWT");
    serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .expect("base64url"),
    )
    .expect("JSON claims")
}

/// The runbook's step 3, as written, on the operator's machine.
const TEST_LOGIN: &str = r#"
SA_TOKEN=$(kubectl create token proxy-api -n default)

kubectl exec -n vault vault-0 -- vault write auth/kubernetes/login \
  role=proxy-api \
  jwt="$SA_TOKEN"
"#;

/// "Authentication Failures": the Kubernetes auth method is configured with a wrong API address
/// (the incident), the runbook's diagnosis finds it, its fix as written is refused by the CLI,
/// and the fixed form works once the Vault pods' account may review tokens (the chart's
/// `server.authDelegator` binding, checked with `kubectl auth can-i`).
#[test]
fn runbook_authentication_failures() {
    let sb = sandbox("runbook-auth", 1);
    let k = sb.kubectl();
    let root = sb.root_token();
    login(&sb, &k, "vault-0");

    // What the runbook assumes is installed: the method, the application's account, its
    // policy and its role. The incident: the method points at an address where no API answers
    // (a loopback address, as a local cluster's kubeconfig has it: in the pod nothing listens
    // there).
    exec_ok(&k, "vault-0", &["vault", "auth", "enable", "kubernetes"]);
    k.ok(["create", "serviceaccount", "proxy-api", "-n", "default"])
        .expect("create the account");
    stdin_exec(
        &k,
        "vault-0",
        &["vault", "policy", "write", "proxy-api", "-"],
        r#"path "secret/data/proxy-api/*" { capabilities = ["read"] }"#,
    );
    exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "write",
            "auth/kubernetes/role/proxy-api",
            "bound_service_account_names=proxy-api",
            "bound_service_account_namespaces=default",
            "token_policies=proxy-api",
            "token_ttl=20m",
        ],
    );
    // Before anything is configured, the read finds nothing (exit 2).
    let out = exec(&k, "vault-0", &["vault", "read", "auth/kubernetes/config"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("No value found at auth/kubernetes/config"));
    exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "write",
            "auth/kubernetes/config",
            "kubernetes_host=https://127.0.0.1:6443",
        ],
    );

    // 1. `vault read auth/kubernetes/config` shows the wrong host and no reviewer JWT.
    let config = exec_ok(&k, "vault-0", &["vault", "read", "auth/kubernetes/config"]);
    assert_eq!(
        field(&config, "kubernetes_host"),
        Some("https://127.0.0.1:6443"),
        "{config}"
    );
    assert_eq!(field(&config, "token_reviewer_jwt_set"), Some("false"));
    // `kubectl create token proxy-api -n default`: a JWT for the account, valid one hour (the
    // runbook's "1 hour by default").
    let jwt = k
        .ok(["create", "token", "proxy-api", "-n", "default"])
        .expect("kubectl create token")
        .trim()
        .to_string();
    let c = claims(&jwt);
    assert_eq!(c["sub"], "system:serviceaccount:default:proxy-api", "{c}");
    assert_eq!(
        c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(),
        3600,
        "{c}"
    );

    // 2. The role and the account it binds.
    let role = exec_ok(
        &k,
        "vault-0",
        &["vault", "read", "auth/kubernetes/role/proxy-api"],
    );
    assert_eq!(
        field(&role, "bound_service_account_names"),
        Some("[proxy-api]"),
        "{role}"
    );
    assert_eq!(
        field(&role, "bound_service_account_namespaces"),
        Some("[default]"),
        "{role}"
    );
    assert_eq!(field(&role, "token_policies"), Some("[proxy-api]"));
    let sa = table(
        &k.ok(["get", "sa", "proxy-api", "-n", "default"])
            .expect("get sa"),
    );
    assert_eq!(sa.len(), 1, "{sa:?}");
    assert_eq!(row(&sa, "proxy-api")["SECRETS"], "0", "{sa:?}");

    // 3. The login as written: the application's symptom, 403 permission denied (OpenBao hides
    //    why: the TokenReview found no API at that address).
    let out = host_sh(&sb, TEST_LOGIN);
    assert_eq!(out.status.code(), Some(2), "{}", redact(&show(&out)));
    assert!(
        stderr(&out).contains("Code: 403") && stderr(&out).contains("permission denied"),
        "{}",
        redact(&show(&out))
    );
    // The symptom `vault_auth_failures_total`: OpenBao has no such metric. Its telemetry counts
    // login requests, failed or not (`vault.core.handle_login_request`), and nothing named for
    // auth failures. (The in-memory sink keeps 10 s intervals: fail a login each round until
    // the counter shows in the interval sys/metrics reports.)
    let metric_names = || -> Vec<String> {
        let (code, m) = sb
            .vault(0, "GET", "sys/metrics", Some(&root), None)
            .expect("sys/metrics");
        assert_eq!(code, 200, "{m}");
        ["Counters", "Samples", "Gauges"]
            .iter()
            .flat_map(|kind| m[kind].as_array().cloned().unwrap_or_default())
            .filter_map(|x| x["Name"].as_str().map(str::to_string))
            .collect()
    };
    wait_for(
        "a login counter in sys/metrics",
        Duration::from_secs(60),
        || {
            let failed = sb.mint_sa_token("default", "proxy-api", &[], 600).unwrap();
            let (code, _) = sb
                .vault(
                    0,
                    "POST",
                    "auth/kubernetes/login",
                    None,
                    Some(&json!({"role": "proxy-api", "jwt": failed})),
                )
                .expect("login call");
            assert_eq!(code, 403);
            metric_names()
                .iter()
                .any(|n| n == "vault.core.handle_login_request")
        },
    );
    let names = metric_names();
    assert!(
        !names
            .iter()
            .any(|n| n.contains("auth_failure") || n.contains("auth.failure")),
        "{names:?}"
    );

    // 4. "Wrong Kubernetes host", as written: `token_reviewer_jwt="@$(kubectl create token …)"`
    //    asks the CLI to read a file named by the JWT, so the CLI refuses before sending
    //    anything and the configuration stays as it was.
    let fix = |reviewer: &str| {
        host_sh(
            &sb,
            &format!(
                r#"kubectl exec -n vault vault-0 -- vault write auth/kubernetes/config \
  kubernetes_host="https://kubernetes.default.svc" \
  {reviewer}kubernetes_ca_cert=@/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"#
            ),
        )
    };
    let out = fix(
        r#"token_reviewer_jwt="@$(kubectl create token vault -n vault)" \
  "#,
    );
    assert_eq!(out.status.code(), Some(1), "{}", redact(&show(&out)));
    assert!(
        stderr(&out).contains("error reading file") && stderr(&out).contains("file name too long"),
        "{}",
        redact(&show(&out))
    );
    let host = |sb: &Sandbox| {
        let (code, v) = sb
            .vault(0, "GET", "auth/kubernetes/config", Some(&root), None)
            .expect("read the config");
        assert_eq!(code, 200, "{v}");
        v["data"].clone()
    };
    assert_eq!(host(&sb)["kubernetes_host"], "https://127.0.0.1:6443");

    // The in-cluster name, on the `kubernetes` Service's port, reaches the API from the pod.
    let version = exec_ok(
        &k,
        "vault-0",
        &[
            "sh",
            "-c",
            "cd /var/run/secrets/kubernetes.io/serviceaccount && \
             curl -sf --cacert ca.crt -H \"Authorization: Bearer $(cat token)\" \
             https://kubernetes.default.svc/version",
        ],
    );
    let version: Value = serde_json::from_str(&version).expect("the API's /version");
    assert!(version["gitVersion"].is_string(), "{version}");

    // Without the `@`, the write goes through: the in-cluster name (port 443, the `kubernetes`
    // Service's) and the pod's own projected CA, read by the CLI inside the pod.
    let out = fix(
        r#"token_reviewer_jwt="$(kubectl create token vault -n vault)" \
  "#,
    );
    assert!(out.status.success(), "{}", redact(&show(&out)));
    let cfg = host(&sb);
    assert_eq!(cfg["kubernetes_host"], "https://kubernetes.default.svc");
    assert_eq!(cfg["token_reviewer_jwt_set"], true, "{cfg}");
    let api_ca = std::fs::read_to_string(sb.api_ca_path()).unwrap();
    assert_eq!(
        cfg["kubernetes_ca_cert"].as_str().map(str::trim),
        Some(api_ca.trim()),
        "the pod's ca.crt is the API's CA"
    );
    // Still 403: the reviewer (the `vault` account) may not create TokenReviews. The chart
    // binds it to system:auth-delegator (`server.authDelegator`); here nothing has.
    let out = host_sh(&sb, TEST_LOGIN);
    assert_eq!(out.status.code(), Some(2), "{}", redact(&show(&out)));
    assert!(stderr(&out).contains("permission denied"));
    let can_i = || {
        k.run([
            "auth",
            "can-i",
            "create",
            "tokenreviews",
            "--as=system:serviceaccount:vault:vault",
        ])
    };
    let out = can_i();
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert_eq!(stdout(&out).trim(), "no", "{}", show(&out));
    k.ok([
        "create",
        "clusterrolebinding",
        "vault-server-binding",
        "--clusterrole=system:auth-delegator",
        "--serviceaccount=vault:vault",
    ])
    .expect("the chart's auth-delegator binding");
    let out = can_i();
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(stdout(&out).trim(), "yes", "{}", show(&out));

    // 3 again, as written: the login succeeds and its token carries the role's policy.
    let out = host_sh(&sb, TEST_LOGIN);
    assert!(out.status.success(), "{}", redact(&show(&out)));
    let text = stdout(&out);
    assert_eq!(
        field(&text, "token_policies"),
        Some(r#"["default" "proxy-api"]"#),
        "{}",
        redact(&text)
    );
    let token = field(&text, "token")
        .expect("the login's token")
        .to_string();
    let (code, me) = sb
        .vault(0, "GET", "auth/token/lookup-self", Some(&token), None)
        .unwrap();
    assert_eq!(code, 200, "{me}");
    assert_eq!(me["data"]["meta"]["service_account_name"], "proxy-api");
    assert_eq!(me["data"]["meta"]["service_account_namespace"], "default");
    assert!(
        me["data"]["policies"]
            .as_array()
            .is_some_and(|p| p.iter().any(|x| x == "proxy-api")),
        "{me}"
    );

    // "JWT token expired": an expired application token is refused with the same 403.
    let login_api = |jwt: &str| {
        sb.vault(
            0,
            "POST",
            "auth/kubernetes/login",
            None,
            Some(&json!({"role": "proxy-api", "jwt": jwt})),
        )
        .expect("login call")
        .0
    };
    let expired = sb
        .mint_sa_token("default", "proxy-api", &[], -60)
        .expect("an expired token");
    assert_eq!(login_api(&expired), 403);
    let fresh = sb.mint_sa_token("default", "proxy-api", &[], 600).unwrap();
    assert_eq!(login_api(&fresh), 200);

    // The fix's reviewer JWT is itself a one-hour token: an hour later (an expired reviewer
    // token) every login fails again. Without token_reviewer_jwt, OpenBao reviews with the
    // pod's own projected token, which the kubelet renews.
    // (An hour past its expiry: the API, as kube-apiserver does, allows 60 s of leeway.)
    let reviewer = sb.mint_sa_token("vault", "vault", &[], -3600).unwrap();
    let (code, v) = sb
        .vault(
            0,
            "POST",
            "auth/kubernetes/config",
            Some(&root),
            Some(&json!({"kubernetes_host": "https://kubernetes.default.svc",
                         "kubernetes_ca_cert": api_ca, "token_reviewer_jwt": reviewer})),
        )
        .unwrap();
    assert!(code < 300, "{code} {v}");
    assert_eq!(login_api(&fresh), 403, "an expired reviewer token");
    let out = fix("");
    assert!(out.status.success(), "{}", redact(&show(&out)));
    assert_eq!(host(&sb)["token_reviewer_jwt_set"], false);
    let out = host_sh(&sb, TEST_LOGIN);
    assert!(out.status.success(), "{}", redact(&show(&out)));
    assert_eq!(login_api(&fresh), 200);
}

/// `openssl ARGS` on the host with `input` on stdin.
fn openssl(args: &[&str], input: &[u8]) -> Output {
    vault_sandbox::openssl(args, input)
}

/// The runbook's step 1 as written: the dates of the certificate vault-0 serves.
fn served_dates(sb: &Sandbox) -> (String, String) {
    try_served_dates(sb).unwrap_or_else(|e| panic!("{e}"))
}

fn try_served_dates(sb: &Sandbox) -> Result<(String, String), String> {
    let out = host_sh(
        sb,
        "kubectl exec -n vault vault-0 -- openssl s_client -connect localhost:8200 -servername vault.vault.svc 2>/dev/null | openssl x509 -noout -dates",
    );
    if !out.status.success() {
        return Err(show(&out));
    }
    let text = stdout(&out);
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k))
            .map(str::to_string)
            .ok_or_else(|| format!("no {k} in {text}"))
    };
    Ok((get("notBefore=")?, get("notAfter=")?))
}

fn end_date(pem: &[u8]) -> String {
    let out = openssl(&["x509", "-noout", "-enddate"], pem);
    assert!(out.status.success(), "{}", show(&out));
    stdout(&out)
        .trim()
        .trim_start_matches("notAfter=")
        .to_string()
}

/// A key of the `vault-tls` Secret as kubectl returns it.
fn secret_key(k: &Kubectl, key: &str) -> Option<Vec<u8>> {
    let s = k
        .json(["get", "secret", "vault-tls", "-n", "vault"])
        .expect("get secret vault-tls");
    let b64 = s["data"][key].as_str()?;
    Some(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .expect("base64"),
    )
}

/// Waits until vault-0's mounted Secret holds `pem`, then `kill -HUP 1` in the pod (the
/// server is the pod's PID 1) and waits until it serves a certificate ending `not_after`.
fn reload(sb: &Sandbox, k: &Kubectl, pem: &[u8]) {
    wait_for(
        "vault-0's volume to hold the new certificate",
        Duration::from_secs(30),
        || {
            exec(
                k,
                "vault-0",
                &["cat", "/vault/userconfig/vault-tls/tls.crt"],
            )
            .stdout
                == pem
        },
    );
    exec_ok(k, "vault-0", &["kill", "-HUP", "1"]);
    let want = end_date(pem);
    wait_for(
        "vault-0 to serve the new certificate",
        Duration::from_secs(30),
        || try_served_dates(sb).is_ok_and(|d| d.1 == want),
    );
}

/// The runbook's "Update TLS secret" pipeline, as written, in the sandbox's directory.
const UPDATE_SECRET: &str = "kubectl create secret tls vault-tls \\
  --cert=new-cert.pem \\
  --key=new-key.pem \\
  -n vault --dry-run=client -o yaml | kubectl apply -f -";

/// "Certificate Expiry": vault-0 serves an expired certificate (the incident); the runbook's
/// check shows it, its renewal through the in-pod CLI cannot verify the server it talks to,
/// its certificate lacks the names the pod is reached by, and its restart is a no-op on the
/// chart's OnDelete strategy. Each working form is run after the form as written.
#[test]
fn runbook_certificate_expiry() {
    let sb = sandbox("runbook-certs", 1);
    let k = sb.kubectl();
    let root = sb.root_token();
    login(&sb, &k, "vault-0");
    // What the runbook assumes is installed: a PKI engine whose CA is the one the chart's
    // `vault-tls` Secret trusts (the sandbox's Vault CA), with a role `vault`.
    sb.enable_pki("pki").expect("enable the PKI engine");
    exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "write",
            "pki/roles/vault",
            "allow_any_name=true",
            "max_ttl=8760h",
        ],
    );

    // 1. The check as written: the served certificate is the Secret's, valid for a year.
    let original = secret_key(&k, "tls.crt").expect("tls.crt");
    let (_, not_after) = served_dates(&sb);
    assert_eq!(not_after, end_date(&original));
    // `vault list auth/cert/certs`: the chart enables no cert auth method, so there is
    // nothing to list (exit 2), and Vault confirms there is no such mount.
    let out = exec(&k, "vault-0", &["vault", "list", "auth/cert/certs"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("No value found at auth/cert/certs"));
    let (_, auths) = sb.vault(0, "GET", "sys/auth", Some(&root), None).unwrap();
    assert!(auths["data"]["cert/"].is_null(), "{auths:#}");
    // Nor is there a `secret/` mount: the chart's install enables no KV engine.
    let (_, mounts) = sb.vault(0, "GET", "sys/mounts", Some(&root), None).unwrap();
    assert!(mounts["data"]["secret/"].is_null(), "{mounts:#}");
    assert!(mounts["data"]["pki/"].is_object(), "{mounts:#}");

    // The incident: the Secret's certificate has expired and the server has reloaded it.
    sb.fault(Fault::ExpireCert, "").expect("expire-cert");
    let expired = secret_key(&k, "tls.crt").expect("tls.crt");
    reload(&sb, &k, &expired);
    let (_, not_after) = served_dates(&sb);
    assert_eq!(not_after, end_date(&expired));
    let check = host_sh(
        &sb,
        "kubectl exec -n vault vault-0 -- openssl s_client -connect localhost:8200 -servername vault.vault.svc 2>/dev/null | openssl x509 -noout -checkend 0",
    );
    assert!(!check.status.success(), "expired: {}", show(&check));
    // The chart's readiness probe skips verification, so the pod stays Ready while every
    // verifying client, the in-pod CLI included, refuses the server.
    assert_eq!(row(&pods_table(&k), "vault-0")["READY"], "1/1");
    let out = exec(&k, "vault-0", &["vault", "list", "auth/cert/certs"]);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(
        stderr(&out).contains("certificate has expired"),
        "{}",
        show(&out)
    );

    // 2. The renewal as written goes through that same CLI: refused, as the server's
    //    certificate has expired.
    let issue_args = |flags: &[&str], alt_names: &str, extra: &[&str]| {
        let mut v: Vec<String> = ["vault", "write"].map(String::from).to_vec();
        v.extend(flags.iter().map(|s| s.to_string()));
        v.extend([
            "pki/issue/vault".to_string(),
            "common_name=vault.vault.svc.cluster.local".to_string(),
            format!("alt_names={alt_names}"),
            "ttl=8760h".to_string(),
        ]);
        v.extend(extra.iter().map(|s| s.to_string()));
        v
    };
    const RUNBOOK_ALT_NAMES: &str =
        "vault,vault.vault,vault.vault.svc,vault.vault.svc.cluster.local";
    let args = issue_args(&[], RUNBOOK_ALT_NAMES, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = exec(&k, "vault-0", &args);
    assert_eq!(out.status.code(), Some(2), "{}", show(&out));
    assert!(stderr(&out).contains("certificate has expired"));
    // With -tls-skip-verify it issues, but the runbook never saves what it prints: the next
    // step's new-cert.pem and new-key.pem come from the JSON form.
    let issue = |alt_names: &str, extra: &[&str]| {
        let args = issue_args(&["-tls-skip-verify", "-format=json"], alt_names, extra);
        let script = format!(
            "kubectl exec -n vault vault-0 -- {} > issued.json && \
             jq -r .data.certificate issued.json > new-cert.pem && \
             jq -r .data.private_key issued.json > new-key.pem && rm issued.json",
            args.iter()
                .map(|a| format!("'{a}'"))
                .collect::<Vec<_>>()
                .join(" ")
        );
        let out = host_sh(&sb, &script);
        assert!(out.status.success(), "{}", show(&out));
        std::fs::read(sb.dir().join("new-cert.pem")).expect("new-cert.pem")
    };
    let new = issue(RUNBOOK_ALT_NAMES, &[]);
    let ca = std::fs::read(sb.ca_path()).unwrap();
    let verify = openssl(&["verify", "-CAfile", sb.ca_path().to_str().unwrap()], &new);
    assert!(verify.status.success(), "{}", show(&verify));
    let sans = stdout(&openssl(
        &["x509", "-noout", "-ext", "subjectAltName"],
        &new,
    ));
    for name in ["DNS:vault.vault.svc", "DNS:vault.vault.svc.cluster.local"] {
        assert!(sans.contains(name), "{name} missing: {sans}");
    }
    // The runbook's names miss 127.0.0.1 (the chart's VAULT_ADDR in the pod) and the pods' own
    // names (`vault-0.vault-internal`, which the chart's raft retry_join uses).
    let matches = |flag: &str, what: &str, pem: &[u8]| {
        stdout(&openssl(&["x509", "-noout", flag, what], pem)).contains(" does match")
    };
    assert!(!matches("-checkip", "127.0.0.1", &new), "{sans}");
    assert!(
        !matches("-checkhost", "vault-0.vault-internal", &new),
        "{sans}"
    );
    assert!(matches("-checkhost", "vault.vault.svc", &new), "{sans}");

    // The Secret update as written: the certificate and key are replaced; `kubectl apply`
    // merges into the existing Secret, so its ca.crt (not in the new manifest) stays.
    let out = host_sh(&sb, UPDATE_SECRET);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(secret_key(&k, "tls.crt").as_deref(), Some(&new[..]));
    assert_eq!(
        secret_key(&k, "tls.key"),
        Some(std::fs::read(sb.dir().join("new-key.pem")).unwrap())
    );
    assert_eq!(secret_key(&k, "ca.crt"), Some(ca.clone()));

    // `kubectl rollout restart`: on the chart's OnDelete strategy it changes the template and
    // restarts nothing; vault-0 keeps serving the expired certificate although its volume
    // already holds the new one.
    let uid = pod_uid(&pod_json(&k, "vault-0").expect("vault-0"));
    let sts = || {
        k.json(["get", "statefulset", "vault", "-n", "vault"])
            .expect("get sts")
    };
    let revision = sts()["status"]["updateRevision"].clone();
    let out = k
        .ok(["rollout", "restart", "statefulset/vault", "-n", "vault"])
        .expect("kubectl rollout restart");
    assert!(out.contains("restarted"), "{out}");
    wait_for("a new update revision", Duration::from_secs(20), || {
        sts()["status"]["updateRevision"] != revision
    });
    wait_for(
        "vault-0's volume to hold the new certificate",
        Duration::from_secs(30),
        || {
            exec(
                &k,
                "vault-0",
                &["cat", "/vault/userconfig/vault-tls/tls.crt"],
            )
            .stdout
                == new
        },
    );
    assert_eq!(sts()["spec"]["updateStrategy"]["type"], "OnDelete");
    assert_eq!(pod_uid(&pod_json(&k, "vault-0").unwrap()), uid);
    assert_eq!(served_dates(&sb).1, end_date(&expired), "no reload");

    // What works without downtime: SIGHUP to the server (PID 1 of the pod) reloads the
    // certificate. It now verifies, but not under 127.0.0.1, the in-pod CLI's address…
    reload(&sb, &k, &new);
    let out = exec(&k, "vault-0", &["vault", "status"]);
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stderr(&out).contains("doesn't contain any IP SANs"),
        "{}",
        show(&out)
    );
    // …nor under the pod's own name, which the chart's retry_join (raft) dials…
    let out = exec(
        &k,
        "vault-0",
        &[
            "vault",
            "status",
            "-address=https://vault-0.vault-internal:8200",
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", show(&out));
    assert!(
        stderr(&out).contains("not vault-0.vault-internal"),
        "{}",
        show(&out)
    );
    // …while a client using a name the runbook listed verifies it.
    let text = exec_ok(
        &k,
        "vault-0",
        &["vault", "status", "-address=https://vault.vault.svc:8200"],
    );
    assert_eq!(field(&text, "Sealed"), Some("false"), "{text}");

    // The working renewal: the runbook's names plus the pods' own and 127.0.0.1.
    let fixed = issue(
        &format!("{RUNBOOK_ALT_NAMES},*.vault-internal,*.vault-internal.vault.svc.cluster.local"),
        &["ip_sans=127.0.0.1"],
    );
    assert!(matches("-checkip", "127.0.0.1", &fixed));
    // (OpenSSL matches no wildcard with a single label after it, so it checks the long name;
    // Go, which the CLI and raft use, matches the short one: checked below.)
    assert!(matches(
        "-checkhost",
        "vault-0.vault-internal.vault.svc.cluster.local",
        &fixed
    ));
    let out = host_sh(&sb, UPDATE_SECRET);
    assert!(out.status.success(), "{}", show(&out));
    assert_eq!(secret_key(&k, "tls.crt").as_deref(), Some(&fixed[..]));
    reload(&sb, &k, &fixed);
    for addr in [
        "https://127.0.0.1:8200",
        "https://vault-0.vault-internal:8200",
        "https://vault.vault.svc:8200",
    ] {
        let text = exec_ok(
            &k,
            "vault-0",
            &["vault", "status", &format!("-address={addr}")],
        );
        assert_eq!(field(&text, "Sealed"), Some("false"), "{addr}: {text}");
    }
    // Valid for most of a year from now, and the sandbox's own verifying client agrees.
    let year = openssl(&["x509", "-noout", "-checkend", "31000000"], &fixed);
    assert!(year.status.success(), "{}", show(&year));
    let (code, body) = sb.vault(0, "GET", "sys/health", None, None).unwrap();
    assert_eq!(code, 200, "{body}");
    assert_eq!(pod_uid(&pod_json(&k, "vault-0").unwrap()), uid);

    // 3. A client certificate: the runbook's `pki/issue/client` needs a role `client`, and its
    //    `kubectl create secret tls` the files it never writes; with both, the Secret is made.
    exec_ok(
        &k,
        "vault-0",
        &[
            "vault",
            "write",
            "pki/roles/client",
            "allow_any_name=true",
            "server_flag=false",
            "client_flag=true",
            "max_ttl=2160h",
        ],
    );
    let out = host_sh(
        &sb,
        "kubectl exec -n vault vault-0 -- vault write -format=json pki/issue/client \
           common_name=proxy-api ttl=2160h > client.json && \
         jq -r .data.certificate client.json > client-cert.pem && \
         jq -r .data.private_key client.json > client-key.pem && rm client.json && \
         kubectl create secret tls proxy-api-client-tls \
           --cert=client-cert.pem \
           --key=client-key.pem \
           -n default",
    );
    assert!(out.status.success(), "{}", show(&out));
    let s = k
        .json(["get", "secret", "proxy-api-client-tls", "-n", "default"])
        .expect("the client Secret");
    assert_eq!(s["type"], "kubernetes.io/tls");
    let client = base64::engine::general_purpose::STANDARD
        .decode(s["data"]["tls.crt"].as_str().unwrap())
        .unwrap();
    let purpose = stdout(&openssl(&["x509", "-noout", "-purpose"], &client));
    assert!(purpose.contains("SSL client : Yes"), "{purpose}");
    assert!(purpose.contains("SSL server : No"), "{purpose}");
    let subject = stdout(&openssl(&["x509", "-noout", "-subject"], &client));
    assert!(subject.contains("CN=proxy-api") || subject.contains("CN = proxy-api"));
}
