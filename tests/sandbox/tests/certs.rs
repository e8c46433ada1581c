//! Certificates like a real install: the Vault CA is not the API server's, the pods'
//! certificate carries the names the chart's TLS guide gives it, and the certificate faults
//! install an expired certificate or one without the Service names into the `vault-tls`
//! Secret, which running pods receive and serve once they reload (SIGHUP). Everything is
//! checked with openssl and kubectl, not with the sandbox's own certificate code.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use base64::Engine;
use common::*;
use serde_json::Value;
use vault_sandbox::{Fault, Kubectl, Options};

/// `openssl ARGS` with `input` on stdin; stdout, or the failure.
fn openssl(args: &[&str], input: &[u8]) -> Result<String, String> {
    let out = vault_sandbox::openssl(args, input);
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(show(&out))
    }
}

/// A key of the `vault-tls` Secret as kubectl returns it.
fn secret_key(k: &Kubectl, key: &str) -> Vec<u8> {
    let s = k
        .json(["get", "secret", "vault-tls", "-n", "vault"])
        .expect("get secret vault-tls");
    let b64 = s["data"][key].as_str().unwrap_or_else(|| panic!("{s:#}"));
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .expect("base64")
}

/// `kubectl exec vault-0 -- cat /vault/userconfig/vault-tls/tls.crt`: what the pod's volume holds.
fn pod_tls_crt(k: &Kubectl) -> Option<Vec<u8>> {
    let out = k.run([
        "exec",
        "-n",
        "vault",
        "vault-0",
        "--",
        "cat",
        "/vault/userconfig/vault-tls/tls.crt",
    ]);
    out.status.success().then_some(out.stdout)
}

fn fingerprint(pem: &[u8]) -> String {
    openssl(&["x509", "-noout", "-fingerprint", "-sha256"], pem).expect("fingerprint")
}

/// The certificate the pod's listener serves, read with `openssl s_client`.
fn served(ip: &str) -> String {
    let out = Command::new("sh")
        .args([
            "-c",
            &format!(
                "openssl s_client -connect {ip}:8200 -servername vault.vault.svc </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"
            ),
        ])
        .output()
        .expect("openssl s_client");
    stdout(&out)
}

fn sans(pem: &[u8]) -> String {
    openssl(&["x509", "-noout", "-ext", "subjectAltName"], pem).expect("SANs")
}

fn verifies(ca: &Path, pem: &[u8]) -> bool {
    openssl(&["verify", "-CAfile", ca.to_str().unwrap()], pem).is_ok()
}

#[test]
fn vault_ca_names_validity_and_certificate_faults() {
    let sb = sandbox_with(
        "certs",
        Options {
            nodes: 1,
            cert_days: 3,
            ..Options::default()
        },
    );
    let k = sb.kubectl();
    let ip = pod_ips(&k)["vault-0"].clone();

    // Two CAs: the Secret's ca.crt is the Vault CA, not the API server's (the kubeconfig's).
    let ca = secret_key(&k, "ca.crt");
    assert_eq!(ca, std::fs::read(sb.ca_path()).unwrap());
    let api_ca = std::fs::read(sb.api_ca_path()).unwrap();
    assert_ne!(fingerprint(&ca), fingerprint(&api_ca));
    let kubeconfig = std::fs::read_to_string(sb.kubeconfig()).unwrap();
    let embedded = kubeconfig
        .lines()
        .find_map(|l| l.trim().strip_prefix("certificate-authority-data: "))
        .expect("the kubeconfig's CA");
    assert_eq!(
        base64::engine::general_purpose::STANDARD
            .decode(embedded)
            .unwrap(),
        api_ca
    );
    let cert = secret_key(&k, "tls.crt");
    assert!(verifies(&sb.ca_path(), &cert), "issued by the Vault CA");
    assert!(!verifies(&sb.api_ca_path(), &cert), "not by the API CA");

    // The names of the chart's TLS guide, the Services, localhost and 127.0.0.1 (and the pod
    // IPs, which the chart's default api_addr uses).
    let names = sans(&cert);
    for want in [
        "DNS:*.vault-internal",
        "DNS:*.vault-internal.vault.svc.cluster.local",
        "DNS:vault.vault.svc",
        "DNS:vault-active.vault.svc",
        "DNS:localhost",
        "IP Address:127.0.0.1",
    ] {
        assert!(names.contains(want), "{want} missing from {names}");
    }
    // --cert-days 3: valid two days from now, not four.
    assert!(openssl(&["x509", "-noout", "-checkend", "172800"], &cert).is_ok());
    assert!(openssl(&["x509", "-noout", "-checkend", "345600"], &cert).is_err());
    assert_eq!(
        served(&ip),
        fingerprint(&cert),
        "the pod serves the Secret's certificate"
    );

    // expire-cert: the Secret changes, the running pod's volume follows within seconds, the
    // server keeps serving the old certificate until SIGHUP, then serves the expired one.
    sb.fault(Fault::ExpireCert, "").expect("expire-cert");
    let expired = secret_key(&k, "tls.crt");
    assert_ne!(fingerprint(&expired), fingerprint(&cert));
    assert!(openssl(&["x509", "-noout", "-checkend", "0"], &expired).is_err());
    assert!(
        !verifies(&sb.ca_path(), &expired),
        "openssl calls it expired"
    );
    wait_for(
        "the new certificate in vault-0's volume",
        Duration::from_secs(10),
        || pod_tls_crt(&k).as_deref() == Some(&expired[..]),
    );
    assert_eq!(served(&ip), fingerprint(&cert), "no reload without SIGHUP");
    sb.signal("vault-0", libc::SIGHUP).expect("SIGHUP");
    wait_for(
        "vault-0 to serve the expired certificate",
        Duration::from_secs(10),
        || served(&ip) == fingerprint(&expired),
    );
    // A new client that verifies refuses the pod. (One holding a TLS session from before the
    // reload may resume it without seeing the new certificate.)
    let ca_pem = std::fs::read_to_string(sb.ca_path()).unwrap();
    let http = vault_sandbox::vault::VaultHttp::new(&ca_pem).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = format!("{ip}:8200").parse().unwrap();
    let call = |name: &str| {
        rt.block_on(http.call_as(
            addr,
            name,
            vault_sandbox::vault::VaultCall::new("GET", "sys/seal-status"),
            Duration::from_secs(5),
        ))
    };
    let err = call("vault-0.vault-internal.vault.svc.cluster.local")
        .expect_err("an expired certificate is refused");
    assert!(format!("{err:#}").contains("TLS"), "{err:#}");

    // wrong-san: valid, but without the Service names; the pod's own name still matches.
    sb.fault(Fault::WrongSan, "").expect("wrong-san");
    let wrong = secret_key(&k, "tls.crt");
    let names = sans(&wrong);
    assert!(names.contains("DNS:*.vault-internal"), "{names}");
    assert!(!names.contains("DNS:vault.vault.svc"), "{names}");
    assert!(openssl(&["x509", "-noout", "-checkend", "86400"], &wrong).is_ok());
    wait_for(
        "vault-0's volume to follow",
        Duration::from_secs(10),
        || pod_tls_crt(&k).as_deref() == Some(&wrong[..]),
    );
    sb.signal("vault-0", libc::SIGHUP).expect("SIGHUP");
    wait_for(
        "vault-0 to serve the certificate without Service names",
        Duration::from_secs(10),
        || served(&ip) == fingerprint(&wrong),
    );
    assert!(call("vault.vault.svc").is_err(), "the Service name is gone");
    let (code, v) = call("vault-0.vault-internal.vault.svc.cluster.local")
        .expect("the pod's own name verifies");
    assert_eq!(code, 200, "{v}");
}

/// Sets memory limit `limit` on the StatefulSet's container (the runbook's JSON patch) and
/// deletes vault-0 so the StatefulSet recreates it with the limit (the chart's `OnDelete`).
fn recreate_with_memory_limit(k: &Kubectl, limit: &str) {
    let uid = pod_uid(&pod_json(k, "vault-0").expect("vault-0"));
    let patch = format!(
        r#"[{{"op":"add","path":"/spec/template/spec/containers/0/resources/limits","value":{{"memory":"{limit}"}}}}]"#
    );
    json_patch_sts(k, &patch);
    k.ok(["delete", "pod", "vault-0", "-n", "vault", "--wait=false"])
        .expect("delete vault-0");
    wait_for(
        "vault-0 recreated with the limit",
        Duration::from_secs(90),
        || {
            pod_json(k, "vault-0").is_some_and(|p| {
                pod_uid(&p) != uid
                    && p["spec"]["containers"][0]["resources"]["limits"]["memory"] == limit
            })
        },
    );
}

/// `Options::enforce_memory_limits`: a pod whose server uses more than its container's memory
/// limit is OOM-killed by the kubelet as the kernel would (exit 137, `OOMKilled`, restarted),
/// as `kubectl get pod -o json` shows.
#[test]
fn an_enforced_memory_limit_oom_kills_the_server() {
    let sb = sandbox_with(
        "oom-enforced",
        Options {
            nodes: 1,
            enforce_memory_limits: true,
            ..Options::default()
        },
    );
    let k = sb.kubectl();
    // The chart sets no limit (`resources: {}`): nothing to enforce yet.
    assert_eq!(restart_count(&pod_json(&k, "vault-0").expect("vault-0")), 0);
    // A running OpenBao server holds well over 32 MiB resident.
    recreate_with_memory_limit(&k, "32Mi");
    let mut pod = Value::Null;
    wait_for(
        "vault-0 OOMKilled and restarted",
        Duration::from_secs(120),
        || {
            let Ok(p) = k.json(["get", "pod", "vault-0", "-n", "vault"]) else {
                return false;
            };
            pod = p;
            let status = &pod["status"]["containerStatuses"][0];
            status["restartCount"].as_u64().unwrap_or(0) >= 1
                && status["lastState"]["terminated"]["reason"] == "OOMKilled"
        },
    );
    let last = &pod["status"]["containerStatuses"][0]["lastState"]["terminated"];
    assert_eq!(last["exitCode"], 137, "{pod:#}");
}

/// Without `Options::enforce_memory_limits` (the default), the same limit is only a number in
/// the spec: the server runs on above it (as the metrics API shows) and nothing is killed.
#[test]
fn an_unenforced_memory_limit_kills_nothing() {
    let sb = sandbox("oom-unenforced", 1);
    let k = sb.kubectl();
    recreate_with_memory_limit(&k, "32Mi");
    let over = || {
        k.ok([
            "get",
            "--raw",
            "/apis/metrics.k8s.io/v1beta1/namespaces/vault/pods/vault-0",
        ])
        .ok()
        .and_then(|m| serde_json::from_str::<Value>(&m).ok())
        .and_then(|m| {
            let mem = m["containers"][0]["usage"]["memory"].as_str()?.to_string();
            vault_sandbox::api::control::parse_quantity(&mem)
        })
        .is_some_and(|b| b > 32 << 20)
    };
    wait_for(
        "vault-0's working set above 32Mi",
        Duration::from_secs(90),
        over,
    );
    // 15 of the enforcing kubelet's polls.
    std::thread::sleep(Duration::from_secs(3));
    let pod = pod_json(&k, "vault-0").expect("vault-0");
    let status = &pod["status"]["containerStatuses"][0];
    assert_eq!(status["restartCount"], 0, "{pod:#}");
    assert!(status["state"]["running"].is_object(), "{pod:#}");
    assert!(status["lastState"]["terminated"].is_null(), "{pod:#}");
}

#[test]
fn oom_and_drop_streams_faults() {
    let sb = sandbox("oom", 1);
    let k = sb.kubectl();
    let before = restart_count(&pod_json(&k, "vault-0").expect("vault-0"));
    sb.fault(Fault::Oom, "vault-0").expect("oom");
    let pod: Value = pod_json(&k, "vault-0").expect("vault-0");
    let status = &pod["status"]["containerStatuses"][0];
    assert_eq!(status["restartCount"], before + 1, "{pod:#}");
    let last = &status["lastState"]["terminated"];
    assert_eq!(last["reason"], "OOMKilled", "{pod:#}");
    assert_eq!(last["exitCode"], 137, "{pod:#}");
    wait_for("vault-0 to answer again", Duration::from_secs(30), || {
        sb.seal_status(0).is_ok()
    });
    assert_eq!(
        sb.seal_status(0).unwrap()["sealed"],
        true,
        "restarted sealed"
    );

    // drop-streams cuts a running `kubectl exec`: kubectl fails at once instead of waiting
    // for the command to finish.
    let mut child = k
        .exec_sh("vault", "vault-0", "echo started; sleep 60")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl exec");
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().expect("stdout")),
        &mut line,
    )
    .expect("read the exec's output");
    assert_eq!(line, "started\n");
    let cut_at = std::time::Instant::now();
    let message = sb
        .fault(Fault::DropStreams, "vault-0")
        .expect("drop-streams");
    assert!(
        message.contains("1 exec/port-forward streams cut"),
        "{message}"
    );
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for kubectl") {
            break status;
        }
        assert!(
            cut_at.elapsed() < Duration::from_secs(15),
            "kubectl exec still runs after its stream was cut"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        !status.success(),
        "a cut exec stream is a failure: {status}"
    );
}

/// Each pod's server runs in its own PID namespace: `kubectl exec` sees that pod's processes
/// only (its server as PID 1), and a `kill -HUP` there reloads that pod's server and no other.
#[test]
fn exec_sees_and_signals_only_its_pods_processes() {
    let sb = sandbox("pidns", 2);
    let k = sb.kubectl();
    let list = |pod: &str| {
        let out = k
            .exec_sh(
                "vault",
                pod,
                "for p in /proc/[0-9]*; do printf '%s ' ${p#/proc/}; tr '\\0' ' ' < $p/cmdline; echo; done",
            )
            .output()
            .expect("kubectl exec");
        assert!(out.status.success(), "{}", show(&out));
        stdout(&out)
    };
    for pod in ["vault-0", "vault-1"] {
        let text = list(pod);
        let servers: Vec<&str> = text.lines().filter(|l| l.contains(" server ")).collect();
        assert_eq!(servers.len(), 1, "one server in {pod}:\n{text}");
        assert!(servers[0].starts_with("1 "), "its server is PID 1:\n{text}");
        let config = k
            .exec_sh("vault", pod, "grep node_id /tmp/storageconfig.hcl")
            .output()
            .expect("kubectl exec");
        assert!(
            servers[0].contains("-config=/tmp/storageconfig.hcl")
                && stdout(&config).contains(&format!("\"{pod}\"")),
            "{pod}'s own server:\n{text}\n{}",
            show(&config)
        );
        assert!(
            text.lines().count() < 6,
            "only the pod's processes:\n{text}"
        );
    }
    let reloads = |pod: &str| {
        let out = k.run(["logs", "-n", "vault", pod]);
        stdout(&out).matches("reload triggered").count()
    };
    let before = (reloads("vault-0"), reloads("vault-1"));
    let restarts = restart_count(&pod_json(&k, "vault-0").expect("vault-0"));
    let out = k.run(["exec", "-n", "vault", "vault-0", "--", "kill", "-HUP", "1"]);
    assert!(out.status.success(), "{}", show(&out));
    wait_for("vault-0 to reload", Duration::from_secs(10), || {
        reloads("vault-0") == before.0 + 1
    });
    assert_eq!(reloads("vault-1"), before.1, "vault-1 got no signal");
    let pod = pod_json(&k, "vault-0").expect("vault-0");
    assert_eq!(restart_count(&pod), restarts, "{pod:#}");
    assert!(pod_ready(&pod), "{pod:#}");
}
