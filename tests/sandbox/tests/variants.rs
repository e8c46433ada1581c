//! The charts' variants: `--chart openbao` (the OpenBao Helm chart's names, labels, paths and
//! `BAO_*` environment) and `--tls-disable` (plain HTTP on the pods' listener, the charts'
//! default), each checked through kubectl and the server's own CLI in the pod.

mod common;

use common::*;
use serde_json::Value;
use vault_sandbox::chart::Chart;
use vault_sandbox::{Kubectl, Options};

fn names(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["metadata"]["name"].as_str().map(str::to_string))
        .collect()
}

/// `name=value` lines of the environment `kubectl exec` gives a command in `pod`.
fn pod_env(k: &Kubectl, ns: &str, pod: &str) -> Vec<String> {
    k.ok(["exec", "-n", ns, pod, "--", "env"])
        .expect("env in the pod")
        .lines()
        .map(str::to_string)
        .collect()
}

/// `<cli> status` in the pod, as the runbook types it: exit 0 (unsealed) and the key facts.
fn cli_status(k: &Kubectl, ns: &str, pod: &str, cli: &str) -> String {
    let out = k
        .command(["exec", "-n", ns, pod, "--", cli, "status"])
        .output()
        .expect("kubectl exec");
    assert!(
        out.status.success(),
        "{cli} status in {pod}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_openbao_chart_has_its_names_labels_paths_and_bao_env() {
    let sb = sandbox_with(
        "variant-openbao",
        Options {
            nodes: 2,
            namespace: "openbao".into(),
            chart: Chart::Openbao,
            audit: true,
            ..Options::default()
        },
    );
    let k = sb.kubectl();
    let ns = "openbao";

    // The release's objects, named as the OpenBao chart names them.
    let sts = k.json(["get", "statefulset", "-n", ns, "openbao"]).unwrap();
    assert_eq!(sts["spec"]["serviceName"], "openbao-internal", "{sts:#}");
    assert_eq!(
        sts["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"],
        "openbao"
    );
    let mut svcs = names(&k.json(["get", "svc", "-n", ns]).unwrap());
    svcs.sort();
    assert_eq!(
        svcs,
        [
            "openbao",
            "openbao-active",
            "openbao-internal",
            "openbao-standby"
        ]
    );
    let active = k.json(["get", "svc", "-n", ns, "openbao-active"]).unwrap();
    assert_eq!(active["spec"]["selector"]["openbao-active"], "true");
    assert!(names(&k.json(["get", "cm", "-n", ns]).unwrap()).contains(&"openbao-config".into()));
    assert!(names(&k.json(["get", "secret", "-n", ns]).unwrap()).contains(&"openbao-tls".into()));

    // The pods, found by the chart's own label selector.
    let pods = k
        .json([
            "get",
            "pods",
            "-n",
            ns,
            "-l",
            "app.kubernetes.io/name=openbao,component=server",
        ])
        .unwrap();
    assert_eq!(names(&pods), ["openbao-0", "openbao-1"]);
    let pod = &pods["items"][0];
    let container = &pod["spec"]["containers"][0];
    assert_eq!(container["name"], "openbao");
    assert_eq!(pod["spec"]["subdomain"], "openbao-internal");
    let mounts: Vec<&str> = container["volumeMounts"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|m| m["mountPath"].as_str())
        .collect();
    // The chart mounts its audit volume first.
    assert_eq!(mounts[0], "/openbao/audit", "{mounts:?}");
    for path in [
        "/openbao/data",
        "/openbao/config",
        "/openbao/userconfig/openbao-tls",
        "/home/openbao",
    ] {
        assert!(mounts.contains(&path), "{path} not in {mounts:?}");
    }
    // Service registration's labels, as OpenBao names them.
    sb.wait_until(
        "the active pod labelled openbao-active=true",
        std::time::Duration::from_secs(30),
        || {
            k.ok([
                "get",
                "pods",
                "-n",
                ns,
                "-l",
                "openbao-active=true",
                "-o",
                "name",
            ])
            .is_ok_and(|s| s.trim() == "pod/openbao-0")
        },
    )
    .unwrap();

    // In the pod: BAO_ADDR over https, no VAULT_ADDR; `bao status` works with it.
    let env = pod_env(&k, ns, "openbao-1");
    assert!(
        env.contains(&"BAO_ADDR=https://127.0.0.1:8200".into()),
        "{env:?}"
    );
    assert!(
        env.contains(&"BAO_CACERT=/openbao/userconfig/openbao-tls/ca.crt".into()),
        "{env:?}"
    );
    assert!(!env.iter().any(|e| e.starts_with("VAULT_ADDR=")), "{env:?}");
    let status = cli_status(&k, ns, "openbao-1", "bao");
    assert!(
        status.contains("HA Mode                 standby"),
        "{status}"
    );
    assert!(
        status.contains("https://openbao-0.openbao-internal:8201"),
        "{status}"
    );
    // The raft data is where the chart's configuration says, on the data claim.
    let df = k
        .ok([
            "exec",
            "-n",
            ns,
            "openbao-0",
            "--",
            "df",
            "-P",
            "/openbao/data",
        ])
        .unwrap();
    assert!(df.contains("/openbao/data"), "{df}");
    let ls = k
        .ok(["exec", "-n", ns, "openbao-0", "--", "ls", "/openbao/data"])
        .unwrap();
    assert!(ls.contains("raft"), "{ls}");

    // Independent path: the server's API, with the certificate verified for the pod's name
    // under openbao-internal.
    let (code, leader) = sb.vault(1, "GET", "sys/leader", None, None).unwrap();
    assert_eq!(code, 200, "{leader:#}");
    assert_eq!(
        leader["leader_address"],
        "https://openbao-0.openbao-internal:8200"
    );
}

#[test]
fn tls_disable_serves_plain_http_with_an_http_vault_addr() {
    let sb = sandbox_with(
        "variant-tls-disable",
        Options {
            nodes: 2,
            tls_disable: true,
            ..Options::default()
        },
    );
    let k = sb.kubectl();
    let ns = "vault";

    // No TLS Secret, none mounted; the port is named http as the chart names it.
    assert!(
        !names(&k.json(["get", "secret", "-n", ns]).unwrap())
            .iter()
            .any(|s| s == "vault-tls")
    );
    let pod = k.json(["get", "pod", "-n", ns, "vault-0"]).unwrap();
    let container = &pod["spec"]["containers"][0];
    assert_eq!(container["ports"][0]["name"], "http", "{container:#}");
    assert!(
        !pod["spec"]["volumes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["secret"].is_object()),
        "{pod:#}"
    );
    let cm = k.json(["get", "cm", "-n", ns, "vault-config"]).unwrap();
    let config = cm["data"]["extraconfig-from-values.hcl"].as_str().unwrap();
    assert!(config.contains("tls_disable        = 1"), "{config}");

    let env = pod_env(&k, ns, "vault-1");
    assert!(
        env.contains(&"VAULT_ADDR=http://127.0.0.1:8200".into()),
        "{env:?}"
    );
    assert!(
        !env.iter().any(|e| e.starts_with("VAULT_CACERT=")),
        "{env:?}"
    );
    let status = cli_status(&k, ns, "vault-1", "vault");
    assert!(status.contains("Sealed                  false"), "{status}");

    // Plain HTTP answers on the pod's listener, and a TLS handshake does not.
    let http = k
        .ok([
            "exec",
            "-n",
            ns,
            "vault-0",
            "--",
            "vault",
            "read",
            "-address=http://127.0.0.1:8200",
            "-format=json",
            "sys/leader",
        ])
        .unwrap();
    let leader: Value = serde_json::from_str(&http).unwrap();
    assert_eq!(leader["data"]["is_self"], true, "{leader:#}");
    let tls = k
        .command([
            "exec",
            "-n",
            ns,
            "vault-0",
            "--",
            "vault",
            "status",
            "-address=https://127.0.0.1:8200",
            "-tls-skip-verify",
        ])
        .output()
        .unwrap();
    assert!(!tls.status.success(), "https answered on a plain listener");

    // Independent path: the sandbox's own client, in plain HTTP.
    let (code, health) = sb.vault(1, "GET", "sys/health", None, None).unwrap();
    assert_eq!(code, 429, "a standby: {health:#}");
    assert_eq!(health["sealed"], false);
}

#[test]
fn the_openbao_chart_without_tls_as_the_chart_installs_by_default() {
    let sb = sandbox_with(
        "variant-openbao-http",
        Options {
            nodes: 1,
            chart: Chart::Openbao,
            tls_disable: true,
            ..Options::default()
        },
    );
    let k = sb.kubectl();
    let env = pod_env(&k, "vault", "openbao-0");
    assert!(
        env.contains(&"BAO_ADDR=http://127.0.0.1:8200".into()),
        "{env:?}"
    );
    let status = cli_status(&k, "vault", "openbao-0", "bao");
    assert!(
        status.contains("HA Mode                 active"),
        "{status}"
    );
    let (code, seal) = sb.vault(0, "GET", "sys/seal-status", None, None).unwrap();
    assert_eq!((code, &seal["sealed"]), (200, &Value::Bool(false)));
}
