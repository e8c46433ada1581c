//! The chart's variants: the OpenBao chart (pods `openbao-N`, labelled
//! `app.kubernetes.io/name=openbao`, `BAO_ADDR`) and a listener without TLS
//! (`VAULT_ADDR=http://…`). The plugin finds the pods by its default selector and unseals them;
//! the result is checked through the Vault API straight to each pod and kubectl.

use super::*;
use vault_sandbox::Options;
use vault_sandbox::chart::Chart;

/// Seals pods `ordinals` (the `seal` fault), unseals them with the init file through the
/// plugin, and checks every pod unsealed and Ready.
fn seal_and_unseal(e: &Env, pods: &[&str], ordinals: &[u32]) {
    for i in ordinals {
        e.sb.fault(Fault::Seal, pods[*i as usize])
            .expect("seal the pod");
    }
    for i in ordinals {
        e.wait_sealed(*i);
    }
    let status = e.run(&["vault-unseal", "--status", "-o", "json"], None);
    assert_exit(&status, 2);
    let v: Value = serde_json::from_str(&stdout(&status)).expect("JSON output");
    let listed: Vec<&str> = v["pods"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p["pod"].as_str().or(p["name"].as_str()))
        .collect();
    assert_eq!(listed, pods, "{v:#}");

    let out = unseal_with_init_json(e);
    assert_exit(&out, 0);
    assert_no_secret("unseal output", &show(&out), &e.secrets());
    for (i, pod) in pods.iter().enumerate() {
        assert!(!e.sealed(i as u32), "{pod} still sealed");
    }
    e.sb.wait_until("every pod Ready", Duration::from_secs(30), || {
        pods.iter().all(|p| e.ready(p))
    })
    .expect("pods Ready");
}

#[test]
fn unseals_the_openbao_charts_pods() {
    let e = support::env_with(
        "unseal-variant-openbao",
        PLUGIN,
        Options {
            nodes: 3,
            chart: Chart::Openbao,
            ..Default::default()
        },
    );
    seal_and_unseal(&e, &["openbao-0", "openbao-1", "openbao-2"], &[1, 2]);
}

#[test]
fn unseals_pods_whose_listener_is_plain_http() {
    let e = support::env_with(
        "unseal-variant-http",
        PLUGIN,
        Options {
            nodes: 2,
            tls_disable: true,
            ..Default::default()
        },
    );
    seal_and_unseal(&e, &["vault-0", "vault-1"], &[1]);
}
