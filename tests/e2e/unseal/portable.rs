//! Portable end-to-end tests: written against [`Cluster`], so they run on the sandbox and, with
//! `VAULT_E2E_KUBECONFIG`, on a real cluster (the e2e-kind workflow). Every outcome is checked
//! through the Vault API of each pod and kubectl, never through the plugin's report.

use std::time::Duration;

use serde_json::Value;

use super::PLUGIN;
use super::support::cluster::Cluster;
use super::support::{assert_exit, show, stdout};

/// Status on a healthy cluster; a restarted pod reported sealed, then unsealed with the
/// init file's keys and Ready, with an Event on it.
pub fn status_then_unseal_a_restarted_pod(c: &Cluster) {
    let pods = c.pods();
    assert!(pods.len() >= 2, "a cluster of at least two pods: {pods:?}");
    for p in &pods {
        assert_eq!(c.sealed(p), Some(false), "{p} starts unsealed");
    }
    let o = c.plugin("vault-unseal", &["-o", "json"]);
    assert_exit(&o, 0);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    assert_eq!(
        v["pods"].as_array().map(Vec::len),
        Some(pods.len()),
        "{v:#}"
    );

    let victim = &pods[1];
    c.restart(victim);
    let o = c.plugin("vault-unseal", &["-o", "json"]);
    assert_exit(&o, 2);
    let v: Value = serde_json::from_str(&stdout(&o)).expect("JSON");
    let row = v["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .find(|p| p["pod"] == victim.as_str())
        .cloned()
        .expect("the restarted pod's row");
    assert_eq!(row["sealed"], true, "{v:#}");

    let init = c.init_file.to_str().expect("path");
    let o = c.plugin("vault-unseal", &["--keys-file", init]);
    assert_exit(&o, 0);
    assert_eq!(
        c.sealed(victim),
        Some(false),
        "{victim} unsealed (Vault API)\n{}",
        show(&o)
    );
    c.wait_until(&format!("{victim} Ready"), Duration::from_secs(60), || {
        c.ready(victim)
    });
    let events = c
        .kubectl
        .json(["get", "events", "-n", &c.namespace])
        .expect("kubectl get events");
    assert!(
        events["items"].as_array().expect("items").iter().any(|e| {
            e["reason"] == "Unsealed" && e["involvedObject"]["name"] == victim.as_str()
        }),
        "an Unsealed Event on {victim}"
    );
}

#[test]
fn portable_status_then_unseal_a_restarted_pod() {
    let c = Cluster::start("portable-unseal", 3, PLUGIN);
    status_then_unseal_a_restarted_pod(&c);
}

/// The existing-cluster driver, exercised here: a sandbox started on its own, then reached
/// only through its kubeconfig, namespace and init file, as a real cluster would be.
#[test]
fn portable_existing_cluster_driver_against_a_separate_sandbox() {
    Cluster::against_a_separate_sandbox("portable-unseal", PLUGIN, |c| {
        assert!(c.sandbox_only("checking the driver").is_none());
        status_then_unseal_a_restarted_pod(c);
    });
}
