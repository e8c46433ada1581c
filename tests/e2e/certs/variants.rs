//! The chart's variants: the OpenBao chart's pods (`openbao-N`, the `openbao-tls` Secret at
//! /openbao/userconfig/openbao-tls, BAO_CACERT) are judged as the Vault chart's are; pods
//! whose listener is plain HTTP have no certificate: `status` says so and exits 0, `renew`
//! refuses and changes nothing. Checked with openssl straight to the pods and kubectl.

use super::*;
use serde_json::json;
use support::{pod_row, stderr};
use vault_sandbox::chart::Chart;

#[test]
fn status_on_the_openbao_chart_reads_its_secret_and_names() {
    let e = support::env_with(
        "certs-variant-openbao",
        PLUGIN,
        Options {
            nodes: 2,
            chart: Chart::Openbao,
            ..Default::default()
        },
    );
    let out = e.run(&["vault-certs", "status", "-o", "json"], None);
    assert_exit(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    // The Secret's certificate, read through kubectl.
    let b64 = e
        .kubectl
        .ok([
            "get",
            "secret",
            "openbao-tls",
            "-o",
            "jsonpath={.data.tls\\.crt}",
        ])
        .unwrap();
    let (ok, secret_pem) = openssl(&["base64", "-d", "-A"], b64.trim().as_bytes());
    assert!(ok);
    let secret_fp = fingerprint(secret_pem.as_bytes());
    for (i, pod) in ["openbao-0", "openbao-1"].iter().enumerate() {
        let p = pod_row(&v, pod);
        assert_eq!(p["plain_http"], false, "{v:#}");
        assert_eq!(p["secret"], "openbao-tls", "{v:#}");
        assert_eq!(p["server_name"], "openbao.vault.svc", "{v:#}");
        assert_eq!(p["chain_verified"], true, "{v:#}");
        assert_eq!(p["names_missing"], json!([]), "{v:#}");
        // What the pod serves, by openssl to its own address asking for the chart's Service.
        let addr = format!("{}:8200", e.sb.pod_ip(i as u32));
        let (_, text) = openssl(
            &[
                "s_client",
                "-connect",
                &addr,
                "-servername",
                "openbao.vault.svc",
            ],
            b"",
        );
        let begin = text
            .find("-----BEGIN CERTIFICATE-----")
            .expect("a certificate");
        let end = text.find("-----END CERTIFICATE-----").unwrap() + 25;
        let served = fingerprint(format!("{}\n", &text[begin..end]).as_bytes());
        assert_eq!(served, secret_fp);
        assert_eq!(
            p["served"]["sha256"]
                .as_str()
                .map(|s| s.replace(':', "").to_lowercase()),
            Some(served),
            "{v:#}"
        );
        for name in ["openbao.vault.svc", &format!("{pod}.openbao-internal")] {
            assert!(
                p["names_in_use"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|n| n == name),
                "{name} not in use: {v:#}"
            );
        }
    }
}

#[test]
fn plain_http_pods_have_no_certificate_to_check_or_renew() {
    let e = support::env_with(
        "certs-variant-http",
        PLUGIN,
        Options {
            nodes: 2,
            tls_disable: true,
            ..Default::default()
        },
    );
    // Independently: the listener answers plain HTTP, and no TLS handshake.
    let (code, _) = e.sb.vault(0, "GET", "sys/seal-status", None, None).unwrap();
    assert_eq!(code, 200);
    let addr = format!("{}:8200", e.sb.pod_ip(0));
    let (_, text) = openssl(&["s_client", "-connect", &addr], b"");
    assert!(!text.contains("BEGIN CERTIFICATE"), "{text}");

    let out = e.run(&["vault-certs", "status", "-o", "json"], None);
    assert_exit(&out, 0);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let pods = v["pods"].as_array().unwrap();
    assert_eq!(pods.len(), 2, "{v:#}");
    for p in pods {
        assert_eq!(p["plain_http"], true, "{v:#}");
    }
    assert_eq!(v["findings"], json!([]), "{v:#}");
    let text = e.run(&["vault-certs", "status"], None);
    assert_exit(&text, 0);
    assert!(stdout(&text).contains("plain HTTP"), "{}", show(&text));

    // renew refuses before any change: the Secrets are as they were.
    let before = e.kubectl.ok(["get", "secrets", "-o", "name"]).unwrap();
    let out = e.run(
        &["vault-certs", "renew", "--yes", "--role", "vault-server"],
        None,
    );
    assert!(!out.status.success(), "{}", show(&out));
    assert!(stderr(&out).contains("plain HTTP"), "{}", show(&out));
    assert_eq!(
        e.kubectl.ok(["get", "secrets", "-o", "name"]).unwrap(),
        before
    );
}
