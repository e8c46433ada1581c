//! End-to-end tests of `kubectl vault-certs`: the real plugin executable, reached through the
//! real kubectl's plugin discovery, against the sandbox's real OpenBao pods serving real TLS.
//! What the pods serve is checked with `openssl s_client` straight to each pod's address, and
//! what the Secret holds through kubectl — never through the plugin's own report.

#[path = "../support/mod.rs"]
mod support;

mod variants;

use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use support::{Env, assert_exit, show, stdout};
use vault_sandbox::{Fault, Options};

const PLUGIN: &str = env!("CARGO_BIN_EXE_kubectl-vault_certs");

fn start(name: &str, nodes: u32, cert_days: u32) -> Env {
    support::env_with(
        name,
        PLUGIN,
        Options {
            nodes,
            cert_days,
            ..Default::default()
        },
    )
}

/// `issue-client` as these tests call it: the client app-client into the Secret app/app-tls.
const ISSUE_APP_TLS: [&str; 6] = [
    "issue-client",
    "app-client",
    "--secret-namespace",
    "app",
    "--secret",
    "app-tls",
];

/// A sandbox (certificates valid a year) with the PKI role `role` makes, and its token file.
fn start_with_role(name: &str, nodes: u32, role: fn(&Env)) -> (Env, std::path::PathBuf) {
    let e = start(name, nodes, 365);
    role(&e);
    let token = e.token_file();
    (e, token)
}

fn certs(e: &Env, args: &[&str]) -> Output {
    let mut full = vec!["vault-certs"];
    full.extend_from_slice(args);
    let out = e.run(&full, None);
    support::assert_no_secret(&format!("vault-certs {args:?}"), &show(&out), &e.secrets());
    out
}

/// `vault-certs ARGS` exits `code` and its output says `text`.
fn certs_say(e: &Env, args: &[&str], code: i32, text: &str) {
    let out = certs(e, args);
    assert_exit(&out, code);
    assert!(stdout(&out).contains(text), "{}", show(&out));
}

fn json(e: &Env) -> (Output, Value) {
    json_with(e, &[])
}

fn json_with(e: &Env, args: &[&str]) -> (Output, Value) {
    let mut full = vec!["-o", "json"];
    full.extend_from_slice(args);
    let out = certs(e, &full);
    let v =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|err| panic!("{err}\n{}", show(&out)));
    (out, v)
}

/// Pipes `input` through `openssl args…` and returns its stdout.
fn openssl(args: &[&str], input: &[u8]) -> (bool, String) {
    let out = vault_sandbox::openssl(args, input);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// The PEM certificate pod `ordinal` serves to a client asking for the Service name, from
/// `openssl s_client` to the pod's own address.
fn served_pem(e: &Env, ordinal: u32) -> Vec<u8> {
    let addr = format!("{}:8200", e.sb.pod_ip(ordinal));
    let sni = format!("vault.{}.svc", e.sb.namespace());
    let (_, text) = openssl(&["s_client", "-connect", &addr, "-servername", &sni], b"");
    let begin = text
        .find("-----BEGIN CERTIFICATE-----")
        .unwrap_or_else(|| panic!("no certificate from {addr}:\n{text}"));
    let end = text
        .find("-----END CERTIFICATE-----")
        .expect("end of the certificate")
        + 25;
    format!("{}\n", &text[begin..end]).into_bytes()
}

/// The lower-case hex SHA-256 fingerprint of a PEM certificate, by openssl.
fn fingerprint(pem: &[u8]) -> String {
    let (ok, text) = openssl(&["x509", "-noout", "-fingerprint", "-sha256"], pem);
    assert!(
        ok,
        "openssl x509 failed on {}",
        String::from_utf8_lossy(pem)
    );
    text.trim()
        .rsplit('=')
        .next()
        .expect("fingerprint")
        .replace(':', "")
        .to_lowercase()
}

/// tls.crt of the `vault-tls` Secret, read through kubectl.
fn secret_pem(e: &Env) -> Vec<u8> {
    let out = e.run(
        &[
            "get",
            "secret",
            "vault-tls",
            "-o",
            "jsonpath={.data.tls\\.crt}",
        ],
        None,
    );
    assert_exit(&out, 0);
    let (ok, pem) = openssl(&["base64", "-d", "-A"], stdout(&out).trim().as_bytes());
    assert!(ok, "decode tls.crt");
    pem.into_bytes()
}

fn kinds(v: &Value) -> Vec<(String, String, String)> {
    v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap_or_default().to_string(),
                f["subject"].as_str().unwrap_or_default().to_string(),
                f["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

#[test]
fn five_days_left_is_a_warning_per_pod() {
    let e = start("certs-5d", 3, 5);
    let out = certs(&e, &[]);
    assert_exit(&out, 2);
    let text = stdout(&out);
    let (out_json, v) = json(&e);
    assert_exit(&out_json, 2);
    let pods = v["pods"].as_array().expect("pods");
    assert_eq!(pods.len(), 3, "{v:#}");
    for (i, p) in pods.iter().enumerate() {
        let pod = format!("vault-{i}");
        assert_eq!(p["pod"], pod.as_str());
        // Independently: the certificate the pod serves expires after 4 days and before 6.
        let pem = served_pem(&e, i as u32);
        assert!(
            openssl(
                &["x509", "-noout", "-checkend", &(4 * 86400).to_string()],
                &pem
            )
            .0
        );
        assert!(
            !openssl(
                &["x509", "-noout", "-checkend", &(6 * 86400).to_string()],
                &pem
            )
            .0
        );
        assert_eq!(p["served"]["sha256"], fingerprint(&pem).as_str(), "{p:#}");
        let days = p["days_left"].as_i64().expect("days_left");
        assert!((4..=5).contains(&days), "{p:#}");
        assert_eq!(p["chain_verified"], true, "{p:#}");
        assert_eq!(p["serves_secret"], true, "{p:#}");
        assert!(
            p["names_missing"]
                .as_array()
                .expect("names_missing")
                .is_empty(),
            "{p:#}"
        );
        assert!(
            text.contains(&format!(
                "{pod}: the certificate it serves expires in {days} days"
            )),
            "{text}"
        );
        assert!(
            kinds(&v)
                .iter()
                .any(|(k, s, _)| k == "expires_critical" && *s == pod),
            "{v:#}"
        );
    }
    // A narrower window: 5 days left is outside --warn 3d, and nothing else is wrong.
    certs_say(
        &e,
        &["--warn", "3d", "--critical", "1d"],
        0,
        "No problems found.",
    );
}

/// Sends SIGHUP to every pod until each serves what the Secret holds (the kubelet copies a
/// changed Secret into the pods within about a second), checked with openssl.
fn reload_all(e: &Env, nodes: u32) {
    let want = fingerprint(&secret_pem(e));
    let deadline = Instant::now() + Duration::from_secs(30);
    for i in 0..nodes {
        loop {
            e.sb.signal(&format!("vault-{i}"), libc::SIGHUP)
                .expect("SIGHUP");
            std::thread::sleep(Duration::from_millis(700));
            if fingerprint(&served_pem(e, i)) == want {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "vault-{i} never served the Secret's certificate"
            );
        }
    }
}

#[test]
fn a_certificate_without_the_service_name_is_a_san_gap() {
    let e = start("certs-san", 2, 365);
    e.sb.fault(Fault::WrongSan, "").expect("wrong-san");
    reload_all(&e, 2);
    let (out, v) = json(&e);
    assert_exit(&out, 2);
    let ns = e.sb.namespace().to_string();
    for i in 0..2 {
        let pod = format!("vault-{i}");
        let gap = kinds(&v)
            .into_iter()
            .find(|(k, s, _)| k == "san_gap" && *s == pod)
            .unwrap_or_else(|| panic!("no san_gap for {pod}: {v:#}"));
        assert!(gap.2.contains(&format!("vault.{ns}.svc")), "{gap:?}");
        // The pod's own name is still covered.
        assert!(
            !gap.2.contains(&format!("{pod}.vault-internal,")),
            "{gap:?}"
        );
    }
    certs_say(&e, &[], 2, "san_gap");

    // The chain is judged against the CA given, apart from the names: another CA (the API
    // server's) does not vouch for it, the Vault CA does.
    let other = e.sb.api_ca_path();
    let (out, v) = json_with(&e, &["--ca-cert", other.to_str().unwrap()]);
    assert_exit(&out, 2);
    for p in v["pods"].as_array().expect("pods") {
        assert_eq!(p["chain_verified"], false, "{p:#}");
        let why = p["chain_error"].as_str().unwrap_or_default();
        assert!(why.contains("UnknownIssuer"), "{p:#}");
        let pod = p["pod"].as_str().unwrap_or_default();
        assert!(
            kinds(&v)
                .iter()
                .any(|(k, s, _)| k == "untrusted_chain" && s == pod),
            "{v:#}"
        );
    }
    let ours = e.sb.ca_path();
    let (_, v) = json_with(&e, &["--ca-cert", ours.to_str().unwrap()]);
    for p in v["pods"].as_array().expect("pods") {
        assert_eq!(p["chain_verified"], true, "{p:#}");
    }
    assert!(
        !kinds(&v).iter().any(|(k, _, _)| k == "untrusted_chain"),
        "{v:#}"
    );
}

#[test]
fn a_secret_renewed_but_not_reloaded_is_a_finding() {
    let e = start("certs-reload", 2, 365);
    certs_say(&e, &[], 0, "No problems found.");

    // Against a CA that did not issue it (the API server's), the chain does not verify.
    let api_ca = e.sb.api_ca_path();
    let (out, v) = json_with(&e, &["--ca-cert", api_ca.to_str().expect("utf-8 path")]);
    assert_exit(&out, 2);
    for i in 0..2 {
        let pod = format!("vault-{i}");
        assert!(
            kinds(&v)
                .iter()
                .any(|(k, s, _)| k == "untrusted_chain" && *s == pod),
            "{v:#}"
        );
    }

    let before: Vec<String> = (0..2).map(|i| fingerprint(&served_pem(&e, i))).collect();
    e.sb.fault(Fault::ExpireCert, "").expect("expire-cert");
    // Independently: the Secret now differs from what every pod serves.
    let stored = fingerprint(&secret_pem(&e));
    for (i, fp) in before.iter().enumerate() {
        assert_ne!(&stored, fp);
        assert_eq!(
            &fingerprint(&served_pem(&e, i as u32)),
            fp,
            "vault-{i} reloaded on its own"
        );
    }
    let (out, v) = json(&e);
    assert_exit(&out, 2);
    for (i, p) in v["pods"].as_array().expect("pods").iter().enumerate() {
        assert_eq!(p["serves_secret"], false, "{p:#}");
        assert_eq!(p["secret_sha256"], stored.as_str(), "{p:#}");
        assert_eq!(p["served"]["sha256"], before[i].as_str(), "{p:#}");
    }
    let found = kinds(&v);
    for i in 0..2 {
        let pod = format!("vault-{i}");
        assert!(
            found.iter().any(|(k, s, m)| k == "renewed_not_reloaded"
                && *s == pod
                && m.contains("renewed but not reloaded")),
            "{v:#}"
        );
    }
    certs_say(&e, &[], 2, "renewed but not reloaded");
}

#[test]
fn a_pod_that_does_not_answer_is_unreadable_not_healthy() {
    let e = start("certs-stopped", 2, 365);
    e.sb.fault(Fault::Stop, "vault-1").expect("stop vault-1");
    let started = Instant::now();
    let (out, v) = json(&e);
    assert_exit(&out, 2);
    assert!(
        started.elapsed() < Duration::from_secs(40),
        "{:?}",
        started.elapsed()
    );
    let pods = v["pods"].as_array().expect("pods");
    assert!(pods[0]["served"]["sha256"].is_string(), "{v:#}");
    assert!(pods[1]["served"].is_null(), "{v:#}");
    assert!(pods[1]["error"].is_string(), "{v:#}");
    let found = kinds(&v);
    assert!(
        found
            .iter()
            .any(|(k, s, _)| k == "unreadable" && s == "vault-1"),
        "{v:#}"
    );
    assert!(!found.iter().any(|(_, s, _)| s == "vault-0"), "{v:#}");
    e.sb.fault(Fault::Resume, "vault-1")
        .expect("resume vault-1");
}

#[test]
fn shell_completion_scripts_are_current_and_list_the_subcommands() {
    support::assert_completions_current(PLUGIN, "sta", "status");
}

/// Mounts the PKI engine with the sandbox's Vault CA as issuer and adds `role` with `config`.
fn pki_role(e: &Env, role: &str, config: Value) {
    e.sb.enable_pki("pki").expect("enable the PKI engine");
    let (code, v) =
        e.sb.vault_active("POST", &format!("pki/roles/{role}"), Some(&config))
            .expect("create the role");
    assert!((200..300).contains(&code), "{code} {v}");
}

fn wide_role(e: &Env) {
    pki_role(
        e,
        "vault-server",
        serde_json::json!({"allow_any_name": true, "allow_ip_sans": true, "enforce_hostnames": false,
                           "allow_localhost": true, "max_ttl": "87600h"}),
    );
}

/// The `client` role: client certificates for any name.
fn client_role(e: &Env) {
    pki_role(
        e,
        "client",
        serde_json::json!({"allow_any_name": true, "client_flag": true, "server_flag": false,
                           "max_ttl": "87600h"}),
    );
}

/// A Secret as kubectl returns it (None when there is none).
fn secret_json(e: &Env, name: &str) -> Option<Value> {
    e.kubectl.json(["get", "secret", name]).ok()
}

/// Per pod (ordinal order): UID and restart count, read with kubectl.
fn pod_identities(e: &Env, nodes: u32) -> Vec<(String, u64)> {
    (0..nodes)
        .map(|i| {
            let p = e
                .kubectl
                .json(["get", "pod", &format!("vault-{i}")])
                .expect("get pod");
            (
                p["metadata"]["uid"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                p["status"]["containerStatuses"][0]["restartCount"]
                    .as_u64()
                    .unwrap_or(0),
            )
        })
        .collect()
}

fn serial(pem: &[u8]) -> String {
    openssl(&["x509", "-noout", "-serial"], pem)
        .1
        .trim()
        .to_string()
}

/// Clients of the `vault` Service while `f` runs: each request a new TLS connection (verified
/// against the CA, with the Service's name) to the next pod in turn, as the Service spreads
/// them. Returns (requests, failures with their errors).
fn with_client_loop<T>(e: &Env, nodes: u32, f: impl FnOnce() -> T) -> (T, usize, Vec<String>) {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    let done = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = done.clone();
    let ca = e.sb.ca_path();
    let sni = format!("vault.{}.svc", e.sb.namespace());
    let ips: Vec<String> = (0..nodes).map(|i| e.sb.pod_ip(i).to_string()).collect();
    let flag = stop.clone();
    let client = std::thread::spawn(move || {
        let (mut n, mut failures) = (0usize, Vec::new());
        while !flag.load(Ordering::SeqCst) {
            let ip = &ips[n % ips.len()];
            let out = Command::new("curl")
                .args([
                    "-sS",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "--max-time",
                    "5",
                ])
                .arg("--cacert")
                .arg(&ca)
                .args(["--resolve", &format!("{sni}:8200:{ip}")])
                .arg(format!("https://{sni}:8200/v1/sys/seal-status"))
                .output()
                .expect("curl");
            let code = String::from_utf8_lossy(&out.stdout).to_string();
            if code != "200" {
                failures.push(format!(
                    "{ip}: {code} {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                ));
            }
            n += 1;
            counter.store(n, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(50));
        }
        (n, failures)
    });
    // Each pod answers the loop once before `f` and once more after it, whatever the
    // machine's speed: a renewal from a CA Secret can be over before one curl has run.
    let rounds = |after: usize| {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while done.load(Ordering::SeqCst) < after + nodes as usize
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    rounds(0);
    let result = f();
    rounds(done.load(Ordering::SeqCst));
    stop.store(true, Ordering::SeqCst);
    let (n, failures) = client.join().expect("client loop");
    (result, n, failures)
}

/// `vault-certs ARGS` (a renewal) with the client loop running: it succeeds, and no request
/// of the loop fails.
fn renew_under_load(e: &Env, nodes: u32, args: &[&str]) -> Output {
    let (out, requests, failures) = with_client_loop(e, nodes, || certs(e, args));
    assert_exit(&out, 0);
    assert!(
        requests >= 2 * nodes as usize,
        "the client loop ran ({requests} requests)"
    );
    assert!(
        failures.is_empty(),
        "requests failed during the renewal: {failures:?}"
    );
    out
}

#[test]
fn renew_from_pki_reloads_every_pod_without_restart_and_rollback_restores() {
    let nodes = 3;
    let (e, token) = start_with_role("certs-renew", nodes, wide_role);
    let token = token.to_str().expect("path");
    let old_secret = secret_pem(&e);
    let old_fp = fingerprint(&old_secret);
    let old_serial = serial(&old_secret);
    for i in 0..nodes {
        assert_eq!(fingerprint(&served_pem(&e, i)), old_fp);
    }
    let before = pod_identities(&e, nodes);

    let out = renew_under_load(
        &e,
        nodes,
        &[
            "renew",
            "--role",
            "vault-server",
            "--ttl",
            "2160h",
            "--yes",
            "--token-file",
            token,
        ],
    );

    // Independently: the Secret holds a new certificate from the CA the pods trust, every pod
    // serves it (openssl to each pod's address), the old serial is gone.
    let new_secret = secret_pem(&e);
    let new_fp = fingerprint(&new_secret);
    assert_ne!(new_fp, old_fp);
    assert!(
        openssl(
            &["verify", "-CAfile", e.sb.ca_path().to_str().unwrap()],
            &new_secret
        )
        .0,
        "the new certificate verifies against the Vault CA"
    );
    for i in 0..nodes {
        let served = served_pem(&e, i);
        assert_eq!(
            fingerprint(&served),
            new_fp,
            "vault-{i} serves the new certificate"
        );
        assert_ne!(serial(&served), old_serial, "vault-{i}");
        assert!(!e.sealed(i), "vault-{i} is unsealed");
    }
    assert_eq!(
        pod_identities(&e, nodes),
        before,
        "no pod restarted or was replaced"
    );
    // The new key never reached the output.
    let key = secret_json(&e, "vault-tls").expect("vault-tls")["data"]["tls.key"]
        .as_str()
        .expect("tls.key")
        .to_string();
    let (_, key_pem) = openssl(&["base64", "-d", "-A"], key.as_bytes());
    let body: String = key_pem
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    support::assert_no_secret("renew", &show(&out), &[key.clone(), body.clone()]);
    // The previous Secret is kept; Events on the Secret and on each pod.
    let backup = secret_json(&e, "vault-tls-backup").expect("the backup Secret");
    let (_, backup_crt) = openssl(
        &["base64", "-d", "-A"],
        backup["data"]["tls.crt"]
            .as_str()
            .expect("backup tls.crt")
            .as_bytes(),
    );
    assert_eq!(fingerprint(backup_crt.as_bytes()), old_fp);
    let events = e.our_events();
    let reasons: Vec<(String, String)> = events
        .iter()
        .map(|ev| {
            (
                ev["reason"].as_str().unwrap_or_default().to_string(),
                ev["regarding"]["name"]
                    .as_str()
                    .or(ev["involvedObject"]["name"].as_str())
                    .unwrap_or_default()
                    .to_string(),
            )
        })
        .collect();
    assert!(
        reasons.contains(&("CertificateRenewed".into(), "vault-tls".into())),
        "{reasons:?}"
    );
    for i in 0..nodes {
        assert!(
            reasons.contains(&("CertificateReloaded".into(), format!("vault-{i}"))),
            "{reasons:?}"
        );
    }
    let (status_out, v) = json(&e);
    assert_exit(&status_out, 0);
    assert!(kinds(&v).is_empty(), "{v:#}");

    // --rollback puts the old certificate back and reloads the pods the same way.
    let out = certs(&e, &["renew", "--rollback", "--yes"]);
    assert_exit(&out, 0);
    assert_eq!(fingerprint(&secret_pem(&e)), old_fp);
    for i in 0..nodes {
        assert_eq!(
            fingerprint(&served_pem(&e, i)),
            old_fp,
            "vault-{i} serves the old one again"
        );
    }
    assert_eq!(pod_identities(&e, nodes), before);
}

/// The TLS Secret and what the pods serve, to check a refused or dry run changed nothing.
struct Untouched {
    nodes: u32,
    secret: Value,
    served: String,
}

impl Untouched {
    fn now(e: &Env, nodes: u32) -> Untouched {
        Untouched {
            nodes,
            secret: secret_json(e, "vault-tls").expect("vault-tls"),
            served: fingerprint(&served_pem(e, 0)),
        }
    }

    /// The Secret is the same version with the same data, no backup was written, and every
    /// pod serves what it served.
    fn check(&self, e: &Env, what: &str) {
        let now = secret_json(e, "vault-tls").expect("vault-tls");
        assert_eq!(
            now["data"], self.secret["data"],
            "{what}: the Secret is unchanged"
        );
        assert_eq!(
            now["metadata"]["resourceVersion"], self.secret["metadata"]["resourceVersion"],
            "{what}"
        );
        assert!(
            secret_json(e, "vault-tls-backup").is_none(),
            "{what}: no backup written"
        );
        for i in 0..self.nodes {
            assert_eq!(
                fingerprint(&served_pem(e, i)),
                self.served,
                "{what}: vault-{i}"
            );
        }
    }
}

#[test]
fn renew_refuses_before_any_change() {
    let e = start("certs-renew-refuse", 1, 365);
    // A role that may issue the Service name only, not the pods' own names.
    pki_role(
        &e,
        "narrow",
        serde_json::json!({"allowed_domains": ["vault.vault.svc"], "allow_bare_domains": true,
                           "allow_subdomains": false, "allow_ip_sans": true, "max_ttl": "87600h"}),
    );
    let token = e.token_file();
    let token = token.to_str().expect("path");
    let before = Untouched::now(&e, 1);
    let unchanged = |what: &str| before.check(&e, what);

    let out = certs(
        &e,
        &[
            "renew",
            "--role",
            "narrow",
            "--dry-run",
            "--token-file",
            token,
        ],
    );
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("Dry run: nothing was changed."), "{text}");
    assert!(
        text.contains("vault-0.vault-internal"),
        "the plan names the names: {text}"
    );
    unchanged("--dry-run");

    let out = certs(&e, &["renew", "--role", "narrow", "--token-file", token]);
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "add --yes");
    unchanged("no --yes off a terminal");

    let out = certs(
        &e,
        &["renew", "--role", "narrow", "--yes", "--token-file", token],
    );
    assert_exit(&out, 1);
    let err = support::stderr(&out);
    assert!(
        err.contains("vault-0.vault-internal"),
        "names the name refused: {err}"
    );
    assert!(err.contains("not allowed"), "{err}");
    unchanged("a role that cannot issue a needed name");

    // A user who may do everything but exec into the pods: refused before the Secret changes.
    let rules = [
        ("get", "pods"),
        ("list", "pods"),
        ("watch", "pods"),
        ("get", "pods/portforward"),
        ("create", "pods/portforward"),
        ("get", "secrets"),
        ("create", "secrets"),
        ("update", "secrets"),
        ("get", "configmaps"),
        ("create", "events"),
        ("get", "statefulsets"),
        ("list", "statefulsets"),
    ];
    let kubeconfig = e.sb.add_user("no-exec", &rules).expect("user");
    let kc = kubeconfig.to_str().unwrap();
    let out = certs(
        &e,
        &[
            "renew",
            "--role",
            "wide-not-needed",
            "--yes",
            "--token-file",
            token,
            "--kubeconfig",
            kc,
        ],
    );
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "get pods/exec");
    unchanged("no right to exec into the pods");

    let out = certs(&e, &["renew", "--rollback", "--yes"]);
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "no backup Secret vault-tls-backup");
    unchanged("--rollback without a backup");
}

#[test]
fn issue_client_writes_a_tls_secret_that_verifies_and_never_prints_the_key() {
    let (e, token) = start_with_role("certs-client", 1, client_role);
    let token = token.to_str().expect("path");
    assert_exit(&e.run(&["create", "namespace", "app"], None), 0);
    let args = [&ISSUE_APP_TLS[..], &["--token-file", token]].concat();
    let out = certs(&e, &args);
    assert_exit(&out, 0);
    let s = e
        .kubectl
        .json(["get", "secret", "app-tls", "-n", "app"])
        .expect("the Secret");
    assert_eq!(s["type"], "kubernetes.io/tls", "{s:#}");
    let field = |k: &str| {
        let b64 = s["data"][k]
            .as_str()
            .unwrap_or_else(|| panic!("{k}: {s:#}"));
        openssl(&["base64", "-d", "-A"], b64.as_bytes()).1
    };
    let (crt, key, ca) = (field("tls.crt"), field("tls.key"), field("ca.crt"));
    // Independently, with openssl: the chain verifies against ca.crt, which is the Vault CA,
    // it is a client certificate for the name, and the key belongs to it.
    let dir = e.sb.dir().join("client-check");
    std::fs::create_dir_all(&dir).unwrap();
    let ca_file = dir.join("ca.crt");
    std::fs::write(&ca_file, &ca).unwrap();
    assert_eq!(
        fingerprint(ca.as_bytes()),
        fingerprint(&std::fs::read(e.sb.ca_path()).unwrap())
    );
    let (ok, text) = openssl(
        &[
            "verify",
            "-purpose",
            "sslclient",
            "-CAfile",
            ca_file.to_str().unwrap(),
        ],
        crt.as_bytes(),
    );
    assert!(ok, "{text}");
    let (_, subject) = openssl(&["x509", "-noout", "-subject"], crt.as_bytes());
    assert!(subject.contains("app-client"), "{subject}");
    let (_, cert_pub) = openssl(&["x509", "-noout", "-pubkey"], crt.as_bytes());
    let (_, key_pub) = openssl(&["pkey", "-pubout"], key.as_bytes());
    assert_eq!(cert_pub, key_pub, "the key matches the certificate");
    let key_body: String = key.lines().filter(|l| !l.starts_with("-----")).collect();
    support::assert_no_secret("issue-client", &show(&out), &[key_body]);

    // Replacing it asks first: off a terminal without --yes nothing changes.
    let again = certs(&e, &args);
    assert_exit(&again, 1);
    support::assert_fails_with(&again, "add --yes");
    let s2 = e
        .kubectl
        .json(["get", "secret", "app-tls", "-n", "app"])
        .unwrap();
    assert_eq!(s2["data"], s["data"]);
    // With --yes (and -o json) it is replaced; the new key is not printed either.
    let mut yes = args.to_vec();
    yes.extend(["--yes", "-o", "json"]);
    let out = certs(&e, &yes);
    assert_exit(&out, 0);
    let v: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|err| panic!("{err}\n{}", show(&out)));
    assert_eq!(v["replaced"], true, "{v:#}");
    let s3 = e
        .kubectl
        .json(["get", "secret", "app-tls", "-n", "app"])
        .unwrap();
    assert_ne!(s3["data"]["tls.key"], s["data"]["tls.key"]);
    let key3 = openssl(
        &["base64", "-d", "-A"],
        s3["data"]["tls.key"].as_str().unwrap().as_bytes(),
    )
    .1;
    let body3: String = key3.lines().filter(|l| !l.starts_with("-----")).collect();
    support::assert_no_secret("issue-client --yes", &show(&out), &[body3]);
    let events = e.kubectl.json(["get", "events", "-n", "app"]).unwrap();
    assert!(
        events["items"].as_array().into_iter().flatten().any(|ev| {
            ev["reason"] == "ClientCertificateIssued" && ev["involvedObject"]["name"] == "app-tls"
        }),
        "an Event on the Secret: {events:#}"
    );
}

#[test]
fn renew_with_restart_restarts_and_unseals_each_pod() {
    let nodes = 3;
    let (e, token) = start_with_role("certs-renew-restart", nodes, wide_role);
    let keys = e.sb.init_json_path();
    let old_fp = fingerprint(&secret_pem(&e));
    let before = pod_identities(&e, nodes);
    // `renew --restart EXTRA… --yes` as the wide role.
    let renew_restart = |extra: &[&str]| {
        let mut args = vec!["renew", "--role", "vault-server", "--restart"];
        args.extend_from_slice(extra);
        args.extend(["--yes", "--token-file", token.to_str().unwrap()]);
        certs(&e, &args)
    };
    // Shamir seals: --restart without keys is refused before anything changes.
    let out = renew_restart(&[]);
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "needs the unseal keys");
    assert_eq!(fingerprint(&secret_pem(&e)), old_fp);

    let out = renew_restart(&["--keys-file", keys.to_str().unwrap()]);
    assert_exit(&out, 0);
    let new_fp = fingerprint(&secret_pem(&e));
    assert_ne!(new_fp, old_fp);
    let after = pod_identities(&e, nodes);
    for i in 0..nodes {
        assert_eq!(fingerprint(&served_pem(&e, i)), new_fp, "vault-{i}");
        assert_ne!(
            after[i as usize].0, before[i as usize].0,
            "vault-{i} was recreated"
        );
        assert!(!e.sealed(i), "vault-{i} is unsealed");
        assert!(e.ready(&format!("vault-{i}")), "vault-{i} is Ready");
    }
}

/// The active node hangs (SIGSTOP) once the standbys are being reloaded: renew stops at it,
/// says so, names what is reloaded and what is not, and records a warning Event.
#[test]
fn renew_stops_at_a_pod_that_does_not_pick_up_the_certificate() {
    let nodes = 3;
    let (e, token) = start_with_role("certs-renew-stuck", nodes, wide_role);
    let old_fp = fingerprint(&secret_pem(&e));
    let active = (0..nodes)
        .find(|&i| {
            e.sb.vault(i, "GET", "sys/leader", None, None)
                .is_ok_and(|(_, v)| v["is_self"] == true)
        })
        .expect("an active node");
    let pod = format!("vault-{active}");
    let child = e
        .kubectl
        .command([
            "vault-certs",
            "renew",
            "--role",
            "vault-server",
            "--yes",
            "--token-file",
            token.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start renew");
    // Once the Secret holds the new certificate, the walk is at the standbys: hang the active.
    e.sb.wait_until("the Secret to change", Duration::from_secs(60), || {
        fingerprint(&secret_pem(&e)) != old_fp
    })
    .expect("the Secret changed");
    e.sb.fault(Fault::Stop, &pod).expect("stop the active node");
    let out = child.wait_with_output().expect("renew");
    e.sb.fault(Fault::Resume, &pod).expect("resume");
    assert_exit(&out, 1);
    let err = support::stderr(&out);
    assert!(err.contains(&format!("{pod}: ")), "names the pod: {err}");
    assert!(
        err.contains("did not pick up the new certificate on SIGHUP"),
        "{err}"
    );
    assert!(
        err.contains("not reloaded: none"),
        "the active node is last: {err}"
    );
    let new_fp = fingerprint(&secret_pem(&e));
    for i in (0..nodes).filter(|&i| i != active) {
        assert_eq!(
            fingerprint(&served_pem(&e, i)),
            new_fp,
            "vault-{i} was reloaded"
        );
    }
    let events = e.our_events();
    assert!(
        events
            .iter()
            .any(|ev| ev["reason"] == "CertificateReloadFailed"
                && (ev["regarding"]["name"] == pod.as_str()
                    || ev["involvedObject"]["name"] == pod.as_str())),
        "{events:#?}"
    );
}

#[test]
fn clients_lists_vault_issued_secrets_and_cert_auth_with_expiry() {
    let (e, token) = start_with_role("certs-clients", 1, client_role);
    let token = token.to_str().expect("path");
    let ca_pem = std::fs::read_to_string(e.sb.ca_path()).unwrap();
    for (path, body) in [
        ("sys/auth/cert", serde_json::json!({"type": "cert"})),
        (
            "auth/cert/certs/web",
            serde_json::json!({"certificate": ca_pem, "token_policies": "default"}),
        ),
    ] {
        let (code, v) = e.sb.vault_active("POST", path, Some(&body)).expect(path);
        assert!((200..300).contains(&code), "{path}: {code} {v}");
    }
    assert_exit(&e.run(&["create", "namespace", "app"], None), 0);
    let ttl = ["--ttl", "72h", "--token-file", token];
    let out = certs(&e, &[&ISSUE_APP_TLS[..], &ttl].concat());
    assert_exit(&out, 0);
    // A TLS Secret Vault's CA did not issue, expiring too: not a Vault client certificate.
    let (crt, key) = openssl_self_signed(&e, "other-cert", "/CN=other", 2, &[]);
    let cert_arg = format!("--cert={}", crt.display());
    let key_arg = format!("--key={}", key.display());
    assert_exit(
        &e.run(
            &[
                "create", "secret", "tls", "other", "-n", "app", &cert_arg, &key_arg,
            ],
            None,
        ),
        0,
    );

    let (out, v) = json_with(
        &e,
        &[
            "clients",
            "--secret-namespace",
            "app",
            "--token-file",
            token,
        ],
    );
    assert_exit(&out, 2);
    let certs_listed = v["certificates"].as_array().expect("certificates");
    let find = |name: &str| certs_listed.iter().find(|c| c["name"] == name);
    let app = find("app/app-tls").unwrap_or_else(|| panic!("app/app-tls listed: {v:#}"));
    assert!(find("app/other").is_none(), "not Vault's: {v:#}");
    assert_eq!(app["source"], "secret");
    assert_eq!(app["in_pki"], true, "{v:#}");
    let days = app["days_left"].as_i64().expect("days_left");
    assert!((1..=3).contains(&days), "{app:#}");
    // Independently: openssl reads the same serial from the Secret kubectl returns.
    let s = e
        .kubectl
        .json(["get", "secret", "app-tls", "-n", "app"])
        .unwrap();
    let pem = openssl(
        &["base64", "-d", "-A"],
        s["data"]["tls.crt"].as_str().unwrap().as_bytes(),
    )
    .1;
    let serial_hex = serial(pem.as_bytes())
        .trim_start_matches("serial=")
        .to_lowercase();
    assert_eq!(
        app["serial"].as_str().unwrap().replace(':', ""),
        serial_hex,
        "{app:#}"
    );
    let (lasts_4_days, _) = openssl(
        &["x509", "-noout", "-checkend", &(4 * 86400).to_string()],
        pem.as_bytes(),
    );
    assert!(
        !lasts_4_days,
        "openssl: the 72h certificate ends within 4 days"
    );
    let web = find("web").unwrap_or_else(|| panic!("the cert auth method's certificate: {v:#}"));
    assert_eq!(web["source"], "auth_cert");
    assert!(web["days_left"].as_i64().unwrap() > 3000, "{web:#}");
    assert!(
        kinds(&v)
            .iter()
            .any(|(k, s, _)| k == "expires_critical" && s == "app/app-tls"),
        "{v:#}"
    );
    assert!(v["pki"]["issued"].as_u64().unwrap() >= 1, "{v:#}");

    // Outside narrower thresholds nothing needs attention.
    let calm = certs(
        &e,
        &[
            "clients",
            "--secret-namespace",
            "app",
            "--warn",
            "1d",
            "--critical",
            "1d",
            "--token-file",
            token,
        ],
    );
    assert_exit(&calm, 0);
}

/// Creates Secret `name` with `files` (key in the Secret, file contents), through kubectl.
fn create_secret(e: &Env, name: &str, files: &[(&str, &str)]) {
    let dir = e.sb.dir().join(format!("secret-{name}"));
    std::fs::create_dir_all(&dir).expect("dir");
    let mut args = vec![
        "create".to_string(),
        "secret".into(),
        "generic".into(),
        name.into(),
    ];
    for (key, text) in files {
        let path = dir.join(key);
        support::write_private(&path, text.as_bytes());
        args.push(format!("--from-file={key}={}", path.display()));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    assert_exit(&e.run(&args, None), 0);
}

/// A self-signed certificate made by openssl in `<sandbox>/<dir>`, valid `days`, with `ext`
/// (openssl's -addext values): the paths of its certificate and key (P-256, PKCS#8).
fn openssl_self_signed(
    e: &Env,
    dir: &str,
    subject: &str,
    days: u32,
    ext: &[&str],
) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = e.sb.dir().join(dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let (crt, key) = (dir.join("tls.crt"), dir.join("tls.key"));
    let mut cmd = Command::new("openssl");
    cmd.args([
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
    ])
    .args(["-days", &days.to_string(), "-subj", subject]);
    for x in ext {
        cmd.args(["-addext", x]);
    }
    let made = cmd
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&crt)
        .output()
        .expect("openssl req");
    assert!(made.status.success(), "{}", show(&made));
    (crt, key)
}

/// A CA made by openssl, which the pods do not trust: (certificate, key) PEM.
fn openssl_ca(e: &Env) -> (String, String) {
    let (crt, key) = openssl_self_signed(
        e,
        "openssl-ca",
        "/CN=someone else's CA",
        30,
        &[
            "basicConstraints=critical,CA:TRUE",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    (
        std::fs::read_to_string(crt).expect("ca.crt"),
        std::fs::read_to_string(key).expect("ca.key"),
    )
}

/// Independently of the plugin: every pod serves the certificate `fp` (openssl to its own
/// address, with the Service name), which verifies for that name against `ca_file`; each is
/// unsealed, and no pod restarted or was replaced since `identities`.
fn every_pod_serves(e: &Env, nodes: u32, fp: &str, ca_file: &str, identities: &[(String, u64)]) {
    let sni = format!("vault.{}.svc", e.sb.namespace());
    for i in 0..nodes {
        let addr = format!("{}:8200", e.sb.pod_ip(i));
        let (ok, text) = openssl(
            &[
                "s_client",
                "-connect",
                &addr,
                "-servername",
                &sni,
                "-CAfile",
                ca_file,
                "-verify_return_error",
                "-verify_hostname",
                &sni,
            ],
            b"",
        );
        assert!(
            ok && text.contains("Verify return code: 0 (ok)"),
            "vault-{i}: {text}"
        );
        assert_eq!(
            fingerprint(&served_pem(e, i)),
            fp,
            "vault-{i} serves the new certificate"
        );
        assert!(!e.sealed(i), "vault-{i} is unsealed");
    }
    assert_eq!(
        pod_identities(e, nodes),
        identities,
        "no pod restarted or was replaced"
    );
}

#[test]
fn renew_from_a_ca_secret_reloads_every_pod_and_refuses_bad_cas_before_any_change() {
    let nodes = 3;
    let e = start("certs-ca-secret", nodes, 365);
    let (ca_crt, ca_key) = e.sb.vault_ca_pem().expect("the Vault CA");
    let (tls_crt, tls_key) = {
        let s = secret_json(&e, "vault-tls").expect("vault-tls");
        let decode = |k: &str| {
            openssl(
                &["base64", "-d", "-A"],
                s["data"][k].as_str().expect(k).as_bytes(),
            )
            .1
        };
        (decode("tls.crt"), decode("tls.key"))
    };
    let (other_crt, other_key) = openssl_ca(&e);
    let key_body =
        |pem: &str| -> String { pem.lines().filter(|l| !l.starts_with("-----")).collect() };
    let never_printed = vec![key_body(&ca_key), key_body(&other_key), key_body(&tls_key)];

    let untouched = Untouched::now(&e, nodes);
    let unchanged = |what: &str| untouched.check(&e, what);
    let (before, old_fp) = (&untouched.secret, &untouched.served);
    let identities = pod_identities(&e, nodes);
    let refused = |secret: &str, why: &str| {
        let out = certs(&e, &["renew", "--ca-secret", secret, "--yes"]);
        assert_exit(&out, 1);
        support::assert_fails_with(&out, why);
        support::assert_no_secret(secret, &show(&out), &never_printed);
        unchanged(secret);
    };

    refused("no-such-ca", "there is no CA Secret no-such-ca");
    create_secret(
        &e,
        "garbled",
        &[("tls.crt", "not a certificate"), ("tls.key", "nor a key")],
    );
    refused("garbled", "tls.crt holds no certificate");
    create_secret(&e, "half", &[("ca.crt", &ca_crt)]);
    refused("half", "holds no CA key pair");
    // The server's own certificate and key: a valid pair, but not a CA.
    create_secret(&e, "leaf", &[("tls.crt", &tls_crt), ("tls.key", &tls_key)]);
    refused("leaf", "is not a CA");
    create_secret(
        &e,
        "mismatched",
        &[("ca.crt", &ca_crt), ("ca.key", &other_key)],
    );
    refused(
        "mismatched",
        "ca.key is not the key of the certificate in ca.crt",
    );
    create_secret(
        &e,
        "stranger",
        &[("tls.crt", &other_crt), ("tls.key", &other_key)],
    );
    refused(
        "stranger",
        "do not verify against the CA the pods and clients trust",
    );

    // The right CA (ca.crt/ca.key): --dry-run shows the plan and changes nothing.
    create_secret(&e, "vault-ca", &[("ca.crt", &ca_crt), ("ca.key", &ca_key)]);
    let out = certs(&e, &["renew", "--ca-secret", "vault-ca", "--dry-run"]);
    assert_exit(&out, 0);
    let text = stdout(&out);
    assert!(text.contains("Dry run: nothing was changed."), "{text}");
    assert!(text.contains("Secret vault-ca"), "{text}");
    support::assert_no_secret("dry run", &show(&out), &never_printed);
    unchanged("--dry-run");

    // Renewal: no Vault token needed, no restart, every pod serves the new certificate.
    let out = renew_under_load(
        &e,
        nodes,
        &[
            "renew",
            "--ca-secret",
            "vault-ca",
            "--ttl",
            "2160h",
            "--yes",
        ],
    );
    support::assert_no_secret("renew", &show(&out), &never_printed);
    let new_secret = secret_pem(&e);
    let new_fp = fingerprint(&new_secret);
    assert_ne!(&new_fp, old_fp);
    let ca_file = e.sb.dir().join("secret-vault-ca").join("ca.crt");
    let ca_file = ca_file.to_str().expect("path");
    // --ttl 2160h: valid for more than 89 days, less than 91 (openssl -checkend).
    let valid_for = |days: u32| {
        openssl(
            &["x509", "-noout", "-checkend", &(days * 86_400).to_string()],
            &new_secret,
        )
        .0
    };
    assert!(
        valid_for(89) && !valid_for(91),
        "--ttl 2160h is about 90 days"
    );
    every_pod_serves(&e, nodes, &new_fp, ca_file, &identities);
    let backup = secret_json(&e, "vault-tls-backup").expect("the backup Secret");
    assert_eq!(
        backup["data"], before["data"],
        "the previous contents are kept"
    );
    let (status_out, v) = json(&e);
    assert_exit(&status_out, 0);
    assert!(kinds(&v).is_empty(), "{v:#}");
}

/// The DNS names and addresses a PEM certificate carries, by openssl.
fn sans_of(pem: &[u8]) -> (Vec<String>, Vec<String>) {
    let (ok, text) = openssl(&["x509", "-noout", "-ext", "subjectAltName"], pem);
    assert!(ok, "openssl x509 -ext subjectAltName");
    let (mut dns, mut ips) = (Vec::new(), Vec::new());
    for item in text.lines().skip(1).flat_map(|l| l.split(',')) {
        let item = item.trim();
        if let Some(d) = item.strip_prefix("DNS:") {
            dns.push(d.to_string());
        } else if let Some(ip) = item.strip_prefix("IP Address:") {
            ips.push(ip.to_string());
        }
    }
    (dns, ips)
}

/// A new server certificate for `sans` signed by the Vault CA with openssl, as cert-manager's
/// CA issuer would: (certificate, key) PEM.
fn openssl_issue(e: &Env, dir: &str, dns: &[String], ips: &[String]) -> (String, String) {
    let (ca_crt, ca_key) = e.sb.vault_ca_pem().expect("the Vault CA");
    let dir = e.sb.dir().join(dir);
    std::fs::create_dir_all(&dir).expect("dir");
    let path = |f: &str| dir.join(f).to_str().expect("path").to_string();
    support::write_private(&dir.join("ca.crt"), ca_crt.as_bytes());
    support::write_private(&dir.join("ca.key"), ca_key.as_bytes());
    let san: Vec<String> = dns
        .iter()
        .map(|d| format!("DNS:{d}"))
        .chain(ips.iter().map(|i| format!("IP:{i}")))
        .collect();
    std::fs::write(
        dir.join("ext.cnf"),
        format!(
            "subjectAltName={}\nextendedKeyUsage=serverAuth,clientAuth\nkeyUsage=digitalSignature,keyEncipherment\n",
            san.join(",")
        ),
    )
    .expect("ext.cnf");
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .output()
            .expect("openssl");
        assert!(out.status.success(), "openssl {args:?}: {}", show(&out));
    };
    run(&[
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-nodes",
        "-subj",
        "/CN=vault.vault.svc",
        "-keyout",
        &path("tls.key"),
        "-out",
        &path("tls.csr"),
    ]);
    run(&[
        "x509",
        "-req",
        "-in",
        &path("tls.csr"),
        "-CA",
        &path("ca.crt"),
        "-CAkey",
        &path("ca.key"),
        "-CAcreateserial",
        "-days",
        "90",
        "-extfile",
        &path("ext.cnf"),
        "-out",
        &path("tls.crt"),
    ]);
    (
        std::fs::read_to_string(path("tls.crt")).expect("tls.crt"),
        std::fs::read_to_string(path("tls.key")).expect("tls.key"),
    )
}

fn b64(text: &str) -> String {
    openssl(&["base64", "-A"], text.as_bytes())
        .1
        .trim()
        .to_string()
}

/// The Certificate's condition `kind`, read with kubectl.
fn certificate_condition(kubectl: &vault_sandbox::Kubectl, kind: &str) -> Option<Value> {
    let c = kubectl
        .json(["get", "certificates.cert-manager.io", "vault-tls"])
        .expect("get certificate");
    c["status"]["conditions"]
        .as_array()?
        .iter()
        .find(|x| x["type"] == kind)
        .cloned()
}

fn patch_status(kubectl: &vault_sandbox::Kubectl, status: Value) {
    let out = kubectl.run([
        "patch",
        "certificates.cert-manager.io",
        "vault-tls",
        "--subresource=status",
        "--type=merge",
        "-p",
        &serde_json::json!({ "status": status }).to_string(),
    ]);
    assert!(out.status.success(), "{}", show(&out));
}

/// Plays cert-manager while `f` runs: on seeing the Certificate's Issuing condition True
/// (through kubectl) it runs `issue` once. Returns `f`'s result and the condition it saw.
fn with_controller<T>(
    kubectl: &vault_sandbox::Kubectl,
    issue: impl FnOnce() + Send,
    f: impl FnOnce() -> T,
) -> (T, Option<Value>) {
    std::thread::scope(|scope| {
        let controller = scope.spawn(|| {
            let deadline = Instant::now() + Duration::from_secs(120);
            while Instant::now() < deadline {
                if let Some(c) = certificate_condition(kubectl, "Issuing")
                    && c["status"] == "True"
                {
                    issue();
                    return Some(c);
                }
                std::thread::sleep(Duration::from_millis(300));
            }
            None
        });
        let out = f();
        (out, controller.join().expect("controller"))
    })
}

#[test]
fn renew_of_a_cert_manager_secret_triggers_issuance_and_reloads_every_pod() {
    let nodes = 3;
    let e = start("certs-cert-manager", nodes, 365);
    let kubectl = e.kubectl.clone();
    // The Certificate asks for the names the current certificate carries; the Secret names it,
    // as cert-manager's Secrets do; the test plays cert-manager (Ready, then issuing).
    let (dns, ips) = sans_of(&secret_pem(&e));
    let certificate = serde_json::json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "Certificate",
        "metadata": {"name": "vault-tls"},
        "spec": {"secretName": "vault-tls", "dnsNames": dns, "ipAddresses": ips,
                 "issuerRef": {"name": "vault-ca", "kind": "Issuer", "group": "cert-manager.io"}},
    });
    let out = e.run(
        &["apply", "-f", "-"],
        Some(certificate.to_string().as_bytes()),
    );
    assert_exit(&out, 0);
    let ready = serde_json::json!({"conditions": [{"type": "Ready", "status": "True",
        "reason": "Ready", "message": "Certificate is up to date and has not expired",
        "lastTransitionTime": "2026-11-01T00:00:00Z"}]});
    patch_status(&kubectl, ready.clone());
    assert_exit(
        &e.run(
            &[
                "annotate",
                "secret",
                "vault-tls",
                "cert-manager.io/certificate-name=vault-tls",
            ],
            None,
        ),
        0,
    );
    // The real kubectl finds the resource through discovery and prints its columns.
    let out = e.run(&["get", "certificates", "-n", e.sb.namespace()], None);
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("vault-tls") && stdout(&out).contains("True"),
        "{}",
        show(&out)
    );

    // status names the owner, in JSON and in the table.
    let (out, v) = json(&e);
    assert_exit(&out, 0);
    let owner = &v["cert_manager"][0];
    assert_eq!(owner["certificate"], "vault-tls", "{v:#}");
    assert_eq!(owner["secret"], "vault-tls");
    assert_eq!(owner["ready"], "True");
    assert_eq!(owner["issuer"], "Issuer/vault-ca");
    certs_say(&e, &[], 0, "owned by cert-manager Certificate vault-tls");

    let untouched = Untouched::now(&e, nodes);
    let identities = pod_identities(&e, nodes);
    // --dry-run: the plan, no Issuing condition, nothing changed.
    let out = certs(&e, &["renew", "--dry-run"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("ManuallyTriggered"), "{}", show(&out));
    assert!(
        certificate_condition(&kubectl, "Issuing").is_none(),
        "--dry-run set Issuing"
    );
    untouched.check(&e, "--dry-run");
    // A renewal that would write the Secret itself is refused.
    let out = certs(&e, &["renew", "--role", "vault-server", "--yes"]);
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "owned by cert-manager Certificate vault-tls");
    assert!(certificate_condition(&kubectl, "Issuing").is_none());
    untouched.check(&e, "--role on a cert-manager Secret");
    // A user who may read the Certificate but not write its status: refused before the trigger.
    let rules = [
        ("get", "pods"),
        ("list", "pods"),
        ("get", "pods/portforward"),
        ("create", "pods/portforward"),
        ("get", "pods/exec"),
        ("create", "pods/exec"),
        ("get", "secrets"),
        ("get", "configmaps"),
        ("create", "events"),
        ("get", "statefulsets"),
        ("list", "statefulsets"),
        ("get", "certificates"),
    ];
    let kubeconfig = e.sb.add_user("no-status", &rules).expect("user");
    let out = certs(
        &e,
        &[
            "renew",
            "--yes",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ],
    );
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "update certificates/status.cert-manager.io vault-tls");
    assert!(certificate_condition(&kubectl, "Issuing").is_none());
    untouched.check(&e, "no right to update the Certificate's status");

    // The controller: on Issuing=True it writes a new certificate into the Secret and clears
    // the condition (as cert-manager does once issued).
    let (new_crt, new_key) = openssl_issue(&e, "cm-issued", &dns, &ips);
    let new_fp = fingerprint(new_crt.as_bytes());
    let (out, issuing) = with_controller(
        &kubectl,
        || {
            let patch =
                serde_json::json!({"data": {"tls.crt": b64(&new_crt), "tls.key": b64(&new_key)}});
            let out = kubectl.run([
                "patch",
                "secret",
                "vault-tls",
                "--type=merge",
                "-p",
                &patch.to_string(),
            ]);
            assert!(out.status.success(), "{}", show(&out));
            patch_status(&kubectl, ready.clone());
        },
        || certs(&e, &["renew", "--yes"]),
    );
    assert_exit(&out, 0);
    let issuing = issuing.expect("the controller saw Issuing=True");
    assert_eq!(issuing["reason"], "ManuallyTriggered", "{issuing}");
    assert_eq!(fingerprint(&secret_pem(&e)), new_fp);
    let ca_file = e.sb.dir().join("cm-issued").join("ca.crt");
    every_pod_serves(
        &e,
        nodes,
        &new_fp,
        ca_file.to_str().expect("path"),
        &identities,
    );
    assert!(
        secret_json(&e, "vault-tls-backup").is_none(),
        "cert-manager keeps no backup here"
    );
    let (status_out, v) = json(&e);
    assert_exit(&status_out, 0);
    assert!(kinds(&v).is_empty(), "{v:#}");

    // A controller that never issues: renew times out, says so, and the pods are untouched.
    let untouched = Untouched::now(&e, nodes);
    let started = Instant::now();
    let out = certs(&e, &["renew", "--yes", "--timeout", "4s"]);
    assert_exit(&out, 1);
    support::assert_fails_with(
        &out,
        "cert-manager did not write a new certificate into Secret vault-tls within 4s",
    );
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "it stopped at its deadline"
    );
    let issuing = certificate_condition(&kubectl, "Issuing").expect("Issuing is set");
    assert_eq!(issuing["status"], "True");
    assert_eq!(issuing["reason"], "ManuallyTriggered");
    untouched.check(&e, "a controller that never issues");
    assert_eq!(pod_identities(&e, nodes), identities);

    // A Certificate that does not ask for a name in use: refused before the trigger.
    patch_status(&kubectl, ready.clone());
    let out = e.run(
        &[
            "patch",
            "certificates.cert-manager.io",
            "vault-tls",
            "--type=merge",
            "-p",
            &serde_json::json!({"spec": {"dnsNames": ["vault-0.vault-internal"]}}).to_string(),
        ],
        None,
    );
    assert_exit(&out, 0);
    let out = certs(&e, &["renew", "--yes"]);
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "does not ask for");
    assert!(
        certificate_condition(&kubectl, "Issuing").is_none(),
        "no trigger"
    );
    untouched.check(&e, "a Certificate that misses a name");
    let out = e.run(
        &["apply", "-f", "-"],
        Some(certificate.to_string().as_bytes()),
    );
    assert_exit(&out, 0);

    // cert-manager reports the issuance failed: renew stops at once with its message.
    let failed = serde_json::json!({"conditions": [ready["conditions"][0].clone(),
        {"type": "Issuing", "status": "False", "reason": "Failed",
         "message": "The certificate request has failed to complete and will be retried: issuer vault-ca is not ready",
         "lastTransitionTime": "2026-12-01T00:00:00Z"}]});
    let started = Instant::now();
    let (out, issuing) = with_controller(
        &kubectl,
        || patch_status(&kubectl, failed.clone()),
        || certs(&e, &["renew", "--yes", "--timeout", "2m"]),
    );
    assert!(issuing.is_some(), "the controller saw the trigger");
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "issuer vault-ca is not ready");
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "it did not wait for --timeout"
    );
    untouched.check(&e, "a failed issuance");

    // A failed issuance, and a Certificate that is not Ready, are findings; one the Secret
    // names but that does not exist cannot be read: status says so, renew refuses before any
    // change.
    let finding = |kind: &str, subject: &str| {
        let (out, v) = json(&e);
        assert_exit(&out, 2);
        assert!(
            kinds(&v).iter().any(|(k, s, _)| k == kind && s == subject),
            "{kind} {subject}: {v:#}"
        );
        v
    };
    finding("certificate_issuance_failed", "Certificate/vault-tls");
    patch_status(
        &kubectl,
        serde_json::json!({"conditions": [{"type": "Ready", "status": "False", "reason": "Expired",
            "message": "Certificate expired", "lastTransitionTime": "2026-12-01T00:00:00Z"}]}),
    );
    finding("certificate_not_ready", "Certificate/vault-tls");
    let out = e.run(
        &[
            "annotate",
            "--overwrite",
            "secret",
            "vault-tls",
            "cert-manager.io/certificate-name=gone",
        ],
        None,
    );
    assert_exit(&out, 0);
    let v = finding("unreadable", "Certificate/gone");
    assert!(v["cert_manager"][0]["error"].is_string(), "{v:#}");
    let untouched = Untouched::now(&e, nodes);
    let out = certs(&e, &["renew", "--yes"]);
    assert_exit(&out, 1);
    support::assert_fails_with(&out, "get cert-manager Certificate gone");
    untouched.check(&e, "a Certificate that cannot be read");
}
